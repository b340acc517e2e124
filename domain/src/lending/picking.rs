//! Picking lists: each branch's open pick tasks in shelf order (CLC call-number order), and
//! the picker's scans.
//!
//! A scan of another available copy of the same title on the same branch's shelf is
//! accepted and the reservation moves to it (pickers take whichever copy is at hand; the
//! reserved one goes back to being free). Any other barcode is refused.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::sea_query::Query;
use sea_orm::{ActiveValue::Set, QueryOrder};

use super::delivery::{self, set_copy};
use super::{
    committed, history, lock_title, requests, routing, LoanRequest, PickStatus, PickTask,
    RequestStatus,
};
use crate::audit::Actor;
use crate::auth::{Principal, StaffRole};
use crate::catalog::call_number::CallNumber;
use crate::entity::item::{self, ItemStatus};
use crate::entity::{loan_request, pick_task, title};
use crate::{Ctx, Error, Result};

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
    let open = || {
        Query::select()
            .from(pick_task::Entity)
            .and_where(pick_task::Column::BranchId.eq(branch))
            .and_where(pick_task::Column::Status.eq(PickStatus::Open))
            .to_owned()
    };
    // Subqueries rather than id lists: a busy branch's list may run to tens of thousands.
    let tasks = pick_task::Entity::find()
        .filter(pick_task::Column::BranchId.eq(branch))
        .filter(pick_task::Column::Status.eq(PickStatus::Open))
        .order_by_asc(pick_task::Column::Id)
        .all(db)
        .await?;
    let mut copies: HashMap<Uuid, item::Model> = by_id(
        item::Entity::find()
            .filter(
                item::Column::Id.in_subquery(open().column(pick_task::Column::ItemId).to_owned()),
            )
            .all(db)
            .await?,
        |c| c.id,
    );
    let mut requests: HashMap<Uuid, LoanRequest> = by_id(
        loan_request::Entity::find()
            .filter(
                loan_request::Column::Id
                    .in_subquery(open().column(pick_task::Column::RequestId).to_owned()),
            )
            .all(db)
            .await?,
        |r| r.id,
    );
    let copies_listed = Query::select()
        .column(item::Column::TitleId)
        .from(item::Entity)
        .and_where(
            item::Column::Id.in_subquery(open().column(pick_task::Column::ItemId).to_owned()),
        )
        .to_owned();
    let titles: HashMap<Uuid, title::Model> = by_id(
        title::Entity::find()
            .filter(title::Column::Id.in_subquery(copies_listed))
            .all(db)
            .await?,
        |t| t.id,
    );
    let mut lines: Vec<(Option<CallNumber>, PickLine)> = Vec::with_capacity(tasks.len());
    for task in tasks {
        let (Some(copy), Some(request)) = (
            copies.remove(&task.item_id),
            requests.remove(&task.request_id),
        ) else {
            continue;
        };
        let Some(title) = titles.get(&copy.title_id).cloned() else {
            continue;
        };
        let shelf = CallNumber::parse(&copy.call_number).ok();
        lines.push((
            shelf,
            PickLine {
                task,
                copy,
                title,
                request,
            },
        ));
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

fn by_id<T>(rows: Vec<T>, id: impl Fn(&T) -> Uuid) -> HashMap<Uuid, T> {
    rows.into_iter().map(|r| (id(&r), r)).collect()
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

/// Marks an OPEN task picked if still open; the loser of two concurrent scans gets CONFLICT.
async fn close_task(
    db: &impl ConnectionTrait,
    task: &PickTask,
    to: PickStatus,
    who: &Principal,
    copy: Uuid,
) -> Result<PickTask> {
    let by = match who {
        Principal::Staff { id, .. } => Some(*id),
        Principal::Reader { .. } => None,
    };
    pick_task::Entity::update_many()
        .col_expr(pick_task::Column::Status, Expr::value(to))
        .col_expr(pick_task::Column::ItemId, Expr::value(copy))
        .col_expr(pick_task::Column::PickedBy, Expr::value(by))
        .col_expr(pick_task::Column::PickedAt, Expr::value(Utc::now()))
        .filter(pick_task::Column::Id.eq(task.id))
        .filter(pick_task::Column::Status.eq(PickStatus::Open))
        .exec_with_returning(db)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| Error::WrongState {
            what: "pick task",
            state: "not open",
        })
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
    lock_title(&txn, reserved.title_id).await?;
    let task = refresh_open(&txn, task).await?;
    let scanned = barcode.trim();
    let copy = if scanned == reserved.barcode {
        reserved
    } else {
        swap(&txn, &task, &reserved, scanned).await?
    };
    let done = close_task(&txn, &task, PickStatus::Picked, who, copy.id).await?;
    let req = requests::by_id(&txn, task.request_id).await?;
    let picked = history::transition(
        &txn,
        &req,
        RequestStatus::Picked,
        Actor::of(who),
        None,
        loan_request::ActiveModel {
            item_id: Set(Some(copy.id)),
            ..Default::default()
        },
    )
    .await?;
    delivery::after_pick(&txn, &ctx.config.lending, picked, &copy, Actor::of(who)).await?;
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
        return Err(Error::WrongState {
            what: "pick task",
            state: task.status.as_str(),
        });
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
) -> Result<item::Model> {
    let refuse = || {
        Error::validation(format!(
            "barcode {barcode} is not the copy reserved for this pick (expected {})",
            reserved.barcode
        ))
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
    set_copy(db, scanned.id, ItemStatus::Reserved, task.branch_id).await?;
    set_copy(
        db,
        reserved.id,
        ItemStatus::Available,
        reserved.current_branch_id,
    )
    .await?;
    Ok(item::Model {
        status: ItemStatus::Reserved,
        ..scanned
    })
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
    lock_title(&txn, missing.title_id).await?;
    let task = refresh_open(&txn, task).await?;
    let done = close_task(&txn, &task, PickStatus::NotOnShelf, who, missing.id).await?;
    set_copy(
        &txn,
        missing.id,
        ItemStatus::Missing,
        missing.current_branch_id,
    )
    .await?;
    let req = requests::by_id(&txn, task.request_id).await?;
    let pending = history::transition(
        &txn,
        &req,
        RequestStatus::Pending,
        Actor::of(who),
        Some("copy not on shelf; routing again"),
        loan_request::ActiveModel {
            item_id: Set(None),
            source_branch_id: Set(None),
            ..Default::default()
        },
    )
    .await?;
    routing::route(&txn, pending, Actor::System).await?;
    txn.commit().await?;
    committed(ctx);
    Ok(done)
}
