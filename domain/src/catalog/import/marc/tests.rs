use super::*;
use crate::catalog::marc::{data_field, RecordBuilder};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../tests/fixtures/marc/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read(name: &str, flavour: Option<Flavour>) -> (Vec<ImportRecord>, Vec<Rejected>) {
    let bytes = fixture(name);
    let (mut good, mut bad) = (Vec::new(), Vec::new());
    for r in MarcReader::new(&bytes[..], flavour) {
        match r {
            Ok(r) => good.push(r),
            Err(e) => bad.push(e),
        }
    }
    (good, bad)
}

#[test]
fn good_marc21_files_read_completely() {
    for (name, n) in [
        ("marc.dat", 20),
        ("test.dat", 10),
        ("utf8_with_leader_flag.dat", 1),
    ] {
        let (good, bad) = read(name, None);
        assert!(bad.is_empty(), "{name}: {bad:?}");
        assert_eq!(good.len(), n, "{name}");
        assert!(
            good.iter()
                .all(|r| !r.title.is_empty() && !r.title.ends_with('/')),
            "{name}"
        );
    }
    let (good, _) = read("marc.dat", None);
    assert_eq!(good[0].title, "The pragmatic programmer");
    assert_eq!(good[0].isbn.as_deref(), Some("020161622X"));
    assert_eq!(good[0].authors, ["Hunt, Andrew", "Thomas, David"]);
    let (test, _) = read("test.dat", None);
    assert!(test.iter().any(|r| r.authors == ["Brown, Martin C."]));
    assert!(good.iter().any(|r| r.isbn.is_some()));
    assert!(good.iter().any(|r| !r.authors.is_empty()));
}

#[test]
fn marc8_records_decode_without_crashing() {
    let (good, bad) = read("marc8.dat", None);
    assert!(bad.is_empty(), "{bad:?}");
    assert!(!good.is_empty());
    assert!(good.iter().all(|r| !r.title.is_empty()));
}

#[test]
fn unimarc_is_detected() {
    let (good, _) = read("testunimarc.dat", None);
    assert_eq!(good.len(), 1);
    // 200$a without its non-sorting markers; the 700 author before the 702 contributors.
    assert_eq!(good[0].title, "L'altra faccia della spirale");
    assert_eq!(good[0].authors[..2], ["Asimov, Isaac", "Fruttero, Carlo"]);
    assert!(good.iter().all(|r| !r.title.is_empty()));
}

#[test]
fn broken_files_are_reported_and_never_panic() {
    for name in ["bad_records.mrc", "bad_indicator.dat", "utf8_invalid.mrc"] {
        let (good, bad) = read(name, None);
        assert!(good.len() + bad.len() > 0, "{name}");
        for b in &bad {
            assert!(b.offset.is_some() && !b.reason.is_empty(), "{name}: {b:?}");
        }
    }
    // Nine records: bad base addresses, directory lengths, a record with no title, and a
    // truncated last one are rejected; the two good ones are read.
    let (good, bad) = read("bad_records.mrc", None);
    assert_eq!((good.len(), bad.len()), (2, 7), "{bad:?}");
    let positions: Vec<usize> = bad.iter().map(|b| b.position).collect();
    assert_eq!(positions, [2, 3, 4, 5, 6, 7, 9]);
    assert!(
        bad.iter()
            .any(|b| b.reason == "目次区长度 13 不是 12 的倍数"),
        "{bad:?}"
    );
    assert!(
        bad.iter()
            .any(|b| b.reason.contains("超出了文件的剩余部分")),
        "{bad:?}"
    );
    // A directory that does not line up with the data.
    let (good, bad) = read("bad_indicator.dat", None);
    assert_eq!((good.len(), bad.len()), (0, 1), "{bad:?}");
    // With its tag repaired, its 020 (no indicators) is still rejected.
    let mut bytes = fixture("bad_indicator.dat");
    bytes[24..27].copy_from_slice(b"020");
    let r = MarcReader::new(&bytes[..], None).next().expect("one");
    assert_eq!(r.expect_err("rejected").reason, "020 字段的指示符无效");
    // Flagged UTF-8 and valid UTF-8 (it carries U+FFFD from an earlier bad conversion).
    let (good, bad) = read("utf8_invalid.mrc", None);
    assert_eq!((good.len(), bad.len()), (1, 0));
}

#[test]
fn invalid_utf8_in_a_utf8_record_is_rejected() {
    let mut bytes = fixture("utf8_invalid.mrc");
    let at = bytes
        .windows(3)
        .position(|w| w == [0xEF, 0xBF, 0xBD])
        .expect("replacement character");
    bytes[at + 1] = 0x28; // no longer a valid sequence
    let r = MarcReader::new(&bytes[..], None).next().expect("one");
    let reason = r.expect_err("rejected").reason;
    assert!(reason.contains("字段含有无效的 UTF-8 字节"), "{reason}");
}

#[test]
fn truncated_and_mutated_input_terminates_without_panic() {
    let bytes = fixture("marc.dat");
    for cut in (0..bytes.len()).step_by(97) {
        let n = MarcReader::new(&bytes[..cut], None).count();
        assert!(n <= 21);
    }
    let mut seed: u32 = 12345;
    for _ in 0..300 {
        let mut m = bytes.clone();
        for _ in 0..8 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let at = (seed as usize) % m.len();
            m[at] = (seed >> 16) as u8;
        }
        let n = MarcReader::new(&m[..], None).take(1000).count();
        assert!(n < 1000);
    }
}

#[test]
fn cnmarc_fields_map_in_utf8_and_gb18030() {
    fn field(tag: &str, ind: &[u8; 2], subs: &[(u8, &[u8])]) -> (String, Vec<u8>) {
        (tag.to_owned(), data_field(*ind, subs.iter().copied()))
    }
    fn record(fields: &[(String, Vec<u8>)]) -> Vec<u8> {
        let mut r = RecordBuilder::default();
        for (tag, content) in fields {
            assert!(r.push(tag, content, RecordBuilder::MAX_RECORD));
        }
        r.finish(b"00000nam  2200000   450 ")
    }
    let gb = |s: &str| encoding_rs::GB18030.encode(s).0.into_owned();
    for enc in [|s: &str| s.as_bytes().to_vec(), gb] {
        let rec = record(&[
            field(
                "010",
                b"  ",
                &[(b'a', b"978-7-5366-9293-0"), (b'd', b"CNY23.00")],
            ),
            field(
                "200",
                b"1 ",
                &[(b'a', &enc("三体")), (b'f', &enc("刘慈欣著"))],
            ),
            field("210", b"  ", &[(b'c', &enc("重庆出版社")), (b'd', b"2008")]),
            field("606", b"0 ", &[(b'a', &enc("科学幻想小说"))]),
            field("690", b"  ", &[(b'a', b"I247.5")]),
            field("701", b" 0", &[(b'a', &enc("刘慈欣"))]),
            field(
                "905",
                b"  ",
                &[
                    (b'a', b"ZJG"),
                    (b'b', b"B001"),
                    (b'd', b"I247.5"),
                    (b'e', b"123"),
                ],
            ),
            field(
                "905",
                b"  ",
                &[
                    (b'a', b"ZJG-JG"),
                    (b'b', b"B002"),
                    (b'd', b"I247.5"),
                    (b'e', b"123"),
                ],
            ),
        ]);
        let r = MarcReader::new(&rec[..], None)
            .next()
            .expect("one")
            .expect("good");
        assert_eq!(r.title, "三体");
        assert_eq!(r.isbn.as_deref(), Some("978-7-5366-9293-0"));
        assert_eq!(r.price_cents, Some(2300));
        assert_eq!(r.publisher.as_deref(), Some("重庆出版社"));
        assert_eq!(r.pub_year, Some(2008));
        assert_eq!(r.clc_class.as_deref(), Some("I247.5"));
        assert_eq!(r.authors, ["刘慈欣"]);
        assert_eq!(r.subjects, ["科学幻想小说"]);
        assert_eq!(r.holdings.len(), 2);
        assert_eq!(r.holdings[0].call_number, "I247.5/123");
        assert_eq!(r.holdings[1].branch_code, "ZJG-JG");
    }
}

#[test]
fn flavours_parse() {
    assert_eq!(
        "CNMARC".parse::<Flavour>().expect("cnmarc"),
        Flavour::Unimarc
    );
    assert_eq!(
        "marc21".parse::<Flavour>().expect("marc21"),
        Flavour::Marc21
    );
    assert!("ukmarc".parse::<Flavour>().is_err());
}
