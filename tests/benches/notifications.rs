//! `./dev bench`, notifications: how fast the outbox drains into a real SMTP server on loopback (aiosmtpd), and
//! how long a message takes from the commit that causes it to the server's `250` at a steady 20 events/s. Both
//! on SQLite and PostgreSQL; one in-process worker (16 concurrent sends) as `loket run` has by default. Then
//! the crash test with its full 1,000 events.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use futures_util::StreamExt;
use jiff::Timestamp;
use loket_tests::notify::{confirmed_address, resident_with_case};
use loket_tests::smtp::smtp_sink;
use loket_tests::{Backend, TestApp};
use server::notifications::channels::Channels;
use server::notifications::outbox::Settings;
use server::notifications::worker::Worker;
use server::notifications::{emit, Event, Kind};
use server::parties::Party;
use std::collections::HashMap;
use std::time::{Duration, Instant};

const BURST: usize = 5_000;
const RATE: u64 = 20;
const STEADY_SECONDS: u64 = 30;

/// E-mail to the loopback SMTP server with 16 pooled connections, as `loket run` has by default.
fn smtp_channels() -> Channels {
    Channels::smtp(
        &smtp_sink().url(),
        &std::env::temp_dir(),
        "Gemeente Voorbeeld <noreply@localhost>",
        "localhost",
        16,
    )
    .unwrap()
}

fn worker(app: &TestApp) -> Worker {
    Worker::new(
        app.loket.db.clone(),
        app.loket.municipality.clone(),
        smtp_channels(),
        Settings::new("http://localhost:3000"),
    )
}

/// Messages to `address` the SMTP server acknowledged (a message is marked sent only after its `250`).
async fn sent_to(app: &TestApp, address: &str) -> usize {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM notification_message m JOIN digital_address a ON a.id = m.address_id
         WHERE a.value = $1 AND m.status = 'sent'",
    )
    .bind(address)
    .fetch_one(&app.loket.db.pool)
    .await
    .unwrap();
    usize::try_from(n).unwrap()
}

/// Emits one action-request event in its own transaction; returns when it committed.
async fn commit_event(app: &TestApp, party: &Party, case_id: &str, key: &str) -> i64 {
    let mut tx = app.loket.db.pool.begin().await.unwrap();
    let now = Timestamp::now();
    emit(
        &mut tx,
        &app.loket.municipality.id,
        &Event::about_case(Kind::ActionRequest, key.to_owned(), party, case_id, now),
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    Timestamp::now().as_millisecond()
}

fn percentile(sorted: &[i64], p: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

async fn run(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (token, person, case_id) = resident_with_case(&app, "ZAAK-BENCH-1", "999992016").await;
    // Requests for action are re-checked before sending: the case must ask for one.
    let (status, _, body) = app
        .api(
            "PUT",
            "/api/v1/cases/ZAAK-BENCH-1/action-required",
            Some(&token),
            Some(serde_json::json!({ "text": "Stuur de bouwtekening.", "deadline": "2026-12-31" })),
        )
        .await;
    assert!((200..300).contains(&status), "{body}");
    let party = Party::Person(person.clone());

    // Burst: BURST events committed first, then one worker drains them.
    let email = format!("burst-{:08x}@example.nl", rand::random::<u32>());
    confirmed_address(&app, &person, &email).await;
    for n in 0..BURST {
        commit_event(&app, &party, &case_id, &format!("burst:{n}")).await;
    }
    let worker = worker(&app);
    let start = Instant::now();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(worker.run(async {
        let _ = stopped.await;
    }));
    while sent_to(&app, &email).await < BURST {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let (unsent,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM notification_message WHERE status IN ('failed', 'dropped')",
        )
        .fetch_one(&app.loket.db.pool)
        .await
        .unwrap();
        assert_eq!(unsent, 0, "messages were dropped or failed");
        assert!(
            start.elapsed() < Duration::from_secs(600),
            "burst did not drain"
        );
    }
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{backend:?}: {BURST} messages from outbox to SMTP 250 in {seconds:.1} s = {:.0} messages/min",
        BURST as f64 / seconds * 60.0
    );

    // Steady: RATE events per second for STEADY_SECONDS, each timed from its commit to the server's 250.
    let steady = format!("steady-{:08x}@example.nl", rand::random::<u32>());
    sqlx::query("UPDATE digital_address SET verified_at_ms = NULL WHERE value = $1")
        .bind(&email)
        .execute(&app.loket.db.pool)
        .await
        .unwrap();
    confirmed_address(&app, &person, &steady).await;
    let mut committed: HashMap<String, i64> = HashMap::new();
    let mut tick = tokio::time::interval(Duration::from_millis(1000 / RATE));
    for n in 0..RATE * STEADY_SECONDS {
        tick.tick().await;
        let key = format!("steady:{n}");
        let at = commit_event(&app, &party, &case_id, &key).await;
        committed.insert(key, at);
    }
    let total = committed.len();
    let wait = Instant::now();
    while sent_to(&app, &steady).await < total && wait.elapsed() < Duration::from_secs(120) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = stop.send(());
    running.await.unwrap();
    // Message-ID → message → event → commit instant.
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.id, e.dedupe_key FROM notification_message m JOIN notification_event e ON e.id = m.event_id
         WHERE e.dedupe_key LIKE 'steady:%'",
    )
    .fetch_all(&app.loket.db.pool)
    .await
    .unwrap();
    let key_of: HashMap<String, String> = rows
        .into_iter()
        .map(|(id, key)| (format!("<{id}@localhost>"), key))
        .collect();
    let mut latencies: Vec<i64> = smtp_sink()
        .to(&steady)
        .iter()
        .filter_map(|m| {
            let key = key_of.get(&m.message_id)?;
            Some(m.received_ms - committed.get(key)?)
        })
        .collect();
    latencies.sort_unstable();
    println!(
        "{backend:?}: steady {RATE} events/s for {STEADY_SECONDS} s: {} of {total} delivered, commit→250 p50 {} ms, p99 {} ms, max {} ms",
        latencies.len(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or(0),
    );
}

/// The ceiling the loopback SMTP server itself sets: the same 5,000 messages sent straight through Loket's
/// SMTP channel (16 pooled connections, 16 at a time), with no database in between.
async fn sink_ceiling() {
    let channels = smtp_channels();
    let to = format!("ceiling-{:08x}@example.nl", rand::random::<u32>());
    let when: jiff::Zoned = Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC);
    let content = server::notifications::templates::render(
        Kind::ActionRequest,
        app::i18n::Lang::Nl,
        &server::notifications::templates::SafeFields {
            municipality: "Gemeente Voorbeeld",
            when: &when,
            reference: "LK-BENCH1",
            link: "http://localhost:3000/zaken/ZAAK-BENCH",
            code: None,
        },
    );
    let ids: Vec<String> = (0..BURST).map(|n| format!("ceiling{n:05}")).collect();
    let start = Instant::now();
    futures_util::stream::iter(ids.iter())
        .map(|id| {
            let channels = &channels;
            let content = &content;
            let to = &to;
            async move {
                channels
                    .send(&server::notifications::channels::Outgoing {
                        id,
                        channel: server::notifications::channels::Channel::Email,
                        to,
                        content,
                        push_keys: None,
                        ttl: Duration::from_secs(60),
                        topic: "bench",
                        urgent: false,
                    })
                    .await
                    .unwrap();
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<()>>()
        .await;
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "SMTP server alone: {BURST} messages through the SMTP channel in {seconds:.1} s = {:.0} messages/min (the ceiling for the figures above)",
        BURST as f64 / seconds * 60.0
    );
}

/// The crash test at full size: 1,000 events while the worker process is SIGKILLed 10 times (and, on
/// PostgreSQL, loses its connections once).
async fn crash(backend: Backend) {
    let app = TestApp::start(backend).await;
    let run = loket_tests::crash::crash_test(&app, 1_000, &[], &[]).await;
    println!(
        "{backend:?}: crash test: {} events, {} kills, all delivered in {:.1} s; {} received, {} of them resent under the same Message-ID",
        run.events,
        run.kills,
        run.seconds,
        run.received,
        run.received - run.events
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // Started again by the crash test as its worker process.
    if loket_tests::crash::worker_process().await {
        return;
    }
    sink_ceiling().await;
    run(Backend::Sqlite).await;
    run(Backend::Postgres).await;
    crash(Backend::Sqlite).await;
    crash(Backend::Postgres).await;
}
