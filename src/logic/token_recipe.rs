//! Token recipes: which access token a step sends and where. A case names the defect of
//! the token (expired, wrong audience, foreign key, …), the harness mints it with the
//! suite's identity provider so that the only thing wrong with it is that defect.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

/// `token:` of a request.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenSend {
    /// Mint a token with these deviations from a valid one. Absent: the run's valid
    /// token (minted by the suite's IdP, or given with `--token`).
    #[serde(default)]
    pub mint: Option<Mint>,
    /// Damage applied after minting.
    #[serde(default)]
    pub tamper: Option<Tamper>,
    /// Where the token goes; the `Authorization: Bearer` header by default.
    #[serde(default)]
    pub place: Placement,
}

impl TokenSend {
    /// True when the token can only come from the suite's own IdP (a `--token` given by
    /// the user cannot be re-minted with other claims).
    pub fn needs_minting(&self) -> bool {
        self.mint.is_some()
    }
}

impl TokenSend {
    /// In words, for `explain`: which token goes where.
    pub fn describe(&self) -> String {
        let mut what = match &self.mint {
            None => "the run's valid token".to_string(),
            Some(m) => {
                let mut parts = Vec::new();
                for (name, value) in &m.claims {
                    parts.push(match value {
                        serde_json::Value::Null => format!("no `{name}`"),
                        v => format!("`{name}` = {v}"),
                    });
                }
                if let Some(s) = m.expires_in {
                    parts.push(format!("`exp` = now {s:+} s"));
                }
                if let Some(s) = m.not_before_in {
                    parts.push(format!("`nbf` = now {s:+} s"));
                }
                parts.push(format!("signed {}", m.sign.as_str()));
                format!(
                    "a token minted by the suite's IdP with {}",
                    parts.join(", ")
                )
            }
        };
        if self.tamper == Some(Tamper::Signature) {
            what.push_str(", its signature altered");
        }
        format!("{what}, in the {}", self.place.as_str())
    }
}

/// Deviations from the valid token (RFC 9068 §2.2 claims, signed with the IdP's key).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mint {
    /// Claims to set (string values are templates) or, with `null`, to remove.
    #[serde(default)]
    pub claims: BTreeMap<String, serde_json::Value>,
    /// `exp` relative to now, in seconds; negative for an expired token (default 300).
    #[serde(default)]
    pub expires_in: Option<i64>,
    /// Adds `nbf` relative to now, in seconds; positive for a token not yet valid.
    #[serde(default)]
    pub not_before_in: Option<i64>,
    /// How the token is signed.
    #[serde(default)]
    pub sign: Signing,
}

/// The signature of a minted token.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Signing {
    /// RS256 with the IdP's published RSA key.
    #[default]
    Rs256,
    /// ES256 with the IdP's published P-256 key.
    Es256,
    /// RS256 with a key the IdP never published; the header carries that key as `jwk`
    /// (RFC 7515 §4.1.3), which a server must not trust.
    UnknownKey,
    /// `alg: none` and an empty signature (RFC 7519 §6).
    AlgNone,
    /// HS256 keyed with the IdP's public RSA key in PEM form: the algorithm-confusion
    /// attack (RFC 8725 §2.1, §3.1).
    Hs256PublicKey,
}

/// Damage applied to a token after it is minted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Tamper {
    /// Flip bits of the signature: the header and claims stay valid.
    Signature,
}

/// How the token travels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Placement {
    /// `Authorization: Bearer <token>` (RFC 6750 §2.1), the only way MCP allows.
    #[default]
    Header,
    /// `?access_token=<token>` on the URL (RFC 6750 §2.3), which MCP forbids.
    Query,
    /// `Authorization: <token>` without the `Bearer` scheme.
    HeaderWithoutScheme,
}

impl Placement {
    pub fn as_str(self) -> &'static str {
        match self {
            Placement::Header => "header",
            Placement::Query => "query",
            Placement::HeaderWithoutScheme => "header-without-scheme",
        }
    }
}

impl Signing {
    pub fn as_str(self) -> &'static str {
        match self {
            Signing::Rs256 => "rs256",
            Signing::Es256 => "es256",
            Signing::UnknownKey => "unknown-key",
            Signing::AlgNone => "alg-none",
            Signing::Hs256PublicKey => "hs256-public-key",
        }
    }
}

/// Flips the bits of the signature's first byte, keeping valid base64url (the first
/// character of a signature segment encodes its top six bits).
pub fn alter_signature(token: &str) -> String {
    let Some(dot) = token.rfind('.') else {
        return format!("{token}x");
    };
    let (head, signature) = token.split_at(dot + 1);
    let mut chars: Vec<char> = signature.chars().collect();
    match chars.first_mut() {
        Some(c) => *c = if *c == 'A' { 'B' } else { 'A' },
        None => chars.push('A'),
    }
    format!("{head}{}", chars.into_iter().collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn altering_changes_only_the_signature() {
        assert_eq!(alter_signature("aa.bb.Qcc"), "aa.bb.Acc");
        assert_eq!(alter_signature("aa.bb.Acc"), "aa.bb.Bcc");
        assert_eq!(alter_signature("aa.bb."), "aa.bb.A");
        assert_eq!(alter_signature("opaque"), "opaquex");
    }
}
