//! Query strings as HTML forms write them (`name=value&…`, `%XX` escapes, `+` for a
//! space), in both directions. Specs such as `lognormal(median=20ms,p99=120ms)` hold
//! `=`, `,`, `(` and `:`, so a value is escaped whole when written and unescaped once when
//! read; the server and every client that asks it for conditions use this one codec.

/// Escapes `value` for a query string: everything but `A-Z a-z 0-9 - _ . ~` becomes
/// `%XX` (RFC 3986's unreserved characters, safe in any URL component).
pub(crate) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Splits `query` into unescaped `(name, value)` pairs in order; a pair without `=` has
/// an empty value and empty pairs (`a=1&&b=2`) are skipped. `None` when an escape is
/// malformed or the unescaped bytes are not UTF-8.
pub(crate) fn decode_pairs(query: &str) -> Option<Vec<(String, String)>> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            Some((decode(name)?, decode(value)?))
        })
        .collect()
}

/// Unescapes one component: `+` is a space and `%XX` the byte XX.
fn decode(component: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(component.len());
    let mut rest = component.bytes();
    while let Some(byte) = rest.next() {
        bytes.push(match byte {
            b'+' => b' ',
            b'%' => {
                let high = char::from(rest.next()?).to_digit(16)?;
                let low = char::from(rest.next()?).to_digit(16)?;
                (high * 16 + low) as u8
            }
            byte => byte,
        });
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_escapes_everything_but_unreserved_characters() {
        assert_eq!(
            encode("lognormal(median=20ms,p99=120ms)"),
            "lognormal%28median%3D20ms%2Cp99%3D120ms%29"
        );
        assert_eq!(encode("0.05:503"), "0.05%3A503");
        assert_eq!(encode("64KiB/s"), "64KiB%2Fs");
        assert_eq!(encode("a b+c&d"), "a%20b%2Bc%26d");
        assert_eq!(encode("250µs"), "250%C2%B5s");
    }

    #[test]
    fn decoding_undoes_encoding() {
        for value in [
            "mix(0.9:5ms,0.1:lognormal(median=200ms,p99=1s))",
            "a b+c&d=e",
            "250µs",
        ] {
            let query = format!("latency={}", encode(value));
            assert_eq!(
                decode_pairs(&query),
                Some(vec![("latency".into(), value.into())])
            );
        }
    }

    #[test]
    fn decoding_reads_forms_as_browsers_and_curl_write_them() {
        let pairs = |query| decode_pairs(query).expect("well formed");
        assert_eq!(
            pairs("latency=uniform(1ms,2ms)&fail=1:503"),
            [
                ("latency".into(), "uniform(1ms,2ms)".into()),
                ("fail".into(), "1:503".into())
            ]
        );
        assert_eq!(
            pairs("a=1+2&&flag&"),
            [("a".into(), "1 2".into()), ("flag".into(), String::new())]
        );
        assert_eq!(pairs(""), []);
    }

    #[test]
    fn malformed_escapes_and_invalid_utf8_are_refused() {
        for query in [
            "latency=%",
            "latency=%2",
            "latency=%zz",
            "latency=%FF",
            "%G0=1",
        ] {
            assert_eq!(decode_pairs(query), None, "{query}");
        }
    }
}
