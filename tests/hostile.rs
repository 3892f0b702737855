//! `cargo test --test hostile`: the hostile-target matrix (issue 13, item 5). The built
//! harness is run, as a user runs it, against small hostile servers (raw bytes on loopback,
//! served from threads of this process) and hostile clients (this binary itself, in a mode
//! named by `MCP_AUTHSPEC_HOSTILE_MODE`), each with a case selection of a few built-in
//! cases copied to a scratch folder. For every item: the harness ends (a watchdog kills
//! it after 60 s and fails the item), with the documented exit code, no panic, peak memory
//! under a generous bound, `report.json`, `junit.xml` and `report.md` written and each
//! under the report bound, no process of the target left behind; for servers also no
//! vacuous pass (a case that could not see a valid answer never passes).
//!
//! Items run in parallel threads; each takes seconds (short `--request-timeout` and
//! `--case-timeout`).

#[path = "hostile/clients.rs"]
mod clients;
#[path = "hostile/run.rs"]
mod run;
#[path = "hostile/servers.rs"]
mod servers;

use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::Value;

use run::{check_common, check_no_survivors, figures, run_harness, scratch, MARK_VAR};
use servers::ServerMode;

const CHALLENGE_CASES: [&str; 4] = [
    "server/challenge/unauthenticated-gets-401",
    "server/challenge/header-present",
    "server/challenge/well-formed",
    "server/challenge/no-data-in-401",
];
const PRM_CASES: [&str; 3] = [
    "server/prm/valid-document",
    "server/prm/no-offline-access-scope",
    "server/prm/no-query-bearer-method",
];
/// A client case whose flow a hostile client never completes.
const CLIENT_CASE: &str = "client/token/never-in-query";

fn main() {
    if let Ok(mode) = std::env::var(clients::MODE_VAR) {
        let args: Vec<String> = std::env::args().skip(1).collect();
        std::process::exit(clients::play(&mode, &args));
    }
    let mut args = Arguments::from_args();
    // The items mostly wait on the harness's time limits, not on the CPU.
    args.test_threads.get_or_insert(6);
    let mut trials: Vec<Trial> = server_items()
        .into_iter()
        .map(|item| Trial::test(format!("server::{}", item.name), move || item.run()))
        .collect();
    trials.extend(
        client_items()
            .into_iter()
            .map(|item| Trial::test(format!("client::{}", item.name), move || item.run())),
    );
    libtest_mimic::run(&args, trials).exit();
}

/// A verdict property beyond the common ones.
type Judge = fn(&Value, &mut Vec<String>);

/// The cases of report.json by id, with their outcome.
fn outcomes(report: &Value) -> Vec<(String, String, &Value)> {
    report["cases"]
        .as_array()
        .map(|cases| {
            cases
                .iter()
                .map(|c| {
                    let id = c["id"].as_str().unwrap_or("?").to_string();
                    let outcome = c["outcome"].as_str().unwrap_or("?").to_string();
                    (id, outcome, c)
                })
                .collect()
        })
        .unwrap_or_default()
}

fn outcome_of(report: &Value, id: &str) -> Option<String> {
    outcomes(report)
        .into_iter()
        .find(|(i, _, _)| i == id)
        .map(|(_, o, _)| o)
}

/// `case` ended with `expected` (the first case of that id: one revision is run).
fn expect_outcome(report: &Value, id: &str, expected: &str, why: &str, problems: &mut Vec<String>) {
    match outcome_of(report, id) {
        Some(o) if o == expected => {}
        other => problems.push(format!("{id}: {other:?}, expected {expected} ({why})")),
    }
}

fn every_case_is(report: &Value, expected: &str, why: &str, problems: &mut Vec<String>) {
    for (id, outcome, case) in outcomes(report) {
        if outcome != expected {
            problems.push(format!(
                "{id}: {outcome}, expected {expected} ({why}); reason: {}",
                case["reason"]
            ));
        }
    }
}

fn finish(name: &str, summary: String, problems: Vec<String>) -> Result<(), Failed> {
    eprintln!("hostile {name}: {summary}");
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{summary}\n- {}", problems.join("\n- ")).into())
    }
}

struct ServerItem {
    name: &'static str,
    mode: ServerMode,
    /// The exit code the README's table gives for what this server does.
    exit_code: i32,
    /// The cases that saw a valid answer of the kind they judge, and so may pass; every
    /// other case must not (a pass there would be vacuous).
    may_pass: Vec<&'static str>,
    judge: Judge,
}

fn server_items() -> Vec<ServerItem> {
    let none = Vec::new;
    let all = || CHALLENGE_CASES.iter().chain(&PRM_CASES).copied().collect();
    let no_more: Judge = |_, _| {};
    vec![
        // README: "A server that accepts connections but never answers ends each case at its
        // time limit as an `error`"; errors and no failure are exit 3.
        ServerItem {
            name: "never-answers",
            mode: ServerMode::NeverAnswers,
            exit_code: 3,
            may_pass: none(),
            judge: |r, p| every_case_is(r, "error", "no answer within the request timeout", p),
        },
        // The head arrives, the body never completes within the request timeout: the
        // same as no answer (a timeout is the environment's or the target's, never judged).
        ServerItem {
            name: "trickle",
            mode: ServerMode::Trickle,
            exit_code: 3,
            may_pass: none(),
            judge: |r, p| every_case_is(r, "error", "the body did not arrive in time", p),
        },
        // The 401 head and its challenge are valid, so the status and header cases may pass;
        // the body is 100 MB of `x` (not JSON), so no-data-in-401 cannot judge it, and no
        // metadata is served (401 at every URL): valid-document fails (MUST) → exit 1.
        ServerItem {
            name: "huge-body",
            mode: ServerMode::HugeBody,
            exit_code: 1,
            may_pass: CHALLENGE_CASES[..3].to_vec(),
            judge: |r, p| {
                let why = "no URL serves metadata";
                expect_outcome(r, "server/prm/valid-document", "fail", why, p)
            },
        },
        // A 302 to itself is an answer, never followed: not the 401 (MUST) → fail, exit 1;
        // nothing else has anything to judge.
        ServerItem {
            name: "redirect-loop",
            mode: ServerMode::RedirectLoop,
            exit_code: 1,
            may_pass: none(),
            judge: |r, p| {
                let why = "a 302 is not a 401";
                expect_outcome(
                    r,
                    "server/challenge/unauthenticated-gets-401",
                    "fail",
                    why,
                    p,
                )
            },
        },
        // Bytes 0x80–0xFF are obs-text, allowed in a quoted-string (RFC 9110 §5.6.4), and the
        // rest of the server is conformant: every case may pass, and none may fail (a fail
        // would be a false verdict) → exit 0.
        ServerItem {
            name: "non-utf8-64k-header",
            mode: ServerMode::BadHeader,
            exit_code: 0,
            may_pass: all(),
            judge: no_more,
        },
        // Many challenges in one header are allowed (RFC 9110 §11.6.1); the server is
        // otherwise conformant → exit 0.
        ServerItem {
            name: "1000-challenges-one-header",
            mode: ServerMode::ManyChallenges,
            exit_code: 0,
            may_pass: all(),
            judge: no_more,
        },
        // A head of 1,000 header lines is beyond what the harness's HTTP client (like
        // real clients) reads: the answer is not usable HTTP, judged as the target's
        // (`TransportErrorKind::Protocol`) → the 401 cases fail, exit 1. The metadata is
        // served normally at its well-known URI, so the metadata cases may pass.
        ServerItem {
            name: "1000-challenge-lines",
            mode: ServerMode::ManyHeaderLines,
            exit_code: 1,
            may_pass: PRM_CASES.to_vec(),
            judge: |r, p| {
                let why = "no 401 could be read";
                expect_outcome(
                    r,
                    "server/challenge/unauthenticated-gets-401",
                    "fail",
                    why,
                    p,
                )
            },
        },
        // The 401 is valid; the metadata is cut JSON: valid-document fails (MUST) → exit 1;
        // the absence checks on its members must not pass on a document that does not parse.
        ServerItem {
            name: "malformed-prm-json",
            mode: ServerMode::MalformedPrm,
            exit_code: 1,
            may_pass: CHALLENGE_CASES.to_vec(),
            judge: |r, p| {
                let why = "the metadata is not JSON";
                expect_outcome(r, "server/prm/valid-document", "fail", why, p)
            },
        },
        // Every answer stops in its body: not valid HTTP, the target's doing (a protocol
        // error, not a timeout) → fail, exit 1; nothing was seen whole, nothing may pass.
        ServerItem {
            name: "close-mid-response",
            mode: ServerMode::MidClose,
            exit_code: 1,
            may_pass: none(),
            judge: |r, p| {
                let why = "no complete 401";
                expect_outcome(
                    r,
                    "server/challenge/unauthenticated-gets-401",
                    "fail",
                    why,
                    p,
                )
            },
        },
        // Not HTTP at all: the same.
        ServerItem {
            name: "not-http",
            mode: ServerMode::NotHttp,
            exit_code: 1,
            may_pass: none(),
            judge: |r, p| {
                let why = "no HTTP answer";
                expect_outcome(
                    r,
                    "server/challenge/unauthenticated-gets-401",
                    "fail",
                    why,
                    p,
                )
            },
        },
    ]
}

impl ServerItem {
    fn run(self) -> Result<(), Failed> {
        let port = servers::serve(self.mode);
        let dir = scratch(&format!("server-{}", self.name));
        let selection: Vec<&str> = CHALLENGE_CASES.iter().chain(&PRM_CASES).copied().collect();
        let cases = run::case_selection(&dir, &selection);
        // Only the servers that stall need a short request time limit; the others answer
        // at once, and a long limit keeps a loaded machine from turning their verdicts
        // into timeouts.
        let stalls = matches!(self.mode, ServerMode::NeverAnswers | ServerMode::Trickle);
        let (request_timeout, case_timeout) = if stalls { ("2", "10") } else { ("30", "60") };
        let args = [
            "server",
            "--url",
            &format!("http://127.0.0.1:{port}/mcp"),
            "--cases",
            &cases.display().to_string(),
            "--request-timeout",
            request_timeout,
            "--case-timeout",
            case_timeout,
        ]
        .map(String::from);
        let finished = run_harness(&dir, &args, run::WATCHDOG, Some(run::MEMORY_CEILING_BYTES));
        let mut problems = Vec::new();
        if let Some(report) = check_common(&finished, self.exit_code, &mut problems) {
            every_case_has_a_verdict(&report, &selection, &mut problems);
            for (id, outcome, case) in outcomes(&report) {
                if outcome == "pass" && !self.may_pass.contains(&id.as_str()) {
                    problems.push(format!(
                        "{id} passed without a valid answer to judge (a vacuous pass): {}",
                        checks_line(case)
                    ));
                }
            }
            (self.judge)(&report, &mut problems);
        }
        finish(self.name, figures(&finished), problems)
    }
}

/// Each selected case is in the report with an outcome: a hostile target loses none.
fn every_case_has_a_verdict(report: &Value, ids: &[&str], problems: &mut Vec<String>) {
    let seen = outcomes(report);
    for id in ids {
        if !seen.iter().any(|(i, _, _)| i == id) {
            problems.push(format!("{id} is missing from report.json"));
        }
    }
}

/// The checks of a case, one line: outcome, description, actual.
fn checks_line(case: &Value) -> String {
    case["checks"]
        .as_array()
        .map(|checks| {
            checks
                .iter()
                .map(|c| {
                    format!(
                        "[{}] {} (actual {})",
                        c["outcome"].as_str().unwrap_or("?"),
                        c["description"].as_str().unwrap_or("?"),
                        run::tail(c["actual"].as_str().unwrap_or(""), 120)
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default()
}

struct ClientItem {
    name: &'static str,
    /// `MCP_AUTHSPEC_HOSTILE_MODE`.
    mode: &'static str,
    case_timeout: u64,
    /// The case's outcome and the run's exit code (README "Verdicts and exit codes").
    outcome: &'static str,
    exit_code: i32,
    judge: Judge,
}

/// What a report keeps of a case's exchanges (README "Budgets").
const REPORTED_EXCHANGES: usize = mcp_authspec::logic::report_budget::CASE_CAPS.exchanges;

fn client_items() -> Vec<ClientItem> {
    let no_more: Judge = |_, _| {};
    // README: "The client is stopped with its children at the case time limit"; the
    // reason says so (the case fails on its unmet `reached:` before "did not end by
    // itself" would apply).
    let stopped: Judge = |r, p| reason_contains(r, "time limit", p);
    vec![
        ClientItem {
            name: "exits-at-once",
            mode: "exit-now",
            case_timeout: 5,
            outcome: "fail",
            exit_code: 1,
            judge: no_more,
        },
        ClientItem {
            name: "never-exits",
            mode: "never-exit",
            case_timeout: 5,
            outcome: "fail",
            exit_code: 1,
            judge: stopped,
        },
        ClientItem {
            name: "ignores-sigterm",
            mode: "ignore-sigterm",
            case_timeout: 5,
            outcome: "fail",
            exit_code: 1,
            judge: stopped,
        },
        ClientItem {
            name: "setsid-grandchild",
            mode: "setsid-daemon",
            case_timeout: 5,
            outcome: "fail",
            exit_code: 1,
            judge: no_more,
        },
        ClientItem {
            name: "100mb-stdout",
            mode: "stdout-flood",
            case_timeout: 5,
            outcome: "fail",
            exit_code: 1,
            judge: no_more,
        },
        // README "Budgets": past 500 exchanges the client is stopped at once; as at the
        // time limit, what the recorded part violates stands (it never got a token), and
        // the reason says the client was stopped for flooding.
        ClientItem {
            name: "10000-requests",
            mode: "request-flood",
            case_timeout: 10,
            outcome: "fail",
            exit_code: 1,
            judge: |r, p| reason_contains(r, "more than 500 requests", p),
        },
        // Each body over 1 MiB gets a 413; the bodies kept pass the 4 MiB budget: the same.
        ClientItem {
            name: "300-posts-of-1mib",
            mode: "body-flood",
            case_timeout: 10,
            outcome: "fail",
            exit_code: 1,
            judge: |r, p| reason_contains(r, "passed 4 MiB", p),
        },
        ClientItem {
            name: "garbage-to-the-mocks",
            mode: "garbage",
            case_timeout: 10,
            outcome: "fail",
            exit_code: 1,
            judge: no_more,
        },
    ]
}

/// The case's reason or one of its checks says `text`.
fn reason_contains(report: &Value, text: &str, problems: &mut Vec<String>) {
    for (id, _, case) in outcomes(report) {
        let in_reason = case["reason"].as_str().is_some_and(|r| r.contains(text));
        let in_checks = case["checks"].as_array().is_some_and(|checks| {
            checks.iter().any(|c| {
                ["description", "expected", "actual"]
                    .iter()
                    .any(|k| c[k].as_str().is_some_and(|v| v.contains(text)))
            })
        });
        if !in_reason && !in_checks {
            problems.push(format!(
                "{id}: neither its reason nor a check says \"{text}\"; reason: {}",
                case["reason"]
            ));
        }
    }
}

impl ClientItem {
    fn run(self) -> Result<(), Failed> {
        let dir = scratch(&format!("client-{}", self.name));
        let cases = run::case_selection(&dir, &[CLIENT_CASE]);
        let mark = format!("{}-{}", self.name, std::process::id());
        let exe = std::env::current_exe().expect("the test binary");
        let command = format!(
            "{}={} {MARK_VAR}={mark} '{}'",
            clients::MODE_VAR,
            self.mode,
            exe.display()
        );
        let args = [
            "client",
            "--command",
            &command,
            "--cases",
            &cases.display().to_string(),
            "--case-timeout",
            &self.case_timeout.to_string(),
        ]
        .map(String::from);
        let finished = run_harness(&dir, &args, run::WATCHDOG, Some(run::MEMORY_CEILING_BYTES));
        let mut problems = Vec::new();
        // None of these clients completes a flow: the case fails (its `reached:` is not
        // met, or it never got a token before it was stopped past the budget).
        if let Some(report) = check_common(&finished, self.exit_code, &mut problems) {
            every_case_has_a_verdict(&report, &[CLIENT_CASE], &mut problems);
            every_case_is(
                &report,
                self.outcome,
                "the client completes no flow",
                &mut problems,
            );
            for (id, _, case) in outcomes(&report) {
                let n = case["exchanges"].as_array().map_or(0, Vec::len);
                if n > REPORTED_EXCHANGES {
                    problems.push(format!(
                        "{id}: {n} exchanges in the report, over its {REPORTED_EXCHANGES}"
                    ));
                }
            }
            (self.judge)(&report, &mut problems);
        }
        check_no_survivors(&mark, &mut problems);
        finish(self.name, figures(&finished), problems)
    }
}
