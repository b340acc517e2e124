//! `netLendingStock`: each branch's copies and how many online requests may be routed to.

use async_graphql::{Context, Object, SimpleObject};
use hongyan_domain::catalog::net_lending;

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::types::Branch;

/// A branch's stock.
#[derive(SimpleObject)]
pub struct BranchStock {
    /// The branch.
    pub branch: Branch,
    /// Copies it owns.
    pub copies: i64,
    /// Of which in the net-lending stock (网借书库).
    pub net_lending: i64,
}

/// Queries about the collection's stock.
#[derive(Default)]
pub struct StockQuery;

#[Object]
impl StockQuery {
    /// Each branch's copies and how many are in the net-lending stock, by branch code
    /// (staff).
    async fn net_lending_stock(&self, ctx: &Context<'_>) -> GqlResult<Vec<BranchStock>> {
        let who = principal(ctx).gql()?;
        let rows = net_lending::stock(&domain(ctx).db, who).await.gql()?;
        Ok(rows
            .into_iter()
            .map(|s| BranchStock {
                branch: Branch(s.branch),
                copies: s.copies,
                net_lending: s.net_lending,
            })
            .collect())
    }
}
