//! Notifications end to end against a real SMTP server on loopback: verification codes, the address a
//! resident chose, folding, fallback after a refusal, retries after an outage, the re-check before sending,
//! and the reaper that frees a dead worker's lease. Every message that arrives is scanned for personal data.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiff::{SignedDuration, Timestamp};
use loket_tests::notify::{self, confirmed_address, set_status};
use loket_tests::smtp::{smtp_sink, Received};
use loket_tests::{on_both_backends, TestApp};
use server::notifications::addresses;
use server::notifications::channels::{Channel, Channels};
use server::notifications::outbox::{self, Delivery, Settings};
use server::notifications::worker::Worker;
use server::notifications::{MessageKind, NotificationsError};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);
/// Personal data and case content the tests below put into Loket; no message may contain any of it.
const NEVER_IN_A_MESSAGE: [&str; 9] = [
    "999992004",
    // Every case number of these tests: a number can name its case type.
    "ZAAK-",
    "Omgevingsvergunning",
    "Environmental permit",
    "Uitbouw aan de achterkant",
    "We hebben uw aanvraag ontvangen",
    "Er is een besluit",
    "Stuur de bouwtekening",
    "Desiree",
];

fn channels(url: &str) -> Channels {
    let dir = std::env::temp_dir();
    Channels::smtp(
        url,
        &dir,
        "Gemeente Voorbeeld <noreply@localhost>",
        "localhost",
        4,
    )
    .unwrap()
}

fn worker(app: &TestApp, url: &str) -> Worker {
    Worker::new(
        app.loket.db.clone(),
        app.loket.municipality.clone(),
        channels(url),
        Settings::new("http://localhost:3000"),
    )
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{:012x}@example.nl", rand::random::<u64>() >> 16)
}

fn assert_private(messages: &[Received]) {
    for message in messages {
        for needle in NEVER_IN_A_MESSAGE {
            assert!(
                !message.raw.contains(needle) && !message.text.contains(needle),
                "{needle:?} leaked into {}",
                message.text
            );
        }
    }
}

fn code_in(message: &Received) -> String {
    message
        .text
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap_or_else(|| panic!("no code in {}", message.text))
        .to_owned()
}

/// A case for a resident Loket did not know yet (not the demo's Desiree, who has addresses of her own);
/// returns (token, person id).
async fn resident_with_case(app: &TestApp, identifier: &str) -> (String, String) {
    let (token, person, _) = notify::resident_with_case(app, identifier, "999992004").await;
    (token, person)
}

/// Adds an e-mail address and types the code that arrived at the SMTP server.
async fn verified(app: &TestApp, worker: &Worker, person: &str, email: &str) -> String {
    let muni = &app.loket.municipality.id;
    let now = Timestamp::now();
    let id = addresses::add(
        &app.loket.db,
        muni,
        person,
        Channel::Email,
        email,
        "mijn adres",
        now,
    )
    .await
    .unwrap();
    worker.round(now).await.unwrap();
    let got = smtp_sink().wait_for(email, 1, WAIT).await;
    assert_eq!(got.len(), 1, "one code message for {email}");
    addresses::verify(&app.loket.db, person, &id, &code_in(&got[0]), now)
        .await
        .unwrap();
    id
}

async fn statuses(app: &TestApp, person: &str) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT status FROM notification_message WHERE person_id = $1 ORDER BY created_at_ms, status",
    )
    .bind(person)
    .fetch_all(&app.loket.db.pool)
    .await
    .unwrap();
    rows.into_iter().map(|(s,)| s).collect()
}

on_both_backends!(an_address_is_used_only_after_its_code_is_typed, |app| {
    let (_, person) = resident_with_case(&app, "ZAAK-N-1").await;
    let worker = worker(&app, &smtp_sink().url());
    let email = unique("veilig");
    let now = Timestamp::now();
    let muni = &app.loket.municipality.id;
    let id = addresses::add(
        &app.loket.db,
        muni,
        &person,
        Channel::Email,
        &email,
        "veilig adres",
        now,
    )
    .await
    .unwrap();
    // Not usable yet: a choice for it is refused.
    let refused = addresses::choose(
        &app.loket.db,
        &person,
        MessageKind::CaseUpdate,
        Some(&id),
        now,
    )
    .await;
    assert!(matches!(refused, Err(NotificationsError::Invalid { .. })));

    worker.round(now).await.unwrap();
    let got = smtp_sink().wait_for(&email, 1, WAIT).await;
    assert_eq!(got.len(), 1);
    let code = code_in(&got[0]);
    assert!(
        got[0].message_id.ends_with("@localhost>"),
        "{}",
        got[0].message_id
    );

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let answer = addresses::verify(&app.loket.db, &person, &id, wrong, now).await;
    assert!(
        matches!(answer, Err(NotificationsError::WrongCode { tries_left: 4 })),
        "{answer:?}"
    );
    addresses::verify(&app.loket.db, &person, &id, &code, now)
        .await
        .unwrap();
    let address = addresses::get(&app.loket.db, &person, &id).await.unwrap();
    assert!(address.usable(now));
    addresses::choose(
        &app.loket.db,
        &person,
        MessageKind::CaseUpdate,
        Some(&id),
        now,
    )
    .await
    .unwrap();
    // The outbox no longer holds the code once it was sent.
    let (secrets,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM notification_event WHERE address_id = $1 AND secret IS NOT NULL",
    )
    .bind(&id)
    .fetch_one(&app.loket.db.pool)
    .await
    .unwrap();
    assert_eq!(secrets, 0);

    // Five wrong tries use a code up.
    let other = unique("eigen");
    let other_id = addresses::add(
        &app.loket.db,
        muni,
        &person,
        Channel::Email,
        &other,
        "eigen",
        now,
    )
    .await
    .unwrap();
    for left in (1..=4).rev() {
        let answer = addresses::verify(&app.loket.db, &person, &other_id, "999999", now).await;
        assert!(
            matches!(answer, Err(NotificationsError::WrongCode { tries_left }) if tries_left == left),
            "{answer:?}"
        );
    }
    let answer = addresses::verify(&app.loket.db, &person, &other_id, "999999", now).await;
    assert!(
        matches!(answer, Err(NotificationsError::CodeExpired)),
        "{answer:?}"
    );
    assert_private(&smtp_sink().to(&email));
});

on_both_backends!(
    case_updates_go_to_the_chosen_address_folded_into_one_link,
    |app| {
        let (token, person) = resident_with_case(&app, "ZAAK-N-2").await;
        let worker = worker(&app, &smtp_sink().url());
        let own = unique("eigen");
        let safe = unique("veilig");
        verified(&app, &worker, &person, &own).await;
        let safe_id = verified(&app, &worker, &person, &safe).await;
        addresses::choose(
            &app.loket.db,
            &person,
            MessageKind::CaseUpdate,
            Some(&safe_id),
            Timestamp::now(),
        )
        .await
        .unwrap();

        // Received and the decision, moments apart: one message, after the fold window.
        set_status(&app, &token, "ZAAK-N-2", "st-1", 1).await;
        set_status(&app, &token, "ZAAK-N-2", "st-3", 3).await;
        worker.round(Timestamp::now()).await.unwrap();
        assert_eq!(
            smtp_sink().to(&safe).len(),
            1,
            "nothing before the fold window ends"
        );
        worker
            .round(Timestamp::now() + SignedDuration::from_secs(31))
            .await
            .unwrap();
        let got = smtp_sink().wait_for(&safe, 2, WAIT).await;
        assert_eq!(got.len(), 2, "the code and one update");
        let link = format!(
            "http://localhost:3000{}",
            loket_tests::case_page(&app.loket.db, "ZAAK-N-2").await
        );
        assert!(got[1].text.contains(&link), "{}", got[1].text);
        assert!(got[1]
            .text
            .contains("Nieuws over uw zaak bij Gemeente Voorbeeld"));
        assert_eq!(
            smtp_sink().to(&own).len(),
            1,
            "only its code went to the other address"
        );
        assert_private(&got);
        let outcomes: Vec<(String,)> = sqlx::query_as(
            "SELECT e.outcome FROM notification_event e JOIN cases c ON c.id = e.case_id
         WHERE e.kind = 'case-status' AND c.identifier = 'ZAAK-N-2' ORDER BY e.outcome",
        )
        .fetch_all(&app.loket.db.pool)
        .await
        .unwrap();
        assert_eq!(
            outcomes,
            vec![(String::from("folded"),), (String::from("planned"),)]
        );
    }
);

on_both_backends!(
    a_refused_address_falls_back_to_the_next_and_is_marked,
    |app| {
        let (token, person) = resident_with_case(&app, "ZAAK-N-3").await;
        let worker = worker(&app, &smtp_sink().url());
        let own = unique("eigen");
        let own_id = verified(&app, &worker, &person, &own).await;
        // She marked her own address as the one to try when another does not work.
        addresses::set_fallback(&app.loket.db, &person, &own_id, true, Timestamp::now())
            .await
            .unwrap();
        // An address that worked once but whose mailbox is gone now.
        let gone = unique("onbekend");
        let now = Timestamp::now();
        let gone_id = confirmed_address(&app, &person, &gone).await;
        addresses::choose(
            &app.loket.db,
            &person,
            MessageKind::CaseUpdate,
            Some(&gone_id),
            now,
        )
        .await
        .unwrap();

        set_status(&app, &token, "ZAAK-N-3", "st-3", 3).await;
        let later = Timestamp::now() + SignedDuration::from_secs(31);
        worker.round(later).await.unwrap();
        worker.round(later).await.unwrap();
        let got = smtp_sink().wait_for(&own, 2, WAIT).await;
        assert_eq!(got.len(), 2, "the code, then the update by the fallback");
        assert!(smtp_sink().to(&gone).is_empty());
        let address = addresses::get(&app.loket.db, &person, &gone_id)
            .await
            .unwrap();
        assert!(
            address.failed_at_ms.is_some(),
            "the refused address is marked"
        );
        let mut seen = statuses(&app, &person).await;
        seen.sort();
        assert_eq!(seen, ["failed", "sent", "sent"]);
        assert_private(&got);
    }
);

on_both_backends!(
    a_refused_address_never_falls_back_to_one_she_did_not_choose,
    |app| {
        let (token, person) = resident_with_case(&app, "ZAAK-N-3B").await;
        let worker = worker(&app, &smtp_sink().url());
        // The address her ex-partner reads: confirmed, but not chosen and not marked as fallback.
        let shared = unique("gedeeld");
        verified(&app, &worker, &person, &shared).await;
        let gone = unique("onbekend");
        let gone_id = confirmed_address(&app, &person, &gone).await;
        addresses::choose(
            &app.loket.db,
            &person,
            MessageKind::CaseUpdate,
            Some(&gone_id),
            Timestamp::now(),
        )
        .await
        .unwrap();
        set_status(&app, &token, "ZAAK-N-3B", "st-3", 3).await;
        let later = Timestamp::now() + SignedDuration::from_secs(31);
        worker.round(later).await.unwrap();
        worker.round(later).await.unwrap();
        worker.round(later).await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            smtp_sink().to(&shared).len(),
            1,
            "only its own code ever went to the address she did not choose"
        );
        let address = addresses::get(&app.loket.db, &person, &gone_id)
            .await
            .unwrap();
        assert!(
            address.failed_at_ms.is_some(),
            "the refused address is marked"
        );
        let mut seen = statuses(&app, &person).await;
        seen.sort();
        assert_eq!(
            seen,
            ["failed", "sent"],
            "the code, and the update that waits"
        );

        // She chooses another address of her own for case updates: the update that waited goes there, once.
        let own = unique("nieuw");
        let own_id = verified(&app, &worker, &person, &own).await;
        addresses::choose(
            &app.loket.db,
            &person,
            MessageKind::CaseUpdate,
            Some(&own_id),
            Timestamp::now(),
        )
        .await
        .unwrap();
        let later = Timestamp::now() + SignedDuration::from_secs(31);
        worker.round(later).await.unwrap();
        worker.round(later).await.unwrap();
        let got = smtp_sink().wait_for(&own, 2, WAIT).await;
        assert_eq!(got.len(), 2, "its code, then the update that waited");
        assert!(got[1].text.contains("/zaken/"), "{}", got[1].text);
        assert_private(&got);
        worker.round(later).await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(smtp_sink().to(&own).len(), 2, "sent once");
        assert_eq!(
            smtp_sink().to(&shared).len(),
            1,
            "still nothing to the shared one"
        );
    }
);

on_both_backends!(
    an_outage_is_retried_with_backoff_and_the_same_message_id,
    |app| {
        let (token, person) = resident_with_case(&app, "ZAAK-N-4").await;
        let up = worker(&app, &smtp_sink().url());
        let own = unique("eigen");
        verified(&app, &up, &person, &own).await;
        set_status(&app, &token, "ZAAK-N-4", "st-3", 3).await;

        // Nobody listens on port 9: connection refused, a transient failure.
        let down = worker(&app, "smtp://127.0.0.1:9");
        let t0 = Timestamp::now() + SignedDuration::from_secs(31);
        outbox::plan_due(
            &app.loket.db,
            &app.loket.municipality,
            &down.owner,
            &down.settings,
            t0,
        )
        .await
        .unwrap();
        let first = outbox::deliver_due(
            &app.loket.db,
            &app.loket.municipality,
            &down.channels,
            &down.owner,
            &down.settings,
            t0,
        )
        .await
        .unwrap();
        assert_eq!(first, [Delivery::Retry]);
        let (next, attempts, error): (i64, i64, Option<String>) = sqlx::query_as(
        "SELECT next_attempt_at_ms, attempts, last_error FROM notification_message WHERE status = 'queued' AND person_id = $1",
    )
    .bind(&person)
    .fetch_one(&app.loket.db.pool)
    .await
    .unwrap();
        let wait = next - t0.as_millisecond();
        assert!(
            (5_000..=10_000).contains(&wait),
            "first retry after 5-10 s, was {wait} ms"
        );
        assert_eq!(attempts, 1);
        assert!(
            error.unwrap().contains("SMTP"),
            "the reason names no address"
        );

        // Not due yet: nothing happens; once due, the relay is back and the message goes.
        let early = outbox::deliver_due(
            &app.loket.db,
            &app.loket.municipality,
            &up.channels,
            &up.owner,
            &up.settings,
            t0,
        )
        .await
        .unwrap();
        assert!(early.is_empty());
        let t1 = t0 + SignedDuration::from_secs(11);
        let second = outbox::deliver_due(
            &app.loket.db,
            &app.loket.municipality,
            &up.channels,
            &up.owner,
            &up.settings,
            t1,
        )
        .await
        .unwrap();
        assert_eq!(second, [Delivery::Sent]);
        let got = smtp_sink().wait_for(&own, 2, WAIT).await;
        let (id,): (String,) = sqlx::query_as(
        "SELECT id FROM notification_message WHERE person_id = $1 AND status = 'sent' ORDER BY created_at_ms DESC LIMIT 1",
    )
    .bind(&person)
    .fetch_one(&app.loket.db.pool)
    .await
    .unwrap();
        assert_eq!(got[1].message_id, format!("<{id}@localhost>"));
        assert_private(&got);
    }
);

on_both_backends!(an_update_about_a_case_no_longer_visible_is_dropped, |app| {
    let (token, person) = resident_with_case(&app, "ZAAK-N-5").await;
    let worker = worker(&app, &smtp_sink().url());
    let own = unique("eigen");
    verified(&app, &worker, &person, &own).await;
    set_status(&app, &token, "ZAAK-N-5", "st-3", 3).await;
    let later = Timestamp::now() + SignedDuration::from_secs(31);
    outbox::plan_due(
        &app.loket.db,
        &app.loket.municipality,
        &worker.owner,
        &worker.settings,
        later,
    )
    .await
    .unwrap();
    // The case system raises the case above what residents may see before the worker sends.
    sqlx::query("UPDATE cases SET confidentiality = 'geheim' WHERE identifier = 'ZAAK-N-5'")
        .execute(&app.loket.db.pool)
        .await
        .unwrap();
    let done = outbox::deliver_due(
        &app.loket.db,
        &app.loket.municipality,
        &worker.channels,
        &worker.owner,
        &worker.settings,
        later,
    )
    .await
    .unwrap();
    assert_eq!(done, [Delivery::Dropped]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtp_sink().to(&own).len(), 1, "only the code");
});

on_both_backends!(a_dead_workers_lease_is_reaped_and_the_message_sent, |app| {
    let (token, person) = resident_with_case(&app, "ZAAK-N-6").await;
    let worker = worker(&app, &smtp_sink().url());
    let own = unique("eigen");
    verified(&app, &worker, &person, &own).await;
    set_status(&app, &token, "ZAAK-N-6", "st-3", 3).await;
    let later = Timestamp::now() + SignedDuration::from_secs(31);
    outbox::plan_due(
        &app.loket.db,
        &app.loket.municipality,
        &worker.owner,
        &worker.settings,
        later,
    )
    .await
    .unwrap();
    // A worker claimed it and died: its lease ran out a second ago.
    sqlx::query(
        "UPDATE notification_message SET status = 'sending', lease_owner = 'dead', lease_until_ms = $1
         WHERE person_id = $2 AND status = 'queued'",
    )
    .bind((later - SignedDuration::from_secs(1)).as_millisecond())
    .bind(&person)
    .execute(&app.loket.db.pool)
    .await
    .unwrap();
    let nothing = outbox::deliver_due(
        &app.loket.db,
        &app.loket.municipality,
        &worker.channels,
        &worker.owner,
        &worker.settings,
        later,
    )
    .await
    .unwrap();
    assert!(nothing.is_empty(), "a leased message is not taken");
    assert_eq!(outbox::reap(&app.loket.db, later).await.unwrap(), 1);
    let done = outbox::deliver_due(
        &app.loket.db,
        &app.loket.municipality,
        &worker.channels,
        &worker.owner,
        &worker.settings,
        later,
    )
    .await
    .unwrap();
    assert_eq!(done, [Delivery::Sent]);
    assert_eq!(smtp_sink().wait_for(&own, 2, WAIT).await.len(), 2);
});

/// Not a test on its own: the worker process the crash test starts and SIGKILLs. It runs only when that test
/// starts it (and is `#[ignore]`d otherwise).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "started by crash_test_worker_killed_again_and_again_loses_no_message"]
async fn crash_test_worker_process() {
    loket_tests::crash::worker_process().await;
}

async fn crash_test(app: TestApp) {
    let run = loket_tests::crash::crash_test(
        &app,
        300,
        &[
            "--exact",
            "notifications::crash_test_worker_process",
            "--ignored",
            "--quiet",
        ],
        &NEVER_IN_A_MESSAGE,
    )
    .await;
    eprintln!(
        "crash test: {} events, {} kills, {} messages received ({} resent under the same Message-ID)",
        run.events,
        run.kills,
        run.received,
        run.received - run.events
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_test_worker_killed_again_and_again_loses_no_message_sqlite() {
    crash_test(TestApp::start(loket_tests::Backend::Sqlite).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_test_worker_killed_again_and_again_loses_no_message_postgres() {
    crash_test(TestApp::start(loket_tests::Backend::Postgres).await).await;
}

/// Posts one of the Berichten forms as the browser would; returns (status, final URL, page).
pub(crate) async fn post_form(
    browser: &loket_tests::browser::Browser,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    loket_tests::browser::post(browser, "/instellingen/berichten", fields).await
}

async fn berichten_page_refuses_in_the_visitors_language(backend: loket_tests::Backend) {
    let server = loket_tests::TestServer::start(backend).await;
    let browser = loket_tests::browser::desiree(&server).await;
    let bad = [
        ("form", "add"),
        ("channel", "email"),
        ("value", "geen-adres"),
        ("label", "werk"),
    ];
    for (lang, said) in [
        ("en", "This is not an e-mail address."),
        ("nl", "Dit is geen e-mailadres."),
    ] {
        browser.choose_language(lang).await;
        let (status, _, html) = post_form(&browser, &bad).await;
        assert_eq!(status, 422);
        assert!(html.contains(said), "{lang}: {html}");
        assert!(html.contains("geen-adres"), "what she typed comes back");
    }
    let (status, _, html) = post_form(&browser, &[("form", "onbekend")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("We begrijpen dit formulier niet."), "{html}");
}

loket_tests::on_both_backends!(berichten_page_refuses_in_the_visitors_language);

async fn berichten_page_adds_verifies_and_chooses(backend: loket_tests::Backend) {
    let server = loket_tests::TestServer::start(backend).await;
    let browser = loket_tests::browser::desiree(&server).await;
    let (status, html) = loket_tests::browser::page(&browser, "/instellingen/berichten").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Mijn e-mail") && html.contains("bevestigd"),
        "the demo address"
    );

    // A wrong address: refused with the reason, the typed label kept, nothing stored.
    let count = || async {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM digital_address")
            .fetch_one(&server.db().pool)
            .await
            .unwrap();
        n
    };
    let before = count().await;
    let (status, _, html) = post_form(
        &browser,
        &[
            ("form", "add"),
            ("channel", "email"),
            ("value", "desiree-at-home"),
            ("label", "veilig adres"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("Dit is geen e-mailadres"), "the reason");
    assert!(
        html.contains("value=\"veilig adres\""),
        "the typed label is kept"
    );
    assert!(html.contains("aria-invalid=\"true\""));
    assert_eq!(count().await, before);

    // A good one: a code goes out through the outbox; a wrong code says how many tries are left.
    let email = unique("veilig");
    let (status, url, html) = post_form(
        &browser,
        &[
            ("form", "add"),
            ("channel", "email"),
            ("value", &email),
            ("label", "veilig adres"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(url.ends_with("?gelukt=code-verstuurd"), "{url}");
    assert!(html.contains("wacht op uw code"));
    let worker = Worker::new(
        server.db().clone(),
        server.app.loket.municipality.clone(),
        channels(&smtp_sink().url()),
        Settings::new(&server.url),
    );
    worker.round(Timestamp::now()).await.unwrap();
    let got = smtp_sink().wait_for(&email, 1, WAIT).await;
    assert_eq!(got.len(), 1);
    let (id,): (String,) = sqlx::query_as("SELECT id FROM digital_address WHERE value = $1")
        .bind(&email)
        .fetch_one(&server.db().pool)
        .await
        .unwrap();
    let code = code_in(&got[0]);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (status, _, html) = post_form(
        &browser,
        &[("form", "verify"), ("address", &id), ("code", wrong)],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("nog 4 keer"), "tries left");
    let (status, url, html) = post_form(
        &browser,
        &[("form", "verify"), ("address", &id), ("code", &code)],
    )
    .await;
    assert_eq!(status, 200);
    assert!(url.ends_with("?gelukt=bevestigd"), "{url}");
    assert!(html.contains("Het adres is bevestigd"));

    // Case news to the safe address; the sent code is listed with its status.
    let (status, _, html) = post_form(&browser, &[("form", "choose"), ("case-update", &id)]).await;
    assert_eq!(status, 200);
    assert!(html.contains("Uw keuzes zijn opgeslagen"));
    let (kind,): (String,) =
        sqlx::query_as("SELECT kind FROM notification_choice WHERE address_id = $1")
            .bind(&id)
            .fetch_one(&server.db().pool)
            .await
            .unwrap();
    assert_eq!(kind, "case-update");
    assert!(
        html.contains("code om een adres te bevestigen naar veilig adres"),
        "recent messages"
    );
    assert!(html.contains("verzonden"));

    // An address that bounced shows on Overzicht.
    sqlx::query("UPDATE digital_address SET failed_at_ms = 1 WHERE id = $1")
        .bind(&id)
        .execute(&server.db().pool)
        .await
        .unwrap();
    let (_, html) = loket_tests::browser::page(&browser, "/").await;
    assert!(
        html.contains("We konden u niet bereiken op veilig adres"),
        "{html}"
    );

    // Someone else's address cannot be removed through this form.
    let (status, _, _) = post_form(&browser, &[("form", "remove"), ("address", "not-hers")]).await;
    assert_eq!(status, 422);
    let (status, url, _) = post_form(&browser, &[("form", "remove"), ("address", &id)]).await;
    assert_eq!(status, 200);
    assert!(url.ends_with("?gelukt=verwijderd"));
    assert_eq!(count().await, before);
}

loket_tests::on_both_backends!(berichten_page_adds_verifies_and_chooses);

on_both_backends!(codes_to_unconfirmed_addresses_are_limited, |app| {
    let (_, person) = resident_with_case(&app, "ZAAK-N-8").await;
    let muni = &app.loket.municipality.id;
    let now = Timestamp::now();
    let add = |email: String| {
        let db = app.loket.db.clone();
        let person = person.clone();
        async move { addresses::add(&db, muni, &person, Channel::Email, &email, "adres", now).await }
    };
    let first = add(unique("een")).await.unwrap();
    // The same address again within a minute: the code on its way stays the only one.
    let again = add(addresses::get(&app.loket.db, &person, &first)
        .await
        .unwrap()
        .value)
    .await
    .unwrap();
    assert_eq!(again, first);
    let resend = addresses::resend_code(&app.loket.db, muni, &person, &first, now).await;
    assert!(matches!(
        resend,
        Err(NotificationsError::Invalid { field: "code", .. })
    ));
    for n in 1..10 {
        add(unique(&format!("adres{n}"))).await.unwrap();
    }
    let eleventh = add(unique("elf")).await;
    assert!(
        matches!(
            eleventh,
            Err(NotificationsError::Invalid { field: "value", .. })
        ),
        "at most 10 addresses"
    );
    addresses::remove(&app.loket.db, &person, &first)
        .await
        .unwrap();
    let flood = add(unique("elf")).await;
    assert!(
        matches!(flood, Err(NotificationsError::Invalid { field: "value", key }) if key == "address-refused-codes-hour"),
        "{flood:?}"
    );
    let (codes,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM notification_event WHERE kind = 'address-verification' AND person_id = $1",
    )
    .bind(&person)
    .fetch_one(&app.loket.db.pool)
    .await
    .unwrap();
    assert_eq!(codes, 10);
});

async fn case_page_sends_this_case_to_another_address(backend: loket_tests::Backend) {
    let server = loket_tests::TestServer::start(backend).await;
    let browser = loket_tests::browser::desiree(&server).await;
    let hers = loket_tests::case_page(server.db(), "ZAAK-2026-0412").await;
    let (status, html) = loket_tests::browser::page(&browser, &hers).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Berichten over deze zaak"),
        "the form is on the case page"
    );
    let (mine,): (String,) = sqlx::query_as(
        "SELECT a.id FROM digital_address a JOIN person p ON p.id = a.person_id
         WHERE a.value = 'desiree.devries@example.nl'",
    )
    .fetch_one(&server.db().pool)
    .await
    .unwrap();
    let post = |identifier: &'static str, address: String| {
        let browser = &browser;
        let server = &server;
        async move {
            let case = loket_tests::case_page(server.db(), identifier).await;
            loket_tests::browser::post(
                browser,
                &format!("{case}/berichten"),
                &[("address", address.as_str())],
            )
            .await
        }
    };
    let overrides = || async {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT address_id FROM notification_override WHERE subject_kind = 'case'",
        )
        .fetch_all(&server.db().pool)
        .await
        .unwrap();
        rows
    };

    // An address that is not hers: refused with the reason on the case page, nothing stored.
    let (status, _, html) = post("ZAAK-2026-0412", String::from("niet-van-mij")).await;
    assert_eq!(status, 422);
    assert!(html.contains("Dit adres bestaat niet (meer)"), "{html}");
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(overrides().await.is_empty());

    // Her own confirmed address: saved, back on the case page with the choice selected.
    let (status, url, html) = post("ZAAK-2026-0412", mine.clone()).await;
    assert_eq!(status, 200);
    assert!(url.ends_with(&format!("{hers}?gelukt=berichten")), "{url}");
    assert!(html.contains("Opgeslagen."), "{html}");
    let option = html
        .split("<option")
        .find(|o| o.contains(&format!("value=\"{mine}\"")))
        .unwrap();
    assert!(
        option.split('>').next().unwrap().contains("selected"),
        "the choice is shown: {option}"
    );
    assert_eq!(overrides().await, [(mine.clone(),)]);

    // Back to the usual choice.
    let (status, _, _) = post("ZAAK-2026-0412", String::new()).await;
    assert_eq!(status, 200);
    assert!(overrides().await.is_empty());

    // A case she cannot see: the same 404 as the page.
    let (status, _, _) = post("ZAAK-2026-0419", mine).await;
    assert_eq!(status, 404);
    assert!(overrides().await.is_empty());
}

loket_tests::on_both_backends!(case_page_sends_this_case_to_another_address);

async fn staff_see_the_messages_written_to_files_and_each_look_is_audited(
    backend: loket_tests::Backend,
) {
    let server = loket_tests::TestServer::start(backend).await;
    let desiree = loket_tests::browser::desiree(&server).await;
    let (status, _, _) = post_form(
        &desiree,
        &[
            ("form", "add"),
            ("channel", "email"),
            ("value", "nieuw-adres@example.nl"),
            ("label", "nieuw adres"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    // The embedded default: a worker writes the code message to a file in the data dir.
    let channels = Channels::files(
        server.app.data_dir.path(),
        "Loket <noreply@localhost>",
        "localhost",
    )
    .unwrap();
    let worker = Worker::new(
        server.db().clone(),
        server.app.loket.municipality.clone(),
        channels,
        Settings::new(&server.url),
    );
    worker.round(Timestamp::now()).await.unwrap();

    // Not for residents.
    let (status, html) = loket_tests::browser::page(&desiree, "/medewerkers/berichten").await;
    assert_eq!(status, 200);
    assert!(html.contains("alleen voor medewerkers"), "{html}");
    assert!(!html.contains("Uw code"));

    let karin = loket_tests::browser::Browser::open(&server).await;
    let mut key = webauthn_authenticator_rs::softpasskey::SoftPasskey::new(true);
    let code = karin.demo_code("karin").await;
    let (status, body) = karin.activate(&code, &mut key, "Werkplek").await;
    assert_eq!(status, 200, "{body}");
    let (status, html) = loket_tests::browser::page(&karin, "/medewerkers/berichten").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Uw code: ••••••"),
        "the code message is listed, its code masked: {html}"
    );
    assert!(html.contains("ni…@example.nl"), "the recipient, shortened");
    assert!(!html.contains("nieuw-adres@example.nl"));
    let (reads,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_event a JOIN person p ON p.id = a.subject_person_id
         WHERE a.event = 'staff-read' AND a.data_kind = 'messages' AND p.display_name = 'Desiree de Vries'",
    )
    .fetch_one(&server.db().pool)
    .await
    .unwrap();
    assert_eq!(reads, 1, "the look is in Desiree's activity log");
}

loket_tests::on_both_backends!(staff_see_the_messages_written_to_files_and_each_look_is_audited);
