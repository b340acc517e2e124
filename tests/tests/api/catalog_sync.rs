//! A branch's catalogue kept in sync with the library's other system
//! (`hongyan import … --withdraw-missing --branch CODE [--dry-run]`): copies the branch's
//! full export no longer lists are withdrawn (a request reserved on one is routed again, a
//! copy on loan is kept, a title left without copies leaves search), a dry run says the same and writes nothing, guards keep a wrong
//! file from emptying a branch, a copy listed again comes back, and a barcode the file
//! repeats far apart is still caught; the library system's own column names, subfields and
//! status words (剔除, 丢失) are read. Runs on SQLite too (the `sqlite` profile).

use std::path::PathBuf;

use hongyan_domain::auth::StaffRole;
use hongyan_domain::entity::item::{self, ItemStatus};
use hongyan_domain::entity::{import_seen, loan_request, title};
use hongyan_tests::wait::eventually;
use hongyan_tests::TestOptions;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

use crate::catalog::{search, titles, wait_for, write_csv};
use crate::library::{to_branch, Library, REQUEST_BY_ID};

const WEICHENG: &str = "9787020090006,围城,钱锺书,1991,I246.57,19.00";
const SANTI: &str = "9787536692930,三体,刘慈欣,2008,I247.55,23.00";
const XIANGTU: &str = ",乡土中国,费孝通,2005,C912.82,15.00";
const GAZETTEER: &str = ",鹿苑镇志,鹿苑镇志编委会,1999,K295.3,60.00";

/// Branch A's whole catalogue (and a copy at B): `drop` leaves out those barcodes.
fn catalogue(drop: &[&str]) -> PathBuf {
    let rows: Vec<String> = [
        (WEICHENG, "A", "S1", "I246.57/1"),
        (WEICHENG, "A", "S2", "I246.57/1"),
        (SANTI, "A", "S3", "I247.55/1"),
        (SANTI, "B", "S4", "I247.55/1"),
        (XIANGTU, "A", "S5", "C912.82/3"),
        (GAZETTEER, "A", "S6", "K295.3/1"),
    ]
    .iter()
    .filter(|(.., barcode, _)| !drop.contains(barcode))
    .map(|(book, branch, barcode, call)| format!("{book},{branch},{barcode},{call}"))
    .collect();
    write_csv(&rows)
}

const TEN_SECONDS: std::time::Duration = std::time::Duration::from_secs(10);

fn run(lib: &Library, args: &[&str]) -> (bool, String) {
    let out = lib.app.cli(args);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

async fn statuses(lib: &Library) -> Vec<(String, ItemStatus)> {
    let mut all: Vec<(String, ItemStatus)> = item::Entity::find()
        .all(&lib.app.ctx.db)
        .await
        .expect("copies")
        .into_iter()
        .map(|c| (c.barcode, c.status))
        .collect();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all
}

fn with(list: &[(&str, ItemStatus)]) -> Vec<(String, ItemStatus)> {
    list.iter().map(|(b, s)| ((*b).to_owned(), *s)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_reimport_withdraws_what_the_branch_no_longer_lists() {
    use ItemStatus::*;
    let lib = Library::open(TestOptions::default()).await;
    let full = catalogue(&[]);
    let path = |p: &PathBuf| p.to_str().expect("path").to_owned();
    let (ok, out) = run(&lib, &["import", "csv", &path(&full)]);
    assert!(ok && out.contains("新增馆藏 6 册"), "{out}");
    wait_for(&lib.app, "鹿苑镇志").await;

    // 三体 is requested for A's hold shelf: A's copy S3 is reserved, not yet picked.
    let reader = lib.reader("30000001").await;
    let santi = book_id(&lib, "三体").await;
    let req = lib.request(&reader, &santi, to_branch(&lib, "A")).await;
    assert_eq!(req["status"], "ROUTED", "{req}");
    // 乡土中国's only copy S5 is on loan.
    let desk = lib.staff("desk-a", StaffRole::Librarian, &["A"]).await;
    lib.check_out(&desk, "S5", "30000001").await;
    let before = with(&[
        ("S1", Available),
        ("S2", Available),
        ("S3", Reserved),
        ("S4", Available),
        ("S5", OnLoan),
        ("S6", Available),
    ]);
    assert_eq!(statuses(&lib).await, before);

    // A's next export lists only S2 (and B's S4): a dry run says what would happen.
    let partial = catalogue(&["S1", "S3", "S5", "S6"]);
    let sync = ["--withdraw-missing", "--branch", "A"];
    let args = |extra: &[&str]| {
        let mut a = vec!["import".to_owned(), "csv".into(), path(&partial)];
        a.extend(sync.iter().chain(extra).map(|s| (*s).to_owned()));
        a
    };
    let dry = args(&["--dry-run"]);
    let dry: Vec<&str> = dry.iter().map(String::as_str).collect();
    let (ok, out) = run(&lib, &dry);
    assert!(ok, "{out}");
    for said in [
        "试运行：以下为将会进行的变更，数据库未作任何改动",
        "条码 S1《围城》：在架 → 剔除",
        "条码 S3《三体》：已预留 → 剔除并为借阅申请另找一册",
        "条码 S5《乡土中国》：借出 → 流通中，暂不剔除",
        "条码 S6《鹿苑镇志》：在架 → 剔除",
        "分馆「A」：文件中没有的馆藏 4 册，剔除 3 册（其中 1 册的借阅申请已另行分配），流通中暂不剔除 1 册",
    ] {
        assert!(out.contains(said), "dry run should say {said}:\n{out}");
    }
    assert_eq!(statuses(&lib).await, before, "a dry run writes nothing");

    let real = args(&[]);
    let real: Vec<&str> = real.iter().map(String::as_str).collect();
    let (ok, out) = run(&lib, &real);
    assert!(ok && !out.contains("试运行"), "{out}");
    assert!(out.contains("剔除 3 册"), "{out}");
    assert_eq!(
        statuses(&lib).await,
        with(&[
            ("S1", Withdrawn),
            ("S2", Available),
            ("S3", Withdrawn),
            ("S4", Reserved),
            ("S5", OnLoan),
            ("S6", Withdrawn),
        ])
    );
    // Its only copy withdrawn, the gazetteer has left the collection: search no longer finds it.
    eventually(
        TEN_SECONDS,
        "the withdrawn title gone from search",
        || async {
            let found = titles(&search(&lib.app, "鹿苑镇志", json!(null)).await);
            (!found.iter().any(|t| t == "鹿苑镇志")).then_some(())
        },
    )
    .await;
    // The request moved to B's copy, and its reader is told why.
    let id = req["id"].as_str().expect("id");
    let row = loan_request::Entity::find_by_id(id.parse::<uuid::Uuid>().expect("uuid"))
        .one(&lib.app.ctx.db)
        .await
        .expect("request")
        .expect("row");
    assert_eq!(row.source_branch_id, Some(lib.branch["B"]));
    let seen = lib
        .app
        .gql_as(Some(&reader), REQUEST_BY_ID, json!({"id": id}))
        .await;
    let request = &seen.data()["request"];
    assert_eq!(request["status"], "ROUTED");
    let notes: Vec<&str> = request["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|h| h["note"].as_str())
        .collect();
    assert!(
        notes.contains(&"这册书已剔除出馆藏，正在为您另找一册"),
        "{notes:?}"
    );

    // Listed again by the next full export: back on the shelf.
    let (ok, out) = run(&lib, &["import", "csv", &path(&full)]);
    assert!(ok && out.contains("更新馆藏 3 册"), "{out}");
    wait_for(&lib.app, "鹿苑镇志").await;
    let back = statuses(&lib).await;
    assert!(back.contains(&("S1".into(), Available)), "{back:?}");
    assert!(back.contains(&("S3".into(), Available)), "{back:?}");
    let left = import_seen::Entity::find()
        .count(&lib.app.ctx.db)
        .await
        .expect("count");
    assert_eq!(left, 0, "a run forgets its barcodes when it ends");
}

/// The id of the title called `name`.
async fn book_id(lib: &Library, name: &str) -> String {
    title::Entity::find()
        .filter(title::Column::Title.eq(name))
        .one(&lib.app.ctx.db)
        .await
        .expect("titles")
        .expect("the title")
        .id
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_cannot_be_the_branchs_catalogue_withdraws_nothing() {
    let lib = Library::open(TestOptions::default()).await;
    let full = catalogue(&[]);
    let full = full.to_str().expect("path");
    assert!(run(&lib, &["import", "csv", full]).0);
    let before = statuses(&lib).await;

    // A file without a single copy of C: the wrong file, or the wrong --branch.
    let (ok, out) = run(
        &lib,
        &["import", "csv", full, "--withdraw-missing", "--branch", "C"],
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("文件中没有分馆「C」的馆藏，未剔除任何馆藏"),
        "{out}"
    );
    // An unreadable record: its copies are unknown, so none of A's is withdrawn.
    let broken = std::env::temp_dir().join(format!(
        "hongyan-sync-{}.csv",
        uuid::Uuid::new_v4().simple()
    ));
    let text = std::fs::read_to_string(full).expect("csv") + "\"unterminated,A,S9\n";
    std::fs::write(&broken, text.replace("S1", "S1X")).expect("write");
    let (_, out) = run(
        &lib,
        &[
            "import",
            "csv",
            broken.to_str().expect("path"),
            "--withdraw-missing",
            "--branch",
            "A",
        ],
    );
    assert!(
        out.contains("无法读取，其中的馆藏不明，未剔除任何馆藏"),
        "{out}"
    );
    let after = statuses(&lib).await;
    assert!(
        after.iter().all(|(_, s)| *s != ItemStatus::Withdrawn),
        "{after:?}"
    );
    assert!(before.iter().all(|c| after.contains(c)));

    // Asking wrongly is refused before anything is read.
    let (ok, out) = run(&lib, &["import", "csv", full, "--withdraw-missing"]);
    assert!(!ok, "--withdraw-missing needs --branch: {out}");
    let (ok, out) = run(
        &lib,
        &[
            "import",
            "csv",
            full,
            "--withdraw-missing",
            "--branch",
            "NOPE",
        ],
    );
    assert!(!ok && out.contains("分馆代码「NOPE」不存在"), "{out}");
}

/// A barcode repeated a thousand records later (batches apart) is still refused, naming the
/// record that had it first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_barcode_repeated_batches_apart_is_refused() {
    let lib = Library::open(TestOptions::default()).await;
    let mut rows: Vec<String> = (0..1_200)
        .map(|i| format!(",地方文献{i},佚名,2001,K29,10.00,A,L{i:05},K29/{i}"))
        .collect();
    rows.push(",地方文献重复,佚名,2001,K29,10.00,A,L00007,K29/7".into());
    let file = write_csv(&rows);
    let (ok, out) = run(&lib, &["import", "csv", file.to_str().expect("path")]);
    assert!(ok, "{out}");
    assert!(
        out.contains("条码「L00007」与本文件第 8 条记录重复"),
        "{out}"
    );
    assert!(
        out.contains("新增馆藏 1200 册") && out.contains("未导入 1 条"),
        "{out}"
    );
}

/// A CSV export from the library's own system, with its own column names and the status
/// words it uses.
fn export_with_status(rows: &[(&str, &str, &str)]) -> PathBuf {
    let mut text = String::from(
        "isbn,title,authors,pub_year,clc_class,price,branch,barcode,call_number,网借,馆藏状态\n",
    );
    for (barcode, net, status) in rows {
        text.push_str(&format!(
            "{WEICHENG},A,{barcode},I246.57/1,{net},{status}\n"
        ));
    }
    let path = std::env::temp_dir().join(format!("hongyan-status-{}.csv", uuid::Uuid::new_v4()));
    std::fs::write(&path, text).expect("write csv");
    path
}

async fn copy(lib: &Library, barcode: &str) -> Option<item::Model> {
    item::Entity::find()
        .filter(item::Column::Barcode.eq(barcode))
        .one(&lib.app.ctx.db)
        .await
        .expect("copy")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_library_systems_own_columns_and_status_words_are_read() {
    use ItemStatus::*;
    let lib = Library::open(TestOptions::default()).await;
    let import = |file: PathBuf| {
        let lib = &lib;
        async move {
            let path = file.to_str().expect("path").to_owned();
            let named = [
                "import",
                "csv",
                &path,
                "--net-lending-column",
                "网借",
                "--status-column",
                "馆藏状态",
            ];
            let (ok, out) = run(lib, &named);
            assert!(ok, "{out}");
            out
        }
    };
    let out = import(export_with_status(&[
        ("W1", "是", "在架"),
        ("W2", "否", "借出"),
        ("W3", "是", "丢失"),
        ("W4", "是", "剔除"),
    ]))
    .await;
    assert!(out.contains("新增馆藏 3 册"), "{out}");
    let w1 = copy(&lib, "W1").await.expect("W1");
    assert_eq!((w1.status, w1.net_lending), (Available, true));
    let w2 = copy(&lib, "W2").await.expect("W2");
    assert_eq!((w2.status, w2.net_lending), (Available, false));
    assert_eq!(copy(&lib, "W3").await.expect("W3").status, Missing);
    assert!(copy(&lib, "W4").await.is_none(), "withdrawn before it came");

    let later = [
        ("W1", "是", "注销"),
        ("W2", "否", "遗失"),
        ("W3", "是", "丢失"),
    ];
    let out = import(export_with_status(&later)).await;
    assert!(out.contains("更新馆藏 2 册"), "{out}");
    assert_eq!(copy(&lib, "W1").await.expect("W1").status, Withdrawn);
    assert_eq!(copy(&lib, "W2").await.expect("W2").status, Missing);
    let out = import(export_with_status(&later)).await;
    assert!(
        out.contains("新增馆藏 0 册，更新馆藏 0 册"),
        "the same file again: {out}"
    );

    let out = import(export_with_status(&[("W1", "是", "在架")])).await;
    assert!(out.contains("更新馆藏 1 册"), "{out}");
    assert_eq!(copy(&lib, "W1").await.expect("W1").status, Available);

    let file = export_with_status(&[("W1", "是", "在架")]);
    let (ok, out) = run(
        &lib,
        &[
            "import",
            "csv",
            file.to_str().expect("path"),
            "--status-column",
            "状态",
        ],
    );
    assert!(!ok && out.contains("CSV 文件的表头没有「状态」列"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marc_holdings_subfields_are_configurable() {
    use hongyan_tests::marc_writer::{record, Field};
    let lib = Library::open(TestOptions::default()).await;
    let holding = |barcode: &'static str, net: &'static str, status: &'static str| {
        Field::Data(
            "852",
            *b"  ",
            vec![
                ('b', "A"),
                ('h', "I246.57/1"),
                ('p', barcode),
                ('n', net),
                ('x', status),
            ],
        )
    };
    let marc = record(
        &[
            Field::Data("020", *b"  ", vec![('a', "9787020090006")]),
            Field::Data("100", *b"0 ", vec![('a', "钱锺书")]),
            Field::Data("245", *b"10", vec![('a', "围城")]),
            holding("M1", "n", "遗失"),
            holding("M2", "y", "在架"),
        ],
        b'a',
    );
    let path = std::env::temp_dir().join(format!("hongyan-status-{}.mrc", uuid::Uuid::new_v4()));
    std::fs::write(&path, marc).expect("marc");
    let args = [
        "import",
        "marc",
        path.to_str().expect("path"),
        "--net-lending-subfield",
        "n",
        "--status-subfield",
        "x",
    ];
    let (ok, out) = run(&lib, &args);
    assert!(ok && out.contains("新增馆藏 2 册"), "{out}");
    let m1 = copy(&lib, "M1").await.expect("M1");
    assert_eq!((m1.status, m1.net_lending), (ItemStatus::Missing, false));
    let m2 = copy(&lib, "M2").await.expect("M2");
    assert_eq!((m2.status, m2.net_lending), (ItemStatus::Available, true));
    let (ok, out) = run(
        &lib,
        &["import", "marc", "x.mrc", "--status-subfield", "xy"],
    );
    assert!(!ok && out.contains("one letter or digit"), "{out}");
}
