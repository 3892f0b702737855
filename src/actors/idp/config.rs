//! How the mock IdP is started: conformant by default, with typed defects.

use std::collections::BTreeSet;

use super::client::Client;
use crate::actors::traffic::TrafficLog;
use crate::logic::client_set_up::DpopScenario;
use crate::logic::token_recipe::Signing;
use crate::vocab::{Endpoint, IdpDefect, IdpKnob, Revision};

#[derive(Debug, Clone)]
pub struct IdpConfig {
    /// A path the issuer identifier carries (`/tenant1`), or none for an origin issuer.
    /// RFC 8414 §3.1 and OpenID Connect Discovery §4 place metadata differently then.
    pub issuer_path: Option<String>,
    /// Scopes the IdP knows and grants.
    pub scopes_supported: Vec<String>,
    pub defects: BTreeSet<IdpDefect>,
    /// Conformant variations (`IdpKnob`): off by default.
    pub knobs: BTreeSet<IdpKnob>,
    /// The MCP revision the authorization server serves clients of; `None`: every
    /// revision. Client ID metadata documents exist from 2025-11-25, so only then does
    /// the metadata advertise them.
    pub revision: Option<Revision>,
    /// Listen on this loopback port instead of an ephemeral one (`mock idp --port`).
    pub port: u16,
    /// How the resource owner approves an authorization request.
    pub consent: Consent,
    /// Records every request (client cases judge what the client sent).
    pub traffic: Option<TrafficLog>,
    /// Where the IdP's remarks go (`TrafficLog::note`) when `traffic` is not set: an IdP
    /// embedded in a server whose own recording covers its exchanges.
    pub notes: Option<TrafficLog>,
    /// The audience of tokens requested without an RFC 8707 `resource`: an authorization
    /// server that serves one resource (the 2025-03-26 MCP server that is its own
    /// authorization server) issues them for it. Absent: the issuer.
    pub default_audience: Option<String>,
    /// Clients known from the start, as by pre-registration (OAuth 2.1 §2): a client
    /// under test that cannot register dynamically is given one of these.
    pub preregistered: Vec<Client>,
    /// Registrations answered before the rest get 429 (a rate limit such as the
    /// TypeScript SDK's 20 per hour): the environment, not a defect. `None`: no limit.
    pub registration_limit: Option<usize>,
    /// Where a request without code_challenge is stopped; both are conformant.
    pub missing_pkce: MissingPkce,
    /// Records every exchange as sent to this endpoint, whatever route served it: the
    /// second authorization server of `migrates-authorization-server`.
    pub recorded_as: Option<Endpoint>,
    /// How the token endpoint signs the access tokens it issues. RS256 by default: RFC
    /// 9068 §2.1 makes it the one algorithm every resource server must support, so a
    /// server under test that trusts this IdP (`server --command`, `mock idp`) can always
    /// verify them. ES256 only where no one outside the suite verifies them (the
    /// reference deployment, whose own MCP server is their only verifier): a P-256
    /// signature costs about a ninth of an RSA-2048 one in pure Rust.
    pub access_token_signing: Signing,
    /// Implements the OAuth client credentials extension for clients registered out of
    /// band: the metadata lists the grant, private_key_jwt and its algorithms beside the
    /// other methods ("Server Metadata Requirements"). Pre-registered machine clients
    /// (`Client::machine`) imply it.
    pub client_credentials: bool,
    /// Implements DPoP (RFC 9449) as the DPoP extension's official scenarios do: the
    /// metadata advertises `dpop_signing_alg_values_supported`, every token request needs
    /// a proof, and tokens are bound to its key; with `nonce`, a server-provided nonce
    /// (§8) is required too.
    pub dpop: Option<DpopScenario>,
    /// Whose JWTs the token endpoint redeems with the RFC 7523 §2.1 jwt-bearer grant;
    /// for the enterprise identity provider also its token exchange, served beside.
    pub assertion_grant: Option<AssertionGrantConfig>,
}

/// The trust behind the jwt-bearer grant.
#[derive(Debug, Clone)]
pub enum AssertionGrantConfig {
    /// Enterprise-managed authorization: the enterprise identity provider at
    /// `{origin}/enterprise` exchanges ID tokens issued to `idp_client_id` for ID-JAGs
    /// naming `mcp_client_id`, which this server redeems for that client.
    Enterprise {
        idp_client_id: String,
        mcp_client_id: String,
    },
    /// Workload identity federation: JWTs of the workload issuer `issuer`, redeemed for
    /// the public client `client_id`.
    Workload { issuer: String, client_id: String },
}

/// How the IdP enforces PKCE for a request without `code_challenge`. OAuth 2.1 §4.1.2.1
/// refuses the request; §4.1.3 refuses any token request for a code issued without a
/// challenge, so a code that is never redeemable protects as well.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MissingPkce {
    /// The authorization request is answered with `invalid_request`.
    #[default]
    RefusedAtAuthorization,
    /// A code is issued, but no token request can redeem it.
    CodeNeverRedeemable,
}

/// How the authorization endpoint obtains the resource owner's approval (RFC 6749 §4.1.1
/// leaves the means to the server). Not a defect: both are conformant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Consent {
    /// Headless: a valid request is approved at once and redirected with a code.
    #[default]
    Immediate,
    /// A login page (form, CSRF token, session cookie) must be submitted first, as a
    /// browser-driven client meets at a real authorization server.
    LoginForm,
}

impl Default for IdpConfig {
    fn default() -> Self {
        IdpConfig {
            issuer_path: None,
            scopes_supported: vec![DEFAULT_SCOPE.to_string()],
            defects: BTreeSet::new(),
            knobs: BTreeSet::new(),
            revision: None,
            port: 0,
            consent: Consent::Immediate,
            traffic: None,
            notes: None,
            default_audience: None,
            preregistered: Vec::new(),
            registration_limit: None,
            missing_pkce: MissingPkce::RefusedAtAuthorization,
            recorded_as: None,
            access_token_signing: Signing::Rs256,
            client_credentials: false,
            assertion_grant: None,
            dpop: None,
        }
    }
}

/// The client credentials client of an IdP with `client_credentials` set, id and secret,
/// as the reference authorization server's runs configure it (`[machine_client]`).
pub const REFERENCE_MACHINE_CLIENT: (&str, &str) = (
    "mcp-authspec-reference-machine-client",
    "mcp-authspec-reference-machine-secret",
);

/// The scope the reference server requires and a valid token carries by default.
pub const DEFAULT_SCOPE: &str = "mcp:tools";

impl IdpConfig {
    pub fn with_defects(defects: impl IntoIterator<Item = IdpDefect>) -> Self {
        IdpConfig {
            defects: defects.into_iter().collect(),
            ..Default::default()
        }
    }

    pub fn has(&self, d: IdpDefect) -> bool {
        self.defects.contains(&d)
    }

    pub fn has_knob(&self, k: IdpKnob) -> bool {
        self.knobs.contains(&k)
    }

    /// Whether the revision served has client ID metadata documents (MCP 2025-11-25
    /// "Client ID Metadata Documents"); every revision together has them.
    pub fn revision_has_cimd(&self) -> bool {
        self.revision
            .is_none_or(|r| r.features().client_id_metadata_documents)
    }
}
