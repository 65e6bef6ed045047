//! The audit log: an append-only record (the database refuses UPDATE and DELETE) of security events and of
//! every staff read of a resident's or organisation's data. It stores ids, never names or content; the
//! resident's Activiteit page joins in the staff member's name when showing it.

use super::{from_ms, ms, secrets, IdentityError};
use crate::authorization::{Decision, Principal};
use crate::storage::Db;
use jiff::Timestamp;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    SignedIn,
    SignInFailed,
    SignedOut,
    SignedOutEverywhere,
    PasskeyAdded,
    PasskeyRemoved,
    ActivationCodeIssued,
    ActivationCodeUsed,
    ActivationCodeRevoked,
    AppointmentLinkUsed,
    /// A staff member looked at a resident's or organisation's data.
    StaffRead,
    /// A staff member did something for her (booked, moved, cancelled, recorded a contact, took a document);
    /// `data_kind` says what.
    StaffAction,
    /// Loket sent her a message (`data_kind`: its kind); never its address or content. Not written to the
    /// log: her activity reads it from the outbox's sent messages.
    MessageSent,
    /// An administrator recorded that an employee left (sessions ended, passkeys removed).
    StaffLeft,
    /// An administrator gave an employee another role (`data_kind`: the new role).
    StaffRoleChanged,
    /// DigiD Machtigen: the actor (the representative's account) read the subject's data on her behalf
    /// (`data_kind`: what). Shown in both persons' activity logs.
    ReadOnBehalf,
    /// The record the contact centre made of her as she told it was bound to her BSN (`data_kind`: by what,
    /// `bound-digid` or `bound-brp`).
    Bound,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::SignedIn => "signed-in",
            Event::SignInFailed => "sign-in-failed",
            Event::SignedOut => "signed-out",
            Event::SignedOutEverywhere => "signed-out-everywhere",
            Event::PasskeyAdded => "passkey-added",
            Event::PasskeyRemoved => "passkey-removed",
            Event::ActivationCodeIssued => "activation-code-issued",
            Event::ActivationCodeUsed => "activation-code-used",
            Event::ActivationCodeRevoked => "activation-code-revoked",
            Event::AppointmentLinkUsed => "appointment-link-used",
            Event::StaffRead => "staff-read",
            Event::StaffAction => "staff-action",
            Event::MessageSent => "message-sent",
            Event::StaffLeft => "staff-left",
            Event::StaffRoleChanged => "staff-role-changed",
            Event::ReadOnBehalf => "read-on-behalf",
            Event::Bound => "identity-bound",
        }
    }

    pub fn parse(value: &str) -> Option<Event> {
        [
            Event::SignedIn,
            Event::SignInFailed,
            Event::SignedOut,
            Event::SignedOutEverywhere,
            Event::PasskeyAdded,
            Event::PasskeyRemoved,
            Event::ActivationCodeIssued,
            Event::ActivationCodeUsed,
            Event::ActivationCodeRevoked,
            Event::AppointmentLinkUsed,
            Event::StaffRead,
            Event::StaffAction,
            Event::MessageSent,
            Event::StaffLeft,
            Event::StaffRoleChanged,
            Event::ReadOnBehalf,
            Event::Bound,
        ]
        .into_iter()
        .find(|e| e.as_str() == value)
    }
}

/// Whose data a staff member read.
#[derive(Clone, Copy, Debug)]
pub enum ReadOf<'a> {
    Person(&'a str),
    Organisation(&'a str),
}

/// Writes the entry a staff read needs (who, role, what kind of data, which route) when `decision` is
/// [`Decision::AllowAudited`] for a staff member; other reads write nothing.
pub async fn staff_read(
    db: &Db,
    principal: &Principal,
    decision: Decision,
    read_of: ReadOf<'_>,
    data_kind: &str,
    route: &str,
    now: Timestamp,
) -> Result<(), IdentityError> {
    let (person_id, organisation_id) = match read_of {
        ReadOf::Person(id) => (Some(id), None),
        ReadOf::Organisation(id) => (None, Some(id)),
    };
    let actor = match principal {
        Principal::Staff {
            account_id,
            staff_id,
            municipality_id,
            role,
        }
        | Principal::Preview {
            account_id,
            staff_id,
            municipality_id,
            role,
            ..
        } => Some((account_id, staff_id, municipality_id, role)),
        _ => None,
    };
    if let (Decision::AllowAudited, Some((account_id, staff_id, municipality_id, role))) =
        (decision, actor)
    {
        record(
            &db.pool,
            municipality_id,
            Event::StaffRead,
            &Entry {
                actor_account_id: Some(account_id),
                actor_staff_id: Some(staff_id),
                actor_role: Some(role.as_str()),
                subject_person_id: person_id,
                subject_organisation_id: organisation_id,
                data_kind: Some(data_kind),
                route: Some(route),
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// The kind of her data a page or server function of hers shows, as her activity log names it.
fn data_kind_of(route: &str) -> &'static str {
    let route = route.strip_prefix("/fn").unwrap_or(route);
    [
        ("/zaken", "zaken"),
        ("/case", "zaken"),
        ("/contacts", "zaken"),
        ("/afspraken", "afspraken"),
        ("/appointment", "afspraken"),
        ("/booking", "afspraken"),
        ("/documenten", "stukken"),
        ("/documents", "stukken"),
        ("/mijn-gegevens", "persoonsgegevens"),
        ("/my-details", "persoonsgegevens"),
        ("/berichten", "messages"),
        ("/message", "messages"),
    ]
    .into_iter()
    .find(|(prefix, _)| route.starts_with(prefix))
    .map_or("paginas", |(_, kind)| kind)
}

/// DigiD Machtigen: writes that the representative behind `principal` read the represented person's data on
/// route pattern `route` (one entry, in both persons' activity logs). Anyone else writes nothing.
pub async fn read_on_behalf(
    db: &Db,
    principal: &Principal,
    route: &str,
    now: Timestamp,
) -> Result<(), IdentityError> {
    let Principal::Person {
        account_id,
        person_id,
        municipality_id,
        representative: Some(_),
        ..
    } = principal
    else {
        return Ok(());
    };
    record(
        &db.pool,
        municipality_id,
        Event::ReadOnBehalf,
        &Entry {
            actor_account_id: Some(account_id),
            subject_person_id: Some(person_id),
            data_kind: Some(data_kind_of(route)),
            route: Some(route),
            ..Default::default()
        },
        now,
    )
    .await
}

/// What staff can do for a resident, as the audit log and her activity log name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaffAction {
    Booked,
    Moved,
    Cancelled,
    ContactRecorded,
    AddressByPhone,
    AddressCorrected,
    DocumentTaken,
    /// Recorded a first-time caller as she told it ("niet geverifieerd").
    CallerRecorded,
}

impl StaffAction {
    pub fn as_str(self) -> &'static str {
        match self {
            StaffAction::Booked => "action-booked",
            StaffAction::Moved => "action-moved",
            StaffAction::Cancelled => "action-cancelled",
            StaffAction::ContactRecorded => "action-contact",
            StaffAction::AddressByPhone => "action-address-by-phone",
            StaffAction::AddressCorrected => "action-address-corrected",
            StaffAction::DocumentTaken => "action-document-taken",
            StaffAction::CallerRecorded => "action-caller-recorded",
        }
    }
}

/// Writes that staff member `principal` did `action` for person `person_id` (on route pattern `route`); the
/// entry shows in her activity log. Anyone but staff writes nothing.
pub async fn staff_action(
    db: &Db,
    principal: &Principal,
    person_id: &str,
    action: StaffAction,
    route: &str,
    now: Timestamp,
) -> Result<(), IdentityError> {
    let Principal::Staff {
        account_id,
        staff_id,
        municipality_id,
        role,
    } = principal
    else {
        return Ok(());
    };
    record(
        &db.pool,
        municipality_id,
        Event::StaffAction,
        &Entry {
            actor_account_id: Some(account_id),
            actor_staff_id: Some(staff_id),
            actor_role: Some(role.as_str()),
            subject_person_id: Some(person_id),
            subject_organisation_id: None,
            data_kind: Some(action.as_str()),
            route: Some(route),
        },
        now,
    )
    .await
}

/// One entry. `route` is the route pattern (never a URL with values in it).
#[derive(Clone, Debug, Default)]
pub struct Entry<'a> {
    pub actor_account_id: Option<&'a str>,
    pub actor_staff_id: Option<&'a str>,
    pub actor_role: Option<&'a str>,
    pub subject_person_id: Option<&'a str>,
    pub subject_organisation_id: Option<&'a str>,
    pub data_kind: Option<&'a str>,
    pub route: Option<&'a str>,
}

impl<'a> Entry<'a> {
    /// An account acting on its own behalf (sign-in, passkeys): actor and subject are the same person.
    pub fn own(account: &'a super::accounts::Account) -> Entry<'a> {
        Entry {
            actor_account_id: Some(&account.id),
            subject_person_id: account.person_id(),
            ..Default::default()
        }
    }
}

pub async fn record<'e, E>(
    executor: E,
    municipality_id: &str,
    event: Event,
    entry: &Entry<'_>,
    now: Timestamp,
) -> Result<(), IdentityError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO audit_event (id, municipality_id, at_ms, event, actor_account_id, actor_staff_id, actor_role,
                                  subject_person_id, subject_organisation_id, data_kind, route)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(secrets::id())
    .bind(municipality_id)
    .bind(ms(now))
    .bind(event.as_str())
    .bind(entry.actor_account_id)
    .bind(entry.actor_staff_id)
    .bind(entry.actor_role)
    .bind(entry.subject_person_id)
    .bind(entry.subject_organisation_id)
    .bind(entry.data_kind)
    .bind(entry.route)
    .execute(executor)
    .await?;
    Ok(())
}

/// One line of a resident's activity, newest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Activity {
    pub at: Timestamp,
    pub event: Event,
    /// The staff member's name and role when staff acted; `None` when the resident did it themselves.
    pub staff: Option<(String, String)>,
    pub data_kind: Option<String>,
    /// A read on behalf ([`Event::ReadOnBehalf`]), seen from this person's side.
    pub on_behalf: Option<OnBehalf>,
}

/// Which side of a read on behalf a log line is on, with the other person's name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OnBehalf {
    /// Her log: her representative (named) read her data.
    ReadBy(String),
    /// The representative's log: he read the data of the person named.
    ReadFor(String),
}

#[derive(sqlx::FromRow)]
struct ActivityRow {
    at_ms: i64,
    event: String,
    staff_name: Option<String>,
    actor_role: Option<String>,
    data_kind: Option<String>,
    subject_person_id: Option<String>,
    subject_name: Option<String>,
    actor_name: Option<String>,
}

/// What happened to and with a person's data: their own security events, every staff read and action, and
/// every message Loket sent her.
pub async fn for_person(
    db: &Db,
    person_id: &str,
    account_id: Option<&str>,
    limit: i64,
) -> Result<Vec<Activity>, IdentityError> {
    let rows: Vec<ActivityRow> = sqlx::query_as(
        "SELECT at_ms, event, staff_name, actor_role, data_kind, subject_person_id, subject_name, actor_name
         FROM (
             SELECT e.at_ms AS at_ms, e.event AS event, s.display_name AS staff_name,
                    e.actor_role AS actor_role, e.data_kind AS data_kind,
                    e.subject_person_id AS subject_person_id, sp.display_name AS subject_name,
                    COALESCE(NULLIF(ap.display_name, ''), a.sign_in_name) AS actor_name
             FROM audit_event e
             LEFT JOIN staff_member s ON s.id = e.actor_staff_id
             LEFT JOIN person sp ON sp.id = e.subject_person_id AND e.event = 'read-on-behalf'
             LEFT JOIN account a ON a.id = e.actor_account_id AND e.event = 'read-on-behalf'
             LEFT JOIN person ap ON ap.id = a.person_id
             WHERE e.subject_person_id = $1 OR (e.actor_account_id = $2 AND e.actor_staff_id IS NULL)
             UNION ALL
             SELECT m.sent_at_ms, 'message-sent', NULL, NULL, n.kind, NULL, NULL, NULL
             FROM notification_message m JOIN notification_event n ON n.id = m.event_id
             WHERE m.person_id = $1 AND m.status = 'sent' AND m.sent_at_ms IS NOT NULL
         ) activity
         ORDER BY at_ms DESC LIMIT $3",
    )
    .bind(person_id)
    .bind(account_id.unwrap_or(""))
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    rows.into_iter()
        .filter_map(|row| {
            let event = Event::parse(&row.event)?;
            let on_behalf = (event == Event::ReadOnBehalf).then(|| {
                if row.subject_person_id.as_deref() == Some(person_id) {
                    OnBehalf::ReadBy(row.actor_name.unwrap_or_default())
                } else {
                    OnBehalf::ReadFor(row.subject_name.unwrap_or_default())
                }
            });
            Some(from_ms(row.at_ms).map(|at| Activity {
                at,
                event,
                staff: row.staff_name.zip(row.actor_role),
                data_kind: row.data_kind,
                on_behalf,
            }))
        })
        .collect()
}
