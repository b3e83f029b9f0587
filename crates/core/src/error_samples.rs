//! The first few distinct error messages of a run, as oha shows them beside its counts:
//! an error kind says what class of failure it was (`connect`), the library's message
//! says what happened (`Connection refused (os error 111)`, `dns error: …`).
//!
//! The messages come from the error path only, and a run that fails every request must
//! not pay a formatted string and a lock per request for them: after
//! [`ErrorSamples::LOOKS`] errors have been looked at, or once [`ErrorSamples::KEPT`]
//! distinct messages are kept, a note is one atomic add and nothing else.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

/// Up to [`KEPT`](Self::KEPT) distinct error messages, shared by a run's workers.
#[derive(Debug, Default)]
pub struct ErrorSamples {
    looked: AtomicU32,
    messages: Mutex<Vec<String>>,
}

impl ErrorSamples {
    /// How many distinct messages are kept.
    pub const KEPT: usize = 3;

    /// How many errors are looked at, at most, for a new message.
    pub const LOOKS: u32 = 64;

    /// Notes a failure; `message` is called only while messages are still collected.
    pub fn note(&self, message: impl FnOnce() -> String) {
        if self.looked.fetch_add(1, Ordering::Relaxed) >= Self::LOOKS {
            return;
        }
        let message = message();
        let mut kept = self.messages.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() < Self::KEPT && !kept.contains(&message) {
            kept.push(message);
        }
        if kept.len() == Self::KEPT {
            self.looked.store(Self::LOOKS, Ordering::Relaxed);
        }
    }

    /// The messages kept, in the order first seen.
    pub fn messages(&self) -> Vec<String> {
        self.messages
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_messages_are_kept_in_order_up_to_the_limit() {
        let samples = ErrorSamples::default();
        for m in ["refused", "refused", "reset", "timeout", "dns"] {
            samples.note(|| m.to_string());
        }
        assert_eq!(samples.messages(), ["refused", "reset", "timeout"]);
    }

    #[test]
    fn after_enough_looks_a_note_formats_nothing() {
        let samples = ErrorSamples::default();
        for _ in 0..ErrorSamples::LOOKS {
            samples.note(|| "same".to_string());
        }
        samples.note(|| panic!("no message is formatted any more"));
        assert_eq!(samples.messages(), ["same"]);
    }
}
