//! The provider channels against loopback servers that speak the providers' protocols: SMS and e-mail through
//! a Notify API (JWT, templates, delivery reports, fallback after a reported failure) and web push (RFC 8291
//! encryption checked by decrypting with the subscription's keys, VAPID, TTL, Topic, 410 forgets the device).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jiff::{SignedDuration, Timestamp};
use loket_tests::notify::{self, awake, confirmed, set_status};
use loket_tests::providers::{self, browser, NotifyApiServer, PushServer};
use loket_tests::{on_both_backends, TestApp};
use server::notifications::addresses;
use server::notifications::channels::{Channel, Channels};
use server::notifications::notify_api::NotifyApi;
use server::notifications::outbox::{self, Settings};
use server::notifications::push::{PushSender, PushServices, MAX_PAYLOAD};
use server::notifications::worker::Worker;
use server::notifications::MessageKind;
use web_push_native::jwt_simple::prelude::{
    ECDSAP256PublicKeyLike, ES256KeyPair, ES256PublicKey, NoCustomClaims,
};

/// What the tests put into Loket about the resident and the case; no message may carry any of it.
const NEVER_IN_A_MESSAGE: [&str; 7] = [
    "999992004",
    // Every case number of these tests: a number can name its case type.
    "ZAAK-",
    "Omgevingsvergunning",
    "Environmental permit",
    "Uitbouw aan de achterkant",
    "We hebben uw aanvraag ontvangen",
    "Er is een besluit",
];

fn assert_private(text: &str) {
    for needle in NEVER_IN_A_MESSAGE {
        assert!(!text.contains(needle), "{needle:?} leaked into {text}");
    }
}

fn settings() -> Settings {
    let mut settings = Settings::new("http://localhost:3000");
    // Ask for delivery reports on every round.
    settings.receipt_every = SignedDuration::ZERO;
    settings
}

fn worker(app: &TestApp, channels: Channels) -> Worker {
    Worker::new(
        app.loket.db.clone(),
        app.loket.municipality.clone(),
        channels,
        settings(),
    )
}

async fn message_rows(app: &TestApp, person: &str) -> Vec<(String, String, Option<String>)> {
    sqlx::query_as(
        "SELECT m.id, m.status, m.provider_ref FROM notification_message m
         WHERE m.person_id = $1 ORDER BY m.created_at_ms, m.id",
    )
    .bind(person)
    .fetch_all(&app.loket.db.pool)
    .await
    .unwrap()
}

on_both_backends!(
    notify_api_carries_sms_and_e_mail_reports_delivery_and_falls_back,
    |app| {
        let api = NotifyApiServer::start().await;
        let dir = tempfile::tempdir().unwrap();
        let channels = Channels::files(dir.path(), "Loket <noreply@localhost>", "localhost")
            .unwrap()
            .with_notify(
                NotifyApi::new(
                    &api.url,
                    &providers::api_key(),
                    Some(providers::EMAIL_TEMPLATE.to_owned()),
                    Some(providers::SMS_TEMPLATE.to_owned()),
                )
                .unwrap(),
            );
        assert!(channels.reports_delivery());
        let worker = worker(&app, channels);
        let (token, person, _) = notify::resident_with_case(&app, "ZAAK-P-1", "999992004").await;
        let db = &app.loket.db;
        let mobile = confirmed(&app, &person, Channel::Sms, "06 1234 5678").await;
        addresses::choose(
            db,
            &person,
            MessageKind::CaseUpdate,
            Some(&mobile),
            Timestamp::now(),
        )
        .await
        .unwrap();

        set_status(&app, &token, "ZAAK-P-1", "p1-s1", 1).await;
        let at = awake(Timestamp::now() + SignedDuration::from_secs(31));
        worker.round(at).await.unwrap();
        let accepted = api.accepted();
        assert_eq!(accepted.len(), 1, "{accepted:?}");
        let sms = &accepted[0];
        assert_eq!(sms.route, "sms");
        assert_eq!(sms.body["phone_number"], "+31612345678");
        assert_eq!(sms.body["template_id"], providers::SMS_TEMPLATE);
        let text = sms.body["personalisation"]["tekst"].as_str().unwrap();
        let link = format!(
            "http://localhost:3000{}",
            loket_tests::case_page(db, "ZAAK-P-1").await
        );
        assert!(text.contains(&link), "{text}");
        assert!(
            !text.contains("ZAAK-P-1"),
            "the case number stays out: {text}"
        );
        assert!(text.chars().count() <= 160);
        assert_private(&sms.body.to_string());
        assert_eq!(api.refused_tokens(), 0, "every request carried a valid JWT");
        let rows = message_rows(&app, &person).await;
        assert_eq!(rows.len(), 1);
        assert_eq!(
            sms.body["reference"],
            rows[0].0.as_str(),
            "the message id is the reference"
        );
        assert_eq!(
            rows[0].2.as_deref(),
            Some(sms.id.as_str()),
            "the provider's id is kept"
        );

        // The next round asks for the delivery report: "afgeleverd".
        worker.round(at).await.unwrap();
        let recent = outbox::recent(db, &person, 10).await.unwrap();
        assert_eq!(recent[0].status, "delivered");

        // An SMS number the provider later reports as failed: the message counts as not delivered and goes to
        // the next address (e-mail, through the same API).
        let dead = confirmed(&app, &person, Channel::Sms, "06 1234 0000").await;
        let email = confirmed(&app, &person, Channel::Email, "veilig-p1@example.nl").await;
        // Marked by her as the address to try when another does not work (nothing else is ever tried).
        addresses::set_fallback(db, &person, &email, true, Timestamp::now())
            .await
            .unwrap();
        addresses::choose(
            db,
            &person,
            MessageKind::CaseUpdate,
            Some(&dead),
            Timestamp::now(),
        )
        .await
        .unwrap();
        set_status(&app, &token, "ZAAK-P-1", "p1-s3", 3).await;
        let at = awake(Timestamp::now() + SignedDuration::from_secs(31));
        worker.round(at).await.unwrap(); // sent to the dead number
        worker.round(at).await.unwrap(); // report: permanent-failure → fallback planned
        worker.round(at).await.unwrap(); // e-mail sent
        let accepted = api.accepted();
        assert_eq!(accepted.len(), 3, "{accepted:?}");
        assert_eq!(accepted[1].body["phone_number"], "+31612340000");
        let mail = &accepted[2];
        assert_eq!(mail.route, "email");
        assert_eq!(mail.body["email_address"], "veilig-p1@example.nl");
        assert_eq!(mail.body["template_id"], providers::EMAIL_TEMPLATE);
        assert!(mail.body["personalisation"]["onderwerp"]
            .as_str()
            .unwrap()
            .contains("Gemeente"));
        assert_private(&mail.body.to_string());
        let statuses: Vec<String> = outbox::recent(db, &person, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|line| line.status)
            .collect();
        assert!(statuses.contains(&String::from("failed")), "{statuses:?}");
        let (failed_at,): (Option<i64>,) =
            sqlx::query_as("SELECT failed_at_ms FROM digital_address WHERE id = $1")
                .bind(&dead)
                .fetch_one(&db.pool)
                .await
                .unwrap();
        assert!(failed_at.is_some(), "the dead number is marked");
        let _ = email;
    }
);

on_both_backends!(
    web_push_is_encrypted_for_the_device_and_carries_only_title_body_and_link,
    |app| {
        let service = PushServer::start().await;
        let key = ES256KeyPair::generate();
        let public_key =
            URL_SAFE_NO_PAD.encode(key.public_key().public_key().to_bytes_uncompressed());
        let dir = tempfile::tempdir().unwrap();
        let channels = Channels::files(dir.path(), "Loket <noreply@localhost>", "localhost")
            .unwrap()
            .with_push(
                PushSender::new(
                    key,
                    "mailto:noreply@localhost",
                    PushServices::parse("127.0.0.1"),
                )
                .unwrap(),
            );
        let worker = worker(&app, channels);
        let (token, person, _) = notify::resident_with_case(&app, "ZAAK-P-2", "999992004").await;
        let db = &app.loket.db;
        let services = PushServices::parse("127.0.0.1");
        let phone = browser::Subscription::new();
        let now = Timestamp::now();
        let device = addresses::add_push(
            db,
            &person,
            &service.endpoint("telefoon-1"),
            &phone.p256dh(),
            &phone.auth(),
            "mijn telefoon",
            &services,
            now,
        )
        .await
        .unwrap();
        addresses::choose(db, &person, MessageKind::CaseUpdate, Some(&device), now)
            .await
            .unwrap();
        // An endpoint outside the known push services is refused: a subscription cannot aim Loket anywhere.
        let elsewhere = addresses::add_push(
            db,
            &person,
            "https://169.254.169.254/latest",
            &phone.p256dh(),
            &phone.auth(),
            "x",
            &services,
            now,
        )
        .await;
        assert!(elsewhere.is_err());

        set_status(&app, &token, "ZAAK-P-2", "p2-s1", 1).await;
        let at = awake(Timestamp::now() + SignedDuration::from_secs(31));
        worker.round(at).await.unwrap();
        let received = service.received();
        assert_eq!(received.len(), 1);
        let push = &received[0];
        assert_eq!(push.path_id, "telefoon-1");
        let header = |name: &str| push.headers.get(name).unwrap().to_str().unwrap().to_owned();
        assert_eq!(header("content-encoding"), "aes128gcm");
        assert_eq!(header("urgency"), "normal");
        let ttl: u64 = header("ttl").parse().unwrap();
        assert!(
            ttl > 0 && ttl <= 72 * 3600 + 3600,
            "TTL bounded by the message's deadline: {ttl}"
        );
        let topic = header("topic");
        assert_eq!(topic.len(), 32);
        assert!(topic
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));

        // VAPID (RFC 8292): signed by Loket's key, for this push service's origin, with a contact.
        let authorization = header("authorization");
        let (t, k) = authorization
            .strip_prefix("vapid t=")
            .and_then(|rest| rest.split_once(", k="))
            .unwrap();
        assert_eq!(k, public_key);
        let verifier = ES256PublicKey::from_bytes(&URL_SAFE_NO_PAD.decode(k).unwrap()).unwrap();
        let claims = verifier.verify_token::<NoCustomClaims>(t, None).unwrap();
        assert_eq!(claims.subject.as_deref(), Some("mailto:noreply@localhost"));
        let audiences = claims.audiences.unwrap().into_set();
        assert!(audiences.contains(&service.url), "{audiences:?}");

        // RFC 8291: only the subscription's keys open it; inside are a title, one sentence and the link.
        assert!(push.body.len() <= 4096);
        let plain = phone.decrypt(&push.body);
        assert!(plain.len() <= MAX_PAYLOAD);
        let payload: serde_json::Value = serde_json::from_slice(&plain).unwrap();
        let fields: Vec<&String> = payload.as_object().unwrap().keys().collect();
        assert_eq!(fields, ["body", "title", "url"]);
        let link = format!(
            "http://localhost:3000{}",
            loket_tests::case_page(&app.loket.db, "ZAAK-P-2").await
        );
        assert_eq!(payload["url"], link.as_str());
        assert_private(&payload.to_string());

        // A device that unsubscribed (410): forgotten, and the message goes to the address she marked as backup.
        addresses::set_fallback(db, &person, &device, true, Timestamp::now())
            .await
            .unwrap();
        let old = browser::Subscription::new();
        let gone = addresses::add_push(
            db,
            &person,
            &service.endpoint("gone-2"),
            &old.p256dh(),
            &old.auth(),
            "oude tablet",
            &services,
            Timestamp::now(),
        )
        .await
        .unwrap();
        addresses::choose(
            db,
            &person,
            MessageKind::CaseUpdate,
            Some(&gone),
            Timestamp::now(),
        )
        .await
        .unwrap();
        set_status(&app, &token, "ZAAK-P-2", "p2-s3", 3).await;
        let at = awake(Timestamp::now() + SignedDuration::from_secs(31));
        worker.round(at).await.unwrap();
        worker.round(at).await.unwrap();
        let received = service.received();
        let ids: Vec<&str> = received.iter().map(|r| r.path_id.as_str()).collect();
        assert_eq!(ids, ["telefoon-1", "gone-2", "telefoon-1"]);
        let again: serde_json::Value =
            serde_json::from_slice(&phone.decrypt(&received[2].body)).unwrap();
        assert_eq!(again["url"], link.as_str());
        assert_eq!(
            received[0].headers.get("topic"),
            received[2].headers.get("topic"),
            "news about the same case replaces the older message at the push service"
        );
        let (value, p256dh): (String, Option<String>) =
            sqlx::query_as("SELECT value, push_p256dh FROM digital_address WHERE id = $1")
                .bind(&gone)
                .fetch_one(&db.pool)
                .await
                .unwrap();
        assert!(
            value.starts_with("gone:") && p256dh.is_none(),
            "the subscription is erased"
        );
    }
);

async fn berichten_page_turns_on_push_for_this_device(backend: loket_tests::Backend) {
    let server = loket_tests::TestServer::start(backend).await;
    let service = PushServer::start().await;
    let browser = loket_tests::browser::desiree(&server).await;
    let phone = browser::Subscription::new();
    let (status, _, html) = super::notifications::post_form(
        &browser,
        &[
            ("form", "push"),
            ("endpoint", &service.endpoint("desiree-1")),
            ("p256dh", &phone.p256dh()),
            ("auth", &phone.auth()),
            ("label", "Telefoon van Desiree"),
        ],
    )
    .await;
    assert_eq!(status, 200, "redirected back to the page");
    assert!(
        html.contains("Telefoon van Desiree"),
        "the device is listed"
    );
    assert!(
        html.contains("Telefoon van Desiree (meldingen op een apparaat)"),
        "and can be chosen, without its endpoint"
    );
    assert!(!html.contains(&service.endpoint("desiree-1")));

    let count = || async {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM digital_address WHERE channel = 'push'")
                .fetch_one(&server.db().pool)
                .await
                .unwrap();
        n
    };
    let before = count().await;
    let (status, _, html) = super::notifications::post_form(
        &browser,
        &[
            ("form", "push"),
            ("endpoint", "https://push.example.org/abc"),
            ("p256dh", &phone.p256dh()),
            ("auth", &phone.auth()),
            ("label", "Andere telefoon"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("meldingendienst die wij niet kennen"),
        "{html}"
    );
    assert_eq!(count().await, before, "nothing stored");
}

loket_tests::on_both_backends!(berichten_page_turns_on_push_for_this_device);

/// A loopback server that answers every request with `307` to `target`, and one that counts what reaches it.
async fn redirect_to_counter() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let hits = std::sync::Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let counter = axum::Router::new().fallback(move || {
        let counted = counted.clone();
        async move {
            counted.fetch_add(1, Ordering::SeqCst);
            "{}"
        }
    });
    let target = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let target_url = format!("http://{}", target.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(target, counter).await });
    let redirector = axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let location = format!("{target_url}{uri}");
        async move {
            (
                axum::http::StatusCode::TEMPORARY_REDIRECT,
                [(axum::http::header::LOCATION, location)],
            )
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, redirector).await });
    (url, hits)
}

#[tokio::test]
async fn the_notify_and_push_clients_follow_no_redirect() {
    let (url, hits) = redirect_to_counter().await;
    let notify = NotifyApi::new(
        &url,
        &providers::api_key(),
        Some(providers::EMAIL_TEMPLATE.to_owned()),
        Some(providers::SMS_TEMPLATE.to_owned()),
    )
    .unwrap();
    let when = Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC);
    let content = server::notifications::templates::render(
        server::notifications::Kind::CaseStatus,
        app::i18n::Lang::Nl,
        &server::notifications::templates::SafeFields {
            municipality: "Gemeente Voorbeeld",
            sms_name: "Gemeente Voorbeeld",
            when: &when,
            reference: "LK-BCDFGH",
            link: "http://localhost:3000/zaken/abcdefghijklmnopqrstuvwxyzab",
            code: None,
        },
    );
    let out = |channel, to| server::notifications::channels::Outgoing {
        id: "bericht",
        channel,
        to,
        content: &content,
        push_keys: None,
        ttl: std::time::Duration::from_secs(60),
        topic: "t",
        urgent: false,
    };
    assert!(notify
        .send_sms(&out(Channel::Sms, "+31612345678"))
        .await
        .is_err());
    assert!(notify
        .send_email(&out(Channel::Email, "iemand@example.nl"))
        .await
        .is_err());

    let phone = browser::Subscription::new();
    let push = PushSender::new(
        ES256KeyPair::generate(),
        "mailto:loket@example.nl",
        PushServices::parse("127.0.0.1"),
    )
    .unwrap();
    let endpoint = format!("{url}/push/telefoon-1");
    let keys = (phone.p256dh(), phone.auth());
    let mut message = out(Channel::Push, &endpoint);
    message.push_keys = Some((&keys.0, &keys.1));
    assert!(push.send(&message).await.is_err());
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "nothing reached the address the redirects pointed at"
    );
}
