//! How one request ended. Every request ends as exactly one [`Outcome`], which is what
//! makes the accounting invariant `sent == ok + http_errors + errors` checkable.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A typed client-side failure: the request produced no HTTP status.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The TCP connection could not be established (refused, unreachable, connect timeout).
    Connect,
    /// The request was sent but no complete answer arrived before the request timeout.
    Timeout,
    /// The connection was reset or closed mid-exchange, or another I/O error occurred.
    Reset,
    /// The status line arrived but the body could not be read completely.
    Body,
    /// The request was dropped by the client before it finished (cancel-on-error policy).
    Cancelled,
    /// Anything the client library reported that fits none of the kinds above.
    Other,
    /// The TLS handshake failed: a certificate the client does not trust, no common
    /// version or cipher suite, or an alert from the peer. Last, so the kinds' indices a
    /// client process writes stay those of the kinds before it.
    Tls,
}

impl ErrorKind {
    /// Every kind, in the order used for the fixed-size counters.
    pub const ALL: [ErrorKind; 7] = [
        ErrorKind::Connect,
        ErrorKind::Timeout,
        ErrorKind::Reset,
        ErrorKind::Body,
        ErrorKind::Cancelled,
        ErrorKind::Other,
        ErrorKind::Tls,
    ];

    /// Position of this kind in [`ErrorKind::ALL`], used to index counter arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    /// What the kind means, in the words a summary puts beside its count.
    pub fn meaning(self) -> &'static str {
        match self {
            ErrorKind::Connect => {
                "no connection: refused, unreachable, or not within --connect-timeout"
            }
            ErrorKind::Timeout => "sent, but no whole answer within --timeout",
            ErrorKind::Reset => "the connection was reset or closed mid-exchange",
            ErrorKind::Body => "the status arrived but the body could not be read to its end",
            ErrorKind::Cancelled => {
                "dropped by the client after a sibling failed (--on-error cancel, or try_join_all)"
            }
            ErrorKind::Other => {
                "an answer that is not HTTP, or a failure the client library did not classify"
            }
            ErrorKind::Tls => {
                "the TLS handshake failed: an untrusted certificate (give --cacert, or --insecure for your own server), or no common version or cipher"
            }
        }
    }

    /// The kind's name as written in results and summaries.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Connect => "connect",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Reset => "reset",
            ErrorKind::Body => "body",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::Other => "other",
            ErrorKind::Tls => "tls",
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How one request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A 2xx status with its body fully read.
    Success,
    /// A non-2xx HTTP status (body read or discarded).
    HttpStatus(u16),
    /// No usable HTTP answer.
    Error(ErrorKind),
}

impl Outcome {
    /// Classifies a status code: 2xx is success, anything else an HTTP error.
    pub fn from_status(status: u16) -> Self {
        if (200..300).contains(&status) {
            Outcome::Success
        } else {
            Outcome::HttpStatus(status)
        }
    }
}

/// The accounting invariant, written once: every request sent ends as exactly one
/// outcome, so `sent == ok + http_errors + errors`. The recorder checks it after every
/// run, results and the report show it, and the gate counts any request it misses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Requests sent.
    pub sent: u64,
    /// 2xx responses.
    pub ok: u64,
    /// Non-2xx responses.
    pub http_errors: u64,
    /// Typed errors (cancelled included).
    pub errors: u64,
}

impl Tally {
    /// Requests that ended in some outcome.
    pub fn accounted(&self) -> u64 {
        self.ok + self.http_errors + self.errors
    }

    /// Requests by which the invariant misses (0 when it holds).
    pub fn unaccounted(&self) -> u64 {
        self.sent.abs_diff(self.accounted())
    }

    /// Whether the invariant holds.
    pub fn balanced(&self) -> bool {
        self.unaccounted() == 0
    }

    /// The invariant as a check whose error names the imbalance.
    pub fn check(&self) -> Result<(), String> {
        if self.balanced() {
            Ok(())
        } else {
            Err(format!(
                "accounting broken: sent {} but ok {} + http errors {} + errors {} = {}",
                self.sent,
                self.ok,
                self.http_errors,
                self.errors,
                self.accounted()
            ))
        }
    }
}

impl std::ops::Add for Tally {
    type Output = Tally;
    fn add(self, other: Tally) -> Tally {
        Tally {
            sent: self.sent + other.sent,
            ok: self.ok + other.ok,
            http_errors: self.http_errors + other.http_errors,
            errors: self.errors + other.errors,
        }
    }
}
