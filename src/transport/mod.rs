//! Layer 2: the one HTTP client through which all outbound traffic goes, and the recorder
//! that keeps every exchange as evidence.

mod connection_policy;
mod http_client;
mod json_get;
mod recorder;
mod target_cap;

pub use connection_policy::{is_loopback, ConnectionPolicy};
pub use http_client::{
    BoxFuture, HttpClient, HttpRequest, HttpResponse, ReqwestClient, TransportError,
    TransportErrorKind, TransportLimits,
};
pub use json_get::get_json;
pub use recorder::Recorder;
pub use target_cap::{TargetCap, IN_FLIGHT_PER_TARGET};
