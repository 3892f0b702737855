//! The MCP authorization extensions a run may opt into (`--extension`). Extensions are
//! optional for implementations and never active by default (MCP 2025-11-25 and
//! 2026-07-28 "Extensions"; docs/extensions/auth/overview): a case of an extension runs
//! only when the run names it, and the report says which ones it enabled.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::defect::defects;

defects! {
    /// An authorization extension of MCP, by the name `--extension` and case files use.
    Extension, "extension";
    /// OAuth client credentials (`io.modelcontextprotocol/oauth-client-credentials`,
    /// SEP-1046): machine-to-machine tokens, private_key_jwt or a client secret.
    ClientCredentials = "client-credentials",
    /// Enterprise-managed authorization (`io.modelcontextprotocol/enterprise-managed-authorization`,
    /// SEP-990): an ID token exchanged at the enterprise IdP for an ID-JAG (RFC 8693),
    /// redeemed at the MCP authorization server (RFC 7523 jwt-bearer).
    EnterpriseManagedAuthorization = "enterprise-managed-authorization",
    /// Workload identity federation (`io.modelcontextprotocol/auth/wif`, SEP-1933, a
    /// proposal): a workload's JWT redeemed with the RFC 7523 jwt-bearer grant.
    WorkloadIdentityFederation = "workload-identity-federation",
    /// DPoP sender-constrained tokens (`io.modelcontextprotocol/auth/dpop`, SEP-1932,
    /// RFC 9449): proofs of possession on token and MCP requests.
    Dpop = "dpop",
}

/// What an extension's cases cite: its identifier and the text they were written against.
pub struct ExtensionSource {
    /// The identifier a client declares in `clientCapabilities.extensions`.
    pub identifier: &'static str,
    /// The document and its date: several extensions are still drafts or proposals.
    pub document: &'static str,
    /// The official conformance suite's scenarios for it.
    pub official_scenarios: &'static [&'static str],
}

impl Extension {
    pub fn source(self) -> ExtensionSource {
        match self {
            Extension::ClientCredentials => ExtensionSource {
                identifier: "io.modelcontextprotocol/oauth-client-credentials",
                document: "modelcontextprotocol/ext-auth specification/draft/\
                           oauth-client-credentials.mdx (draft, 2025-10-24)",
                official_scenarios: &[
                    "auth/client-credentials-jwt",
                    "auth/client-credentials-basic",
                ],
            },
            Extension::EnterpriseManagedAuthorization => ExtensionSource {
                identifier: "io.modelcontextprotocol/enterprise-managed-authorization",
                document: "modelcontextprotocol/ext-auth specification/draft/\
                           enterprise-managed-authorization.mdx (draft, 2025-10-24)",
                official_scenarios: &["auth/enterprise-managed-authorization"],
            },
            Extension::WorkloadIdentityFederation => ExtensionSource {
                identifier: "io.modelcontextprotocol/auth/wif",
                document: "SEP-1933 workload identity federation (a proposal; the official \
                           conformance suite's auth/wif-jwt-bearer scenario, 2026-07-02, at \
                           c321dd3 of 2026-08-07)",
                official_scenarios: &["auth/wif-jwt-bearer"],
            },
            // The official scenario's `source.extensionId` (src/scenarios/client/auth/
            // dpop.ts); SEP-1932 is a proposal, its text on a branch of ext-auth.
            Extension::Dpop => ExtensionSource {
                identifier: "io.modelcontextprotocol/auth/dpop",
                document: "SEP-1932 DPoP Profile for MCP (Draft, created 2025-12-05; \
                           open pull request modelcontextprotocol#1932), its text at \
                           modelcontextprotocol/ext-auth specification/draft/\
                           dpop-extension.mdx, branch pieterkas-dpop-extension",
                official_scenarios: &["auth/dpop", "auth/dpop-nonce"],
            },
        }
    }

    /// The extension whose official scenario this is, if any.
    pub fn of_scenario(scenario: &str) -> Option<Extension> {
        Extension::ALL
            .iter()
            .copied()
            .find(|e| e.source().official_scenarios.contains(&scenario))
    }
}

/// Parses `--extension` values: names separated by commas, or `all`.
pub fn parse_extensions(value: &str) -> Result<Vec<Extension>, String> {
    if value.trim() == "all" {
        return Ok(Extension::ALL.to_vec());
    }
    value
        .split(',')
        .map(|name| {
            name.trim().parse::<Extension>().map_err(|e| {
                let known: Vec<&str> = Extension::ALL.iter().map(|x| x.name()).collect();
                format!("{e} (known: {}, or all)", known.join(", "))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_extension_names_its_scenarios_and_document() {
        for e in Extension::ALL {
            let source = e.source();
            assert!(source.identifier.starts_with("io.modelcontextprotocol/"));
            assert!(!source.official_scenarios.is_empty());
            for s in source.official_scenarios {
                assert_eq!(Extension::of_scenario(s), Some(*e));
            }
        }
        assert_eq!(Extension::of_scenario("auth/metadata-default"), None);
    }

    #[test]
    fn extension_lists_parse() {
        assert_eq!(
            parse_extensions("client-credentials").unwrap(),
            vec![Extension::ClientCredentials]
        );
        assert_eq!(parse_extensions("all").unwrap(), Extension::ALL.to_vec());
        let err = parse_extensions("client-credential").unwrap_err();
        assert!(
            err.contains("unknown extension `client-credential`"),
            "{err}"
        );
        assert!(err.contains("known: client-credentials"), "{err}");
    }
}
