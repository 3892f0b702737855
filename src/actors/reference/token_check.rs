//! How the reference server trusts its authorization server: it discovers the issuer's
//! metadata (RFC 8414 §3, then OpenID Connect Discovery), then verifies JWT access tokens
//! with the published JWKS, or asks the introspection endpoint (RFC 7662) when told to
//! treat tokens as opaque.
//!
//! Its metadata probe list is its own, apart from the harness's
//! `logic::well_known::as_metadata_candidates` on purpose: the reference server is a
//! second implementation, and one that shared the harness's code could not catch the
//! harness's bug.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use jsonwebtoken::jwk::JwkSet;
use serde_json::Value;

use crate::actors::idp::{introspection_answer, IdpState};
use crate::actors::tokens::{check_claims, unix_now, Expectations, Rejection, VerifyingKeys};
use crate::logic::well_known::{append_well_known, insert_well_known};
use crate::transport::{HttpClient, HttpRequest, ReqwestClient, TransportLimits};
use crate::vocab::{HeaderPair, ServerDefect};

/// How tokens are validated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ValidationMode {
    /// Verify JWTs locally with the issuer's JWKS.
    #[default]
    Jwks,
    /// Ask the issuer's introspection endpoint.
    Introspection,
}

/// Where the trusted issuer publishes what the reference server needs.
#[derive(Debug, Clone)]
pub struct TrustedIssuer {
    pub issuer: String,
    pub jwks_uri: String,
    pub introspection_endpoint: Option<String>,
}

/// A loaded trust: the keys, or the endpoint to ask.
#[derive(Clone)]
pub struct Trust {
    pub issuer: String,
    /// Further issuers signing with the same keys: the 2025-03-26 profile's
    /// authorization server at the MCP origin.
    pub also_trusted: Vec<String>,
    source: Source,
}

#[derive(Clone)]
enum Source {
    /// Shared by the clones of a trust (the deployment's other MCP server trusts the same
    /// keys), with the tokens they verified.
    Keys(Arc<VerifyingKeys>),
    Introspection {
        endpoint: String,
        client: Arc<dyn HttpClient>,
    },
    /// The IdP runs in this process: its answer to an introspection request, asked
    /// without HTTP, so that a client case's recording shows only the client's traffic.
    LocalIntrospection(Arc<IdpState>),
}

fn client() -> Result<Arc<dyn HttpClient>, String> {
    ReqwestClient::new(TransportLimits::default())
        .map(|c| Arc::new(c) as Arc<dyn HttpClient>)
        .map_err(|e| e.message)
}

/// The JSON document at `url`, errors naming the URL.
async fn get_json(client: &dyn HttpClient, url: &str) -> Result<Value, String> {
    crate::transport::get_json(client, url)
        .await
        .map_err(|e| format!("{url}: {e}"))
}

/// Reads the issuer's metadata: RFC 8414 path-inserted, then OpenID Connect Discovery
/// path-appended; the document's `issuer` must be the issuer (RFC 8414 §3.3).
pub async fn discover(issuer: &str) -> Result<TrustedIssuer, String> {
    let url = url::Url::parse(issuer).map_err(|e| format!("issuer `{issuer}`: {e}"))?;
    let client = client()?;
    let candidates = [
        insert_well_known(&url, "oauth-authorization-server").to_string(),
        append_well_known(&url, "openid-configuration").to_string(),
    ];
    let mut errors = Vec::new();
    for candidate in candidates {
        match get_json(client.as_ref(), &candidate).await {
            Ok(doc) if doc["issuer"] == issuer => {
                let jwks_uri = doc["jwks_uri"]
                    .as_str()
                    .ok_or_else(|| format!("{candidate} names no jwks_uri"))?;
                return Ok(TrustedIssuer {
                    issuer: issuer.to_string(),
                    jwks_uri: jwks_uri.to_string(),
                    introspection_endpoint: doc["introspection_endpoint"]
                        .as_str()
                        .map(str::to_string),
                });
            }
            Ok(doc) => errors.push(format!("{candidate}: issuer is {}", doc["issuer"])),
            Err(e) => errors.push(e),
        }
    }
    Err(format!(
        "cannot read the metadata of {issuer}: {}",
        errors.join("; ")
    ))
}

impl Trust {
    pub async fn load(trusted: &TrustedIssuer, mode: ValidationMode) -> Result<Trust, String> {
        let client = client()?;
        let source = match mode {
            ValidationMode::Jwks => {
                let doc = get_json(client.as_ref(), &trusted.jwks_uri).await?;
                let keys: JwkSet = serde_json::from_value(doc)
                    .map_err(|e| format!("{}: not a JWK set: {e}", trusted.jwks_uri))?;
                Source::Keys(Arc::new(VerifyingKeys::new(keys)))
            }
            ValidationMode::Introspection => Source::Introspection {
                endpoint: trusted
                    .introspection_endpoint
                    .clone()
                    .ok_or("the issuer has no introspection_endpoint")?,
                client,
            },
        };
        Ok(Trust {
            issuer: trusted.issuer.clone(),
            also_trusted: Vec::new(),
            source,
        })
    }

    /// The trust in an IdP of this process: its keys, or its introspection answers,
    /// handed over directly. Nothing goes over HTTP, so the IdP's recording of a client
    /// case holds only what the client sent (a vendor's server would fetch the JWKS; the
    /// reference server's fetch is not the client's doing).
    pub fn in_process(idp: &Arc<IdpState>, mode: ValidationMode) -> Trust {
        let source = match mode {
            ValidationMode::Jwks => {
                Source::Keys(Arc::new(VerifyingKeys::new(idp.keys.jwks.clone())))
            }
            ValidationMode::Introspection => Source::LocalIntrospection(idp.clone()),
        };
        Trust {
            issuer: idp.issuer.clone(),
            also_trusted: Vec::new(),
            source,
        }
    }

    /// Validates a token for a request to `resource` that needs `required_scope`; a
    /// granted scope of `implies` also grants the narrower scopes it implies (MCP
    /// 2026-07-28 "Step-Up Authorization Flow": servers honour scope hierarchies).
    pub async fn validate(
        &self,
        token: &str,
        resource: &str,
        required_scope: &str,
        implies: &BTreeMap<String, Vec<String>>,
        lapses: &BTreeSet<ServerDefect>,
    ) -> Result<(), Rejection> {
        let mut claims = match &self.source {
            Source::Keys(keys) => keys.verify(token, lapses)?,
            Source::Introspection { endpoint, client } => {
                introspect(client.as_ref(), endpoint, token).await?
            }
            Source::LocalIntrospection(idp) => active_claims(introspection_answer(idp, token))?,
        };
        let iss = claims
            .get("iss")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let issuer = if self.also_trusted.iter().any(|i| i == iss) {
            iss.to_string()
        } else {
            self.issuer.clone()
        };
        if let Some(Value::String(scope)) = claims.get("scope").cloned() {
            let mut granted: Vec<&str> = scope.split_ascii_whitespace().collect();
            for broader in scope.split_ascii_whitespace() {
                for narrower in implies.get(broader).into_iter().flatten() {
                    if !granted.contains(&narrower.as_str()) {
                        granted.push(narrower);
                    }
                }
            }
            claims.insert("scope".into(), Value::String(granted.join(" ")));
        }
        let expect = Expectations {
            issuer,
            resource: Some(resource.to_string()),
            required_scope: required_scope.to_string(),
        };
        check_claims(&claims, &expect, lapses, unix_now())
    }
}

async fn introspect(
    client: &dyn HttpClient,
    endpoint: &str,
    token: &str,
) -> Result<serde_json::Map<String, Value>, Rejection> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("token", token)
        .finish();
    let answer = client
        .send(HttpRequest {
            method: "POST".into(),
            url: endpoint.to_string(),
            headers: vec![HeaderPair::new(
                "Content-Type",
                "application/x-www-form-urlencoded",
            )],
            body: Some(body.into_bytes()),
        })
        .await
        .map_err(|e| Rejection::Invalid(format!("introspection failed: {}", e.message)))?;
    active_claims(serde_json::from_slice::<Value>(&answer.body).unwrap_or_default())
}

/// The claims of an RFC 7662 §2.2 answer that says the token is active.
fn active_claims(answer: Value) -> Result<serde_json::Map<String, Value>, Rejection> {
    match answer {
        Value::Object(claims) if claims.get("active") == Some(&Value::Bool(true)) => Ok(claims),
        _ => Err(Rejection::Invalid(
            "the issuer says the token is not active".into(),
        )),
    }
}
