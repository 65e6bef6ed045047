//! What the contact centre's card of one resident reads beyond her profile: her cases (redacted by the role
//! matrix, [`crate::authorization::staff_level`]) and the notices that matter while she is on the phone.

use super::search::StaffError;
use crate::cases::Confidentiality;
use crate::storage::Db;
use jiff::{SignedDuration, Timestamp};

/// One of her cases as the card shows it; `confidential` ones are shown as "there is a case" to roles that
/// may know THAT, not WHAT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardCase {
    /// Loket's own id (reveals nothing; the contact form links a contact with it).
    pub id: String,
    pub identifier: String,
    pub type_name: String,
    /// The case system's name of the current status (`None` before the first status).
    pub status: Option<String>,
    /// `YYYY-MM-DD`.
    pub start_date: String,
    pub closed: bool,
    /// Above `zaakvertrouwelijk`, or of an internal type (signals, the social domain's own work).
    pub confidential: bool,
}

type CaseRow = (
    String,
    String,
    String,
    Option<String>,
    String,
    Option<i64>,
    String,
    i64,
);

/// Her cases (as initiator or co-initiator), newest first.
pub async fn cases_of(
    db: &Db,
    municipality_id: &str,
    person_id: &str,
) -> Result<Vec<CardCase>, StaffError> {
    let rows: Vec<CaseRow> = sqlx::query_as(
        "SELECT c.id, c.identifier, ct.name_nl,
                (SELECT st.description FROM case_status cs JOIN status_type st ON st.id = cs.status_type_id
                 WHERE cs.case_id = c.id ORDER BY cs.set_at_ms DESC, st.seq DESC LIMIT 1),
                c.start_date, c.closed_at_ms, c.confidentiality, ct.internal
         FROM cases c JOIN case_type ct ON ct.id = c.case_type_id
         WHERE c.municipality_id = $1
           AND (c.initiator_person_id = $2
                OR EXISTS (SELECT 1 FROM case_role r WHERE r.case_id = c.id AND r.person_id = $2))
         ORDER BY c.start_date DESC, c.identifier",
    )
    .bind(municipality_id)
    .bind(person_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, identifier, type_name, status, start_date, closed_at, level, internal)| {
                CardCase {
                    id,
                    identifier,
                    type_name,
                    status,
                    start_date,
                    closed: closed_at.is_some(),
                    // An unknown level counts as the most confidential.
                    confidential: internal == 1
                        || Confidentiality::parse(&level)
                            .is_none_or(|level| level > Confidentiality::Zaakvertrouwelijk),
                }
            },
        )
        .collect())
}

/// Something the employee should know before helping her, shown in a dialog when the card opens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// Messages of some kind go to an address she chose that is not her first one.
    ChosenAddress { label: String },
    /// The last message to this address could not be delivered.
    AddressFailing { label: String },
    /// A booked appointment within [`SOON`].
    AppointmentSoon {
        service: String,
        date: String,
        time: String,
    },
    /// Several contacts in the last seven days.
    ContactsThisWeek { count: i64 },
}

/// How far ahead an appointment counts as "soon" for the notices.
pub const SOON: SignedDuration = SignedDuration::from_hours(7 * 24);
/// From this many contacts in seven days on, the card says so.
pub const MANY_CONTACTS: i64 = 2;

/// The contacts-per-week notice, when `count` contacts since a week before `now` are many.
pub fn contacts_notice(count: i64) -> Option<Notice> {
    (count >= MANY_CONTACTS).then_some(Notice::ContactsThisWeek { count })
}

/// Whether an appointment booked from `start` is soon enough for a notice at `now`.
pub fn soon(start: Timestamp, now: Timestamp) -> bool {
    start > now && start <= now + SOON
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_contact_a_week_is_normal_two_is_worth_a_notice() {
        assert_eq!(contacts_notice(0), None);
        assert_eq!(contacts_notice(1), None);
        assert_eq!(
            contacts_notice(3),
            Some(Notice::ContactsThisWeek { count: 3 })
        );
    }

    #[test]
    fn appointments_in_the_coming_week_are_soon_past_and_later_ones_not() {
        let now: Timestamp = "2026-11-23T09:00:00Z".parse().unwrap();
        assert!(soon(now + SignedDuration::from_hours(20), now));
        assert!(soon(now + SOON, now));
        assert!(!soon(now + SOON + SignedDuration::from_secs(1), now));
        assert!(!soon(now - SignedDuration::from_secs(1), now));
    }
}
