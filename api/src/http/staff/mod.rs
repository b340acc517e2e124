//! Staff pages served as HTML, to print: the picking list (shelf order, Code 128 barcodes a
//! scanner reads off the paper) and home-delivery shipping labels (A6, one per page); and
//! the statistics as an Excel workbook to download. Authenticated like GraphQL, with a
//! staff access token in `Authorization: Bearer`.

mod home_labels;
mod picking_list;
mod stats;
mod stats_summary;

use std::future::Future;

use actix_web::{web, HttpRequest, HttpResponse};
use barcoders::generators::svg::SVG;
use barcoders::sym::code128::Code128;
use hongyan_domain::auth::Principal;
use hongyan_domain::{Ctx, Error};
use uuid::Uuid;

use super::{bearer, error_response};

pub use home_labels::LABEL_STYLE;
pub use picking_list::PRINT_STYLE;
pub use stats_summary::SUMMARY_STYLE;

/// Registers the staff pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/branches/{branch_id}/picking-list",
        web::get().to(picking_list::page),
    )
    .route(
        "/branches/{branch_id}/home-labels",
        web::get().to(home_labels::page),
    )
    .route("/stats.xlsx", web::get().to(stats::download))
    .route("/stats/summary", web::get().to(stats::summary));
}

/// Answers a branch's page: the caller's staff principal and the branch id from the path go
/// to `render`; its error becomes the usual JSON error answer.
async fn branch_page<F, Fut>(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    path: web::Path<String>,
    render: F,
) -> HttpResponse
where
    F: FnOnce(web::Data<Ctx>, Principal, Uuid) -> Fut,
    Fut: Future<Output = Result<String, Error>>,
{
    let result = async {
        let token = bearer(&req, "staff access token")?;
        let who = hongyan_domain::auth::authenticate(&ctx, token)
            .await?
            .principal;
        let branch = Uuid::parse_str(&path).map_err(|_| Error::NotFound("branch"))?;
        render(ctx.clone(), who, branch).await
    }
    .await;
    match result {
        Ok(html) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(html),
        Err(e) => error_response(&e),
    }
}

/// Escapes text for HTML.
pub(super) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A Code 128 (set B) barcode as inline SVG, `height` pixels high; text outside set B gets
/// no barcode (it is printed as text beside it anyway).
fn code128(text: &str, height: u32) -> String {
    Code128::new(format!("\u{0181}{text}"))
        .ok()
        .and_then(|c| SVG::new(height).generate(c.encode()).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn barcodes_become_svg_and_text_is_escaped() {
        let svg = code128("A0001", 48);
        assert!(svg.starts_with("<svg") && svg.contains("rect"), "{svg}");
        assert_eq!(escape("<b>&\"x\""), "&lt;b&gt;&amp;&quot;x&quot;");
    }
}
