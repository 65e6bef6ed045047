//! Notifications: events that should reach a resident are written to an outbox (`notification_event`) in the
//! same transaction as the change that causes them. The worker ([`worker`]) turns each event into messages for
//! the addresses the resident chose ([`outbox::plan_due`]), then delivers them with leases, retries and a
//! fallback ([`outbox::deliver_due`]). An event names only ids; the templates ([`templates`]) see nothing but
//! the municipality's name, a time, a reference and a link, so no message can carry more.

pub mod addresses;
pub mod channels;
pub mod notify_api;
pub mod outbox;
pub mod push;
pub mod smtp_pool;
pub mod templates;
pub mod worker;

use crate::identity::secrets;
use crate::parties::Party;
use jiff::{SignedDuration, Timestamp};
use sqlx::AnyConnection;

#[derive(Debug, thiserror::Error)]
pub enum NotificationsError {
    #[error("database error: {0}")]
    Storage(#[from] sqlx::Error),
    /// A field a resident filled in is not usable; `key` is the Fluent message that says why.
    #[error("{field}: {key}")]
    Invalid {
        field: &'static str,
        key: &'static str,
    },
    /// The address (or the resident's choice) does not exist for this person.
    #[error("not found")]
    NotFound,
    /// The verification code was wrong; this many tries are left.
    #[error("wrong code")]
    WrongCode { tries_left: i64 },
    /// The code expired or was tried too often: a new one is needed.
    #[error("code expired")]
    CodeExpired,
}

/// What happened, as stored in `notification_event.kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A case reached a status whose type says "inform the resident".
    CaseStatus,
    /// The municipality needs something from the resident for a case.
    ActionRequest,
    /// A code that proves an address belongs to the person who added it.
    AddressVerification,
    /// An appointment was booked (by the resident or the contact centre).
    AppointmentBooked,
    /// An appointment was moved to another time.
    AppointmentMoved,
    /// An appointment was cancelled.
    AppointmentCancelled,
    /// A reminder of an appointment the resident kept.
    AppointmentReminder,
    /// The code that opens an appointment link (`identity::links`), sent where the confirmation went.
    AppointmentLinkCode,
    /// Staff issued an activation code for a resident who has an account already: a new passkey could be bound
    /// to it, so she hears of it (and can call when it was not her).
    AccountCodeIssued,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::CaseStatus,
        Kind::ActionRequest,
        Kind::AddressVerification,
        Kind::AppointmentBooked,
        Kind::AppointmentMoved,
        Kind::AppointmentCancelled,
        Kind::AppointmentReminder,
        Kind::AppointmentLinkCode,
        Kind::AccountCodeIssued,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::CaseStatus => "case-status",
            Kind::ActionRequest => "action-request",
            Kind::AddressVerification => "address-verification",
            Kind::AppointmentBooked => "appointment-booked",
            Kind::AppointmentMoved => "appointment-moved",
            Kind::AppointmentCancelled => "appointment-cancelled",
            Kind::AppointmentReminder => "appointment-reminder",
            Kind::AppointmentLinkCode => "appointment-link-code",
            Kind::AccountCodeIssued => "account-code-issued",
        }
    }

    pub fn parse(value: &str) -> Option<Kind> {
        match value {
            "case-status" => Some(Kind::CaseStatus),
            "action-request" => Some(Kind::ActionRequest),
            "address-verification" => Some(Kind::AddressVerification),
            "appointment-booked" => Some(Kind::AppointmentBooked),
            "appointment-moved" => Some(Kind::AppointmentMoved),
            "appointment-cancelled" => Some(Kind::AppointmentCancelled),
            "appointment-reminder" => Some(Kind::AppointmentReminder),
            "appointment-link-code" => Some(Kind::AppointmentLinkCode),
            "account-code-issued" => Some(Kind::AccountCodeIssued),
            _ => None,
        }
    }

    /// The kind of message a resident chooses an address for; `None` for messages that go to one fixed address.
    pub fn message_kind(self) -> Option<MessageKind> {
        match self {
            Kind::CaseStatus => Some(MessageKind::CaseUpdate),
            Kind::ActionRequest => Some(MessageKind::ActionRequest),
            Kind::AddressVerification => None,
            Kind::AppointmentBooked
            | Kind::AppointmentMoved
            | Kind::AppointmentCancelled
            | Kind::AppointmentLinkCode => Some(MessageKind::AppointmentConfirmation),
            Kind::AppointmentReminder => Some(MessageKind::Reminder),
            // About her account, not one case: it goes where her case updates go (an address she chose).
            Kind::AccountCodeIssued => Some(MessageKind::CaseUpdate),
        }
    }

    /// Whether the event is about an appointment (it names one, and its messages link to it).
    pub fn is_appointment(self) -> bool {
        matches!(
            self,
            Kind::AppointmentBooked
                | Kind::AppointmentMoved
                | Kind::AppointmentCancelled
                | Kind::AppointmentReminder
        )
    }

    /// Names an appointment (its messages go where that appointment's confirmations go), including the code
    /// for its link, which is not a message about the appointment itself.
    pub fn names_appointment(self) -> bool {
        self.is_appointment() || self == Kind::AppointmentLinkCode
    }

    /// Carries a code someone is waiting for: sent at once (no quiet hours), urgent for push, and forgotten by
    /// the outbox once it went out.
    pub fn carries_code(self) -> bool {
        matches!(self, Kind::AddressVerification | Kind::AppointmentLinkCode)
    }

    /// How long delivery may keep trying before the message counts as not delivered.
    pub fn delivery_window(self) -> SignedDuration {
        match self {
            Kind::CaseStatus
            | Kind::ActionRequest
            | Kind::AppointmentBooked
            | Kind::AppointmentMoved
            | Kind::AppointmentCancelled
            | Kind::AccountCodeIssued => SignedDuration::from_hours(72),
            // A reminder that cannot go within a few hours is no reminder any more (and never after the start).
            Kind::AppointmentReminder => SignedDuration::from_hours(6),
            Kind::AddressVerification => addresses::CODE_VALID,
            Kind::AppointmentLinkCode => crate::identity::links::CODE_VALID,
        }
    }
}

/// The kinds of message a resident picks an address for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    AppointmentConfirmation,
    Reminder,
    CaseUpdate,
    ActionRequest,
}

impl MessageKind {
    pub const ALL: [MessageKind; 4] = [
        MessageKind::AppointmentConfirmation,
        MessageKind::Reminder,
        MessageKind::CaseUpdate,
        MessageKind::ActionRequest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::AppointmentConfirmation => "appointment-confirmation",
            MessageKind::Reminder => "reminder",
            MessageKind::CaseUpdate => "case-update",
            MessageKind::ActionRequest => "action-request",
        }
    }

    pub fn parse(value: &str) -> Option<MessageKind> {
        MessageKind::ALL.into_iter().find(|k| k.as_str() == value)
    }
}

/// Status changes of one case within this window fold into one message: a case system that sets three statuses
/// in a row sends the resident one "there is news", not three.
pub const FOLD_WINDOW: SignedDuration = SignedDuration::from_secs(30);

/// One event for the outbox. `dedupe_key` is stable for the cause (e.g. the status row), so writing the same
/// event twice stores it once.
/// The appointment an event is about, the version (sequence) it was planned for and, for a reminder, which.
#[derive(Clone, Copy, Debug)]
pub struct AppointmentRef<'a> {
    pub id: &'a str,
    pub sequence: i64,
    pub reminder: Option<&'a str>,
}

pub struct Event<'a> {
    pub kind: Kind,
    pub dedupe_key: String,
    pub recipient: &'a Party,
    pub case_id: Option<&'a str>,
    /// For a verification code: the one address it goes to, and the code itself.
    pub address_id: Option<&'a str>,
    pub secret: Option<&'a str>,
    /// Not before this instant (case updates wait [`FOLD_WINDOW`] so a burst folds into one message).
    pub due_at: Timestamp,
    /// The moment the message is about (an appointment's start): SMS and push then skip quiet hours when
    /// waiting for the morning would be too late.
    pub concerns_at: Option<Timestamp>,
    pub appointment: Option<AppointmentRef<'a>>,
}

impl<'a> Event<'a> {
    /// An event about a case, for its initiator.
    pub fn about_case(
        kind: Kind,
        dedupe_key: String,
        recipient: &'a Party,
        case_id: &'a str,
        due_at: Timestamp,
    ) -> Event<'a> {
        Event {
            kind,
            dedupe_key,
            recipient,
            case_id: Some(case_id),
            address_id: None,
            secret: None,
            due_at,
            concerns_at: None,
            appointment: None,
        }
    }

    /// An event about an appointment starting at `start`, for the person it is for.
    pub fn about_appointment(
        kind: Kind,
        dedupe_key: String,
        recipient: &'a Party,
        appointment: AppointmentRef<'a>,
        due_at: Timestamp,
        start: Timestamp,
    ) -> Event<'a> {
        Event {
            kind,
            dedupe_key,
            recipient,
            case_id: None,
            address_id: None,
            secret: None,
            due_at,
            concerns_at: Some(start),
            appointment: Some(appointment),
        }
    }
}

/// Writes the event into the caller's transaction; a repeat with the same key is ignored.
pub async fn emit(
    conn: &mut AnyConnection,
    municipality_id: &str,
    event: &Event<'_>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO notification_event (id, municipality_id, kind, dedupe_key, person_id, organisation_id, case_id,
                                         address_id, secret, created_at_ms, due_at_ms, concerns_at_ms,
                                         appointment_id, appointment_sequence, appointment_reminder)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(secrets::id())
    .bind(municipality_id)
    .bind(event.kind.as_str())
    .bind(&event.dedupe_key)
    .bind(event.recipient.person_id())
    .bind(event.recipient.organisation_id())
    .bind(event.case_id)
    .bind(event.address_id)
    .bind(event.secret)
    .bind(now.as_millisecond())
    .bind(event.due_at.as_millisecond())
    .bind(event.concerns_at.map(Timestamp::as_millisecond))
    .bind(event.appointment.map(|a| a.id))
    .bind(event.appointment.map(|a| a.sequence))
    .bind(event.appointment.and_then(|a| a.reminder))
    .execute(conn)
    .await?;
    Ok(())
}
