//! Go's reference clients: `go-goroutines` (a goroutine per request in flight on
//! `net/http`, its transport sized for C), `go-goroutines` with `--idle-per-host
//! library` (the standard transport's default of 2 idle connections per host) and
//! `go-pool` (a fixed pool of worker goroutines reading a channel). The client
//! (`client/main.go`, standard library only) speaks the client protocol, so waitbench
//! records it as it records any external client; [`build`] compiles it on first use.

pub mod build;
