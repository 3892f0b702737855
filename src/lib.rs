//! mcp-authspec: a conformance suite for the authorization part of the Model Context
//! Protocol. Layers (arrows point down only; ARCHITECTURE.md, enforced by
//! `tests/layers.rs`):
//!
//! 0. [`vocab`]: plain data (the revision table, levels, outcomes, knobs, exchanges, the
//!    run report);
//! 1. [`logic`]: pure logic (typed case models, queries, predicates, templates, built-ins,
//!    redaction, verdicts);
//! 2. input and transport (case loader, recording HTTP client);
//! 3. actors (mocks, reference implementations, process control, and the drivers of the
//!    target roles);
//! 4. engine (one run over any driver);
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
