//! Layer 2: the one HTTP client through which all outbound traffic goes, and the recorder
//! that keeps every exchange as evidence.

mod http_client;
mod recorder;

pub use http_client::{
    BoxFuture, HttpClient, HttpRequest, HttpResponse, ReqwestClient, TransportError,
    TransportErrorKind, TransportLimits,
};
pub use recorder::Recorder;
