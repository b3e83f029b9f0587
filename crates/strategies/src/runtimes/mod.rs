//! The runtimes waitbench measures through the client protocol.

pub mod go;
pub mod java;
pub mod node;
pub mod toolchain;

/// TEMPORARY until the Python runtime moves here.
pub(crate) mod python {
    pub(crate) use crate::python::sources;
}
