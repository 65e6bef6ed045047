//! What a resident sees of cases: their own (as initiator or co-initiator), or, when acting for an organisation,
//! the organisation's. Internal case types and cases above the municipality's confidentiality ceiling never
//! leave this module. Callers decide *whether* the viewer may read the party's data
//! ([`crate::authorization`]); this module decides *which* cases that covers.

use super::{local, local_date, CasesError};
use crate::contacts;
use crate::parties::Party;
use crate::storage::Db;
use crate::tenancy::Municipality;
use app::api::{
    ActionItem, CaseDetail, CaseList, CaseListItem, CaseQuery, PersonalOverview, TimelineItem,
    TimelineKind,
};
use app::i18n::Lang;
use jiff::Timestamp;

/// Who is looking: the party whose cases are shown, and the person whose "seen" marks count.
pub struct Reader<'a> {
    pub party: &'a Party,
    pub person_id: &'a str,
    /// The most confidential case shown: the municipality's resident ceiling, or lower in a preview by a
    /// role that may know only THAT of confidential cases.
    pub ceiling: super::Confidentiality,
    /// Whether confidential contact moments show what they were about: for the person herself, not for her
    /// organisation's members, nor in a preview by a role that may not know it.
    pub see_confidential: bool,
    /// Whether reading a case marks it as seen ("new" badge); a staff preview changes nothing.
    pub marks_seen: bool,
}

/// The `WHERE` part that limits cases to the reader's party and to what residents may see. `$1` is the party id,
/// `$2` the municipality.
fn visible(ceiling: super::Confidentiality, party: &Party) -> String {
    let whose = match party {
        Party::Person(_) => {
            "(c.initiator_person_id = $1 OR EXISTS (SELECT 1 FROM case_role r WHERE r.case_id = c.id AND r.person_id = $1))"
        }
        Party::Organisation(_) => "c.initiator_organisation_id = $1",
    };
    format!(
        "{whose} AND c.municipality_id = $2 AND ct.internal = 0 AND c.confidentiality IN ({})",
        ceiling.up_to_sql()
    )
}

fn party_id(party: &Party) -> &str {
    match party {
        Party::Person(id) | Party::Organisation(id) => id,
    }
}

type ListRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    Option<i64>,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

/// The list item plus what the overview needs besides.
struct Listed {
    item: CaseListItem,
    changed_at_ms: i64,
    action: Option<ActionItem>,
}

async fn list(
    db: &Db,
    municipality: &Municipality,
    reader: &Reader<'_>,
    lang: Lang,
) -> Result<Vec<Listed>, CasesError> {
    let sql = format!(
        "SELECT c.identifier, ct.name_nl, ct.name_en, c.description, c.start_date, c.id, c.closed_at_ms,
                c.changed_at_ms, c.action_text, c.action_deadline, st.resident_text_nl, st.resident_text_en,
                (SELECT s.seen_at_ms FROM case_seen s WHERE s.case_id = c.id AND s.person_id = $3)
         FROM cases c
         JOIN case_type ct ON ct.id = c.case_type_id
         LEFT JOIN case_status cs ON cs.id = (
             SELECT cs2.id FROM case_status cs2 JOIN status_type st2 ON st2.id = cs2.status_type_id
             WHERE cs2.case_id = c.id ORDER BY cs2.set_at_ms DESC, st2.seq DESC LIMIT 1)
         LEFT JOIN status_type st ON st.id = cs.status_type_id
         WHERE {}
         ORDER BY c.changed_at_ms DESC, c.identifier",
        visible(reader.ceiling, reader.party)
    );
    let rows: Vec<ListRow> = sqlx::query_as(&sql)
        .bind(party_id(reader.party))
        .bind(&municipality.id)
        .bind(reader.person_id)
        .fetch_all(&db.pool)
        .await?;
    rows.into_iter()
        .map(|row| {
            let (identifier, name_nl, name_en, description, start_date, id, closed_at, changed_at) =
                (row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7);
            let (action_text, action_deadline, text_nl, text_en, seen_at) =
                (row.8, row.9, row.10, row.11, row.12);
            let type_name = pick(lang, name_nl, name_en);
            let status_text = text_nl.zip(text_en).map(|(nl, en)| pick(lang, nl, en));
            let closed = closed_at.is_some();
            let action = match (action_text, action_deadline.clone()) {
                (Some(text), Some(deadline)) if !closed => Some(ActionItem {
                    case_id: id.clone(),
                    case_identifier: identifier.clone(),
                    case_type_name: type_name.clone(),
                    text,
                    deadline,
                }),
                _ => None,
            };
            Ok(Listed {
                item: CaseListItem {
                    id,
                    identifier,
                    type_name,
                    description,
                    status_text,
                    last_change: local_date(municipality, changed_at)?,
                    start_date,
                    closed,
                    new: seen_at.is_none_or(|seen| seen < changed_at),
                    action_deadline: action.as_ref().map(|a| a.deadline.clone()),
                },
                changed_at_ms: changed_at,
                action,
            })
        })
        .collect()
}

fn pick(lang: Lang, nl: String, en: String) -> String {
    match lang {
        Lang::Nl => nl,
        Lang::En => en,
    }
}

/// How many open cases the overview lists.
const OVERVIEW_CASES: usize = 5;

/// Whether the case (by row id) is one `party` may see now; the notification worker asks this again just
/// before sending, so an update about a case that was made confidential or reassigned is dropped.
pub async fn can_see(
    db: &Db,
    municipality: &Municipality,
    party: &Party,
    case_id: &str,
) -> Result<bool, CasesError> {
    let sql = format!(
        "SELECT c.id FROM cases c JOIN case_type ct ON ct.id = c.case_type_id WHERE {} AND c.id = $3",
        visible(municipality.resident_ceiling, party)
    );
    let row: Option<(String,)> = sqlx::query_as(&sql)
        .bind(party_id(party))
        .bind(&municipality.id)
        .bind(case_id)
        .fetch_optional(&db.pool)
        .await?;
    Ok(row.is_some())
}

/// Whether `person_id` may see case `case_id` (its row id, as in `/zaken/{id}`), in their own name or as a
/// confirmed member of the organisation that started it (callers answer as if it does not exist otherwise).
pub async fn visible_to_person(
    db: &Db,
    municipality: &Municipality,
    person_id: &str,
    case_id: &str,
) -> Result<bool, CasesError> {
    let row: Option<(Option<String>,)> = sqlx::query_as(
        "SELECT initiator_organisation_id FROM cases WHERE municipality_id = $1 AND id = $2",
    )
    .bind(&municipality.id)
    .bind(case_id)
    .fetch_optional(&db.pool)
    .await?;
    let Some((organisation,)) = row else {
        return Ok(false);
    };
    let person = Party::Person(person_id.to_owned());
    if can_see(db, municipality, &person, case_id).await? {
        return Ok(true);
    }
    let Some(organisation) = organisation else {
        return Ok(false);
    };
    let member: Option<(String,)> = sqlx::query_as(
        "SELECT person_id FROM membership WHERE organisation_id = $1 AND person_id = $2
         AND confirmed_at_ms IS NOT NULL",
    )
    .bind(&organisation)
    .bind(person_id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(member.is_some()
        && can_see(
            db,
            municipality,
            &Party::Organisation(organisation),
            case_id,
        )
        .await?)
}

/// Overzicht: actions first (earliest deadline), the most recently changed open cases, recent contacts.
pub async fn overview(
    db: &Db,
    municipality: &Municipality,
    reader: &Reader<'_>,
    lang: Lang,
    acting_for: Option<String>,
) -> Result<PersonalOverview, CasesError> {
    let listed = list(db, municipality, reader, lang).await?;
    let mut actions: Vec<ActionItem> = listed.iter().filter_map(|l| l.action.clone()).collect();
    actions.sort_by(|a, b| a.deadline.cmp(&b.deadline));
    let open: Vec<CaseListItem> = listed
        .into_iter()
        .filter(|l| !l.item.closed)
        .map(|l| l.item)
        .collect();
    let see_confidential = reader.see_confidential;
    Ok(PersonalOverview {
        acting_for,
        actions,
        open_case_count: open.len(),
        open_cases: open.into_iter().take(OVERVIEW_CASES).collect(),
        recent_contacts: contacts::for_party(
            db,
            municipality,
            reader.party,
            see_confidential,
            Some(reader.ceiling),
            None,
            3,
        )
        .await?,
        unreachable: Vec::new(),
        next_appointment: None,
    })
}

/// Zaken: open or closed cases, filtered by words and sorted by the chosen column.
pub async fn cases(
    db: &Db,
    municipality: &Municipality,
    reader: &Reader<'_>,
    lang: Lang,
    query: &CaseQuery,
    acting_for: Option<String>,
) -> Result<CaseList, CasesError> {
    let listed = list(db, municipality, reader, lang).await?;
    let closed_count = listed.iter().filter(|l| l.item.closed).count();
    let open_count = listed.len() - closed_count;
    let words: Vec<String> = query
        .filter
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let mut chosen: Vec<Listed> = listed
        .into_iter()
        .filter(|l| l.item.closed == query.closed)
        .filter(|l| {
            let haystack = format!(
                "{} {} {}",
                l.item.type_name, l.item.description, l.item.identifier
            )
            .to_lowercase();
            words.iter().all(|w| haystack.contains(w.as_str()))
        })
        .collect();
    match query.sort.as_str() {
        "start" => chosen.sort_by(|a, b| a.item.start_date.cmp(&b.item.start_date)),
        "soort" => chosen.sort_by(|a, b| a.item.type_name.cmp(&b.item.type_name)),
        "nummer" => chosen.sort_by(|a, b| a.item.identifier.cmp(&b.item.identifier)),
        _ => chosen.sort_by_key(|a| a.changed_at_ms),
    }
    // Last change (the default column) is newest first, the others ascend, unless asked otherwise.
    let by_change = !matches!(query.sort.as_str(), "start" | "soort" | "nummer");
    if query.descending.unwrap_or(by_change) {
        chosen.reverse();
    }
    Ok(CaseList {
        acting_for,
        cases: chosen.into_iter().map(|l| l.item).collect(),
        open_count,
        closed_count,
    })
}

type DetailRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    i64,
    String,
);

/// Zaak detail with its merged timeline; `None` when the case is not the reader's to see (the caller answers
/// 404, so nobody learns whether the number exists). Marks the case seen by the reader at `now`.
pub async fn detail(
    db: &Db,
    municipality: &Municipality,
    reader: &Reader<'_>,
    lang: Lang,
    id: &str,
    now: Timestamp,
) -> Result<Option<CaseDetail>, CasesError> {
    let sql = format!(
        "SELECT c.identifier, ct.name_nl, ct.name_en, c.description, c.start_date, c.planned_end_date, c.closed_at_ms,
                c.result_text, c.result_explanation, c.action_text, c.action_deadline, ct.uploads_allowed,
                c.created_at_ms, c.case_type_id
         FROM cases c JOIN case_type ct ON ct.id = c.case_type_id
         WHERE {} AND c.id = $3",
        visible(reader.ceiling, reader.party)
    );
    let row: Option<DetailRow> = sqlx::query_as(&sql)
        .bind(party_id(reader.party))
        .bind(&municipality.id)
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let case_id = id;
    let (identifier, name_nl, name_en, description, start_date, planned_end_date, closed_at) =
        (row.0, row.1, row.2, row.3, row.4, row.5, row.6);
    let (result, result_explanation, action_text, action_deadline, uploads, created_at, type_id) =
        (row.7, row.8, row.9, row.10, row.11, row.12, row.13);
    let type_name = pick(lang, name_nl, name_en);

    let statuses: Vec<(i64, i64, String, String, Option<String>)> = sqlx::query_as(
        "SELECT cs.set_at_ms, st.seq, st.resident_text_nl, st.resident_text_en, cs.explanation
         FROM case_status cs JOIN status_type st ON st.id = cs.status_type_id
         WHERE cs.case_id = $1 ORDER BY cs.set_at_ms, st.seq",
    )
    .bind(case_id)
    .fetch_all(&db.pool)
    .await?;
    let reached = statuses.last().map(|s| s.1);
    let status_text = statuses
        .last()
        .map(|s| pick(lang, s.2.clone(), s.3.clone()));

    let mut timeline: Vec<(i64, TimelineItem)> = Vec::new();
    let item = |at: i64, kind: TimelineKind, title: String, text: Option<String>| {
        let zoned = local(municipality, at)?;
        Ok::<_, CasesError>((
            at,
            TimelineItem {
                date: zoned.date().to_string(),
                time: zoned.strftime("%H:%M").to_string(),
                kind,
                title,
                text,
            },
        ))
    };
    if created_at > 0 && statuses.first().is_none_or(|s| s.0 > created_at) {
        timeline.push(item(
            created_at,
            TimelineKind::Started,
            String::new(),
            None,
        )?);
    }
    for (at, _, text_nl, text_en, explanation) in statuses {
        timeline.push(item(
            at,
            TimelineKind::Status,
            pick(lang, text_nl, text_en),
            explanation,
        )?);
    }
    let see_confidential = reader.see_confidential;
    for contact in contacts::for_party(
        db,
        municipality,
        reader.party,
        see_confidential,
        Some(reader.ceiling),
        Some(case_id),
        100,
    )
    .await?
    {
        timeline.push(item(
            contact.at_ms,
            TimelineKind::Contact,
            app::api::contact_subject(lang, &contact).unwrap_or_default(),
            contact.text,
        )?);
    }
    if let (Some(closed_at), Some(result)) = (closed_at, &result) {
        timeline.push(item(
            closed_at,
            TimelineKind::Result,
            result.clone(),
            result_explanation.clone(),
        )?);
    }
    // Stable sort: at equal instants statuses keep their order and come before what was added later.
    timeline.sort_by_key(|(at, _)| *at);

    let next_step = if closed_at.is_some() {
        None
    } else {
        // The next status's own text says what has happened once it is reached ("Er is een besluit
        // genomen."); under "Wat gebeurt hierna?" she reads its upcoming text, or a general sentence.
        let next: Option<(Option<String>, Option<String>, i64)> = sqlx::query_as(
            "SELECT upcoming_text_nl, upcoming_text_en, is_end FROM status_type
             WHERE case_type_id = $1 AND seq > $2 ORDER BY seq LIMIT 1",
        )
        .bind(&type_id)
        .bind(reached.unwrap_or(0))
        .fetch_optional(&db.pool)
        .await?;
        next.map(|(nl, en, is_end)| match (nl, en) {
            (Some(nl), Some(en)) => pick(lang, nl, en),
            (Some(nl), None) => nl,
            _ if is_end == 1 => app::i18n::tr(lang, "case-next-last"),
            _ => app::i18n::tr(lang, "case-next-general"),
        })
    };

    if reader.marks_seen {
        mark_seen(db, reader.person_id, case_id, now).await?;
    }
    Ok(Some(CaseDetail {
        id: case_id.to_owned(),
        action: match (action_text, action_deadline) {
            (Some(text), Some(deadline)) if closed_at.is_none() => Some(ActionItem {
                case_id: case_id.to_owned(),
                case_identifier: identifier.clone(),
                case_type_name: type_name.clone(),
                text,
                deadline,
            }),
            _ => None,
        },
        identifier,
        type_name,
        description,
        start_date,
        planned_end_date,
        status_text,
        closed: closed_at.is_some(),
        result,
        result_explanation,
        timeline: timeline.into_iter().map(|(_, item)| item).collect(),
        next_step,
        uploads_allowed: uploads == 1,
        messages: None,
        // Filled in by the edge, which knows who sends and the upload limit.
        documents: Vec::new(),
        documents_removable: false,
        uploads_open: false,
        upload_max_bytes: 0,
    }))
}

/// Remembers that the person looked at the case now (for the "new" badge).
async fn mark_seen(
    db: &Db,
    person_id: &str,
    case_id: &str,
    now: Timestamp,
) -> Result<(), CasesError> {
    sqlx::query(
        "INSERT INTO case_seen (person_id, case_id, seen_at_ms) VALUES ($1, $2, $3)
         ON CONFLICT (person_id, case_id) DO UPDATE SET seen_at_ms = excluded.seen_at_ms",
    )
    .bind(person_id)
    .bind(case_id)
    .bind(now.as_millisecond())
    .execute(&db.pool)
    .await?;
    Ok(())
}
