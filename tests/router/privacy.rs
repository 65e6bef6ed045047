//! Privacy by construction: what Loket logs while serving the demo resident's data names nobody, and no message
//! the whole test run sent carries personal data or case content.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use loket_tests::{Backend, TestApp};
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut log = self
            .0
            .lock()
            .map_err(|_| std::io::Error::other("log buffer poisoned"))?;
        log.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Captures every log line of this thread, as JSON, until the guard drops.
fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    // Callsites first hit by a parallel test on another thread may have cached "never" before this
    // subscriber existed; re-ask them, or this thread's log misses lines at random.
    tracing::callsite::rebuild_interest_cache();
    (captured, guard)
}

/// Sends one request, then re-asks every callsite. A callsite that another test's thread was registering while
/// `capture` rebuilt the cache may have stored "never" without this thread's subscriber; once this thread has
/// hit the request path's callsites, they are registered, and a second rebuild includes the subscriber.
async fn warm_up<T>(request: impl std::future::Future<Output = T>) {
    let _ = request.await;
    tracing::callsite::rebuild_interest_cache();
}

// current_thread: the subscriber set for this thread sees every span and event of the requests.
#[tokio::test(flavor = "current_thread")]
async fn serving_the_demo_residents_data_logs_no_personal_data() {
    let (captured, _guard) = capture();

    let app = TestApp::start(Backend::Sqlite).await;
    warm_up(app.get("/healthz")).await;
    let page = app.get("/?naam=Desiree").await;
    assert!(
        page.body.contains("Desiree de Vries"),
        "the page itself shows the demo resident"
    );
    let _ = app.post_form("/fn/overview", "").await;
    let _ = app.get_with_cookie("/zaken", "loket_lang=en").await;

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("\"route\":\"/\""),
        "requests are logged: {log}"
    );
    for personal in ["Desiree", "de Vries", "ZAAK-2026-0412", "naam="] {
        assert!(
            !log.contains(personal),
            "the log contains {personal:?}: {log}"
        );
    }
}

// current_thread: the server task and the client run on this thread, so the thread's subscriber sees all.
#[tokio::test(flavor = "current_thread")]
async fn the_sign_in_journey_logs_no_name_bsn_or_email() {
    let (captured, _guard) = capture();

    let server = loket_tests::TestServer::start(Backend::Sqlite).await;
    let browser = loket_tests::browser::Browser::open(&server).await;
    warm_up(browser.get("/api/auth/session")).await;
    let mut key = webauthn_authenticator_rs::softpasskey::SoftPasskey::new(true);
    let code = browser.demo_code("desiree").await;
    let (status, activated) = browser.activate(&code, &mut key, "Telefoon").await;
    assert_eq!(status, 200, "{activated}");
    let account = activated["account_number"].as_str().unwrap().to_owned();
    browser
        .post("/api/auth/sign-out", serde_json::json!({}))
        .await;
    let (status, _, _) = browser.sign_in(&account, &mut key).await;
    assert_eq!(status, 200);
    let (_, me) = browser.get("/api/auth/session").await;
    assert_eq!(
        me["display_name"], "Desiree de Vries",
        "the API itself answers with her name"
    );
    let (status, _) = browser.get("/api/persons/demo-voorbeeld-desiree").await;
    assert_eq!(status, 200);
    // A failed sign-in logs its reason too.
    let mut stranger = webauthn_authenticator_rs::softpasskey::SoftPasskey::new(true);
    let _ = browser.sign_in(&account, &mut stranger).await;
    // Her signed-in pages; the case's id in the path is not logged, only the route pattern.
    let case = loket_tests::case_page(server.db(), "ZAAK-2026-0412").await;
    let (status, _) = browser.get(&case).await;
    assert_eq!(status, 200);
    let _ = browser.get("/contactmomenten").await;

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("/api/auth/sign-in/finish")
            && log.contains("/zaken/{id}")
            && !log.contains(&case),
        "requests are logged: {log}"
    );
    for personal in [
        "ZAAK-2026-0412",
        "bankafschriften",
        "Desiree",
        "de Vries",
        "999993653",
        "desiree.devries@example.nl",
        "1986-04-12",
        &account,
        &code,
    ] {
        assert!(
            !log.contains(personal),
            "the log contains {personal:?}: {log}"
        );
    }
}

/// What the tests themselves put into Loket as personal data or case content (beyond the demo's).
const TEST_FIXTURES: [&str; 9] = [
    "999992004",
    "Uitbouw aan de achterkant",
    "Stuur de bouwtekening",
    "Omgevingsvergunning",
    "Environmental permit",
    "We hebben uw aanvraag ontvangen",
    "Aanvraag voor een wasmachine",
    "Stuur de offerte van de wasmachine",
    "Stuur ook de rekening van de wasmachine",
];

/// The case numbers of the router tests, whose databases are gone by the time of the scan: each starts with
/// one of these (in capitals, as no link or text of Loket's does).
const CASE_NUMBER_PREFIXES: [&str; 2] = ["ZAAK-", "KCC-"];

/// Every name, number, case number, case type, service, resource, description and free text in the database
/// behind `pool`: what no message may contain. Short values (a few letters) are left out: they occur in
/// ordinary words.
async fn personal_data(pool: &sqlx::AnyPool) -> Vec<String> {
    let queries = [
        "SELECT display_name FROM person",
        "SELECT COALESCE(bsn, '') FROM person",
        "SELECT COALESCE(birth_date, '') FROM person",
        "SELECT name FROM organisation",
        "SELECT kvk_number FROM organisation",
        "SELECT identifier FROM cases",
        "SELECT name FROM appointment_service",
        "SELECT name_en FROM appointment_service",
        "SELECT name FROM appointment_resource",
        "SELECT name_nl FROM case_type",
        "SELECT name_en FROM case_type",
        "SELECT description FROM cases",
        "SELECT COALESCE(action_text, '') FROM cases",
        "SELECT resident_text_nl FROM status_type",
        "SELECT resident_text_en FROM status_type",
        "SELECT COALESCE(upcoming_text_nl, '') FROM status_type",
        "SELECT COALESCE(upcoming_text_en, '') FROM status_type",
        "SELECT subject FROM contact_moment",
        "SELECT COALESCE(body, '') FROM contact_moment",
    ];
    let mut needles = Vec::new();
    for sql in queries {
        let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(pool).await.unwrap();
        for (value,) in rows {
            // A name is also searched by its first word ("Desiree"), the way a message would greet someone.
            if sql.contains("display_name") {
                if let Some(first) = value.split_whitespace().next() {
                    needles.push(first.to_owned());
                }
            }
            needles.push(value);
        }
    }
    needles
}

/// The files under `dir`, recursively.
fn files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Run by `./dev test` after every other test, over all the mail and SMS the run captured: `LOKET_PRIVACY_SCAN`
/// lists the directories (`:`-separated) where the loopback SMTP servers and the file channels put them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run by ./dev test after the whole suite, over every message it captured"]
async fn every_message_captured_in_the_whole_run_is_free_of_personal_data() {
    let dirs = std::env::var("LOKET_PRIVACY_SCAN")
        .expect("LOKET_PRIVACY_SCAN names the directories with the run's messages");
    // The demo data, what the browser journeys' server stored (`LOKET_PRIVACY_SCAN_DB`), and the fixtures.
    let app = TestApp::start(Backend::Sqlite).await;
    let mut needles: Vec<String> = TEST_FIXTURES.iter().map(|s| (*s).to_owned()).collect();
    needles.extend(personal_data(&app.loket.db.pool).await);
    if let Ok(db) = std::env::var("LOKET_PRIVACY_SCAN_DB") {
        let pool = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(&format!("sqlite://{db}?mode=ro"))
            .await
            .unwrap();
        let found = personal_data(&pool).await;
        assert!(
            found.iter().any(|n| n.starts_with("ZAAK-E2E-")),
            "the journeys' own cases are among the needles"
        );
        needles.extend(found);
    }
    needles.retain(|n| n.chars().count() >= 6);
    needles.sort();
    needles.dedup();
    for number in ["ZAAK-2026-0412", "Paspoort of ID-kaart aanvragen"] {
        assert!(needles.iter().any(|n| n == number), "{number} is a needle");
    }
    assert!(
        needles.iter().any(|n| n == "Desiree") && needles.iter().any(|n| n == "999993653"),
        "the scan knows the demo resident"
    );
    let lowered: Vec<String> = needles.iter().map(|n| n.to_lowercase()).collect();
    let mut scanned = 0;
    for dir in dirs.split(':').filter(|d| !d.is_empty()) {
        for path in files(std::path::Path::new(dir)) {
            let Ok(content) = std::fs::read_to_string(&path) else {
                continue;
            };
            // The envelope names the recipient's own address; everything else is what a message says.
            let said: String = content
                .lines()
                .filter(|line| {
                    let lower = line.to_ascii_lowercase();
                    !(lower.starts_with("to:") || lower.starts_with("x-sink-rcpt:"))
                })
                .collect::<Vec<_>>()
                .join("\n")
                .to_lowercase();
            for (needle, lower) in needles.iter().zip(&lowered) {
                assert!(
                    !said.contains(lower.as_str()),
                    "{needle:?} is in {}",
                    path.display()
                );
            }
            for prefix in CASE_NUMBER_PREFIXES {
                assert!(
                    !content.contains(prefix),
                    "a case number ({prefix}…) is in {}",
                    path.display()
                );
            }
            scanned += 1;
        }
    }
    // A run that captured (almost) nothing proves nothing: the notification tests alone send dozens.
    assert!(scanned >= 20, "only {scanned} message files under {dirs}");
    println!(
        "privacy scan: {scanned} message files, {} values, 0 hits",
        needles.len()
    );
}
