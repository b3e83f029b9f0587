//! The routes and what each request goes through: parameters, pause, connect delay,
//! faults, latency, then the body (possibly paced), with a `Server-Timing` header.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use rand::Rng;
use waitbench_core::units::{ByteRate, Probability};
use waitbench_core::{PreciseTimer, ServerStats};

use crate::body::{Content, ServedBody};
use crate::conditions::Conditions;
use crate::config::ServerConfig;
use crate::connection::{Connection, ConnectionEnd};
use crate::control;
use crate::error::ServerError;
use crate::faults::{FaultKind, PauseFault};
use crate::spec::SpecError;
use crate::stats::{Counters, InFlight, ThreadCpu, Usage};
use crate::{MAX_BODY_BYTES, MAX_STALL};

/// While several delays are pending, the delay timer completes them on a grid of this
/// step, one wake-up for all of a step's: at most this much later, never earlier.
const DELAY_GRID: Duration = Duration::from_micros(50);

/// What every handler shares: the server's defaults, counters, and the precise timer.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// What every request gets unless it asks for something else.
    defaults: Conditions,
    stall_cap: Duration,
    counters: Arc<Counters>,
    cpu: Arc<ThreadCpu>,
    timer: PreciseTimer,
    started: Instant,
    /// What control requests must carry; `None` leaves control open (loopback only).
    control_token: Option<String>,
}

impl AppState {
    /// Checks `config` and creates the delay timer (its driver task runs on the runtime
    /// that serves the first delay). Pause windows are timed from now.
    pub fn new(config: &ServerConfig) -> Result<AppState, ServerError> {
        config.validate()?;
        let mut defaults = config.conditions();
        // A zero default is no default: no `connect` metric on every new connection.
        defaults.latency = defaults.latency.filter(|spec| !spec.is_zero());
        defaults.connect_delay = defaults.connect_delay.filter(|spec| !spec.is_zero());
        let cpu = Arc::new(ThreadCpu::default());
        let timer = PreciseTimer::new(DELAY_GRID).map_err(|source| ServerError::Start {
            what: "timer",
            source,
        })?;
        Ok(AppState {
            inner: Arc::new(Inner {
                defaults,
                stall_cap: config.stall_cap.min(MAX_STALL),
                counters: Arc::default(),
                cpu,
                timer,
                started: Instant::now(),
                control_token: control::effective_token(
                    config.control_token.as_deref(),
                    config.listen,
                ),
            }),
        })
    }

    /// The counters as `/stats` publishes them, with the CPU time of the server's threads.
    pub fn stats(&self) -> ServerStats {
        ServerStats {
            defaults: self.inner.defaults.to_injected(false),
            ..self.inner.counters.snapshot(self.usage())
        }
    }

    /// CPU and timer wake-ups so far.
    fn usage(&self) -> Usage {
        Usage {
            cpu_seconds: self.inner.cpu.seconds(),
            timer_wakeups: self.inner.timer.wakeups(),
        }
    }

    /// Starts a new stats window (as `POST /stats/reset`): max-in-flight restarts from
    /// the number in flight now, and CPU and timer wake-ups per request from zero.
    pub fn reset_max_in_flight(&self) {
        self.inner.counters.reset_window(self.usage());
    }

    /// The token control requests need (configured, or generated for a server that is not
    /// on loopback); `None` when control is open.
    pub fn control_token(&self) -> Option<&str> {
        self.inner.control_token.as_deref()
    }

    /// When the state was created: pause windows are timed from this instant.
    pub fn started_at(&self) -> Instant {
        self.inner.started
    }

    pub(crate) fn counters(&self) -> &Arc<Counters> {
        &self.inner.counters
    }

    pub(crate) fn cpu(&self) -> &Arc<ThreadCpu> {
        &self.inner.cpu
    }

    /// Sleeps `sampled` on the precise timer and returns how long it actually took.
    async fn delay(&self, sampled: Duration) -> Duration {
        if sampled.is_zero() {
            return Duration::ZERO;
        }
        let start = Instant::now();
        self.inner.timer.sleep_until(start + sampled).await;
        start.elapsed()
    }

    /// If now falls in a pause window, waits until it ends; returns the time waited.
    async fn wait_out_pause(&self, pause: Option<PauseFault>) -> Duration {
        let Some(pause) = pause else {
            return Duration::ZERO;
        };
        let start = Instant::now();
        let started = self.inner.started;
        let mut waited = false;
        while let Some(end) = pause.window_end(Instant::now().saturating_duration_since(started)) {
            self.inner.timer.sleep_until(started + end).await;
            waited = true;
        }
        if waited {
            start.elapsed()
        } else {
            Duration::ZERO
        }
    }
}

/// The mock server's routes over `state`; usable with `tower::ServiceExt::oneshot` in
/// tests (without a connection there is no connect delay, and reset and stall end in
/// an error status instead of a dropped connection).
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/", any(root))
        .route("/item/{id}", get(item))
        .route("/bytes/{n}", get(bytes))
        .route("/stats", get(stats))
        .route("/stats/reset", post(reset_stats))
        .route("/health", get(health))
        .with_state(state)
}

// The handlers are plain functions that return their futures, not `async fn`s, so the
// request is dropped before the future first waits (see `respond`).
fn root(State(state): State<AppState>, request: Request) -> impl Future<Output = Response> {
    root_response(state, request.headers(), request.uri().query())
}

/// The answer to `GET /`, for the route above and for the connection's direct path to it
/// ([`crate::service`]), so that both run the same code.
pub(crate) fn root_response(
    state: AppState,
    headers: &HeaderMap,
    query: Option<&str>,
) -> impl Future<Output = Response> + use<> {
    let content = Ok(Content::Bytes(Bytes::from_static(b"ok\n")));
    respond(state, headers, query, content)
}

fn item(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    request: Request,
) -> impl Future<Output = Response> {
    let content = match id {
        Ok(Path(id)) => Ok(Content::Bytes(Bytes::from(format!("item {id}\n")))),
        Err(rejection) => Err(SpecError::new(
            "id",
            rejection.body_text(),
            "a UTF-8 path segment",
        )),
    };
    respond(state, request.headers(), request.uri().query(), content)
}

fn bytes(
    State(state): State<AppState>,
    n: Result<Path<String>, PathRejection>,
    request: Request,
) -> impl Future<Output = Response> {
    let expected =
        format!("a body size from 0 to {MAX_BODY_BYTES} bytes (16 MiB), e.g. 65536 or 64KiB");
    let content = match n {
        Ok(Path(n)) => waitbench_core::units::parse_bytes(&n)
            .filter(|size| *size <= MAX_BODY_BYTES)
            .map(Content::Zeros)
            .ok_or_else(|| SpecError::new("n", n, expected)),
        Err(rejection) => Err(SpecError::new("n", rejection.body_text(), expected)),
    };
    respond(state, request.headers(), request.uri().query(), content)
}

async fn stats(State(state): State<AppState>) -> Json<ServerStats> {
    Json(state.stats())
}

async fn reset_stats(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if !control::authorized(state.control_token(), &headers) {
        return plain(StatusCode::FORBIDDEN, control::FORBIDDEN_BODY);
    }
    state.reset_max_in_flight();
    Json(state.stats()).into_response()
}

/// The response header by which every response says that this is a waitbench server (its
/// value is the version): a client reads `/stats` only from a server that sends it.
pub const SERVER_HEADER: &str = "x-waitbench-server";

async fn health() -> ([(&'static str, &'static str); 1], &'static str) {
    ([(SERVER_HEADER, env!("CARGO_PKG_VERSION"))], "ok\n")
}

/// What a response reports in `Server-Timing`.
#[derive(Debug, Default)]
struct Timing {
    sampled: Duration,
    applied: Duration,
    connect: Option<Duration>,
    paused: Duration,
}

impl Timing {
    fn header(&self) -> HeaderValue {
        use std::io::Write;
        // Four metrics of at most 41 bytes each (", connect;dur=" and the 23 digits of
        // the longest `Duration` in ms, ".", 3): written on the stack, so the only
        // allocation is the header value's own copy.
        let mut text = std::io::Cursor::new([0u8; 192]);
        let mut first = true;
        let mut metric = |name: &str, duration: Duration| {
            // Milliseconds with microsecond decimals, by integer arithmetic: float
            // formatting with a precision is slow, and this runs on every response.
            let us = duration.as_micros();
            let separator = if first { "" } else { ", " };
            first = false;
            let _ = write!(text, "{separator}{name};dur={}.{:03}", us / 1000, us % 1000);
        };
        metric("sampled", self.sampled);
        metric("applied", self.applied);
        if let Some(connect) = self.connect {
            metric("connect", connect);
        }
        if !self.paused.is_zero() {
            metric("pause", self.paused);
        }
        let written = usize::try_from(text.position()).expect("at most 192");
        HeaderValue::from_bytes(&text.get_ref()[..written])
            .expect("digits, letters, ';', ',' and '=' are valid")
    }
}

/// True with probability `p` (false when unset).
fn chance(p: Option<Probability>) -> bool {
    p.is_some_and(|p| rand::rng().random::<f64>() < p.get())
}

/// The request path shared by `/`, `/item/{id}` and `/bytes/{n}`.
///
/// Not an `async fn`: the request is read before the returned future first waits, and
/// `use<>` says the future holds nothing of it. A request's conditions are parsed from
/// borrowed headers instead of a cloned `HeaderMap`, and nothing of the request is kept
/// over the delay (its header values are slices of hyper's read buffer).
fn respond(
    state: AppState,
    headers: &HeaderMap,
    query: Option<&str>,
    content: Result<Content, SpecError>,
) -> impl Future<Output = Response> + use<> {
    let in_flight = state.counters().begin_request();
    let connection = Connection::current();
    // Every request consumes the flag (even a refused one), so only a connection's
    // first request is delayed.
    let first_request = connection.as_ref().is_some_and(|c| c.take_first_request());
    let asked = Conditions::from_request(headers, query);
    let asked = asked.and_then(|asked| Ok((asked, content?)));
    async move {
        let (asked, content) = match asked {
            Ok(ok) => ok,
            Err(error) => return bad_request(&error),
        };
        delayed(state, connection, first_request, in_flight, &asked, content).await
    }
}

/// What [`respond`] does after reading the request: pause, connect delay, faults,
/// latency, then the response.
async fn delayed(
    state: AppState,
    connection: Option<Arc<Connection>>,
    first_request: bool,
    in_flight: InFlight,
    asked: &Conditions,
    content: Content,
) -> Response {
    let inner = &state.inner;
    let counters = state.counters();
    let conditions = inner.defaults.overlaid(asked);
    let faults = &conditions.faults;
    let mut timing = Timing::default();

    timing.paused += state.wait_out_pause(faults.pause).await;

    if let Some(spec) = conditions.connect_delay.as_ref().filter(|_| first_request) {
        let sampled = spec.sample(&mut rand::rng());
        timing.connect = Some(state.delay(sampled).await);
    }

    if chance(faults.reset) {
        counters.fault_injected(FaultKind::Reset);
        let Some(connection) = connection else {
            return plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "reset needs a TCP connection\n",
            );
        };
        // The connection task drops the connection (and this future) with a RST.
        connection.end(ConnectionEnd::Reset);
        return std::future::pending().await;
    }
    if chance(faults.stall) {
        counters.fault_injected(FaultKind::Stall);
        tokio::time::sleep(inner.stall_cap).await;
        let Some(connection) = connection else {
            return plain(StatusCode::GATEWAY_TIMEOUT, "stalled\n");
        };
        connection.end(ConnectionEnd::Close);
        return std::future::pending().await;
    }
    let failure = faults.fail.filter(|fail| chance(Some(fail.probability())));

    let latency = conditions.latency.as_ref();
    timing.sampled = latency.map_or(Duration::ZERO, |spec| spec.sample(&mut rand::rng()));
    timing.applied = state.delay(timing.sampled).await;

    // A request still in flight when a pause begins is held until it ends, too.
    timing.paused += state.wait_out_pause(faults.pause).await;
    if !timing.paused.is_zero() {
        counters.fault_injected(FaultKind::Pause);
    }

    let (status, content, content_type) = match failure {
        Some(fail) => {
            counters.fault_injected(FaultKind::Fail);
            let status =
                StatusCode::from_u16(fail.status()).expect("a fail fault's status is in 100..=599");
            let body = Bytes::from_static(b"injected failure\n");
            (status, Content::Bytes(body), "text/plain; charset=utf-8")
        }
        None => match content {
            Content::Zeros(_) => (StatusCode::OK, content, "application/octet-stream"),
            Content::Bytes(_) => (StatusCode::OK, content, "text/plain; charset=utf-8"),
        },
    };
    if faults.bandwidth.is_some() {
        counters.fault_injected(FaultKind::Bandwidth);
    }
    let bytes_per_s = faults.bandwidth.map(ByteRate::bytes_per_s);
    let body = ServedBody::new(content, bytes_per_s, Some(in_flight));
    let mut response = Response::new(Body::new(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert("server-timing", timing.header());
    response
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (status, text).into_response()
}

/// A 400 whose JSON body carries the error's three fields and its message.
fn bad_request(error: &SpecError) -> Response {
    let body = serde_json::json!({
        "error": error.to_string(),
        "parameter": error.parameter,
        "value": error.value,
        "expected": error.expected,
    });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use axum::http::Request;
    use tower::ServiceExt;

    use super::*;
    use crate::parameter::Parameter;

    fn state() -> AppState {
        AppState::new(&ServerConfig::default()).unwrap()
    }

    async fn get(state: &AppState, uri: &str) -> (StatusCode, HeaderMap, Bytes) {
        let request = Request::get(uri).body(Body::empty()).unwrap();
        let response = app(state.clone()).oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        (parts.status, parts.headers, bytes)
    }

    #[tokio::test]
    async fn routes_answer_with_their_bodies() {
        let state = state();
        assert_eq!(get(&state, "/").await.2, "ok\n");
        assert_eq!(get(&state, "/item/42").await.2, "item 42\n");
        let (status, headers, body) = get(&state, "/bytes/64KiB").await;
        assert_eq!((status, body.len()), (StatusCode::OK, 65536));
        assert_eq!(headers[header::CONTENT_LENGTH], "65536");
        let (_, headers, body) = get(&state, "/health").await;
        assert_eq!(body, "ok\n");
        assert_eq!(headers[SERVER_HEADER], env!("CARGO_PKG_VERSION"));
        assert_eq!(get(&state, "/nope").await.0, StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn stats_count_injected_routes_only() {
        let state = state();
        get(&state, "/").await;
        get(&state, "/item/1").await;
        get(&state, "/health").await;
        get(&state, "/stats").await;
        let stats: ServerStats = serde_json::from_slice(&get(&state, "/stats").await.2).unwrap();
        assert_eq!(
            (stats.requests_served, stats.in_flight, stats.max_in_flight),
            (2, 0, 1)
        );
    }

    async fn post_reset(state: &AppState, authorization: Option<&str>) -> (StatusCode, Bytes) {
        let mut request = Request::post("/stats/reset");
        if let Some(value) = authorization {
            request = request.header(header::AUTHORIZATION, value);
        }
        let response = app(state.clone())
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, body)
    }

    #[tokio::test]
    async fn control_needs_the_token_when_one_is_set() {
        let state = AppState::new(&ServerConfig {
            control_token: Some("s3cret".into()),
            ..ServerConfig::default()
        })
        .unwrap();
        for wrong in [None, Some("Bearer guess"), Some("s3cret")] {
            let (status, body) = post_reset(&state, wrong).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{wrong:?}");
            let body = String::from_utf8(body.to_vec()).unwrap();
            assert!(body.contains("Authorization: Bearer"), "{body}");
        }
        assert_eq!(
            post_reset(&state, Some("Bearer s3cret")).await.0,
            StatusCode::OK
        );
        // Per-request parameters stay open: they touch only the request that asks.
        assert_eq!(get(&state, "/?fail=1:418").await.0, StatusCode::IM_A_TEAPOT);
    }

    #[tokio::test]
    async fn loopback_without_a_token_leaves_control_open() {
        let state = state();
        assert_eq!(state.control_token(), None);
        assert_eq!(post_reset(&state, None).await.0, StatusCode::OK);
    }

    #[tokio::test]
    async fn a_server_off_loopback_without_a_token_generates_one() {
        let state = AppState::new(&ServerConfig {
            listen: "0.0.0.0:0".parse().unwrap(),
            ..ServerConfig::default()
        })
        .unwrap();
        let token = state.control_token().expect("generated").to_string();
        assert_eq!(post_reset(&state, None).await.0, StatusCode::FORBIDDEN);
        let bearer = format!("Bearer {token}");
        assert_eq!(post_reset(&state, Some(&bearer)).await.0, StatusCode::OK);
    }

    #[tokio::test]
    async fn header_latency_applies_and_the_query_overrides_it() {
        let state = state();
        let request = Request::get("/")
            .header(Parameter::Latency.header(), "3ms")
            .body(Body::empty())
            .unwrap();
        let response = app(state.clone()).oneshot(request).await.unwrap();
        let timing = response.headers()["server-timing"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            timing.starts_with("sampled;dur=3.000, applied;dur="),
            "{timing}"
        );
        let request = Request::get("/?latency=1ms")
            .header(Parameter::Latency.header(), "3ms")
            .body(Body::empty())
            .unwrap();
        let response = app(state).oneshot(request).await.unwrap();
        let timing = response.headers()["server-timing"].to_str().unwrap();
        assert!(timing.starts_with("sampled;dur=1.000,"), "{timing}");
    }

    #[tokio::test]
    async fn the_query_conditions_write_is_the_one_the_server_applies() {
        let conditions =
            Conditions::from_query("latency=mix(0.5:2ms,0.5:uniform(2ms,2ms))&fail=1:418").unwrap();
        let uri = format!("/?{}", conditions.to_query().unwrap());
        let (status, headers, _) = get(&state(), &uri).await;
        assert_eq!(status, StatusCode::IM_A_TEAPOT, "{uri}");
        let timing = headers["server-timing"].to_str().unwrap();
        assert!(timing.starts_with("sampled;dur=2.000,"), "{timing}");
    }

    #[tokio::test]
    async fn every_condition_can_be_set_by_header() {
        let request = Request::get("/")
            .header(Parameter::Fail.header(), "1:418")
            .header(Parameter::Latency.header(), "uniform(1ms,1ms)")
            .body(Body::empty())
            .unwrap();
        let response = app(state()).oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::IM_A_TEAPOT);
        let timing = response.headers()["server-timing"].to_str().unwrap();
        assert!(timing.starts_with("sampled;dur=1.000,"), "{timing}");
    }

    #[tokio::test]
    async fn bad_parameters_get_a_400_naming_them() {
        let state = state();
        for (uri, parameter) in [
            ("/?latency=fast", "latency"),
            ("/?latency=61s", "latency"),
            ("/?connect_delay=uniform(2ms,1ms)", "connect_delay"),
            ("/?fail=2:503", "fail"),
            ("/?bandwidth=0", "bandwidth"),
            ("/?pause=1s/1s", "pause"),
            ("/?latncy=5ms", "latncy"),
            ("/bytes/17MiB", "n"),
            ("/bytes/lots", "n"),
        ] {
            let (status, _, body) = get(&state, uri).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
            let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(json["parameter"], parameter, "{uri}");
            assert!(
                json["expected"].as_str().is_some_and(|s| !s.is_empty()),
                "{uri}"
            );
            assert!(
                json["error"]
                    .as_str()
                    .is_some_and(|s| s.contains(parameter)),
                "{uri}"
            );
        }
        let request = Request::get("/")
            .header(Parameter::Latency.header(), "soon")
            .body(Body::empty())
            .unwrap();
        let response = app(state).oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }
}
