//! `GET /staff/stats.xlsx?from=YYYY-MM-DD&to=YYYY-MM-DD[&branchId=…]` (or `?period=2026-Q1`
//! instead of the dates), and `GET /staff/stats/summary` with the same query (the printable
//! A4 summary, [`stats_summary`]): the period's figures
//! as an Excel workbook to download, for the callers the `stats` query answers (a branch's
//! librarians, admins for the whole library).

use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{web, HttpRequest, HttpResponse};
use hongyan_domain::auth::Principal;
use hongyan_domain::report::{self, workbook};
use hongyan_domain::{text, Ctx, Error};
use serde::Deserialize;
use uuid::Uuid;

use super::stats_summary;
use crate::http::{bearer, error_response};

/// The media type of an `.xlsx` workbook.
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The query string: the period (dates, or a named period) and, optionally, the branch.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Period {
    from: Option<String>,
    to: Option<String>,
    period: Option<String>,
    branch_id: Option<String>,
}

/// The workbook, or the usual JSON error.
pub async fn download(ctx: web::Data<Ctx>, req: HttpRequest) -> HttpResponse {
    match answer(&ctx, &req).await {
        Ok(xlsx) => HttpResponse::Ok()
            .content_type(XLSX)
            .insert_header(ContentDisposition {
                disposition: DispositionType::Attachment,
                parameters: vec![DispositionParam::Filename(xlsx.filename)],
            })
            .insert_header(("cache-control", "no-store"))
            .body(xlsx.bytes),
        Err(e) => error_response(&e),
    }
}

async fn answer(ctx: &Ctx, req: &HttpRequest) -> Result<workbook::Xlsx, Error> {
    let (who, from, to, branch) = asked(ctx, req).await?;
    workbook::export(&ctx.db, &who, &from, &to, branch).await
}

/// The printable summary (`GET /staff/stats/summary`, same query), or the usual JSON error.
pub async fn summary(ctx: web::Data<Ctx>, req: HttpRequest) -> HttpResponse {
    let page = async {
        let (who, from, to, branch) = asked(&ctx, &req).await?;
        let compared = report::compared(&ctx.db, &who, &from, &to, branch).await?;
        Ok::<_, Error>(stats_summary::html(&compared, ctx.now()))
    }
    .await;
    match page {
        Ok(html) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header(("cache-control", "no-store"))
            .body(html),
        Err(e) => error_response(&e),
    }
}

/// Who asks, and for which days and scope: the staff token, the period (dates or a name)
/// and the branch from the query string.
async fn asked(
    ctx: &Ctx,
    req: &HttpRequest,
) -> Result<(Principal, String, String, Option<Uuid>), Error> {
    let token = bearer(req, "staff access token")?;
    let who = hongyan_domain::auth::authenticate(ctx, token)
        .await?
        .principal;
    let period = web::Query::<Period>::from_query(req.query_string())
        .map_err(|e| Error::validation(text!("request-malformed", detail = e)))?
        .into_inner();
    let branch = period
        .branch_id
        .map(|b| Uuid::parse_str(b.trim()).map_err(|_| Error::NotFound("branch")))
        .transpose()?;
    let (from, to) = report::days_asked(period.from, period.to, period.period.as_deref())?;
    Ok((who, from, to, branch))
}
