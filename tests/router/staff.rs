//! The contact centre's search box over HTTP, on both databases: what it understands, that what was typed
//! never goes into a URL, that only staff who serve residents may search, and that every hit is audited.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use loket_tests::browser::karin;
use loket_tests::browser::page;
use loket_tests::browser::post;
use loket_tests::browser::Browser;
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
    let desiree = loket_tests::browser::desiree(&server).await;
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
    // In the employee's words, not the resident's ("Waarvoor komt u?", "Bel ons").
    assert!(html.contains("Waarvoor komt de inwoner?"), "{html}");
    for resident_words in ["Waarvoor komt u?", "Bel ons"] {
        assert!(!html.contains(resident_words), "{resident_words}: {html}");
    }
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
    let (status, url, html) = send(form("06 5876 5432", loket_tests::appointments::key())).await;
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
         WHERE o.subject_kind = 'appointment' AND o.subject_id = $1 AND d.value = '+31658765432'",
    )
    .bind(&id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!(!address.is_empty());
    assert_eq!(given_by_phone, 1);
    // A double submit books once.
    let (_, html) = page(&karin, &step).await;
    let mut again = form("06 5876 5432", key_value(&html));
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
    let desiree = loket_tests::browser::desiree(&server).await;
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

pub(crate) fn hidden_key(html: &str) -> String {
    html.split("contactmomenten\"")
        .nth(1)
        .and_then(|rest| rest.split("name=\"key\" value=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .expect("the contact form's key")
        .to_owned()
}

async fn the_card_shows_each_role_only_what_it_may_know_and_records_a_contact_moment(
    backend: loket_tests::Backend,
) {
    let server = loket_tests::TestServer::start(backend).await;
    let db = server.db();
    let karin = karin(&server).await;
    let card = format!("/medewerkers/inwoners/{DESIREE}");
    let (status, html) = page(&karin, &card).await;
    assert_eq!(status, 200, "{html}");
    // THAT, not WHAT: the confidential contact and the social domain's cases are there, their content is not;
    // the parking permit case (zaakvertrouwelijk) is shown with its status.
    assert!(html.contains("vertrouwelijk</li>"), "{html}");
    assert!(!html.contains("hulp bij schulden"), "{html}");
    assert!(html.contains("Er is een vertrouwelijke zaak"), "{html}");
    assert!(
        !html.contains("ZAAK-2026-0412") && !html.contains("Signaal vroegsignalering"),
        "{html}"
    );
    assert!(
        html.contains("ZAAK-2026-0388 · Parkeervergunning · Verleend · afgesloten"),
        "{html}"
    );
    // Nothing that matters right now in the (2026) demo data: no contacts this week.
    assert!(!html.contains("keer contact met de gemeente"), "{html}");

    let count = || async {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM contact_moment WHERE person_id = $1")
                .bind(DESIREE)
                .fetch_one(&db.pool)
                .await
                .unwrap();
        n
    };
    let before = count().await;
    // A call yesterday that a case system registered.
    sqlx::query(
        "INSERT INTO contact_moment (id, municipality_id, external_id, person_id, occurred_at_ms, channel, subject,
                                     confidential, registered_by, created_at_ms, request_fingerprint)
         VALUES ('yesterday', 'voorbeeld', 'yesterday', $1, $2, 'telefoon', 'Vraag over afval', 0,
                 'Klantcontactcentrum', $2, 'test')",
    )
    .bind(DESIREE)
    .bind((jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24)).as_millisecond())
    .execute(&db.pool)
    .await
    .unwrap();
    let before = before + 1;
    let action = format!("{card}/contactmomenten");
    let key = hidden_key(&html);
    // No reason chosen: refused at that field, every typed word kept, nothing stored.
    let long_text = format!("Belde over de afspraak. {}", "Nog een zin. ".repeat(20));
    let (status, _, refused) = post(
        &karin,
        &action,
        &[
            ("kanaal", "telefoon"),
            ("reden", ""),
            ("tekst", &long_text),
            ("vertrouwelijk", "ja"),
            ("key", &key),
        ],
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused.contains("id=\"contact-reden-error\"")
            && refused.contains("Kies waar het contact over ging."),
        "{refused}"
    );
    assert!(
        refused.contains(long_text.trim_end()),
        "all of the text stays: {refused}"
    );
    // A case that is not hers: refused too.
    let (status, _, refused) = post(
        &karin,
        &action,
        &[
            ("kanaal", "telefoon"),
            ("reden", "zaak"),
            ("zaak", "demo-voorbeeld-zaak-bedrijf-1"),
            ("key", &key),
        ],
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused.contains("Kies een zaak van deze inwoner"),
        "{refused}"
    );
    assert_eq!(count().await, before);

    // A confidential call about her application, recorded once even when the form is sent twice.
    let form = [
        ("kanaal", "telefoon"),
        ("reden", "geldzaken"),
        ("tekst", "Wil de bevestiging per sms op haar nieuwe nummer."),
        ("vertrouwelijk", "ja"),
        ("zaak", "demo-voorbeeld-zaak-1"),
        ("key", key.as_str()),
    ];
    let (status, url, html) = post(&karin, &action, &form).await;
    assert_eq!(status, 200, "{html}");
    assert!(url.ends_with("?gelukt=contact"), "{url}");
    assert!(html.contains("Het contact is vastgelegd."), "{html}");
    let (status, _, _) = post(&karin, &action, &form).await;
    assert_eq!(status, 200);
    assert_eq!(count().await, before + 1);
    let (reason, staff, confidential, registered_by, subject, case): (
        String,
        String,
        i64,
        String,
        String,
        String,
    ) = sqlx::query_as(
        "SELECT reason, staff_id, confidential, registered_by, subject, case_id FROM contact_moment
             WHERE person_id = $1 AND reason IS NOT NULL",
    )
    .bind(DESIREE)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        (
            reason.as_str(),
            staff.as_str(),
            confidential,
            registered_by.as_str(),
            subject.as_str(),
            case.as_str()
        ),
        (
            "geldzaken",
            "demo-voorbeeld-karin",
            1,
            "Klantcontactcentrum",
            "Geldzaken en schulden",
            "demo-voorbeeld-zaak-1"
        )
    );
    // Two contacts this week now: the notices dialog says so. The confidential text stays hidden from the
    // contact centre.
    assert!(
        html.contains("class=\"loket-notices\"")
            && html.contains("Had de afgelopen 7 dagen 2 keer contact"),
        "{html}"
    );
    assert!(!html.contains("Wil de bevestiging per sms"), "{html}");

    // The back office sees what the cases and the confidential contacts say.
    crate::matrix::staff(&server, "bo-1", "backoffice").await;
    let backoffice = loket_tests::browser::signed_in(
        &server,
        server::identity::activation::CodeTarget::Staff {
            staff_id: String::from("bo-1"),
        },
    )
    .await;
    let (status, html) = page(&backoffice, &card).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("hulp bij schulden") && html.contains("Wil de bevestiging per sms"),
        "{html}"
    );
    assert!(
        html.contains("ZAAK-2026-0412 · Bijzondere bijstand"),
        "{html}"
    );
    // An administrator sees no resident and records nothing; neither does a resident.
    crate::matrix::staff(&server, "admin-1", "admin").await;
    let admin = loket_tests::browser::signed_in(
        &server,
        server::identity::activation::CodeTarget::Staff {
            staff_id: String::from("admin-1"),
        },
    )
    .await;
    let (_, html) = page(&admin, &card).await;
    assert!(
        !html.contains("1234 AB 5") && !html.contains("Contactgeschiedenis"),
        "{html}"
    );
    let other_key = loket_tests::appointments::key();
    let mut again = form;
    again[5] = ("key", other_key.as_str());
    let (status, _, _) = post(&admin, &action, &again).await;
    assert_eq!(status, 403);
    let desiree = loket_tests::browser::desiree(&server).await;
    let (status, _, _) = post(&desiree, &action, &again).await;
    assert_eq!(status, 403);
    assert_eq!(count().await, before + 1);
    // Desiree reads her own contact, confidential or not, under the team's name.
    let (_, contacts) = page(&desiree, "/contactmomenten").await;
    assert!(
        contacts.contains("Geldzaken en schulden")
            && contacts.contains("Wil de bevestiging per sms"),
        "{contacts}"
    );
}

loket_tests::on_both_backends!(
    the_card_shows_each_role_only_what_it_may_know_and_records_a_contact_moment
);

async fn the_report_counts_contacts_and_bookings_per_week_and_its_csv_holds_no_personal_data(
    backend: loket_tests::Backend,
) {
    let server = loket_tests::TestServer::start(backend).await;
    let db = server.db();
    let tz = jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap();
    let now = jiff::Timestamp::now();
    let weeks = server::staff::report::weeks(&tz, now, 2).unwrap();
    let (last, this) = (weeks[0], weeks[1]);
    // Seeded: this week three calls about waste and one chat with a complaint; last week two calls about waste.
    let seeded = [
        ("afval", "telefoon", this.from, 3),
        ("klacht", "chat", this.from, 1),
        ("afval", "telefoon", last.from, 2),
    ];
    for (n, (reason, channel, week_start, count)) in seeded.into_iter().enumerate() {
        for i in 0..count {
            let at = week_start + jiff::SignedDuration::from_mins(10 + i);
            sqlx::query(
                "INSERT INTO contact_moment (id, municipality_id, external_id, person_id, occurred_at_ms, channel,
                                             subject, confidential, registered_by, created_at_ms,
                                             request_fingerprint, reason)
                 VALUES ($1, 'voorbeeld', $1, $2, $3, $4, 'Vraag over afvalinzameling', 0, 'Klantcontactcentrum',
                         $3, 'test', $5)",
            )
            .bind(format!("report-{n}-{i}"))
            .bind(DESIREE)
            .bind(at.as_millisecond())
            .bind(channel)
            .bind(reason)
            .execute(&db.pool)
            .await
            .unwrap();
        }
    }
    // The demo's booking by the contact centre (seeded in 2026) counts as made this week.
    sqlx::query("UPDATE appointment SET created_at_ms = $1 WHERE booked_via = 'staff'")
        .bind((this.from + jiff::SignedDuration::from_mins(5)).as_millisecond())
        .execute(&db.pool)
        .await
        .unwrap();
    let (booked_by_staff,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM appointment WHERE booked_via = 'staff' AND service_id = 'sociaal-team'
           AND created_at_ms >= $1 AND created_at_ms < $2",
    )
    .bind(this.from.as_millisecond())
    .bind(this.until.as_millisecond())
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!(booked_by_staff >= 1, "the demo booked Desiree's talk");
    // Two documents Desiree sent for that talk this week (their titles are hers: not in the report).
    let (talk,): (String,) = sqlx::query_as(
        "SELECT id FROM appointment WHERE booked_via = 'staff' AND service_id = 'sociaal-team' LIMIT 1",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    for (i, title) in [
        "Loonstrook maart van De Vries",
        "Huurcontract Stationsstraat",
    ]
    .into_iter()
    .enumerate()
    {
        sqlx::query(
            "INSERT INTO document (id, municipality_id, person_id, appointment_id, service, title, content_type,
                                   bytes, pages, object_key, created_at_ms)
             VALUES ($1, 'voorbeeld', $2, $3, 'sociaal-team', $4, 'application/pdf', 1000, 1, $1, $5)",
        )
        .bind(format!("report-document-{i}"))
        .bind(DESIREE)
        .bind(&talk)
        .bind(title)
        .bind((this.from + jiff::SignedDuration::from_mins(20)).as_millisecond())
        .execute(&db.pool)
        .await
        .unwrap();
    }

    let karin = karin(&server).await;
    let response = karin
        .client
        .get(format!("{}/medewerkers/rapport.csv", karin.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = response.text().await.unwrap();
    assert!(
        csv.starts_with("week,maat,categorie,detail,aantal\r\n"),
        "{csv}"
    );
    for line in [
        format!("{},contacten,afval,telefoon,3", this.monday),
        format!("{},contacten,klacht,chat,1", this.monday),
        format!("{},contacten,afval,telefoon,2", last.monday),
        format!(
            "{},afspraken,staff,sociaal-team,{booked_by_staff}",
            this.monday
        ),
        format!("{},documenten,appointment,sociaal-team,2", this.monday),
    ] {
        assert!(csv.lines().any(|l| l == line), "{line} in {csv}");
    }
    assert!(
        !csv.contains(&format!("{},contacten,klacht", last.monday)),
        "{csv}"
    );
    // Nothing in it identifies anyone: no name, number, address, birth date or free text of any party.
    let mut needles: Vec<String> = Vec::new();
    for sql in [
        "SELECT display_name FROM person",
        "SELECT COALESCE(bsn, '') FROM person",
        "SELECT COALESCE(birth_date, '') FROM person",
        "SELECT COALESCE(postcode, '') FROM person",
        "SELECT value FROM digital_address",
        "SELECT name FROM organisation",
        "SELECT kvk_number FROM organisation",
        "SELECT subject FROM contact_moment",
        "SELECT COALESCE(body, '') FROM contact_moment",
        "SELECT title FROM document",
        "SELECT id FROM person",
    ] {
        let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&db.pool).await.unwrap();
        needles.extend(
            rows.into_iter()
                .map(|(v,)| v)
                .filter(|v| v.chars().count() >= 6),
        );
    }
    assert!(needles.len() > 5, "{needles:?}");
    for needle in &needles {
        assert!(!csv.contains(needle.as_str()), "{needle} in {csv}");
    }

    // The page shows the same figures, week by week, with a total.
    let (status, html) = page(&karin, "/medewerkers/rapport").await;
    assert_eq!(status, 200, "{html}");
    let row = html
        .split("<th scope=\"row\">Afval · telefoon</th>")
        .nth(1)
        .and_then(|rest| rest.split("</tr>").next())
        .expect("a row for waste by phone")
        .replace("<!>", "");
    assert!(row.ends_with("<td>2</td><td>3</td><td>5</td>"), "{row}");
    // (The postcode is left out here: the town hall in the footer shares Desiree's.)
    for needle in needles.iter().filter(|n| !n.contains(" AB")) {
        assert!(!html.contains(needle.as_str()), "{needle} on the page");
    }

    // Residents and visitors who are not signed in get no report.
    let desiree = loket_tests::browser::desiree(&server).await;
    let response = desiree
        .client
        .get(format!("{}/medewerkers/rapport.csv", desiree.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    let (_, html) = page(&desiree, "/medewerkers/rapport").await;
    assert!(!html.contains("Afval · telefoon"), "{html}");
    let stranger = Browser::open(&server).await;
    let response = stranger
        .client
        .get(format!("{}/medewerkers/rapport.csv", stranger.url))
        .send()
        .await
        .unwrap();
    assert!(
        response.url().path().starts_with("/inloggen"),
        "{}",
        response.url()
    );
}

loket_tests::on_both_backends!(
    the_report_counts_contacts_and_bookings_per_week_and_its_csv_holds_no_personal_data
);

async fn counts(db: &server::storage::Db) -> Vec<i64> {
    let mut out = Vec::new();
    for table in [
        "appointment",
        "contact_moment",
        "digital_address",
        "notification_choice",
        "case_seen",
        "passkey",
        "activation_code",
    ] {
        let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&db.pool)
            .await
            .unwrap();
        out.push(n);
    }
    out
}

async fn a_preview_shows_her_own_pages_redacted_refuses_every_change_and_is_in_her_activity_log(
    backend: loket_tests::Backend,
) {
    let server = loket_tests::TestServer::start(backend).await;
    let db = server.db();
    let karin = karin(&server).await;
    let card = format!("/medewerkers/inwoners/{DESIREE}");
    let (_, html) = page(&karin, &card).await;
    assert!(html.contains("Bekijk als inwoner"), "{html}");
    let before = counts(db).await;

    let (status, url, html) = post(&karin, &format!("{card}/bekijken"), &[]).await;
    assert_eq!(status, 200, "{html}");
    assert!(url.ends_with('/'), "{url}");
    // Her Overzicht, under the banner, as she sees it.
    assert!(
        html.contains(
            "U bekijkt dit als Karin Bakker (klantcontactcentrum). De inwoner ziet dit zo."
        ),
        "{html}"
    );
    assert!(
        html.contains("Desiree de Vries") && html.contains("Uw laatste contact met ons"),
        "{html}"
    );
    // Redacted for the contact centre: the confidential contact's content and the social domain's case.
    let (_, contacts) = page(&karin, "/contactmomenten").await;
    assert!(
        contacts.contains("Vraag over de parkeervergunning"),
        "{contacts}"
    );
    assert!(!contacts.contains("hulp bij schulden"), "{contacts}");
    // Nor the number of that case in the line of an ordinary contact about it.
    assert!(
        contacts.contains("Vraag over bijzondere bijstand") && !contacts.contains("ZAAK-2026-0412"),
        "{contacts}"
    );
    // Open: only the social domain's case, which the contact centre may not read; closed: the parking permit.
    let (_, cases) = page(&karin, "/zaken").await;
    assert!(
        cases.contains("Lopend (0)") && !cases.contains("ZAAK-2026-0412"),
        "{cases}"
    );
    let (_, cases) = page(&karin, "/zaken?status=afgerond").await;
    assert!(
        cases.contains("ZAAK-2026-0388") && !cases.contains("ZAAK-2026-0412"),
        "{cases}"
    );
    let (status, _) = page(&karin, &loket_tests::case_page(db, "ZAAK-2026-0388").await).await;
    assert_eq!(status, 200);
    let (_, messages) = page(&karin, "/instellingen/berichten").await;
    assert!(
        messages.contains("desiree.devries@example.nl"),
        "{messages}"
    );
    // Karin's own passkeys are not shown as hers.
    let (_, settings) = page(&karin, "/instellingen").await;
    assert!(!settings.contains("Werkplek"), "{settings}");

    // Every state-changing route of the router is refused, enumerated from the router itself.
    let routes = server::web::state_changing_routes();
    assert!(routes.len() > 20, "{routes:?}");
    for (path, methods) in routes {
        if server::web::PREVIEW_MAY_POST.contains(&path) {
            continue;
        }
        let concrete = loket_tests::concrete(path, DESIREE);
        for method in methods {
            if method == http::Method::POST {
                // A form: back on her overview, the banner saying why nothing changed (no bare text page).
                let (status, url, body) = post(&karin, &concrete, &[("key", "preview-key")]).await;
                assert_eq!(status, 200, "{path} answered {status}: {body}");
                assert!(url.ends_with("/?voorbeeld=alleen-lezen"), "{path}: {url}");
                assert!(
                    body.contains("Dit kan niet in een voorbeeld"),
                    "{path}: {body}"
                );
                assert!(body.contains("Stoppen met bekijken"), "{path}: {body}");
            }
            let response = karin
                .client
                .request(method.clone(), format!("{}{concrete}", karin.url))
                .header("x-csrf-token", karin.csrf())
                .json(&serde_json::json!({}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 403, "{method} {path} as JSON");
        }
    }
    // And every server function that is not a read; the reads answer.
    let names = server::web::server_fn_names();
    assert!(names.iter().any(|n| n == "overview"), "{names:?}");
    for name in names {
        let response = karin
            .client
            .post(format!("{}/fn/{name}", karin.url))
            .header("x-csrf-token", karin.csrf())
            .form(&[("id", DESIREE)])
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        if app::api::READ_ONLY_FNS.contains(&name.as_str()) {
            assert_ne!(status, 403, "{name} is a read");
        } else {
            assert_eq!(status, 403, "{name} changes state");
        }
    }
    // Other methods are refused too.
    for method in [
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
        reqwest::Method::PATCH,
    ] {
        let response = karin
            .client
            .request(
                method.clone(),
                format!("{}/instellingen/berichten", karin.url),
            )
            .header("x-csrf-token", karin.csrf())
            .send()
            .await
            .unwrap();
        assert!(
            [403, 405].contains(&response.status().as_u16()),
            "{method}: {}",
            response.status()
        );
    }
    assert_eq!(
        counts(db).await,
        before,
        "nothing changed, not even a 'seen' mark"
    );

    // Stopping leads back to her card; the banner is gone.
    let (status, url, html) = post(&karin, "/voorbeeld-stoppen", &[]).await;
    assert_eq!(status, 200, "{html}");
    assert!(url.ends_with(&card), "{url}");
    assert!(!html.contains("U bekijkt dit als"), "{html}");

    // Only staff who serve residents preview.
    let desiree = loket_tests::browser::desiree(&server).await;
    let (status, _, _) = post(&desiree, &format!("{card}/bekijken"), &[]).await;
    assert_eq!(status, 403);
    crate::matrix::staff(&server, "admin-2", "admin").await;
    let admin = loket_tests::browser::signed_in(
        &server,
        server::identity::activation::CodeTarget::Staff {
            staff_id: String::from("admin-2"),
        },
    )
    .await;
    let (status, _, _) = post(&admin, &format!("{card}/bekijken"), &[]).await;
    assert_eq!(status, 403);
    // She sees who looked, and at what.
    let (_, activity) = page(&desiree, "/activiteit").await;
    assert!(
        activity.contains(
            "Karin Bakker (klantcontactcentrum) bekeek uw pagina&#x27;s, zoals u ze zelf ziet"
        ) || activity.contains(
            "Karin Bakker (klantcontactcentrum) bekeek uw pagina's, zoals u ze zelf ziet"
        ),
        "{activity}"
    );
}

loket_tests::on_both_backends!(
    a_preview_shows_her_own_pages_redacted_refuses_every_change_and_is_in_her_activity_log
);

async fn the_contact_centre_issues_an_activation_code_from_the_card_that_works_once(
    backend: loket_tests::Backend,
) {
    let server = loket_tests::TestServer::start(backend).await;
    let karin = karin(&server).await;
    let card = format!("/medewerkers/inwoners/{DESIREE}");
    let (_, html) = page(&karin, &card).await;
    assert!(html.contains("Nieuwe activeringscode maken"), "{html}");
    let response = karin
        .client
        .post(format!("{}{card}/activeringscode", karin.url))
        .form(&[("csrf", karin.csrf().as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert!(
        response.url().path().ends_with("/activeringscode"),
        "no code in a URL"
    );
    let html = response.text().await.unwrap();
    let code = html
        .split("class=\"loket-code\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the code on the card")
        .to_owned();
    assert_eq!(code.len(), 24, "{code}");
    // Desiree makes a passkey with it on her own device; a second use fails.
    let phone = Browser::open(&server).await;
    let mut key = SoftPasskey::new(true);
    let (status, body) = phone.activate(&code, &mut key, "Telefoon").await;
    assert_eq!(status, 200, "{body}");
    let again = Browser::open(&server).await;
    let (status, _) = again
        .activate(&code, &mut SoftPasskey::new(true), "Nog een")
        .await;
    assert_ne!(status, 200);
    let (_, activity) = page(&phone, "/activiteit").await;
    assert!(
        activity.contains("Er is een activeringscode voor u gemaakt."),
        "{activity}"
    );

    // The back office does not bind identities.
    crate::matrix::staff(&server, "bo-2", "backoffice").await;
    let backoffice = loket_tests::browser::signed_in(
        &server,
        server::identity::activation::CodeTarget::Staff {
            staff_id: String::from("bo-2"),
        },
    )
    .await;
    let (_, html) = page(&backoffice, &card).await;
    assert!(!html.contains("Nieuwe activeringscode maken"), "{html}");
    let (status, _, _) = post(&backoffice, &format!("{card}/activeringscode"), &[]).await;
    assert_eq!(status, 403);
}

loket_tests::on_both_backends!(
    the_contact_centre_issues_an_activation_code_from_the_card_that_works_once
);

async fn the_contact_centre_corrects_an_address_that_bounced_and_it_keeps_its_choices(
    backend: loket_tests::Backend,
) {
    let server = loket_tests::TestServer::start(backend).await;
    let db = server.db();
    let (address,): (String,) = sqlx::query_as(
        "SELECT id FROM digital_address WHERE person_id = $1 AND channel = 'email' ORDER BY created_at_ms LIMIT 1",
    )
    .bind(DESIREE)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    sqlx::query("UPDATE digital_address SET failed_at_ms = 1 WHERE id = $1")
        .bind(&address)
        .execute(&db.pool)
        .await
        .unwrap();
    let karin = karin(&server).await;
    let card = format!("/medewerkers/inwoners/{DESIREE}");
    let (_, html) = page(&karin, &card).await;
    assert!(
        html.contains("komen niet aan. Vraag of het adres nog klopt.")
            && html.contains("Adres verbeteren"),
        "{html}"
    );
    let action = format!("{card}/adressen/{address}/verbeteren");
    // Not an e-mail address: refused at the field, typed text kept, nothing changed.
    let (status, _, html) = post(&karin, &action, &[("juist-adres", "desiree at example")]).await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("Vul een e-mailadres in") && html.contains("value=\"desiree at example\""),
        "{html}"
    );
    // The right one: the same address (and so its choices) with the new value, confirmed, failure cleared.
    let (status, url, html) = post(
        &karin,
        &action,
        &[("juist-adres", " Desiree.Nieuw@Example.NL ")],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(url.ends_with("?gelukt=adres"), "{url}");
    assert!(!html.contains("Adres verbeteren"), "{html}");
    let (value, failed, by_phone): (String, Option<i64>, i64) = sqlx::query_as(
        "SELECT value, failed_at_ms, given_by_phone FROM digital_address WHERE id = $1",
    )
    .bind(&address)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        (value.as_str(), failed, by_phone),
        ("Desiree.Nieuw@example.nl", None, 1)
    );
    // A working address is not corrected here; a resident cannot use the form.
    let (status, _, _) = post(&karin, &action, &[("juist-adres", "ander@example.nl")]).await;
    assert_eq!(status, 422);
    let desiree = loket_tests::browser::desiree(&server).await;
    let (status, _, _) = post(&desiree, &action, &[("juist-adres", "ander@example.nl")]).await;
    assert_eq!(status, 403);
}

loket_tests::on_both_backends!(
    the_contact_centre_corrects_an_address_that_bounced_and_it_keeps_its_choices
);

async fn the_contact_centre_moves_an_appointment_on_her_behalf(backend: loket_tests::Backend) {
    use crate::appointments::{attribute_values, key_value, start_values};
    let server = loket_tests::TestServer::start(backend).await;
    let db = server.db();
    let karin = karin(&server).await;
    let card = format!("/medewerkers/inwoners/{DESIREE}");
    // Karin books the social team for her first (the usual channel).
    let base = format!("{card}/afspraak-maken?dienst=sociaal-team&locatie=wijkcentrum");
    let (status, html) = page(&karin, &base).await;
    let days: Vec<String> = attribute_values(&html, "&amp;dag=")
        .into_iter()
        .chain(attribute_values(&html, "&dag="))
        .collect();
    assert!(days.len() >= 2, "{status}: {html}");
    let step = format!("{base}&dag={}", days[0]);
    let (_, html) = page(&karin, &step).await;
    let (status, _, html) = post(
        &karin,
        &format!("{card}/afspraak-maken"),
        &[
            ("service", "sociaal-team"),
            ("location", "wijkcentrum"),
            ("day", &days[0]),
            ("start", &start_values(&html)[0]),
            ("key", &key_value(&html)),
            ("kanaal", ""),
        ],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    let (id, start_before, sequence_before): (String, i64, i64) = sqlx::query_as(
        "SELECT id, start_ms, sequence FROM appointment WHERE person_id = $1 AND status = 'booked'
         ORDER BY created_at_ms DESC LIMIT 1",
    )
    .bind(DESIREE)
    .fetch_one(&db.pool)
    .await
    .unwrap();

    // On her card, a way to move it, and what she gave for it while booking; the steps keep service and
    // place and offer another day.
    sqlx::query("INSERT INTO appointment_detail (appointment_id, field, value) VALUES ($1, 'phone', '+31612345678')")
        .bind(&id)
        .execute(&db.pool)
        .await
        .unwrap();
    let (_, html) = page(&karin, &card).await;
    let moving = format!("{card}/afspraken/{id}/verzetten");
    assert!(html.contains(&format!("href=\"{moving}\"")), "{html}");
    assert!(
        html.replace("<!>", "")
            .contains("<dt>Telefoonnummer voor deze afspraak</dt><dd>+31612345678</dd>"),
        "{html}"
    );
    let (status, html) = page(&karin, &format!("{moving}?dag={}", days[1])).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(&format!("action=\"{moving}\"")), "{html}");
    let form = [
        ("day", days[1].clone()),
        ("start", start_values(&html)[0].clone()),
        ("key", key_value(&html)),
        ("sequence", sequence_before.to_string()),
    ];
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // Not by a resident, and not as another resident's appointment.
    let desiree = loket_tests::browser::desiree(&server).await;
    let (status, _, _) = post(&desiree, &moving, &pairs).await;
    assert_eq!(status, 403);
    let (status, _, _) = post(
        &karin,
        &format!("/medewerkers/inwoners/someone-else/afspraken/{id}/verzetten"),
        &pairs,
    )
    .await;
    assert_eq!(status, 404);
    let (status, url, html) = post(&karin, &moving, &pairs).await;
    assert_eq!(status, 200, "{html}");
    assert!(url.ends_with("?gelukt=verzet"), "{url}");
    assert!(html.contains("De afspraak is verzet."), "{html}");
    let (start_after, sequence_after): (i64, i64) =
        sqlx::query_as("SELECT start_ms, sequence FROM appointment WHERE id = $1")
            .bind(&id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_ne!(start_after, start_before);
    assert_eq!(sequence_after, sequence_before + 1);
    // The same form again moves nothing more; an old version of the form is refused with a reason.
    let (status, _, _) = post(&karin, &moving, &pairs).await;
    assert_eq!(status, 200);
    let (_, html) = page(&karin, &format!("{moving}?dag={}", days[0])).await;
    let stale = [
        ("day", days[0].as_str()),
        ("start", &start_values(&html)[0]),
        ("key", &key_value(&html)),
        ("sequence", &sequence_before.to_string()),
    ];
    let (status, _, html) = post(&karin, &moving, &stale).await;
    assert_eq!(status, 422, "{html}");
    let (sequence_now,): (i64,) = sqlx::query_as("SELECT sequence FROM appointment WHERE id = $1")
        .bind(&id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(sequence_now, sequence_after);
}

loket_tests::on_both_backends!(the_contact_centre_moves_an_appointment_on_her_behalf);

/// Moves appointment `id` to `start` (30 minutes long), as if it had been booked for then.
async fn happening_at(db: &server::storage::Db, id: &str, start: jiff::Timestamp) {
    let (from, until) = (
        start.as_millisecond(),
        (start + jiff::SignedDuration::from_mins(30)).as_millisecond(),
    );
    sqlx::query(
        "UPDATE appointment SET start_ms = $2, end_ms = $3, busy_from_ms = $2, busy_until_ms = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(from)
    .bind(until)
    .execute(&db.pool)
    .await
    .unwrap();
}

async fn the_desk_checks_in_with_the_code_on_the_card_and_the_report_counts_who_did_not_come(
    backend: loket_tests::Backend,
) {
    let server = loket_tests::TestServer::start(backend).await;
    let db = server.db();
    let now = jiff::Timestamp::now();
    // Desiree's talk with the social team began ten minutes ago; her passport appointment too.
    let (talk, code): (String, String) = sqlx::query_as(
        "SELECT id, checkin_code FROM appointment WHERE service_id = 'sociaal-team' AND booked_via = 'staff' LIMIT 1",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    happening_at(db, &talk, now - jiff::SignedDuration::from_mins(10)).await;
    let passport =
        crate::appointments::booked_by_phone(&server.app, DESIREE, "paspoort", "stadhuis").await;
    happening_at(db, &passport, now - jiff::SignedDuration::from_mins(10)).await;

    let karin = karin(&server).await;
    // Typed as people type it: lower case, in groups.
    let typed = format!("{}-{} {}", &code[..4], &code[4..8], &code[8..]).to_lowercase();
    let (status, _, html) = post(&karin, "/medewerkers/inchecken", &[("code", &typed)]).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("Ingecheckt: Gesprek met het sociaal team om"),
        "{html}"
    );
    assert!(
        !html.contains("Desiree"),
        "the desk sees her in person; the page names no one"
    );
    let (status, _, html) = post(&karin, "/medewerkers/inchecken", &[("code", &code)]).await;
    assert_eq!(status, 200);
    assert!(html.contains("was al ingecheckt"), "{html}");
    // A wrong code: the reason, and what was typed stays in the box.
    let (status, _, html) = post(&karin, "/medewerkers/inchecken", &[("code", "ABCD-EFGH")]).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("Deze code kennen we niet") && html.contains("value=\"ABCD-EFGH\""),
        "{html}"
    );
    // A resident cannot check anyone in.
    let desiree = loket_tests::browser::desiree(&server).await;
    let (status, _, _) = post(&desiree, "/medewerkers/inchecken", &[("code", &code)]).await;
    assert_eq!(status, 403);
    let (checked_in,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM appointment WHERE checked_in_at_ms IS NOT NULL")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(checked_in, 1);

    // Once both are over: one came (checked in), one did not.
    let earlier = now - jiff::SignedDuration::from_mins(45);
    happening_at(db, &talk, earlier).await;
    happening_at(db, &passport, earlier).await;
    let tz = jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap();
    let week = server::staff::report::weeks(&tz, earlier, 1).unwrap()[0].monday;
    let csv = karin
        .client
        .get(format!("{}/medewerkers/rapport.csv", karin.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        format!("{week},opkomst,sociaal-team,checked-in,1"),
        format!("{week},opkomst,paspoort,not-checked-in,1"),
    ] {
        assert!(csv.lines().any(|l| l == line), "{line} in {csv}");
    }
}

loket_tests::on_both_backends!(
    the_desk_checks_in_with_the_code_on_the_card_and_the_report_counts_who_did_not_come
);

async fn karin_starts_a_case_from_a_contact_once_and_desiree_follows_it(
    backend: loket_tests::Backend,
) {
    let server = loket_tests::TestServer::start(backend).await;
    let db = server.db();
    let karin = karin(&server).await;
    let card = format!("/medewerkers/inwoners/{DESIREE}");
    let (_, html) = page(&karin, &card).await;
    // Starting a case is its own choice, apart from the list of her cases.
    let new_select = &html[html
        .find("name=\"nieuwe_zaak\"")
        .expect("a separate choice")..];
    let new_select = &new_select[..new_select.find("</select>").unwrap()];
    assert!(
        new_select.contains("value=\"nieuw:parkeervergunning\""),
        "{html}"
    );
    let her_cases = &html[html.find("name=\"zaak\"").expect("her cases")..];
    let her_cases = &her_cases[..her_cases.find("</select>").unwrap()];
    assert!(
        !her_cases.contains("nieuw:"),
        "no case type among her cases: {her_cases}"
    );
    let key = hidden_key(&html);
    let action = format!("{card}/contactmomenten");
    let form = vec![
        ("kanaal", "telefoon"),
        ("reden", "zaak"),
        ("tekst", "Wil een parkeervergunning voor de nieuwe auto."),
        ("zaak", ""),
        ("nieuwe_zaak", "nieuw:parkeervergunning"),
        ("key", key.as_str()),
    ];
    let count = |sql: &'static str| async move {
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&db.pool).await.unwrap();
        n
    };
    let cases_before = (count("SELECT COUNT(*) FROM cases").await,);
    let contacts_before = count("SELECT COUNT(*) FROM contact_moment").await;
    // First the question, naming what will be created; nothing is stored yet, and all that was typed stays.
    let (status, url, asked) = post(&karin, &action, &form).await;
    assert_eq!(status, 200, "{asked}");
    assert!(url.ends_with("/contactmomenten"), "{url}");
    assert!(
        asked.contains("U start hiermee een nieuwe zaak: Parkeervergunning."),
        "{asked}"
    );
    assert!(asked.contains("name=\"bevestig\" value=\"ja\""), "{asked}");
    assert!(asked.contains("Wil een parkeervergunning voor de nieuwe auto."));
    assert_eq!(count("SELECT COUNT(*) FROM cases").await, cases_before.0);
    assert_eq!(
        count("SELECT COUNT(*) FROM contact_moment").await,
        contacts_before
    );
    // One of her cases and a new one at once: refused, nothing stored.
    let (existing,): (String,) =
        sqlx::query_as("SELECT id FROM cases WHERE identifier = 'ZAAK-2026-0412'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    let mut both = form.clone();
    both[3] = ("zaak", existing.as_str());
    both.push(("bevestig", "ja"));
    let (status, _, refused) = post(&karin, &action, &both).await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused.contains("niet allebei"), "{refused}");
    // An unknown type: refused at the new-case field; no case, no contact.
    let mut unknown = form.clone();
    unknown[4] = ("nieuwe_zaak", "nieuw:bestaat-niet");
    let (status, _, refused) = post(&karin, &action, &unknown).await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused.contains("Deze soort zaak bestaat niet (meer)."),
        "{refused}"
    );
    assert_eq!(count("SELECT COUNT(*) FROM cases").await, cases_before.0);
    assert_eq!(
        count("SELECT COUNT(*) FROM contact_moment").await,
        contacts_before
    );
    // Confirmed, and sent twice (a double click): one case, one contact, linked.
    let mut form = form;
    form.push(("bevestig", "ja"));
    for _ in 0..2 {
        let (status, url, html) = post(&karin, &action, &form).await;
        assert_eq!(status, 200, "{html}");
        assert!(url.ends_with("?gelukt=contact"), "{url}");
    }
    let (cases_after,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM cases")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(cases_after, cases_before.0 + 1);
    let (identifier, initiator, statuses): (String, String, i64) = sqlx::query_as(
        "SELECT c.identifier, c.initiator_person_id,
                (SELECT COUNT(*) FROM case_status s WHERE s.case_id = c.id)
         FROM contact_moment m JOIN cases c ON c.id = m.case_id WHERE m.external_id = $1",
    )
    .bind(format!("loket-{key}"))
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!(identifier.starts_with("KCC-"), "{identifier}");
    assert_eq!((initiator.as_str(), statuses), (DESIREE, 1));
    // Desiree sees it among her cases, at its first status, with the contact under it.
    let desiree = loket_tests::browser::desiree(&server).await;
    let (_, cases) = page(&desiree, "/zaken").await;
    assert!(
        cases.contains(&identifier) && cases.contains("Parkeervergunning"),
        "{cases}"
    );
    let (status, case) = page(&desiree, &loket_tests::case_page(db, &identifier).await).await;
    assert_eq!(status, 200);
    assert!(case.contains("We hebben uw aanvraag ontvangen."), "{case}");
    // The contact's subject is its reason, in the reader's language.
    assert!(
        case.contains("Vraag over een aanvraag of melding"),
        "{case}"
    );
    desiree.choose_language("en").await;
    let (_, contacts) = page(&desiree, "/contactmomenten").await;
    assert!(
        contacts.contains("Question about an application or report")
            && !contacts.contains("Vraag over een aanvraag of melding"),
        "{contacts}"
    );
}

loket_tests::on_both_backends!(karin_starts_a_case_from_a_contact_once_and_desiree_follows_it);

async fn the_desk_sees_todays_appointments_with_who_comes_and_each_name_is_in_her_log(
    backend: loket_tests::Backend,
) {
    let server = loket_tests::TestServer::start(backend).await;
    let db = server.db();
    let id =
        crate::appointments::booked_by_phone(&server.app, DESIREE, "sociaal-team", "wijkcentrum")
            .await;
    // Moved to now, so it is today whenever the test runs (the free times start two days ahead).
    let now = jiff::Timestamp::now().as_millisecond();
    sqlx::query(
        "UPDATE appointment SET busy_from_ms = $1, start_ms = $1, end_ms = $2, busy_until_ms = $2 WHERE id = $3",
    )
    .bind(now)
    .bind(now + 600_000)
    .bind(&id)
    .execute(&db.pool)
    .await
    .unwrap();
    let karin = karin(&server).await;
    let (status, html) = page(&karin, "/medewerkers/vandaag").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Afspraken vandaag"), "{html}");
    let line = &html[html.find("class=\"loket-hits\"").expect("a list")..];
    assert!(line.contains("Desiree de Vries"), "{line}");
    assert!(line.contains("Gesprek met het sociaal team"), "{line}");
    assert!(
        line.contains(&format!("href=\"/medewerkers/inwoners/{DESIREE}\"")),
        "{line}"
    );
    assert!(line.contains("Nog niet ingecheckt"), "{line}");
    // Checked in at the desk: the list says so.
    let muni = &server.app.loket.municipality.id;
    let code = server::appointments::booking::get(db, muni, &id)
        .await
        .unwrap()
        .checkin_code;
    let (status, _, _) = post(&karin, "/medewerkers/inchecken", &[("code", &code)]).await;
    assert_eq!(status, 200);
    let (_, html) = page(&karin, "/medewerkers/vandaag").await;
    let line = &html[html.find("class=\"loket-hits\"").unwrap()..];
    assert!(
        line.contains("Ingecheckt") && !line.contains("Nog niet ingecheckt"),
        "{line}"
    );
    // Each name shown is a read in her activity log; a resident gets no list.
    let desiree = loket_tests::browser::desiree(&server).await;
    let (_, log) = page(&desiree, "/activiteit").await;
    assert!(
        log.contains("bekeek uw naam en afspraak in de lijst van afspraken van vandaag"),
        "{log}"
    );
    let (_, html) = page(&desiree, "/medewerkers/vandaag").await;
    assert!(!html.contains("Gesprek met het sociaal team"), "{html}");
}

loket_tests::on_both_backends!(
    the_desk_sees_todays_appointments_with_who_comes_and_each_name_is_in_her_log
);
