//! The lines a client writes under protocol 1 (`docs/client-protocol.md`), parsed once,
//! here: one space-separated line per message, its first field naming it.
//!
//! A line that does not parse ends the run, so every error quotes the line and says what
//! in it is wrong: the author of a client reads it before anything else. Parsing borrows
//! the line (a message's text and an extra's key are slices of it), so a record line
//! costs no allocation.

use thiserror::Error;
use waitbench_core::{ErrorKind, Outcome};

/// One message from the client.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ClientLine<'a> {
    /// `ready JSON`: the client is built; the JSON describes it.
    Ready(&'a str),
    /// `clock SEQ NOW_NS`: the answer to waitbench's `clock SEQ`.
    Clock {
        /// The exchange answered.
        seq: u64,
        /// The client's clock when it answered, ns.
        now_ns: i64,
    },
    /// `r INDEX SENT_NS ENDED_NS OUTCOME STATUS`: one request ended.
    Record(Record),
    /// `message OUTCOME TEXT…`: a failure's error text.
    Message {
        /// The failure's outcome class.
        outcome: ErrorKind,
        /// The rest of the line.
        text: &'a str,
    },
    /// `extra KEY VALUE`: a figure of the client's own.
    Extra {
        /// Its name.
        key: &'a str,
        /// Its value.
        value: f64,
    },
    /// `done`: the client has written everything.
    Done,
    /// `fail TEXT…`: the client cannot run.
    Fail(&'a str),
}

/// One request as an `r` line reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Record {
    /// The ticket's index.
    pub(crate) index: u64,
    /// The client's clock just before it sent the request, ns.
    pub(crate) sent_ns: i64,
    /// The client's clock when the request ended, ns.
    pub(crate) ended_ns: i64,
    /// How it ended.
    pub(crate) outcome: Outcome,
}

/// A line that is not protocol 1, quoted, with what is wrong in it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("wrote a line that is not client protocol 1 ({problem}): {line:?}")]
pub struct BadLine {
    /// The line as written (without its newline).
    pub line: String,
    /// What is wrong with it.
    pub problem: Problem,
}

/// What is wrong with a [`BadLine`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Problem {
    /// Nothing on the line.
    #[error("an empty line")]
    Empty,
    /// The first field is no message of the protocol.
    #[error(
        "no message is called {0:?}; a client writes ready, clock, r, message, extra, done or fail"
    )]
    UnknownMessage(String),
    /// A field is missing.
    #[error("{message} lacks its {field}")]
    Missing {
        /// The message.
        message: &'static str,
        /// The field that is missing.
        field: &'static str,
    },
    /// A field that must be a number is not one.
    #[error("{message}'s {field} must be {kind}")]
    NotANumber {
        /// The message.
        message: &'static str,
        /// The field.
        field: &'static str,
        /// The kind of number expected.
        kind: &'static str,
    },
    /// More fields than the message has.
    #[error("{0} has more fields than the protocol gives it")]
    TooManyFields(&'static str),
    /// An outcome class the protocol does not name.
    #[error(
        "{0:?} is no outcome; the outcomes are http, connect, timeout, reset, body, cancelled and other"
    )]
    UnknownOutcome(String),
    /// A failure with a status, or a response without one.
    #[error("an http outcome needs its status (100-599), a failure the status 0")]
    BadStatus,
    /// `ENDED_NS < SENT_NS`.
    #[error("the request ends before it was sent")]
    Backwards,
}

/// The outcome classes by name: `http` and core's error kinds.
const HTTP: &str = "http";

fn error_kind(name: &str) -> Option<ErrorKind> {
    ErrorKind::ALL.into_iter().find(|k| k.as_str() == name)
}

impl<'a> ClientLine<'a> {
    /// Parses one line (its trailing newline, if any, is ignored).
    pub(crate) fn parse(line: &'a str) -> Result<ClientLine<'a>, BadLine> {
        let line = line.trim_end_matches(['\n', '\r']);
        let bad = |problem| BadLine {
            line: line.to_string(),
            problem,
        };
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        let mut fields = Fields {
            message: "",
            rest: rest.split(' '),
        };
        let parsed = match word {
            "" => return Err(bad(Problem::Empty)),
            "ready" => {
                if rest.trim().is_empty() {
                    return Err(bad(Problem::Missing {
                        message: "ready",
                        field: "JSON object",
                    }));
                }
                ClientLine::Ready(rest)
            }
            "clock" => {
                fields.message = "clock";
                let seq = fields.number("SEQ").map_err(bad)?;
                let now_ns = fields.number("NOW_NS").map_err(bad)?;
                fields.end().map_err(bad)?;
                ClientLine::Clock { seq, now_ns }
            }
            "r" => {
                fields.message = "r";
                let index = fields.number("INDEX").map_err(bad)?;
                let sent_ns = fields.number("SENT_NS").map_err(bad)?;
                let ended_ns = fields.number("ENDED_NS").map_err(bad)?;
                let class = fields.word("OUTCOME").map_err(bad)?;
                let status: u16 = fields.number("STATUS").map_err(bad)?;
                fields.end().map_err(bad)?;
                let outcome = match (class, status) {
                    (HTTP, 100..=599) => Outcome::from_status(status),
                    (HTTP, _) => return Err(bad(Problem::BadStatus)),
                    (other, 0) => Outcome::Error(
                        error_kind(other)
                            .ok_or_else(|| bad(Problem::UnknownOutcome(other.into())))?,
                    ),
                    (other, _) if error_kind(other).is_none() => {
                        return Err(bad(Problem::UnknownOutcome(other.into())));
                    }
                    _ => return Err(bad(Problem::BadStatus)),
                };
                if ended_ns < sent_ns {
                    return Err(bad(Problem::Backwards));
                }
                ClientLine::Record(Record {
                    index,
                    sent_ns,
                    ended_ns,
                    outcome,
                })
            }
            "message" => {
                let (class, text) = rest.split_once(' ').unwrap_or((rest, ""));
                if class.is_empty() {
                    return Err(bad(Problem::Missing {
                        message: "message",
                        field: "OUTCOME",
                    }));
                }
                let outcome =
                    error_kind(class).ok_or_else(|| bad(Problem::UnknownOutcome(class.into())))?;
                ClientLine::Message { outcome, text }
            }
            "extra" => {
                fields.message = "extra";
                let key = fields.word("KEY").map_err(bad)?;
                let value: f64 = fields.number("VALUE").map_err(bad)?;
                fields.end().map_err(bad)?;
                ClientLine::Extra { key, value }
            }
            "done" => {
                fields.message = "done";
                fields.end().map_err(bad)?;
                ClientLine::Done
            }
            "fail" => ClientLine::Fail(rest),
            other => return Err(bad(Problem::UnknownMessage(other.into()))),
        };
        Ok(parsed)
    }
}

/// The fields after a message's name, taken in order.
struct Fields<'a> {
    message: &'static str,
    rest: std::str::Split<'a, char>,
}

impl<'a> Fields<'a> {
    fn word(&mut self, field: &'static str) -> Result<&'a str, Problem> {
        match self.rest.next() {
            Some(word) if !word.is_empty() => Ok(word),
            _ => Err(Problem::Missing {
                message: self.message,
                field,
            }),
        }
    }

    fn number<T: std::str::FromStr + Number>(&mut self, field: &'static str) -> Result<T, Problem> {
        self.word(field)?.parse().map_err(|_| Problem::NotANumber {
            message: self.message,
            field,
            kind: T::KIND,
        })
    }

    fn end(&mut self) -> Result<(), Problem> {
        match self.rest.next() {
            // A message without fields splits into one empty one.
            None => Ok(()),
            Some("") if self.rest.next().is_none() => Ok(()),
            Some(_) => Err(Problem::TooManyFields(self.message)),
        }
    }
}

/// What kind of number a field holds, for the error that says so.
trait Number {
    const KIND: &'static str;
}

impl Number for u64 {
    const KIND: &'static str = "a whole number from 0";
}

impl Number for i64 {
    const KIND: &'static str = "a whole number of nanoseconds";
}

impl Number for u16 {
    const KIND: &'static str = "a whole number from 0 to 65535";
}

impl Number for f64 {
    const KIND: &'static str = "a number";
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(line: &str) -> Problem {
        let err = ClientLine::parse(line).unwrap_err();
        assert_eq!(err.line, line.trim_end());
        err.problem
    }

    #[test]
    fn every_message_parses_into_its_fields() {
        assert_eq!(
            ClientLine::parse("ready {\"client\":\"x\"}\n"),
            Ok(ClientLine::Ready("{\"client\":\"x\"}"))
        );
        assert_eq!(
            ClientLine::parse("clock 3 81234567890123"),
            Ok(ClientLine::Clock {
                seq: 3,
                now_ns: 81_234_567_890_123
            })
        );
        assert_eq!(
            ClientLine::parse("r 7 100 250 http 503\n"),
            Ok(ClientLine::Record(Record {
                index: 7,
                sent_ns: 100,
                ended_ns: 250,
                outcome: Outcome::HttpStatus(503)
            }))
        );
        assert_eq!(
            ClientLine::parse("r 0 1 2 http 200").map(|l| match l {
                ClientLine::Record(r) => r.outcome,
                _ => unreachable!(),
            }),
            Ok(Outcome::Success)
        );
        for kind in ErrorKind::ALL {
            let line = format!("r 1 5 5 {kind} 0");
            assert!(
                matches!(ClientLine::parse(&line), Ok(ClientLine::Record(r)) if r.outcome == Outcome::Error(kind)),
                "{line}"
            );
        }
        assert_eq!(
            ClientLine::parse("message connect Connection refused (os error 111)"),
            Ok(ClientLine::Message {
                outcome: ErrorKind::Connect,
                text: "Connection refused (os error 111)"
            })
        );
        assert_eq!(
            ClientLine::parse("extra ticker_ticks 1200"),
            Ok(ClientLine::Extra {
                key: "ticker_ticks",
                value: 1200.0
            })
        );
        assert_eq!(ClientLine::parse("done\n"), Ok(ClientLine::Done));
        assert_eq!(
            ClientLine::parse("fail no module named aiohttp"),
            Ok(ClientLine::Fail("no module named aiohttp"))
        );
    }

    #[test]
    fn a_bad_line_is_quoted_with_what_is_wrong_in_it() {
        assert_eq!(problem(""), Problem::Empty);
        assert_eq!(problem("hello 1"), Problem::UnknownMessage("hello".into()));
        assert_eq!(
            problem("r 1 2 3 http"),
            Problem::Missing {
                message: "r",
                field: "STATUS"
            }
        );
        assert_eq!(
            problem("r x 2 3 http 200"),
            Problem::NotANumber {
                message: "r",
                field: "INDEX",
                kind: "a whole number from 0"
            }
        );
        assert_eq!(problem("r 1 2 3 http 200 9"), Problem::TooManyFields("r"));
        assert_eq!(
            problem("r 1 2 3 ok 200"),
            Problem::UnknownOutcome("ok".into())
        );
        assert_eq!(problem("r 1 2 3 http 0"), Problem::BadStatus);
        assert_eq!(problem("r 1 2 3 reset 500"), Problem::BadStatus);
        assert_eq!(problem("r 1 9 3 http 200"), Problem::Backwards);
        assert_eq!(problem("done now"), Problem::TooManyFields("done"));
        assert_eq!(
            problem("ready"),
            Problem::Missing {
                message: "ready",
                field: "JSON object"
            }
        );
        let err = ClientLine::parse("r 1 9 3 http 200").unwrap_err();
        assert_eq!(
            err.to_string(),
            "wrote a line that is not client protocol 1 (the request ends before it was sent): \
             \"r 1 9 3 http 200\""
        );
    }
}
