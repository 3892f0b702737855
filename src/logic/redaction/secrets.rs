//! Redaction by value. The run knows every secret it handed out (a pre-registered
//! client's secret) or saw go by (each value the structural rules removed from an
//! exchange: codes, tokens, verifiers, Basic credentials), so it can find that value
//! wherever else it was written: a check's actual value, a reason built from it, a page
//! that echoes a redirect URL, what a client printed.

use std::collections::BTreeSet;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::logic::as_config::{AsRunConfig, Consent};

/// What stands in a secret's place, wherever a rule or a known value removed it.
pub const REDACTED: &str = "[redacted]";

/// Values shorter than this are replaced only where they are a whole check value: a short
/// string also occurs by chance in unrelated text, and hiding it there would garble the
/// evidence. Real secrets are far longer (RFC 6749 §10.10 asks for unguessable codes,
/// RFC 7636 §4.1 for verifiers of 43 characters or more).
pub const MIN_SUBSTRING_LEN: usize = 8;

/// Values shorter than this are no secrets worth the name (a cookie flag `1`, a
/// placeholder), and treating them as secrets would hide counts and statuses that happen
/// to be equal.
pub const MIN_SECRET_LEN: usize = 3;

/// Every secret value a run knows, as collected.
#[derive(Debug, Clone, Default)]
pub struct SecretValues {
    values: BTreeSet<String>,
}

impl SecretValues {
    /// Adds a value (trimmed); very short values and redaction markers are ignored.
    pub fn add(&mut self, value: &str) {
        let value = value.trim();
        if value.chars().count() < MIN_SECRET_LEN || value.contains("[redacted") {
            return;
        }
        self.values.insert(value.to_string());
    }

    pub fn contains(&self, value: &str) -> bool {
        self.values.contains(value)
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn extend(&mut self, other: &SecretValues) {
        self.values.extend(other.values.iter().cloned());
    }

    /// The secrets an authorization-server run is configured with: the client secret,
    /// and the values of consent form fields whose name says they are a password or a
    /// secret (the structural rules know only the field `password`).
    pub fn of_as_config(config: &AsRunConfig) -> SecretValues {
        let mut s = SecretValues::default();
        if let Some(secret) = config.client.as_ref().and_then(|c| c.secret.as_deref()) {
            s.add(secret);
        }
        if let Some(machine) = &config.machine_client {
            s.add(&machine.secret);
        }
        if let Consent::Form { steps } = &config.consent {
            for (name, value) in steps.iter().flat_map(|step| &step.form) {
                let name = name.to_ascii_lowercase();
                let secret_name = ["pass", "pwd", "secret", "pin", "otp", "token"]
                    .iter()
                    .any(|n| name.contains(n));
                // A template (`{csrf}`) is filled in from the page; its value is no
                // configured secret.
                if secret_name && !value.contains('{') {
                    s.add(value);
                }
            }
        }
        s
    }

    /// The values compiled for searching.
    pub fn redactor(&self) -> Redactor {
        // A value as written in JSON or in a report's quoted string may carry escapes.
        let mut long = BTreeSet::new();
        let mut quoted = BTreeSet::new();
        for v in &self.values {
            let debug = format!("{v:?}");
            let json = serde_json::to_string(v).unwrap_or_else(|_| debug.clone());
            if v.chars().count() >= MIN_SUBSTRING_LEN {
                long.insert(v.clone());
                long.insert(debug[1..debug.len() - 1].to_string());
                long.insert(json[1..json.len() - 1].to_string());
            }
            quoted.insert(debug);
            quoted.insert(json);
        }
        let automaton = (!long.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&long)
                    .ok()
            })
            .flatten();
        Redactor {
            automaton,
            long,
            quoted,
            bare: self.values.clone(),
        }
    }
}

/// Finds known secret values in text.
pub struct Redactor {
    automaton: Option<AhoCorasick>,
    /// The values searched for anywhere, sorted (for the prefix search).
    long: BTreeSet<String>,
    /// Every value as a report quotes it (`"…"`), to recognise a whole check value.
    quoted: BTreeSet<String>,
    bare: BTreeSet<String>,
}

impl Redactor {
    /// The text with every known secret replaced, including one that a report cut short
    /// for display (`"eyJhbGciOi…` followed by `… (N characters)`).
    pub fn text(&self, text: &str) -> String {
        let mut out = match &self.automaton {
            Some(ac) if ac.is_match(text) => {
                let mut dst = String::with_capacity(text.len());
                ac.replace_all_with(text, &mut dst, |_, _, dst| {
                    dst.push_str(REDACTED);
                    true
                });
                dst
            }
            _ => text.to_string(),
        };
        if out.contains('…') && !self.long.is_empty() {
            out = self.cut_prefixes(&out);
        }
        out
    }

    /// A check's value: when the whole of it is a secret, however short, it becomes
    /// `"[redacted: N characters]"` (the length still tells an empty or a too-short
    /// value apart); otherwise `rules` (structural rules for free text), then
    /// [`Redactor::text`].
    pub fn value(&self, value: &str, rules: impl Fn(&str) -> String) -> String {
        if self.quoted.contains(value) {
            let inner: String = serde_json::from_str(value).unwrap_or_default();
            return format!("\"[redacted: {} characters]\"", inner.chars().count());
        }
        // A value shown unquoted that parses as JSON is a number, `true`, an array…:
        // what the target sent as data, not a secret string.
        if self.bare.contains(value) && serde_json::from_str::<serde_json::Value>(value).is_err() {
            return format!("[redacted: {} characters]", value.chars().count());
        }
        self.text(&rules(value))
    }

    /// Replaces the visible start of a secret that ends where a display cut (`…`) is.
    fn cut_prefixes(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for (at, _) in text.match_indices('…') {
            let before = &text[last..at];
            let run_start = before
                .char_indices()
                .rev()
                .find(|(_, c)| !is_credential_char(*c))
                .map_or(0, |(i, c)| i + c.len_utf8());
            let run = &before[run_start..];
            match self.longest_secret_start(run) {
                Some(k) => {
                    out.push_str(&before[..run_start + k]);
                    out.push_str(REDACTED);
                }
                None => out.push_str(before),
            }
            last = at;
        }
        out.push_str(&text[last..]);
        out
    }

    /// Where in `run` the longest suffix starts that is the beginning of a secret.
    fn longest_secret_start(&self, run: &str) -> Option<usize> {
        (0..run.len())
            .take_while(|k| run.len() - k >= MIN_SUBSTRING_LEN)
            .filter(|k| run.is_char_boundary(*k))
            .find(|&k| {
                let suffix = &run[k..];
                self.long
                    .range::<str, _>((
                        std::ops::Bound::Included(suffix),
                        std::ops::Bound::Unbounded,
                    ))
                    .next()
                    .is_some_and(|v| v.starts_with(suffix))
            })
    }
}

/// Characters of tokens, codes and their encodings (base64, base64url, percent-encoding).
fn is_credential_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~+/=%".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Redactor {
        fn value_as_is(&self, value: &str) -> String {
            self.value(value, |s| s.to_string())
        }
    }

    fn redactor(values: &[&str]) -> Redactor {
        let mut s = SecretValues::default();
        for v in values {
            s.add(v);
        }
        s.redactor()
    }

    #[test]
    fn replaces_known_values_anywhere() {
        let r = redactor(&["mcp-authspec-preregistered-secret", "b4b00b424ea6ef00"]);
        assert_eq!(
            r.text("secret mcp-authspec-preregistered-secret, code b4b00b424ea6ef00."),
            "secret [redacted], code [redacted]."
        );
        assert_eq!(r.text("nothing"), "nothing");
    }

    #[test]
    fn a_whole_check_value_keeps_its_length() {
        let r = redactor(&["short", "mcp-authspec-preregistered-secret"]);
        assert_eq!(r.value_as_is("\"short\""), "\"[redacted: 5 characters]\"");
        assert_eq!(
            r.value_as_is("\"mcp-authspec-preregistered-secret\""),
            "\"[redacted: 33 characters]\""
        );
        // A short value is not hunted inside other text.
        assert_eq!(r.value_as_is("\"a short text\""), "\"a short text\"");
        assert_eq!(r.text("short"), "short");
    }

    #[test]
    fn a_value_cut_for_display_is_found_by_its_start() {
        let token = "eyJ0eXAiOiJhdCtqd3QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
        let r = redactor(&[token]);
        let shown = format!("{{\"access_token\":\"{}… (400 characters)", &token[..30]);
        assert_eq!(
            r.text(&shown),
            "{\"access_token\":\"[redacted]… (400 characters)"
        );
        // A cut that is not a secret's start stays.
        assert_eq!(
            r.text("\"some long ordinary text…"),
            "\"some long ordinary text…"
        );
    }

    #[test]
    fn escaped_forms_are_found() {
        let r = redactor(&["quote\"inside-secret"]);
        assert_eq!(
            r.text(r#"{"client_secret":"quote\"inside-secret"}"#),
            r#"{"client_secret":"[redacted]"}"#
        );
    }

    #[test]
    fn numbers_and_tiny_values_stay() {
        // A cookie `consent=1` and a form field `n=401` must not hide counts and statuses.
        let r = redactor(&["1", "401"]);
        assert_eq!(r.value_as_is("1"), "1");
        assert_eq!(r.value_as_is("401"), "401");
        assert_eq!(r.value_as_is("\"401\""), "\"[redacted: 3 characters]\"");
    }

    #[test]
    fn markers_and_empty_values_are_no_secrets() {
        let mut s = SecretValues::default();
        s.add("");
        s.add("  ");
        s.add("ab");
        s.add("[redacted]");
        s.add("[redacted token]");
        assert!(s.is_empty());
    }
}
