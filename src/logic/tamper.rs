//! Altering an opaque value the way a malicious client would, for the `tampered` template
//! filter: the 2026-07-28 `requestState` is "attacker-controlled input" that a server
//! MUST verify (basic/patterns/mrtr, "Server Requirements (Basic Workflow)" item 4).
//!
//! An alteration that only breaks the format would prove nothing (an unprotected server
//! refuses a state it cannot parse), so when the value is, or has a dot-separated segment
//! that is, a JSON object (plain, or base64url / base64 encoded, as in a JWS), that
//! object gets one extra member and is encoded again the same way: a server that does
//! not check integrity still parses and acts on it, one that does refuses it. Members
//! are added, not changed, so that the alteration does not trip a check of the state's
//! meaning (whose call it is) in place of the integrity check. Any other value gets one
//! character in the middle replaced by another of the same kind.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{Map, Value};

/// The member added to a JSON state.
pub const TAMPER_MEMBER: &str = "mcp_authspec_tampered";

/// The value altered; never equal to the input.
pub fn tampered(value: &str) -> String {
    if let Some(altered) = with_extra_member(value) {
        return altered;
    }
    let segments: Vec<&str> = value.split('.').collect();
    if segments.len() > 1 {
        // The last JSON segment: the payload of a JWS (`header.payload.signature`), or
        // the payload before its MAC (`payload.mac`).
        for i in (0..segments.len()).rev() {
            if let Some(altered) = decode_object(segments[i]).map(|(o, e)| e.encode(&o)) {
                let mut parts: Vec<String> = segments.iter().map(|s| s.to_string()).collect();
                parts[i] = altered;
                return parts.join(".");
            }
        }
    }
    if let Some((object, encoding)) = decode_object(value) {
        return encoding.encode(&object);
    }
    flip_middle(value)
}

/// A plain JSON object with the member added.
fn with_extra_member(value: &str) -> Option<String> {
    let Value::Object(mut o) = serde_json::from_str::<Value>(value).ok()? else {
        return None;
    };
    o.insert(TAMPER_MEMBER.into(), Value::Bool(true));
    Some(Value::Object(o).to_string())
}

#[derive(Clone, Copy)]
enum Encoding {
    UrlSafe { padded: bool },
    Standard { padded: bool },
}

impl Encoding {
    fn encode(self, object: &Map<String, Value>) -> String {
        let mut o = object.clone();
        o.insert(TAMPER_MEMBER.into(), Value::Bool(true));
        let bytes = Value::Object(o).to_string();
        match self {
            Encoding::UrlSafe { padded: true } => URL_SAFE.encode(bytes),
            Encoding::UrlSafe { padded: false } => URL_SAFE_NO_PAD.encode(bytes),
            Encoding::Standard { padded: true } => STANDARD.encode(bytes),
            Encoding::Standard { padded: false } => STANDARD_NO_PAD.encode(bytes),
        }
    }
}

/// The JSON object a base64 text encodes, with the encoding to write it back in.
fn decode_object(text: &str) -> Option<(Map<String, Value>, Encoding)> {
    let padded = text.ends_with('=');
    // The alphabet the text shows; a text in the letters both share is taken as
    // standard base64 when padded (base64url usually drops the padding, RFC 7515 §2).
    let url_safe = text.contains('-') || text.contains('_');
    let standard = !url_safe && (text.contains('+') || text.contains('/') || padded);
    let trimmed = text.trim_end_matches('=');
    let (bytes, encoding) = if standard {
        (
            STANDARD_NO_PAD.decode(trimmed).ok()?,
            Encoding::Standard { padded },
        )
    } else {
        (
            URL_SAFE_NO_PAD.decode(trimmed).ok()?,
            Encoding::UrlSafe { padded },
        )
    };
    match serde_json::from_slice::<Value>(&bytes).ok()? {
        Value::Object(o) => Some((o, encoding)),
        _ => None,
    }
}

/// One character in the middle replaced by another of its kind (digit, lower, upper),
/// so that the value keeps its alphabet; a value without such a character gets one
/// appended.
fn flip_middle(value: &str) -> String {
    let mut chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    // From the middle outwards: the ends of a base64 text may be padding bits.
    let order = (0..n).map(|k| {
        let half = n / 2;
        if k % 2 == 0 {
            half + k / 2
        } else {
            half.wrapping_sub(k / 2 + 1)
        }
    });
    for i in order.filter(|i| *i < n) {
        let c = chars[i];
        let other = match c {
            '0'..='8' | 'a'..='y' | 'A'..='Y' => char::from(c as u8 + 1),
            '9' => '0',
            'z' => 'a',
            'Z' => 'A',
            _ => continue,
        };
        chars[i] = other;
        return chars.into_iter().collect();
    }
    format!("{value}A")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mac_protected_payload_gets_a_member_and_keeps_its_mac() {
        let payload = URL_SAFE_NO_PAD.encode(r#"{"sub":"alice","exp":1}"#);
        let state = format!("{payload}.c2lnbmF0dXJl");
        let t = tampered(&state);
        let (p, mac) = t.split_once('.').unwrap();
        assert_eq!(mac, "c2lnbmF0dXJl");
        let decoded: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap();
        assert_eq!(decoded["sub"], "alice");
        assert_eq!(decoded[TAMPER_MEMBER], true);
    }

    #[test]
    fn a_jws_gets_its_payload_altered() {
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#);
        let payload = URL_SAFE_NO_PAD.encode(r#"{"n":1}"#);
        let t = tampered(&format!("{header}.{payload}.sig"));
        let parts: Vec<&str> = t.split('.').collect();
        assert_eq!(parts[0], header);
        assert_ne!(parts[1], payload);
        assert_eq!(parts[2], "sig");
    }

    #[test]
    fn plain_and_padded_json_keep_their_form() {
        assert!(tampered(r#"{"a":1}"#).contains(TAMPER_MEMBER));
        let padded = STANDARD.encode(r#"{"a":"bc"}"#);
        assert!(padded.ends_with('='));
        let t = tampered(&padded);
        assert!(STANDARD.decode(&t).is_ok(), "{t}");
    }

    #[test]
    fn opaque_values_change_one_character_in_the_middle() {
        assert_eq!(tampered("abcdef"), "abceef");
        let t = tampered("k3Jx9_Qz");
        assert_eq!(t.len(), 8);
        assert_ne!(t, "k3Jx9_Qz");
        assert_eq!(tampered("--"), "--A");
    }
}
