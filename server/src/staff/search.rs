//! The contact centre's one search box. It works out what was typed — postcode and house number (with a birth
//! date to pick one person of a household), a phone number, an e-mail address, a KvK number or a name — and
//! finds at most [`LIMIT`] residents or companies of the municipality, with just enough to pick the right one.
//! Reading the hits is a staff read of resident data: the caller audits each one.

use crate::appointments::details;
use crate::notifications::addresses;
use crate::population::{split_house_number, split_prefix, Register, Search, Task};
use crate::storage::Db;
use jiff::civil::Date;

pub const LIMIT: i64 = 20;

#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("database error: {0}")]
    Storage(#[from] sqlx::Error),
    /// The search text is not something Loket can look for; the text says what is, in Dutch (B1).
    #[error("{0}")]
    Invalid(&'static str),
    #[error(transparent)]
    Register(#[from] crate::population::RegisterError),
    #[error(transparent)]
    Audit(#[from] crate::identity::IdentityError),
}

/// What the search text turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Query {
    /// `1234 AB 5`, optionally followed by a birth date `12-4-1986`.
    Address {
        postcode: String,
        house_number: String,
        birth_date: Option<Date>,
    },
    /// A phone number, as `+31612345678`.
    Phone(String),
    Email(String),
    /// Eight digits.
    Kvk(String),
    /// Nine digits that pass the eleven test.
    Bsn(String),
    Name(String),
    /// A name followed by a birth date: `de Vries 12-4-1986`.
    NameBorn {
        name: String,
        birth_date: Date,
    },
}

const NOT_UNDERSTOOD: &str =
    "Zoek op postcode en huisnummer (met geboortedatum), naam, telefoonnummer, \
     e-mailadres of KvK-nummer. Bijvoorbeeld: 1234 AB 5 12-4-1986.";

/// Works out what `input` is.
pub fn classify(input: &str) -> Result<Query, StaffError> {
    let text = input.trim();
    if text.chars().count() < 2 || text.chars().count() > 100 {
        return Err(StaffError::Invalid(NOT_UNDERSTOOD));
    }
    if text.contains('@') {
        return addresses::normalise_email(text)
            .map(Query::Email)
            .map_err(|_| {
                StaffError::Invalid(
                    "Dit e-mailadres is niet compleet. Bijvoorbeeld: naam@voorbeeld.nl.",
                )
            });
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() == 8 && compact.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(Query::Kvk(compact));
    }
    if compact.len() == 9 && crate::parties::valid_bsn(&compact) {
        return Ok(Query::Bsn(compact));
    }
    if let Some(query) = address(text) {
        return query;
    }
    if let Some(phone) = details::phone(text) {
        return Ok(Query::Phone(phone));
    }
    let name_like = |t: &str| {
        t.chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '.'))
    };
    let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    if name_like(text) {
        return Ok(Query::Name(words(text)));
    }
    if let Some((name, date)) = text.trim_end().rsplit_once(char::is_whitespace) {
        if let Some(birth_date) = date_of(date) {
            if name_like(name) && name.trim().chars().count() >= 2 {
                return Ok(Query::NameBorn {
                    name: words(name),
                    birth_date,
                });
            }
        }
    }
    Err(StaffError::Invalid(NOT_UNDERSTOOD))
}

/// `1234 AB 5`, `1234AB 5a`, `1234 AB, 5, 12-04-1986`: `None` when the text does not start with a postcode.
fn address(text: &str) -> Option<Result<Query, StaffError>> {
    let tokens: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .collect();
    let (postcode, rest) = match tokens.as_slice() {
        [digits, letters, rest @ ..]
            if details::postcode(&format!("{digits}{letters}")).is_some() =>
        {
            (details::postcode(&format!("{digits}{letters}"))?, rest)
        }
        [both, rest @ ..] => (details::postcode(both)?, rest),
        [] => return None,
    };
    let Some((number, rest)) = rest.split_first() else {
        return Some(Err(StaffError::Invalid(
            "Typ ook het huisnummer na de postcode. Bijvoorbeeld: 1234 AB 5.",
        )));
    };
    let Some(house_number) = details::house_number(number) else {
        return Some(Err(StaffError::Invalid(
            "Dit huisnummer herkennen we niet. Bijvoorbeeld: 5 of 5a.",
        )));
    };
    let birth_date = match rest {
        [] => None,
        [date] => match date_of(date) {
            Some(date) => Some(date),
            None => {
                return Some(Err(StaffError::Invalid(
                    "Typ de geboortedatum als dag-maand-jaar. Bijvoorbeeld: 12-4-1986.",
                )))
            }
        },
        _ => return Some(Err(StaffError::Invalid(NOT_UNDERSTOOD))),
    };
    Some(Ok(Query::Address {
        postcode,
        house_number,
        birth_date,
    }))
}

/// `12-4-1986`, `12/04/1986`, `12.4.1986`.
pub(crate) fn date_of(text: &str) -> Option<Date> {
    let parts: Vec<&str> = text.split(['-', '/', '.']).collect();
    match parts.as_slice() {
        [day, month, year] => details::birth_date(day, month, year),
        _ => None,
    }
}

/// One search result: enough to pick the right person or company, nothing more.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub kind: HitKind,
    pub id: String,
    pub name: String,
    /// Persons: `YYYY-MM-DD`, when known.
    pub birth_date: Option<String>,
    /// Persons: `1234 AB 5` (or the BRP's address lines); companies: the KvK number.
    pub place: Option<String>,
    /// The BRP says her data must not be passed on to third parties (`geheimhoudingPersoonsgegevens`).
    pub secret: bool,
    /// The parts of her BRP record under investigation (`naam`, `geboorte`, `adres`, `persoon`).
    pub in_research: Vec<&'static str>,
    /// Recorded by the contact centre as told, not identified by BSN yet ("niet geverifieerd").
    pub unverified: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HitKind {
    Person,
    Organisation,
}

#[derive(sqlx::FromRow)]
struct PersonRow {
    id: String,
    display_name: String,
    birth_date: Option<String>,
    postcode: Option<String>,
    house_number: Option<String>,
    unverified_since_ms: Option<i64>,
}

/// What the search box finds for `query`: in the BRP when one is configured and the query is something it
/// finds people by ([`find_in_register`]), together with the callers Loket keeps as told that match it (the
/// BRP does not know them, so the second call finds the record of the first); otherwise Loket's own persons
/// and companies ([`find`]).
pub async fn find_anywhere(
    db: &Db,
    register: Option<&dyn Register>,
    municipality_id: &str,
    query: &Query,
    now: jiff::Timestamp,
) -> Result<Vec<Hit>, StaffError> {
    let (Some(register), Some(asked)) = (register, register_search(query)) else {
        return find(db, municipality_id, query).await;
    };
    let mut hits = find_in_register(db, register, municipality_id, &asked, now).await?;
    let told: Vec<Hit> = find(db, municipality_id, query)
        .await?
        .into_iter()
        .filter(|hit| hit.unverified && !hits.iter().any(|h| h.id == hit.id))
        .collect();
    hits.extend(told);
    Ok(hits)
}

/// The residents or companies of municipality `municipality_id` that match, by name.
pub async fn find(db: &Db, municipality_id: &str, query: &Query) -> Result<Vec<Hit>, StaffError> {
    // Persons: one condition on `p` with its parameters from `$2` on.
    let (condition, binds): (String, Vec<String>) = match query {
        Query::Kvk(number) => return organisations(db, municipality_id, number).await,
        Query::Address {
            postcode,
            house_number,
            birth_date,
        } => {
            let mut binds = vec![postcode.clone(), house_number.clone()];
            let mut condition = String::from("p.postcode = $2 AND p.house_number = $3");
            if let Some(date) = birth_date {
                condition.push_str(" AND p.birth_date = $4");
                binds.push(date.to_string());
            }
            (condition, binds)
        }
        Query::Phone(number) => (
            String::from(
                "p.id IN (SELECT person_id FROM digital_address WHERE channel = 'sms' AND value = $2)",
            ),
            vec![number.clone()],
        ),
        Query::Email(address) => (
            String::from(
                "(LOWER(p.email) = LOWER($2) OR p.id IN
                  (SELECT person_id FROM digital_address WHERE channel = 'email' AND LOWER(value) = LOWER($2)))",
            ),
            vec![address.clone()],
        ),
        Query::Bsn(bsn) => (String::from("p.bsn = $2"), vec![bsn.clone()]),
        Query::Name(name) => name_condition(name),
        Query::NameBorn { name, birth_date } => {
            let (condition, mut binds) = name_condition(name);
            binds.push(birth_date.to_string());
            (
                format!("{condition} AND p.birth_date = ${}", binds.len() + 1),
                binds,
            )
        }
    };
    let sql = format!(
        "SELECT p.id, p.display_name, p.birth_date, p.postcode, p.house_number, p.unverified_since_ms
         FROM person p
         WHERE p.municipality_id = $1 AND {condition} ORDER BY p.display_name, p.id LIMIT {LIMIT}"
    );
    let mut statement = sqlx::query_as::<_, PersonRow>(&sql).bind(municipality_id);
    for value in &binds {
        statement = statement.bind(value);
    }
    let rows = statement.fetch_all(&db.pool).await?;
    Ok(rows
        .into_iter()
        .map(|row| Hit {
            kind: HitKind::Person,
            id: row.id,
            name: row.display_name,
            birth_date: row.birth_date,
            place: row
                .postcode
                .zip(row.house_number)
                .map(|(p, n)| format!("{p} {n}")),
            secret: false,
            in_research: Vec::new(),
            unverified: row.unverified_since_ms.is_some(),
        })
        .collect())
}

/// Every word must appear in the name, in any order ("vries desiree" finds Desiree de Vries); the
/// parameters start at `$2`.
fn name_condition(name: &str) -> (String, Vec<String>) {
    let words: Vec<String> = name
        .to_lowercase()
        .split_whitespace()
        .take(5)
        .map(|w| format!("%{w}%"))
        .collect();
    let conditions: Vec<String> = (0..words.len())
        .map(|n| format!("LOWER(p.display_name) LIKE ${}", n + 2))
        .collect();
    (conditions.join(" AND "), words)
}

/// What the BRP is asked for `query`, when it is something the BRP finds people by (a BSN, postcode and
/// house number, a name with a birth date); a phone number, an e-mail address, a KvK number or a bare name
/// are Loket's own to search.
pub fn register_search(query: &Query) -> Option<Search> {
    match query {
        Query::Bsn(bsn) => Some(Search::Bsn(bsn.clone())),
        Query::Address {
            postcode,
            house_number,
            birth_date,
        } => {
            let (number, letter, addition) = split_house_number(house_number)?;
            Some(Search::Address {
                postcode: postcode.clone(),
                house_number: number,
                house_letter: letter,
                addition,
                birth_date: *birth_date,
            })
        }
        Query::NameBorn { name, birth_date } => {
            let (prefix, surname) = split_prefix(name);
            Some(Search::NameBorn {
                prefix,
                surname,
                birth_date: *birth_date,
            })
        }
        Query::Phone(_) | Query::Email(_) | Query::Kvk(_) | Query::Name(_) => None,
    }
}

/// The people the BRP finds for `search`, each as the person Loket keeps for her (made by BSN on first sight,
/// with the BRP's name and birth date where Loket had none), so the contact centre can open her card.
pub async fn find_in_register(
    db: &Db,
    register: &dyn Register,
    municipality_id: &str,
    search: &Search,
    now: jiff::Timestamp,
) -> Result<Vec<Hit>, StaffError> {
    let found = register.find(Task::FindCaller, search).await?;
    let mut conn = db.pool.acquire().await?;
    let mut hits = Vec::new();
    for resident in found.into_iter().take(LIMIT as usize) {
        let birth_date = resident
            .birth_date
            .clone()
            .filter(|d| Date::strptime("%Y-%m-%d", d).is_ok());
        // A caller recorded as she told it, now found in the BRP by name and birth date: bound, not doubled.
        if let Some(date) = &birth_date {
            let registered = crate::parties::Registered {
                bsn: &resident.bsn,
                name: &resident.name,
                birth_date: date,
            };
            crate::parties::bind_unverified(
                &mut conn,
                municipality_id,
                &registered,
                crate::parties::BoundBy::BrpSearch,
                now,
            )
            .await?;
        }
        let party = crate::parties::PartyRef {
            bsn: Some(resident.bsn.clone()),
            kvk: None,
            name: None,
        };
        let Some(id) = crate::parties::resolve(&mut conn, municipality_id, &party)
            .await?
            .person_id()
            .map(str::to_owned)
        else {
            continue;
        };
        sqlx::query(
            "UPDATE person SET display_name = CASE WHEN display_name = '' THEN $1 ELSE display_name END,
                               birth_date = COALESCE(birth_date, $2)
             WHERE id = $3",
        )
        .bind(&resident.name)
        .bind(birth_date)
        .bind(&id)
        .execute(&mut *conn)
        .await?;
        hits.push(Hit {
            kind: HitKind::Person,
            id,
            name: resident.name,
            birth_date: resident.birth_date,
            place: Some(resident.address.join(", ")).filter(|a| !a.is_empty()),
            secret: resident.secret,
            in_research: resident.in_research,
            unverified: false,
        });
    }
    Ok(hits)
}

async fn organisations(db: &Db, municipality_id: &str, kvk: &str) -> Result<Vec<Hit>, StaffError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT id, name, kvk_number FROM organisation WHERE municipality_id = $1 AND kvk_number = $2",
    )
    .bind(municipality_id)
    .bind(kvk)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, kvk)| Hit {
            kind: HitKind::Organisation,
            id,
            name,
            birth_date: None,
            place: Some(kvk),
            secret: false,
            in_research: Vec::new(),
            unverified: false,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_search_box_understands_what_was_typed() {
        assert_eq!(
            classify("1234 AB 5 12-4-1986").unwrap(),
            Query::Address {
                postcode: "1234 AB".into(),
                house_number: "5".into(),
                birth_date: Some(date(1986, 4, 12)),
            }
        );
        assert_eq!(
            classify("1234ab, 5a").unwrap(),
            Query::Address {
                postcode: "1234 AB".into(),
                house_number: "5a".into(),
                birth_date: None,
            }
        );
        assert_eq!(
            classify("06 1234 5678").unwrap(),
            Query::Phone("+31612345678".into())
        );
        assert_eq!(
            classify(" Desiree.DeVries@Example.NL ").unwrap(),
            Query::Email("Desiree.DeVries@example.nl".into())
        );
        assert_eq!(
            classify("9000 1234").unwrap(),
            Query::Kvk("90001234".into())
        );
        assert_eq!(
            classify("de  Vries").unwrap(),
            Query::Name("de Vries".into())
        );
        assert_eq!(
            classify("D'Ancona").unwrap(),
            Query::Name("D'Ancona".into())
        );
        assert_eq!(
            classify("999993653").unwrap(),
            Query::Bsn("999993653".into())
        );
        assert_eq!(
            classify("de Vries 12-4-1986").unwrap(),
            Query::NameBorn {
                name: "de Vries".into(),
                birth_date: date(1986, 4, 12)
            }
        );
    }

    #[test]
    fn what_the_search_box_cannot_use_gets_a_reason() {
        for (input, reason) in [
            ("", "Zoek op postcode"),
            ("x", "Zoek op postcode"),
            ("1234 AB", "huisnummer na de postcode"),
            ("1234 AB 5 31-2-1986", "dag-maand-jaar"),
            ("1234 AB vijf", "huisnummer herkennen"),
            ("naam@", "e-mailadres is niet compleet"),
            ("Desiree 1986", "Zoek op postcode"),
            ("%_%", "Zoek op postcode"),
        ] {
            match classify(input) {
                Err(StaffError::Invalid(message)) => {
                    assert!(message.contains(reason), "{input}: {message}")
                }
                other => panic!("{input}: {other:?}"),
            }
        }
    }
}
