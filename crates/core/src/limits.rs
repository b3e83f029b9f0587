//! Process limits that bite load generators and servers.
//!
//! These are POSIX `getrlimit`/`setrlimit`, not `/proc`, so they need no Linux guard: they
//! work on every Unix. A failed read is an error, which results record as unavailable.

/// Raises the soft open-file limit to the hard limit and returns `(soft, hard)` after the
/// change; thousands of concurrent connections need thousands of descriptors.
pub fn raise_fd_limit() -> std::io::Result<(u64, u64)> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we own; RLIMIT_NOFILE is a valid resource.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    if limit.rlim_cur < limit.rlim_max {
        limit.rlim_cur = limit.rlim_max;
        // SAFETY: setrlimit reads the struct we own; raising soft to hard needs no privilege.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    fd_limits()
}

/// The current `(soft, hard)` open-file limits.
pub fn fd_limits() -> std::io::Result<(u64, u64)> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we own.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // rlim_t is u64 on Linux but not on every platform.
    #[allow(clippy::unnecessary_cast)]
    Ok((limit.rlim_cur as u64, limit.rlim_max as u64))
}

#[cfg(test)]
mod tests {
    #[test]
    fn raising_leaves_soft_equal_to_hard() {
        let (soft, hard) = super::raise_fd_limit().unwrap();
        assert_eq!(soft, hard);
    }
}
