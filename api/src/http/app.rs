//! The readers' app at `/app/`: the phone web app readers open from the library's WeChat
//! official account (or any browser). Plain JavaScript modules, Preact with `htm` and WeUI's
//! style sheet under `api/app/` (the libraries pinned in `api/app/vendor/`, with their
//! licences), no build step, nothing loaded from another host. It talks only to the public
//! GraphQL API and `/graphql/ws`.
//!
//! `index.html` is asked for every time (`no-cache`); every other file is served under
//! `/app/v/{version}/`, where the version is a hash of all the app's files, and kept by
//! browsers for a year: a new binary's app is fetched at once, an unchanged one never again
//! — what a phone on a slow network needs.

use std::sync::LazyLock;

use actix_web::{web, HttpRequest, HttpResponse};

use super::assets::{file, File, Versioned, CSS, HTML, JS, SVG};

/// Every file of the app.
const FILES: &[File] = &[
    file!("../../app/", "index.html", HTML),
    file!("../../app/", "app.css", CSS),
    file!("../../app/", "icon.svg", SVG),
    file!("../../app/", "main.js", JS),
    file!("../../app/", "api.js", JS),
    file!("../../app/", "session.js", JS),
    file!("../../app/", "live.js", JS),
    file!("../../app/", "words.js", JS),
    file!("../../app/", "ui.js", JS),
    file!("../../app/", "codes.js", JS),
    file!("../../app/", "pages/signin.js", JS),
    file!("../../app/", "pages/search.js", JS),
    file!("../../app/", "pages/book.js", JS),
    file!("../../app/", "pages/order.js", JS),
    file!("../../app/", "pages/requests.js", JS),
    file!("../../app/", "pages/loans.js", JS),
    file!("../../app/", "pages/proposals.js", JS),
    file!("../../app/", "pages/me.js", JS),
    file!("../../app/", "pages/identity.js", JS),
    file!("../../app/", "vendor/preact-htm.js", JS),
    file!("../../app/", "vendor/qrcode.js", JS),
    file!("../../app/", "vendor/graphql-ws.js", JS),
    file!("../../app/", "vendor/graphql-ws-common.js", JS),
    file!("../../app/", "vendor/weui.min.css", CSS),
    file!(
        "../../app/",
        "vendor/LICENSES.md",
        "text/plain; charset=utf-8"
    ),
];

/// The app's files, versioned.
static APP: LazyLock<Versioned> = LazyLock::new(|| Versioned::new(FILES, "index.html", "app file"));

/// The app's Content-Security-Policy: this origin only, no inline script or style; images
/// also from `data:` (WeUI's icons, generated covers and codes).
const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Registers `/app`, `/app/` and `/app/v/{version}/{path}` (inside the `/app` scope).
pub fn routes(cfg: &mut web::ServiceConfig) {
    for page in ["", "/"] {
        cfg.service(
            web::resource(page)
                .route(web::get().to(index))
                .route(web::head().to(index)),
        );
    }
    cfg.service(
        web::resource("/v/{version}/{path:.*}")
            .route(web::get().to(file))
            .route(web::head().to(file)),
    );
}

/// `GET /app/`: the page.
async fn index(req: HttpRequest) -> HttpResponse {
    APP.respond_page(&req, POLICY)
}

/// `GET /app/v/{version}/{path}`: a file.
async fn file(req: HttpRequest, path: web::Path<(String, String)>) -> HttpResponse {
    let (version, path) = path.into_inner();
    APP.respond_file(&req, &version, &path, POLICY)
}

#[cfg(test)]
mod tests {
    use super::super::assets;
    use super::*;

    #[test]
    fn every_file_of_the_app_is_served() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("app");
        let mut served: Vec<String> = FILES.iter().map(|f| f.path.to_owned()).collect();
        served.sort();
        assert_eq!(
            assets::on_disk(&root),
            served,
            "list every file of api/app in FILES"
        );
    }

    #[test]
    fn the_page_names_this_versions_files() {
        let page = APP.page();
        assert!(
            page.contains(&format!("/app/v/{}/main.js", APP.version())),
            "{page}"
        );
        assert!(!page.contains("{{v}}"));
        assert!(!POLICY.contains("unsafe"));
    }
}
