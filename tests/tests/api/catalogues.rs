//! The message catalogues against the code: every text the code says exists in every locale
//! with the same arguments, the Chinese reads as Chinese (full-width punctuation, no English
//! sentences), and every error reason has its words and its line in `docs/errors.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use hongyan_domain::entity::{
    compartment, delivery_round::RoundStatus, item::ItemStatus, job::JobState, loan::LoanStatus,
    loan_request::RequestStatus, notification::NotificationStatus, pick_task::PickStatus,
    purchase_proposal::ProposalStatus, reader::ReaderStatus, return_ticket::TicketStatus,
    shipment::ShipmentStatus,
};
use hongyan_domain::lifecycle::Lifecycle;
use hongyan_domain::{Code, Error, Locale, Reason, Text};
use hongyan_tests::chinese::{is_cjk, not_chinese};
use strum::IntoEnumIterator;

/// One locale's entries: key → the set of `{ $variables }` its text uses.
type Catalogue = BTreeMap<String, (String, BTreeSet<String>)>;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Reads every `.ftl` file of `locale`, checking each parses as Fluent.
fn catalogue(locale: &str) -> Catalogue {
    let dir = root().join("domain/locales").join(locale);
    let mut out = Catalogue::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read ftl");
        if let Err((_, errors)) =
            fluent_templates::fluent_bundle::FluentResource::try_new(text.clone())
        {
            panic!("{} does not parse: {errors:?}", file.display());
        }
        let mut current: Option<String> = None;
        for line in text.lines() {
            if line.starts_with(' ') {
                if let Some(key) = &current {
                    let entry = out.get_mut(key).expect("entry");
                    entry.0.push('\n');
                    entry.0.push_str(line.trim());
                }
                continue;
            }
            current = None;
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let (key, value) = line
                .split_once('=')
                .unwrap_or_else(|| panic!("{}: not an entry: {line}", file.display()));
            let key = key.trim().to_owned();
            let previous = out.insert(key.clone(), (value.trim().to_owned(), BTreeSet::new()));
            assert!(previous.is_none(), "{key} is defined twice in {locale}");
            current = Some(key);
        }
    }
    for (value, vars) in out.values_mut() {
        let mut rest = value.as_str();
        while let Some(i) = rest.find("{ $") {
            let tail = &rest[i + 3..];
            let end = tail.find([' ', '}']).unwrap_or(tail.len());
            vars.insert(tail[..end].to_owned());
            rest = &tail[end..];
        }
    }
    out
}

/// Every Rust source file of the workspace's crates.
fn sources() -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut dirs: Vec<PathBuf> = ["domain/src", "graphql/src", "api/src", "worker/src"]
        .iter()
        .map(|d| root().join(d))
        .collect();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&path).expect("read source");
                out.push((path, text));
            }
        }
    }
    out
}

/// The string literals that follow `prefix` (after optional whitespace and, with `skip_arg`,
/// one argument and a comma) in `text`.
fn literals_after(text: &str, prefix: &str, skip_arg: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(prefix) {
        rest = &rest[i + prefix.len()..];
        let mut tail = rest;
        if skip_arg {
            let Some(comma) = tail.find(',') else { break };
            if tail[..comma].contains(')') {
                continue;
            }
            tail = &tail[comma + 1..];
        }
        let tail = tail.trim_start();
        if let Some(lit) = tail.strip_prefix('"') {
            if let Some(end) = lit.find('"') {
                out.push(lit[..end].to_owned());
            }
        }
    }
    out
}

#[test]
fn every_locale_has_every_key_with_the_same_arguments() {
    let zh = catalogue("zh-CN");
    let en = catalogue("en");
    let zh_keys: BTreeSet<_> = zh.keys().collect();
    let en_keys: BTreeSet<_> = en.keys().collect();
    assert_eq!(
        zh_keys.difference(&en_keys).collect::<Vec<_>>(),
        Vec::<&&String>::new(),
        "in zh-CN only"
    );
    assert_eq!(
        en_keys.difference(&zh_keys).collect::<Vec<_>>(),
        Vec::<&&String>::new(),
        "in en only"
    );
    for (key, (_, vars)) in &zh {
        assert_eq!(
            vars, &en[key].1,
            "{key}: the locales use different arguments"
        );
    }
}

#[test]
fn the_chinese_catalogue_reads_as_chinese_and_the_english_as_english() {
    for (key, (value, _)) in catalogue("zh-CN") {
        // Argument names are code, not words.
        let words: String = value
            .split("{ $")
            .enumerate()
            .map(|(i, part)| {
                if i == 0 {
                    part
                } else {
                    part.split_once('}').map_or("", |p| p.1)
                }
            })
            .collect();
        if let Some(why) = not_chinese(&words) {
            panic!("zh-CN {key} {why}: {value}");
        }
    }
    for (key, (value, _)) in catalogue("en") {
        assert!(
            !value.chars().any(is_cjk),
            "en {key} holds Chinese: {value}"
        );
    }
}

#[test]
fn every_text_the_code_says_is_in_the_catalogues() {
    let zh = catalogue("zh-CN");
    let mut missing = Vec::new();
    let mut used = 0;
    for (path, text) in sources() {
        let mut keys = literals_after(&text, "text!(", false);
        keys.extend(literals_after(&text, "Text::new(", false));
        for key in keys {
            used += 1;
            if !zh.contains_key(&key) {
                missing.push(format!("{}: {key}", path.display()));
            }
        }
        let mut things = literals_after(&text, "NotFound(", false);
        for prefix in [
            "parse_id(",
            "json_body(",
            "bearer(",
            "Versioned::new(FILES, \"index.html\",",
        ] {
            things.extend(literals_after(&text, prefix, prefix.ends_with('(')));
        }
        things.extend(literals_after(&text, "missing(", false));
        things.extend(literals_after(&text, "what: ", false));
        for thing in things {
            let key = Text::thing(&thing).key().to_owned();
            if !zh.contains_key(&key) {
                missing.push(format!("{}: {key}", path.display()));
            }
        }
    }
    assert!(
        used > 200,
        "the scan found only {used} texts: is it still looking at the code?"
    );
    assert!(missing.is_empty(), "not in the catalogues: {missing:#?}");
}

/// The names of `S`'s states, and the thing they are states of.
fn states<S: Lifecycle>() -> Vec<(&'static str, &'static str)> {
    S::all().into_iter().map(|s| (S::THING, s.name())).collect()
}

#[test]
fn every_state_a_client_can_be_told_has_a_name() {
    let zh = catalogue("zh-CN");
    let machines = [
        states::<RequestStatus>(),
        states::<ProposalStatus>(),
        states::<LoanStatus>(),
        states::<PickStatus>(),
        states::<ItemStatus>(),
        states::<RoundStatus>(),
        states::<ReaderStatus>(),
        states::<TicketStatus>(),
        states::<ShipmentStatus>(),
        states::<NotificationStatus>(),
        states::<compartment::State>(),
        states::<JobState>(),
    ];
    for (thing, state) in machines.into_iter().flatten() {
        for key in [
            format!("state-{state}"),
            Text::thing(thing).key().to_owned(),
        ] {
            assert!(zh.contains_key(&key), "{key} missing");
        }
    }
}

/// Sample values for a text's arguments.
fn with_sample_args(mut e: Error, vars: &BTreeSet<String>) -> Error {
    for var in vars {
        let name: &'static str = Box::leak(var.clone().into_boxed_str());
        e = e.with(name, "7");
    }
    e
}

#[test]
fn every_reason_of_every_refusal_says_chinese_words_with_its_code_and_reason() {
    let zh = catalogue("zh-CN");
    let docs = std::fs::read_to_string(root().join("docs/errors.md")).expect("docs/errors.md");
    type Make = fn(Reason) -> Error;
    let table: [(Code, Make); 4] = [
        (Code::Conflict, Error::conflict),
        (Code::Forbidden, Error::forbidden),
        (Code::Validation, |r| Error::validation(r)),
        (Code::Unauthenticated, |r| Error::unauthenticated(r)),
    ];
    for reason in Reason::iter() {
        let name = reason.as_str();
        let (_, vars) = zh
            .get(name)
            .unwrap_or_else(|| panic!("{name} has no text in the catalogues"));
        assert!(
            docs.contains(&format!("`{name}`")),
            "docs/errors.md does not list {name}"
        );
        for (code, make) in table {
            let e = with_sample_args(make(reason), vars);
            assert_eq!(e.code(), code);
            assert_eq!(e.reason(), Some(reason), "{name} as {code}");
            let said = e.message(Locale::Chinese);
            assert!(
                !said.contains("{$") && !said.contains("{ $"),
                "{name}: {said}"
            );
            if let Some(why) = not_chinese(&said) {
                panic!("{name} {why}: {said}");
            }
            let english = e.message(Locale::English);
            assert_ne!(english, said, "{name} has no English of its own");
            assert_eq!(e.english(), english, "logs read English");
        }
    }
    for code in [
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "NOT_FOUND",
        "VALIDATION",
        "CONFLICT",
        "QUOTA_EXCEEDED",
        "NO_COPY_AVAILABLE",
        "RATE_LIMITED",
        "UNAVAILABLE",
        "INTERNAL",
        "PERSISTED_QUERY_NOT_FOUND",
    ] {
        assert!(
            docs.contains(&format!("`{code}`")),
            "docs/errors.md does not list {code}"
        );
    }
}

#[test]
fn errors_without_words_of_their_own_are_said_in_chinese_too() {
    let cases = [
        Error::NotFound("delivery round"),
        Error::WrongState {
            what: "request",
            state: "IN_TRANSIT",
        },
        Error::internal(anyhow::anyhow!("a secret cause")),
        Error::Unavailable(anyhow::anyhow!("a secret cause")),
    ];
    for e in cases {
        let said = e.message(Locale::Chinese);
        assert!(not_chinese(&said).is_none(), "{said}");
        assert!(!said.contains("secret"), "causes are never shown: {said}");
    }
    let e = Error::WrongState {
        what: "request",
        state: "IN_TRANSIT",
    };
    assert_eq!(
        e.message(Locale::Chinese),
        "该借阅申请当前为「运送中」，不能这样操作"
    );
    assert_eq!(e.message(Locale::English), "the request is in transit");
    assert_eq!(e.reason(), Some(Reason::WrongState));
}
