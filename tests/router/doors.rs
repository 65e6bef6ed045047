//! Signing in with DigiD through a real OpenID Provider (`oidc-provider` on loopback, as the broker): the
//! browser walks Loket's redirect, the provider's login page and the callback, as a resident's would. Each
//! refusal (a replay, another browser, a token wrong in its audience, nonce or expiry, too low a level, an
//! unknown door) goes back to the sign-in page with a sentence, and stores nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use loket_tests::{oidc, on_both_backends, Backend, TestServer};
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

async fn server_with_digid(backend: Backend) -> TestServer {
    TestServer::start_with(backend, oidc::with_digid).await
}

/// A browser that does not follow redirects by itself, so each step can be looked at.
fn browser(server: &TestServer) -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .resolve("localhost", server.addr())
        .build()
        .unwrap()
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// `url` resolved against the URL of the response that named it.
fn absolute(base: &str, location: &str) -> String {
    reqwest::Url::parse(base)
        .and_then(|b| b.join(location))
        .unwrap()
        .to_string()
}

/// Follows redirects from `url` until a page answers (or `stop` says the next URL is not to be fetched);
/// returns the last URL and its response, if fetched.
async fn walk(
    client: &Client,
    mut url: String,
    stop: impl Fn(&str) -> bool,
) -> (String, Option<reqwest::Response>) {
    for _ in 0..10 {
        if stop(&url) {
            return (url, None);
        }
        let response = client.get(&url).send().await.unwrap();
        if !response.status().is_redirection() {
            return (url, Some(response));
        }
        url = absolute(&url, &location(&response));
    }
    panic!("more than ten redirects, last {url}");
}

/// Begins at `path` on Loket, logs in at the provider as `user`, and stops at Loket's callback URL (not yet
/// opened), which it returns.
async fn through_the_broker(
    server: &TestServer,
    client: &Client,
    path: &str,
    user: &str,
) -> String {
    let (interaction, page) = walk(client, format!("{}{path}", server.url), |_| false).await;
    let page = page.unwrap();
    assert_eq!(page.status(), StatusCode::OK, "{interaction}");
    assert!(
        interaction.starts_with(&oidc::issuer()),
        "Loket sends the browser to the broker: {interaction}"
    );
    let body = page.text().await.unwrap();
    assert!(body.contains("Testgebruiker"), "{body}");
    let posted = client
        .post(&interaction)
        .form(&[("login", user)])
        .send()
        .await
        .unwrap();
    assert!(posted.status().is_redirection(), "{}", posted.status());
    let callback_prefix = format!("{}/inloggen/digid/terug", server.url);
    let (callback, _) = walk(client, absolute(&interaction, &location(&posted)), |url| {
        url.starts_with(&callback_prefix)
    })
    .await;
    assert!(callback.starts_with(&callback_prefix), "{callback}");
    callback
}

/// Opens the callback URL: answers the status and where Loket sends her next.
async fn deliver(client: &Client, callback: &str) -> (StatusCode, String) {
    let response = client.get(callback).send().await.unwrap();
    (response.status(), location(&response))
}

/// The body of the page at `url`, as this browser gets it.
async fn text_of(client: &Client, url: &str) -> String {
    client.get(url).send().await.unwrap().text().await.unwrap()
}

async fn count(server: &TestServer, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql)
        .fetch_one(&server.db().pool)
        .await
        .unwrap();
    n
}

async fn session_of(server: &TestServer, client: &Client) -> serde_json::Value {
    client
        .get(format!("{}/api/auth/session", server.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn a_digid_sign_in_at_substantial_opens_her_cases(backend: Backend) {
    let server = server_with_digid(backend).await;
    let client = browser(&server);
    let callback =
        through_the_broker(&server, &client, "/inloggen/digid", "digid-substantieel").await;
    assert!(
        !callback.contains("999993653"),
        "no BSN in any URL: {callback}"
    );
    let (status, next) = deliver(&client, &callback).await;
    assert_eq!((status, next.as_str()), (StatusCode::SEE_OTHER, "/"));
    let session = session_of(&server, &client).await;
    assert_eq!(session["signed_in"], true, "{session}");
    assert_eq!(session["display_name"], "Desiree de Vries");
    assert_eq!(session["assurance"], "substantieel");
    let cases = client
        .get(format!("{}/zaken", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(cases.status(), StatusCode::OK);
    let body = cases.text().await.unwrap();
    assert!(body.contains("ZAAK-2026-0412"), "her cases: {body}");
    assert_eq!(count(&server, "SELECT COUNT(*) FROM door_attempt").await, 0);
}
on_both_backends!(a_digid_sign_in_at_substantial_opens_her_cases);

async fn a_first_digid_sign_in_makes_her_person_and_account_once(backend: Backend) {
    let server = server_with_digid(backend).await;
    let persons = "SELECT COUNT(*) FROM person WHERE bsn = '999991772'";
    let accounts = "SELECT COUNT(*) FROM account a JOIN person p ON p.id = a.person_id WHERE p.bsn = '999991772'";
    assert_eq!(count(&server, persons).await, 0);
    for _ in 0..2 {
        let client = browser(&server);
        let callback = through_the_broker(&server, &client, "/inloggen/digid", "digid-nieuw").await;
        assert_eq!(deliver(&client, &callback).await.0, StatusCode::SEE_OTHER);
        assert_eq!(session_of(&server, &client).await["signed_in"], true);
    }
    assert_eq!(count(&server, persons).await, 1);
    assert_eq!(count(&server, accounts).await, 1);
}
on_both_backends!(a_first_digid_sign_in_makes_her_person_and_account_once);

async fn digid_basis_gives_a_low_session_and_is_refused_where_substantial_was_asked(
    backend: Backend,
) {
    let server = server_with_digid(backend).await;
    let client = browser(&server);
    let callback = through_the_broker(&server, &client, "/inloggen/digid", "digid-basis").await;
    deliver(&client, &callback).await;
    assert_eq!(session_of(&server, &client).await["assurance"], "laag");

    let client = browser(&server);
    let sessions = count(&server, "SELECT COUNT(*) FROM session").await;
    let callback = through_the_broker(
        &server,
        &client,
        "/inloggen/digid?niveau=substantieel&naar=/zaken",
        "digid-basis",
    )
    .await;
    let (_, next) = deliver(&client, &callback).await;
    assert_eq!(next, "/inloggen?mislukt=niveau");
    assert_eq!(
        count(&server, "SELECT COUNT(*) FROM session").await,
        sessions
    );
    let page = text_of(&client, &format!("{}{next}", server.url)).await;
    assert!(
        page.contains("Voor deze pagina is DigiD met een hoger niveau nodig"),
        "{page}"
    );
}
on_both_backends!(digid_basis_gives_a_low_session_and_is_refused_where_substantial_was_asked);

async fn a_replayed_callback_is_refused_and_signs_no_one_in(backend: Backend) {
    let server = server_with_digid(backend).await;
    let client = browser(&server);
    let callback =
        through_the_broker(&server, &client, "/inloggen/digid", "digid-substantieel").await;
    assert_eq!(deliver(&client, &callback).await.1, "/");
    let sessions = count(&server, "SELECT COUNT(*) FROM session").await;
    let (status, next) = deliver(&client, &callback).await;
    assert_eq!(
        (status, next.as_str()),
        (StatusCode::SEE_OTHER, "/inloggen?mislukt=poging")
    );
    assert_eq!(
        count(&server, "SELECT COUNT(*) FROM session").await,
        sessions
    );
}
on_both_backends!(a_replayed_callback_is_refused_and_signs_no_one_in);

async fn a_callback_carried_into_another_browser_is_refused(backend: Backend) {
    let server = server_with_digid(backend).await;
    let hers = browser(&server);
    let callback =
        through_the_broker(&server, &hers, "/inloggen/digid", "digid-substantieel").await;
    // Someone else's browser opens her callback (login CSRF the other way round): no session for it.
    let other = browser(&server);
    assert_eq!(
        deliver(&other, &callback).await.1,
        "/inloggen?mislukt=poging"
    );
    assert_eq!(session_of(&server, &other).await["signed_in"], false);
    assert_eq!(count(&server, "SELECT COUNT(*) FROM session").await, 0);
    // The attempt is used up: her own browser is refused too and begins again.
    assert_eq!(
        deliver(&hers, &callback).await.1,
        "/inloggen?mislukt=poging"
    );
}
on_both_backends!(a_callback_carried_into_another_browser_is_refused);

async fn an_id_token_wrong_in_audience_nonce_or_expiry_is_refused(backend: Backend) {
    let server = server_with_digid(backend).await;
    let persons = count(&server, "SELECT COUNT(*) FROM person").await;
    for user in ["tamper-audience", "tamper-nonce", "tamper-expired"] {
        let client = browser(&server);
        let callback = through_the_broker(&server, &client, "/inloggen/digid", user).await;
        let (status, next) = deliver(&client, &callback).await;
        assert_eq!(
            (status, next.as_str()),
            (StatusCode::SEE_OTHER, "/inloggen?mislukt=controle"),
            "{user}"
        );
        assert_eq!(
            session_of(&server, &client).await["signed_in"],
            false,
            "{user}"
        );
    }
    assert_eq!(count(&server, "SELECT COUNT(*) FROM session").await, 0);
    assert_eq!(count(&server, "SELECT COUNT(*) FROM person").await, persons);
    assert_eq!(count(&server, "SELECT COUNT(*) FROM door_attempt").await, 0);
}
on_both_backends!(an_id_token_wrong_in_audience_nonce_or_expiry_is_refused);

async fn a_token_without_a_bsn_is_refused(backend: Backend) {
    let server = server_with_digid(backend).await;
    let client = browser(&server);
    let callback =
        through_the_broker(&server, &client, "/inloggen/digid", "digid-zonder-bsn").await;
    assert_eq!(deliver(&client, &callback).await.1, "/inloggen?mislukt=bsn");
    assert_eq!(count(&server, "SELECT COUNT(*) FROM session").await, 0);
}
on_both_backends!(a_token_without_a_bsn_is_refused);

async fn an_unknown_door_is_refused_with_a_sentence_in_her_language(backend: Backend) {
    let server = server_with_digid(backend).await;
    let client = browser(&server);
    for path in [
        "/inloggen/eherkenning",
        "/inloggen/eherkenning/terug?state=x&code=y",
    ] {
        let response = client
            .get(format!("{}{path}", server.url))
            .send()
            .await
            .unwrap();
        assert_eq!(location(&response), "/inloggen?mislukt=ingang", "{path}");
    }
    for (lang, sentence) in [
        ("nl", "Op deze manier kunt u hier niet inloggen."),
        ("en", "You cannot sign in this way here."),
    ] {
        let page = client
            .get(format!("{}/inloggen?mislukt=ingang", server.url))
            .header("cookie", format!("loket_lang={lang}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains(sentence), "{lang}: {page}");
    }
    assert_eq!(count(&server, "SELECT COUNT(*) FROM door_attempt").await, 0);
}
on_both_backends!(an_unknown_door_is_refused_with_a_sentence_in_her_language);

async fn the_sign_in_page_names_the_municipality_at_the_digid_button(backend: Backend) {
    let server = server_with_digid(backend).await;
    let page = text_of(&browser(&server), &format!("{}/inloggen", server.url)).await;
    assert!(page.contains(r#"href="/inloggen/digid""#), "{page}");
    assert!(page.contains("Inloggen met DigiD"), "{page}");
    assert!(
        page.contains("documenten bij Gemeente Voorbeeld te zien"),
        "{page}"
    );
    // Without a broker there is no DigiD button.
    let plain = TestServer::start(backend).await;
    let page = text_of(&browser(&plain), &format!("{}/inloggen", plain.url)).await;
    assert!(!page.contains("/inloggen/digid"), "{page}");
}
on_both_backends!(the_sign_in_page_names_the_municipality_at_the_digid_button);
