//! Picking lists: each branch's open pick tasks in shelf order (CLC call-number order), and
//! the picker's scans.
//!
//! A scan of another available copy of the same title on the same branch's shelf is
//! accepted and the reservation moves to it (pickers take whichever copy is at hand; the
//! reserved one goes back to being free). Any other barcode is refused.

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, FromQueryResult, Iterable};

use super::delivery_methods::{self, set_copy};
use super::{
    committed, lock_title, request_log, requests, routing, LoanRequest, PickStatus, PickTask,
    RequestStatus,
};
use crate::audit::Actor;
use crate::auth::{Principal, StaffRole};
use crate::catalog::call_number::CallNumber;
use crate::entity::item::{self, ItemStatus};
use crate::entity::{loan_request, pick_task, title};
use crate::lifecycle::{self, Lifecycle};
use crate::{infra::db, Ctx, Error, Result};

/// Roles that work picking lists.
pub const PICKERS: &[StaffRole] = &[
    StaffRole::Picker,
    StaffRole::Dispatcher,
    StaffRole::Librarian,
];

/// One line of a picking list.
#[derive(Debug, Clone)]
pub struct PickLine {
    /// The task.
    pub task: PickTask,
    /// The reserved copy (barcode, call number).
    pub copy: item::Model,
    /// Its title.
    pub title: title::Model,
    /// The request it serves (delivery method).
    pub request: LoanRequest,
}

/// A branch's open pick tasks in shelf order, for its pickers.
///
/// # Errors
/// FORBIDDEN for readers and for staff of other branches.
pub async fn picking_list(
    db: &impl ConnectionTrait,
    who: &Principal,
    branch: Uuid,
) -> Result<Vec<PickLine>> {
    who.require_staff_at(PICKERS, branch)?;
    // One query for the lot: a busy branch's list may run to tens of thousands of lines.
    let sql = format!(
        "SELECT {}, {}, {}, {} FROM pick_task t \
         JOIN item c ON c.id = t.item_id \
         JOIN loan_request r ON r.id = t.request_id \
         JOIN title b ON b.id = c.title_id \
         WHERE t.branch_id = $1 AND t.status = $2 ORDER BY t.id",
        columns::<pick_task::Entity>("t"),
        columns::<item::Entity>("c"),
        columns::<loan_request::Entity>("r"),
        columns::<title::Entity>("b"),
    );
    let values = [branch.into(), PickStatus::Open.as_str().into()];
    let rows = db.query_all(db::statement(db, sql, values)).await?;
    let mut lines: Vec<(Option<CallNumber>, PickLine)> = Vec::with_capacity(rows.len());
    for row in rows {
        let copy = item::Model::from_query_result(&row, "c_")?;
        let line = PickLine {
            task: PickTask::from_query_result(&row, "t_")?,
            title: title::Model::from_query_result(&row, "b_")?,
            request: LoanRequest::from_query_result(&row, "r_")?,
            copy,
        };
        lines.push((CallNumber::parse(&line.copy.call_number).ok(), line));
    }
    // Shelf order; copies with unreadable call numbers go last, by their text.
    lines.sort_by(|(a, x), (b, y)| match (a, b) {
        (Some(a), Some(b)) => a.cmp(b),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => x.copy.call_number.cmp(&y.copy.call_number),
    });
    Ok(lines.into_iter().map(|(_, l)| l).collect())
}

/// `E`'s columns from the table aliased `alias`, each named `{alias}_{column}` (the prefix
/// `FromQueryResult` reads a model back with).
fn columns<E: EntityTrait>(alias: &str) -> String {
    E::Column::iter()
        .map(|c| format!("{alias}.{0} AS {alias}_{0}", c.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A pick task by id, for staff of its branch.
async fn task_for(db: &impl ConnectionTrait, who: &Principal, id: Uuid) -> Result<PickTask> {
    who.require_any_staff()?;
    let task = pick_task::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("pick task"))?;
    who.require_staff_at(PICKERS, task.branch_id)?;
    Ok(task)
}

/// Closes an OPEN task (`to`) if still open; the loser of two concurrent scans gets CONFLICT.
async fn close_task(
    db: &impl ConnectionTrait,
    task: &PickTask,
    to: PickStatus,
    who: &Principal,
    copy: Uuid,
    now: DateTime<Utc>,
) -> Result<PickTask> {
    let by = match who {
        Principal::Staff { id, .. } => Some(*id),
        Principal::Reader { .. } => None,
    };
    let changes = pick_task::ActiveModel {
        item_id: Set(copy),
        picked_by: Set(by),
        picked_at: Set(Some(now)),
        ..Default::default()
    };
    lifecycle::advance::<pick_task::Entity>(db, task.id, PickStatus::Open, to, changes).await
}

/// The picker scanned `barcode` for `task`: the request becomes PICKED and moves on
/// (hold shelf, transfer, or dispatch).
///
/// # Errors
/// NOT_FOUND for an unknown task; FORBIDDEN outside the picker's branches; VALIDATION for a
/// barcode that is neither the reserved copy nor another free copy of the title on this
/// branch's shelf; CONFLICT when the task is no longer open (another picker was first).
pub async fn confirm_pick(
    ctx: &Ctx,
    who: &Principal,
    task_id: Uuid,
    barcode: &str,
) -> Result<PickTask> {
    let txn = ctx.begin().await?;
    let task = task_for(&txn, who, task_id).await?;
    let reserved = item::Entity::find_by_id(task.item_id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("copy"))?;
    lock_title(&txn, reserved.title_id, ctx.now()).await?;
    let task = refresh_open(&txn, task).await?;
    let scanned = barcode.trim();
    let copy = if scanned == reserved.barcode {
        reserved
    } else {
        swap(&txn, &task, &reserved, scanned, ctx.now()).await?
    };
    let done = close_task(&txn, &task, PickStatus::Picked, who, copy.id, ctx.now()).await?;
    let req = requests::by_id(&txn, task.request_id).await?;
    let picked = request_log::transition(
        &txn,
        &req,
        RequestStatus::Picked,
        Actor::of(who),
        None,
        loan_request::ActiveModel {
            item_id: Set(Some(copy.id)),
            ..Default::default()
        },
        ctx.now(),
    )
    .await?;
    delivery_methods::after_pick(
        &txn,
        &ctx.config.lending,
        picked,
        &copy,
        Actor::of(who),
        ctx.now(),
    )
    .await?;
    txn.commit().await?;
    committed(ctx);
    Ok(done)
}

/// Re-reads a task under the title lock; CONFLICT if it is no longer open.
async fn refresh_open(db: &impl ConnectionTrait, task: PickTask) -> Result<PickTask> {
    let task = pick_task::Entity::find_by_id(task.id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("pick task"))?;
    if task.status != PickStatus::Open {
        return Err(task.status.refusal());
    }
    Ok(task)
}

/// Moves the task's reservation to the scanned copy, if it is a free copy of the same title
/// on the same shelf; the copy first reserved is free again.
async fn swap(
    db: &impl ConnectionTrait,
    task: &PickTask,
    reserved: &item::Model,
    barcode: &str,
    now: DateTime<Utc>,
) -> Result<item::Model> {
    let refuse = || {
        Error::validation(text!(
            "lending-pick-wrong-copy",
            barcode = barcode,
            expected = &reserved.barcode
        ))
        .in_field("barcode")
    };
    let scanned = item::Entity::find()
        .filter(item::Column::Barcode.eq(barcode))
        .one(db)
        .await?
        .ok_or_else(refuse)?;
    if scanned.title_id != reserved.title_id
        || scanned.current_branch_id != task.branch_id
        || scanned.status != ItemStatus::Available
        || !scanned.net_lending
    {
        return Err(refuse());
    }
    let scanned = set_copy(db, &scanned, ItemStatus::Reserved, task.branch_id, now).await?;
    set_copy(
        db,
        reserved,
        ItemStatus::Available,
        reserved.current_branch_id,
        now,
    )
    .await?;
    Ok(scanned)
}

/// The picker could not find the copy: it is marked MISSING and the request goes to the
/// next best copy, or onto the waitlist.
///
/// # Errors
/// NOT_FOUND for an unknown task; FORBIDDEN outside the picker's branches; CONFLICT when the
/// task is no longer open.
pub async fn report_not_on_shelf(ctx: &Ctx, who: &Principal, task_id: Uuid) -> Result<PickTask> {
    let txn = ctx.begin().await?;
    let task = task_for(&txn, who, task_id).await?;
    let missing = item::Entity::find_by_id(task.item_id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("copy"))?;
    lock_title(&txn, missing.title_id, ctx.now()).await?;
    let task = refresh_open(&txn, task).await?;
    let done = close_task(
        &txn,
        &task,
        PickStatus::NotOnShelf,
        who,
        missing.id,
        ctx.now(),
    )
    .await?;
    set_copy(
        &txn,
        &missing,
        ItemStatus::Missing,
        missing.current_branch_id,
        ctx.now(),
    )
    .await?;
    let req = requests::by_id(&txn, task.request_id).await?;
    let pending = request_log::transition(
        &txn,
        &req,
        RequestStatus::Pending,
        Actor::of(who),
        Some(&text!("history-not-on-shelf").into()),
        loan_request::ActiveModel {
            item_id: Set(None),
            source_branch_id: Set(None),
            ..Default::default()
        },
        ctx.now(),
    )
    .await?;
    routing::route(
        &txn,
        pending,
        ctx.config.lending.routing,
        Actor::System,
        ctx.now(),
    )
    .await?;
    txn.commit().await?;
    committed(ctx);
    Ok(done)
}
