//! `hongyan check`: the demo's generated year keeps every consistency rule; rows broken behind
//! the platform's back (a copy marked lent without a loan, a request moved without its
//! history) are found, named with their ids, and the command exits 1.

use hongyan_domain::entity::item::{self, ItemStatus};
use hongyan_domain::entity::loan_request::{self, RequestStatus};
use hongyan_tests::{TestApp, TestOptions};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

fn text(out: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_passes_a_sound_library_and_names_what_breaks_the_rules() {
    let app = TestApp::spawn_with(TestOptions {
        demo: true,
        worker: false,
        ..TestOptions::default()
    })
    .await;
    let out = app.cli(&["check"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("数据库一致"), "{stdout}");
    assert_eq!(stdout.matches('✓').count(), 12, "every rule kept: {stdout}");

    // Behind the platform's back: a free copy marked lent, a fulfilled request set back to
    // ROUTED without a history step.
    let db = &app.ctx.db;
    let copy = item::Entity::find()
        .filter(item::Column::Status.eq(ItemStatus::Available))
        .one(db)
        .await
        .expect("items")
        .expect("a free copy");
    item::Entity::update_many()
        .col_expr(item::Column::Status, Expr::value(ItemStatus::OnLoan))
        .filter(item::Column::Id.eq(copy.id))
        .exec(db)
        .await
        .expect("break a copy");
    let request = loan_request::Entity::find()
        .filter(loan_request::Column::Status.eq(RequestStatus::Fulfilled))
        .one(db)
        .await
        .expect("requests")
        .expect("a fulfilled request");
    loan_request::Entity::update_many()
        .col_expr(
            loan_request::Column::Status,
            Expr::value(RequestStatus::Routed),
        )
        .filter(loan_request::Column::Id.eq(request.id))
        .exec(db)
        .await
        .expect("break a request");

    let out = app.cli(&["check"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stderr.contains("breaks the rules marked ✗"), "{stderr}");
    let line = |code: &str| {
        stdout
            .lines()
            .find(|l| l.contains(code))
            .unwrap_or_else(|| panic!("no {code} in {stdout}"))
            .to_owned()
    };
    assert!(
        line("COPY_ON_LOAN_WITHOUT_LOAN").contains(&copy.id.to_string()),
        "{stdout}"
    );
    let history = line("HISTORY_ENDS_ELSEWHERE");
    assert!(
        history.contains("1 处") && history.contains(&request.id.to_string()),
        "{stdout}"
    );
    assert!(
        line("ROUTED_WITHOUT_PICK").contains(&request.id.to_string()),
        "{stdout}"
    );
    // The rules nothing broke stay kept.
    assert!(!stdout.contains("JOB_DEAD"), "{stdout}");
}
