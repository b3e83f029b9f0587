//! How a ureq failure maps to an [`ErrorKind`].
//!
//! ureq reports its own typed errors (`Timeout`, `ConnectionFailed`, `HostNotFound`, …) and
//! socket failures as `Error::Io`; its body reader returns `io::Error`s that may wrap a
//! ureq error (a timeout while reading the body), which [`classify_body`] unwraps first.

use std::io;

use waitbench_core::ErrorKind;

/// Classifies an error returned before the status line was read.
pub(crate) fn classify(err: &ureq::Error) -> ErrorKind {
    match err {
        ureq::Error::Timeout(ureq::Timeout::Connect | ureq::Timeout::Resolve) => ErrorKind::Connect,
        ureq::Error::Timeout(_) => ErrorKind::Timeout,
        ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => ErrorKind::Connect,
        err if crate::ureq_connector::is_tls(err) => ErrorKind::Tls,
        ureq::Error::Io(io) => classify_io(io.kind()),
        _ => ErrorKind::Other,
    }
}

/// Classifies an error from reading the body after the status line arrived: a timeout
/// stays a timeout (the request timeout covers the body); anything else is a body error.
pub(crate) fn classify_body(err: io::Error) -> ErrorKind {
    match classify(&ureq::Error::from(err)) {
        ErrorKind::Timeout => ErrorKind::Timeout,
        _ => ErrorKind::Body,
    }
}

/// Classifies a socket error by its kind; shared with the reqwest classification.
pub(crate) fn classify_io(kind: io::ErrorKind) -> ErrorKind {
    use io::ErrorKind as Io;
    match kind {
        Io::ConnectionRefused
        | Io::AddrNotAvailable
        | Io::HostUnreachable
        | Io::NetworkUnreachable
        | Io::NetworkDown => ErrorKind::Connect,
        Io::TimedOut | Io::WouldBlock => ErrorKind::Timeout,
        Io::ConnectionReset
        | Io::ConnectionAborted
        | Io::UnexpectedEof
        | Io::BrokenPipe
        | Io::NotConnected => ErrorKind::Reset,
        _ => ErrorKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::misbehaviours;
    use crate::ureq_client::{UreqSettings, fetch};

    fn io(kind: io::ErrorKind) -> ureq::Error {
        ureq::Error::Io(io::Error::from(kind))
    }

    #[test]
    fn typed_errors_map_to_their_kind() {
        assert_eq!(
            classify(&io(io::ErrorKind::ConnectionRefused)),
            ErrorKind::Connect
        );
        assert_eq!(classify(&io(io::ErrorKind::TimedOut)), ErrorKind::Timeout);
        assert_eq!(
            classify(&io(io::ErrorKind::ConnectionReset)),
            ErrorKind::Reset
        );
        assert_eq!(
            classify(&io(io::ErrorKind::UnexpectedEof)),
            ErrorKind::Reset
        );
        assert_eq!(classify(&io(io::ErrorKind::BrokenPipe)), ErrorKind::Reset);
        assert_eq!(classify(&io(io::ErrorKind::InvalidData)), ErrorKind::Other);
        let timeout = |t| classify(&ureq::Error::Timeout(t));
        assert_eq!(timeout(ureq::Timeout::Global), ErrorKind::Timeout);
        assert_eq!(timeout(ureq::Timeout::RecvResponse), ErrorKind::Timeout);
        assert_eq!(timeout(ureq::Timeout::Connect), ErrorKind::Connect);
        assert_eq!(classify(&ureq::Error::ConnectionFailed), ErrorKind::Connect);
        assert_eq!(classify(&ureq::Error::HostNotFound), ErrorKind::Connect);
        assert_eq!(classify(&ureq::Error::BadUri("x".into())), ErrorKind::Other);
    }

    #[test]
    fn body_errors_are_body_unless_they_are_timeouts() {
        let wrapped_timeout = ureq::Error::Timeout(ureq::Timeout::Global).into_io();
        assert_eq!(classify_body(wrapped_timeout), ErrorKind::Timeout);
        let eof = io::Error::from(io::ErrorKind::UnexpectedEof);
        assert_eq!(classify_body(eof), ErrorKind::Body);
    }

    #[test]
    fn misbehaving_servers_end_as_the_expected_outcome() {
        for case in misbehaviours() {
            let agent = UreqSettings::pooled(case.timeouts(), crate::IdlePerHost::Sized, 1)
                .agent(&crate::transport::Transport::plain())
                .unwrap();
            assert_eq!(
                fetch(&agent, &case.target()),
                case.expected,
                "{}",
                case.name
            );
        }
    }
}
