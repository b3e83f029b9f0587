//! `--target` as the user typed it: a full URL whose path and query are sent exactly as
//! given, as curl, oha and wrk send them. The URL is split once into the server (scheme
//! and authority, where connections go) and the request target (path and query), and
//! nothing is appended to or normalised in the latter.

use crate::error::{Result, SuiteError};

/// The parts of a `--target` URL.
pub struct TargetUrl;

impl TargetUrl {
    /// Splits `url` into `scheme://authority` and its path-and-query, `None` when it has
    /// none beyond `/` (then `--path` or `/` is sent). A fragment (`#…`) is not sent, as
    /// no client sends one.
    pub fn split(url: &str) -> Result<(String, Option<String>)> {
        let bad = |why: &str| {
            SuiteError::Usage(format!(
                "--target {url:?} {why}; give a URL like http://127.0.0.1:8080/path?query"
            ))
        };
        let url = url.trim();
        url.parse::<ureq::http::Uri>()
            .map_err(|e| bad(&format!("is not a URL ({e})")))?;
        let (scheme, rest) = url.split_once("://").ok_or_else(|| bad("has no scheme"))?;
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, request_target) = rest.split_at(end);
        if authority.is_empty() {
            return Err(bad("has no host"));
        }
        let request_target = request_target
            .split_once('#')
            .map_or(request_target, |(before, _)| before);
        let base = format!("{scheme}://{authority}");
        let path = match request_target {
            "" | "/" => None,
            p if p.starts_with('?') => Some(format!("/{p}")),
            p => Some(p.to_string()),
        };
        Ok((base, path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(url: &str) -> (String, Option<String>) {
        TargetUrl::split(url).unwrap()
    }

    #[test]
    fn path_and_query_are_kept_exactly() {
        assert_eq!(
            split("http://127.0.0.1:8080/index.html"),
            ("http://127.0.0.1:8080".into(), Some("/index.html".into()))
        );
        assert_eq!(
            split("http://127.0.0.1:8080/?a=1"),
            ("http://127.0.0.1:8080".into(), Some("/?a=1".into()))
        );
        assert_eq!(
            split("http://h:1/a//b/?x=%20y&z"),
            ("http://h:1".into(), Some("/a//b/?x=%20y&z".into()))
        );
        assert_eq!(split("http://h:1?q=1").1.as_deref(), Some("/?q=1"));
        assert_eq!(split("http://h:1/p#frag").1.as_deref(), Some("/p"));
    }

    #[test]
    fn a_bare_server_or_root_has_no_path_of_its_own() {
        assert_eq!(split("http://h:1"), ("http://h:1".into(), None));
        assert_eq!(split("http://h:1/"), ("http://h:1".into(), None));
    }

    #[test]
    fn a_url_without_scheme_or_host_names_the_form() {
        let err = TargetUrl::split("127.0.0.1:8080").unwrap_err().to_string();
        assert!(
            err.contains("has no scheme") && err.contains("http://"),
            "{err}"
        );
        assert!(TargetUrl::split("http:///x").is_err());
        let err = TargetUrl::split("http://exa mple/")
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not a URL"), "{err}");
    }
}
