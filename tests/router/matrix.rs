//! The authorization matrix over HTTP: every resource kind the API has so far × every kind of visitor ×
//! read/change (anonymous and an appointment-link session included). Only the allowed cells succeed; the others
//! get 401/403/404 and no data.

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use loket_tests::browser::signed_in;
use loket_tests::browser::Browser;
use loket_tests::{Backend, TestServer};
use serde_json::json;
use server::identity::activation::CodeTarget;
use server::identity::links;

const M: &str = "voorbeeld";

pub(crate) async fn person(server: &TestServer, id: &str, name: &str) {
    sqlx::query("INSERT INTO person (id, municipality_id, display_name, bsn) VALUES ($1, $2, $3, '999990019')")
        .bind(id)
        .bind(M)
        .bind(name)
        .execute(&server.db().pool)
        .await
        .unwrap();
}

pub(crate) async fn staff(server: &TestServer, id: &str, role: &str) {
    sqlx::query("INSERT INTO staff_member (id, municipality_id, display_name, role) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(M)
        .bind(format!("Medewerker {role}"))
        .bind(role)
        .execute(&server.db().pool)
        .await
        .unwrap();
}

/// A browser holding a session scoped to one appointment (not one of the resources above).
async fn link_session(server: &TestServer, appointment: &str) -> Browser {
    let now = jiff::Timestamp::now();
    let token = links::issue(
        server.db(),
        appointment,
        Some("1980-01-31"),
        now + jiff::SignedDuration::from_hours(48),
        now,
    )
    .await
    .unwrap();
    let browser = Browser::open(server).await;
    let (status, body) = browser
        .post(
            "/api/auth/appointment-link",
            json!({ "token": token, "birth_date": "1980-01-31" }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    browser
}

async fn an_appointment_link_with_the_birth_date_opens_a_scoped_session(backend: Backend) {
    let server = TestServer::start(backend).await;
    let now = jiff::Timestamp::now();
    let token = links::issue(
        server.db(),
        "afspraak-1",
        Some("1986-04-12"),
        now + jiff::SignedDuration::from_hours(48),
        now,
    )
    .await
    .unwrap();
    let browser = Browser::open(&server).await;
    let (status, body) = browser
        .post(
            "/api/auth/appointment-link",
            json!({ "token": token, "birth_date": "1986-04-13" }),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["message"],
        "Deze geboortedatum klopt niet. Controleer de datum en probeer het opnieuw."
    );
    let (status, _) = browser
        .post(
            "/api/auth/appointment-link",
            json!({ "token": token, "birth_date": "1986-04-12" }),
        )
        .await;
    assert_eq!(status, 200);
    let (_, me) = browser.get("/api/auth/session").await;
    assert_eq!(me["kind"], "appointment");
    assert_eq!(me["assurance"], "laag");

    // Five wrong birth dates block the link, also for the right one afterwards; an expired link never works.
    let blocked = links::issue(
        server.db(),
        "afspraak-2",
        Some("1986-04-12"),
        now + jiff::SignedDuration::from_hours(48),
        now,
    )
    .await
    .unwrap();
    for _ in 0..5 {
        browser
            .post(
                "/api/auth/appointment-link",
                json!({ "token": blocked, "birth_date": "2000-01-01" }),
            )
            .await;
    }
    let (status, body) = browser
        .post(
            "/api/auth/appointment-link",
            json!({ "token": blocked, "birth_date": "1986-04-12" }),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["message"],
        "Deze link werkt niet (meer). Wilt u uw afspraak wijzigen? Bel ons."
    );
    let expired = links::issue(
        server.db(),
        "afspraak-3",
        Some("1986-04-12"),
        now - jiff::SignedDuration::from_hours(1),
        now,
    )
    .await
    .unwrap();
    let (status, _) = browser
        .post(
            "/api/auth/appointment-link",
            json!({ "token": expired, "birth_date": "1986-04-12" }),
        )
        .await;
    assert_eq!(status, 400);
}

loket_tests::on_both_backends!(an_appointment_link_with_the_birth_date_opens_a_scoped_session);

async fn only_allowed_cells_of_the_authorization_matrix_succeed(backend: Backend) {
    let server = TestServer::start(backend).await;
    let owner = "demo-voorbeeld-desiree";
    let org = "demo-voorbeeld-bloemenzaak";
    person(&server, "jan", "Jan Jansen").await;
    person(&server, "piet", "Piet Pietersen").await;
    sqlx::query("INSERT INTO membership (organisation_id, person_id) VALUES ($1, 'piet')")
        .bind(org)
        .execute(&server.db().pool)
        .await
        .unwrap();
    for role in ["kcc", "backoffice", "admin"] {
        staff(&server, role, role).await;
    }

    let visitors = vec![
        (
            "owner",
            signed_in(
                &server,
                CodeTarget::Person {
                    person_id: owner.into(),
                },
            )
            .await,
        ),
        (
            "other resident",
            signed_in(
                &server,
                CodeTarget::Person {
                    person_id: "jan".into(),
                },
            )
            .await,
        ),
        (
            "member",
            signed_in(
                &server,
                CodeTarget::Membership {
                    organisation_id: org.into(),
                    person_id: "piet".into(),
                },
            )
            .await,
        ),
        (
            "kcc",
            signed_in(
                &server,
                CodeTarget::Staff {
                    staff_id: "kcc".into(),
                },
            )
            .await,
        ),
        (
            "backoffice",
            signed_in(
                &server,
                CodeTarget::Staff {
                    staff_id: "backoffice".into(),
                },
            )
            .await,
        ),
        (
            "admin",
            signed_in(
                &server,
                CodeTarget::Staff {
                    staff_id: "admin".into(),
                },
            )
            .await,
        ),
        ("anonymous", Browser::open(&server).await),
        (
            "appointment link",
            link_session(&server, "afspraak-van-jan").await,
        ),
    ];

    // (cell, method, path, who may)
    let person_path = format!("/api/persons/{owner}");
    let cells: Vec<(&str, &str, String, &[&str])> = vec![
        (
            "read a person's data",
            "GET",
            person_path.clone(),
            &["owner", "kcc", "backoffice"],
        ),
        (
            "read a person's activity",
            "GET",
            format!("{person_path}/activity"),
            &["owner"],
        ),
        (
            "issue a person's activation code",
            "POST",
            format!("{person_path}/activation-codes"),
            // Not an administrator: one who may read no resident binds no passkey to her account.
            &["kcc"],
        ),
        (
            "read an organisation's data",
            "GET",
            format!("/api/organisations/{org}"),
            &["member", "kcc", "backoffice"],
        ),
    ];
    let mut wrong = Vec::new();
    for (cell, method, path, allowed) in &cells {
        for (who, browser) in &visitors {
            let (status, body) = if *method == "GET" {
                browser.get(path).await
            } else {
                browser.post(path, json!({})).await
            };
            let expected_ok = allowed.contains(who);
            let ok = (200..300).contains(&status);
            let leaks = !ok
                && ["Desiree", "de Vries", "Bloemenzaak", "999993653", "code"]
                    .iter()
                    .any(|needle| body.to_string().contains(needle));
            if ok != expected_ok || (!ok && ![401, 403, 404].contains(&status)) || leaks {
                wrong.push(format!("{cell} as {who}: {status} {body}"));
            }
        }
    }
    assert!(wrong.is_empty(), "wrong cells:\n{}", wrong.join("\n"));

    // A membership code only for a membership that exists.
    let (status, body) = visitors[3]
        .1
        .post(
            &format!("{person_path}/activation-codes"),
            json!({ "organisation_id": "bestaat-niet" }),
        )
        .await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = visitors[3]
        .1
        .post(
            &format!("{person_path}/activation-codes"),
            json!({ "organisation_id": org }),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    // Passkeys are per account: each visitor sees only their own.
    let (_, mine) = visitors[0].1.get("/api/account/passkeys").await;
    let (_, theirs) = visitors[1].1.get("/api/account/passkeys").await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_ne!(mine[0]["id"], theirs[0]["id"]);
    let (status, _) = visitors[6].1.get("/api/account/passkeys").await;
    assert_eq!(status, 401);
    let (status, _) = visitors[7].1.get("/api/account/passkeys").await;
    assert_eq!(status, 401, "an appointment-link session has no account");

    // Staff reads were written to the audit log, with role and route, for the resident's Activiteit page.
    let reads: Vec<(String, String)> = sqlx::query_as(
        "SELECT actor_role, route FROM audit_event WHERE event = 'staff-read' AND subject_person_id = $1 ORDER BY actor_role",
    )
    .bind(owner)
    .fetch_all(&server.db().pool)
    .await
    .unwrap();
    assert_eq!(
        reads,
        vec![
            ("backoffice".to_owned(), "/api/persons/{id}".to_owned()),
            ("kcc".to_owned(), "/api/persons/{id}".to_owned()),
        ]
    );
    let (_, activity) = visitors[0].1.get(&format!("{person_path}/activity")).await;
    assert!(
        activity.to_string().contains("Medewerker kcc"),
        "{activity}"
    );
}

loket_tests::on_both_backends!(only_allowed_cells_of_the_authorization_matrix_succeed);
