//! A reader's standing as staff set it: `setReaderBlocked`, `setReaderLimits`,
//! `resetReaderPin`, `mergeReaders` for two accounts of one person, and reader categories
//! (`savePatronCategory`, `setReaderCategory`, `importReaderCategories`).

use async_graphql::{Context, InputObject, Object, SimpleObject, ID};
use hongyan_domain::identity::merging;
use hongyan_domain::patrons::{categories, standing};

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::types::parse_id;
use crate::types::people::{DeskReader, PatronCategory, PinReset};

/// A reader category as an admin defines it (found by `code`: saving an existing code changes
/// it).
#[derive(InputObject)]
pub struct PatronCategoryInput {
    /// 1–20 letters, digits or `_`, e.g. `CHILD`.
    pub code: String,
    /// 1–40 characters, e.g. 少儿证.
    pub name: String,
    /// Loans at once, 0–99.
    pub max_loans: i32,
    /// Open requests at once, 0–99.
    pub max_open_requests: i32,
    /// Loan period, 1–365 days.
    pub loan_days: i32,
    /// Renewals per loan, 0–10.
    pub max_renewals: i32,
    /// Make it the library's default (the only one).
    #[graphql(default)]
    pub is_default: bool,
}

/// A row an import refused.
#[derive(SimpleObject)]
pub struct ImportRejection {
    /// Line in the file (the header is line 1).
    pub line: u64,
    /// Why.
    pub reason: String,
}

/// What an import of readers' categories did.
#[derive(SimpleObject)]
pub struct CategoryImport {
    /// Readers given a category.
    pub assigned: u64,
    /// Rows refused.
    pub rejected: Vec<ImportRejection>,
}

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
        #[graphql(desc = "The reader (`DeskReader.id`).")] reader_id: ID,
        #[graphql(desc = "True to block lending, false to lift the block.")] blocked: bool,
        #[graphql(
            desc = "Why (1–200 characters): required to block; when unblocking it is only kept in the audit log."
        )]
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
        #[graphql(desc = "The reader (`DeskReader.id`).")] reader_id: ID,
        #[graphql(
            desc = "Books the reader may have at once, loans and open requests together (0–99; 0 stops new ones)."
        )]
        max_loans: i32,
        #[graphql(desc = "Requests the reader may have open at once (0–99).")]
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
    async fn reset_reader_pin(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The card holder (`DeskReader.id`).")] reader_id: ID,
    ) -> GqlResult<PinReset> {
        let who = principal(ctx).gql()?;
        let id = parse_id(&reader_id, "reader").gql()?;
        let (row, pin) = standing::reset_pin(domain(ctx), who, id).await.gql()?;
        Ok(PinReset {
            reader: DeskReader(row),
            pin,
        })
    }

    /// Creates or changes (by code) a reader category (admins; audited). Its readers take its
    /// limits; the default one also sets the limits of readers given no category.
    async fn save_patron_category(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The category, whole (found by its `code`).")] input: PatronCategoryInput,
    ) -> GqlResult<PatronCategory> {
        let who = principal(ctx).gql()?;
        let new = categories::NewCategory {
            code: input.code,
            name: input.name,
            max_loans: input.max_loans,
            max_open_requests: input.max_open_requests,
            loan_days: input.loan_days,
            max_renewals: input.max_renewals,
            is_default: input.is_default,
        };
        Ok(categories::save(domain(ctx), who, new).await.gql()?.into())
    }

    /// Gives a reader a category by code (null: back to the library's default) and its limits
    /// (librarians; audited).
    async fn set_reader_category(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The reader (`DeskReader.id`).")] reader_id: ID,
        #[graphql(desc = "The category's code, e.g. `CHILD`; null: the library's default.")]
        category_code: Option<String>,
    ) -> GqlResult<DeskReader> {
        let who = principal(ctx).gql()?;
        let id = parse_id(&reader_id, "reader").gql()?;
        let row = categories::assign(domain(ctx), who, id, category_code.as_deref())
            .await
            .gql()?;
        Ok(DeskReader(row))
    }

    /// Gives readers their categories from CSV text (UTF-8, header `card_number,category`, at
    /// most 10,000 rows and 1 MiB; librarians; audited): good rows are applied, bad ones
    /// reported by line.
    async fn import_reader_categories(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The CSV text: UTF-8, a header row naming `card_number` and `category` (a category code), one reader per row."
        )]
        csv: String,
    ) -> GqlResult<CategoryImport> {
        let who = principal(ctx).gql()?;
        let done = categories::import(domain(ctx), who, &csv).await.gql()?;
        Ok(CategoryImport {
            assigned: done.assigned,
            rejected: done
                .rejected
                .into_iter()
                .map(|(line, reason)| ImportRejection { line, reason })
                .collect(),
        })
    }

    /// Merges account `mergeId` into `keepId` (librarians; audited): everything moves, the
    /// merged account is CLOSED. Refused when it would lose data (different ID numbers,
    /// two WeChat bindings).
    async fn merge_readers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account that stays (`DeskReader.id`).")] keep_id: ID,
        #[graphql(desc = "The account merged into it and CLOSED (`DeskReader.id`).")] merge_id: ID,
    ) -> GqlResult<DeskReader> {
        let who = principal(ctx).gql()?;
        let keep = parse_id(&keep_id, "reader").gql()?;
        let close = parse_id(&merge_id, "reader").gql()?;
        Ok(DeskReader(
            merging::merge(domain(ctx), who, keep, close).await.gql()?,
        ))
    }
}
