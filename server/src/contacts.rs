//! Contact moments (klantcontacten): each time a resident or organisation had contact with the municipality —
//! by phone, at the desk, by e-mail, web, letter or chat — registered by the contact centre's tools or a case
//! system through `/api/v1`, and shown to the resident in their contact history.

use crate::cases::{local, CasesError, Confidentiality, Problems};
use crate::identity::secrets;
use crate::parties::{self, Party, PartyRef};
use crate::storage::Db;
use crate::tenancy::Municipality;
use app::api::ContactLine;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use app::api::{CONTACT_CHANNELS as CHANNELS, CONTACT_REASONS as REASONS};

/// A contact moment as a calling system registers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContactMoment {
    /// The calling system's own id; a repeat with the same id is not registered twice.
    pub id: String,
    /// Who had contact: a person (bsn) or an organisation (kvk).
    pub party: PartyRef,
    /// RFC 3339.
    pub occurred_at: String,
    /// telefoon, balie, e-mail, web, brief or chat.
    pub channel: String,
    /// What it was about, in words the resident understands.
    pub subject: String,
    /// Optional summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Confidential: those without the right see that a contact took place, not what it was about. The resident
    /// always sees their own.
    #[serde(default)]
    pub confidential: bool,
    /// The identifier of the case this contact was about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    /// Who registered it: a team or an employee's name as the resident may see it ("Klantcontactcentrum").
    pub registered_by: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ContactMomentRecord {
    pub id: String,
    pub occurred_at: String,
    pub channel: String,
    pub case: Option<String>,
    pub confidential: bool,
}

/// Registers a contact moment; idempotent on the caller's id (same body: same answer; other data: conflict).
pub async fn register(
    db: &Db,
    municipality_id: &str,
    request: &NewContactMoment,
    now: Timestamp,
) -> Result<(bool, ContactMomentRecord), CasesError> {
    let mut problems = Problems::default();
    problems.identifier("id", &request.id);
    if let Some(problem) = parties::problem(&request.party, false) {
        problems.add("party", problem);
    }
    let occurred_at = match request.occurred_at.parse::<Timestamp>() {
        Ok(at) if at <= now + jiff::SignedDuration::from_mins(5) => Some(at),
        Ok(_) => {
            problems.add("occurred_at", "Dit tijdstip ligt in de toekomst.");
            None
        }
        Err(_) => {
            problems.add(
                "occurred_at",
                "Gebruik een tijdstip volgens RFC 3339 met tijdzone, bijvoorbeeld 2026-03-03T10:30:00+01:00.",
            );
            None
        }
    };
    if !CHANNELS.contains(&request.channel.as_str()) {
        problems.add(
            "channel",
            "Kies telefoon, balie, e-mail, web, brief of chat.",
        );
    }
    problems.text("subject", &request.subject, 200);
    if let Some(text) = &request.text {
        problems.text("text", text, 4000);
    }
    problems.text("registered_by", &request.registered_by, 100);
    let mut tx = db.write().await?;
    let case_id = match &request.case {
        None => None,
        Some(identifier) => {
            let found: Option<(String,)> = sqlx::query_as(
                "SELECT id FROM cases WHERE municipality_id = $1 AND identifier = $2",
            )
            .bind(municipality_id)
            .bind(identifier)
            .fetch_optional(&mut *tx)
            .await?;
            if found.is_none() {
                problems.add("case", "Deze zaak kent Loket niet.");
            }
            found.map(|(id,)| id)
        }
    };
    problems.finish()?;
    let Some(occurred_at) = occurred_at else {
        return Err(CasesError::NotFound);
    };
    let print = serde_json::to_string(request).unwrap_or_default();
    let record = ContactMomentRecord {
        id: request.id.clone(),
        occurred_at: occurred_at.to_string(),
        channel: request.channel.clone(),
        case: request.case.clone(),
        confidential: request.confidential,
    };
    let existing: Option<(String,)> = sqlx::query_as(
        "SELECT request_fingerprint FROM contact_moment WHERE municipality_id = $1 AND external_id = $2",
    )
    .bind(municipality_id)
    .bind(&request.id)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((stored,)) = existing {
        if stored != print {
            return Err(CasesError::Conflict(
                "Dit contactmoment-id is al gebruikt voor een ander contactmoment.",
            ));
        }
        return Ok((false, record));
    }
    let party = parties::resolve(&mut tx, municipality_id, &request.party).await?;
    sqlx::query(
        "INSERT INTO contact_moment (id, municipality_id, external_id, person_id, organisation_id, case_id,
                                     occurred_at_ms, channel, subject, body, confidential, registered_by,
                                     created_at_ms, request_fingerprint)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(secrets::id())
    .bind(municipality_id)
    .bind(&request.id)
    .bind(party.person_id())
    .bind(party.organisation_id())
    .bind(case_id)
    .bind(occurred_at.as_millisecond())
    .bind(&request.channel)
    .bind(request.subject.trim())
    .bind(request.text.as_deref().map(str::trim))
    .bind(i64::from(request.confidential))
    .bind(request.registered_by.trim())
    .bind(now.as_millisecond())
    .bind(&print)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok((true, record))
}

type ContactRow = (
    i64,
    String,
    String,
    Option<String>,
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The party's contact moments, newest first. Confidential ones show their content only when `see_confidential`
/// (the person themselves); otherwise only that a contact took place. `case_ceiling` limits which cases a
/// contact line names (`None`: all, for staff who may know what every case is).
pub async fn for_party(
    db: &Db,
    municipality: &Municipality,
    party: &Party,
    see_confidential: bool,
    case_ceiling: Option<Confidentiality>,
    case_id: Option<&str>,
    limit: i64,
) -> Result<Vec<ContactLine>, CasesError> {
    let (column, id) = match party {
        Party::Person(id) => ("person_id", id),
        Party::Organisation(id) => ("organisation_id", id),
    };
    // A contact names its case only when the reader may see that case: not internal, not above the ceiling.
    let case = match case_ceiling {
        None => String::from("c.id, c.identifier"),
        Some(ceiling) => {
            let shown = format!(
                "ct.internal = 0 AND c.confidentiality IN ({})",
                ceiling.up_to_sql()
            );
            format!("CASE WHEN {shown} THEN c.id END, CASE WHEN {shown} THEN c.identifier END")
        }
    };
    let sql = format!(
        "SELECT m.occurred_at_ms, m.channel, m.subject, m.body, m.confidential, m.registered_by, {case}, m.reason
         FROM contact_moment m LEFT JOIN cases c ON c.id = m.case_id
         LEFT JOIN case_type ct ON ct.id = c.case_type_id
         WHERE m.{column} = $1 AND m.municipality_id = $2 AND ($3 = '' OR m.case_id = $3)
         ORDER BY m.occurred_at_ms DESC LIMIT $4"
    );
    let rows: Vec<ContactRow> = sqlx::query_as(&sql)
        .bind(id)
        .bind(&municipality.id)
        .bind(case_id.unwrap_or_default())
        .bind(limit)
        .fetch_all(&db.pool)
        .await?;
    rows.into_iter()
        .map(
            |(at, channel, subject, body, confidential, registered_by, case_id, case, reason)| {
                let local = local(municipality, at)?;
                let hidden = confidential == 1 && !see_confidential;
                Ok(ContactLine {
                    date: local.date().to_string(),
                    time: local.strftime("%H:%M").to_string(),
                    at_ms: at,
                    channel,
                    subject: (!hidden).then_some(subject),
                    reason: if hidden { None } else { reason },
                    text: if hidden { None } else { body },
                    confidential: confidential == 1,
                    registered_by,
                    case_id: if hidden { None } else { case_id },
                    case_identifier: if hidden { None } else { case },
                })
            },
        )
        .collect()
}

/// A contact the contact centre records on a resident's card while (or right after) talking to her.
#[derive(Clone, Debug, Serialize)]
pub struct CardContact<'a> {
    pub person_id: &'a str,
    /// Who recorded it (kept for the audit trail, never shown to the resident).
    #[serde(skip)]
    pub staff_id: &'a str,
    /// The team name the resident sees ("Klantcontactcentrum").
    pub registered_by: &'a str,
    pub channel: &'a str,
    /// A code from [`REASONS`].
    pub reason: &'a str,
    pub text: &'a str,
    pub confidential: bool,
    /// Loket's id of one of her cases, `nieuw:{case type code}` to start a case of that type with this
    /// contact, or empty.
    pub case: &'a str,
    /// The form's own key: sending the same form twice records one contact.
    #[serde(skip)]
    pub idempotency_key: &'a str,
}

/// Records `contact` at `now`; `Ok(false)` when this form was recorded before. Every problem names the form
/// field it is about (`kanaal`, `reden`, `tekst`, `zaak`) with a message in plain Dutch.
pub async fn record_on_card(
    db: &Db,
    municipality_id: &str,
    contact: &CardContact<'_>,
    today: jiff::civil::Date,
    now: Timestamp,
) -> Result<bool, CasesError> {
    let mut problems = Problems::default();
    if !CHANNELS.contains(&contact.channel) {
        problems.add("kanaal", "Kies hoe de inwoner contact had.");
    }
    // Stored in Dutch for the history and the back office; pages show the reason in the reader's language.
    let subject = REASONS.contains(&contact.reason).then(|| {
        app::i18n::tr(
            app::i18n::Lang::Nl,
            &app::api::contact_reason_key(contact.reason),
        )
    });
    if subject.is_none() {
        problems.add("reden", "Kies waar het contact over ging.");
    }
    if contact.text.trim().chars().count() > 4000 {
        problems.add("tekst", "Schrijf hooguit 4000 tekens.");
    }
    if !crate::cases::valid_identifier(contact.idempotency_key) {
        problems.add(
            "kanaal",
            "Het formulier is verlopen. Laad de pagina opnieuw.",
        );
    }
    let mut tx = db.write().await?;
    // A repeat of this form answers as the first one did, before anything (a case) is made again.
    let external_id = format!("loket-{}", contact.idempotency_key);
    let print = serde_json::to_string(contact).unwrap_or_default();
    let existing: Option<(String,)> = sqlx::query_as(
        "SELECT request_fingerprint FROM contact_moment WHERE municipality_id = $1 AND external_id = $2",
    )
    .bind(municipality_id)
    .bind(&external_id)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((stored,)) = existing {
        if stored != print {
            return Err(CasesError::Conflict(
                "Dit formulier is al gebruikt voor een ander contact. Laad de pagina opnieuw.",
            ));
        }
        return Ok(false);
    }
    let case_id = if contact.case.is_empty() {
        None
    } else if let Some(code) = contact.case.strip_prefix(NEW_CASE) {
        let started = start_case(&mut tx, municipality_id, contact, code, today, now).await?;
        if started.is_none() {
            problems.add("zaak", "Kies een zaaktype uit de lijst, of geen zaak.");
        }
        started
    } else {
        let found: Option<(String,)> = sqlx::query_as(
            "SELECT c.id FROM cases c
             WHERE c.municipality_id = $1 AND c.id = $2
               AND (c.initiator_person_id = $3
                    OR EXISTS (SELECT 1 FROM case_role r WHERE r.case_id = c.id AND r.person_id = $3))",
        )
        .bind(municipality_id)
        .bind(contact.case)
        .bind(contact.person_id)
        .fetch_optional(&mut *tx)
        .await?;
        if found.is_none() {
            problems.add("zaak", "Kies een zaak van deze inwoner, of geen zaak.");
        }
        found.map(|(id,)| id)
    };
    // A refusal drops the transaction: a case started above is not kept either.
    problems.finish()?;
    let text = contact.text.trim();
    sqlx::query(
        "INSERT INTO contact_moment (id, municipality_id, external_id, person_id, case_id, occurred_at_ms, channel,
                                     subject, body, confidential, registered_by, created_at_ms,
                                     request_fingerprint, reason, staff_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $6, $12, $13, $14)",
    )
    .bind(secrets::id())
    .bind(municipality_id)
    .bind(&external_id)
    .bind(contact.person_id)
    .bind(case_id)
    .bind(now.as_millisecond())
    .bind(contact.channel)
    .bind(subject.unwrap_or_default())
    .bind((!text.is_empty()).then_some(text))
    .bind(i64::from(contact.confidential))
    .bind(contact.registered_by)
    .bind(&print)
    .bind(contact.reason)
    .bind(contact.staff_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The case types a contact can start a case of: (code, Dutch name, English name), by Dutch name. Internal
/// types (signals the back office keeps, such as early debt signals) are not started from a contact: their
/// existence is not for the contact centre's screen, and the resident would not see the case.
pub async fn case_types(
    db: &Db,
    municipality_id: &str,
) -> Result<Vec<(String, String, String)>, CasesError> {
    Ok(sqlx::query_as(
        "SELECT code, name_nl, name_en FROM case_type
         WHERE municipality_id = $1 AND code IS NOT NULL AND internal = 0
         ORDER BY name_nl, code",
    )
    .bind(municipality_id)
    .fetch_all(&db.pool)
    .await?)
}

/// The Dutch and English name of the case type `code` a contact may start, if there is one.
pub async fn case_type_name(
    db: &Db,
    municipality_id: &str,
    code: &str,
) -> Result<Option<(String, String)>, CasesError> {
    Ok(sqlx::query_as(
        "SELECT name_nl, name_en FROM case_type
         WHERE municipality_id = $1 AND code = $2 AND internal = 0",
    )
    .bind(municipality_id)
    .bind(code)
    .fetch_optional(&db.pool)
    .await?)
}

/// The prefix of a card form's case choice that starts a new case of a type ("start a case from a contact").
pub const NEW_CASE: &str = "nieuw:";

/// What the card's contact form says about a case, read from its two separate choices: `zaak` (one of her
/// cases) and `nieuwe_zaak` (`nieuw:{type}`), plus whether the new one was confirmed with its type named.
/// In one list a case type read like one of her cases, and a mistaken choice created a case: so a new case
/// is started only after [`CaseChoice::Confirm`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseChoice<'a> {
    /// No case: the contact stands alone.
    NoCase,
    /// One of her cases, by Loket's id.
    Existing(&'a str),
    /// A new case of this type: ask the employee to confirm it, naming the type.
    Confirm { code: &'a str },
    /// A new case of this type, confirmed: [`CardContact::case`] is `nieuw:{code}`.
    New { choice: &'a str },
    /// Both one of her cases and a new one were chosen.
    Both,
}

impl<'a> CaseChoice<'a> {
    pub fn read(linked: &'a str, new_case: &'a str, confirmed: bool) -> CaseChoice<'a> {
        // A `nieuw:` value in `zaak` starts a new case too.
        let (linked, new_case) = match linked.strip_prefix(NEW_CASE) {
            Some(_) => ("", linked),
            None => (linked, new_case),
        };
        match (linked.is_empty(), new_case.is_empty()) {
            (true, true) => CaseChoice::NoCase,
            (false, true) => CaseChoice::Existing(linked),
            (false, false) => CaseChoice::Both,
            (true, false) if confirmed => CaseChoice::New { choice: new_case },
            (true, false) => CaseChoice::Confirm {
                code: new_case.strip_prefix(NEW_CASE).unwrap_or_default(),
            },
        }
    }

    /// The case field of the contact to record; `None` while something is to be asked first.
    pub fn case(self) -> Option<&'a str> {
        match self {
            CaseChoice::NoCase => Some(""),
            CaseChoice::Existing(id) => Some(id),
            CaseChoice::New { choice } => Some(choice),
            CaseChoice::Confirm { .. } | CaseChoice::Both => None,
        }
    }
}

/// Starts a case of type `code` for the contact's person, in the contact's transaction: its number is made
/// from the form's key (`KCC-2026-…`, so the number says nothing about her), its description is the type's
/// name, and it stands at the type's first status. `None` when the municipality has no such type.
async fn start_case(
    tx: &mut sqlx::AnyConnection,
    municipality_id: &str,
    contact: &CardContact<'_>,
    code: &str,
    today: jiff::civil::Date,
    now: Timestamp,
) -> Result<Option<String>, CasesError> {
    let Some((type_id, confidentiality, expected_days)) =
        crate::cases::intake::case_type_by_code(&mut *tx, municipality_id, code).await?
    else {
        return Ok(None);
    };
    let (name, internal): (String, i64) =
        sqlx::query_as("SELECT name_nl, internal FROM case_type WHERE id = $1")
            .bind(&type_id)
            .fetch_one(&mut *tx)
            .await?;
    if internal != 0 {
        return Ok(None);
    }
    let id = secrets::id();
    let number: String = secrets::hash(contact.idempotency_key)
        .chars()
        .take(8)
        .collect::<String>()
        .to_uppercase();
    let planned =
        expected_days.and_then(|days| today.checked_add(jiff::Span::new().days(days)).ok());
    sqlx::query(
        "INSERT INTO cases (id, municipality_id, identifier, case_type_id, description, start_date, planned_end_date,
                            initiator_person_id, confidentiality, created_at_ms, changed_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(&id)
    .bind(municipality_id)
    .bind(format!("KCC-{}-{number}", today.year()))
    .bind(&type_id)
    .bind(&name)
    .bind(today.to_string())
    .bind(planned.map(|d| d.to_string()))
    .bind(contact.person_id)
    .bind(&confidentiality)
    .bind(now.as_millisecond())
    .execute(&mut *tx)
    .await?;
    let first: Option<(String,)> =
        sqlx::query_as("SELECT id FROM status_type WHERE case_type_id = $1 ORDER BY seq LIMIT 1")
            .bind(&type_id)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some((status_type_id,)) = first {
        sqlx::query(
            "INSERT INTO case_status (id, case_id, status_type_id, set_at_ms, external_id)
             VALUES ($1, $2, $3, $4, 'kcc-start')",
        )
        .bind(secrets::id())
        .bind(&id)
        .bind(&status_type_id)
        .bind(now.as_millisecond())
        .execute(&mut *tx)
        .await?;
    }
    Ok(Some(id))
}

/// How many contact moments the person had since `since` (for the "called 3 times this week" notice).
pub async fn count_since(db: &Db, person_id: &str, since: Timestamp) -> Result<i64, CasesError> {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM contact_moment WHERE person_id = $1 AND occurred_at_ms >= $2",
    )
    .bind(person_id)
    .bind(since.as_millisecond())
    .fetch_one(&db.pool)
    .await?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_case_is_started_only_once_confirmed_and_never_next_to_one_of_hers() {
        assert_eq!(CaseChoice::read("", "", false), CaseChoice::NoCase);
        assert_eq!(
            CaseChoice::read("c1", "", false),
            CaseChoice::Existing("c1")
        );
        assert_eq!(
            CaseChoice::read("", "nieuw:wmo", false),
            CaseChoice::Confirm { code: "wmo" }
        );
        assert_eq!(
            CaseChoice::read("", "nieuw:wmo", true),
            CaseChoice::New {
                choice: "nieuw:wmo"
            }
        );
        // A `nieuw:` value in `zaak` is a new case too.
        assert_eq!(
            CaseChoice::read("nieuw:wmo", "", true),
            CaseChoice::New {
                choice: "nieuw:wmo"
            }
        );
        assert_eq!(CaseChoice::read("c1", "nieuw:wmo", true), CaseChoice::Both);
        assert_eq!(CaseChoice::read("c1", "nieuw:wmo", true).case(), None);
        assert_eq!(CaseChoice::read("", "nieuw:wmo", false).case(), None);
        assert_eq!(CaseChoice::read("", "", false).case(), Some(""));
        assert_eq!(CaseChoice::read("c1", "", true).case(), Some("c1"));
    }
}
