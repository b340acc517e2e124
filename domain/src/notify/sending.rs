//! Sending notifications: what the notification worker runs.
//!
//! A worker leases due `PENDING` rows ([`claim`]: a conditional update with `SKIP LOCKED`,
//! committed before anything is sent), sends each one outside any transaction ([`send`]),
//! then records the answers and attempts of many at once ([`record`]: one transaction that
//! writes only where the lease is still the worker's).
//! A worker killed between the provider's "ok" and that commit leaves the lease to expire;
//! the next worker sends again with the same `client_msg_id` (the notification id), which
//! WeChat de-duplicates for ten minutes, so the reader sees it once and it is never dropped.
//! Passing failures back off exponentially until `HONGYAN_NOTIFY_MAX_ATTEMPTS`, then the
//! notification is `DEAD` (admins may retry it). A channel that cannot reach the reader
//! makes the notification `UNDELIVERABLE` and enqueues it on the reader's next channel.
//! Sends are rate-limited to `HONGYAN_NOTIFY_RATE` per second across all processes.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{CaseStatement, LockBehavior, LockType, Query};
use sea_orm::{ActiveValue::Set, Condition, QueryOrder, QuerySelect};
use serde_json::Value;

use super::email::Mailer;
use super::prefs::Prefs;
use super::templates::{Rendered, Templates};
use super::wechat_messages::{Answer, Messenger};
use super::{insert, Channel, Kind, Notice, Notification, NotificationStatus};
use crate::auth::wechat_login::WechatIdentity;
use crate::auth::Principal;
use crate::dispatch::pickups;
use crate::entity::notification_attempt::{self, AttemptOutcome};
use crate::entity::{loan_request, notification, reader};
use crate::jobs::queue::backoff;
use crate::lifecycle;
use crate::{Ctx, Error, Reason, Result};
use NotificationStatus::{Dead, Pending};

/// The outside services messages go through, and the templates they are written from.
pub struct Notifier {
    templates: Templates,
    wechat: Messenger,
    mailer: Option<Mailer>,
}

impl Notifier {
    /// See [`Messenger::official_identity`].
    ///
    /// # Errors
    /// As there.
    pub async fn official_identity(&self, code: &str) -> Result<WechatIdentity> {
        self.wechat.official_identity(code).await
    }

    /// The notifier for `config`: WeChat tokens shared through Redis when it is configured,
    /// email only when `HONGYAN_SMTP_URL` is set.
    ///
    /// # Errors
    /// Templates that do not compile, or a client that cannot be built.
    pub fn new(config: &crate::Config) -> anyhow::Result<Self> {
        Ok(Notifier {
            templates: Templates::load()?,
            wechat: Messenger::new(
                &config.wechat,
                config.redis_url.as_deref(),
                &config.redis_prefix,
            )?,
            mailer: config
                .smtp_url
                .as_ref()
                .map(|url| Mailer::new(url, &config.notify.smtp_from))
                .transpose()?,
        })
    }
}

/// A notification leased to this worker, with its reader.
#[derive(Debug, Clone)]
pub struct Leased {
    /// The notification (its `lock_token` proves the lease).
    pub notification: Notification,
    reader: Option<reader::Model>,
}

/// A notification sent (or not), waiting to be recorded.
#[derive(Debug, Clone)]
pub struct Delivered {
    notification: Notification,
    prefs: Option<Prefs>,
    route: &'static str,
    answer: Answer,
    millis: i32,
}

impl Delivered {
    /// The provider API used, how the attempt ends (`SENT`, `RETRY`, `FAILED`) and the
    /// provider's error code: for metrics.
    pub fn summary(&self) -> (&'static str, &'static str, Option<i32>) {
        let (outcome, errcode) = match &self.answer {
            Answer::Sent(_) => ("SENT", None),
            Answer::Later(code, _) => ("RETRY", *code),
            Answer::Unreachable(code, _) | Answer::Failed(code, _) => ("FAILED", *code),
        };
        (self.route, outcome, errcode)
    }
}

/// Leases up to `limit` due notifications to this worker for the configured lease, with
/// their readers (one query for the batch).
///
/// # Errors
/// INTERNAL on a database fault.
pub async fn claim(ctx: &Ctx, limit: u64) -> Result<Vec<Leased>> {
    let now = ctx.now();
    let until =
        now + chrono::Duration::from_std(ctx.config.notify.lease).map_err(Error::internal)?;
    let due = Query::select()
        .column(notification::Column::Id)
        .from(notification::Entity)
        .and_where(notification::Column::Status.eq(NotificationStatus::Pending))
        .and_where(notification::Column::NextAttemptAt.lte(now))
        .cond_where(
            Condition::any()
                .add(notification::Column::LockedUntil.is_null())
                .add(notification::Column::LockedUntil.lt(now)),
        )
        .order_by(notification::Column::NextAttemptAt, sea_orm::Order::Asc)
        .limit(limit)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .to_owned();
    let txn = ctx.begin().await?;
    let rows = notification::Entity::update_many()
        .col_expr(notification::Column::LockedUntil, Expr::value(until))
        .col_expr(notification::Column::LockToken, Expr::value(Uuid::now_v7()))
        .col_expr(
            notification::Column::Attempts,
            Expr::col(notification::Column::Attempts).add(1),
        )
        .col_expr(notification::Column::UpdatedAt, Expr::value(now))
        .filter(notification::Column::Id.in_subquery(due))
        .exec_with_returning(&txn)
        .await?;
    txn.commit().await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let readers: HashMap<Uuid, reader::Model> = reader::Entity::find()
        .filter(reader::Column::Id.is_in(rows.iter().map(|n| n.reader_id)))
        .all(&ctx.db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    Ok(rows
        .into_iter()
        .map(|n| Leased {
            reader: readers.get(&n.reader_id).cloned(),
            notification: n,
        })
        .collect())
}

/// Renders and sends one leased notification; nothing is written (see [`record`]).
pub async fn send(ctx: &Ctx, leased: Leased) -> Delivered {
    let Leased {
        notification: n,
        reader,
    } = leased;
    let started = Instant::now();
    let (route, answer) = match &reader {
        None => (
            "none",
            Answer::Unreachable(None, "the reader is gone".into()),
        ),
        Some(reader) => match message(ctx, &n, reader).await {
            Ok(message) => channel(ctx, &n, reader, &message).await,
            Err(e) => ("render", Answer::Failed(None, format!("{e:#}"))),
        },
    };
    Delivered {
        prefs: reader.as_ref().map(Prefs::of),
        millis: i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX),
        notification: n,
        route,
        answer,
    }
}

/// The rendered message: the stored data plus the library's and reader's names and, for a
/// parcel in a locker, its current pickup code (derived now, never stored).
async fn message(ctx: &Ctx, n: &Notification, reader: &reader::Model) -> anyhow::Result<Rendered> {
    let kind = Kind::parse(&n.kind).ok_or_else(|| anyhow::anyhow!("unknown kind {}", n.kind))?;
    let mut data = n.payload.clone();
    let Value::Object(fields) = &mut data else {
        anyhow::bail!("notification data is not an object");
    };
    fields.insert(
        "library".into(),
        ctx.config.notify.library_name.clone().into(),
    );
    fields.insert("reader_name".into(), reader.name.clone().into());
    if kind == Kind::ReadyAtLocker {
        let id: Uuid =
            serde_json::from_value(fields.get("request_id").cloned().unwrap_or_default())?;
        let req = loan_request::Entity::find_by_id(id)
            .one(&ctx.db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("request {id} is gone"))?;
        let code = pickups::code_for(ctx, Some(&Principal::Reader { id: req.reader_id }), &req)
            .ok_or_else(|| anyhow::anyhow!("the parcel no longer waits in the locker"))?;
        fields.insert("pickup_code".into(), code.into());
    }
    ctx.notifier.templates.render(kind, &data)
}

/// Sends along the notification's channel; returns the route name and the answer.
async fn channel(
    ctx: &Ctx,
    n: &Notification,
    reader: &reader::Model,
    message: &Rendered,
) -> (&'static str, Answer) {
    let notifier = &ctx.notifier;
    let id = n.id.simple().to_string();
    match n.channel {
        Channel::Wechat => {
            let route = Kind::parse(&n.kind).and_then(|k| notifier.wechat.route(k, reader));
            match route {
                Some(route) => (
                    route.name(),
                    notifier.wechat.send(&route, message, &id).await,
                ),
                None => (
                    "wechat",
                    Answer::Unreachable(
                        None,
                        "no WeChat account or template for this reader".into(),
                    ),
                ),
            }
        }
        Channel::Email => match (&notifier.mailer, &reader.email) {
            (Some(mailer), Some(to)) => ("smtp", mailer.send(to, message, &id).await),
            (None, _) => (
                "smtp",
                Answer::Unreachable(None, "email is not configured".into()),
            ),
            (_, None) => (
                "smtp",
                Answer::Unreachable(None, "the reader has no email address".into()),
            ),
        },
    }
}

/// The most messages a worker may take at once: one second's budget.
pub fn budget(ctx: &Ctx) -> usize {
    usize::try_from(ctx.config.notify.rate_per_sec).unwrap_or(usize::MAX)
}

/// Waits until this second's sending budget (shared by every process) has room for `n`
/// messages (at most [`budget`]).
pub async fn throttle(ctx: &Ctx, n: usize) {
    let budget = u64::from(ctx.config.notify.rate_per_sec);
    let n = u64::try_from(n).unwrap_or(u64::MAX).min(budget);
    loop {
        let second = ctx.now().timestamp();
        let window = ctx
            .counters
            .hit_by(&format!("notify:rate:{second}"), n, Duration::from_secs(1))
            .await;
        if window.count <= budget {
            return;
        }
        let into = u64::from(ctx.now().timestamp_subsec_millis());
        tokio::time::sleep(Duration::from_millis(1000u64.saturating_sub(into).max(1))).await;
    }
}

/// What recording one delivery writes.
struct Outcome {
    /// Where the notification moves (None: it stays PENDING, to be tried again later).
    status: Option<NotificationStatus>,
    change: notification::ActiveModel,
    attempt: notification_attempt::ActiveModel,
}

/// How `d` changes its notification, and its attempt row.
fn outcome(ctx: &Ctx, d: &Delivered, now: DateTime<Utc>) -> Result<Outcome> {
    let n = &d.notification;
    let last = u32::try_from(n.attempts).unwrap_or(u32::MAX) >= ctx.config.notify.max_attempts;
    let mut change = notification::ActiveModel {
        locked_until: Set(None),
        lock_token: Set(None),
        updated_at: Set(now),
        ..Default::default()
    };
    let (status, outcome, errcode, said, msgid) = match d.answer.clone() {
        Answer::Sent(msgid) => {
            change.sent_at = Set(Some(now));
            change.provider_msgid = Set(Some(msgid.clone()));
            (
                Some(NotificationStatus::Sent),
                AttemptOutcome::Sent,
                None,
                None,
                Some(msgid),
            )
        }
        Answer::Later(code, said) if !last => {
            let wait = backoff(n.attempts, ctx.config.jobs.backoff_base);
            change.next_attempt_at =
                Set(now + chrono::Duration::from_std(wait).map_err(Error::internal)?);
            (None, AttemptOutcome::Retry, code, Some(said), None)
        }
        Answer::Later(code, said) | Answer::Failed(code, said) => (
            Some(NotificationStatus::Dead),
            AttemptOutcome::Failed,
            code,
            Some(said),
            None,
        ),
        Answer::Unreachable(code, said) => (
            Some(NotificationStatus::Undeliverable),
            AttemptOutcome::Failed,
            code,
            Some(said),
            None,
        ),
    };
    if said.is_some() {
        change.last_errcode = Set(errcode);
        change.last_error = Set(said.clone());
    }
    let attempt = notification_attempt::ActiveModel {
        id: Set(Uuid::now_v7()),
        notification_id: Set(n.id),
        route: Set(d.route.to_owned()),
        outcome: Set(outcome),
        errcode: Set(errcode),
        message: Set(said),
        provider_msgid: Set(msgid),
        millis: Set(d.millis),
        at: Set(now),
    };
    Ok(Outcome {
        status,
        change,
        attempt,
    })
}

/// Records how `done` went, in one transaction: each notification's new state (only where
/// the lease is still this worker's), every attempt, and the fallback notifications of the
/// ones their channel could not reach. Sent ones are written by one statement per lease.
///
/// # Errors
/// INTERNAL on a database fault: nothing is written, the leases expire and the messages are
/// sent again (WeChat drops the repeats by `client_msg_id`).
pub async fn record(ctx: &Ctx, done: &[Delivered]) -> Result<()> {
    let now = ctx.now();
    let txn = ctx.begin().await?;
    let mut attempts = Vec::with_capacity(done.len());
    let mut fallback = false;
    let mut sent: HashMap<Option<Uuid>, Vec<&Delivered>> = HashMap::new();
    for d in done {
        if matches!(d.answer, Answer::Sent(_)) {
            sent.entry(d.notification.lock_token).or_default().push(d);
            continue;
        }
        let o = outcome(ctx, d, now)?;
        let n = &d.notification;
        let update = match o.status {
            Some(to) => lifecycle::advance_all::<notification::Entity>(&[Pending], to)?,
            None => notification::Entity::update_many(),
        };
        let res = update
            .set(o.change)
            .filter(notification::Column::Id.eq(n.id))
            .filter(notification::Column::LockToken.eq(n.lock_token))
            .exec(&txn)
            .await?;
        if res.rows_affected == 0 {
            continue; // the lease expired: another worker has it
        }
        attempts.push(o.attempt);
        let next = d.prefs.as_ref().and_then(|p| p.after(n.channel));
        if let (Some(NotificationStatus::Undeliverable), Some(next), Some(kind)) =
            (o.status, next, Kind::parse(&n.kind))
        {
            let notice = Notice {
                reader: n.reader_id,
                kind,
                event: event_of(n).to_owned(),
                data: n.payload.clone(),
            };
            insert(&txn, &notice, next, now).await?;
            fallback = true;
        }
    }
    for (token, group) in sent {
        let msgids = group
            .iter()
            .fold(CaseStatement::new(), |case, d| match &d.answer {
                Answer::Sent(msgid) => case.case(
                    notification::Column::Id.eq(d.notification.id),
                    Expr::value(msgid.clone()),
                ),
                _ => case,
            });
        let updated: HashSet<Uuid> =
            lifecycle::advance_all::<notification::Entity>(&[Pending], NotificationStatus::Sent)?
                .col_expr(notification::Column::SentAt, Expr::value(now))
                .col_expr(notification::Column::ProviderMsgid, msgids.into())
                .col_expr(
                    notification::Column::LockedUntil,
                    Expr::value(None::<DateTime<Utc>>),
                )
                .col_expr(notification::Column::LockToken, Expr::value(None::<Uuid>))
                .col_expr(notification::Column::UpdatedAt, Expr::value(now))
                .filter(notification::Column::Id.is_in(group.iter().map(|d| d.notification.id)))
                .filter(notification::Column::LockToken.eq(token))
                .exec_with_returning(&txn)
                .await?
                .into_iter()
                .map(|n| n.id)
                .collect();
        for d in group
            .into_iter()
            .filter(|d| updated.contains(&d.notification.id))
        {
            attempts.push(outcome(ctx, d, now)?.attempt);
        }
    }
    for chunk in attempts.chunks(1000) {
        notification_attempt::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    if fallback {
        ctx.wake_workers();
    }
    Ok(())
}

/// The event part of a notification's dedup key (`{event}:{reader}:{channel}`).
fn event_of(n: &Notification) -> &str {
    let suffix = format!(":{}:{}", n.reader_id, n.channel.as_str());
    n.dedup_key.strip_suffix(&suffix).unwrap_or(&n.dedup_key)
}

/// Dead notifications, newest first (admins).
///
/// # Errors
/// FORBIDDEN for anyone but an admin.
pub async fn dead(ctx: &Ctx, who: &Principal, limit: u64) -> Result<Vec<Notification>> {
    who.require_staff(&[])?;
    Ok(notification::Entity::find()
        .filter(notification::Column::Status.eq(NotificationStatus::Dead))
        .order_by_desc(notification::Column::UpdatedAt)
        .limit(limit)
        .all(&ctx.db)
        .await?)
}

/// Puts a dead notification back in line with a fresh set of attempts (admins), audited.
///
/// # Errors
/// FORBIDDEN for anyone but an admin; NOT_FOUND when no dead notification has that id.
pub async fn retry(ctx: &Ctx, who: &Principal, id: Uuid) -> Result<Notification> {
    who.require_staff(&[])?;
    let Principal::Staff { id: staff, .. } = who else {
        return Err(Error::forbidden(Reason::StaffRoleRequired));
    };
    let txn = ctx.begin().await?;
    let row = lifecycle::advance_all::<notification::Entity>(&[Dead], Pending)?
        .set(notification::ActiveModel {
            attempts: Set(0),
            next_attempt_at: Set(ctx.now()),
            updated_at: Set(ctx.now()),
            ..Default::default()
        })
        .filter(notification::Column::Id.eq(id))
        .exec_with_returning(&txn)
        .await?
        .into_iter()
        .next()
        .ok_or(Error::NotFound("dead notification"))?;
    crate::audit::record(
        &txn,
        crate::audit::Actor::Staff(*staff),
        "notification.retry",
        Some(&id.to_string()),
        None,
        ctx.now(),
    )
    .await?;
    txn.commit().await?;
    ctx.wake_workers();
    Ok(row)
}
