//! The contact centre's search box over HTTP, on both databases: what it understands, that what was typed
//! never goes into a URL, that only staff who serve residents may search, and that every hit is audited.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::appointments::post;
use crate::cases::page;
use crate::identity::Browser;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;

async fn search_hits_audited_for_desiree(server: &loket_tests::TestServer) -> i64 {
    let (reads,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_event a JOIN person p ON p.id = a.subject_person_id
         WHERE a.event = 'staff-read' AND a.data_kind = 'zoekresultaat' AND p.display_name = 'Desiree de Vries'",
    )
    .fetch_one(&server.db().pool)
    .await
    .unwrap();
    reads
}

async fn the_contact_centre_finds_a_caller_from_one_search_box_and_each_hit_is_audited(
    backend: loket_tests::Backend,
) {
    let server = loket_tests::TestServer::start(backend).await;
    let karin = Browser::open(&server).await;
    let mut key = SoftPasskey::new(true);
    let code = karin.demo_code("karin").await;
    let (status, body) = karin.activate(&code, &mut key, "Werkplek").await;
    assert_eq!(status, 200, "{body}");

    let (status, html) = page(&karin, "/medewerkers").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("name=\"zoek\"") && !html.contains("Aantal gevonden"),
        "{html}"
    );

    // Postcode, house number and birth date: Desiree, found by a POST whose answer stays at /medewerkers.
    let (status, url, html) =
        post(&karin, "/medewerkers", &[("zoek", "1234 AB 5 12-4-1986")]).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        url.ends_with("/medewerkers"),
        "nothing typed goes into the URL: {url}"
    );
    assert!(
        html.contains("Desiree de Vries") && html.contains("1234 AB 5"),
        "{html}"
    );
    assert!(html.contains("Aantal gevonden: 1."), "{html}");
    // Another birth date at that address: nobody.
    let (_, _, html) = post(&karin, "/medewerkers", &[("zoek", "1234ab 5 13-4-1986")]).await;
    assert!(
        html.contains("Aantal gevonden: 0.") && !html.contains("Desiree de Vries"),
        "{html}"
    );
    // Name words in any order, an e-mail address, a KvK number.
    for (typed, found) in [
        ("vries desiree", "Desiree de Vries"),
        ("Desiree.DeVries@Example.NL", "Desiree de Vries"),
        ("9000 1234", "Bloemenzaak De Vries"),
    ] {
        let (status, _, html) = post(&karin, "/medewerkers", &[("zoek", typed)]).await;
        assert_eq!(status, 200, "{typed}: {html}");
        assert!(html.contains(found), "{typed}: {html}");
    }
    // Something the box cannot use: the reason, announced, and what was typed kept.
    let (status, _, html) = post(&karin, "/medewerkers", &[("zoek", "1234 AB")]).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("Typ ook het huisnummer na de postcode"),
        "{html}"
    );
    assert!(
        html.contains("value=\"1234 AB\"") && html.contains("role=\"alert\""),
        "{html}"
    );
    // Desiree appeared three times: three entries in her activity log.
    assert_eq!(search_hits_audited_for_desiree(&server).await, 3);

    // A resident may not search; someone signed out is sent to sign in.
    let desiree = crate::cases::desiree(&server).await;
    let (status, _, html) = post(&desiree, "/medewerkers", &[("zoek", "vries")]).await;
    assert_eq!(status, 403);
    assert!(
        !html.contains("Aantal gevonden") && html.contains("alleen voor medewerkers"),
        "{html}"
    );
    let stranger = Browser::open(&server).await;
    let (_, url, _) = post(&stranger, "/medewerkers", &[("zoek", "vries")]).await;
    assert!(url.contains("/inloggen"), "{url}");
    assert_eq!(search_hits_audited_for_desiree(&server).await, 3);
    // The activity log says who looked, and at what.
    let (_, activity) = page(&desiree, "/activiteit").await;
    assert!(
        activity.contains("bekeek uw naam, geboortedatum en adres in een zoekresultaat"),
        "{activity}"
    );
}

loket_tests::on_both_backends!(
    the_contact_centre_finds_a_caller_from_one_search_box_and_each_hit_is_audited
);
