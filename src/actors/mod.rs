//! Layer 3: the actors the harness runs: reference implementations (and, later, mocks).
//! Every actor is an axum router bound to 127.0.0.1 on an ephemeral port.

pub mod browser_shim;
pub mod drivers;
pub mod idp;
pub mod listener;
pub mod loopback_client;
pub mod process;
pub mod reference;
pub mod reference_client;
pub mod tokens;
pub mod traffic;
