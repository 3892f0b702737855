//! A client the mock IdP knows: registered (RFC 7591), pre-registered (OAuth 2.1 §2.4)
//! or described by a client ID metadata document, and which redirect URIs it may use.

use jsonwebtoken::jwk::Jwk;

/// A registered client (RFC 7591 §3.2.1).
#[derive(Debug, Clone)]
pub struct Client {
    pub client_id: String,
    /// Present for confidential clients.
    pub client_secret: Option<String>,
    pub redirect_uris: Vec<String>,
    /// Which redirect URIs an authorization request may name.
    pub redirect_rule: RedirectRule,
    /// `none`, `client_secret_basic` or `client_secret_post`.
    pub token_endpoint_auth_method: String,
    /// `authorization_code` and possibly `refresh_token` (RFC 7591 §2);
    /// `client_credentials` for a machine client of the client credentials extension.
    pub grant_types: Vec<String>,
    /// The public key a `private_key_jwt` client signs its assertions with (RFC 7523 §3
    /// item 9; RFC 7591 §2 `jwks`).
    pub assertion_key: Option<Jwk>,
}

/// How an authorization request's `redirect_uri` is matched against the client.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RedirectRule {
    /// One of `redirect_uris`, by exact string comparison (OAuth 2.1 §2.3.2), the port
    /// of a loopback IP literal aside (RFC 8252 §7.3).
    #[default]
    Registered,
    /// Any http loopback URI (host 127.0.0.1, [::1] or localhost, any port, any path):
    /// a pre-registered native client whose registered URI its user never learns
    /// (RFC 8252 §7.3; the official suite's pre-registration server accepts any).
    AnyLoopback,
    /// Any absolute URI without fragment: a client ID metadata document the server could
    /// not fetch, accepted unverified as the official suite's mock does.
    Unverified,
}

impl Client {
    /// A client known from the start (OAuth 2.1 §2.4 pre-registration), with a secret
    /// or public, any loopback redirect URI, both grants; its method is the one the
    /// server registered for it.
    pub fn preregistered(
        client_id: impl Into<String>,
        client_secret: Option<String>,
        token_endpoint_auth_method: impl Into<String>,
    ) -> Self {
        Client {
            client_id: client_id.into(),
            client_secret,
            redirect_uris: Vec::new(),
            redirect_rule: RedirectRule::AnyLoopback,
            token_endpoint_auth_method: token_endpoint_auth_method.into(),
            grant_types: vec!["authorization_code".into(), "refresh_token".into()],
            assertion_key: None,
        }
    }

    /// A machine client of the OAuth client credentials extension ("Overview": its
    /// credentials are pre-registered, out of band): the client_credentials grant only,
    /// with a secret (`client_secret_basic`) or a key (`private_key_jwt`).
    pub fn machine(client_id: impl Into<String>, credential: MachineCredential) -> Self {
        let (method, client_secret, assertion_key) = match credential {
            MachineCredential::Secret(secret) => ("client_secret_basic", Some(secret), None),
            MachineCredential::Key(jwk) => ("private_key_jwt", None, Some(*jwk)),
        };
        Client {
            client_id: client_id.into(),
            client_secret,
            redirect_uris: Vec::new(),
            redirect_rule: RedirectRule::Registered,
            token_endpoint_auth_method: method.into(),
            grant_types: vec!["client_credentials".into()],
            assertion_key,
        }
    }
}

/// How a machine client proves itself at the token endpoint.
#[derive(Debug, Clone)]
pub enum MachineCredential {
    /// A client secret, sent with HTTP Basic (RFC 6749 §2.3.1).
    Secret(String),
    /// The public key of its JWT assertions (RFC 7523 §2.2).
    Key(Box<Jwk>),
}
