//! A reader's standing as staff set it: `setReaderBlocked`, `setReaderLimits`,
//! `resetReaderPin`, and `mergeReaders` for two accounts of one person.

use async_graphql::{Context, Object, ID};
use hongyan_domain::identity::merging;
use hongyan_domain::patrons::standing;

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::types::parse_id;
use crate::types::people::{DeskReader, PinReset};

/// Mutations on readers' standing (staff).
#[derive(Default)]
pub struct PatronsMutation;

#[Object]
impl PatronsMutation {
    /// Blocks or unblocks a reader's lending (librarians; audited). Blocking needs a
    /// `reason` (1–200 characters) the reader and the desk see.
    async fn set_reader_blocked(
        &self,
        ctx: &Context<'_>,
        reader_id: ID,
        blocked: bool,
        reason: Option<String>,
    ) -> GqlResult<DeskReader> {
        let who = principal(ctx).gql()?;
        let id = parse_id(&reader_id, "reader").gql()?;
        let row = standing::set_blocked(domain(ctx), who, id, blocked, reason.as_deref())
            .await
            .gql()?;
        Ok(DeskReader(row))
    }

    /// Sets how many loans and open requests a reader may hold at once (librarians; 0–99
    /// each; audited).
    async fn set_reader_limits(
        &self,
        ctx: &Context<'_>,
        reader_id: ID,
        max_loans: i32,
        max_open_requests: i32,
    ) -> GqlResult<DeskReader> {
        let who = principal(ctx).gql()?;
        let id = parse_id(&reader_id, "reader").gql()?;
        let row = standing::set_limits(domain(ctx), who, id, max_loans, max_open_requests)
            .await
            .gql()?;
        Ok(DeskReader(row))
    }

    /// Issues a card holder a new random 6-digit PIN, returned this once, and lifts the
    /// card's login lock (desk staff; audited without the PIN).
    async fn reset_reader_pin(&self, ctx: &Context<'_>, reader_id: ID) -> GqlResult<PinReset> {
        let who = principal(ctx).gql()?;
        let id = parse_id(&reader_id, "reader").gql()?;
        let (row, pin) = standing::reset_pin(domain(ctx), who, id).await.gql()?;
        Ok(PinReset {
            reader: DeskReader(row),
            pin,
        })
    }

    /// Merges account `mergeId` into `keepId` (librarians; audited): everything moves, the
    /// merged account is CLOSED. Refused when it would lose data (different ID numbers,
    /// two WeChat bindings).
    async fn merge_readers(
        &self,
        ctx: &Context<'_>,
        keep_id: ID,
        merge_id: ID,
    ) -> GqlResult<DeskReader> {
        let who = principal(ctx).gql()?;
        let keep = parse_id(&keep_id, "reader").gql()?;
        let close = parse_id(&merge_id, "reader").gql()?;
        Ok(DeskReader(
            merging::merge(domain(ctx), who, keep, close).await.gql()?,
        ))
    }
}
