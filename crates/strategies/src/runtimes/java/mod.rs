//! Java's reference clients on `java.net.http.HttpClient` (HTTP/1.1): `java-threads`
//! (the blocking `send` on a fixed pool of platform threads), `java-virtual-threads`
//! (`send` on a virtual thread per request) and `java-async` (`sendAsync` with
//! `CompletableFuture`). The client (`client/Client.java`) speaks the client protocol;
//! [`build`] compiles it and finds a runtime with virtual threads on first use.

pub mod build;
