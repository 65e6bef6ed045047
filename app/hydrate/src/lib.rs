//! The browser entry point. It stays tiny: `use app::*` pulls in the islands (their exports are generated
//! only when the app crate is linked from here), and `hydrate` wakes them up and registers the service worker.
#[allow(unused_imports)]
use app::*;
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    register_service_worker();
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
