//! What "reads as Simplified Chinese" means for the texts people see.

/// Whether `c` is a Chinese character.
pub fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

/// Why `text` does not read as Simplified Chinese, if it does not: no Chinese character, an
/// English phrase (three Latin words in a row) or half-width punctuation next to Chinese.
/// Text quoted in 「」 (what a person typed, echoed back) is not judged.
pub fn not_chinese(text: &str) -> Option<String> {
    // What a person typed is quoted in 「」 and may be in any language.
    let mut own = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('「') {
        own.push_str(&rest[..open]);
        match rest[open..].find('」') {
            Some(close) => rest = &rest[open + close + '」'.len_utf8()..],
            None => {
                rest = &rest[open..];
                break;
            }
        }
    }
    own.push_str(rest);
    let text = own.as_str();
    if !text.chars().any(is_cjk) {
        return Some("has no Chinese at all".into());
    }
    // Three or more Latin words with nothing Chinese between them make an English phrase.
    // A word is a run of letters, digits and `._-/$` (identifiers such as `sha256Hash` or
    // `extensions.detail` are one) with at least two letters.
    let (mut run, mut word) = (0, 0);
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_alphanumeric() || "._-/$".contains(c) {
            word += usize::from(c.is_ascii_alphabetic());
            continue;
        }
        if word >= 2 {
            run += 1;
            if run >= 3 {
                return Some("holds an English phrase".into());
            }
        }
        word = 0;
        if !c.is_ascii() {
            run = 0;
        }
    }
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if matches!(c, ',' | ';' | '!' | '?' | '(' | ')')
            && (i > 0 && is_cjk(chars[i - 1]) || chars.get(i + 1).is_some_and(|n| is_cjk(*n)))
        {
            return Some(format!("uses the half-width {c:?} next to Chinese"));
        }
        if *c == ':' && i > 0 && is_cjk(chars[i - 1]) {
            return Some("uses a half-width colon after Chinese".into());
        }
    }
    None
}
