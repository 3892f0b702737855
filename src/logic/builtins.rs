//! The built-in variables of a case run: the one place where the facts a run's set-up
//! found (the target, what discovery or the authorization server's metadata said, the
//! run's client) and the fresh values of each case run become template variables, and
//! where what the set-up could not provide is kept with its reason.

use std::collections::{BTreeMap, BTreeSet};

use url::Url;

use super::pkce::{fresh_value, s256};
use super::template::Vars;
use super::well_known::origin_of;
use crate::vocab::{Exchange, Revision};

/// What a set-up could not get past: every case that reads all of `needs` ends as
/// `error` with the reason and the set-up's evidence, without being run.
#[derive(Debug, Clone)]
pub struct Blocked {
    pub needs: &'static [&'static str],
    pub reason: String,
    pub evidence: Vec<Exchange>,
}

/// The facts of a run, before any case runs.
#[derive(Debug, Clone)]
pub struct Builtins {
    /// The MCP endpoint of a server target; the issuer of an authorization server; the
    /// mock MCP endpoint a client was pointed at.
    pub target: Url,
    /// What the set-up found, by variable name (server runs: `resource`,
    /// `required_scope`; authorization-server runs: the metadata endpoints, the client,
    /// the redirect URI, …; client runs: the mock `issuer`).
    pub found: Vars,
    /// Variables the set-up could not set, with the reason: cases reading them are
    /// skipped.
    pub unavailable: BTreeMap<String, String>,
    pub blocked: Vec<Blocked>,
    /// A fresh PKCE pair and `state` for each case run, and a second set for its
    /// positive control (authorization-server runs).
    pub fresh_flow_values: bool,
}

impl Builtins {
    pub fn new(target: Url) -> Self {
        Builtins {
            target,
            found: Vars::new(),
            unavailable: BTreeMap::new(),
            blocked: Vec::new(),
            fresh_flow_values: false,
        }
    }

    /// Records a fact the set-up found.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.found.insert(name.into(), value.into());
    }

    /// Records a variable the set-up could not set.
    pub fn missing(&mut self, name: &str, reason: impl Into<String>) {
        self.unavailable.insert(name.into(), reason.into());
    }

    /// The variables of one case run for `revision`.
    pub fn vars(&self, revision: Revision) -> Vars {
        let mut v = self.found.clone();
        v.insert("target".into(), self.target.to_string());
        v.insert("target_origin".into(), origin_of(&self.target));
        v.insert("revision".into(), revision.as_str().into());
        if self.fresh_flow_values {
            // Fresh per case run: no two authorization requests share them (RFC 7636
            // §4.1 high-entropy verifier; RFC 6749 §10.12 state).
            let verifier = fresh_value(64);
            v.insert("pkce_challenge".into(), s256(&verifier));
            v.insert("pkce_verifier".into(), verifier);
            v.insert("state".into(), fresh_value(24));
            // A second pair for the positive control flow: a server may refuse a
            // challenge it has seen before (RFC 9700 §2.1.1).
            let control = fresh_value(64);
            v.insert("control_pkce_challenge".into(), s256(&control));
            v.insert("control_pkce_verifier".into(), control);
            v.insert("control_state".into(), fresh_value(24));
        }
        v
    }

    /// The block a case reading these variables is under, if any.
    pub fn blocking(&self, uses: &BTreeSet<String>) -> Option<&Blocked> {
        self.blocked
            .iter()
            .find(|b| b.needs.iter().all(|n| uses.contains(*n)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_run_gets_its_own_flow_values() {
        let mut b = Builtins::new(Url::parse("http://127.0.0.1:9/issuer").unwrap());
        b.set("issuer", "http://127.0.0.1:9/issuer");
        let plain = b.vars(Revision::LATEST);
        assert_eq!(plain["target_origin"], "http://127.0.0.1:9");
        assert!(!plain.contains_key("pkce_verifier"));
        b.fresh_flow_values = true;
        let (one, two) = (b.vars(Revision::LATEST), b.vars(Revision::LATEST));
        assert_ne!(one["pkce_verifier"], two["pkce_verifier"]);
        assert_eq!(one["pkce_challenge"], s256(&one["pkce_verifier"]));
        assert_eq!(one["issuer"], "http://127.0.0.1:9/issuer");
    }
}
