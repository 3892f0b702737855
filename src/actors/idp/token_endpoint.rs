//! TODO(helper)

use std::sync::Arc;

use axum::Router;

use super::state::IdpState;

pub fn routes(state: Arc<IdpState>) -> Router {
    let _ = state;
    Router::new()
}
