//! Server-side sessions in the database, so several instances share them. The cookie holds a random 256-bit
//! id; the table holds its SHA-256. A session ends after 15 minutes without activity or 12 hours after sign-in,
//! whichever comes first; every sign-in creates a new id.

use super::{from_ms, ms, secrets, IdentityError};
use crate::storage::Db;
use jiff::{SignedDuration, Timestamp};

pub const IDLE_TIMEOUT: SignedDuration = SignedDuration::from_mins(15);
pub const ABSOLUTE_LIFETIME: SignedDuration = SignedDuration::from_hours(12);
/// Removing a passkey needs a sign-in this recent.
pub const RECENT_SIGN_IN: SignedDuration = SignedDuration::from_mins(5);
/// Activity within this interval does not rewrite `last_seen_at_ms` (fewer writes, same timeout to the minute).
const TOUCH_INTERVAL: SignedDuration = SignedDuration::from_secs(20);

/// How the identity behind a session was established. An external identity provider (DigiD, eHerkenning via an
/// OIDC broker) adds its own method; routes check [`Assurance`], not the method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// A passkey bound to the account by an activation code.
    Passkey,
    /// An appointment link plus a second check (birth date or one-time code).
    AppointmentLink,
    /// DigiD, through the configured OpenID Connect broker ([`super::doors`]).
    Digid,
    /// eHerkenning, through its broker: the acting person for a company.
    Eherkenning,
    /// eIDAS, through its broker: an EU citizen with her own country's means.
    Eidas,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Passkey => "passkey",
            Method::AppointmentLink => "appointment-link",
            Method::Digid => "digid",
            Method::Eherkenning => "eherkenning",
            Method::Eidas => "eidas",
        }
    }

    fn parse(value: &str) -> Option<Method> {
        match value {
            "passkey" => Some(Method::Passkey),
            "appointment-link" => Some(Method::AppointmentLink),
            "digid" => Some(Method::Digid),
            "eherkenning" => Some(Method::Eherkenning),
            "eidas" => Some(Method::Eidas),
            _ => None,
        }
    }
}

/// eIDAS-style assurance levels, ordered: a route that needs `Substantial` accepts `High` too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Assurance {
    Low,
    Substantial,
    High,
}

impl Assurance {
    pub fn as_str(self) -> &'static str {
        match self {
            Assurance::Low => "laag",
            Assurance::Substantial => "substantieel",
            Assurance::High => "hoog",
        }
    }

    pub fn parse(value: &str) -> Option<Assurance> {
        match value {
            "laag" => Some(Assurance::Low),
            "substantieel" => Some(Assurance::Substantial),
            "hoog" => Some(Assurance::High),
            _ => None,
        }
    }
}

/// Whom a session is for: an account, or one appointment (link access without an account).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    Account(String),
    Appointment(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub id_hash: String,
    pub municipality_id: String,
    pub subject: Subject,
    /// The organisation a member person currently acts for.
    pub acting_as: Option<String>,
    /// The person whose own pages a staff member is looking at ("Bekijk als inwoner"), read-only.
    pub previewing: Option<String>,
    /// DigiD Machtigen: the person the signed-in person represents in this session (her pages, read-only).
    pub represented: Option<String>,
    pub method: Method,
    pub assurance: Assurance,
    pub authenticated_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
}

impl Session {
    /// When the session ends if nothing else happens.
    pub fn ends_at(&self) -> Timestamp {
        (self.last_seen_at + IDLE_TIMEOUT).min(self.expires_at)
    }

    pub fn signed_in_recently(&self, now: Timestamp) -> bool {
        now.duration_since(self.authenticated_at) <= RECENT_SIGN_IN
    }

    /// Routes state the assurance they need; an identity established more weakly is refused (the seam for
    /// DigiD/eHerkenning levels later).
    pub fn require(&self, needed: Assurance) -> Result<(), IdentityError> {
        if self.assurance >= needed {
            Ok(())
        } else {
            Err(IdentityError::AssuranceTooLow)
        }
    }

    pub fn account_id(&self) -> Option<&str> {
        match &self.subject {
            Subject::Account(id) => Some(id),
            Subject::Appointment(_) => None,
        }
    }
}

/// The outcome of looking up a session cookie.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    Active(Box<Session>),
    /// The cookie named a session that timed out (or was ended elsewhere): the visitor gets told so.
    Ended,
}

/// Starts a session; returns the cookie value (the only place the raw id exists) and the session.
pub async fn start(
    db: &Db,
    municipality_id: &str,
    subject: Subject,
    method: Method,
    assurance: Assurance,
    now: Timestamp,
) -> Result<(String, Session), IdentityError> {
    let token = secrets::token();
    let session = Session {
        id_hash: secrets::hash(&token),
        municipality_id: municipality_id.to_owned(),
        subject,
        acting_as: None,
        previewing: None,
        represented: None,
        method,
        assurance,
        authenticated_at: now,
        last_seen_at: now,
        expires_at: now + ABSOLUTE_LIFETIME,
    };
    let (account_id, appointment_id) = match &session.subject {
        Subject::Account(id) => (Some(id.as_str()), None),
        Subject::Appointment(id) => (None, Some(id.as_str())),
    };
    sqlx::query(
        "INSERT INTO session (id_hash, municipality_id, account_id, appointment_id, method, assurance,
                              created_at_ms, authenticated_at_ms, last_seen_at_ms, expires_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7, $8)",
    )
    .bind(&session.id_hash)
    .bind(municipality_id)
    .bind(account_id)
    .bind(appointment_id)
    .bind(method.as_str())
    .bind(assurance.as_str())
    .bind(ms(now))
    .bind(ms(session.expires_at))
    .execute(&db.pool)
    .await?;
    Ok((token, session))
}

type SessionRow = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    i64,
    i64,
    i64,
);

/// Looks up the session a cookie names, ends it when it timed out, and records the activity.
pub async fn resume(db: &Db, token: &str, now: Timestamp) -> Result<Option<Lookup>, IdentityError> {
    let id_hash = secrets::hash(token);
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT municipality_id, account_id, appointment_id, acting_as, preview_person_id, represented_person_id,
                method, assurance, authenticated_at_ms, last_seen_at_ms, expires_at_ms
         FROM session WHERE id_hash = $1",
    )
    .bind(&id_hash)
    .fetch_optional(&db.pool)
    .await?;
    let Some((
        municipality_id,
        account_id,
        appointment_id,
        acting_as,
        previewing,
        represented,
        method,
        assurance,
        auth,
        seen,
        expires,
    )) = row
    else {
        return Ok(looks_like_token(token).then_some(Lookup::Ended));
    };
    let subject = match (account_id, appointment_id) {
        (Some(account), _) => Subject::Account(account),
        (None, Some(appointment)) => Subject::Appointment(appointment),
        (None, None) => return Err(IdentityError::Corrupt(String::from("session subject"))),
    };
    let mut session = Session {
        id_hash,
        municipality_id,
        subject,
        acting_as,
        previewing,
        represented,
        method: Method::parse(&method)
            .ok_or_else(|| IdentityError::Corrupt(String::from("session method")))?,
        assurance: Assurance::parse(&assurance)
            .ok_or_else(|| IdentityError::Corrupt(String::from("session assurance")))?,
        authenticated_at: from_ms(auth)?,
        last_seen_at: from_ms(seen)?,
        expires_at: from_ms(expires)?,
    };
    if session.ends_at() <= now {
        end(db, token).await?;
        return Ok(Some(Lookup::Ended));
    }
    if now.duration_since(session.last_seen_at) >= TOUCH_INTERVAL {
        sqlx::query("UPDATE session SET last_seen_at_ms = $1 WHERE id_hash = $2")
            .bind(ms(now))
            .bind(&session.id_hash)
            .execute(&db.pool)
            .await?;
        session.last_seen_at = now;
    }
    Ok(Some(Lookup::Active(Box::new(session))))
}

/// A cookie value Loket could have issued (43 URL-safe base64 characters); anything else is ignored, not
/// reported as an ended session.
fn looks_like_token(value: &str) -> bool {
    value.len() == 43
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// "Blijf ingelogd": counts as activity now, whatever the touch interval.
pub async fn extend(db: &Db, session: &mut Session, now: Timestamp) -> Result<(), IdentityError> {
    sqlx::query("UPDATE session SET last_seen_at_ms = $1 WHERE id_hash = $2")
        .bind(ms(now))
        .bind(&session.id_hash)
        .execute(&db.pool)
        .await?;
    session.last_seen_at = now;
    Ok(())
}

pub async fn end(db: &Db, token: &str) -> Result<(), IdentityError> {
    sqlx::query("DELETE FROM session WHERE id_hash = $1")
        .bind(secrets::hash(token))
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Keeps the company branch (vestigingsnummer) an eHerkenning sign-in named with the session it opened.
pub async fn keep_branch(
    db: &Db,
    id_hash: &str,
    branch: Option<&str>,
) -> Result<(), IdentityError> {
    sqlx::query("UPDATE session SET acting_branch = $1 WHERE id_hash = $2")
        .bind(branch)
        .bind(id_hash)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// DigiD Machtigen: this session acts for person `person_id` (the broker said so at sign-in).
pub async fn represent(
    db: &Db,
    session: &mut Session,
    person_id: &str,
) -> Result<(), IdentityError> {
    sqlx::query("UPDATE session SET represented_person_id = $1 WHERE id_hash = $2")
        .bind(person_id)
        .bind(&session.id_hash)
        .execute(&db.pool)
        .await?;
    session.represented = Some(person_id.to_owned());
    Ok(())
}

/// "Overal uitloggen": ends every session of the account, on every device.
pub async fn end_all(db: &Db, account_id: &str) -> Result<u64, IdentityError> {
    let done = sqlx::query("DELETE FROM session WHERE account_id = $1")
        .bind(account_id)
        .execute(&db.pool)
        .await?;
    Ok(done.rows_affected())
}

/// Switches the organisation a member acts for (`None`: as themselves). The caller checks membership.
pub async fn act_as(
    db: &Db,
    session: &mut Session,
    organisation_id: Option<&str>,
) -> Result<(), IdentityError> {
    sqlx::query("UPDATE session SET acting_as = $1 WHERE id_hash = $2")
        .bind(organisation_id)
        .bind(&session.id_hash)
        .execute(&db.pool)
        .await?;
    session.acting_as = organisation_id.map(str::to_owned);
    Ok(())
}

/// Starts (`Some`) or stops (`None`) showing a person's own pages in this staff session. The caller checks
/// that the staff member may serve that person.
pub async fn preview(
    db: &Db,
    session: &mut Session,
    person_id: Option<&str>,
) -> Result<(), IdentityError> {
    sqlx::query("UPDATE session SET preview_person_id = $1 WHERE id_hash = $2")
        .bind(person_id)
        .bind(&session.id_hash)
        .execute(&db.pool)
        .await?;
    session.previewing = person_id.map(str::to_owned);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(authenticated: &str, seen: &str) -> Session {
        let authenticated_at: Timestamp = authenticated.parse().unwrap();
        Session {
            id_hash: String::new(),
            municipality_id: String::new(),
            subject: Subject::Account(String::from("a")),
            acting_as: None,
            previewing: None,
            represented: None,
            method: Method::Passkey,
            assurance: Assurance::Substantial,
            authenticated_at,
            last_seen_at: seen.parse().unwrap(),
            expires_at: authenticated_at + ABSOLUTE_LIFETIME,
        }
    }

    #[test]
    fn a_session_ends_fifteen_minutes_after_the_last_activity() {
        let s = session("2026-03-03T09:00:00Z", "2026-03-03T09:10:00Z");
        assert_eq!(s.ends_at().to_string(), "2026-03-03T09:25:00Z");
    }

    #[test]
    fn a_session_never_outlives_twelve_hours_after_sign_in() {
        let s = session("2026-03-03T09:00:00Z", "2026-03-03T20:55:00Z");
        assert_eq!(s.ends_at().to_string(), "2026-03-03T21:00:00Z");
    }

    #[test]
    fn a_route_refuses_a_session_below_the_level_it_needs() {
        let mut s = session("2026-03-03T09:00:00Z", "2026-03-03T09:00:00Z");
        assert!(s.require(Assurance::Substantial).is_ok());
        s.assurance = Assurance::Low;
        assert!(matches!(
            s.require(Assurance::Substantial),
            Err(IdentityError::AssuranceTooLow)
        ));
        assert!(s.require(Assurance::Low).is_ok());
    }

    #[test]
    fn assurance_levels_are_ordered() {
        assert!(
            Assurance::High > Assurance::Substantial && Assurance::Substantial > Assurance::Low
        );
    }

    #[test]
    fn only_well_formed_cookie_values_count_as_ended_sessions() {
        assert!(looks_like_token(&secrets::token()));
        assert!(!looks_like_token("x"));
    }
}
