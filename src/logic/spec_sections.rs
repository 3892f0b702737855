//! The same section of the MCP specification in each revision that has it, so that a
//! verdict for revision R cites R's own text even when the catalog quotes the rule from
//! another revision. 2026-07-28 split `basic/authorization` into an index page
//! (`basic/authorization`) and `…/authorization-server-discovery`,
//! `…/client-registration` and `…/security-considerations`; other sections were renamed
//! (`Preregistration` → `Pre-registration`, `Server Metadata Discovery` → `Authorization
//! Server Metadata Discovery`).
//!
//! Reviewed by hand against the specification repository
//! (modelcontextprotocol/modelcontextprotocol, commit b0f60ba5): every heading below is a
//! heading of that revision's page (or the page's title), and each row's sections state
//! the same rules. A section whose content went elsewhere is left out rather than guessed
//! (2025-03-26 `Security Considerations` and `Implementation Requirements` each hold rules
//! that later revisions spread over several sections).

use crate::vocab::Revision;

const AUTHZ: &str = "basic/authorization";
const DISCOVERY: &str = "basic/authorization/authorization-server-discovery";
const REGISTRATION: &str = "basic/authorization/client-registration";
const SECURITY: &str = "basic/authorization/security-considerations";
const TRANSPORTS: &str = "basic/transports";
const STREAMABLE_HTTP: &str = "basic/transports/streamable-http";
const ELICITATION: &str = "client/elicitation";

const R0326: Revision = Revision::R2025_03_26;
const R0618: Revision = Revision::R2025_06_18;
const R1125: Revision = Revision::R2025_11_25;
const R0728: Revision = Revision::R2026_07_28;

/// One section as each revision that has it names it: (revision, page, heading).
pub type SameSection = &'static [(Revision, &'static str, &'static str)];

pub const SAME_SECTIONS: &[SameSection] = &[
    &[
        (R0326, AUTHZ, "Overview"),
        (R0618, AUTHZ, "Overview"),
        (R1125, AUTHZ, "Overview"),
        (R0728, AUTHZ, "Overview"),
    ],
    &[
        (R0326, AUTHZ, "Error Handling"),
        (R0618, AUTHZ, "Error Handling"),
        (R1125, AUTHZ, "Error Handling"),
        (R0728, AUTHZ, "Error Handling"),
    ],
    &[
        (R0326, AUTHZ, "Token Requirements"),
        (R0618, AUTHZ, "Token Requirements"),
        (R1125, AUTHZ, "Token Requirements"),
        (R0728, AUTHZ, "Token Requirements"),
    ],
    &[
        (R0326, AUTHZ, "Token Handling"),
        (R0618, AUTHZ, "Token Handling"),
        (R1125, AUTHZ, "Token Handling"),
        (R0728, AUTHZ, "Token Handling"),
    ],
    &[
        (R0326, AUTHZ, "Dynamic Client Registration"),
        (R0618, AUTHZ, "Dynamic Client Registration"),
        (R1125, AUTHZ, "Dynamic Client Registration"),
        (R0728, REGISTRATION, "Dynamic Client Registration"),
    ],
    &[
        (R0618, AUTHZ, "Authorization Server Location"),
        (R1125, AUTHZ, "Authorization Server Location"),
        (R0728, DISCOVERY, "Authorization Server Location"),
    ],
    // 2025-06-18 states the protected resource metadata rules (the 401 challenge, the
    // client reading it) under Authorization Server Location; 2025-11-25 gave them a
    // section of their own.
    &[
        (R0618, AUTHZ, "Authorization Server Location"),
        (
            R1125,
            AUTHZ,
            "Protected Resource Metadata Discovery Requirements",
        ),
        (
            R0728,
            DISCOVERY,
            "Protected Resource Metadata Discovery Requirements",
        ),
    ],
    &[
        (R0618, AUTHZ, "Server Metadata Discovery"),
        (R1125, AUTHZ, "Authorization Server Metadata Discovery"),
        (R0728, DISCOVERY, "Authorization Server Metadata Discovery"),
    ],
    &[
        (R0618, AUTHZ, "Sequence Diagram"),
        (
            R1125,
            AUTHZ,
            "Authorization Server Discovery Sequence Diagram",
        ),
        (R0728, DISCOVERY, "Sequence Diagram"),
    ],
    &[
        (R0618, AUTHZ, "Resource Parameter Implementation"),
        (R1125, AUTHZ, "Resource Parameter Implementation"),
        (R0728, AUTHZ, "Resource Parameter Implementation"),
    ],
    &[
        (R0618, AUTHZ, "Canonical Server URI"),
        (R1125, AUTHZ, "Canonical Server URI"),
        (R0728, AUTHZ, "Canonical Server URI"),
    ],
    &[
        (R0618, AUTHZ, "Token Audience Binding and Validation"),
        (R1125, AUTHZ, "Token Audience Binding and Validation"),
        (R0728, SECURITY, "Token Audience Binding and Validation"),
    ],
    &[
        (R0618, AUTHZ, "Token Theft"),
        (R1125, AUTHZ, "Token Theft"),
        (R0728, SECURITY, "Token Theft"),
    ],
    &[
        (R0618, AUTHZ, "Communication Security"),
        (R1125, AUTHZ, "Communication Security"),
        (R0728, SECURITY, "Communication Security"),
    ],
    &[
        (R0618, AUTHZ, "Authorization Code Protection"),
        (R1125, AUTHZ, "Authorization Code Protection"),
        (R0728, SECURITY, "Authorization Code Protection"),
    ],
    &[
        (R0618, AUTHZ, "Open Redirection"),
        (R1125, AUTHZ, "Open Redirection"),
        (R0728, SECURITY, "Open Redirection"),
    ],
    &[
        (R0618, AUTHZ, "Confused Deputy Problem"),
        (R1125, AUTHZ, "Confused Deputy Problem"),
        (R0728, SECURITY, "Confused Deputy Problem"),
    ],
    &[
        (R0618, AUTHZ, "Access Token Privilege Restriction"),
        (R1125, AUTHZ, "Access Token Privilege Restriction"),
        (R0728, SECURITY, "Access Token Privilege Restriction"),
    ],
    &[
        (R1125, AUTHZ, "Authorization Server Abuse Protection"),
        (R0728, SECURITY, "Authorization Server Abuse Protection"),
    ],
    &[
        (R1125, AUTHZ, "Localhost Redirect URI Risks"),
        (R0728, SECURITY, "Localhost Redirect URI Risks"),
    ],
    &[
        (R1125, AUTHZ, "Trust Policies"),
        (R0728, SECURITY, "Trust Policies"),
    ],
    // The client ID metadata document's own requirements (not 2025-03-26's
    // `Implementation Requirements`, which is about OAuth as a whole).
    &[
        (R1125, AUTHZ, "Implementation Requirements"),
        (R0728, REGISTRATION, "Implementation Requirements"),
    ],
    &[
        (R1125, AUTHZ, "Discovery"),
        (R0728, REGISTRATION, "Advertising CIMD Support"),
    ],
    &[
        (R1125, AUTHZ, "Preregistration"),
        (R0728, REGISTRATION, "Pre-registration"),
    ],
    // The page's title: 2026-07-28 gave client registration a page of its own.
    &[
        (R1125, AUTHZ, "Client Registration Approaches"),
        (R0728, REGISTRATION, "Client Registration"),
    ],
    &[
        (R1125, AUTHZ, "Scope Selection Strategy"),
        (R0728, AUTHZ, "Scope Selection Strategy"),
    ],
    &[
        (R1125, AUTHZ, "Runtime Insufficient Scope Errors"),
        (R0728, AUTHZ, "Runtime Insufficient Scope Errors"),
    ],
    &[
        (R1125, AUTHZ, "Step-Up Authorization Flow"),
        (R0728, AUTHZ, "Step-Up Authorization Flow"),
    ],
    &[
        (R0326, TRANSPORTS, "Security Warning"),
        (R0618, TRANSPORTS, "Security Warning"),
        (R1125, TRANSPORTS, "Security Warning"),
        (R0728, STREAMABLE_HTTP, "Security & Endpoint"),
    ],
    &[
        (R0326, TRANSPORTS, "Session Management"),
        (R0618, TRANSPORTS, "Session Management"),
        (R1125, TRANSPORTS, "Session Management"),
    ],
    &[
        (R1125, ELICITATION, "Safe URL Handling"),
        (R0728, ELICITATION, "Safe URL Handling"),
    ],
];

/// The sections of `revision` that state what `page`'s `heading` of another revision
/// states, as (page, heading); empty when the table knows none.
pub fn same_section_in(
    from: Revision,
    page: &str,
    heading: &str,
    revision: Revision,
) -> Vec<(&'static str, &'static str)> {
    let mut found = Vec::new();
    for row in SAME_SECTIONS {
        if !row
            .iter()
            .any(|(r, p, h)| *r == from && *p == page && *h == heading)
        {
            continue;
        }
        for (r, p, h) in row.iter() {
            if *r == revision && !found.contains(&(*p, *h)) {
                found.push((*p, *h));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_names_each_revision_once_and_more_than_one() {
        for row in SAME_SECTIONS {
            assert!(row.len() > 1, "{row:?} maps nothing");
            let mut revisions: Vec<Revision> = row.iter().map(|(r, _, _)| *r).collect();
            revisions.dedup();
            assert_eq!(revisions.len(), row.len(), "{row:?}");
            for (r, page, _) in row.iter() {
                // The 2026-07-28 split pages exist from that revision on only.
                if [DISCOVERY, REGISTRATION, SECURITY, STREAMABLE_HTTP].contains(page) {
                    assert!(*r >= R0728, "{row:?}");
                }
            }
        }
    }

    #[test]
    fn maps_renamed_and_moved_sections() {
        assert_eq!(
            same_section_in(R1125, AUTHZ, "Preregistration", R0728),
            [(REGISTRATION, "Pre-registration")]
        );
        assert_eq!(
            same_section_in(R0728, SECURITY, "Token Theft", R0618),
            [(AUTHZ, "Token Theft")]
        );
        assert!(same_section_in(R0326, AUTHZ, "Security Considerations", R0618).is_empty());
    }
}
