//! Islands: the only parts of Loket that ship WASM. Everything else is plain server-rendered HTML.

use leptos::prelude::*;

/// Announces, politely, when the device goes offline, so a resident on a bad connection knows why nothing
/// happens. Renders nothing while online.
#[island]
pub fn ConnectionStatus(offline_text: String) -> impl IntoView {
    let (online, set_online) = signal(true);
    #[cfg(feature = "hydrate")]
    {
        set_online.set(window().navigator().on_line());
        let on = window_event_listener(leptos::ev::online, move |_| set_online.set(true));
        let off = window_event_listener(leptos::ev::offline, move |_| set_online.set(false));
        on_cleanup(move || {
            on.remove();
            off.remove();
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = set_online;
    view! {
        <div class="loket-connection" role="status" aria-live="polite">
            {move || (!online.get()).then(|| view! { <p class="loket-connection__offline">{offline_text.clone()}</p> })}
        </div>
    }
}
