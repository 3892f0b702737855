//! Layer 3: the actors the harness runs: the mocks and reference implementations (each an
//! axum router bound to 127.0.0.1 on an ephemeral port, or the in-process reference
//! client), process control, and the drivers that set each target role up for a run.

pub mod browser_shim;
pub mod cimd_documents;
pub mod drivers;
pub mod idp;
pub mod listener;
pub mod loopback_client;
pub mod process;
pub mod reference;
pub mod reference_client;
pub mod tokens;
pub mod traffic;
pub mod upstream;
