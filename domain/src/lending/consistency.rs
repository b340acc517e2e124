//! Consistency: whether the database still says one true thing about every request and copy
//! — nothing lost, nothing twice. Each [`Rule`] is one SQL query for the rows that break it;
//! [`check`] runs them all and counts (a handful of examples each). `hongyan check` prints
//! them for an operator (after a crash, a restore or a long outage), and `hongyan simulate
//! city --check` after a simulated month.
//!
//! Some states are on their way for a moment (a request just made is PENDING until routed, a
//! copy just checked in serves its waitlist within the transaction): the rules that would
//! catch those look only at rows older than [`SETTLE`].

use chrono::{DateTime, Duration, Utc};
use sea_orm::prelude::*;
use sea_orm::FromQueryResult;
use serde::Serialize;

use super::{PickStatus, RequestStatus};
use crate::entity::item::ItemStatus;
use crate::entity::job::JobState;
use crate::entity::loan::LoanStatus;
use crate::infra::db;
use crate::lifecycle::Lifecycle;
use crate::Result;

/// How long a row may sit in a state that is only a moment on the way.
pub const SETTLE: Duration = Duration::minutes(15);

/// Examples listed per broken rule.
pub const EXAMPLES: u64 = 5;

/// One rule the rows must keep.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// A stable name (`COPY_ON_LOAN_WITHOUT_LOAN`).
    pub code: &'static str,
    /// What it asks, for a librarian.
    pub text: &'static str,
    /// The query selecting the `id` of each row that breaks it.
    sql: fn() -> String,
    /// Whether the query looks only at rows settled before `$1` (see [`SETTLE`]).
    dated: bool,
}

/// What a rule found.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The rule's stable name.
    pub code: &'static str,
    /// What the rule asks.
    pub text: &'static str,
    /// Rows breaking it.
    pub count: u64,
    /// Ids of some of them (the table the rule names).
    pub examples: Vec<Uuid>,
}

/// Every rule, in the order [`check`] reports them.
pub const RULES: &[Rule] = &[
    Rule {
        code: "MOVE_NOT_ALLOWED",
        text: "借阅请求的每一步都是状态表允许的（request_event）",
        sql: move_not_allowed,
        dated: false,
    },
    Rule {
        code: "HISTORY_ENDS_ELSEWHERE",
        text: "借阅请求的历史最后一步就是它现在的状态（loan_request）",
        sql: history_ends_elsewhere,
        dated: false,
    },
    Rule {
        code: "REQUEST_LEFT_PENDING",
        text: "没有借阅请求停在“待分配”（loan_request）",
        sql: request_left_pending,
        dated: true,
    },
    Rule {
        code: "ROUTED_WITHOUT_PICK",
        text: "已分配的请求都在某馆的拣书单上（loan_request）",
        sql: routed_without_pick,
        dated: false,
    },
    Rule {
        code: "REQUEST_COPY_MISMATCH",
        text: "进行中的请求所占的那一册，状态与请求相符（loan_request）",
        sql: request_copy_mismatch,
        dated: false,
    },
    Rule {
        code: "COPY_SERVES_TWO",
        text: "一册书同时只为一个请求服务（item）",
        sql: copy_serves_two,
        dated: false,
    },
    Rule {
        code: "RESERVED_WITHOUT_REQUEST",
        text: "被预留的书都有一个等它的请求（item）",
        sql: reserved_without_request,
        dated: true,
    },
    Rule {
        code: "COPY_ON_LOAN_WITHOUT_LOAN",
        text: "“借出”的书都有一笔未还的借阅（item）",
        sql: copy_on_loan_without_loan,
        dated: false,
    },
    Rule {
        code: "LOAN_ON_COPY_NOT_LENT",
        text: "未还的借阅，其书都是“借出”（loan）",
        sql: loan_on_copy_not_lent,
        dated: false,
    },
    Rule {
        code: "WAITLIST_BESIDE_FREE_COPY",
        text: "有书在架可借时，没有请求还在排队（loan_request）",
        sql: waitlist_beside_free_copy,
        dated: true,
    },
    Rule {
        code: "JOB_DEAD",
        text: "没有后台任务因屡次失败而放弃（job）",
        sql: job_dead,
        dated: false,
    },
    Rule {
        code: "MESSAGE_TWICE",
        text: "同一条通知没有发给同一读者两次（按读者列出）",
        sql: message_twice,
        dated: false,
    },
];

#[derive(FromQueryResult)]
struct Count {
    n: i64,
}

#[derive(FromQueryResult)]
struct Id {
    id: Uuid,
}

/// Runs every rule; `now` is the server's time (rules about passing states look only at
/// rows older than [`SETTLE`] before it).
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn check(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Vec<Finding>> {
    let settled = now - SETTLE;
    let mut findings = Vec::with_capacity(RULES.len());
    for rule in RULES {
        let sql = (rule.sql)();
        let values = || -> Vec<sea_orm::Value> {
            if rule.dated {
                vec![settled.into()]
            } else {
                vec![]
            }
        };
        let count = Count::find_by_statement(db::statement(
            db,
            format!("SELECT count(*) AS n FROM ({sql}) broken"),
            values(),
        ))
        .one(db)
        .await?
        .map_or(0, |c| u64::try_from(c.n).unwrap_or(0));
        let examples = if count == 0 {
            Vec::new()
        } else {
            Id::find_by_statement(db::statement(
                db,
                format!("SELECT id FROM ({sql}) broken ORDER BY id LIMIT {EXAMPLES}"),
                values(),
            ))
            .all(db)
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect()
        };
        findings.push(Finding {
            code: rule.code,
            text: rule.text,
            count,
            examples,
        });
    }
    Ok(findings)
}

/// Whether nothing was found.
pub fn all_kept(findings: &[Finding]) -> bool {
    findings.iter().all(|f| f.count == 0)
}

/// A state as the database stores it, quoted for SQL.
fn q<S: Lifecycle>(state: S) -> String {
    format!("'{}'", state.name())
}

/// The statuses of requests that hold a copy on its way to their reader, for `IN (…)`.
fn holding() -> String {
    [
        RequestStatus::Routed,
        RequestStatus::Picked,
        RequestStatus::InTransit,
        RequestStatus::ReadyForPickup,
    ]
    .map(q)
    .join(", ")
}

fn move_not_allowed() -> String {
    let begins = RequestStatus::BEGINS
        .iter()
        .map(|s| q(*s))
        .collect::<Vec<_>>();
    let moves = RequestStatus::MOVES
        .iter()
        .map(|(a, b)| format!("(e.from_status = {} AND e.to_status = {})", q(*a), q(*b)))
        .collect::<Vec<_>>()
        .join(" OR ");
    format!(
        "SELECT e.id FROM request_event e WHERE NOT ( \
         (e.from_status IS NULL AND e.to_status IN ({})) OR {moves})",
        begins.join(", ")
    )
}

fn history_ends_elsewhere() -> String {
    "SELECT r.id FROM loan_request r WHERE r.status <> coalesce( \
     (SELECT e.to_status FROM request_event e WHERE e.request_id = r.id \
      ORDER BY e.at DESC, e.id DESC LIMIT 1), '')"
        .to_owned()
}

fn request_left_pending() -> String {
    format!(
        "SELECT id FROM loan_request WHERE status = {} AND updated_at < $1",
        q(RequestStatus::Pending)
    )
}

fn routed_without_pick() -> String {
    format!(
        "SELECT r.id FROM loan_request r WHERE r.status = {} AND NOT EXISTS \
         (SELECT 1 FROM pick_task p WHERE p.request_id = r.id AND p.status = {})",
        q(RequestStatus::Routed),
        q(PickStatus::Open)
    )
}

fn request_copy_mismatch() -> String {
    format!(
        "SELECT r.id FROM loan_request r LEFT JOIN item i ON i.id = r.item_id \
         WHERE r.status IN ({holding}) AND (i.id IS NULL \
          OR (r.status = {routed} AND i.status <> {reserved}) \
          OR (r.status = {picked} AND i.status NOT IN ({reserved}, {on_hold})) \
          OR (r.status = {in_transit} AND i.status <> {travelling}) \
          OR (r.status = {ready} AND i.status <> {on_hold}))",
        holding = holding(),
        routed = q(RequestStatus::Routed),
        picked = q(RequestStatus::Picked),
        in_transit = q(RequestStatus::InTransit),
        ready = q(RequestStatus::ReadyForPickup),
        reserved = q(ItemStatus::Reserved),
        on_hold = q(ItemStatus::OnHold),
        travelling = q(ItemStatus::InTransit),
    )
}

fn copy_serves_two() -> String {
    format!(
        "SELECT item_id AS id FROM loan_request WHERE status IN ({}) \
         AND item_id IS NOT NULL GROUP BY item_id HAVING count(*) > 1",
        holding()
    )
}

fn reserved_without_request() -> String {
    format!(
        "SELECT i.id FROM item i WHERE i.status = {} AND i.updated_at < $1 AND NOT EXISTS \
         (SELECT 1 FROM loan_request r WHERE r.item_id = i.id AND r.status IN ({}))",
        q(ItemStatus::Reserved),
        holding()
    )
}

fn copy_on_loan_without_loan() -> String {
    format!(
        "SELECT i.id FROM item i WHERE i.status = {} AND NOT EXISTS \
         (SELECT 1 FROM loan l WHERE l.item_id = i.id AND l.status = {})",
        q(ItemStatus::OnLoan),
        q(LoanStatus::Active)
    )
}

fn loan_on_copy_not_lent() -> String {
    format!(
        "SELECT l.id FROM loan l JOIN item i ON i.id = l.item_id \
         WHERE l.status = {} AND i.status <> {}",
        q(LoanStatus::Active),
        q(ItemStatus::OnLoan)
    )
}

fn waitlist_beside_free_copy() -> String {
    format!(
        "SELECT r.id FROM loan_request r WHERE r.status = {} AND EXISTS \
         (SELECT 1 FROM item i WHERE i.title_id = r.title_id AND i.net_lending \
          AND i.status = {} AND i.updated_at < $1)",
        q(RequestStatus::Waitlisted),
        q(ItemStatus::Available)
    )
}

fn job_dead() -> String {
    format!("SELECT id FROM job WHERE state = {}", q(JobState::Dead))
}

fn message_twice() -> String {
    "SELECT reader_id AS id FROM notification \
     GROUP BY reader_id, channel, dedup_key HAVING count(*) > 1"
        .to_owned()
}

/// The findings as Chinese lines: one per rule, ✓ when kept, else the count and examples.
pub fn summary(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        if f.count == 0 {
            out += &format!("  ✓ {}\n", f.text);
        } else {
            let examples: Vec<String> = f.examples.iter().map(Uuid::to_string).collect();
            out += &format!(
                "  ✗ {}：{} 处不符（{}），例如 {}\n",
                f.text,
                f.count,
                f.code,
                examples.join("，")
            );
        }
    }
    out
}
