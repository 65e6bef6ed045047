//! Identity over real HTTP with a software passkey (webauthn-authenticator-rs SoftPasskey): activation,
//! sign-in, more passkeys, removal, replay and wrong origin; CSRF and rate limits; no personal data in logs.

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use loket_tests::browser::Browser;
use loket_tests::{Backend, TestServer};
use serde_json::{json, Value};
use webauthn_authenticator_rs::prelude::{CreationChallengeResponse, Url, WebauthnAuthenticator};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;

async fn passkey_activation_sign_in_and_removal(backend: Backend) {
    let server = TestServer::start(backend).await;
    let browser = Browser::open(&server).await;
    let mut phone = SoftPasskey::new(true);
    let mut laptop = SoftPasskey::new(true);

    // Activation binds Desiree's identity to a first passkey and signs her in.
    let code = browser.demo_code("desiree").await;
    let (status, activated) = browser.activate(&code, &mut phone, "Telefoon").await;
    assert_eq!(status, 200, "{activated}");
    let account = activated["account_number"].as_str().unwrap().to_owned();
    assert!(browser.signed_in().await);
    let (_, me) = browser.get("/api/auth/session").await;
    assert_eq!(me["display_name"], "Desiree de Vries");
    assert_eq!(me["assurance"], "substantieel");

    // The code was single-use.
    let (status, body) = browser.activate(&code, &mut laptop, "Laptop").await;
    assert_eq!(status, 400);
    assert_eq!(
        body["message"],
        "Deze code werkt niet. Controleer de code of vraag een nieuwe aan."
    );

    // Sign out, sign in again with the phone.
    let (status, _) = browser.post("/api/auth/sign-out", json!({})).await;
    assert_eq!(status, 204);
    assert!(!browser.signed_in().await);
    let (status, body, used) = browser.sign_in(&account, &mut phone).await;
    assert_eq!(status, 200, "{body}");
    assert!(browser.signed_in().await);

    // Replaying the finished ceremony is refused.
    let (status, body) = browser.post("/api/auth/sign-in/finish", used).await;
    assert_eq!(status, 400, "{body}");

    // A second passkey, then the first one goes.
    let (status, challenge) = browser.post("/api/account/passkeys/start", json!({})).await;
    assert_eq!(status, 200, "{challenge}");
    let options: CreationChallengeResponse =
        serde_json::from_value(challenge["options"].clone()).unwrap();
    let credential = laptop.do_registration(browser.origin(), options).unwrap();
    let (status, added) = browser
        .post(
            "/api/account/passkeys/finish",
            json!({ "ceremony": challenge["ceremony"], "credential": credential, "name": "Laptop" }),
        )
        .await;
    assert_eq!(status, 200, "{added}");
    let (_, list) = browser.get("/api/account/passkeys").await;
    let list = list.as_array().unwrap().clone();
    assert_eq!(list.len(), 2, "{list:?}");
    assert_eq!(list[0]["name"], "Telefoon");
    assert!(list[0]["last_used_at"].is_string(), "sign-in recorded");
    let first = list[0]["id"].as_str().unwrap().to_owned();
    let (status, _) = browser
        .post(&format!("/api/account/passkeys/{first}/remove"), json!({}))
        .await;
    assert_eq!(status, 204);
    // The last passkey stays.
    let second = added["id"].as_str().unwrap().to_owned();
    let (status, body) = browser
        .post(&format!("/api/account/passkeys/{second}/remove"), json!({}))
        .await;
    assert_eq!(status, 409, "{body}");

    // Renaming is validated on the server and keeps the passkey.
    let (status, body) = browser
        .post(
            &format!("/api/account/passkeys/{second}/rename"),
            json!({ "name": "x".repeat(61) }),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["message"],
        "Geef de passkey een naam van hoogstens 60 tekens."
    );
    let (status, _) = browser
        .post(
            &format!("/api/account/passkeys/{second}/rename"),
            json!({ "name": "Werklaptop" }),
        )
        .await;
    assert_eq!(status, 204);
    let (_, list) = browser.get("/api/account/passkeys").await;
    assert_eq!(list[0]["name"], "Werklaptop");

    // The same on Instellingen, as a plain form: a refused name comes back at the field with what was typed,
    // and the passkey keeps its name.
    let rename = |name: String| {
        let request = browser
            .client
            .post(format!(
                "{}/instellingen/passkeys/{second}/naam",
                browser.url
            ))
            .form(&[("csrf", browser.csrf()), ("naam", name)]);
        async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (status, page) = rename("y".repeat(61)).await;
    assert_eq!(status, 422);
    assert!(
        page.contains("Geef de passkey een naam van hoogstens 60 tekens."),
        "{page}"
    );
    assert!(page.contains(&"y".repeat(61)), "what she typed stays");
    let (_, list) = browser.get("/api/account/passkeys").await;
    assert_eq!(list[0]["name"], "Werklaptop");
    let (status, page) = rename(String::from("Laptop thuis")).await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("De naam van de passkey is gewijzigd."),
        "{page}"
    );
    assert!(page.contains("Laptop thuis"));
    let (status, _) = browser
        .client
        .post(format!(
            "{}/instellingen/passkeys/not-hers/naam",
            browser.url
        ))
        .form(&[("csrf", browser.csrf().as_str()), ("naam", "Telefoon")])
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .unwrap();
    assert_eq!(status, 404);

    // Only the laptop's passkey signs in now.
    browser.post("/api/auth/sign-out", json!({})).await;
    let (status, _, _) = browser.sign_in(&account, &mut phone).await;
    assert_ne!(status, 200, "the removed passkey no longer works");
    assert!(!browser.signed_in().await);
    let (status, body, _) = browser.sign_in(&account, &mut laptop).await;
    assert_eq!(status, 200, "{body}");
    assert!(browser.signed_in().await);

    // A passkey assertion made for another origin is refused.
    browser.post("/api/auth/sign-out", json!({})).await;
    let elsewhere = Url::parse("http://localhost:1").unwrap();
    let (status, body, _) = browser.sign_in_from(&account, &mut laptop, elsewhere).await;
    assert_eq!(status, 400, "{body}");
    assert!(!browser.signed_in().await);

    // The audit log recorded the journey, for Desiree's Activiteit page.
    let events: Vec<(String,)> =
        sqlx::query_as("SELECT event FROM audit_event ORDER BY at_ms, event")
            .fetch_all(&server.db().pool)
            .await
            .unwrap();
    let events: Vec<&str> = events.iter().map(|(e,)| e.as_str()).collect();
    for expected in [
        "activation-code-issued",
        "activation-code-used",
        "passkey-added",
        "signed-in",
        "passkey-removed",
        "sign-in-failed",
        "signed-out",
    ] {
        assert!(
            events.contains(&expected),
            "{expected} missing from {events:?}"
        );
    }

    // Once a new activation code has been issued (lost device), even the last passkey may go.
    let (status, _, _) = browser.sign_in(&account, &mut laptop).await;
    assert_eq!(status, 200);
    // Her log names a sign-out as one (a second definition of its text once said "Log in om te zien …").
    let (_, activity) = loket_tests::browser::page(&browser, "/activiteit").await;
    assert!(activity.contains("U logde uit."), "{activity}");
    assert!(!activity.contains("Log in om te zien wie uw gegevens heeft bekeken."));
    browser.demo_code("desiree").await;
    let (status, body) = browser
        .post(&format!("/api/account/passkeys/{second}/remove"), json!({}))
        .await;
    assert_eq!(status, 204, "{body}");
}

loket_tests::on_both_backends!(passkey_activation_sign_in_and_removal);

async fn wrong_codes_block_and_limits_and_csrf_hold(backend: Backend) {
    let server = TestServer::start(backend).await;
    let browser = Browser::open(&server).await;
    let mut key = SoftPasskey::new(true);

    // Five wrong tries block a code for good, even when the sixth try is right.
    let code = browser.demo_code("karin").await;
    let wrong = format!("{}AAAAAAAAAAAAAAAA", &code[..4]);
    for _ in 0..5 {
        let (status, _) = browser
            .post("/api/auth/activation/start", json!({ "code": wrong }))
            .await;
        assert_eq!(status, 400);
    }
    let (status, body) = browser.activate(&code, &mut key, "Sleutel").await;
    assert_eq!(status, 400, "blocked: {body}");

    // Per-address rate limit on activation attempts (10 per 10 minutes) holds, with a B1 message.
    let mut last = (0, Value::Null);
    for _ in 0..10 {
        last = browser
            .post("/api/auth/activation/start", json!({ "code": "ABCD-EFGH" }))
            .await;
    }
    assert_eq!(last.0, 429, "{}", last.1);
    assert_eq!(
        last.1["message"],
        "U heeft het te vaak geprobeerd. Wacht 10 minuten en probeer het dan opnieuw."
    );

    // A state-changing request without the CSRF token is refused and changes nothing.
    let response = browser
        .client
        .post(format!("{}/api/demo/activation-codes", browser.url))
        .json(&json!({ "who": "desiree" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    let text = response.text().await.unwrap();
    assert!(text.contains("Laad de pagina opnieuw"), "{text}");
    // … and so is one from a foreign origin, even with the token.
    let response = browser
        .client
        .post(format!("{}/api/demo/activation-codes", browser.url))
        .header("x-csrf-token", browser.csrf())
        .header("origin", "https://evil.example")
        .json(&json!({ "who": "desiree" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
}

loket_tests::on_both_backends!(wrong_codes_block_and_limits_and_csrf_hold);

async fn a_member_acts_for_their_organisation_only(backend: Backend) {
    let server = TestServer::start(backend).await;
    let browser = Browser::open(&server).await;
    let mut key = SoftPasskey::new(true);
    // The company's code binds Desiree's membership (and gives her an account).
    let code = browser.demo_code("bedrijf").await;
    let (status, body) = browser.activate(&code, &mut key, "Telefoon").await;
    assert_eq!(status, 200, "{body}");
    let act = |organisation: &'static str| {
        browser
            .client
            .post(format!("{}/handelen-als", browser.url))
            .form(&[
                ("organisation", organisation),
                ("csrf", browser.csrf().as_str()),
            ])
            .send()
    };
    let response = act("demo-voorbeeld-bloemenzaak").await.unwrap();
    assert_eq!(response.url().path(), "/instellingen", "redirected back");
    let page = response.text().await.unwrap();
    assert!(
        page.contains("Desiree de Vries namens Bloemenzaak De Vries"),
        "header says so"
    );
    let (_, me) = browser.get("/api/auth/session").await;
    assert_eq!(me["acting_as"], "demo-voorbeeld-bloemenzaak");
    // Not a member: refused, and the choice stays as it was.
    let response = act("een-ander-bedrijf").await.unwrap();
    assert_eq!(response.status().as_u16(), 403);
    let (_, me) = browser.get("/api/auth/session").await;
    assert_eq!(me["acting_as"], "demo-voorbeeld-bloemenzaak");
    // Back to acting as herself.
    act("").await.unwrap();
    let (_, me) = browser.get("/api/auth/session").await;
    assert_eq!(me["acting_as"], Value::Null);
}

loket_tests::on_both_backends!(a_member_acts_for_their_organisation_only);
