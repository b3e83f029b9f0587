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
