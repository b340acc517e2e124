//! The net-lending stock (librarians): `setNetLending` by barcodes, `setNetLendingByClass`
//! by branch and call-number class.

use async_graphql::{Context, Object, SimpleObject, ID};
use hongyan_domain::catalog::net_lending;

use crate::context::{domain, principal};
use crate::error::{GqlResult, IntoGql};
use crate::types::parse_id;

/// What a change to the net-lending stock did.
#[derive(SimpleObject)]
pub struct NetLendingChange {
    /// Copies whose flag changed (those already so are not counted).
    pub changed: u64,
    /// Barcodes no copy has (the others were changed).
    pub unknown_barcodes: Vec<String>,
}

impl From<net_lending::Change> for NetLendingChange {
    fn from(c: net_lending::Change) -> Self {
        NetLendingChange {
            changed: c.changed,
            unknown_barcodes: c.unknown,
        }
    }
}

/// Mutations of the net-lending stock.
#[derive(Default)]
pub struct StockMutation;

#[Object]
impl StockMutation {
    /// Puts the copies with these barcodes (1–5,000) in or out of the net-lending stock
    /// (librarians of their branches; audited). Online requests are routed only to copies in
    /// it; a copy taken out keeps the request it already serves.
    async fn set_net_lending(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The copies' barcodes (1–5,000); unknown ones are reported, not refused."
        )]
        barcodes: Vec<String>,
        #[graphql(desc = "True to put them in the net-lending stock, false to take them out.")]
        net_lending: bool,
    ) -> GqlResult<NetLendingChange> {
        let who = principal(ctx).gql()?;
        Ok(
            net_lending::set_by_barcodes(domain(ctx), who, &barcodes, net_lending)
                .await
                .gql()?
                .into(),
        )
    }

    /// Puts every copy of a branch whose call number starts with a CLC class prefix (e.g.
    /// `I247`) in or out of the net-lending stock (the branch's librarians; audited).
    async fn set_net_lending_by_class(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The branch that owns the copies.")] branch_id: ID,
        #[graphql(
            desc = "The CLC class prefix of their call numbers: 1–20 letters, digits and dots."
        )]
        class_prefix: String,
        #[graphql(desc = "True to put them in the net-lending stock, false to take them out.")]
        net_lending: bool,
    ) -> GqlResult<NetLendingChange> {
        let who = principal(ctx).gql()?;
        let branch = parse_id(&branch_id, "branch").gql()?;
        Ok(
            net_lending::set_by_class(domain(ctx), who, branch, &class_prefix, net_lending)
                .await
                .gql()?
                .into(),
        )
    }
}
