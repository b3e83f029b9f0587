//! The URLs a run sends to, parsed once before the clock starts.
//!
//! reqwest and ureq accept a string URL and parse it on every request: reqwest into a
//! `url::Url` (with IDNA host processing) and then into an `http::Uri`, ureq into an
//! `http::Uri`. At zero injected latency that parse was ~7% of reqwest's client CPU per
//! request, a cost of the benchmark's bookkeeping rather than of the I/O model being
//! measured, so every strategy gets the form its library takes, already parsed, and
//! only clones it per request (a reference-count bump for the `Uri`, one short string
//! copy for the `Url`).

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
}

impl RequestTarget {
    /// Parses `url` into every form the clients take; an error names the URL and what is
    /// wrong with it.
    pub(crate) fn parse(url: &str) -> Result<Self, RunError> {
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
        })
    }

    /// The form ureq takes.
    pub(crate) fn uri(&self) -> &ureq::http::Uri {
        &self.uri
    }

    /// The form reqwest takes.
    pub(crate) fn url(&self) -> &reqwest::Url {
        &self.url
    }

    /// The request target on an HTTP/1.1 connection: path and query.
    pub(crate) fn origin_form(&self) -> &hyper::Uri {
        &self.origin_form
    }

    /// `host:port`, for the `Host` header.
    pub(crate) fn authority(&self) -> &hyper::header::HeaderValue {
        &self.authority
    }

    /// `host:port`, to connect to (a name is resolved at connect time).
    pub(crate) fn address(&self) -> &str {
        self.authority
            .to_str()
            .expect("built from a parsed URL's host and port, so ASCII")
    }
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
