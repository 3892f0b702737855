//! Well-known URI derivations used for discovery (RFC 8615, RFC 8414 §3.1, RFC 9728 §3.1,
//! OpenID Connect Discovery 1.0 §4), and small URL predicates used by the MCP authorization
//! checks (RFC 8252 §7.3, RFC 9728 §3.3).
//!
//! All functions are pure; paths are handled in their serialized (percent-encoded) form, so
//! `%2F` and friends are carried over unchanged and never decoded.

use url::Url;

/// `suffix` without leading or trailing slashes, so `"/x/"` and `"x"` behave the same.
fn clean_suffix(suffix: &str) -> &str {
    suffix.trim_matches('/')
}

/// The path with one terminating `/` removed (so `/` becomes the empty string).
fn path_without_terminating_slash(url: &Url) -> &str {
    let path = url.path();
    path.strip_suffix('/').unwrap_or(path)
}

/// A copy of `base` with the given path and no query or fragment.
fn with_path(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    url.set_path(path);
    url.set_query(None);
    url.set_fragment(None);
    url
}

/// RFC 9728 §3.1 / RFC 8414 §3.1: insert `/.well-known/<suffix>` between the host and the path
/// component; a terminating "/" of the path is removed first; query and fragment are dropped.
///
/// `https://h/mcp` + `oauth-protected-resource` → `https://h/.well-known/oauth-protected-resource/mcp`;
/// `https://h/` or `https://h` → `https://h/.well-known/oauth-protected-resource`;
/// `https://h/public/mcp/` → `https://h/.well-known/oauth-protected-resource/public/mcp`.
/// Scheme, user info, host and port are kept.
pub fn insert_well_known(base: &Url, suffix: &str) -> Url {
    let path = format!(
        "/.well-known/{}{}",
        clean_suffix(suffix),
        path_without_terminating_slash(base)
    );
    with_path(base, &path)
}

/// OpenID Connect Discovery 1.0 §4: append `/.well-known/<suffix>` to the issuer path (after
/// removing a terminating "/"); query and fragment are dropped.
///
/// `https://as/t1` → `https://as/t1/.well-known/openid-configuration`;
/// `https://as` → `https://as/.well-known/openid-configuration`.
pub fn append_well_known(base: &Url, suffix: &str) -> Url {
    let path = format!(
        "{}/.well-known/{}",
        path_without_terminating_slash(base),
        clean_suffix(suffix)
    );
    with_path(base, &path)
}

/// `https://h:8443/.well-known/<suffix>`: the path, query and fragment are discarded (RFC 8615
/// §3 well-known URI at the origin root; the MCP 2025-03-26 "authorization base URL" rule; the
/// root-level RFC 9728 §3.1 URL).
pub fn root_well_known(base: &Url, suffix: &str) -> Url {
    with_path(base, &format!("/.well-known/{}", clean_suffix(suffix)))
}

/// Where an authorization server's metadata may be, in the order to probe them: RFC 8414
/// §3.1 path-inserted `oauth-authorization-server`, then OpenID Connect Discovery
/// path-inserted (RFC 8414 §5; MCP 2025-11-25 "Authorization Server Metadata Discovery")
/// and path-appended (OIDC Discovery §4). For an issuer without a path the two OIDC URLs
/// are one, listed once.
pub fn as_metadata_candidates(issuer: &Url) -> Vec<Url> {
    let mut candidates: Vec<Url> = Vec::new();
    for url in [
        insert_well_known(issuer, "oauth-authorization-server"),
        insert_well_known(issuer, "openid-configuration"),
        append_well_known(issuer, "openid-configuration"),
    ] {
        if !candidates.contains(&url) {
            candidates.push(url);
        }
    }
    candidates
}

/// The ASCII serialization of the URL's origin (RFC 6454 §6.2), without a trailing slash,
/// e.g. `"http://127.0.0.1:8080"`; default ports are omitted. URLs with an opaque origin
/// (such as `data:` or `file:`) give `"null"`.
pub fn origin_of(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// True when the URL has a path component other than the empty path or `/` (the MCP
/// 2025-03-26 authorization base URL rule: "if the MCP server URL has a path component,
/// discard it"; RFC 9728 §3.1 / RFC 8414 §3.1 path insertion).
pub fn has_path(url: &Url) -> bool {
    !matches!(url.path(), "" | "/")
}

/// True for http(s) URLs whose host is a loopback address: 127.0.0.0/8, `::1`, or the name
/// `localhost` (RFC 8252 §7.3 and §8.3; MCP allows plain http only there).
pub fn is_loopback(url: &Url) -> bool {
    if !matches!(url.scheme(), "http" | "https") {
        return false;
    }
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// https, or http on a loopback host (MCP authorization "Communication Security"; OAuth 2.1
/// §1.5; RFC 8252 §8.3).
pub fn is_https_or_loopback(url: &Url) -> bool {
    url.scheme() == "https" || (url.scheme() == "http" && is_loopback(url))
}

/// RFC 9728 §3.3 lenient comparison used by many SDKs: same origin, and `resource`'s path
/// (without a terminating "/") is a prefix of `endpoint`'s path on a segment boundary. Query
/// and fragment are ignored; paths are compared in serialized form, case-sensitively.
///
/// `https://h` covers `https://h/mcp`; `https://h/mc` does not cover `https://h/mcp`.
pub fn resource_covers(resource: &Url, endpoint: &Url) -> bool {
    if resource.origin() != endpoint.origin() {
        return false;
    }
    let prefix = path_without_terminating_slash(resource);
    match endpoint.path().strip_prefix(prefix) {
        Some(rest) => rest.is_empty() || rest.starts_with('/'),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    const PRM: &str = "oauth-protected-resource";

    #[test]
    fn insert_examples() {
        let cases = [
            (
                "https://h/mcp",
                "https://h/.well-known/oauth-protected-resource/mcp",
            ),
            (
                "https://h/",
                "https://h/.well-known/oauth-protected-resource",
            ),
            (
                "https://h",
                "https://h/.well-known/oauth-protected-resource",
            ),
            (
                "https://h/public/mcp/",
                "https://h/.well-known/oauth-protected-resource/public/mcp",
            ),
            (
                "https://h:8443/mcp",
                "https://h:8443/.well-known/oauth-protected-resource/mcp",
            ),
            (
                "http://127.0.0.1:8080/mcp?x=1#frag",
                "http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp",
            ),
            (
                "https://h/a%20b/%2Fc",
                "https://h/.well-known/oauth-protected-resource/a%20b/%2Fc",
            ),
            (
                "https://h/?q",
                "https://h/.well-known/oauth-protected-resource",
            ),
            (
                "http://[::1]:3000/mcp",
                "http://[::1]:3000/.well-known/oauth-protected-resource/mcp",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(insert_well_known(&u(input), PRM).as_str(), want, "{input}");
        }
        assert_eq!(
            insert_well_known(&u("https://as/tenant1"), "oauth-authorization-server").as_str(),
            "https://as/.well-known/oauth-authorization-server/tenant1"
        );
        // Slashes around the suffix do not matter.
        assert_eq!(
            insert_well_known(&u("https://h/mcp"), "/oauth-protected-resource/").as_str(),
            "https://h/.well-known/oauth-protected-resource/mcp"
        );
        // Default port normalized away by the URL parser; explicit non-default port kept.
        assert_eq!(
            insert_well_known(&u("https://h:443/mcp"), PRM).as_str(),
            "https://h/.well-known/oauth-protected-resource/mcp"
        );
    }

    #[test]
    fn metadata_candidates_in_probe_order() {
        let urls = |issuer: &str| -> Vec<String> {
            as_metadata_candidates(&u(issuer))
                .iter()
                .map(|c| c.to_string())
                .collect()
        };
        assert_eq!(
            urls("https://as/tenant1"),
            [
                "https://as/.well-known/oauth-authorization-server/tenant1",
                "https://as/.well-known/openid-configuration/tenant1",
                "https://as/tenant1/.well-known/openid-configuration",
            ]
        );
        assert_eq!(
            urls("https://as"),
            [
                "https://as/.well-known/oauth-authorization-server",
                "https://as/.well-known/openid-configuration",
            ]
        );
    }

    #[test]
    fn append_examples() {
        let oidc = "openid-configuration";
        let cases = [
            (
                "https://as/t1",
                "https://as/t1/.well-known/openid-configuration",
            ),
            (
                "https://as/t1/",
                "https://as/t1/.well-known/openid-configuration",
            ),
            ("https://as", "https://as/.well-known/openid-configuration"),
            ("https://as/", "https://as/.well-known/openid-configuration"),
            (
                "https://as:9443/a%2Fb?x#y",
                "https://as:9443/a%2Fb/.well-known/openid-configuration",
            ),
            (
                "http://[::1]:9000/t",
                "http://[::1]:9000/t/.well-known/openid-configuration",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(append_well_known(&u(input), oidc).as_str(), want, "{input}");
        }
    }

    #[test]
    fn root_examples() {
        let cases = [
            (
                "https://h:8443/some/path?q=1#f",
                "https://h:8443/.well-known/oauth-authorization-server",
            ),
            (
                "https://h",
                "https://h/.well-known/oauth-authorization-server",
            ),
            (
                "http://[::1]:1/x/",
                "http://[::1]:1/.well-known/oauth-authorization-server",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(
                root_well_known(&u(input), "oauth-authorization-server").as_str(),
                want,
                "{input}"
            );
        }
    }

    #[test]
    fn origins() {
        assert_eq!(
            origin_of(&u("http://127.0.0.1:8080/mcp?x")),
            "http://127.0.0.1:8080"
        );
        assert_eq!(origin_of(&u("https://H.example:443/")), "https://h.example");
        assert_eq!(origin_of(&u("http://[::1]:3000")), "http://[::1]:3000");
        assert_eq!(origin_of(&u("data:text/plain,x")), "null");
    }

    #[test]
    fn paths() {
        assert!(!has_path(&u("https://h")));
        assert!(!has_path(&u("https://h/")));
        assert!(!has_path(&u("https://h/?q=1#f")));
        assert!(has_path(&u("https://h/mcp")));
        assert!(has_path(&u("https://h/mcp/")));
        assert!(has_path(&u("https://h//")));
    }

    #[test]
    fn loopback() {
        for s in [
            "http://127.0.0.1:8080/cb",
            "http://127.1.2.3/",
            "https://127.0.0.1/",
            "http://[::1]:3000/",
            "http://localhost/",
            "http://LOCALHOST:1/",
        ] {
            assert!(is_loopback(&u(s)), "{s}");
            assert!(is_https_or_loopback(&u(s)), "{s}");
        }
        for s in [
            "http://128.0.0.1/",
            "http://[::2]/",
            "http://localhost.example/",
            "http://example.com/",
            "http://10.0.0.1/",
            "ftp://127.0.0.1/",
            "file:///tmp/x",
        ] {
            assert!(!is_loopback(&u(s)), "{s}");
        }
        assert!(is_https_or_loopback(&u("https://example.com/")));
        assert!(!is_https_or_loopback(&u("http://example.com/")));
        assert!(!is_https_or_loopback(&u("ws://localhost/")));
    }

    #[test]
    fn covers() {
        let yes = [
            ("https://h", "https://h/mcp"),
            ("https://h/", "https://h/mcp"),
            ("https://h/mcp", "https://h/mcp"),
            ("https://h/mcp/", "https://h/mcp"),
            ("https://h/mcp", "https://h/mcp/"),
            ("https://h/mcp", "https://h/mcp/sub?x=1"),
            ("https://h:443/mcp", "https://h/mcp"),
            ("http://[::1]:3000/a%20b", "http://[::1]:3000/a%20b/c"),
        ];
        for (r, e) in yes {
            assert!(resource_covers(&u(r), &u(e)), "{r} should cover {e}");
        }
        let no = [
            ("https://h/mc", "https://h/mcp"),
            ("https://h/mcp", "https://h/"),
            ("https://h/mcp/x", "https://h/mcp"),
            ("https://h/MCP", "https://h/mcp"),
            ("http://h/mcp", "https://h/mcp"),
            ("https://h:8443/mcp", "https://h/mcp"),
            ("https://g/mcp", "https://h/mcp"),
            ("https://h/a%20b", "https://h/a b2"),
        ];
        for (r, e) in no {
            assert!(!resource_covers(&u(r), &u(e)), "{r} should not cover {e}");
        }
    }
}
