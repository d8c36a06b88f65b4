//! The « Mes données » page: a reference client of the API, its files compiled into the binary
//! so that `cargo run` serves it with no build step and no network. Not part of the OpenAPI
//! document: it is a client of the API, not a part of it.
//!
//! The token comes in the address's fragment, which browsers never send to a server, and the
//! page moves it to `sessionStorage` and out of the address bar. Uploads go through
//! `XMLHttpRequest`, since `fetch` reports no upload progress. Each file's `ETag` is computed
//! at compile time and `Cache-Control: no-cache` makes browsers revalidate, so a new binary
//! never runs an old script.
//!
//! `codes.js` is not a file: it is the failure vocabulary of `mesdonnees-shared` written as a
//! script when first asked for, so the page words every code as the API does and a new code
//! needs no second table. `settings.js` is not one either: what the page needs of the
//! configuration (the ENT to send a signed-out user to, whether to show developers' hints, and
//! the origins whose frames may hand it a token), public since it is read before any token.

use std::borrow::Cow;
use std::sync::LazyLock;

use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use mesdonnees_infra::{Context, Mode};
use mesdonnees_shared::{ErrorCode, FailureCode, Lang};

/// One file of the page, with a validator computed when the binary is built.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: Cow<'static, [u8]>,
    hash: u64,
}

const fn asset(name: &'static str, content_type: &'static str, body: &'static [u8]) -> Asset {
    Asset { name, content_type, body: Cow::Borrowed(body), hash: fnv1a(body) }
}

/// `codes.js`: `words[lang][code]` is the sentence of every code, `words[lang][""]` that of a
/// code this version does not know.
static CODES: LazyLock<Asset> = LazyLock::new(|| {
    let words: serde_json::Map<String, serde_json::Value> = Lang::ALL
        .iter()
        .map(|&lang| {
            let unknown = ("", FailureCode::Unknown(String::new()).message(lang));
            let known = ErrorCode::ALL.iter().map(|&c| (c.as_str(), c.message(lang)));
            let table = known.chain([unknown]).map(|(c, m)| (c.to_owned(), m.into())).collect();
            (lang.tag().to_owned(), serde_json::Value::Object(table))
        })
        .collect();
    let body = format!(
        "// The failure vocabulary of the service, written by the service.\n\
         export const words = {};\n",
        serde_json::Value::Object(words)
    )
    .into_bytes();
    let hash = fnv1a(&body);
    Asset { name: "codes.js", content_type: JAVASCRIPT, body: Cow::Owned(body), hash }
});

const JAVASCRIPT: &str = "text/javascript; charset=utf-8";

/// `settings.js`, from the configuration: small, so made at each request.
fn settings(ctx: &Context) -> Asset {
    let settings = serde_json::json!({
        "entUrl": ctx.config.http.ent_url,
        "development": ctx.config.mode == Mode::Development,
        "frameAncestors": ctx.config.http.frame_ancestors,
    });
    let body = format!("export const settings = {settings};\n").into_bytes();
    let hash = fnv1a(&body);
    Asset { name: "settings.js", content_type: JAVASCRIPT, body: Cow::Owned(body), hash }
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

static INDEX: Asset =
    asset("index.html", "text/html; charset=utf-8", include_bytes!("../web/index.html"));

static FILES: &[Asset] = &[
    asset("app.js", JAVASCRIPT, include_bytes!("../web/app.js")),
    asset("api.js", JAVASCRIPT, include_bytes!("../web/api.js")),
    asset("i18n.js", JAVASCRIPT, include_bytes!("../web/i18n.js")),
    asset("exporter.js", JAVASCRIPT, include_bytes!("../web/exporter.js")),
    asset("importer.js", JAVASCRIPT, include_bytes!("../web/importer.js")),
    asset("bell.js", JAVASCRIPT, include_bytes!("../web/bell.js")),
    asset("ui.js", JAVASCRIPT, include_bytes!("../web/ui.js")),
    asset("templates.js", JAVASCRIPT, include_bytes!("../web/templates.js")),
    asset("folders.js", JAVASCRIPT, include_bytes!("../web/folders.js")),
    asset("schedules.js", JAVASCRIPT, include_bytes!("../web/schedules.js")),
    asset("library.js", JAVASCRIPT, include_bytes!("../web/library.js")),
    asset("parts.js", JAVASCRIPT, include_bytes!("../web/parts.js")),
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

async fn get_asset(
    req: HttpRequest,
    file: web::Path<String>,
    ctx: web::Data<Context>,
) -> HttpResponse {
    if file.as_str() == "settings.js" {
        return serve(&req, &settings(&ctx));
    }
    match FILES.iter().chain([&*CODES]).find(|a| a.name == file.as_str()) {
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
        .insert_header((header::CACHE_CONTROL, "no-cache"));
    let mut res = if fresh {
        res.finish()
    } else {
        res.content_type(asset.content_type).body(asset.body.clone())
    };
    lock_down(req, res.headers_mut(), asset.content_type.starts_with("text/html"));
    res
}

/// The headers that keep a page of this service from being sniffed, framed elsewhere than by
/// `http.frame_ancestors`, leaking its address, or running anything but its own files: the
/// page's and the API explorer's (`/docs/`) alike.
pub(crate) fn lock_down(req: &HttpRequest, headers: &mut HeaderMap, html: bool) {
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if html {
        let ancestors = req
            .app_data::<web::Data<Context>>()
            .map_or_else(|| "'self'".to_owned(), |ctx| ctx.config.http.frame_ancestors.join(" "));
        // The configured ancestors are checked at start to be header-safe.
        if let Ok(value) = HeaderValue::from_str(&format!("{CONTENT_SECURITY_POLICY} {ancestors}"))
        {
            headers.insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_the_page_imports_is_served() {
        let mut sources = vec![std::str::from_utf8(&INDEX.body).expect("utf-8")];
        sources.extend(
            FILES
                .iter()
                .filter(|a| a.content_type.starts_with("text/javascript"))
                .map(|a| std::str::from_utf8(&a.body).expect("utf-8")),
        );
        let served = |name: &str| {
            ["settings.js", CODES.name].contains(&name) || FILES.iter().any(|a| a.name == name)
        };
        for source in sources {
            for (at, _) in source.match_indices("\"web/") {
                let rest = &source[at + 5..];
                let name: String =
                    rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '.').collect();
                assert!(served(&name), "web/{name} is not embedded");
            }
            for (at, _) in source.match_indices("from \"./") {
                let rest = &source[at + 8..];
                let name: String = rest.chars().take_while(|c| *c != '"').collect();
                assert!(served(&name), "./{name} is not embedded");
            }
        }
    }

    #[test]
    fn versions_of_a_file_get_different_validators() {
        assert_ne!(fnv1a(b"a"), fnv1a(b"b"));
        let hashes: std::collections::HashSet<u64> =
            FILES.iter().chain([&*CODES]).map(|a| a.hash).collect();
        assert_eq!(hashes.len(), FILES.len() + 1);
    }

    #[test]
    fn the_page_has_the_words_of_every_code_in_both_languages() {
        let script = std::str::from_utf8(&CODES.body).expect("utf-8");
        let json = script
            .strip_prefix("// The failure vocabulary of the service, written by the service.\n")
            .and_then(|s| s.strip_prefix("export const words = "))
            .and_then(|s| s.strip_suffix(";\n"))
            .expect("one exported object");
        let words: serde_json::Value = serde_json::from_str(json).expect("JSON");
        for lang in Lang::ALL {
            let table = words[lang.tag()].as_object().expect("a table per language");
            assert_eq!(table.len(), ErrorCode::ALL.len() + 1, "{lang:?}");
            for &code in ErrorCode::ALL {
                assert_eq!(table[code.as_str()], code.message(lang), "{code} in {lang:?}");
            }
            assert!(table[""].as_str().is_some_and(|s| !s.is_empty()), "{lang:?}");
        }
    }
}
