//! Cases: the back-office API (`/api/v1`) end to end — happy paths, idempotent replays, problem+json errors,
//! token refusals — and what residents see of the result on their pages and through server functions.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use loket_tests::browser::{desiree, page, server_fn, Browser};
use loket_tests::{on_both_backends, test_now, Backend, TestApp, TestServer};
use serde_json::{json, Value};
use server::identity::clients::{self, Scope};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;

const PROBLEM: &str = "application/problem+json";

fn case_type(name: &str, internal: bool) -> Value {
    json!({
        "name": name,
        "name_en": "Environmental permit",
        "internal": internal,
        "confidentiality": "zaakvertrouwelijk",
        "expected_days": 56,
        "uploads_allowed": true,
        "statuses": [
            { "seq": 1, "description": "Ontvangen", "resident_text": "We hebben uw aanvraag ontvangen.", "notify": true },
            { "seq": 2, "description": "Beoordelen", "resident_text": "We beoordelen uw aanvraag." },
            { "seq": 3, "description": "Besluit", "resident_text": "Er is een besluit.", "end": true, "notify": true }
        ]
    })
}

fn new_case(identifier: &str, case_type: &str, bsn: &str) -> Value {
    json!({
        "identifier": identifier,
        "case_type": case_type,
        "description": "Uitbouw aan de achterkant",
        "start_date": "2026-11-01",
        "initiator": { "bsn": bsn }
    })
}

/// The names of the invalid fields in a problem.
fn invalid_fields(problem: &Value) -> Vec<String> {
    problem["invalid_params"]
        .as_array()
        .map(|params| {
            params
                .iter()
                .map(|p| p["name"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql)
        .fetch_one(&app.loket.db.pool)
        .await
        .unwrap();
    n
}

on_both_backends!(
    back_office_api_creates_updates_replays_and_explains_errors,
    |app| {
        let token = app
            .api_token(&[Scope::CaseTypes, Scope::Cases, Scope::ContactMoments])
            .await;
        let t = Some(token.as_str());

        // Case types: created, then replaced; a wrong one names every wrong field and changes nothing.
        let (status, _, body) = app
            .api(
                "PUT",
                "/api/v1/case-types/omgevingsvergunning",
                t,
                Some(case_type("Omgevingsvergunning", false)),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        let (status, _, _) = app
            .api(
                "PUT",
                "/api/v1/case-types/omgevingsvergunning",
                t,
                Some(case_type("Omgevingsvergunning", false)),
            )
            .await;
        assert_eq!(status, 200);
        let mut wrong = case_type("", false);
        wrong["confidentiality"] = json!("topgeheim");
        wrong["statuses"][0]["end"] = json!(true);
        let (status, content_type, problem) = app
            .api(
                "PUT",
                "/api/v1/case-types/omgevingsvergunning",
                t,
                Some(wrong),
            )
            .await;
        assert_eq!((status, content_type.as_str()), (400, PROBLEM), "{problem}");
        let fields = invalid_fields(&problem);
        for field in ["name", "confidentiality", "statuses[0].end"] {
            assert!(
                fields.contains(&field.to_owned()),
                "{field} named in {problem}"
            );
        }
        assert_eq!(
        count(&app, "SELECT COUNT(*) FROM case_type WHERE code = 'omgevingsvergunning' AND name_nl = 'Omgevingsvergunning'").await,
        1,
        "the stored type is intact"
    );

        // A case: created, replayed (same answer), conflicting (409, nothing changed), invalid (400).
        let request = new_case("ZAAK-API-1", "omgevingsvergunning", "999993653");
        let (status, _, created) = app
            .api("POST", "/api/v1/cases", t, Some(request.clone()))
            .await;
        assert_eq!(status, 201, "{created}");
        assert_eq!(
            created["planned_end_date"], "2026-12-27",
            "start + expected duration"
        );
        assert_eq!(
            created["confidentiality"], "zaakvertrouwelijk",
            "from the type"
        );
        let (status, _, replayed) = app
            .api("POST", "/api/v1/cases", t, Some(request.clone()))
            .await;
        assert_eq!((status, &replayed), (200, &created));
        let mut other = request.clone();
        other["description"] = json!("Iets anders");
        let (status, content_type, problem) =
            app.api("POST", "/api/v1/cases", t, Some(other)).await;
        assert_eq!((status, content_type.as_str()), (409, PROBLEM), "{problem}");
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM cases WHERE identifier = 'ZAAK-API-1'"
            )
            .await,
            1
        );
        assert_eq!(
        count(&app, "SELECT COUNT(*) FROM cases WHERE identifier = 'ZAAK-API-1' AND description = 'Uitbouw aan de achterkant'").await,
        1
    );
        let mut invalid = new_case("ZAAK API 2", "bestaat-niet", "999993654");
        invalid["start_date"] = json!("1-11-2026");
        let (status, _, problem) = app.api("POST", "/api/v1/cases", t, Some(invalid)).await;
        assert_eq!(status, 400);
        let fields = invalid_fields(&problem);
        for field in ["identifier", "case_type", "initiator", "start_date"] {
            assert!(
                fields.contains(&field.to_owned()),
                "{field} named in {problem}"
            );
        }
        // A body that is not the operation's JSON names the field serde stumbled on.
        let (status, content_type, problem) = app
            .api(
                "POST",
                "/api/v1/cases",
                t,
                Some(json!({ "identifier": "X" })),
            )
            .await;
        assert_eq!((status, content_type.as_str()), (400, PROBLEM));
        assert!(!invalid_fields(&problem).is_empty(), "{problem}");

        // Statuses: one with "notify" emits exactly one outbox event, also when the call is repeated.
        let status_one =
            json!({ "id": "st-1", "status": 1, "set_at": "2026-11-01T10:00:00+01:00" });
        let (status, _, record) = app
            .api(
                "POST",
                "/api/v1/cases/ZAAK-API-1/statuses",
                t,
                Some(status_one.clone()),
            )
            .await;
        assert_eq!(
            (status, record["status"].clone()),
            (201, json!(1)),
            "{record}"
        );
        let (status, _, _) = app
            .api(
                "POST",
                "/api/v1/cases/ZAAK-API-1/statuses",
                t,
                Some(status_one),
            )
            .await;
        assert_eq!(status, 200, "a replay");
        let (status, _, _) = app
            .api(
                "POST",
                "/api/v1/cases/ZAAK-API-1/statuses",
                t,
                Some(json!({ "id": "st-1", "status": 2, "set_at": "2026-11-02T10:00:00+01:00" })),
            )
            .await;
        assert_eq!(status, 409, "the same status id with other data");
        let (status, _, problem) = app
            .api(
                "POST",
                "/api/v1/cases/ZAAK-API-1/statuses",
                t,
                Some(json!({ "id": "st-9", "status": 9, "set_at": "gisteren" })),
            )
            .await;
        assert_eq!(status, 400);
        assert_eq!(invalid_fields(&problem), vec!["set_at", "status"]);
        let (status, _, _) = app
            .api(
                "POST",
                "/api/v1/cases/ZAAK-ONBEKEND/statuses",
                t,
                Some(json!({ "id": "st-1", "status": 1, "set_at": "2026-11-01T10:00:00Z" })),
            )
            .await;
        assert_eq!(status, 404);
        let events = "SELECT COUNT(*) FROM notification_event e JOIN cases c ON c.id = e.case_id WHERE c.identifier = 'ZAAK-API-1' AND e.kind = 'case-status'";
        assert_eq!(count(&app, events).await, 1);
        let (status, _, record) = app
        .api(
            "POST",
            "/api/v1/cases/ZAAK-API-1/statuses",
            t,
            Some(json!({ "id": "st-2", "status": 2, "set_at": "2026-11-03T10:00:00+01:00", "explanation": "We bellen u." })),
        )
        .await;
        assert_eq!(
            (status, record["status_ids"].clone()),
            (201, json!(["st-1", "st-2"]))
        );
        assert_eq!(
            count(&app, events).await,
            1,
            "status 2 does not inform the resident"
        );

        // Action required: set (idempotent), refused when wrong, cleared.
        let action = json!({ "text": "Stuur de bouwtekening.", "deadline": "2026-12-01" });
        let (status, _, record) = app
            .api(
                "PUT",
                "/api/v1/cases/ZAAK-API-1/action-required",
                t,
                Some(action.clone()),
            )
            .await;
        assert_eq!(
            (status, record["action_required"].clone()),
            (200, action.clone())
        );
        let (status, _, _) = app
            .api(
                "PUT",
                "/api/v1/cases/ZAAK-API-1/action-required",
                t,
                Some(action.clone()),
            )
            .await;
        assert_eq!(status, 200);
        let (status, _, problem) = app
            .api(
                "PUT",
                "/api/v1/cases/ZAAK-API-1/action-required",
                t,
                Some(json!({ "text": "", "deadline": "morgen" })),
            )
            .await;
        assert_eq!(
            (status, invalid_fields(&problem)),
            (400, vec!["text".to_owned(), "deadline".to_owned()])
        );
        let (status, _, record) = app
            .api(
                "DELETE",
                "/api/v1/cases/ZAAK-API-1/action-required",
                t,
                None,
            )
            .await;
        assert_eq!(
            (status, record["action_required"].clone()),
            (200, Value::Null)
        );

        // Contact moments: registered, replayed, conflicting, invalid.
        let contact = json!({
            "id": "km-1", "party": { "bsn": "999993653" }, "occurred_at": "2026-11-02T09:15:00+01:00",
            "channel": "telefoon", "subject": "Vraag over de bouwtekening", "case": "ZAAK-API-1",
            "registered_by": "Klantcontactcentrum"
        });
        let (status, _, record) = app
            .api("POST", "/api/v1/contact-moments", t, Some(contact.clone()))
            .await;
        assert_eq!(status, 201, "{record}");
        let (status, _, _) = app
            .api("POST", "/api/v1/contact-moments", t, Some(contact.clone()))
            .await;
        assert_eq!(status, 200);
        let mut changed = contact.clone();
        changed["subject"] = json!("Iets anders");
        let (status, _, _) = app
            .api("POST", "/api/v1/contact-moments", t, Some(changed))
            .await;
        assert_eq!(status, 409);
        let mut invalid = contact.clone();
        invalid["id"] = json!("km-2");
        invalid["channel"] = json!("duif");
        invalid["case"] = json!("ZAAK-ONBEKEND");
        let (status, _, problem) = app
            .api("POST", "/api/v1/contact-moments", t, Some(invalid))
            .await;
        assert_eq!(
            (status, invalid_fields(&problem)),
            (400, vec!["channel".to_owned(), "case".to_owned()])
        );
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM contact_moment WHERE external_id LIKE 'km-%'"
            )
            .await,
            1
        );

        // Closing with a result sets the end status (which informs the resident); after that nothing changes.
        let closing =
            json!({ "result": "Vergunning verleend.", "closed_at": "2026-11-20T12:00:00+01:00" });
        let (status, _, record) = app
            .api(
                "POST",
                "/api/v1/cases/ZAAK-API-1/result",
                t,
                Some(closing.clone()),
            )
            .await;
        assert_eq!(
            (status, record["closed"].clone(), record["status"].clone()),
            (200, json!(true), json!(3)),
            "{record}"
        );
        assert_eq!(count(&app, events).await, 2);
        let (status, _, replay) = app
            .api("POST", "/api/v1/cases/ZAAK-API-1/result", t, Some(closing))
            .await;
        assert_eq!((status, &replay), (200, &record));
        let (status, _, _) = app
            .api(
                "POST",
                "/api/v1/cases/ZAAK-API-1/result",
                t,
                Some(json!({ "result": "Afgewezen.", "closed_at": "2026-11-21T12:00:00+01:00" })),
            )
            .await;
        assert_eq!(status, 409);
        let (status, _, _) = app
            .api(
                "POST",
                "/api/v1/cases/ZAAK-API-1/statuses",
                t,
                Some(
                    json!({ "id": "st-late", "status": 2, "set_at": "2026-11-21T10:00:00+01:00" }),
                ),
            )
            .await;
        assert_eq!(status, 409, "a closed case takes no more statuses");
        let (status, _, fetched) = app.api("GET", "/api/v1/cases/ZAAK-API-1", t, None).await;
        assert_eq!((status, &fetched), (200, &record));

        // A status type cases have reached cannot be dropped from the type.
        let mut fewer = case_type("Omgevingsvergunning", false);
        fewer["statuses"] = json!([{ "seq": 1, "description": "Ontvangen", "resident_text": "Ontvangen.", "end": true }]);
        let (status, _, problem) = app
            .api(
                "PUT",
                "/api/v1/case-types/omgevingsvergunning",
                t,
                Some(fewer),
            )
            .await;
        assert_eq!(
            (status, invalid_fields(&problem)),
            (400, vec!["statuses".to_owned()])
        );

        // The OpenAPI document describes every operation.
        let (status, content_type, document) =
            app.api("GET", "/api/v1/openapi.json", None, None).await;
        assert_eq!((status, content_type.as_str()), (200, "application/json"));
        for path in [
            "/api/v1/case-types/{code}",
            "/api/v1/cases",
            "/api/v1/cases/{identifier}/statuses",
            "/api/v1/cases/{identifier}/action-required",
            "/api/v1/cases/{identifier}/result",
            "/api/v1/contact-moments",
            "/api/v1/appointment-services/{id}",
            "/api/v1/appointment-locations/{id}",
            "/api/v1/appointment-resources/{id}",
        ] {
            assert!(document["paths"][path].is_object(), "{path} documented");
        }
        assert!(document["components"]["securitySchemes"]["bearer"].is_object());
    }
);

on_both_backends!(
    back_office_api_refuses_wrong_tokens_other_municipalities_and_missing_scopes,
    |app| {
        let body = Some(new_case("ZAAK-T-1", "parkeervergunning", "999993653"));
        let (status, content_type, _) = app.api("POST", "/api/v1/cases", None, body.clone()).await;
        assert_eq!((status, content_type.as_str()), (401, PROBLEM));
        let token = app.api_token(&[Scope::Cases]).await;
        let forged = format!("{}x", &token[..token.len() - 1]);
        let (status, _, _) = app
            .api("POST", "/api/v1/cases", Some(&forged), body.clone())
            .await;
        assert_eq!(status, 401, "a wrong secret");
        let (status, _, _) = app
            .api(
                "POST",
                "/api/v1/cases",
                Some("loket_nonsense"),
                body.clone(),
            )
            .await;
        assert_eq!(status, 401);

        // Only the scopes it was given.
        let contacts_only = app.api_token(&[Scope::ContactMoments]).await;
        let (status, content_type, problem) = app
            .api("POST", "/api/v1/cases", Some(&contacts_only), body.clone())
            .await;
        assert_eq!((status, content_type.as_str()), (403, PROBLEM), "{problem}");
        let (status, _, _) = app
            .api(
                "PUT",
                "/api/v1/case-types/x",
                Some(&token),
                Some(case_type("X", false)),
            )
            .await;
        assert_eq!(status, 403);

        // Another municipality's client.
        sqlx::query("INSERT INTO municipality (id, name) VALUES ('elders', 'Gemeente Elders')")
            .execute(&app.loket.db.pool)
            .await
            .unwrap();
        let (_, elsewhere) = clients::add(
            &app.loket.db,
            "elders",
            "Elders",
            &[Scope::Cases],
            test_now(),
        )
        .await
        .unwrap();
        let (status, _, problem) = app
            .api("POST", "/api/v1/cases", Some(&elsewhere), body.clone())
            .await;
        assert_eq!(status, 403, "{problem}");

        // Revoked: refused at once.
        let (id, revoked) = clients::add(
            &app.loket.db,
            "voorbeeld",
            "Oud",
            &[Scope::Cases],
            test_now(),
        )
        .await
        .unwrap();
        assert!(
            clients::revoke(&app.loket.db, &app.loket.municipality.id, &id, test_now())
                .await
                .unwrap()
        );
        let (status, _, _) = app
            .api("POST", "/api/v1/cases", Some(&revoked), body.clone())
            .await;
        assert_eq!(status, 401);
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM cases WHERE identifier = 'ZAAK-T-1'"
            )
            .await,
            0
        );

        // The right token works, without any cookie or CSRF token; unknown operations are problems too.
        let (status, _, _) = app.api("POST", "/api/v1/cases", Some(&token), body).await;
        assert_eq!(status, 201);
        let (status, content_type, _) = app
            .api("GET", "/api/v1/bestaat-niet", Some(&token), None)
            .await;
        assert_eq!((status, content_type.as_str()), (404, PROBLEM));
    }
);

/// A server function call as the page's script would make it (url-encoded arguments, JSON answer).
async fn residents_see_their_own_cases_only(backend: Backend) {
    let server = TestServer::start(backend).await;
    let app = &server.app;
    let token = app
        .api_token(&[Scope::CaseTypes, Scope::Cases, Scope::ContactMoments])
        .await;
    let t = Some(token.as_str());
    for (code, internal) in [("omgevingsvergunning", false), ("fraudesignaal", true)] {
        let (status, _, _) = app
            .api(
                "PUT",
                &format!("/api/v1/case-types/{code}"),
                t,
                Some(case_type(code, internal)),
            )
            .await;
        assert_eq!(status, 201);
    }
    let mut secret = new_case("ZAAK-GEHEIM", "omgevingsvergunning", "999993653");
    secret["confidentiality"] = json!("geheim");
    let mut shared = new_case("ZAAK-SAMEN", "omgevingsvergunning", "111222333");
    shared["co_initiators"] = json!([{ "bsn": "999993653" }]);
    for case in [
        new_case("ZAAK-INTERN", "fraudesignaal", "999993653"),
        secret,
        new_case("ZAAK-ANDER", "omgevingsvergunning", "111222333"),
        shared,
    ] {
        let (status, _, body) = app.api("POST", "/api/v1/cases", t, Some(case)).await;
        assert_eq!(status, 201, "{body}");
    }

    let browser = desiree(&server).await;
    let (status, list) = page(&browser, "/zaken").await;
    assert_eq!(status, 200);
    for visible in ["ZAAK-2026-0412", "ZAAK-SAMEN"] {
        assert!(list.contains(visible), "{visible} listed");
        // Linked by the case's opaque id, never by its number (which can name the case type).
        let href = format!(
            "href=\"{}\"",
            loket_tests::case_page(server.db(), visible).await
        );
        assert!(list.contains(&href), "{visible} linked as {href}");
    }
    assert!(
        !list.contains("href=\"/zaken/ZAAK-"),
        "no case number in a link"
    );
    for hidden in [
        "ZAAK-INTERN",
        "ZAAK-GEHEIM",
        "ZAAK-ANDER",
        "ZAAK-2026-0419",
        "Signaal vroegsignalering",
    ] {
        assert!(!list.contains(hidden), "{hidden} never listed");
    }
    for hidden in ["ZAAK-INTERN", "ZAAK-GEHEIM", "ZAAK-ANDER", "ZAAK-2026-0419"] {
        let path = loket_tests::case_page(server.db(), hidden).await;
        let (status, body) = page(&browser, &path).await;
        assert_eq!(status, 404, "{hidden}");
        assert!(!body.contains("Uitbouw"), "nothing of {hidden} shows");
        let id = path.trim_start_matches("/zaken/");
        assert_eq!(
            server_fn(&browser, "case", &[("id", id)]).await,
            Value::Null
        );
    }
    // The number itself opens nothing.
    let (status, _) = page(&browser, "/zaken/ZAAK-2026-0412").await;
    assert_eq!(status, 404, "a case number is not a page");
    let shared = loket_tests::case_page(server.db(), "ZAAK-SAMEN").await;
    let (status, body) = page(&browser, &shared).await;
    assert_eq!(status, 200, "a co-initiator sees the case");
    assert!(body.contains("Uitbouw aan de achterkant"));
    // Before its first status, with no upcoming text given for it: a general sentence, never a status's
    // "has happened" text.
    assert!(
        body.contains("De gemeente werkt aan de volgende stap."),
        "a general next step"
    );
    assert!(!body.contains("We hebben uw aanvraag ontvangen."));

    // The other resident does not see Desiree's cases.
    let other = Browser::open(&server).await;
    let (person_id,): (String,) = sqlx::query_as("SELECT id FROM person WHERE bsn = '111222333'")
        .fetch_one(&server.db().pool)
        .await
        .unwrap();
    let issued = server::identity::activation::issue(
        server.db(),
        "voorbeeld",
        &server::identity::activation::CodeTarget::Person { person_id },
        "test",
        jiff::Timestamp::now(),
        server::identity::activation::DEFAULT_VALIDITY,
    )
    .await
    .unwrap();
    let (status, body) = other
        .activate(&issued.code, &mut SoftPasskey::new(true), "Laptop")
        .await;
    assert_eq!(status, 200, "{body}");
    let hers = loket_tests::case_page(server.db(), "ZAAK-2026-0412").await;
    let (status, _) = page(&other, &hers).await;
    assert_eq!(status, 404);
    let (_, list) = page(&other, "/zaken").await;
    assert!(list.contains("ZAAK-ANDER") && list.contains("ZAAK-SAMEN"));
    assert!(!list.contains("ZAAK-2026-0412"));
}

loket_tests::on_both_backends!(residents_see_their_own_cases_only);

/// How often the "new" badge appears on a page.
fn new_badges(html: &str) -> usize {
    html.matches("loket-badge--new").count()
}

async fn personal_pages_show_actions_timeline_and_news(backend: Backend) {
    let server = TestServer::start(backend).await;
    let browser = desiree(&server).await;

    // Overzicht: the action first, then open cases and recent contacts.
    let (_, overview) = page(&browser, "/").await;
    let action = overview
        .find("Stuur ons uw bankafschriften")
        .expect("the action is shown");
    let open_cases = overview
        .find("Lopende zaken")
        .expect("open cases are shown");
    assert!(action < open_cases, "action comes first");
    assert!(
        overview.contains("Gesprek met het sociaal team"),
        "her own confidential contact, in full"
    );

    // Zaak detail: the timeline in order; opening it clears the badge.
    let (_, list) = page(&browser, "/zaken").await;
    let before = new_badges(&list);
    assert!(before >= 1, "never opened: new");
    let (_, detail) = page(
        &browser,
        &loket_tests::case_page(server.db(), "ZAAK-2026-0412").await,
    )
    .await;
    let timeline = &detail[detail.find("loket-timeline").expect("a timeline")..];
    let order = [
        "Vraag over bijzondere bijstand",
        "We hebben uw aanvraag ontvangen.",
        "Een consulent bekijkt uw aanvraag.",
        "Uw consulent neemt binnen vijf werkdagen contact met u op.",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|text| {
            timeline
                .find(text)
                .unwrap_or_else(|| panic!("{text} in the timeline"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "timeline in order: {positions:?}"
    );
    // What happens next is said as what will happen, not in the words of the status once reached.
    assert!(
        detail
            .contains("We nemen een besluit over uw aanvraag. U krijgt het besluit in een brief."),
        "the next step"
    );
    assert!(
        !detail.contains("Er is een besluit genomen"),
        "the next status's own text is for when it is reached"
    );
    let (_, list) = page(&browser, "/zaken").await;
    assert_eq!(new_badges(&list), before - 1);

    // A status pushed through the API shows after reload, with the badge again.
    let token = server.app.api_token(&[Scope::Cases]).await;
    let (status, _, body) = server
        .app
        .api(
            "POST",
            "/api/v1/cases/ZAAK-2026-0412/statuses",
            Some(&token),
            Some(json!({ "id": "besluit-1", "status": 3, "set_at": jiff::Timestamp::now().to_string() })),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (_, list) = page(&browser, "/zaken?status=afgerond").await;
    assert!(list.contains("ZAAK-2026-0412") && list.contains("Er is een besluit genomen"));
    assert_eq!(
        new_badges(&list),
        2,
        "the newly closed case and the never-opened one"
    );

    // Filter and sort are plain query parameters.
    let (_, found) = page(&browser, "/zaken?status=afgerond&zoek=parkeer").await;
    assert!(found.contains("ZAAK-2026-0388") && !found.contains("ZAAK-2026-0412"));
    let (_, sorted) = page(&browser, "/zaken?status=afgerond&sorteer=nummer").await;
    assert!(sorted.find("ZAAK-2026-0388") < sorted.find("ZAAK-2026-0412"));
    let (_, sorted) = page(
        &browser,
        "/zaken?status=afgerond&sorteer=nummer&richting=af",
    )
    .await;
    assert!(sorted.find("ZAAK-2026-0412") < sorted.find("ZAAK-2026-0388"));

    // Contact history.
    let (_, contacts) = page(&browser, "/contactmomenten").await;
    for subject in [
        "Vraag over bijzondere bijstand",
        "Gesprek met het sociaal team",
        "Vraag over de parkeervergunning",
    ] {
        assert!(contacts.contains(subject), "{subject}");
    }
}

loket_tests::on_both_backends!(personal_pages_show_actions_timeline_and_news);

async fn members_see_their_organisations_cases(backend: Backend) {
    let server = TestServer::start(backend).await;
    let browser = Browser::open(&server).await;
    let code = browser.demo_code("bedrijf").await;
    let (status, body) = browser
        .activate(&code, &mut SoftPasskey::new(true), "Telefoon")
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, own) = page(&browser, "/zaken").await;
    assert!(own.contains("ZAAK-2026-0412") && !own.contains("ZAAK-2026-0501"));
    // As herself she sees her own talk with the social team (the demo's appointment).
    let (_, appointments) = page(&browser, "/afspraken").await;
    assert!(
        appointments.contains("Gesprek met het sociaal team"),
        "{appointments}"
    );
    let response = browser
        .client
        .post(format!("{}/handelen-als", browser.url))
        .form(&[
            ("organisation", "demo-voorbeeld-bloemenzaak"),
            ("csrf", browser.csrf().as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let (_, company) = page(&browser, "/zaken").await;
    assert!(company.contains("ZAAK-2026-0501") && company.contains("Bloemenzaak De Vries"));
    assert!(
        !company.contains("ZAAK-2026-0412"),
        "not her own cases while acting for the company"
    );
    let (status, _) = page(
        &browser,
        &loket_tests::case_page(server.db(), "ZAAK-2026-0412").await,
    )
    .await;
    assert_eq!(status, 404);
    let (_, contacts) = page(&browser, "/contactmomenten").await;
    assert!(
        !contacts.contains("sociaal team"),
        "her own contacts are not the company's"
    );
    // Nor her own appointments, on Overzicht or Afspraken; the page says whose it shows.
    let (_, appointments) = page(&browser, "/afspraken").await;
    assert!(
        !appointments.contains("sociaal team"),
        "her own appointment is not the company's: {appointments}"
    );
    assert!(
        appointments.contains("alleen de afspraken die u voor Bloemenzaak De Vries maakte"),
        "{appointments}"
    );
    let (_, overview) = page(&browser, "/").await;
    assert!(!overview.contains("sociaal team"), "{overview}");
}

loket_tests::on_both_backends!(members_see_their_organisations_cases);
