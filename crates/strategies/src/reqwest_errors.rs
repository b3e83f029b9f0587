//! How a reqwest (or bare hyper) failure maps to an [`ErrorKind`].
//!
//! reqwest's error is opaque: it answers `is_timeout`/`is_connect`, and its source chain
//! holds hyper's error (e.g. "connection closed before message completed") and the socket's
//! `io::Error`. [`Facts`] gathers those, and [`decide`] — a pure function, unit-tested —
//! turns them into a kind. The hyper strategy's errors are that same chain without the
//! reqwest wrapper, so they go through the same decision.

use std::error::Error as _;
use std::io;

use waitbench_core::ErrorKind;

use crate::ureq_errors::classify_io;

/// Where in the exchange the error happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Connecting, sending, or waiting for the status line.
    Send,
    /// Reading the body after the status line arrived.
    Body,
}

/// What a reqwest error says about itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Facts {
    timeout: bool,
    connect: bool,
    /// The innermost socket error's kind, if any.
    io: Option<io::ErrorKind>,
    /// hyper saw the connection close before the message completed.
    incomplete: bool,
    /// The chain holds a rustls error: the TLS handshake failed.
    tls: bool,
}

impl Facts {
    fn of(err: &reqwest::Error) -> Self {
        Facts {
            timeout: err.is_timeout(),
            connect: err.is_connect(),
            ..Facts::default()
        }
        .with_chain(err.source())
    }

    /// What an error chain says, from `first` (included) down: the hyper strategy's
    /// errors are hyper's or the socket's own, with no reqwest wrapper around them.
    pub(crate) fn of_chain(first: &(dyn std::error::Error + 'static)) -> Self {
        Facts::default().with_chain(Some(first))
    }

    fn with_chain(mut self, mut source: Option<&(dyn std::error::Error + 'static)>) -> Self {
        self.tls = source.is_some_and(crate::tls::is_tls_error);
        while let Some(cause) = source {
            if let Some(io) = cause.downcast_ref::<io::Error>() {
                self.io = Some(io.kind());
            }
            if let Some(hyper) = cause.downcast_ref::<hyper::Error>() {
                self.incomplete |= hyper.is_incomplete_message();
                self.timeout |= hyper.is_timeout();
            }
            source = cause.source();
        }
        self
    }
}

/// Classifies a reqwest error raised at `stage`.
pub(crate) fn classify(err: &reqwest::Error, stage: Stage) -> ErrorKind {
    decide(Facts::of(err), stage)
}

/// The decision, apart from reqwest so it can be tested: a failed TLS handshake first,
/// then connect failures (including a connect timeout), then timeouts, then anything
/// during the body is a body error, then resets and closes.
pub(crate) fn decide(facts: Facts, stage: Stage) -> ErrorKind {
    let io = facts.io.map(classify_io);
    if facts.tls {
        ErrorKind::Tls
    } else if facts.connect || io == Some(ErrorKind::Connect) {
        ErrorKind::Connect
    } else if facts.timeout || io == Some(ErrorKind::Timeout) {
        ErrorKind::Timeout
    } else if stage == Stage::Body {
        ErrorKind::Body
    } else if facts.incomplete || io == Some(ErrorKind::Reset) {
        ErrorKind::Reset
    } else {
        ErrorKind::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reqwest_client::{ReqwestSettings, fetch};
    use crate::test_support::assert_async_client_classifies;

    #[test]
    fn facts_decide_the_kind() {
        let send = |facts| decide(facts, Stage::Send);
        let io = |kind| Facts {
            io: Some(kind),
            ..Facts::default()
        };
        assert_eq!(
            send(io(io::ErrorKind::ConnectionRefused)),
            ErrorKind::Connect
        );
        assert_eq!(
            send(Facts {
                connect: true,
                timeout: true,
                ..Facts::default()
            }),
            ErrorKind::Connect
        );
        let timeout = Facts {
            timeout: true,
            ..Facts::default()
        };
        assert_eq!(send(timeout), ErrorKind::Timeout);
        assert_eq!(decide(timeout, Stage::Body), ErrorKind::Timeout);
        assert_eq!(send(io(io::ErrorKind::ConnectionReset)), ErrorKind::Reset);
        let incomplete = Facts {
            incomplete: true,
            ..Facts::default()
        };
        assert_eq!(send(incomplete), ErrorKind::Reset);
        assert_eq!(decide(incomplete, Stage::Body), ErrorKind::Body);
        assert_eq!(send(Facts::default()), ErrorKind::Other);
        let tls = Facts {
            tls: true,
            connect: true,
            ..Facts::default()
        };
        assert_eq!(
            send(tls),
            ErrorKind::Tls,
            "a failed handshake is not a refused connect"
        );
    }

    #[test]
    fn misbehaving_servers_end_as_the_expected_outcome() {
        assert_async_client_classifies(|timeouts, target| async move {
            let settings = ReqwestSettings::new(
                timeouts,
                crate::IdlePerHost::Sized,
                waitbench_core::HttpVersion::Http1,
            );
            let connector = settings
                .connector(&crate::transport::Transport::plain())
                .unwrap();
            let client = settings.client(&connector).unwrap();
            fetch(&client, &target).await
        });
    }
}
