//! The catalogue: CSV and MARC import through the CLI, Chinese full-text search through
//! GraphQL, availability, filters, pagination and bad input.

use std::path::PathBuf;
use std::time::Duration;

use hongyan_domain::auth::StaffRole;
use hongyan_domain::branches::{self, BranchKind, NewBranch};
use hongyan_domain::people;
use hongyan_tests::chinese::not_chinese;
use hongyan_tests::marc_writer::{record, Field};
use hongyan_tests::wait::eventually;
use hongyan_tests::TestApp;
use serde_json::{json, Value};

const SEARCH: &str = r"query($q: String!, $f: BookFilter, $first: Int, $after: String) {
  searchBooks(query: $q, filter: $f, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id title authors isbn pubYear clcClass availableCopies totalCopies
      availability { branch { code } copies available } } }
  }
}";

/// A copy: branch code, barcode, call number.
type Copy = (&'static str, &'static str, &'static str);

/// A title of the test catalogue with its copies.
struct TestBook {
    title: &'static str,
    authors: &'static str,
    isbn: &'static str,
    year: &'static str,
    class: &'static str,
    copies: &'static [Copy],
}

const BOOKS: &[TestBook] = &[
    TestBook {
        title: "三体II：黑暗森林",
        authors: "刘慈欣",
        isbn: "978-7-5366-9396-8",
        year: "2008",
        class: "I247.55",
        copies: &[
            ("ZJG", "T0001", "I247.55/2"),
            ("ZJG-JG", "T0002", "I247.55/2"),
        ],
    },
    TestBook {
        title: "三体",
        authors: "刘慈欣",
        isbn: "9787536692930",
        year: "2008",
        class: "I247.55",
        copies: &[("ZJG", "T0003", "I247.55/1")],
    },
    TestBook {
        title: "中华人民共和国史",
        authors: "何沁主编",
        isbn: "978-7-04-010863-7",
        year: "1999",
        class: "K27",
        copies: &[("ZJG-TQ", "T0004", "K27/9")],
    },
    TestBook {
        title: "活着",
        authors: "余华",
        isbn: "7-5063-4307-X",
        year: "2012",
        class: "I247.57",
        copies: &[("ZJG-JG", "T0005", "I247.57/14")],
    },
    TestBook {
        title: "围城",
        authors: "钱锺书",
        isbn: "9787020090006",
        year: "1991",
        class: "I246.57",
        copies: &[],
    },
    TestBook {
        title: "活着为了讲述",
        authors: "[哥伦比亚]加西亚·马尔克斯; 李静译",
        isbn: "9787544258975",
        year: "2016",
        class: "I775.65",
        copies: &[("ZJG", "T0006", "I775.65/3")],
    },
    TestBook {
        title: "Python编程：从入门到实践",
        authors: "[美]Eric Matthes; 袁国忠译",
        isbn: "9787115428028",
        year: "2016",
        class: "TP311.561",
        copies: &[("ZJG", "T0007", "TP311.561/40")],
    },
];

pub fn write_csv(rows: &[String]) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "hongyan-import-{}.csv",
        uuid::Uuid::new_v4().simple()
    ));
    let mut text =
        String::from("isbn,title,authors,pub_year,clc_class,price,branch,barcode,call_number\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    std::fs::write(&path, text).expect("write csv");
    path
}

fn catalogue_csv() -> PathBuf {
    let mut rows = Vec::new();
    for TestBook {
        title,
        authors,
        isbn,
        year,
        class,
        copies,
    } in BOOKS
    {
        if copies.is_empty() {
            rows.push(format!(
                "{isbn},{title},\"{authors}\",{year},{class},45.00,,,"
            ));
        }
        for (branch, barcode, call) in copies.iter() {
            rows.push(format!(
                "{isbn},{title},\"{authors}\",{year},{class},23.50,{branch},{barcode},{call}"
            ));
        }
    }
    write_csv(&rows)
}

/// An app with branches and a reader, and no catalogue yet.
pub async fn app_with_branches() -> TestApp {
    let app = TestApp::spawn().await;
    let new = ["ZJG", "ZJG-JG", "ZJG-TQ", "ZJG-FH", "ZJG-LY", "ZJG-NF"]
        .map(|code| NewBranch {
            code: code.into(),
            name: format!("{code} 分馆"),
            kind: BranchKind::Branch,
            address: "张家港".into(),
            position: None,
        })
        .to_vec();
    branches::create(&app.ctx.db, new, app.ctx.now())
        .await
        .expect("branches");
    people::add_reader(&app.ctx.db, "20250001", "123456", "张小雨", app.ctx.now())
        .await
        .expect("reader");
    app
}

async fn app_with_catalogue() -> TestApp {
    let app = app_with_branches().await;
    let out = app.cli(&["import", "csv", catalogue_csv().to_str().expect("path")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("读取 8 条记录，新建题名 7 种，更新题名 0 种，新增馆藏 7 册"),
        "{stdout}"
    );
    wait_for(&app, "围城").await;
    app
}

pub async fn search(app: &TestApp, q: &str, filter: Value) -> Value {
    app.gql(SEARCH, json!({"q": q, "f": filter})).await.data()["searchBooks"].clone()
}

pub fn titles(result: &Value) -> Vec<String> {
    result["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["title"].as_str().expect("title").to_owned())
        .collect()
}

/// Waits until an imported title is searchable (the indexer follows the database).
pub async fn wait_for(app: &TestApp, title: &str) {
    let what = format!("{title} to become searchable");
    eventually(Duration::from_secs(6), &what, || async {
        titles(&search(app, title, json!(null)).await)
            .iter()
            .any(|t| t == title)
            .then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_find_books_by_any_word_author_or_isbn() {
    let app = app_with_catalogue().await;
    let first = |r: &Value| titles(r).first().cloned().unwrap_or_default();
    assert_eq!(
        first(&search(&app, "黑暗森林", json!(null)).await),
        "三体II：黑暗森林"
    );
    assert_eq!(
        first(&search(&app, "人民", json!(null)).await),
        "中华人民共和国史"
    );
    assert_eq!(
        first(&search(&app, "活着", json!(null)).await),
        "活着",
        "the exact title ranks first"
    );
    assert!(titles(&search(&app, "活着", json!(null)).await).contains(&"活着为了讲述".to_owned()));
    assert_eq!(first(&search(&app, "围城", json!(null)).await), "围城");
    assert_eq!(
        first(&search(&app, "7-5063-4307-X", json!(null)).await),
        "活着",
        "ISBN-10 with hyphens"
    );
    assert_eq!(
        first(&search(&app, "9787506343077", json!(null)).await),
        "活着",
        "the same ISBN as 13 digits"
    );
    assert_eq!(
        first(&search(&app, "python", json!(null)).await),
        "Python编程：从入门到实践"
    );
    let liu = search(&app, "刘慈欣", json!(null)).await;
    assert!(
        titles(&liu).contains(&"三体".to_owned())
            && titles(&liu).contains(&"三体II：黑暗森林".to_owned())
    );

    let dark = &search(&app, "黑暗森林", json!(null)).await["edges"][0]["node"];
    assert_eq!(dark["availableCopies"], 2);
    assert_eq!(dark["authors"], json!(["刘慈欣"]));
    assert_eq!(dark["isbn"], "9787536693968");
    let mut branches: Vec<&str> = dark["availability"]
        .as_array()
        .expect("list")
        .iter()
        .map(|b| b["branch"]["code"].as_str().expect("code"))
        .collect();
    branches.sort_unstable();
    assert_eq!(branches, ["ZJG", "ZJG-JG"]);
    let fortress = &search(&app, "围城", json!(null)).await["edges"][0]["node"];
    assert_eq!(fortress["totalCopies"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_and_pages() {
    let app = app_with_catalogue().await;
    let branches = app.gql("{ branches { id code } }", json!({})).await.data()["branches"].clone();
    let jg = branches
        .as_array()
        .expect("list")
        .iter()
        .find(|b| b["code"] == "ZJG-JG")
        .expect("branch")["id"]
        .clone();

    let at_jg = search(&app, "刘慈欣", json!({"branchId": jg})).await;
    assert_eq!(titles(&at_jg), ["三体II：黑暗森林"]);
    let novels = search(&app, "活着", json!({"clcPrefix": "I775"})).await;
    assert_eq!(titles(&novels), ["活着为了讲述"]);
    let old = search(&app, "活着 围城 三体", json!({"yearTo": 2000})).await;
    assert_eq!(titles(&old), ["围城"]);
    let available = search(&app, "围城", json!({"availableOnly": true})).await;
    assert_eq!(available["totalCount"], 0, "围城 has no copies");

    let page1 = app
        .gql(SEARCH, json!({"q": "活着 三体 刘慈欣", "first": 2}))
        .await
        .data()["searchBooks"]
        .clone();
    assert_eq!(titles(&page1).len(), 2);
    assert_eq!(page1["pageInfo"]["hasNextPage"], true);
    let total = page1["totalCount"].as_u64().expect("total");
    let page2 = app
        .gql(
            SEARCH,
            json!({"q": "活着 三体 刘慈欣", "first": 2, "after": page1["pageInfo"]["endCursor"]}),
        )
        .await
        .data()["searchBooks"]
        .clone();
    let mut seen = titles(&page1);
    seen.extend(titles(&page2));
    let distinct: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(distinct.len(), seen.len(), "pages do not overlap");
    assert!(total >= 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_searches_get_validation_or_plain_results() {
    let app = app_with_catalogue().await;
    for q in ["", "   ", &"书".repeat(201)] {
        assert_eq!(
            app.gql(SEARCH, json!({"q": q})).await.code(),
            "VALIDATION",
            "{q:?}"
        );
    }
    for q in [
        "\"三体",
        "title:(*) AND OR",
        "[]{}^~\\",
        "三体 -",
        "'; DROP TABLE title; --",
    ] {
        let r = app.gql(SEARCH, json!({"q": q})).await;
        assert!(r.0.get("errors").is_none(), "{q:?} gave {}", r.0);
    }
    assert_eq!(
        app.gql(SEARCH, json!({"q": "三体", "f": {"clcPrefix": "i2"}}))
            .await
            .code(),
        "VALIDATION"
    );
    assert_eq!(
        app.gql(
            SEARCH,
            json!({"q": "三体", "f": {"yearFrom": 2010, "yearTo": 2000}})
        )
        .await
        .code(),
        "VALIDATION"
    );
    assert_eq!(
        app.gql(SEARCH, json!({"q": "三体", "f": {"branchId": "nope"}}))
            .await
            .code(),
        "NOT_FOUND"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn books_by_id_and_isbn_and_copies_for_staff() {
    let app = app_with_catalogue().await;
    let q = "query($i: String!) { bookByIsbn(isbn: $i) { id title } }";
    let by_isbn = app.gql(q, json!({"i": "978-7-5366-9293-0"})).await.data()["bookByIsbn"].clone();
    assert_eq!(by_isbn["title"], "三体");
    assert_eq!(
        app.gql(q, json!({"i": "9787111111111"})).await.code(),
        "VALIDATION",
        "bad checksum"
    );
    assert_eq!(
        app.gql(q, json!({"i": "9787111111115"})).await.data()["bookByIsbn"],
        Value::Null
    );

    let book = "query($id: ID!) { book(id: $id) { title copies { barcode callNumber status branch { code } } } }";
    let anonymous = app.gql(book, json!({"id": by_isbn["id"]})).await;
    assert_eq!(anonymous.code(), "UNAUTHENTICATED");
    people::add_staff(
        &app.ctx.db,
        "picker2",
        "pick-shelf-2468",
        StaffRole::Picker,
        &["ZJG".into()],
        app.ctx.now(),
    )
    .await
    .expect("staff");
    let picker = app.staff_token("picker2", "pick-shelf-2468").await;
    let copies = app
        .gql_as(Some(&picker), book, json!({"id": by_isbn["id"]}))
        .await
        .data()["book"]["copies"]
        .clone();
    assert_eq!(
        copies,
        json!([{"barcode": "T0003", "callNumber": "I247.55/1", "status": "AVAILABLE", "branch": {"code": "ZJG"}}])
    );
    let reader = app.reader_token("20250001", "123456").await;
    assert_eq!(
        app.gql_as(Some(&reader), book, json!({"id": by_isbn["id"]}))
            .await
            .code(),
        "FORBIDDEN"
    );
    let missing = app
        .gql(
            "query($id: ID!) { book(id: $id) { title } }",
            json!({"id": uuid::Uuid::now_v7().to_string()}),
        )
        .await;
    assert_eq!(missing.data()["book"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn re_imports_update_and_bad_rows_are_reported_without_stopping() {
    let app = app_with_catalogue().await;
    let again = app.cli(&["import", "csv", catalogue_csv().to_str().expect("path")]);
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(
        stdout.contains("新建题名 0 种，更新题名 0 种，新增馆藏 0 册，更新馆藏 0 册，未导入 0 条"),
        "{stdout}"
    );

    let bad = write_csv(&[
        "978-7-5366-9293-1,错误的书号,某人,2020,I247,10,ZJG,B1,I247/1".into(),
        "9787544291163,未知分馆,某人,2020,I247,10,NOWHERE,B2,I247/2".into(),
        "9787544291163,好书,某人,2020,I247,10,ZJG,B3,I247/3".into(),
        "9787020024759,重复条码,某人,2020,I247,10,ZJG,B3,I247/4".into(),
        "9787020024759,坏年份,某人,20x0,I247,10,ZJG,B5,I247/5".into(),
    ]);
    let out = app.cli(&["import", "csv", bad.to_str().expect("path")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in [
        "第 1 条记录未导入：ISBN「978-7-5366-9293-1」有误（ISBN 校验位不正确，请核对）",
        "第 2 条记录未导入：条码为「B2」的馆藏所属分馆代码「NOWHERE」不存在",
        "第 4 条记录未导入：条码「B3」与本文件第 3 条记录重复",
        "第 5 条记录未导入：第 6 行，pub_year 列的「20x0」不是有效的出版年，应为四位数年份",
        "读取 5 条记录，新建题名 1 种，更新题名 0 种，新增馆藏 1 册，更新馆藏 0 册，未导入 4 条",
    ] {
        assert!(stdout.lines().any(|l| l == line), "{line} in {stdout}");
    }
    // Librarians read the summary: every line of it is Chinese.
    for line in stdout.lines() {
        assert!(not_chinese(line).is_none(), "{line}");
    }
    wait_for(&app, "好书").await;
    assert_eq!(
        search(&app, "错误的书号", json!(null)).await["totalCount"],
        0,
        "nothing half-written"
    );
}

fn cnmarc_file() -> PathBuf {
    let mut bytes = record(
        &[
            Field::Control("001", "CN0001"),
            Field::Data(
                "010",
                *b"  ",
                vec![('a', "978-7-5366-9293-0"), ('d', "CNY23.00")],
            ),
            Field::Data("200", *b"1 ", vec![('a', "三体"), ('f', "刘慈欣著")]),
            Field::Data(
                "210",
                *b"  ",
                vec![('a', "重庆"), ('c', "重庆出版社"), ('d', "2008")],
            ),
            Field::Data("606", *b"0 ", vec![('a', "科学幻想小说")]),
            Field::Data("690", *b"  ", vec![('a', "I247.55")]),
            Field::Data("701", *b" 0", vec![('a', "刘慈欣")]),
            Field::Data(
                "905",
                *b"  ",
                vec![
                    ('a', "ZJG-FH"),
                    ('b', "CN-B1"),
                    ('d', "I247.55"),
                    ('e', "7"),
                ],
            ),
            Field::Data(
                "905",
                *b"  ",
                vec![
                    ('a', "ZJG-LY"),
                    ('b', "CN-B2"),
                    ('d', "I247.55"),
                    ('e', "7"),
                ],
            ),
        ],
        b' ',
    );
    bytes.extend(b"00026nam  22000241  4500\x1e\x1d"); // a broken record: no title, bad lengths
    bytes.extend(record(
        &[
            Field::Data("010", *b"  ", vec![('a', "9787020090006")]),
            Field::Data("200", *b"1 ", vec![('a', "围城")]),
            Field::Data("701", *b" 0", vec![('a', "钱锺书")]),
            Field::Data(
                "905",
                *b"  ",
                vec![
                    ('a', "ZJG-NF"),
                    ('b', "CN-B3"),
                    ('d', "I246.57"),
                    ('e', "2"),
                ],
            ),
        ],
        b' ',
    ));
    let path = std::env::temp_dir().join(format!("hongyan-{}.iso", uuid::Uuid::new_v4().simple()));
    std::fs::write(&path, bytes).expect("write marc");
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn librarians_import_marc21_and_cnmarc_files() {
    let app = app_with_branches().await;
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/marc/marc.dat");
    let out = app.cli(&["import", "marc", fixture]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("读取 20 条记录，新建题名 20 种"),
        "{stdout}"
    );

    let out = app.cli(&[
        "import",
        "marc",
        "--flavour",
        "cnmarc",
        cnmarc_file().to_str().expect("path"),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("第 2 条记录（文件第 ") && l.contains("字节处）未导入：")),
        "{stdout}"
    );
    assert!(
        stdout.contains("新建题名 2 种") && stdout.contains("新增馆藏 3 册"),
        "{stdout}"
    );
    for line in stdout.lines() {
        assert!(not_chinese(line).is_none(), "{line}");
    }
    wait_for(&app, "围城").await;
    let three_body = &search(&app, "三体", json!(null)).await["edges"][0]["node"];
    assert_eq!(three_body["clcClass"], "I247.55");
    assert_eq!(three_body["availableCopies"], 2);
    assert_eq!(three_body["pubYear"], 2008);

    let bad = app.cli(&["import", "marc", "--flavour", "ukmarc", fixture]);
    assert_eq!(bad.status.code(), Some(1));
    let missing = app.cli(&["import", "marc", "/nonexistent.mrc"]);
    assert_eq!(missing.status.code(), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_process_keeps_its_index_current_and_catches_up_after_a_restart() {
    let app = app_with_catalogue().await;
    let dir = std::env::temp_dir().join(format!("hongyan-index-{}", uuid::Uuid::new_v4().simple()));
    let on_disk = [("HONGYAN_INDEX_DIR", dir.display().to_string())];
    let second = app.sibling(&on_disk).await;
    assert_eq!(
        titles(&search(&second, "黑暗森林", json!(null)).await),
        ["三体II：黑暗森林"],
        "built at start-up"
    );

    let more = write_csv(&["9787544291163,好书,某人,2020,I247,10,ZJG,B3,I247/3".into()]);
    let out = app.cli(&["import", "csv", more.to_str().expect("path")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    wait_for(&app, "好书").await;
    wait_for(&second, "好书").await;

    // Stopped, it misses an import; started again on the same directory, it catches up
    // before it serves.
    second.stop().await;
    drop(second);
    let later = write_csv(&["9787020024759,迟到的书,某人,2021,I247,10,ZJG,B4,I247/4".into()]);
    assert!(app
        .cli(&["import", "csv", later.to_str().expect("path")])
        .status
        .success());
    let restarted = app.sibling(&on_disk).await;
    assert_eq!(
        titles(&search(&restarted, "迟到的书", json!(null)).await),
        ["迟到的书"]
    );

    let rebuild = app.cli(&["index", "rebuild"]);
    assert!(String::from_utf8_lossy(&rebuild.stdout).contains("9 titles marked for re-indexing"));
    wait_for(&restarted, "活着").await;
    drop(restarted);

    // The same directory used with another database holding as many titles: the index is
    // rebuilt, not caught up (it would hold both libraries' titles).
    let other = app_with_catalogue().await;
    for file in [&more, &later] {
        assert!(other
            .cli(&["import", "csv", file.to_str().expect("path")])
            .status
            .success());
    }
    let other = other.sibling(&on_disk).await;
    let found = search(&other, "黑暗森林", json!(null)).await;
    assert_eq!(titles(&found), ["三体II：黑暗森林"]);
    assert_eq!(found["totalCount"], 1, "{found}");
    let _ = std::fs::remove_dir_all(dir);
}

/// The import finds the titles without an ISBN a batch describes by an index on their
/// import key, not by scanning the catalogue (PostgreSQL's plan, on 200,000 titles).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_import_finds_titles_without_isbn_by_an_index() {
    use hongyan_domain::catalog::import::{edition_query, BATCH};
    use sea_orm::{ConnectionTrait, DbBackend, QueryTrait, Statement};

    let app = TestApp::spawn().await;
    let db = &app.ctx.db;
    assert_eq!(db.get_database_backend(), DbBackend::Postgres);
    db.execute_unprepared(
        "INSERT INTO title (id, title, authors, import_key, created_at, updated_at)
         SELECT gen_random_uuid(), '书' || i, '某', '书' || i || '|某||', now(), now()
         FROM generate_series(1, 200000) AS i",
    )
    .await
    .expect("titles");
    db.execute_unprepared("ANALYZE title")
        .await
        .expect("analyze");
    let keys = (1..=BATCH).map(|i| format!("书{i}|某||")).collect();
    let query = edition_query(keys).build(DbBackend::Postgres);
    let plan: Vec<String> = db
        .query_all(Statement::from_sql_and_values(
            DbBackend::Postgres,
            format!("EXPLAIN {}", query.sql),
            query.values.expect("values"),
        ))
        .await
        .expect("explain")
        .iter()
        .map(|row| row.try_get::<String>("", "QUERY PLAN").expect("plan line"))
        .collect();
    let plan = plan.join("\n");
    assert!(plan.contains("ix_title_import_key"), "{plan}");
    assert!(!plan.contains("Seq Scan on title"), "{plan}");
}

/// A record the database refuses (PostgreSQL takes no NUL in text) after it passed the
/// checks: its batch is written again record by record, and it alone is rejected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_the_database_refuses_is_rejected_alone() {
    let app = app_with_branches().await;
    let file = write_csv(&[
        "9787536692930,三体,刘慈欣,2008,I247.55,23.00,ZJG,N0001,I247.55/1".into(),
        ",坏\u{0}书,某人,2008,I247,10.00,ZJG,N0002,I247/2".into(),
        ",好书,某人,2008,I247,10.00,ZJG,N0003,I247/3".into(),
    ]);
    let out = app.cli(&["import", "csv", file.to_str().expect("path")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.lines().any(|l| l.starts_with("第 2 条记录未导入：")),
        "{stdout}"
    );
    assert!(
        stdout.contains("读取 3 条记录，新建题名 2 种，更新题名 0 种，新增馆藏 2 册，更新馆藏 0 册，未导入 1 条"),
        "{stdout}"
    );
    wait_for(&app, "好书").await;
}
