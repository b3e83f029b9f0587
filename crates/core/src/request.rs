//! What each request is besides its URL: the method, the headers and the body, as the user
//! gave them with `-m`, `-H`, `--body` and `--body-file`.
//!
//! An API that needs a token or a POST can only be measured with the request it expects,
//! so every strategy, Rust or Python, sends the same [`RequestSpec`]. It is part of the
//! [`Workload`](crate::Workload), and so of the result document, which says what was
//! sent: the method, every header (the values of credentials, such as `Authorization`,
//! written as `<redacted>`, since result files are shared), and the body's size and
//! where it came from (not its bytes, which may be large or private).

use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Headers whose values are credentials: the result document does not repeat them.
const REDACTED_HEADERS: [&str; 4] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-api-key",
];

/// What a redacted header value is written as.
pub const REDACTED: &str = "<redacted>";

/// A request flag that cannot be sent, with what would be.
#[derive(Debug, Error, PartialEq)]
#[non_exhaustive]
pub enum RequestError {
    /// The method is not an HTTP token.
    #[error("method {0:?} is not an HTTP method; give one like GET, POST or PUT")]
    BadMethod(String),
    /// A `-H` value without `Name: value`, or with characters a header cannot hold.
    #[error("header {given:?} {reason}; give it as -H 'Name: value'")]
    BadHeader {
        /// The text given.
        given: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// `--body-file` could not be read.
    #[error("cannot read --body-file {path}: {reason}")]
    BodyFile {
        /// The file named.
        path: String,
        /// Why.
        reason: String,
    },
}

/// One header line, `Name: value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The name, as given (HTTP/1.1 names are case-insensitive).
    pub name: String,
    /// The value, as given.
    pub value: String,
}

impl Header {
    /// Parses `Name: value` (`curl -H` and `oha -H` syntax).
    pub fn parse(text: &str) -> Result<Self, RequestError> {
        let bad = |reason| RequestError::BadHeader {
            given: text.to_string(),
            reason,
        };
        let (name, value) = text.split_once(':').ok_or_else(|| bad("has no ':'"))?;
        let name = name.trim();
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            return Err(bad("has no valid name before ':'"));
        }
        let value = value.trim();
        if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
            return Err(bad("has a line break or NUL in its value"));
        }
        Ok(Header {
            name: name.to_string(),
            value: value.to_string(),
        })
    }

    /// Whether this header's value is a credential the result document leaves out.
    pub fn is_secret(&self) -> bool {
        REDACTED_HEADERS
            .iter()
            .any(|secret| self.name.eq_ignore_ascii_case(secret))
    }
}

/// Whether `b` may appear in an HTTP token (a method or a header name, RFC 9110 §5.6.2).
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The body every request carries, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RequestBody {
    /// `--body` for text given on the command line, or the file `--body-file` read.
    pub from: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// The bytes themselves: sent, never written to a result.
    #[serde(skip)]
    #[schemars(skip)]
    pub data: Vec<u8>,
}

/// Method, headers and body of every request of a workload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RequestSpec {
    /// The HTTP method, e.g. `GET`.
    pub method: String,
    /// Extra headers, `Name: value`, in the order given (credentials' values redacted).
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "header_lines")]
    #[schemars(with = "Vec<String>")]
    pub headers: Vec<Header>,
    /// The body, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<RequestBody>,
}

impl Default for RequestSpec {
    fn default() -> Self {
        RequestSpec {
            method: "GET".into(),
            headers: Vec::new(),
            body: None,
        }
    }
}

impl RequestSpec {
    /// The request the flags describe: `method` (upper-cased: `post` is `POST`), the
    /// `Name: value` headers, and a body from `--body` text or a `--body-file`.
    pub fn from_flags(
        method: &str,
        headers: &[String],
        body: Option<&str>,
        body_file: Option<&Path>,
    ) -> Result<Self, RequestError> {
        let method = method.trim().to_ascii_uppercase();
        if method.is_empty() || !method.bytes().all(is_token_byte) {
            return Err(RequestError::BadMethod(method));
        }
        let headers = headers
            .iter()
            .map(|h| Header::parse(h))
            .collect::<Result<_, _>>()?;
        let body = match (body, body_file) {
            (Some(text), _) => Some(RequestBody {
                from: "--body".into(),
                bytes: text.len() as u64,
                data: text.as_bytes().to_vec(),
            }),
            (None, Some(path)) => {
                let data = std::fs::read(path).map_err(|e| RequestError::BodyFile {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })?;
                Some(RequestBody {
                    from: path.display().to_string(),
                    bytes: data.len() as u64,
                    data,
                })
            }
            (None, None) => None,
        };
        Ok(RequestSpec {
            method,
            headers,
            body,
        })
    }

    /// Whether this is the plain `GET` with no header or body, which every client sends
    /// by its shortest path.
    pub fn is_plain_get(&self) -> bool {
        self.method == "GET" && self.headers.is_empty() && self.body.is_none()
    }

    /// The body's bytes (empty without a body).
    pub fn body_bytes(&self) -> &[u8] {
        self.body.as_ref().map_or(&[], |b| &b.data)
    }
}

/// Headers as `Name: value` lines in JSON, credentials' values redacted.
mod header_lines {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::{Header, REDACTED};

    pub fn serialize<S: Serializer>(headers: &[Header], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(headers.iter().map(|h| {
            let value = if h.is_secret() { REDACTED } else { &h.value };
            format!("{}: {value}", h.name)
        }))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<Header>, D::Error> {
        Vec::<String>::deserialize(deserializer)?
            .iter()
            .map(|line| Header::parse(line).map_err(serde::de::Error::custom))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_is_split_at_its_first_colon_and_trimmed() {
        let h = Header::parse("Authorization: Bearer a:b").unwrap();
        assert_eq!(
            (h.name.as_str(), h.value.as_str()),
            ("Authorization", "Bearer a:b")
        );
        assert!(h.is_secret());
        assert!(!Header::parse("X-Trace: 1").unwrap().is_secret());
    }

    #[test]
    fn a_header_without_a_name_or_colon_names_the_form_to_use() {
        let err = Header::parse("Bearer token").unwrap_err().to_string();
        assert!(
            err.contains("has no ':'") && err.contains("-H 'Name: value'"),
            "{err}"
        );
        assert!(Header::parse(": x").is_err());
        assert!(Header::parse("Bad Name: x").is_err());
    }

    #[test]
    fn the_method_is_upper_cased_and_must_be_a_token() {
        let spec = RequestSpec::from_flags("post", &[], Some("{}"), None).unwrap();
        assert_eq!(spec.method, "POST");
        assert_eq!(spec.body_bytes(), b"{}");
        assert!(!spec.is_plain_get());
        assert!(RequestSpec::default().is_plain_get());
        let err = RequestSpec::from_flags("GE T", &[], None, None).unwrap_err();
        assert_eq!(err, RequestError::BadMethod("GE T".into()));
    }

    #[test]
    fn a_missing_body_file_is_named() {
        let err = RequestSpec::from_flags("POST", &[], None, Some(Path::new("/no/such/body")))
            .unwrap_err()
            .to_string();
        assert!(err.contains("/no/such/body"), "{err}");
    }

    #[test]
    fn the_document_keeps_headers_but_not_credentials_or_body_bytes() {
        let spec = RequestSpec::from_flags(
            "PUT",
            &["Authorization: Bearer s3cret".into(), "X-Team: a".into()],
            Some("hello"),
            None,
        )
        .unwrap();
        let json = serde_json::to_string(&spec).unwrap();
        assert!(!json.contains("s3cret"), "{json}");
        assert!(json.contains("Authorization: <redacted>"), "{json}");
        assert!(json.contains("X-Team: a"), "{json}");
        assert!(
            !json.contains("hello") && json.contains("\"bytes\":5"),
            "{json}"
        );
        let back: RequestSpec = serde_json::from_str(&json).unwrap();
        assert_eq!(back.method, "PUT");
        assert_eq!(back.headers.len(), 2);
    }
}
