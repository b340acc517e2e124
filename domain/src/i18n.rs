//! The words people read, kept in message catalogues rather than in code.
//!
//! Every sentence the platform says to a reader or a librarian (error messages, request
//! history, rule decisions) is a [`Text`]: a catalogue key plus named arguments. The
//! catalogues are Fluent files under `domain/locales/<locale>/`, compiled into the binary;
//! Simplified Chinese is the default and English is kept for logs (a `Text` displays in
//! English) and for clients that ask for it with `Accept-Language: en`.
//!
//! Keys name what is said (`isbn-check-digit`); the keys of error reasons are the reasons
//! themselves (`ALREADY_REQUESTED`, see [`crate::Reason`]).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};

fluent_templates::static_loader! {
    static CATALOGUES = {
        locales: "./locales",
        fallback_language: "zh-CN",
        // Fluent wraps arguments in Unicode isolation marks by default; our texts are
        // left-to-right only and the marks would show up in phones' text fields and CSVs.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A language the platform speaks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Locale {
    /// Simplified Chinese: what readers and staff read unless they ask otherwise.
    #[default]
    Chinese,
    /// English: for logs, and for clients that ask for it.
    English,
}

impl Locale {
    /// Every locale, default first.
    pub const ALL: [Locale; 2] = [Locale::Chinese, Locale::English];

    /// The locale an HTTP `Accept-Language` header asks for: the supported language with the
    /// highest weight (earlier wins a tie), Chinese when the header names neither.
    pub fn from_accept_language(header: Option<&str>) -> Self {
        let Some(header) = header else {
            return Locale::Chinese;
        };
        let mut best: Option<(f32, Locale)> = None;
        // A header longer than any browser sends is cut, not parsed.
        for part in header.split(',').take(32) {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let weight = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let locale = if tag == "zh" || tag.starts_with("zh-") {
                Locale::Chinese
            } else if tag == "en" || tag.starts_with("en-") {
                Locale::English
            } else {
                continue;
            };
            if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, locale));
            }
        }
        best.map_or(Locale::Chinese, |(_, l)| l)
    }

    /// The BCP 47 tag (`zh-CN`, `en`).
    pub fn tag(self) -> &'static str {
        match self {
            Locale::Chinese => "zh-CN",
            Locale::English => "en",
        }
    }

    fn id(self) -> LanguageIdentifier {
        match self {
            Locale::Chinese => fluent_templates::langid!("zh-CN"),
            Locale::English => fluent_templates::langid!("en"),
        }
    }
}

/// Something said to a person: a catalogue key and its arguments, rendered per locale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    key: Cow<'static, str>,
    args: Vec<(&'static str, Arg)>,
}

/// An argument of a [`Text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// A value shown as it is (a number, a name, a barcode).
    Plain(String),
    /// Words of its own, said in the same language as the text around them.
    Said(Text),
}

impl Arg {
    fn render(&self, locale: Locale) -> String {
        match self {
            Arg::Plain(s) => s.clone(),
            Arg::Said(t) => t.render(locale),
        }
    }
}

impl Text {
    /// The text under `key`, without arguments yet.
    pub fn new(key: &'static str) -> Self {
        Text {
            key: Cow::Borrowed(key),
            args: Vec::new(),
        }
    }

    /// The text under a key made at run time (a state's or a thing's name).
    pub fn named(key: String) -> Self {
        Text {
            key: Cow::Owned(key),
            args: Vec::new(),
        }
    }

    /// The name of a thing (`"delivery round"` → the entry `thing-delivery-round`), as the
    /// "not found" errors name what was missing.
    pub fn thing(what: &str) -> Self {
        Text::named(format!("thing-{}", what.replace(' ', "-")))
    }

    /// This text with the argument `name` (`{ $name }` in the catalogue) set to `value`.
    #[must_use]
    pub fn arg(self, name: &'static str, value: impl fmt::Display) -> Self {
        self.set(name, Arg::Plain(value.to_string()))
    }

    /// This text with the argument `name` set to words of their own (a thing's name), said in
    /// whichever language the whole text is said in.
    #[must_use]
    pub fn arg_text(self, name: &'static str, words: Text) -> Self {
        self.set(name, Arg::Said(words))
    }

    fn set(mut self, name: &'static str, value: Arg) -> Self {
        match self.args.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.args.push((name, value)),
        }
        self
    }

    /// The catalogue key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The arguments, in the order they were set.
    pub fn args(&self) -> &[(&'static str, Arg)] {
        &self.args
    }

    /// The text in `locale`. A key missing from the catalogues (a bug the catalogue tests
    /// catch) is logged and shown as the key itself, never as an empty message.
    pub fn render(&self, locale: Locale) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> = self
            .args
            .iter()
            .map(|(n, v)| (Cow::Borrowed(*n), FluentValue::from(v.render(locale))))
            .collect();
        CATALOGUES
            .try_lookup_complete(&locale.id(), &self.key, Some(&args))
            .unwrap_or_else(|| {
                tracing::warn!(key = %self.key, "text missing from the message catalogues");
                self.key.to_string()
            })
    }
}

/// In English: how texts appear in logs.
impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Locale::English))
    }
}

/// Makes a [`Text`]: `text!("isbn-check-digit")`, `text!("search-too-long", max = 200)`.
#[macro_export]
macro_rules! text {
    ($key:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::i18n::Text::new($key)$(.arg(stringify!($name), $value))*
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_heaviest_supported_language() {
        let pick = |h| Locale::from_accept_language(Some(h));
        assert_eq!(Locale::from_accept_language(None), Locale::Chinese);
        assert_eq!(pick("en"), Locale::English);
        assert_eq!(pick("en-US,en;q=0.9"), Locale::English);
        assert_eq!(pick("zh-CN,zh;q=0.9,en;q=0.8"), Locale::Chinese);
        assert_eq!(pick("fr, en;q=0.5, zh;q=0.7"), Locale::Chinese);
        assert_eq!(pick("de, en;q=0.2"), Locale::English);
        assert_eq!(pick("de"), Locale::Chinese);
        assert_eq!(pick("en;q=0, zh;q=0.1"), Locale::Chinese);
        assert_eq!(pick(";;;,,q=abc"), Locale::Chinese);
    }
}
