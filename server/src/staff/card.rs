//! What the contact centre's card of one resident reads beyond her profile: her cases (redacted by the role
//! matrix, [`crate::authorization::staff_level`]) and the notices that matter while she is on the phone.

use super::search::StaffError;
use crate::authorization::{staff_level, DataKind, Level};
use crate::cases::Confidentiality;
use crate::identity::accounts::StaffRole;
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

/// What one staff role sees on a resident's card, decided once from the role matrix ([`staff_level`]) so the
/// card's read model asks this instead of spelling out the redaction itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sight {
    role: StaffRole,
}

/// How much of one case the card shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseSight {
    /// That there is a case (since when, open or closed), not what it is.
    That,
    /// Its number, type and status.
    What,
}

/// Which contact moments the card lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContactSight {
    /// Contacts marked confidential are shown with their text.
    pub confidential: bool,
    /// A contact line names only cases up to this level (`None`: any case).
    pub case_ceiling: Option<Confidentiality>,
}

impl Sight {
    pub fn of(role: StaffRole) -> Sight {
        Sight { role }
    }

    fn level(self, kind: DataKind) -> Level {
        staff_level(self.role, kind)
    }

    /// Her coming appointments, with what she gave when booking and what she sent for them.
    pub fn appointments(self) -> bool {
        self.level(DataKind::Appointments) == Level::What
    }

    /// Her documents can be opened (not only listed by title).
    pub fn opens_documents(self) -> bool {
        self.level(DataKind::Documents) == Level::What
    }

    /// How much of a case the card shows; `None`: the case is left out.
    pub fn case(self, confidential: bool) -> Option<CaseSight> {
        let kind = if confidential {
            DataKind::ConfidentialCases
        } else {
            DataKind::Cases
        };
        match self.level(kind) {
            Level::Nothing => None,
            Level::That => Some(CaseSight::That),
            Level::What => Some(CaseSight::What),
        }
    }

    /// Whether the documents she sent for a case are listed: a document's title can tell what the case is
    /// about, so only where the case itself is known.
    pub fn case_documents(self, case: CaseSight) -> bool {
        case == CaseSight::What && self.level(DataKind::Documents) != Level::Nothing
    }

    /// Her contact moments; `None`: none are listed.
    pub fn contacts(self) -> Option<ContactSight> {
        (self.level(DataKind::Contacts) != Level::Nothing).then(|| ContactSight {
            confidential: self.level(DataKind::ConfidentialContacts) == Level::What,
            case_ceiling: (self.level(DataKind::ConfidentialCases) != Level::What)
                .then_some(Confidentiality::Zaakvertrouwelijk),
        })
    }

    /// The messages Loket sent her (kind, channel, status; never their content).
    pub fn messages(self) -> bool {
        self.level(DataKind::Messages) == Level::What
    }
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
    fn the_contact_centre_knows_that_of_confidential_cases_and_the_back_office_what() {
        let kcc = Sight::of(StaffRole::Kcc);
        assert_eq!(kcc.case(false), Some(CaseSight::What));
        assert_eq!(kcc.case(true), Some(CaseSight::That));
        assert!(!kcc.opens_documents());
        assert!(kcc.case_documents(CaseSight::What));
        assert!(!kcc.case_documents(CaseSight::That));
        assert_eq!(
            kcc.contacts(),
            Some(ContactSight {
                confidential: false,
                case_ceiling: Some(Confidentiality::Zaakvertrouwelijk),
            })
        );
        let backoffice = Sight::of(StaffRole::Backoffice);
        assert_eq!(backoffice.case(true), Some(CaseSight::What));
        assert!(backoffice.opens_documents());
        assert_eq!(
            backoffice.contacts(),
            Some(ContactSight {
                confidential: true,
                case_ceiling: None,
            })
        );
    }

    #[test]
    fn an_administrator_sees_nothing_of_a_resident() {
        let admin = Sight::of(StaffRole::Admin);
        assert!(!admin.appointments());
        assert_eq!(admin.case(false), None);
        assert_eq!(admin.case(true), None);
        assert!(!admin.case_documents(CaseSight::What));
        assert_eq!(admin.contacts(), None);
        assert!(!admin.messages());
        assert!(!admin.opens_documents());
    }

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
