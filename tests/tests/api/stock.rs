//! The net-lending stock (网借书库) through GraphQL and the import command: librarians put
//! copies in or out by barcodes or by branch and class, counts per branch, online requests
//! routed only to copies in it, and a CSV column that sets it on import.

use hongyan_domain::auth::StaffRole;
use hongyan_tests::TestOptions;
use serde_json::{json, Value};

use crate::library::{to_branch, Library};

const STOCK: &str = "{ netLendingStock { branch { code } copies netLending } }";
const BY_BARCODES: &str = "mutation($b: [String!]!, $on: Boolean!) { setNetLending(barcodes: $b, netLending: $on) { changed unknownBarcodes } }";
const BY_CLASS: &str = "mutation($br: ID!, $p: String!, $on: Boolean!) { setNetLendingByClass(branchId: $br, classPrefix: $p, netLending: $on) { changed } }";

async fn stock(lib: &Library, staff: &str) -> Value {
    lib.app.gql_as(Some(staff), STOCK, json!({})).await.data()["netLendingStock"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn librarians_keep_a_net_lending_stock_and_online_requests_use_only_it() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let lib_a = lib.staff("lib-a", StaffRole::Librarian, &["A"]).await;
    let lib_b = lib.staff("lib-b", StaffRole::Librarian, &["B"]).await;
    let picker = lib.staff("picker-a", StaffRole::Picker, &["A"]).await;
    let weicheng = lib
        .title(
            "围城",
            &[("A", "A0001", "I246.5/12"), ("B", "B0001", "I246.5/12")],
        )
        .await;
    lib.title("活着", &[("A", "A0002", "I247.57/5")]).await;
    lib.title("三体", &[("A", "A0003", "I247.55/1")]).await;
    lib.title("时间简史", &[("A", "A0004", "P159/1")]).await;
    assert_eq!(
        stock(&lib, &picker).await,
        json!([{"branch": {"code": "A"}, "copies": 4, "netLending": 4},
               {"branch": {"code": "B"}, "copies": 1, "netLending": 1}])
    );

    // Bad lists and other branches' copies change nothing.
    let refused = [
        (&lib_a, json!({"b": [], "on": false}), "VALIDATION"),
        (
            &lib_a,
            json!({"b": vec!["A0001"; 5001], "on": false}),
            "VALIDATION",
        ),
        (
            &lib_b,
            json!({"b": ["A0001", "B0001"], "on": false}),
            "FORBIDDEN",
        ),
        (&picker, json!({"b": ["A0001"], "on": false}), "FORBIDDEN"),
    ];
    for (who, vars, code) in refused {
        let r = app.gql_as(Some(who), BY_BARCODES, vars.clone()).await;
        assert_eq!(r.code(), code, "{vars}");
    }
    assert_eq!(stock(&lib, &picker).await[0]["netLending"], 4);

    // A's copy of 围城 leaves the stock: a reader collecting at A gets B's copy.
    let r = app
        .gql_as(
            Some(&lib_a),
            BY_BARCODES,
            json!({"b": ["A0001", " A0001 ", "NOPE-1"], "on": false}),
        )
        .await;
    assert_eq!(
        r.data()["setNetLending"],
        json!({"changed": 1, "unknownBarcodes": ["NOPE-1"]})
    );
    let reader = lib.reader("70000001").await;
    let req = lib.request(&reader, &weicheng, to_branch(&lib, "A")).await;
    assert_eq!(req["sourceBranch"]["code"], "B", "{req}");

    // By class: every I247 copy of A (two), then bad prefixes.
    let r = app
        .gql_as(
            Some(&lib_a),
            BY_CLASS,
            json!({"br": lib.id("A"), "p": "i247", "on": false}),
        )
        .await;
    assert_eq!(r.data()["setNetLendingByClass"]["changed"], 2);
    for p in ["", "I%", "I_", &"I".repeat(21)] {
        let r = app
            .gql_as(
                Some(&lib_a),
                BY_CLASS,
                json!({"br": lib.id("A"), "p": p, "on": true}),
            )
            .await;
        assert_eq!(r.code(), "VALIDATION", "{p}");
        assert_eq!(r.0["errors"][0]["extensions"]["field"], "classPrefix");
    }
    let r = app
        .gql_as(
            Some(&lib_b),
            BY_CLASS,
            json!({"br": lib.id("A"), "p": "P", "on": false}),
        )
        .await;
    assert_eq!(r.code(), "FORBIDDEN");
    assert_eq!(
        stock(&lib, &picker).await,
        json!([{"branch": {"code": "A"}, "copies": 4, "netLending": 1},
               {"branch": {"code": "B"}, "copies": 1, "netLending": 1}])
    );
    let r = app
        .gql_as(
            Some(&reader),
            "query($id: ID!) { book(id: $id) { availableCopies } }",
            json!({"id": weicheng}),
        )
        .await;
    assert_eq!(
        r.data()["book"]["availableCopies"],
        0,
        "B's copy is reserved"
    );
    assert_eq!(
        app.gql_as(Some(&reader), STOCK, json!({})).await.code(),
        "FORBIDDEN"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_column_puts_copies_in_or_out_of_the_net_lending_stock() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let admin = lib.staff("admin", StaffRole::Admin, &[]).await;
    let dir = std::env::temp_dir().join(format!("hongyan-stock-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("stock.csv");
    std::fs::write(
        &file,
        "isbn,title,branch,barcode,call_number,net_lending\n\
         9787020002207,红楼梦,A,S0001,I242.4/1,是\n\
         9787020002207,红楼梦,A,S0002,I242.4/1,否\n\
         9787020002207,红楼梦,B,S0003,I242.4/1,\n\
         9787020008735,水浒传,A,S0004,I242.4/2,也许\n",
    )
    .expect("write");
    let out = app.cli(&["import", "csv", file.to_str().expect("path")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        report.contains("第 5 行，net_lending 列的「也许」无法识别，请填「是」或「否」"),
        "the bad cell is named: {report}"
    );
    assert_eq!(
        stock(&lib, &admin).await,
        json!([{"branch": {"code": "A"}, "copies": 2, "netLending": 1},
               {"branch": {"code": "B"}, "copies": 1, "netLending": 1}])
    );
    // Imported again with the flag turned: the existing copy follows; an empty cell keeps it.
    std::fs::write(
        &file,
        "isbn,title,branch,barcode,call_number,net_lending\n\
         9787020002207,红楼梦,A,S0001,I242.4/1,0\n\
         9787020002207,红楼梦,B,S0003,I242.4/1,\n",
    )
    .expect("write");
    let out = app.cli(&["import", "csv", file.to_str().expect("path")]);
    assert!(out.status.success());
    assert_eq!(
        stock(&lib, &admin).await,
        json!([{"branch": {"code": "A"}, "copies": 2, "netLending": 0},
               {"branch": {"code": "B"}, "copies": 1, "netLending": 1}])
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_at_the_net_lending_location_go_in_and_pickers_see_where_each_stands() {
    let lib = Library::open(TestOptions::default()).await;
    let app = &lib.app;
    let picker = lib.staff("picker-a", StaffRole::Picker, &["A"]).await;
    let dir = std::env::temp_dir().join(format!("hongyan-location-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("stacks.csv");
    std::fs::write(
        &file,
        "isbn,title,branch,barcode,call_number,location,net_lending\n\
         9787020002207,红楼梦,A,L0001,I242.4/1,网借书库,\n\
         9787020002207,红楼梦,A,L0002,I242.4/1,二楼文学区,\n\
         9787020002207,红楼梦,A,L0003,I242.4/1,二楼文学区,是\n\
         9787020008735,水浒传,A,L0004,I242.4/2,,\n",
    )
    .expect("write");
    let out = app.cli(&[
        "import",
        "csv",
        file.to_str().expect("path"),
        "--net-lending-location",
        "网借书库",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The stack's copy and the one whose row says so are in; the others are out.
    assert_eq!(
        stock(&lib, &picker).await,
        json!([{"branch": {"code": "A"}, "copies": 4, "netLending": 2}])
    );
    let book = app
        .gql(
            "{ bookByIsbn(isbn: \"9787020002207\") { id availableCopies } }",
            json!({}),
        )
        .await;
    assert_eq!(book.data()["bookByIsbn"]["availableCopies"], 2);
    let reader = lib.reader("72000001").await;
    let book = book.data()["bookByIsbn"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    lib.request(&reader, &book, to_branch(&lib, "A")).await;
    let list = app
        .gql_as(
            Some(&picker),
            "query($b: ID!) { pickingList(branchId: $b) { item { barcode location } } }",
            json!({"b": lib.id("A")}),
        )
        .await;
    let item = &list.data()["pickingList"][0]["item"];
    let expected = if item["barcode"] == "L0001" {
        "网借书库"
    } else {
        "二楼文学区"
    };
    assert_eq!(item["location"], expected, "{item}");
    let page = app
        .http
        .get(format!(
            "{}/staff/branches/{}/picking-list",
            app.address,
            lib.id("A")
        ))
        .bearer_auth(&picker)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        page.contains(&format!("<div class=\"where\">{expected}</div>")),
        "the floor or area is printed: {page}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
