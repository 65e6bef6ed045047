//! Appointment links: someone booked by the contact centre, without an account, manages that one appointment
//! from the link in the confirmation. The link carries a 128-bit token (stored hashed, valid until the
//! appointment has passed); a second check (the birth date) turns it into a short session scoped to that
//! appointment only. Five wrong birth dates block the link.

use super::{from_ms, ms, secrets, IdentityError};
use crate::storage::Db;
use jiff::Timestamp;
use sqlx::AnyConnection;

pub const MAX_FAILED_ATTEMPTS: i64 = 5;

/// Creates the token for a confirmation message. `birth_date` (`YYYY-MM-DD`) is the second check.
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

/// Checks token and birth date; returns the appointment the link opens. Every failure is `LinkNotValid`
/// except a wrong birth date on a working link, which counts towards the block.
pub async fn redeem(
    db: &Db,
    token: &str,
    birth_date: &str,
    now: Timestamp,
) -> Result<String, IdentityError> {
    let hash = secrets::hash(token.trim());
    let row: Option<(String, Option<String>, i64, i64)> = sqlx::query_as(
        "SELECT appointment_id, birth_date, valid_until_ms, failed_attempts FROM appointment_link WHERE token_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(&db.pool)
    .await?;
    let Some((appointment_id, expected, valid_until, failed)) = row else {
        return Err(IdentityError::LinkNotValid);
    };
    if from_ms(valid_until)? <= now || failed >= MAX_FAILED_ATTEMPTS {
        return Err(IdentityError::LinkNotValid);
    }
    // Without a known birth date the second check is a one-time code to the confirmation channel, which
    // arrives with notifications; until then such a link cannot be used on its own.
    let Some(expected) = expected else {
        return Err(IdentityError::LinkNotValid);
    };
    if expected != birth_date.trim() {
        sqlx::query("UPDATE appointment_link SET failed_attempts = failed_attempts + 1 WHERE token_hash = $1")
            .bind(&hash)
            .execute(&db.pool)
            .await?;
        return Err(IdentityError::SecondCheckFailed);
    }
    Ok(appointment_id)
}
