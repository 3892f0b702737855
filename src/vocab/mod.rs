//! Layer 0: plain data shared by every other layer. No I/O, no async.

mod baseline;
mod client_auth_method;
mod client_defect;
mod client_knob;
mod coverage;
mod defect;
mod endpoint;
mod exchange;
pub mod exit_code;
mod extension;
mod idp_defect;
mod idp_knob;
pub mod launch_protocol;
mod level;
pub mod oauth_urns;
mod outcome;
mod process;
mod profile;
mod report;
mod revision;
mod revision_features;
mod revision_set;
mod role;
mod server_knob;
mod shard;

pub use baseline::{BaselineMark, BaselineSummary};
pub use client_auth_method::ClientAuthMethod;
pub use client_defect::ClientDefect;
pub use client_knob::ClientKnob;
pub use coverage::{
    ClauseCoverage, CoverageCount, CoverageReport, RequirementCoverage, RevisionCoverage,
    UntestedKind, UntestedNote,
};
pub use defect::ServerDefect;
pub use endpoint::Endpoint;
pub use exchange::{header_values, Exchange, HeaderPair, SentToken};
pub use extension::{parse_extensions, Extension, ExtensionSource};
pub use idp_defect::IdpDefect;
pub use idp_knob::IdpKnob;
pub use level::Level;
pub use outcome::Outcome;
pub use process::{Interrupt, ProcessEvidence};
pub use profile::Profile;
pub use report::{
    schema_major, union_of_extensions, CaseReport, CheckReport, RunReport, SpecReference, Summary,
    TargetDescription, ToolInfo, REPORT_SCHEMA_VERSION,
};
pub use revision::{Revision, UnknownRevision};
pub use revision_features::RevisionFeatures;
pub use revision_set::RevisionSet;
pub use role::Role;
pub use server_knob::ServerKnob;
pub use shard::{Shard, ShardKind};
