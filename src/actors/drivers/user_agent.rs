//! Getting an authorization request through the server's consent, as the user agent of
//! an authorization-server run: the strategies of `logic::as_config::Consent`. Every
//! request is recorded; redirects are followed only while they stay on the server's
//! origin (the redirect back to the client is the answer) and only so often, so a
//! redirect loop ends as a verdict, not a hang.

use std::collections::BTreeMap;
use std::fmt;

use regex::Regex;
use url::Url;

use crate::actors::process::{run_to_end, RunSpec};
use crate::logic::answer::Answer;
use crate::logic::as_config::{Consent, FormStep};
use crate::logic::consent_hint::login_page_hint;
use crate::logic::template::{Template, Vars};
use crate::transport::{HttpRequest, Recorder, TransportErrorKind};
use crate::vocab::{Exchange, HeaderPair};

/// How long a consent program may take; the case time limit usually ends it first.
const CONSENT_COMMAND_LIMIT: std::time::Duration = std::time::Duration::from_secs(300);

/// Redirects followed on the server's origin before giving up.
pub const MAX_REDIRECTS: usize = 10;

/// Why an authorization request did not reach the server's final answer. Both are the
/// run's environment, never a verdict on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsentError {
    /// Under `auto` consent the server showed a page (a login or consent page) instead
    /// of redirecting back; the text says how to configure `form` or `command` consent.
    Page(String),
    /// The server could not be reached, or the consent program or form steps broke.
    Broken(String),
}

impl fmt::Display for ConsentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConsentError::Page(hint) => f.write_str(hint),
            ConsentError::Broken(why) => f.write_str(why),
        }
    }
}

impl From<String> for ConsentError {
    fn from(why: String) -> Self {
        ConsentError::Broken(why)
    }
}

/// Sends the authorization request through the consent strategy and returns the answer
/// that ends it. The strategy's own steps run only when the server shows a page (a 2xx
/// answer, after redirects on its own origin); a redirect back to the client or an error
/// is the server's final answer, whatever the strategy.
pub async fn through_consent(
    recorder: &Recorder,
    label: &str,
    request: HttpRequest,
    consent: &Consent,
    vars: &Vars,
) -> Result<Answer, ConsentError> {
    let mut agent = UserAgent {
        recorder,
        label,
        cookies: BTreeMap::new(),
    };
    let origin = origin(&request.url);
    let authorization_url = request.url.clone();
    let first = agent.send(request).await?;
    let first = agent.follow(first, &origin).await?;
    let page_shown = matches!(first.status, Some(200..=299)) && first.failure.is_none();
    if !page_shown {
        return Ok(first);
    }
    match consent {
        // A page where `auto` expects a redirect: the server wants a person (MCP
        // authorization leaves login and consent to the server, RFC 6749 §4.1.1).
        Consent::Auto => Err(ConsentError::Page(page_hint(&first))),
        Consent::AutoConfirmed => Ok(first),
        Consent::Form { steps } => {
            let mut page = first;
            let mut values = vars.clone();
            for (i, step) in steps.iter().enumerate() {
                let request = form_request(step, &page, &mut values)
                    .map_err(|e| format!("consent step {}: {e}", i + 1))?;
                page = agent.send(request).await?;
                page = agent.follow(page, &origin).await?;
            }
            Ok(page)
        }
        Consent::Command { command } => {
            Ok(run_command(recorder, label, command, &authorization_url).await?)
        }
    }
}

/// What to do about a page shown under `auto` consent, read from the page itself.
fn page_hint(page: &Answer) -> String {
    let content_type = page
        .header_values("content-type")
        .first()
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    login_page_hint(
        &page.url,
        page.status.unwrap_or_default(),
        &content_type,
        &page.body_text(),
    )
}

struct UserAgent<'a> {
    recorder: &'a Recorder,
    label: &'a str,
    /// Cookies the server set, by name (one server, so domain and path are moot).
    cookies: BTreeMap<String, String>,
}

impl UserAgent<'_> {
    async fn send(&mut self, mut request: HttpRequest) -> Result<Answer, String> {
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            request
                .headers
                .push(HeaderPair::new("Cookie", jar.join("; ")));
        }
        let url = request.url.clone();
        match self.recorder.send(self.label, request).await {
            Ok(r) => {
                for h in r
                    .headers
                    .iter()
                    .filter(|h| h.name.eq_ignore_ascii_case("set-cookie"))
                {
                    let pair = h.value.split(';').next().unwrap_or_default();
                    if let Some((k, v)) = pair.split_once('=') {
                        self.cookies
                            .insert(k.trim().to_string(), v.trim().to_string());
                    }
                }
                Ok(r.into_answer(url))
            }
            Err(e) if e.kind == TransportErrorKind::Protocol => Ok(Answer {
                url,
                failure: Some(e.message),
                ..Answer::default()
            }),
            Err(e) => Err(format!("{url}: {}", e.message)),
        }
    }

    /// Follows redirects that stay on the server's origin.
    async fn follow(&mut self, mut answer: Answer, origin: &str) -> Result<Answer, String> {
        for _ in 0..MAX_REDIRECTS {
            let Some(next) = redirect_target(&answer).filter(|u| self::origin(u) == origin) else {
                return Ok(answer);
            };
            answer = self
                .send(HttpRequest {
                    method: "GET".into(),
                    url: next,
                    headers: Vec::new(),
                    body: None,
                })
                .await?;
        }
        if redirect_target(&answer).is_some_and(|u| self::origin(&u) == origin) {
            answer.failure = Some(format!(
                "the server kept redirecting to itself ({MAX_REDIRECTS} redirects followed): a redirect loop"
            ));
        }
        Ok(answer)
    }
}

/// The absolute URL of a 3xx answer's `Location`.
fn redirect_target(answer: &Answer) -> Option<String> {
    if !matches!(answer.status, Some(300..=399)) {
        return None;
    }
    let location = answer.header_values("location").first()?.to_string();
    let base = Url::parse(&answer.url).ok()?;
    base.join(&location).ok().map(|u| u.to_string())
}

fn origin(url: &str) -> String {
    Url::parse(url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default()
}

/// The request of one `form` step: captures from the previous page, then the templates.
fn form_request(step: &FormStep, page: &Answer, values: &mut Vars) -> Result<HttpRequest, String> {
    let body = page.body_text();
    for (name, pattern) in &step.capture {
        let re = Regex::new(pattern).map_err(|e| e.to_string())?;
        let value = re
            .captures(&body)
            .and_then(|c| c.get(1))
            .map(|m| m.as_str().to_string())
            .ok_or_else(|| format!("capture `{name}`: `{pattern}` matched nothing on the page"))?;
        values.insert(name.clone(), value);
    }
    let render = |t: &str| {
        Template::new(t.to_string())
            .render(values)
            .map_err(|e| e.to_string())
    };
    let url = render(&step.url)?;
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &step.form {
        form.append_pair(k, &render(v)?);
    }
    let has_body = !step.form.is_empty();
    Ok(HttpRequest {
        method: step.method.to_ascii_uppercase(),
        url,
        headers: if has_body {
            vec![HeaderPair::new(
                "Content-Type",
                "application/x-www-form-urlencoded",
            )]
        } else {
            Vec::new()
        },
        body: has_body.then(|| form.finish().into_bytes()),
    })
}

/// The `command` strategy: the program gets the URL and prints where the server sent
/// the browser in the end. Its output is kept as evidence, as a pseudo-exchange.
async fn run_command(
    recorder: &Recorder,
    label: &str,
    command: &str,
    url: &str,
) -> Result<Answer, String> {
    // The URL reaches the program as one argument, verbatim: single-quoted where the
    // command line places it with `{url}`, else its last positional argument.
    let quoted = format!("'{}'", url.replace('\'', r"'\''"));
    let (line, args) = if command.contains("{url}") {
        (command.replace("{url}", &quoted), Vec::new())
    } else {
        (command.to_string(), vec![url.to_string()])
    };
    // As a shell would run it, for the evidence.
    let shown = if args.is_empty() {
        line.clone()
    } else {
        format!("{command} {quoted}")
    };
    let started = std::time::Instant::now();
    let spec = RunSpec {
        command: line,
        args,
        env: Vec::new(),
        timeout: CONSENT_COMMAND_LIMIT,
    };
    let outcome = run_to_end(&spec)
        .await
        .map_err(|e| format!("cannot run the consent command: {e}"))?;
    let (stdout, stderr) = (&outcome.evidence.stdout, &outcome.evidence.stderr);
    let final_url = stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(str::trim);
    let mut note = Exchange::request(
        label,
        "CONSENT",
        url,
        vec![HeaderPair::new("X-Consent-Command", shown)],
        None,
    );
    note.response_body = Some(format!("{stdout}{stderr}"));
    note.elapsed_ms = started.elapsed().as_millis() as u64;
    note.transport_error = (outcome.exit_code != Some(0))
        .then(|| format!("the consent command ended with {}", outcome.evidence.ended));
    recorder.note(note);
    match final_url {
        Some(u) if Url::parse(u).is_ok() => Ok(Answer {
            url: url.to_string(),
            status: Some(302),
            headers: vec![HeaderPair::new("Location", u)],
            body: Vec::new(),
            truncated: false,
            failure: None,
            ..Answer::default()
        }),
        _ => Err(format!(
            "the consent command printed no final redirect URL ({}); see its output in the evidence",
            outcome.evidence.ended
        )),
    }
}

/// `mcp-authspec open-url`: a headless browser for an authorization URL. Follows the
/// server's own redirects, returns where it finally sends the user agent, and delivers
/// that redirect when it goes to a loopback client (RFC 8252 §7.3), as a browser would.
pub async fn open_url(url: &str) -> Result<String, String> {
    use std::sync::Arc;
    let client = crate::transport::ReqwestClient::new(crate::transport::TransportLimits::default())
        .map_err(|e| e.message)?;
    let recorder = Recorder::new(Arc::new(client));
    let request = HttpRequest {
        method: "GET".into(),
        url: url.to_string(),
        headers: Vec::new(),
        body: None,
    };
    // A page is the final answer here: open-url reports it, it cannot log in.
    let answer = through_consent(
        &recorder,
        "open-url",
        request,
        &Consent::AutoConfirmed,
        &Vars::new(),
    )
    .await
    .map_err(|e| e.to_string())?;
    if let Some(failure) = answer.failure {
        return Err(failure);
    }
    let Some(target) = redirect_target(&answer) else {
        return Err(format!(
            "the server answered {} instead of redirecting back to the client",
            answer.status.map(|s| s.to_string()).unwrap_or_default()
        ));
    };
    let loopback = Url::parse(&target).is_ok_and(|u| {
        u.scheme() == "http" && matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
    });
    if loopback {
        let delivered = recorder
            .send(
                "open-url",
                HttpRequest {
                    method: "GET".into(),
                    url: target.clone(),
                    headers: Vec::new(),
                    body: None,
                },
            )
            .await;
        if let Err(e) = delivered {
            return Err(format!(
                "cannot deliver the redirect to {target}: {}",
                e.message
            ));
        }
    }
    Ok(target)
}
