//! Set-up shared by the appointment tests and the booking benchmark: a location, services and a resource
//! that is open around the clock (so tests do not depend on opening hours), persons, and local times.

use crate::TestApp;
use futures_util::future::join_all;
use jiff::civil::Weekday;
use jiff::Timestamp;
use server::appointments::availability::{Opening, Span, Via, WeekRule};
use server::appointments::booking::{self, BookRequest, Booker};
use server::appointments::catalogue::{self, Location, Resource, Service};
use server::appointments::{AppointmentsError, Reminder};

/// A local wall-clock time in Amsterdam (`"2026-03-10T09:00"`) as an instant.
pub fn local(at: &str) -> Timestamp {
    format!("{at}:00[Europe/Amsterdam]")
        .parse::<jiff::Zoned>()
        .unwrap()
        .timestamp()
}

/// A fresh idempotency key.
pub fn key() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// A service of `duration` minutes, bookable by residents, with no notice and no buffers.
pub async fn service(app: &TestApp, id: &str, duration: i32) -> String {
    let service = Service {
        id: id.to_owned(),
        name: format!("Test {id}"),
        name_en: format!("Test {id}"),
        duration_min: duration,
        bring: Vec::new(),
        tips: String::new(),
        tips_en: String::new(),
        required_fields: Vec::new(),
        min_notice_min: 0,
        horizon_days: 60,
        buffer_before_min: 0,
        buffer_after_min: 0,
        reminders: vec![Reminder::EveningBefore, Reminder::TwoHours],
        resident_bookable: true,
        account_required: false,
    };
    catalogue::put_service(&app.loket.db, &app.loket.municipality.id, &service, 99)
        .await
        .unwrap();
    id.to_owned()
}

/// A resource `id` at its own location `loc-{id}`, open every day around the clock, with one seat per entry
/// of `seats` (`true` = kept for the contact centre), giving `services`. Returns the location id.
pub async fn desk(app: &TestApp, id: &str, seats: &[bool], services: &[&str]) -> String {
    let muni = &app.loket.municipality.id;
    let location = format!("loc-{id}");
    catalogue::put_location(
        &app.loket.db,
        muni,
        &Location {
            id: location.clone(),
            name: format!("Locatie {id}"),
            street: String::from("Markt 1"),
            postcode: String::from("1234 AB"),
            city: String::from("Voorbeeld"),
            route: String::new(),
            wheelchair: true,
            hearing_loop: false,
            quiet_room: false,
            map_url: None,
        },
        99,
    )
    .await
    .unwrap();
    let week = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ]
    .into_iter()
    .map(|weekday| WeekRule {
        weekday,
        span: Span::parse("00:00", "24:00").unwrap(),
    })
    .collect();
    catalogue::put_resource(
        &app.loket.db,
        muni,
        &Resource {
            id: id.to_owned(),
            location_id: location.clone(),
            name: format!("Balie {id}"),
            seats: seats.to_vec(),
            opening: Opening {
                week,
                exceptions: Vec::new(),
            },
            services: services.iter().map(|s| (*s).to_owned()).collect(),
        },
    )
    .await
    .unwrap();
    location
}

/// A person Loket knows (no account needed to be booked for).
pub async fn person(app: &TestApp) -> String {
    let id = format!("p-{:016x}", rand::random::<u64>());
    sqlx::query(
        "INSERT INTO person (id, municipality_id, display_name) VALUES ($1, $2, 'Test Inwoner')",
    )
    .bind(&id)
    .bind(&app.loket.municipality.id)
    .execute(&app.loket.db.pool)
    .await
    .unwrap();
    id
}

/// Books `service` at `location` at `start` for `person` as a resident.
pub async fn book(
    app: &TestApp,
    service: &str,
    location: &str,
    person: &str,
    start: Timestamp,
    now: Timestamp,
) -> Result<String, AppointmentsError> {
    booking::book(
        &app.loket.db,
        &app.loket.municipality,
        &BookRequest {
            service_id: service,
            location_id: location,
            start,
            booker: Booker {
                person_id: person,
                organisation_id: None,
                via: Via::Resident,
                staff_id: None,
            },
            idempotency_key: &key(),
            address_id: None,
            reminders: None,
            details: None,
            from_register: None,
            new_address: None,
        },
        now,
    )
    .await
    .map(|outcome| outcome.appointment_id)
}

/// `count` residents ask for the same time at once; returns (successes, "taken" answers). Any other
/// answer fails the test.
pub async fn contend(
    app: &TestApp,
    service: &str,
    location: &str,
    start: Timestamp,
    count: usize,
    now: Timestamp,
) -> (usize, usize) {
    let mut persons = Vec::with_capacity(count);
    for _ in 0..count {
        persons.push(person(app).await);
    }
    let answers = join_all(persons.iter().map(|p| {
        let app = &*app;
        async move { book(app, service, location, p, start, now).await }
    }))
    .await;
    let mut won = 0;
    let mut taken = 0;
    for answer in answers {
        match answer {
            Ok(_) => won += 1,
            Err(AppointmentsError::Taken) => taken += 1,
            Err(other) => panic!("unexpected answer: {other:?}"),
        }
    }
    (won, taken)
}
