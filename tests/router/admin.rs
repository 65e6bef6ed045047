//! Activation codes kept in hand: the contact centre revokes a resident's open code from her card, and an
//! administrator adds employees, gives them a new code and revokes one, on `/beheer/medewerkers`. A revoked
//! code no longer activates anything; nobody but administrators manages staff.

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use loket_tests::browser::page;
use loket_tests::browser::post;
use loket_tests::browser::Browser;
use server::identity::activation::CodeTarget;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;

const DESIREE: &str = "demo-voorbeeld-desiree";

/// The code shown once on a page.
fn code_on(html: &str) -> String {
    html.split("class=\"loket-code\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_else(|| panic!("no code on the page: {html}"))
        .to_owned()
}

/// Whether `code` still activates a passkey (on a fresh device).
async fn activates(server: &loket_tests::TestServer, code: &str) -> bool {
    let device = Browser::open(server).await;
    let (status, _) = device
        .activate(code, &mut SoftPasskey::new(true), "Toestel")
        .await;
    status == 200
}

async fn the_contact_centre_revokes_her_open_code_and_it_no_longer_works(
    backend: loket_tests::Backend,
) {
    let server = loket_tests::TestServer::start(backend).await;
    let karin = loket_tests::browser::signed_in(
        &server,
        CodeTarget::Staff {
            staff_id: String::from("demo-voorbeeld-karin"),
        },
    )
    .await;
    let card = format!("/medewerkers/inwoners/{DESIREE}");
    let (status, _, html) = post(&karin, &format!("{card}/activeringscode"), &[]).await;
    assert_eq!(status, 200);
    let code = code_on(&html);
    let (_, html) = page(&karin, &card).await;
    assert!(
        html.contains("Er is een activeringscode uitgegeven die werkt tot"),
        "{html}"
    );
    assert!(html.contains(&format!("{card}/activeringscode/intrekken")));

    // The back office may not; the contact centre may.
    crate::matrix::staff(&server, "bo-codes", "backoffice").await;
    let backoffice = loket_tests::browser::signed_in(
        &server,
        CodeTarget::Staff {
            staff_id: String::from("bo-codes"),
        },
    )
    .await;
    let (status, _, _) = post(
        &backoffice,
        &format!("{card}/activeringscode/intrekken"),
        &[],
    )
    .await;
    assert_eq!(status, 403);
    let (status, _, html) = post(&karin, &format!("{card}/activeringscode/intrekken"), &[]).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("De activeringscode is ingetrokken."),
        "{html}"
    );
    assert!(!html.contains("Er is een activeringscode uitgegeven die werkt tot"));
    assert!(!activates(&server, &code).await);
    let (revoked,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_event WHERE event = 'activation-code-revoked' AND subject_person_id = $1",
    )
    .bind(DESIREE)
    .fetch_one(&server.db().pool)
    .await
    .unwrap();
    assert_eq!(revoked, 1);
}

loket_tests::on_both_backends!(the_contact_centre_revokes_her_open_code_and_it_no_longer_works);

async fn an_administrator_adds_an_employee_gives_a_new_code_and_revokes_it(
    backend: loket_tests::Backend,
) {
    let server = loket_tests::TestServer::start(backend).await;
    crate::matrix::staff(&server, "admin-1", "admin").await;
    let admin = loket_tests::browser::signed_in(
        &server,
        CodeTarget::Staff {
            staff_id: String::from("admin-1"),
        },
    )
    .await;
    let (status, html) = page(&admin, "/beheer/medewerkers").await;
    assert_eq!(status, 200);
    assert!(html.contains("Karin Bakker"), "{html}");

    // A refused form keeps what was typed and says why at the field; nothing is added.
    let (status, _, html) = post(
        &admin,
        "/beheer/medewerkers",
        &[("naam", "Bea Nieuw"), ("rol", "directeur")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("Kies wat de medewerker doet."), "{html}");
    assert!(html.contains("value=\"Bea Nieuw\""), "{html}");
    let (status, _, html) = post(
        &admin,
        "/beheer/medewerkers",
        &[("naam", "  "), ("rol", "kcc")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("Vul de naam van de medewerker in"), "{html}");
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM staff_member WHERE display_name = 'Bea Nieuw'")
            .fetch_one(&server.db().pool)
            .await
            .unwrap();
    assert_eq!(n, 0);

    // Added: her code is on the answer once (not in its URL), and makes her a passkey.
    let (status, url, html) = post(
        &admin,
        "/beheer/medewerkers",
        &[("naam", "Bea Nieuw"), ("rol", "kcc")],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(url.ends_with("/beheer/medewerkers"), "{url}");
    assert!(html.contains("Activeringscode voor Bea Nieuw"), "{html}");
    let first = code_on(&html);
    let (bea,): (String,) =
        sqlx::query_as("SELECT id FROM staff_member WHERE display_name = 'Bea Nieuw'")
            .fetch_one(&server.db().pool)
            .await
            .unwrap();
    let member = format!("/beheer/medewerkers/{bea}");
    let (_, html) = page(&admin, "/beheer/medewerkers").await;
    assert!(html.contains("nog geen passkey"), "{html}");
    assert!(html.contains(&format!("{member}/activeringscode/intrekken")));

    // A new code replaces the first; revoked, it works no more either.
    let (status, _, html) = post(&admin, &format!("{member}/activeringscode"), &[]).await;
    assert_eq!(status, 200);
    let second = code_on(&html);
    assert_ne!(first, second);
    assert!(!activates(&server, &first).await);
    let (status, _, html) = post(&admin, &format!("{member}/activeringscode/intrekken"), &[]).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("De activeringscode is ingetrokken."),
        "{html}"
    );
    assert!(!activates(&server, &second).await);
    let (status, _, html) = post(&admin, &format!("{member}/activeringscode"), &[]).await;
    assert_eq!(status, 200);
    assert!(activates(&server, &code_on(&html)).await);

    // Nobody else manages staff, and an employee of another municipality is not found.
    let karin = loket_tests::browser::signed_in(
        &server,
        CodeTarget::Staff {
            staff_id: String::from("demo-voorbeeld-karin"),
        },
    )
    .await;
    let (_, html) = page(&karin, "/beheer/medewerkers").await;
    assert!(html.contains("alleen voor beheerders"), "{html}");
    assert!(!html.contains("Bea Nieuw"));
    for path in [
        String::from("/beheer/medewerkers"),
        format!("{member}/activeringscode"),
        format!("{member}/activeringscode/intrekken"),
    ] {
        let (status, _, _) = post(&karin, &path, &[("naam", "X"), ("rol", "admin")]).await;
        assert_eq!(status, 403, "{path}");
    }
    let (status, _, _) = post(&admin, "/beheer/medewerkers/elders/activeringscode", &[]).await;
    assert_eq!(status, 404);
}

loket_tests::on_both_backends!(an_administrator_adds_an_employee_gives_a_new_code_and_revokes_it);
