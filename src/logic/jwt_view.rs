//! Reading the token a request carried, for evidence: the JOSE header and claims of a
//! JWT (RFC 7519 §3) decoded without verifying, the signature never kept.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::vocab::{Exchange, SentToken};

/// The token of the exchange's request: from `Authorization` (with or without the
/// `Bearer` scheme) or the `access_token` query parameter.
pub fn sent_token(exchange: &Exchange) -> Option<SentToken> {
    let from_header = exchange
        .request_headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("authorization"))
        .and_then(|h| match h.value.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
                Some(("authorization header", token.trim().to_string()))
            }
            Some(_) => None,
            None => Some(("authorization header without scheme", h.value.clone())),
        });
    let (carried_in, token) = from_header.or_else(|| {
        let url = url::Url::parse(&exchange.url).ok()?;
        let token = url
            .query_pairs()
            .find(|(k, _)| k == "access_token")
            .map(|(_, v)| v.into_owned())?;
        Some(("query string", token))
    })?;
    Some(describe(carried_in, &token))
}

/// Decodes what can be decoded; anything else is described by its length only.
pub fn describe(carried_in: &str, token: &str) -> SentToken {
    let parts: Vec<&str> = token.split('.').collect();
    let decoded = (parts.len() == 3)
        .then(|| Some((json_segment(parts[0])?, json_segment(parts[1])?)))
        .flatten();
    match decoded {
        Some((header, claims)) => SentToken {
            carried_in: carried_in.to_string(),
            header: Some(header),
            claims: Some(claims),
            signature: if parts[2].is_empty() {
                "empty".to_string()
            } else {
                format!("[redacted: {} characters]", parts[2].len())
            },
        },
        None => SentToken {
            carried_in: carried_in.to_string(),
            header: None,
            claims: None,
            signature: format!("not a JWT: [redacted: {} characters]", token.len()),
        },
    }
}

/// The JOSE header and the claims of a compact JWT, decoded without verifying; `None`
/// when it is not three segments whose first two are base64url JSON objects.
pub fn decode_unverified(
    jwt: &str,
) -> Option<(
    serde_json::Map<String, serde_json::Value>,
    serde_json::Map<String, serde_json::Value>,
)> {
    let parts: Vec<&str> = jwt.split('.').collect();
    if parts.len() != 3 {
        return None;
    }
    let object = |v: serde_json::Value| match v {
        serde_json::Value::Object(map) => Some(map),
        _ => None,
    };
    Some((
        object(json_segment(parts[0])?)?,
        object(json_segment(parts[1])?)?,
    ))
}

fn json_segment(segment: &str) -> Option<serde_json::Value> {
    let bytes = URL_SAFE_NO_PAD.decode(segment).ok()?;
    serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .filter(|v| v.is_object())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::HeaderPair;

    fn segment(json: &str) -> String {
        URL_SAFE_NO_PAD.encode(json)
    }

    fn exchange(url: &str, authorization: Option<&str>) -> Exchange {
        let headers = authorization
            .map(|a| vec![HeaderPair::new("Authorization", a)])
            .unwrap_or_default();
        Exchange::request("s", "POST", url, headers, None)
    }

    #[test]
    fn decodes_a_bearer_jwt_and_hides_the_signature() {
        let token = format!(
            "{}.{}.c2lnbmF0dXJl",
            segment(r#"{"alg":"RS256","typ":"at+jwt"}"#),
            segment(r#"{"aud":"http://127.0.0.1:1/mcp"}"#)
        );
        let e = exchange("http://h/mcp", Some(&format!("Bearer {token}")));
        let t = sent_token(&e).unwrap();
        assert_eq!(t.carried_in, "authorization header");
        assert_eq!(t.header.unwrap()["alg"], "RS256");
        assert_eq!(t.claims.unwrap()["aud"], "http://127.0.0.1:1/mcp");
        assert_eq!(t.signature, "[redacted: 12 characters]");
    }

    #[test]
    fn finds_query_tokens_and_describes_opaque_ones() {
        let e = exchange("http://h/mcp?x=1&access_token=opaque-value", None);
        let t = sent_token(&e).unwrap();
        assert_eq!(t.carried_in, "query string");
        assert!(t.header.is_none());
        assert_eq!(t.signature, "not a JWT: [redacted: 12 characters]");
        assert!(sent_token(&exchange("http://h/mcp", None)).is_none());
        let basic = exchange("http://h/mcp", Some("Basic dXNlcg=="));
        assert!(sent_token(&basic).is_none());
    }

    #[test]
    fn alg_none_has_an_empty_signature() {
        let token = format!("{}.{}.", segment(r#"{"alg":"none"}"#), segment("{}"));
        let t = describe("authorization header", &token);
        assert_eq!(t.signature, "empty");
    }
}
