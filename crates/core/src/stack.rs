//! The client stacks waitbench measures: its own Rust clients, the clients of other
//! runtimes (CPython, Go, Java, Node.js) that it drives in a child process, and a user's own client
//! program driven the same way. A stack is a type, not a
//! string, so that selecting, drawing and judging a stack is a match the compiler checks;
//! it is written in `results.json` as its display name (`"Rust"`, `"Python"`), as it was
//! when the field was a string, so files written before the type still read and the
//! published schema still calls it a string.
//!
//! The stacks are declared once, in [`stacks!`]'s invocation below: adding one is a line
//! with its variant and display name there (its clients live behind their own boundary in
//! `waitbench-strategies`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Declares [`Stack`], its [`Stack::ALL`] and [`Stack::name`] from one list of
/// `Variant => "Display name"` lines, so that a new stack cannot miss one of them.
macro_rules! stacks {
    ($($(#[$meta:meta])* $variant:ident => $name:literal,)+) => {
        /// Which language's client stack a strategy measures.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub enum Stack {
            $($(#[$meta])* $variant,)+
        }

        impl Stack {
            /// Every stack, in the order summaries and reports list them.
            pub const ALL: &'static [Stack] = &[$(Stack::$variant),+];

            /// The stack's name as summaries, reports and `results.json` write it.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Stack::$variant => $name,)+
                }
            }
        }
    };
}

stacks! {
    /// Rust clients, in waitbench's own process (the stack of a series written before
    /// stacks were recorded).
    #[default]
    Rust => "Rust",
    /// CPython clients (the article's stack), in a child process that waitbench measures.
    Python => "Python",
    /// Go clients (`net/http`), built by waitbench and measured in a child process.
    Go => "Go",
    /// Java clients (`java.net.http`), in a child JVM.
    Java => "Java",
    /// Node.js clients (`fetch`, `node:http`), in a child process.
    Node => "Node.js",
    /// A user's own client program (`run --client`), any runtime, driven through client
    /// protocol 1 in a child process.
    Client => "Client",
}

impl fmt::Display for Stack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Stack {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        crate::named::by_name(Stack::ALL, Stack::name, "client stack", text)
    }
}

impl Serialize for Stack {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Stack {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for Stack {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Stack".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        // A string, as the field was before it had a type: a reader written against the
        // published schema keeps validating, and a later stack needs no schema change.
        schemars::json_schema!({ "type": "string" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stack_is_written_and_read_back_by_its_display_name() {
        for &stack in Stack::ALL {
            let json = serde_json::to_string(&stack).unwrap();
            assert_eq!(json, format!("\"{}\"", stack.name()));
            assert_eq!(serde_json::from_str::<Stack>(&json).unwrap(), stack);
            assert_eq!(stack.name().parse::<Stack>(), Ok(stack));
        }
        assert_eq!(Stack::default(), Stack::Rust);
    }

    #[test]
    fn an_unknown_stack_names_the_known_ones() {
        let err = serde_json::from_str::<Stack>("\"Cobol\"").unwrap_err();
        assert!(
            err.to_string().contains(
                "unknown client stack \"Cobol\"; known: Rust, Python, Go, Java, Node.js, Client"
            ),
            "{err}"
        );
    }
}
