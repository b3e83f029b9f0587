//! Why an external client could not be measured: the client program, what went wrong,
//! and its last words on stderr, which usually say why.

use thiserror::Error;

use super::lines::BadLine;

/// An external client that could not be measured.
#[derive(Debug, Error)]
#[error("{}", self.message())]
pub struct ExternalError {
    /// The client's command (or pattern name), as the user knows it.
    pub client: String,
    /// What went wrong.
    pub fault: Box<Fault>,
    /// The last line the client wrote on stderr, if any.
    pub last_words: Option<String>,
}

impl ExternalError {
    fn message(&self) -> String {
        let mut text = format!("the client {} {}", self.client, self.fault);
        if let Some(words) = &self.last_words {
            text.push_str("; its last words on stderr: ");
            text.push_str(words);
        }
        text
    }
}

/// What went wrong with an external client.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Fault {
    /// The program could not be started.
    #[error("{}", start_message(*.not_found, .source))]
    Start {
        /// Whether the program does not exist (or is not on `PATH`).
        not_found: bool,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A line that is not protocol 1.
    #[error("{0}")]
    Line(#[from] BadLine),
    /// A well-formed line out of its place in the conversation.
    #[error("wrote {line:?} {when}")]
    OutOfTurn {
        /// The line.
        line: String,
        /// Where in the conversation it came.
        when: &'static str,
    },
    /// An `r` for a ticket that was not handed out, or was already reported.
    #[error("reported request {index}, which was not handed out or was already reported: {line:?}")]
    UnknownTicket {
        /// The index it reported.
        index: u64,
        /// The line.
        line: String,
    },
    /// The client said it cannot run.
    #[error("cannot run: {0}")]
    Failed(String),
    /// Its stdout ended before it wrote what the protocol asks for.
    #[error("ended its output before it wrote {expected}")]
    Ended {
        /// The message that was due.
        expected: &'static str,
    },
    /// The `ready` line's object is not what the protocol describes.
    #[error("wrote a ready line whose object is not protocol 1's ({0})")]
    Ready(String),
    /// Writing to its stdin or reading its stdout failed.
    #[error("could not be talked to: {0}")]
    Pipe(std::io::Error),
    /// It exited with a failure status after its run.
    #[error("exited with {0} after its run")]
    Exit(std::process::ExitStatus),
}

fn start_message(not_found: bool, source: &std::io::Error) -> String {
    if not_found {
        format!(
            "could not be started: the program is not found ({source}); give its path, or \
             put it on PATH"
        )
    } else {
        format!("could not be started ({source})")
    }
}
