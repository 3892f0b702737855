//! Layer 1: pure logic. No tokio, no sockets, no file system.

pub mod answer;
pub mod as_config;
pub mod case;
pub mod case_model;
pub mod catalog;
pub mod client_case;
pub mod consent_hint;
pub mod diagnostic;
pub mod documents;
pub mod event_stream;
pub mod flow_stop;
pub mod json_schemas;
pub mod jwt_view;
pub mod mcp_messages;
pub mod observation;
pub mod official_scenarios;
pub mod predicate;
pub mod query;
pub mod redaction;
pub mod spec_sections;
pub mod spoken_version;
pub mod template;
pub mod token_recipe;
pub mod verdict;
pub mod well_known;
pub mod www_authenticate;
