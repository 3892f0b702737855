//! Whether a request goes out on a fresh connection or may reuse a kept-alive one
//! (`--connections`). The choice changes how fast a run is, never what it judges.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use url::Url;

/// `--connections auto|fresh|reuse`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConnectionPolicy {
    /// Fresh connections to loopback hosts, pooled ones to every other host.
    ///
    /// On loopback a TCP handshake costs next to nothing, while a reused connection to a
    /// server that writes its headers and its body in two writes (Python's `http.server`,
    /// and many small servers) stalls about 40 ms an answer: the second write waits, by
    /// Nagle's algorithm on the server (RFC 896), for the ACK of the first, which our side
    /// delays (RFC 1122 §4.2.3.2; Linux's minimum delay is 40 ms). A fresh connection
    /// starts in quick-ACK mode, so nothing waits. Elsewhere the handshake (TLS above
    /// all) costs more than the stall, so connections are kept.
    #[default]
    Auto,
    /// A fresh connection for every request.
    Fresh,
    /// Kept-alive connections, pooled per host (the behaviour before issue 15).
    Reuse,
}

impl ConnectionPolicy {
    /// Every value, as `--connections` spells it.
    pub const NAMES: [&'static str; 3] = ["auto", "fresh", "reuse"];

    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionPolicy::Auto => "auto",
            ConnectionPolicy::Fresh => "fresh",
            ConnectionPolicy::Reuse => "reuse",
        }
    }

    /// Whether a request to `url` may go out on a kept-alive connection.
    pub fn reuses_connection_to(self, url: &Url) -> bool {
        match self {
            ConnectionPolicy::Fresh => false,
            ConnectionPolicy::Reuse => true,
            ConnectionPolicy::Auto => !is_loopback(url),
        }
    }
}

/// A loopback IP literal (127.0.0.0/8, ::1) or `localhost` (RFC 6761 §6.3).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.');
            name.eq_ignore_ascii_case("localhost")
                || name.to_ascii_lowercase().ends_with(".localhost")
        }
        None => false,
    }
}

impl fmt::Display for ConnectionPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ConnectionPolicy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(ConnectionPolicy::Auto),
            "fresh" => Ok(ConnectionPolicy::Fresh),
            "reuse" => Ok(ConnectionPolicy::Reuse),
            other => Err(format!(
                "unknown connection policy `{other}` (one of: {})",
                ConnectionPolicy::NAMES.join(", ")
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn auto_reuses_only_beyond_loopback() {
        let auto = ConnectionPolicy::Auto;
        for local in [
            "http://127.0.0.1:8080/mcp",
            "http://127.1.2.3/",
            "http://[::1]:9/",
            "http://localhost:1/",
            "http://LOCALHOST./",
            "http://app.localhost/",
        ] {
            assert!(!auto.reuses_connection_to(&url(local)), "{local}");
        }
        for remote in [
            "https://auth.example.com/",
            "http://10.0.0.1/",
            "https://localhost.example/",
        ] {
            assert!(auto.reuses_connection_to(&url(remote)), "{remote}");
        }
    }

    #[test]
    fn fresh_and_reuse_ignore_the_host() {
        for u in ["http://127.0.0.1/", "https://auth.example.com/"] {
            assert!(!ConnectionPolicy::Fresh.reuses_connection_to(&url(u)));
            assert!(ConnectionPolicy::Reuse.reuses_connection_to(&url(u)));
        }
    }

    #[test]
    fn names_round_trip() {
        for name in ConnectionPolicy::NAMES {
            assert_eq!(name.parse::<ConnectionPolicy>().unwrap().as_str(), name);
        }
        assert!("pooled".parse::<ConnectionPolicy>().is_err());
    }
}
