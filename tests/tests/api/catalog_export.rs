//! The catalogue written back (`hongyan export marc|csv`): a catalogue imported from MARC
//! and CSV files, exported, and imported into an empty database gives the same titles and
//! copies, field by field, in each format. Runs on SQLite too (the `sqlite` profile).

use std::path::PathBuf;

use chrono::DateTime;
use hongyan_domain::catalog::export::{Exporter, Format};
use hongyan_domain::catalog::marc::Flavour;
use hongyan_domain::entity::item::{self, ItemStatus};
use hongyan_domain::entity::{branch, title};
use hongyan_tests::chinese::not_chinese;
use hongyan_tests::marc_writer::{record, Field};
use hongyan_tests::TestApp;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};

use crate::catalog::app_with_branches;

/// The catalogue's CSV: titles with and without ISBN (two editions of one without, told
/// apart by publisher), a title without copies, copies in several branches with locations
/// and net-lending flags (one left to the default), a formula as a title.
const CSV: &str = "\
isbn,title,subtitle,authors,publisher,pub_year,clc_class,subjects,summary,price,branch,barcode,call_number,location,net_lending
978-7-5366-9293-0,三体,地球往事,刘慈欣,重庆出版社,2008,I247.55,科学幻想小说; 长篇小说,\"文化大革命如火如荼进行的同时，军方探寻外星文明的绝秘计划「红岸工程」取得了突破性进展。\",23.00,ZJG,X0001,I247.55/1,二楼网借书库,是
9787536692930,三体,地球往事,刘慈欣,重庆出版社,2008,I247.55,科学幻想小说; 长篇小说,\"文化大革命如火如荼进行的同时，军方探寻外星文明的绝秘计划「红岸工程」取得了突破性进展。\",23.00,ZJG-JG,X0002,I247.55/1,一楼,否
9787536692930,三体,地球往事,刘慈欣,重庆出版社,2008,I247.55,科学幻想小说; 长篇小说,\"文化大革命如火如荼进行的同时，军方探寻外星文明的绝秘计划「红岸工程」取得了突破性进展。\",23.00,ZJG-TQ,X0003,I247.55/1,,
,乡土中国,,费孝通,北京出版社,2005,C912.82,乡村社会学,\"差序格局：以己为中心，像石子投入水中。\",15.00,ZJG,X0004,C912.82/3,三楼,是
,乡土中国,,费孝通,人民出版社,2008,C912.82,,,18.50,ZJG-FH,X0005,C912.82/4,,否
9787020090006,围城,,钱锺书,人民文学出版社,1991,I246.57,,,19.00,,,,,
9787115428028,Python编程,从入门到实践,\"[美]Eric Matthes; 袁国忠译\",人民邮电出版社,2016,TP311.561,程序设计,\"A hands-on, project-based introduction. It ends with a period.\",89.00,ZJG,X0006,TP311.561/40,二楼,是
9787544258975,\"=HYPERLINK(\"\"http://evil.example/\"\",\"\"点此\"\")\",,某人,,,,,,,ZJG-LY,X0007,I247/9,,是
";

/// The catalogue's MARC 21 records: one with its call number in `$h` and `$i`, one without
/// ISBN dated in 260.
fn marc21_file() -> Vec<u8> {
    let mut bytes = record(
        &[
            Field::Control("001", "M1"),
            Field::Data(
                "020",
                *b"  ",
                vec![('a', "9787506365437"), ('c', "CNY35.00")],
            ),
            Field::Data("084", *b"  ", vec![('a', "I247.57"), ('2', "clc")]),
            Field::Data("100", *b"0 ", vec![('a', "余华")]),
            Field::Data("245", *b"10", vec![('a', "活着 /")]),
            Field::Data("264", *b" 1", vec![('b', "作家出版社,"), ('c', "2012")]),
            Field::Data("650", *b" 4", vec![('a', "长篇小说")]),
            Field::Data(
                "852",
                *b"  ",
                vec![
                    ('b', "ZJG"),
                    ('c', "网借书库"),
                    ('h', "I247.57"),
                    ('i', "14"),
                    ('p', "M0001"),
                ],
            ),
            Field::Data(
                "852",
                *b"  ",
                vec![
                    ('b', "ZJG-NF"),
                    ('c', "四楼"),
                    ('h', "I247.57/14"),
                    ('p', "M0002"),
                ],
            ),
        ],
        b'a',
    );
    bytes.extend(record(
        &[
            Field::Data("100", *b"0 ", vec![('a', "沈从文")]),
            Field::Data("245", *b"10", vec![('a', "边城 :"), ('b', "沈从文小说选")]),
            Field::Data("260", *b"  ", vec![('b', "花城出版社"), ('c', "1982.")]),
            Field::Data(
                "852",
                *b"  ",
                vec![('b', "ZJG-JG"), ('h', "I246.5/2"), ('p', "M0003")],
            ),
        ],
        b'a',
    ));
    bytes
}

/// A CNMARC record with its holdings in 905.
fn cnmarc_file() -> Vec<u8> {
    record(
        &[
            Field::Data(
                "010",
                *b"  ",
                vec![('a', "978-7-02-002475-9"), ('d', "CNY59.70")],
            ),
            Field::Data("200", *b"1 ", vec![('a', "红楼梦"), ('f', "曹雪芹著")]),
            Field::Data("210", *b"  ", vec![('c', "人民文学出版社"), ('d', "1996")]),
            Field::Data("690", *b"  ", vec![('a', "I242.47")]),
            Field::Data("701", *b" 0", vec![('a', "曹雪芹")]),
            Field::Data("701", *b" 0", vec![('a', "高鹗")]),
            Field::Data(
                "905",
                *b"  ",
                vec![
                    ('a', "ZJG-LY"),
                    ('b', "C0001"),
                    ('c', "古籍室"),
                    ('d', "I242.47"),
                    ('e', "1"),
                ],
            ),
        ],
        b' ',
    )
}

fn temp_file(ext: &str, bytes: &[u8]) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "hongyan-export-{}.{ext}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(&path, bytes).expect("write file");
    path
}

fn run(app: &TestApp, args: &[&str]) -> String {
    let out = app.cli(args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{args:?}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The catalogue to export: the CSV, the MARC 21 file (its copies at 网借书库 in the
/// net-lending stock, the others out) and the CNMARC file imported, one copy withdrawn.
async fn library() -> TestApp {
    let app = app_with_branches().await;
    let files = [
        (temp_file("csv", CSV.as_bytes()), "csv", None),
        (temp_file("mrc", &marc21_file()), "marc", Some("网借书库")),
        (temp_file("iso", &cnmarc_file()), "marc", None),
    ];
    for (file, kind, net_lending_at) in &files {
        let mut args = vec!["import", *kind, file.to_str().expect("path")];
        if let Some(at) = net_lending_at {
            args.extend(["--net-lending-location", at]);
        }
        let stdout = run(&app, &args);
        assert!(stdout.contains("未导入 0 条"), "{stdout}");
        let _ = std::fs::remove_file(file);
    }
    let withdrawn = item::Entity::find()
        .all(&app.ctx.db)
        .await
        .expect("copies")
        .into_iter()
        .find(|c| c.barcode == "X0005")
        .expect("X0005");
    let mut withdrawn = withdrawn.into_active_model();
    withdrawn.status = Set(ItemStatus::Withdrawn);
    withdrawn.update(&app.ctx.db).await.expect("withdrawn");
    app
}

/// A copy as compared: its title's place in the sorted titles, barcode, call number,
/// location, home and current branch codes, status and net-lending flag.
type Copy = (
    usize,
    String,
    String,
    Option<String>,
    String,
    String,
    ItemStatus,
    bool,
);

/// The catalogue without ids and times: titles in a fixed order, and the copies that are
/// not withdrawn.
async fn catalogue(app: &TestApp) -> (Vec<title::Model>, Vec<Copy>) {
    let db = &app.ctx.db;
    let epoch = DateTime::UNIX_EPOCH;
    let mut titles = title::Entity::find().all(db).await.expect("titles");
    titles.sort_by_key(|t| {
        (
            t.isbn.clone(),
            t.title.clone(),
            t.publisher.clone(),
            t.pub_year,
        )
    });
    let branches = branch::Entity::find().all(db).await.expect("branches");
    let code = |id| {
        branches
            .iter()
            .find(|b| b.id == id)
            .map(|b| b.code.clone())
            .expect("branch")
    };
    let mut copies: Vec<Copy> = item::Entity::find()
        .all(db)
        .await
        .expect("copies")
        .into_iter()
        .filter(|c| c.status != ItemStatus::Withdrawn)
        .map(|c| {
            let place = titles
                .iter()
                .position(|t| t.id == c.title_id)
                .expect("title");
            (
                place,
                c.barcode,
                c.call_number,
                c.location,
                code(c.home_branch_id),
                code(c.current_branch_id),
                c.status,
                c.net_lending,
            )
        })
        .collect();
    copies.sort_by(|a, b| a.1.cmp(&b.1));
    let titles = titles
        .into_iter()
        .map(|t| title::Model {
            id: uuid::Uuid::nil(),
            created_at: epoch,
            updated_at: epoch,
            ..t
        })
        .collect();
    (titles, copies)
}

/// Exports `library` with `args`, checks the summary, imports the file into an empty
/// database and compares the catalogues; returns the file's bytes.
async fn round_trip(library: &TestApp, args: &[&str], records: usize) -> Vec<u8> {
    let file = temp_file("out", b"");
    let mut export = vec!["export"];
    export.extend(args);
    export.push(file.to_str().expect("path"));
    let stdout = run(library, &export);
    let summary = format!("导出题名 9 种、馆藏 10 册，共写出 {records} 条记录，提示 0 条");
    assert_eq!(stdout.trim(), summary, "{args:?}");
    assert!(not_chinese(&stdout).is_none(), "{stdout}");
    let bytes = std::fs::read(&file).expect("exported");

    let copy = app_with_branches().await;
    let kind = args[0];
    let stdout = run(&copy, &["import", kind, file.to_str().expect("path")]);
    let _ = std::fs::remove_file(&file);
    assert!(stdout.contains("未导入 0 条"), "{stdout}");
    let (titles, copies) = catalogue(library).await;
    assert_eq!(titles.len(), 9);
    assert_eq!(copies.len(), 10);
    assert!(copies.iter().any(|c| !c.7) && copies.iter().any(|c| c.3.is_none()));
    assert_eq!(catalogue(&copy).await, (titles, copies), "{args:?}");
    bytes
}

/// The file is the same whatever the page sizes the export reads the catalogue in.
async fn same_in_small_pages(library: &TestApp, format: Format, file: &[u8]) {
    for (titles, copies) in [(1, 1), (2, 3)] {
        let mut bytes = Vec::new();
        let summary = Exporter::new(&library.ctx.db, format)
            .pages(titles, copies)
            .write(&mut bytes, |_| {})
            .await
            .expect("exported");
        assert_eq!(summary.copies, 10);
        assert!(
            bytes == file,
            "{format:?} in pages of {titles} and {copies}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marc21_export_imports_as_the_same_catalogue() {
    let library = library().await;
    let file = round_trip(&library, &["marc"], 9).await;
    assert_eq!(file[9], b'a', "UTF-8 in the leader");
    same_in_small_pages(&library, Format::Marc(Flavour::Marc21), &file).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cnmarc_export_imports_as_the_same_catalogue() {
    let library = library().await;
    let file = round_trip(&library, &["marc", "--flavour", "cnmarc"], 9).await;
    same_in_small_pages(&library, Format::Marc(Flavour::Unimarc), &file).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_export_imports_as_the_same_catalogue() {
    let library = library().await;
    let file = round_trip(&library, &["csv"], 12).await;
    let text = String::from_utf8(file.clone()).expect("UTF-8");
    assert!(text.starts_with("\u{feff}isbn,title,subtitle,authors,publisher,pub_year,"));
    assert!(
        text.contains("\"'=HYPERLINK("),
        "a formula is written as text: {text}"
    );
    same_in_small_pages(&library, Format::Csv, &file).await;

    // To standard output: the same bytes, the summary on standard error.
    let out = library.cli(&["export", "csv", "-"]);
    assert!(out.status.success());
    assert!(out.stdout == file);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("导出题名 9 种"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_marc_cannot_carry_is_said_in_chinese() {
    let app = app_with_branches().await;
    let file = temp_file(
        "csv",
        "title,summary\n什么是:,\"第一行\n第二行\"\n".as_bytes(),
    );
    run(&app, &["import", "csv", file.to_str().expect("path")]);
    let _ = std::fs::remove_file(&file);
    let marc = temp_file("mrc", b"");
    let stdout = run(&app, &["export", "marc", marc.to_str().expect("path")]);
    let _ = std::fs::remove_file(&marc);
    for line in [
        "第 1 种题名「什么是:」：题名或副题名含有 MARC 无法原样保存的换行、控制字符或结尾标点，再次导入时会有出入",
        "第 1 种题名「什么是:」：内容提要含有 MARC 无法原样保存的换行、控制字符或结尾标点，再次导入时会有出入",
        "导出题名 1 种、馆藏 0 册，共写出 1 条记录，提示 2 条",
    ] {
        assert!(stdout.lines().any(|l| l == line), "{line} in {stdout}");
    }
    for line in stdout.lines() {
        assert!(not_chinese(line).is_none(), "{line}");
    }

    let bad = app.cli(&["export", "marc", "--flavour", "ukmarc", "-"]);
    assert_eq!(bad.status.code(), Some(1));
    let said = String::from_utf8_lossy(&bad.stderr);
    assert!(said.contains("不支持的 MARC 格式「ukmarc」"), "{said}");
    let nowhere = app.cli(&["export", "csv", "/nonexistent/catalogue.csv"]);
    assert_eq!(nowhere.status.code(), Some(1));
    let said = String::from_utf8_lossy(&nowhere.stderr);
    assert!(
        said.contains("无法写入「/nonexistent/catalogue.csv」"),
        "{said}"
    );
}

/// Every title's and copy's last change, by id.
async fn changed_at(app: &TestApp) -> Vec<(uuid::Uuid, DateTime<chrono::Utc>)> {
    let mut rows: Vec<_> = title::Entity::find()
        .all(&app.ctx.db)
        .await
        .expect("titles")
        .into_iter()
        .map(|t| (t.id, t.updated_at))
        .collect();
    rows.extend(
        item::Entity::find()
            .all(&app.ctx.db)
            .await
            .expect("items")
            .into_iter()
            .map(|i| (i.id, i.updated_at)),
    );
    rows.sort();
    rows
}

/// A file of 7 records of 5 titles (3 with an ISBN, 2 without; one of each with two
/// copies), the first one's price and call number as given.
fn unchanged_or_not(price: &str, call_number: &str) -> PathBuf {
    crate::catalog::write_csv(&[
        format!("9787536692930,三体,刘慈欣,2008,I247.55,{price},ZJG,U0001,{call_number}"),
        "9787536693968,三体II,刘慈欣,2008,I247.55,23.00,ZJG,U0002,I247.55/2".into(),
        "9787536693968,三体II,刘慈欣,2008,I247.55,23.00,ZJG-JG,U0003,I247.55/2".into(),
        "9787020090006,围城,钱锺书,1991,I246.57,19.00,,,".into(),
        ",无书号的地方志,张家港市志编委会,2005,K295.3,80.00,ZJG,U0004,K295.3/1".into(),
        ",无书号的地方志,张家港市志编委会,2005,K295.3,80.00,ZJG-TQ,U0005,K295.3/1".into(),
        ",校史（内部资料）,佚名,,G649,,ZJG,U0006,G649/1".into(),
    ])
}

/// Re-importing an unchanged file changes no row (and so queues no title for re-indexing:
/// the index reads titles by their last change); changing one record changes its title and
/// copy alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn re_importing_an_unchanged_file_touches_nothing() {
    let app = app_with_branches().await;
    let file = unchanged_or_not("23.00", "I247.55/1");
    let first = run(&app, &["import", "csv", file.to_str().expect("path")]);
    assert!(
        first.contains("读取 7 条记录，新建题名 5 种，更新题名 0 种，新增馆藏 6 册，更新馆藏 0 册，未导入 0 条"),
        "{first}"
    );
    let before = changed_at(&app).await;
    assert_eq!(before.len(), 11);

    let again = run(&app, &["import", "csv", file.to_str().expect("path")]);
    assert!(
        again.contains("读取 7 条记录，新建题名 0 种，更新题名 0 种，新增馆藏 0 册，更新馆藏 0 册，未导入 0 条"),
        "{again}"
    );
    assert_eq!(changed_at(&app).await, before, "no row written");

    let changed = unchanged_or_not("25.00", "I247.55/1A");
    let out = run(&app, &["import", "csv", changed.to_str().expect("path")]);
    assert!(
        out.contains("读取 7 条记录，新建题名 0 种，更新题名 1 种，新增馆藏 0 册，更新馆藏 1 册，未导入 0 条"),
        "{out}"
    );
    let book = title::Entity::find()
        .all(&app.ctx.db)
        .await
        .expect("titles")
        .into_iter()
        .find(|t| t.title == "三体")
        .expect("三体");
    assert_eq!(book.price_cents, Some(2500));
    let copy = item::Entity::find()
        .all(&app.ctx.db)
        .await
        .expect("items")
        .into_iter()
        .find(|i| i.barcode == "U0001")
        .expect("U0001");
    assert_eq!(copy.call_number, "I247.55/1A");
    let after = changed_at(&app).await;
    let moved: Vec<uuid::Uuid> = after
        .iter()
        .zip(&before)
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a.0)
        .collect();
    let mut expected = vec![book.id, copy.id];
    expected.sort();
    assert_eq!(moved, expected, "only the changed title and copy");
}
