//! Client ID metadata documents (draft-ietf-oauth-client-id-metadata-document; MCP
//! 2025-11-25 "Client ID Metadata Documents"): a client whose `client_id` is a URL
//! serves its metadata there, and the authorization server fetches and judges it.
//!
//! This mock fetches only documents on a loopback host (the harness and the reference
//! client serve theirs there), bounded in time and size. A document it cannot fetch, an
//! https URL elsewhere such as the official everything client's
//! `https://conformance-test.local/client-metadata.json`, is accepted unverified as the
//! official suite's mock accepts it, and the run's notes say so.

use std::time::Duration;

use serde_json::{Map, Value};
use url::{Host, Url};

use super::client::{Client, RedirectRule};
use super::registration::check_redirect_uri;
use super::state::{lock, IdpState};
use crate::transport::{HttpClient, HttpRequest, ReqwestClient, TransportLimits};
use crate::vocab::{Endpoint, Exchange, HeaderPair, IdpDefect as D};

/// A document is small: the draft's examples are a few hundred bytes, and -00 §6.6 asks
/// servers to limit the size (5 kilobytes recommended).
const DOCUMENT_LIMIT: usize = 64 * 1024;
/// What the `CimdNoSizeCap` defect reads at most: no cap a server would choose, only a
/// guard for the harness's memory.
const UNCAPPED_LIMIT: usize = 64 * 1024 * 1024;
/// How long the authorization request may wait for the client's server.
const FETCH_TIMEOUT: Duration = Duration::from_secs(3);

/// The URL of a `client_id` that names a client ID metadata document: an http(s) URL
/// with a host. Any other `client_id` is an ordinary one.
pub(super) fn document_url(client_id: &str) -> Option<Url> {
    Url::parse(client_id)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
}

/// Whether the mock may fetch it: a loopback host, over http or https (the draft asks
/// for https; loopback http is the development allowance RFC 8252 §7.3 makes for
/// redirect URIs, and the only way a local client can serve a document).
fn fetchable(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// The client a document URL stands for, or why the authorization request must be
/// refused (said to the user agent, since no redirect URI can be trusted yet).
pub(super) async fn resolve(s: &IdpState, url: &Url) -> Result<Client, String> {
    let client_id = url.as_str();
    if !fetchable(url) {
        if url.scheme() != "https" {
            return Err(format!(
                "client_id {client_id:?} is a client ID metadata document URL that is not \
                 https (draft-ietf-oauth-client-id-metadata-document, \"Client Identifier\")"
            ));
        }
        s.note(format!(
            "client ID metadata document {client_id} was not fetched (not a loopback host, \
             which is all this mock fetches) and was accepted without verification, as the \
             official conformance suite's mock accepts it: any redirect URI, a public client"
        ));
        return Ok(unverified(client_id));
    }
    // The CimdCachesErrors defect answers from its memory of a failed fetch.
    if s.has(D::CimdCachesErrors) && lock(&s.failed_documents).contains(client_id) {
        return Err(format!(
            "client ID metadata document {client_id} could not be fetched earlier"
        ));
    }
    // The CimdLenientDocuments defect takes a client whose document it could not read.
    let lenient = |why: String| {
        if s.has(D::CimdLenientDocuments) {
            Ok(unverified(client_id))
        } else {
            Err(why)
        }
    };
    let document = match fetch(s, client_id).await {
        Ok(document) => document,
        Err(why) => {
            if s.has(D::CimdCachesErrors) {
                lock(&s.failed_documents).insert(client_id.to_string());
            }
            return lenient(why);
        }
    };
    let mut client = match judge(s, client_id, &document) {
        Ok(client) => client,
        Err(why) => return lenient(why),
    };
    if s.has(D::CimdSkipsRedirectCheck) {
        client.redirect_rule = RedirectRule::Unverified;
    }
    Ok(client)
}

/// A public document client taken without verification: any redirect URI.
fn unverified(client_id: &str) -> Client {
    Client {
        client_id: client_id.to_string(),
        client_secret: None,
        redirect_uris: Vec::new(),
        redirect_rule: RedirectRule::Unverified,
        token_endpoint_auth_method: "none".into(),
        grant_types: vec!["authorization_code".into(), "refresh_token".into()],
        assertion_key: None,
    }
}

/// GET the document, redirects not followed (the draft: the server MUST NOT follow
/// them), bounded in time and size.
async fn fetch(s: &IdpState, client_id: &str) -> Result<Map<String, Value>, String> {
    let limits = TransportLimits {
        connect_timeout: FETCH_TIMEOUT,
        request_timeout: FETCH_TIMEOUT,
        max_body_bytes: if s.has(D::CimdNoSizeCap) {
            UNCAPPED_LIMIT
        } else {
            DOCUMENT_LIMIT
        },
        ..TransportLimits::default()
    };
    let http = ReqwestClient::new(limits).map_err(|e| e.message)?;
    let fetched = |why: String| {
        format!(
            "the client ID metadata document at {client_id} {why} (draft-ietf-oauth-client-id-\
             metadata-document, \"Client Metadata Document\")"
        )
    };
    let headers = vec![HeaderPair::new("Accept", "application/json")];
    let sent = http
        .send(HttpRequest {
            method: "GET".into(),
            url: client_id.to_string(),
            headers: headers.clone(),
            body: None,
        })
        .await;
    // What the client served is judged by client cases (CL-CIMD-02 to -04).
    if let Some(log) = &s.config.traffic {
        let mut e = Exchange::request(
            "authorization server → client ID metadata document",
            "GET",
            client_id,
            headers,
            None,
        );
        match &sent {
            Ok(r) => {
                e.status = Some(r.status);
                e.response_headers = r.headers.clone();
                e.response_body = Some(String::from_utf8_lossy(&r.body).into_owned());
                e.response_truncated = r.truncated;
            }
            Err(err) => e.transport_error = Some(err.to_string()),
        }
        log.record_fetch(e, Endpoint::ClientIdDocument);
    }
    let response = sent.map_err(|e| fetched(format!("could not be fetched: {e}")))?;
    if response.status != 200 {
        return Err(fetched(format!(
            "answered HTTP {}, not 200 OK",
            response.status
        )));
    }
    if response.truncated {
        return Err(fetched(format!(
            "is larger than {} KiB",
            DOCUMENT_LIMIT / 1024
        )));
    }
    match serde_json::from_slice::<Value>(&response.body) {
        Ok(Value::Object(document)) => Ok(document),
        _ => Err(fetched("is not a JSON object".into())),
    }
}

/// The draft's rules for the document's contents.
fn judge(s: &IdpState, client_id: &str, document: &Map<String, Value>) -> Result<Client, String> {
    let refuse = |why: String| {
        format!(
            "the client ID metadata document at {client_id} {why} \
             (draft-ietf-oauth-client-id-metadata-document, \"Client Metadata Document\")"
        )
    };
    // Simple string comparison (RFC 3986 §6.2.1), no normalization.
    match document.get("client_id").and_then(Value::as_str) {
        Some(id) if id == client_id => {}
        Some(_) if s.has(D::CimdSkipsClientIdCheck) => {}
        Some(id) => {
            return Err(refuse(format!(
                "names client_id {id:?}, which is not the document's URL exactly"
            )))
        }
        None => return Err(refuse("has no client_id string".into())),
    }
    // MCP 2025-11-25 "Client ID Metadata Documents": client_id, client_name and
    // redirect_uris are required.
    if !document.get("client_name").is_some_and(Value::is_string) {
        return Err(refuse(
            "has no client_name string (MCP requires one)".into(),
        ));
    }
    // No shared secret can exist between a document client and the server.
    let method = match document.get("token_endpoint_auth_method") {
        None => "none".to_string(),
        Some(Value::String(m)) if m == "none" => m.clone(),
        Some(_) if s.has(D::CimdAcceptsSharedSecret) => "none".to_string(),
        Some(Value::String(m)) if m.starts_with("client_secret") => {
            return Err(refuse(format!(
                "names token_endpoint_auth_method {m:?}, a shared-secret method a document \
                 client must not use"
            )))
        }
        Some(other) => {
            return Err(refuse(format!(
                "names token_endpoint_auth_method {other}, which this server does not \
                 support for document clients (only none)"
            )))
        }
    };
    if document.contains_key("client_secret") && !s.has(D::CimdAcceptsSharedSecret) {
        return Err(refuse("carries a client_secret".into()));
    }
    let redirect_uris = match document.get("redirect_uris") {
        Some(Value::Array(uris)) if !uris.is_empty() => uris
            .iter()
            .map(|u| {
                let u = u.as_str().ok_or_else(|| {
                    refuse(format!("lists a redirect URI {u} that is not a string"))
                })?;
                check_redirect_uri(s, u).map_err(|why| refuse(format!("lists {why}")))?;
                Ok(u.to_string())
            })
            .collect::<Result<Vec<_>, String>>()?,
        _ => {
            return Err(refuse(
                "has no redirect_uris (a non-empty array, RFC 7591 §2)".into(),
            ))
        }
    };
    let grant_types = match document.get("grant_types") {
        None => vec!["authorization_code".to_string()],
        Some(Value::Array(g)) => g
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(_) => return Err(refuse("has grant_types that are not an array".into())),
    };
    Ok(Client {
        client_id: client_id.to_string(),
        client_secret: None,
        redirect_uris,
        redirect_rule: RedirectRule::Registered,
        token_endpoint_auth_method: method,
        grant_types,
        assertion_key: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_documents_are_fetched() {
        let yes = [
            "http://127.0.0.1:9/c.json",
            "https://localhost/c",
            "http://[::1]:4/c",
        ];
        for u in yes {
            assert!(fetchable(&document_url(u).unwrap()), "{u}");
        }
        let no = "https://conformance-test.local/client-metadata.json";
        assert!(!fetchable(&document_url(no).unwrap()));
        assert!(document_url("mcp-authspec-preregistered").is_none());
        assert!(document_url("urn:x:y").is_none());
    }
}
