//! The address a client reached the service at (`https://ent.example`), for the absolute links
//! it writes when `http.public_url` is not set: a link handed to a page of another origin must
//! not be relative, or it would point into that origin.
//!
//! Behind a reverse proxy that address is the proxy's to tell (`Forwarded`, or
//! `X-Forwarded-Proto` and `X-Forwarded-Host`), and it is believed only from a peer in
//! `http.trusted_proxies`: from anyone else those headers are the client's own say. Of a list,
//! the last element is the one the trusted peer added; the earlier ones came to it from
//! further away. Pitfall: actix's `ConnectionInfo` believes those headers from every peer, so it
//! is not used. The service keeps no client address (logs and audit hold none, rate limits count
//! per user), so `X-Forwarded-For` has nothing to inform.

use std::convert::Infallible;
use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header::{FORWARDED, HOST, HeaderMap};
use actix_web::{FromRequest, HttpRequest, web};
use ipnet::IpNet;

/// The proxies whose forwarded headers are believed, from `http.trusted_proxies`.
#[derive(Debug, Clone, Default)]
pub(crate) struct TrustedProxies(pub(crate) Vec<IpNet>);

impl TrustedProxies {
    /// `scheme://host[:port]` the client used, or `None` when what it says is not one.
    pub(crate) fn reached_at(&self, req: &HttpRequest) -> Option<String> {
        let trusted = req.peer_addr().is_some_and(|peer| {
            let ip = peer.ip().to_canonical();
            self.0.iter().any(|net| net.contains(&ip))
        });
        let told = if trusted { told_by_proxy(req.headers()) } else { (None, None) };
        // The service itself speaks plain HTTP; TLS, if any, ends at a proxy.
        let scheme = told.0.unwrap_or_else(|| req.uri().scheme_str().unwrap_or("http").to_owned());
        let host = told.1.or_else(|| {
            let host = req.headers().get(HOST).and_then(|h| h.to_str().ok());
            host.or_else(|| req.uri().authority().map(actix_web::http::uri::Authority::as_str))
                .map(str::to_owned)
        })?;
        origin(&scheme, &host)
    }
}

/// Extractor: the origin the client reached the service at, when it is one.
pub(crate) struct ReachedAt(pub(crate) Option<String>);

impl FromRequest for ReachedAt {
    type Error = Infallible;
    type Future = Ready<Result<Self, Infallible>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let proxies = req.app_data::<web::Data<TrustedProxies>>();
        ready(Ok(Self(proxies.and_then(|p| p.reached_at(req)))))
    }
}

/// The scheme and host the nearest proxy tells: `Forwarded` if it sends one, else the
/// `X-Forwarded-*` pair.
fn told_by_proxy(headers: &HeaderMap) -> (Option<String>, Option<String>) {
    if let Some(forwarded) = last(headers, FORWARDED.as_str()) {
        let mut told = (None, None);
        for pair in forwarded.split(';') {
            let Some((name, value)) = pair.split_once('=') else { continue };
            let value = value.trim().trim_matches('"').to_owned();
            match name.trim().to_ascii_lowercase().as_str() {
                "proto" => told.0 = Some(value),
                "host" => told.1 = Some(value),
                _ => {}
            }
        }
        return told;
    }
    (last(headers, "x-forwarded-proto"), last(headers, "x-forwarded-host"))
}

/// The last element of a comma-separated header, over all its lines.
fn last(headers: &HeaderMap, name: &str) -> Option<String> {
    let line = headers.get_all(name).filter_map(|v| v.to_str().ok()).last()?;
    line.rsplit(',').next().map(|e| e.trim().to_owned()).filter(|e| !e.is_empty())
}

/// The origin of `scheme` and `host` when they make one and nothing more (no path, no user).
fn origin(scheme: &str, host: &str) -> Option<String> {
    let scheme = scheme.to_ascii_lowercase();
    if !matches!(scheme.as_str(), "http" | "https") || host.contains(['/', '@', '?', '#', '\\']) {
        return None;
    }
    let url = url::Url::parse(&format!("{scheme}://{host}")).ok()?;
    url.has_host().then(|| url.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies(list.iter().map(|n| n.parse().expect("a network")).collect())
    }

    fn from(peer: &str) -> TestRequest {
        TestRequest::get()
            .peer_addr(peer.parse().expect("an address"))
            .insert_header((HOST, "svc:8080"))
    }

    #[test]
    fn forwarded_headers_count_only_from_a_trusted_peer() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let req = from("10.1.2.3:5000")
            .insert_header(("X-Forwarded-Proto", "https"))
            .insert_header(("X-Forwarded-Host", "evil.example, ent.example"))
            .to_http_request();
        assert_eq!(trusted.reached_at(&req).as_deref(), Some("https://ent.example"));
        assert_eq!(proxies(&[]).reached_at(&req).as_deref(), Some("http://svc:8080"));
        let spoofed = from("192.0.2.1:5000")
            .insert_header(("X-Forwarded-Host", "evil.example"))
            .to_http_request();
        assert_eq!(trusted.reached_at(&spoofed).as_deref(), Some("http://svc:8080"));

        let rfc = from("[::ffff:10.0.0.1]:5000")
            .insert_header((
                "Forwarded",
                "for=1.2.3.4;host=evil.example, for=5.6.7.8;proto=HTTPS;host=\"ent.example:8443\"",
            ))
            .insert_header(("X-Forwarded-Host", "ignored.example"))
            .to_http_request();
        assert_eq!(trusted.reached_at(&rfc).as_deref(), Some("https://ent.example:8443"));
    }

    #[test]
    fn what_is_not_an_origin_makes_no_link() {
        let trusted = proxies(&["127.0.0.1/32"]);
        let told = |name: &str, value: &str| {
            let req = from("127.0.0.1:1").insert_header((name, value)).to_http_request();
            trusted.reached_at(&req)
        };
        for host in ["ent.example/path", "user@ent.example", "ent.example:99999", "a b"] {
            assert_eq!(told("X-Forwarded-Host", host), None, "{host}");
        }
        assert_eq!(told("X-Forwarded-Proto", "ftp"), None);
        // Nothing told: the request's own address.
        assert_eq!(told("X-Forwarded-Host", " , "), Some("http://svc:8080".to_owned()));
    }
}
