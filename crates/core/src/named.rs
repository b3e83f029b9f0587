//! Values chosen by name from a fixed list (a policy, a metric, an export format): one
//! lookup, so every such value parses the same way and an unknown name always lists the
//! known ones.

/// The value among `all` whose `name` is `text`; the error names `what` and the known
/// names.
pub fn by_name<T: Copy>(
    all: &[T],
    name: impl Fn(T) -> &'static str,
    what: &str,
    text: &str,
) -> Result<T, String> {
    all.iter()
        .copied()
        .find(|v| name(*v) == text.trim())
        .ok_or_else(|| {
            let known: Vec<&str> = all.iter().map(|v| name(*v)).collect();
            format!("unknown {what} {text:?}; known: {}", known.join(", "))
        })
}

/// Implements `Display` (the value's name) and, behind the calling crate's `clap`
/// feature, clap's `ValueEnum` (the type's `ALL`, listed in `--help` with each value's
/// `description()`), for a type chosen by name with `ALL`, `name()` and `description()`:
/// one declaration of how every such value prints and parses on a command line.
#[macro_export]
macro_rules! named_value {
    ($type:ty) => {
        impl ::std::fmt::Display for $type {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.name())
            }
        }

        #[cfg(feature = "clap")]
        impl clap::ValueEnum for $type {
            fn value_variants<'a>() -> &'a [Self] {
                &Self::ALL
            }

            fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
                Some(clap::builder::PossibleValue::new(self.name()).help(self.description()))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_name_is_found_and_an_unknown_one_lists_the_known() {
        let all = [1u8, 2];
        let name = |v: u8| if v == 1 { "one" } else { "two" };
        assert_eq!(by_name(&all, name, "number", " two "), Ok(2));
        assert_eq!(
            by_name(&all, name, "number", "three"),
            Err("unknown number \"three\"; known: one, two".to_string())
        );
    }
}
