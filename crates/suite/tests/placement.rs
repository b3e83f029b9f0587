//! The embedded server's threads on their CPUs, read back from the kernel. In a test
//! binary of its own: any other server started in this process would add threads of the
//! same names.
#![cfg(target_os = "linux")]

use waitbench_core::CpuSet;
use waitbench_mockserver::ServerConfig;
use waitbench_suite::placement::start_server;

/// The CPUs of the server's threads, read from `/proc/self/task/*/status` by name.
fn cpus_of_threads_named(prefix: &str) -> Vec<String> {
    let mut found = Vec::new();
    for task in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if comm.trim().starts_with(prefix) {
            let status = std::fs::read_to_string(task.path().join("status")).unwrap();
            let list = status
                .lines()
                .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
                .unwrap()
                .trim()
                .to_string();
            found.push(list);
        }
    }
    found
}

#[test]
fn the_server_threads_run_on_the_server_cpus_and_the_caller_keeps_its_own() {
    let available = CpuSet::of_current_thread().unwrap();
    if available.len() < 2 {
        eprintln!("skipped: pinning apart needs 2 CPUs, this process may use {available}");
        return;
    }
    let first: CpuSet = available
        .cpus()
        .next()
        .unwrap()
        .to_string()
        .parse()
        .unwrap();
    // On its own thread, so that the test harness's threads keep their affinity.
    std::thread::spawn(move || {
        let config = ServerConfig::default();
        let workers = config.worker_threads;
        let server = start_server(config, Some(&first)).unwrap();
        assert_eq!(CpuSet::of_current_thread().unwrap(), available);
        // A thread takes its name once it first runs, which on a busy machine can be a
        // while after the server has started: wait (up to 10 s) for every worker's.
        let mut server_threads = Vec::new();
        for _ in 0..200 {
            server_threads = cpus_of_threads_named("waitbench-");
            if server_threads.len() >= workers {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert!(server_threads.len() >= workers, "{server_threads:?}");
        for cpus in server_threads {
            assert_eq!(cpus, first.to_string());
        }
        server.shutdown();
    })
    .join()
    .unwrap();
}
