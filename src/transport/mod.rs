//! Layer 2: the one HTTP client through which all outbound traffic goes, and the recorder
//! that keeps every exchange as evidence.

mod http_client;
mod json_get;
mod recorder;

pub use http_client::{
    BoxFuture, HttpClient, HttpRequest, HttpResponse, ReqwestClient, TransportError,
    TransportErrorKind, TransportLimits,
};
pub use json_get::get_json;
pub use recorder::Recorder;
