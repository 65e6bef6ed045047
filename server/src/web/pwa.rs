//! What makes Loket an installable progressive web app: the web app manifest, the service worker, and the
//! municipality's theme style sheet.

use super::router::{AppState, Assets};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::header::{self, HeaderValue};
use serde::Serialize;

/// The W3C Web App Manifest, typed so a missing member is a compile error rather than a silent omission.
#[derive(Debug, Serialize)]
pub struct WebAppManifest {
    pub id: String,
    pub name: String,
    pub short_name: String,
    pub description: String,
    pub lang: String,
    pub dir: &'static str,
    pub start_url: String,
    pub scope: String,
    pub display: &'static str,
    pub background_color: String,
    pub theme_color: String,
    pub icons: Vec<ManifestIcon>,
}

#[derive(Debug, Serialize)]
pub struct ManifestIcon {
    pub src: String,
    pub sizes: String,
    #[serde(rename = "type")]
    pub mime: &'static str,
    pub purpose: &'static str,
}

pub fn manifest(state: &AppState) -> WebAppManifest {
    let m = &state.services.municipality;
    let icons = [
        (192, "any"),
        (512, "any"),
        (192, "maskable"),
        (512, "maskable"),
    ]
    .into_iter()
    .map(|(size, purpose)| ManifestIcon {
        src: if purpose == "maskable" {
            format!("/icons/icon-{size}-maskable.png")
        } else {
            format!("/icons/icon-{size}.png")
        },
        sizes: format!("{size}x{size}"),
        mime: "image/png",
        purpose,
    })
    .collect();
    WebAppManifest {
        id: String::from("/"),
        name: format!("Loket {}", m.name),
        short_name: m.short_name.clone(),
        description: format!("Uw zaken, afspraken en documenten bij {}", m.name),
        lang: String::from("nl"),
        dir: "ltr",
        start_url: String::from("/"),
        scope: String::from("/"),
        display: "standalone",
        background_color: m.brand.background.clone(),
        theme_color: m.brand.primary.clone(),
        icons,
    }
}

pub async fn manifest_handler(State(state): State<AppState>) -> Response {
    match serde_json::to_vec(&manifest(&state)) {
        Ok(body) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/manifest+json"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            ],
            body,
        )
            .into_response(),
        Err(_) => http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

pub async fn theme_handler(State(state): State<AppState>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        state.services.municipality.theme_css(),
    )
        .into_response()
}

/// The service worker script, with this build's cache version and the files to precache filled in.
pub fn service_worker(assets: &Assets, logo: &str) -> String {
    let mut precache = vec![
        String::from("/offline"),
        String::from("/theme.css"),
        String::from("/manifest.webmanifest"),
        String::from("/icons/icon-192.png"),
        logo.to_owned(),
    ];
    precache.extend([assets.css.clone(), assets.js.clone(), assets.wasm.clone()]);
    let list = serde_json::to_string(&precache).unwrap_or_else(|_| String::from("[]"));
    include_str!("sw.js")
        .replace("__VERSION__", &assets.version)
        .replace("[\"__PRECACHE__\"]", &list)
}

pub async fn service_worker_handler(State(state): State<AppState>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            // The browser must always see the newest worker, or old caches would live on.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        state.service_worker.to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_worker_gets_version_and_precache_list() {
        let assets = Assets {
            css: String::from("/pkg/loket.abc.css"),
            js: String::from("/pkg/loket.def.js"),
            wasm: String::from("/pkg/loket.ghi.wasm"),
            version: String::from("v-123"),
        };
        let sw = service_worker(&assets, "/logo.svg");
        assert!(sw.contains("\"v-123\""));
        assert!(sw.contains("\"/pkg/loket.ghi.wasm\""));
        assert!(sw.contains("\"/offline\""));
        assert!(!sw.contains("__PRECACHE__"));
        assert!(!sw.contains("__VERSION__"));
    }
}
