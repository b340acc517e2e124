//! Imported text is bounded: a record with a giant field is rejected (and only it), and a
//! row too long to hold ends the file with a rejection instead of filling memory; imports
//! stream the file rather than reading it whole.

use serde_json::json;

use crate::catalog::{app_with_branches, write_csv};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn giant_fields_are_rejected_not_stored_or_served() {
    let app = app_with_branches().await;
    let giant_title = "长".repeat(40_000);
    let file = write_csv(&[
        format!("9787544291163,{giant_title},某人,2020,I247,10,ZJG,G1,I247/1"),
        "9787020024759,正常的书,某人,2020,I247,10,ZJG,G2,I247/2".into(),
        format!(
            "\"\",\"{}\",某人,2020,I247,10,ZJG,G3,I247/3",
            "大".repeat(600_000)
        ),
        "9787020024760,读不到的书,某人,2020,I247,10,ZJG,G4,I247/4".into(),
    ]);
    let out = app.cli(&["import", "csv", file.to_str().expect("path")]);
    let _ = std::fs::remove_file(&file);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("第 1 条记录未导入：题名超过 500 个字"),
        "{stdout}"
    );
    assert!(
        stdout.contains("第 3 条记录未导入：第 4 行，这一行超过 1024 KiB，文件其余部分不再读取"),
        "{stdout}"
    );
    assert!(stdout.contains("新建题名 1 种"), "{stdout}");
    let r = app
        .gql(
            "{ bookByIsbn(isbn: \"9787544291163\") { title } }",
            json!({}),
        )
        .await;
    assert!(
        r.data()["bookByIsbn"].is_null(),
        "the giant title was not stored"
    );
}
