//! Snapshots of what a visitor gets, where a whole picture says more than a list of `.contains`: the `<main>`
//! of pages in both languages and the JSON the islands read. Both databases must give the same snapshot.
//! Change one on purpose with `cargo insta review` (or `INSTA_UPDATE=always`), and read the diff.

use loket_tests::browser::{desiree, Browser};
use loket_tests::{on_both_backends, Backend, TestApp, TestServer};

/// The page's `<main>`, one tag per line, with what differs per request (the CSRF token, nonces) blanked.
fn main_of(html: &str) -> String {
    assert!(html.contains("<main") && html.contains("</main>"), "{html}");
    let start = html.find("<main").unwrap_or_default();
    let end = html[start..]
        .find("</main>")
        .map_or(html.len(), |at| start + at + "</main>".len());
    html[start..end].replace("><", ">\n<")
}

/// Filters for what changes per run or per build: tokens are random, island names carry a build hash; the rest
/// is the demo data at the test clock.
macro_rules! stable {
    ($($body:tt)*) => {
        insta::with_settings!({
            filters => vec![
                (r#"name="csrf" value="[^"]*""#, r#"name="csrf" value="[csrf]""#),
                (r#"nonce="[^"]*""#, r#"nonce="[nonce]""#),
                // Leptos names an island after its component plus a hash of where it is declared.
                (r#"data-component="([A-Za-z]+)_[0-9]+""#, r#"data-component="${1}_[hash]""#),
            ],
            prepend_module_to_snapshot => false,
        }, { $($body)* })
    };
}

/// `<main>` of `path` for an anonymous visitor, snapshot `{name}_{lang}` per language.
async fn main_in_each_language(backend: Backend, path: &str, name: &str) {
    let app = TestApp::start(backend).await;
    for lang in ["nl", "en"] {
        let page = app
            .get_with_cookie(path, &format!("loket_lang={lang}"))
            .await;
        assert_eq!(page.status, 200, "{path} in {lang}");
        stable!(insta::assert_snapshot!(
            format!("{name}_{lang}"),
            main_of(&page.body)
        ));
    }
}

async fn the_front_page_reads_the_same_in_each_language(backend: Backend) {
    main_in_each_language(backend, "/", "front_page").await;
}
on_both_backends!(the_front_page_reads_the_same_in_each_language);

async fn the_sign_in_page_reads_the_same_in_each_language(backend: Backend) {
    main_in_each_language(backend, "/inloggen", "sign_in").await;
}
on_both_backends!(the_sign_in_page_reads_the_same_in_each_language);

async fn the_session_clock_tells_a_signed_in_resident_who_and_until_when(backend: Backend) {
    let server = TestServer::start(backend).await;
    let anonymous = Browser::open(&server).await;
    let (status, session) = anonymous.get("/api/auth/session").await;
    assert_eq!(status, 200);
    insta::assert_json_snapshot!("session_anonymous", session);
    let desiree = desiree(&server).await;
    let (status, session) = desiree.get("/api/auth/session").await;
    assert_eq!(status, 200);
    insta::assert_json_snapshot!("session_desiree", session, {
        ".ends_at" => "[twenty minutes from now]",
        ".account_number" => "[account number]",
    });
}
on_both_backends!(the_session_clock_tells_a_signed_in_resident_who_and_until_when);
