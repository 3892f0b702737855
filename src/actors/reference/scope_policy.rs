//! Which scopes a request to the reference server needs, in one place: the token check,
//! both challenges (401 and 403), the protected resource metadata and the scopes the
//! deployment's IdP grants all read it. Without knobs every request needs `mcp:tools`.

use serde_json::Value;

use super::deployment::ReferenceConfig;
use crate::actors::idp::DEFAULT_SCOPE;
use crate::vocab::{ServerDefect as D, ServerKnob as K};

/// What `tools/call` needs under a step-up knob, and what `always-forbidden` demands.
pub const STEP_UP_SCOPE: &str = "mcp:tools mcp:write";
/// The scope `prm-extra-scopes` adds to `scopes_supported`; no request needs it.
pub const EXTRA_SCOPE: &str = "mcp:extra";
/// `one-scope-per-challenge`: the first stage the defective server checks, and names alone.
const STAGED_SCOPE: &str = "mcp:read";
/// The scopes `prm-several-scopes` adds after the default one; no request needs them.
pub const SEVERAL_SCOPES: [&str; 2] = ["mcp:read", "mcp:write"];
/// What every request needs under `challenge-scope-unlisted`: not in scopes_supported.
pub const UNLISTED_SCOPE: &str = "mcp:private";
/// What every request needs under `challenge-scope-beyond-listed`: scopes_supported's
/// mcp:tools and one it does not list.
pub const BEYOND_LISTED_SCOPE: &str = "mcp:tools mcp:admin";

impl ReferenceConfig {
    /// The space-separated scopes a JSON-RPC request calling `method` needs (`None`: a
    /// request without a JSON-RPC body, such as GET or DELETE).
    pub fn required_scope(&self, method: Option<&str>) -> &'static str {
        let step_up = self.has_knob(K::StepUpOnToolsCall) || self.has_knob(K::StepUpOnlyNewScope);
        match method {
            _ if self.has_knob(K::AlwaysForbidden) => STEP_UP_SCOPE,
            _ if self.has_knob(K::ChallengeScopeUnlisted) => UNLISTED_SCOPE,
            _ if self.has_knob(K::ChallengeScopeBeyondListed) => BEYOND_LISTED_SCOPE,
            Some("tools/call") if step_up => STEP_UP_SCOPE,
            _ => DEFAULT_SCOPE,
        }
    }

    /// The metadata's `scopes_supported` (RFC 9728 §2), before defects change it.
    pub(super) fn scopes_supported(&self) -> Vec<&'static str> {
        let mut scopes = vec![DEFAULT_SCOPE];
        if self.has_knob(K::PrmExtraScopes) {
            scopes.push(EXTRA_SCOPE);
        }
        if self.has_knob(K::PrmSeveralScopes) {
            scopes.extend(SEVERAL_SCOPES);
        }
        scopes
    }

    /// The scopes the deployment's IdP knows: every scope this server requires or
    /// advertises, so a client can obtain them. Without knobs, the IdP's default.
    pub(super) fn idp_scopes(&self) -> Vec<String> {
        // tools/call needs the most: every other method needs a subset.
        let mut lists = vec![self.required_scope(Some("tools/call"))];
        lists.extend(self.scopes_supported());
        union(&lists).into_iter().map(str::to_string).collect()
    }
}

/// The scopes the request in `body` needs: the union over the methods it calls (a
/// 2025-03-26 batch may call several). A body that is not JSON-RPC needs what a request
/// without a method needs; it is answered once authenticated, so it gets no less.
pub(super) fn scope_for_body(config: &ReferenceConfig, body: &[u8]) -> String {
    let parsed = serde_json::from_slice::<Value>(body).ok();
    let methods: Vec<&str> = match &parsed {
        Some(Value::Array(batch)) => batch.iter().filter_map(method_of).collect(),
        Some(single) => method_of(single).into_iter().collect(),
        None => Vec::new(),
    };
    let scopes: Vec<&str> = if methods.is_empty() {
        vec![config.required_scope(None)]
    } else {
        methods
            .iter()
            .map(|m| config.required_scope(Some(m)))
            .collect()
    };
    union(&scopes).join(" ")
}

fn method_of(message: &Value) -> Option<&str> {
    message.get("method").and_then(Value::as_str)
}

/// The scope a 403 `insufficient_scope` challenge names for a token granting `granted`:
/// everything `needed` (MCP 2025-11-25 "Runtime Insufficient Scope Errors"), or with
/// `step-up-only-new-scope` only what the token lacks (MCP 2026-07-28 lets a server omit
/// scopes already granted; the client then requests the union).
pub(super) fn insufficient_scope_challenge(
    config: &ReferenceConfig,
    needed: &str,
    granted: &str,
) -> String {
    if config.has(D::OneScopePerChallenge)
        && !granted.split_ascii_whitespace().any(|s| s == STAGED_SCOPE)
    {
        // A server that checks in stages names only the stage the token fails first.
        return STAGED_SCOPE.to_string();
    }
    if config.has_knob(K::StepUpOnlyNewScope) {
        let granted: Vec<&str> = granted.split_ascii_whitespace().collect();
        let missing: Vec<&str> = needed
            .split_ascii_whitespace()
            .filter(|s| !granted.contains(s))
            .collect();
        if !missing.is_empty() {
            return missing.join(" ");
        }
    }
    needed.to_string()
}

/// The scope tokens of several space-separated lists, first occurrence first.
fn union<'a>(lists: &[&'a str]) -> Vec<&'a str> {
    let mut tokens: Vec<&str> = Vec::new();
    for token in lists.iter().flat_map(|l| l.split_ascii_whitespace()) {
        if !tokens.contains(&token) {
            tokens.push(token);
        }
    }
    tokens
}
