//! GraphiQL on `GET /graphql`, from files compiled into the binary (GraphiQL, React and
//! React DOM, pinned in `api/graphiql/vendor/` with their licences): it works offline and in
//! mainland China, where outside CDNs are unreliable. It opens with example operations for
//! the main reader and staff journeys. `HONGYAN_GRAPHIQL` turns it off (the default in
//! production).

use std::sync::LazyLock;

use actix_web::{web, HttpRequest, HttpResponse};
use hongyan_domain::Ctx;

use super::assets::{file, File, Versioned, CSS, HTML, JS};

/// Every file of the GraphiQL page.
const FILES: &[File] = &[
    file!("../../graphiql/", "index.html", HTML),
    file!("../../graphiql/", "graphiql.css", CSS),
    file!("../../graphiql/", "start.js", JS),
    file!("../../graphiql/", "vendor/graphiql.min.js", JS),
    file!("../../graphiql/", "vendor/graphiql.min.css", CSS),
    file!("../../graphiql/", "vendor/react.production.min.js", JS),
    file!("../../graphiql/", "vendor/react-dom.production.min.js", JS),
    file!(
        "../../graphiql/",
        "vendor/LICENSES.md",
        "text/plain; charset=utf-8"
    ),
];

/// GraphiQL's files, versioned.
static IDE: LazyLock<Versioned> =
    LazyLock::new(|| Versioned::new(FILES, "index.html", "graphiql file"));

/// This origin only; GraphiQL's editor sets styles from script.
const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Registers `/graphiql/v/{version}/{path}` (inside the `/graphiql` scope).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/v/{version}/{path:.*}").route(web::get().to(file)));
}

/// `GET /graphql`: the GraphiQL page (404 when `HONGYAN_GRAPHIQL` is off).
pub async fn page(ctx: web::Data<Ctx>, req: HttpRequest) -> HttpResponse {
    if !ctx.config.exposure.graphiql {
        return super::not_found().await;
    }
    IDE.respond_page(&req, POLICY)
}

/// `GET /graphiql/v/{version}/{path}`: a file of the page.
async fn file(req: HttpRequest, path: web::Path<(String, String)>) -> HttpResponse {
    let (version, path) = path.into_inner();
    IDE.respond_file(&req, &version, &path, POLICY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_of_graphiql_is_served() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("graphiql");
        let mut served: Vec<String> = FILES.iter().map(|f| f.path.to_owned()).collect();
        served.sort();
        assert_eq!(
            super::super::assets::on_disk(&root),
            served,
            "list every file of api/graphiql in FILES"
        );
        assert!(!IDE.page().contains("unpkg") && !IDE.page().contains("https://"));
    }
}
