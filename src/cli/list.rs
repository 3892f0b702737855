//! `mcp-authspec list`: one line per case, tab-separated, for people and scripts.

use super::args::ListArgs;
use super::output::cases_or_exit;
use super::selection::{filtered_or_exit, shard_of};
use crate::logic::official_scenarios::official_auth_scenarios;
use crate::vocab::{
    exit_code, ClientDefect, ClientKnob, Extension, IdpDefect, IdpKnob, ServerDefect, ServerKnob,
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
    if args.list_extensions {
        for e in Extension::ALL {
            let source = e.source();
            println!(
                "{}\t{}\t{}\t{}",
                e.name(),
                source.identifier,
                source.document,
                source.official_scenarios.join(",")
            );
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
    let cases = match filtered_or_exit(cases, &args.select) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let cases: Vec<_> = cases
        .into_iter()
        .filter(|c| args.role.is_none_or(|r| r == c.role))
        .filter(|c| args.revision.is_none_or(|r| c.file.revisions.contains(&r)))
        .collect();
    let cases = match args.select.partition {
        Some(partition) => shard_of(cases, partition, None),
        None => cases,
    };
    for c in cases {
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
