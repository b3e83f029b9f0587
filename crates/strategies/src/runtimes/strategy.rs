//! A runtime's pattern as a [`Strategy`]: its runtime plans it, the external driver runs
//! it, and the accounting is checked as for every strategy.

use waitbench_core::{Measurement, StrategyInfo, Workload};

use super::{Runtime, connections, runtime_of};
use crate::Strategy;
use crate::error::RunError;
use crate::external::{Session, measure};
use crate::kind::StrategyKind;
use crate::options::StrategyOptions;

/// One pattern of an external runtime.
pub struct ExternalPattern {
    kind: StrategyKind,
    runtime: &'static dyn Runtime,
    options: StrategyOptions,
}

impl ExternalPattern {
    /// The pattern `kind` with `options`; `None` when `kind` is no runtime's pattern.
    pub fn new(kind: StrategyKind, options: &StrategyOptions) -> Option<Self> {
        Some(ExternalPattern {
            kind,
            runtime: runtime_of(kind)?,
            options: options.clone(),
        })
    }
}

impl Strategy for ExternalPattern {
    fn kind(&self) -> StrategyKind {
        self.kind
    }

    fn info(&self, workload: &Workload) -> StrategyInfo {
        self.runtime.info(self.kind, &self.options, workload)
    }

    fn ready(&self) -> Result<(), RunError> {
        self.runtime.prepare()
    }

    fn run(&self, workload: &Workload) -> Result<Measurement, RunError> {
        workload.validate()?;
        let plan = self.runtime.plan(self.kind, &self.options, workload)?;
        self.runtime.prepare()?;
        let program = self.runtime.program(self.kind)?;
        let session = Session {
            client: self.kind.name(),
            program: &program,
            options: &plan.options,
            credits: plan.credits,
            self_paced: self.options.self_paced || plan.self_paced,
        };
        let mut measurement = measure(&session, workload)?.measurement;
        measurement.connections = connections::take_report(&mut measurement.extras);
        Ok(measurement)
    }
}
