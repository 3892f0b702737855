//! Layer 1: pure logic. No tokio, no sockets, no file system.

pub mod well_known;
pub mod www_authenticate;
