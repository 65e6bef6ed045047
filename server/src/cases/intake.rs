//! Intake: what case systems put into Loket through `/api/v1`. Every operation validates the whole request
//! first (all field problems in one answer), then changes the database in one transaction, and is idempotent
//! on the caller's own identifiers: a repeat with the same body gives the same answer, with other data a
//! conflict — never a duplicate.

use super::{CasesError, Confidentiality, Problems};
use crate::identity::secrets;
use crate::notifications::{self, Kind};
use crate::parties::{self, Party, PartyRef};
use crate::storage::Db;
use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use utoipa::ToSchema;

/// A case type (zaaktype) with its ordered status types.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseTypeSpec {
    /// The name residents see (Dutch).
    pub name: String,
    /// The name in English; the Dutch name when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    /// Internal case types are never shown to residents.
    #[serde(default)]
    pub internal: bool,
    /// ZGW vertrouwelijkheidaanduiding: openbaar, beperkt_openbaar, intern, zaakvertrouwelijk, vertrouwelijk,
    /// confidentieel, geheim or zeer_geheim. The default of the type's cases.
    pub confidentiality: String,
    /// Expected duration in days (doorlooptijd): gives the planned end date when a case does not name one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_days: Option<i64>,
    /// Whether residents may upload documents to cases of this type.
    #[serde(default)]
    pub uploads_allowed: bool,
    /// The status types in order; the last (highest `seq`) is the end status, and only that one.
    pub statuses: Vec<StatusTypeSpec>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusTypeSpec {
    /// Volgnummer: 1, 2, 3 …
    pub seq: i64,
    /// The internal description (omschrijving); never shown to residents.
    pub description: String,
    /// What the resident reads when the case reaches this status (statustekst), Dutch.
    pub resident_text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resident_text_en: Option<String>,
    /// What the resident reads while this status is still to come ("Wat gebeurt hierna?"), Dutch; in the
    /// future tense, e.g. "We nemen een besluit over uw aanvraag." Without it she reads a general sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upcoming_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upcoming_text_en: Option<String>,
    #[serde(default)]
    pub end: bool,
    /// Informeren: reaching this status sends the resident a notification (a link only).
    #[serde(default)]
    pub notify: bool,
}

/// A new case (zaak).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    /// The case system's identifier (identificatie); unique within the municipality, shown to the resident.
    pub identifier: String,
    /// The `code` of a case type.
    pub case_type: String,
    /// Short description for the resident.
    pub description: String,
    /// `YYYY-MM-DD`.
    pub start_date: String,
    /// `YYYY-MM-DD`; from the case type's expected duration when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_end_date: Option<String>,
    pub initiator: PartyRef,
    /// Persons who see the case as the initiator does (mede-initiatoren).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub co_initiators: Vec<PartyRef>,
    /// Overrides the case type's confidentiality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidentiality: Option<String>,
}

/// A status the case reached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStatus {
    /// The case system's own id of this status; a repeat with the same id is not added twice.
    pub id: String,
    /// The `seq` of one of the case type's status types.
    pub status: i64,
    /// When the status was reached, RFC 3339 (e.g. `2026-11-20T09:30:00+01:00`).
    pub set_at: String,
    /// Optional explanation for the resident (toelichting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

/// Something the municipality needs from the resident, with a deadline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequired {
    /// What the resident must do, in plain words (B1).
    pub text: String,
    /// `YYYY-MM-DD`.
    pub deadline: String,
}

/// Closing a case with a result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Closing {
    /// The result for the resident (resultaat), e.g. "Uw aanvraag is toegekend."
    pub result: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// RFC 3339; the end status is set at this moment when the case has not reached it yet.
    pub closed_at: String,
}

/// A case as Loket holds it: the answer of every case operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CaseRecord {
    pub identifier: String,
    pub case_type: String,
    pub description: String,
    pub start_date: String,
    pub planned_end_date: Option<String>,
    pub confidentiality: String,
    /// `seq` of the current status; `None` before the first status.
    pub status: Option<i64>,
    /// The statuses reached, oldest first: the caller's status ids.
    pub status_ids: Vec<String>,
    pub closed: bool,
    pub result: Option<String>,
    pub action_required: Option<ActionRequired>,
}

/// Whether an operation created something or found it already there (a replay).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Unchanged,
    Updated,
}

fn parse_date(problems: &mut Problems, field: &str, value: &str) -> Option<Date> {
    match value.parse::<Date>() {
        Ok(date) if value.len() == 10 => Some(date),
        _ => {
            problems.add(
                field,
                "Gebruik een datum als JJJJ-MM-DD, bijvoorbeeld 2026-03-03.",
            );
            None
        }
    }
}

fn parse_instant(problems: &mut Problems, field: &str, value: &str) -> Option<Timestamp> {
    match value.parse::<Timestamp>() {
        Ok(at) => Some(at),
        Err(_) => {
            problems.add(
                field,
                "Gebruik een tijdstip volgens RFC 3339 met tijdzone, bijvoorbeeld 2026-03-03T10:30:00+01:00.",
            );
            None
        }
    }
}

fn optional_text(problems: &mut Problems, field: &str, value: Option<&str>, max: usize) {
    if let Some(value) = value {
        problems.text(field, value, max);
    }
}

fn fingerprint<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn flag(value: bool) -> i64 {
    i64::from(value)
}

/// Creates or replaces a case type and its status types. A status type that cases have reached cannot be
/// removed (that would rewrite their history).
pub async fn put_case_type(
    db: &Db,
    municipality_id: &str,
    code: &str,
    spec: &CaseTypeSpec,
    now: Timestamp,
) -> Result<Outcome, CasesError> {
    let mut problems = Problems::default();
    problems.identifier("code", code);
    problems.text("name", &spec.name, 200);
    optional_text(&mut problems, "name_en", spec.name_en.as_deref(), 200);
    if Confidentiality::parse(&spec.confidentiality).is_none() {
        problems.add("confidentiality", CONFIDENTIALITY_WORDS);
    }
    if spec.expected_days.is_some_and(|d| !(1..=3650).contains(&d)) {
        problems.add("expected_days", "Geef een aantal dagen van 1 tot 3650.");
    }
    if spec.statuses.is_empty() {
        problems.add(
            "statuses",
            "Geef minstens één status; de laatste is de eindstatus.",
        );
    }
    let highest = spec
        .statuses
        .iter()
        .map(|s| s.seq)
        .max()
        .unwrap_or_default();
    for (i, status) in spec.statuses.iter().enumerate() {
        let field = |name: &str| format!("statuses[{i}].{name}");
        if !(1..=999).contains(&status.seq) {
            problems.add(field("seq"), "Gebruik een volgnummer van 1 tot 999.");
        } else if spec.statuses.iter().filter(|s| s.seq == status.seq).count() > 1 {
            problems.add(field("seq"), "Elk volgnummer mag maar één keer voorkomen.");
        }
        problems.text(&field("description"), &status.description, 200);
        problems.text(&field("resident_text"), &status.resident_text, 500);
        for (name, text) in [
            ("resident_text_en", &status.resident_text_en),
            ("upcoming_text", &status.upcoming_text),
            ("upcoming_text_en", &status.upcoming_text_en),
        ] {
            optional_text(&mut problems, &field(name), text.as_deref(), 500);
        }
        if status.end != (status.seq == highest) {
            problems.add(
                field("end"),
                "Alleen de status met het hoogste volgnummer is de eindstatus.",
            );
        }
    }
    problems.finish()?;

    let mut tx = db.write().await?;
    let existing: Option<(String,)> =
        sqlx::query_as("SELECT id FROM case_type WHERE municipality_id = $1 AND code = $2")
            .bind(municipality_id)
            .bind(code)
            .fetch_optional(&mut *tx)
            .await?;
    let (id, outcome) = match existing {
        Some((id,)) => (id, Outcome::Updated),
        None => (secrets::id(), Outcome::Created),
    };
    sqlx::query(
        "INSERT INTO case_type (id, municipality_id, code, name_nl, name_en, internal, confidentiality, expected_days,
                                uploads_allowed, updated_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (id) DO UPDATE SET name_nl = excluded.name_nl, name_en = excluded.name_en,
             internal = excluded.internal, confidentiality = excluded.confidentiality,
             expected_days = excluded.expected_days, uploads_allowed = excluded.uploads_allowed,
             updated_at_ms = excluded.updated_at_ms",
    )
    .bind(&id)
    .bind(municipality_id)
    .bind(code)
    .bind(spec.name.trim())
    .bind(spec.name_en.as_deref().unwrap_or(&spec.name).trim())
    .bind(flag(spec.internal))
    .bind(&spec.confidentiality)
    .bind(spec.expected_days)
    .bind(flag(spec.uploads_allowed))
    .bind(now.as_millisecond())
    .execute(&mut *tx)
    .await?;

    let stored: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT st.id, st.seq, (SELECT COUNT(*) FROM case_status cs WHERE cs.status_type_id = st.id)
         FROM status_type st WHERE st.case_type_id = $1",
    )
    .bind(&id)
    .fetch_all(&mut *tx)
    .await?;
    for (status_id, seq, used) in &stored {
        if spec.statuses.iter().any(|s| s.seq == *seq) {
            continue;
        }
        if *used > 0 {
            return Err(CasesError::Invalid(vec![super::FieldProblem {
                field: "statuses".into(),
                message: format!(
                    "Status {seq} is al bereikt door zaken en kan niet verdwijnen. Geef hem opnieuw op."
                ),
            }]));
        }
        sqlx::query("DELETE FROM status_type WHERE id = $1")
            .bind(status_id)
            .execute(&mut *tx)
            .await?;
    }
    for status in &spec.statuses {
        sqlx::query(
            "INSERT INTO status_type (id, case_type_id, seq, description, resident_text_nl, resident_text_en, is_end, notify,
                                      upcoming_text_nl, upcoming_text_en)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (case_type_id, seq) DO UPDATE SET description = excluded.description,
                 resident_text_nl = excluded.resident_text_nl, resident_text_en = excluded.resident_text_en,
                 is_end = excluded.is_end, notify = excluded.notify,
                 upcoming_text_nl = excluded.upcoming_text_nl, upcoming_text_en = excluded.upcoming_text_en",
        )
        .bind(secrets::id())
        .bind(&id)
        .bind(status.seq)
        .bind(status.description.trim())
        .bind(status.resident_text.trim())
        .bind(status.resident_text_en.as_deref().unwrap_or(&status.resident_text).trim())
        .bind(flag(status.end))
        .bind(flag(status.notify))
        .bind(status.upcoming_text.as_deref().map(str::trim))
        .bind(
            status
                .upcoming_text_en
                .as_deref()
                .or(status.upcoming_text.as_deref())
                .map(str::trim),
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(outcome)
}

const CONFIDENTIALITY_WORDS: &str = "Kies openbaar, beperkt_openbaar, intern, zaakvertrouwelijk, vertrouwelijk, confidentieel, geheim of zeer_geheim.";

/// The case type's id, confidentiality and expected duration, by code.
pub(crate) async fn case_type_by_code(
    conn: &mut AnyConnection,
    municipality_id: &str,
    code: &str,
) -> Result<Option<(String, String, Option<i64>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, confidentiality, expected_days FROM case_type WHERE municipality_id = $1 AND code = $2",
    )
    .bind(municipality_id)
    .bind(code)
    .fetch_optional(conn)
    .await
}

/// Creates a case for a person or organisation.
pub async fn create_case(
    db: &Db,
    municipality_id: &str,
    request: &NewCase,
    now: Timestamp,
) -> Result<(Outcome, CaseRecord), CasesError> {
    let mut problems = Problems::default();
    problems.identifier("identifier", &request.identifier);
    problems.text("description", &request.description, 300);
    let start = parse_date(&mut problems, "start_date", &request.start_date);
    let planned = request
        .planned_end_date
        .as_deref()
        .and_then(|d| parse_date(&mut problems, "planned_end_date", d));
    if let (Some(start), Some(planned)) = (start, planned) {
        if planned < start {
            problems.add(
                "planned_end_date",
                "De geplande einddatum ligt voor de startdatum.",
            );
        }
    }
    if let Some(problem) = parties::problem(&request.initiator, false) {
        problems.add("initiator", problem);
    }
    for (i, co) in request.co_initiators.iter().enumerate() {
        if let Some(problem) = parties::problem(co, true) {
            problems.add(format!("co_initiators[{i}]"), problem);
        }
    }
    if let Some(level) = &request.confidentiality {
        if Confidentiality::parse(level).is_none() {
            problems.add("confidentiality", CONFIDENTIALITY_WORDS);
        }
    }
    let mut tx = db.write().await?;
    let case_type = case_type_by_code(&mut tx, municipality_id, &request.case_type).await?;
    if case_type.is_none() {
        problems.add(
            "case_type",
            "Dit zaaktype kent Loket niet. Maak het eerst aan met PUT /api/v1/case-types/{code}.",
        );
    }
    problems.finish()?;
    let (Some((case_type_id, type_confidentiality, expected_days)), Some(start)) =
        (case_type, start)
    else {
        return Err(CasesError::NotFound);
    };

    let print = fingerprint(request);
    let existing: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT id, request_fingerprint FROM cases WHERE municipality_id = $1 AND identifier = $2",
    )
    .bind(municipality_id)
    .bind(&request.identifier)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((id, stored)) = existing {
        if stored.as_deref() != Some(print.as_str()) {
            return Err(CasesError::Conflict(
                "Er bestaat al een zaak met deze identificatie, met andere gegevens.",
            ));
        }
        let record = record(&mut tx, &id).await?;
        return Ok((Outcome::Unchanged, record));
    }

    let initiator = parties::resolve(&mut tx, municipality_id, &request.initiator).await?;
    let planned = planned.or_else(|| {
        expected_days.and_then(|days| start.checked_add(jiff::Span::new().days(days)).ok())
    });
    let id = secrets::id();
    sqlx::query(
        "INSERT INTO cases (id, municipality_id, identifier, case_type_id, description, start_date, planned_end_date,
                            initiator_person_id, initiator_organisation_id, confidentiality, created_at_ms,
                            changed_at_ms, request_fingerprint)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)",
    )
    .bind(&id)
    .bind(municipality_id)
    .bind(&request.identifier)
    .bind(&case_type_id)
    .bind(request.description.trim())
    .bind(start.to_string())
    .bind(planned.map(|d| d.to_string()))
    .bind(initiator.person_id())
    .bind(initiator.organisation_id())
    .bind(request.confidentiality.as_deref().unwrap_or(&type_confidentiality))
    .bind(now.as_millisecond())
    .bind(&print)
    .execute(&mut *tx)
    .await?;
    for co in &request.co_initiators {
        if let Party::Person(person_id) = parties::resolve(&mut tx, municipality_id, co).await? {
            sqlx::query(
                "INSERT INTO case_role (case_id, person_id, role) VALUES ($1, $2, 'co-initiator')
                 ON CONFLICT (case_id, person_id) DO NOTHING",
            )
            .bind(&id)
            .bind(&person_id)
            .execute(&mut *tx)
            .await?;
        }
    }
    let record = record(&mut tx, &id).await?;
    tx.commit().await?;
    Ok((Outcome::Created, record))
}

/// A case's id, type id, initiator and whether it is closed.
struct CaseHead {
    id: String,
    case_type_id: String,
    initiator: Party,
    closed: bool,
}

type HeadRow = (String, String, Option<String>, Option<String>, Option<i64>);

async fn head(
    conn: &mut AnyConnection,
    municipality_id: &str,
    identifier: &str,
) -> Result<CaseHead, CasesError> {
    let row: Option<HeadRow> = sqlx::query_as(
        "SELECT id, case_type_id, initiator_person_id, initiator_organisation_id, closed_at_ms
         FROM cases WHERE municipality_id = $1 AND identifier = $2",
    )
    .bind(municipality_id)
    .bind(identifier)
    .fetch_optional(conn)
    .await?;
    let (id, case_type_id, person, organisation, closed_at) = row.ok_or(CasesError::NotFound)?;
    let initiator = match (person, organisation) {
        (Some(person), _) => Party::Person(person),
        (None, Some(organisation)) => Party::Organisation(organisation),
        (None, None) => return Err(CasesError::NotFound),
    };
    Ok(CaseHead {
        id,
        case_type_id,
        initiator,
        closed: closed_at.is_some(),
    })
}

/// Records a status the case reached. Reaching the end status closes the case; a status type with
/// "informeren" puts a notification event in the outbox in the same transaction.
pub async fn add_status(
    db: &Db,
    municipality_id: &str,
    identifier: &str,
    request: &NewStatus,
    now: Timestamp,
) -> Result<(Outcome, CaseRecord), CasesError> {
    let mut problems = Problems::default();
    problems.identifier("id", &request.id);
    let set_at = parse_instant(&mut problems, "set_at", &request.set_at);
    optional_text(
        &mut problems,
        "explanation",
        request.explanation.as_deref(),
        1000,
    );
    let mut tx = db.write().await?;
    let case = head(&mut tx, municipality_id, identifier).await?;
    let status_type: Option<(String, i64, i64)> = sqlx::query_as(
        "SELECT id, is_end, notify FROM status_type WHERE case_type_id = $1 AND seq = $2",
    )
    .bind(&case.case_type_id)
    .bind(request.status)
    .fetch_optional(&mut *tx)
    .await?;
    if status_type.is_none() {
        problems.add(
            "status",
            "Dit volgnummer hoort bij geen status van het zaaktype van deze zaak.",
        );
    }
    problems.finish()?;
    let (Some((status_type_id, is_end, notify)), Some(set_at)) = (status_type, set_at) else {
        return Err(CasesError::NotFound);
    };

    let explanation = request.explanation.as_deref().map(str::trim);
    let existing: Option<(String, i64, Option<String>)> = sqlx::query_as(
        "SELECT status_type_id, set_at_ms, explanation FROM case_status WHERE case_id = $1 AND external_id = $2",
    )
    .bind(&case.id)
    .bind(&request.id)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(stored) = existing {
        if stored
            != (
                status_type_id,
                set_at.as_millisecond(),
                explanation.map(str::to_owned),
            )
        {
            return Err(CasesError::Conflict(
                "Deze status-id is al gebruikt voor een andere status van deze zaak.",
            ));
        }
        let record = record(&mut tx, &case.id).await?;
        return Ok((Outcome::Unchanged, record));
    }
    if case.closed {
        return Err(CasesError::Conflict(
            "De zaak is afgesloten; er kan geen status meer bij.",
        ));
    }
    let status_row = secrets::id();
    insert_status(
        &mut tx,
        &case,
        &status_row,
        &status_type_id,
        &request.id,
        set_at,
        explanation,
        now,
    )
    .await?;
    if is_end == 1 {
        sqlx::query("UPDATE cases SET closed_at_ms = $1, action_text = NULL, action_deadline = NULL WHERE id = $2")
            .bind(set_at.as_millisecond())
            .bind(&case.id)
            .execute(&mut *tx)
            .await?;
    }
    if notify == 1 {
        emit_status_event(&mut tx, municipality_id, &case, &status_row, now).await?;
    }
    let record = record(&mut tx, &case.id).await?;
    tx.commit().await?;
    Ok((Outcome::Created, record))
}

#[allow(clippy::too_many_arguments)]
async fn insert_status(
    conn: &mut AnyConnection,
    case: &CaseHead,
    row_id: &str,
    status_type_id: &str,
    external_id: &str,
    set_at: Timestamp,
    explanation: Option<&str>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO case_status (id, case_id, status_type_id, set_at_ms, explanation, external_id)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(row_id)
    .bind(&case.id)
    .bind(status_type_id)
    .bind(set_at.as_millisecond())
    .bind(explanation)
    .bind(external_id)
    .execute(&mut *conn)
    .await?;
    // "New since you looked" follows when Loket learnt of it, not the (possibly earlier) moment it was reached.
    sqlx::query("UPDATE cases SET changed_at_ms = $1 WHERE id = $2")
        .bind(now.as_millisecond())
        .bind(&case.id)
        .execute(conn)
        .await?;
    Ok(())
}

async fn emit_status_event(
    conn: &mut AnyConnection,
    municipality_id: &str,
    case: &CaseHead,
    status_row: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    notifications::emit(
        conn,
        municipality_id,
        &notifications::Event::about_case(
            Kind::CaseStatus,
            format!("case-status:{status_row}"),
            &case.initiator,
            &case.id,
            now + notifications::FOLD_WINDOW,
        ),
        now,
    )
    .await
}

/// Sets (or replaces) what the municipality needs from the resident. The same request twice changes nothing.
pub async fn set_action(
    db: &Db,
    municipality_id: &str,
    identifier: &str,
    request: &ActionRequired,
    now: Timestamp,
) -> Result<(Outcome, CaseRecord), CasesError> {
    let mut problems = Problems::default();
    problems.text("text", &request.text, 500);
    let deadline = parse_date(&mut problems, "deadline", &request.deadline);
    problems.finish()?;
    let deadline = deadline.map(|d| d.to_string()).unwrap_or_default();
    let mut tx = db.write().await?;
    let case = head(&mut tx, municipality_id, identifier).await?;
    let current: (Option<String>, Option<String>) =
        sqlx::query_as("SELECT action_text, action_deadline FROM cases WHERE id = $1")
            .bind(&case.id)
            .fetch_one(&mut *tx)
            .await?;
    let text = request.text.trim();
    if current == (Some(text.to_owned()), Some(deadline.clone())) {
        let record = record(&mut tx, &case.id).await?;
        return Ok((Outcome::Unchanged, record));
    }
    if case.closed {
        return Err(CasesError::Conflict(
            "De zaak is afgesloten; er kan geen actie meer bij.",
        ));
    }
    sqlx::query(
        "UPDATE cases SET action_text = $1, action_deadline = $2, action_set_at_ms = $3, changed_at_ms = $3 WHERE id = $4",
    )
    .bind(text)
    .bind(&deadline)
    .bind(now.as_millisecond())
    .bind(&case.id)
    .execute(&mut *tx)
    .await?;
    // One request per text and deadline: repeating it is "unchanged" above, so no second message.
    notifications::emit(
        &mut tx,
        municipality_id,
        &notifications::Event::about_case(
            Kind::ActionRequest,
            format!("action:{}:{}", case.id, now.as_millisecond()),
            &case.initiator,
            &case.id,
            now,
        ),
        now,
    )
    .await?;
    let record = record(&mut tx, &case.id).await?;
    tx.commit().await?;
    Ok((Outcome::Updated, record))
}

/// Clears the action-required item (done, or no longer needed).
pub async fn clear_action(
    db: &Db,
    municipality_id: &str,
    identifier: &str,
) -> Result<CaseRecord, CasesError> {
    let mut tx = db.write().await?;
    let case = head(&mut tx, municipality_id, identifier).await?;
    sqlx::query("UPDATE cases SET action_text = NULL, action_deadline = NULL, action_set_at_ms = NULL WHERE id = $1")
        .bind(&case.id)
        .execute(&mut *tx)
        .await?;
    let record = record(&mut tx, &case.id).await?;
    tx.commit().await?;
    Ok(record)
}

/// Closes the case with a result, setting the end status at `closed_at` when the case has not reached it.
pub async fn close(
    db: &Db,
    municipality_id: &str,
    identifier: &str,
    request: &Closing,
    now: Timestamp,
) -> Result<(Outcome, CaseRecord), CasesError> {
    let mut problems = Problems::default();
    problems.text("result", &request.result, 300);
    optional_text(
        &mut problems,
        "explanation",
        request.explanation.as_deref(),
        1000,
    );
    let closed_at = parse_instant(&mut problems, "closed_at", &request.closed_at);
    problems.finish()?;
    let Some(closed_at) = closed_at else {
        return Err(CasesError::NotFound);
    };
    let result = request.result.trim();
    let explanation = request.explanation.as_deref().map(str::trim);
    let mut tx = db.write().await?;
    let case = head(&mut tx, municipality_id, identifier).await?;
    let (stored_result, stored_explanation): (Option<String>, Option<String>) =
        sqlx::query_as("SELECT result_text, result_explanation FROM cases WHERE id = $1")
            .bind(&case.id)
            .fetch_one(&mut *tx)
            .await?;
    if let Some(stored) = stored_result {
        if stored == result && stored_explanation.as_deref() == explanation {
            let record = record(&mut tx, &case.id).await?;
            return Ok((Outcome::Unchanged, record));
        }
        return Err(CasesError::Conflict(
            "De zaak is al afgesloten met een ander resultaat.",
        ));
    }
    if !case.closed {
        let end: Option<(String, i64)> = sqlx::query_as(
            "SELECT id, notify FROM status_type WHERE case_type_id = $1 AND is_end = 1 ORDER BY seq DESC LIMIT 1",
        )
        .bind(&case.case_type_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((status_type_id, notify)) = end {
            let status_row = secrets::id();
            let external = format!("loket-result-{status_row}");
            insert_status(
                &mut tx,
                &case,
                &status_row,
                &status_type_id,
                &external,
                closed_at,
                None,
                now,
            )
            .await?;
            if notify == 1 {
                emit_status_event(&mut tx, municipality_id, &case, &status_row, now).await?;
            }
        }
    }
    sqlx::query(
        "UPDATE cases SET result_text = $1, result_explanation = $2, closed_at_ms = COALESCE(closed_at_ms, $3),
                          action_text = NULL, action_deadline = NULL, changed_at_ms = $4
         WHERE id = $5",
    )
    .bind(result)
    .bind(explanation)
    .bind(closed_at.as_millisecond())
    .bind(now.as_millisecond())
    .bind(&case.id)
    .execute(&mut *tx)
    .await?;
    let record = record(&mut tx, &case.id).await?;
    tx.commit().await?;
    Ok((Outcome::Updated, record))
}

type RecordRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The case as the API answers with it.
async fn record(conn: &mut AnyConnection, case_id: &str) -> Result<CaseRecord, CasesError> {
    let (identifier, case_type, description, start_date, planned_end_date, confidentiality, closed_at, result, action_text, action_deadline): RecordRow =
        sqlx::query_as(
            "SELECT c.identifier, ct.code, c.description, c.start_date, c.planned_end_date, c.confidentiality,
                    c.closed_at_ms, c.result_text, c.action_text, c.action_deadline
             FROM cases c JOIN case_type ct ON ct.id = c.case_type_id WHERE c.id = $1",
        )
        .bind(case_id)
        .fetch_one(&mut *conn)
        .await?;
    let statuses: Vec<(Option<String>, i64)> = sqlx::query_as(
        "SELECT cs.external_id, st.seq FROM case_status cs JOIN status_type st ON st.id = cs.status_type_id
         WHERE cs.case_id = $1 ORDER BY cs.set_at_ms, st.seq",
    )
    .bind(case_id)
    .fetch_all(conn)
    .await?;
    Ok(CaseRecord {
        identifier,
        case_type,
        description,
        start_date,
        planned_end_date,
        confidentiality,
        status: statuses.last().map(|(_, seq)| *seq),
        status_ids: statuses.into_iter().filter_map(|(id, _)| id).collect(),
        closed: closed_at.is_some(),
        result,
        action_required: match (action_text, action_deadline) {
            (Some(text), Some(deadline)) => Some(ActionRequired { text, deadline }),
            _ => None,
        },
    })
}

/// The case system's view of one case.
pub async fn get(
    db: &Db,
    municipality_id: &str,
    identifier: &str,
) -> Result<CaseRecord, CasesError> {
    let mut conn = db.pool.acquire().await?;
    let case = head(&mut conn, municipality_id, identifier).await?;
    record(&mut conn, &case.id).await
}
