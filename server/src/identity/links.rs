//! Appointment links: someone booked by the contact centre, without an account, manages that one appointment
//! from the link in the confirmation. The link carries a 128-bit token (stored hashed, valid until the
//! appointment has passed); a second check turns it into a short session scoped to that appointment only.
//! The second check is the birth date when Loket knows it, or a 6-digit code sent to where the appointment's
//! confirmation went (15 minutes, single use). Five wrong answers of either kind block the link.

use super::{from_ms, ms, secrets, IdentityError};
use crate::notifications::{self, AppointmentRef, Event, Kind};
use crate::parties::Party;
use crate::storage::Db;
use jiff::{SignedDuration, Timestamp};
use sqlx::AnyConnection;

pub const MAX_FAILED_ATTEMPTS: i64 = 5;
/// How long a code sent for a link works.
pub const CODE_VALID: SignedDuration = SignedDuration::from_mins(15);
/// A new code at most once a minute: enough for "I did not get it", useless for flooding.
const RESEND_AFTER: SignedDuration = SignedDuration::from_mins(1);
/// Codes per appointment per hour, over all its links: whoever holds a link cannot flood the resident.
pub const CODES_PER_HOUR: i64 = 5;

/// Creates the token for a confirmation message. `birth_date` (`YYYY-MM-DD`) is the second check when known;
/// without it the link opens with a code.
pub async fn issue(
    db: &Db,
    appointment_id: &str,
    birth_date: Option<&str>,
    valid_until: Timestamp,
    now: Timestamp,
) -> Result<String, IdentityError> {
    let mut conn = db.pool.acquire().await?;
    Ok(issue_in(&mut conn, appointment_id, birth_date, valid_until, now).await?)
}

/// [`issue`] inside the caller's transaction (a booking issues its links together with its messages).
pub async fn issue_in(
    conn: &mut AnyConnection,
    appointment_id: &str,
    birth_date: Option<&str>,
    valid_until: Timestamp,
    now: Timestamp,
) -> Result<String, sqlx::Error> {
    let token = secrets::short_token();
    sqlx::query(
        "INSERT INTO appointment_link (token_hash, appointment_id, birth_date, valid_until_ms, created_at_ms)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(secrets::hash(&token))
    .bind(appointment_id)
    .bind(birth_date)
    .bind(ms(valid_until))
    .bind(ms(now))
    .execute(conn)
    .await?;
    Ok(token)
}

/// Whether the appointment's service is only for signed-in residents (the catalogue's `account_required`):
/// then no link opens it, whoever booked it, and its messages lead to the card behind sign-in.
pub async fn needs_account(
    conn: &mut AnyConnection,
    appointment_id: &str,
) -> Result<bool, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT s.account_required FROM appointment a JOIN appointment_service s ON s.id = a.service_id
         WHERE a.id = $1",
    )
    .bind(appointment_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.is_some_and(|(required,)| required == 1))
}

/// What the person holding a link answers.
#[derive(Clone, Copy, Debug)]
pub enum SecondCheck<'a> {
    /// `YYYY-MM-DD`.
    BirthDate(&'a str),
    /// The 6 digits as typed (spaces allowed).
    Code(&'a str),
}

/// What a link's page offers: the birth date when Loket knows it (the code always), and whether a code sent
/// for this link still works (the page then shows where to type it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkState {
    pub birth_date_known: bool,
    pub code_waiting: bool,
}

/// The stored form of a link code: salted with the appointment (the outbox checks a code is still current
/// before it sends it, and knows the appointment, not the token).
pub fn code_hash(appointment_id: &str, code: &str) -> String {
    secrets::hash(&format!("link:{appointment_id}:{code}"))
}

type LinkRow = (
    String,
    Option<String>,
    i64,
    i64,
    Option<String>,
    Option<i64>,
);

async fn working_link(
    conn: &mut AnyConnection,
    hash: &str,
    now: Timestamp,
) -> Result<Option<LinkRow>, IdentityError> {
    let row: Option<LinkRow> = sqlx::query_as(
        "SELECT appointment_id, birth_date, valid_until_ms, failed_attempts, code_hash, code_expires_at_ms
         FROM appointment_link WHERE token_hash = $1",
    )
    .bind(hash)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    if from_ms(row.2)? <= now || row.3 >= MAX_FAILED_ATTEMPTS {
        return Ok(None);
    }
    Ok(Some(row))
}

/// [`working_link`] after a write to its row (which changes nothing), so requests for one link at once are
/// handled one after the other: the limits on codes and the block of five hold.
async fn locked_working_link(
    conn: &mut AnyConnection,
    hash: &str,
    now: Timestamp,
) -> Result<Option<LinkRow>, IdentityError> {
    sqlx::query(
        "UPDATE appointment_link SET failed_attempts = failed_attempts WHERE token_hash = $1",
    )
    .bind(hash)
    .execute(&mut *conn)
    .await?;
    working_link(conn, hash, now).await
}

/// The state of a working link; `None` for an unknown, expired or blocked one (the page then says so).
pub async fn state(
    db: &Db,
    token: &str,
    now: Timestamp,
) -> Result<Option<LinkState>, IdentityError> {
    let mut conn = db.pool.acquire().await?;
    let row = working_link(&mut conn, &secrets::hash(token.trim()), now).await?;
    Ok(row.map(|(_, birth_date, _, _, code, expires)| LinkState {
        birth_date_known: birth_date.is_some(),
        code_waiting: code.is_some() && expires.is_some_and(|at| at > ms(now)),
    }))
}

/// Sends a fresh code for a working link to where the appointment's confirmations go (the outbox picks the
/// address as for a confirmation: the appointment's own choice, else the person's). An earlier code of this
/// link stops working.
pub async fn send_code(
    db: &Db,
    municipality_id: &str,
    token: &str,
    now: Timestamp,
) -> Result<(), IdentityError> {
    let hash = secrets::hash(token.trim());
    let mut tx = db.write().await?;
    let Some((appointment_id, _, _, _, _, expires)) =
        locked_working_link(&mut tx, &hash, now).await?
    else {
        return Err(IdentityError::LinkNotValid);
    };
    if expires.is_some_and(|at| {
        at - CODE_VALID.as_millis() as i64 + RESEND_AFTER.as_millis() as i64 > ms(now)
    }) {
        return Err(IdentityError::CodeJustSent);
    }
    let (recent,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM notification_event
         WHERE kind = $1 AND appointment_id = $2 AND created_at_ms > $3",
    )
    .bind(Kind::AppointmentLinkCode.as_str())
    .bind(&appointment_id)
    .bind(ms(now - SignedDuration::from_hours(1)))
    .fetch_one(&mut *tx)
    .await?;
    if recent >= CODES_PER_HOUR {
        return Err(IdentityError::TooManyCodes);
    }
    let appointment: Option<(String, i64, i64)> =
        sqlx::query_as("SELECT person_id, sequence, start_ms FROM appointment WHERE id = $1")
            .bind(&appointment_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((person_id, sequence, start_ms)) = appointment else {
        return Err(IdentityError::LinkNotValid);
    };
    let code = secrets::six_digits();
    sqlx::query(
        "UPDATE appointment_link SET code_hash = $1, code_expires_at_ms = $2 WHERE token_hash = $3",
    )
    .bind(code_hash(&appointment_id, &code))
    .bind(ms(now + CODE_VALID))
    .bind(&hash)
    .execute(&mut *tx)
    .await?;
    let recipient = Party::Person(person_id);
    let event = Event::about_appointment(
        Kind::AppointmentLinkCode,
        format!("link-code:{appointment_id}:{}", secrets::id()),
        &recipient,
        AppointmentRef {
            id: &appointment_id,
            sequence,
            reminder: None,
        },
        now,
        from_ms(start_ms)?,
    );
    let event = Event {
        secret: Some(&code),
        ..event
    };
    notifications::emit(&mut tx, municipality_id, &event, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Checks the token and the second check; returns the appointment the link opens. An unknown, expired or
/// blocked link is `LinkNotValid`; a wrong answer on a working link counts towards the block. A code works once.
pub async fn redeem(
    db: &Db,
    token: &str,
    check: SecondCheck<'_>,
    now: Timestamp,
) -> Result<String, IdentityError> {
    let hash = secrets::hash(token.trim());
    let mut tx = db.write().await?;
    let Some((appointment_id, birth_date, _, _, code, expires)) =
        locked_working_link(&mut tx, &hash, now).await?
    else {
        return Err(IdentityError::LinkNotValid);
    };
    if needs_account(&mut tx, &appointment_id).await? {
        return Err(IdentityError::LinkNeedsAccount);
    }
    let right = match check {
        SecondCheck::BirthDate(typed) => {
            let Some(expected) = birth_date else {
                return Err(IdentityError::BirthDateUnknown);
            };
            expected == typed.trim()
        }
        SecondCheck::Code(typed) => {
            let (Some(stored), true) = (code, expires.is_some_and(|at| at > ms(now))) else {
                return Err(IdentityError::LinkCodeExpired);
            };
            let typed = secrets::typed_six_digits(typed).ok_or(IdentityError::LinkCodeWrong)?;
            secrets::same(&stored, &code_hash(&appointment_id, &typed))
        }
    };
    if !right {
        sqlx::query("UPDATE appointment_link SET failed_attempts = failed_attempts + 1 WHERE token_hash = $1")
            .bind(&hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        return Err(match check {
            SecondCheck::BirthDate(_) => IdentityError::SecondCheckFailed,
            SecondCheck::Code(_) => IdentityError::LinkCodeWrong,
        });
    }
    if matches!(check, SecondCheck::Code(_)) {
        sqlx::query("UPDATE appointment_link SET code_hash = NULL, code_expires_at_ms = NULL WHERE token_hash = $1")
            .bind(&hash)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(appointment_id)
}
