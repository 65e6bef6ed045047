//! Cases (zaken), after the Dutch ZGW concepts so an Open Zaak adapter can be a mapping later:
//! [`intake`] is what case systems put in through `/api/v1` (case types, cases, statuses, action required,
//! results), [`resident`] is what a resident (or an organisation's member) sees of them.

pub mod intake;
pub mod resident;

use crate::storage::{Db, StorageError};
use crate::tenancy::Municipality;
use app::api::{CaseSummary, DemoOverview, LocationView, OpeningLine};
use app::i18n::Lang;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum CasesError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("stored instant {0} is out of range")]
    BadInstant(i64),
    /// The request names fields that are wrong; each problem says which and why (Dutch, for the operator).
    #[error("invalid request ({} fields)", .0.len())]
    Invalid(Vec<FieldProblem>),
    #[error("no such case")]
    NotFound,
    /// The caller's identifier was used before with other data, or the case no longer allows the change.
    #[error("conflict: {0}")]
    Conflict(&'static str),
}

impl From<sqlx::Error> for CasesError {
    fn from(e: sqlx::Error) -> Self {
        CasesError::Storage(StorageError::Query(e))
    }
}

/// One wrong field of a request: its JSON path and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

/// Collects field problems, so a caller learns everything that is wrong in one answer.
#[derive(Default)]
pub(crate) struct Problems(Vec<FieldProblem>);

impl Problems {
    pub(crate) fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldProblem {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Adds a problem when `text` (trimmed) is empty or longer than `max` characters.
    pub(crate) fn text(&mut self, field: &str, text: &str, max: usize) {
        let length = text.trim().chars().count();
        if length == 0 || length > max {
            self.add(field, format!("Vul 1 tot {max} tekens in."));
        }
    }

    /// Adds a problem when `value` is not a caller's identifier ([`valid_identifier`]).
    pub(crate) fn identifier(&mut self, field: &str, value: &str) {
        if !valid_identifier(value) {
            self.add(
                field,
                "Gebruik 1 tot 64 tekens: letters, cijfers, punt, liggend streepje of streepje.",
            );
        }
    }

    pub(crate) fn finish(self) -> Result<(), CasesError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(CasesError::Invalid(self.0))
        }
    }
}

/// A caller's own identifier: 1 to 64 of `A-Z a-z 0-9 . _ -` (it appears in paths).
pub(crate) fn valid_identifier(value: &str) -> bool {
    (1..=64).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// ZGW's vertrouwelijkheidaanduiding, from least to most confidential.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidentiality {
    Openbaar,
    BeperktOpenbaar,
    Intern,
    Zaakvertrouwelijk,
    Vertrouwelijk,
    Confidentieel,
    Geheim,
    ZeerGeheim,
}

impl Confidentiality {
    pub const ALL: [Confidentiality; 8] = [
        Confidentiality::Openbaar,
        Confidentiality::BeperktOpenbaar,
        Confidentiality::Intern,
        Confidentiality::Zaakvertrouwelijk,
        Confidentiality::Vertrouwelijk,
        Confidentiality::Confidentieel,
        Confidentiality::Geheim,
        Confidentiality::ZeerGeheim,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Confidentiality::Openbaar => "openbaar",
            Confidentiality::BeperktOpenbaar => "beperkt_openbaar",
            Confidentiality::Intern => "intern",
            Confidentiality::Zaakvertrouwelijk => "zaakvertrouwelijk",
            Confidentiality::Vertrouwelijk => "vertrouwelijk",
            Confidentiality::Confidentieel => "confidentieel",
            Confidentiality::Geheim => "geheim",
            Confidentiality::ZeerGeheim => "zeer_geheim",
        }
    }

    pub fn parse(value: &str) -> Option<Confidentiality> {
        Self::ALL.into_iter().find(|c| c.as_str() == value)
    }

    /// The SQL list of levels up to and including `self`, for `confidentiality IN (…)`. Only fixed words.
    pub(crate) fn up_to_sql(self) -> String {
        Self::ALL
            .into_iter()
            .filter(|c| *c <= self)
            .map(|c| format!("'{}'", c.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The calendar date of a stored instant in the municipality's time zone.
pub(crate) fn local_date(municipality: &Municipality, at_ms: i64) -> Result<String, CasesError> {
    Ok(local(municipality, at_ms)?.date().to_string())
}

/// A stored instant in the municipality's time zone.
pub(crate) fn local(municipality: &Municipality, at_ms: i64) -> Result<jiff::Zoned, CasesError> {
    let instant =
        jiff::Timestamp::from_millisecond(at_ms).map_err(|_| CasesError::BadInstant(at_ms))?;
    Ok(instant.to_zoned(municipality.time_zone.clone()))
}

type CaseRow = (String, String, String, String, String, i64, i64);

/// The demo resident's cases (never internal case types) and the municipality's locations, as the overview
/// page shows them in demo mode. `None` when no demo resident exists.
pub async fn demo_overview(
    db: &Db,
    municipality: &Municipality,
    lang: Lang,
) -> Result<Option<DemoOverview>, CasesError> {
    let person: Option<(String, String)> = sqlx::query_as(
        "SELECT id, display_name FROM person WHERE municipality_id = $1 AND is_demo = 1 ORDER BY id LIMIT 1",
    )
    .bind(&municipality.id)
    .fetch_optional(&db.pool)
    .await?;
    let Some((person_id, resident_name)) = person else {
        return Ok(None);
    };
    let rows: Vec<CaseRow> = sqlx::query_as(
        "SELECT c.identifier, ct.name_nl, ct.name_en, st.resident_text_nl, st.resident_text_en, cs.set_at_ms, st.is_end
         FROM cases c
         JOIN case_type ct ON ct.id = c.case_type_id
         JOIN case_status cs ON cs.case_id = c.id
         JOIN status_type st ON st.id = cs.status_type_id
         WHERE c.initiator_person_id = $1 AND c.municipality_id = $2 AND ct.internal = 0
           AND cs.set_at_ms = (SELECT MAX(s2.set_at_ms) FROM case_status s2 WHERE s2.case_id = c.id)
         ORDER BY cs.set_at_ms DESC, c.identifier",
    )
    .bind(&person_id)
    .bind(&municipality.id)
    .fetch_all(&db.pool)
    .await?;
    let mut cases = Vec::with_capacity(rows.len());
    for (identifier, name_nl, name_en, text_nl, text_en, set_at_ms, is_end) in rows {
        let (type_name, status_text) = match lang {
            Lang::Nl => (name_nl, text_nl),
            Lang::En => (name_en, text_en),
        };
        cases.push(CaseSummary {
            identifier,
            type_name,
            status_text,
            status_since: local_date(municipality, set_at_ms)?,
            closed: is_end == 1,
        });
    }
    Ok(Some(DemoOverview {
        resident_name,
        cases,
        locations: locations(db, municipality).await?,
    }))
}

async fn locations(db: &Db, municipality: &Municipality) -> Result<Vec<LocationView>, CasesError> {
    let locations: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT id, name, street, postcode, city FROM location WHERE municipality_id = $1 ORDER BY name",
    )
    .bind(&municipality.id)
    .fetch_all(&db.pool)
    .await?;
    let hours: Vec<(String, i64, String, String)> = sqlx::query_as(
        "SELECT oh.location_id, oh.weekday, oh.opens, oh.closes
         FROM opening_hours oh JOIN location l ON l.id = oh.location_id
         WHERE l.municipality_id = $1
         ORDER BY oh.weekday, oh.opens",
    )
    .bind(&municipality.id)
    .fetch_all(&db.pool)
    .await?;
    Ok(locations
        .into_iter()
        .map(|(id, name, street, postcode, city)| {
            let opening_hours = (1u8..=7)
                .map(|weekday| {
                    let spans: Vec<String> = hours
                        .iter()
                        .filter(|(loc, day, _, _)| *loc == id && *day == i64::from(weekday))
                        .map(|(_, _, opens, closes)| format!("{opens}–{closes}"))
                        .collect();
                    OpeningLine {
                        weekday,
                        hours: (!spans.is_empty()).then(|| spans.join(", ")),
                    }
                })
                .collect();
            LocationView {
                name,
                street,
                postcode_city: format!("{postcode} {city}"),
                opening_hours,
            }
        })
        .collect())
}
