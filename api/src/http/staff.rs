//! Staff pages served as HTML: the printable picking list (shelf order, Code 128 barcodes a
//! scanner reads off the paper). Authenticated like GraphQL, with a staff access token in
//! `Authorization: Bearer`.

use std::fmt::Write as _;

use actix_web::{web, HttpRequest, HttpResponse};
use barcoders::generators::svg::SVG;
use barcoders::sym::code128::Code128;
use hongyan_domain::auth::Principal;
use hongyan_domain::lending::picking::{self, PickLine};
use hongyan_domain::lending::DeliveryMethod;
use hongyan_domain::{branches, Ctx, Error};
use uuid::Uuid;

use super::{bearer, error_response};

/// Registers the staff pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/branches/{branch_id}/picking-list",
        web::get().to(picking_list),
    );
}

async fn staff(ctx: &Ctx, req: &HttpRequest) -> Result<Principal, Error> {
    let token = bearer(req, "staff access token")?;
    Ok(hongyan_domain::auth::authenticate(ctx, token)
        .await?
        .principal)
}

/// `GET /staff/branches/{branchId}/picking-list`: the branch's open picks, printable.
async fn picking_list(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    let result = async {
        let who = staff(&ctx, &req).await?;
        let branch = Uuid::parse_str(&path).map_err(|_| Error::NotFound("branch"))?;
        let lines = picking::picking_list(&ctx.db, &who, branch).await?;
        let name = branches::by_ids(&ctx.db, &[branch])
            .await?
            .pop()
            .map(|b| b.name)
            .ok_or(Error::NotFound("branch"))?;
        Ok::<_, Error>(render(&name, &lines))
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
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A Code 128 (set B) barcode as inline SVG; barcodes outside set B are printed as text only.
fn code128(barcode: &str) -> String {
    Code128::new(format!("\u{0181}{barcode}"))
        .ok()
        .and_then(|c| SVG::new(48).generate(c.encode()).ok())
        .unwrap_or_default()
}

fn method(m: DeliveryMethod) -> &'static str {
    match m {
        DeliveryMethod::Locker => "智能书柜",
        DeliveryMethod::Branch => "到馆自取",
        DeliveryMethod::Home => "快递到家",
    }
}

/// The printable page's one inline stylesheet. The staff console prints this page from an
/// `<iframe srcdoc>`, which inherits the console's Content-Security-Policy: that policy allows
/// this exact text by its hash (see `console.rs`), so keep it a constant.
pub const PRINT_STYLE: &str =
    "body{font:14px sans-serif;margin:12mm}table{border-collapse:collapse;width:100%}\
    td,th{border-bottom:1px solid #999;padding:4px 6px;text-align:left;vertical-align:middle}\
    .call{font:bold 18px monospace}svg{height:48px;width:auto}@media print{h1{font-size:16px}}";

/// The printable page.
fn render(branch: &str, lines: &[PickLine]) -> String {
    let mut html = format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>拣书单 · {b}</title>\
         <style>{PRINT_STYLE}</style>\
         </head><body><h1>拣书单 · {b}（{n} 册，按排架顺序）</h1><table><thead><tr><th>#</th><th>索书号</th>\
         <th>题名</th><th>条码</th><th>配送方式</th></tr></thead><tbody>",
        b = escape(branch),
        n = lines.len()
    );
    for (i, l) in lines.iter().enumerate() {
        let _ = write!(
            html,
            "<tr class=\"pick\"><td>{}</td><td class=\"call\">{}</td><td>{}</td><td>{}<div>{}</div></td><td>{}</td></tr>",
            i + 1,
            escape(&l.copy.call_number),
            escape(&l.title.title),
            code128(&l.copy.barcode),
            escape(&l.copy.barcode),
            method(l.request.delivery_method),
        );
    }
    html.push_str("</tbody></table></body></html>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn barcodes_become_svg_and_text_is_escaped() {
        let svg = code128("A0001");
        assert!(svg.starts_with("<svg") && svg.contains("rect"), "{svg}");
        assert_eq!(escape("<b>&\"x\""), "&lt;b&gt;&amp;&quot;x&quot;");
    }
}
