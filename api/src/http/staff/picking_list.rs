//! `GET /staff/branches/{branchId}/picking-list`: the branch's open picks in shelf order, to
//! print: the date and page numbers, a tick column, each copy's barcode as Code 128 and
//! where each request goes.

use std::collections::HashMap;
use std::fmt::Write as _;

use actix_web::{web, HttpRequest, HttpResponse};
use hongyan_domain::auth::Principal;
use hongyan_domain::lending::picking::{self, PickLine};
use hongyan_domain::lending::DeliveryMethod;
use hongyan_domain::{branches, china_time, lockers, Ctx, Error};
use uuid::Uuid;

use super::{branch_page, code128, escape};

/// The printable page's one inline stylesheet. The staff console prints this page from an
/// `<iframe srcdoc>`, which inherits the console's Content-Security-Policy: that policy allows
/// this exact text by its hash (see `console.rs`), so keep it a constant.
pub const PRINT_STYLE: &str =
    "body{font:14px sans-serif;margin:12mm}table{border-collapse:collapse;width:100%}\
    td,th{border-bottom:1px solid #999;padding:4px 6px;text-align:left;vertical-align:middle}\
    .tick{width:8mm;height:8mm;border:1.5px solid #000;display:inline-block}\
    .call{font:bold 18px monospace}.where{font:bold 13px sans-serif}svg{height:48px;width:auto}\
    @page{margin:12mm;@bottom-center{content:\"第 \" counter(page) \" 页 / 共 \" counter(pages) \" 页\"}}\
    @media print{body{margin:0}h1{font-size:16px}}";

/// The page.
pub async fn page(ctx: web::Data<Ctx>, req: HttpRequest, path: web::Path<String>) -> HttpResponse {
    branch_page(ctx, req, path, render).await
}

async fn render(ctx: web::Data<Ctx>, who: Principal, branch: Uuid) -> Result<String, Error> {
    let lines = picking::picking_list(&ctx.db, &who, branch).await?;
    let branch_names: HashMap<Uuid, String> = branches::list(&ctx.db)
        .await?
        .into_iter()
        .map(|b| (b.id, b.name))
        .collect();
    let locker_names: HashMap<Uuid, String> = lockers::list(&ctx.db)
        .await?
        .into_iter()
        .map(|l| (l.id, l.name))
        .collect();
    let name = branch_names
        .get(&branch)
        .cloned()
        .ok_or(Error::NotFound("branch"))?;
    let destination = |l: &PickLine| {
        let named = |names: &HashMap<Uuid, String>, id: Option<Uuid>| {
            id.and_then(|id| names.get(&id).cloned())
                .unwrap_or_default()
        };
        match l.request.delivery_method {
            DeliveryMethod::Locker => {
                format!("智能书柜 {}", named(&locker_names, l.request.locker_id))
            }
            DeliveryMethod::Branch => {
                format!(
                    "预约架 {}",
                    named(&branch_names, l.request.pickup_branch_id)
                )
            }
            DeliveryMethod::Home => "快递到家（打包）".to_owned(),
        }
    };
    Ok(html(
        &name,
        &lines,
        destination,
        china_time::date_of(ctx.now()),
    ))
}

/// The printable page.
fn html(
    branch: &str,
    lines: &[PickLine],
    destination: impl Fn(&PickLine) -> String,
    today: chrono::NaiveDate,
) -> String {
    let mut html = format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>拣书单 · {b}</title>\
         <style>{PRINT_STYLE}</style>\
         </head><body><h1>拣书单 · {b} · {d}（{n} 册，按排架顺序）</h1><table><thead><tr><th>✓</th><th>#</th>\
         <th>索书号</th><th>题名</th><th>条码</th><th>去向</th></tr></thead><tbody>",
        b = escape(branch),
        d = today.format("%Y-%m-%d"),
        n = lines.len()
    );
    for (i, l) in lines.iter().enumerate() {
        let _ = write!(
            html,
            "<tr class=\"pick\"><td><span class=\"tick\"></span></td><td>{}</td><td class=\"call\">{}{}</td>\
             <td>{}</td><td>{}<div>{}</div></td><td class=\"to\">{}</td></tr>",
            i + 1,
            l.copy
                .location
                .as_deref()
                .map(|at| format!("<div class=\"where\">{}</div>", escape(at)))
                .unwrap_or_default(),
            escape(&l.copy.call_number),
            escape(&l.title.title),
            code128(&l.copy.barcode, 48),
            escape(&l.copy.barcode),
            escape(&destination(l)),
        );
    }
    html.push_str("</tbody></table></body></html>");
    html
}
