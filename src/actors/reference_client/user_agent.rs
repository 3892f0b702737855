//! Playing the user agent of the authorization code flow (RFC 6749 §4.1, steps A to
//! C): take the authorization request to the authorization server and bring back the
//! response the redirect URI receives, as the raw query of that redirect.

use std::time::Duration;

use url::Url;

use super::callback::Redirect;
use super::launch::BrowserMode;
use super::wire::{describe, header, Ctx};
use crate::actors::browser_shim::browser_log_request;
use crate::actors::process::{run_to_end, start_detached, RunSpec};
use crate::vocab::{ClientDefect as D, HeaderPair};

/// Redirects followed on the authorization server's origin, e.g. to a consent step. The
/// reference client's own limit, apart from the harness's consent user agent
/// (`actors::drivers::MAX_REDIRECTS`) on purpose: it is a client's choice, like any real
/// client's, and a change to the harness's limit must not change how the reference
/// behaves.
const MAX_REDIRECTS: usize = 10;
/// The environment variable naming the browser command (the `BROWSER` convention).
const BROWSER_VAR: &str = "BROWSER";

/// The authorization response's parameters, as the redirect carried them.
pub(super) async fn obtain_response(
    ctx: &Ctx,
    redirect: &mut Redirect,
    authorization_url: &Url,
) -> Result<Vec<(String, String)>, String> {
    let pasted;
    let authorization_url = if ctx.has(D::OpensUrlThroughShell) {
        pasted = through_shell(authorization_url).await?;
        &pasted
    } else {
        authorization_url
    };
    let query = match ctx.launch.browser {
        BrowserMode::Fetch => {
            report_opened(ctx, authorization_url).await;
            fetch(ctx, authorization_url, &redirect.uri).await?
        }
        BrowserMode::System => system(ctx, redirect, authorization_url).await?,
    };
    Ok(url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect())
}

/// Fetch mode stands in for the harness's headless browser, which tells the case's
/// browser log of every URL it is handed (`actors::browser_shim`). Best effort.
async fn report_opened(ctx: &Ctx, opened: &Url) {
    if let Some(log) = &ctx.launch.browser_log {
        let _ = ctx
            .get(&browser_log_request(log, opened.as_str()), Vec::new())
            .await;
    }
}

/// The `OpensUrlThroughShell` defect: the URL pasted into a shell command line, as a
/// client that runs `exec("open " + url)` does (CVE-2025-6514); what the shell makes of
/// it is what gets opened.
async fn through_shell(url: &Url) -> Result<Url, String> {
    let spec = RunSpec {
        command: format!("printf '%s' \"{url}\""),
        args: Vec::new(),
        env: Vec::new(),
        timeout: Duration::from_secs(5),
    };
    let outcome = run_to_end(&spec)
        .await
        .map_err(|e| format!("cannot run the shell: {e}"))?;
    let line = outcome.evidence.stdout.trim().to_string();
    Url::parse(&line).map_err(|e| format!("the shell made {line:?} of the URL: {e}"))
}

/// `Fetch`: GET the authorization URL, follow redirects while they stay on the
/// authorization server's origin, and read the redirect that leaves it, which must go
/// to the redirect URI. A page (a login form) ends the flow: nobody is there to fill
/// it in.
async fn fetch(ctx: &Ctx, start: &Url, redirect_uri: &str) -> Result<String, String> {
    let as_origin = start.origin();
    let expected = Url::parse(redirect_uri)
        .map_err(|e| format!("the redirect URI {redirect_uri:?} is not a URL: {e}"))?;
    let mut current = start.clone();
    for _ in 0..=MAX_REDIRECTS {
        // What a browser would ask the authorization endpoint for.
        let mut headers = vec![HeaderPair::new("Accept", "text/html")];
        headers.extend(ctx.as_headers());
        let response = ctx.get(current.as_str(), headers).await?;
        if !(300..400).contains(&response.status) {
            return Err(format!(
                "the authorization endpoint did not redirect ({}); Fetch mode cannot \
                 interact with a page",
                describe(&response)
            ));
        }
        let location = header(&response, "Location")
            .ok_or_else(|| format!("HTTP {} without Location from {current}", response.status))?;
        let next = current
            .join(location)
            .map_err(|e| format!("Location {location:?} is not a URL: {e}"))?;
        if next.origin() == as_origin {
            current = next;
            continue;
        }
        if !same_endpoint(&next, &expected) {
            return Err(format!(
                "the authorization server redirected to {next}, not to the redirect URI \
                 {redirect_uri}"
            ));
        }
        return Ok(next.query().unwrap_or_default().to_string());
    }
    Err(format!(
        "more than {MAX_REDIRECTS} redirects on the authorization server"
    ))
}

/// The redirect goes to the redirect URI: same scheme, host, port and path; the query
/// carries the response (RFC 6749 §3.1.2).
fn same_endpoint(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
        && a.path() == b.path()
}

/// `System`: open the URL with the user's browser and wait, bounded, for the response
/// on the loopback listener.
async fn system(ctx: &Ctx, redirect: &mut Redirect, url: &Url) -> Result<String, String> {
    let command = match &ctx.launch.browser_command {
        Some(c) => c.clone(),
        None => std::env::var(BROWSER_VAR).unwrap_or_default(),
    };
    if command.trim().is_empty() {
        return Err(format!(
            "System browser mode needs a browser command in ${BROWSER_VAR}"
        ));
    }
    redirect.discard_pending();
    // The URL is a positional argument, never part of the command line: a hostile
    // authorization endpoint URL cannot inject shell syntax.
    let mut child = start_detached(&command, &[url.to_string()])
        .map_err(|e| format!("cannot run the browser command {command:?}: {e}"))?;
    let timeout = ctx.launch.callback_timeout;
    let redirect_uri = redirect.uri.clone();
    // tokio clamps a sleep too long to represent instead of overflowing.
    let expiry = tokio::time::sleep(timeout);
    tokio::pin!(expiry);
    let mut exited = false;
    loop {
        tokio::select! {
            query = redirect.next_response() => {
                return query.ok_or_else(|| "the callback listener stopped".to_string());
            }
            status = child.wait(), if !exited => {
                exited = true;
                match status {
                    // Launchers such as xdg-open return at once; the browser lives on.
                    Ok(s) if s.success() => {}
                    Ok(s) => return Err(format!("the browser command {command:?} failed: {s}")),
                    Err(e) => return Err(format!("the browser command {command:?} failed: {e}")),
                }
            }
            _ = &mut expiry => {
                return Err(format!(
                    "no authorization response at {redirect_uri} within {}",
                    seconds(timeout)
                ));
            }
        }
    }
}

fn seconds(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}
