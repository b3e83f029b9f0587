//! The settings every strategy reports, so a result file says what produced its numbers.

use std::fmt::Display;

use waitbench_core::units::format_duration;
use waitbench_core::{StrategyInfo, Workload};

use crate::kind::StrategyKind;
use crate::options::StrategyOptions;

/// Sets one reported setting.
pub(crate) fn set(info: &mut StrategyInfo, key: &str, value: impl Display) {
    info.settings.insert(key.to_string(), value.to_string());
}

/// The info every strategy starts from: its name, the workers it runs, the timeouts, the
/// proxy policy and the CPU work per response.
pub(crate) fn common(
    kind: StrategyKind,
    workload: &Workload,
    options: &StrategyOptions,
    workers: usize,
    effective_concurrency: usize,
) -> StrategyInfo {
    let mut info = StrategyInfo {
        name: kind.name().to_string(),
        settings: Default::default(),
        effective_concurrency,
    };
    set(&mut info, "workers", workers);
    set(
        &mut info,
        "timeout_connect",
        format_duration(workload.timeouts.connect),
    );
    set(
        &mut info,
        "timeout_request",
        format_duration(workload.timeouts.request),
    );
    set(&mut info, "proxy", "none (environment ignored)");
    set(&mut info, "cpu_work", format_duration(options.cpu_work));
    if let Some(plant) = options.plant {
        set(&mut info, "planted_regression", plant);
    }
    if kind.stack() == crate::Stack::Rust {
        crate::transport::Transport::describe(&mut info, workload, options);
    }
    info
}
