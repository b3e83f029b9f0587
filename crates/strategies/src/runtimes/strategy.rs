//! A runtime's pattern as a [`Strategy`]: its runtime plans it, the external driver runs
//! it, and the accounting is checked as for every strategy.

use waitbench_core::{Measurement, StrategyInfo, Workload};

use super::{Runtime, runtime_of};
use crate::Strategy;
use crate::error::RunError;
use crate::external::{Session, drive};
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
        let driven = drive(
            &Session {
                client: self.kind.name(),
                program: &program,
                options: &plan.options,
                credits: plan.credits,
            },
            workload,
        )?;
        let measurement = driven.measurement;
        measurement
            .recorder
            .counters
            .check_accounting()
            .map_err(RunError::Accounting)?;
        Ok(measurement)
    }
}
