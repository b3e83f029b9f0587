//! The service each connection runs: `GET /` answered directly, every other request
//! through the axum [`Router`] of [`app`](crate::app).
//!
//! Why a direct path: `/` is the route every load test hits, and through the router a
//! delayed request made 16 heap allocations against 6 here (`examples/allocations.rs`;
//! the plain-sleep server of `hello_axum.rs` makes 11 to 13). Among the extra ten,
//! seen in the allocator's backtraces: the boxed handler future (1.6 KiB), a clone of
//! the boxed route service (it holds the state), the extensions map and its table for
//! the empty path parameters, and a new 8 KiB read buffer, because hyper could not
//! reuse its own. Called directly, the handler's future lives in hyper's per-connection
//! slot. The router keeps its `/` route, answered by the same function, for `oneshot`
//! tests and for other methods (`HEAD /`, `POST /` with a body).
//!
//! Every response, on either path, carries the [`SERVER_HEADER`]: a client learns that
//! it is measuring a waitbench server from the responses to the requests it was asked to
//! send, so that a server that is not waitbench is never sent a probe.

use std::convert::Infallible;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Method, Request, Response};
use futures::future::{Either, FutureExt};
use hyper::body::Incoming;
use tower::Service;

use crate::app::{AppState, SERVER_HEADER, root_response};

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
        let response = if request.method() == Method::GET && request.uri().path() == "/" {
            let response = root_response(state.clone(), request.headers(), request.uri().query());
            Either::Left(response.map(Ok))
        } else {
            Either::Right(router.clone().call(request))
        };
        response.map(|answered| {
            answered.map(|mut response| {
                response.headers_mut().insert(
                    SERVER_HEADER,
                    HeaderValue::from_static(env!("CARGO_PKG_VERSION")),
                );
                response
            })
        })
    })
}
