//! Hostile input: schemathesis (PyPI) generates GraphQL queries and mutations from the
//! schema, and requests from the locker protocol's OpenAPI document, and sends them as an
//! anonymous caller, as a reader, as an admin and as a locker. `tests/fuzz/hongyan_checks.py`
//! fails the run on any 5xx, any GraphQL error without `extensions.code` or with INTERNAL,
//! and (for the reader) any answer carrying another reader's name, card, ids or phone.

use std::path::PathBuf;
use std::process::Command;

use hongyan_domain::auth::StaffRole;
use hongyan_domain::people;
use hongyan_tests::TestOptions;
use serde_json::json;

use crate::library::{locker, to_branch, Library};

/// Test cases per operation and pass (63 GraphQL operations, 5 locker ones).
const EXAMPLES: &str = "20";

fn checks_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// Runs `schemathesis run` with `args`; returns whether it passed and what it printed.
fn schemathesis(args: &[&str], canaries: &[String]) -> (bool, String) {
    let out = Command::new("schemathesis")
        .arg("run")
        .args(args)
        .args(["--no-color", "--generation-database", "none"])
        .args(["--request-timeout", "40", "-n", EXAMPLES])
        .env("SCHEMATHESIS_HOOKS", "hongyan_checks")
        .env("PYTHONPATH", checks_dir())
        .env("HONGYAN_FUZZ_CANARIES", canaries.join(","))
        .current_dir(std::env::temp_dir())
        .output()
        .expect("schemathesis is not installed: pip install schemathesis (scripts/test.sh does)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The "N generated, M passed" line of a run.
fn tally(output: &str) -> &str {
    output
        .lines()
        .find(|l| l.contains(" generated, "))
        .map_or("(no tally)", str::trim)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_hostile_requests_get_no_5xx_no_uncoded_error_and_no_other_readers_data() {
    let lib = Library::open(TestOptions {
        env: vec![
            ("HONGYAN_RATE_LIMIT_IP", "off".into()),
            ("HONGYAN_RATE_LIMIT_READER", "off".into()),
        ],
        ..TestOptions::default()
    })
    .await;
    let app = &lib.app;
    let admin = lib.staff("admin", StaffRole::Admin, &[]).await;
    let (_, controller) = locker(&lib, "L-FUZZ", "S=2,M=1", (31.88, 120.55)).await;
    let book = lib
        .title(
            "模糊测试",
            &[("A", "A0001", "I247/1"), ("B", "B0001", "I247/1")],
        )
        .await;
    // The canary: another reader with a request, an address and a proposal.
    let canary = people::add_reader(
        &app.ctx.db,
        "77770001",
        "123456",
        "金丝雀读者",
        app.ctx.now(),
    )
    .await
    .expect("reader");
    let other = app.reader_token("77770001", "123456").await;
    lib.request(&other, &book, to_branch(&lib, "A")).await;
    let address = app
        .gql_as(
            Some(&other),
            "mutation { addAddress(input: {label: \"家\", recipient: \"金丝雀\", phone: \"13800009999\", address: \"金丝雀路 9 号\"}) { id } }",
            json!({}),
        )
        .await;
    let address = address.data()["addAddress"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let me = lib.reader("77770002").await;
    lib.request(&me, &book, to_branch(&lib, "B")).await;

    let graphql = format!("{}/graphql", app.address);
    let canaries = vec![
        "金丝雀".to_owned(),
        "77770001".to_owned(),
        "13800009999".to_owned(),
        canary.id.to_string(),
        address,
    ];
    let mut report = vec![];
    for (who, token, watch) in [
        ("anonymous", None, &canaries),
        ("reader", Some(me.as_str()), &canaries),
        ("admin", Some(admin.as_str()), &vec![]),
    ] {
        let header = token.map(|t| format!("Authorization: Bearer {t}"));
        let mut args = vec![graphql.as_str()];
        if let Some(h) = &header {
            args.extend(["-H", h.as_str()]);
        }
        args.extend([
            "-c",
            "hongyan_no_server_error,hongyan_no_foreign_reader_data",
        ]);
        let (ok, output) = schemathesis(&args, watch);
        assert!(ok, "GraphQL as {who}:\n{output}");
        report.push(format!("GraphQL as {who}: {}", tally(&output)));
    }
    let spec = format!("{}/locker/v1/openapi.json", app.address);
    let header = format!("Authorization: Bearer {}", controller.token);
    let (ok, output) = schemathesis(
        &[
            &spec,
            "--url",
            &app.address,
            "-H",
            &header,
            "-c",
            "not_a_server_error,hongyan_no_server_error,hongyan_no_foreign_reader_data",
        ],
        &canaries,
    );
    assert!(ok, "locker protocol:\n{output}");
    report.push(format!("locker protocol: {}", tally(&output)));
    println!("{}", report.join("\n"));
}
