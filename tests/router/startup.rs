//! Start-up: demo data, and bad configuration that must stop Loket before anything is written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use loket_tests::{on_both_backends, test_config, test_now, Backend, TestApp};
use server::startup::build;

on_both_backends!(demo_data_is_seeded_once, |app| {
    let count = |sql: &'static str| {
        let pool = app.loket.db.pool.clone();
        async move {
            sqlx::query_as::<_, (i64,)>(sql)
                .fetch_one(&pool)
                .await
                .unwrap()
                .0
        }
    };
    // Desiree's three and the demo company's one.
    assert_eq!(count("SELECT COUNT(*) FROM cases").await, 4);
    assert_eq!(
        count("SELECT COUNT(*) FROM staff_member WHERE display_name = 'Karin Bakker'").await,
        1
    );
    let seeded_again = server::demo::seed(&app.loket.db, &app.loket.municipality, test_now())
        .await
        .unwrap();
    assert!(!seeded_again);
    assert_eq!(count("SELECT COUNT(*) FROM cases").await, 4);
    assert_eq!(count("SELECT COUNT(*) FROM case_status").await, 8);
});

#[tokio::test]
async fn postgres_gets_no_demo_data_unless_asked() {
    let app = TestApp::start_with(Backend::Postgres, |config| config.demo = false).await;
    let (people,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM person")
        .fetch_one(&app.loket.db.pool)
        .await
        .unwrap();
    assert_eq!(people, 0);
}

#[tokio::test]
async fn an_unknown_municipality_key_stops_start_up_before_the_database_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("gemeente.toml");
    let text = std::fs::read_to_string(
        loket_tests::repo_root().join("server/municipalities/voorbeeld.toml"),
    )
    .unwrap();
    std::fs::write(
        &bad,
        text.replace("[brand]", "[brand]\nkleur = \"#000000\""),
    )
    .unwrap();
    let data = dir.path().join("data");
    let mut config = test_config(Backend::Sqlite, &data, None);
    config.municipality_file = bad;
    let error = build(&config, test_now()).await.err().unwrap().to_string();
    assert!(
        error.contains("gemeente.toml line") && error.contains("unknown field `kleur`"),
        "{error}"
    );
    assert!(!data.exists(), "nothing written");
}

/// Start-up with the demo municipality file, changed by `edit`; what it says, and whether the data dir exists.
async fn start_with_municipality(
    edit: impl Fn(String) -> String,
    public_url: &str,
) -> (Option<String>, bool) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gemeente.toml");
    let text = std::fs::read_to_string(
        loket_tests::repo_root().join("server/municipalities/voorbeeld.toml"),
    )
    .unwrap();
    std::fs::write(&file, edit(text)).unwrap();
    let data = dir.path().join("data");
    let mut config = test_config(Backend::Sqlite, &data, None);
    config.municipality_file = file;
    config.public_url = public_url.to_owned();
    let error = build(&config, test_now())
        .await
        .err()
        .map(|e| e.to_string());
    (error, data.exists())
}

#[tokio::test]
async fn a_name_or_public_url_that_makes_a_text_message_longer_than_one_sms_stops_start_up() {
    let frisian = |text: String| {
        text.replace(
            "name = \"Gemeente Voorbeeld\"",
            "name = \"Gemeente Súdwest-Fryslân\"",
        )
    };
    // One letter outside GSM-7 makes every text UCS-2, 70 characters to an SMS.
    let (error, written) = start_with_municipality(frisian, "http://localhost:3000").await;
    let error = error.expect("refused");
    assert!(
        error.contains("gemeente.toml")
            && error.contains("UCS-2")
            && error.contains("(70)")
            && error.contains("sms_name")
            && !error.contains('\n'),
        "{error}"
    );
    assert!(!written, "nothing written");

    // A name of its own for text messages, in GSM-7 letters: starts.
    let with_sms_name = |text: String| {
        frisian(text).replace(
            "short_name = ",
            "sms_name = \"Gemeente Sudwest-Fryslan\"\nshort_name = ",
        )
    };
    let (error, _) = start_with_municipality(with_sms_name, "http://localhost:3000").await;
    assert_eq!(error, None);

    // A public URL so long the link pushes a GSM-7 text over 160.
    let long = format!("https://{}.example.nl", "loket".repeat(14));
    let (error, written) = start_with_municipality(|text| text, &long).await;
    let error = error.expect("refused");
    assert!(
        error.contains("GSM-7") && error.contains("(160)") && error.contains("LOKET_PUBLIC_URL"),
        "{error}"
    );
    assert!(!written, "nothing written");
}

#[tokio::test]
async fn an_unusable_data_dir_is_named() {
    let file = tempfile::NamedTempFile::new().unwrap();
    let config = test_config(Backend::Sqlite, &file.path().join("data"), None);
    let error = build(&config, test_now()).await.err().unwrap().to_string();
    assert!(error.starts_with("LOKET_DATA_DIR="), "{error}");
}

#[tokio::test]
async fn an_unreachable_postgres_is_reported_without_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let config = test_config(
        Backend::Postgres,
        dir.path(),
        Some(String::from("postgres://loket:geheim@127.0.0.1:1/loket")),
    );
    let error = build(&config, test_now()).await.err().unwrap().to_string();
    assert!(
        error.starts_with("cannot reach PostgreSQL at 127.0.0.1:1/loket"),
        "{error}"
    );
    assert!(!error.contains("geheim"));
}
