//! The listening socket: a backlog large enough for thousands of simultaneous connects.

use std::net::SocketAddr;

use socket2::{Domain, Protocol, Socket, Type};

/// Listen backlog. tokio's `TcpListener::bind` uses 128, and with 5,000 clients
/// connecting at once the overflow costs SYN retries (connect p99 ≈ 2 s); the kernel
/// further caps this at `net.core.somaxconn`.
pub const LISTEN_BACKLOG: i32 = 4096;

/// Binds a non-blocking listener on `addr` with `SO_REUSEADDR` (a restarted server can
/// bind while old connections sit in TIME_WAIT) and a backlog of [`LISTEN_BACKLOG`].
pub(crate) fn bind(addr: SocketAddr) -> std::io::Result<std::net::TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(LISTEN_BACKLOG)?;
    Ok(socket.into())
}
