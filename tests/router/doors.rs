//! Signing in with DigiD through a real OpenID Provider (`oidc-provider` on loopback, as the broker): the
//! browser walks Loket's redirect, the provider's login page and the callback, as a resident's would. Each
//! refusal (a replay, another browser, a token wrong in its audience, nonce or expiry, too low a level, an
//! unknown door) goes back to the sign-in page with a sentence, and stores nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::appointments::{attribute_values, start_values};
use loket_tests::browser::{page, post, server_fn};
use loket_tests::brp::BrpServer;
use loket_tests::{count, oidc, on_both_backends, Backend, TestServer};
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

async fn server_with_digid(backend: Backend) -> TestServer {
    TestServer::start_with(backend, oidc::with_digid).await
}

/// DigiD through the test broker, and the loopback BRP.
async fn server_with_digid_and_brp(backend: Backend, brp: &BrpServer) -> TestServer {
    let brp = brp.config();
    TestServer::start_with(backend, move |config| {
        oidc::with_digid(config);
        config.brp = Some(brp);
    })
    .await
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
    // The door's own way back: `/inloggen/digid` comes back at `/inloggen/digid/terug`.
    let door = path.trim_start_matches("/inloggen/");
    let door = door.split('?').next().unwrap();
    let callback_prefix = format!("{}/inloggen/{door}/terug", server.url);
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

async fn a_passkey_only_session_cannot_read_her_cases_contacts_or_documents(backend: Backend) {
    let server = server_with_digid(backend).await;
    // Desiree with the passkey the demo's activation code gave her, and no DigiD in this session.
    let browser = loket_tests::browser::desiree(&server).await;
    let case = loket_tests::case_page(server.db(), "ZAAK-2026-0412").await;
    let ask = "Log opnieuw in met DigiD om uw zaken te zien";
    for path in [
        "/zaken",
        case.as_str(),
        "/contactmomenten",
        "/documenten",
        "/",
    ] {
        let (status, body) = loket_tests::browser::page(&browser, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(body.contains(ask), "{path} asks for DigiD: {body}");
        for hidden in ["ZAAK-2026-0412", "Vraag over bijzondere bijstand"] {
            assert!(!body.contains(hidden), "{path} shows nothing of {hidden}");
        }
    }
    // The way there asks the broker for the level her records need and comes back to the page.
    let (_, cases) = loket_tests::browser::page(&browser, "/zaken").await;
    assert!(
        cases.contains(r#"href="/inloggen/digid?niveau=substantieel&amp;naar=%2Fzaken""#),
        "{cases}"
    );
    // The islands' data is closed the same way.
    let id = case.trim_start_matches("/zaken/");
    assert_eq!(
        server_fn(&browser, "case", &[("id", id)]).await,
        serde_json::Value::Null
    );
    assert_eq!(
        server_fn(&browser, "contacts", &[]).await,
        serde_json::json!([])
    );
    assert_eq!(
        server_fn(&browser, "documents", &[]).await,
        serde_json::Value::Null
    );
    // What needs no BSN-linked data stays hers: her appointments and her settings.
    for path in ["/afspraken", "/instellingen/berichten"] {
        let (status, body) = loket_tests::browser::page(&browser, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(!body.contains(ask), "{path} needs no DigiD");
    }
}
on_both_backends!(a_passkey_only_session_cannot_read_her_cases_contacts_or_documents);

async fn at_basis_a_case_page_asks_for_a_higher_level(backend: Backend) {
    let server = server_with_digid(backend).await;
    let client = browser(&server);
    let callback = through_the_broker(&server, &client, "/inloggen/digid", "digid-basis").await;
    deliver(&client, &callback).await;
    let page = text_of(&client, &format!("{}/zaken", server.url)).await;
    assert!(
        page.contains("U bent ingelogd met DigiD op een lager niveau."),
        "{page}"
    );
    assert!(
        page.contains("DigiD op niveau Substantieel nodig"),
        "{page}"
    );
    assert!(
        page.contains(r#"href="/inloggen/digid?niveau=substantieel&amp;naar=%2Fzaken""#),
        "{page}"
    );
}
on_both_backends!(at_basis_a_case_page_asks_for_a_higher_level);

async fn without_a_broker_the_demo_door_opens_everything_and_says_so(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (_, sign_in) = loket_tests::browser::page(
        &loket_tests::browser::Browser::open(&server).await,
        "/inloggen",
    )
    .await;
    assert!(sign_in.contains("Demo-ingang"), "{sign_in}");
    let browser = loket_tests::browser::desiree(&server).await;
    let (_, cases) = loket_tests::browser::page(&browser, "/zaken").await;
    assert!(cases.contains("ZAAK-2026-0412"), "{cases}");
    assert!(!cases.contains("Log opnieuw in met DigiD"), "{cases}");
    // With a broker there is no demo door.
    let with = server_with_digid(backend).await;
    let (_, sign_in) = loket_tests::browser::page(
        &loket_tests::browser::Browser::open(&with).await,
        "/inloggen",
    )
    .await;
    assert!(!sign_in.contains("Demo-ingang"), "{sign_in}");
    assert!(
        sign_in.contains("Voor uw zaken, contactmomenten en documenten logt u in met DigiD."),
        "{sign_in}"
    );
}
on_both_backends!(without_a_broker_the_demo_door_opens_everything_and_says_so);

/// The hidden fields and action of the first form in `html` (as a browser would post it).
fn form_of(html: &str) -> (String, Vec<(String, String)>) {
    let action = html
        .split("action=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .replace("&amp;", "&");
    let fields = html
        .split("<input type=\"hidden\" ")
        .skip(1)
        .map(|input| {
            let attr = |name: &str| {
                input
                    .split(&format!("{name}=\""))
                    .nth(1)
                    .and_then(|rest| rest.split('"').next())
                    .unwrap()
                    .replace("&amp;", "&")
            };
            (attr("name"), attr("value"))
        })
        .collect();
    (action, fields)
}

/// The CSRF token of this browser's session, as its pages carry it.
async fn csrf_of(client: &Client, server: &TestServer) -> String {
    let page = text_of(client, &format!("{}/", server.url)).await;
    page.split("name=\"csrf-token\" content=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned()
}

async fn sign_out_ends_her_session_at_loket_and_at_the_broker(backend: Backend) {
    let server = server_with_digid(backend).await;
    let client = browser(&server);
    let callback =
        through_the_broker(&server, &client, "/inloggen/digid", "digid-substantieel").await;
    deliver(&client, &callback).await;
    let callback_prefix = format!("{}/inloggen/digid/terug", server.url);
    // While her broker session lives, a new sign-in comes straight back without its login page.
    let (again, _) = walk(&client, format!("{}/inloggen/digid", server.url), |url| {
        url.starts_with(&callback_prefix)
    })
    .await;
    assert!(again.starts_with(&callback_prefix), "{again}");
    assert_eq!(deliver(&client, &again).await.1, "/");

    let csrf = csrf_of(&client, &server).await;
    let signed_out = client
        .post(format!("{}/uitloggen", server.url))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), StatusCode::OK);
    let policy = signed_out.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        policy.contains(&format!("form-action {}", oidc::issuer())),
        "{policy}"
    );
    let page = signed_out.text().await.unwrap();
    assert!(page.contains("U bent uitgelogd bij Loket."), "{page}");
    let (action, fields) = form_of(&page);
    assert!(action.starts_with(&oidc::issuer()), "{action}");
    let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
    // No `id_token_hint`: her ID token carries her BSN, and this request is a URL.
    assert_eq!(names, ["client_id", "post_logout_redirect_uri"]);
    assert!(page.contains(r#"<form method="get""#), "{page}");
    // Loket's side is over at once.
    assert_eq!(session_of(&server, &client).await["signed_in"], false);
    assert_eq!(count(&server, "SELECT COUNT(*) FROM session").await, 0);

    // The broker asks her to confirm, then sends her back to Loket's signed-out page.
    let end = reqwest::Url::parse_with_params(&action, &fields).unwrap();
    assert!(!end.as_str().contains("999993653"));
    let confirm = client.get(end.as_str()).send().await.unwrap();
    let status = confirm.status();
    let confirm_page = confirm.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{action}: {confirm_page}");
    let (confirm_action, mut confirm_fields) = form_of(&confirm_page);
    confirm_fields.push((String::from("logout"), String::from("yes")));
    let done = client
        .post(absolute(&action, &confirm_action))
        .form(&confirm_fields)
        .send()
        .await
        .unwrap();
    assert!(done.status().is_redirection(), "{}", done.status());
    assert!(
        location(&done).starts_with(&format!("{}/inloggen?reden=uitgelogd", server.url)),
        "{}",
        location(&done)
    );
    // Her broker session is over too: the next sign-in shows its login page again.
    let (next, page) = walk(&client, format!("{}/inloggen/digid", server.url), |url| {
        url.starts_with(&callback_prefix)
    })
    .await;
    assert!(next.starts_with(&oidc::issuer()), "{next}");
    assert!(page
        .unwrap()
        .text()
        .await
        .unwrap()
        .contains("Testgebruiker"));
}
on_both_backends!(sign_out_ends_her_session_at_loket_and_at_the_broker);

async fn an_eherkenning_sign_in_opens_the_companys_pages(backend: Backend) {
    let server = TestServer::start_with(backend, oidc::with_digid_and_eherkenning).await;
    let sign_in = text_of(&browser(&server), &format!("{}/inloggen", server.url)).await;
    assert!(
        sign_in.contains(r#"href="/inloggen/eherkenning""#),
        "{sign_in}"
    );
    let subjects = "SELECT COUNT(*) FROM door_subject";
    for _ in 0..2 {
        let client = browser(&server);
        let callback = through_the_broker(
            &server,
            &client,
            "/inloggen/eherkenning",
            "eherkenning-loa3",
        )
        .await;
        assert!(!callback.contains("90001234"), "no KvK number in any URL");
        assert_eq!(deliver(&client, &callback).await.1, "/");
        let session = session_of(&server, &client).await;
        assert_eq!(session["signed_in"], true, "{session}");
        assert_eq!(session["assurance"], "substantieel");
        // Acting for the company the broker named: its case, not Desiree's own.
        let cases = text_of(&client, &format!("{}/zaken", server.url)).await;
        assert!(cases.contains("ZAAK-2026-0501"), "{cases}");
        assert!(!cases.contains("ZAAK-2026-0412"), "{cases}");
        assert!(!cases.contains("Log opnieuw in met DigiD"), "{cases}");
        let overview = text_of(&client, &format!("{}/", server.url)).await;
        assert!(overview.contains("Bloemenzaak De Vries"), "{overview}");
    }
    // The acting person is one person, found again by the broker's pseudonym, a confirmed member.
    assert_eq!(count(&server, subjects).await, 1);
    assert_eq!(
        count(
            &server,
            "SELECT COUNT(*) FROM membership m JOIN door_subject d ON d.person_id = m.person_id
             WHERE m.confirmed_at_ms IS NOT NULL"
        )
        .await,
        1
    );
}
on_both_backends!(an_eherkenning_sign_in_opens_the_companys_pages);

async fn mijn_gegevens_asks_the_brp_for_her_own_record_in_a_digid_session_only(backend: Backend) {
    let brp = BrpServer::start().await;
    let server = server_with_digid_and_brp(backend, &brp).await;
    // A passkey-only session: asked for DigiD, and nothing is asked of the BRP.
    let passkey = loket_tests::browser::desiree(&server).await;
    let (_, html) = loket_tests::browser::page(&passkey, "/mijn-gegevens").await;
    assert!(html.contains("Log opnieuw in met DigiD"), "{html}");
    assert_eq!(
        server_fn(&passkey, "my-details", &[]).await,
        serde_json::Value::Null
    );
    assert!(brp.requests().is_empty());

    let client = browser(&server);
    let callback =
        through_the_broker(&server, &client, "/inloggen/digid", "digid-substantieel").await;
    deliver(&client, &callback).await;
    let html = text_of(&client, &format!("{}/mijn-gegevens", server.url)).await;
    for shown in [
        "Desiree de Vries",
        "12 april 1986",
        "Amsterdam",
        "Dorpsstraat 5",
    ] {
        assert!(html.contains(shown), "{shown}: {html}");
    }
    let requests = brp.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0]["type"], "RaadpleegMetBurgerservicenummer");
    assert_eq!(
        requests[0]["burgerservicenummer"],
        serde_json::json!(["999993653"])
    );
    assert_eq!(
        requests[0]["fields"],
        serde_json::json!([
            "burgerservicenummer",
            "naam.volledigeNaam",
            "geboorte.datum",
            "geboorte.plaats",
            "adressering.adresregel1",
            "adressering.adresregel2",
            "adressering.adresregel3"
        ])
    );
    brp.assert_clean();
}
on_both_backends!(mijn_gegevens_asks_the_brp_for_her_own_record_in_a_digid_session_only);

async fn a_passkey_binds_to_the_account_her_first_digid_sign_in_made(backend: Backend) {
    let server = server_with_digid(backend).await;
    let client = browser(&server);
    let callback =
        through_the_broker(&server, &client, "/inloggen/digid", "digid-substantieel").await;
    deliver(&client, &callback).await;
    // Later, the activation code and a passkey for convenience: bound to that same account.
    let passkey = loket_tests::browser::desiree(&server).await;
    assert!(passkey.signed_in().await);
    assert_eq!(
        count(
            &server,
            "SELECT COUNT(*) FROM account a JOIN person p ON p.id = a.person_id WHERE p.bsn = '999993653'"
        )
        .await,
        1
    );
}
on_both_backends!(a_passkey_binds_to_the_account_her_first_digid_sign_in_made);

async fn eidas_opens_her_records_by_a_linked_bsn_or_finds_her_again_by_pseudonym(backend: Backend) {
    let server = TestServer::start_with(backend, oidc::with_every_door).await;
    let sign_in = text_of(&browser(&server), &format!("{}/inloggen", server.url)).await;
    assert!(sign_in.contains(r#"href="/inloggen/eidas""#), "{sign_in}");

    // With the BSN the broker linked: her own cases, as with DigiD.
    let client = browser(&server);
    let callback = through_the_broker(&server, &client, "/inloggen/eidas", "eidas-met-bsn").await;
    assert_eq!(deliver(&client, &callback).await.1, "/");
    assert_eq!(
        session_of(&server, &client).await["assurance"],
        "substantieel"
    );
    let cases = text_of(&client, &format!("{}/zaken", server.url)).await;
    assert!(cases.contains("ZAAK-2026-0412"), "{cases}");

    // Without one: a person of her own behind the pseudonym, the same one next time, her (empty) records open.
    for _ in 0..2 {
        let client = browser(&server);
        let callback =
            through_the_broker(&server, &client, "/inloggen/eidas", "eidas-zonder-bsn").await;
        assert_eq!(deliver(&client, &callback).await.1, "/");
        let cases = text_of(&client, &format!("{}/zaken", server.url)).await;
        assert!(!cases.contains("ZAAK-2026-0412"), "{cases}");
        assert!(!cases.contains("Log opnieuw in met DigiD"), "{cases}");
    }
    assert_eq!(
        count(
            &server,
            "SELECT COUNT(*) FROM door_subject WHERE door = 'eidas'"
        )
        .await,
        1
    );
}
on_both_backends!(eidas_opens_her_records_by_a_linked_bsn_or_finds_her_again_by_pseudonym);

async fn acting_for_a_represented_person_shows_only_her_pages_read_only_and_both_logs_say_so(
    backend: Backend,
) {
    let server = server_with_digid(backend).await;
    // 999990019 signs in with DigiD and the broker says he acts for 999993653 (Desiree).
    let jan = browser(&server);
    let callback = through_the_broker(&server, &jan, "/inloggen/digid", "digid-machtiging").await;
    assert!(
        !callback.contains("999993653") && !callback.contains("999990019"),
        "no BSN in any URL: {callback}"
    );
    assert_eq!(deliver(&jan, &callback).await.0, StatusCode::SEE_OTHER);
    let cases = text_of(&jan, &format!("{}/zaken", server.url)).await;
    assert!(cases.contains("ZAAK-2026-0412"), "her cases: {cases}");
    assert!(
        cases.contains("U regelt dit namens Desiree de Vries."),
        "{cases}"
    );
    let case = loket_tests::case_page(server.db(), "ZAAK-2026-0412").await;
    let page = text_of(&jan, &format!("{}{case}", server.url)).await;
    assert!(page.contains("ZAAK-2026-0412"), "{page}");
    // Only hers: the organisations Desiree is a member of are not his to switch to.
    let session = session_of(&server, &jan).await;
    assert_eq!(session["signed_in"], true, "{session}");

    // Nothing changes on her behalf: every form and JSON route that changes state, and every server function
    // that is not a read, is refused, and so is a new sign-in through a door.
    let before = count(&server, "SELECT COUNT(*) FROM digital_address").await;
    let csrf = csrf_of(&jan, &server).await;
    let id = case.trim_start_matches("/zaken/").to_owned();
    for (path, methods) in server::web::state_changing_routes() {
        if server::web::PREVIEW_MAY_POST.contains(&path) {
            continue;
        }
        let concrete = loket_tests::concrete(path, &id);
        for method in methods {
            let url = format!("{}{concrete}", server.url);
            if method == http::Method::POST {
                let response = jan
                    .post(&url)
                    .form(&[("csrf", csrf.as_str()), ("value", "jan@example.nl")])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
                assert_eq!(location(&response), "/?voorbeeld=alleen-lezen", "{path}");
            }
            let response = jan
                .request(method.clone(), &url)
                .header("x-csrf-token", &csrf)
                .json(&serde_json::json!({}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{method} {path}");
            assert!(
                response
                    .text()
                    .await
                    .unwrap()
                    .contains("Namens iemand anders kunt u"),
                "{path}"
            );
        }
    }
    for name in server::web::server_fn_names() {
        let response = jan
            .post(format!("{}/fn/{name}", server.url))
            .header("x-csrf-token", &csrf)
            .form(&[("id", id.as_str())])
            .send()
            .await
            .unwrap();
        if !app::api::READ_ONLY_FNS.contains(&name.as_str()) {
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{name}");
        }
    }
    let door = jan
        .get(format!("{}/inloggen/digid", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(door.status(), StatusCode::FORBIDDEN);
    let refused = text_of(&jan, &format!("{}/?voorbeeld=alleen-lezen", server.url)).await;
    assert!(
        refused.contains("Dit kan niet namens iemand anders"),
        "{refused}"
    );
    assert_eq!(
        count(&server, "SELECT COUNT(*) FROM digital_address").await,
        before
    );

    // His own log says what he looked at on her behalf, by her name; hers says who looked, by his account
    // number (the BRP gave no name for him here).
    let his = text_of(&jan, &format!("{}/activiteit", server.url)).await;
    assert!(
        his.contains("U bekeek namens Desiree de Vries de zaken."),
        "{his}"
    );
    let reads = "SELECT COUNT(*) FROM audit_event WHERE event = 'read-on-behalf'";
    assert!(count(&server, reads).await >= 2);
    let desiree = browser(&server);
    let callback =
        through_the_broker(&server, &desiree, "/inloggen/digid", "digid-substantieel").await;
    deliver(&desiree, &callback).await;
    let hers = text_of(&desiree, &format!("{}/activiteit", server.url)).await;
    assert!(hers.contains("bekeek namens u uw zaken."), "{hers}");
    // Her own session is hers again: no banner.
    assert!(!hers.contains("U regelt dit namens"), "{hers}");
}
on_both_backends!(
    acting_for_a_represented_person_shows_only_her_pages_read_only_and_both_logs_say_so
);

async fn a_represented_bsn_that_is_no_bsn_refuses_the_sign_in(backend: Backend) {
    let server = server_with_digid(backend).await;
    let client = browser(&server);
    let callback =
        through_the_broker(&server, &client, "/inloggen/digid", "digid-machtiging-fout").await;
    assert_eq!(deliver(&client, &callback).await.1, "/inloggen?mislukt=bsn");
    assert_eq!(count(&server, "SELECT COUNT(*) FROM session").await, 0);
}
on_both_backends!(a_represented_bsn_that_is_no_bsn_refuses_the_sign_in);

async fn a_first_time_caller_is_recorded_booked_for_and_bound_at_her_first_digid_sign_in(
    backend: Backend,
) {
    let brp = BrpServer::start().await;
    let server = server_with_digid_and_brp(backend, &brp).await;
    let karin = loket_tests::browser::karin(&server).await;
    let persons = "SELECT COUNT(*) FROM person";
    let before = count(&server, persons).await;

    // A date that does not exist: the sentence at the field, what she typed kept, nothing stored.
    let told = [
        ("naam", "Fatima  el Amrani"),
        ("geboortedatum", "31-2-1990"),
    ];
    let (status, _, html) = post(&karin, "/medewerkers/nieuwe-beller", &told).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("id=\"beller-geboortedatum-error\""), "{html}");
    assert!(html.contains("Vul een geboortedatum in"), "{html}");
    assert!(html.contains("value=\"Fatima  el Amrani\""), "{html}");
    assert_eq!(count(&server, persons).await, before);

    // Recorded as told, marked unverified on her card.
    let told = [
        ("naam", "Fatima  el Amrani"),
        ("geboortedatum", "15-7-1990"),
    ];
    let (status, card, html) = post(&karin, "/medewerkers/nieuwe-beller", &told).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("De beller is vastgelegd als niet geverifieerd."),
        "{html}"
    );
    assert!(html.contains("Niet geverifieerd:"), "{html}");
    let card = reqwest::Url::parse(&card).unwrap().path().to_owned();
    assert!(card.starts_with("/medewerkers/inwoners/"), "{card}");
    let id = card.rsplit('/').next().unwrap().to_owned();
    assert_eq!(
        count(
            &server,
            &format!("SELECT COUNT(*) FROM person WHERE id = '{id}' AND bsn IS NULL AND display_name = 'Fatima el Amrani' AND birth_date = '1990-07-15' AND unverified_since_ms IS NOT NULL")
        )
        .await,
        1
    );

    // Karin books for her, with the number she gives on the phone.
    let base = format!("{card}/afspraak-maken");
    let (_, html) = page(&karin, &format!("{base}?dienst=paspoort&locatie=stadhuis")).await;
    let day = attribute_values(&html, "&amp;dag=")
        .into_iter()
        .chain(attribute_values(&html, "&dag="))
        .next()
        .expect("a day with free times");
    let (_, html) = page(
        &karin,
        &format!("{base}?dienst=paspoort&locatie=stadhuis&dag={day}"),
    )
    .await;
    let start = start_values(&html)[0].clone();
    let key = loket_tests::appointments::key();
    let fields = [
        ("service", "paspoort"),
        ("location", "stadhuis"),
        ("day", day.as_str()),
        ("start", start.as_str()),
        ("key", key.as_str()),
        ("kanaal", "nieuw-sms"),
        ("nieuw-sms", "06 5876 5432"),
    ];
    let (status, _, html) = post(&karin, &base, &fields).await;
    assert_eq!(status, 200, "{html}");
    let hers =
        format!("SELECT COUNT(*) FROM appointment WHERE person_id = '{id}' AND status = 'booked'");
    assert_eq!(count(&server, &hers).await, 1);

    // Her first DigiD sign-in: the BRP names her (only the binding task's fields asked), the told record is
    // hers now, with the appointment; no second person for her BSN.
    let fatima = browser(&server);
    let callback = through_the_broker(&server, &fatima, "/inloggen/digid", "digid-nieuw").await;
    assert_eq!(deliver(&fatima, &callback).await.0, StatusCode::SEE_OTHER);
    assert_eq!(
        count(
            &server,
            "SELECT COUNT(*) FROM person WHERE bsn = '999991772'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &server,
            &format!("SELECT COUNT(*) FROM person WHERE id = '{id}' AND bsn = '999991772' AND unverified_since_ms IS NULL")
        )
        .await,
        1
    );
    let appointments = text_of(&fatima, &format!("{}/afspraken", server.url)).await;
    assert!(appointments.contains("Paspoort"), "{appointments}");
    let activity = text_of(&fatima, &format!("{}/activiteit", server.url)).await;
    assert!(
        activity.contains("gekoppeld aan uw BSN, bij uw eerste inlog met DigiD"),
        "{activity}"
    );
    assert!(
        activity.contains("legde u vast zoals u het aan de telefoon vertelde"),
        "{activity}"
    );
    let asked = brp.requests();
    let binding = asked.last().unwrap();
    assert_eq!(binding["type"], "RaadpleegMetBurgerservicenummer");
    assert_eq!(
        binding["fields"],
        serde_json::json!([
            "burgerservicenummer",
            "naam.volledigeNaam",
            "geboorte.datum"
        ])
    );
    brp.assert_clean();

    // Her card no longer says unverified.
    let (_, html) = page(&karin, &card).await;
    assert!(!html.contains("Niet geverifieerd:"), "{html}");
}
on_both_backends!(a_first_time_caller_is_recorded_booked_for_and_bound_at_her_first_digid_sign_in);

async fn booking_in_her_digid_session_does_not_ask_what_the_brp_knows(backend: Backend) {
    let brp = BrpServer::start().await;
    let server = server_with_digid_and_brp(backend, &brp).await;
    // The passport desk needs her birth date (Loket knows it) and her address (only the BRP knows it).
    sqlx::query("UPDATE appointment_service SET required_fields = 'birth-date,postal-address' WHERE id = 'paspoort'")
        .execute(&server.db().pool)
        .await
        .unwrap();
    let client = browser(&server);
    let callback =
        through_the_broker(&server, &client, "/inloggen/digid", "digid-substantieel").await;
    deliver(&client, &callback).await;
    let base = format!(
        "{}/afspraak-maken?dienst=paspoort&locatie=stadhuis",
        server.url
    );
    let html = text_of(&client, &base).await;
    let day = attribute_values(&html, "&amp;dag=")
        .into_iter()
        .chain(attribute_values(&html, "&dag="))
        .next()
        .expect("a day with free times");
    let html = text_of(&client, &format!("{base}&dag={day}")).await;
    assert!(
        html.contains("Uw adres: Dorpsstraat 5, 1234 AB VOORBEELD. Dit weten we al."),
        "{html}"
    );
    assert!(!html.contains("name=\"postcode\""), "{html}");
    let start = start_values(&html)[0].clone();
    let csrf = csrf_of(&client, &server).await;
    let key = loket_tests::appointments::key();
    let booked = client
        .post(format!("{}/afspraak-maken", server.url))
        .form(&[
            ("csrf", csrf.as_str()),
            ("service", "paspoort"),
            ("location", "stadhuis"),
            ("day", day.as_str()),
            ("start", start.as_str()),
            ("key", key.as_str()),
            ("kanaal", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(booked.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&booked).contains("gelukt=geboekt"),
        "{}",
        location(&booked)
    );
    // Used for this booking, kept nowhere: not with the appointment, not with her.
    assert_eq!(
        count(
            &server,
            "SELECT COUNT(*) FROM appointment_detail WHERE value LIKE '%1234 AB%'"
        )
        .await,
        0
    );
    let asked = brp.requests();
    assert!(asked.len() >= 2, "{asked:?}");
    for request in asked {
        assert_eq!(request["type"], "RaadpleegMetBurgerservicenummer");
        assert_eq!(
            request["fields"],
            serde_json::json!([
                "burgerservicenummer",
                "geboorte.datum",
                "adressering.adresregel1",
                "adressering.adresregel2"
            ])
        );
    }
    brp.assert_clean();
}
on_both_backends!(booking_in_her_digid_session_does_not_ask_what_the_brp_knows);

async fn a_client_that_signs_a_jwt_instead_of_sending_a_secret_signs_her_in(backend: Backend) {
    let server = TestServer::start_with(backend, oidc::with_digid_by_private_key).await;
    let client = browser(&server);
    let callback =
        through_the_broker(&server, &client, "/inloggen/digid", "digid-substantieel").await;
    let (status, next) = deliver(&client, &callback).await;
    assert_eq!((status, next.as_str()), (StatusCode::SEE_OTHER, "/"));
    let session = session_of(&server, &client).await;
    assert_eq!(session["signed_in"], true, "{session}");
    assert_eq!(session["display_name"], "Desiree de Vries");
}
on_both_backends!(a_client_that_signs_a_jwt_instead_of_sending_a_secret_signs_her_in);
