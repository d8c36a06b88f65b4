//! The « Mes données » page: a reference client of the API, its files compiled into the binary
//! so that `cargo run` serves it with no build step and no network. Not part of the OpenAPI
//! document: it is a client of the API, not a part of it.
//!
//! The token comes in the address's fragment, which browsers never send to a server, and the
//! page moves it to `sessionStorage` and out of the address bar. Uploads go through
//! `XMLHttpRequest`, since `fetch` reports no upload progress. Each file's `ETag` is computed
//! at compile time and `Cache-Control: no-cache` makes browsers revalidate, so a new binary
//! never runs an old script.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};

/// One file of the page, with a validator computed when the binary is built.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
    hash: u64,
}

const fn asset(name: &'static str, content_type: &'static str, body: &'static [u8]) -> Asset {
    Asset { name, content_type, body, hash: fnv1a(body) }
}

/// FNV-1a: enough to tell two versions of a file apart for `ETag`, and computable in a const.
const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

const INDEX: Asset =
    asset("index.html", "text/html; charset=utf-8", include_bytes!("../web/index.html"));

const FILES: &[Asset] = &[
    asset("app.js", "text/javascript; charset=utf-8", include_bytes!("../web/app.js")),
    asset("api.js", "text/javascript; charset=utf-8", include_bytes!("../web/api.js")),
    asset("i18n.js", "text/javascript; charset=utf-8", include_bytes!("../web/i18n.js")),
    asset("exporter.js", "text/javascript; charset=utf-8", include_bytes!("../web/exporter.js")),
    asset("importer.js", "text/javascript; charset=utf-8", include_bytes!("../web/importer.js")),
    asset("bell.js", "text/javascript; charset=utf-8", include_bytes!("../web/bell.js")),
    asset("ui.js", "text/javascript; charset=utf-8", include_bytes!("../web/ui.js")),
    asset("app.css", "text/css; charset=utf-8", include_bytes!("../web/app.css")),
    asset("icon.svg", "image/svg+xml", include_bytes!("../web/icon.svg")),
];

/// Scripts and styles from this origin only, no inline code, API calls to this origin only;
/// downloads are navigations, which `connect-src` does not govern, so presigned store links
/// still work. The frames that may hold the page follow (`http.frame_ancestors`, checked when
/// the configuration is read).
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; form-action 'none'; base-uri 'none'; \
     frame-ancestors";

/// Registers `GET /` and `GET /web/{file}`; the page names its files relative to itself, so
/// that the service may be served under a path prefix.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(get_page)).route("/web/{file}", web::get().to(get_asset));
}

async fn get_page(req: HttpRequest) -> HttpResponse {
    serve(&req, &INDEX)
}

async fn get_asset(req: HttpRequest, file: web::Path<String>) -> HttpResponse {
    match FILES.iter().find(|a| a.name == file.as_str()) {
        Some(asset) => serve(&req, asset),
        None => crate::server::route_not_found(req).await,
    }
}

fn serve(req: &HttpRequest, asset: &Asset) -> HttpResponse {
    let etag = format!("\"{:016x}\"", asset.hash);
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let mut res = if fresh { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    res.insert_header((header::ETAG, etag))
        // Revalidated on every load, so a new binary's page is never mixed with an old script.
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .insert_header((header::REFERRER_POLICY, "no-referrer"));
    if asset.content_type.starts_with("text/html") {
        let ancestors = req
            .app_data::<web::Data<mesdonnees_infra::Context>>()
            .map_or_else(|| "'self'".to_owned(), |ctx| ctx.config.http.frame_ancestors.join(" "));
        res.insert_header((
            header::CONTENT_SECURITY_POLICY,
            format!("{CONTENT_SECURITY_POLICY} {ancestors}"),
        ));
    }
    if fresh {
        return res.finish();
    }
    res.content_type(asset.content_type).body(asset.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_the_page_imports_is_served() {
        let mut sources = vec![std::str::from_utf8(INDEX.body).expect("utf-8")];
        sources.extend(
            FILES
                .iter()
                .filter(|a| a.content_type.starts_with("text/javascript"))
                .map(|a| std::str::from_utf8(a.body).expect("utf-8")),
        );
        for source in sources {
            for (at, _) in source.match_indices("\"web/") {
                let rest = &source[at + 5..];
                let name: String =
                    rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '.').collect();
                assert!(FILES.iter().any(|a| a.name == name), "web/{name} is not embedded");
            }
            for (at, _) in source.match_indices("from \"./") {
                let rest = &source[at + 8..];
                let name: String = rest.chars().take_while(|c| *c != '"').collect();
                assert!(FILES.iter().any(|a| a.name == name), "./{name} is not embedded");
            }
        }
    }

    #[test]
    fn versions_of_a_file_get_different_validators() {
        assert_ne!(fnv1a(b"a"), fnv1a(b"b"));
        let hashes: std::collections::HashSet<u64> = FILES.iter().map(|a| a.hash).collect();
        assert_eq!(hashes.len(), FILES.len());
    }
}
