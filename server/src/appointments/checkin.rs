//! Check-in at the desk: the code on the resident's appointment card (shown as a QR code) marks her as
//! arrived. A booked appointment that ended without a check-in counts as "not checked in" in the report —
//! the no-show figure, for the desks that check in.

use super::booking::{self, Appointment, Status};
use super::AppointmentsError;
use crate::storage::Db;
use jiff::{SignedDuration, Timestamp};

/// How long before the start a resident may check in.
pub const EARLY: SignedDuration = SignedDuration::from_hours(2);

/// The code as the desk typed or scanned it: spaces and dashes dropped, letters upper case, and the
/// look-alikes of Crockford base32 read as the digits they stand for.
pub fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect()
}

/// Checks in the appointment with `code`; the appointment, and whether this was its first check-in (a second
/// scan changes nothing).
pub async fn check_in(
    db: &Db,
    municipality_id: &str,
    code: &str,
    now: Timestamp,
) -> Result<(Appointment, bool), AppointmentsError> {
    let code = normalise(code);
    let unknown = AppointmentsError::Invalid {
        field: "code",
        key: "appointment-refused-checkin-unknown",
    };
    if code.is_empty() || code.len() > 32 {
        return Err(unknown);
    }
    let found: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM appointment WHERE municipality_id = $1 AND checkin_code = $2",
    )
    .bind(municipality_id)
    .bind(&code)
    .fetch_optional(&db.pool)
    .await?;
    let (id,) = found.ok_or(unknown)?;
    let appointment = booking::get(db, municipality_id, &id).await?;
    if appointment.status == Status::Cancelled {
        return Err(AppointmentsError::Cancelled);
    }
    if now < appointment.start - EARLY {
        return Err(AppointmentsError::Invalid {
            field: "code",
            key: "appointment-refused-checkin-later",
        });
    }
    if now >= appointment.end {
        return Err(AppointmentsError::Past);
    }
    let first = sqlx::query(
        "UPDATE appointment SET checked_in_at_ms = $2 WHERE id = $1 AND checked_in_at_ms IS NULL",
    )
    .bind(&appointment.id)
    .bind(now.as_millisecond())
    .execute(&db.pool)
    .await?
    .rows_affected()
        == 1;
    Ok((appointment, first))
}

/// One line of the desk's day: the appointment, whose it is (her name), and whether she checked in.
pub struct DayLine {
    pub appointment: Appointment,
    pub name: String,
    pub checked_in: bool,
}

/// The booked appointments starting in `[from, until)` (the desk's day), soonest first: the list the desk
/// works from. Two queries whatever the length of the day: the appointments, then names and check-ins.
pub async fn starting_between(
    db: &Db,
    municipality_id: &str,
    from: Timestamp,
    until: Timestamp,
) -> Result<Vec<DayLine>, AppointmentsError> {
    let appointments = booking::booked_starting_between(db, municipality_id, from, until).await?;
    let rows: Vec<(String, Option<i64>, String)> = sqlx::query_as(
        "SELECT a.id, a.checked_in_at_ms, p.display_name FROM appointment a JOIN person p ON p.id = a.person_id
         WHERE a.municipality_id = $1 AND a.status = 'booked' AND a.start_ms >= $2 AND a.start_ms < $3",
    )
    .bind(municipality_id)
    .bind(from.as_millisecond())
    .bind(until.as_millisecond())
    .fetch_all(&db.pool)
    .await?;
    let mut who: std::collections::HashMap<String, (bool, String)> = rows
        .into_iter()
        .map(|(id, checked_in, name)| (id, (checked_in.is_some(), name)))
        .collect();
    // One cancelled between the two reads is left out rather than shown without a name.
    Ok(appointments
        .into_iter()
        .filter_map(|appointment| {
            let (checked_in, name) = who.remove(&appointment.id)?;
            Some(DayLine {
                appointment,
                name,
                checked_in,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_code_is_read_as_the_card_shows_it() {
        assert_eq!(normalise(" 7k2m-9qpa xt4b 0o1l "), "7K2M9QPAXT4B0011");
    }
}
