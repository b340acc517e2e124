use proptest::prelude::*;

use super::*;
use crate::catalog::import::csv::CsvReader;
use crate::catalog::import::marc::MarcReader;
use crate::catalog::marc::{RecordBuilder, RECORD_END};
use crate::i18n::Locale;

fn copy(branch: &str, barcode: &str, call: &str, location: Option<&str>, net: bool) -> Holding {
    Holding {
        status: None,
        branch_code: branch.into(),
        barcode: barcode.into(),
        call_number: call.into(),
        location: location.map(str::to_owned),
        net_lending: Some(net),
    }
}

fn three_body() -> ImportRecord {
    ImportRecord {
        isbn: Some("9787536692930".into()),
        title: "三体".into(),
        subtitle: Some("地球往事".into()),
        authors: vec![
            "刘慈欣".into(),
            "Liu, Cixin".into(),
            "Brown, Martin C.".into(),
        ],
        publisher: Some("重庆出版社".into()),
        pub_year: Some(2008),
        clc_class: Some("I247.55".into()),
        subjects: vec!["科学幻想小说".into(), "长篇小说".into()],
        summary: Some("文化大革命如火如荼进行的同时……The end.".into()),
        price_cents: Some(2350),
        holdings: vec![
            copy("ZJG", "T1", "I247.55/1", Some("二楼 网借书库"), true),
            copy("ZJG-JG", "T2", "I247.55/1/2", None, false),
            copy("ZJG", "T3", "K27", Some("三楼"), true),
        ],
    }
}

/// `records` as MARC, with what was noted about them.
fn marc(records: &[ImportRecord], flavour: Flavour) -> (Vec<u8>, Vec<String>) {
    let mut out = Vec::new();
    let mut notes = Notes::default();
    let mut w = marc::MarcWriter::new(&mut out, flavour);
    let entered = NaiveDate::from_ymd_opt(2025, 1, 2).expect("date");
    for record in records {
        let t = Exported {
            id: Uuid::nil(),
            entered,
            record,
        };
        w.write(&t, &mut notes).expect("written");
    }
    w.finish().expect("flushed");
    let said = notes.0.iter().map(|n| n.render(Locale::Chinese)).collect();
    (out, said)
}

fn read_marc(bytes: &[u8], flavour: Flavour) -> Vec<Result<ImportRecord, String>> {
    MarcReader::new(bytes, Some(flavour))
        .map(|r| r.map_err(|e| e.reason))
        .collect()
}

/// Each record of an ISO 2709 file, checked against the lengths its leader states.
fn records(bytes: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let len: usize = std::str::from_utf8(&rest[..5])
            .expect("digits")
            .parse()
            .expect("length");
        assert!(len <= RecordBuilder::MAX_RECORD);
        let (record, tail) = rest.split_at(len);
        assert_eq!(record.last(), Some(&RECORD_END));
        out.push(record);
        rest = tail;
    }
    out
}

#[test]
fn marc_records_read_back_as_they_were_written() {
    for flavour in [Flavour::Marc21, Flavour::Unimarc] {
        let r = three_body();
        let bare = ImportRecord {
            title: "无名之书.".into(),
            ..ImportRecord::default()
        };
        let (bytes, notes) = marc(&[r.clone(), bare.clone()], flavour);
        assert!(notes.is_empty(), "{flavour:?}: {notes:?}");
        let written = records(&bytes);
        assert_eq!(written.len(), 2);
        let leader9 = if flavour == Flavour::Marc21 {
            b'a'
        } else {
            b' '
        };
        assert!(written.iter().all(|r| r[9] == leader9), "{flavour:?}");
        let read = read_marc(&bytes, flavour);
        assert_eq!(read, [Ok(r), Ok(bare)], "{flavour:?}");
    }
}

#[test]
fn fixed_fields_have_their_lengths_and_years() {
    let day = NaiveDate::from_ymd_opt(2025, 3, 9).expect("date");
    let fixed = marc::fixed_data(day, Some(2008));
    assert_eq!(fixed.len(), 40, "{fixed:?}");
    assert_eq!(&fixed[..11], "250309s2008");
    assert_eq!(&fixed[35..], "und d");
    assert_eq!(&marc::fixed_data(day, None)[6..11], "nuuuu");
    let general = marc::general_data(day, Some(2008));
    assert_eq!(general.len(), 36, "{general:?}");
    assert_eq!(&general[..13], "20250309d2008");
    assert_eq!(&general[26..30], "50  ", "Unicode");
    assert_eq!(marc::general_data(day, None).len(), 36);
}

#[test]
fn a_title_with_many_copies_takes_several_records_within_the_limits() {
    let mut r = three_body();
    r.summary = Some("长".repeat(4000));
    r.holdings = (0..1000)
        .map(|i| {
            let location = format!("{}{i}", "远".repeat(50));
            copy(
                "ZJG",
                &format!("B{i:05}"),
                "I247.55/1",
                Some(&location),
                i % 2 == 0,
            )
        })
        .collect();
    for flavour in [Flavour::Marc21, Flavour::Unimarc] {
        let (bytes, notes) = marc(std::slice::from_ref(&r), flavour);
        assert_eq!(
            notes,
            ["内容提要超过 MARC 字段 9999 字节的上限，已截短"],
            "{flavour:?}"
        );
        assert!(records(&bytes).len() >= 2, "{flavour:?}");
        let read: Vec<ImportRecord> = read_marc(&bytes, flavour)
            .into_iter()
            .map(|r| r.expect("read"))
            .collect();
        let copies: Vec<Holding> = read.iter().flat_map(|x| x.holdings.clone()).collect();
        assert_eq!(copies, r.holdings, "{flavour:?}");
        for x in &read {
            assert_eq!(x.title, r.title);
            let summary = x.summary.as_deref().expect("summary");
            assert!(summary.len() < RecordBuilder::MAX_FIELD && summary.starts_with("长长"));
        }
    }
}

#[test]
fn what_marc_cannot_carry_is_noted() {
    let mut r = three_body();
    r.title = "什么是:".into();
    r.summary = Some("第一行\n第二行".into());
    r.authors.push("刘慈欣".into());
    let (_, notes) = marc(&[r], Flavour::Marc21);
    assert_eq!(
        notes,
        [
            "责任者有重复，MARC 再次导入时只保留一个",
            "题名或副题名含有 MARC 无法原样保存的换行、控制字符或结尾标点，再次导入时会有出入",
            "内容提要含有 MARC 无法原样保存的换行、控制字符或结尾标点，再次导入时会有出入",
        ]
    );
}

#[test]
fn csv_rows_read_back_as_they_were_written() {
    let mut r = three_body();
    r.title = "=HYPERLINK(\"http://x\")".into();
    r.summary = Some("第一行，\"引号\"\n第二行".into());
    let bare = ImportRecord {
        title: "'-围城".into(),
        ..ImportRecord::default()
    };
    let mut out = Vec::new();
    let mut w = csv::CsvWriter::new(&mut out).expect("header");
    assert_eq!(w.write(&r).expect("rows"), 3);
    assert_eq!(w.write(&bare).expect("row"), 1);
    w.finish().expect("flushed");
    let text = String::from_utf8(out).expect("utf-8");
    assert!(text.starts_with("\u{feff}isbn,title,subtitle,authors,"));
    assert!(text.contains("\"'=HYPERLINK"), "{text}");
    let rows: Vec<ImportRecord> = CsvReader::new(text.as_bytes())
        .expect("header")
        .map(|row| row.expect("row"))
        .collect();
    let mut expected: Vec<ImportRecord> = r
        .holdings
        .iter()
        .map(|h| ImportRecord {
            holdings: vec![h.clone()],
            ..r.clone()
        })
        .collect();
    expected.push(bare);
    assert_eq!(rows, expected);
}

#[test]
fn prices_are_yuan() {
    assert_eq!(yuan(2350), "23.50");
    assert_eq!(yuan(5), "0.05");
    assert_eq!(yuan(-120), "-1.20");
}

fn value() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 三体黑暗森林，。：.,:/=+@'\"\n-]{1,16}"
        .prop_map(|s| s.trim().to_owned())
        .prop_filter("a value", |s| !s.is_empty())
}

fn record() -> impl Strategy<Value = ImportRecord> {
    let bibliographic = (
        prop::option::of(Just("9787536692930".to_owned())),
        value(),
        prop::option::of(value()),
        prop::collection::vec(value(), 0..4),
        prop::option::of(value()),
        prop::option::of(1000..=2999i32),
        prop::option::of(value()),
        prop::collection::vec(value(), 0..4),
        prop::option::of(value()),
        prop::option::of(0..1_000_000i32),
    );
    let calls = prop::sample::select(vec!["I247/1", "K27", "a/b/c", "/x", "x/", "TP3 /1"]);
    let holdings = prop::collection::vec((calls, prop::option::of(value()), any::<bool>()), 0..4);
    (bibliographic, holdings).prop_map(|(b, h)| ImportRecord {
        isbn: b.0,
        title: b.1,
        subtitle: b.2,
        authors: b.3,
        publisher: b.4,
        pub_year: b.5,
        clc_class: b.6,
        subjects: b.7,
        summary: b.8,
        price_cents: b.9,
        holdings: h
            .into_iter()
            .enumerate()
            .map(|(i, (call, location, net))| {
                copy("ZJG", &format!("B{i}"), call, location.as_deref(), net)
            })
            .collect(),
    })
}

proptest! {
    /// A record reads back from MARC as it was unless the export says what it could not
    /// carry (and then it does not).
    #[test]
    fn marc_loses_nothing_unsaid(r in record()) {
        for flavour in [Flavour::Marc21, Flavour::Unimarc] {
            let (bytes, notes) = marc(std::slice::from_ref(&r), flavour);
            let read = read_marc(&bytes, flavour);
            prop_assert_eq!(
                read == [Ok(r.clone())],
                notes.is_empty(),
                "{:?}: {:?} read as {:?} ({:?})", flavour, r, read, notes
            );
        }
    }

    /// CSV carries every record exactly (names and headings hold no `;`).
    #[test]
    fn csv_loses_nothing(r in record()) {
        let mut out = Vec::new();
        let mut w = csv::CsvWriter::new(&mut out).expect("header");
        w.write(&r).expect("rows");
        w.finish().expect("flushed");
        let rows: Vec<_> = CsvReader::new(&out[..]).expect("header").collect();
        let bibliographic = ImportRecord { holdings: vec![], ..r.clone() };
        let expected: Vec<_> = if r.holdings.is_empty() {
            vec![Ok(bibliographic)]
        } else {
            r.holdings
                .iter()
                .map(|h| Ok(ImportRecord { holdings: vec![h.clone()], ..bibliographic.clone() }))
                .collect()
        };
        prop_assert_eq!(rows, expected);
    }
}
