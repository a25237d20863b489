//! Areas, activities, agencies, lists and search. (Being written.)

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
