//! How requests are sent, before a concurrency is chosen: what `run`'s load flags and a
//! scenario's keys both say, turned into a [`LoadModel`] in one place, so that the two
//! cannot come to build the same model differently.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use waitbench_core::LoadModel;

/// A load model by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelName {
    /// N requests at C in flight.
    Batch,
    /// C workers for a duration.
    ClosedLoop,
    /// A constant arrival rate for a duration.
    OpenLoop,
}

impl ModelName {
    /// Every model, in the order an error lists them.
    pub const ALL: [ModelName; 3] = [ModelName::Batch, ModelName::ClosedLoop, ModelName::OpenLoop];

    /// The name, as a scenario's `model` value.
    pub fn name(self) -> &'static str {
        match self {
            ModelName::Batch => "batch",
            ModelName::ClosedLoop => "closed-loop",
            ModelName::OpenLoop => "open-loop",
        }
    }
}

impl fmt::Display for ModelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ModelName {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        waitbench_core::named::by_name(&ModelName::ALL, ModelName::name, "model", text)
    }
}

/// A setting the chosen load model needs and the spec lacks; each front end words it in
/// its own terms (a flag, a scenario key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// A batch's request count.
    Requests,
    /// A loop's duration.
    Duration,
    /// An open loop's rate.
    Rate,
}

/// The load, less its concurrency.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadSpec {
    /// The model; `None` infers it from what is given: a rate makes an open loop, a
    /// duration alone a closed loop, neither a batch.
    pub model: Option<ModelName>,
    /// A batch's request count.
    pub requests: Option<u64>,
    /// A loop's measured duration.
    pub duration: Option<Duration>,
    /// A loop's unrecorded warm-up.
    pub warmup: Duration,
    /// An open loop's rate, requests per second.
    pub rate: Option<f64>,
}

impl LoadSpec {
    /// The model this spec chooses, given or inferred.
    pub fn model_name(&self) -> ModelName {
        self.model.unwrap_or(match (self.rate, self.duration) {
            (Some(_), _) => ModelName::OpenLoop,
            (None, Some(_)) => ModelName::ClosedLoop,
            (None, None) => ModelName::Batch,
        })
    }

    /// The load model at `concurrency` (C, or an open loop's in-flight cap).
    pub fn model(&self, concurrency: usize) -> Result<LoadModel, Missing> {
        let duration = || self.duration.ok_or(Missing::Duration);
        Ok(match self.model_name() {
            ModelName::Batch => LoadModel::Batch {
                requests: self.requests.ok_or(Missing::Requests)?,
                concurrency,
            },
            ModelName::ClosedLoop => LoadModel::ClosedLoop {
                concurrency,
                duration: duration()?,
                warmup: self.warmup,
            },
            ModelName::OpenLoop => LoadModel::OpenLoop {
                rate_per_s: self.rate.ok_or(Missing::Rate)?,
                duration: duration()?,
                warmup: self.warmup,
                max_in_flight: concurrency,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn the_model_is_inferred_from_what_is_given() {
        let batch = LoadSpec {
            requests: Some(500),
            ..LoadSpec::default()
        };
        assert_eq!(
            batch.model(13),
            Ok(LoadModel::Batch {
                requests: 500,
                concurrency: 13
            })
        );
        let closed = LoadSpec {
            duration: Some(S(3)),
            warmup: S(1),
            ..LoadSpec::default()
        };
        assert_eq!(
            closed.model(100),
            Ok(LoadModel::ClosedLoop {
                concurrency: 100,
                duration: S(3),
                warmup: S(1)
            })
        );
        let open = LoadSpec {
            rate: Some(500.0),
            duration: Some(S(3)),
            ..LoadSpec::default()
        };
        assert_eq!(
            open.model(50),
            Ok(LoadModel::OpenLoop {
                rate_per_s: 500.0,
                duration: S(3),
                warmup: Duration::ZERO,
                max_in_flight: 50
            })
        );
    }

    #[test]
    fn a_named_model_says_which_setting_it_lacks() {
        let spec = |model| LoadSpec {
            model: Some(model),
            ..LoadSpec::default()
        };
        assert_eq!(spec(ModelName::Batch).model(1), Err(Missing::Requests));
        assert_eq!(spec(ModelName::ClosedLoop).model(1), Err(Missing::Duration));
        assert_eq!(spec(ModelName::OpenLoop).model(1), Err(Missing::Rate));
        let rate_only = LoadSpec {
            rate: Some(10.0),
            ..LoadSpec::default()
        };
        assert_eq!(rate_only.model(1), Err(Missing::Duration));
    }

    #[test]
    fn model_names_read_back_and_a_wrong_one_lists_them() {
        for model in ModelName::ALL {
            assert_eq!(model.name().parse::<ModelName>(), Ok(model));
        }
        let err = "closed".parse::<ModelName>().unwrap_err();
        assert_eq!(
            err,
            "unknown model \"closed\"; known: batch, closed-loop, open-loop"
        );
    }
}
