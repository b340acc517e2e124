//! The words and numbers of the report's exports as librarians read them: Simplified
//! Chinese names from the catalogues, money in yuan.

use crate::i18n::{Locale, Text};

use super::ratio;

/// The CLC main classes the catalogues name (`clc-` + the letter).
const CLC_CLASSES: &str = "ABCDEFGHIJKNOPQRSTUVXZ";

/// `text` in Simplified Chinese.
pub fn zh(text: &Text) -> String {
    text.render(Locale::Chinese)
}

/// A delivery method's name (`LOCKER` → 智能书柜).
pub fn method(key: &str) -> String {
    zh(&Text::named(format!("method-{key}")))
}

/// A state's name (`APPROVED` → 已通过).
pub fn state(key: &str) -> String {
    zh(&Text::named(format!("state-{key}")))
}

/// A CLC main class's name (`I` → 文学; `?` and unknown letters: 未分类).
pub fn clc_class(key: &str) -> String {
    let known = key.len() == 1 && CLC_CLASSES.contains(key);
    zh(&if known {
        Text::named(format!("clc-{key}"))
    } else {
        text!("clc-none")
    })
}

/// Cents as yuan with two decimals (`123450` → `1234.50`).
pub fn yuan(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

/// Cents as a number of yuan, for spreadsheet cells.
pub fn yuan_number(cents: i64) -> f64 {
    ratio(cents, 100)
}

/// Seconds as hours.
pub fn hours(secs: Option<f64>) -> Option<f64> {
    secs.map(|s| s / 3600.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_money_read_as_chinese_and_yuan() {
        assert_eq!(yuan(123_450), "1234.50");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(yuan(-1_999), "-19.99");
        assert_eq!(method("HOME"), "快递到家");
        assert_eq!(state("APPROVED"), "已通过");
        assert_eq!(clc_class("I"), "文学");
        assert_eq!(clc_class("?"), "未分类");
        assert_eq!(clc_class("W"), "未分类");
    }
}
