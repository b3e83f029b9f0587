//! The Python client sources and pinned requirements (`client/`), compiled into the binary so that an
//! installed waitbench has them, and the content hashes that name their cache folders.

/// Every file of `client/`, by name.
pub(crate) const FILES: [(&str, &str); 20] = [
    ("main.py", include_str!("client/main.py")),
    ("harness.py", include_str!("client/harness.py")),
    ("cpu_work.py", include_str!("client/cpu_work.py")),
    (
        "requests_errors.py",
        include_str!("client/requests_errors.py"),
    ),
    (
        "aiohttp_errors.py",
        include_str!("client/aiohttp_errors.py"),
    ),
    ("py_requests.py", include_str!("client/py_requests.py")),
    (
        "py_requests_session.py",
        include_str!("client/py_requests_session.py"),
    ),
    ("py_threadpool.py", include_str!("client/py_threadpool.py")),
    ("py_aiohttp.py", include_str!("client/py_aiohttp.py")),
    (
        "py_aiohttp_per_request.py",
        include_str!("client/py_aiohttp_per_request.py"),
    ),
    (
        "py_async_blocking.py",
        include_str!("client/py_async_blocking.py"),
    ),
    (
        "py_async_executor.py",
        include_str!("client/py_async_executor.py"),
    ),
    (
        "py_process_pool.py",
        include_str!("client/py_process_pool.py"),
    ),
    ("py_gevent.py", include_str!("client/py_gevent.py")),
    ("tls.py", include_str!("client/tls.py")),
    ("httpx_errors.py", include_str!("client/httpx_errors.py")),
    ("py_httpx.py", include_str!("client/py_httpx.py")),
    (
        "py_httpx_async.py",
        include_str!("client/py_httpx_async.py"),
    ),
    (
        "py_aiohttp_uvloop.py",
        include_str!("client/py_aiohttp_uvloop.py"),
    ),
    ("requirements.txt", REQUIREMENTS),
];

/// The pinned requirements.
pub(crate) const REQUIREMENTS: &str = include_str!("client/requirements.txt");

/// The pinned version of `package`, as `requirements.txt` says.
pub(crate) fn pinned(package: &str) -> Option<&'static str> {
    REQUIREMENTS
        .lines()
        .filter_map(|line| line.split_once("=="))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case(package))
        .map(|(_, version)| version.trim())
}

/// FNV-1a over `parts`: stable across Rust releases (std's hasher is not), so a cache
/// folder keeps its name from one build to the next.
pub(crate) fn content_hash<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0xff]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_requirement_is_pinned_to_one_version() {
        for line in REQUIREMENTS.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (name, version) = line.split_once("==").expect("pinned with ==");
            assert!(!name.is_empty() && !version.is_empty(), "{line}");
            assert!(!version.contains([' ', ',', '<', '>', '*']), "{line}");
        }
        assert!(pinned("aiohttp").is_some() && pinned("requests").is_some());
    }

    #[test]
    fn every_pattern_module_is_embedded() {
        for kind in crate::StrategyKind::PYTHON {
            let module = format!("{}.py", kind.name().replace('-', "_"));
            assert!(FILES.iter().any(|(name, _)| *name == module), "{module}");
        }
    }

    #[test]
    fn a_hash_changes_with_any_byte_and_with_the_split() {
        assert_eq!(content_hash(["a", "b"]), content_hash(["a", "b"]));
        assert_ne!(content_hash(["a", "b"]), content_hash(["a", "c"]));
        assert_ne!(content_hash(["ab", ""]), content_hash(["a", "b"]));
    }
}
