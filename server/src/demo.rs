//! Demo data for the demo municipality: a resident (Desiree) with two cases (one needing her action), contact
//! moments, a company with its own case, a staff member (Karin), case types with statuses, and one location
//! with opening hours. Seeded once, in one transaction, on the first
//! start of the embedded default (or of PostgreSQL with `LOKET_DEMO=true`); a marker row makes later starts
//! leave it alone, and fixed ids make a repeated run harmless.

use crate::identity::activation::{self, CodeTarget, IssuedCode};
use crate::identity::{audit, IdentityError};
use crate::storage::{Db, StorageError};
use crate::tenancy::Municipality;
use jiff::{SignedDuration, Timestamp};

const MARKER: &str = "demo_seeded_at";

/// (id suffix, name_nl, name_en, internal, statuses)
/// What a resident reads under "Wat gebeurt hierna?" while a status is still to come, by status id suffix
/// (Dutch, English).
const UPCOMING: [(&str, &str, &str); 6] = [
    (
        "bijzondere-bijstand-2",
        "Een consulent gaat uw aanvraag bekijken. Misschien vragen we u nog om papieren.",
        "A consultant will look at your application. We may ask you for papers.",
    ),
    (
        "bijzondere-bijstand-3",
        "We nemen een besluit over uw aanvraag. U krijgt het besluit in een brief.",
        "We will decide on your application. You will get the decision in a letter.",
    ),
    (
        "parkeervergunning-2",
        "We gaan uw gegevens controleren.",
        "We will check your details.",
    ),
    (
        "parkeervergunning-3",
        "We besluiten of u de vergunning krijgt.",
        "We will decide whether you get the permit.",
    ),
    (
        "terrasvergunning-2",
        "We gaan uw tekening van het terras beoordelen.",
        "We will assess your terrace drawing.",
    ),
    (
        "terrasvergunning-3",
        "We nemen een besluit over uw terras. U krijgt het besluit in een brief.",
        "We will decide on your terrace. You will get the decision in a letter.",
    ),
];

type CaseType = (&'static str, &'static str, &'static str, i64, [Status; 3]);
/// (description, resident text nl, resident text en, end status)
type Status = (&'static str, &'static str, &'static str, i64);
/// (id suffix, identifier, case type suffix, description, started days ago, statuses reached (days, hours) ago)
type Case = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    &'static [(i64, i64)],
);

/// (id suffix, days ago, hours ago, channel, subject, text, confidential, case suffix)
type DemoContact = (
    &'static str,
    i64,
    i64,
    &'static str,
    &'static str,
    &'static str,
    i64,
    Option<&'static str>,
);

/// Whether the seed step behind `marker` ran before (its marker row exists).
async fn seeded(conn: &mut sqlx::AnyConnection, marker: &str) -> Result<bool, StorageError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT value FROM app_meta WHERE key = $1")
        .bind(marker)
        .fetch_optional(conn)
        .await?;
    Ok(row.is_some())
}

/// The company's case: of the demo's cases the one with the longest id, which its messages' links carry.
const COMPANY_CASE: &str = "zaak-bedrijf-1";

/// How long the longest demo case id is for municipality `municipality_id` (the SMS proof counts on it).
pub fn longest_case_id(municipality_id: &str) -> usize {
    format!("demo-{municipality_id}-{COMPANY_CASE}").len()
}

/// Seeds the demo data unless it was seeded before. Returns whether it seeded now. The municipality row must
/// exist already (`tenancy::register`, which start-up runs first).
pub async fn seed(
    db: &Db,
    municipality: &Municipality,
    now: Timestamp,
) -> Result<bool, StorageError> {
    let mut tx = db.write().await?;
    if seeded(&mut tx, MARKER).await? {
        return Ok(false);
    }
    let m = municipality.id.as_str();
    let id = |suffix: &str| format!("demo-{m}-{suffix}");
    let ago = |days: i64, hours: i64| {
        (now - SignedDuration::from_hours(days * 24 + hours)).as_millisecond()
    };

    sqlx::query(
        "INSERT INTO person (id, municipality_id, display_name, is_demo) VALUES ($1, $2, $3, 1) ON CONFLICT (id) DO NOTHING",
    )
    .bind(id("desiree"))
    .bind(m)
    .bind("Desiree de Vries")
    .execute(&mut *tx)
    .await?;
    // The contact centre; the back office (the consultant who prepares appointments and opens the documents
    // residents send); the administrator (staff accounts and their codes, no resident at all).
    for (suffix, name, role) in [
        ("karin", "Karin Bakker", "kcc"),
        ("sanne", "Sanne Visser", "backoffice"),
        ("bram", "Bram Beheer", "admin"),
    ] {
        sqlx::query(
            "INSERT INTO staff_member (id, municipality_id, display_name, role, is_demo) VALUES ($1, $2, $3, $4, 1)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id(suffix))
        .bind(m)
        .bind(name)
        .bind(role)
        .execute(&mut *tx)
        .await?;
    }

    let case_types: [CaseType; 3] = [
        (
            "bijzondere-bijstand",
            "Bijzondere bijstand",
            "Special assistance",
            0,
            [
                (
                    "Ontvangen",
                    "We hebben uw aanvraag ontvangen.",
                    "We have received your application.",
                    0,
                ),
                (
                    "In behandeling",
                    "Een consulent bekijkt uw aanvraag.",
                    "A consultant is looking at your application.",
                    0,
                ),
                (
                    "Besluit",
                    "Er is een besluit genomen. U krijgt een brief.",
                    "A decision has been made. You will get a letter.",
                    1,
                ),
            ],
        ),
        (
            "parkeervergunning",
            "Parkeervergunning",
            "Parking permit",
            0,
            [
                (
                    "Ontvangen",
                    "We hebben uw aanvraag ontvangen.",
                    "We have received your application.",
                    0,
                ),
                (
                    "Beoordeling",
                    "We controleren uw gegevens.",
                    "We are checking your details.",
                    0,
                ),
                (
                    "Verleend",
                    "Uw vergunning is verleend.",
                    "Your permit has been granted.",
                    1,
                ),
            ],
        ),
        (
            "signaal-schulden",
            "Signaal vroegsignalering schulden",
            "Early debt warning signal",
            1,
            [
                ("Signaal", "Intern signaal.", "Internal signal.", 0),
                ("Opgepakt", "Intern opgepakt.", "Picked up internally.", 0),
                ("Afgesloten", "Intern afgesloten.", "Closed internally.", 1),
            ],
        ),
    ];
    for (suffix, name_nl, name_en, internal, statuses) in &case_types {
        sqlx::query(
            "INSERT INTO case_type (id, municipality_id, name_nl, name_en, internal, confidentiality, code, expected_days,
                                    uploads_allowed, updated_at_ms)
             VALUES ($1, $2, $3, $4, $5, 'vertrouwelijk', $6, 56, 1, $7) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id(suffix))
        .bind(m)
        .bind(*name_nl)
        .bind(*name_en)
        .bind(*internal)
        .bind(*suffix)
        .bind(now.as_millisecond())
        .execute(&mut *tx)
        .await?;
        for (seq, (description, text_nl, text_en, is_end)) in (1i64..).zip(statuses.iter()) {
            sqlx::query(
                "INSERT INTO status_type (id, case_type_id, seq, description, resident_text_nl, resident_text_en, is_end, notify)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 1) ON CONFLICT (id) DO NOTHING",
            )
            .bind(id(&format!("{suffix}-{seq}")))
            .bind(id(suffix))
            .bind(seq)
            .bind(*description)
            .bind(*text_nl)
            .bind(*text_en)
            .bind(*is_end)
            .execute(&mut *tx)
            .await?;
        }
    }

    upcoming_texts(&mut tx, &id).await?;

    let start = |days: i64| {
        (now - SignedDuration::from_hours(days * 24))
            .to_zoned(municipality.time_zone.clone())
            .date()
            .to_string()
    };
    let cases: [Case; 3] = [
        (
            "zaak-1",
            "ZAAK-2026-0412",
            "bijzondere-bijstand",
            "Aanvraag bijzondere bijstand",
            12,
            &[(12, 3), (3, 5)],
        ),
        (
            "zaak-2",
            "ZAAK-2026-0388",
            "parkeervergunning",
            "Parkeervergunning bewoners",
            30,
            &[(30, 2), (25, 4), (20, 1)],
        ),
        (
            "zaak-3",
            "ZAAK-2026-0419",
            "signaal-schulden",
            "Signaal schulden",
            10,
            &[(10, 2)],
        ),
    ];
    for (suffix, identifier, case_type, description, started, statuses) in cases {
        sqlx::query(
            "INSERT INTO cases (id, municipality_id, identifier, case_type_id, description, start_date, initiator_person_id,
                                planned_end_date, confidentiality, created_at_ms, changed_at_ms, closed_at_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $12, $9, $10, $11) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id(suffix))
        .bind(m)
        .bind(identifier)
        .bind(id(case_type))
        .bind(description)
        .bind(start(started))
        .bind(id("desiree"))
        .bind(start(started - 56))
        .bind(statuses.first().map_or(0, |(d, h)| ago(*d, *h)))
        .bind(statuses.last().map_or(0, |(d, h)| ago(*d, *h)))
        .bind((statuses.len() == 3).then(|| statuses.last().map_or(0, |(d, h)| ago(*d, *h))))
        // The contact centre sees what a parking permit case is; of the social domain's only that it exists.
        .bind(if case_type == "parkeervergunning" {
            "zaakvertrouwelijk"
        } else {
            "vertrouwelijk"
        })
        .execute(&mut *tx)
        .await?;
        for (seq, (days, hours)) in (1i64..).zip(statuses.iter()) {
            sqlx::query(
                "INSERT INTO case_status (id, case_id, status_type_id, set_at_ms) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(id(&format!("{suffix}-status-{seq}")))
            .bind(id(suffix))
            .bind(id(&format!("{case_type}-{seq}")))
            .bind(ago(*days, *hours))
            .execute(&mut *tx)
            .await?;
        }
    }

    // What the overview shows first: something the municipality needs from Desiree, with a deadline.
    sqlx::query(
        "UPDATE cases SET action_text = $1, action_deadline = $2, action_set_at_ms = $3 WHERE id = $4",
    )
    .bind("Stuur ons uw bankafschriften van de laatste drie maanden. Een foto met uw telefoon is goed.")
    .bind(start(-9))
    .bind(ago(3, 5))
    .bind(id("zaak-1"))
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE case_status SET explanation = $1 WHERE id = $2")
        .bind("Uw consulent neemt binnen vijf werkdagen contact met u op.")
        .bind(id("zaak-1-status-2"))
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE cases SET result_text = $1 WHERE id = $2")
        .bind("Uw parkeervergunning is verleend. U kunt nu parkeren in uw wijk.")
        .bind(id("zaak-2"))
        .execute(&mut *tx)
        .await?;
    let contacts: [DemoContact; 3] = [
        (
            "contact-1",
            12,
            4,
            "telefoon",
            "Vraag over bijzondere bijstand",
            "U belde over geldzorgen. We hebben uitgelegd hoe u bijzondere bijstand aanvraagt.",
            0,
            Some("zaak-1"),
        ),
        (
            "contact-2",
            3,
            6,
            "balie",
            "Gesprek met het sociaal team",
            "U sprak met het sociaal team over hulp bij schulden.",
            1,
            None,
        ),
        (
            "contact-3",
            26,
            2,
            "e-mail",
            "Vraag over de parkeervergunning",
            "U vroeg wanneer de vergunning ingaat. We hebben u per e-mail geantwoord.",
            0,
            Some("zaak-2"),
        ),
    ];
    for (suffix, days, hours, channel, subject, text, confidential, case) in contacts {
        sqlx::query(
            "INSERT INTO contact_moment (id, municipality_id, external_id, person_id, case_id, occurred_at_ms, channel,
                                         subject, body, confidential, registered_by, created_at_ms, request_fingerprint)
             VALUES ($1, $2, $1, $3, $4, $5, $6, $7, $8, $9, 'Klantcontactcentrum', $5, 'demo')
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id(suffix))
        .bind(m)
        .bind(id("desiree"))
        .bind(case.map(&id))
        .bind(ago(days, hours))
        .bind(channel)
        .bind(subject)
        .bind(text)
        .bind(confidential)
        .execute(&mut *tx)
        .await?;
    }

    sqlx::query(
        "INSERT INTO location (id, municipality_id, name, street, postcode, city) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(id("stadhuis"))
    .bind(m)
    .bind("Stadhuis Voorbeeld")
    .bind("Raadhuisplein 1")
    .bind("1234 AB")
    .bind("Voorbeeld")
    .execute(&mut *tx)
    .await?;
    let hours: [(i64, &str, &str); 6] = [
        (1, "09:00", "17:00"),
        (2, "09:00", "17:00"),
        (3, "09:00", "12:30"),
        (3, "13:30", "17:00"),
        (4, "09:00", "20:00"),
        (5, "09:00", "12:30"),
    ];
    for (weekday, opens, closes) in hours {
        sqlx::query(
            "INSERT INTO opening_hours (location_id, weekday, opens, closes) VALUES ($1, $2, $3, $4)
             ON CONFLICT (location_id, weekday, opens) DO NOTHING",
        )
        .bind(id("stadhuis"))
        .bind(weekday)
        .bind(opens)
        .bind(closes)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("INSERT INTO app_meta (key, value) VALUES ($1, $2)")
        .bind(MARKER)
        .bind(now.to_string())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}

const IDENTITY_MARKER: &str = "demo_identity_seeded_at";

/// The demo's identity data, seeded once (after [`seed`]): Desiree's test BSN, e-mail address, birth date and
/// postal address, and the demo company she is a (not yet confirmed) member of.
pub async fn seed_identity(
    db: &Db,
    municipality: &Municipality,
    now: Timestamp,
) -> Result<bool, StorageError> {
    let mut tx = db.write().await?;
    if seeded(&mut tx, IDENTITY_MARKER).await? {
        return Ok(false);
    }
    let m = municipality.id.as_str();
    let id = |suffix: &str| format!("demo-{m}-{suffix}");
    // 999993653 is a test BSN from the BRP test set: valid by the eleven-test, never issued to anyone.
    sqlx::query(
        "UPDATE person SET bsn = $1, email = $2, birth_date = $3, postcode = $4, house_number = $5 WHERE id = $6",
    )
    .bind("999993653")
    .bind("desiree.devries@example.nl")
    .bind("1986-04-12")
    .bind("1234 AB")
    .bind("5")
    .bind(id("desiree"))
        .execute(&mut *tx)
        .await?;
    // A confirmed e-mail address, so updates pushed through the API in the demo arrive as files under
    // data/outbox/mail.
    sqlx::query(
        "INSERT INTO digital_address (id, person_id, channel, value, label, created_at_ms, verified_at_ms)
         VALUES ($1, $2, 'email', $3, 'Mijn e-mail', $4, $4) ON CONFLICT (id) DO NOTHING",
    )
    .bind(id("desiree-email"))
    .bind(id("desiree"))
    .bind("desiree.devries@example.nl")
    .bind(now.as_millisecond())
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO organisation (id, municipality_id, kvk_number, name, is_demo) VALUES ($1, $2, $3, $4, 1)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(id("bloemenzaak"))
    .bind(m)
    .bind("90001234")
    .bind("Bloemenzaak De Vries")
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO membership (organisation_id, person_id) VALUES ($1, $2) ON CONFLICT (organisation_id, person_id) DO NOTHING",
    )
    .bind(id("bloemenzaak"))
    .bind(id("desiree"))
    .execute(&mut *tx)
    .await?;
    // The company's own case, seen when Desiree acts for it.
    sqlx::query(
        "INSERT INTO case_type (id, municipality_id, code, name_nl, name_en, internal, confidentiality, expected_days,
                                uploads_allowed, updated_at_ms)
         VALUES ($1, $2, 'terrasvergunning', 'Terrasvergunning', 'Terrace permit', 0, 'beperkt_openbaar', 42, 1, $3)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(id("terrasvergunning"))
    .bind(m)
    .bind(now.as_millisecond())
    .execute(&mut *tx)
    .await?;
    for (seq, description, text_nl, text_en, is_end) in [
        (
            1i64,
            "Ontvangen",
            "We hebben uw aanvraag ontvangen.",
            "We have received your application.",
            0i64,
        ),
        (
            2,
            "Beoordeling",
            "We beoordelen uw tekening van het terras.",
            "We are assessing your terrace drawing.",
            0,
        ),
        (
            3,
            "Besluit",
            "Er is een besluit over uw terras.",
            "A decision about your terrace has been made.",
            1,
        ),
    ] {
        sqlx::query(
            "INSERT INTO status_type (id, case_type_id, seq, description, resident_text_nl, resident_text_en, is_end, notify)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id(&format!("terrasvergunning-{seq}")))
        .bind(id("terrasvergunning"))
        .bind(seq)
        .bind(description)
        .bind(text_nl)
        .bind(text_en)
        .bind(is_end)
        .execute(&mut *tx)
        .await?;
    }
    upcoming_texts(&mut tx, &id).await?;
    let days_ago = |days: i64| (now - SignedDuration::from_hours(days * 24)).as_millisecond();
    let start = (now - SignedDuration::from_hours(6 * 24))
        .to_zoned(municipality.time_zone.clone())
        .date();
    sqlx::query(
        "INSERT INTO cases (id, municipality_id, identifier, case_type_id, description, start_date, planned_end_date,
                            initiator_organisation_id, confidentiality, created_at_ms, changed_at_ms)
         VALUES ($1, $2, 'ZAAK-2026-0501', $3, 'Terras voor de winkel', $4, $5, $6, 'beperkt_openbaar', $7, $8)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(id(COMPANY_CASE))
    .bind(m)
    .bind(id("terrasvergunning"))
    .bind(start.to_string())
    .bind(start.checked_add(jiff::Span::new().days(42)).unwrap_or(start).to_string())
    .bind(id("bloemenzaak"))
    .bind(days_ago(6))
    .bind(days_ago(2))
    .execute(&mut *tx)
    .await?;
    for (seq, days) in [(1i64, 6i64), (2, 2)] {
        sqlx::query(
            "INSERT INTO case_status (id, case_id, status_type_id, set_at_ms) VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id(&format!("{COMPANY_CASE}-status-{seq}")))
        .bind(id(COMPANY_CASE))
        .bind(id(&format!("terrasvergunning-{seq}")))
        .bind(days_ago(days))
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("INSERT INTO app_meta (key, value) VALUES ($1, $2)")
        .bind(IDENTITY_MARKER)
        .bind(now.to_string())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}

/// Who the demo page can issue an activation code for.
pub const DEMO_IDENTITIES: [&str; 5] = ["desiree", "bedrijf", "karin", "sanne", "bram"];

/// A fresh activation code for a demo identity (demo mode only; the caller checks that).
pub async fn issue_code(
    db: &Db,
    municipality: &Municipality,
    who: &str,
    now: Timestamp,
) -> Result<IssuedCode, IdentityError> {
    let m = municipality.id.as_str();
    let id = |suffix: &str| format!("demo-{m}-{suffix}");
    let target = match who {
        "desiree" => CodeTarget::Person {
            person_id: id("desiree"),
        },
        "bedrijf" => CodeTarget::Membership {
            organisation_id: id("bloemenzaak"),
            person_id: id("desiree"),
        },
        "karin" => CodeTarget::Staff {
            staff_id: id("karin"),
        },
        "sanne" => CodeTarget::Staff {
            staff_id: id("sanne"),
        },
        "bram" => CodeTarget::Staff {
            staff_id: id("bram"),
        },
        _ => return Err(IdentityError::Invalid("demo identity")),
    };
    let issued =
        activation::issue(db, m, &target, "demo", now, activation::DEFAULT_VALIDITY).await?;
    let subject = match &target {
        CodeTarget::Person { person_id } | CodeTarget::Membership { person_id, .. } => {
            Some(person_id.as_str())
        }
        CodeTarget::Staff { .. } => None,
    };
    audit::record(
        &db.pool,
        m,
        audit::Event::ActivationCodeIssued,
        &audit::Entry {
            subject_person_id: subject,
            ..Default::default()
        },
        now,
    )
    .await?;
    Ok(issued)
}

async fn upcoming_texts(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &impl Fn(&str) -> String,
) -> Result<(), sqlx::Error> {
    // Both seeds call this; each status type exists once its own seed ran, the other rows match nothing.
    for (suffix, nl, en) in UPCOMING {
        sqlx::query(
            "UPDATE status_type SET upcoming_text_nl = $1, upcoming_text_en = $2 WHERE id = $3",
        )
        .bind(nl)
        .bind(en)
        .bind(id(suffix))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
