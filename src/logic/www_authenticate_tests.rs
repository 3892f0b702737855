//! Tests of the `WWW-Authenticate` parser (RFC 9110 §11.6.1, RFC 6750 §3).

use super::*;

fn parse1(s: &str) -> Result<Vec<Challenge>, ParseError> {
    parse_challenges(&[s])
}

fn p(name: &str, value: &str, quoted: bool) -> AuthParam {
    AuthParam {
        name: name.into(),
        value: value.into(),
        quoted,
    }
}

fn err(s: &str) -> ParseError {
    match parse1(s) {
        Ok(c) => panic!("expected an error for {s:?}, got {c:?}"),
        Err(e) => e,
    }
}

#[test]
fn bearer_with_resource_metadata() {
    let c = parse1(
        r#"Bearer resource_metadata="https://h/.well-known/oauth-protected-resource/mcp", scope="a b""#,
    )
    .unwrap();
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].scheme, "Bearer");
    assert_eq!(c[0].token68, None);
    assert_eq!(
        c[0].params,
        vec![
            p(
                "resource_metadata",
                "https://h/.well-known/oauth-protected-resource/mcp",
                true
            ),
            p("scope", "a b", true),
        ]
    );
    assert_eq!(c[0].param("SCOPE"), Some("a b"));
    assert_eq!(c[0].param("error"), None);
    assert_eq!(c[0].param_count("scope"), 1);
}

#[test]
fn lower_case_scheme() {
    let c = parse1(r#"bearer realm="x""#).unwrap();
    assert_eq!(c[0].scheme, "bearer");
    assert!(c[0].is_scheme("Bearer"));
    assert!(find_challenge(&c, "BEARER").is_some());
    assert!(find_challenge(&c, "Basic").is_none());
}

#[test]
fn two_challenges_one_line() {
    let c = parse1(r#"Basic realm="x", Bearer resource_metadata="U", scope="a b""#).unwrap();
    assert_eq!(c.len(), 2);
    assert_eq!(c[0].scheme, "Basic");
    assert_eq!(c[0].params, vec![p("realm", "x", true)]);
    assert_eq!(c[1].scheme, "Bearer");
    assert_eq!(
        c[1].params,
        vec![p("resource_metadata", "U", true), p("scope", "a b", true)]
    );
    assert_eq!(
        find_challenge(&c, "bearer").unwrap().param("scope"),
        Some("a b")
    );
}

#[test]
fn two_header_lines() {
    let c = parse_challenges(&[
        r#"Basic realm="x""#.to_string(),
        r#"Bearer resource_metadata="U""#.to_string(),
    ])
    .unwrap();
    assert_eq!(c.len(), 2);
    assert_eq!(c[1].param("resource_metadata"), Some("U"));
    // A later line may continue the params of the previous line's last challenge (§5.3).
    let c = parse_challenges(&[r#"Bearer realm="x""#, r#"scope="s""#]).unwrap();
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].param("scope"), Some("s"));
    // No lines, or empty lines: no challenges.
    assert_eq!(parse_challenges::<&str>(&[]).unwrap(), vec![]);
    assert_eq!(parse_challenges(&["", " "]).unwrap(), vec![]);
    // Offsets are into the joined value.
    let e = parse_challenges(&["Basic", "Bearer \"x"]).unwrap_err();
    assert_eq!(e.offset, "Basic, Bearer ".len());
}

#[test]
fn escaped_quotes_and_commas_in_quoted_string() {
    let c = parse1(r#"Bearer error_description="a \"b\", c\\d", error=invalid_token"#).unwrap();
    assert_eq!(c.len(), 1);
    assert_eq!(
        c[0].params,
        vec![
            p("error_description", r#"a "b", c\d"#, true),
            p("error", "invalid_token", false),
        ]
    );
}

#[test]
fn rfc9110_example() {
    let c =
        parse1(r#"Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple""#)
            .unwrap();
    assert_eq!(c.len(), 2);
    assert_eq!(c[0].scheme, "Newauth");
    assert_eq!(
        c[0].params,
        vec![
            p("realm", "apps", true),
            p("type", "1", false),
            p("title", r#"Login to "apps""#, true),
        ]
    );
    assert_eq!(c[1].scheme, "Basic");
    assert_eq!(c[1].params, vec![p("realm", "simple", true)]);
}

#[test]
fn token68() {
    let c = parse1("Negotiate abc==").unwrap();
    assert_eq!(c[0].token68.as_deref(), Some("abc=="));
    assert!(c[0].params.is_empty());
    let c = parse1("Negotiate a/b+c=, Basic realm=\"r\"").unwrap();
    assert_eq!(c[0].token68.as_deref(), Some("a/b+c="));
    assert_eq!(c[1].param("realm"), Some("r"));
    // Ambiguous `name=`: token68 for unknown schemes...
    let c = parse1("Foo abc=").unwrap();
    assert_eq!(c[0].token68.as_deref(), Some("abc="));
    // ...but a param without value for auth-param-only schemes.
    assert!(parse1("Bearer abc=").is_err());
    // No params may follow a token68.
    let e = err("Negotiate abc==, realm=\"x\"");
    assert_eq!(e.offset, 17);
    assert!(e.message.contains("token68"), "{e}");
    let e = err("Negotiate abc== def");
    assert_eq!(e.offset, 16);
    let e = err("Negotiate ab/c d");
    assert_eq!(e.offset, 15);
    assert!(e.message.contains("token68"), "{e}");
}

#[test]
fn scheme_without_params() {
    let c = parse1("Bearer").unwrap();
    assert_eq!(
        c,
        vec![Challenge {
            scheme: "Bearer".into(),
            token68: None,
            params: vec![]
        }]
    );
    let c = parse1("Bearer , Basic").unwrap();
    assert_eq!(c.len(), 2);
    assert!(c[1].is_scheme("basic"));
}

#[test]
fn empty_list_elements() {
    let c = parse1(", Bearer ,").unwrap();
    assert_eq!(c.len(), 1);
    assert!(c[0].is_scheme("Bearer"));
    let c = parse1(r#",, Bearer realm="a" , , scope="b",,"#).unwrap();
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].params.len(), 2);
    assert_eq!(parse1(" , ,, ").unwrap(), vec![]);
    assert_eq!(parse1("").unwrap(), vec![]);
}

#[test]
fn bws_around_equals() {
    let c = parse1("Bearer realm = \"x\" ,\tscope\t=\ts").unwrap();
    assert_eq!(
        c[0].params,
        vec![p("realm", "x", true), p("scope", "s", false)]
    );
}

#[test]
fn duplicate_params_are_kept() {
    let c = parse1(r#"Bearer scope="a", Scope="b""#).unwrap();
    assert_eq!(c[0].param_count("scope"), 2);
    assert_eq!(c[0].param("scope"), Some("a"));
}

#[test]
fn to_json_shape() {
    let c = parse1(r#"Bearer Scope="a", scope="b", error=invalid_token"#).unwrap();
    assert_eq!(
        c[0].to_json(),
        serde_json::json!({"scheme": "Bearer", "params": {"scope": "a", "error": "invalid_token"}})
    );
    let c = parse1("Negotiate abc==").unwrap();
    assert_eq!(
        c[0].to_json(),
        serde_json::json!({"scheme": "Negotiate", "token68": "abc==", "params": {}})
    );
    // The derived Serialize keeps params as a list and skips a missing token68.
    let v = serde_json::to_value(&parse1("Bearer a=b").unwrap()[0]).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"scheme": "Bearer", "params": [{"name": "a", "value": "b", "quoted": false}]})
    );
}

#[test]
fn error_unterminated_quote() {
    let e = err(r#"Bearer realm="abc"#);
    assert_eq!(e.offset, 13);
    assert_eq!(e.message, "unterminated quoted-string");
    assert_eq!(e.to_string(), "unterminated quoted-string at byte 13");
    // Escaped closing quote does not terminate.
    assert_eq!(err(r#"Bearer realm="abc\""#).offset, 13);
    assert_eq!(err(r#"Bearer realm="abc\"#).offset, 13);
}

#[test]
fn error_missing_value() {
    let e = err("Bearer realm=");
    assert_eq!(e.offset, 13);
    assert!(
        e.message.contains("missing value for parameter `realm`"),
        "{e}"
    );
    let e = err("Bearer realm=, scope=\"x\"");
    assert_eq!(e.offset, 13);
    let e = err(r#"Bearer realm="x", scope="#);
    assert_eq!(e.offset, 24);
    assert!(e.message.contains("`scope`"), "{e}");
}

#[test]
fn error_missing_name() {
    let e = err(r#"Bearer ="x""#);
    assert_eq!(e.offset, 7);
    assert!(e.message.contains("missing parameter name"), "{e}");
    let e = err(r#"Bearer realm="a", ="x""#);
    assert_eq!(e.offset, 18);
    assert!(e.message.contains("missing parameter name"), "{e}");
    let e = err(r#"="x""#);
    assert_eq!(e.offset, 0);
}

#[test]
fn error_missing_comma() {
    let e = err(r#"Bearer realm="a" scope="b""#);
    assert_eq!(e.offset, 17);
    assert!(
        e.message
            .contains("expected `,` after value of parameter `realm`"),
        "{e}"
    );
    let e = err("Bearer realm=a scope=b");
    assert_eq!(e.offset, 15);
}

#[test]
fn error_param_before_scheme() {
    let e = err(r#"realm="x""#);
    assert_eq!(e.offset, 0);
    assert!(e.message.contains("before any auth-scheme"), "{e}");
}

#[test]
fn error_expected_equals() {
    let e = err(r#"Bearer realm "x""#);
    assert_eq!(e.offset, 13);
    assert!(
        e.message
            .contains("expected `=` after parameter name `realm`"),
        "{e}"
    );
}

#[test]
fn error_invalid_chars() {
    let e = err(r#""Bearer""#);
    assert_eq!(e.offset, 0);
    assert!(e.message.contains("empty auth-scheme"), "{e}");
    let e = err(r#"Bea"rer"#);
    assert_eq!(e.offset, 3);
    assert!(
        e.message.contains(r#"invalid character '"' in token"#),
        "{e}"
    );
    // Control characters inside and outside quoted-strings.
    let e = err("Bearer realm=\"a\u{1}b\"");
    assert_eq!(e.offset, 15);
    assert!(e.message.contains("quoted-string"), "{e}");
    let e = err("Bearer realm=\"a\\\u{7f}\"");
    assert_eq!(e.offset, 16);
    let e = err("Bearer\u{0}");
    assert_eq!(e.offset, 6);
    let e = err("Bearer realm=a\nb");
    assert_eq!(e.offset, 14);
    // HTAB is allowed inside quoted-strings and as OWS, but not as the 1*SP after a scheme.
    assert_eq!(
        parse1("Bearer a=\"x\ty\"").unwrap()[0].param("a"),
        Some("x\ty")
    );
    let e = err("Bearer\trealm=\"x\"");
    assert_eq!(e.offset, 6);
    assert!(e.message.contains("HTAB"), "{e}");
    // Non-ASCII: allowed as obs-text inside quoted-strings, not in tokens.
    assert_eq!(parse1("Bearer a=\"é\"").unwrap()[0].param("a"), Some("é"));
    let e = err("Béarer");
    assert_eq!(e.offset, 1);
    assert!(e.message.contains('é'), "{e}");
    let e = err("Bearer a=é");
    assert_eq!(e.offset, 9);
}

#[test]
fn garbage_never_panics() {
    let long_ok = format!("Bearer a=\"{}\"", "x".repeat(100_000));
    assert_eq!(
        parse1(&long_ok).unwrap()[0].param("a").unwrap().len(),
        100_000
    );
    let long_list = "Bearer, ".repeat(20_000);
    assert_eq!(parse1(&long_list).unwrap().len(), 20_000);
    let long_bad = "\"".repeat(100_000);
    assert!(parse1(&long_bad).is_err());
    for s in [
        "",
        "\"",
        "\\",
        ",",
        ",,,,",
        " ",
        "\t",
        "=",
        "==",
        "a=",
        "a =",
        "a=\"",
        "a \"",
        "ä",
        "\u{ffff}",
        "Bearer \"",
        "Bearer a=\"\\",
        "Bearer a=\"\\é\"",
        "🦀 🦀=🦀",
        "B a, =",
    ] {
        let _ = parse1(s);
    }
}

/// Canonical rendering used by the round-trip property below.
fn render(challenges: &[Challenge]) -> String {
    challenges
        .iter()
        .map(|c| {
            let mut s = c.scheme.clone();
            if let Some(t) = &c.token68 {
                s.push(' ');
                s.push_str(t);
            }
            let params: Vec<String> = c
                .params
                .iter()
                .map(|p| {
                    if p.quoted {
                        let escaped = p.value.replace('\\', "\\\\").replace('"', "\\\"");
                        format!("{}=\"{}\"", p.name, escaped)
                    } else {
                        format!("{}={}", p.name, p.value)
                    }
                })
                .collect();
            if !params.is_empty() {
                s.push(' ');
                s.push_str(&params.join(", "));
            }
            s
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn small_alphabet_exhaustive_never_panics_and_round_trips() {
    const ALPHABET: [char; 7] = ['a', '=', '"', '\\', ',', ' ', 'B'];
    let mut current: Vec<String> = vec![String::new()];
    let mut ok = 0usize;
    let mut total = 0usize;
    for _len in 0..=6 {
        let mut next = Vec::with_capacity(current.len() * ALPHABET.len());
        for s in &current {
            total += 1;
            match parse1(s) {
                Ok(challenges) => {
                    ok += 1;
                    let rendered = render(&challenges);
                    assert_eq!(
                        parse1(&rendered).as_ref(),
                        Ok(&challenges),
                        "round trip of {s:?} via {rendered:?}"
                    );
                }
                Err(e) => assert!(e.offset <= s.len(), "offset out of range for {s:?}: {e}"),
            }
            for c in ALPHABET {
                let mut t = s.clone();
                t.push(c);
                next.push(t);
            }
        }
        current = next;
    }
    assert_eq!(total, (0..=6).map(|k| 7usize.pow(k)).sum::<usize>());
    assert!(ok > 0);
}
