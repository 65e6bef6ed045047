//! `./dev bench`, appointments: how long availability takes for a 60-day horizon over 50 resources (office
//! hours, a tenth of the capacity already booked), and booking under contention: 200 residents asking for one seat
//! at once (exactly one may win), and 200 at once for 200 different times (throughput). SQLite and PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

use futures_util::future::join_all;
use jiff::civil::Weekday;
use jiff::{Timestamp, ToSpan};
use loket_tests::appointments::{book, contend, desk, key, person, service};
use loket_tests::{Backend, TestApp};
use server::appointments::availability::{Opening, Span, Via, WeekRule};
use server::appointments::booking::{self, BookRequest, Booker};
use server::appointments::catalogue::{self, Resource};
use std::time::Instant;

const RESOURCES: usize = 50;
const HORIZON_DAYS: i64 = 60;
const CONTENDERS: usize = 200;
const ROUNDS: usize = 100;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// 50 desks at one location, open Monday to Friday 08:30–17:00, each giving the 15-minute service.
async fn fifty_desks(app: &TestApp, svc: &str) -> String {
    let location = desk(app, "bench-0", &[false], &[svc]).await;
    let week: Vec<WeekRule> = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
    ]
    .into_iter()
    .map(|weekday| WeekRule {
        weekday,
        span: Span::parse("08:30", "17:00").unwrap(),
    })
    .collect();
    for n in 0..RESOURCES {
        catalogue::put_resource(
            &app.loket.db,
            &app.loket.municipality.id,
            &Resource {
                id: format!("bench-{n}"),
                location_id: location.clone(),
                name: format!("Balie {n}"),
                seats: vec![false],
                opening: Opening {
                    week: week.clone(),
                    exceptions: Vec::new(),
                },
                services: vec![svc.to_owned()],
            },
        )
        .await
        .unwrap();
    }
    location
}

async fn bench(backend: Backend, name: &str) {
    let app = TestApp::start(backend).await;
    let db = &app.loket.db;
    let municipality = &app.loket.municipality;
    let svc = service(&app, "bench", 15).await;
    let location = fifty_desks(&app, &svc).await;
    let catalogued = catalogue::service(db, &municipality.id, &svc)
        .await
        .unwrap();
    let now = Timestamp::now();
    let tz = &municipality.time_zone;
    let today = tz.to_datetime(now).date();
    let days = today..=today.checked_add(HORIZON_DAYS.days()).unwrap();
    let free = || {
        booking::free_times(
            db,
            municipality,
            &catalogued,
            &location,
            Via::Resident,
            days.clone(),
            now,
        )
    };

    // A tenth of the capacity booked: 5 of the 50 desks taken at every time of the horizon.
    let offers = free().await.unwrap();
    let someone = person(&app).await;
    let mut booked = 0;
    for offer in &offers {
        for _ in 0..RESOURCES / 10 {
            if book(&app, &svc, &location, &someone, offer.slot.start, now)
                .await
                .is_ok()
            {
                booked += 1;
            }
        }
    }

    // A database in use has statistics about its tables (PostgreSQL's autovacuum gathers them a while after
    // a bulk load like the one above); measure with them, not with the planner's guesses for an empty table.
    sqlx::query("ANALYZE").execute(&db.pool).await.unwrap();
    let mut times = Vec::with_capacity(ROUNDS);
    let mut offered = 0;
    for _ in 0..ROUNDS {
        let start = Instant::now();
        offered = free().await.unwrap().len();
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    // The part of that spent reading hours, exceptions, seats and busy intervals from the database.
    let (from_ms, until_ms) = (
        (now - 24.hours()).as_millisecond(),
        (now + (24 * (HORIZON_DAYS + 2)).hours()).as_millisecond(),
    );
    let mut reads = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let start = Instant::now();
        catalogue::plans(db, &svc, &location, from_ms, until_ms)
            .await
            .unwrap();
        reads.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    reads.sort_by(f64::total_cmp);
    println!(
        "{name}: of which reading the plans: p50 {:.1} ms, p95 {:.1} ms",
        percentile(&reads, 0.5),
        percentile(&reads, 0.95),
    );
    println!(
        "{name}: availability, {HORIZON_DAYS} days x {RESOURCES} resources ({offered} free times, {booked} booked): \
         p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms over {ROUNDS} runs",
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        percentile(&times, 1.0),
    );

    // 200 at once for one seat: exactly one wins, the rest hear the time is taken.
    let one = service(&app, "bench-one", 30).await;
    let one_seat = desk(&app, "bench-one", &[false], &[&one]).await;
    let at = today
        .checked_add(3.days())
        .unwrap()
        .at(10, 0, 0, 0)
        .to_zoned(tz.clone())
        .unwrap()
        .timestamp();
    let start = Instant::now();
    let (won, taken) = contend(&app, &one, &one_seat, at, CONTENDERS, now).await;
    let seconds = start.elapsed().as_secs_f64();
    assert_eq!((won, taken), (1, CONTENDERS - 1));
    println!(
        "{name}: {CONTENDERS} concurrent bookings of one seat: {won} booked, {taken} told \"taken\", all answered in {:.0} ms",
        seconds * 1000.0
    );

    // 200 at once for 200 different free times: throughput when nobody collides.
    let targets: Vec<Timestamp> = free()
        .await
        .unwrap()
        .iter()
        .step_by(7)
        .take(CONTENDERS)
        .map(|o| o.slot.start)
        .collect();
    let mut persons = Vec::with_capacity(targets.len());
    for _ in &targets {
        persons.push(person(&app).await);
    }
    let start = Instant::now();
    let answers = join_all(targets.iter().zip(&persons).map(|(at, p)| {
        let (db, municipality, location) = (db, municipality, &location);
        async move {
            booking::book(
                db,
                municipality,
                &BookRequest {
                    service_id: "bench",
                    location_id: location,
                    start: *at,
                    booker: Booker {
                        person_id: p,
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
        }
    }))
    .await;
    let seconds = start.elapsed().as_secs_f64();
    let ok = answers.iter().filter(|a| a.is_ok()).count();
    assert_eq!(ok, targets.len(), "every free time could be booked");
    println!(
        "{name}: {ok} concurrent bookings of different times in {:.0} ms = {:.0} bookings/s",
        seconds * 1000.0,
        ok as f64 / seconds
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        bench(Backend::Sqlite, "SQLite").await;
        bench(Backend::Postgres, "PostgreSQL").await;
    });
}
