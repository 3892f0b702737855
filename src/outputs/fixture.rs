//! A fixed run report for the writers' tests. Every value is constant (start time,
//! durations, loopback URLs on fixed ports) so that snapshots are stable, and the report
//! exercises every corner a writer must handle: one case of each outcome, a transport error,
//! a body the harness truncated, a `|` in a reason, a multi-line body, `<absent>` values
//! that look like HTML, and two revisions across three roles.

use crate::vocab::{
    CaseReport, CheckReport, Exchange, HeaderPair, Level, Outcome, Profile, Revision, RunReport,
    SentToken, SpecReference, Summary, TargetDescription, ToolInfo, REPORT_SCHEMA_VERSION,
};

const MCP: &str = "http://127.0.0.1:38080/mcp";
const PRM: &str = "http://127.0.0.1:38080/.well-known/oauth-protected-resource/mcp";
const AS_META: &str = "http://127.0.0.1:38081/.well-known/oauth-authorization-server";

fn spec(document: &str, section: &str) -> SpecReference {
    SpecReference {
        document: document.into(),
        section: section.into(),
    }
}

fn mcp_auth(revision: Revision, section: &str) -> SpecReference {
    spec(&format!("MCP {revision} basic/authorization"), section)
}

fn check(
    description: &str,
    level: Level,
    outcome: Outcome,
    expected: &str,
    actual: &str,
) -> CheckReport {
    CheckReport {
        step: "request".into(),
        description: description.into(),
        level,
        outcome,
        expected: expected.into(),
        actual: actual.into(),
        why: None,
    }
}

fn exchange(method: &str, url: &str) -> Exchange {
    Exchange {
        step: "request".into(),
        method: method.into(),
        url: url.into(),
        request_headers: vec![HeaderPair::new("accept", "application/json")],
        request_body: None,
        status: None,
        response_headers: Vec::new(),
        response_body: None,
        response_truncated: false,
        elapsed_ms: 4,
        transport_error: None,
        sent_token: None,
        endpoint: None,
    }
}

/// An `initialize` request without a token, as several server cases send it.
fn initialize(status: u16, response_headers: Vec<HeaderPair>, body: &str) -> Exchange {
    Exchange {
        step: "unauthenticated initialize".into(),
        request_headers: vec![
            HeaderPair::new("content-type", "application/json"),
            HeaderPair::new("accept", "application/json, text/event-stream"),
            HeaderPair::new("mcp-protocol-version", "2025-11-25"),
        ],
        request_body: Some(
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25"}}"#
                .into(),
        ),
        status: Some(status),
        response_headers,
        response_body: Some(body.into()),
        elapsed_ms: 7,
        ..exchange("POST", MCP)
    }
}

fn case(id: &str, title: &str, role: &str, revision: Revision, outcome: Outcome) -> CaseReport {
    CaseReport {
        title: title.into(),
        duration_ms: 10,
        ..CaseReport::minimal(id, role.parse().expect("fixture role"), revision, outcome)
    }
}

fn pass_case() -> CaseReport {
    let r = Revision::R2025_11_25;
    CaseReport {
        requirement: "RS-PRM-03".into(),
        requirement_text:
            "The `resource` in protected resource metadata MUST be the MCP server's canonical URL."
                .into(),
        spec: vec![
            mcp_auth(r, "Authorization Server Location"),
            spec("RFC 9728", "§3.3"),
        ],
        checks: vec![
            check(
                "status equals 200",
                Level::MUST,
                Outcome::Pass,
                "200",
                "200",
            ),
            check(
                "`resource` equals the server URL",
                Level::MUST,
                Outcome::Pass,
                MCP,
                MCP,
            ),
        ],
        exchanges: vec![Exchange {
            status: Some(200),
            response_headers: vec![HeaderPair::new("content-type", "application/json")],
            response_body: Some(format!(
                r#"{{"resource":"{MCP}","authorization_servers":["http://127.0.0.1:38081"]}}"#
            )),
            ..exchange("GET", PRM)
        }],
        omitted_exchanges: 0,
        duration_ms: 12,
        ..case(
            "server/prm/resource-matches-url",
            "PRM `resource` matches the server URL",
            "server",
            r,
            Outcome::Pass,
        )
    }
}

fn fail_case() -> CaseReport {
    let r = Revision::R2025_11_25;
    let body = "{\n  \"jsonrpc\": \"2.0\",\n  \"id\": 1,\n  \"result\": {\n    \"protocolVersion\": \"2025-11-25\"\n  }\n}";
    CaseReport {
        requirement: "RS-AUTH-01".into(),
        requirement_text:
            "A request without an access token MUST be answered with 401 Unauthorized.".into(),
        reason: Some("status is 401: got 200".into()),
        spec: vec![mcp_auth(r, "Token Requirements"), spec("RFC 6750", "§3.1")],
        checks: vec![
            CheckReport {
                why: Some("Without a 401 the client never learns that it needs a token.".into()),
                ..check("status is 401", Level::MUST, Outcome::Fail, "401", "200")
            },
            check(
                "`WWW-Authenticate` names `resource_metadata`",
                Level::MUST,
                Outcome::Fail,
                "a `resource_metadata` parameter",
                "<absent>",
            ),
        ],
        exchanges: vec![initialize(
            200,
            vec![HeaderPair::new("content-type", "application/json")],
            body,
        )],
        omitted_exchanges: 0,
        duration_ms: 15,
        ..case(
            "server/auth/unauthenticated-gets-401",
            "Unauthenticated request is refused",
            "server",
            r,
            Outcome::Fail,
        )
    }
}

/// A token case: the exchange shows the decoded token it sent, signature redacted.
fn token_case() -> CaseReport {
    let r = Revision::R2026_07_28;
    CaseReport {
        requirement: "RS-TOK-01".into(),
        requirement_text: "Validate every access token before acting on the request.".into(),
        reason: Some("status is outside 200–299: got 200".into()),
        spec: vec![mcp_auth(r, "Token Handling")],
        checks: vec![check(
            "status is outside 200–299",
            Level::MUST,
            Outcome::Fail,
            "outside 200–299",
            "200",
        )],
        exchanges: vec![Exchange {
            step: "protected request with an expired token".into(),
            request_headers: vec![
                HeaderPair::new("content-type", "application/json"),
                HeaderPair::new("authorization", "Bearer [redacted]"),
            ],
            request_body: Some(r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#.into()),
            status: Some(200),
            response_headers: vec![HeaderPair::new("content-type", "application/json")],
            response_body: Some(r#"{"jsonrpc":"2.0","id":1,"result":{"tools":[]}}"#.into()),
            sent_token: Some(SentToken {
                carried_in: "authorization header".into(),
                header: Some(
                    serde_json::json!({"typ": "at+jwt", "alg": "RS256", "kid": "mcp-authspec-rs256"}),
                ),
                claims: Some(serde_json::json!({
                    "iss": "http://127.0.0.1:38081", "aud": MCP, "scope": "mcp:tools",
                    "iat": 1767225000, "exp": 1767225300
                })),
                signature: "[redacted: 342 characters]".into(),
            }),
            ..exchange("POST", MCP)
        }],
        ..case(
            "server/token/expired-token-refused",
            "An expired token is refused with 401",
            "server",
            r,
            Outcome::Fail,
        )
    }
}

fn warn_case() -> CaseReport {
    let r = Revision::R2025_11_25;
    let challenge = format!(r#"Bearer resource_metadata="{PRM}", scope="mcp:read|mcp:write""#);
    CaseReport {
        requirement: "RS-AUTH-05".into(),
        requirement_text: "The 401 challenge SHOULD carry a `scope` parameter listing the scopes the request needs.".into(),
        level: Level::SHOULD,
        reason: Some("`scope` is `mcp:read|mcp:write`, not a space-separated list".into()),
        spec: vec![mcp_auth(r, "Scope Selection Strategy")],
        checks: vec![
            check("status is 401", Level::MUST, Outcome::Pass, "401", "401"),
            check(
                "`scope` is a space-separated list",
                Level::SHOULD,
                Outcome::Warn,
                "mcp:read mcp:write",
                "mcp:read|mcp:write",
            ),
        ],
        exchanges: vec![initialize(
            401,
            vec![
                HeaderPair::new("www-authenticate", challenge),
                HeaderPair::new("content-length", "0"),
            ],
            "",
        )],
        omitted_exchanges: 0,
        duration_ms: 9,
        ..case("server/auth/scope-in-challenge", "Challenge lists the needed scopes", "server", r, Outcome::Warn)
    }
}

fn info_case() -> CaseReport {
    let r = Revision::R2025_11_25;
    CaseReport {
        requirement: "AS-CIMD-01".into(),
        requirement_text: "An authorization server MAY support client ID metadata documents and advertise it.".into(),
        level: Level::MAY,
        reason: Some("`client_id_metadata_document_supported` is absent".into()),
        spec: vec![mcp_auth(r, "Client ID Metadata Documents")],
        checks: vec![check(
            "metadata advertises `client_id_metadata_document_supported`",
            Level::MAY,
            Outcome::Info,
            "true",
            "<absent>",
        )],
        exchanges: vec![Exchange {
            status: Some(200),
            response_headers: vec![HeaderPair::new("content-type", "application/json")],
            response_body: Some(r#"{"issuer":"http://127.0.0.1:38081","authorization_endpoint":"http://127.0.0.1:38081/authorize","token_endpoint":"http://127.0"#.into()),
            response_truncated: true,
            ..exchange("GET", AS_META)
        }],
        omitted_exchanges: 0,
        duration_ms: 6,
        ..case("authorization-server/metadata/cimd-advertised", "Metadata advertises client ID metadata documents", "authorization-server", r, Outcome::Info)
    }
}

fn skip_case() -> CaseReport {
    CaseReport {
        requirement: "CL-DCR-01".into(),
        requirement_text: "Clients SHOULD support OAuth 2.0 Dynamic Client Registration.".into(),
        level: Level::SHOULD,
        reason: Some("the client was started with a pre-registered client_id".into()),
        spec: vec![spec("RFC 7591", "§3")],
        omitted_exchanges: 0,
        duration_ms: 0,
        ..case(
            "client/registration/dynamic",
            "Client registers dynamically",
            "client",
            Revision::R2025_06_18,
            Outcome::Skip,
        )
    }
}

fn error_case() -> CaseReport {
    CaseReport {
        requirement: "RS-PRM-01".into(),
        requirement_text: "The MCP server MUST serve protected resource metadata.".into(),
        reason: Some("no response from http://127.0.0.1:38080: connection refused".into()),
        spec: vec![spec("RFC 9728", "§3")],
        checks: vec![check(
            "status equals 200",
            Level::MUST,
            Outcome::Error,
            "200",
            "no response",
        )],
        exchanges: vec![Exchange {
            transport_error: Some("connection refused (os error 111)".into()),
            sent_token: None,
            elapsed_ms: 1,
            ..exchange("GET", PRM)
        }],
        omitted_exchanges: 0,
        duration_ms: 3,
        ..case(
            "server/prm/metadata-served",
            "Protected resource metadata is served",
            "server",
            Revision::R2025_06_18,
            Outcome::Error,
        )
    }
}

/// The run report every writer test renders.
pub(crate) fn sample_report() -> RunReport {
    let cases = vec![
        pass_case(),
        fail_case(),
        token_case(),
        warn_case(),
        info_case(),
        skip_case(),
        error_case(),
    ];
    let target = |role: &str, location: &str| TargetDescription {
        role: role.parse().expect("fixture role"),
        location: location.into(),
        reference: true,
        process: None,
    };
    RunReport {
        schema_version: REPORT_SCHEMA_VERSION.into(),
        tool: ToolInfo {
            name: "mcp-authspec".into(),
            version: "0.1.0".into(),
        },
        targets: vec![
            target("server", MCP),
            target("authorization-server", "http://127.0.0.1:38081"),
            TargetDescription {
                reference: false,
                ..target(
                    "client",
                    "command: demo-client --callback http://127.0.0.1:38082/callback",
                )
            },
        ],
        revisions: vec![Revision::R2025_06_18, Revision::R2025_11_25],
        profile: Profile::Strict,
        extensions: Vec::new(),
        started_at: "2025-12-01T09:30:00Z".into(),
        duration_ms: 4_321,
        summary: Summary::of(&cases),
        exit_code: 1,
        error: None,
        interrupted: None,
        outlived: Vec::new(),
        baseline: None,
        shard: None,
        cases,
    }
}

/// The sample report as a run that SIGINT interrupted: its error case left unfinished,
/// its first case's target (a client) leaving a daemon behind, and one more process found
/// at the end of the run.
pub fn interrupted_report() -> RunReport {
    use crate::vocab::{Interrupt, ProcessEvidence};
    let mut report = sample_report().interrupted_by(Interrupt::Sigint);
    if let Some(case) = report
        .cases
        .iter_mut()
        .find(|c| c.outcome == Outcome::Error)
    {
        case.reason = Some(Interrupt::Sigint.case_reason());
    }
    if let Some(case) = report.cases.first_mut() {
        case.process = Some(ProcessEvidence {
            command: "demo-client 'http://127.0.0.1:38080/mcp'".into(),
            ended: "exit status 0".into(),
            stdout: String::new(),
            stderr: String::new(),
            truncated: false,
            notes: Vec::new(),
            outlived: vec!["pid 4242 `python3 daemon.py`".into()],
        });
    }
    report.outlived = vec!["pid 4343 `sleep 300`".into()];
    report
}

/// The sample report judged with a baseline: its first fail an expected failure (the
/// case also passed at an older revision), its warning one per revision, its pass the
/// run of a stale entry, its other fail unlisted, and two entries that matched nothing.
pub fn baseline_report() -> RunReport {
    use crate::vocab::{BaselineMark, BaselineSummary};
    let mut report = sample_report();
    let older_pass = CaseReport {
        revision: Revision::R2025_06_18,
        outcome: Outcome::Pass,
        reason: None,
        checks: Vec::new(),
        exchanges: Vec::new(),
        ..fail_case()
    };
    report.cases.insert(1, older_pass);
    let mut mark = |id: &str, revision: Revision, mark: BaselineMark| {
        if let Some(case) = report
            .cases
            .iter_mut()
            .find(|c| c.id == id && c.revision == revision)
        {
            case.baseline = Some(mark);
        }
    };
    let expected = "server/auth/unauthenticated-gets-401";
    let per_revision = "server/auth/scope-in-challenge:2025-11-25";
    let stale = "server/prm/resource-matches-url";
    mark(
        expected,
        Revision::R2025_11_25,
        BaselineMark::ExpectedFailure {
            entry: expected.into(),
        },
    );
    mark(
        "server/auth/scope-in-challenge",
        Revision::R2025_11_25,
        BaselineMark::ExpectedFailure {
            entry: per_revision.into(),
        },
    );
    mark(
        stale,
        Revision::R2025_11_25,
        BaselineMark::Stale {
            entry: stale.into(),
        },
    );
    report.baseline = Some(BaselineSummary {
        file: "conformance-baseline.yml".into(),
        expected: vec![expected.into(), per_revision.into()],
        stale: vec![stale.into()],
        unmatched: vec![
            "tools_call".into(),
            "auth/scope-step-up:scope-step-up-escalation".into(),
        ],
    });
    report.rejudge()
}
