//! Each state machine's table, walked on real rows: from every state, every move the table
//! allows is written and every other is refused with CONFLICT (`WRONG_STATE`, naming the
//! current state) and changes nothing, in bulk too; a row that moved meanwhile is refused;
//! rows begin only where the table says; and `docs/design.md` prints the same table. A scan
//! of the domain's code finds no state written any other way.

use std::future::Future;
use std::pin::Pin;

use chrono::Utc;
use hongyan_domain::branches::{self, BranchKind, NewBranch};
use hongyan_domain::entity::compartment::{self, Size};
use hongyan_domain::entity::delivery_round::{self, RoundStatus};
use hongyan_domain::entity::item::{self, ItemStatus};
use hongyan_domain::entity::job::{self, JobState};
use hongyan_domain::entity::loan::{self, LoanStatus};
use hongyan_domain::entity::loan_request::{self, RequestStatus};
use hongyan_domain::entity::notification::{self, Channel, NotificationStatus};
use hongyan_domain::entity::pick_task::{self, PickStatus};
use hongyan_domain::entity::purchase_proposal::{self, ProposalChannel, ProposalStatus};
use hongyan_domain::entity::reader::{self, ReaderStatus};
use hongyan_domain::entity::return_ticket::{self, ReturnMethod, TicketStatus};
use hongyan_domain::entity::shipment::{self, ShipmentKind, ShipmentStatus};
use hongyan_domain::entity::title;
use hongyan_domain::lifecycle::{self, Lifecycle, Stateful};
use hongyan_domain::lockers::{self, CompartmentSpec, NewLocker};
use hongyan_domain::{people, Code, Reason};
use hongyan_tests::TestApp;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use crate::library::request_row;

/// Makes a fresh row in the given state and returns its id.
type Make<'a, S> = &'a dyn Fn(S) -> Pin<Box<dyn Future<Output = Uuid> + 'a>>;

/// Walks `E`'s table: every (from, to) pair on a fresh row made by `make`.
async fn walk<E>(db: &DatabaseConnection, make: Make<'_, E::State>)
where
    E: Stateful<ActiveModel: Default>,
{
    let states = E::State::all();
    let mut allowed = 0;
    for &from in &states {
        // Hand-written SQL spells states by name: the names are the stored values.
        let stored: sea_orm::Value = from.into();
        assert_eq!(
            stored,
            sea_orm::Value::from(from.name()),
            "{from:?} is stored"
        );
        for &to in &states {
            let bulk = lifecycle::advance_all::<E>(&[from], to).map(drop);
            let raw = lifecycle::raw_move::<E>(&[from], to).map(drop);
            if from.may_move(to) {
                assert!(bulk.is_ok() && raw.is_ok(), "{from:?} → {to:?} in bulk");
            } else {
                assert_refused(&bulk.expect_err("not in the table, in bulk"), from);
                assert_refused(&raw.expect_err("not in the table, by hand"), from);
            }
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
            // Other columns change only with the state the caller read, never the state.
            let mut moving = <E::ActiveModel as Default>::default();
            moving.set(E::state_column(), to.into());
            let e = lifecycle::amend::<E>(db, id, now, moving)
                .await
                .expect_err("a move is not an amendment");
            assert_eq!(e.code(), Code::Internal, "{e:?}");
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
    let reader = people::add_reader(db, "50000001", "123456", "荐购读者", chrono::Utc::now())
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

/// The rows the other machines' rows hang on: a reader, a branch with a locker, a title with
/// a copy, a request of the reader for it and a loan of the copy.
struct Parents {
    reader: Uuid,
    branch: Uuid,
    locker: Uuid,
    title: Uuid,
    copy: Uuid,
    request: Uuid,
    loan: Uuid,
}

impl Parents {
    async fn make(db: &DatabaseConnection) -> Parents {
        let reader = people::add_reader(db, "50000002", "123456", "状态读者", chrono::Utc::now())
            .await
            .expect("reader")
            .id;
        let branch = branches::create(
            db,
            vec![NewBranch {
                code: "LC".into(),
                name: "状态分馆".into(),
                kind: BranchKind::Branch,
                address: "张家港".into(),
                position: None,
            }],
            chrono::Utc::now(),
        )
        .await
        .expect("branch")[0]
            .id;
        let new_locker = NewLocker {
            code: "L-LC".into(),
            name: "状态书柜".into(),
            branch_code: "LC".into(),
            address: "张家港".into(),
            position: None,
        };
        let spec: CompartmentSpec = "S=1".parse().expect("spec");
        let locker = lockers::register(db, new_locker, &spec, chrono::Utc::now())
            .await
            .expect("locker")
            .0
            .id;
        let now = Utc::now();
        let title = title::ActiveModel {
            id: Set(Uuid::now_v7()),
            isbn: Set(None),
            title: Set("围城".into()),
            subtitle: Set(None),
            authors: Set("钱锺书".into()),
            publisher: Set(None),
            pub_year: Set(None),
            clc_class: Set(None),
            subjects: Set(None),
            summary: Set(None),
            price_cents: Set(None),
            work_key: Set(None),
            import_key: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await
        .expect("title")
        .id;
        let mut parents = Parents {
            reader,
            branch,
            locker,
            title,
            copy: Uuid::nil(),
            request: Uuid::nil(),
            loan: Uuid::nil(),
        };
        parents.copy = parents.copy(db, ItemStatus::OnLoan).await;
        parents.request = parents.request(db, RequestStatus::Fulfilled).await;
        parents.loan = parents.loan(db, LoanStatus::Active).await;
        parents
    }

    async fn request(&self, db: &DatabaseConnection, status: RequestStatus) -> Uuid {
        request_row(self.reader, self.title, self.branch, status)
            .insert(db)
            .await
            .expect("request")
            .id
    }

    async fn copy(&self, db: &DatabaseConnection, status: ItemStatus) -> Uuid {
        let now = Utc::now();
        item::ActiveModel {
            id: Set(Uuid::now_v7()),
            title_id: Set(self.title),
            barcode: Set(Uuid::now_v7().simple().to_string()),
            call_number: Set("I246.5/1".into()),
            location: Set(None),
            home_branch_id: Set(self.branch),
            current_branch_id: Set(self.branch),
            status: Set(status),
            net_lending: Set(true),
            uncatalogued: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
            times_lent: Set(0),
        }
        .insert(db)
        .await
        .expect("copy")
        .id
    }

    async fn pick_task(&self, db: &DatabaseConnection, status: PickStatus) -> Uuid {
        pick_task::ActiveModel {
            id: Set(Uuid::now_v7()),
            request_id: Set(self.request),
            item_id: Set(self.copy),
            branch_id: Set(self.branch),
            status: Set(status),
            picked_by: Set(None),
            picked_at: Set(None),
            created_at: Set(Utc::now()),
        }
        .insert(db)
        .await
        .expect("pick task")
        .id
    }

    async fn loan(&self, db: &DatabaseConnection, status: LoanStatus) -> Uuid {
        let now = Utc::now();
        loan::ActiveModel {
            id: Set(Uuid::now_v7()),
            reader_id: Set(self.reader),
            item_id: Set(self.copy),
            status: Set(status),
            checked_out_at: Set(now),
            due_at: Set(now),
            renewals: Set(0),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("loan")
        .id
    }

    async fn ticket(&self, db: &DatabaseConnection, status: TicketStatus) -> Uuid {
        return_ticket::ActiveModel {
            id: Set(Uuid::now_v7()),
            loan_id: Set(self.loan),
            code_hash: Set(Uuid::now_v7().simple().to_string()),
            method: Set(ReturnMethod::Branch),
            locker_id: Set(None),
            status: Set(status),
            created_at: Set(Utc::now()),
            compartment_id: Set(None),
        }
        .insert(db)
        .await
        .expect("return ticket")
        .id
    }

    async fn shipment(&self, db: &DatabaseConnection, status: ShipmentStatus) -> Uuid {
        let now = Utc::now();
        shipment::ActiveModel {
            id: Set(Uuid::now_v7()),
            request_id: Set(Some(self.request)),
            kind: Set(ShipmentKind::Transfer),
            status: Set(status),
            from_branch_id: Set(Some(self.branch)),
            to_branch_id: Set(Some(self.branch)),
            fee_cents: Set(0),
            fee_waived: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("shipment")
        .id
    }

    async fn round(&self, db: &DatabaseConnection, status: RoundStatus) -> Uuid {
        delivery_round::ActiveModel {
            id: Set(Uuid::now_v7()),
            branch_id: Set(self.branch),
            locker_id: Set(self.locker),
            status: Set(status),
            started_at: Set(None),
            created_at: Set(Utc::now()),
        }
        .insert(db)
        .await
        .expect("delivery round")
        .id
    }

    async fn reader(db: &DatabaseConnection, status: ReaderStatus) -> Uuid {
        let mut row = people::new_reader("状态读者", chrono::Utc::now()).expect("new reader");
        row.status = Set(status);
        row.insert(db).await.expect("reader").id
    }

    async fn compartment(&self, db: &DatabaseConnection, state: compartment::State) -> Uuid {
        compartment::ActiveModel {
            id: Set(Uuid::now_v7()),
            locker_id: Set(self.locker),
            label: Set(Uuid::now_v7().simple().to_string()),
            size: Set(Size::M),
            state: Set(state),
            capacity: Set(1),
        }
        .insert(db)
        .await
        .expect("compartment")
        .id
    }

    async fn job(db: &DatabaseConnection, state: JobState) -> Uuid {
        let now = Utc::now();
        job::ActiveModel {
            id: Set(Uuid::now_v7()),
            kind: Set("state_walk".into()),
            payload: Set(json!({})),
            state: Set(state),
            run_at: Set(now + chrono::Duration::days(365)),
            attempts: Set(0),
            max_attempts: Set(1),
            locked_until: Set(None),
            lock_token: Set(None),
            last_error: Set(None),
            dedup_key: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await
        .expect("job")
        .id
    }

    async fn notification(&self, db: &DatabaseConnection, status: NotificationStatus) -> Uuid {
        let now = Utc::now();
        notification::ActiveModel {
            id: Set(Uuid::now_v7()),
            reader_id: Set(self.reader),
            kind: Set("due_soon".into()),
            channel: Set(Channel::Wechat),
            dedup_key: Set(Uuid::now_v7().to_string()),
            payload: Set(json!({})),
            status: Set(status),
            attempts: Set(0),
            next_attempt_at: Set(now),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("notification")
        .id
    }
}

/// Spawns an app with the parent rows, walks machine `$entity` with rows made by `$make`
/// (a `Parents` method) and checks `docs/design.md` prints its table.
macro_rules! walk_machine {
    ($entity:path, |$parents:ident, $db:ident, $state:ident| $make:expr) => {{
        assert_documented::<<$entity as Stateful>::State>();
        let app = TestApp::spawn().await;
        let $db = &app.ctx.db;
        let $parents = Parents::make($db).await;
        let $parents = &$parents;
        let make = |$state| -> Pin<Box<dyn Future<Output = Uuid> + '_>> { Box::pin($make) };
        walk::<$entity>($db, &make).await;
    }};
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_move_only_as_their_table_says() {
    walk_machine!(loan_request::Entity, |p, db, s| p.request(db, s));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pick_tasks_move_only_as_their_table_says() {
    walk_machine!(pick_task::Entity, |p, db, s| p.pick_task(db, s));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_move_only_as_their_table_says() {
    walk_machine!(item::Entity, |p, db, s| p.copy(db, s));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loans_move_only_as_their_table_says() {
    walk_machine!(loan::Entity, |p, db, s| p.loan(db, s));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn return_tickets_move_only_as_their_table_says() {
    walk_machine!(return_ticket::Entity, |p, db, s| p.ticket(db, s));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shipments_move_only_as_their_table_says() {
    walk_machine!(shipment::Entity, |p, db, s| p.shipment(db, s));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_rounds_move_only_as_their_table_says() {
    walk_machine!(delivery_round::Entity, |p, db, s| p.round(db, s));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reader_accounts_move_only_as_their_table_says() {
    walk_machine!(reader::Entity, |_p, db, s| Parents::reader(db, s));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_move_only_as_their_table_says() {
    walk_machine!(notification::Entity, |p, db, s| p.notification(db, s));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compartments_move_only_as_their_table_says() {
    walk_machine!(compartment::Entity, |p, db, s| p.compartment(db, s));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_move_only_as_their_table_says() {
    walk_machine!(job::Entity, |_p, db, s| Parents::job(db, s));
}

/// Status writes that are not moves of a machine: the column is a record, not a state.
const NOT_A_MACHINE: &[(&str, &str)] = &[
    // A courier's word, recorded as it came (`courier_event.status` is free text).
    ("dispatch/home.rs", "status: Set(event.status.clone()),"),
    // The demo's generated year: requests and loans (lending.rs) and proposals
    // (proposals.rs) written as they ended in the past (FULFILLED, RETURNED, LOANED …),
    // records of moves that happened before the demo existed, with their history rows.
    ("demo/history/lending.rs", "status: Set(status),"),
    ("demo/history/proposals.rs", "status: Set(status),"),
];

/// Where `text` (a Rust source) writes a status column other than through
/// `domain/src/lifecycle.rs`: `(line, what)`. Blanks and case are ignored, so a write split
/// over lines is found too.
fn status_writes(text: &str) -> Vec<(usize, &'static str)> {
    // The source without blanks, in lower case; for each of its bytes, the line it is on and
    // whether it starts a word in the source.
    let (mut flat, mut at) = (String::new(), Vec::new());
    let (mut line, mut in_word) = (1, false);
    for c in text.chars() {
        if !c.is_whitespace() {
            flat.push(c.to_ascii_lowercase());
            at.extend(std::iter::repeat_n((line, !in_word), c.len_utf8()));
        }
        line += usize::from(c == '\n');
        in_word = c.is_alphanumeric() || c == '_';
    }
    let mut found = Vec::new();
    let mut look = |pattern: &str, what: &'static str, ok: &dyn Fn(&str, &str) -> bool| {
        for (i, _) in flat.match_indices(pattern) {
            let (line, word) = at[i];
            if word && !ok(&flat[..i], &flat[i + pattern.len()..]) {
                found.push((line, what));
            }
        }
    };
    // `status: Set(…)` or `.status = Set(…)`: only a row's first state, from the table.
    let first_state = |_: &str, value: &str| {
        let path = value
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .map_or(value, |end| &value[..end]);
        let rest = &value[path.len()..];
        !(path == "set" || path.ends_with("::set"))
            || rest.starts_with("(lifecycle::begin(")
            || rest.starts_with("(begin(")
    };
    // A column is written when it is the first argument of `.col_expr(` or `.value(`.
    let not_written = |before: &str, _: &str| {
        let call = before.rsplit_once('(').map_or("", |(call, arg)| {
            let path = arg
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == ':');
            if path {
                call
            } else {
                ""
            }
        });
        !(call.ends_with(".col_expr") || call.ends_with(".value"))
    };
    // Machines keep their state in `status`, except compartments and jobs (`state`).
    for column in ["status", "state"] {
        look(
            &format!("{column}:"),
            "a state set outside `lifecycle::begin`",
            &first_state,
        );
        look(
            &format!("{column}="),
            "a state set outside `lifecycle::begin`",
            &first_state,
        );
        // `.col_expr(…Column::Status, …)` or `.value(…Column::State, …)`: written in bulk.
        look(
            &format!("column::{column},"),
            "a state column written in bulk",
            &not_written,
        );
        // `SET status =` in hand-written SQL: `lifecycle::raw_move` spells it from the table.
        look(
            &format!("set{column}="),
            "a state set in hand-written SQL",
            &|_, _| false,
        );
    }
    found.sort_unstable();
    found
}

#[test]
fn status_is_written_only_through_lifecycles() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../domain/src");
    let mut dirs = vec![std::path::PathBuf::from(root)];
    let (mut files, mut bypasses) = (0, Vec::new());
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let name = path
                .strip_prefix(root)
                .expect("under domain/src")
                .to_string_lossy()
                .replace('\\', "/");
            if !name.ends_with(".rs") || name == "lifecycle.rs" {
                continue;
            }
            files += 1;
            let text = std::fs::read_to_string(&path).expect("read source");
            let source: Vec<&str> = text.lines().collect();
            for (line, what) in status_writes(&text) {
                let code = source[line - 1].trim();
                if !NOT_A_MACHINE.contains(&(name.as_str(), code)) {
                    bypasses.push(format!("domain/src/{name}:{line}: {what}: {code}"));
                }
            }
        }
    }
    assert!(files > 100, "the scan read only {files} files");
    bypasses.sort();
    assert!(
        bypasses.is_empty(),
        "status written around its lifecycle table:\n{}",
        bypasses.join("\n")
    );
}

#[test]
fn the_scan_finds_every_kind_of_status_write() {
    let bypassing = r#"
        row.status = Set(RequestStatus::Cancelled);
        let m = item::ActiveModel { status: sea_orm::ActiveValue::Set(ItemStatus::Available) };
        Entity::update_many()
            .col_expr(
                loan::Column::Status,
                Expr::value(LoanStatus::Returned),
            );
        let sql = "UPDATE loan_request SET status = $1 WHERE id = $2";
        let door = compartment::ActiveModel { state: Set(State::Occupied), ..Default::default() };
        job::Entity::update_many().col_expr(job::Column::State, Expr::value(JobState::Dead));
        let sql = "UPDATE compartment SET state = 'FREE'";
    "#;
    let found: Vec<usize> = status_writes(bypassing).iter().map(|f| f.0).collect();
    assert_eq!(found, vec![2, 3, 6, 9, 10, 11, 12]);
    let through = r#"
        row.status = Set(lifecycle::begin(status)?);
        let m = pick_task::ActiveModel { status: Set(lifecycle::begin(PickStatus::Open)?) };
        let q = Entity::find().filter(loan::Column::Status.eq(LoanStatus::Active));
        from_status: Set(from), to_status: Set(to), status: NotSet,
        if req.status == RequestStatus::Picked {}
        let sql = "SELECT * FROM loan WHERE status = 'ACTIVE'";
        fn claim(state: State) {}
        let free = state == State::Free;
        .columns([compartment::Column::LockerId, compartment::Column::State])
    "#;
    assert_eq!(status_writes(through), vec![]);
}
