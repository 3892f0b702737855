//! Running one case for one revision: steps in order, checks judged at the case's level,
//! every exchange kept, the whole bounded by the case time limit.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::actors::drivers::{
    complete_initialization, is_initialize, request_builder, rpc_id, through_consent, BuildError,
    MAX_REDIRECTS,
};
use crate::actors::tokens::TokenSupply;
use crate::logic::answer::Answer;
use crate::logic::as_config::Consent;
use crate::logic::case::Case;
use crate::logic::case_body::{CaseBody, Step};
use crate::logic::case_model::{CookieUse, Expectation};
use crate::logic::query::{Query, StepQuery};
use crate::logic::template::Vars;
use crate::logic::verdict::{
    case_report, case_verdict, check_reason, judge_expectation, unmet_precondition,
};
use crate::logic::well_known::origin_of;
use crate::transport::{HttpClient, HttpRequest, HttpResponse, Recorder, TransportErrorKind};
use crate::vocab::{CaseReport, CheckReport, HeaderPair, Outcome, Revision};

/// What a case run needs besides the case.
pub struct CaseContext {
    pub revision: Revision,
    /// Built-in variables (`target`, `target_origin`, `revision`).
    pub vars: Vars,
    pub client: Arc<dyn HttpClient>,
    pub timeout: Duration,
    pub tokens: Arc<TokenSupply>,
    /// Built-in variables this run could not set, with the reason.
    pub unavailable: Arc<BTreeMap<String, String>>,
    /// How authorization requests get through the server's consent.
    pub consent: Arc<Consent>,
}

/// How the steps ended when not all of them ran to completion.
enum Stop {
    /// Not applicable: a `when` precondition did not hold.
    Skip(String),
    /// The harness or environment broke.
    Error(String),
    /// A capture found nothing; recorded as a broken check already.
    Broken,
}

pub async fn run_case(case: &Case, ctx: &CaseContext) -> CaseReport {
    let started = Instant::now();
    let recorder = Recorder::new(ctx.client.clone());
    let mut run = Run {
        case,
        ctx,
        recorder: recorder.clone(),
        vars: ctx.vars.clone(),
        checks: Vec::new(),
        session: None,
        jar: BTreeMap::new(),
    };
    let stop = match tokio::time::timeout(ctx.timeout, run.steps()).await {
        Ok(Ok(())) => None,
        Ok(Err(stop)) => Some(stop),
        Err(_) => Some(Stop::Error(format!(
            "the case did not finish within its time limit of {} s (the target stopped answering?)",
            ctx.timeout.as_secs_f32()
        ))),
    };
    let checks = run.checks;
    let (outcome, reason) = match stop {
        Some(Stop::Skip(reason)) => (Outcome::Skip, Some(reason)),
        Some(Stop::Error(reason)) => (Outcome::Error, Some(reason)),
        Some(Stop::Broken) | None => case_verdict(&checks),
    };
    let mut report = case_report(case, ctx.revision, outcome, reason);
    report.checks = checks;
    // As recorded: the run's report redacts them, with every other secret (`RunFrame`).
    report.exchanges = recorder.exchanges();
    report.duration_ms = started.elapsed().as_millis() as u64;
    report
}

struct Run<'a> {
    case: &'a Case,
    ctx: &'a CaseContext,
    recorder: Recorder,
    vars: Vars,
    checks: Vec<CheckReport>,
    /// The MCP session id a server assigned at `initialize`, sent on the case's later
    /// MCP requests.
    session: Option<String>,
    /// The cookies the target's answers set, by (origin, name), as a user agent keeps
    /// them (RFC 6265 §5.3); sent only by steps that say `cookies`.
    jar: BTreeMap<(String, String), String>,
}

impl Run<'_> {
    async fn steps(&mut self) -> Result<(), Stop> {
        let CaseBody::Steps(steps) = &self.case.body else {
            return Err(Stop::Error("a client case has no steps to send".into()));
        };
        for var in &self.case.uses {
            if let Some(reason) = self.ctx.unavailable.get(var) {
                return Err(Stop::Skip(format!(
                    "not applicable: needs `{{{var}}}`, but {reason}"
                )));
            }
        }
        // A token the run cannot provide makes the case not applicable: decided before
        // anything is sent, so a skipped case leaves no half-run evidence.
        // The most demanding token decides the reason: a case whose positive control
        // needs the valid token and whose test needs a minted one says it needs minting.
        let sends = self.case.body.token_sends();
        let mut reasons: Vec<(bool, String)> = sends
            .filter_map(|send| {
                let reason = self.ctx.tokens.missing(send)?;
                Some((send.needs_minting(), reason))
            })
            .collect();
        reasons.sort_by_key(|(minting, _)| !*minting);
        if let Some((_, reason)) = reasons.into_iter().next() {
            return Err(Stop::Skip(format!("not applicable: {reason}")));
        }
        for (i, step) in steps.iter().enumerate() {
            self.step(step, &step.label(i)).await?;
        }
        Ok(())
    }

    async fn step(&mut self, step: &Step, label: &str) -> Result<(), Stop> {
        let answer = self.send(step, label).await?;
        // Controls before preconditions: an answer that shows the case cannot judge
        // (a 5xx where a registration was needed) is an error, not "not applicable".
        for e in &step.control {
            let mut check = self.judge(e, &answer, label);
            if check.outcome != Outcome::Pass && e.query.unreadable(&answer).is_some() {
                // The target sent no valid HTTP (or a document that does not parse): that
                // is the target's doing, judged at the case's level, not a harness error.
                self.checks.push(check);
                return Err(Stop::Broken);
            }
            let judged = self
                .checks
                .iter()
                .any(|c| matches!(c.outcome, Outcome::Fail | Outcome::Warn | Outcome::Info));
            if check.outcome != Outcome::Pass && judged {
                // A violation an earlier step showed stands: the case cannot go on, but
                // its verdict is already that check's.
                check.outcome = Outcome::Skip;
                check.description = format!(
                    "control, not reached after the violation: {}",
                    check.description
                );
                self.checks.push(check);
                return Err(Stop::Broken);
            }
            if check.outcome != Outcome::Pass {
                check.outcome = Outcome::Error;
                let hint = e
                    .why
                    .as_deref()
                    .map(|w| format!(". {}", w.trim()))
                    .unwrap_or_default();
                let reason = format!(
                    "positive control failed, so the case cannot judge the target: {}{hint}",
                    check_reason(&check)
                );
                self.checks.push(check);
                return Err(Stop::Error(reason));
            }
            check.description = format!("control: {}", check.description);
            self.checks.push(check);
        }
        for e in &step.when {
            if e.query.unreadable(&answer).is_some() {
                // An answer that cannot be read says nothing about applicability: the
                // case is not skipped, the check fails with what was wrong.
                let check = self.judge(e, &answer, label);
                self.checks.push(check);
                return Err(Stop::Broken);
            }
            let j =
                e.is.judge(&e.query.evaluate(&answer, &self.vars), &self.vars);
            if !j.holds {
                return Err(Stop::Skip(unmet_precondition(
                    &e.query.to_string(),
                    &e.is,
                    &j,
                    e.why.as_deref(),
                    &self.vars,
                )));
            }
        }
        for e in &step.expect {
            let check = self.judge(e, &answer, label);
            self.checks.push(check);
        }
        for (name, query) in &step.capture {
            match query.evaluate(&answer, &self.vars) {
                Ok(v) => {
                    self.vars.insert(name.clone(), value_text(&v));
                }
                Err(reason) => {
                    self.broken(
                        label,
                        format!("capture `{name}` from {query}"),
                        "a value to continue the case with",
                        format!("(none: {reason})"),
                    );
                    return Err(Stop::Broken);
                }
            }
        }
        for (name, query) in &step.capture_if_present {
            if let Ok(v) = query.evaluate(&answer, &self.vars) {
                self.vars.insert(name.clone(), value_text(&v));
            }
        }
        Ok(())
    }

    /// Sends the step's request (or its `first_of` candidates in order, keeping the first
    /// 2xx answer) and returns the answer to judge.
    async fn send(&mut self, step: &Step, label: &str) -> Result<Answer, Stop> {
        let built = match request_builder::build(
            &step.send,
            &self.vars,
            self.ctx.revision,
            &self.ctx.tokens,
            self.session.as_deref(),
        ) {
            Ok(b) => b,
            Err(BuildError::Token(e)) => {
                return Err(Stop::Error(format!(
                    "{label}: cannot make the access token: {e}"
                )))
            }
            Err(BuildError::Template(e)) => {
                // A value the target gave (a captured URL) is unusable: that is the
                // target's fault, judged at the case's level.
                self.broken(
                    label,
                    "build the request from values the target gave".into(),
                    "usable values",
                    e.to_string(),
                );
                return Err(Stop::Broken);
            }
        };
        // Later steps may check where the token went (`{sent_token}`, e.g. that it did
        // not reach an upstream API).
        if let Some(token) = &built.token {
            self.vars.insert("sent_token".into(), token.clone());
        }
        // An authorization request goes through the run's consent strategy, unless the
        // case drives the browser flow itself (it sends the case's cookies).
        if built.authorization && step.send.cookies.is_none() {
            let Some(request) = built.requests.into_iter().next() else {
                return Err(Stop::Error(format!("{label}: no authorization URL")));
            };
            return through_consent(
                &self.recorder,
                label,
                request,
                &self.ctx.consent,
                &self.vars,
            )
            .await
            .map_err(|e| Stop::Error(format!("{label}: {e}")));
        }
        let mut last: Option<Answer> = None;
        let mut unreachable: Option<String> = None;
        let initialize = is_initialize(step.send.mcp(), self.ctx.revision);
        if let Some(cookies) = &step.send.cookies {
            let Some(request) = built.requests.into_iter().next() else {
                return Err(Stop::Error(format!("{label}: no URL to browse")));
            };
            return self.browse(label, request, cookies).await;
        }
        for request in built.requests {
            let url = request.url.clone();
            let sent = request.clone();
            match self.recorder.send(label, request).await {
                Ok(r) => {
                    self.keep_cookies(&url, &r);
                    let success = (200..300).contains(&r.status);
                    if r.status == 429 {
                        return Err(Stop::Error(rate_limited(label, &url, &r)));
                    }
                    let mut answer = r.into_answer(url);
                    answer.rpc_id = rpc_id(&sent);
                    answer.sent_bearer = sent_bearer(&sent);
                    if initialize {
                        self.session = complete_initialization(
                            &self.recorder,
                            label,
                            &sent,
                            &answer,
                            self.ctx.revision,
                        )
                        .await;
                    }
                    last = Some(answer);
                    if success {
                        break;
                    }
                }
                Err(e) => match e.kind {
                    TransportErrorKind::Protocol => {
                        last = Some(Answer {
                            url,
                            failure: Some(e.message),
                            ..Answer::default()
                        });
                    }
                    TransportErrorKind::Connect
                    | TransportErrorKind::Timeout
                    | TransportErrorKind::InvalidRequest => {
                        unreachable = Some(format!("{url}: {}", e.message));
                    }
                },
            }
        }
        match (last, unreachable) {
            (Some(answer), _) => Ok(answer),
            (None, Some(reason)) => Err(Stop::Error(format!("{label}: no answer from {reason}"))),
            (None, None) => {
                self.broken(
                    label,
                    "find a URL to request".into(),
                    "at least one candidate URL",
                    "every `first_of` candidate needs a value the target did not give".into(),
                );
                Err(Stop::Broken)
            }
        }
    }

    /// A step of a browser flow: the request with the case's cookies, then the
    /// redirects that stay on its origin followed as a browser would (a proxy may show
    /// its consent page one redirect further); the last answer is the step's.
    async fn browse(
        &mut self,
        label: &str,
        mut request: HttpRequest,
        cookies: &CookieUse,
    ) -> Result<Answer, Stop> {
        let origin = origin_of_url(&request.url);
        for _ in 0..=MAX_REDIRECTS {
            match self.cookie_header(cookies, &request.url) {
                Ok(Some(line)) => request.headers.push(HeaderPair::new("Cookie", line)),
                Ok(None) => {}
                Err(e) => {
                    let what = "edit the cookies the target set".into();
                    self.broken(label, what, "usable values", e);
                    return Err(Stop::Broken);
                }
            }
            let url = request.url.clone();
            let answer = match self.recorder.send(label, request).await {
                Ok(r) => {
                    self.keep_cookies(&url, &r);
                    r.into_answer(url)
                }
                Err(e) if e.kind == TransportErrorKind::Protocol => Answer {
                    url,
                    failure: Some(e.message),
                    ..Answer::default()
                },
                Err(e) => {
                    return Err(Stop::Error(format!(
                        "{label}: no answer from {url}: {}",
                        e.message
                    )))
                }
            };
            let next = matches!(answer.status, Some(300..=399))
                .then(|| {
                    answer
                        .header_values("location")
                        .first()
                        .map(|l| l.to_string())
                })
                .flatten()
                .and_then(|l| url::Url::parse(&answer.url).ok()?.join(&l).ok())
                .filter(|u| u.origin().ascii_serialization() == origin);
            let Some(next) = next else {
                return Ok(answer);
            };
            request = HttpRequest {
                method: "GET".into(),
                url: next.to_string(),
                headers: Vec::new(),
                body: None,
            };
        }
        Err(Stop::Error(format!(
            "{label}: the target kept redirecting to its own origin ({MAX_REDIRECTS} redirects followed)"
        )))
    }

    /// The `Cookie` line for a request to `url`: the jar's cookies of its origin, edited
    /// as the step says; `None` when there are none.
    fn cookie_header(&self, cookies: &CookieUse, url: &str) -> Result<Option<String>, String> {
        let origin = origin_of_url(url);
        let edit = match cookies {
            CookieUse::Jar => None,
            CookieUse::JarReplacing(edit) => Some((
                edit.from.render(&self.vars).map_err(|e| e.to_string())?,
                edit.to.render(&self.vars).map_err(|e| e.to_string())?,
            )),
        };
        let pairs: Vec<String> = self
            .jar
            .iter()
            .filter(|((o, _), _)| *o == origin)
            .map(|((_, name), value)| match &edit {
                Some((from, to)) if !from.is_empty() => {
                    format!("{name}={}", value.replace(from.as_str(), to))
                }
                _ => format!("{name}={value}"),
            })
            .collect();
        Ok((!pairs.is_empty()).then(|| pairs.join("; ")))
    }

    /// Keeps what the answer's `Set-Cookie` lines set (RFC 6265 §5.2: name=value, the
    /// attributes after `;`), and forgets a cookie set expired or empty.
    fn keep_cookies(&mut self, url: &str, r: &HttpResponse) {
        let origin = origin_of_url(url);
        for h in r
            .headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case("set-cookie"))
        {
            let mut parts = h.value.split(';');
            let Some((name, value)) = parts.next().and_then(|p| p.split_once('=')) else {
                continue;
            };
            let (name, value) = (name.trim().to_string(), value.trim().to_string());
            let expired = parts.any(|a| {
                let a = a.trim().to_ascii_lowercase();
                a == "max-age=0" || a.starts_with("max-age=-")
            });
            if expired || value.is_empty() {
                self.jar.remove(&(origin.clone(), name));
            } else {
                self.jar.insert((origin.clone(), name), value);
            }
        }
    }

    /// Records a check the target broke by not giving what the case needs to go on;
    /// judged at the case's level.
    fn broken(&mut self, label: &str, description: String, expected: &str, actual: String) {
        self.checks.push(CheckReport {
            step: label.to_string(),
            description,
            level: self.case.file.level,
            outcome: self.case.file.level.violation(),
            expected: expected.to_string(),
            actual,
            why: None,
        });
    }

    fn judge(&self, e: &Expectation<StepQuery>, answer: &Answer, label: &str) -> CheckReport {
        judge_expectation(e, answer, &self.vars, self.case.file.level, label)
    }
}

/// A 429 says the server is rate limiting the harness (RFC 6585 §4): the environment,
/// not a verdict on the target. The reason carries the server's answer and the way out.
fn rate_limited(label: &str, url: &str, r: &HttpResponse) -> String {
    let retry = r
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("retry-after"))
        .map(|h| format!(" (Retry-After: {})", h.value))
        .unwrap_or_default();
    let body: String = String::from_utf8_lossy(&r.body).chars().take(200).collect();
    format!(
        "{label}: the server rate-limited the harness: {url} answered 429 Too Many \
         Requests{retry}: {body}. Run again later, or raise the server's limit for the test run."
    )
}

/// The origin of a URL the harness built; empty when it does not parse.
fn origin_of_url(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| origin_of(&u))
        .unwrap_or_default()
}

/// The bearer token of a request's `Authorization` header.
fn sent_bearer(request: &crate::transport::HttpRequest) -> Option<String> {
    request
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("authorization"))
        .and_then(|h| h.value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_string())
}

/// A captured value as a variable: strings as they are, anything else as JSON.
fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
