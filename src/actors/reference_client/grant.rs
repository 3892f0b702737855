//! Which grant a run of the reference client uses, by the official scenario it is
//! launched for (the launch context's `name`, on which clients of the official suite
//! dispatch): the authorization code flow of the base specification, or one of the
//! extensions' grants that need no user at the MCP authorization server.

use super::wire::Ctx;
use crate::vocab::{ClientDefect as D, Extension};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Grant {
    /// The base specification's authorization code flow with PKCE.
    AuthorizationCode,
    /// The OAuth client credentials extension (RFC 6749 §4.4).
    ClientCredentials,
    /// Enterprise-managed authorization: token exchange at the enterprise identity
    /// provider, then the ID-JAG as an RFC 7523 §2.1 grant.
    EnterpriseManaged,
    /// Workload identity federation: the workload's JWT as an RFC 7523 §2.1 grant.
    Workload,
}

pub(super) fn grant_of(ctx: &Ctx) -> Grant {
    let scenario = ctx.launch.context_str("name").unwrap_or_default();
    match Extension::of_scenario(scenario) {
        Some(Extension::ClientCredentials) if !ctx.has(D::CcUsesAuthorizationCode) => {
            Grant::ClientCredentials
        }
        Some(Extension::EnterpriseManagedAuthorization)
            if !ctx.has(D::EmaUsesAuthorizationCode) =>
        {
            Grant::EnterpriseManaged
        }
        Some(Extension::WorkloadIdentityFederation) if !ctx.has(D::WifUsesAuthorizationCode) => {
            Grant::Workload
        }
        _ => Grant::AuthorizationCode,
    }
}
