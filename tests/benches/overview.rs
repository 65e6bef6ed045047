//! Overzicht under load: requests per second and p99 latency of the overview page for a signed-in resident with
//! 20 cases, at 50 and 200 concurrent connections, on SQLite and on PostgreSQL — side by side with a static
//! file of the same bytes served by the same server in the same run, and the ratio between the two.
//!
//!   ./dev bench          (or: cargo bench -p loket-tests --bench overview)
//!
//! Loket runs in this process on a loopback port (its own runtime threads); the load generator is a keep-alive
//! HTTP/1.1 client with one connection per concurrent worker. Both share the machine, as they would anyway.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

use loket_tests::{Backend, TestServer};
use serde_json::{json, Value};
use server::identity::clients::Scope;
use std::time::{Duration, Instant};
use webauthn_authenticator_rs::prelude::{CreationChallengeResponse, Url, WebauthnAuthenticator};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;

const RUN: Duration = Duration::from_secs(8);
const WARM_UP: Duration = Duration::from_secs(2);

struct Figures {
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: usize,
}

/// `connections` workers request `url` for `RUN`, each on its own kept-alive connection.
async fn load(client: &reqwest::Client, url: &str, connections: usize) -> Figures {
    let hammer = |duration: Duration| {
        let mut workers = Vec::new();
        for _ in 0..connections {
            let client = client.clone();
            let url = url.to_owned();
            workers.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0;
                let end = Instant::now() + duration;
                while Instant::now() < end {
                    let start = Instant::now();
                    match client.get(&url).send().await {
                        Ok(response) if response.status().is_success() => {
                            let _ = response.bytes().await;
                            latencies.push(start.elapsed().as_micros() as u64);
                        }
                        _ => errors += 1,
                    }
                }
                (latencies, errors)
            }));
        }
        workers
    };
    for worker in hammer(WARM_UP) {
        let _ = worker.await;
    }
    let started = Instant::now();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for worker in hammer(RUN) {
        let (l, e) = worker.await.unwrap();
        latencies.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default() as f64
            / 1000.0
    };
    Figures {
        per_second: latencies.len() as f64 / elapsed,
        p50_ms: at(0.50),
        p99_ms: at(0.99),
        errors,
    }
}

async fn post(client: &reqwest::Client, url: &str, csrf: &str, body: Value) -> Value {
    let response = client
        .post(url)
        .header("x-csrf-token", csrf)
        .header("origin", url.split("/api").next().unwrap())
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{url}: {}",
        response.status()
    );
    response.json().await.unwrap()
}

/// Desiree with 20 visible cases, signed in on `client` (a cookie jar).
async fn signed_in_resident(server: &TestServer, client: &reqwest::Client) {
    let app = &server.app;
    let token = app.api_token(&[Scope::Cases]).await;
    for n in 1..=18 {
        let (status, _, body) = app
            .api(
                "POST",
                "/api/v1/cases",
                Some(&token),
                Some(json!({
                    "identifier": format!("ZAAK-BENCH-{n:02}"),
                    "case_type": "bijzondere-bijstand",
                    "description": format!("Aanvraag nummer {n}"),
                    "start_date": "2026-10-01",
                    "initiator": { "bsn": "999993653" }
                })),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        let (status, _, _) = app
            .api(
                "POST",
                &format!("/api/v1/cases/ZAAK-BENCH-{n:02}/statuses"),
                Some(&token),
                Some(json!({ "id": "s1", "status": 1, "set_at": "2026-10-01T09:00:00Z" })),
            )
            .await;
        assert_eq!(status, 201);
    }
    let base = &server.url;
    let page = client
        .get(format!("{base}/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = page
        .split("name=\"csrf-token\" content=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let code = post(
        client,
        &format!("{base}/api/demo/activation-codes"),
        &csrf,
        json!({ "who": "desiree" }),
    )
    .await;
    let challenge = post(
        client,
        &format!("{base}/api/auth/activation/start"),
        &csrf,
        json!({ "code": code["code"] }),
    )
    .await;
    let options: CreationChallengeResponse =
        serde_json::from_value(challenge["options"].clone()).unwrap();
    let mut key = SoftPasskey::new(true);
    let credential = key
        .do_registration(Url::parse(base).unwrap(), options)
        .unwrap();
    post(
        client,
        &format!("{base}/api/auth/activation/finish"),
        &csrf,
        json!({ "ceremony": challenge["ceremony"], "credential": credential, "name": "Bench" }),
    )
    .await;
}

async fn bench(backend: Backend, label: &str) {
    let site = tempfile::tempdir().unwrap();
    let server = TestServer::start_with_site(backend, site.path()).await;
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .pool_max_idle_per_host(256)
        .resolve("localhost", server.addr())
        .build()
        .unwrap();
    signed_in_resident(&server, &client).await;
    let overview = format!("{}/", server.url);
    let page = client
        .get(&overview)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let shown = String::from_utf8_lossy(&page);
    assert!(
        shown.contains("ZAAK-BENCH-18") || shown.contains("Alle zaken bekijken (20)"),
        "20 open cases"
    );
    std::fs::write(site.path().join("overzicht-statisch.html"), &page).unwrap();
    let static_file = format!("{}/overzicht-statisch.html", server.url);
    println!("\n{label}: Overzicht {} bytes, 20 cases", page.len());
    println!(
        "{:<12} {:>5} {:>10} {:>9} {:>9} {:>7}",
        "target", "conns", "req/s", "p50 ms", "p99 ms", "errors"
    );
    for connections in [50, 200] {
        let dynamic = load(&client, &overview, connections).await;
        let fixed = load(&client, &static_file, connections).await;
        for (name, f) in [("overzicht", &dynamic), ("static file", &fixed)] {
            println!(
                "{name:<12} {connections:>5} {:>10.0} {:>9.2} {:>9.2} {:>7}",
                f.per_second, f.p50_ms, f.p99_ms, f.errors
            );
        }
        println!(
            "ratio        {connections:>5} {:>9.1}x {:>19.1}x   (static / overzicht: throughput, p99 overzicht / static)",
            fixed.per_second / dynamic.per_second.max(f64::MIN_POSITIVE),
            dynamic.p99_ms / fixed.p99_ms.max(f64::MIN_POSITIVE),
        );
        assert_eq!(dynamic.errors + fixed.errors, 0, "every request answered");
    }
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
