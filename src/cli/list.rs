//! `mcp-authspec list`: one line per case, tab-separated, for people and scripts.

use super::args::ListArgs;
use super::output::cases_or_exit;
use crate::logic::official_scenarios::OFFICIAL_AUTH_SCENARIOS;
use crate::vocab::{
    exit_code, ClientDefect, ClientKnob, IdpDefect, IdpKnob, ServerDefect, ServerKnob,
};

pub fn run(args: ListArgs) -> i32 {
    if args.defects {
        for d in ServerDefect::ALL {
            println!("{}\t{}", d.name(), d.description());
        }
        return exit_code::OK;
    }
    if args.server_knobs {
        for k in ServerKnob::ALL {
            println!("{}\t{}", k.name(), k.description());
        }
        return exit_code::OK;
    }
    if args.idp_knobs {
        for k in IdpKnob::ALL {
            println!("{}\t{}", k.name(), k.description());
        }
        return exit_code::OK;
    }
    if args.client_knobs {
        for k in ClientKnob::ALL {
            println!("{}\t{}", k.name(), k.description());
        }
        return exit_code::OK;
    }
    if args.scenarios {
        for s in OFFICIAL_AUTH_SCENARIOS {
            println!("{s}");
        }
        return exit_code::OK;
    }
    if args.client_defects {
        for d in ClientDefect::ALL {
            println!("{}\t{}", d.name(), d.description());
        }
        return exit_code::OK;
    }
    if args.idp_defects {
        for d in IdpDefect::ALL {
            println!("{}\t{}", d.name(), d.description());
        }
        return exit_code::OK;
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
