//! How a client authenticates at the token endpoint (RFC 7591 §2
//! `token_endpoint_auth_method`, the values RFC 6749 §2.3.1 and §2.1 define). A client
//! case's pre-registered client and an authorization-server run's configured client
//! name one; names are as RFC 7591 spells them.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::defect::defects;

defects! {
    /// A client authentication method at the token endpoint (RFC 7591 §2).
    ClientAuthMethod, "client authentication method";
    /// A public client (RFC 6749 §2.1): it sends only its `client_id`.
    None = "none",
    /// The client's id and secret in HTTP Basic (RFC 6749 §2.3.1).
    ClientSecretBasic = "client_secret_basic",
    /// The client's id and secret in the form body (RFC 6749 §2.3.1).
    ClientSecretPost = "client_secret_post",
}

impl ClientAuthMethod {
    /// Whether the client holds a secret (a confidential client, RFC 6749 §2.1).
    pub fn has_secret(self) -> bool {
        self != ClientAuthMethod::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_rfc_7591s() {
        for m in ClientAuthMethod::ALL {
            assert_eq!(m.name().parse::<ClientAuthMethod>().unwrap(), *m);
        }
        assert_eq!(
            "private_key_jwt".parse::<ClientAuthMethod>().unwrap_err(),
            "unknown client authentication method `private_key_jwt`"
        );
        assert!(!ClientAuthMethod::None.has_secret());
        assert!(ClientAuthMethod::ClientSecretPost.has_secret());
    }
}
