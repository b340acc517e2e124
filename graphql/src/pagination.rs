//! Paging arguments, checked the same way for every list of the API.
//!
//! - `first` is 1 to [`MAX_PAGE`]; anything else is VALIDATION,
//!   never clamped into a surprise and never passed on to SQL or the search index.
//! - Cursors are opaque: base64url of `<list>:<position>`, at most [`MAX_CURSOR_LEN`]
//!   characters. A cursor is decoded, checked to belong to the list it is sent to, and its
//!   position parsed before anything runs; a client cannot hand a raw offset or id to the
//!   database. Keyset lists carry the last row's id; search carries an offset that the
//!   domain bounds by its maximum depth ([`hongyan_domain::catalog::search::MAX_DEPTH`]).

use async_graphql::connection::{Connection, PageInfo};
use async_graphql::{ObjectType, OutputType};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hongyan_domain::text;
use hongyan_domain::Error;
use uuid::Uuid;

/// Largest page of a connection.
pub const MAX_PAGE: i32 = 100;
/// Page size when the client does not say.
pub const DEFAULT_PAGE: i32 = 20;
/// Longest cursor accepted (a keyset cursor is about 60 characters).
pub const MAX_CURSOR_LEN: usize = 128;

/// The page size a client asked for, within `1..=max` (`default` when not given).
///
/// # Errors
/// VALIDATION when it is outside that range.
pub fn page_size(first: Option<i32>, default: i32, max: i32) -> Result<u64, Error> {
    let first = first.unwrap_or(default);
    if !(1..=max).contains(&first) {
        return Err(Error::validation(text!("page-size", max = max)).in_field("first"));
    }
    Ok(u64::try_from(first).unwrap_or(1))
}

/// The length of a plain list (`first` with a schema default), within `1..=`[`MAX_PAGE`].
///
/// # Errors
/// VALIDATION when it is outside that range.
pub fn list_size(first: i32) -> Result<u64, Error> {
    page_size(Some(first), first, MAX_PAGE)
}

/// What a page of `first` rows (the default page when not given) costs against the
/// complexity limit: its rows' selections once per row, so a hundred aliases of a
/// 100-row page cost what they would fetch.
pub fn cost(first: Option<i32>, child_complexity: usize) -> usize {
    let rows = usize::try_from(first.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE)).unwrap_or(1);
    rows.saturating_mul(child_complexity).saturating_add(1)
}

/// The opaque cursor of the row at `position` in `list`.
pub fn encode(list: &str, position: impl std::fmt::Display) -> String {
    URL_SAFE_NO_PAD.encode(format!("{list}:{position}"))
}

/// The position a cursor of `list` carries, parsed by `parse`.
///
/// # Errors
/// VALIDATION for anything that is not a cursor this server gave out for `list`.
pub fn decode<T>(
    list: &str,
    cursor: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<T, Error> {
    let bad = || Error::validation(text!("cursor-invalid")).in_field("after");
    if cursor.len() > MAX_CURSOR_LEN {
        return Err(bad());
    }
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = std::str::from_utf8(&bytes).map_err(|_| bad())?;
    let (name, position) = text.split_once(':').ok_or_else(bad)?;
    if name != list {
        return Err(bad());
    }
    parse(position).ok_or_else(bad)
}

/// A keyset page request: how many rows, after which row id.
#[derive(Debug, Clone, Copy)]
pub struct Keyset {
    /// Rows wanted.
    pub first: u64,
    /// The id of the last row the client has.
    pub after: Option<Uuid>,
}

impl Keyset {
    /// Checks the Relay arguments of keyset list `list`.
    ///
    /// # Errors
    /// VALIDATION for a page size out of range or a cursor not of this list.
    pub fn parse(list: &str, first: Option<i32>, after: Option<&str>) -> Result<Self, Error> {
        Ok(Keyset {
            first: page_size(first, DEFAULT_PAGE, MAX_PAGE)?,
            after: after
                .map(|c| decode(list, c, |p| Uuid::parse_str(p).ok()))
                .transpose()?,
        })
    }
}

/// The `pageInfo` of a page, as async-graphql's own connection type gives it (the
/// connection types of the schema wrap that type to carry their descriptions).
pub fn page_info<N, F>(page: &Connection<String, N, F>) -> PageInfo
where
    N: OutputType,
    F: ObjectType,
{
    PageInfo {
        has_previous_page: page.has_previous_page,
        has_next_page: page.has_next_page,
        start_cursor: page.edges.first().map(|e| e.cursor.clone()),
        end_cursor: page.edges.last().map(|e| e.cursor.clone()),
    }
}

/// The `nodes` of a page: its rows without their cursors.
pub fn nodes<N, F>(page: &Connection<String, N, F>) -> Vec<&N>
where
    N: OutputType,
    F: ObjectType,
{
    page.edges.iter().map(|e| &e.node).collect()
}

/// Declares a described Relay connection type of `$node`s: `pageInfo`, `edges` and `nodes`,
/// with the descriptions given (async-graphql reads descriptions from literal doc strings only).
macro_rules! connection {
    (
        $(#[doc = $doc:literal])*
        $name:ident of $node:ty {
            page_info: $page_info:literal,
            edges: $edges:literal,
            nodes: $nodes:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(async_graphql::Description)]
        pub struct $name(pub async_graphql::connection::Connection<String, $node>);

        #[async_graphql::Object(use_type_description)]
        impl $name {
            #[doc = $page_info]
            async fn page_info(&self) -> async_graphql::connection::PageInfo {
                $crate::pagination::page_info(&self.0)
            }
            #[doc = $edges]
            async fn edges(
                &self,
            ) -> &[async_graphql::connection::Edge<
                String,
                $node,
                async_graphql::connection::EmptyFields,
            >] {
                &self.0.edges
            }
            #[doc = $nodes]
            async fn nodes(&self) -> Vec<&$node> {
                $crate::pagination::nodes(&self.0)
            }
        }
    };
}
pub(crate) use connection;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_stay_in_their_list() {
        let id = Uuid::now_v7();
        let c = encode("requests", id);
        let k = Keyset::parse("requests", Some(5), Some(&c)).ok();
        assert_eq!(k.and_then(|k| k.after), Some(id));
        assert!(
            Keyset::parse("loans", None, Some(&c)).is_err(),
            "another list"
        );
        let offset = encode("search", 40);
        assert_eq!(
            decode("search", &offset, |p| p.parse::<usize>().ok()).ok(),
            Some(40)
        );
    }

    #[test]
    fn hostile_arguments_are_refused() {
        for bad in [
            "999999999999",
            "",
            "%%%",
            &"A".repeat(MAX_CURSOR_LEN + 1),
            &encode("search", "-1"),
            &encode("search", "99999999999999999999999"),
            &URL_SAFE_NO_PAD.encode([0xff, 0xfe]),
        ] {
            assert!(
                decode("search", bad, |p| p.parse::<usize>().ok()).is_err(),
                "{bad:?}"
            );
        }
        for first in [0, -1, MAX_PAGE + 1, i32::MAX, i32::MIN] {
            assert!(
                page_size(Some(first), DEFAULT_PAGE, MAX_PAGE).is_err(),
                "{first}"
            );
        }
        assert_eq!(page_size(None, DEFAULT_PAGE, MAX_PAGE).ok(), Some(20));
    }
}
