//! A mail provider's link scanner over the whole run: every link in every message the suite sent (router tests
//! and browser journeys alike), fetched with GET and HEAD and without a session against the end-to-end server
//! while it still runs, and every same-site link on the pages they lead to. Nothing may change: no appointment
//! cancelled or moved, no appointment link blocked or used, no code sent.

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What a link could change, read from the end-to-end server's database.
#[derive(Debug, PartialEq, Eq)]
struct Snapshot {
    appointments: Vec<(String, String, i64, i64)>,
    links: Vec<(String, i64, String)>,
    codes_sent: i64,
}

async fn snapshot(pool: &sqlx::AnyPool) -> Snapshot {
    Snapshot {
        appointments: sqlx::query_as(
            "SELECT id, status, sequence, start_ms FROM appointment ORDER BY id",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
        links: sqlx::query_as(
            "SELECT token_hash, failed_attempts, COALESCE(code_hash, '') FROM appointment_link ORDER BY token_hash",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
        codes_sent: sqlx::query_as::<_, (i64,)>(
            "SELECT COUNT(*) FROM notification_event WHERE kind = 'appointment-link-code'",
        )
        .fetch_one(pool)
        .await
        .unwrap()
        .0,
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// The path (and query) of every `http(s)://…` link in `text`, whatever server it named: the router tests'
/// servers are gone, so their links are tried against the end-to-end server too.
fn paths_in(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '"' | '<' | '>' | '\'' | ')'))
        .filter_map(|word| {
            let rest = word
                .strip_prefix("http://")
                .or_else(|| word.strip_prefix("https://"))?;
            let (_, path) = rest.split_once('/')?;
            Some(format!("/{}", path.trim_end_matches(['.', ','])))
        })
        .collect()
}

/// The same-site links on a page (`href="/…"`).
fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|path| format!("/{}", path.replace("&amp;", "&")))
        .collect()
}

/// Run by `./dev test` after the browser journeys, while their server still runs: `LOKET_LINK_SCAN` lists the
/// directories with the run's messages, `LOKET_LINK_SCAN_URL` is that server, `LOKET_LINK_SCAN_DB` its
/// SQLite file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run by ./dev test after the browser journeys, against their still running server"]
async fn every_link_in_every_message_of_the_run_changes_nothing() {
    let dirs =
        std::env::var("LOKET_LINK_SCAN").expect("LOKET_LINK_SCAN names the message directories");
    let base = std::env::var("LOKET_LINK_SCAN_URL").expect("LOKET_LINK_SCAN_URL names the server");
    let db = std::env::var("LOKET_LINK_SCAN_DB").expect("LOKET_LINK_SCAN_DB names its database");
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&format!("sqlite://{db}?mode=ro"))
        .await
        .unwrap();
    let mut found = Vec::new();
    for dir in dirs.split(':').filter(|d| !d.is_empty()) {
        files(Path::new(dir), &mut found);
    }
    let mut links = BTreeSet::new();
    let mut messages = 0;
    for path in &found {
        // A raw message whose decoded text sits next to it: the text has the links unbroken.
        if path.extension().is_some_and(|e| e == "eml") && path.with_extension("txt").exists() {
            continue;
        }
        let Ok(content) = std::fs::read_to_string(path) else {
            continue;
        };
        let paths = paths_in(&content);
        messages += usize::from(!paths.is_empty());
        links.extend(paths);
    }
    assert!(
        links.iter().any(|l| l.starts_with("/afspraak/")),
        "the run's messages include appointment links: {links:?}"
    );
    let before = snapshot(&pool).await;
    assert!(!before.appointments.is_empty() && !before.links.is_empty());

    // No cookies: a scanner has no session, and each fetch stands alone.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
        .unwrap();
    let mut seen = BTreeSet::new();
    let mut queue: Vec<(String, bool)> = links.iter().map(|l| (l.clone(), true)).collect();
    while let Some((path, follow)) = queue.pop() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let url = format!("{base}{path}");
        let head = client.head(&url).send().await.unwrap();
        assert!(
            head.status().as_u16() < 500,
            "HEAD {path}: {}",
            head.status()
        );
        let get = client.get(&url).send().await.unwrap();
        assert!(get.status().as_u16() < 500, "GET {path}: {}", get.status());
        if follow {
            let html = get.text().await.unwrap_or_default();
            queue.extend(hrefs(&html).into_iter().map(|p| (p, false)));
        }
    }
    assert_eq!(
        snapshot(&pool).await,
        before,
        "fetching links changed an appointment, a link or sent a code"
    );
    println!(
        "link scan: {messages} messages, {} distinct links, {} pages fetched with GET and HEAD, nothing changed",
        links.len(),
        seen.len()
    );
}
