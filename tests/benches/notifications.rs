//! `./dev bench`, notifications: how fast the outbox drains into a real SMTP server on loopback (aiosmtpd), and
//! how long a message takes from the commit that causes it to the server's `250` at a steady 20 events/s. Both
//! on SQLite and PostgreSQL; one in-process worker (16 concurrent sends) as `loket run` has by default. Then
//! the crash test with its full 1,000 events.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

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

/// E-mail to an SMTP server on loopback (`url`) with 16 pooled connections, as `loket run` has by default.
fn smtp_channels(url: &str) -> Channels {
    Channels::smtp(
        url,
        &std::env::temp_dir(),
        "Gemeente Voorbeeld <noreply@localhost>",
        "localhost",
        16,
    )
    .unwrap()
}

fn worker(app: &TestApp, url: &str) -> Worker {
    Worker::new(
        app.loket.db.clone(),
        app.loket.municipality.clone(),
        smtp_channels(url),
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

/// A minimal SMTP receiver in this process (Tokio): it speaks just enough SMTP for Loket's client (EHLO, MAIL,
/// RCPT, DATA with the closing dot, RSET, NOOP, QUIT), answers `250` to every message and keeps nothing. It
/// shows how fast Loket itself delivers when the receiver is not the limit (aiosmtpd in Python is).
async fn fast_receiver() -> String {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            socket.set_nodelay(true).unwrap();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read);
                write.write_all(b"220 localhost ESMTP bench\r\n").await?;
                let mut line = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok::<(), std::io::Error>(());
                    }
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let answer: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-localhost\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
                        "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
                        "DATA" => {
                            write.write_all(b"354 go ahead\r\n").await?;
                            loop {
                                line.clear();
                                if lines.read_line(&mut line).await? == 0 {
                                    return Ok(());
                                }
                                if line == ".\r\n" {
                                    break;
                                }
                            }
                            b"250 OK queued\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await?;
                            return Ok(());
                        }
                        _ => b"502 not implemented\r\n",
                    };
                    write.write_all(answer).await?;
                }
            });
        }
    });
    format!("smtp://127.0.0.1:{port}")
}

/// Events for a resident with a case that asks for an action (re-checked before sending); returns the app,
/// the party and the case.
async fn resident(backend: Backend) -> (TestApp, String, Party, String) {
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
    (app, person, party, case_id)
}

/// Burst: BURST events committed first, then one worker drains them into the server at `url`; returns the
/// messages per minute.
async fn burst(app: &TestApp, person: &str, party: &Party, case_id: &str, url: &str) -> f64 {
    let email = format!("burst-{:08x}@example.nl", rand::random::<u32>());
    confirmed_address(app, person, &email).await;
    for n in 0..BURST {
        commit_event(app, party, case_id, &format!("burst:{email}:{n}")).await;
    }
    let worker = worker(app, url);
    let start = Instant::now();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(worker.run(async {
        let _ = stopped.await;
    }));
    while sent_to(app, &email).await < BURST {
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
    let _ = stop.send(());
    running.await.unwrap();
    sqlx::query("UPDATE digital_address SET verified_at_ms = NULL WHERE value = $1")
        .bind(&email)
        .execute(&app.loket.db.pool)
        .await
        .unwrap();
    BURST as f64 / seconds * 60.0
}

async fn run(backend: Backend) {
    let (app, person, party, case_id) = resident(backend).await;
    let per_minute = burst(&app, &person, &party, &case_id, &smtp_sink().url()).await;
    println!("{backend:?}: {BURST} messages from outbox to SMTP 250 (aiosmtpd) = {per_minute:.0} messages/min");

    // Steady: RATE events per second for STEADY_SECONDS, each timed from its commit to the server's 250.
    let steady = format!("steady-{:08x}@example.nl", rand::random::<u32>());
    confirmed_address(&app, &person, &steady).await;
    let worker = worker(&app, &smtp_sink().url());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(worker.run(async {
        let _ = stopped.await;
    }));
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
async fn sink_ceiling(url: &str, name: &str) {
    let channels = smtp_channels(url);
    let to = format!("ceiling-{:08x}@example.nl", rand::random::<u32>());
    let when: jiff::Zoned = Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC);
    let content = server::notifications::templates::render(
        Kind::ActionRequest,
        app::i18n::Lang::Nl,
        &server::notifications::templates::SafeFields {
            municipality: "Gemeente Voorbeeld",
            sms_name: "Gemeente Voorbeeld",
            when: &when,
            reference: "LK-BENCH1",
            link: "http://localhost:3000/zaken/abcdefghijklmnopqrstuvwxyzab",
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
        "{name} alone: {BURST} messages through the SMTP channel in {seconds:.1} s = {:.0} messages/min (the ceiling for the figures with it)",
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
    sink_ceiling(&smtp_sink().url(), "aiosmtpd").await;
    run(Backend::Sqlite).await;
    run(Backend::Postgres).await;
    // The same burst into a receiver that is not the limit: what Loket itself sustains.
    let fast = fast_receiver().await;
    sink_ceiling(&fast, "Tokio receiver").await;
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let (app, person, party, case_id) = resident(backend).await;
        let per_minute = burst(&app, &person, &party, &case_id, &fast).await;
        println!("{backend:?}: {BURST} messages from outbox to SMTP 250 (Tokio receiver) = {per_minute:.0} messages/min");
    }
    crash(Backend::Sqlite).await;
    crash(Backend::Postgres).await;
}
