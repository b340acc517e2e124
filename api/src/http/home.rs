//! `GET /`: where a person who opens the server's address lands — links to the readers' app,
//! the staff console and (when it is on) GraphiQL, in Chinese, with nothing loaded from
//! anywhere.

use actix_web::{web, HttpRequest, HttpResponse};
use hongyan_domain::Ctx;

use super::assets::{self, Caching, HTML};
use super::staff::escape;

/// No script, no style sheet, no image: only the links.
const POLICY: &str = "default-src 'none'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

/// `GET /`.
pub async fn page(ctx: web::Data<Ctx>, req: HttpRequest) -> HttpResponse {
    let library = escape(&ctx.config.notify.library_name);
    let graphiql = if ctx.config.exposure.graphiql {
        "<li><a href=\"/graphql\">GraphQL 接口与 GraphiQL</a>（开发者：示例操作已保存在页面中）</li>"
    } else {
        ""
    };
    let body = format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{library} · 鸿雁</title></head><body>\
         <h1>{library} · 鸿雁网借平台</h1><ul>\
         <li><a href=\"/app/\">读者：网上借书、荐购</a>（也可从图书馆公众号进入）</li>\
         <li><a href=\"/console\">馆员工作台</a>（拣书、配送、借还、荐购与管理）</li>\
         {graphiql}</ul></body></html>"
    );
    assets::respond(&req, HTML, body, POLICY, Caching::Revalidate)
}
