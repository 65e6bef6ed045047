//! Characters no form or API field may hold, refused at the edge before any handler or database sees them:
//! NUL (PostgreSQL cannot store it in text and SQLite would keep it), the other control characters except
//! tab and line breaks, and the bidirectional overrides and isolates that make a name or label read
//! differently from what is stored (`U+202A`–`U+202E`, `U+2066`–`U+2069`). Both databases then answer alike.

use crate::web::router::BODY_LIMIT;
use app::i18n::Lang;
use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, Method, StatusCode};

/// A character no text field takes.
pub fn forbidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The name of the first field (form field, or JSON path) whose name or value holds a forbidden character.
fn first_bad_form_field(bytes: &[u8]) -> Option<String> {
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes).ok()?;
    fields
        .into_iter()
        .find(|(name, value)| name.chars().chain(value.chars()).any(forbidden))
        .map(|(name, _)| name)
}

fn first_bad_json_value(value: &serde_json::Value, path: &str) -> Option<String> {
    match value {
        serde_json::Value::String(text) => text.chars().any(forbidden).then(|| path.to_owned()),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| first_bad_json_value(item, &format!("{path}[{i}]"))),
        serde_json::Value::Object(map) => map.iter().find_map(|(key, item)| {
            let here = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            if key.chars().any(forbidden) {
                Some(here)
            } else {
                first_bad_json_value(item, &here)
            }
        }),
        _ => None,
    }
}

fn sentence(lang: Lang) -> String {
    app::i18n::tr(lang, "input-refused-invisible")
}

/// Refuses a form or JSON request that carries a forbidden character: 422 with a sentence (a form), or a
/// JSON problem naming the field. Other requests, and bodies that are neither, pass unchanged.
pub async fn refuse_control_characters(request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let form = content_type.starts_with("application/x-www-form-urlencoded");
    let json = content_type.starts_with("application/json")
        || content_type.starts_with("application/merge-patch+json");
    if !form && !json {
        return next.run(request).await;
    }
    let lang = crate::web::router::language(request.headers());
    let api = request.uri().path().starts_with("/api/v1/");
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => bytes,
        // Over the limit: the size layer's own answer follows from the handler reading it; say it here.
        Err(_) => {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                app::i18n::tr(lang, "input-refused-too-large"),
            )
                .into_response()
        }
    };
    let bad = if form {
        first_bad_form_field(&bytes)
    } else {
        serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|value| first_bad_json_value(&value, ""))
    };
    let Some(field) = bad else {
        return next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
    };
    let text = sentence(lang);
    if form {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            text,
        )
            .into_response();
    }
    let body = serde_json::json!({
        "type": "about:blank",
        "title": text,
        "status": 400,
        "message": text,
        "invalid_params": [{ "name": field, "reason": text }],
    });
    (
        StatusCode::BAD_REQUEST,
        [(
            header::CONTENT_TYPE,
            if api {
                "application/problem+json"
            } else {
                "application/json"
            },
        )],
        body.to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_controls_and_bidi_overrides_are_refused_and_ordinary_text_is_not() {
        for bad in ['\0', '\u{1}', '\u{7f}', '\u{85}', '\u{202E}', '\u{2066}'] {
            assert!(forbidden(bad), "{:?}", bad);
        }
        for good in [
            'a', 'ë', '\t', '\n', '\r', ' ', '€', 'ß', 'ы', 'א', '\u{200F}',
        ] {
            assert!(!forbidden(good), "{:?}", good);
        }
        assert_eq!(
            first_bad_form_field(b"naam=Desiree&label=mijn%00adres").as_deref(),
            Some("label")
        );
        assert_eq!(first_bad_form_field(b"tekst=regel%0Aregel"), None);
        let json: serde_json::Value =
            serde_json::json!({ "initiator": { "name": "x\u{202E}y" }, "ok": ["a"] });
        assert_eq!(
            first_bad_json_value(&json, "").as_deref(),
            Some("initiator.name")
        );
    }
}
