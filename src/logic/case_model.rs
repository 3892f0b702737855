//! The case format: what a `cases/<role>/<area>/<name>.yaml` file holds, as written.
//! Every struct denies unknown keys so that a typo is an error with a location, never a
//! silently ignored check; step expectations take [`StepQuery`]s and client expectations
//! [`ClientQuery`]s, so a query of the wrong role is one too. Validation
//! (`logic/case.rs`) turns a file into a typed [`Case`](super::case::Case), whose body
//! is what runs. `schemas/case.schema.json` is generated from these types.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::client_query::ClientQuery;
use super::mock_knobs::{IdpMockKnob, Named, ServerMockKnob};
use super::predicate::Predicate;
use super::query::StepQuery;
use super::template::Template;
use super::token_recipe::TokenSend;
use crate::vocab::{
    ClientAuthMethod, ClientDefect, Extension, IdpDefect, Level, Profile, RevisionSet, ServerDefect,
};

/// The schema of `defect:`, for editors: every defect of every role's reference. Never
/// built: the loader parses the name into the case's own role's defect (`DefectRef`),
/// with a diagnostic when it names another role's.
#[derive(JsonSchema)]
#[schemars(untagged)]
#[allow(dead_code)]
enum AnyDefect {
    Server(ServerDefect),
    Idp(IdpDefect),
    Client(ClientDefect),
}

/// One conformance case, as written in its YAML file.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    /// `<role>/<area>/<name>`, equal to the file's path below `cases/` without `.yaml`.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// One line: what the target must do.
    pub title: String,
    /// Requirement ID from `catalog/requirements.yaml`, e.g. `RS-401-01`.
    #[schemars(with = "String")]
    pub requirement: Spanned<String>,
    /// The requirement's clause this case covers (a `key` of its `clauses:` in the
    /// catalog); required when the requirement is split into clauses, absent otherwise.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub clause: Option<Spanned<String>>,
    /// The level at which a broken check of this case is judged (fail, warn or info).
    pub level: Level,
    /// The revisions this case applies to: a list, or a range `{since: …, until: …}`
    /// (inclusive; without `until`, every later revision too).
    pub revisions: RevisionSet,
    /// `strict` and/or `lenient`; absent means both (RFC 9728 §3.3 matching profiles).
    #[serde(default)]
    pub profiles: Vec<Profile>,
    /// The authorization extension this case belongs to (`client-credentials`, …): it
    /// runs only when the run enables it (`--extension`). Required for cases of an
    /// extension's requirement (`EXT-…`), absent for the core protocol's.
    #[serde(default)]
    #[schemars(with = "Option<Extension>")]
    pub extension: Option<Spanned<Extension>>,
    /// Why this matters, for `explain` and reports.
    #[serde(default)]
    pub rationale: Option<String>,
    /// The reference implementation's defect under which this case must fail: the proof
    /// that the case can fail. A defect of the case's role (the loader checks which).
    #[schemars(with = "AnyDefect")]
    pub defect: Spanned<String>,
    /// Requests sent in order; captures of earlier steps are visible to later ones.
    /// Server and authorization-server cases only. Validation moves them to the case's
    /// body.
    #[serde(default)]
    pub(super) steps: Vec<WrittenStep>,
    /// Client cases: the mocks the client runs against and what its traffic must show.
    /// Validation moves it to the case's body.
    #[serde(default)]
    pub(super) client: Option<WrittenClientRun>,
}

/// A client case: the client under test runs once against fresh mocks (an MCP server and
/// its authorization server, both recording), then the expectations judge what it sent.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename = "ClientRun")]
pub struct WrittenClientRun {
    /// The official conformance suite's scenario this case's client behaviour belongs to
    /// (without a counterpart, the closest one whose client behaviour is the same), passed
    /// to the client as `MCP_CONFORMANCE_SCENARIO` so existing conformance clients behave.
    /// Required for case files; `None` only for the harness's own plain run.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub scenario: Option<Spanned<String>>,
    /// Knobs of the mock MCP server: reference-server defects or server knobs.
    #[serde(default)]
    #[schemars(with = "Vec<ServerMockKnob>")]
    pub server: Vec<Spanned<Named<ServerMockKnob>>>,
    /// Knobs of the mock authorization server: IdP defects or IdP knobs.
    #[serde(default)]
    #[schemars(with = "Vec<IdpMockKnob>")]
    pub idp: Vec<Spanned<Named<IdpMockKnob>>>,
    /// A path for the issuer identifier, e.g. `/tenant1`.
    #[serde(default)]
    pub issuer_path: Option<String>,
    /// A client the authorization server knows in advance; the client under test gets
    /// it in `MCP_CONFORMANCE_CONTEXT`.
    #[serde(default)]
    pub preregistered: Option<PreregisteredClient>,
    /// Steps the client must have got to for the case to judge it, e.g. "it obtained a
    /// token". One that does not hold fails the case at its level, naming the first error
    /// a mock answered: a flow that stopped early is the client's verdict, not "not
    /// applicable". Judged before `when`.
    #[serde(default)]
    #[schemars(with = "Vec<Expectation<ClientQuery>>")]
    pub reached: Vec<Spanned<Expectation<ClientQuery>>>,
    /// Preconditions on the observation; when one does not hold the case is skipped (the
    /// client made an allowed choice that leaves the case nothing to judge).
    #[serde(default)]
    #[schemars(with = "Vec<Expectation<ClientQuery>>")]
    pub when: Vec<Spanned<Expectation<ClientQuery>>>,
    /// Checks on the observation.
    #[schemars(with = "Vec<Expectation<ClientQuery>>")]
    pub expect: Vec<Spanned<Expectation<ClientQuery>>>,
}

/// A pre-registered client (OAuth 2.1 §2.4).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PreregisteredClient {
    /// How it authenticates at the token endpoint (RFC 7591 §2).
    #[schemars(with = "ClientAuthMethod")]
    pub auth_method: Spanned<Named<ClientAuthMethod>>,
}

/// One request and what its answer must show.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename = "Step")]
pub struct WrittenStep {
    /// Short name shown in reports; defaults to `step N`.
    #[serde(default)]
    pub name: Option<String>,
    #[schemars(with = "WrittenRequest")]
    pub send: Spanned<WrittenRequest>,
    /// Preconditions on the answer: when one does not hold the case is skipped (not
    /// applicable to this target), with the check as the reason.
    #[serde(default)]
    #[schemars(with = "Vec<Expectation<StepQuery>>")]
    pub when: Vec<Spanned<Expectation<StepQuery>>>,
    /// Positive controls (DESIGN "Fairness rules"): what must hold for the case to be able
    /// to judge at all, e.g. the same request with a valid token is accepted before a
    /// refusal is judged. When one does not hold the case ends as `error` with that
    /// reason, never as a pass: a target that refuses everything proves nothing.
    #[serde(default)]
    #[schemars(with = "Vec<Expectation<StepQuery>>")]
    pub control: Vec<Spanned<Expectation<StepQuery>>>,
    /// Checks on the answer.
    #[serde(default)]
    #[schemars(with = "Vec<Expectation<StepQuery>>")]
    pub expect: Vec<Spanned<Expectation<StepQuery>>>,
    /// Values taken from the answer for later steps, by variable name. A capture that
    /// finds nothing ends the case as a broken check at the case's level.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, StepQuery>")]
    pub capture: BTreeMap<String, Spanned<StepQuery>>,
    /// Like `capture`, but a value that is not there leaves the variable unset instead of
    /// ending the case. Such variables may only be used in `first_of` candidates, which
    /// are skipped while unset (e.g. a `resource_metadata` URL that a 2025-11-25 server
    /// may omit), and in headers, which are left out while unset (e.g. an optional
    /// `Mcp-Session-Id`).
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, StepQuery>")]
    pub capture_if_present: BTreeMap<String, Spanned<StepQuery>>,
}

impl WrittenStep {
    /// The name reports use: the step's own, or `step N` (1-based).
    pub fn label(&self, index: usize) -> String {
        step_label(self.name.as_deref(), index)
    }
}

/// A step's own name, or `step N` (1-based).
pub(super) fn step_label(name: Option<&str>, index: usize) -> String {
    name.map(str::to_string)
        .unwrap_or_else(|| format!("step {}", index + 1))
}

/// An HTTP request, as written: exactly one of `url` and `first_of` (or an `authorize`
/// request, by default to `{authorization_endpoint}`), at most one body, at most one
/// credential. Validation makes it a [`StepRequest`](super::step_request::StepRequest),
/// whose variants say the same.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename = "Request")]
pub struct WrittenRequest {
    /// HTTP method; GET when absent (POST when `mcp` or `json` is given).
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub url: Option<Template>,
    /// Discovery probing: try these URLs in order and keep the first 2xx answer (or the
    /// last answer when none is 2xx). Every attempt is evidence.
    #[serde(default)]
    pub first_of: Option<Vec<Template>>,
    #[serde(default)]
    pub headers: BTreeMap<String, Template>,
    /// Header lines added after every other one, beside a header of the same name rather
    /// than replacing it: a repeated field line (RFC 9110 §5.3), e.g. a second
    /// `Authorization` header.
    #[serde(default)]
    pub added_headers: BTreeMap<String, Template>,
    /// An MCP JSON-RPC request with the headers the revision requires.
    #[serde(default)]
    pub mcp: Option<McpMessage>,
    /// A `tools/call` of a tool without arguments, shaped for the revision: its first
    /// call, or (with `request_state` or `input_responses`) the retry of an
    /// `InputRequiredResult` (2026-07-28 basic/patterns/mrtr).
    #[serde(default)]
    pub call_tool: Option<ToolCall>,
    /// A JSON body; string values are templates.
    #[serde(default)]
    pub json: Option<serde_json::Value>,
    /// A raw text body.
    #[serde(default)]
    pub body: Option<Template>,
    /// A form body (`application/x-www-form-urlencoded`); values are templates, and a
    /// field whose value names an unset optional capture is left out.
    #[serde(default)]
    pub form: Option<BTreeMap<String, Template>>,
    /// Authenticates the run's client as it registered (RFC 6749 §2.3.1): `client_id` in
    /// the form for `none`, HTTP Basic for `client_secret_basic`, `client_id` and
    /// `client_secret` in the form for `client_secret_post`.
    #[serde(default)]
    pub authenticate_client: bool,
    /// An authorization request (RFC 6749 §4.1.1): these query parameters on `url`
    /// (default `{authorization_endpoint}`), sent through the run's consent strategy. The
    /// answer is the response that ends it: normally the redirect to the client.
    #[serde(default)]
    pub authorize: Option<BTreeMap<String, Template>>,
    /// HTTP Basic client authentication with these values (RFC 6749 §2.3.1: each
    /// form-urlencoded, then `id:secret` in base64), e.g. a client the case registered and
    /// a wrong secret.
    #[serde(default)]
    pub basic_auth: Option<BasicAuth>,
    /// Sent as `Authorization: Bearer <token>`: a literal or captured string.
    #[serde(default)]
    pub bearer: Option<Template>,
    /// An access token the harness provides: the run's valid token, or one minted by
    /// the suite's IdP with one defect. Cases with a `token` are skipped when the run has
    /// no such token (`server --url` without `--token`).
    #[serde(default)]
    pub token: Option<TokenSend>,
    /// Sends the cookies the target set on the case's earlier answers, as the user
    /// agent of a browser flow does (RFC 6265 §5.4: to the origin that set them): `jar`,
    /// or `{jar_replacing: {from, to}}` for those cookies edited, `from` replaced by
    /// `to` in their values (a forged cookie). Without it no cookie is sent.
    #[serde(default)]
    pub cookies: Option<CookieUse>,
}

/// Which cookies a request sends (see [`WrittenRequest::cookies`]).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum CookieUse {
    /// The cookies the target set, unchanged.
    Jar,
    /// The cookies the target set, with `from` replaced by `to` in each value.
    JarReplacing(Box<CookieEdit>),
}

/// An edit of the cookie jar's values: every `from` becomes `to`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CookieEdit {
    pub from: Template,
    pub to: Template,
}

/// MCP requests the harness can build for the revision under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum McpMessage {
    /// The first request a client sends that needs authorization: `initialize` up to
    /// 2025-11-25; `tools/list` from 2026-07-28, where requests carry the protocol
    /// version themselves.
    #[serde(rename = "first_protected")]
    FirstProtected,
    #[serde(rename = "initialize")]
    Initialize,
    /// `first_protected` of a client that supports elicitation: up to 2025-11-25 its
    /// `initialize` declares the capability in form and URL mode (capabilities are
    /// declared once, at initialization); from 2026-07-28 `tools/list`, since each
    /// request declares its own (`call_tool` does).
    #[serde(rename = "first_protected_with_elicitation")]
    FirstProtectedWithElicitation,
    #[serde(rename = "tools/list")]
    ToolsList,
    /// `server/discover` (2026-07-28 server/discover: servers MUST implement it).
    #[serde(rename = "server/discover")]
    Discover,
    /// `tools/call` of the tool the target names as calling the upstream API
    /// (`{upstream_tool}`, `server --config` [tools] upstream), without arguments.
    #[serde(rename = "tools/call upstream")]
    CallUpstreamTool,
    /// `resources/read` of the resource the target names as per-user
    /// (`{per_user_resource}`, `server --config` [resources] per_user).
    #[serde(rename = "resources/read per_user")]
    ReadPerUserResource,
}

impl McpMessage {
    /// The variable naming the fixture primitive the message calls, if it calls one.
    pub fn fixture_variable(self) -> Option<&'static str> {
        match self {
            McpMessage::CallUpstreamTool => Some("upstream_tool"),
            McpMessage::ReadPerUserResource => Some("per_user_resource"),
            _ => None,
        }
    }
}

/// A `tools/call` the harness builds for the revision (`call_tool:`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToolCall {
    /// The tool, usually one the target names in its launch contract, e.g.
    /// `{request_state_tool}`.
    pub name: Template,
    /// The `requestState` to echo on a retry.
    #[serde(default)]
    pub request_state: Option<Template>,
    /// The `inputResponses` of a retry: JSON text of an object, e.g. a capture of the
    /// `input_responses` query.
    #[serde(default)]
    pub input_responses: Option<Template>,
}

/// A query and the predicate its value must satisfy: a [`StepQuery`] on a step's answer,
/// a [`ClientQuery`] on a client's observed run.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Expectation_for_{Q}")]
pub struct Expectation<Q> {
    pub query: Q,
    pub is: Predicate,
    /// Overrides the case's level for this check (e.g. a SHOULD detail of a MUST case).
    #[serde(default)]
    pub level: Option<Level>,
    /// Why the check matters; shown beside a broken check.
    #[serde(default)]
    pub why: Option<String>,
}

/// The client credentials a step sends through HTTP Basic (RFC 6749 §2.3.1).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    pub client_id: Template,
    pub client_secret: Template,
}
