//! Redaction of a finished report, in one place, so that no writer (JSON, JUnit,
//! Markdown, console) can forget it: the structural rules on every exchange, collecting
//! what they remove; then every value the run knows to be secret, wherever it appears —
//! check values, reasons, process output, the run's own error.

use super::rules::{redact_exchange_collecting, redact_text};
use super::secrets::{Redactor, SecretValues};
use crate::vocab::{CaseReport, CheckReport, Exchange, ProcessEvidence, RunReport};

/// The report with every secret replaced. `known` holds the secrets the run handed out
/// that need not have crossed HTTP (a pre-registered client secret given to a client
/// that only printed it); exchanges must still be as recorded, unredacted.
pub fn redact_report(mut report: RunReport, known: &SecretValues) -> RunReport {
    let mut secrets = known.clone();
    for case in &mut report.cases {
        case.exchanges = std::mem::take(&mut case.exchanges)
            .into_iter()
            .map(|e| redact_exchange_collecting(e, &mut secrets))
            .collect();
    }
    let redactor = secrets.redactor();
    for case in &mut report.cases {
        redact_case(case, &redactor);
    }
    for target in &mut report.targets {
        target.location = redactor.text(&target.location);
        if let Some(p) = target.process.as_mut() {
            redact_process(p, &redactor);
        }
    }
    report.error = report.error.map(|e| redactor.text(&e));
    for line in &mut report.outlived {
        *line = redactor.text(&redact_text(line));
    }
    report
}

/// One finished case, redacted on its own, before its evidence is cut (a cut could leave
/// half a secret that no rule recognises): the structural rules on its exchanges, then
/// the values they removed and `known`. Returns the values removed, which the run adds to
/// its own: the whole report is redacted again at the end, and the exchanges it then
/// sees no longer show them.
pub fn redact_case_alone(case: &mut CaseReport, known: &SecretValues) -> SecretValues {
    let mut secrets = known.clone();
    case.exchanges = std::mem::take(&mut case.exchanges)
        .into_iter()
        .map(|e| redact_exchange_collecting(e, &mut secrets))
        .collect();
    redact_case(case, &secrets.redactor());
    secrets
}

fn redact_case(case: &mut CaseReport, r: &Redactor) {
    // A reason quotes what the target sent (a check's actual value, an error page), so
    // the free-text rules apply as well as the known values.
    case.reason = case.reason.as_deref().map(|s| r.text(&redact_text(s)));
    for check in &mut case.checks {
        redact_check(check, r);
    }
    for exchange in &mut case.exchanges {
        redact_exchange_values(exchange, r);
    }
    if let Some(p) = case.process.as_mut() {
        redact_process(p, r);
    }
}

/// The description and the expectation are the case's own words (with values the run
/// filled in); the actual value is what the target sent, so the free-text rules apply to
/// it too (a body quoted whole, a header).
fn redact_check(check: &mut CheckReport, r: &Redactor) {
    check.description = r.text(&check.description);
    check.expected = r.value(&check.expected, |s| s.to_string());
    check.actual = r.value(&check.actual, redact_text);
}

/// What the structural rules left: a secret echoed in an error page, a header they do
/// not know, a transport error quoting a URL.
fn redact_exchange_values(e: &mut Exchange, r: &Redactor) {
    e.url = r.text(&e.url);
    for h in e
        .request_headers
        .iter_mut()
        .chain(e.response_headers.iter_mut())
    {
        h.value = r.text(&h.value);
    }
    for body in [e.request_body.as_mut(), e.response_body.as_mut()]
        .into_iter()
        .flatten()
    {
        *body = r.text(body);
    }
    e.transport_error = e.transport_error.as_deref().map(|s| r.text(s));
    if let Some(token) = e.sent_token.as_mut() {
        for part in [token.header.as_mut(), token.claims.as_mut()]
            .into_iter()
            .flatten()
        {
            redact_json_strings(part, r);
        }
    }
}

fn redact_json_strings(v: &mut serde_json::Value, r: &Redactor) {
    use serde_json::Value;
    match v {
        Value::String(s) => *s = r.text(s),
        Value::Array(items) => items.iter_mut().for_each(|i| redact_json_strings(i, r)),
        Value::Object(map) => map.values_mut().for_each(|i| redact_json_strings(i, r)),
        _ => {}
    }
}

/// A launched program's output: the free-text rules (it may print any token it got),
/// then the known values (it may print the context it was given).
pub fn redact_process(p: &mut ProcessEvidence, r: &Redactor) {
    p.command = r.text(&p.command);
    p.ended = r.text(&p.ended);
    p.stdout = r.text(&redact_text(&p.stdout));
    p.stderr = r.text(&redact_text(&p.stderr));
    for line in &mut p.outlived {
        *line = r.text(&redact_text(line));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::{HeaderPair, Level, Outcome, Profile, Revision, Role, TargetDescription};

    const SECRET: &str = "mcp-authspec-preregistered-secret";
    const CODE: &str = "b4b00b424ea6ef00c1ae0f03a91bf1a1";
    const TOKEN: &str = "opaque-access-token-0123456789abcdef";
    const VERIFIER: &str = "verifier-0123456789-0123456789-0123456789-abc";
    // base64("mcp-authspec-preregistered:mcp-authspec-preregistered-secret")
    const BASIC: &str =
        "bWNwLWF1dGhzcGVjLXByZXJlZ2lzdGVyZWQ6bWNwLWF1dGhzcGVjLXByZXJlZ2lzdGVyZWQtc2VjcmV0";

    fn exchange(step: &str) -> Exchange {
        let mut e = Exchange::request(
            step,
            "GET",
            "http://127.0.0.1:1/authorize?client_id=c&state=s",
            vec![],
            None,
        );
        e.status = Some(302);
        e.response_headers = vec![HeaderPair::new(
            "Location",
            format!("http://127.0.0.1:2/callback?code={CODE}&state=s"),
        )];
        e.response_body = Some(format!(
            "Found. Redirecting to http://127.0.0.1:2/callback?code={CODE}&amp;state=s"
        ));
        e
    }

    fn token_exchange() -> Exchange {
        let mut e = Exchange::request(
            "token request",
            "POST",
            "http://127.0.0.1:1/token",
            vec![HeaderPair::new("Authorization", format!("Basic {BASIC}"))],
            Some(format!(
                "grant_type=authorization_code&code={CODE}&code_verifier={VERIFIER}"
            )),
        );
        e.status = Some(200);
        e.response_body = Some(format!(
            r#"{{"access_token":"{TOKEN}","token_type":"Bearer"}}"#
        ));
        e
    }

    fn check(description: &str, expected: &str, actual: &str) -> CheckReport {
        CheckReport {
            step: "s".into(),
            description: description.into(),
            level: Level::MUST,
            outcome: Outcome::Fail,
            expected: expected.into(),
            actual: actual.into(),
            why: None,
        }
    }

    fn report() -> RunReport {
        let case = CaseReport {
            id: "authorization-server/x".into(),
            title: "t".into(),
            role: Role::AuthorizationServer,
            requirement: "AS-X".into(),
            scenario: None,
            requirement_text: "x".into(),
            level: Level::MUST,
            revision: Revision::LATEST,
            outcome: Outcome::Fail,
            reason: Some(format!(
                "redirect parameter `code` is absent: got \"{CODE}\""
            )),
            spec: vec![],
            checks: vec![
                check(
                    "redirect parameter `code` is absent",
                    "absent",
                    &format!("\"{CODE}\""),
                ),
                check(
                    "JSON `/access_token` is a non-empty string",
                    "a non-empty string",
                    &format!("\"{}… (400 characters)", &TOKEN[..20]),
                ),
                check(
                    "header `authorization` of request 1 to token matches /^Basic /",
                    "matches /^Basic /",
                    &format!("\"Basic {BASIC}\""),
                ),
                check("form field", "absent", &format!("\"{SECRET}\"")),
                check("code_verifier", "a verifier", &format!("\"{VERIFIER}\"")),
            ],
            exchanges: vec![exchange("authorization request"), token_exchange()],
            process: Some(ProcessEvidence {
                command: "client".into(),
                ended: "exit status 0".into(),
                stdout: format!(
                    r#"context: {{"client_id":"c","client_secret":"{SECRET}"}} got {TOKEN}"#
                ),
                stderr: format!("secret was {SECRET}"),
                truncated: false,
                notes: Vec::new(),
                outlived: Vec::new(),
            }),
            omitted_exchanges: 0,
            duration_ms: 1,
            baseline: None,
        };
        RunReport::assemble(
            vec![TargetDescription {
                role: Role::AuthorizationServer,
                location: "http://127.0.0.1:1".into(),
                reference: false,
                process: None,
            }],
            vec![Revision::LATEST],
            Profile::Strict,
            "now".into(),
            1,
            None,
            vec![case],
        )
    }

    #[test]
    fn no_secret_survives_anywhere_in_the_report() {
        let mut known = SecretValues::default();
        known.add(SECRET);
        let redacted = redact_report(report(), &known);
        let all = serde_json::to_string(&redacted).unwrap();
        for secret in [SECRET, CODE, TOKEN, &TOKEN[..20], VERIFIER, BASIC] {
            assert!(!all.contains(secret), "{secret} leaked: {all}");
        }
        let case = &redacted.cases[0];
        assert_eq!(case.checks[0].actual, "\"[redacted: 32 characters]\"");
        assert_eq!(case.checks[2].actual, "\"Basic [redacted]\"");
        assert_eq!(
            case.reason.as_deref(),
            Some("redirect parameter `code` is absent: got \"[redacted]\"")
        );
        // What is not secret stays readable.
        assert!(all.contains("state=s"), "{all}");
        assert!(all.contains("token_type"), "{all}");
        assert!(all.contains("Found. Redirecting to"), "{all}");
    }

    #[test]
    fn a_secret_known_only_to_the_run_is_found_too() {
        // No exchange carries the secret (the Basic credential would: its password is
        // collected): only the client's output does.
        let only_output = || {
            let mut r = report();
            r.cases[0].exchanges.truncate(1);
            r.cases[0].checks.clear();
            r
        };
        let without_known = redact_report(only_output(), &SecretValues::default());
        let stderr = &without_known.cases[0].process.as_ref().unwrap().stderr;
        assert!(
            stderr.contains(SECRET),
            "the structural rules cannot know it"
        );
        let mut known = SecretValues::default();
        known.add(SECRET);
        let with_known = redact_report(only_output(), &known);
        assert_eq!(
            with_known.cases[0].process.as_ref().unwrap().stderr,
            "secret was [redacted]"
        );
    }

    #[test]
    fn json_rpc_error_codes_survive() {
        let mut r = report();
        let body = r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"Invalid params"}}"#;
        r.cases[0].exchanges[1].response_body = Some(body.into());
        r.cases[0]
            .checks
            .push(check("JSON `/error/code` is -32602", "-32602", "-32602"));
        let redacted = redact_report(r, &SecretValues::default());
        assert_eq!(
            redacted.cases[0].exchanges[1].response_body.as_deref(),
            Some(body)
        );
        assert_eq!(redacted.cases[0].checks[5].actual, "-32602");
    }
}
