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
use sha2::{Digest, Sha256};

use super::assets::{self, file, Caching, File, CSS, HTML, JS, SVG};

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

/// The app's version: a hash of every file, in the URL of each.
static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut h = Sha256::new();
    for f in FILES {
        h.update(f.path.as_bytes());
        h.update(f.body.as_bytes());
    }
    h.finalize()
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
});

/// The page, pointing at this version's files.
static INDEX: LazyLock<String> = LazyLock::new(|| {
    assets::find(FILES, "index.html")
        .map(|f| f.body.replace("{{v}}", &VERSION))
        .unwrap_or_default()
});

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
    assets::respond(&req, HTML, INDEX.clone(), POLICY, Caching::Revalidate)
}

/// `GET /app/v/{version}/{path}`: a file, kept a year when its version is current (an old
/// page mid-update still gets today's file, asked for again next time).
async fn file(req: HttpRequest, path: web::Path<(String, String)>) -> HttpResponse {
    let (version, path) = path.into_inner();
    match assets::find(FILES, &path).filter(|f| f.path != "index.html") {
        Some(f) => {
            let caching = if version == *VERSION {
                Caching::Immutable
            } else {
                Caching::Revalidate
            };
            assets::respond(&req, f.content_type, f.body.to_owned(), POLICY, caching)
        }
        None => assets::missing("app file"),
    }
}

#[cfg(test)]
mod tests {
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
        assert!(
            INDEX.contains(&format!("/app/v/{}/main.js", *VERSION)),
            "{}",
            *INDEX
        );
        assert!(!INDEX.contains("{{v}}"));
        assert!(!POLICY.contains("unsafe"));
    }
}
