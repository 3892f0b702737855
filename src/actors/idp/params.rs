//! Request parameters as the authorization, token and login endpoints read them.

use std::collections::{BTreeSet, HashMap};

/// Request parameters, query or form (RFC 6749 §3.1, §3.2): a parameter sent without a
/// value counts as omitted, and one sent more than once is remembered as repeated.
pub(super) struct Params {
    values: HashMap<String, String>,
    repeated: BTreeSet<String>,
}

impl Params {
    pub(super) fn parse(input: &[u8]) -> Params {
        let mut values = HashMap::new();
        let mut repeated = BTreeSet::new();
        for (name, value) in url::form_urlencoded::parse(input) {
            if value.is_empty() {
                continue;
            }
            if values.contains_key(name.as_ref()) {
                repeated.insert(name.into_owned());
            } else {
                values.insert(name.into_owned(), value.into_owned());
            }
        }
        Params { values, repeated }
    }

    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    pub(super) fn is_repeated(&self, name: &str) -> bool {
        self.repeated.contains(name)
    }

    /// The error for a repeated parameter: RFC 6749 §3.1 forbids repeats; RFC 8707 §2
    /// lets `resource` repeat, but this server issues a token for one resource at a
    /// time and refuses more with invalid_target, as §2 allows.
    pub(super) fn repeat_error(&self) -> Option<(&'static str, String)> {
        let name = self.repeated.iter().find(|n| *n != "resource");
        match name {
            Some(name) => Some((
                "invalid_request",
                format!("{name} is given more than once (RFC 6749 §3.1, §3.2)"),
            )),
            None if self.is_repeated("resource") => Some((
                "invalid_target",
                "this server issues tokens for one resource per request (RFC 8707 §2)".into(),
            )),
            None => None,
        }
    }
}

/// The tokens of a `scope` (RFC 6749 §3.3), in order, without duplicates.
pub(super) fn scope_tokens(scope: &str) -> Vec<&str> {
    let mut tokens: Vec<&str> = Vec::new();
    for token in scope.split(' ').filter(|t| !t.is_empty()) {
        if !tokens.contains(&token) {
            tokens.push(token);
        }
    }
    tokens
}

/// RFC 7636 §4.1: `code_verifier` (and a plain `code_challenge`, §4.2) is 43 to 128
/// unreserved characters.
pub(super) fn is_verifier_syntax(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}
