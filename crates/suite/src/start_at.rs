//! `--start-at TIME`: N client hosts start their load at one wall-clock instant.
//!
//! Each host sleeps until the instant and then runs; nothing measured depends on the
//! hosts' clocks agreeing (each measures durations only), so the start is as close as
//! their clocks are (NTP: milliseconds), which is close enough for runs of seconds.

use std::time::{Duration, SystemTime};

use waitbench_core::units::WallClock;

use crate::error::{Result, SuiteError};

/// How far in the past a start may be and still be taken as "now" (a host that came up a
/// moment late still joins; one that came up much later would run alone, and is refused).
pub const LATE_START_TOLERANCE: Duration = Duration::from_secs(1);

/// How far ahead a start may be: further is taken for a typo.
pub const MAX_WAIT: Duration = Duration::from_secs(24 * 3600);

/// How long to wait from `now` until `at`; refuses an instant that has passed or is
/// more than a day away.
pub fn wait_for(at: WallClock, now: SystemTime) -> Result<Duration> {
    match at.0.duration_since(now) {
        Ok(wait) if wait > MAX_WAIT => Err(SuiteError::Usage(format!(
            "--start-at {at} is more than 24 hours away; give the instant all hosts should start at"
        ))),
        Ok(wait) => Ok(wait),
        Err(late) if late.duration() <= LATE_START_TOLERANCE => Ok(Duration::ZERO),
        Err(late) => Err(SuiteError::Usage(format!(
            "--start-at {at} passed {:.1} s ago: this host would run alone; give every host \
             a time a little in the future, e.g. --start-at @$(( $(date +%s) + 30 ))",
            late.duration().as_secs_f64()
        ))),
    }
}

/// Sleeps until `at` (see [`wait_for`]).
pub fn sleep_until(at: WallClock) -> Result<()> {
    std::thread::sleep(wait_for(at, SystemTime::now())?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(now: SystemTime, offset_s: f64) -> WallClock {
        let offset = Duration::from_secs_f64(offset_s.abs());
        WallClock(if offset_s >= 0.0 {
            now + offset
        } else {
            now - offset
        })
    }

    #[test]
    fn a_future_start_waits_and_a_slightly_late_one_starts_now() {
        let now = SystemTime::now();
        assert_eq!(
            wait_for(at(now, 30.0), now).unwrap(),
            Duration::from_secs(30)
        );
        assert_eq!(wait_for(at(now, -0.5), now).unwrap(), Duration::ZERO);
    }

    #[test]
    fn a_start_long_past_or_far_ahead_is_refused_with_the_fix() {
        let now = SystemTime::now();
        let late = wait_for(at(now, -10.0), now).unwrap_err().to_string();
        assert!(late.contains("passed 10.0 s ago"), "{late}");
        let far = wait_for(at(now, 2.0 * 86_400.0), now)
            .unwrap_err()
            .to_string();
        assert!(far.contains("more than 24 hours"), "{far}");
    }
}
