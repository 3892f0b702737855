//! `mcp-authspec explain CASE`: what a case checks, why, and where the spec says so.

use std::fmt::Write;

use super::args::ExplainArgs;
use super::output::cases_or_exit;
use crate::logic::case::Case;
use crate::logic::case::DefectRef;
use crate::logic::diagnostic::did_you_mean;
use crate::vocab::exit_code;

pub fn run(args: ExplainArgs) -> i32 {
    let cases = match cases_or_exit(args.cases.as_deref()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let wanted = args.case.replace("::", "/");
    match cases.iter().find(|c| c.id() == wanted) {
        Some(c) => {
            print!("{}", explain(c));
            exit_code::OK
        }
        None => {
            eprint!("error: no case `{}`", args.case);
            match did_you_mean(&wanted, cases.iter().map(|c| c.id())) {
                Some(m) => eprintln!("; did you mean `{m}`?"),
                None => eprintln!("; `mcp-authspec list` shows every case"),
            }
            exit_code::USAGE
        }
    }
}

/// The explanation text (also used by tests).
pub fn explain(c: &Case) -> String {
    let f = &c.file;
    let mut s = String::new();
    let _ = writeln!(s, "{}\n  {}\n", c.id(), f.title);
    let _ = writeln!(s, "requirement  {} ({})", c.requirement.id, f.level);
    let _ = writeln!(s, "             {}", c.requirement.statement);
    let revisions: Vec<&str> = f.revisions.iter().map(|r| r.as_str()).collect();
    let _ = writeln!(s, "revisions    {}", revisions.join(", "));
    if !f.profiles.is_empty() {
        let p: Vec<&str> = f.profiles.iter().map(|p| p.as_str()).collect();
        let _ = writeln!(s, "profiles     {}", p.join(", "));
    }
    let _ = writeln!(s, "spec");
    for src in &c.requirement.sources {
        let _ = writeln!(s, "  - {}, {}", src.document, src.section);
    }
    if let Some(r) = &f.rationale {
        let _ = writeln!(s, "why\n  {}", r.trim());
    }
    if let Some(client) = &f.client {
        let _ = writeln!(s, "client run");
        if let Some(scenario) = &client.scenario {
            let _ = writeln!(s, "  MCP_CONFORMANCE_SCENARIO={}", scenario.value);
        }
        let names = |v: &[serde_saphyr::Spanned<String>]| {
            v.iter()
                .map(|n| n.value.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !client.server.is_empty() {
            let _ = writeln!(s, "  mock MCP server with {}", names(&client.server));
        }
        if !client.idp.is_empty() {
            let _ = writeln!(s, "  mock authorization server with {}", names(&client.idp));
        }
        if let Some(p) = &client.preregistered {
            let _ = writeln!(s, "  a pre-registered client ({})", p.auth_method.value);
        }
        for e in client.when.iter().map(|e| &e.value) {
            let _ = writeln!(
                s,
                "  only if {}",
                e.is.claim(&e.query.to_string(), &Default::default())
            );
        }
        for e in client.expect.iter().map(|e| &e.value) {
            let level = e.level.unwrap_or(f.level);
            let _ = writeln!(
                s,
                "  expect {} [{level}]",
                e.is.claim(&e.query.to_string(), &Default::default())
            );
        }
    }
    if !f.steps.is_empty() {
        let _ = writeln!(s, "steps");
    }
    for (i, step) in f.steps.iter().enumerate() {
        let name = step.label(i);
        let req = &step.send.value;
        let target = req
            .url
            .as_ref()
            .map(|u| u.raw().to_string())
            .or_else(|| {
                req.first_of.as_ref().map(|c| {
                    format!(
                        "first of: {}",
                        c.iter().map(|t| t.raw()).collect::<Vec<_>>().join(", ")
                    )
                })
            })
            .unwrap_or_else(|| {
                if req.authorize.is_some() {
                    "{authorization_endpoint}".to_string()
                } else {
                    String::new()
                }
            });
        let _ = writeln!(
            s,
            "  {}. {name}: {} {target}",
            i + 1,
            req.effective_method()
        );
        if let Some(params) = &req.authorize {
            let names: Vec<&str> = params.keys().map(String::as_str).collect();
            let _ = writeln!(
                s,
                "     authorization request through the consent strategy, with {}",
                names.join(", ")
            );
        }
        if let Some(form) = &req.form {
            let names: Vec<&str> = form.keys().map(String::as_str).collect();
            let auth = if req.authenticate_client {
                ", authenticated as the run's client"
            } else {
                ""
            };
            let _ = writeln!(s, "     form: {}{auth}", names.join(", "));
        }
        if let Some(token) = &req.token {
            let _ = writeln!(s, "     sends {}", token.describe());
        }
        if let Some(bearer) = &req.bearer {
            let _ = writeln!(s, "     sends the bearer string `{}`", bearer.raw());
        }
        for e in step.when.iter().map(|e| &e.value) {
            let _ = writeln!(
                s,
                "     only if {}",
                e.is.claim(&e.query.to_string(), &Default::default())
            );
        }
        for e in step.control.iter().map(|e| &e.value) {
            let _ = writeln!(
                s,
                "     control: {} (else the case cannot judge: error)",
                e.is.claim(&e.query.to_string(), &Default::default())
            );
        }
        for e in step.expect.iter().map(|e| &e.value) {
            let level = e.level.unwrap_or(f.level);
            let _ = writeln!(
                s,
                "     expect {} [{level}]",
                e.is.claim(&e.query.to_string(), &Default::default())
            );
        }
        for (name, q) in &step.capture {
            let _ = writeln!(s, "     capture {name} = {}", q.value);
        }
    }
    let _ = writeln!(
        s,
        "proof it can fail\n  the {} with defect `{}` must fail this case",
        match c.defect {
            DefectRef::Server(_) => "reference server",
            DefectRef::Idp(_) => "mock IdP (the reference authorization server)",
            DefectRef::Client(_) => "reference client",
        },
        c.defect.name()
    );
    s
}
