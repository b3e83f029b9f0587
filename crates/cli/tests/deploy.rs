//! The deployment manifests in `scripts/deploy/k8s/`, checked offline: they parse, their
//! parts refer to each other by the same names (Service, Secret, volume claim), the
//! client Job is Indexed with every pod running at once, and every flag they pass exists
//! in the `waitbench` they run. (Schema validation against the Kubernetes API:
//! `kubernetes-validate scripts/deploy/k8s/*.yaml`, see docs/distributed.md, "On Kubernetes".)

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use yaml_rust2::{Yaml, YamlLoader};

fn manifest(name: &str) -> Vec<Yaml> {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scripts/deploy/k8s")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn of_kind<'a>(docs: &'a [Yaml], kind: &str) -> &'a Yaml {
    docs.iter()
        .find(|d| d["kind"].as_str() == Some(kind))
        .unwrap_or_else(|| panic!("no {kind}"))
}

fn container(workload: &Yaml) -> &Yaml {
    &workload["spec"]["template"]["spec"]["containers"][0]
}

/// The container's command line as one string (a shell `-c` script, or its args).
fn command_line(workload: &Yaml) -> String {
    container(workload)["args"]
        .as_vec()
        .expect("args")
        .iter()
        .map(|a| a.as_str().expect("a string arg"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn claim_name(workload: &Yaml) -> &str {
    workload["spec"]["template"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"]
        .as_str()
        .expect("a volume claim")
}

/// Every `--flag` of `line` after `subcommand` is one `waitbench SUBCOMMAND --help` lists.
fn flags_exist(line: &str, subcommand: &str) {
    let help = Command::cargo_bin("waitbench")
        .unwrap()
        .args([subcommand, "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    for flag in line.split_whitespace().filter(|w| w.starts_with("--")) {
        assert!(
            help.contains(&format!("{flag} ")) || help.contains(&format!("{flag}\n")),
            "waitbench {subcommand} has no {flag}"
        );
    }
}

#[test]
fn the_server_deployment_and_its_service_agree() {
    let docs = manifest("server.yaml");
    let (deployment, service) = (of_kind(&docs, "Deployment"), of_kind(&docs, "Service"));
    assert_eq!(
        deployment["spec"]["template"]["metadata"]["labels"],
        service["spec"]["selector"]
    );
    let serve = container(deployment);
    let args = command_line(deployment);
    assert!(args.starts_with("serve --listen 0.0.0.0:8080"), "{args}");
    flags_exist(&args, "serve");
    assert_eq!(serve["ports"][0]["containerPort"].as_i64(), Some(8080));
    assert_eq!(service["spec"]["ports"][0]["port"].as_i64(), Some(8080));
    assert_eq!(
        serve["env"][0]["name"].as_str(),
        Some("WAITBENCH_CONTROL_TOKEN")
    );
}

#[test]
fn the_clients_are_an_indexed_job_that_reaches_the_service_and_shares_the_rate() {
    let server = manifest("server.yaml");
    let service = of_kind(&server, "Service")["metadata"]["name"]
        .as_str()
        .unwrap();
    let docs = manifest("clients.yaml");
    let job = of_kind(&docs, "Job");
    assert_eq!(job["spec"]["completionMode"].as_str(), Some("Indexed"));
    let pods = job["spec"]["completions"].as_i64().unwrap();
    assert_eq!(
        job["spec"]["parallelism"].as_i64(),
        Some(pods),
        "all pods at once"
    );

    let line = command_line(job);
    let run = line.split("waitbench run").nth(1).expect("a waitbench run");
    flags_exist(run, "run");
    assert!(
        run.contains(&format!("--target http://{service}:8080")),
        "{run}"
    );
    assert!(run.contains("--start-at @START_AT"), "{run}");
    assert!(
        run.contains("--json /results/run-${JOB_COMPLETION_INDEX}.json"),
        "{run}"
    );
    // docs/distributed.md's division: 4 pods × 2,500 req/s = 10,000 req/s.
    let rate: f64 = run
        .split_whitespace()
        .skip_while(|w| *w != "--rate")
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(rate * pods as f64, 10_000.0);
    assert_eq!(
        container(job)["env"][0]["valueFrom"]["secretKeyRef"]["name"],
        container(of_kind(&server, "Deployment"))["env"][0]["valueFrom"]["secretKeyRef"]["name"]
    );
}

#[test]
fn the_merge_job_reads_what_the_clients_wrote_on_the_same_volume() {
    let volume = manifest("results-volume.yaml");
    let pvc = of_kind(&volume, "PersistentVolumeClaim");
    assert_eq!(
        pvc["spec"]["accessModes"][0].as_str(),
        Some("ReadWriteMany")
    );
    let name = pvc["metadata"]["name"].as_str().unwrap();
    let clients = manifest("clients.yaml");
    let merge = manifest("merge.yaml");
    let (clients, merge) = (of_kind(&clients, "Job"), of_kind(&merge, "Job"));
    assert_eq!(claim_name(clients), name);
    assert_eq!(claim_name(merge), name);
    let line = command_line(merge);
    assert!(
        line.contains("waitbench merge /results/run-*.json --out /results/merged.json"),
        "{line}"
    );
    flags_exist(line.split("merge").nth(1).unwrap(), "merge");
}
