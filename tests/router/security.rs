//! The holes issue 23 names, each closed and held by a test that failed before the fix: account takeover by an
//! administrator, demo mode on by default, markup breaking out of text fields, the message log showing codes,
//! the appointment link opening documents, and the small ones from outside (redirects, caching, spelling).

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use loket_tests::browser::page;
use loket_tests::browser::post;
use server::identity::activation::CodeTarget;

const DESIREE: &str = "demo-voorbeeld-desiree";

fn staff(id: &str) -> CodeTarget {
    CodeTarget::Staff {
        staff_id: id.to_owned(),
    }
}

/// Closes a textarea and opens an element: inert only when escaped.
const MARKUP: &str = "</textarea><b id=\"injected\">x</b>";

fn is_inert(html: &str) -> bool {
    !html.contains("<b id=\"injected\">") && html.contains("&lt;/textarea&gt;")
}

async fn markup_typed_into_a_text_field_comes_back_as_text(backend: loket_tests::Backend) {
    let server = loket_tests::TestServer::start(backend).await;
    let bram = loket_tests::browser::signed_in(&server, staff("demo-voorbeeld-bram")).await;
    // A refused service re-renders every text area with what was typed.
    let (status, _, html) = post(
        &bram,
        "/beheer/afspraken/diensten",
        &[
            ("new", "1"),
            ("id", "opmaak"),
            ("name", "Opmaak"),
            ("duration_min", "tien"),
            ("bring", MARKUP),
            ("tips", MARKUP),
            ("tips_en", MARKUP),
        ],
    )
    .await;
    assert_eq!(status, 422, "{html}");
    assert!(is_inert(&html), "refused service form: {html}");
    // Stored, and shown again on its edit page.
    let (status, _, html) = post(
        &bram,
        "/beheer/afspraken/diensten",
        &[
            ("new", "1"),
            ("id", "opmaak"),
            ("name", "Opmaak"),
            ("duration_min", "10"),
            ("tips", MARKUP),
            ("tips_en", MARKUP),
            ("horizon_days", "30"),
            ("min_notice_min", "60"),
            ("buffer_before_min", "0"),
            ("buffer_after_min", "0"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    let (_, html) = page(&bram, "/beheer/afspraken/diensten/opmaak").await;
    assert!(is_inert(&html), "stored service: {html}");
    // A location's route, refused and stored.
    let mut location = vec![
        ("new", "1"),
        ("id", "opmaakloket"),
        ("name", "Opmaakloket"),
        ("street", "Havenstraat 3"),
        ("postcode", "1234 AB"),
        ("city", "Voorbeeld"),
        ("route", MARKUP),
        ("map_url", "javascript:alert(1)"),
    ];
    let (status, _, html) = post(&bram, "/beheer/afspraken/locaties", &location).await;
    assert_eq!(status, 422, "{html}");
    assert!(is_inert(&html), "refused location form: {html}");
    location.retain(|(k, _)| *k != "map_url");
    let (status, _, html) = post(&bram, "/beheer/afspraken/locaties", &location).await;
    assert_eq!(status, 200, "{html}");
    let (_, html) = page(&bram, "/beheer/afspraken/locaties/opmaakloket").await;
    assert!(is_inert(&html), "stored location: {html}");
    // An agenda's other days.
    let (status, _, html) = post(
        &bram,
        "/beheer/afspraken/agendas",
        &[
            ("new", "1"),
            ("id", "opmaakbalie"),
            ("name", "Opmaakbalie"),
            ("location", "opmaakloket"),
            ("seats", "1"),
            ("services", "opmaak"),
            ("exceptions", MARKUP),
        ],
    )
    .await;
    assert_eq!(status, 422, "{html}");
    assert!(is_inert(&html), "refused agenda form: {html}");

    // The contact centre's contact form, refused (no reason chosen) with the text kept.
    let karin = loket_tests::browser::karin(&server).await;
    let card = format!("/medewerkers/inwoners/{DESIREE}");
    let (_, html) = page(&karin, &card).await;
    let key = crate::staff::hidden_key(&html);
    let (status, _, html) = post(
        &karin,
        &format!("{card}/contactmomenten"),
        &[
            ("kanaal", "telefoon"),
            ("reden", ""),
            ("tekst", MARKUP),
            ("key", &key),
        ],
    )
    .await;
    assert_eq!(status, 422, "{html}");
    assert!(is_inert(&html), "refused contact form: {html}");
}

loket_tests::on_both_backends!(markup_typed_into_a_text_field_comes_back_as_text);

/// Started as a real installation starts: without `LOKET_DEMO`.
fn as_installed(config: &mut server::config::Config) {
    *config = server::config::Config::from_lookup(|name| match name {
        "LOKET_DATA_DIR" => Some(config.data_dir.to_string_lossy().into_owned()),
        "LOKET_DATABASE_URL" => config.database_url.clone(),
        "LOKET_MUNICIPALITY_FILE" => Some(config.municipality_file.to_string_lossy().into_owned()),
        "LOKET_SITE_ROOT" => Some(config.site_root.to_string_lossy().into_owned()),
        "LOKET_PUBLIC_URL" => Some(config.public_url.clone()),
        _ => None,
    })
    .unwrap();
}

async fn demo_mode_is_off_unless_asked_for(backend: loket_tests::Backend) {
    let server = loket_tests::TestServer::start_with(backend, as_installed).await;
    let browser = loket_tests::browser::Browser::open(&server).await;
    // Nobody gets a demo administrator's code, the demo page or Desiree's cases.
    let (status, body) = browser
        .post(
            "/api/demo/activation-codes",
            serde_json::json!({ "who": "bram" }),
        )
        .await;
    assert_eq!(status, 404, "{body}");
    assert!(body.get("code").is_none());
    let (status, _) = page(&browser, "/demo").await;
    assert_eq!(status, 404);
    let response = browser
        .client
        .post(format!("{}/fn/overview", browser.url))
        .header("x-csrf-token", browser.csrf())
        .form(&[("lang", "nl")])
        .send()
        .await
        .unwrap();
    let text = response.text().await.unwrap();
    assert!(
        !text.contains("Bijzondere bijstand") && !text.contains("ZAAK-"),
        "{text}"
    );
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM person WHERE is_demo = 1")
        .fetch_one(&server.db().pool)
        .await
        .unwrap();
    assert_eq!(count, 0, "no demo data seeded");
    // Nor do staff read the messages Loket wrote to files (real residents' messages, with their codes).
    crate::matrix::staff(&server, "kcc-echt", "kcc").await;
    let kcc = loket_tests::browser::signed_in(&server, staff("kcc-echt")).await;
    std::fs::create_dir_all(server.app.data_dir.path().join("outbox/mail")).unwrap();
    let (status, html) = page(&kcc, "/medewerkers/berichten").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Deze pagina laat alleen in de demo berichten zien"),
        "{html}"
    );
}

loket_tests::on_both_backends!(demo_mode_is_off_unless_asked_for);

async fn an_activation_code_for_her_account_tells_her_and_no_administrator_issues_one(
    backend: loket_tests::Backend,
) {
    use server::notifications::outbox::{self, Settings};
    let server = loket_tests::TestServer::start(backend).await;
    let db = server.db();
    // Desiree has an account and a confirmed address (the demo's).
    let _desiree = loket_tests::browser::desiree(&server).await;
    let address = String::from("demo-voorbeeld-desiree-email");
    let codes = || async {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM activation_code WHERE person_id = $1 AND used_at_ms IS NULL",
        )
        .bind(DESIREE)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        n
    };
    let before = codes().await;
    // An administrator: refused by the JSON API as by the card's form, and no code is made.
    let bram = loket_tests::browser::signed_in(&server, staff("demo-voorbeeld-bram")).await;
    let (status, body) = bram
        .post(
            &format!("/api/persons/{DESIREE}/activation-codes"),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    assert!(body.get("code").is_none());
    let (status, _, _) = post(
        &bram,
        &format!("/medewerkers/inwoners/{DESIREE}/activeringscode"),
        &[],
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(codes().await, before);

    // The contact centre may; she is told where her case updates go, with a link to her activity log.
    let karin = loket_tests::browser::karin(&server).await;
    let (status, _, html) = post(
        &karin,
        &format!("/medewerkers/inwoners/{DESIREE}/activeringscode"),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    let settings = Settings::new(&server.url);
    outbox::plan_due(
        db,
        &server.app.loket.municipality,
        "test",
        &settings,
        jiff::Timestamp::now(),
    )
    .await
    .unwrap();
    let planned: Vec<(String,)> = sqlx::query_as(
        "SELECT m.address_id FROM notification_message m JOIN notification_event e ON e.id = m.event_id
         WHERE e.kind = 'account-code-issued' AND m.person_id = $1",
    )
    .bind(DESIREE)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(planned, [(address,)]);
}

loket_tests::on_both_backends!(
    an_activation_code_for_her_account_tells_her_and_no_administrator_issues_one
);

async fn a_service_for_signed_in_residents_opens_by_no_appointment_link(
    backend: loket_tests::Backend,
) {
    use loket_tests::appointments as fixture;
    use server::appointments::availability::Via;
    use server::appointments::booking::{self, BookRequest, Booker};
    let server = loket_tests::TestServer::start(backend).await;
    let app = &server.app;
    let db = server.db();
    let service = fixture::service(app, "alleen-ingelogd", 20).await;
    sqlx::query("UPDATE appointment_service SET account_required = 1 WHERE id = $1")
        .bind(&service)
        .execute(&db.pool)
        .await
        .unwrap();
    let location = fixture::desk(app, "balie-ingelogd", &[false], &[&service]).await;
    let person = fixture::person(app).await;
    loket_tests::notify::confirmed_address(app, &person, "ingelogd@example.nl").await;
    let now = jiff::Timestamp::now();
    let start = (now + jiff::SignedDuration::from_hours(48))
        .round(jiff::Unit::Hour)
        .unwrap();
    // The contact centre books it for her: its messages carry no appointment link.
    let booked = booking::book(
        db,
        &app.loket.municipality,
        &BookRequest {
            service_id: &service,
            location_id: &location,
            start,
            booker: Booker {
                person_id: &person,
                organisation_id: None,
                via: Via::Staff,
                staff_id: Some("demo-voorbeeld-karin"),
            },
            idempotency_key: &fixture::key(),
            address_id: None,
            reminders: None,
            details: None,
            from_register: None,
            new_address: None,
        },
        now,
    )
    .await
    .unwrap();
    let (links,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM appointment_link WHERE appointment_id = $1")
            .bind(&booked.appointment_id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(links, 0, "no link for a service that needs an account");
    // A link issued before the service changed opens nothing.
    let token =
        server::identity::links::issue(db, &booked.appointment_id, Some("1980-01-31"), start, now)
            .await
            .unwrap();
    let browser = loket_tests::browser::Browser::open(&server).await;
    let (status, body) = browser
        .post(
            "/api/auth/appointment-link",
            serde_json::json!({ "token": token, "birth_date": "1980-01-31" }),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("Voor deze afspraak logt u in bij Loket."),
        "{body}"
    );
    assert!(!browser.signed_in().await);
}

loket_tests::on_both_backends!(a_service_for_signed_in_residents_opens_by_no_appointment_link);

async fn an_appointment_link_sends_documents_but_opens_and_removes_none(
    backend: loket_tests::Backend,
) {
    use crate::documents as docs;
    let (server, _store) = docs::start(backend, docs::Storage::Local, |_| {}).await;
    // Desiree, signed in, sends her ID papers for the appointment the contact centre booked for her.
    let (desiree, appointment) = docs::desiree_with_appointment(&server).await;
    let (status, started) = docs::start_draft(&desiree, &appointment, "Paspoort").await;
    assert_eq!(status, 201, "{started}");
    let draft = started["draft"].as_str().unwrap().to_owned();
    let (status, _) = docs::put_page(
        &desiree,
        &draft,
        0,
        server::documents::fixtures::halves_jpeg(800, 600),
    )
    .await;
    assert_eq!(status, 201);
    let (status, finished) = docs::send(
        &desiree,
        reqwest::Method::POST,
        &format!("/documenten/concepten/{draft}/versturen"),
        reqwest::Body::from(Vec::new()),
    )
    .await;
    assert_eq!(status, 201, "{finished}");
    let document = finished["document"].as_str().unwrap().to_owned();
    // Opened by her: saved as a file, in a sandbox, never rendered as Loket's page.
    let response = desiree
        .client
        .get(format!("{}/documenten/{document}", desiree.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(
        response.headers()["content-security-policy"],
        "sandbox; default-src 'none'"
    );

    // Someone with the link and her birth date: sees the title, cannot open or remove it.
    let now = jiff::Timestamp::now();
    let token = server::identity::links::issue(
        server.db(),
        &appointment,
        Some("1986-04-12"),
        now + jiff::SignedDuration::from_hours(48),
        now,
    )
    .await
    .unwrap();
    let link = loket_tests::browser::Browser::open(&server).await;
    let (status, body) = link
        .post(
            "/api/auth/appointment-link",
            serde_json::json!({ "token": token, "birth_date": "1986-04-12" }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, card) = page(&link, &format!("/afspraken/{appointment}")).await;
    assert_eq!(status, 200);
    assert!(card.contains("Paspoort"), "the title: {card}");
    assert!(
        !card.contains(&format!("href=\"/documenten/{document}\"")),
        "no way to open it: {card}"
    );
    assert!(!card.contains(&format!("/documenten/{document}/verwijderen")));
    let response = link
        .client
        .get(format!("{}/documenten/{document}", link.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("Log daarvoor in bij Loket."));
    let response = link
        .client
        .post(format!("{}/documenten/{document}/verwijderen", link.url))
        .form(&[("csrf", link.csrf())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    assert_eq!(docs::count(&server, "document").await, 1, "nothing removed");
    // Sending another is still possible.
    let (status, started) = docs::start_draft(&link, &appointment, "Pasfoto").await;
    assert_eq!(status, 201, "{started}");
}

loket_tests::on_both_backends!(an_appointment_link_sends_documents_but_opens_and_removes_none);

async fn a_nul_byte_or_a_bidi_override_is_refused_alike_on_both_databases(
    backend: loket_tests::Backend,
) {
    let server = loket_tests::TestServer::start(backend).await;
    let db = server.db();
    let contacts = || async {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM contact_moment")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        n
    };
    let before = contacts().await;
    let karin = loket_tests::browser::karin(&server).await;
    let card = format!("/medewerkers/inwoners/{DESIREE}");
    let (_, html) = page(&karin, &card).await;
    let key = crate::staff::hidden_key(&html);
    for text in [
        "Belde\0over de afspraak",
        "Belde \u{202E}over\u{202C} de afspraak",
        "\u{7}",
    ] {
        let (status, _, answer) = post(
            &karin,
            &format!("{card}/contactmomenten"),
            &[
                ("kanaal", "telefoon"),
                ("reden", "afspraak"),
                ("tekst", text),
                ("key", &key),
            ],
        )
        .await;
        assert_eq!(status, 422, "{text:?}: {answer}");
        assert!(answer.contains("onzichtbaar teken"), "{answer}");
    }
    assert_eq!(contacts().await, before, "nothing stored");
    // A label on the Berichten page, with a right-to-left override that would show it reversed.
    let desiree = loket_tests::browser::desiree(&server).await;
    let (status, _, answer) = post(
        &desiree,
        "/instellingen/berichten",
        &[
            ("form", "add"),
            ("channel", "email"),
            ("value", "nieuw@example.nl"),
            ("label", "werk\u{202E}lanoisrep"),
        ],
    )
    .await;
    assert_eq!(status, 422, "{answer}");
    let (addresses,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM digital_address WHERE value = 'nieuw@example.nl'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(addresses, 0);
    // The back-office API: a problem naming the field, nothing stored.
    let token = server
        .app
        .api_token(&[server::identity::clients::Scope::Cases])
        .await;
    let (status, content_type, body) = server
        .app
        .api(
            "POST",
            "/api/v1/cases",
            Some(&token),
            Some(serde_json::json!({
                "identifier": "ZAAK-NUL-1",
                "case_type": "bijzondere-bijstand",
                "description": "Aanvraag\u{0}",
                "start_date": "2026-10-01",
                "initiator": { "bsn": "999993653" }
            })),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(content_type.starts_with("application/problem+json"));
    assert_eq!(body["invalid_params"][0]["name"], "description");
    let (cases,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM cases WHERE identifier = 'ZAAK-NUL-1'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(cases, 0);
}

loket_tests::on_both_backends!(a_nul_byte_or_a_bidi_override_is_refused_alike_on_both_databases);

async fn every_staff_read_and_action_is_in_her_activity_log(backend: loket_tests::Backend) {
    let server = loket_tests::TestServer::start(backend).await;
    let db = server.db();
    let audited = |route: &'static str| async move {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM audit_event WHERE subject_person_id = $1 AND route = $2",
        )
        .bind(DESIREE)
        .bind(route)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        n
    };
    let karin = loket_tests::browser::karin(&server).await;
    let card = format!("/medewerkers/inwoners/{DESIREE}");
    // A preview's server-function reads are looks at her data too.
    let (status, _, _) = post(&karin, &format!("{card}/bekijken"), &[]).await;
    assert_eq!(status, 200);
    for name in ["overview", "message-settings"] {
        let response = karin
            .client
            .post(format!("{}/fn/{name}", karin.url))
            .header("x-csrf-token", karin.csrf())
            .form(&[("lang", "nl")])
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{name}: {}",
            response.status()
        );
    }
    assert_eq!(audited("/fn/overview").await, 1);
    assert_eq!(audited("/fn/message-settings").await, 1);
    let (status, _, _) = post(&karin, "/voorbeeld-stoppen", &[]).await;
    assert!(status < 400, "{status}");

    // An action for her is written as the action, not only as the look before it.
    let (_, html) = page(&karin, &card).await;
    let key = crate::staff::hidden_key(&html);
    let (status, _, html) = post(
        &karin,
        &format!("{card}/contactmomenten"),
        &[
            ("kanaal", "telefoon"),
            ("reden", "afval"),
            ("tekst", "Vroeg naar de ophaaldag."),
            ("key", &key),
        ],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    let (actions,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_event WHERE subject_person_id = $1 AND event = 'staff-action'
         AND data_kind = 'action-contact' AND actor_role = 'kcc'",
    )
    .bind(DESIREE)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(actions, 1);
    let desiree = loket_tests::browser::desiree(&server).await;
    let (_, activity) = page(&desiree, "/activiteit").await;
    assert!(
        activity.contains("Karin Bakker (klantcontactcentrum) legde een contact met u vast."),
        "{activity}"
    );
    // A message Loket sent her is in her activity log too (kind and moment, never its content).
    let (status, _, _) = post(&karin, &format!("{card}/activeringscode"), &[]).await;
    assert_eq!(status, 200);
    let channels = server::notifications::channels::Channels::files(
        server.app.data_dir.path(),
        "Loket <noreply@localhost>",
        "localhost",
    )
    .unwrap();
    let worker = server::notifications::worker::Worker::new(
        db.clone(),
        server.app.loket.municipality.clone(),
        channels,
        server::notifications::outbox::Settings::new(&server.url),
    );
    worker.round(jiff::Timestamp::now()).await.unwrap();
    let (_, activity) = page(&desiree, "/activiteit").await;
    assert!(
        activity.contains("Loket stuurde u een bericht: bericht over een nieuwe activeringscode."),
        "{activity}"
    );
}

loket_tests::on_both_backends!(every_staff_read_and_action_is_in_her_activity_log);

async fn the_small_holes_seen_from_outside_are_closed(backend: loket_tests::Backend) {
    // A data dir Loket makes itself (the test's temporary folder is private already).
    let server = loket_tests::TestServer::start_with(backend, |config| {
        config.data_dir = config.data_dir.join("data");
    })
    .await;
    let browser = loket_tests::browser::Browser::open(&server).await;
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .resolve("localhost", server.addr())
        .build()
        .unwrap();
    // The language form sends nobody away, whatever the browser would make of the path.
    let (cookie, token) = server.app.csrf().await;
    for target in [
        "/\t/evil.example",
        "/\n/evil.example",
        "//evil.example",
        "/\\evil.example",
    ] {
        let response = no_redirects
            .post(format!("{}/taal", server.url))
            .header("cookie", &cookie)
            .form(&[
                ("lang", "en"),
                ("return_to", target),
                ("csrf", token.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 303);
        assert_eq!(response.headers()["location"], "/", "{target:?}");
    }
    // A page with a CSRF token in it, the not-found page included, is kept by no cache.
    for path in ["/", "/bestaat-niet", "/zaken"] {
        let response = browser
            .client
            .get(format!("{}{path}", browser.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
    }
    let response = browser
        .client
        .post(format!("{}/fn/overview", browser.url))
        .header("x-csrf-token", browser.csrf())
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["cache-control"], "no-store");
    // Arguments a server function cannot read: 400 with a sentence, not 500 with the parser's words.
    let response = browser
        .client
        .post(format!("{}/fn/case", browser.url))
        .header("x-csrf-token", browser.csrf())
        .form(&[("iets", "anders")])
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert_eq!(status, 400, "{text}");
    assert!(
        text.contains("BadRequest") && !text.contains("missing"),
        "{text}"
    );

    // The sign-in limit per account counts the account, however it is spelled.
    let spellings = [
        "ABCD-EFGH",
        "abcd-efgh",
        "abcdefgh",
        "ABCD EFGH",
        "AbCd-EfGh",
    ];
    let mut refused = 0;
    for n in 0..12 {
        let spelled = spellings[n % spellings.len()];
        let (status, _) = browser
            .post(
                "/api/auth/sign-in/start",
                serde_json::json!({ "account_number": spelled }),
            )
            .await;
        if status == 429 {
            refused += 1;
        }
    }
    assert_eq!(refused, 2, "ten tries for one account, then refused");

    // A new session gets a new CSRF token: one seen before the sign-in is worth nothing after it.
    let before = browser.csrf();
    let code = browser.demo_code("desiree").await;
    let mut key = webauthn_authenticator_rs::softpasskey::SoftPasskey::new(true);
    let (status, body) = browser.activate(&code, &mut key, "Telefoon").await;
    assert_eq!(status, 200, "{body}");
    assert_ne!(browser.csrf(), before);
    let response = browser
        .client
        .post(format!("{}/api/auth/sign-out", browser.url))
        .header("x-csrf-token", &before)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status().as_u16(),
        403,
        "the old token no longer works"
    );
    assert!(browser.signed_in().await);

    // The data dir is the owner's alone, and so is the database in it.
    use std::os::unix::fs::PermissionsExt;
    let dir = &server.app.data_dir.path().join("data");
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(dir), 0o700);
    if backend == loket_tests::Backend::Sqlite {
        assert_eq!(mode(&dir.join("loket.db")), 0o600);
    }
}

loket_tests::on_both_backends!(the_small_holes_seen_from_outside_are_closed);

async fn slow_and_idle_clients_are_cut_off_and_shutdown_does_not_wait_for_them(
    backend: loket_tests::Backend,
) {
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = loket_tests::TestApp::start(backend).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = server::serve::Limits {
        header_read: Duration::from_secs(1),
        per_client: Some(3),
        total: 100,
        shutdown_grace: Duration::from_secs(2),
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server::serve::serve(
        listener,
        app.router(),
        limits,
        async {
            let _ = stopped.await;
        },
    ));
    // Closed by the server: the read ends (0 bytes or a reset) within `within`.
    async fn closed_within(tcp: &mut tokio::net::TcpStream, within: Duration) -> bool {
        let mut buf = [0u8; 1024];
        loop {
            match tokio::time::timeout(within, tcp.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => return true,
                Ok(Ok(_)) => continue,
                Err(_) => return false,
            }
        }
    }
    // A header that never ends.
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: loket\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    assert!(closed_within(&mut slow, Duration::from_secs(5)).await);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    // Three silent connections fill this client's share; a fourth is closed at once.
    let mut silent = Vec::new();
    for _ in 0..3 {
        silent.push(tokio::net::TcpStream::connect(addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut fourth = tokio::net::TcpStream::connect(addr).await.unwrap();
    assert!(closed_within(&mut fourth, Duration::from_millis(900)).await);
    // The silent ones are cut off too, after which the client is served again.
    for tcp in &mut silent {
        assert!(closed_within(tcp, Duration::from_secs(5)).await);
    }
    let mut again = tokio::net::TcpStream::connect(addr).await.unwrap();
    again
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: loket\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    again.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // A shutdown with a slow client still sending its header ends within the grace period.
    let mut lingering = tokio::net::TcpStream::connect(addr).await.unwrap();
    lingering
        .write_all(b"GET /healthz HTTP/1.1\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(5), serving)
        .await
        .expect("serve returns within the grace period")
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(4));
}

loket_tests::on_both_backends!(
    slow_and_idle_clients_are_cut_off_and_shutdown_does_not_wait_for_them
);

async fn a_code_read_out_on_the_phone_binds_an_account_at_level_laag(
    backend: loket_tests::Backend,
) {
    let server = loket_tests::TestServer::start(backend).await;
    let db = server.db();
    let karin = loket_tests::browser::karin(&server).await;
    let (status, _, html) = post(
        &karin,
        &format!("/medewerkers/inwoners/{DESIREE}/activeringscode"),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    let code = html
        .split("class=\"loket-code\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the code on the card")
        .to_owned();
    let desiree = loket_tests::browser::Browser::open(&server).await;
    let mut key = webauthn_authenticator_rs::softpasskey::SoftPasskey::new(true);
    let (status, body) = desiree.activate(&code, &mut key, "Telefoon").await;
    assert_eq!(status, 200, "{body}");
    let levels = |sql: &'static str| async move {
        let rows: Vec<(String,)> = sqlx::query_as(sql)
            .bind(DESIREE)
            .fetch_all(&db.pool)
            .await
            .unwrap();
        rows.into_iter().map(|(level,)| level).collect::<Vec<_>>()
    };
    assert_eq!(
        levels("SELECT enrolment FROM account WHERE person_id = $1").await,
        ["laag"],
        "recorded with the account"
    );
    assert_eq!(
        levels(
            "SELECT s.assurance FROM session s JOIN account a ON a.id = s.account_id
             WHERE a.person_id = $1"
        )
        .await,
        ["laag"],
        "and the session follows it"
    );
    // A code handed over otherwise (here the demo's) gives a substantial account and session.
    let other = loket_tests::browser::signed_in(&server, staff("demo-voorbeeld-sanne")).await;
    assert!(other.signed_in().await);
    let (level,): (String,) = sqlx::query_as(
        "SELECT s.assurance FROM session s JOIN account a ON a.id = s.account_id
         WHERE a.staff_id = 'demo-voorbeeld-sanne'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(level, "substantieel");
}

loket_tests::on_both_backends!(a_code_read_out_on_the_phone_binds_an_account_at_level_laag);

async fn an_administrator_records_a_leaver_and_changes_a_role_at_once(
    backend: loket_tests::Backend,
) {
    let server = loket_tests::TestServer::start(backend).await;
    let db = server.db();
    let bram = loket_tests::browser::signed_in(&server, staff("demo-voorbeeld-bram")).await;
    let karin = loket_tests::browser::karin(&server).await;
    let (status, _) = page(&karin, "/medewerkers").await;
    assert_eq!(status, 200);
    let (status, _, html) = post(
        &bram,
        "/beheer/medewerkers/demo-voorbeeld-karin/uit-dienst",
        &[],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("De medewerker is uit dienst gemeld."),
        "{html}"
    );
    // Her session ended at once, her passkeys are gone, and she gets no new code.
    assert!(!karin.signed_in().await);
    let (passkeys,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM passkey p JOIN account a ON a.id = p.account_id
         WHERE a.staff_id = 'demo-voorbeeld-karin'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(passkeys, 0);
    let (status, _, _) = post(
        &bram,
        "/beheer/medewerkers/demo-voorbeeld-karin/activeringscode",
        &[],
    )
    .await;
    assert!(status >= 400, "{status}");
    // Another role: the employee's sessions end, the next sign-in has it.
    let sanne = loket_tests::browser::signed_in(&server, staff("demo-voorbeeld-sanne")).await;
    let (status, _, _) = post(
        &bram,
        "/beheer/medewerkers/demo-voorbeeld-sanne/rol",
        &[("rol", "kcc")],
    )
    .await;
    assert_eq!(status, 200);
    assert!(!sanne.signed_in().await);
    let (role,): (String,) =
        sqlx::query_as("SELECT role FROM staff_member WHERE id = 'demo-voorbeeld-sanne'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(role, "kcc");
    // Not to oneself; nobody but an administrator.
    let (status, _, _) = post(
        &bram,
        "/beheer/medewerkers/demo-voorbeeld-bram/uit-dienst",
        &[],
    )
    .await;
    assert_eq!(status, 409);
    let sanne = loket_tests::browser::signed_in(&server, staff("demo-voorbeeld-sanne")).await;
    let (status, _, _) = post(
        &sanne,
        "/beheer/medewerkers/demo-voorbeeld-bram/rol",
        &[("rol", "kcc")],
    )
    .await;
    assert_eq!(
        status, 403,
        "the next sign-in has the new role, which is no administrator's"
    );
    let (audited,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_event WHERE event IN ('staff-left', 'staff-role-changed')
         AND actor_staff_id = 'demo-voorbeeld-bram'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(audited, 2);
}

loket_tests::on_both_backends!(an_administrator_records_a_leaver_and_changes_a_role_at_once);

async fn parallel_uploads_stay_within_her_quota_and_pageless_drafts_are_swept(
    backend: loket_tests::Backend,
) {
    use crate::documents as docs;
    use server::documents::drafts;
    let (server, _store) = docs::start(backend, docs::Storage::Local, |_| {}).await;
    let db = server.db();
    let (desiree, appointment) = docs::desiree_with_appointment(&server).await;
    let draft_of = |title: &'static str| {
        let desiree = &desiree;
        let appointment = &appointment;
        async move {
            let (status, started) = docs::start_draft(desiree, appointment, title).await;
            assert_eq!(status, 201, "{started}");
            let id = started["draft"].as_str().unwrap().to_owned();
            drafts::find(db, jiff::Timestamp::now().as_millisecond(), &id)
                .await
                .unwrap()
        }
    };
    let photo = server::documents::fixtures::halves_jpeg(800, 600);
    let mut documents = server.app.loket.documents.clone();
    let first = draft_of("Eerste").await;
    let one = documents
        .pipeline(db)
        .add_page(
            &first,
            0,
            photo.clone(),
            jiff::Timestamp::now().as_millisecond(),
        )
        .await
        .unwrap()
        .bytes;
    // Room for two more pages of this size, and eight arrive at once.
    documents.limits.quota_bytes = one * 3 + one / 2;
    let pipeline = documents.pipeline(db);
    let second = draft_of("Tweede").await;
    let outcomes = futures_util::future::join_all((0..8).map(|n| {
        pipeline.add_page(
            &second,
            n,
            photo.clone(),
            jiff::Timestamp::now().as_millisecond(),
        )
    }))
    .await;
    let stored = outcomes.iter().filter(|o| o.is_ok()).count();
    let refused = outcomes
        .iter()
        .filter(|o| matches!(o, Err(server::documents::DocumentError::OverQuota)))
        .count();
    assert_eq!((stored, refused), (2, 6), "{outcomes:?}");
    let (sum,): (i64,) =
        sqlx::query_as("SELECT CAST(COALESCE(SUM(bytes), 0) AS BIGINT) FROM document_page")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert!(u64::try_from(sum).unwrap() <= documents.limits.quota_bytes);

    // A draft whose only upload was refused keeps no row past the hour.
    let empty = draft_of("Leeg").await;
    let later = jiff::Timestamp::now().as_millisecond() + 61 * 60 * 1000;
    drafts::sweep(db, &documents.store, later).await.unwrap();
    let remaining = |id: String| async move {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM document_draft WHERE id = $1")
            .bind(id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
        n
    };
    assert_eq!(
        remaining(empty.id.clone()).await,
        0,
        "the empty draft is gone"
    );
    assert_eq!(
        remaining(second.id.clone()).await,
        1,
        "one with pages stays its day"
    );
}

loket_tests::on_both_backends!(
    parallel_uploads_stay_within_her_quota_and_pageless_drafts_are_swept
);

async fn the_longest_text_a_field_takes_is_received_whole(backend: loket_tests::Backend) {
    let server = loket_tests::TestServer::start(backend).await;
    let karin = loket_tests::browser::karin(&server).await;
    let card = format!("/medewerkers/inwoners/{DESIREE}");
    let (_, html) = page(&karin, &card).await;
    let key = crate::staff::hidden_key(&html);
    // 4,000 characters of two bytes each: 24,000 bytes once percent-encoded.
    let text = "ë".repeat(4000);
    let (status, _, html) = post(
        &karin,
        &format!("{card}/contactmomenten"),
        &[
            ("kanaal", "telefoon"),
            ("reden", "overig"),
            ("tekst", &text),
            ("key", &key),
        ],
    )
    .await;
    assert_eq!(
        status,
        200,
        "{}",
        html.chars().take(400).collect::<String>()
    );
    let (stored,): (String,) = sqlx::query_as(
        "SELECT body FROM contact_moment WHERE person_id = $1 AND body IS NOT NULL AND subject = 'Iets anders'",
    )
    .bind(DESIREE)
    .fetch_one(&server.db().pool)
    .await
    .unwrap();
    assert_eq!(stored.chars().count(), 4000);

    // One character more: the form again, with the reason at the field and everything she typed.
    let (_, html) = page(&karin, &card).await;
    let key = crate::staff::hidden_key(&html);
    let longer = "ë".repeat(4001);
    let (status, _, html) = post(
        &karin,
        &format!("{card}/contactmomenten"),
        &[
            ("kanaal", "telefoon"),
            ("reden", "overig"),
            ("tekst", &longer),
            ("key", &key),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("Schrijf hooguit 4000 tekens."));
    assert!(html.contains(&longer), "what was typed comes back");
}

loket_tests::on_both_backends!(the_longest_text_a_field_takes_is_received_whole);

/// What `pdf_bombs_under_a_memory_cap_child` prints when every bomb was refused and nothing kept.
const BOMBS_REFUSED: &str = "32 bombs refused, 0 pages stored";

/// Item 4: 32 PDF bombs (each unpacks to 1 GB) sent at once, to a process whose address space is capped at
/// 4 GiB: every one refused, none stored, and the process lives (a check that ran out of memory would abort
/// it). The uploads run in a child process (this test binary again, under `prlimit`), so the cap holds for
/// them alone.
#[tokio::test]
async fn thirty_two_pdf_bombs_at_once_under_a_memory_cap_store_none() {
    let child = tokio::task::spawn_blocking(|| {
        std::process::Command::new("prlimit")
            .arg(format!("--as={}", 4u64 << 30))
            .arg("--")
            .arg(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "security::pdf_bombs_under_a_memory_cap_child",
                "--ignored",
                "--nocapture",
            ])
            .env("LOKET_BOMB_CHILD", "1")
            .output()
    })
    .await
    .unwrap()
    .unwrap();
    let said = String::from_utf8_lossy(&child.stdout);
    assert!(
        child.status.success() && said.contains(BOMBS_REFUSED),
        "{:?}\n{said}\n{}",
        child.status,
        String::from_utf8_lossy(&child.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the child of thirty_two_pdf_bombs_at_once_under_a_memory_cap_store_none, run under its cap"]
async fn pdf_bombs_under_a_memory_cap_child() {
    use crate::documents as docs;
    use server::documents::{drafts, DocumentError};
    assert!(
        std::env::var("LOKET_BOMB_CHILD").is_ok(),
        "run by thirty_two_pdf_bombs_at_once_under_a_memory_cap_store_none"
    );
    let (server, _store) =
        docs::start(loket_tests::Backend::Sqlite, docs::Storage::Local, |_| {}).await;
    let db = server.db();
    let (desiree, appointment) = docs::desiree_with_appointment(&server).await;
    let mut drafts_of = Vec::new();
    for n in 0..4 {
        let (status, started) = docs::start_draft(&desiree, &appointment, "Loonstrook").await;
        assert_eq!(status, 201, "draft {n}: {started}");
        let id = started["draft"].as_str().unwrap().to_owned();
        drafts_of.push(
            drafts::find(db, jiff::Timestamp::now().as_millisecond(), &id)
                .await
                .unwrap(),
        );
    }
    let bomb = server::documents::fixtures::pdf_bomb(1024);
    assert!(bomb.len() < 64 * 1024, "{} bytes on the wire", bomb.len());
    let pipeline = server.app.loket.documents.pipeline(db);
    let outcomes = futures_util::future::join_all(drafts_of.iter().flat_map(|draft| {
        let pipeline = &pipeline;
        let bomb = &bomb;
        (0..8).map(move |n| {
            pipeline.add_page(
                draft,
                n,
                bomb.clone(),
                jiff::Timestamp::now().as_millisecond(),
            )
        })
    }))
    .await;
    let refused = outcomes
        .iter()
        .filter(|o| matches!(o, Err(DocumentError::PdfBomb)))
        .count();
    let (stored,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM document_page")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!((refused, stored), (32, 0), "{outcomes:?}");
    println!("{BOMBS_REFUSED}");
}
