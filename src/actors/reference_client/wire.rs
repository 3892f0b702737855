//! The client's side of HTTP: one bounded client (every request time-limited, bodies
//! capped, redirects never followed: `transport::http_client`) and the small helpers
//! every step of the flow uses to send requests and read answers.

use serde_json::{Map, Value};
use url::Url;

use super::dpop_key::DpopClient;
use super::launch::ClientLaunch;
use crate::transport::{HttpClient, HttpRequest, HttpResponse, ReqwestClient, TransportLimits};
use crate::vocab::{ClientDefect, ClientKnob, HeaderPair, Revision};

/// How much of an unexpected answer's body an error message quotes.
const QUOTED_BODY: usize = 300;

/// What every step of one run shares.
pub(super) struct Ctx {
    pub launch: ClientLaunch,
    http: ReqwestClient,
    /// The access token the `BearerToAs` defect shows the authorization server, once the
    /// client has one.
    leaked_token: Option<String>,
    /// How many authorization requests the run has sent.
    authorizations: std::sync::atomic::AtomicU32,
    /// The DPoP extension's key and nonces, in its scenarios only.
    pub dpop: Option<DpopClient>,
}

impl Ctx {
    pub fn new(launch: ClientLaunch) -> Result<Self, String> {
        let http = ReqwestClient::new(TransportLimits::default()).map_err(|e| e.message)?;
        let dpop = DpopClient::for_launch(&launch)?;
        Ok(Ctx {
            dpop,
            launch,
            http,
            leaked_token: None,
            authorizations: std::sync::atomic::AtomicU32::new(0),
        })
    }

    pub fn has(&self, defect: ClientDefect) -> bool {
        self.launch.has(defect)
    }

    /// Counts one more authorization request and returns how many came before it.
    pub fn count_authorization(&self) -> u32 {
        self.authorizations
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    }

    /// The revision the client speaks: the one under test, unless the client implements
    /// only earlier ones.
    pub fn revision(&self) -> Revision {
        if self.launch.has_knob(ClientKnob::ImplementsUpTo20251125) {
            return self.launch.revision.newest_with_initialize_up_to();
        }
        self.launch.revision
    }

    pub fn server_url(&self) -> &str {
        &self.launch.server_url
    }

    /// The RFC 8707 resource: the MCP server's URL exactly as configured (MCP
    /// "Canonical Server URI"), or with a `/` added by the defect.
    pub fn resource(&self) -> String {
        if self.has(ClientDefect::ResourceWithTrailingSlash) {
            format!("{}/", self.launch.server_url)
        } else {
            self.launch.server_url.clone()
        }
    }

    /// Resource indicators are required from 2025-06-18 (MCP "Resource Parameter
    /// Implementation"); 2025-03-26 has none.
    pub fn sends_resource(&self) -> bool {
        // The defect waits for a sign of RFC 8707 support that metadata never gives.
        self.revision().features().resource_indicators
            && !self.has(ClientDefect::ResourceOnlyWhenAdvertised)
    }

    /// Remembers the access token for the `BearerToAs` defect (no-op without it).
    pub fn note_access_token(&mut self, token: &str) {
        if self.has(ClientDefect::BearerToAs) && self.leaked_token.is_none() {
            self.leaked_token = Some(token.to_string());
        }
    }

    /// Headers of a request to the authorization server that carries no client
    /// authentication: empty, unless the `BearerToAs` defect leaks the MCP token there
    /// (MCP "Access Token Privilege Restriction" forbids passing it on).
    pub fn as_headers(&self) -> Vec<HeaderPair> {
        self.leaked_token
            .iter()
            .map(|t| HeaderPair::new("Authorization", format!("Bearer {t}")))
            .collect()
    }

    pub async fn send(&self, request: HttpRequest) -> Result<HttpResponse, String> {
        let what = format!("{} {}", request.method, request.url);
        self.http
            .send(request)
            .await
            .map_err(|e| format!("{what}: {e}"))
    }

    /// A GET, asking for JSON unless `headers` say otherwise.
    pub async fn get(&self, url: &str, headers: Vec<HeaderPair>) -> Result<HttpResponse, String> {
        let mut headers = headers;
        if !headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case("Accept"))
        {
            headers.push(HeaderPair::new("Accept", "application/json"));
        }
        self.send(HttpRequest {
            method: "GET".into(),
            url: url.to_string(),
            headers,
            body: None,
        })
        .await
    }

    pub async fn post_json(&self, url: &str, body: &Value) -> Result<HttpResponse, String> {
        self.send(HttpRequest {
            method: "POST".into(),
            url: url.to_string(),
            headers: vec![
                HeaderPair::new("Content-Type", "application/json"),
                HeaderPair::new("Accept", "application/json"),
            ],
            body: Some(body.to_string().into_bytes()),
        })
        .await
    }

    /// An `application/x-www-form-urlencoded` POST (RFC 6749 §3.2).
    pub async fn post_form(
        &self,
        url: &str,
        form: &[(&str, String)],
        headers: Vec<HeaderPair>,
    ) -> Result<HttpResponse, String> {
        // Finished before the await: the serializer is not `Send`.
        let body = {
            let mut serializer = url::form_urlencoded::Serializer::new(String::new());
            for (name, value) in form {
                serializer.append_pair(name, value);
            }
            serializer.finish()
        };
        let mut headers = headers;
        headers.push(HeaderPair::new(
            "Content-Type",
            "application/x-www-form-urlencoded",
        ));
        headers.push(HeaderPair::new("Accept", "application/json"));
        self.send(HttpRequest {
            method: "POST".into(),
            url: url.to_string(),
            headers,
            body: Some(body.into_bytes()),
        })
        .await
    }
}

/// The first value of a header (names compare case-insensitively, RFC 9110 §5.1).
pub(super) fn header<'a>(response: &'a HttpResponse, name: &str) -> Option<&'a str> {
    response
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

/// Every value of a header, in order.
pub(super) fn headers<'a>(response: &'a HttpResponse, name: &str) -> Vec<&'a str> {
    crate::vocab::header_values(&response.headers, name)
}

/// The body as a JSON object, if it is one.
pub(super) fn json_object(response: &HttpResponse) -> Option<Map<String, Value>> {
    match serde_json::from_slice::<Value>(&response.body) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// `HTTP <status>: <start of the body>`, for messages about unexpected answers.
pub(super) fn describe(response: &HttpResponse) -> String {
    let text = String::from_utf8_lossy(&response.body);
    let mut quoted: String = text.chars().take(QUOTED_BODY).collect();
    if quoted.len() < text.len() {
        quoted.push('…');
    }
    format!("HTTP {}: {}", response.status, quoted.trim())
}

/// A string member of a JSON object.
pub(super) fn string_member<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    map.get(name).and_then(Value::as_str)
}

/// An absolute http(s) URL.
pub(super) fn http_url(text: &str) -> Option<Url> {
    Url::parse(text)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
}
