//! The browser entry point. It stays tiny: `use app::*` pulls in the islands (their exports are generated
//! only when the app crate is linked from here), and `hydrate` wakes them up and registers the service worker.
#[allow(unused_imports)]
use app::*;
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    mark_hydrated();
    register_service_worker();
}

/// `<html data-hydrated>`: the islands answer clicks from now on (end2end tests wait for it).
fn mark_hydrated() {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-hydrated", "");
    }
}

fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    // `navigator.serviceWorker` is missing on insecure origins and in some private modes.
    if js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false) {
        let _registration = navigator.service_worker().register("/sw.js");
    }
}
