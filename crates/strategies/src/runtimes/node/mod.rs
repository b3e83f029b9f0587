//! Node.js's reference clients: `node-fetch` (the built-in `fetch`, C promises in
//! flight on one event loop) and `node-http` (`http.request` on a keep-alive `Agent`
//! with `maxSockets` C). The client (`client/client.js`, no npm package) speaks the
//! client protocol; [`build`] checks `node` and writes the script into the cache.

pub mod build;
