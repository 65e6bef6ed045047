//! Parties: the persons (by BSN) and organisations (by KvK number) that cases and contact moments belong to.
//! Case systems name them by number; Loket finds the record, or creates one the first time a number appears,
//! so a resident who activates their account later finds everything that was registered for them before.

use crate::identity::secrets;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

/// A party as a case system names it: exactly one of `bsn` or `kvk`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyRef {
    /// Burgerservicenummer (9 digits, passes the eleven-test).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bsn: Option<String>,
    /// KvK number (8 digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kvk: Option<String>,
    /// The organisation's trade name; used when Loket does not know the organisation yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A resolved party: the row ids Loket stores.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Party {
    Person(String),
    Organisation(String),
}

impl Party {
    pub fn person_id(&self) -> Option<&str> {
        match self {
            Party::Person(id) => Some(id),
            Party::Organisation(_) => None,
        }
    }

    pub fn organisation_id(&self) -> Option<&str> {
        match self {
            Party::Organisation(id) => Some(id),
            Party::Person(_) => None,
        }
    }
}

/// The eleven-test (elfproef) every BSN passes: 9 digits, weights 9…2 and −1, sum divisible by 11.
pub fn valid_bsn(bsn: &str) -> bool {
    let digits: Vec<i64> = bsn
        .chars()
        .filter_map(|c| c.to_digit(10).map(i64::from))
        .collect();
    if bsn.len() != 9 || digits.len() != 9 {
        return false;
    }
    let sum: i64 = digits
        .iter()
        .zip([9, 8, 7, 6, 5, 4, 3, 2, -1])
        .map(|(d, w)| d * w)
        .sum();
    sum != 0 && sum % 11 == 0
}

pub fn valid_kvk(kvk: &str) -> bool {
    kvk.len() == 8 && kvk.chars().all(|c| c.is_ascii_digit())
}

/// What is wrong with a party reference, in words for the calling system's operator; `None` when it is fine.
pub fn problem(party: &PartyRef, person_only: bool) -> Option<&'static str> {
    match (&party.bsn, &party.kvk) {
        (Some(bsn), None) if valid_bsn(bsn) => None,
        (Some(_), None) => Some("Dit is geen geldig BSN (9 cijfers, elfproef)."),
        (None, Some(_)) if person_only => Some("Hier kan alleen een persoon (BSN) staan."),
        (None, Some(kvk)) if valid_kvk(kvk) => match &party.name {
            Some(name) if name.trim().is_empty() || name.chars().count() > 200 => {
                Some("De naam van de organisatie moet 1 tot 200 tekens lang zijn.")
            }
            _ => None,
        },
        (None, Some(_)) => Some("Dit is geen geldig KvK-nummer (8 cijfers)."),
        _ => Some("Geef precies één van bsn of kvk."),
    }
}

/// The person of this municipality with BSN `bsn`, if Loket has one.
pub async fn person_by_bsn(
    conn: &mut AnyConnection,
    municipality_id: &str,
    bsn: &str,
) -> Result<Option<String>, sqlx::Error> {
    let found: Option<(String,)> =
        sqlx::query_as("SELECT id FROM person WHERE municipality_id = $1 AND bsn = $2")
            .bind(municipality_id)
            .bind(bsn)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(found.map(|(id,)| id))
}

/// Finds the party's record, creating it when the number is new. Call only with a reference [`problem`]
/// accepted.
pub async fn resolve(
    conn: &mut AnyConnection,
    municipality_id: &str,
    party: &PartyRef,
) -> Result<Party, sqlx::Error> {
    if let Some(bsn) = &party.bsn {
        if let Some(id) = person_by_bsn(conn, municipality_id, bsn).await? {
            return Ok(Party::Person(id));
        }
        // The name comes from the population register once a connection to it exists; until then it is empty.
        let id = secrets::id();
        sqlx::query(
            "INSERT INTO person (id, municipality_id, display_name, is_demo, bsn) VALUES ($1, $2, '', 0, $3)",
        )
        .bind(&id)
        .bind(municipality_id)
        .bind(bsn)
        .execute(&mut *conn)
        .await?;
        return Ok(Party::Person(id));
    }
    let kvk = party.kvk.as_deref().unwrap_or_default();
    let found: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM organisation WHERE municipality_id = $1 AND kvk_number = $2",
    )
    .bind(municipality_id)
    .bind(kvk)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((id,)) = found {
        return Ok(Party::Organisation(id));
    }
    let id = secrets::id();
    sqlx::query(
        "INSERT INTO organisation (id, municipality_id, kvk_number, name, is_demo) VALUES ($1, $2, $3, $4, 0)",
    )
    .bind(&id)
    .bind(municipality_id)
    .bind(kvk)
    .bind(party.name.as_deref().map_or(kvk, str::trim))
    .execute(&mut *conn)
    .await?;
    Ok(Party::Organisation(id))
}

/// A caller the contact centre recorded as she told it: her name and birth date, no BSN yet.
pub struct ToldCaller<'a> {
    pub name: &'a str,
    /// `YYYY-MM-DD`.
    pub birth_date: &'a str,
}

/// Records a first-time caller the BRP cannot find (or a municipality without BRP access) as told, marked
/// "niet geverifieerd", so the contact centre can book for her; [`bind_unverified`] links her BSN later.
pub async fn record_unverified(
    conn: &mut AnyConnection,
    municipality_id: &str,
    caller: &ToldCaller<'_>,
    now_ms: i64,
) -> Result<String, sqlx::Error> {
    let id = secrets::id();
    sqlx::query(
        "INSERT INTO person (id, municipality_id, display_name, is_demo, birth_date, unverified_since_ms)
         VALUES ($1, $2, $3, 0, $4, $5)",
    )
    .bind(&id)
    .bind(municipality_id)
    .bind(caller.name)
    .bind(caller.birth_date)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// What bound a caller kept as told to her BSN, as her activity log names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoundBy {
    DigidSignIn,
    BrpSearch,
}

impl BoundBy {
    fn data_kind(self) -> &'static str {
        match self {
            BoundBy::DigidSignIn => "bound-digid",
            BoundBy::BrpSearch => "bound-brp",
        }
    }
}

/// The BRP's name and birth date (`YYYY-MM-DD`) for a BSN.
pub struct Registered<'a> {
    pub bsn: &'a str,
    pub name: &'a str,
    pub birth_date: &'a str,
}

/// Binds the BSN to the one unverified person recorded with exactly the BRP's name (letter case and spaces
/// aside) and birth date, when no person has that BSN yet, and writes it to her activity log. Two or more
/// such records, or none, bind nothing (a wrong link would show one person another's appointments); the
/// contact centre sees those as unverified still. Returns the person bound.
pub async fn bind_unverified(
    conn: &mut AnyConnection,
    municipality_id: &str,
    registered: &Registered<'_>,
    by: BoundBy,
    now: jiff::Timestamp,
) -> Result<Option<String>, crate::identity::IdentityError> {
    let Registered {
        bsn,
        name,
        birth_date,
    } = *registered;
    if person_by_bsn(conn, municipality_id, bsn).await?.is_some() {
        return Ok(None);
    }
    let told: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, display_name FROM person
         WHERE municipality_id = $1 AND bsn IS NULL AND unverified_since_ms IS NOT NULL AND birth_date = $2",
    )
    .bind(municipality_id)
    .bind(birth_date)
    .fetch_all(&mut *conn)
    .await?;
    let same = |a: &str| {
        a.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let matching: Vec<&String> = told
        .iter()
        .filter(|(_, told)| same(told) == same(name))
        .map(|(id, _)| id)
        .collect();
    let [id] = matching.as_slice() else {
        return Ok(None);
    };
    // Only while still unverified: two sign-ins at once bind once.
    let bound = sqlx::query(
        "UPDATE person SET bsn = $1, unverified_since_ms = NULL
         WHERE id = $2 AND bsn IS NULL AND unverified_since_ms IS NOT NULL",
    )
    .bind(bsn)
    .bind(*id)
    .execute(&mut *conn)
    .await?;
    if bound.rows_affected() != 1 {
        return Ok(None);
    }
    use crate::identity::audit;
    let entry = audit::Entry {
        subject_person_id: Some(id.as_str()),
        data_kind: Some(by.data_kind()),
        ..Default::default()
    };
    audit::record(
        &mut *conn,
        municipality_id,
        audit::Event::Bound,
        &entry,
        now,
    )
    .await?;
    Ok(Some((*id).clone()))
}

/// What the contact centre's card shows of a person at the top: her name, birth date and place.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonHeading {
    pub display_name: String,
    pub birth_date: Option<String>,
    pub postcode: Option<String>,
    pub house_number: Option<String>,
    /// Recorded by the contact centre as she told it, not identified by BSN yet ("niet geverifieerd").
    pub unverified_since_ms: Option<i64>,
}

/// Person `id` of this municipality's heading, if she is one of its residents.
pub async fn person_heading(
    db: &crate::storage::Db,
    municipality_id: &str,
    id: &str,
) -> Result<Option<PersonHeading>, sqlx::Error> {
    sqlx::query_as(
        "SELECT display_name, birth_date, postcode, house_number, unverified_since_ms FROM person
         WHERE id = $1 AND municipality_id = $2",
    )
    .bind(id)
    .bind(municipality_id)
    .fetch_optional(&db.pool)
    .await
}

/// Whether person `id` is a resident of this municipality.
pub async fn person_exists(
    db: &crate::storage::Db,
    municipality_id: &str,
    id: &str,
) -> Result<bool, sqlx::Error> {
    let found: Option<(String,)> =
        sqlx::query_as("SELECT id FROM person WHERE id = $1 AND municipality_id = $2")
            .bind(id)
            .bind(municipality_id)
            .fetch_optional(&db.pool)
            .await?;
    Ok(found.is_some())
}

/// What the staff API's person view shows: her name, BSN and whether she has an account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonSummary {
    pub display_name: String,
    pub bsn: Option<String>,
    pub account_id: Option<String>,
}

pub async fn person_summary(
    db: &crate::storage::Db,
    municipality_id: &str,
    id: &str,
) -> Result<Option<PersonSummary>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.display_name, p.bsn, a.id AS account_id FROM person p
         LEFT JOIN account a ON a.person_id = p.id
         WHERE p.id = $1 AND p.municipality_id = $2",
    )
    .bind(id)
    .bind(municipality_id)
    .fetch_optional(&db.pool)
    .await
}

/// Person `id`'s name, if she is a resident of this municipality.
pub async fn person_name(
    db: &crate::storage::Db,
    municipality_id: &str,
    id: &str,
) -> Result<Option<String>, sqlx::Error> {
    let name: Option<(String,)> =
        sqlx::query_as("SELECT display_name FROM person WHERE id = $1 AND municipality_id = $2")
            .bind(id)
            .bind(municipality_id)
            .fetch_optional(&db.pool)
            .await?;
    Ok(name.map(|(name,)| name))
}

/// Person `id`'s BSN, if she is a resident of this municipality Loket knows one of.
pub async fn person_bsn(
    db: &crate::storage::Db,
    municipality_id: &str,
    id: &str,
) -> Result<Option<String>, sqlx::Error> {
    let bsn: Option<(Option<String>,)> =
        sqlx::query_as("SELECT bsn FROM person WHERE id = $1 AND municipality_id = $2")
            .bind(id)
            .bind(municipality_id)
            .fetch_optional(&db.pool)
            .await?;
    Ok(bsn.and_then(|(bsn,)| bsn))
}

/// An organisation of this municipality: its name and KvK number.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrganisationSummary {
    pub name: String,
    pub kvk_number: String,
}

pub async fn organisation_summary(
    db: &crate::storage::Db,
    municipality_id: &str,
    id: &str,
) -> Result<Option<OrganisationSummary>, sqlx::Error> {
    sqlx::query_as(
        "SELECT name, kvk_number FROM organisation WHERE id = $1 AND municipality_id = $2",
    )
    .bind(id)
    .bind(municipality_id)
    .fetch_optional(&db.pool)
    .await
}

/// Whether person `person_id` is a member of organisation `organisation_id` of this municipality (as the
/// back office registered it).
pub async fn is_member(
    db: &crate::storage::Db,
    municipality_id: &str,
    organisation_id: &str,
    person_id: &str,
) -> Result<bool, sqlx::Error> {
    let member: Option<(String,)> = sqlx::query_as(
        "SELECT m.person_id FROM membership m JOIN organisation o ON o.id = m.organisation_id
         WHERE m.organisation_id = $1 AND m.person_id = $2 AND o.municipality_id = $3",
    )
    .bind(organisation_id)
    .bind(person_id)
    .bind(municipality_id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(member.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eleven_test_accepts_test_bsns_and_refuses_typos() {
        assert!(valid_bsn("999993653"));
        assert!(valid_bsn("111222333"));
        assert!(!valid_bsn("999993654"));
        assert!(!valid_bsn("12345678"));
        assert!(!valid_bsn("00000000a"));
        assert!(!valid_bsn("000000000"));
    }

    #[test]
    fn a_party_names_exactly_one_number() {
        let both = PartyRef {
            bsn: Some("999993653".into()),
            kvk: Some("90001234".into()),
            name: None,
        };
        assert!(problem(&both, false).is_some());
        let company = PartyRef {
            bsn: None,
            kvk: Some("90001234".into()),
            name: None,
        };
        assert_eq!(problem(&company, false), None);
        assert!(problem(&company, true).is_some());
    }
}
