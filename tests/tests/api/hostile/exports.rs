//! CSV injection: what readers type (a proposal's title, author, publisher) reaches the
//! order a librarian opens in a spreadsheet as text, never as a formula.

use hongyan_domain::auth::StaffRole;
use hongyan_tests::TestOptions;
use serde_json::json;

use crate::library::Library;
use crate::purchases::{proposal, propose, year, ALLOCATE};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn formulas_in_proposals_reach_the_order_csv_as_text() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let admin = lib.staff("admin", StaffRole::Admin, &[]).await;
    let librarian = lib.staff("desk", StaffRole::Librarian, &["A"]).await;
    app.gql_as(Some(&admin), ALLOCATE, json!({"y": year(), "t": 100_000}))
        .await
        .data();
    let hostile = [
        "=HYPERLINK(\"http://evil.example/\",\"点此领取\")",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "+1+1",
        "-2+3",
    ];
    for (n, title) in (1u32..).zip(hostile) {
        let reader = lib.reader(&format!("6200000{n}")).await;
        let mut input = proposal(n, 30_00);
        input["title"] = json!(title);
        input["author"] = json!(format!("=cmd{n}"));
        let p = propose(&lib, &reader, input).await;
        assert_eq!(p["status"], "APPROVED", "{p}");
    }
    let vendor = app
        .gql_as(
            Some(&admin),
            "mutation { addVendor(name: \"书商\") { id } }",
            json!({}),
        )
        .await;
    let order = app
        .gql_as(
            Some(&librarian),
            "mutation($v: ID!) { placePurchaseOrder(vendorId: $v) { csv } }",
            json!({"v": vendor.data()["addVendor"]["id"]}),
        )
        .await;
    let csv = order.data()["placePurchaseOrder"]["csv"]
        .as_str()
        .expect("csv")
        .to_owned();
    for title in hostile {
        let quoted = format!("'{}", title.replace('"', "\"\""));
        assert!(csv.contains(&quoted), "{title} not neutralised in:\n{csv}");
    }
    for line in csv.lines().skip(1) {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a live formula in {line}"
            );
        }
    }
}
