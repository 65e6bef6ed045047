//! The booking engine against both databases: contention (the database decides, exactly), atomic moves,
//! idempotency, and the reminders the outbox sends — none for a cancelled or moved appointment, none after the
//! start, none twice.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use futures_util::future::join_all;
use jiff::SignedDuration;
use loket_tests::appointments::{book, contend, desk, key, local, person, service};
use loket_tests::browser::post;
use loket_tests::notify::confirmed_address;
use loket_tests::smtp::smtp_sink;
use loket_tests::{on_both_backends, test_now, TestApp};
use server::appointments::availability::Via;
use server::appointments::booking::{self, BookRequest, Booker, MoveRequest, Status};
use server::appointments::AppointmentsError;
use server::identity::links::{self, LinkState, SecondCheck};
use server::identity::IdentityError;
use server::notifications::channels::Channels;
use server::notifications::outbox::{self, Settings};
use server::notifications::worker::Worker;
use std::time::Duration;

/// Concurrent requests in the suite; the benchmark runs the issue's full 200.
const CONTENDERS: usize = 60;

/// Live bookings of one seat whose times overlap (must always be 0).
async fn overlaps(app: &TestApp) -> i64 {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM appointment a JOIN appointment b
           ON a.resource_id = b.resource_id AND a.seat = b.seat AND a.id < b.id
         WHERE a.status = 'booked' AND b.status = 'booked'
           AND a.busy_from_ms < b.busy_until_ms AND b.busy_from_ms < a.busy_until_ms",
    )
    .fetch_one(&app.loket.db.pool)
    .await
    .unwrap();
    count
}

on_both_backends!(
    concurrent_bookings_of_one_seat_give_exactly_one_appointment,
    |app| {
        let svc = service(&app, "one-seat", 30).await;
        let loc = desk(&app, "one-seat", &[false], &[&svc]).await;
        let (won, taken) = contend(
            &app,
            &svc,
            &loc,
            local("2026-03-10T09:00"),
            CONTENDERS,
            test_now(),
        )
        .await;
        assert_eq!((won, taken), (1, CONTENDERS - 1));
        assert_eq!(overlaps(&app).await, 0);
    }
);

on_both_backends!(
    concurrent_bookings_with_capacity_three_give_exactly_three,
    |app| {
        let svc = service(&app, "three-seats", 30).await;
        let loc = desk(&app, "three-seats", &[false, false, false], &[&svc]).await;
        let (won, taken) = contend(
            &app,
            &svc,
            &loc,
            local("2026-03-10T09:00"),
            CONTENDERS,
            test_now(),
        )
        .await;
        assert_eq!((won, taken), (3, CONTENDERS - 3));
        assert_eq!(overlaps(&app).await, 0);
    }
);

on_both_backends!(
    a_seat_kept_for_the_contact_centre_is_not_bookable_by_residents,
    |app| {
        let svc = service(&app, "kept", 30).await;
        let loc = desk(&app, "kept", &[false, true], &[&svc]).await;
        let start = local("2026-03-10T09:00");
        let (won, _) = contend(&app, &svc, &loc, start, 10, test_now()).await;
        assert_eq!(won, 1, "residents get only the public seat");
        // The contact centre still gets the kept seat.
        let karin_books = booking::book(
            &app.loket.db,
            &app.loket.municipality,
            &BookRequest {
                service_id: &svc,
                location_id: &loc,
                start,
                booker: Booker {
                    person_id: &person(&app).await,
                    organisation_id: None,
                    via: Via::Staff,
                    staff_id: None,
                },
                idempotency_key: &key(),
                address_id: None,
                reminders: None,
                details: None,
                from_register: None,
                new_address: None,
            },
            test_now(),
        )
        .await;
        assert!(karin_books.is_ok(), "{karin_books:?}");
    }
);

on_both_backends!(
    overlapping_bookings_of_different_lengths_are_refused,
    |app| {
        let short = service(&app, "short", 30).await;
        let long = service(&app, "long", 45).await;
        let loc = desk(&app, "mixed", &[false], &[&short, &long]).await;
        let now = test_now();
        // 09:00–09:30 and 09:00–09:45 collide; 08:15–09:00 touches but does not overlap; 09:30–10:00 collides
        // with 09:00–09:45 but not with 09:00–09:30: whichever wins, the database keeps the seat consistent.
        let requests = [
            (&short, "2026-03-10T09:00"),
            (&long, "2026-03-10T09:00"),
            (&long, "2026-03-10T08:15"),
            (&short, "2026-03-10T09:30"),
            (&long, "2026-03-10T09:45"),
            (&short, "2026-03-10T10:00"),
        ];
        let mut persons = Vec::new();
        for _ in requests {
            persons.push(person(&app).await);
        }
        let (app_ref, loc_ref) = (&app, &loc);
        let answers = join_all(
            requests
                .iter()
                .zip(&persons)
                .map(|((svc, at), p)| async move {
                    book(app_ref, svc, loc_ref, p, local(at), now).await
                }),
        )
        .await;
        for answer in &answers {
            assert!(
                matches!(answer, Ok(_) | Err(AppointmentsError::Taken)),
                "{answer:?}"
            );
        }
        assert_eq!(overlaps(&app).await, 0);
        // 08:15–09:00 overlaps nothing that could have won before it, so it always gets in.
        assert!(answers[2].is_ok(), "{:?}", answers[2]);
        // Of the two at 09:00 exactly one can hold the seat.
        assert!(answers[0].is_ok() != answers[1].is_ok() || answers[0].is_err());
        // Now in order, no race: each overlapping request is refused.
        let again = book(
            &app,
            &short,
            &loc,
            &persons[0],
            local("2026-03-10T08:30"),
            now,
        )
        .await;
        assert!(matches!(again, Err(AppointmentsError::Taken)), "{again:?}");
    }
);

on_both_backends!(
    the_database_refuses_an_overlapping_booking_written_in_plain_sql,
    |app| {
        let svc = service(&app, "sql", 30).await;
        let loc = desk(&app, "sql", &[false, false], &[&svc]).await;
        let p = person(&app).await;
        let first = book(&app, &svc, &loc, &p, local("2026-03-10T09:00"), test_now())
            .await
            .unwrap();
        let start = local("2026-03-10T09:15").as_millisecond();
        let insert = |id: &'static str, seat: i64| {
            sqlx::query(
            "INSERT INTO appointment (id, municipality_id, service_id, resource_id, seat, start_ms, end_ms,
                 busy_from_ms, busy_until_ms, person_id, booked_via, status, sequence, reminders, checkin_code,
                 created_at_ms, changed_at_ms)
             VALUES ($1, $2, $3, 'sql', $4, $5, $6, $5, $6, $7, 'resident', 'booked', 0, '', $1, 0, 0)",
        )
        .bind(id)
        .bind(app.loket.municipality.id.clone())
        .bind(svc.clone())
        .bind(seat)
        .bind(start)
        .bind(start + 1_800_000)
        .bind(p.clone())
        };
        let refused = insert("bypass-1", 1).execute(&app.loket.db.pool).await;
        assert!(
            refused.is_err(),
            "an overlapping row on a held seat must be refused"
        );
        // A seat that does not exist (capacity is 2) is refused too.
        let refused = insert("bypass-3", 3).execute(&app.loket.db.pool).await;
        assert!(refused.is_err(), "a third seat must not exist");
        // The other seat is free: the same SQL works there, so the refusals above were about the overlap.
        insert("bypass-2", 2)
            .execute(&app.loket.db.pool)
            .await
            .unwrap();
        // An UPDATE that slides a booking onto another is refused as well.
        let slid = sqlx::query("UPDATE appointment SET seat = 1 WHERE id = 'bypass-2'")
            .execute(&app.loket.db.pool)
            .await;
        assert!(
            slid.is_err(),
            "moving onto a held seat in SQL must be refused"
        );
        // Once cancelled, the time is free for SQL too.
        sqlx::query("UPDATE appointment SET status = 'cancelled' WHERE id = $1")
            .bind(&first)
            .execute(&app.loket.db.pool)
            .await
            .unwrap();
        insert("bypass-4", 1)
            .execute(&app.loket.db.pool)
            .await
            .unwrap();
    }
);

on_both_backends!(
    concurrent_moves_into_one_free_slot_move_exactly_one,
    |app| {
        let svc = service(&app, "moves", 30).await;
        let loc = desk(&app, "moves", &[false], &[&svc]).await;
        let now = test_now();
        let count = CONTENDERS;
        let mut booked = Vec::new();
        for i in 0..count {
            let start = local("2026-03-10T00:00") + SignedDuration::from_mins(30 * i as i64);
            let p = person(&app).await;
            booked.push((book(&app, &svc, &loc, &p, start, now).await.unwrap(), start));
        }
        let target = local("2026-03-20T10:00");
        let answers = join_all(booked.iter().map(|(id, _)| {
            let app = &app;
            async move {
                booking::move_to(
                    &app.loket.db,
                    &app.loket.municipality,
                    &MoveRequest {
                        appointment_id: id,
                        start: target,
                        via: Via::Resident,
                        idempotency_key: &key(),
                        expected_sequence: 0,
                    },
                    now,
                )
                .await
            }
        }))
        .await;
        let moved = answers.iter().filter(|a| a.is_ok()).count();
        assert_eq!(moved, 1, "{answers:?}");
        for answer in &answers {
            assert!(
                matches!(answer, Ok(_) | Err(AppointmentsError::Taken)),
                "{answer:?}"
            );
        }
        for ((id, start), answer) in booked.iter().zip(&answers) {
            let now_held = booking::get(&app.loket.db, &app.loket.municipality.id, id)
                .await
                .unwrap();
            if answer.is_ok() {
                assert_eq!((now_held.start, now_held.sequence), (target, 1));
            } else {
                assert_eq!(
                    (now_held.start, now_held.sequence),
                    (*start, 0),
                    "kept its slot"
                );
            }
        }
        assert_eq!(overlaps(&app).await, 0);
    }
);

on_both_backends!(a_repeated_request_books_once_and_answers_the_same, |app| {
    let svc = service(&app, "idem", 30).await;
    let loc = desk(&app, "idem", &[false, false, false], &[&svc]).await;
    let p = person(&app).await;
    let k = key();
    let request = BookRequest {
        service_id: &svc,
        location_id: &loc,
        start: local("2026-03-10T09:00"),
        booker: Booker {
            person_id: &p,
            organisation_id: None,
            via: Via::Resident,
            staff_id: None,
        },
        idempotency_key: &k,
        address_id: None,
        reminders: None,
        details: None,
        from_register: None,
        new_address: None,
    };
    let answers = join_all(
        (0..5).map(|_| booking::book(&app.loket.db, &app.loket.municipality, &request, test_now())),
    )
    .await;
    let ids: Vec<String> = answers
        .into_iter()
        .map(|a| a.unwrap().appointment_id)
        .collect();
    assert!(ids.iter().all(|id| id == &ids[0]), "{ids:?}");
    assert_eq!(
        booking::for_person(&app.loket.db, &p).await.unwrap().len(),
        1
    );
    // The same key for a cancel is not a replay of the booking.
    let reused = booking::cancel(
        &app.loket.db,
        &app.loket.municipality,
        &ids[0],
        &k,
        test_now(),
    )
    .await;
    assert!(
        matches!(reused, Err(AppointmentsError::KeyReused)),
        "{reused:?}"
    );
    // Cancelling twice with one key, or with two, cancels once.
    let cancel_key = key();
    for k in [&cancel_key, &cancel_key, &key()] {
        booking::cancel(
            &app.loket.db,
            &app.loket.municipality,
            &ids[0],
            k,
            test_now(),
        )
        .await
        .unwrap();
    }
    let events: Vec<(String,)> = sqlx::query_as(
        "SELECT kind FROM notification_event WHERE appointment_id = $1 AND kind = 'appointment-cancelled'",
    )
    .bind(&ids[0])
    .fetch_all(&app.loket.db.pool)
    .await
    .unwrap();
    assert_eq!(events.len(), 1);
});

on_both_backends!(
    times_off_the_grid_too_soon_or_for_staff_only_are_refused,
    |app| {
        let svc = service(&app, "grid", 30).await;
        let loc = desk(&app, "grid", &[false], &[&svc]).await;
        let p = person(&app).await;
        let off_grid = book(&app, &svc, &loc, &p, local("2026-03-10T09:10"), test_now()).await;
        assert!(
            matches!(off_grid, Err(AppointmentsError::NotOffered)),
            "{off_grid:?}"
        );
        let past = book(&app, &svc, &loc, &p, local("2026-03-02T09:00"), test_now()).await;
        assert!(
            matches!(past, Err(AppointmentsError::NotOffered)),
            "{past:?}"
        );
        let beyond = book(&app, &svc, &loc, &p, local("2026-06-10T09:00"), test_now()).await;
        assert!(
            matches!(beyond, Err(AppointmentsError::NotOffered)),
            "{beyond:?}"
        );
        let social = book(
            &app,
            "sociaal-team",
            "wijkcentrum",
            &p,
            local("2026-03-10T09:00"),
            test_now(),
        )
        .await;
        assert!(
            matches!(social, Err(AppointmentsError::StaffOnly)),
            "{social:?}"
        );
        // Nothing was stored by any refusal.
        assert!(booking::for_person(&app.loket.db, &p)
            .await
            .unwrap()
            .is_empty());
    }
);

fn worker(app: &TestApp) -> Worker {
    worker_for(app, "http://localhost:3000")
}

/// A worker whose messages link to `public_url`.
fn worker_for(app: &TestApp, public_url: &str) -> Worker {
    let channels = Channels::smtp(
        &smtp_sink().url(),
        &std::env::temp_dir(),
        "Gemeente Voorbeeld <noreply@localhost>",
        "localhost",
        4,
    )
    .unwrap();
    Worker::new(
        app.loket.db.clone(),
        app.loket.municipality.clone(),
        channels,
        Settings::new(public_url),
    )
}

/// A resident with a confirmed e-mail address of their own (unique, so the SMTP sink can tell the tests
/// apart); returns (person, address).
async fn reachable_person(app: &TestApp) -> (String, String) {
    let p = person(app).await;
    let email = format!("afspraak-{:012x}@example.nl", rand::random::<u64>() >> 16);
    confirmed_address(app, &p, &email).await;
    (p, email)
}

/// The subjects of the messages that arrived for `email`, sorted (messages of one worker round arrive in
/// any order).
async fn subjects(email: &str, expected: usize) -> Vec<String> {
    let mut subjects: Vec<String> = smtp_sink()
        .wait_for(email, expected, Duration::from_secs(10))
        .await
        .iter()
        .map(|m| {
            m.text
                .lines()
                .next()
                .unwrap_or_default()
                .trim_start_matches("Subject: ")
                .to_owned()
        })
        .collect();
    subjects.sort();
    subjects
}

/// The reminders an appointment has in the outbox: (reminder, due) of the events not withdrawn.
async fn reminder_events(app: &TestApp, appointment: &str) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT appointment_reminder, due_at_ms FROM notification_event
         WHERE appointment_id = $1 AND kind = 'appointment-reminder' ORDER BY due_at_ms",
    )
    .bind(appointment)
    .fetch_all(&app.loket.db.pool)
    .await
    .unwrap()
}

on_both_backends!(
    reminders_go_once_and_never_for_a_cancelled_or_moved_appointment,
    |app| {
        let svc = service(&app, "remind", 30).await;
        let loc = desk(&app, "remind", &[false], &[&svc]).await;
        let worker = worker(&app);
        let now = local("2026-03-09T12:00");

        // Booked on Monday noon for Tuesday 10:30: the evening before (18:00) and 2 hours before (08:30).
        let (p, email) = reachable_person(&app).await;
        let kept = book(&app, &svc, &loc, &p, local("2026-03-10T10:30"), now)
            .await
            .unwrap();
        assert_eq!(
            reminder_events(&app, &kept).await,
            [
                (
                    String::from("evening-before"),
                    local("2026-03-09T18:00").as_millisecond()
                ),
                (
                    String::from("2h"),
                    local("2026-03-10T08:30").as_millisecond()
                ),
            ]
        );
        worker.round(now).await.unwrap();
        assert_eq!(
            subjects(&email, 1).await,
            ["Uw afspraak bij Gemeente Voorbeeld"]
        );

        // Cancelled one second before the reminder is due: nothing more than the cancellation.
        let (p2, email2) = reachable_person(&app).await;
        let cancelled = book(&app, &svc, &loc, &p2, local("2026-03-10T11:00"), now)
            .await
            .unwrap();
        booking::cancel(
            &app.loket.db,
            &app.loket.municipality,
            &cancelled,
            &key(),
            local("2026-03-09T18:00") - SignedDuration::from_secs(1),
        )
        .await
        .unwrap();

        // Moved from 12:00 to 14:00: reminders follow the new time, the old ones never go.
        let (p3, email3) = reachable_person(&app).await;
        let moved = book(&app, &svc, &loc, &p3, local("2026-03-10T12:00"), now)
            .await
            .unwrap();
        // A worker plans the evening reminder of the old time (and the confirmation) just before the move, and
        // sends them only after it.
        outbox::plan_due(
            &app.loket.db,
            &app.loket.municipality,
            "planner",
            &Settings::new("http://localhost:3000"),
            local("2026-03-09T18:00"),
        )
        .await
        .unwrap();
        booking::move_to(
            &app.loket.db,
            &app.loket.municipality,
            &MoveRequest {
                appointment_id: &moved,
                start: local("2026-03-10T14:00"),
                via: Via::Resident,
                idempotency_key: &key(),
                expected_sequence: 0,
            },
            local("2026-03-09T18:00") + SignedDuration::from_secs(5),
        )
        .await
        .unwrap();

        // Run the worker over the whole day, and twice at every moment.
        for at in [
            "2026-03-09T18:00",
            "2026-03-09T18:01",
            "2026-03-10T08:30",
            "2026-03-10T08:31",
            "2026-03-10T10:00",
            "2026-03-10T12:00",
            "2026-03-10T12:01",
            "2026-03-10T15:00",
        ] {
            worker.round(local(at)).await.unwrap();
            worker
                .round(local(at) + SignedDuration::from_secs(1))
                .await
                .unwrap();
        }
        // Kept: confirmation and two reminders, each once.
        assert_eq!(
            subjects(&email, 3).await,
            [
                "Herinnering: uw afspraak bij Gemeente Voorbeeld",
                "Herinnering: uw afspraak bij Gemeente Voorbeeld",
                "Uw afspraak bij Gemeente Voorbeeld",
            ]
        );
        // Cancelled before any worker ran for it: only the cancellation (a confirmation of an appointment that is
        // cancelled already is withdrawn too), no reminder.
        assert_eq!(
            subjects(&email2, 1).await,
            ["Uw afspraak bij Gemeente Voorbeeld is geannuleerd"]
        );
        // Moved: the old time's confirmation and evening reminder were planned but dropped before sending; the new
        // time gets its confirmation and its 2-hour reminder (its evening reminder was past at the move).
        assert_eq!(
            subjects(&email3, 2).await,
            [
                "Herinnering: uw afspraak bij Gemeente Voorbeeld",
                "Uw afspraak bij Gemeente Voorbeeld is verzet",
            ]
        );
        for mail in smtp_sink()
            .wait_for(&email3, 2, Duration::from_secs(5))
            .await
        {
            assert!(mail.text.contains("di 10 maart om 14:00"), "{}", mail.text);
            assert!(mail
                .text
                .contains(&format!("http://localhost:3000/afspraken/{moved}")));
        }
        // Nothing more arrives for anyone afterwards.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            smtp_sink()
                .wait_for(&email, 4, Duration::from_millis(200))
                .await
                .len(),
            3
        );
        assert_eq!(
            smtp_sink()
                .wait_for(&email2, 2, Duration::from_millis(200))
                .await
                .len(),
            1
        );
        assert_eq!(
            smtp_sink()
                .wait_for(&email3, 3, Duration::from_millis(200))
                .await
                .len(),
            2
        );
        let dropped: Vec<(String,)> = sqlx::query_as(
        "SELECT m.last_error FROM notification_message m JOIN notification_event e ON e.id = m.event_id
         WHERE e.appointment_id = $1 AND m.status = 'dropped'",
    )
    .bind(&moved)
    .fetch_all(&app.loket.db.pool)
    .await
    .unwrap();
        assert_eq!(
            dropped,
            [
                (String::from("appointment moved"),),
                (String::from("appointment moved"),)
            ]
        );
    }
);

on_both_backends!(
    a_booking_inside_the_reminder_window_gets_only_the_reminders_ahead,
    |app| {
        let svc = service(&app, "late", 30).await;
        let loc = desk(&app, "late", &[false], &[&svc]).await;
        let (p, email) = reachable_person(&app).await;
        // Booked on Monday at 19:00 for Tuesday 10:30: the evening reminder (18:00) is past already.
        let now = local("2026-03-09T19:00");
        let id = book(&app, &svc, &loc, &p, local("2026-03-10T10:30"), now)
            .await
            .unwrap();
        assert_eq!(
            reminder_events(&app, &id).await,
            [(
                String::from("2h"),
                local("2026-03-10T08:30").as_millisecond()
            )]
        );
        // A reminder that could not go before the start is not sent after it.
        let worker = worker(&app);
        worker.round(now).await.unwrap();
        worker.round(local("2026-03-10T10:31")).await.unwrap();
        assert_eq!(
            subjects(&email, 1).await,
            ["Uw afspraak bij Gemeente Voorbeeld"]
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            smtp_sink()
                .wait_for(&email, 2, Duration::from_millis(200))
                .await
                .len(),
            1
        );
        // Switching reminders off withdraws them; on again plans only those still ahead.
        let (p2, _) = reachable_person(&app).await;
        let other = book(&app, &svc, &loc, &p2, local("2026-03-11T10:30"), now)
            .await
            .unwrap();
        booking::set_reminders(&app.loket.db, &app.loket.municipality, &other, &[], now)
            .await
            .unwrap();
        assert!(reminder_events(&app, &other).await.is_empty());
        booking::set_reminders(
            &app.loket.db,
            &app.loket.municipality,
            &other,
            &[server::appointments::Reminder::OneHour],
            now,
        )
        .await
        .unwrap();
        assert_eq!(
            reminder_events(&app, &other).await,
            [(
                String::from("1h"),
                local("2026-03-11T09:30").as_millisecond()
            )]
        );
        let cancelled = booking::get(&app.loket.db, &app.loket.municipality.id, &other)
            .await
            .unwrap();
        assert_eq!(cancelled.status, Status::Booked);
    }
);

/// The values of `name="start"` radio buttons and the hidden key on a booking step page.
pub(crate) fn attribute_values(html: &str, marker: &str) -> Vec<String> {
    html.split(marker)
        .skip(1)
        .filter_map(|rest| rest.split('"').next().map(str::to_owned))
        .collect()
}

pub(crate) fn start_values(html: &str) -> Vec<String> {
    html.split("name=\"start\"")
        .skip(1)
        .filter_map(|rest| {
            rest.split("value=\"")
                .nth(1)?
                .split('"')
                .next()
                .map(str::to_owned)
        })
        .collect()
}

pub(crate) fn key_value(html: &str) -> String {
    html.split("name=\"key\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned()
}

async fn desiree_books_moves_and_cancels_through_the_pages(backend: loket_tests::Backend) {
    let server = loket_tests::TestServer::start(backend).await;
    let desiree = loket_tests::browser::desiree(&server).await;
    let page = |path: String| {
        let desiree = &desiree;
        async move { loket_tests::browser::page(desiree, &path).await }
    };
    // Step 1: only what residents may book themselves.
    let (status, html) = page(String::from("/afspraak-maken")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Paspoort of ID-kaart aanvragen"), "{html}");
    assert!(
        !html.contains("sociaal team"),
        "staff-only services are not offered"
    );
    // Step 2: two places; step 3: days as links.
    let (_, html) = page(String::from("/afspraak-maken?dienst=paspoort")).await;
    assert!(html.contains("Stadhuis, Markt 1") && html.contains("Wijkcentrum De Kern"));
    let (_, html) = page(String::from(
        "/afspraak-maken?dienst=paspoort&locatie=stadhuis",
    ))
    .await;
    let days: Vec<String> = attribute_values(&html, "&amp;dag=")
        .into_iter()
        .chain(attribute_values(&html, "&dag="))
        .collect();
    let day = days.first().expect("days with free times").clone();
    // The days come by calendar week: under each "Week van maandag …" heading only that week's days, and
    // every day under one.
    let weeks: Vec<&str> = html.split("class=\"loket-week\"").skip(1).collect();
    assert!(weeks.len() >= 2, "a month of days spans weeks: {html}");
    let mut grouped = 0;
    for week in &weeks {
        let monday = attribute_values(week, "id=\"week-")[0].clone();
        let monday: jiff::civil::Date = monday.parse().unwrap();
        assert_eq!(monday.weekday(), jiff::civil::Weekday::Monday);
        let title = app::i18n::long_date(app::i18n::Lang::Nl, &monday.to_string());
        assert!(
            week.contains(&format!("Week van maandag {title}")),
            "{week}"
        );
        for day in attribute_values(week, "&amp;dag=")
            .into_iter()
            .chain(attribute_values(week, "&dag="))
        {
            let date: jiff::civil::Date = day.parse().unwrap();
            let offset = (date - monday).get_days();
            assert!((0..7).contains(&offset), "{day} is in the week of {monday}");
            grouped += 1;
        }
    }
    assert_eq!(grouped, days.len(), "every day is in a week");
    // Step 4: times, then the one POST.
    let base = format!("/afspraak-maken?dienst=paspoort&locatie=stadhuis&dag={day}");
    let (_, html) = page(base.clone()).await;
    let times = start_values(&html);
    assert!(times.len() > 2, "{html}");
    let key = key_value(&html);
    let fields = |start: &str, key: &str| {
        vec![
            ("service", String::from("paspoort")),
            ("location", String::from("stadhuis")),
            ("day", day.clone()),
            ("start", start.to_owned()),
            ("key", key.to_owned()),
        ]
    };
    let as_refs = |f: &Vec<(&'static str, String)>| -> Vec<(&'static str, String)> { f.clone() };
    let form = as_refs(&fields(&times[0], &key));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, url, html) = post(&desiree, "/afspraak-maken", &pairs).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        url.contains("/afspraken/") && url.ends_with("?gelukt=geboekt"),
        "{url}"
    );
    assert!(html.contains("Uw afspraak is gemaakt"));
    assert!(html.contains("/afbeeldingen/pasfoto.svg") && html.contains("Wat neemt u mee?"));
    assert!(html.contains("<svg"), "the check-in QR code");
    let id = url
        .split("/afspraken/")
        .nth(1)
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    // A double submit books once.
    let (_, again, _) = post(&desiree, "/afspraak-maken", &pairs).await;
    assert_eq!(again, url);
    let db = server.db();
    let muni = &server.app.loket.municipality.id;
    let booked = booking::get(db, muni, &id).await.unwrap();
    assert_eq!(booked.start.as_millisecond().to_string(), times[0]);
    // The calendar file says the same instant, in UTC.
    let ics = desiree
        .client
        .get(format!("{}/afspraken/{id}/agenda.ics", desiree.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let utc = booked.start.strftime("%Y%m%dT%H%M%SZ").to_string();
    assert!(
        ics.contains(&format!("DTSTART:{utc}")) && ics.contains("SEQUENCE:0"),
        "{ics}"
    );
    assert!(
        !ics.contains("Desiree") && !ics.contains("Paspoort"),
        "{ics}"
    );

    // Bad input: nothing stored, a Dutch answer, the page again.
    let bad = as_refs(&fields("morgen", &key_value(&page(base.clone()).await.1)));
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, html) = post(&desiree, "/afspraak-maken", &bad).await;
    assert_eq!(status, 422);
    assert!(html.contains("Kies een tijd."), "{html}");
    // And in English for an English visitor.
    desiree.choose_language("en").await;
    let (status, _, html) = post(&desiree, "/afspraak-maken", &bad).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("Choose a time.") && !html.contains("Kies een tijd."),
        "{html}"
    );
    desiree.choose_language("nl").await;

    // Move to another time of that day.
    let (_, html) = page(format!("/afspraken/{id}/verzetten?dag={day}")).await;
    let move_times = start_values(&html);
    assert!(
        !move_times.contains(&times[0]),
        "the current time is no choice"
    );
    let sequence = String::from("0");
    let move_key = key_value(&html);
    // A form that does not say which version she saw (left out, or not a number) is refused, not moved.
    for (n, seen) in [None, Some("nul"), Some("")].into_iter().enumerate() {
        let key = format!("zonder-versie-gezien-{n}");
        let mut form = vec![
            ("start", move_times[0].as_str()),
            ("day", day.as_str()),
            ("key", key.as_str()),
        ];
        if let Some(seen) = seen {
            form.push(("sequence", seen));
        }
        let (status, _, html) = post(&desiree, &format!("/afspraken/{id}/verzetten"), &form).await;
        assert_eq!(status, 422, "{seen:?}: {html}");
        assert!(html.contains("Deze afspraak is net gewijzigd."), "{html}");
        assert_eq!(booking::get(db, muni, &id).await.unwrap().sequence, 0);
    }
    let (status, url, html) = post(
        &desiree,
        &format!("/afspraken/{id}/verzetten"),
        &[
            ("start", &move_times[0]),
            ("key", &move_key),
            ("sequence", &sequence),
            ("day", &day),
        ],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(url.ends_with("?gelukt=verzet"), "{url}");
    let moved = booking::get(db, muni, &id).await.unwrap();
    assert_eq!(
        (moved.start.as_millisecond().to_string(), moved.sequence),
        (move_times[0].clone(), 1)
    );

    // Cancel: the link's page only asks; the POST cancels.
    let (status, html) = page(format!("/afspraken/{id}/annuleren")).await;
    assert_eq!(status, 200);
    let head = desiree
        .client
        .head(format!("{}/afspraken/{id}/annuleren", desiree.url))
        .send()
        .await
        .unwrap();
    assert!(head.status().as_u16() < 500);
    assert_eq!(
        booking::get(db, muni, &id).await.unwrap().status,
        Status::Booked
    );
    let cancel_key = key_value(&html);
    let (status, url, _) = post(
        &desiree,
        &format!("/afspraken/{id}/annuleren"),
        &[("key", &cancel_key)],
    )
    .await;
    assert_eq!(status, 200);
    assert!(url.ends_with("?gelukt=geannuleerd"), "{url}");
    assert_eq!(
        booking::get(db, muni, &id).await.unwrap().status,
        Status::Cancelled
    );
    let ics = desiree
        .client
        .get(format!("{}/afspraken/{id}/agenda.ics", desiree.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        ics.contains("METHOD:CANCEL") && ics.contains("SEQUENCE:2"),
        "{ics}"
    );

    // Someone else's appointment: not found, and not cancellable.
    let other = person(&server.app).await;
    let theirs = book(
        &server.app,
        "paspoort",
        "stadhuis",
        &other,
        moved.start,
        jiff::Timestamp::now(),
    )
    .await
    .unwrap();
    let (status, _) = page(format!("/afspraken/{theirs}")).await;
    assert_eq!(status, 404);
    let (status, _, _) = post(
        &desiree,
        &format!("/afspraken/{theirs}/annuleren"),
        &[("key", &loket_tests::appointments::key())],
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        booking::get(db, muni, &theirs).await.unwrap().status,
        Status::Booked
    );
    let (status, list) = page(String::from("/afspraken")).await;
    assert_eq!(status, 200);
    assert!(list.contains("Geannuleerd") && !list.contains(&theirs));
}

loket_tests::on_both_backends!(desiree_books_moves_and_cancels_through_the_pages);

/// The `value` of every input named `name` (radio buttons and text boxes render `name` before `value`).
pub(crate) fn input_values(html: &str, name: &str) -> Vec<String> {
    html.split(&format!("name=\"{name}\""))
        .skip(1)
        .filter_map(|rest| {
            let tag = rest.split('>').next()?;
            Some(tag.split("value=\"").nth(1)?.split('"').next()?.to_owned())
        })
        .collect()
}

async fn a_service_that_needs_details_asks_only_what_loket_does_not_know_and_sends_the_confirmation_where_chosen(
    backend: loket_tests::Backend,
) {
    let server = loket_tests::TestServer::start(backend).await;
    let desiree = loket_tests::browser::desiree(&server).await;
    let (db, muni) = (server.db(), server.app.loket.municipality.id.clone());
    // The driving-licence desk needs a phone number and a birth date. Loket knows her birth date (shown, not
    // asked) and her confirmed e-mail address, but no phone number (asked).
    let (_, html) = loket_tests::browser::page(&desiree, "/afspraak-maken?dienst=rijbewijs").await;
    let day = attribute_values(&html, "&amp;dag=")
        .into_iter()
        .chain(attribute_values(&html, "&dag="))
        .next()
        .expect("a day with free times");
    let base = format!("/afspraak-maken?dienst=rijbewijs&locatie=stadhuis&dag={day}");
    let (status, html) = loket_tests::browser::page(&desiree, &base).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Geboortedatum: 12-4-1986. Dit weten we al."),
        "{html}"
    );
    assert!(html.contains("name=\"telefoon\""), "{html}");
    assert!(
        !html.contains("name=\"geboortedag\""),
        "known: not asked again"
    );
    assert!(!html.contains("name=\"postcode\""), "not needed: not asked");
    let channels = input_values(&html, "kanaal");
    assert_eq!(
        channels.len(),
        2,
        "her usual choice and her one e-mail address: {html}"
    );
    assert!(channels[0].is_empty());
    assert!(html.contains("desiree.devries@example.nl"));
    let email = channels[1].clone();
    let start = start_values(&html)[0].clone();
    let count = || async {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM appointment WHERE service_id = 'rijbewijs'")
                .fetch_one(&db.pool)
                .await
                .unwrap();
        n
    };
    let before = count().await;
    let form = |phone: &'static str, channel: String, key: String| {
        vec![
            ("service", String::from("rijbewijs")),
            ("location", String::from("stadhuis")),
            ("day", day.clone()),
            ("start", start.clone()),
            ("key", key),
            ("telefoon", phone.to_owned()),
            ("kanaal", channel),
        ]
    };
    let send = |fields: Vec<(&'static str, String)>| {
        let desiree = &desiree;
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post(desiree, "/afspraak-maken", &pairs).await
        }
    };

    // No usable phone number: the form again, the reason at the field, the chosen time still chosen.
    let (status, _, html) = send(form("bel me", email.clone(), key())).await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("Vul uw telefoonnummer in met cijfers"),
        "{html}"
    );
    assert!(html.contains("id=\"booking-telefoon-error\""), "{html}");
    assert!(html.contains("value=\"bel me\""), "what she typed stays");
    assert!(
        html.contains(&format!("value=\"{start}\" checked")),
        "the chosen time stays chosen: {html}"
    );
    // An address that is not hers: refused too.
    let (status, _, html) = send(form("06 12345678", String::from("not-her-address"), key())).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("Kies een van de adressen"), "{html}");
    assert_eq!(count().await, before, "nothing was booked");

    // Both right: booked, the phone number kept with this appointment (not the known birth date), the
    // confirmation pointed at the e-mail address she chose.
    let (status, url, html) = send(form("06-1234 5678", email.clone(), key())).await;
    assert_eq!(status, 200, "{html}");
    assert!(url.ends_with("?gelukt=geboekt"), "{url}");
    let id = url
        .split("/afspraken/")
        .nth(1)
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let kept = server::appointments::details::of(db, &id).await.unwrap();
    assert_eq!(
        kept,
        [(
            server::appointments::details::Field::Phone,
            String::from("+31612345678")
        )]
    );
    let (to,): (String,) = sqlx::query_as(
        "SELECT address_id FROM notification_override WHERE subject_kind = 'appointment' AND subject_id = $1",
    )
    .bind(&id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(to, email);
    assert_eq!(
        booking::get(db, &muni, &id).await.unwrap().service_id,
        "rijbewijs"
    );
}

loket_tests::on_both_backends!(
    a_service_that_needs_details_asks_only_what_loket_does_not_know_and_sends_the_confirmation_where_chosen
);

/// The link token in the booking confirmation of appointment `id` (as the outbox will write it into the link).
async fn confirmation_token(db: &server::storage::Db, id: &str) -> Option<String> {
    let (secret,): (Option<String>,) = sqlx::query_as(
        "SELECT secret FROM notification_event WHERE appointment_id = $1 AND kind = 'appointment-booked'",
    )
    .bind(id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    secret
}

/// Books `service` at `location` for `person` as the contact centre does, at the first free time from two days
/// ahead (of the real clock: the pages check links against it); returns the appointment.
pub(crate) async fn booked_by_phone(
    app: &TestApp,
    person: &str,
    service: &str,
    location: &str,
) -> String {
    let (db, municipality) = (&app.loket.db, &app.loket.municipality);
    let now = jiff::Timestamp::now();
    let tz = &municipality.time_zone;
    let catalogued = server::appointments::catalogue::service(db, &municipality.id, service)
        .await
        .unwrap();
    let offers = booking::free_times(
        db,
        municipality,
        &catalogued,
        location,
        Via::Staff,
        tz.to_datetime(now + SignedDuration::from_hours(48)).date()
            ..=tz
                .to_datetime(now + SignedDuration::from_hours(24 * 21))
                .date(),
        now,
    )
    .await
    .unwrap();
    booking::book(
        db,
        municipality,
        &BookRequest {
            service_id: service,
            location_id: location,
            start: offers[0].slot.start,
            booker: Booker {
                person_id: person,
                organisation_id: None,
                via: Via::Staff,
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
    .unwrap()
    .appointment_id
}

/// Posts the birth date on an appointment link's page (fresh form each time, as a browser would).
async fn open_with(
    browser: &loket_tests::browser::Browser,
    token: &str,
    (day, month, year): (&str, &str, &str),
) -> (u16, String, String) {
    post(
        browser,
        &format!("/afspraak/{token}"),
        &[("dag", day), ("maand", month), ("jaar", year)],
    )
    .await
}

async fn someone_booked_by_phone_opens_moves_and_cancels_with_the_link_and_birth_date(
    backend: loket_tests::Backend,
) {
    let server = loket_tests::TestServer::start(backend).await;
    let db = server.db();
    let muni = &server.app.loket.municipality.id;
    // As Karin does on the phone: Desiree's talk with the social team (her birth date is 12-04-1986).
    let desiree = format!("demo-{muni}-desiree");
    let id = booked_by_phone(&server.app, &desiree, "sociaal-team", "wijkcentrum").await;
    let token = confirmation_token(db, &id)
        .await
        .expect("a booking by the contact centre carries a link token");
    assert_eq!(token.len(), 22, "128 bits, short enough for an SMS");

    // The page asks for the birth date and shows nothing about the appointment or the person yet.
    let browser = loket_tests::browser::Browser::open(&server).await;
    let (status, html) = loket_tests::browser::page(&browser, &format!("/afspraak/{token}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("name=\"jaar\"") && html.contains("bday-year"),
        "{html}"
    );
    for private in ["Desiree", "sociaal team", "Wijkcentrum", "1986"] {
        assert!(!html.contains(private), "{private} shown before the check");
    }

    // Not a date, then a wrong date: the form again with the reason, and no session.
    let (status, _, html) = open_with(&browser, &token, ("31", "2", "1986")).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("Vul uw geboortedatum in met cijfers"),
        "{html}"
    );
    let (status, _, html) = open_with(&browser, &token, ("13", "4", "1986")).await;
    assert_eq!(status, 422);
    assert!(html.contains("Deze geboortedatum klopt niet"), "{html}");
    assert!(html.contains("value=\"13\""), "what was typed stays");
    let (_, html) = loket_tests::browser::page(&browser, &format!("/afspraken/{id}")).await;
    assert!(
        !html.contains("Gesprek met het sociaal team"),
        "no access after a wrong date"
    );

    // The right date opens the card of this one appointment, and nothing else.
    let (status, url, html) = open_with(&browser, &token, (" 12", "04", "1986 ")).await;
    assert_eq!(status, 200, "{html}");
    assert!(url.ends_with(&format!("/afspraken/{id}")), "{url}");
    assert!(html.contains("Gesprek met het sociaal team"), "{html}");
    // Marked for the service worker, which keeps only pages so marked for offline use.
    assert!(html.contains("data-loket-offline=\"card\""));
    // Every link leads somewhere she can open: the card sends her to no list of appointments, and the pages
    // she cannot open (the menu still shows them) say so and lead back to this card.
    assert!(
        !html.contains("Naar uw afspraken"),
        "no link to a list she cannot open"
    );
    for elsewhere in ["/afspraken", "/zaken", "/documenten", "/"] {
        let (_, page) = loket_tests::browser::page(&browser, elsewhere).await;
        assert!(
            page.contains("U heeft alleen uw afspraak geopend"),
            "{elsewhere}: {page}"
        );
        assert!(
            page.contains(&format!("href=\"/afspraken/{id}\"")),
            "{elsewhere} leads back"
        );
    }
    let other = person(&server.app).await;
    let theirs = booked_by_phone(&server.app, &other, "sociaal-team", "wijkcentrum").await;
    let (_, html) = loket_tests::browser::page(&browser, &format!("/afspraken/{theirs}")).await;
    assert!(
        !html.contains("Gesprek met het sociaal team") && !html.contains("data-loket-offline"),
        "another appointment stays closed"
    );
    let (status, _, _) = post(
        &browser,
        &format!("/afspraken/{theirs}/annuleren"),
        &[("key", &key())],
    )
    .await;
    assert_eq!(status, 404);
    let booked = booking::get(db, muni, &id).await.unwrap();
    let (_, html) = loket_tests::browser::page(&browser, "/afspraak-maken").await;
    assert!(
        !html.contains("Paspoort of ID-kaart aanvragen"),
        "a link session books nothing new"
    );
    let (status, cases) = loket_tests::browser::page(&browser, "/zaken").await;
    assert!(
        status != 200 || !cases.contains("ZAAK-2026-0412"),
        "no cases"
    );

    // Move to another time that day, then cancel: both with the link session.
    let day = server
        .app
        .loket
        .municipality
        .time_zone
        .to_datetime(booked.start)
        .date()
        .to_string();
    let (status, html) =
        loket_tests::browser::page(&browser, &format!("/afspraken/{id}/verzetten?dag={day}")).await;
    assert_eq!(status, 200, "{html}");
    let times = start_values(&html);
    assert!(!times.is_empty(), "{html}");
    let move_key = key_value(&html);
    let (status, url, _) = post(
        &browser,
        &format!("/afspraken/{id}/verzetten"),
        &[
            ("start", &times[0]),
            ("key", &move_key),
            ("sequence", &booked.sequence.to_string()),
            ("day", &day),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(url.ends_with("?gelukt=verzet"), "{url}");
    // The message about the move carries a new token of its own.
    let moved_token: (Option<String>,) = sqlx::query_as(
        "SELECT secret FROM notification_event WHERE appointment_id = $1 AND kind = 'appointment-moved'",
    )
    .bind(&id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!(moved_token.0.is_some_and(|t| t != token));
    let (_, html) =
        loket_tests::browser::page(&browser, &format!("/afspraken/{id}/annuleren")).await;
    let (status, url, html) = post(
        &browser,
        &format!("/afspraken/{id}/annuleren"),
        &[("key", &key_value(&html))],
    )
    .await;
    assert_eq!(status, 200);
    assert!(url.ends_with("?gelukt=geannuleerd"), "{url}");
    // After cancelling, the next step: the municipality's number (she cannot book herself with a link).
    assert!(html.contains("Toch een afspraak nodig?"), "{html}");
    let phone = server.app.loket.municipality.phone.replace(' ', "");
    assert!(html.contains(&format!("href=\"tel:{phone}\"")), "{html}");
    assert!(!html.contains("href=\"/afspraak-maken\""), "{html}");
    assert_eq!(
        booking::get(db, muni, &id).await.unwrap().status,
        Status::Cancelled
    );

    // Five wrong dates block a link, also for the right date afterwards.
    let stranger = loket_tests::browser::Browser::open(&server).await;
    for _ in 0..5 {
        open_with(&stranger, &token, ("1", "1", "2000")).await;
    }
    let (status, _, html) = open_with(&stranger, &token, ("12", "4", "1986")).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("Deze link werkt niet (meer)"), "{html}");
    let (_, html) = loket_tests::browser::page(&stranger, &format!("/afspraken/{id}")).await;
    assert!(!html.contains("Gesprek met het sociaal team"));
    // The card's address (in her calendar, say) opened without a session says how to open it.
    assert!(
        html.contains("Open uw afspraak met de link uit de bevestiging"),
        "{html}"
    );
    // Opening it with the link is about her person: her activity log shows it once she signs in.
    let account = loket_tests::browser::desiree(&server).await;
    let (_, log) = loket_tests::browser::page(&account, "/activiteit").await;
    assert!(
        log.contains("Iemand opende uw afspraak met de link uit de bevestiging."),
        "{log}"
    );
}

loket_tests::on_both_backends!(
    someone_booked_by_phone_opens_moves_and_cancels_with_the_link_and_birth_date
);

/// Posts a code on an appointment link's page.
async fn open_with_code(
    browser: &loket_tests::browser::Browser,
    token: &str,
    code: &str,
) -> (u16, String, String) {
    post(browser, &format!("/afspraak/{token}"), &[("code", code)]).await
}

/// The code a link's latest code message carries, read from the outbox before the worker sends (and forgets) it.
async fn waiting_code(db: &server::storage::Db, appointment: &str) -> String {
    let (code,): (Option<String>,) = sqlx::query_as(
        "SELECT secret FROM notification_event WHERE appointment_id = $1 AND kind = 'appointment-link-code'
         ORDER BY created_at_ms DESC LIMIT 1",
    )
    .bind(appointment)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    code.unwrap()
}

async fn someone_without_a_known_birth_date_opens_the_link_with_a_code_sent_where_the_confirmation_went(
    backend: loket_tests::Backend,
) {
    let server = loket_tests::TestServer::start(backend).await;
    let app = &server.app;
    let db = server.db();
    // Loket does not know her birth date; she gave the contact centre a second address for this appointment.
    let (p, usual) = reachable_person(app).await;
    let for_this = format!(
        "deze-afspraak-{:012x}@example.nl",
        rand::random::<u64>() >> 16
    );
    let chosen = confirmed_address(app, &p, &for_this).await;
    let id = booked_by_phone(app, &p, "sociaal-team", "wijkcentrum").await;
    sqlx::query(
        "INSERT INTO notification_override (person_id, subject_kind, subject_id, address_id)
         VALUES ($1, 'appointment', $2, $3)",
    )
    .bind(&p)
    .bind(&id)
    .bind(&chosen)
    .execute(&db.pool)
    .await
    .unwrap();
    let worker = worker_for(app, &server.url);
    worker.round(jiff::Timestamp::now()).await.unwrap();
    let confirmation = smtp_sink()
        .wait_for(&for_this, 1, Duration::from_secs(10))
        .await;
    let link = links_in(&confirmation[0].text, &server.url)
        .into_iter()
        .find(|l| l.contains("/afspraak/"))
        .expect("a booking by the contact centre carries a link, also without a birth date");
    let token = link.rsplit('/').next().unwrap().to_owned();

    // The page offers the code, not the birth date, and shows nothing about the appointment.
    let browser = loket_tests::browser::Browser::open(&server).await;
    let (status, html) = loket_tests::browser::page(&browser, &format!("/afspraak/{token}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Stuur mij een code"), "{html}");
    assert!(!html.contains("name=\"jaar\"") && !html.contains("name=\"code\""));
    assert!(!html.contains("sociaal team") && !html.contains("Wijkcentrum"));
    let (status, _, html) = open_with(&browser, &token, ("5", "11", "1979")).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("Met deze link werkt de geboortedatum niet"),
        "{html}"
    );
    let (status, _, html) = open_with_code(&browser, &token, "123456").await;
    assert_eq!(status, 422);
    assert!(
        html.contains("Deze code werkt niet meer. Vraag een nieuwe code aan."),
        "{html}"
    );

    // She asks for a code: the page now has the field; asking again at once is refused.
    let (status, url, html) = post(&browser, &format!("/afspraak/{token}/code"), &[]).await;
    assert_eq!(status, 200, "{html}");
    assert!(url.ends_with(&format!("/afspraak/{token}")), "{url}");
    assert!(
        html.contains("name=\"code\"") && html.contains("one-time-code"),
        "{html}"
    );
    assert!(html.contains("We hebben een code van 6 cijfers gestuurd"));
    let (status, _, html) = post(&browser, &format!("/afspraak/{token}/code"), &[]).await;
    assert_eq!(status, 429);
    assert!(html.contains("We hebben net een code gestuurd"), "{html}");

    // The code goes where this appointment's confirmation went, and carries nothing but the code.
    worker.round(jiff::Timestamp::now()).await.unwrap();
    let got = smtp_sink()
        .wait_for(&for_this, 2, Duration::from_secs(10))
        .await;
    assert_eq!(got.len(), 2, "the confirmation and the code");
    let message = got
        .iter()
        .find(|m| m.text.contains("Uw code om uw afspraak"))
        .expect("the code message");
    assert!(
        smtp_sink().to(&usual).is_empty(),
        "nothing to her usual address"
    );
    for private in ["sociaal", "Wijkcentrum", "Desiree", &p] {
        assert!(
            !message.text.contains(private),
            "{private} in {}",
            message.text
        );
    }
    let code = message
        .text
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap()
        .to_owned();

    // A wrong code counts and keeps what was typed; the right one opens the card once.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (status, _, html) = open_with_code(&browser, &token, wrong).await;
    assert_eq!(status, 422);
    assert!(html.contains("Deze code klopt niet"), "{html}");
    assert!(html.contains(&format!("value=\"{wrong}\"")));
    let (status, _, html) = open_with_code(&browser, &token, "12 34").await;
    assert_eq!(status, 422);
    assert!(html.contains("De code bestaat uit 6 cijfers"), "{html}");
    let spaced = format!("{} {}", &code[..3], &code[3..]);
    let (status, url, html) = open_with_code(&browser, &token, &spaced).await;
    assert_eq!(status, 200, "{html}");
    assert!(url.ends_with(&format!("/afspraken/{id}")), "{url}");
    assert!(html.contains("Gesprek met het sociaal team"), "{html}");
    let again = loket_tests::browser::Browser::open(&server).await;
    let (status, _, html) = open_with_code(&again, &token, &code).await;
    assert_eq!(status, 422);
    assert!(html.contains("Deze code werkt niet meer"), "{html}");

    // At most five codes per appointment an hour, a minute apart (the clock is the domain's).
    let now = jiff::Timestamp::now();
    let muni = &app.loket.municipality.id;
    for minute in 1..=4 {
        links::send_code(
            db,
            muni,
            &token,
            now + SignedDuration::from_secs(61 * minute),
        )
        .await
        .unwrap();
    }
    assert!(matches!(
        links::send_code(db, muni, &token, now + SignedDuration::from_mins(6)).await,
        Err(IdentityError::TooManyCodes)
    ));

    // Five wrong codes block the link, also for the right code afterwards.
    let other = links::issue(db, &id, None, now + SignedDuration::from_hours(24), now)
        .await
        .unwrap();
    let stranger = loket_tests::browser::Browser::open(&server).await;
    links::send_code(db, muni, &other, now + SignedDuration::from_hours(2))
        .await
        .unwrap();
    let later = now + SignedDuration::from_hours(2);
    let right = waiting_code(db, &id).await;
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..5 {
        assert!(matches!(
            links::redeem(db, &other, SecondCheck::Code(wrong), later).await,
            Err(IdentityError::LinkCodeWrong)
        ));
    }
    assert!(matches!(
        links::redeem(db, &other, SecondCheck::Code(&right), later).await,
        Err(IdentityError::LinkNotValid)
    ));
    let (status, html) = loket_tests::browser::page(&stranger, &format!("/afspraak/{other}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Deze link werkt niet (meer)"), "{html}");
}

loket_tests::on_both_backends!(
    someone_without_a_known_birth_date_opens_the_link_with_a_code_sent_where_the_confirmation_went
);

on_both_backends!(
    only_bookings_by_the_contact_centre_carry_a_link_checked_by_birth_date_or_else_by_code,
    |app| {
        let svc = service(&app, "linked", 30).await;
        let loc = desk(&app, "linked", &[false, false], &[&svc]).await;
        let now = local("2026-03-09T12:00");
        let with_date = person(&app).await;
        sqlx::query("UPDATE person SET birth_date = '1990-06-01' WHERE id = $1")
            .bind(&with_date)
            .execute(&app.loket.db.pool)
            .await
            .unwrap();
        let without_date = person(&app).await;
        let by_staff = |p: String, at: &'static str| {
            let (app, svc, loc) = (&app, svc.clone(), loc.clone());
            async move {
                booking::book(
                    &app.loket.db,
                    &app.loket.municipality,
                    &BookRequest {
                        service_id: &svc,
                        location_id: &loc,
                        start: local(at),
                        booker: Booker {
                            person_id: &p,
                            organisation_id: None,
                            via: Via::Staff,
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
                .unwrap()
                .appointment_id
            }
        };
        let linked = by_staff(with_date.clone(), "2026-03-10T09:00").await;
        let unlinked = by_staff(without_date, "2026-03-10T09:30").await;
        let own = book(&app, &svc, &loc, &with_date, local("2026-03-10T10:00"), now)
            .await
            .unwrap();
        let db = &app.loket.db;
        let token = confirmation_token(db, &linked).await.unwrap();
        let by_code = confirmation_token(db, &unlinked)
            .await
            .expect("without a birth date the link opens with a code");
        assert!(confirmation_token(db, &own).await.is_none());
        assert_eq!(
            links::state(db, &token, now).await.unwrap(),
            Some(LinkState {
                birth_date_known: true,
                code_waiting: false
            })
        );
        assert_eq!(
            links::state(db, &by_code, now).await.unwrap(),
            Some(LinkState {
                birth_date_known: false,
                code_waiting: false
            })
        );
        assert!(matches!(
            links::redeem(db, &by_code, SecondCheck::BirthDate("1990-06-01"), now).await,
            Err(IdentityError::BirthDateUnknown)
        ));
        // The token opens exactly that appointment, until it has ended.
        let opened = links::redeem(db, &token, SecondCheck::BirthDate("1990-06-01"), now)
            .await
            .unwrap();
        assert_eq!(opened, linked);
        assert!(links::redeem(
            db,
            &token,
            SecondCheck::BirthDate("1990-06-01"),
            local("2026-03-10T09:31")
        )
        .await
        .is_err());
        assert_eq!(
            links::state(db, &token, local("2026-03-10T09:31"))
                .await
                .unwrap(),
            None
        );
    }
);

/// The links in a message as a mail provider's scanner finds them: every `http…` run of characters.
fn links_in(text: &str, origin: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '"' | '<' | '>' | '\'' | ')'))
        .filter(|word| word.starts_with(origin))
        .map(|word| word.trim_end_matches(['.', ',']).to_owned())
        .collect()
}

/// The same-site links on a page (`href="/…"`).
fn hrefs(html: &str, origin: &str) -> Vec<String> {
    html.split("href=\"/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|path| format!("{origin}/{}", path.replace("&amp;", "&")))
        .collect()
}

/// What a mail provider's link scanner does: fetch every link in every message (GET and HEAD, no session), and
/// every link on the pages those lead to. Nothing may change: no appointment cancelled or moved, no appointment
/// link blocked or used up.
async fn a_link_scanner_fetching_every_message_link_changes_nothing(backend: loket_tests::Backend) {
    let server = loket_tests::TestServer::start(backend).await;
    let app = &server.app;
    let db = server.db();
    let municipality = &app.loket.municipality;
    let (p, email) = reachable_person(app).await;
    sqlx::query("UPDATE person SET birth_date = '1979-11-05' WHERE id = $1")
        .bind(&p)
        .execute(&db.pool)
        .await
        .unwrap();
    // One appointment made by the contact centre (its messages carry link tokens), one the resident made.
    let now = jiff::Timestamp::now();
    let service = server::appointments::catalogue::service(db, &municipality.id, "paspoort")
        .await
        .unwrap();
    let tz = &municipality.time_zone;
    let offers = booking::free_times(
        db,
        municipality,
        &service,
        "stadhuis",
        Via::Resident,
        tz.to_datetime(now + SignedDuration::from_hours(48)).date()
            ..=tz
                .to_datetime(now + SignedDuration::from_hours(24 * 21))
                .date(),
        now,
    )
    .await
    .unwrap();
    let mut ids = Vec::new();
    for (offer, via) in offers.iter().step_by(3).zip([Via::Staff, Via::Resident]) {
        let outcome = booking::book(
            db,
            municipality,
            &BookRequest {
                service_id: "paspoort",
                location_id: "stadhuis",
                start: offer.slot.start,
                booker: Booker {
                    person_id: &p,
                    organisation_id: None,
                    via,
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
        .unwrap();
        ids.push(outcome.appointment_id);
    }
    assert_eq!(ids.len(), 2);
    worker_for(app, &server.url).round(now).await.unwrap();
    let mails = smtp_sink()
        .wait_for(&email, 2, Duration::from_secs(10))
        .await;
    let links: Vec<String> = mails
        .iter()
        .flat_map(|mail| links_in(&mail.text, &server.url))
        .collect();
    assert!(
        links.iter().any(|l| l.contains("/afspraak/"))
            && links.iter().any(|l| l.contains("/afspraken/")),
        "{links:?}"
    );

    // The scanner: no cookies kept between messages, GET and HEAD, and one level further.
    let mut fetched = 0;
    for link in &links {
        let scanner = server.client();
        let page = scanner.get(link).send().await.unwrap();
        assert!(page.status().as_u16() < 500, "{link}");
        let html = page.text().await.unwrap();
        let mut next = hrefs(&html, &server.url);
        next.push(link.clone());
        for url in next {
            let get = scanner.get(&url).send().await.unwrap();
            let head = scanner.head(&url).send().await.unwrap();
            assert!(
                get.status().as_u16() < 500 && head.status().as_u16() < 500,
                "{url}"
            );
            fetched += 1;
        }
    }
    assert!(
        fetched > links.len(),
        "the pages behind the links were scanned too"
    );
    for id in &ids {
        let appointment = booking::get(db, &municipality.id, id).await.unwrap();
        assert_eq!(
            (appointment.status, appointment.sequence),
            (Status::Booked, 0)
        );
    }
    let (blocked,): (i64,) =
        sqlx::query_as("SELECT COALESCE(MAX(failed_attempts), 0) FROM appointment_link")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(blocked, 0);

    // The person still opens the appointment with the link afterwards.
    let link = links.iter().find(|l| l.contains("/afspraak/")).unwrap();
    let token = link.rsplit('/').next().unwrap();
    let browser = loket_tests::browser::Browser::open(&server).await;
    let (status, url, _) = open_with(&browser, token, ("5", "11", "1979")).await;
    assert_eq!(status, 200);
    assert!(url.ends_with(&format!("/afspraken/{}", ids[0])), "{url}");
}

loket_tests::on_both_backends!(a_link_scanner_fetching_every_message_link_changes_nothing);

async fn the_overview_shows_the_next_appointment_until_it_is_cancelled(
    backend: loket_tests::Backend,
) {
    let server = loket_tests::TestServer::start(backend).await;
    let desiree = loket_tests::browser::desiree(&server).await;
    // The demo's appointment was seeded at the tests' fixed clock, long past by now.
    let (_, html) = loket_tests::browser::page(&desiree, "/").await;
    assert!(html.contains("U hebt geen afspraak gepland."), "{html}");
    let muni = server.app.loket.municipality.id.clone();
    let person = format!("demo-{muni}-desiree");
    let later = booked_by_phone(&server.app, &person, "sociaal-team", "wijkcentrum").await;
    let (_, html) = loket_tests::browser::page(&desiree, "/").await;
    assert!(
        html.contains(&format!("href=\"/afspraken/{later}\"")),
        "{html}"
    );
    assert!(!html.contains("U hebt geen afspraak gepland."));
    booking::cancel(
        server.db(),
        &server.app.loket.municipality,
        &later,
        &key(),
        jiff::Timestamp::now(),
    )
    .await
    .unwrap();
    let (_, html) = loket_tests::browser::page(&desiree, "/").await;
    assert!(!html.contains(&format!("/afspraken/{later}")));
    assert!(html.contains("U hebt geen afspraak gepland."));
}

loket_tests::on_both_backends!(the_overview_shows_the_next_appointment_until_it_is_cancelled);

on_both_backends!(
    the_back_office_configures_services_locations_and_resources_and_refuses_bad_ones_whole,
    |app| {
        use server::identity::clients::Scope;
        let token = app.api_token(&[Scope::Appointments]).await;
        let cases_only = app.api_token(&[Scope::Cases]).await;
        let db = &app.loket.db;
        let service = serde_json::json!({
            "name": "Bouwplan bespreken",
            "name_en": "Discuss building plan",
            "duration_min": 20,
            "bring": [{ "text": "Uw tekeningen", "text_en": "Your drawings", "picture": "/afbeeldingen/rijbewijs.svg" }],
            "required_fields": ["phone"],
            "resident_bookable": true
        });
        // Without the scope: refused, nothing stored.
        let (status, kind, _) = app
            .api(
                "PUT",
                "/api/v1/appointment-services/bouwplan",
                Some(&cases_only),
                Some(service.clone()),
            )
            .await;
        assert_eq!((status, kind.as_str()), (403, "application/problem+json"));
        assert!(catalogue_service(&app, "bouwplan").await.is_none());

        let (status, _, body) = app
            .api(
                "PUT",
                "/api/v1/appointment-services/bouwplan",
                Some(&token),
                Some(service.clone()),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        let (status, _, _) = app
            .api(
                "PUT",
                "/api/v1/appointment-services/bouwplan",
                Some(&token),
                Some(service.clone()),
            )
            .await;
        assert_eq!(status, 200, "a second PUT replaces");
        let stored = catalogue_service(&app, "bouwplan").await.unwrap();
        assert_eq!((stored.duration_min, stored.horizon_days), (20, 60));

        // A bad document names every bad field in Dutch and changes nothing.
        let (status, kind, body) = app
            .api(
                "PUT",
                "/api/v1/appointment-services/bouwplan",
                Some(&token),
                Some(serde_json::json!({ "name": "", "duration_min": 1, "reminders": ["weekly"], "resident_bookable": true })),
            )
            .await;
        assert_eq!((status, kind.as_str()), (400, "application/problem+json"));
        let names: Vec<&str> = body["invalid_params"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["name", "duration_min", "reminders[0]"], "{body}");
        assert_eq!(
            catalogue_service(&app, "bouwplan").await.unwrap().name,
            "Bouwplan bespreken"
        );

        let (status, _, body) = app
            .api(
                "PUT",
                "/api/v1/appointment-locations/noord",
                Some(&token),
                Some(serde_json::json!({
                    "name": "Servicepunt Noord", "street": "Noordplein 3", "postcode": "1234ab",
                    "city": "Voorbeeld", "wheelchair": true
                })),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        let resource = |seats: u32| {
            serde_json::json!({
                "location": "noord", "name": "Balie 1", "seats": seats, "contact_centre_seats": 1,
                "services": ["bouwplan"],
                "hours": [{ "weekday": "monday", "opens": "09:00", "closes": "12:00" }],
                "exceptions": [{ "date": "2026-12-28", "kind": "closed" }]
            })
        };
        // A resource for an unknown location or service, or with impossible hours: refused whole.
        let mut wrong = resource(2);
        wrong["location"] = serde_json::json!("zuid");
        wrong["services"] = serde_json::json!(["bouwplan", "bestaat-niet"]);
        wrong["hours"][0]["closes"] = serde_json::json!("08:00");
        let (status, _, body) = app
            .api(
                "PUT",
                "/api/v1/appointment-resources/noord-1",
                Some(&token),
                Some(wrong),
            )
            .await;
        assert_eq!(status, 400);
        assert_eq!(
            body["invalid_params"].as_array().unwrap().len(),
            3,
            "{body}"
        );
        let (status, _, body) = app
            .api(
                "PUT",
                "/api/v1/appointment-resources/noord-1",
                Some(&token),
                Some(resource(2)),
            )
            .await;
        assert_eq!(status, 201, "{body}");

        // The engine offers it: Mondays 09:00–12:00, residents on the one seat not kept for the contact centre.
        let offers = booking::free_times(
            db,
            &app.loket.municipality,
            &catalogue_service(&app, "bouwplan").await.unwrap(),
            "noord",
            Via::Resident,
            "2026-12-21".parse().unwrap()..="2026-12-28".parse().unwrap(),
            local("2026-12-01T09:00"),
        )
        .await
        .unwrap();
        let times: Vec<String> = offers
            .iter()
            .map(|o| {
                app.loket
                    .municipality
                    .time_zone
                    .to_datetime(o.slot.start)
                    .to_string()
            })
            .collect();
        assert_eq!(
            times.len(),
            9,
            "one Monday of 9 times; the 28th is closed: {times:?}"
        );
        assert!(times[0].starts_with("2026-12-21T09:00"));

        // A seat that holds an appointment cannot be taken away: a resident takes the open seat, the contact
        // centre the kept one, and then the second seat is to go.
        let now = local("2026-12-01T09:00");
        let p = person(&app).await;
        // The service needs a phone number: not without one, and fine once Loket knows a confirmed one.
        assert!(matches!(
            book(&app, "bouwplan", "noord", &p, offers[0].slot.start, now).await,
            Err(AppointmentsError::Invalid {
                field: "telefoon",
                ..
            })
        ));
        loket_tests::notify::confirmed(
            &app,
            &p,
            server::notifications::channels::Channel::Sms,
            "06 12345678",
        )
        .await;
        book(&app, "bouwplan", "noord", &p, offers[0].slot.start, now)
            .await
            .unwrap();
        let kept = booking::book(
            db,
            &app.loket.municipality,
            &BookRequest {
                service_id: "bouwplan",
                location_id: "noord",
                start: offers[0].slot.start,
                booker: Booker {
                    person_id: &p,
                    organisation_id: None,
                    via: Via::Staff,
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
        .unwrap();
        let (seat,): (i64,) = sqlx::query_as("SELECT seat FROM appointment WHERE id = $1")
            .bind(&kept.appointment_id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(seat, 2);
        let (status, _, body) = app
            .api(
                "PUT",
                "/api/v1/appointment-resources/noord-1",
                Some(&token),
                Some(resource(1)),
            )
            .await;
        assert_eq!(status, 409, "{body}");
        let (seats,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM appointment_seat WHERE resource_id = 'noord-1'")
                .fetch_one(&db.pool)
                .await
                .unwrap();
        assert_eq!(seats, 2, "nothing changed");
    }
);

async fn catalogue_service(
    app: &TestApp,
    id: &str,
) -> Option<server::appointments::catalogue::Service> {
    server::appointments::catalogue::service(&app.loket.db, &app.loket.municipality.id, id)
        .await
        .ok()
}

/// Every form's refusal is said by Fluent key in the visitor's language: a resident who chose English reads
/// why her booking was refused in English (on the booking page, 422), and a plain refusal too (403).
async fn a_refused_form_reads_in_the_visitors_language(backend: loket_tests::Backend) {
    let server = loket_tests::TestServer::start(backend).await;
    let desiree = loket_tests::browser::desiree(&server).await;
    let book = [
        ("service", "paspoort"),
        ("location", "stadhuis"),
        ("day", "2026-03-03"),
        ("start", "geen-tijd"),
        ("key", "een-sleutel"),
    ];
    let staff_form = "/medewerkers/inwoners/demo-voorbeeld-desiree/afspraak-maken";
    for (lang, choose_time, only_staff) in [
        (
            "en",
            "Choose a time.",
            "Only contact centre staff make appointments for residents.",
        ),
        (
            "nl",
            "Kies een tijd.",
            "Alleen medewerkers van het klantcontactcentrum maken afspraken voor inwoners.",
        ),
    ] {
        desiree.choose_language(lang).await;
        let (status, url, html) = post(&desiree, "/afspraak-maken", &book).await;
        assert_eq!(status, 422, "{lang}: {html}");
        assert!(url.ends_with("/afspraak-maken"), "no redirect: {url}");
        assert!(html.contains(choose_time), "{lang}: {html}");
        let (status, _, text) = post(&desiree, staff_form, &book).await;
        assert_eq!((status, text.as_str()), (403, only_staff), "{lang}");
    }
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM appointment_request WHERE idempotency_key = $1")
            .bind("een-sleutel")
            .fetch_one(&server.db().pool)
            .await
            .unwrap();
    assert_eq!(count, 0, "nothing was booked");
}

on_both_backends!(a_refused_form_reads_in_the_visitors_language);
