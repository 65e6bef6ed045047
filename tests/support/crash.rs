//! The crash test, shared by the test suite (300 events) and `./dev bench` (1,000): events are written to the
//! outbox, then a worker **process** delivers them to the loopback SMTP server while it is SIGKILLed at random
//! moments (10 times, every 100–400 ms) and, on PostgreSQL, has its database connections cut once. Every event
//! must reach the server; a message sent again after a kill must carry the same `Message-ID`.
//!
//! The worker process is the calling binary itself, started again with `LOKET_CRASH_DATABASE` and
//! `LOKET_CRASH_SMTP` set; it calls [`worker_process`].

use crate::notify::{confirmed_address, resident_with_case};
use crate::smtp::smtp_sink;
use crate::TestApp;
use jiff::{SignedDuration, Timestamp};
use server::notifications::channels::Channels;
use server::notifications::outbox::Settings;
use server::notifications::worker::Worker;
use server::notifications::{emit, Event, Kind};
use server::parties::Party;
use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What one crash run measured.
pub struct CrashRun {
    pub events: usize,
    pub kills: usize,
    /// Messages the SMTP server received (events plus those sent again after a kill).
    pub received: usize,
    /// From the first worker start until every event was delivered.
    pub seconds: f64,
}

/// Runs the worker of the crash test when this process was started as one (the environment says so); returns
/// `false` at once otherwise.
pub async fn worker_process() -> bool {
    let (Ok(database), Ok(smtp)) = (
        std::env::var("LOKET_CRASH_DATABASE"),
        std::env::var("LOKET_CRASH_SMTP"),
    ) else {
        return false;
    };
    let db = if database.starts_with("postgres") {
        server::storage::Db::postgres(&database).await.unwrap()
    } else {
        server::storage::Db::sqlite(std::path::Path::new(&database))
            .await
            .unwrap()
    };
    let municipality = std::sync::Arc::new(
        server::tenancy::Municipality::load(
            &crate::repo_root().join("server/municipalities/voorbeeld.toml"),
        )
        .unwrap(),
    );
    let mut settings = Settings::new("http://localhost:3000");
    // Short leases, so the next worker takes over quickly after a kill.
    settings.lease = SignedDuration::from_millis(1500);
    settings.batch = 50;
    let channels = Channels::smtp(
        &smtp,
        &std::env::temp_dir(),
        "Gemeente Voorbeeld <noreply@localhost>",
        "localhost",
        16,
    )
    .unwrap();
    let worker = Worker::new(db, municipality, channels, settings);
    worker.run(std::future::pending()).await;
    true
}

/// Writes `events` action-request events for a new resident with a confirmed address, kills the worker
/// process (started as `current_exe` with `worker_args`) 10 times, and checks that every event arrived once
/// under its own `Message-ID`. `never` lists texts no message may contain. Returns what it measured.
pub async fn crash_test(
    app: &TestApp,
    events: usize,
    worker_args: &[&str],
    never: &[&str],
) -> CrashRun {
    let identifier = format!("ZAAK-CRASH-{events}");
    let (token, person, case_id) = resident_with_case(app, &identifier, "999992004").await;
    let (status, _, body) = app
        .api(
            "PUT",
            &format!("/api/v1/cases/{identifier}/action-required"),
            Some(&token),
            Some(serde_json::json!({ "text": "Stuur de bouwtekening.", "deadline": "2026-12-31" })),
        )
        .await;
    assert!((200..300).contains(&status), "{body}");
    let email = format!("crash-{:012x}@example.nl", rand::random::<u64>() >> 16);
    let now = Timestamp::now();
    confirmed_address(app, &person, &email).await;
    // Only the events below count: the action request above is planned already.
    sqlx::query("UPDATE notification_event SET processed_at_ms = 0, due_at_ms = 0")
        .execute(&app.loket.db.pool)
        .await
        .unwrap();
    let party = Party::Person(person.clone());
    let mut conn = app.loket.db.pool.acquire().await.unwrap();
    for n in 0..events {
        emit(
            &mut conn,
            &app.loket.municipality.id,
            &Event::about_case(
                Kind::ActionRequest,
                format!("crash:{n}"),
                &party,
                &case_id,
                now,
            ),
            now,
        )
        .await
        .unwrap();
    }
    drop(conn);

    let database = match app.database_url() {
        Some(url) => url.to_owned(),
        None => app.data_dir.path().to_string_lossy().into_owned(),
    };
    let start = || -> Child {
        Command::new(std::env::current_exe().unwrap())
            .args(worker_args)
            .env("LOKET_CRASH_DATABASE", &database)
            .env("LOKET_CRASH_SMTP", smtp_sink().url())
            .stdout(Stdio::null())
            .spawn()
            .unwrap()
    };
    let sent = || async {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM notification_message WHERE person_id = $1 AND status = 'sent'",
        )
        .bind(&person)
        .fetch_one(&app.loket.db.pool)
        .await
        .unwrap();
        usize::try_from(n).unwrap()
    };
    let began = Instant::now();
    let mut kills = 0;
    let mut dropped_connection = app.database_url().is_none();
    let mut child = start();
    while kills < 10 {
        tokio::time::sleep(Duration::from_millis(100 + rand::random::<u64>() % 300)).await;
        if !dropped_connection && kills == 5 {
            // Cut the worker's database connections once, without killing it: it must reconnect.
            let name = app
                .database_url()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_owned();
            sqlx::query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            )
            .bind(&name)
            .execute(&app.loket.db.pool)
            .await
            .unwrap();
            dropped_connection = true;
            continue;
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        kills += 1;
        child = start();
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    while sent().await < events && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let seconds = began.elapsed().as_secs_f64();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        sent().await,
        events,
        "every event delivered after {kills} kills"
    );

    let ids: HashSet<String> =
        sqlx::query_as::<_, (String,)>("SELECT id FROM notification_message WHERE person_id = $1")
            .bind(&person)
            .fetch_all(&app.loket.db.pool)
            .await
            .unwrap()
            .into_iter()
            .map(|(id,)| format!("<{id}@localhost>"))
            .collect();
    assert_eq!(ids.len(), events, "one message per event");
    let received = smtp_sink().to(&email);
    let distinct: HashSet<&str> = received.iter().map(|m| m.message_id.as_str()).collect();
    // A message the server accepted just before a kill is sent again, under the same Message-ID.
    assert_eq!(distinct.len(), events, "{} received", received.len());
    assert!(distinct.iter().all(|id| ids.contains(*id)));
    for message in &received {
        for needle in never {
            assert!(
                !message.raw.contains(needle) && !message.text.contains(needle),
                "{needle:?} leaked into {}",
                message.text
            );
        }
    }
    CrashRun {
        events,
        kills,
        received: received.len(),
        seconds,
    }
}
