//! The staff console at `/console`: a small front-end for pickers, dispatchers, librarians
//! and admins (picking with a barcode scanner, delivery rounds, the desk, purchase reviews,
//! dead jobs), in plain JavaScript modules and CSS under `api/console/` with no build step.
//! It talks only to the public GraphQL API, with the token of `staffLogin`.
//!
//! The files are compiled into the binary from the static table [`FILES`]
//! ([`super::assets`]), so `hongyan` stays one self-contained file.
//!
//! Every answer carries `Cache-Control: no-cache` with an `ETag` (a new binary's files are
//! used at once, unchanged ones are not downloaded again), `X-Content-Type-Options: nosniff`
//! and a Content-Security-Policy that allows this origin only: no inline script or style,
//! except the printable picking list's one stylesheet, allowed by its hash because the
//! console prints that page from an `<iframe srcdoc>`, which inherits the console's policy.

use std::sync::LazyLock;

use actix_web::{web, HttpRequest, HttpResponse};
use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::assets::{self, file, Caching, File, CSS, HTML, JS, SVG};
use super::staff::{LABEL_STYLE, PRINT_STYLE, SUMMARY_STYLE};

/// Every file of the console; `index.html` is also served at `/console` itself.
const FILES: &[File] = &[
    file!("../../console/", "index.html", HTML),
    file!("../../console/", "console.css", CSS),
    file!("../../console/", "icon.svg", SVG),
    file!("../../console/", "app.js", JS),
    file!("../../console/", "ui.js", JS),
    file!("../../console/", "pages/picking.js", JS),
    file!("../../console/", "pages/dispatch.js", JS),
    file!("../../console/", "pages/desk.js", JS),
    file!("../../console/", "pages/purchases.js", JS),
    file!("../../console/", "pages/admin.js", JS),
    file!("../../console/", "pages/stats.js", JS),
    file!("../../console/", "pages/counter.js", JS),
    file!("../../console/", "pages/acquisitions.js", JS),
    file!("../../console/", "pages/rules.js", JS),
    file!("../../console/", "pages/readers.js", JS),
    file!("../../console/", "pages/stock.js", JS),
    file!("../../console/", "pages/categories.js", JS),
];

/// The console's Content-Security-Policy.
static POLICY: LazyLock<String> = LazyLock::new(|| {
    let hash = |style: &str| {
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(style.as_bytes()))
    };
    let (print_style, label_style) = (hash(PRINT_STYLE), hash(LABEL_STYLE));
    let summary_style = hash(SUMMARY_STYLE);
    format!(
        "default-src 'self'; script-src 'self'; \
         style-src 'self' 'sha256-{print_style}' 'sha256-{label_style}' 'sha256-{summary_style}'; \
         img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
});

/// Registers `/console`, `/console/` and `/console/{path}` (inside the `/console` scope), for
/// GET and HEAD.
pub fn routes(cfg: &mut web::ServiceConfig) {
    for page in ["", "/"] {
        cfg.service(
            web::resource(page)
                .route(web::get().to(index))
                .route(web::head().to(index)),
        );
    }
    cfg.service(
        web::resource("/{path:.*}")
            .route(web::get().to(file))
            .route(web::head().to(file)),
    );
}

/// `GET /console`: the single page.
async fn index(req: HttpRequest) -> HttpResponse {
    serve(&req, "index.html")
}

/// `GET /console/{path}`: a file of the console, or 404.
async fn file(req: HttpRequest, path: web::Path<String>) -> HttpResponse {
    serve(&req, &path)
}

fn serve(req: &HttpRequest, path: &str) -> HttpResponse {
    match assets::find(FILES, path) {
        Some(f) => assets::respond(
            req,
            f.content_type,
            f.body.to_owned(),
            &POLICY,
            Caching::Revalidate,
        ),
        None => assets::missing("console file"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_of_the_console_is_served() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("console");
        let mut served: Vec<String> = FILES.iter().map(|f| f.path.to_owned()).collect();
        served.sort();
        assert_eq!(
            assets::on_disk(&root),
            served,
            "list every file of api/console in FILES"
        );
    }

    #[test]
    fn the_policy_allows_the_print_style_by_hash_and_nothing_inline() {
        assert!(POLICY.contains("style-src 'self' 'sha256-"), "{}", *POLICY);
        assert!(!POLICY.contains("unsafe"), "{}", *POLICY);
    }
}
