//! Chinese Library Classification (中图法) call numbers and their shelf order.
//!
//! A call number is a class number and a book number: `I247.5/123` is class `I247.5`
//! (contemporary Chinese novels) and the 123rd title acquired in it (种次号). Shelves are
//! ordered by:
//!
//! 1. the class's letters, alphabetically, a shorter run first (`I` < `K`, `T` < `TB` < `TP`);
//! 2. the class's digits as a decimal fraction, digit by digit, ignoring the `.` written after
//!    every three digits (`I24` < `I247` < `I247.5` < `I247.57` < `I247.6` < `I248`);
//! 3. auxiliary numbers (复分号): none first, then by kind `-` < `(` < `=` < `"` < `<` < `:`,
//!    each with its digits again as a fraction (`D920.4` < `D920.4-44`, `K825.6` < `K825.6=76`);
//! 4. the book number's parts numerically (`/2` < `/10` < `/123` < `/123:2`), letters (著者号)
//!    alphabetically.
//!
//! Two call numbers that differ only in such separators compare equal, and are equal.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use crate::{Error, Result};

/// Kinds of auxiliary number, in shelf order.
const AUX_ORDER: &str = "-(=\"<:";

/// One part of a book number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Part {
    Number(u64),
    Letters(String),
}

/// The comparison key of a call number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Key {
    letters: String,
    digits: String,
    aux: Vec<(usize, String)>,
    book: Vec<Part>,
}

/// A validated CLC call number.
#[derive(Debug, Clone)]
pub struct CallNumber {
    text: String,
    class_len: usize,
    key: Key,
}

/// The class part's key (the book number is filled in by the caller).
fn parse_class(class: &str) -> Option<Key> {
    let letters: String = class.chars().take_while(char::is_ascii_uppercase).collect();
    if letters.is_empty() {
        return None;
    }
    let mut rest = class[letters.len()..].chars().peekable();
    let mut digits = String::new();
    while let Some(&c) = rest.peek() {
        match c {
            '0'..='9' => digits.push(c),
            '.' => {}
            _ => break,
        }
        rest.next();
    }
    let mut aux = Vec::new();
    while let Some(c) = rest.next() {
        let kind = AUX_ORDER.find(c)?;
        let mut d = String::new();
        while let Some(&n) = rest.peek() {
            match n {
                '0'..='9' => d.push(n),
                '.' | ')' | '"' | '>' => {}
                _ => break,
            }
            rest.next();
        }
        aux.push((kind, d));
    }
    Some(Key {
        letters,
        digits,
        aux,
        book: Vec::new(),
    })
}

fn parse_book(book: &str) -> Option<Vec<Part>> {
    let mut parts = Vec::new();
    let mut chars = book.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            let mut n = String::new();
            while let Some(d) = chars.next_if(char::is_ascii_digit) {
                n.push(d);
            }
            parts.push(Part::Number(n.parse().ok()?));
        } else if c.is_ascii_alphabetic() {
            let mut s = String::new();
            while let Some(l) = chars.next_if(char::is_ascii_alphabetic) {
                s.push(l.to_ascii_uppercase());
            }
            parts.push(Part::Letters(s));
        } else if "-:=.()/,".contains(c) {
            chars.next();
        } else {
            return None;
        }
    }
    Some(parts)
}

impl CallNumber {
    /// Parses a call number such as `I247.5/123` or `K825.6=76/12:2`.
    ///
    /// # Errors
    /// VALIDATION when it is empty, over 64 characters, does not start with a class letter, or
    /// holds characters call numbers do not use.
    pub fn parse(s: &str) -> Result<Self> {
        let text = s.trim();
        let bad = || Error::validation(text!("call-number-invalid", text = text));
        if text.is_empty() || text.len() > 64 {
            return Err(bad());
        }
        let (class, book) = match text.split_once('/') {
            Some((class, book)) => (class, Some(book)),
            None => (text, None),
        };
        let mut key = parse_class(class).ok_or_else(bad)?;
        key.book = parse_book(book.unwrap_or("")).ok_or_else(bad)?;
        if book.is_some() && key.book.is_empty() {
            return Err(bad());
        }
        Ok(CallNumber {
            text: text.to_owned(),
            class_len: class.len(),
            key,
        })
    }

    /// The call number as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The class part, before the `/`.
    pub fn class(&self) -> &str {
        &self.text[..self.class_len]
    }
}

impl fmt::Display for CallNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Ord for CallNumber {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key)
    }
}

impl PartialOrd for CallNumber {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for CallNumber {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for CallNumber {}

impl Hash for CallNumber {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cn(s: &str) -> CallNumber {
        CallNumber::parse(s).expect(s)
    }

    /// Known shelf order, first to last.
    const SHELF: &[&str] = &[
        "B84/3",
        "D920.4/9",
        "D920.4-44/3",
        "I24/1",
        "I247/5",
        "I247.5/2",
        "I247.5/10",
        "I247.5/123",
        "I247.5/123:2",
        "I247.57/2",
        "I247.6/1",
        "I248/1",
        "K825.6/1",
        "K825.6=76/1",
        "O4-49/1",
        "T/1",
        "TB/1",
        "TP/1",
        "TP311/1",
        "TP311.1/1",
        "TP311.56/1",
        "TP311.561/45",
        "TP312/1",
        "TS972.1/15",
    ];

    #[test]
    fn known_shelf_order() {
        for pair in SHELF.windows(2) {
            assert!(cn(pair[0]) < cn(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(cn("I247.5/123").class(), "I247.5");
        assert_eq!(cn(" G624.203/8-2 ").as_str(), "G624.203/8-2");
    }

    #[test]
    fn library_call_numbers_parse() {
        for (text, class) in [
            ("I247.5/123", "I247.5"),
            ("I247.57/2", "I247.57"),
            ("TP311.561/45", "TP311.561"),
            ("K825.6=76/12", "K825.6=76"),
            ("D920.4-44/3", "D920.4-44"),
            ("I712.45/1:2", "I712.45"),
            ("G624.203/8-2", "G624.203"),
            ("O4-49/1", "O4-49"),
            ("TS972.1/15", "TS972.1"),
            ("I247.5/123:2", "I247.5"),
            ("I247.5/123=2", "I247.5"),
            ("I247.5", "I247.5"),
        ] {
            let c = cn(text);
            assert_eq!(c.class(), class, "{text}");
            assert_eq!(c.as_str(), text);
            assert_eq!(c.to_string(), text);
        }
    }

    #[test]
    fn insignificant_separators_are_equal() {
        use std::collections::HashSet;
        assert_eq!(cn("TP311.56/1"), cn("TP31156/1"));
        assert_eq!(cn("I247.5/123:2"), cn("I247.5/123=2"));
        assert_eq!(cn("I247.5/007"), cn("I247.5/7"));
        let set: HashSet<CallNumber> = [cn("TP311.56/1"), cn("TP31156/1")].into();
        assert_eq!(set.len(), 1);
        assert_ne!(cn("I24/1"), cn("I240/1"));
        assert!(cn("I24/1") < cn("I240/1"));
        assert!(cn("I247.5") < cn("I247.5/1"));
    }

    #[test]
    fn malformed_call_numbers_are_refused() {
        for bad in [
            "",
            "247.5/1",
            "i247/1",
            "I247.5/1 2",
            "I247#5/1",
            &"I".repeat(65),
            "书/1",
            "I247.5/",
            "/123",
            " ",
        ] {
            assert!(CallNumber::parse(bad).is_err(), "{bad:?}");
        }
    }

    fn arb_call_number() -> impl Strategy<Value = String> {
        (
            prop::sample::select(vec!["A", "B", "I", "K", "T", "TB", "TP", "TS", "Z"]),
            "[0-9]{0,6}",
            prop::option::of((prop::sample::select(vec!["-", "=", ":", "("]), "[0-9]{1,3}")),
            0u32..500,
            prop::option::of(0u32..5),
        )
            .prop_map(|(letters, digits, aux, seq, vol)| {
                let mut class = letters.to_owned();
                for (i, d) in digits.chars().enumerate() {
                    if i > 0 && i % 3 == 0 {
                        class.push('.');
                    }
                    class.push(d);
                }
                if let Some((kind, d)) = aux {
                    class.push_str(kind);
                    class.push_str(&d);
                    if kind == "(" {
                        class.push(')');
                    }
                }
                match vol {
                    Some(v) => format!("{class}/{seq}:{v}"),
                    None => format!("{class}/{seq}"),
                }
            })
    }

    proptest! {
        #[test]
        fn ordering_is_a_total_order(a in arb_call_number(), b in arb_call_number(), c in arb_call_number()) {
            let (a, b, c) = (cn(&a), cn(&b), cn(&c));
            prop_assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
            prop_assert_eq!(a == b, a.cmp(&b) == Ordering::Equal);
            if a <= b && b <= c {
                prop_assert!(a <= c);
            }
        }

        #[test]
        fn sorting_a_shuffled_shelf_restores_it(seed in any::<u64>()) {
            let mut shelf: Vec<CallNumber> = SHELF.iter().map(|s| cn(s)).collect();
            let mut state = seed;
            for i in (1..shelf.len()).rev() {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                shelf.swap(i, usize::try_from(state >> 33).unwrap_or(0) % (i + 1));
            }
            shelf.sort();
            let sorted: Vec<&str> = shelf.iter().map(CallNumber::as_str).collect();
            prop_assert_eq!(sorted, SHELF.to_vec());
        }
    }
}
