//! Known-answer tests of the JWT and JWKS handling against tokens signed by OpenSSL
//! (`fixtures/tokens/README.md`), an implementation independent of the suite's.

use std::collections::BTreeSet;

use serde_json::json;

use super::keys::KeySet;
use super::mint::{Grant, Minter};
use super::validate::{check_claims, verify_signature, Expectations, Rejection};
use crate::logic::token_recipe::{alter_signature, Mint, Signing};
use crate::vocab::ServerDefect;

const OPENSSL_TOKEN: &str = include_str!("../../../fixtures/tokens/rs256-openssl.jwt");
const UNTRUSTED_TOKEN: &str = include_str!("../../../fixtures/tokens/rs256-untrusted-openssl.jwt");

fn correct() -> BTreeSet<ServerDefect> {
    BTreeSet::new()
}

fn expectations(issuer: &str, resource: &str) -> Expectations {
    Expectations {
        issuer: issuer.into(),
        resource: Some(resource.into()),
        required_scope: "mcp:tools".into(),
    }
}

#[test]
fn an_openssl_signed_token_verifies_with_the_published_jwks() {
    let keys = KeySet::fixture();
    let claims = verify_signature(OPENSSL_TOKEN, &keys.jwks, &correct()).expect("verifies");
    assert_eq!(claims["sub"], "known-answer");
    let expect = expectations("https://issuer.example", "https://mcp.example/mcp");
    assert_eq!(
        check_claims(&claims, &expect, &correct(), 1_767_225_700),
        Ok(())
    );
}

#[test]
fn altered_or_foreign_tokens_do_not_verify() {
    let keys = KeySet::fixture();
    let altered = alter_signature(OPENSSL_TOKEN);
    assert!(matches!(
        verify_signature(&altered, &keys.jwks, &correct()),
        Err(Rejection::Invalid(_))
    ));
    // Same kid as the published key, signed by another: the signature decides.
    assert!(matches!(
        verify_signature(UNTRUSTED_TOKEN, &keys.jwks, &correct()),
        Err(Rejection::Invalid(_))
    ));
}

#[test]
fn minting_is_byte_identical_to_openssl_for_rs256() {
    // RSASSA-PKCS1-v1_5 is deterministic: same key, header and claims give the same token.
    let keys = KeySet::fixture();
    let minter = Minter::new("https://issuer.example", keys);
    let claims = json!({
        "iss": "https://issuer.example", "sub": "known-answer", "aud": "https://mcp.example/mcp",
        "scope": "mcp:tools", "iat": 1767225600, "exp": 4102444800u64
    });
    let token = minter.sign(&claims, Signing::Rs256).unwrap();
    assert_eq!(token, OPENSSL_TOKEN);
    assert!(verify_signature(&token, &minter.keys().jwks, &correct()).is_ok());
}

#[test]
fn the_jwks_publishes_rsa_and_p256_public_keys_only() {
    let jwks = KeySet::fixture().jwks_json();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0]["kty"], "RSA");
    assert_eq!(keys[0]["e"], "AQAB");
    assert_eq!(keys[0]["kid"], "mcp-authspec-rs256");
    assert_eq!(keys[1]["kty"], "EC");
    assert_eq!(keys[1]["crv"], "P-256");
    for k in keys {
        assert!(k.get("d").is_none(), "private part published: {k}");
        assert_eq!(k["use"], "sig");
    }
}

#[test]
fn every_signing_recipe_is_judged_as_intended() {
    let minter = Minter::new("https://issuer.example", KeySet::fixture());
    let grant = Grant {
        resource: "https://mcp.example/mcp".into(),
        scope: "mcp:tools".into(),
    };
    let mint = |sign| {
        minter
            .mint(
                &Mint {
                    sign,
                    ..Mint::default()
                },
                &grant,
            )
            .unwrap()
    };
    let jwks = &minter.keys().jwks;
    assert!(verify_signature(&mint(Signing::Rs256), jwks, &correct()).is_ok());
    assert!(verify_signature(&mint(Signing::Es256), jwks, &correct()).is_ok());
    for (sign, lapse) in [
        (Signing::UnknownKey, ServerDefect::TrustsEmbeddedJwk),
        (Signing::AlgNone, ServerDefect::AcceptsAlgNone),
        (
            Signing::Hs256PublicKey,
            ServerDefect::AcceptsHs256WithPublicKey,
        ),
    ] {
        let token = mint(sign);
        assert!(
            verify_signature(&token, jwks, &correct()).is_err(),
            "{sign:?} accepted by a correct validator"
        );
        let lapses: BTreeSet<_> = [lapse].into_iter().collect();
        assert!(
            verify_signature(&token, jwks, &lapses).is_ok(),
            "{sign:?} refused although the validator has {lapse}"
        );
    }
}

#[test]
fn claim_checks_refuse_each_defect_and_lapses_skip_them() {
    let minter = Minter::new("https://issuer.example", KeySet::fixture());
    let grant = Grant {
        resource: "https://mcp.example/mcp".into(),
        scope: "mcp:tools".into(),
    };
    let now = super::mint::unix_now();
    let expect = expectations("https://issuer.example", "https://mcp.example/mcp");
    let base = minter.valid_claims(&grant, now);
    let with = |k: &str, v: serde_json::Value| {
        let mut c = base.clone();
        if v.is_null() {
            c.remove(k);
        } else {
            c.insert(k.into(), v);
        }
        c
    };
    assert_eq!(check_claims(&base, &expect, &correct(), now), Ok(()));
    let cases = [
        (
            with("exp", json!(now - 600)),
            ServerDefect::SkipsExpiryCheck,
        ),
        (
            with("nbf", json!(now + 600)),
            ServerDefect::SkipsNotBeforeCheck,
        ),
        (
            with("iss", json!("https://other.example")),
            ServerDefect::SkipsIssuerCheck,
        ),
        (
            with("aud", json!("https://other.example/mcp")),
            ServerDefect::SkipsAudienceCheck,
        ),
        (
            with("aud", json!(null)),
            ServerDefect::AcceptsMissingAudience,
        ),
        (
            with("aud", json!("https://mcp.example/other")),
            ServerDefect::AudienceOriginOnly,
        ),
        (with("scope", json!("other")), ServerDefect::SkipsScopeCheck),
    ];
    for (claims, lapse) in cases {
        assert!(
            check_claims(&claims, &expect, &correct(), now).is_err(),
            "{lapse}"
        );
        let lapses: BTreeSet<_> = [lapse].into_iter().collect();
        assert_eq!(
            check_claims(&claims, &expect, &lapses, now),
            Ok(()),
            "{lapse}"
        );
    }
    let upper = with("aud", json!("HTTPS://MCP.EXAMPLE/mcp"));
    assert_eq!(check_claims(&upper, &expect, &correct(), now), Ok(()));
    let case_sensitive: BTreeSet<_> = [ServerDefect::AudienceCaseSensitive].into_iter().collect();
    assert!(check_claims(&upper, &expect, &case_sensitive, now).is_err());
    let array = with(
        "aud",
        json!(["https://x.example", "https://mcp.example/mcp"]),
    );
    assert_eq!(check_claims(&array, &expect, &correct(), now), Ok(()));
}
