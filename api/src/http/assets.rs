//! Files compiled into the binary and served as they are: the staff console and the
//! readers' app. A handful of small text files does not need an embedding crate
//! (`rust-embed` would add a derive macro, directory walking and, in debug builds, reading
//! from the source tree at run time); the price is one line per new file in the table of
//! the front-end it belongs to, and a test there fails when a file on disk is missing from
//! its table.
//!
//! Every answer carries an `ETag` (a SHA-256 of the file), `nosniff`, no referrer and the
//! front-end's Content-Security-Policy; how long browsers keep a file is the caller's choice
//! ([`Caching`]).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use hongyan_domain::Error;
use sha2::{Digest, Sha256};

use super::error_response;

/// One embedded file.
pub struct File {
    /// Path under the front-end's root.
    pub path: &'static str,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// The file itself.
    pub body: &'static str,
}

/// `Content-Type` of HTML pages.
pub const HTML: &str = "text/html; charset=utf-8";
/// `Content-Type` of style sheets.
pub const CSS: &str = "text/css; charset=utf-8";
/// `Content-Type` of JavaScript modules.
pub const JS: &str = "text/javascript; charset=utf-8";
/// `Content-Type` of SVG images.
pub const SVG: &str = "image/svg+xml";

/// Declares an embedded file by its path under `$root` (relative to `api/src/http`).
macro_rules! file {
    ($root:literal, $path:literal, $content_type:expr) => {
        $crate::http::assets::File {
            path: $path,
            content_type: $content_type,
            body: include_str!(concat!($root, $path)),
        }
    };
}
pub(crate) use file;

/// How long browsers may keep a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caching {
    /// Ask every time (with the `ETag`, an unchanged file is not sent again).
    Revalidate,
    /// A year, never asking: the URL changes whenever the file does.
    Immutable,
}

/// The entity tag of `body`: the first 12 bytes of its SHA-256, quoted.
pub fn etag(body: &str) -> String {
    let digest = Sha256::digest(body.as_bytes());
    let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// The file of `files` at `path` (None: it is not one of them).
pub fn find<'a>(files: &'a [File], path: &str) -> Option<&'a File> {
    files.iter().find(|f| f.path == path)
}

/// Answers `req` with `body` as `content_type`: 304 when the browser's copy is current.
pub fn respond(
    req: &HttpRequest,
    content_type: &str,
    body: String,
    policy: &str,
    caching: Caching,
) -> HttpResponse {
    let tag = etag(&body);
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == tag));
    let mut resp = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    let cache = match caching {
        Caching::Revalidate => "no-cache",
        Caching::Immutable => "public, max-age=31536000, immutable",
    };
    resp.insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::ETAG, tag))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::CONTENT_SECURITY_POLICY, policy));
    if fresh {
        resp.finish()
    } else {
        resp.content_type(content_type.to_owned()).body(body)
    }
}

/// A front-end whose page names its other files under `/{root}/v/{version}/…`, where the
/// version is a hash of all its files: the page is asked for every time, the rest kept a
/// year (a new binary's files are fetched at once, unchanged ones never again).
pub struct Versioned {
    files: &'static [File],
    version: String,
    page: String,
    what: &'static str,
}

impl Versioned {
    /// `files`, whose `page` names the others with `{{v}}` for the version; `what` names
    /// them in a 404.
    pub fn new(files: &'static [File], page: &str, what: &'static str) -> Self {
        let mut h = Sha256::new();
        for f in files {
            h.update(f.path.as_bytes());
            h.update(f.body.as_bytes());
        }
        let version: String = h
            .finalize()
            .iter()
            .take(6)
            .map(|b| format!("{b:02x}"))
            .collect();
        let page = find(files, page)
            .map(|f| f.body.replace("{{v}}", &version))
            .unwrap_or_default();
        Versioned {
            files,
            version,
            page,
            what,
        }
    }

    /// The version in this binary.
    #[cfg(test)]
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The page, naming this version's files.
    #[cfg(test)]
    pub fn page(&self) -> &str {
        &self.page
    }

    /// Answers with the page.
    pub fn respond_page(&self, req: &HttpRequest, policy: &str) -> HttpResponse {
        respond(req, HTML, self.page.clone(), policy, Caching::Revalidate)
    }

    /// Answers with a file asked for under `version`: kept a year when that is this
    /// binary's version (an old page mid-update still gets today's file, asked again).
    pub fn respond_file(
        &self,
        req: &HttpRequest,
        version: &str,
        path: &str,
        policy: &str,
    ) -> HttpResponse {
        match find(self.files, path) {
            Some(f) if f.content_type != HTML => {
                let caching = if version == self.version {
                    Caching::Immutable
                } else {
                    Caching::Revalidate
                };
                respond(req, f.content_type, f.body.to_owned(), policy, caching)
            }
            _ => missing(self.what),
        }
    }
}

/// 404 for a path that is none of a front-end's files.
pub fn missing(what: &'static str) -> HttpResponse {
    error_response(&Error::NotFound(what))
}

/// Paths of the files under `root` (relative, `/`-separated), for the tests that check a
/// front-end's table lists every file on disk.
#[cfg(test)]
pub fn on_disk(root: &std::path::Path) -> Vec<String> {
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
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}
