//! A plain HTTP/1.1 server for the tests of this crate: not waitbench (no identifying
//! header), one request per connection, every request line kept, so that a test can
//! count exactly what a foreign server received.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::mpsc::{Receiver, channel};

/// Starts the server on a loopback port; every request is answered with `status_line`
/// (e.g. `200 OK`) and an empty body. Returns `http://127.0.0.1:PORT` and the request
/// lines in arrival order.
pub(crate) fn plain_server(status_line: &'static str) -> (String, Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let url = format!("http://{}", listener.local_addr().expect("bound address"));
    let (seen, lines) = channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(&stream);
            let mut request = String::new();
            let _ = reader.read_line(&mut request);
            let _ = seen.send(request.trim().to_string());
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let _ = (&stream).write_all(
                format!("HTTP/1.1 {status_line}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .as_bytes(),
            );
        }
    });
    (url, lines)
}
