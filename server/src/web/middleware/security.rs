//! Security headers on every response: a Content-Security-Policy with a fresh nonce per request (no
//! `unsafe-inline`, no `unsafe-eval`), and the usual hardening headers.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use http::header::{self, HeaderValue};
use rand::RngCore;
use std::sync::Arc;

/// The per-request CSP nonce; the router hands it to Leptos so its inline hydration script carries it.
#[derive(Clone, Debug)]
pub struct CspNonce(pub Arc<str>);

impl CspNonce {
    pub(crate) fn generate() -> CspNonce {
        let mut bytes = [0u8; 18];
        rand::rng().fill_bytes(&mut bytes);
        CspNonce(
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(bytes)
                .into(),
        )
    }
}

#[derive(Clone, Copy, Debug)]
pub struct SecurityConfig {
    /// Send `Strict-Transport-Security` (only when Loket's public URL is https).
    pub hsts: bool,
}

/// `'wasm-unsafe-eval'` is needed because compiling WebAssembly counts as eval under CSP; it allows WASM
/// compilation only, not JavaScript `eval`. `blob:` images are the previews of photos a resident picks
/// before sending them (object URLs of files on her own device).
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

pub async fn headers(
    State(config): State<SecurityConfig>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = CspNonce::generate();
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // A response with a policy of its own (a document: `sandbox`) keeps it.
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        if let Ok(csp) = HeaderValue::from_str(&content_security_policy(&nonce.0)) {
            headers.insert(header::CONTENT_SECURITY_POLICY, csp);
        }
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        http::HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static(
            "camera=(self), microphone=(), geolocation=(), payment=(), usb=()",
        ),
    );
    headers.insert(
        http::HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    // Pages and API answers are personal or carry the visitor's CSRF token: no browser or proxy keeps them.
    // Files that may be cached (the build, public files) say so themselves before they get here.
    let dynamic = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            [
                "text/html",
                "application/json",
                "application/problem+json",
                "text/csv",
                "text/plain",
            ]
            .iter()
            .any(|kind| t.starts_with(kind))
        });
    if dynamic && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if config.hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csp_allows_no_inline_script_or_eval() {
        let csp = content_security_policy("abc");
        assert!(!csp.contains("'unsafe-inline'"));
        assert!(!csp.contains("'unsafe-eval'"));
        assert!(csp.contains("'nonce-abc'"));
    }

    #[test]
    fn nonces_differ_per_request() {
        assert_ne!(CspNonce::generate().0, CspNonce::generate().0);
        assert!(CspNonce::generate().0.len() >= 22);
    }
}
