//! Who may change server-wide state. Per-request parameters (`?latency=`, `?fail=`, …)
//! touch only the request that carries them, within the caps, so they stay open. A
//! control endpoint (`POST /stats/reset`) changes what every client of the server sees,
//! so on a server others can reach it is default-deny: it needs the token the server was
//! started with, sent as `Authorization: Bearer TOKEN`.
//!
//! A server bound to loopback with no token configured keeps control open: it is the
//! embedded server of a run, or one only this machine's users reach. A server bound
//! anywhere else without a token gets a random one at start, which `waitbench serve`
//! prints, so forgetting `--control-token` never leaves control open to the network.

use std::net::SocketAddr;

use axum::http::{HeaderMap, header};
use rand::Rng;

/// The header a control request carries its token in, as `Bearer TOKEN`.
pub const CONTROL_TOKEN_HEADER: &str = "authorization";

/// The environment variable `waitbench serve` reads the control token from when
/// `--control-token` is not given.
pub const CONTROL_TOKEN_ENV: &str = "WAITBENCH_CONTROL_TOKEN";

/// The body of a refused control request: names the header and where the token comes from.
pub(crate) const FORBIDDEN_BODY: &str = "control endpoint: send the server's control token as \
    `Authorization: Bearer TOKEN` (given at start by --control-token or WAITBENCH_CONTROL_TOKEN, \
    or printed by the server when it generated one)\n";

/// A random control token: 128 bits from the thread's CSPRNG, as 32 hex digits.
pub fn generate_control_token() -> String {
    let bits: u128 = rand::rng().random();
    format!("{bits:032x}")
}

/// The token control requests need on a server listening on `listen`: the configured one,
/// else a generated one unless the address is loopback, where control stays open.
pub(crate) fn effective_token(configured: Option<&str>, listen: SocketAddr) -> Option<String> {
    match configured {
        Some(token) => Some(token.to_string()),
        None if listen.ip().is_loopback() => None,
        None => Some(generate_control_token()),
    }
}

/// Whether `headers` carry `token` as a bearer token (always true when there is none).
pub(crate) fn authorized(token: Option<&str>, headers: &HeaderMap) -> bool {
    let Some(token) = token else {
        return true;
    };
    let Some(presented) = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
    else {
        return false;
    };
    constant_time_eq(presented.trim().as_bytes(), token.as_bytes())
}

/// Compares without returning early on the first differing byte, so response time does
/// not reveal how much of a guessed token was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn bearer(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn generated_tokens_are_32_hex_digits_and_differ() {
        let (a, b) = (generate_control_token(), generate_control_token());
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()), "{a}");
        assert_ne!(a, b);
    }

    #[test]
    fn loopback_without_a_token_stays_open_and_other_addresses_get_one() {
        let loopback: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let v6_loopback: SocketAddr = "[::1]:0".parse().unwrap();
        let any: SocketAddr = "0.0.0.0:0".parse().unwrap();
        assert_eq!(effective_token(None, loopback), None);
        assert_eq!(effective_token(None, v6_loopback), None);
        assert_eq!(effective_token(None, any).map(|t| t.len()), Some(32));
        assert_eq!(
            effective_token(Some("s3cret"), loopback).as_deref(),
            Some("s3cret")
        );
    }

    #[test]
    fn only_the_right_bearer_token_is_authorized() {
        let token = Some("s3cret");
        assert!(authorized(token, &bearer("Bearer s3cret")));
        assert!(!authorized(token, &bearer("Bearer s3cre")));
        assert!(!authorized(token, &bearer("Bearer s3cretx")));
        assert!(!authorized(token, &bearer("s3cret")));
        assert!(!authorized(token, &bearer("Basic s3cret")));
        assert!(!authorized(token, &HeaderMap::new()));
        assert!(authorized(None, &HeaderMap::new()));
    }
}
