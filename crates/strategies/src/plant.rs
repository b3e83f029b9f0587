//! Planted regressions: deliberate faults in a strategy, so that anyone can show the CI
//! gate still catches what it exists to catch (`waitbench check --plant …`).
//!
//! A gate that has never been seen failing is not known to work, and a gate widened until
//! it never fails catches nothing; planting a known regression and watching it fail is
//! the only proof of teeth. Planting is a debugging option: nothing plants by default,
//! and a planted run says so in its reported settings.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use thiserror::Error;
use waitbench_core::units::{HumanDuration, parse_duration};

use crate::kind::StrategyKind;

/// One deliberate regression in a strategy's behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plant {
    /// Keep only this percentage of C in flight, as a pool capped below C would.
    InFlight {
        /// Percent of C, 1–99.
        percent: u32,
    },
    /// Add this fixed delay to every request, inside its timed region.
    Delay(Duration),
}

impl Plant {
    /// The workers a strategy starts for `concurrency` under this plant.
    pub fn workers(plant: Option<Plant>, concurrency: usize) -> usize {
        match plant {
            Some(Plant::InFlight { percent }) => {
                (concurrency * percent as usize / 100).clamp(1, concurrency.max(1))
            }
            _ => concurrency,
        }
    }

    /// The extra delay per request under this plant (zero without one).
    pub fn delay(plant: Option<Plant>) -> Duration {
        match plant {
            Some(Plant::Delay(delay)) => delay,
            _ => Duration::ZERO,
        }
    }
}

impl fmt::Display for Plant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Plant::InFlight { percent } => write!(f, "in-flight={percent}%"),
            Plant::Delay(delay) => write!(f, "delay={}", HumanDuration(*delay)),
        }
    }
}

/// A plant that does not parse, with what would.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "invalid plant {given:?}: {problem}; expected STRATEGY:in-flight=PERCENT% or \
     STRATEGY:delay=DURATION, e.g. reqwest-tokio:in-flight=80% or ureq-threads:delay=6ms"
)]
pub struct BadPlant {
    /// The value given.
    pub given: String,
    /// What is wrong with it.
    pub problem: String,
}

impl FromStr for Plant {
    type Err = BadPlant;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = |problem: &str| BadPlant {
            given: text.to_string(),
            problem: problem.to_string(),
        };
        let (key, value) = text.trim().split_once('=').ok_or_else(|| bad("no `=`"))?;
        match key.trim() {
            "in-flight" => {
                let percent = value
                    .trim()
                    .strip_suffix('%')
                    .and_then(|p| p.trim().parse::<u32>().ok())
                    .filter(|p| (1..=99).contains(p))
                    .ok_or_else(|| bad("in-flight takes a percentage from 1% to 99%"))?;
                Ok(Plant::InFlight { percent })
            }
            "delay" => parse_duration(value)
                .filter(|d| !d.is_zero())
                .map(Plant::Delay)
                .ok_or_else(|| bad("delay takes a positive duration")),
            other => Err(bad(&format!("unknown kind {other:?}"))),
        }
    }
}

/// A plant aimed at one strategy: `STRATEGY:PLANT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlantSpec {
    /// The strategy that gets the plant.
    pub strategy: StrategyKind,
    /// What is planted.
    pub plant: Plant,
}

impl fmt::Display for PlantSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.strategy.name(), self.plant)
    }
}

impl FromStr for PlantSpec {
    type Err = BadPlant;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (name, plant) = text.split_once(':').ok_or_else(|| BadPlant {
            given: text.to_string(),
            problem: "no strategy named before `:`".into(),
        })?;
        let strategy = name.trim().parse::<StrategyKind>().map_err(|e| BadPlant {
            given: text.to_string(),
            problem: e.to_string(),
        })?;
        Ok(PlantSpec {
            strategy,
            plant: plant.parse()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plants_print_and_parse_back() {
        for text in ["reqwest-tokio:in-flight=80%", "ureq-threads:delay=6ms"] {
            let spec: PlantSpec = text.parse().unwrap();
            assert_eq!(spec.to_string(), text);
            assert_eq!(spec.to_string().parse::<PlantSpec>().unwrap(), spec);
        }
    }

    #[test]
    fn bad_plants_name_the_problem_and_the_form() {
        for (text, problem) in [
            ("reqwest-tokio:in-flight=100%", "1% to 99%"),
            ("reqwest-tokio:delay=0", "positive duration"),
            ("reqwest-tokio:slow=1", "unknown kind"),
            ("in-flight=80%", "no strategy"),
            ("curl:delay=1ms", "curl"),
        ] {
            let err = text.parse::<PlantSpec>().unwrap_err().to_string();
            assert!(err.contains(problem), "{text}: {err}");
            assert!(err.contains("reqwest-tokio:in-flight=80%"), "{err}");
        }
    }

    #[test]
    fn an_in_flight_plant_caps_the_workers_and_a_delay_plant_does_not() {
        let cap = Some(Plant::InFlight { percent: 80 });
        assert_eq!(Plant::workers(cap, 100), 80);
        assert_eq!(Plant::workers(cap, 1), 1);
        assert_eq!(Plant::workers(None, 100), 100);
        let delay = Some(Plant::Delay(Duration::from_millis(6)));
        assert_eq!(Plant::workers(delay, 100), 100);
        assert_eq!(Plant::delay(delay), Duration::from_millis(6));
        assert_eq!(Plant::delay(cap), Duration::ZERO);
    }
}
