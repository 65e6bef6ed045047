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

const DESIREE: &str = "demo-voorbeeld-desiree";

async fn the_contact_centre_books_for_a_resident_with_a_number_she_gives_on_the_phone(
    backend: loket_tests::Backend,
) {
    use crate::appointments::{attribute_values, input_values, key_value, start_values};
    let server = loket_tests::TestServer::start(backend).await;
    let db = server.db();
    let karin = Browser::open(&server).await;
    let mut key = SoftPasskey::new(true);
    let code = karin.demo_code("karin").await;
    let (status, body) = karin.activate(&code, &mut key, "Werkplek").await;
    assert_eq!(status, 200, "{body}");

    // Her card: who, and her confirmed address shortened.
    let card = format!("/medewerkers/inwoners/{DESIREE}");
    let (status, html) = page(&karin, &card).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("Desiree de Vries") && html.contains("1234 AB 5"),
        "{html}"
    );
    assert!(
        html.contains("de…@example.nl") && !html.contains("desiree.devries@example.nl"),
        "{html}"
    );

    // The steps offer what only the contact centre books; the last one a number she gives now.
    let base = format!("{card}/afspraak-maken");
    let (_, html) = page(&karin, &base).await;
    assert!(
        html.contains("Afspraak maken voor Desiree de Vries"),
        "{html}"
    );
    assert!(
        html.contains("Gesprek met het sociaal team"),
        "staff-only services: {html}"
    );
    let (_, html) = page(
        &karin,
        &format!("{base}?dienst=sociaal-team&locatie=wijkcentrum"),
    )
    .await;
    let day = attribute_values(&html, "&amp;dag=")
        .into_iter()
        .chain(attribute_values(&html, "&dag="))
        .next()
        .expect("a day with free times");
    let step = format!("{base}?dienst=sociaal-team&locatie=wijkcentrum&dag={day}");
    let (_, html) = page(&karin, &step).await;
    let channels = input_values(&html, "kanaal");
    assert!(channels.iter().any(|c| c == "nieuw-sms"), "{html}");
    let start = start_values(&html)[0].clone();
    let booked = || async {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM appointment WHERE person_id = $1 AND service_id = 'sociaal-team'",
        )
        .bind(DESIREE)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        n
    };
    let before = booked().await;
    let form = |number: &str, key: String| {
        vec![
            ("service", String::from("sociaal-team")),
            ("location", String::from("wijkcentrum")),
            ("day", day.clone()),
            ("start", start.clone()),
            ("key", key),
            ("kanaal", String::from("nieuw-sms")),
            ("nieuw-sms", number.to_owned()),
        ]
    };
    let send = |fields: Vec<(&'static str, String)>| {
        let karin = &karin;
        let base = &base;
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post(karin, base, &pairs).await
        }
    };

    // A number that is not a mobile number: refused at the box, nothing booked, no address added.
    let (status, _, html) = send(form("020-1234567", loket_tests::appointments::key())).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("id=\"booking-new-error\""), "{html}");
    assert!(
        html.contains("value=\"020-1234567\""),
        "what was typed stays"
    );
    assert_eq!(booked().await, before);
    let (addresses,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM digital_address WHERE person_id = $1 AND channel = 'sms'",
    )
    .bind(DESIREE)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(addresses, 0);

    // A mobile number: booked by Karin, the number kept as given on the phone, the confirmation sent there.
    let (status, url, html) = send(form("06 9876 5432", loket_tests::appointments::key())).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        url.contains("/medewerkers/inwoners/") && url.ends_with("?gelukt=geboekt"),
        "{url}"
    );
    assert!(html.contains("De afspraak is gemaakt"), "{html}");
    assert!(
        html.contains("Gesprek met het sociaal team"),
        "now on her card: {html}"
    );
    assert_eq!(booked().await, before + 1);
    let (id, via, staff): (String, String, Option<String>) = sqlx::query_as(
        "SELECT id, booked_via, booked_by_staff FROM appointment WHERE person_id = $1 AND service_id = 'sociaal-team'
         ORDER BY created_at_ms DESC LIMIT 1",
    )
    .bind(DESIREE)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        (via.as_str(), staff.as_deref()),
        ("staff", Some("demo-voorbeeld-karin"))
    );
    let (address, given_by_phone): (String, i64) = sqlx::query_as(
        "SELECT o.address_id, d.given_by_phone FROM notification_override o
         JOIN digital_address d ON d.id = o.address_id
         WHERE o.subject_kind = 'appointment' AND o.subject_id = $1 AND d.value = '+31698765432'",
    )
    .bind(&id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!(!address.is_empty());
    assert_eq!(given_by_phone, 1);
    // A double submit books once.
    let (_, html) = page(&karin, &step).await;
    let mut again = form("06 9876 5432", key_value(&html));
    again[3].1 = start_values(&html)[0].clone();
    let (first, _, _) = send(again.clone()).await;
    let (second, _, _) = send(again).await;
    assert_eq!((first, second), (200, 200));
    assert_eq!(booked().await, before + 2);

    // Karin cancels the first one from the card, with its button (a POST, never a link).
    let (_, html) = page(&karin, &card).await;
    let action = format!("/medewerkers/inwoners/{DESIREE}/afspraken/{id}/annuleren");
    let encoded = action.replace('-', "%2D");
    assert!(
        html.contains(&format!("action=\"{}\"", action)) || html.contains(&encoded),
        "a cancel button per appointment: {html}"
    );
    let cancel_key = html
        .split(&format!("{id}/annuleren\""))
        .nth(1)
        .and_then(|rest| rest.split("name=\"key\" value=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    // Not through another resident's card, and not by a resident.
    let wrong = format!("/medewerkers/inwoners/someone-else/afspraken/{id}/annuleren");
    let (status, _, _) = post(&karin, &wrong, &[("key", &cancel_key)]).await;
    assert_eq!(status, 404);
    let (status, url, html) = post(&karin, &action, &[("key", &cancel_key)]).await;
    assert_eq!(status, 200, "{html}");
    assert!(url.ends_with("?gelukt=geannuleerd"), "{url}");
    assert!(html.contains("De afspraak is geannuleerd"), "{html}");
    assert_eq!(
        server::appointments::booking::get(db, "voorbeeld", &id)
            .await
            .unwrap()
            .status,
        server::appointments::booking::Status::Cancelled
    );

    // A resident cannot book through the contact centre's form, not even for herself.
    let desiree = crate::cases::desiree(&server).await;
    let (status, _, _) = post(
        &desiree,
        &base,
        &[("kanaal", "nieuw-sms"), ("nieuw-sms", "0611111111")],
    )
    .await;
    assert_eq!(status, 403);
    let (status, _, _) = post(
        &desiree,
        &action,
        &[("key", &loket_tests::appointments::key())],
    )
    .await;
    assert_eq!(status, 403);
    let (status, html) = page(&desiree, &card).await;
    assert!(status == 200 && !html.contains("1234 AB 5"), "{html}");
    // Her activity log names Karin's looks.
    let (_, activity) = page(&desiree, "/activiteit").await;
    assert!(
        activity.contains("Karin Bakker (klantcontactcentrum) bekeek uw persoonsgegevens"),
        "{activity}"
    );
}

loket_tests::on_both_backends!(
    the_contact_centre_books_for_a_resident_with_a_number_she_gives_on_the_phone
);
