//! The HTTP edge: thin handlers, one router, and the security headers every response carries.
//!
//! - [`extract`]: who is asking and the posted form, typed; [`reply`]: redirects and the one page error;
//!   [`errors`]: every domain error mapped once, for pages and for server functions.
//! - [`forms`]: page forms (POST), one module per area; [`downloads`]: files for a signed-in visitor.
//! - [`json`]: the islands' JSON (passkeys, the session clock, sending documents); [`backoffice`]: `/api/v1`.
//! - [`middleware`]: session and CSRF, security headers, the control-character guard.
//! - [`bridge`]: the UI contract's server functions, delegating to the read models in [`crate::views`].

// The edge reads the clock once per request and hands it to the domain as `now`.
#![allow(clippy::disallowed_methods)]

mod backoffice;
mod bridge;
mod doors;
mod downloads;
mod errors;
mod extract;
mod forms;
mod json;
mod middleware;
mod pwa;
mod reply;
mod router;

use middleware::{security, session};

pub use backoffice::openapi_document;

pub use crate::services::{Services, WebPush};
pub use router::{router, server_fn_names, state_changing_routes, AppState, Assets};
pub use security::CspNonce;
pub use session::{CsrfToken, Visitor, CSRF_FIELD, CSRF_HEADER, PREVIEW_MAY_POST};

tokio::task_local! {
    /// The language of the request being answered, set by [`visitor_language`] for answers built where the
    /// request is out of reach (an error's `IntoResponse`).
    static REQUEST_LANG: app::i18n::Lang;
}

/// The language of the request being answered; Dutch outside a request.
pub(crate) fn request_lang() -> app::i18n::Lang {
    REQUEST_LANG.try_with(|lang| *lang).unwrap_or_default()
}

/// Middleware: answers the request in the visitor's language (see [`request_lang`]).
pub(crate) async fn visitor_language(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let lang = router::language(request.headers());
    REQUEST_LANG.scope(lang, next.run(request)).await
}

/// A plain-text answer: Fluent message `key` in the language of the request being answered.
pub(crate) fn plain_refusal(status: http::StatusCode, key: &str) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        status,
        [(http::header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        app::i18n::tr(request_lang(), key),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    /// The source files under `dir`, recursively.
    fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn every_refusal_key_the_server_names_is_in_both_catalogues() {
        use app::i18n::{has, Lang};
        let mut files = Vec::new();
        sources(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        let mut keys = std::collections::BTreeSet::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            // Every other piece between quotes is a string literal (close enough for keys, which hold none).
            for literal in text.split('"').skip(1).step_by(2) {
                let key_like = literal.contains("-refused")
                    && literal
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                if key_like {
                    keys.insert(literal.to_owned());
                }
            }
        }
        assert!(keys.len() > 60, "{keys:?}");
        for key in &keys {
            for lang in [Lang::Nl, Lang::En] {
                assert!(has(lang, key), "{key} is missing in {lang:?}");
            }
        }
    }
}
