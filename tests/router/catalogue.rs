//! The administrators' catalogue pages: a service, a location and an agenda set up through the forms are what
//! the booking engine then offers; a refused form names every problem at its field, keeps what was typed and
//! stores nothing; nobody but an administrator changes the catalogue.

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiff::SignedDuration;
use loket_tests::browser::page;
use loket_tests::browser::post;
use server::appointments::availability::Via;
use server::appointments::{booking, catalogue, AppointmentsError, Reminder};
use server::identity::activation::CodeTarget;

const M: &str = "voorbeeld";

fn staff(id: &str) -> CodeTarget {
    CodeTarget::Staff {
        staff_id: id.to_owned(),
    }
}

async fn an_administrator_sets_up_what_residents_can_then_book(backend: loket_tests::Backend) {
    let server = loket_tests::TestServer::start(backend).await;
    let db = server.db();
    let bram = loket_tests::browser::signed_in(&server, staff("demo-voorbeeld-bram")).await;
    let (status, html) = page(&bram, "/beheer/afspraken").await;
    assert_eq!(status, 200);
    assert!(html.contains("Paspoort of ID-kaart aanvragen"), "{html}");
    assert!(html.contains("href=\"/beheer/afspraken/diensten/nieuw\""));

    // A new service with four problems: all named, what was typed kept, nothing stored.
    let (status, _, html) = post(
        &bram,
        "/beheer/afspraken/diensten",
        &[
            ("new", "1"),
            ("id", "Bouw Plan"),
            ("name", " "),
            ("duration_min", "tien"),
            ("bring", "Tekening | Drawing | https://elders.example/x.png"),
            ("horizon_days", "30"),
            ("min_notice_min", "60"),
            ("buffer_before_min", "0"),
            ("buffer_after_min", "0"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    for problem in [
        "Vul een heel getal in.",
        "Gebruik 1 tot 64 tekens: kleine letters, cijfers en streepjes.",
        "Vul een naam in van hoogstens 120 tekens.",
        "Regel 1: Een afbeelding staat onder /afbeeldingen/ van deze Loket.",
    ] {
        assert!(html.contains(problem), "{problem} missing: {html}");
    }
    assert!(
        html.contains("href=\"#f-duration_min\""),
        "the summary links to the field"
    );
    assert!(html.contains("value=\"tien\""), "what was typed stays");
    assert!(matches!(
        catalogue::service(db, M, "Bouw Plan").await,
        Err(AppointmentsError::NotFound)
    ));

    // The same, right.
    let service_form = [
        ("new", "1"),
        ("id", "bouwplan"),
        ("name", "Bouwplan bespreken"),
        ("name_en", "Discuss a building plan"),
        ("duration_min", "30"),
        ("resident_bookable", "1"),
        (
            "bring",
            "Uw tekeningen | Your drawings | /afbeeldingen/rijbewijs.svg\nID-kaart",
        ),
        ("required_fields", "phone"),
        ("reminders", "evening-before"),
        ("horizon_days", "30"),
        ("min_notice_min", "60"),
        ("buffer_before_min", "0"),
        ("buffer_after_min", "5"),
    ];
    let (status, url, html) = post(&bram, "/beheer/afspraken/diensten", &service_form).await;
    assert_eq!(status, 200, "{html}");
    assert!(url.ends_with("/beheer/afspraken?gelukt=diensten"), "{url}");
    assert!(html.contains("De dienst is opgeslagen."));
    let service = catalogue::service(db, M, "bouwplan").await.unwrap();
    assert_eq!(service.duration_min, 30);
    assert_eq!(service.bring.len(), 2);
    assert_eq!(service.bring[0].text_en, "Your drawings");
    assert_eq!(service.required_fields, ["phone"]);
    assert_eq!(service.reminders, [Reminder::EveningBefore]);
    assert!(service.resident_bookable && !service.account_required);
    // Creating it again would overwrite it: refused.
    let (status, _, html) = post(&bram, "/beheer/afspraken/diensten", &service_form).await;
    assert_eq!(status, 422);
    assert!(html.contains("Deze id bestaat al."), "{html}");

    // A location; the postcode is written the Dutch way, a map link must be https.
    let location_form = [
        ("new", "1"),
        ("id", "bouwloket"),
        ("name", "Bouwloket"),
        ("street", "Havenstraat 3"),
        ("postcode", "1234ab"),
        ("city", "Voorbeeld"),
        ("wheelchair", "1"),
        ("map_url", "javascript:alert(1)"),
    ];
    let (status, _, html) = post(&bram, "/beheer/afspraken/locaties", &location_form).await;
    assert_eq!(status, 422);
    assert!(html.contains("Een kaartlink begint met https://"), "{html}");
    let mut fixed = location_form.to_vec();
    fixed.retain(|(k, _)| *k != "map_url");
    let (status, _, html) = post(&bram, "/beheer/afspraken/locaties", &fixed).await;
    assert_eq!(status, 200, "{html}");
    let location = catalogue::location(db, M, "bouwloket").await.unwrap();
    assert_eq!(location.postcode, "1234 AB");
    assert!(location.wheelchair && !location.quiet_room);

    // An agenda there: weekday mornings, closed on one day; unreadable hours are named at their weekday.
    let mut agenda = vec![
        ("new", "1"),
        ("id", "bouwbalie"),
        ("name", "Bouwbalie"),
        ("location", "bouwloket"),
        ("seats", "2"),
        ("contact_centre_seats", "1"),
        ("services", "bouwplan"),
        ("hours_monday", "9:00-12:00"),
        ("hours_tuesday", "09:00-12:00"),
        ("hours_wednesday", "09:00-12:00"),
        ("hours_thursday", "09:00-12:00"),
        ("hours_friday", "s ochtends"),
        ("exceptions", "25-12-2026 dicht"),
    ];
    let (status, _, html) = post(&bram, "/beheer/afspraken/agendas", &agenda).await;
    assert_eq!(status, 422);
    assert!(html.contains("‘s ochtends’ is geen tijd"), "{html}");
    assert!(html.contains("value=\"s ochtends\""));
    assert!(!catalogue::resource_exists(db, M, "bouwbalie")
        .await
        .unwrap());
    agenda.retain(|(k, _)| *k != "hours_friday");
    agenda.push(("hours_friday", "09:00-12:00"));
    let (status, _, html) = post(&bram, "/beheer/afspraken/agendas", &agenda).await;
    assert_eq!(status, 200, "{html}");

    // Its edit page shows it as it was typed, and the engine offers the new service there.
    let (_, html) = page(&bram, "/beheer/afspraken/agendas/bouwbalie").await;
    assert!(html.contains("value=\"09:00-12:00\""), "{html}");
    assert!(html.contains("25-12-2026 dicht"));
    let tag = html
        .split('<')
        .find(|tag| tag.contains("id=\"f-services-bouwplan\""))
        .unwrap();
    assert!(tag.contains("checked"), "{tag}");
    let municipality = &server.app.loket.municipality;
    let now = jiff::Timestamp::now();
    let tz = &municipality.time_zone;
    let offers = booking::free_times(
        db,
        municipality,
        &service,
        "bouwloket",
        Via::Resident,
        tz.to_datetime(now + SignedDuration::from_hours(24)).date()
            ..=tz
                .to_datetime(now + SignedDuration::from_hours(24 * 14))
                .date(),
        now,
    )
    .await
    .unwrap();
    assert!(!offers.is_empty(), "the new service can be booked");
    for offer in &offers {
        let local = tz.to_datetime(offer.slot.start);
        assert!(local.hour() >= 9 && local.hour() < 12, "{local}");
    }

    // Editing keeps the id; a bad edit changes nothing.
    let (status, _, _) = post(
        &bram,
        "/beheer/afspraken/diensten",
        &[
            ("id", "bouwplan"),
            ("name", "Bouwplan"),
            ("duration_min", "500"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        catalogue::service(db, M, "bouwplan").await.unwrap().name,
        "Bouwplan bespreken"
    );

    // The contact centre reads no catalogue page and changes nothing.
    let karin = loket_tests::browser::signed_in(&server, staff("demo-voorbeeld-karin")).await;
    let (_, html) = page(&karin, "/beheer/afspraken").await;
    assert!(
        html.contains("Deze pagina is alleen voor beheerders"),
        "{html}"
    );
    assert!(!html.contains("Bouwplan"));
    let (status, _, _) = post(
        &karin,
        "/beheer/afspraken/diensten",
        &[
            ("id", "bouwplan"),
            ("name", "Gekaapt"),
            ("duration_min", "30"),
        ],
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(
        catalogue::service(db, M, "bouwplan").await.unwrap().name,
        "Bouwplan bespreken"
    );
}

loket_tests::on_both_backends!(an_administrator_sets_up_what_residents_can_then_book);
