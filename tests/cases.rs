//! `cargo test --test cases`: every case against the reference server (must pass) and
//! against its named defect (must fail at the case's level).

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let trials = mcp_authspec::harness::self_test_trials(&mcp_authspec::input::CaseSource::Builtin);
    libtest_mimic::run(&args, trials).exit();
}
