//! `mcp-authspec list`: one line per case, tab-separated, for people and scripts.

use super::args::ListArgs;
use super::output::cases_or_exit;
use crate::logic::official_scenarios::official_auth_scenarios;
use crate::vocab::{
    exit_code, ClientDefect, ClientKnob, IdpDefect, IdpKnob, ServerDefect, ServerKnob,
};

pub fn run(args: ListArgs) -> i32 {
    if args.defects {
        return print_named(
            ServerDefect::ALL
                .iter()
                .map(|d| (d.name(), d.description())),
        );
    }
    if args.server_knobs {
        return print_named(ServerKnob::ALL.iter().map(|k| (k.name(), k.description())));
    }
    if args.idp_knobs {
        return print_named(IdpKnob::ALL.iter().map(|k| (k.name(), k.description())));
    }
    if args.client_knobs {
        return print_named(ClientKnob::ALL.iter().map(|k| (k.name(), k.description())));
    }
    if args.scenarios {
        for s in official_auth_scenarios() {
            println!("{s}");
        }
        return exit_code::OK;
    }
    if args.client_defects {
        return print_named(
            ClientDefect::ALL
                .iter()
                .map(|d| (d.name(), d.description())),
        );
    }
    if args.idp_defects {
        return print_named(IdpDefect::ALL.iter().map(|d| (d.name(), d.description())));
    }
    let cases = match cases_or_exit(args.cases.as_deref()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    for c in cases {
        if args.role.is_some_and(|r| r != c.role) {
            continue;
        }
        if args
            .revision
            .is_some_and(|r| !c.file.revisions.contains(&r))
        {
            continue;
        }
        let revisions: Vec<&str> = c.file.revisions.iter().map(|r| r.as_str()).collect();
        println!(
            "{}\t{}\t{}\t{}\t{}",
            c.id(),
            c.file.level,
            c.requirement.id,
            revisions.join(","),
            c.file.title
        );
    }
    exit_code::OK
}

/// One `name<TAB>description` line per knob or defect.
fn print_named<'a>(named: impl Iterator<Item = (&'a str, &'a str)>) -> i32 {
    for (name, description) in named {
        println!("{name}\t{description}");
    }
    exit_code::OK
}
