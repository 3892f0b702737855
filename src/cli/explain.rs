//! `mcp-authspec explain CASE`: what a case checks, why, and where the spec says so.

use std::fmt::Write;

use super::args::ExplainArgs;
use super::output::cases_or_exit;
use crate::actors::drivers::UPSTREAM_AUTHORIZATION_ENDPOINT;
use crate::logic::case::Case;
use crate::logic::case::DefectRef;
use crate::logic::case_body::CaseBody;
use crate::logic::case_model::CookieUse;
use crate::logic::diagnostic::did_you_mean;
use crate::logic::step_request::{Body, Credential, To};
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
    if let Some(cl) = f
        .clause
        .as_ref()
        .and_then(|k| c.requirement.clause(&k.value))
    {
        let _ = writeln!(s, "clause       {}: {}", cl.key, cl.text);
    }
    let revisions: Vec<&str> = f.revisions.iter().map(|r| r.as_str()).collect();
    let _ = writeln!(s, "revisions    {}", revisions.join(", "));
    if c.uses.contains(UPSTREAM_AUTHORIZATION_ENDPOINT) {
        let _ = writeln!(
            s,
            "contract     an OAuth proxy: `server --command … --oauth-proxy` (else skipped)"
        );
    }
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
    let no_steps = Vec::new();
    let steps = match &c.body {
        CaseBody::Steps(steps) => steps,
        CaseBody::Client(_) => &no_steps,
    };
    if let CaseBody::Client(client) = &c.body {
        let _ = writeln!(s, "client run");
        if let Some(scenario) = &client.scenario {
            let _ = writeln!(s, "  MCP_CONFORMANCE_SCENARIO={scenario}");
        }
        fn names<T: ToString>(v: &[T]) -> String {
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        }
        if !client.server.is_empty() {
            let _ = writeln!(s, "  mock MCP server with {}", names(&client.server));
        }
        if !client.idp.is_empty() {
            let _ = writeln!(s, "  mock authorization server with {}", names(&client.idp));
        }
        if let Some(method) = &client.preregistered {
            let _ = writeln!(s, "  a pre-registered client ({method})");
        }
        for e in &client.when {
            let _ = writeln!(
                s,
                "  only if {}",
                e.is.claim(&e.query.to_string(), &Default::default())
            );
        }
        for e in &client.expect {
            let level = e.level.unwrap_or(f.level);
            let _ = writeln!(
                s,
                "  expect {} [{level}]",
                e.is.claim(&e.query.to_string(), &Default::default())
            );
        }
    }
    if !steps.is_empty() {
        let _ = writeln!(s, "steps");
    }
    for (i, step) in steps.iter().enumerate() {
        let name = step.label(i);
        let req = &step.send;
        let target = match &req.to {
            To::Url(url) | To::Authorize { url, .. } => url.raw().to_string(),
            To::FirstOf(c) => format!(
                "first of: {}",
                c.iter().map(|t| t.raw()).collect::<Vec<_>>().join(", ")
            ),
        };
        let _ = writeln!(
            s,
            "  {}. {name}: {} {target}",
            i + 1,
            req.effective_method()
        );
        if let To::Authorize { params, .. } = &req.to {
            let names: Vec<&str> = params.keys().map(String::as_str).collect();
            let how = if req.cookies.is_some() {
                "as a browser, the case walking the consent itself"
            } else {
                "through the consent strategy"
            };
            let _ = writeln!(
                s,
                "     authorization request {how}, with {}",
                names.join(", ")
            );
        }
        match &req.cookies {
            Some(CookieUse::Jar) => {
                let _ = writeln!(s, "     with the cookies the target set");
            }
            Some(CookieUse::JarReplacing(edit)) => {
                let _ = writeln!(
                    s,
                    "     with the cookies the target set, {} replaced by {}",
                    edit.from.raw(),
                    edit.to.raw()
                );
            }
            None => {}
        }
        if let Some(Body::Form {
            fields,
            authenticate_client,
        }) = &req.body
        {
            let names: Vec<&str> = fields.keys().map(String::as_str).collect();
            let auth = if *authenticate_client {
                ", authenticated as the run's client"
            } else {
                ""
            };
            let _ = writeln!(s, "     form: {}{auth}", names.join(", "));
        }
        match &req.credential {
            Some(Credential::Token(token)) => {
                let _ = writeln!(s, "     sends {}", token.describe());
            }
            Some(Credential::Bearer(bearer)) => {
                let _ = writeln!(s, "     sends the bearer string `{}`", bearer.raw());
            }
            None => {}
        }
        for e in &step.when {
            let _ = writeln!(
                s,
                "     only if {}",
                e.is.claim(&e.query.to_string(), &Default::default())
            );
        }
        for e in &step.control {
            let _ = writeln!(
                s,
                "     control: {} (else the case cannot judge: error)",
                e.is.claim(&e.query.to_string(), &Default::default())
            );
        }
        for e in &step.expect {
            let level = e.level.unwrap_or(f.level);
            let _ = writeln!(
                s,
                "     expect {} [{level}]",
                e.is.claim(&e.query.to_string(), &Default::default())
            );
        }
        for (name, q) in &step.capture {
            let _ = writeln!(s, "     capture {name} = {q}");
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
