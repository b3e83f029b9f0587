//! The `job` line: what waitbench hands a client before anything else, in protocol 1's
//! words (`docs/client-protocol.md`), built from the [`Workload`] every strategy runs.

use base64::Engine;
use waitbench_core::{ErrorPolicy, ErrorSamples, LoadModel, Workload};

/// The protocol version this driver speaks.
pub const PROTOCOL: u32 = 1;

/// The `job` line for `workload`, with the pattern's `options` (an object the client
/// defines; `{}` for none), without its newline.
pub(crate) fn job_line(workload: &Workload, options: &serde_json::Value) -> String {
    let load = match workload.load {
        LoadModel::Batch { requests, .. } => {
            serde_json::json!({"kind": "batch", "requests": requests})
        }
        LoadModel::ClosedLoop {
            duration, warmup, ..
        } => serde_json::json!({
            "kind": "closed_loop",
            "warmup_s": warmup.as_secs_f64(),
            "duration_s": duration.as_secs_f64(),
        }),
        LoadModel::OpenLoop {
            rate_per_s,
            duration,
            warmup,
            ..
        } => serde_json::json!({
            "kind": "open_loop",
            "rate_per_s": rate_per_s,
            "warmup_s": warmup.as_secs_f64(),
            "duration_s": duration.as_secs_f64(),
        }),
    };
    let request = &workload.request;
    let job = serde_json::json!({
        "protocol": PROTOCOL,
        "urls": workload.urls(),
        "request": {
            "method": request.method,
            "headers": request.headers.iter()
                .map(|h| [h.name.as_str(), h.value.as_str()])
                .collect::<Vec<_>>(),
            "body_base64": base64::engine::general_purpose::STANDARD
                .encode(request.body_bytes()),
        },
        "concurrency": workload.load.concurrency(),
        "timeouts": {
            "connect_s": workload.timeouts.connect.as_secs_f64(),
            "request_s": workload.timeouts.request.as_secs_f64(),
        },
        "load": load,
        "on_error": match workload.on_error {
            ErrorPolicy::WaitAll => "wait_all",
            ErrorPolicy::Cancel => "cancel",
        },
        "error_messages": ErrorSamples::LOOKS,
        "options": options,
    });
    format!("job {job}")
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use waitbench_core::{PathPlan, RequestSpec};

    use super::*;

    #[test]
    fn the_job_carries_every_field_the_protocol_names() {
        let workload = Workload {
            target: "http://127.0.0.1:9".into(),
            paths: PathPlan::DistinctItems { count: 2 },
            query: None,
            load: LoadModel::OpenLoop {
                rate_per_s: 200.0,
                duration: Duration::from_secs(2),
                warmup: Duration::from_millis(500),
                max_in_flight: 8,
            },
            on_error: ErrorPolicy::Cancel,
            request: RequestSpec {
                method: "POST".into(),
                ..Default::default()
            },
            timeouts: Default::default(),
        };
        let line = job_line(&workload, &serde_json::json!({"threads": 4}));
        let (word, json) = line.split_once(' ').unwrap();
        assert_eq!(word, "job");
        let job: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(job["protocol"], 1);
        assert_eq!(
            job["urls"],
            serde_json::json!(["http://127.0.0.1:9/item/0", "http://127.0.0.1:9/item/1"])
        );
        assert_eq!(job["request"]["method"], "POST");
        assert_eq!(job["request"]["body_base64"], "");
        assert_eq!(job["concurrency"], 8);
        assert_eq!(job["timeouts"]["connect_s"], 5.0);
        assert_eq!(
            job["load"],
            serde_json::json!({"kind": "open_loop", "rate_per_s": 200.0, "warmup_s": 0.5, "duration_s": 2.0})
        );
        assert_eq!(job["on_error"], "cancel");
        assert_eq!(job["options"]["threads"], 4);
        assert!(!line.contains('\n'));
    }
}
