//! Relating a client's clock to waitbench's: the clock handshake of protocol 1.
//!
//! A client reports times on its own monotonic clock, with any origin (a JVM's
//! `System.nanoTime()`, Node's `process.hrtime`, CPython's `time.monotonic_ns()`), so
//! waitbench cannot read them as [`Instant`]s directly. Each exchange of the handshake
//! gives a round trip `[w0, w1]` on waitbench's clock and one reading of the client's
//! that fell inside it; the exchange with the shortest round trip bounds the offset most
//! tightly: the reading is taken against the round trip's midpoint, and it can be off by
//! at most half the round trip. Both figures are recorded with every result
//! (`clock_offset_bound_us`, `handout_round_trip_us`), so a reader knows how far a
//! client's times can be trusted and what one ticket costs.

use std::time::{Duration, Instant};

/// One exchange: `clock SEQ` written at `written`, the client's answer `client_ns` read
/// at `read`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Exchange {
    /// When waitbench wrote `clock SEQ`.
    pub(crate) written: Instant,
    /// The client's clock in its answer, ns.
    pub(crate) client_ns: i64,
    /// When waitbench read the answer.
    pub(crate) read: Instant,
}

/// How many exchanges the handshake makes: enough that one of them is rarely disturbed
/// by a context switch, few enough to cost well under a millisecond.
pub(crate) const EXCHANGES: u64 = 16;

/// The client's clock, related to waitbench's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ClientClock {
    /// Where waitbench's clock stood when the client's read `origin_ns`.
    origin: Instant,
    origin_ns: i64,
    /// Half the shortest round trip: how far a converted time may be off.
    pub(crate) bound: Duration,
    /// The shortest round trip.
    pub(crate) round_trip: Duration,
}

impl ClientClock {
    /// The relation given by the exchange with the shortest round trip; `None` without
    /// exchanges.
    pub(crate) fn from_exchanges(exchanges: &[Exchange]) -> Option<ClientClock> {
        let best = exchanges
            .iter()
            .min_by_key(|e| e.read.saturating_duration_since(e.written))?;
        let round_trip = best.read.saturating_duration_since(best.written);
        let bound = round_trip / 2;
        Some(ClientClock {
            origin: best.written + bound,
            origin_ns: best.client_ns,
            bound,
            round_trip,
        })
    }

    /// The instant on waitbench's clock of the client's `ns`.
    pub(crate) fn instant(&self, ns: i64) -> Instant {
        let delta = ns.saturating_sub(self.origin_ns);
        let magnitude = Duration::from_nanos(delta.unsigned_abs());
        if delta >= 0 {
            self.origin + magnitude
        } else {
            self.origin.checked_sub(magnitude).unwrap_or(self.origin)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shortest_round_trip_sets_the_offset_and_its_bound() {
        let t0 = Instant::now();
        let at = |us| t0 + Duration::from_micros(us);
        // The client's clock reads waitbench's + 1 s (in ns, from t0). The slow exchange
        // read its clock late in its round trip; the fast one at its midpoint.
        let client = |us: u64| 1_000_000_000 + (us * 1_000) as i64;
        let exchanges = [
            Exchange {
                written: at(0),
                client_ns: client(90),
                read: at(100),
            },
            Exchange {
                written: at(200),
                client_ns: client(210),
                read: at(220),
            },
        ];
        let clock = ClientClock::from_exchanges(&exchanges).unwrap();
        assert_eq!(clock.round_trip, Duration::from_micros(20));
        assert_eq!(clock.bound, Duration::from_micros(10));
        assert_eq!(clock.instant(client(210)), at(210));
        assert_eq!(clock.instant(client(5_000)), at(5_000));
        assert_eq!(clock.instant(client(50)), at(50));
        assert_eq!(ClientClock::from_exchanges(&[]), None);
    }
}
