//! The population register: the contact centre finds callers in the BRP (a loopback Haal Centraal server that
//! checks every request and answer against the official OpenAPI file), asking only the fields its task lists;
//! geheimhouding and data under investigation are shown to the employee; each person found is kept by BSN and
//! the look is in her activity log.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use loket_tests::browser::{karin, post};
use loket_tests::brp::{BrpServer, API_KEY};
use loket_tests::{count, on_both_backends, Backend, TestServer};
use serde_json::{json, Value};
use server::population::haal_centraal::BrpConfig;

async fn server_with_brp(backend: Backend, brp: &BrpServer) -> TestServer {
    let brp = brp.config();
    TestServer::start_with(backend, move |config| config.brp = Some(brp)).await
}

async fn the_contact_centre_finds_callers_in_the_brp_asking_only_the_listed_fields(
    backend: Backend,
) {
    let brp = BrpServer::start().await;
    let server = server_with_brp(backend, &brp).await;
    let karin = karin(&server).await;

    // Postcode, house number and birth date: of the two people at that address, the one born that day.
    let (status, _, html) = post(&karin, "/medewerkers", &[("zoek", "1234 AB 5 12-4-1986")]).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Desiree de Vries"), "{html}");
    assert!(!html.contains("Jan Jansen"), "{html}");

    // Name and birth date; her name is under investigation at the BRP, which the employee is told.
    let (_, _, html) = post(&karin, "/medewerkers", &[("zoek", "el Amrani 15-7-1990")]).await;
    assert!(html.contains("Fatima el Amrani"), "{html}");
    assert!(html.contains("In onderzoek bij de BRP: naam."), "{html}");

    // A BSN; geheimhouding is said where her name is.
    let (_, _, html) = post(&karin, "/medewerkers", &[("zoek", "999990019")]).await;
    assert!(html.contains("Jan Jansen"), "{html}");
    assert!(
        html.contains("Geheimhouding: geef haar gegevens niet door aan anderen"),
        "{html}"
    );

    // What reached the BRP: the three kinds of question, each with exactly the task's fields.
    let requests = brp.requests();
    let kinds: Vec<&str> = requests
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "ZoekMetPostcodeEnHuisnummer",
            "ZoekMetGeslachtsnaamEnGeboortedatum",
            "RaadpleegMetBurgerservicenummer"
        ]
    );
    let listed = json!([
        "burgerservicenummer",
        "naam.volledigeNaam",
        "geboorte.datum",
        "adressering.adresregel1",
        "adressering.adresregel2"
    ]);
    for request in &requests {
        assert_eq!(request["fields"], listed, "{request}");
    }
    assert_eq!(requests[0]["postcode"], "1234AB");
    assert_eq!(requests[0]["huisnummer"], 5);
    assert_eq!(requests[0]["geboortedatum"], "1986-04-12");
    assert_eq!(requests[1]["geslachtsnaam"], "Amrani");
    assert_eq!(requests[1]["voorvoegsel"], "el");
    assert_eq!(requests[2]["burgerservicenummer"], json!(["999990019"]));
    brp.assert_clean();

    // A caller Loket did not know yet is kept by BSN with the BRP's name, and the look is in her activity.
    assert_eq!(
        count(
            &server,
            "SELECT COUNT(*) FROM person WHERE bsn = '999991772' AND display_name = 'Fatima el Amrani'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &server,
            "SELECT COUNT(*) FROM audit_event a JOIN person p ON p.id = a.subject_person_id
             WHERE p.bsn = '999991772' AND a.event = 'staff-read'"
        )
        .await,
        1
    );
}
on_both_backends!(the_contact_centre_finds_callers_in_the_brp_asking_only_the_listed_fields);

async fn without_the_brp_the_search_stays_with_loketss_own_persons(backend: Backend) {
    let server = TestServer::start(backend).await;
    let karin = karin(&server).await;
    let (status, _, html) = post(&karin, "/medewerkers", &[("zoek", "999991772")]).await;
    assert_eq!(status, 200);
    assert!(!html.contains("Fatima"), "{html}");
    assert_eq!(
        count(
            &server,
            "SELECT COUNT(*) FROM person WHERE bsn = '999991772'"
        )
        .await,
        0
    );
}
on_both_backends!(without_the_brp_the_search_stays_with_loketss_own_persons);

/// The fake itself: what the OpenAPI file does not allow is refused and kept, so a wrong client fails.
#[tokio::test]
async fn the_loopback_brp_refuses_a_request_its_openapi_file_does_not_allow() {
    let brp = BrpServer::start().await;
    let client = reqwest::Client::new();
    let ask = |body: Value, key: &'static str| {
        client
            .post(format!("{}/personen", brp.url))
            .header("x-api-key", key)
            .json(&body)
            .send()
    };
    let good = json!({
        "type": "ZoekMetPostcodeEnHuisnummer",
        "fields": ["burgerservicenummer"],
        "postcode": "1234AB",
        "huisnummer": 5
    });
    let answer = ask(good.clone(), API_KEY).await.unwrap();
    assert_eq!(answer.status(), 200);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["personen"].as_array().unwrap().len(), 2);
    assert_eq!(
        body["personen"][0],
        json!({ "burgerservicenummer": "999993653" }),
        "only the field asked for"
    );
    brp.assert_clean();

    for bad in [
        json!({ "type": "ZoekMetPostcodeEnHuisnummer", "fields": ["burgerservicenummer"], "postcode": "1234AB", "huisnummer": "5" }),
        json!({ "type": "ZoekMetPostcodeEnHuisnummer", "postcode": "1234AB", "huisnummer": 5 }),
        json!({ "type": "RaadpleegMetBurgerservicenummer", "fields": ["naam"], "burgerservicenummer": ["12345"] }),
        json!({ "type": "ZoekMetGeslachtsnaamEnGeboortedatum", "fields": ["naam"], "geslachtsnaam": "Vries", "geboortedatum": "12-4-1986" }),
    ] {
        let before = brp.violations().len();
        let answer = ask(bad.clone(), API_KEY).await.unwrap();
        assert_eq!(answer.status(), 400, "{bad}");
        assert!(
            brp.violations().len() > before,
            "{bad} is kept as a violation"
        );
    }
    let answer = ask(good, "a-wrong-key").await.unwrap();
    assert_eq!(answer.status(), 401);
}

async fn a_caller_kept_as_told_is_found_again_and_a_brp_match_binds_her(backend: Backend) {
    let brp = BrpServer::start().await;
    let server = server_with_brp(backend, &brp).await;
    let karin = karin(&server).await;

    // Someone the BRP does not know: recorded as told, and found again on her second call, marked.
    let told = [("naam", "Noor Nieuwenhuis"), ("geboortedatum", "3-9-1961")];
    let (status, _, html) = post(&karin, "/medewerkers/nieuwe-beller", &told).await;
    assert_eq!(status, 200, "{html}");
    let (_, _, html) = post(&karin, "/medewerkers", &[("zoek", "Nieuwenhuis 3-9-1961")]).await;
    assert!(html.contains("Noor Nieuwenhuis"), "{html}");
    assert!(
        html.contains("Niet geverifieerd: vastgelegd zoals de beller het vertelde."),
        "{html}"
    );

    // Someone the BRP does know, recorded as told before: the search's BRP hit is that record, now bound.
    let told = [("naam", "fatima el amrani"), ("geboortedatum", "15-7-1990")];
    let (_, card, _) = post(&karin, "/medewerkers/nieuwe-beller", &told).await;
    let card = reqwest::Url::parse(&card).unwrap().path().to_owned();
    let id = card.rsplit('/').next().unwrap().to_owned();
    let (_, _, html) = post(&karin, "/medewerkers", &[("zoek", "el Amrani 15-7-1990")]).await;
    assert!(html.contains(&format!("href=\"{card}\"")), "{html}");
    assert!(!html.contains("Niet geverifieerd"), "{html}");
    let bound = format!(
        "SELECT COUNT(*) FROM person WHERE id = '{id}' AND bsn = '999991772' AND unverified_since_ms IS NULL"
    );
    assert_eq!(count(&server, &bound).await, 1);
    assert_eq!(
        count(
            &server,
            "SELECT COUNT(*) FROM person WHERE bsn = '999991772'"
        )
        .await,
        1
    );
    let audited = format!(
        "SELECT COUNT(*) FROM audit_event WHERE event = 'identity-bound' AND data_kind = 'bound-brp' AND subject_person_id = '{id}'"
    );
    assert_eq!(count(&server, &audited).await, 1);
    brp.assert_clean();
}
on_both_backends!(a_caller_kept_as_told_is_found_again_and_a_brp_match_binds_her);

async fn the_brp_is_reached_with_a_client_credentials_token_held_until_it_is_refused(
    backend: Backend,
) {
    use loket_tests::brp::{CLIENT_ID, CLIENT_SECRET};
    use server::population::haal_centraal::BrpOAuth;
    let brp = BrpServer::start().await;
    let (url, token_url) = (brp.url.clone(), brp.token_url());
    let server = TestServer::start_with(backend, move |config| {
        config.brp = Some(BrpConfig {
            url,
            api_key: String::new(),
            api_key_header: "X-API-KEY".into(),
            oauth: Some(BrpOAuth {
                token_url,
                client_id: CLIENT_ID.into(),
                client_secret: CLIENT_SECRET.into(),
                scope: Some("brp-personen".into()),
            }),
        });
    })
    .await;
    let karin = karin(&server).await;
    // Two searches, one token: it is held while it lasts.
    for _ in 0..2 {
        let (status, _, html) = post(&karin, "/medewerkers", &[("zoek", "999993653")]).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("Desiree de Vries"), "{html}");
    }
    assert_eq!(brp.token_requests(), 1);
    // The gateway forgets it: the next search is refused once, asks a new token and is answered.
    brp.revoke_tokens();
    let (status, _, html) = post(&karin, "/medewerkers", &[("zoek", "999993653")]).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Desiree de Vries"), "{html}");
    assert_eq!(brp.token_requests(), 2);
    // No API key went out: the token alone opened it.
    brp.assert_clean();
}
on_both_backends!(the_brp_is_reached_with_a_client_credentials_token_held_until_it_is_refused);
