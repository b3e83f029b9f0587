//! One file per strategy, each documenting its execution and timing model. Build them
//! with [`crate::build`] or directly with `new`.

mod hyper_tokio;
mod reqwest_per_request;
mod reqwest_tokio;
mod tokio_blocking;
mod tokio_spawn_blocking;
mod ureq_per_request;
mod ureq_rayon;
mod ureq_sequential;
mod ureq_threads;
mod user_client;

pub use hyper_tokio::HyperTokio;
pub use reqwest_per_request::ReqwestPerRequest;
pub use reqwest_tokio::ReqwestTokio;
pub use tokio_blocking::TokioBlocking;
pub use tokio_spawn_blocking::TokioSpawnBlocking;
pub use ureq_per_request::UreqPerRequest;
pub use ureq_rayon::UreqRayon;
pub use ureq_sequential::UreqSequential;
pub use ureq_threads::UreqThreads;
pub use user_client::UserClient;
