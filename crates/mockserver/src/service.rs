//! The service each connection runs: `GET /` answered directly, every other request
//! through the axum [`Router`] of [`app`](crate::app).
//!
//! Why a direct path: `/` is the route every load test hits, and through the router a
//! request costs five heap allocations a plain `tokio::time::sleep` handler without
//! state does not make (the boxed handler future, about 1.5 KiB because it holds the
//! request's conditions over the delay; a clone of the boxed route service, which holds
//! the state; the extensions map and its table for the empty path parameters; the boxed
//! request body). Called directly, the handler's future lives in hyper's per-connection
//! slot and none of these is made. The router keeps its `/` route, answered by the same
//! function, for `oneshot` tests and for `HEAD /`.

use std::convert::Infallible;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, Response};
use futures::future::{Either, FutureExt};
use hyper::body::Incoming;
use tower::Service;

use crate::app::{AppState, root_response};

/// One connection's service: `GET /` with `state`, everything else through `router`
/// (built over the same state).
pub(crate) fn connection_service(
    state: AppState,
    router: Router,
) -> impl hyper::service::Service<
    Request<Incoming>,
    Response = Response<Body>,
    Error = Infallible,
    Future: Send,
> {
    hyper::service::service_fn(move |request: Request<Incoming>| {
        if request.method() == Method::GET && request.uri().path() == "/" {
            let response = root_response(state.clone(), request.headers(), request.uri().query());
            Either::Left(response.map(Ok))
        } else {
            Either::Right(router.clone().call(request))
        }
    })
}
