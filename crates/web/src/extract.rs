//! Extractors for pages whose rejections are Vietnamese error pages.
//!
//! `VnQuery<T>` and `VnForm<T>` are axum's `Query` and `Form` with one difference: a query string
//! or a form body that does not fit `T` becomes a 400 page saying what was wrong, in Vietnamese,
//! instead of axum's English plain text. Handlers take them directly, so no handler maps
//! rejections by hand.

use axum::extract::{Form, FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::error::PageError;

/// The query string of a page, deserialized into `T`, or a Vietnamese 400 page.
#[derive(Debug, Clone, Copy, Default)]
pub struct VnQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for VnQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(VnQuery(value)),
            Err(rejection) => Err(crate::pages::query_rejected(&rejection)),
        }
    }
}

/// A URL-encoded form body deserialized into `T`, or a Vietnamese 400 page. A body refused
/// before it is read (wrong content type: 415, too large: 413) keeps its status; the error
/// layer words it in Vietnamese like every plain-text rejection.
#[derive(Debug, Clone, Copy, Default)]
pub struct VnForm<T>(pub T);

impl<T, S> FromRequest<S> for VnForm<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Form::<T>::from_request(req, state).await {
            Ok(Form(value)) => Ok(VnForm(value)),
            Err(rejection)
                if matches!(rejection.status(), StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY) =>
            {
                Err(crate::pages::form_rejected(&rejection).into_response())
            }
            Err(rejection) => Err(rejection.into_response()),
        }
    }
}
