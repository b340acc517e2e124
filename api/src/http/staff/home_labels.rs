//! `GET /staff/branches/{branchId}/home-labels`: a shipping label for each of the branch's
//! open HOME parcels, one A6 page each: the waybill as Code 128 and as a QR code, the sending
//! branch, the recipient (phone masked, as on privacy waybills) and the book inside.

use std::fmt::Write as _;

use actix_web::{web, HttpRequest, HttpResponse};
use hongyan_domain::auth::Principal;
use hongyan_domain::dispatch::doorstep::{self, HomeParcel};
use hongyan_domain::entity::branch::Model as Branch;
use hongyan_domain::{branches, china_time, Ctx, Error};
use qrcode::render::svg;
use qrcode::QrCode;
use uuid::Uuid;

use super::{branch_page, code128, escape};

/// The labels' one inline stylesheet (allowed by its hash in the console's policy, like
/// [`super::PRINT_STYLE`]).
pub const LABEL_STYLE: &str = "@page{size:A6;margin:0}body{margin:0;font:13px sans-serif}\
    .label{box-sizing:border-box;width:105mm;height:148mm;padding:6mm;break-after:page;\
    display:flex;flex-direction:column;gap:3mm;overflow:hidden}\
    .label:last-child{break-after:auto}.bill{display:flex;align-items:center;gap:3mm}\
    .bill svg{height:16mm;width:auto}.bill .qr svg{height:22mm;width:22mm}\
    .waybill{font:bold 15px monospace}.to{font-size:16px;border:1.5px solid #000;padding:3mm}\
    .to b{font-size:20px}.from,.book{border-top:1px dashed #666;padding-top:2mm}\
    .empty{margin:12mm}";

/// The page.
pub async fn page(ctx: web::Data<Ctx>, req: HttpRequest, path: web::Path<String>) -> HttpResponse {
    branch_page(ctx, req, path, render).await
}

async fn render(ctx: web::Data<Ctx>, who: Principal, branch: Uuid) -> Result<String, Error> {
    let parcels = doorstep::to_pack(&ctx.db, &who, branch).await?;
    let from = branches::by_ids(&ctx.db, &[branch])
        .await?
        .pop()
        .ok_or(Error::NotFound("branch"))?;
    Ok(html(&from, &parcels, china_time::date_of(ctx.now())))
}

/// The printable page.
fn html(from: &Branch, parcels: &[HomeParcel], today: chrono::NaiveDate) -> String {
    let mut html = format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <title>快递面单 · {b}</title><style>{LABEL_STYLE}</style></head><body>",
        b = escape(&from.name)
    );
    if parcels.is_empty() {
        html.push_str("<p class=\"empty\">没有待寄出的包裹。</p>");
    }
    let today = today.format("%Y-%m-%d");
    for p in parcels {
        let waybill = p.shipment.waybill_no.as_deref().unwrap_or("运单生成中");
        let _ = write!(
            html,
            "<section class=\"label\"><div class=\"bill\"><div>{bar}<div class=\"waybill\">{w}</div></div>\
             <div class=\"qr\">{qr}</div></div>\
             <div class=\"to\">收件人：<b>{who}</b> {phone}<div>{addr}</div></div>\
             <div class=\"from\">寄件：{from}<div>{from_addr}</div></div>\
             <div class=\"book\">内件：《{title}》 条码 {barcode} · 索书号 {call}\
             <div>读者：{reader} · {today}</div></div></section>",
            bar = code128(waybill, 60),
            w = escape(waybill),
            qr = qr(waybill),
            who = escape(&p.recipient),
            phone = escape(&p.phone_masked),
            addr = escape(&p.address),
            from = escape(&from.name),
            from_addr = escape(&from.address),
            title = escape(&p.title),
            barcode = escape(&p.copy.barcode),
            call = escape(&p.copy.call_number),
            reader = escape(&p.reader_name),
        );
    }
    html.push_str("</body></html>");
    html
}

/// `text` as an inline SVG QR code (without the XML declaration, which HTML does not take).
fn qr(text: &str) -> String {
    QrCode::new(text.as_bytes())
        .map(|code| {
            let svg = code.render::<svg::Color>().quiet_zone(false).build();
            svg.find("<svg")
                .map(|at| svg[at..].to_owned())
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waybills_become_inline_qr_codes() {
        let svg = qr("LIB-0123456789ab");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
    }
}
