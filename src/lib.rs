//! mcp-authspec: a conformance suite for the authorization part of the Model Context
//! Protocol. Layers (arrows point down only; see DESIGN in the README):
//!
//! 0. [`vocab`]: plain data (revisions, levels, outcomes, exchanges, the run report);
//! 1. [`logic`]: pure logic (case model, queries, predicates, templates, redaction);
//! 2. input and transport (case loader, recording HTTP client);
//! 3. actors (reference implementations and mocks);
//! 4. engine (runner);
//! 5. [`outputs`] and entry points (report writers, CLI, `cargo test` harness).

pub mod actors;
pub mod cli;
pub mod engine;
pub mod harness;
pub mod input;
pub mod logic;
pub mod outputs;
pub mod transport;
pub mod vocab;
