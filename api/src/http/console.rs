//! The staff console at `/console`: a small front-end for pickers, dispatchers, librarians
//! and admins (picking with a barcode scanner, delivery rounds, the desk, purchase reviews,
//! dead jobs), in plain JavaScript modules and CSS under `api/console/` with no build step.
//! It talks only to the public GraphQL API, with the token of `staffLogin`.
//!
//! The files are compiled into the binary from the static table [`FILES`] with
//! `include_str!`, so `hongyan` stays one self-contained file. A handful of small text files
//! does not need an embedding crate (`rust-embed` would add a derive macro, directory walking
//! and, in debug builds, reading from the source tree at run time); the price is one line
//! here per new file, and a test fails when a file under `api/console/` is missing from the
//! table.
//!
//! Every answer carries `Cache-Control: no-cache` with an `ETag` (a new binary's files are
//! used at once, unchanged ones are not downloaded again), `X-Content-Type-Options: nosniff`
//! and a Content-Security-Policy that allows this origin only: no inline script or style,
//! except the printable picking list's one stylesheet, allowed by its hash because the
//! console prints that page from an `<iframe srcdoc>`, which inherits the console's policy.

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use base64::Engine as _;
use hongyan_domain::Error;
use sha2::{Digest, Sha256};

use super::error_response;
use super::staff::PRINT_STYLE;

/// One file of the console.
struct File {
    /// Path under `/console/`.
    path: &'static str,
    /// `Content-Type`.
    content_type: &'static str,
    /// The file itself.
    body: &'static str,
}

const HTML: &str = "text/html; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const SVG: &str = "image/svg+xml";

/// Declares a file of `api/console/` by its path there.
macro_rules! file {
    ($path:literal, $content_type:expr) => {
        File {
            path: $path,
            content_type: $content_type,
            body: include_str!(concat!("../../console/", $path)),
        }
    };
}

/// Every file of the console; `index.html` is also served at `/console` itself.
const FILES: &[File] = &[
    file!("index.html", HTML),
    file!("console.css", CSS),
    file!("icon.svg", SVG),
    file!("app.js", JS),
    file!("ui.js", JS),
    file!("pages/picking.js", JS),
    file!("pages/dispatch.js", JS),
    file!("pages/desk.js", JS),
    file!("pages/purchases.js", JS),
    file!("pages/admin.js", JS),
    file!("pages/stats.js", JS),
];

/// The files' entity tags, in [`FILES`] order.
static ETAGS: LazyLock<Vec<String>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|f| {
            let digest = Sha256::digest(f.body.as_bytes());
            let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
            format!("\"{hex}\"")
        })
        .collect()
});

/// The console's Content-Security-Policy.
static POLICY: LazyLock<String> = LazyLock::new(|| {
    let print_style =
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(PRINT_STYLE.as_bytes()));
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'sha256-{print_style}'; \
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
    let Some(at) = FILES.iter().position(|f| f.path == path) else {
        return error_response(&Error::NotFound("console file"));
    };
    let (file, etag) = (&FILES[at], &ETAGS[at]);
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag));
    let mut resp = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    resp.insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::ETAG, etag.as_str()))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::CONTENT_SECURITY_POLICY, POLICY.as_str()));
    if fresh {
        resp.finish()
    } else {
        resp.content_type(file.content_type).body(file.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Files under `dir`, as paths relative to `root` with `/` separators.
    fn walk(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{dir:?}: {e}")) {
            let path = entry.map(|e| e.path()).unwrap_or_else(|e| panic!("{e}"));
            if path.is_dir() {
                walk(root, &path, out);
            } else if let Ok(rel) = path.strip_prefix(root) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }

    #[test]
    fn every_file_of_the_console_is_served() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("console");
        let mut on_disk = Vec::new();
        walk(&root, &root, &mut on_disk);
        on_disk.sort();
        let mut served: Vec<String> = FILES.iter().map(|f| f.path.to_owned()).collect();
        served.sort();
        assert_eq!(on_disk, served, "list every file of api/console in FILES");
    }

    #[test]
    fn the_policy_allows_the_print_style_by_hash_and_nothing_inline() {
        assert!(POLICY.contains("style-src 'self' 'sha256-"), "{}", *POLICY);
        assert!(!POLICY.contains("unsafe"), "{}", *POLICY);
        assert_eq!(ETAGS.len(), FILES.len());
    }
}
