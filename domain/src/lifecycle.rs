//! The life of every stateful thing, written once: the states a new row may begin in and the
//! moves allowed between states. Each state enum owns its table (next to the enum, in
//! [`crate::entity`]); `docs/design.md` prints the same tables ([`Lifecycle::table`]; a test
//! keeps them equal), and every write of a state goes through here:
//!
//! - [`advance`] moves one row from the state its caller read to another, refusing a move the
//!   table does not allow and a row that changed meanwhile (CONFLICT, reason `WRONG_STATE`,
//!   with the current state);
//! - [`advance_all`] is the bulk form: every row matching the caller's filter and in one of
//!   the given states moves, once each of those moves is checked against the table;
//!   [`raw_move`] is the same for a hand-written SQL statement;
//! - [`amend`] changes other columns of a row still in the state its caller read;
//! - [`begin`] checks the state a new row is inserted in.
//!
//! Who may make a move (a reader or a librarian, say) is the caller's rule; whether the move
//! exists at all is the table's.

use std::fmt::Debug;

use sea_orm::prelude::*;
use sea_orm::sea_query::IntoCondition;
use sea_orm::{ActiveModelTrait, IntoActiveModel, UpdateMany};

use crate::{Error, Result};

/// A state enum and its table of allowed moves.
pub trait Lifecycle: Copy + Eq + Debug + Send + Sync + Into<sea_orm::Value> + 'static {
    /// What the thing is called in errors (`proposal`): the `what` of [`Error::WrongState`].
    const THING: &'static str;
    /// The heading of its table in `docs/design.md`.
    const TITLE: &'static str;
    /// The states a new row may begin in.
    const BEGINS: &'static [Self];
    /// The allowed moves, `(from, to)`.
    const MOVES: &'static [(Self, Self)];

    /// Every state, in declaration order.
    fn all() -> Vec<Self>;

    /// The state's name as clients see it and the database stores it (`SUBMITTED`).
    fn name(self) -> &'static str;

    /// Whether the table allows moving from `self` to `to`.
    fn may_move(self, to: Self) -> bool {
        Self::MOVES.contains(&(self, to))
    }

    /// Refuses a move the table does not allow.
    ///
    /// # Errors
    /// CONFLICT (`WRONG_STATE`, with `self` as the current state) when it does not.
    fn check_move(self, to: Self) -> Result<()> {
        if self.may_move(to) {
            Ok(())
        } else {
            Err(self.refusal())
        }
    }

    /// The refusal of a move from `self`: the thing is in the wrong state.
    fn refusal(self) -> Error {
        Error::WrongState {
            what: Self::THING,
            state: self.name(),
        }
    }

    /// The table as `docs/design.md` prints it: where rows begin, then one line per state
    /// with a move, in declaration order.
    fn table() -> String {
        let names = |states: &mut dyn Iterator<Item = Self>| {
            states.map(Self::name).collect::<Vec<_>>().join(", ")
        };
        let mut out = format!(
            "{} moves:\n\n    begins in: {}\n",
            Self::TITLE,
            names(&mut Self::BEGINS.iter().copied())
        );
        for from in Self::all() {
            let mut to = Self::all().into_iter().filter(|&to| from.may_move(to));
            let to = names(&mut to);
            if !to.is_empty() {
                out.push_str(&format!("    {} → {to}\n", from.name()));
            }
        }
        out
    }
}

/// A table whose rows follow a [`Lifecycle`] in a state column, keyed by a UUID.
pub trait Stateful:
    EntityTrait<Model: IntoActiveModel<Self::ActiveModel>, ActiveModel: Send>
{
    /// The state enum.
    type State: Lifecycle;

    /// The column holding the state.
    fn state_column() -> Self::Column;

    /// The key column.
    fn id_column() -> Self::Column;

    /// A row's state.
    fn state_of(row: &Self::Model) -> Self::State;
}

/// Checks that a new row may begin in `state`.
///
/// # Errors
/// INTERNAL when the table does not let a row begin there: a fault in the code, not the input.
pub fn begin<S: Lifecycle>(state: S) -> Result<S> {
    if S::BEGINS.contains(&state) {
        Ok(state)
    } else {
        Err(Error::internal(anyhow::anyhow!(
            "a {} cannot begin in {}",
            S::THING,
            state.name()
        )))
    }
}

/// Moves row `id` from `from` (the state its caller read) to `to`, writing `changes` with it,
/// and returns the row as written.
///
/// # Errors
/// CONFLICT (`WRONG_STATE`) when the table does not allow the move, or when the row is no
/// longer in `from` (the error names its current state); NOT_FOUND when it is gone.
pub async fn advance<E: Stateful>(
    db: &impl ConnectionTrait,
    id: Uuid,
    from: E::State,
    to: E::State,
    mut changes: E::ActiveModel,
) -> Result<E::Model> {
    from.check_move(to)?;
    changes.set(E::state_column(), to.into());
    write::<E>(db, id, from, changes).await
}

/// Writes `changes` (columns other than the state) to row `id` if it is still in `state`, the
/// one its caller read, and returns the row as written.
///
/// # Errors
/// CONFLICT (`WRONG_STATE`) when the row is no longer in `state` (the error names its current
/// one); NOT_FOUND when it is gone; INTERNAL when `changes` sets the state: a move is
/// [`advance`]'s.
pub async fn amend<E: Stateful>(
    db: &impl ConnectionTrait,
    id: Uuid,
    state: E::State,
    changes: E::ActiveModel,
) -> Result<E::Model> {
    if changes.get(E::state_column()).is_set() {
        return Err(Error::internal(anyhow::anyhow!(
            "a {} changes state only through its table",
            E::State::THING
        )));
    }
    write::<E>(db, id, state, changes).await
}

/// The conditional update of [`advance`] and [`amend`].
async fn write<E: Stateful>(
    db: &impl ConnectionTrait,
    id: Uuid,
    state: E::State,
    changes: E::ActiveModel,
) -> Result<E::Model> {
    let written = E::update_many()
        .set(changes)
        .filter(E::id_column().eq(id))
        .filter(E::state_column().eq(state))
        .exec_with_returning(db)
        .await?
        .into_iter()
        .next();
    match written {
        Some(row) => Ok(row),
        None => {
            let now = E::find().filter(E::id_column().eq(id)).one(db).await?;
            Err(now.map_or(Error::NotFound(E::State::THING), |row| {
                E::state_of(&row).refusal()
            }))
        }
    }
}

/// The bulk move: an update of every row in one of `from` moving to `to` (for the caller to
/// add its filters and columns to, and run).
///
/// # Errors
/// CONFLICT (`WRONG_STATE`) when the table does not allow a move from one of `from` to `to`.
pub fn advance_all<E: Stateful>(from: &[E::State], to: E::State) -> Result<UpdateMany<E>> {
    check_all(from, to)?;
    Ok(E::update_many()
        .col_expr(E::state_column(), Expr::value(to))
        .filter(in_states::<E>(from)))
}

/// The bulk move in a hand-written SQL statement (one the query builder cannot write): its
/// assignment and its condition, from the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMove {
    /// For the statement's `SET`: `status = 'ROUTED'`.
    pub set: String,
    /// For its `WHERE`, so rows in other states stay as they are: `status IN ('PENDING')`.
    pub only: String,
}

/// The bulk move of rows in one of `from` to `to`, for a hand-written statement.
///
/// # Errors
/// CONFLICT (`WRONG_STATE`) when the table does not allow a move from one of `from` to `to`.
pub fn raw_move<E: Stateful>(from: &[E::State], to: E::State) -> Result<RawMove> {
    check_all(from, to)?;
    let column = E::state_column();
    let column = column.as_str();
    let quoted = |state: E::State| format!("'{}'", state.name());
    let from: Vec<String> = from.iter().copied().map(quoted).collect();
    Ok(RawMove {
        set: format!("{column} = {}", quoted(to)),
        only: format!("{column} IN ({})", from.join(", ")),
    })
}

/// Refuses the moves from any of `from` to `to` the table does not allow.
fn check_all<S: Lifecycle>(from: &[S], to: S) -> Result<()> {
    from.iter().try_for_each(|state| state.check_move(to))
}

/// The condition "the row is in one of `states`".
fn in_states<E: Stateful>(states: &[E::State]) -> impl IntoCondition {
    E::state_column().is_in(states.iter().copied())
}
