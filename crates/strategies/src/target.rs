//! The URLs a run sends to, parsed once before the clock starts.
//!
//! reqwest and ureq accept a string URL and parse it on every request: reqwest into a
//! `url::Url` (with IDNA host processing) and then into an `http::Uri`, ureq into an
//! `http::Uri`. At zero injected latency that parse was ~7% of reqwest's client CPU per
//! request, a cost of the benchmark's bookkeeping rather than of the I/O model being
//! measured, so every strategy gets the form its library takes, already parsed, and
//! only clones it per request (a reference-count bump for the `Uri`, one short string
//! copy for the `Url`).
//!
//! The method, headers and body (`-m`, `-H`, `--body`) are parsed here too, once, into
//! the types the libraries take; a plain `GET` keeps every client's shortest path, so
//! measuring without them costs what it did before they existed.

use std::sync::Arc;

use bytes::Bytes;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::http::Method;
use waitbench_core::{ErrorSamples, RequestSpec};

use crate::error::RunError;

/// One URL of the workload, parsed for every client library.
#[derive(Debug, Clone)]
pub(crate) struct RequestTarget {
    uri: ureq::http::Uri,
    url: reqwest::Url,
    /// The path and query alone: a raw HTTP/1.1 connection sends the origin form.
    origin_form: hyper::Uri,
    /// `host:port` as the `Host` header and the address to connect to.
    authority: hyper::header::HeaderValue,
    /// The method, headers and body every request carries.
    request: ParsedRequest,
    /// Where a failed request's message goes: one store for the whole run.
    errors: Arc<ErrorSamples>,
}

/// A [`RequestSpec`] in the libraries' types; cloned per request (the body's `Bytes` by
/// reference count).
#[derive(Debug, Clone)]
pub(crate) struct ParsedRequest {
    /// The method.
    pub(crate) method: Method,
    /// The user's headers, in order (a name given twice is sent twice).
    pub(crate) headers: HeaderMap,
    /// The body; empty without one.
    pub(crate) body: Bytes,
    /// Whether this is a plain `GET` with no header or body.
    pub(crate) plain: bool,
}

impl ParsedRequest {
    /// Parses `spec`; `bad` names the URL in the error.
    fn parse(spec: &RequestSpec, bad: impl Fn(String) -> RunError) -> Result<Self, RunError> {
        let method = Method::from_bytes(spec.method.as_bytes())
            .map_err(|e| bad(format!("method {:?}: {e}", spec.method)))?;
        let mut headers = HeaderMap::new();
        for header in &spec.headers {
            let name = HeaderName::from_bytes(header.name.as_bytes())
                .map_err(|e| bad(format!("header {:?}: {e}", header.name)))?;
            let value = HeaderValue::from_str(&header.value)
                .map_err(|e| bad(format!("header {:?}: {e}", header.name)))?;
            headers.append(name, value);
        }
        Ok(ParsedRequest {
            method,
            headers,
            body: Bytes::copy_from_slice(spec.body_bytes()),
            plain: spec.is_plain_get(),
        })
    }
}

impl RequestTarget {
    /// Parses `url` for a plain `GET` (tests).
    #[cfg(test)]
    pub(crate) fn parse(url: &str) -> Result<Self, RunError> {
        Self::parse_with(url, &RequestSpec::default(), &Arc::default())
    }

    /// Parses `url` and the request `spec` into every form the clients take; an error
    /// names the URL and what is wrong with it. Failures' messages go to `errors`.
    pub(crate) fn parse_with(
        url: &str,
        spec: &RequestSpec,
        errors: &Arc<ErrorSamples>,
    ) -> Result<Self, RunError> {
        let bad = |reason: String| RunError::Target {
            url: url.to_string(),
            reason,
        };
        let uri = url
            .parse::<ureq::http::Uri>()
            .map_err(|e| bad(e.to_string()))?;
        let parsed = reqwest::Url::parse(url).map_err(|e| bad(e.to_string()))?;
        let host = parsed
            .host_str()
            .ok_or_else(|| bad("no host".to_string()))?;
        let port = parsed
            .port_or_known_default()
            .ok_or_else(|| bad("no port and no default port for the scheme".to_string()))?;
        let origin_form = uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .parse()
            .map_err(|e: hyper::http::uri::InvalidUri| bad(e.to_string()))?;
        let authority = format!("{host}:{port}")
            .parse()
            .map_err(|e: hyper::header::InvalidHeaderValue| bad(e.to_string()))?;
        Ok(RequestTarget {
            uri,
            url: parsed,
            origin_form,
            authority,
            request: ParsedRequest::parse(spec, bad)?,
            errors: Arc::clone(errors),
        })
    }

    /// Notes a failed request's message (formatted only while messages are collected).
    pub(crate) fn note_error(&self, message: impl FnOnce() -> String) {
        self.errors.note(message);
    }

    /// The messages noted so far, by any target of the run.
    pub(crate) fn error_messages(&self) -> Vec<String> {
        self.errors.messages()
    }

    /// The method, headers and body.
    pub(crate) fn request(&self) -> &ParsedRequest {
        &self.request
    }

    /// The form ureq takes.
    pub(crate) fn uri(&self) -> &ureq::http::Uri {
        &self.uri
    }

    /// The form reqwest takes.
    pub(crate) fn url(&self) -> &reqwest::Url {
        &self.url
    }

    /// The absolute URI: HTTP/2 sends scheme and authority as pseudo-headers.
    pub(crate) fn absolute(&self) -> &hyper::Uri {
        &self.uri
    }

    /// The request target on an HTTP/1.1 connection: path and query.
    pub(crate) fn origin_form(&self) -> &hyper::Uri {
        &self.origin_form
    }

    /// `host:port`, for the `Host` header.
    pub(crate) fn authority(&self) -> &hyper::header::HeaderValue {
        &self.authority
    }

    /// The host alone, as TLS checks the certificate against it.
    pub(crate) fn host(&self) -> &str {
        self.url.host_str().unwrap_or_default()
    }

    /// `host:port`, to connect to (a name is resolved at connect time).
    pub(crate) fn address(&self) -> &str {
        self.authority
            .to_str()
            .expect("built from a parsed URL's host and port, so ASCII")
    }
}

/// An error and its sources, `outer: inner: …`: a client library's top-level message
/// (`error sending request`) rarely says what happened; its innermost source does.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        let inner_text = inner.to_string();
        if !text.contains(&inner_text) {
            text.push_str(": ");
            text.push_str(&inner_text);
        }
        source = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_name_the_same_resource() {
        let target = RequestTarget::parse("http://127.0.0.1:8080/item/7?latency=5ms").unwrap();
        assert_eq!(
            target.uri().to_string(),
            "http://127.0.0.1:8080/item/7?latency=5ms"
        );
        assert_eq!(
            target.url().as_str(),
            "http://127.0.0.1:8080/item/7?latency=5ms"
        );
    }

    #[test]
    fn a_bad_url_is_named_in_the_error() {
        let err = RequestTarget::parse("http://exa mple.com/").unwrap_err();
        let message = err.to_string();
        assert!(message.contains("http://exa mple.com/"), "{message}");
    }
}
