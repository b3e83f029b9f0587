//! Tiny std-only servers for the classification tests: each shows a client one precise
//! misbehaviour that the mock server would only produce by chance.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use waitbench_core::{ErrorKind, Outcome, Timeouts};

use crate::target::RequestTarget;

/// A URL whose port nothing listens on: a socket bound to it that never listens, kept
/// open for the rest of the process, so a connection is refused and no other test's
/// server can be given the port meanwhile (a port bound and released can be, and then
/// the "refused" connection is accepted and reset).
pub(crate) fn closed_port_url() -> String {
    // SAFETY: plain socket calls on a descriptor this function owns; `addr` is a valid
    // sockaddr_in and `len` its size.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        assert!(fd >= 0, "a socket");
        let mut addr: libc::sockaddr_in = std::mem::zeroed();
        addr.sin_family = libc::AF_INET as libc::sa_family_t;
        addr.sin_addr.s_addr = u32::from(std::net::Ipv4Addr::LOCALHOST).to_be();
        let mut len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        let bound = libc::bind(fd, (&raw const addr).cast(), len);
        assert_eq!(bound, 0, "bind an ephemeral port");
        let named = libc::getsockname(fd, (&raw mut addr).cast(), &mut len);
        assert_eq!(named, 0, "the bound address");
        // The descriptor stays open (never closed) until the test process ends.
        format!("http://127.0.0.1:{}/", u16::from_be(addr.sin_port))
    }
}

/// A one-shot server: accepts one connection, reads the request, then hands the socket
/// to `respond`. Returns the URL to request.
pub(crate) fn serve_once(respond: impl FnOnce(TcpStream) + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    let url = format!("http://{}/", listener.local_addr().expect("bound address"));
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            respond(stream);
        }
    });
    url
}

/// One way a server can misbehave, and the outcome every client must report for it.
pub(crate) struct Misbehaviour {
    /// What the server does.
    pub(crate) name: &'static str,
    /// Where it does it (a one-shot server, already listening).
    pub(crate) url: String,
    /// The request timeout to use.
    pub(crate) request_timeout: Duration,
    /// The outcome the client must report.
    pub(crate) expected: Outcome,
}

impl Misbehaviour {
    /// The URL, parsed as strategies send to it.
    pub(crate) fn target(&self) -> RequestTarget {
        RequestTarget::parse(&self.url).expect("a one-shot server's URL is valid")
    }

    /// A short connect timeout and the case's request timeout.
    pub(crate) fn timeouts(&self) -> Timeouts {
        Timeouts {
            connect: Duration::from_secs(1),
            request: self.request_timeout,
        }
    }
}

/// Sends one request per misbehaviour with an async client, on a current-thread runtime,
/// and checks each outcome. `fetch` gets the case's timeouts and target.
pub(crate) fn assert_async_client_classifies<Fut: Future<Output = Outcome>>(
    mut fetch: impl FnMut(Timeouts, RequestTarget) -> Fut,
) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime builds");
    for case in misbehaviours() {
        let outcome = runtime.block_on(fetch(case.timeouts(), case.target()));
        assert_eq!(outcome, case.expected, "{}", case.name);
    }
}

/// Every misbehaviour, each on its own one-shot server; every client must classify each
/// the same way.
pub(crate) fn misbehaviours() -> Vec<Misbehaviour> {
    let reply = |bytes: &'static [u8]| {
        serve_once(move |mut stream| {
            let _ = stream.write_all(bytes);
        })
    };
    let patient = Duration::from_secs(2);
    vec![
        Misbehaviour {
            name: "nothing listens",
            url: closed_port_url(),
            request_timeout: patient,
            expected: Outcome::Error(ErrorKind::Connect),
        },
        Misbehaviour {
            name: "closes after reading the request",
            url: serve_once(drop),
            request_timeout: patient,
            expected: Outcome::Error(ErrorKind::Reset),
        },
        Misbehaviour {
            name: "stays silent past the request timeout",
            url: serve_once(|stream| {
                std::thread::sleep(Duration::from_millis(500));
                drop(stream);
            }),
            request_timeout: Duration::from_millis(100),
            expected: Outcome::Error(ErrorKind::Timeout),
        },
        Misbehaviour {
            name: "promises 100 bytes, sends 10 and closes",
            url: reply(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly ten b"),
            request_timeout: patient,
            expected: Outcome::Error(ErrorKind::Body),
        },
        Misbehaviour {
            name: "answers 503",
            url: reply(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 4\r\n\r\nbusy"),
            request_timeout: patient,
            expected: Outcome::HttpStatus(503),
        },
    ]
}
