//! A title's work: the book behind its editions. Two titles are the same work when their
//! normalised title and first author agree, whatever their ISBN, publisher or year, so a
//! reader proposing another edition of a book the library holds is offered the held copy.
//!
//! Normalising folds full-width forms and case (Unicode NFKC, lower case), drops what stands
//! in brackets (edition statements such as （第2版）, an author's nationality such as [美]),
//! an author's role (著, 编著, 主编, 译…) and everything but letters and digits. The key is
//! stored on the title (`title.work_key`, indexed) when it is written; [`key_all`] fills it
//! for titles written before the column existed.
//!
//! The catalogue import matches a record without an ISBN to the title of the same edition:
//! the same work from the same publisher in the same year ([`import_key`], stored in
//! `title.import_key`, indexed, so the match is one index lookup per batch).

use sea_orm::prelude::*;
use sea_orm::{QueryOrder, QuerySelect};
use unicode_normalization::UnicodeNormalization;

use crate::entity::title;
use crate::Result;

/// Roles written after an author's name in Chinese records, longest first.
const ROLES: [&str; 8] = ["编著", "主编", "编写", "编译", "著", "编", "译", "绘"];

/// The work key of a title with these authors (`"甲; 乙"`: the first one counts); `None` when
/// the title has no letters or digits to go by.
pub fn key(title: &str, authors: &str) -> Option<String> {
    let title = fold(title);
    if title.is_empty() {
        return None;
    }
    Some(format!("{title}|{}", first_author(authors)))
}

/// The edition key the catalogue import matches titles without an ISBN by: the work key
/// ([`key`]) with the publisher and year, normalised alike (a title with no letters or
/// digits goes by its trimmed text).
pub fn import_key(
    title: &str,
    authors: &str,
    publisher: Option<&str>,
    year: Option<i32>,
) -> String {
    let folded = fold(title);
    let title = if folded.is_empty() {
        title.trim()
    } else {
        &folded
    };
    let publisher = publisher.map(fold).unwrap_or_default();
    let year = year.map(|y| y.to_string()).unwrap_or_default();
    format!("{title}|{}|{publisher}|{year}", first_author(authors))
}

/// The first of these authors (`"甲; 乙"`), normalised, without a role.
fn first_author(authors: &str) -> String {
    let first = authors.split(';').next().unwrap_or_default();
    let mut author = fold(first);
    if let Some(role) = ROLES.iter().find(|r| author.ends_with(**r)) {
        author.truncate(author.len() - role.len());
    }
    author
}

/// NFKC, lower case, without bracketed parts, letters and digits only.
fn fold(s: &str) -> String {
    let mut depth = 0usize;
    let mut out = String::with_capacity(s.len());
    for c in s.nfkc().flat_map(char::to_lowercase) {
        match c {
            '(' | '[' | '（' | '【' | '〔' | '［' => depth += 1,
            ')' | ']' | '）' | '】' | '〕' | '］' => depth = depth.saturating_sub(1),
            c if depth == 0 && c.is_alphanumeric() => out.push(c),
            _ => {}
        }
    }
    out
}

/// Titles keyed per batch by [`key_all`].
const BATCH: u64 = 1000;

/// Gives every title without an import key its work and import keys (titles written by an
/// older version), a batch at a time; returns how many were keyed.
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn key_all(db: &impl ConnectionTrait) -> Result<u64> {
    let mut keyed = 0;
    let mut after = Uuid::nil();
    loop {
        let batch = title::Entity::find()
            .select_only()
            .columns([
                title::Column::Id,
                title::Column::Title,
                title::Column::Authors,
                title::Column::Publisher,
                title::Column::PubYear,
            ])
            .filter(title::Column::ImportKey.is_null())
            .filter(title::Column::Id.gt(after))
            .order_by_asc(title::Column::Id)
            .limit(BATCH)
            .into_tuple::<(Uuid, String, String, Option<String>, Option<i32>)>()
            .all(db)
            .await?;
        let Some(last) = batch.last() else {
            return Ok(keyed);
        };
        after = last.0;
        for (id, name, authors, publisher, year) in &batch {
            title::Entity::update_many()
                .col_expr(title::Column::WorkKey, Expr::value(key(name, authors)))
                .col_expr(
                    title::Column::ImportKey,
                    Expr::value(import_key(name, authors, publisher.as_deref(), *year)),
                )
                .filter(title::Column::Id.eq(*id))
                .exec(db)
                .await?;
            keyed += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{import_key, key};

    #[test]
    fn editions_publishers_and_roles_share_a_work() {
        let a = key("红楼梦", "曹雪芹 著; 高鹗 续");
        assert_eq!(a.as_deref(), Some("红楼梦|曹雪芹"));
        assert_eq!(key("红楼梦（第2版）", "曹雪芹"), a);
        assert_eq!(key(" 红楼梦 ", "曹雪芹著"), a);
        assert_eq!(
            key("Ｔｈｅ Ｈｏｂｂｉｔ", "[英] Tolkien"),
            key("the hobbit", "Tolkien")
        );
        assert_ne!(key("红楼梦", "曹雪芹"), key("红楼梦", "刘心武"));
        assert_eq!(key("（）", "某"), None);
    }

    #[test]
    fn an_edition_is_its_work_from_one_publisher_in_one_year() {
        let a = import_key("红楼梦", "曹雪芹 著", Some("人民文学出版社"), Some(2008));
        assert_eq!(a, "红楼梦|曹雪芹|人民文学出版社|2008");
        assert_eq!(
            import_key(" 红楼梦 ", "曹雪芹", Some(" 人民文学出版社"), Some(2008)),
            a
        );
        assert_ne!(
            import_key("红楼梦", "曹雪芹", Some("中华书局"), Some(2008)),
            a
        );
        assert_ne!(
            import_key("红楼梦", "曹雪芹", Some("人民文学出版社"), None),
            a
        );
        assert_eq!(import_key("（）", "", None, None), "（）|||");
    }
}
