//! Lending mutations: readers request, cancel and renew; staff pick, check out and check in.

use async_graphql::{Context, InputObject, Object, ID};
use hongyan_domain::lending::requests::{self, Delivery, NewRequest};
use hongyan_domain::lending::{desk, loans, picking};
use hongyan_domain::text;
use hongyan_domain::Error;

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::types::lending::{CheckInResult, DeliveryMethod, Loan, LoanRequest, PickTask};
use crate::types::parse_id;

/// Where the book should go.
#[derive(InputObject)]
pub struct DeliveryInput {
    /// LOCKER, BRANCH or HOME.
    pub method: DeliveryMethod,
    /// The locker (LOCKER).
    pub locker_id: Option<ID>,
    /// The pickup branch (BRANCH).
    pub branch_id: Option<ID>,
    /// One of the reader's saved addresses (HOME).
    pub address_id: Option<ID>,
}

/// A request for a book.
#[derive(InputObject)]
pub struct RequestBookInput {
    /// The book (`Book.id`).
    pub book_id: ID,
    /// Where to.
    pub delivery: DeliveryInput,
    /// Makes retries safe: the same key with the same input returns the first result; with
    /// other input it is a CONFLICT. Keys are kept for at least 24 hours.
    pub idempotency_key: Option<String>,
}

pub(crate) fn delivery(d: DeliveryInput) -> Result<Delivery, Error> {
    let one = |id: Option<ID>, what: &'static str, missing: Error| -> Result<uuid::Uuid, Error> {
        parse_id(&id.ok_or(missing)?, what)
    };
    let given = [&d.locker_id, &d.branch_id, &d.address_id]
        .iter()
        .filter(|x| x.is_some())
        .count();
    if given > 1 {
        return Err(Error::validation(text!("delivery-one-place")));
    }
    Ok(match d.method {
        DeliveryMethod::Locker => Delivery::Locker(one(
            d.locker_id,
            "locker",
            Error::validation(text!("delivery-needs-locker")).in_field("lockerId"),
        )?),
        DeliveryMethod::Branch => Delivery::Branch(one(
            d.branch_id,
            "branch",
            Error::validation(text!("delivery-needs-branch")).in_field("branchId"),
        )?),
        DeliveryMethod::Home => Delivery::Home(one(
            d.address_id,
            "address",
            Error::validation(text!("delivery-needs-address")).in_field("addressId"),
        )?),
    })
}

/// Lending mutations.
#[derive(Default)]
pub struct LendingMutation;

#[Object]
impl LendingMutation {
    /// Asks for a book. It comes back ROUTED (a copy is reserved and on a branch's picking
    /// list) or WAITLISTED (see `waitlistPosition`).
    async fn request_book(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The book and where it should go.")] input: RequestBookInput,
    ) -> GqlResult<LoanRequest> {
        let reader = principal(ctx).gql()?.reader_id().gql()?;
        let new = NewRequest {
            title_id: parse_id(&input.book_id, "book").gql()?,
            delivery: delivery(input.delivery).gql()?,
            idempotency_key: input.idempotency_key,
        };
        Ok(LoanRequest(
            requests::request_book(domain(ctx), reader, new)
                .await
                .gql()?,
        ))
    }

    /// Cancels one of the caller's requests before it is picked.
    async fn cancel_request(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The caller's request (`LoanRequest.id`).")] id: ID,
    ) -> GqlResult<LoanRequest> {
        let reader = principal(ctx).gql()?.reader_id().gql()?;
        let id = parse_id(&id, "request").gql()?;
        Ok(LoanRequest(
            requests::cancel(domain(ctx), reader, id).await.gql()?,
        ))
    }

    /// Renews one of the caller's loans (not while someone waits, up to the renewal limit).
    async fn renew_loan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The caller's active loan (`Loan.id`).")] id: ID,
    ) -> GqlResult<Loan> {
        let reader = principal(ctx).gql()?.reader_id().gql()?;
        let id = parse_id(&id, "loan").gql()?;
        Ok(Loan(loans::renew(domain(ctx), reader, id).await.gql()?))
    }

    /// The picker scanned a copy for a pick task.
    async fn confirm_pick(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The OPEN pick task (`PickTask.id`).")] pick_task_id: ID,
        #[graphql(
            desc = "The barcode scanned: the reserved copy's, or another free copy of the title on this branch's shelf."
        )]
        barcode: String,
    ) -> GqlResult<PickTask> {
        let who = principal(ctx).gql()?;
        let id = parse_id(&pick_task_id, "pick task").gql()?;
        Ok(PickTask::of(
            picking::confirm_pick(domain(ctx), who, id, &barcode)
                .await
                .gql()?,
        ))
    }

    /// The copy of a pick task is not on the shelf: it is marked missing and the request is
    /// routed to the next copy, or waitlisted.
    async fn report_not_on_shelf(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The OPEN pick task (`PickTask.id`).")] pick_task_id: ID,
    ) -> GqlResult<PickTask> {
        let who = principal(ctx).gql()?;
        let id = parse_id(&pick_task_id, "pick task").gql()?;
        Ok(PickTask::of(
            picking::report_not_on_shelf(domain(ctx), who, id)
                .await
                .gql()?,
        ))
    }

    /// Lends a copy at the desk: the reader's held request, or a walk-in loan.
    async fn check_out(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The barcode of the copy being lent.")] barcode: String,
        #[graphql(desc = "The borrower's library card number.")] card_number: String,
    ) -> GqlResult<Loan> {
        let who = principal(ctx).gql()?;
        Ok(Loan(
            desk::check_out(domain(ctx), who, &barcode, &card_number)
                .await
                .gql()?,
        ))
    }

    /// Takes a copy in at any branch (通借通还) and says what to do with it.
    async fn check_in(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The barcode of the copy brought back.")] barcode: String,
        #[graphql(desc = "The branch whose desk takes it in (one of the caller's branches).")]
        branch_id: ID,
    ) -> GqlResult<CheckInResult> {
        let who = principal(ctx).gql()?;
        let branch = parse_id(&branch_id, "branch").gql()?;
        Ok(CheckInResult(
            desk::check_in(domain(ctx), who, &barcode, branch)
                .await
                .gql()?,
        ))
    }

    /// Catalogues a copy bought at a bookstore counter that came back here (`checkIn` said
    /// CATALOGUE): the library's barcode, a call number, and whether it joins the
    /// net-lending stock; then it goes where any returned copy goes (desk staff; audited).
    async fn catalogue_copy(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The barcode it came back with (the store's label or a temporary one).")]
        barcode: String,
        #[graphql(desc = "The library's own barcode label now on it (1–40 characters, unused).")]
        new_barcode: String,
        #[graphql(desc = "Its call number, e.g. `I247.5/123`.")] call_number: String,
        #[graphql(desc = "Whether it joins the net-lending stock (online requests may get it).")]
        net_lending: bool,
        #[graphql(desc = "The branch whose desk catalogues it (where it was checked in).")]
        branch_id: ID,
    ) -> GqlResult<CheckInResult> {
        let who = principal(ctx).gql()?;
        let branch = parse_id(&branch_id, "branch").gql()?;
        let what = desk::Cataloguing {
            barcode,
            new_barcode,
            call_number,
            net_lending,
        };
        Ok(CheckInResult(
            desk::catalogue_bought(domain(ctx), who, branch, what)
                .await
                .gql()?,
        ))
    }
}
