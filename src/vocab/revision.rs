//! The dated MCP specification revisions that define authorization, and what each one
//! asks for. The table at the end is the only list of revisions in the code: a new
//! revision is one row there (its name and its [`RevisionFeatures`]).

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::revision_features::RevisionFeatures;

macro_rules! revisions {
    ($( $variant:ident = $name:literal => $features:expr, )*) => {
        /// A dated revision of the MCP specification. Authorization first appeared in 2025-03-26;
        /// each later revision changed discovery, registration or token rules, so every case names
        /// the revisions it applies to.
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
        )]
        pub enum Revision {
            $( #[serde(rename = $name)] $variant, )*
        }

        impl Revision {
            /// Every revision, oldest first.
            pub const ALL: [Revision; [$($name,)*].len()] = [$(Revision::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Revision::$variant => $name,)* }
            }

            /// What this revision asks for: the code's only way to tell revisions apart.
            pub fn features(self) -> &'static RevisionFeatures {
                match self {
                    $(Revision::$variant => {
                        const FEATURES: RevisionFeatures = $features;
                        &FEATURES
                    })*
                }
            }
        }
    };
}

impl Revision {
    /// The newest revision: the default of every command.
    pub const LATEST: Revision = Revision::ALL[Revision::ALL.len() - 1];

    /// Every revision's name, oldest first, comma-separated: for help and error texts.
    pub fn names_for_help() -> String {
        Revision::ALL
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The newest revision, not after this one, that opens with `initialize`: what an
    /// implementation of the initialization-based revisions speaks when asked for this
    /// one (2026-07-28 basic/versioning, "Backward Compatibility with Initialization-Based
    /// Versions").
    pub fn newest_with_initialize_up_to(self) -> Revision {
        Revision::ALL
            .into_iter()
            .rev()
            .find(|r| *r <= self && !r.features().stateless_requests)
            .unwrap_or(Revision::ALL[0])
    }
}

impl fmt::Display for Revision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A revision string that names none of [`Revision::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown revision `{0}` (known: {known})", known = Revision::names_for_help())]
pub struct UnknownRevision(pub String);

impl FromStr for Revision {
    type Err = UnknownRevision;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Revision::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRevision(s.to_string()))
    }
}

// The revisions, oldest first: the order of the rows is the order of `Revision` (a range
// `{since: …}` and every `<=` follow it). A row cites nothing itself: the fields of
// `RevisionFeatures` say which revision's section sets them.
revisions! {
    R2025_03_26 = "2025-03-26" => RevisionFeatures {
        stateless_requests: false,
        server_discover: false,
        get_event_stream: true,
        protocol_version_header: false,
        protected_resource_metadata: false,
        authorization_server_at_origin: true,
        resource_indicators: false,
        oidc_discovery: false,
        pkce_methods_required: false,
        client_id_metadata_documents: false,
        authorization_response_iss: false,
        dcr_application_type: false,
    },
    R2025_06_18 = "2025-06-18" => RevisionFeatures {
        stateless_requests: false,
        server_discover: false,
        get_event_stream: true,
        protocol_version_header: true,
        protected_resource_metadata: true,
        authorization_server_at_origin: false,
        resource_indicators: true,
        oidc_discovery: false,
        pkce_methods_required: false,
        client_id_metadata_documents: false,
        authorization_response_iss: false,
        dcr_application_type: false,
    },
    R2025_11_25 = "2025-11-25" => RevisionFeatures {
        stateless_requests: false,
        server_discover: false,
        get_event_stream: true,
        protocol_version_header: true,
        protected_resource_metadata: true,
        authorization_server_at_origin: false,
        resource_indicators: true,
        oidc_discovery: true,
        pkce_methods_required: true,
        client_id_metadata_documents: true,
        authorization_response_iss: false,
        dcr_application_type: false,
    },
    R2026_07_28 = "2026-07-28" => RevisionFeatures {
        stateless_requests: true,
        server_discover: true,
        get_event_stream: false,
        protocol_version_header: true,
        protected_resource_metadata: true,
        authorization_server_at_origin: false,
        resource_indicators: true,
        oidc_discovery: true,
        pkce_methods_required: true,
        client_id_metadata_documents: true,
        authorization_response_iss: true,
        dcr_application_type: true,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_every_revision() {
        for r in Revision::ALL {
            assert_eq!(r.as_str().parse::<Revision>().unwrap(), r);
        }
        assert!("2024-11-05".parse::<Revision>().is_err());
        assert_eq!(Revision::LATEST, *Revision::ALL.last().unwrap());
    }

    #[test]
    fn the_table_is_oldest_first_and_the_error_lists_every_revision() {
        assert!(Revision::ALL.windows(2).all(|w| w[0] < w[1]));
        assert!(Revision::ALL
            .windows(2)
            .all(|w| w[0].as_str() < w[1].as_str()));
        let error = "2024-11-05".parse::<Revision>().unwrap_err().to_string();
        assert_eq!(
            error,
            format!(
                "unknown revision `2024-11-05` (known: {})",
                Revision::names_for_help()
            )
        );
        for r in Revision::ALL {
            assert!(error.contains(r.as_str()), "{error}");
        }
    }

    /// Each switch holds exactly where the revision comparison it replaced held (the
    /// code compared revision names before the table existed).
    #[test]
    fn the_switches_hold_where_the_old_comparisons_held() {
        use Revision::*;
        for r in Revision::ALL {
            let f = r.features();
            assert_eq!(f.stateless_requests, r >= R2026_07_28, "{r}");
            assert_eq!(f.server_discover, r >= R2026_07_28, "{r}");
            assert_eq!(f.get_event_stream, r < R2026_07_28, "{r}");
            assert_eq!(f.protocol_version_header, r >= R2025_06_18, "{r}");
            assert_eq!(f.protected_resource_metadata, r >= R2025_06_18, "{r}");
            assert_eq!(f.authorization_server_at_origin, r == R2025_03_26, "{r}");
            assert_eq!(f.resource_indicators, r >= R2025_06_18, "{r}");
            assert_eq!(f.oidc_discovery, r >= R2025_11_25, "{r}");
            assert_eq!(f.pkce_methods_required, r >= R2025_11_25, "{r}");
            assert_eq!(f.client_id_metadata_documents, r >= R2025_11_25, "{r}");
            assert_eq!(f.authorization_response_iss, r >= R2026_07_28, "{r}");
            assert_eq!(f.dcr_application_type, r >= R2026_07_28, "{r}");
            assert_eq!(r.newest_with_initialize_up_to(), r.min(R2025_11_25), "{r}");
        }
    }

    /// Authorization began with an initialization-based revision, so every revision has
    /// one to fall back to.
    #[test]
    fn the_oldest_revision_opens_with_initialize() {
        assert!(!Revision::ALL[0].features().stateless_requests);
        for r in Revision::ALL {
            let fallback = r.newest_with_initialize_up_to();
            assert!(fallback <= r && !fallback.features().stateless_requests);
        }
    }
}
