//! Token introspection (RFC 7662) for resource servers that treat tokens as opaque: the
//! IdP verifies its own signature and lifetime and returns the claims; the audience and
//! scope remain the resource server's to check (RFC 7662 §4).

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::state::IdpState;
use crate::actors::tokens::{check_claims, unix_now, verify_signature, Expectations};
use crate::actors::traffic::serves;
use crate::vocab::{Endpoint, IdpDefect as D};

pub fn routes(state: Arc<IdpState>) -> Router {
    let path = state.endpoint_root_path();
    Router::new()
        .route(
            &format!("{path}/introspect"),
            serves(Endpoint::Introspection, post(introspect)),
        )
        .with_state(state)
}

#[derive(Deserialize)]
struct IntrospectionRequest {
    #[serde(default)]
    token: String,
}

async fn introspect(
    State(s): State<Arc<IdpState>>,
    Form(request): Form<IntrospectionRequest>,
) -> Response {
    Json(introspection_answer(&s, &request.token)).into_response()
}

/// `{"active": false}` for anything the IdP did not issue or that is no longer valid
/// (RFC 7662 §2.2); otherwise the claims with `active: true`.
pub fn introspection_answer(s: &IdpState, token: &str) -> Value {
    let no_lapses = BTreeSet::new();
    let expect = Expectations {
        issuer: s.issuer.clone(),
        resource: None,
        required_scope: String::new(),
    };
    let claims = verify_signature(token, &s.keys.jwks, &no_lapses)
        .and_then(|c| check_claims(&c, &expect, &no_lapses, unix_now()).map(|_| c));
    match claims {
        Ok(mut c) => {
            c.insert("active".into(), json!(true));
            c.insert("token_type".into(), json!("Bearer"));
            Value::Object(c)
        }
        Err(_) if s.has(D::IntrospectionAlwaysActive) => json!({"active": true}),
        Err(_) => json!({"active": false}),
    }
}
