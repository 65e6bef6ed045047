//! Set-up shared by the notification tests and the notifications benchmark.

use crate::TestApp;
use serde_json::json;
use server::identity::clients::Scope;
use server::notifications::addresses;
use server::notifications::channels::Channel;

/// A case type with informing statuses 1 and 3, and a case for the resident with `bsn` (created on first
/// sight); returns (API token, person id, case id).
pub async fn resident_with_case(
    app: &TestApp,
    identifier: &str,
    bsn: &str,
) -> (String, String, String) {
    let token = app.api_token(&[Scope::CaseTypes, Scope::Cases]).await;
    let t = Some(token.as_str());
    let (status, _, body) = app
        .api(
            "PUT",
            "/api/v1/case-types/omgevingsvergunning",
            t,
            Some(json!({
                "name": "Omgevingsvergunning",
                "name_en": "Environmental permit",
                "internal": false,
                "confidentiality": "zaakvertrouwelijk",
                "statuses": [
                    { "seq": 1, "description": "Ontvangen", "resident_text": "We hebben uw aanvraag ontvangen.", "notify": true },
                    { "seq": 2, "description": "Beoordelen", "resident_text": "We beoordelen uw aanvraag." },
                    { "seq": 3, "description": "Besluit", "resident_text": "Er is een besluit.", "end": true, "notify": true }
                ]
            })),
        )
        .await;
    assert!(status == 201 || status == 200, "{body}");
    let (status, _, body) = app
        .api(
            "POST",
            "/api/v1/cases",
            t,
            Some(json!({
                "identifier": identifier,
                "case_type": "omgevingsvergunning",
                "description": "Uitbouw aan de achterkant",
                "start_date": "2026-11-01",
                "initiator": { "bsn": bsn }
            })),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (person, case_id): (String, String) = sqlx::query_as(
        "SELECT p.id, c.id FROM person p JOIN cases c ON c.initiator_person_id = p.id
         WHERE p.bsn = $1 AND c.identifier = $2",
    )
    .bind(bsn)
    .bind(identifier)
    .fetch_one(&app.loket.db.pool)
    .await
    .unwrap();
    (token, person, case_id)
}

/// An e-mail address that counts as confirmed (as if its code was typed), without sending the code.
pub async fn confirmed_address(app: &TestApp, person: &str, email: &str) -> String {
    confirmed(app, person, Channel::Email, email).await
}

/// An address on `channel` that counts as confirmed, without sending the code.
pub async fn confirmed(app: &TestApp, person: &str, channel: Channel, value: &str) -> String {
    let now = jiff::Timestamp::now();
    let id = addresses::add(
        &app.loket.db,
        &app.loket.municipality.id,
        person,
        channel,
        value,
        "eigen",
        now,
    )
    .await
    .unwrap();
    sqlx::query("UPDATE digital_address SET verified_at_ms = $1 WHERE id = $2")
        .bind(now.as_millisecond())
        .bind(&id)
        .execute(&app.loket.db.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE notification_event SET processed_at_ms = 0 WHERE address_id = $1")
        .bind(&id)
        .execute(&app.loket.db.pool)
        .await
        .unwrap();
    id
}

/// The first instant at or after `at` outside quiet hours (21:30–08:00 in the demo municipality), so tests
/// that send SMS or push do not depend on the hour they run at.
pub fn awake(at: jiff::Timestamp) -> jiff::Timestamp {
    let local = at.to_zoned(jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap());
    let hour = i32::from(local.hour()) * 60 + i32::from(local.minute());
    if (8 * 60..21 * 60 + 25).contains(&hour) {
        return at;
    }
    let day = if hour >= 21 * 60 {
        local.date().tomorrow().unwrap()
    } else {
        local.date()
    };
    day.at(8, 5, 0, 0)
        .to_zoned(local.time_zone().clone())
        .unwrap()
        .timestamp()
}

/// Sets status `seq` on a case through the back-office API.
pub async fn set_status(app: &TestApp, token: &str, identifier: &str, id: &str, seq: i64) {
    let (status, _, body) = app
        .api(
            "POST",
            &format!("/api/v1/cases/{identifier}/statuses"),
            Some(token),
            Some(json!({ "id": id, "status": seq, "set_at": "2026-11-20T10:00:00+01:00" })),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}
