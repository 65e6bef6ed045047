//! The outbox, in two steps a worker repeats:
//!
//! 1. [`plan_due`] claims due events under a lease and turns each into messages: one per recipient, to the
//!    address the resident chose (override for the case → choice for the kind → first usable address). Case
//!    updates that arrive within [`super::FOLD_WINDOW`] fold into the newest one. A message row is unique per
//!    (event, channel, address), so a re-planned event never yields a second message.
//! 2. [`deliver_due`] claims queued messages under a lease, checks again that they should still go (the case
//!    is still visible, the code still current), renders them from safe fields only, and sends them.
//!    Transient failures retry with exponential backoff and jitter until the event's deadline; a permanent
//!    failure stops at once and tries the resident's next address.
//!
//! Claims use `FOR UPDATE SKIP LOCKED` on PostgreSQL, so several workers share the work; SQLite has one
//! writer at a time, which serialises claims by itself. A worker that dies leaves leases that [`reap`] frees.
//! A message keeps its id on every attempt; it is the e-mail `Message-ID`, so a retry after a crash that
//! came after the relay's `250` produces the same message again, never a different one.

use super::addresses::{self, Address};
use super::channels::{Channel, Channels, Outgoing, SendError};
use super::notify_api::Receipt;
use super::templates::{self, SafeFields};
use super::Kind;
use crate::appointments::booking;
use crate::cases::resident;
use crate::identity::{links, secrets};
use crate::parties::Party;
use crate::storage::{Backend, Db};
use crate::tenancy::Municipality;
use app::i18n::Lang;
use futures_util::stream::{self, StreamExt};
use jiff::{SignedDuration, Timestamp, Zoned};
use rand::Rng;
use sqlx::AnyConnection;

/// How a worker claims and retries.
#[derive(Clone, Debug)]
pub struct Settings {
    /// A claimed row is this worker's until the lease runs out (renewed while it works).
    pub lease: SignedDuration,
    /// Rows per claim.
    pub batch: i64,
    /// Messages sent at the same time.
    pub concurrency: usize,
    /// First retry after this long; each next one waits twice as long, up to [`Settings::max_backoff`].
    pub first_backoff: SignedDuration,
    pub max_backoff: SignedDuration,
    /// Where the links in messages point (`LOKET_PUBLIC_URL`).
    pub public_url: String,
    /// A provider's delivery report is asked for at most this often per message.
    pub receipt_every: SignedDuration,
}

impl Settings {
    pub fn new(public_url: &str) -> Settings {
        Settings {
            lease: SignedDuration::from_secs(60),
            batch: 100,
            concurrency: 16,
            first_backoff: SignedDuration::from_secs(10),
            max_backoff: SignedDuration::from_mins(30),
            public_url: public_url.trim_end_matches('/').to_owned(),
            receipt_every: SignedDuration::from_secs(60),
        }
    }
}

fn skip_locked(db: &Db) -> &'static str {
    match db.backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    }
}

/// Frees the leases of workers that died: their `sending` messages are queued again, their events can be
/// claimed again. Returns how many rows were freed.
pub async fn reap(db: &Db, now: Timestamp) -> Result<u64, sqlx::Error> {
    let now = now.as_millisecond();
    let messages = sqlx::query(
        "UPDATE notification_message SET status = 'queued', lease_owner = NULL, lease_until_ms = NULL
         WHERE status = 'sending' AND lease_until_ms < $1",
    )
    .bind(now)
    .execute(&db.pool)
    .await?;
    let events = sqlx::query(
        "UPDATE notification_event SET lease_owner = NULL, lease_until_ms = NULL
         WHERE processed_at_ms IS NULL AND lease_until_ms < $1",
    )
    .bind(now)
    .execute(&db.pool)
    .await?;
    Ok(messages.rows_affected() + events.rows_affected())
}

/// Extends every lease `owner` holds, while it is still working on them.
pub async fn renew(
    db: &Db,
    owner: &str,
    lease: SignedDuration,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let until = (now + lease).as_millisecond();
    sqlx::query(
        "UPDATE notification_message SET lease_until_ms = $1 WHERE lease_owner = $2 AND status = 'sending'",
    )
    .bind(until)
    .bind(owner)
    .execute(&db.pool)
    .await?;
    sqlx::query(
        "UPDATE notification_event SET lease_until_ms = $1 WHERE lease_owner = $2 AND processed_at_ms IS NULL",
    )
    .bind(until)
    .bind(owner)
    .execute(&db.pool)
    .await?;
    Ok(())
}

type EventRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    Option<i64>,
    Option<String>,
);

struct ClaimedEvent {
    id: String,
    kind: Option<Kind>,
    person_id: Option<String>,
    organisation_id: Option<String>,
    case_id: Option<String>,
    address_id: Option<String>,
    created_at_ms: i64,
    concerns_at_ms: Option<i64>,
    appointment_id: Option<String>,
}

/// Claims up to `settings.batch` due events and plans their messages. Returns how many events it handled.
pub async fn plan_due(
    db: &Db,
    municipality: &Municipality,
    owner: &str,
    settings: &Settings,
    now: Timestamp,
) -> Result<usize, sqlx::Error> {
    let mut rows: Vec<EventRow> = sqlx::query_as(&format!(
        "UPDATE notification_event SET lease_owner = $1, lease_until_ms = $2
         WHERE id IN (SELECT id FROM notification_event
                      WHERE municipality_id = $3 AND processed_at_ms IS NULL AND lease_owner IS NULL
                        AND due_at_ms <= $4
                      ORDER BY due_at_ms LIMIT $5{})
         RETURNING id, kind, person_id, organisation_id, case_id, address_id, created_at_ms, concerns_at_ms,
                   appointment_id",
        skip_locked(db)
    ))
    .bind(owner)
    .bind((now + settings.lease).as_millisecond())
    .bind(&municipality.id)
    .bind(now.as_millisecond())
    .bind(settings.batch)
    .fetch_all(&db.pool)
    .await?;
    let count = rows.len();
    // RETURNING does not keep the subquery's order; plan oldest first.
    rows.sort_by_key(|row| (row.6, row.0.clone()));
    for row in rows {
        let event = ClaimedEvent {
            id: row.0,
            kind: Kind::parse(&row.1),
            person_id: row.2,
            organisation_id: row.3,
            case_id: row.4,
            address_id: row.5,
            created_at_ms: row.6,
            concerns_at_ms: row.7,
            appointment_id: row.8,
        };
        plan_one(db, municipality, owner, &event, now).await?;
    }
    Ok(count)
}

async fn plan_one(
    db: &Db,
    municipality: &Municipality,
    owner: &str,
    event: &ClaimedEvent,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let mut tx = db.write().await?;
    // Write first: on SQLite a transaction that reads and then writes fails at once (SQLITE_BUSY) when another
    // writer committed in between; starting with the write makes it wait its turn instead. It also checks that
    // this worker still holds the lease (if another took over, the event is left to that one).
    let held = sqlx::query(
        "UPDATE notification_event SET processed_at_ms = $1, lease_owner = NULL, lease_until_ms = NULL
         WHERE id = $2 AND lease_owner = $3",
    )
    .bind(now.as_millisecond())
    .bind(&event.id)
    .bind(owner)
    .execute(&mut *tx)
    .await?;
    if held.rows_affected() != 1 {
        return Ok(());
    }
    let outcome = match event.kind {
        None => "unknown-kind",
        Some(kind) => plan_messages(&mut tx, municipality, event, kind, now).await?,
    };
    sqlx::query("UPDATE notification_event SET outcome = $1 WHERE id = $2")
        .bind(outcome)
        .bind(&event.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Gives back every lease `owner` holds: after a failed round, its rows are taken again at once instead of
/// after the lease runs out.
pub async fn release(db: &Db, owner: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE notification_message SET status = 'queued', lease_owner = NULL, lease_until_ms = NULL
         WHERE lease_owner = $1 AND status = 'sending'",
    )
    .bind(owner)
    .execute(&db.pool)
    .await?;
    sqlx::query(
        "UPDATE notification_event SET lease_owner = NULL, lease_until_ms = NULL
         WHERE lease_owner = $1 AND processed_at_ms IS NULL",
    )
    .bind(owner)
    .execute(&db.pool)
    .await?;
    Ok(())
}

async fn plan_messages(
    conn: &mut AnyConnection,
    municipality: &Municipality,
    event: &ClaimedEvent,
    kind: Kind,
    now: Timestamp,
) -> Result<&'static str, sqlx::Error> {
    // Appointment messages count from when they are due (a reminder is written long before); a confirmation
    // or reminder after the appointment has started is pointless, so that is their last moment.
    let base = if kind.is_appointment() {
        now
    } else {
        Timestamp::from_millisecond(event.created_at_ms).unwrap_or(now)
    };
    let mut deadline = base.saturating_add(kind.delivery_window()).unwrap_or(now);
    if kind.is_appointment() {
        if let Some(reason) = booking::still_current(conn, &event.id, now).await? {
            tracing::info!(event = %event.id, kind = kind.as_str(), reason, "appointment message withdrawn");
            return Ok("withdrawn");
        }
        if kind != Kind::AppointmentCancelled {
            if let Some(start) = event
                .concerns_at_ms
                .and_then(|ms| Timestamp::from_millisecond(ms).ok())
            {
                deadline = deadline.min(start);
            }
        }
    }
    if kind == Kind::AddressVerification {
        let (Some(person), Some(address)) = (&event.person_id, &event.address_id) else {
            return Ok("no-address");
        };
        let channel: Option<(String,)> =
            sqlx::query_as("SELECT channel FROM digital_address WHERE id = $1")
                .bind(address)
                .fetch_optional(&mut *conn)
                .await?;
        let Some(channel) = channel.and_then(|(c,)| Channel::parse(&c)) else {
            return Ok("no-address");
        };
        insert_message(
            conn,
            municipality,
            &NewMessage {
                event_id: &event.id,
                person_id: person,
                address_id: address,
                channel,
                kind,
                concerns_at_ms: event.concerns_at_ms,
                deadline,
            },
            now,
        )
        .await?;
        return Ok("planned");
    }
    if let Some(case_id) = &event.case_id {
        if kind == Kind::CaseStatus && newer_update_exists(conn, event, case_id).await? {
            return Ok("folded");
        }
    }
    let mut planned = false;
    for person in recipients(conn, event).await? {
        let candidates = addresses::candidates(
            conn,
            &person,
            kind.message_kind(),
            event.case_id.as_deref(),
            event.appointment_id.as_deref(),
            now,
        )
        .await?;
        if let Some(address) = candidates.first() {
            insert_message(
                conn,
                municipality,
                &NewMessage {
                    event_id: &event.id,
                    person_id: &person,
                    address_id: &address.id,
                    channel: address.channel,
                    kind,
                    concerns_at_ms: event.concerns_at_ms,
                    deadline,
                },
                now,
            )
            .await?;
            planned = true;
        }
    }
    Ok(if planned { "planned" } else { "no-address" })
}

/// A later update about the same case exists (waiting, or already planned because it was claimed first): this
/// one folds into it, since the later message reports the newer state anyway.
async fn newer_update_exists(
    conn: &mut AnyConnection,
    event: &ClaimedEvent,
    case_id: &str,
) -> Result<bool, sqlx::Error> {
    let newer: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM notification_event
         WHERE kind = 'case-status' AND case_id = $1 AND id <> $2
           AND (created_at_ms > $3 OR (created_at_ms = $3 AND id > $2))
         LIMIT 1",
    )
    .bind(case_id)
    .bind(&event.id)
    .bind(event.created_at_ms)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(newer.is_some())
}

/// The persons an event goes to: the person and the case's co-initiators, or an organisation's confirmed
/// members (each with their own choices).
async fn recipients(
    conn: &mut AnyConnection,
    event: &ClaimedEvent,
) -> Result<Vec<String>, sqlx::Error> {
    let mut persons = Vec::new();
    if let Some(person) = &event.person_id {
        persons.push(person.clone());
        if let Some(case_id) = &event.case_id {
            let co: Vec<(String,)> = sqlx::query_as(
                "SELECT person_id FROM case_role WHERE case_id = $1 ORDER BY person_id",
            )
            .bind(case_id)
            .fetch_all(&mut *conn)
            .await?;
            persons.extend(co.into_iter().map(|(p,)| p));
        }
    } else if let Some(organisation) = &event.organisation_id {
        let members: Vec<(String,)> = sqlx::query_as(
            "SELECT person_id FROM membership WHERE organisation_id = $1 AND confirmed_at_ms IS NOT NULL
             ORDER BY person_id",
        )
        .bind(organisation)
        .fetch_all(&mut *conn)
        .await?;
        persons.extend(members.into_iter().map(|(p,)| p));
    }
    persons.dedup();
    Ok(persons)
}

struct NewMessage<'a> {
    event_id: &'a str,
    person_id: &'a str,
    address_id: &'a str,
    channel: Channel,
    kind: Kind,
    concerns_at_ms: Option<i64>,
    deadline: Timestamp,
}

async fn insert_message(
    conn: &mut AnyConnection,
    municipality: &Municipality,
    message: &NewMessage<'_>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let concerns_at = message
        .concerns_at_ms
        .and_then(|ms| Timestamp::from_millisecond(ms).ok());
    let send_from = send_from(
        message.channel,
        message.kind,
        concerns_at,
        &now.to_zoned(municipality.time_zone.clone()),
    );
    // A message held back for the morning still gets its full chance to arrive.
    let deadline = message
        .deadline
        .max(send_from + SignedDuration::from_hours(1));
    sqlx::query(
        "INSERT INTO notification_message (id, event_id, municipality_id, person_id, address_id, channel, status,
                                           next_attempt_at_ms, deadline_ms, created_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $8, $9)
         ON CONFLICT (event_id, channel, address_id) DO NOTHING",
    )
    .bind(secrets::id())
    .bind(message.event_id)
    .bind(&municipality.id)
    .bind(message.person_id)
    .bind(message.address_id)
    .bind(message.channel.as_str())
    .bind(send_from.as_millisecond())
    .bind(deadline.as_millisecond())
    .bind(now.as_millisecond())
    .execute(conn)
    .await?;
    Ok(())
}

/// Quiet hours: SMS and push wait between 21:30 and 08:00 local time until 08:00, unless the message is a
/// verification code (the resident is waiting for it) or concerns a moment before that 08:00. E-mail does not
/// wake anyone and goes at once.
pub fn send_from(
    channel: Channel,
    kind: Kind,
    concerns_at: Option<Timestamp>,
    now: &Zoned,
) -> Timestamp {
    let instant = now.timestamp();
    if channel == Channel::Email || kind.carries_code() {
        return instant;
    }
    let evening = jiff::civil::time(21, 30, 0, 0);
    let morning = jiff::civil::time(8, 0, 0, 0);
    let local = now.time();
    let date = if local >= evening {
        match now.date().tomorrow() {
            Ok(date) => date,
            Err(_) => return instant,
        }
    } else if local < morning {
        now.date()
    } else {
        return instant;
    };
    let Ok(wake) = date.to_datetime(morning).to_zoned(now.time_zone().clone()) else {
        return instant;
    };
    let wake = wake.timestamp();
    if concerns_at.is_some_and(|at| at < wake) {
        return instant;
    }
    wake
}

type MessageRow = (String, String, String, String, String, i64, i64);

struct ClaimedMessage {
    id: String,
    event_id: String,
    person_id: String,
    address_id: String,
    channel: Option<Channel>,
    attempts: i64,
    deadline_ms: i64,
}

/// What happened to one claimed message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    Retry,
    Failed,
    Dropped,
    /// Another worker owns it now; nothing was written.
    LostLease,
}

/// Claims up to `settings.batch` due messages and sends them, `settings.concurrency` at a time. Returns
/// what happened to each.
pub async fn deliver_due(
    db: &Db,
    municipality: &Municipality,
    channels: &Channels,
    owner: &str,
    settings: &Settings,
    now: Timestamp,
) -> Result<Vec<Delivery>, sqlx::Error> {
    let rows: Vec<MessageRow> = sqlx::query_as(&format!(
        "UPDATE notification_message
         SET status = 'sending', lease_owner = $1, lease_until_ms = $2, attempts = attempts + 1
         WHERE id IN (SELECT id FROM notification_message
                      WHERE municipality_id = $3 AND status = 'queued' AND next_attempt_at_ms <= $4
                      ORDER BY next_attempt_at_ms LIMIT $5{})
         RETURNING id, event_id, person_id, address_id, channel, attempts, deadline_ms",
        skip_locked(db)
    ))
    .bind(owner)
    .bind((now + settings.lease).as_millisecond())
    .bind(&municipality.id)
    .bind(now.as_millisecond())
    .bind(settings.batch)
    .fetch_all(&db.pool)
    .await?;
    let claimed = rows.into_iter().map(|row| ClaimedMessage {
        id: row.0,
        event_id: row.1,
        person_id: row.2,
        address_id: row.3,
        channel: Channel::parse(&row.4),
        attempts: row.5,
        deadline_ms: row.6,
    });
    stream::iter(claimed)
        .map(|message| async move {
            deliver_one(db, municipality, channels, owner, settings, &message, now).await
        })
        .buffer_unordered(settings.concurrency.max(1))
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect()
}

type ContextRow = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    String,
    Option<i64>,
    i64,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

/// Everything a message needs at sending time, read fresh (the re-check).
struct Context {
    kind: Option<Kind>,
    case_id: Option<String>,
    organisation_id: Option<String>,
    secret: Option<String>,
    created_at_ms: i64,
    to: String,
    address: Address,
    code_hash: Option<String>,
    language: String,
    action_text: Option<String>,
    push_keys: Option<(String, String)>,
    concerns_at_ms: Option<i64>,
    /// Filled in for messages about an appointment.
    appointment_id: Option<String>,
}

async fn context(db: &Db, message: &ClaimedMessage) -> Result<Option<Context>, sqlx::Error> {
    let row: Option<ContextRow> = sqlx::query_as(
        "SELECT e.kind, e.case_id, e.organisation_id, e.secret, e.created_at_ms,
                a.value, a.verified_at_ms, a.given_by_phone, a.code_hash, p.language, c.action_text,
                a.push_p256dh, a.push_auth, e.concerns_at_ms, a.failed_at_ms
         FROM notification_event e
         JOIN digital_address a ON a.id = $2
         JOIN person p ON p.id = $3
         LEFT JOIN cases c ON c.id = e.case_id
         WHERE e.id = $1",
    )
    .bind(&message.event_id)
    .bind(&message.address_id)
    .bind(&message.person_id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(|row| Context {
        kind: Kind::parse(&row.0),
        case_id: row.1,
        organisation_id: row.2,
        secret: row.3,
        created_at_ms: row.4,
        to: row.5.clone(),
        address: Address {
            id: message.address_id.clone(),
            channel: message.channel.unwrap_or(Channel::Email),
            value: row.5,
            label: String::new(),
            created_at_ms: 0,
            verified_at_ms: row.6,
            given_by_phone: row.7 == 1,
            failed_at_ms: row.14,
            fallback: false,
        },
        code_hash: row.8,
        language: row.9,
        action_text: row.10,
        push_keys: row.11.zip(row.12),
        concerns_at_ms: row.13,
        appointment_id: None,
    }))
}

/// Why a message should not go any more, if so.
async fn still_wanted(
    db: &Db,
    municipality: &Municipality,
    message: &ClaimedMessage,
    context: &Context,
    kind: Kind,
    now: Timestamp,
) -> Result<Option<&'static str>, sqlx::Error> {
    match kind {
        Kind::AddressVerification => {
            let current = match (&context.secret, &context.code_hash) {
                (Some(code), Some(hash)) => secrets::same(
                    hash,
                    &secrets::hash(&format!("{}:{code}", message.address_id)),
                ),
                _ => false,
            };
            if !current {
                return Ok(Some("code no longer current"));
            }
        }
        Kind::CaseStatus | Kind::ActionRequest => {
            if !context.address.usable(now) {
                return Ok(Some("address no longer confirmed"));
            }
            let Some(case_id) = &context.case_id else {
                return Ok(Some("case gone"));
            };
            let party = match &context.organisation_id {
                Some(organisation) => {
                    let member: Option<(String,)> = sqlx::query_as(
                        "SELECT person_id FROM membership WHERE organisation_id = $1 AND person_id = $2
                         AND confirmed_at_ms IS NOT NULL",
                    )
                    .bind(organisation)
                    .bind(&message.person_id)
                    .fetch_optional(&db.pool)
                    .await?;
                    if member.is_none() {
                        return Ok(Some("no longer a member"));
                    }
                    Party::Organisation(organisation.clone())
                }
                None => Party::Person(message.person_id.clone()),
            };
            let visible = resident::can_see(db, municipality, &party, case_id)
                .await
                .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
            if !visible {
                return Ok(Some("case no longer visible"));
            }
            if kind == Kind::ActionRequest && context.action_text.is_none() {
                return Ok(Some("action no longer asked"));
            }
        }
        Kind::AppointmentBooked
        | Kind::AppointmentMoved
        | Kind::AppointmentCancelled
        | Kind::AppointmentReminder => {
            if !context.address.usable(now) {
                return Ok(Some("address no longer confirmed"));
            }
            let mut conn = db.pool.acquire().await?;
            if let Some(reason) = booking::still_current(&mut conn, &message.event_id, now).await? {
                return Ok(Some(reason));
            }
        }
        Kind::AccountCodeIssued => {
            if !context.address.usable(now) {
                return Ok(Some("address no longer confirmed"));
            }
        }
        Kind::AppointmentLinkCode => {
            if !context.address.usable(now) {
                return Ok(Some("address no longer confirmed"));
            }
            // A newer code for the link, or the code was used or expired: this one would only confuse.
            let current: Option<(String,)> = match (&context.appointment_id, &context.secret) {
                (Some(appointment), Some(code)) => {
                    sqlx::query_as(
                        "SELECT token_hash FROM appointment_link
                         WHERE appointment_id = $1 AND code_hash = $2 AND code_expires_at_ms > $3",
                    )
                    .bind(appointment)
                    .bind(links::code_hash(appointment, code))
                    .bind(now.as_millisecond())
                    .fetch_optional(&db.pool)
                    .await?
                }
                _ => None,
            };
            if current.is_none() {
                return Ok(Some("code no longer current"));
            }
        }
    }
    Ok(None)
}

/// The push `Topic`: the same for every message of one kind about one case (or one address, for codes), so a
/// newer message replaces an older one the device has not fetched yet. 32 characters of a hash, which the
/// push service sees but cannot trace back.
fn topic(kind: Kind, context: &Context, message: &ClaimedMessage) -> String {
    let subject = context
        .case_id
        .as_deref()
        .or(context.appointment_id.as_deref())
        .unwrap_or(&message.address_id);
    let mut topic = secrets::hash(&format!("{}:{subject}", kind.as_str()));
    topic.truncate(32);
    topic
}

/// The push service said the subscription no longer exists: erase its endpoint and keys, so nothing is sent
/// to it again. The row stays (unusable), so the resident's message list keeps its history and the personal
/// page can say that this device no longer gets notifications.
async fn forget_subscription(db: &Db, address_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE digital_address SET value = $1, push_p256dh = NULL, push_auth = NULL, verified_at_ms = NULL
         WHERE id = $2 AND channel = 'push'",
    )
    .bind(format!("gone:{address_id}"))
    .bind(address_id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// What a message's link can point at.
#[derive(Clone, Copy, Debug, Default)]
pub struct LinkTarget<'a> {
    pub appointment_id: Option<&'a str>,
    /// The appointment link token, for a booking the contact centre made.
    pub token: Option<&'a str>,
    pub case_id: Option<&'a str>,
}

/// The one link a message carries: a Loket page behind sign-in (or the appointment link), never content.
pub fn link(public_url: &str, kind: Kind, target: LinkTarget<'_>) -> String {
    if let (true, Some(appointment)) = (kind.is_appointment(), target.appointment_id) {
        // An appointment the contact centre made carries a link token (with the birth date it opens the card
        // without an account); one the resident made leads to the card behind sign-in.
        return match target.token {
            Some(token) => format!("{public_url}/afspraak/{token}"),
            None => format!("{public_url}/afspraken/{appointment}"),
        };
    }
    // The case's opaque id: its number can name the case type (`WMO-2026-…`), and a link is read by whoever
    // sees her phone's lock screen.
    match (kind, target.case_id) {
        (Kind::CaseStatus | Kind::ActionRequest, Some(case_id)) => {
            format!("{public_url}/zaken/{case_id}")
        }
        // The code is typed on the link's page, which is still open; the token is not kept to link back to it.
        (Kind::AppointmentLinkCode, _) => format!("{public_url}/"),
        // Her activity log says who issued the code and when.
        (Kind::AccountCodeIssued, _) => format!("{public_url}/activiteit"),
        _ => format!("{public_url}/instellingen/berichten"),
    }
}

/// Proves, before anything is written, that every text message this municipality can send fits one SMS
/// segment in its encoding: each template in each language with the longest date, a six-digit code and the
/// longest link there can be (ids of `longest_id` characters, the appointment link's token). The error is
/// one line for the operator.
pub fn prove_one_sms(public_url: &str, sms_name: &str, longest_id: usize) -> Result<(), String> {
    let id = "x".repeat(longest_id);
    let token = "x".repeat(secrets::short_token().len());
    let targets = [
        LinkTarget {
            appointment_id: Some(&id),
            token: None,
            case_id: Some(&id),
        },
        LinkTarget {
            appointment_id: Some(&id),
            token: Some(&token),
            case_id: Some(&id),
        },
    ];
    // Every month name and a two-digit day (the weekday abbreviations are all of one length).
    let moments = (1..=12).filter_map(|month| {
        jiff::civil::date(2026, month, 28)
            .at(23, 59, 0, 0)
            .to_zoned(jiff::tz::TimeZone::UTC)
            .ok()
    });
    let mut longest: Option<(usize, String, templates::SmsFit)> = None;
    for when in moments {
        for kind in Kind::ALL {
            for lang in [Lang::Nl, Lang::En] {
                for target in targets {
                    let link = link(public_url, kind, target);
                    let sms = templates::render(
                        kind,
                        lang,
                        &SafeFields {
                            municipality: sms_name,
                            sms_name,
                            when: &when,
                            reference: "LK-XXXXXX",
                            link: &link,
                            code: Some("000000"),
                        },
                    )
                    .sms;
                    let fit = templates::sms_fit(&sms);
                    if !fit.fits() && longest.as_ref().is_none_or(|(l, _, _)| fit.length > *l) {
                        longest = Some((fit.length, sms, fit));
                    }
                }
            }
        }
    }
    match longest {
        None => Ok(()),
        Some((_, sms, fit)) => Err(format!(
            "a text message can be {} {} long, more than one SMS holds ({}): \"{sms}\"; \
             set a shorter sms_name in the municipality file{} or a shorter LOKET_PUBLIC_URL",
            fit.length,
            fit.unit(),
            fit.limit,
            if fit.gsm7 {
                ""
            } else {
                " (GSM-7 letters only: no accents like â or ú)"
            },
        )),
    }
}

/// Exponential backoff with jitter: attempt n waits a random time in [d/2, d], d = first · 2^(n−1), capped.
pub fn backoff(settings: &Settings, attempts: i64) -> SignedDuration {
    let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    let full_ms = settings
        .first_backoff
        .as_millis()
        .saturating_mul(1i128 << exponent)
        .min(settings.max_backoff.as_millis());
    let full_ms = i64::try_from(full_ms).unwrap_or(i64::MAX).max(2);
    SignedDuration::from_millis(rand::rng().random_range(full_ms / 2..=full_ms))
}

async fn deliver_one(
    db: &Db,
    municipality: &Municipality,
    channels: &Channels,
    owner: &str,
    settings: &Settings,
    message: &ClaimedMessage,
    now: Timestamp,
) -> Result<Delivery, sqlx::Error> {
    let Some(mut context) = context(db, message).await? else {
        return finish(db, owner, message, "dropped", Some("event gone"), now).await;
    };
    if context.kind.is_some_and(Kind::names_appointment) {
        let appointment: Option<(Option<String>,)> =
            sqlx::query_as("SELECT appointment_id FROM notification_event WHERE id = $1")
                .bind(&message.event_id)
                .fetch_optional(&db.pool)
                .await?;
        context.appointment_id = appointment.and_then(|(id,)| id);
    }
    let (Some(kind), Some(channel)) = (context.kind, message.channel) else {
        return finish(db, owner, message, "dropped", Some("unknown kind"), now).await;
    };
    if let Some(reason) = still_wanted(db, municipality, message, &context, kind, now).await? {
        tracing::info!(message = %message.id, kind = kind.as_str(), reason, "message dropped before sending");
        return finish(db, owner, message, "dropped", Some(reason), now).await;
    }
    let lang = if context.language == "en" {
        Lang::En
    } else {
        Lang::Nl
    };
    // Appointment messages name the appointment's time; others when the change happened.
    let when_ms = match (kind.is_appointment(), context.concerns_at_ms) {
        (true, Some(start)) => start,
        _ => context.created_at_ms,
    };
    let when = Timestamp::from_millisecond(when_ms)
        .unwrap_or(now)
        .to_zoned(municipality.time_zone.clone());
    let reference = templates::reference(&message.id);
    let link = link(
        &settings.public_url,
        kind,
        LinkTarget {
            appointment_id: context.appointment_id.as_deref(),
            token: context.secret.as_deref(),
            case_id: context.case_id.as_deref(),
        },
    );
    let content = templates::render(
        kind,
        lang,
        &SafeFields {
            municipality: &municipality.name,
            sms_name: &municipality.sms_name,
            when: &when,
            reference: &reference,
            link: &link,
            code: context.secret.as_deref(),
        },
    );
    let ttl = std::time::Duration::from_millis(
        u64::try_from(message.deadline_ms - now.as_millisecond()).unwrap_or(0),
    );
    let topic = topic(kind, &context, message);
    let sent = channels
        .send(&Outgoing {
            id: &message.id,
            channel,
            to: &context.to,
            content: &content,
            push_keys: context
                .push_keys
                .as_ref()
                .map(|(p256dh, auth)| (p256dh.as_str(), auth.as_str())),
            ttl,
            topic: &topic,
            urgent: kind.carries_code(),
        })
        .await;
    if let Err(SendError::Gone(_)) = &sent {
        forget_subscription(db, &message.address_id).await?;
    }
    match sent {
        Ok(sent) => {
            let outcome = finish(db, owner, message, "sent", None, now).await?;
            // Only an address that failed before needs a write: on SQLite every statement that could write
            // waits for the one writer, so the common case skips it.
            if outcome == Delivery::Sent && context.address.failed_at_ms.is_some() {
                sqlx::query(
                    "UPDATE digital_address SET failed_at_ms = NULL WHERE id = $1 AND failed_at_ms IS NOT NULL",
                )
                .bind(&message.address_id)
                .execute(&db.pool)
                .await?;
            }
            if outcome == Delivery::Sent {
                if let Some(reference) = &sent.provider_ref {
                    sqlx::query("UPDATE notification_message SET provider_ref = $1 WHERE id = $2")
                        .bind(reference)
                        .bind(&message.id)
                        .execute(&db.pool)
                        .await?;
                }
                if kind.carries_code() {
                    // The code has reached its address; the outbox need not remember it.
                    sqlx::query("UPDATE notification_event SET secret = NULL WHERE id = $1")
                        .bind(&message.event_id)
                        .execute(&db.pool)
                        .await?;
                }
            }
            tracing::info!(message = %message.id, kind = kind.as_str(), channel = channel.as_str(), "message sent");
            Ok(outcome)
        }
        Err(SendError::Transient(reason)) => {
            // A retry respects quiet hours too: a backoff must not turn into an SMS at midnight.
            let next = send_from(
                channel,
                kind,
                context
                    .concerns_at_ms
                    .and_then(|ms| Timestamp::from_millisecond(ms).ok()),
                &(now + backoff(settings, message.attempts))
                    .to_zoned(municipality.time_zone.clone()),
            );
            if next.as_millisecond() <= message.deadline_ms {
                tracing::warn!(message = %message.id, attempts = message.attempts, %reason, "message will be retried");
                let retried = sqlx::query(
                    "UPDATE notification_message SET status = 'queued', next_attempt_at_ms = $1, last_error = $2,
                            lease_owner = NULL, lease_until_ms = NULL
                     WHERE id = $3 AND lease_owner = $4",
                )
                .bind(next.as_millisecond())
                .bind(&reason)
                .bind(&message.id)
                .bind(owner)
                .execute(&db.pool)
                .await?;
                return Ok(if retried.rows_affected() == 1 {
                    Delivery::Retry
                } else {
                    Delivery::LostLease
                });
            }
            failed(
                db,
                municipality,
                owner,
                message,
                kind,
                &context,
                &reason,
                now,
            )
            .await
        }
        Err(SendError::Permanent(reason) | SendError::Gone(reason)) => {
            failed(
                db,
                municipality,
                owner,
                message,
                kind,
                &context,
                &reason,
                now,
            )
            .await
        }
    }
}

async fn finish(
    db: &Db,
    owner: &str,
    message: &ClaimedMessage,
    status: &'static str,
    reason: Option<&str>,
    now: Timestamp,
) -> Result<Delivery, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE notification_message SET status = $1, last_error = $2, sent_at_ms = $3,
                lease_owner = NULL, lease_until_ms = NULL
         WHERE id = $4 AND lease_owner = $5",
    )
    .bind(status)
    .bind(reason)
    .bind((status == "sent").then_some(now.as_millisecond()))
    .bind(&message.id)
    .bind(owner)
    .execute(&db.pool)
    .await?;
    Ok(match (done.rows_affected(), status) {
        (0, _) => Delivery::LostLease,
        (_, "sent") => Delivery::Sent,
        (_, "failed") => Delivery::Failed,
        _ => Delivery::Dropped,
    })
}

/// Not delivered: mark the message and the address, then try the resident's next usable address.
#[allow(clippy::too_many_arguments)]
async fn failed(
    db: &Db,
    municipality: &Municipality,
    owner: &str,
    message: &ClaimedMessage,
    kind: Kind,
    context: &Context,
    reason: &str,
    now: Timestamp,
) -> Result<Delivery, sqlx::Error> {
    tracing::warn!(message = %message.id, attempts = message.attempts, %reason, "message not delivered");
    let outcome = finish(db, owner, message, "failed", Some(reason), now).await?;
    if outcome != Delivery::Failed {
        return Ok(outcome);
    }
    fall_back(
        db,
        municipality,
        &Undelivered {
            event_id: &message.event_id,
            person_id: &message.person_id,
            address_id: &message.address_id,
            deadline_ms: message.deadline_ms,
            kind,
            case_id: context.case_id.as_deref(),
            appointment_id: context.appointment_id.as_deref(),
            concerns_at_ms: context.concerns_at_ms,
        },
        now,
    )
    .await?;
    Ok(Delivery::Failed)
}

/// A message that will not arrive (refused at once, or reported undelivered by the provider later).
struct Undelivered<'a> {
    event_id: &'a str,
    person_id: &'a str,
    address_id: &'a str,
    deadline_ms: i64,
    kind: Kind,
    case_id: Option<&'a str>,
    appointment_id: Option<&'a str>,
    concerns_at_ms: Option<i64>,
}

/// Marks the address as not reached and plans the message for the next usable address not tried yet.
async fn fall_back(
    db: &Db,
    municipality: &Municipality,
    failed: &Undelivered<'_>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let mut tx = db.write().await?;
    sqlx::query("UPDATE digital_address SET failed_at_ms = $1 WHERE id = $2")
        .bind(now.as_millisecond())
        .bind(failed.address_id)
        .execute(&mut *tx)
        .await?;
    if let Some(next) = next_address(&mut tx, failed, now).await? {
        plan_for(&mut tx, municipality, failed, &next, now).await?;
    }
    tx.commit().await
}

/// The first address she chose for the message (or marked as backup) that was not tried for this event yet.
/// A code goes only where it was asked for.
async fn next_address(
    conn: &mut AnyConnection,
    failed: &Undelivered<'_>,
    now: Timestamp,
) -> Result<Option<Address>, sqlx::Error> {
    if failed.kind == Kind::AddressVerification {
        return Ok(None);
    }
    let tried: Vec<(String,)> = sqlx::query_as(
        "SELECT address_id FROM notification_message WHERE event_id = $1 AND person_id = $2",
    )
    .bind(failed.event_id)
    .bind(failed.person_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(addresses::candidates(
        &mut *conn,
        failed.person_id,
        failed.kind.message_kind(),
        failed.case_id,
        failed.appointment_id,
        now,
    )
    .await?
    .into_iter()
    .find(|a| !tried.iter().any(|(t,)| t == &a.id)))
}

/// Plans the message of `failed` for address `next` (a second plan for the same address is a no-op).
async fn plan_for(
    tx: &mut AnyConnection,
    municipality: &Municipality,
    failed: &Undelivered<'_>,
    next: &Address,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let deadline = Timestamp::from_millisecond(failed.deadline_ms).unwrap_or(now);
    insert_message(
        &mut *tx,
        municipality,
        &NewMessage {
            event_id: failed.event_id,
            person_id: failed.person_id,
            address_id: &next.id,
            channel: next.channel,
            kind: failed.kind,
            concerns_at_ms: failed.concerns_at_ms,
            deadline: deadline.max(now + failed.kind.delivery_window()),
        },
        now,
    )
    .await?;
    tracing::info!(event = %failed.event_id, "trying the resident's next address");
    Ok(())
}

type UnreachedRow = (
    String,
    String,
    String,
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
);

/// Messages that reached nobody and wait (every address tried failed; it is still in its delivery window):
/// once she chooses another address for them, or marks one as backup, they go there. Run by every worker
/// round; what it plans is sent like any message. Returns how many it planned.
pub async fn retry_unreached(
    db: &Db,
    municipality: &Municipality,
    now: Timestamp,
) -> Result<usize, sqlx::Error> {
    let rows: Vec<UnreachedRow> = sqlx::query_as(
        "SELECT m.event_id, m.person_id, MIN(m.address_id), MAX(m.deadline_ms), e.kind, e.case_id,
                e.appointment_id, e.concerns_at_ms
         FROM notification_message m JOIN notification_event e ON e.id = m.event_id
         WHERE m.municipality_id = $1 AND m.status = 'failed' AND m.deadline_ms > $2
           AND NOT EXISTS (SELECT 1 FROM notification_message o
                           WHERE o.event_id = m.event_id AND o.person_id = m.person_id AND o.status <> 'failed')
         GROUP BY m.event_id, m.person_id, e.kind, e.case_id, e.appointment_id, e.concerns_at_ms
         LIMIT 100",
    )
    .bind(&municipality.id)
    .bind(now.as_millisecond())
    .fetch_all(&db.pool)
    .await?;
    let mut planned = 0;
    for (event_id, person_id, address_id, deadline_ms, kind, case_id, appointment_id, concerns) in
        rows
    {
        let Some(kind) = Kind::parse(&kind) else {
            continue;
        };
        let waiting = Undelivered {
            event_id: &event_id,
            person_id: &person_id,
            address_id: &address_id,
            deadline_ms,
            kind,
            case_id: case_id.as_deref(),
            appointment_id: appointment_id.as_deref(),
            concerns_at_ms: concerns,
        };
        // Looked up on a read connection: most waiting messages have no new address, and a write
        // transaction (SQLite's one writer) for each of them every round would hold up the rest.
        let next = {
            let mut conn = db.pool.acquire().await?;
            next_address(&mut conn, &waiting, now).await?
        };
        if let Some(next) = next {
            let mut tx = db.write().await?;
            plan_for(&mut tx, municipality, &waiting, &next, now).await?;
            tx.commit().await?;
            planned += 1;
        }
    }
    Ok(planned)
}

type ReceiptRow = (
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
);

/// Asks the provider (the Notify API) what became of messages it accepted, at most once per
/// `settings.receipt_every` each and for up to three days after sending: "afgeleverd" when delivered; when it
/// reports a failure, the message counts as not delivered and the resident's next address is tried.
/// Returns how many reports changed something.
pub async fn check_receipts(
    db: &Db,
    municipality: &Municipality,
    channels: &Channels,
    settings: &Settings,
    now: Timestamp,
) -> Result<usize, sqlx::Error> {
    let now_ms = now.as_millisecond();
    let rows: Vec<ReceiptRow> = sqlx::query_as(
        "SELECT m.id, m.provider_ref, m.event_id, m.person_id, m.address_id, m.deadline_ms, e.kind, e.case_id,
                e.concerns_at_ms, e.appointment_id
         FROM notification_message m JOIN notification_event e ON e.id = m.event_id
         WHERE m.municipality_id = $1 AND m.status = 'sent' AND m.provider_ref IS NOT NULL
           AND m.delivered_at_ms IS NULL AND m.sent_at_ms > $2
           AND (m.receipt_checked_at_ms IS NULL OR m.receipt_checked_at_ms < $3)
         ORDER BY m.sent_at_ms LIMIT $4",
    )
    .bind(&municipality.id)
    .bind(now_ms - SignedDuration::from_hours(72).as_millis() as i64)
    .bind(now_ms - settings.receipt_every.as_millis() as i64)
    .bind(settings.batch)
    .fetch_all(&db.pool)
    .await?;
    let mut changed = 0;
    for row in rows {
        let (
            id,
            reference,
            event_id,
            person_id,
            address_id,
            deadline_ms,
            kind,
            case_id,
            concerns,
            appointment_id,
        ) = row;
        // Claim the check first, so another worker skips this row for a while.
        let claimed = sqlx::query(
            "UPDATE notification_message SET receipt_checked_at_ms = $1
             WHERE id = $2 AND (receipt_checked_at_ms IS NULL OR receipt_checked_at_ms < $3)",
        )
        .bind(now_ms)
        .bind(&id)
        .bind(now_ms - settings.receipt_every.as_millis() as i64)
        .execute(&db.pool)
        .await?;
        if claimed.rows_affected() != 1 {
            continue;
        }
        match channels.receipt(&reference).await {
            Ok(Receipt::Pending) => {}
            Ok(Receipt::Delivered) => {
                sqlx::query("UPDATE notification_message SET delivered_at_ms = $1 WHERE id = $2")
                    .bind(now_ms)
                    .bind(&id)
                    .execute(&db.pool)
                    .await?;
                changed += 1;
            }
            Ok(Receipt::Failed(reason)) => {
                tracing::warn!(message = %id, %reason, "provider reports the message not delivered");
                let marked = sqlx::query(
                    "UPDATE notification_message SET status = 'failed', last_error = $1
                     WHERE id = $2 AND status = 'sent'",
                )
                .bind(format!("Notify {reason}"))
                .bind(&id)
                .execute(&db.pool)
                .await?;
                if marked.rows_affected() == 1 {
                    if let Some(kind) = Kind::parse(&kind) {
                        fall_back(
                            db,
                            municipality,
                            &Undelivered {
                                event_id: &event_id,
                                person_id: &person_id,
                                address_id: &address_id,
                                deadline_ms,
                                kind,
                                case_id: case_id.as_deref(),
                                appointment_id: appointment_id.as_deref(),
                                concerns_at_ms: concerns,
                            },
                            now,
                        )
                        .await?;
                    }
                    changed += 1;
                }
            }
            Err(e) => {
                tracing::warn!(message = %id, error = %e, "delivery report not available now");
            }
        }
    }
    Ok(changed)
}

/// One sent (or attempted) message, as the resident's own page lists it.
pub struct SentLine {
    pub created_at_ms: i64,
    pub kind: String,
    pub to_label: String,
    pub status: String,
}

/// The persons the messages with these ids went to (for the audit log of a staff read), each once.
pub async fn recipients_of(db: &Db, message_ids: &[String]) -> Result<Vec<String>, sqlx::Error> {
    if message_ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=message_ids.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT DISTINCT person_id FROM notification_message WHERE id IN ({}) ORDER BY person_id",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as::<_, (String,)>(&sql);
    for id in message_ids {
        query = query.bind(id);
    }
    let rows = query.fetch_all(&db.pool).await?;
    Ok(rows.into_iter().map(|(person,)| person).collect())
}

/// A [`SentLine`] per message: "delivered" once the provider reported delivery, else the message's status.
const SENT_LINES: &str = "SELECT m.created_at_ms, e.kind, a.label,
        CASE WHEN m.delivered_at_ms IS NOT NULL THEN 'delivered' ELSE m.status END
 FROM notification_message m
 JOIN notification_event e ON e.id = m.event_id
 JOIN digital_address a ON a.id = m.address_id";

fn sent_lines(rows: Vec<(i64, String, String, String)>) -> Vec<SentLine> {
    rows.into_iter()
        .map(|(created_at_ms, kind, to_label, status)| SentLine {
            created_at_ms,
            kind,
            to_label,
            status,
        })
        .collect()
}

/// The messages the person got about one case (by its row id), oldest first, for the case's timeline.
pub async fn for_case(
    db: &Db,
    municipality_id: &str,
    person_id: &str,
    case_id: &str,
) -> Result<Vec<SentLine>, sqlx::Error> {
    let rows = sqlx::query_as(&format!(
        "{SENT_LINES} JOIN cases c ON c.id = e.case_id
         WHERE c.id = $1 AND c.municipality_id = $2 AND m.person_id = $3 AND m.status <> 'dropped'
         ORDER BY m.created_at_ms, m.id"
    ))
    .bind(case_id)
    .bind(municipality_id)
    .bind(person_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(sent_lines(rows))
}

/// The person's most recent messages, newest first.
pub async fn recent(db: &Db, person_id: &str, limit: i64) -> Result<Vec<SentLine>, sqlx::Error> {
    let rows = sqlx::query_as(&format!(
        "{SENT_LINES} WHERE m.person_id = $1 ORDER BY m.created_at_ms DESC, m.id LIMIT $2"
    ))
    .bind(person_id)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    Ok(sent_lines(rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amsterdam(local: &str) -> Zoned {
        format!("{local}[Europe/Amsterdam]").parse().unwrap()
    }

    #[test]
    fn sms_and_push_wait_for_the_morning_but_e_mail_and_codes_do_not() {
        let late = amsterdam("2026-11-20T22:15:00+01:00");
        let morning = amsterdam("2026-11-21T08:00:00+01:00").timestamp();
        assert_eq!(
            send_from(Channel::Sms, Kind::CaseStatus, None, &late),
            morning
        );
        assert_eq!(
            send_from(Channel::Push, Kind::ActionRequest, None, &late),
            morning
        );
        assert_eq!(
            send_from(Channel::Email, Kind::CaseStatus, None, &late),
            late.timestamp()
        );
        assert_eq!(
            send_from(Channel::Sms, Kind::AddressVerification, None, &late),
            late.timestamp()
        );
        let early = amsterdam("2026-11-21T06:59:00+01:00");
        assert_eq!(
            send_from(Channel::Sms, Kind::CaseStatus, None, &early),
            morning
        );
        let day = amsterdam("2026-11-21T08:00:00+01:00");
        assert_eq!(
            send_from(Channel::Sms, Kind::CaseStatus, None, &day),
            day.timestamp()
        );
        let evening = amsterdam("2026-11-20T21:29:59+01:00");
        assert_eq!(
            send_from(Channel::Push, Kind::CaseStatus, None, &evening),
            evening.timestamp()
        );
    }

    #[test]
    fn a_message_about_something_before_the_morning_is_not_held_back() {
        let late = amsterdam("2026-11-20T23:00:00+01:00");
        let at_seven = amsterdam("2026-11-21T07:30:00+01:00").timestamp();
        let at_ten = amsterdam("2026-11-21T10:00:00+01:00").timestamp();
        assert_eq!(
            send_from(Channel::Sms, Kind::CaseStatus, Some(at_seven), &late),
            late.timestamp()
        );
        assert_eq!(
            send_from(Channel::Sms, Kind::CaseStatus, Some(at_ten), &late),
            amsterdam("2026-11-21T08:00:00+01:00").timestamp()
        );
    }

    #[test]
    fn quiet_hours_follow_local_time_across_the_clock_change() {
        // The night summer time ends (25 Oct 2026): 08:00 is still 08:00 on the wall clock.
        let late = amsterdam("2026-10-24T23:00:00+02:00");
        assert_eq!(
            send_from(Channel::Sms, Kind::CaseStatus, None, &late),
            amsterdam("2026-10-25T08:00:00+01:00").timestamp()
        );
    }

    #[test]
    fn backoff_doubles_with_jitter_and_stops_growing_at_the_cap() {
        let settings = Settings::new("http://localhost:3000");
        for attempt in 1..=12 {
            let full = (10_000i64 << (attempt - 1)).min(30 * 60 * 1000);
            for _ in 0..50 {
                let wait = backoff(&settings, attempt).as_millis() as i64;
                assert!(
                    wait >= full / 2 && wait <= full,
                    "attempt {attempt}: {wait}"
                );
            }
        }
    }
}
