//! Each state machine's table, walked on real rows: from every state, every move the table
//! allows is written and every other is refused with CONFLICT (`WRONG_STATE`, naming the
//! current state) and changes nothing; a row that moved meanwhile is refused too; rows begin
//! only where the table says; and `docs/design.md` prints the same table.

use std::future::Future;
use std::pin::Pin;

use chrono::Utc;
use hongyan_domain::entity::purchase_proposal::{self, ProposalChannel, ProposalStatus};
use hongyan_domain::lifecycle::{self, Lifecycle, Stateful};
use hongyan_domain::{people, Code, Reason};
use hongyan_tests::TestApp;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, IntoActiveModel,
    QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

/// Makes a fresh row in the given state and returns its id.
type Make<'a, S> = &'a dyn Fn(S) -> Pin<Box<dyn Future<Output = Uuid> + 'a>>;

/// Walks `E`'s table: every (from, to) pair on a fresh row made by `make`.
async fn walk<E>(db: &DatabaseConnection, make: Make<'_, E::State>)
where
    E: Stateful,
    E::Model: IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Default + Send,
{
    let states = E::State::all();
    let mut allowed = 0;
    for &from in &states {
        for &to in &states {
            let id = make(from).await;
            let moved =
                lifecycle::advance::<E>(db, id, from, to, <E::ActiveModel as Default>::default())
                    .await;
            let now = state::<E>(db, id).await;
            if from.may_move(to) {
                allowed += 1;
                let row = moved.unwrap_or_else(|e| panic!("{from:?} → {to:?}: {e:?}"));
                assert_eq!(
                    E::state_of(&row),
                    to,
                    "{from:?} → {to:?} returns the new row"
                );
                assert_eq!(now, to, "{from:?} → {to:?} is written");
            } else {
                let e = moved.expect_err(&format!("{from:?} → {to:?} is not in the table"));
                assert_refused(&e, from);
                assert_eq!(now, from, "a refused {from:?} → {to:?} changes nothing");
            }
            // The caller read a state the row is no longer in: refused, naming the real one.
            if let Some(&(other, next)) = E::State::MOVES.iter().find(|(f, _)| *f != now) {
                let e = lifecycle::advance::<E>(
                    db,
                    id,
                    other,
                    next,
                    <E::ActiveModel as Default>::default(),
                )
                .await
                .expect_err("a row that moved meanwhile");
                assert_refused(&e, now);
            }
        }
    }
    assert_eq!(
        allowed,
        E::State::MOVES.len(),
        "every move of the table was tried"
    );
    for state in states {
        let began = lifecycle::begin(state);
        if E::State::BEGINS.contains(&state) {
            assert_eq!(began.ok(), Some(state));
        } else {
            let e = began.expect_err("not a state to begin in");
            assert_eq!(e.code(), Code::Internal, "{state:?}: a fault in the code");
        }
    }
}

/// Refused with CONFLICT `WRONG_STATE`, naming `state` in Chinese words.
fn assert_refused<S: Lifecycle>(e: &hongyan_domain::Error, state: S) {
    assert_eq!(e.code(), Code::Conflict, "{e:?}");
    assert_eq!(e.reason(), Some(Reason::WrongState), "{e:?}");
    assert!(
        matches!(e, hongyan_domain::Error::WrongState { state: s, .. } if *s == state.name()),
        "{e:?} names {state:?}"
    );
}

/// The row's state as stored.
async fn state<E: Stateful>(db: &DatabaseConnection, id: Uuid) -> E::State {
    let row = E::find()
        .filter(E::id_column().eq(id))
        .one(db)
        .await
        .expect("read")
        .expect("row");
    E::state_of(&row)
}

/// `docs/design.md` prints the table as the code has it.
fn assert_documented<S: Lifecycle>() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/design.md");
    let design = std::fs::read_to_string(path).expect("docs/design.md");
    let table = S::table();
    assert!(
        design.contains(&table),
        "docs/design.md should print the {} table as the code has it:\n\n{table}",
        S::TITLE
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proposals_move_only_as_their_table_says() {
    assert_documented::<ProposalStatus>();
    let app = TestApp::spawn().await;
    let db = &app.ctx.db;
    let reader = people::add_reader(db, "50000001", "123456", "荐购读者")
        .await
        .expect("reader");
    let make = |status: ProposalStatus| -> Pin<Box<dyn Future<Output = Uuid> + '_>> {
        Box::pin(async move {
            let now = Utc::now();
            purchase_proposal::ActiveModel {
                id: Set(Uuid::now_v7()),
                reader_id: Set(reader.id),
                isbn: Set("9787020002207".into()),
                title: Set("红楼梦".into()),
                author: Set(None),
                publisher: Set(None),
                pub_year: Set(None),
                clc_class: Set(None),
                price_cents: Set(5900),
                channel: Set(ProposalChannel::Online),
                vendor_id: Set(None),
                order_id: Set(None),
                status: Set(status),
                decision_reason: Set(None),
                rule_results: Set(json!([])),
                note: Set(None),
                delivery: Set(None),
                joined_to: Set(None),
                budget_year: Set(None),
                reviewed_by: Set(None),
                reviewed_at: Set(None),
                item_id: Set(None),
                settled_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(db)
            .await
            .expect("proposal")
            .id
        })
    };
    walk::<purchase_proposal::Entity>(db, &make).await;
}
