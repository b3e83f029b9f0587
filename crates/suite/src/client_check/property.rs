//! The properties a conforming client has, each judged from what the probes observed:
//! one row of the table per property, with what was seen on every probe it looked at,
//! so that a failing row says where and by how much.
//!
//! Each property looks only at the probes that test it, which is what lets a broken
//! client fail the rows it breaks and no others. The interruption is judged by its own
//! row alone. Counts are compared on the probes whose requests are answered: a library
//! may retry a reset request on a fresh connection (aiohttp retries an idempotent
//! request once when a kept-alive connection is reset), which is one request to the
//! caller and two to the server, so the reset row shows the server's count instead. A probe whose run failed fails every row that looks at
//! it, quoting the error.

use std::fmt::Write;

use waitbench_core::{Counters, ErrorKind};

#[cfg(test)]
use super::probe::SendLag;
use super::probe::{DELAY, Observed, Probe, Recorded, SEND_LAG_BOUND, STOP_BOUND};

/// One property of a conforming client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Property {
    /// Every request the server saw was reported, and nothing else.
    RecordsMatchServer,
    /// Sent ≤ ended, inside the run.
    TimesInsideRun,
    /// No request took less than the delay the server injected.
    LatencyAtLeastDelay,
    /// The open loop's requests left when their tickets said.
    SendsOnSchedule,
    /// The server never had more than C requests in flight.
    AtMostCInFlight,
    /// A reset connection is reported as `reset`.
    ResetClassified,
    /// A delay past the request timeout is reported as `timeout`.
    TimeoutClassified,
    /// An injected 503 is reported as `http 503`.
    StatusClassified,
    /// `stop` ends the client within a second.
    StopsOnInterrupt,
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The property.
    pub property: Property,
    /// Whether it held on every probe it looked at.
    pub passed: bool,
    /// What was seen, probe by probe.
    pub detail: String,
}

impl Property {
    /// Every property, in the table's order.
    pub const ALL: [Property; 9] = [
        Property::RecordsMatchServer,
        Property::TimesInsideRun,
        Property::LatencyAtLeastDelay,
        Property::SendsOnSchedule,
        Property::AtMostCInFlight,
        Property::ResetClassified,
        Property::TimeoutClassified,
        Property::StatusClassified,
        Property::StopsOnInterrupt,
    ];

    /// What the row asserts, as the table shows it.
    pub fn statement(self) -> String {
        match self {
            Property::RecordsMatchServer => "records = requests the server saw".into(),
            Property::TimesInsideRun => "sent <= ended, inside the run".into(),
            Property::LatencyAtLeastDelay => {
                format!("every latency >= the injected {} ms", DELAY.as_millis())
            }
            Property::SendsOnSchedule => format!(
                "open loop: send lag p50 <= {} ms",
                SEND_LAG_BOUND.as_millis()
            ),
            Property::AtMostCInFlight => "server never sees more than C in flight".into(),
            Property::ResetClassified => "reset fault -> reset".into(),
            Property::TimeoutClassified => "delay past the timeout -> timeout".into(),
            Property::StatusClassified => "injected 503 -> http 503".into(),
            Property::StopsOnInterrupt => {
                format!("stop ends it within {} s", STOP_BOUND.as_secs())
            }
        }
    }

    /// The probes this property looks at.
    fn probes(self) -> &'static [Probe] {
        match self {
            Property::RecordsMatchServer => &[
                Probe::Batch,
                Probe::ClosedLoop,
                Probe::OpenLoop,
                Probe::Status,
            ],
            Property::TimesInsideRun | Property::LatencyAtLeastDelay => &Probe::LOAD_MODELS,
            Property::SendsOnSchedule => &[Probe::OpenLoop],
            // Every probe but the interrupt, which runs last and is judged alone.
            Property::AtMostCInFlight => Probe::ALL.split_last().map_or(&[], |(_, rest)| rest),
            Property::ResetClassified => &[Probe::Reset],
            Property::TimeoutClassified => &[Probe::Timeout],
            Property::StatusClassified => &[Probe::Status],
            Property::StopsOnInterrupt => &[Probe::Interrupt],
        }
    }

    /// Judges the property on `observed` (probes it does not look at are ignored; one it
    /// looks at that is missing fails it).
    pub fn judge(self, observed: &[Observed]) -> Row {
        let mut passed = true;
        let mut detail = String::new();
        for &probe in self.probes() {
            let (ok, seen) = match observed.iter().find(|o| o.probe == probe) {
                None => (false, "not run".to_string()),
                Some(o) => match (&o.run, self) {
                    // The interruption is judged on its timing even when the run failed.
                    (_, Property::StopsOnInterrupt) => stops(o),
                    (Err(error), _) => (false, format!("run failed: {error}")),
                    (Ok(recorded), _) => self.holds(o, recorded),
                },
            };
            passed &= ok;
            if !detail.is_empty() {
                detail.push_str("; ");
            }
            let _ = write!(detail, "{} {seen}", probe.name());
        }
        Row {
            property: self,
            passed,
            detail,
        }
    }

    /// Whether the property holds on one probe the client finished, and what was seen.
    fn holds(self, o: &Observed, recorded: &Recorded) -> (bool, String) {
        let counters = &recorded.counters;
        match self {
            Property::RecordsMatchServer => {
                let reported = counters.sent + counters.warmup_sent;
                let mut ok = reported == o.server.requests;
                let mut seen = format!("{reported} reported, server {}", o.server.requests);
                if let Some(n) = o.probe.batch_size()
                    && reported != n
                {
                    ok = false;
                    let _ = write!(seen, " (of {n})");
                }
                (ok, seen)
            }
            Property::TimesInsideRun => match (counters.first_send, counters.last_finish) {
                (Some(first), Some(last)) => {
                    if first < o.started {
                        (
                            false,
                            format!(
                                "first send {} before the run started",
                                ms(o.started - first)
                            ),
                        )
                    } else if last > o.returned {
                        (
                            false,
                            format!("last end {} after the run returned", ms(last - o.returned)),
                        )
                    } else if last < first {
                        (
                            false,
                            format!("last end {} before the first send", ms(first - last)),
                        )
                    } else {
                        (true, "inside".into())
                    }
                }
                _ => (false, "nothing recorded".into()),
            },
            Property::LatencyAtLeastDelay => {
                let delay_us = DELAY.as_micros() as u64;
                match recorded.shortest_us {
                    Some(us) => (
                        us >= delay_us,
                        format!("shortest {:.1} ms", us as f64 / 1e3),
                    ),
                    None => (false, "nothing measured".into()),
                }
            }
            Property::SendsOnSchedule => match recorded.send_lag {
                Some(lag) => (
                    lag.p50_us <= SEND_LAG_BOUND.as_micros() as u64,
                    format!(
                        "p50 {:.2} ms, p99 {:.2} ms over {} sends",
                        lag.p50_us as f64 / 1e3,
                        lag.p99_us as f64 / 1e3,
                        counters.sent,
                    ),
                ),
                None => (false, "no send lag measured".into()),
            },
            // A request the client gave up on at its timeout stays in flight on the
            // server until the server sees the connection close, which a loaded machine
            // can delay past the client's next send: the timeout probe's count is shown,
            // not judged (every other probe bounds the client's own concurrency).
            Property::AtMostCInFlight if o.probe == Probe::Timeout => (
                true,
                format!(
                    "max {} (C = {}, not judged: abandoned requests linger)",
                    o.server.max_in_flight,
                    o.probe.concurrency()
                ),
            ),
            Property::AtMostCInFlight => {
                let c = o.probe.concurrency() as u64;
                (
                    o.server.max_in_flight <= c,
                    format!("max {} (C = {c})", o.server.max_in_flight),
                )
            }
            Property::ResetClassified => all_are(o, counters, Class::Error(ErrorKind::Reset)),
            Property::TimeoutClassified => all_are(o, counters, Class::Error(ErrorKind::Timeout)),
            Property::StatusClassified => all_are(o, counters, Class::Status(503)),
            Property::StopsOnInterrupt => stops(o),
        }
    }
}

/// `1726.3 ms`.
fn ms(span: std::time::Duration) -> String {
    format!("{:.1} ms", span.as_secs_f64() * 1e3)
}

/// An outcome class a fault probe expects of every request.
#[derive(Debug, Clone, Copy)]
enum Class {
    Error(ErrorKind),
    Status(u16),
}

/// Every request a fault probe reported ended as `class` (how many were reported is the
/// count row's business): whether they did, and the counts by class.
fn all_are(o: &Observed, counters: &Counters, class: Class) -> (bool, String) {
    let expected = match class {
        Class::Error(kind) => counters.errors[kind.index()],
        Class::Status(code) => counters
            .statuses
            .iter()
            .find(|(status, _)| *status == code)
            .map_or(0, |(_, n)| *n),
    };
    let ok = counters.sent > 0 && expected == counters.sent;
    let mut seen = outcome_counts(counters);
    if o.server.requests != counters.sent {
        let _ = write!(seen, " (server saw {})", o.server.requests);
    }
    (ok, seen)
}

/// `4 reset`, `2 other, 2 http 503`: what the requests ended as.
fn outcome_counts(counters: &Counters) -> String {
    let mut parts = Vec::new();
    if counters.ok > 0 {
        parts.push(format!("{} http 2xx", counters.ok));
    }
    for (status, n) in &counters.statuses {
        parts.push(format!("{n} http {status}"));
    }
    for kind in ErrorKind::ALL {
        let n = counters.errors[kind.index()];
        if n > 0 {
            parts.push(format!("{n} {}", kind.as_str()));
        }
    }
    if parts.is_empty() {
        "nothing reported".into()
    } else {
        parts.join(", ")
    }
}

/// The interrupt probe: stopped within the bound of the interruption, and said so.
fn stops(o: &Observed) -> (bool, String) {
    let Some(at) = o.interrupted_at else {
        return match &o.run {
            Err(error) => (false, format!("run failed before requests flowed: {error}")),
            Ok(_) => (false, "too few requests to interrupt".into()),
        };
    };
    let took = o.returned.saturating_duration_since(at);
    let seen = format!("ended {} ms after stop", took.as_millis());
    match &o.run {
        Err(error) => (false, format!("{seen}, run failed: {error}")),
        Ok(recorded) if !recorded.interrupted => (false, format!("{seen}, not marked interrupted")),
        Ok(_) => (took <= STOP_BOUND, seen),
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use waitbench_core::ServerRunStats;
    use waitbench_strategies::RunError;

    use super::*;

    /// A probe the client finished: `sent` requests recorded, all 2xx, the server saw
    /// `server` of them with at most `max_in_flight` at once.
    fn finished(probe: Probe, sent: u64, server: u64, max_in_flight: u64) -> Observed {
        let started = Instant::now();
        let counters = Counters {
            sent,
            ok: sent,
            first_send: Some(started + Duration::from_millis(1)),
            last_finish: Some(started + Duration::from_millis(30)),
            ..Counters::default()
        };
        Observed {
            probe,
            run: Ok(Recorded {
                counters,
                shortest_us: Some(20_010),
                send_lag: Some(SendLag {
                    p50_us: 200,
                    p99_us: 3_000,
                }),
                interrupted: probe == Probe::Interrupt,
            }),
            server: ServerRunStats {
                requests: server,
                max_in_flight,
                ..ServerRunStats::default()
            },
            started,
            returned: started + Duration::from_millis(40),
            interrupted_at: (probe == Probe::Interrupt).then_some(started),
        }
    }

    fn conforming() -> Vec<Observed> {
        Probe::ALL
            .into_iter()
            .map(|probe| {
                let n = probe.batch_size().unwrap_or(100);
                let mut o = finished(probe, n, n, probe.concurrency() as u64);
                if let Ok(r) = &mut o.run {
                    match probe {
                        Probe::Reset => errors(&mut r.counters, ErrorKind::Reset),
                        Probe::Timeout => errors(&mut r.counters, ErrorKind::Timeout),
                        Probe::Status => {
                            r.counters.ok = 0;
                            r.counters.statuses = vec![(503, n)];
                        }
                        _ => {}
                    }
                }
                o
            })
            .collect()
    }

    fn errors(counters: &mut Counters, kind: ErrorKind) {
        counters.errors[kind.index()] = counters.ok;
        counters.ok = 0;
    }

    fn failing(observed: &[Observed]) -> Vec<Property> {
        Property::ALL
            .into_iter()
            .map(|p| p.judge(observed))
            .filter(|row| !row.passed)
            .map(|row| row.property)
            .collect()
    }

    #[test]
    fn a_conforming_client_passes_every_row() {
        let observed = conforming();
        for property in Property::ALL {
            let row = property.judge(&observed);
            assert!(row.passed, "{}: {}", property.statement(), row.detail);
        }
    }

    #[test]
    fn records_fewer_than_the_server_saw_fail_only_the_count_row() {
        let mut observed = conforming();
        observed[1].server.requests += 3;
        assert_eq!(failing(&observed), [Property::RecordsMatchServer]);
        let row = Property::RecordsMatchServer.judge(&observed);
        assert!(
            row.detail.contains("closed 100 reported, server 103"),
            "{}",
            row.detail
        );
    }

    #[test]
    fn a_batch_short_of_its_requests_fails_the_count_even_when_the_server_agrees() {
        let mut observed = conforming();
        observed[0] = finished(Probe::Batch, 39, 39, 4);
        let row = Property::RecordsMatchServer.judge(&observed);
        assert!(!row.passed);
        assert!(
            row.detail.contains("39 reported, server 39 (of 40)"),
            "{}",
            row.detail
        );
    }

    #[test]
    fn more_than_c_in_flight_at_the_server_fails_that_row_naming_the_probe() {
        let mut observed = conforming();
        observed[2].server.max_in_flight = 8;
        assert_eq!(failing(&observed), [Property::AtMostCInFlight]);
        let row = Property::AtMostCInFlight.judge(&observed);
        assert!(row.detail.contains("open max 8 (C = 4)"), "{}", row.detail);
    }

    #[test]
    fn requests_abandoned_at_the_timeout_lingering_on_the_server_do_not_fail_the_bound() {
        let mut observed = conforming();
        let timeout = observed
            .iter()
            .position(|o| o.probe == Probe::Timeout)
            .expect("a timeout probe");
        observed[timeout].server.max_in_flight = 3;
        assert!(failing(&observed).is_empty());
        let row = Property::AtMostCInFlight.judge(&observed);
        assert!(
            row.detail.contains("timeout max 3 (C = 2, not judged"),
            "{}",
            row.detail
        );
    }

    #[test]
    fn a_failure_reported_as_the_wrong_class_fails_only_its_own_row() {
        let mut observed = conforming();
        let Ok(r) = &mut observed[3].run else {
            unreachable!()
        };
        r.counters.errors[ErrorKind::Reset.index()] = 1;
        r.counters.errors[ErrorKind::Other.index()] = 3;
        assert_eq!(failing(&observed), [Property::ResetClassified]);
        let row = Property::ResetClassified.judge(&observed);
        assert_eq!(row.detail, "reset 1 reset, 3 other");
    }

    #[test]
    fn a_request_shorter_than_the_injected_delay_fails_the_latency_row() {
        let mut observed = conforming();
        let Ok(r) = &mut observed[0].run else {
            unreachable!()
        };
        r.shortest_us = Some(19_000);
        assert_eq!(failing(&observed), [Property::LatencyAtLeastDelay]);
    }

    #[test]
    fn a_late_open_loop_fails_the_schedule_row() {
        let mut observed = conforming();
        let Ok(r) = &mut observed[2].run else {
            unreachable!()
        };
        r.send_lag = Some(SendLag {
            p50_us: 21_000,
            p99_us: 40_000,
        });
        assert_eq!(failing(&observed), [Property::SendsOnSchedule]);
    }

    #[test]
    fn a_send_before_the_run_started_fails_the_times_row() {
        let mut observed = conforming();
        let started = observed[0].started;
        let Ok(r) = &mut observed[0].run else {
            unreachable!()
        };
        r.counters.first_send = Some(started - Duration::from_secs(5));
        assert_eq!(failing(&observed), [Property::TimesInsideRun]);
        let row = Property::TimesInsideRun.judge(&observed);
        assert!(
            row.detail
                .contains("batch first send 5000.0 ms before the run started"),
            "{}",
            row.detail
        );
    }

    #[test]
    fn a_client_that_stops_late_fails_only_the_interrupt_row() {
        let mut observed = conforming();
        let last = observed.last_mut().unwrap();
        last.returned = last.interrupted_at.unwrap() + Duration::from_millis(1300);
        assert_eq!(failing(&observed), [Property::StopsOnInterrupt]);
        let row = Property::StopsOnInterrupt.judge(&observed);
        assert_eq!(row.detail, "interrupt ended 1300 ms after stop");
    }

    #[test]
    fn a_failed_run_fails_the_rows_that_look_at_it_with_its_error() {
        let mut observed = conforming();
        observed[4].run = Err(RunError::Accounting("3 requests unaccounted".into()));
        assert_eq!(
            failing(&observed),
            [Property::AtMostCInFlight, Property::TimeoutClassified]
        );
        let row = Property::TimeoutClassified.judge(&observed);
        assert_eq!(row.detail, "timeout run failed: 3 requests unaccounted");
    }

    #[test]
    fn a_missing_probe_fails_its_rows() {
        let observed: Vec<_> = conforming().into_iter().take(6).collect();
        assert_eq!(failing(&observed), [Property::StopsOnInterrupt]);
    }
}
