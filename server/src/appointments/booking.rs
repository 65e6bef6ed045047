//! Booking, moving and cancelling. Each is one transaction that also writes the confirmation and the reminders
//! into the outbox, so a booking never exists without its messages and a cancelled one never keeps them.
//!
//! The database decides who gets a time: the booking is inserted (or the appointment updated) for one seat
//! after another, and the exclusion constraint (PostgreSQL) or trigger (SQLite) refuses a seat that is taken.
//! There is no check-then-write: two residents who press "Bevestigen" at the same moment cannot both win.
//! Every call carries an idempotency key; a repeat (a double click, a retry after a lost answer) returns the
//! first outcome instead of booking twice.

use super::availability::{self, Offer, ResourcePlan, SlotShape, Via, Window};
use super::catalogue::{self, Service};
use super::details::{self, Given};
use super::{AppointmentsError, Reminder};
use crate::identity::{links, secrets};
use crate::notifications::channels::Channel;
use crate::notifications::{self, addresses, Event, Kind, NotificationsError};
use crate::parties::Party;
use crate::storage::Db;
use crate::tenancy::Municipality;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use sqlx::{Acquire, AnyConnection};

/// Who books: the resident for themselves, or the contact centre on their behalf.
#[derive(Clone, Debug)]
pub struct Booker<'a> {
    pub person_id: &'a str,
    /// When acting for an organisation.
    pub organisation_id: Option<&'a str>,
    pub via: Via,
    /// The staff member, when `via` is [`Via::Staff`].
    pub staff_id: Option<&'a str>,
}

pub struct BookRequest<'a> {
    pub service_id: &'a str,
    pub location_id: &'a str,
    pub start: Timestamp,
    pub booker: Booker<'a>,
    pub idempotency_key: &'a str,
    /// The address this appointment's messages go to (the contact centre asks on the phone); one of the
    /// person's own addresses.
    pub address_id: Option<&'a str>,
    /// The reminders to keep; the service's defaults when `None`.
    pub reminders: Option<Vec<Reminder>>,
    /// What the form gave for the details the service needs and Loket does not know yet.
    pub details: Option<&'a Given>,
    /// What the BRP knows of her for those details, asked in her own DigiD session (not asked again).
    pub from_register: Option<&'a details::FromRegister>,
    /// Contact centre only: an address the resident gave on the phone for this appointment's messages (it counts
    /// as confirmed; the booking adds it to her addresses). Takes the place of `address_id`.
    pub new_address: Option<(Channel, &'a str)>,
}

pub struct MoveRequest<'a> {
    pub appointment_id: &'a str,
    pub start: Timestamp,
    pub via: Via,
    pub idempotency_key: &'a str,
    /// The version the resident saw; a move of an appointment that changed since then is refused. Required:
    /// a form without it (or with something else than a number) cannot say what she saw, so it is refused too.
    pub expected_sequence: i64,
}

/// What a booking, move or cancel did: the appointment, and whether this was a repeat of an earlier request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub appointment_id: String,
    pub repeated: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Booked,
    Cancelled,
}

/// A stored appointment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Appointment {
    pub id: String,
    pub service_id: String,
    pub resource_id: String,
    pub location_id: String,
    pub seat: i64,
    pub start: Timestamp,
    pub end: Timestamp,
    pub person_id: String,
    pub organisation_id: Option<String>,
    pub via: Via,
    pub status: Status,
    pub sequence: i64,
    pub reminders: Vec<Reminder>,
    pub checkin_code: String,
    pub changed_at: Timestamp,
}

type AppointmentRow = (
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    String,
    Option<String>,
    String,
    String,
    i64,
    String,
    String,
    i64,
);

const COLUMNS: &str = "a.id, a.service_id, a.resource_id, r.location_id, a.seat, a.start_ms, a.end_ms, a.person_id,
    a.organisation_id, a.booked_via, a.status, a.sequence, a.reminders, a.checkin_code, a.changed_at_ms";

fn from_row(row: AppointmentRow) -> Option<Appointment> {
    Some(Appointment {
        id: row.0,
        service_id: row.1,
        resource_id: row.2,
        location_id: row.3,
        seat: row.4,
        start: Timestamp::from_millisecond(row.5).ok()?,
        end: Timestamp::from_millisecond(row.6).ok()?,
        person_id: row.7,
        organisation_id: row.8,
        via: if row.9 == "staff" {
            Via::Staff
        } else {
            Via::Resident
        },
        status: if row.10 == "booked" {
            Status::Booked
        } else {
            Status::Cancelled
        },
        sequence: row.11,
        reminders: Reminder::parse_list(&row.12),
        checkin_code: row.13,
        changed_at: Timestamp::from_millisecond(row.14).ok()?,
    })
}

pub async fn get(
    db: &Db,
    municipality_id: &str,
    appointment_id: &str,
) -> Result<Appointment, AppointmentsError> {
    let row: Option<AppointmentRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM appointment a JOIN appointment_resource r ON r.id = a.resource_id
         WHERE a.municipality_id = $1 AND a.id = $2"
    ))
    .bind(municipality_id)
    .bind(appointment_id)
    .fetch_optional(&db.pool)
    .await?;
    row.and_then(from_row).ok_or(AppointmentsError::NotFound)
}

/// A person's appointments (own, and made while acting for an organisation), soonest first.
pub async fn for_person(db: &Db, person_id: &str) -> Result<Vec<Appointment>, AppointmentsError> {
    let rows: Vec<AppointmentRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM appointment a JOIN appointment_resource r ON r.id = a.resource_id
         WHERE a.person_id = $1 ORDER BY a.start_ms, a.id"
    ))
    .bind(person_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().filter_map(from_row).collect())
}

/// The booked appointments starting in `[from, until)`, soonest first (the desk's day).
pub async fn booked_starting_between(
    db: &Db,
    municipality_id: &str,
    from: Timestamp,
    until: Timestamp,
) -> Result<Vec<Appointment>, AppointmentsError> {
    let rows: Vec<AppointmentRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM appointment a JOIN appointment_resource r ON r.id = a.resource_id
         WHERE a.municipality_id = $1 AND a.status = 'booked' AND a.start_ms >= $2 AND a.start_ms < $3
         ORDER BY a.start_ms, a.id"
    ))
    .bind(municipality_id)
    .bind(from.as_millisecond())
    .bind(until.as_millisecond())
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().filter_map(from_row).collect())
}

fn shape(service: &Service) -> SlotShape {
    SlotShape {
        buffer_before: service.buffer_before_min,
        duration: service.duration_min,
        buffer_after: service.buffer_after_min,
    }
}

fn window(municipality: &Municipality, service: &Service, via: Via, now: Timestamp) -> Window {
    Window {
        tz: municipality.time_zone.clone(),
        shape: shape(service),
        earliest: now
            .checked_add(SignedDuration::from_mins(service.min_notice_min))
            .unwrap_or(now),
        latest: now
            .checked_add(SignedDuration::from_hours(
                service.horizon_days.saturating_mul(24),
            ))
            .unwrap_or(now),
        via,
    }
}

/// The free times of a service at a location on the local `days` (clipped to the bookable window).
pub async fn free_times(
    db: &Db,
    municipality: &Municipality,
    service: &Service,
    location_id: &str,
    via: Via,
    days: std::ops::RangeInclusive<Date>,
    now: Timestamp,
) -> Result<Vec<Offer>, AppointmentsError> {
    let (from, to) = days.into_inner();
    let window = window(municipality, service, via, now);
    let tz = &municipality.time_zone;
    let from = from.max(tz.to_datetime(window.earliest).date());
    let to = to.min(tz.to_datetime(window.latest).date());
    if from > to {
        return Ok(Vec::new());
    }
    let (from_ms, until_ms) = day_bounds(municipality, from, to);
    let plans = catalogue::plans(db, &service.id, location_id, from_ms, until_ms).await?;
    Ok(availability::offers(
        &window,
        &plans,
        &availability::dates_between(from, to),
    ))
}

/// A generous instant range around local dates (a day either side), for loading bookings.
fn day_bounds(municipality: &Municipality, from: Date, to: Date) -> (i64, i64) {
    let tz = &municipality.time_zone;
    let at = |date: Date| {
        date.to_datetime(jiff::civil::Time::midnight())
            .to_zoned(tz.clone())
            .map(|z| z.timestamp().as_millisecond())
    };
    let day = 86_400_000;
    (
        at(from).map_or(i64::MIN, |ms| ms - day),
        at(to).map_or(i64::MAX, |ms| ms + 2 * day),
    )
}

/// The resources (in order) whose grid has a slot starting exactly at `start`, within the bookable window.
/// Whether a seat is still free is left to the database.
fn candidates(
    municipality: &Municipality,
    service: &Service,
    plans: &[ResourcePlan],
    via: Via,
    start: Timestamp,
    now: Timestamp,
) -> Result<Vec<(String, availability::Slot, Vec<i64>)>, AppointmentsError> {
    let window = window(municipality, service, via, now);
    if start < window.earliest || start > window.latest {
        return Err(AppointmentsError::NotOffered);
    }
    let date = municipality.time_zone.to_datetime(start).date();
    let found: Vec<_> = plans
        .iter()
        .filter_map(|plan| {
            let slot = availability::day_slots(&window.tz, &plan.opening, date, window.shape)
                .into_iter()
                .find(|slot| slot.start == start)?;
            let seats: Vec<i64> = via.seats(&plan.seats).iter().map(|s| s.seat).collect();
            (!seats.is_empty()).then(|| (plan.id.clone(), slot, seats))
        })
        .collect();
    if found.is_empty() {
        return Err(AppointmentsError::NotOffered);
    }
    Ok(found)
}

fn check_key(key: &str) -> Result<(), AppointmentsError> {
    let ok = (16..=100).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(AppointmentsError::KeyReused)
    }
}

/// Records the request under its key as the transaction's first write (on SQLite that also makes the
/// transaction wait its turn as the writer). `Some` when the key was used before: the earlier outcome.
async fn claim_key(
    conn: &mut AnyConnection,
    key: &str,
    operation: &str,
    appointment_id: &str,
    now: Timestamp,
) -> Result<Option<Outcome>, AppointmentsError> {
    let inserted = sqlx::query(
        "INSERT INTO appointment_request (idempotency_key, operation, appointment_id, created_at_ms)
         VALUES ($1, $2, $3, $4) ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(key)
    .bind(operation)
    .bind(appointment_id)
    .bind(now.as_millisecond())
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(None);
    }
    let (earlier_operation, earlier_appointment): (String, String) = sqlx::query_as(
        "SELECT operation, appointment_id FROM appointment_request WHERE idempotency_key = $1",
    )
    .bind(key)
    .fetch_one(&mut *conn)
    .await?;
    // Operation and (for move and cancel) appointment must match: a key cannot be replayed against another.
    if earlier_operation != operation
        || (operation != "book" && earlier_appointment != appointment_id)
    {
        return Err(AppointmentsError::KeyReused);
    }
    Ok(Some(Outcome {
        appointment_id: earlier_appointment,
        repeated: true,
    }))
}

/// The database refused the seat because another live booking overlaps it.
fn is_overlap(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.message().contains("appointment_no_overlap"))
}

/// PostgreSQL checks an exclusion constraint after placing the new row, so two transactions that write
/// overlapping rows at the same moment can each wait for the other; its deadlock detector then fails one of
/// them (40P01). That one tries the same seat again: by then the other has won it or given it up.
fn is_deadlock(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.code().as_deref() == Some("40P01"))
}

/// How often one seat is tried again after a deadlock before the next seat is tried.
const DEADLOCK_RETRIES: usize = 5;

/// The one statement that puts an appointment on a seat: a new booking, or an existing appointment moved.
enum Write<'a> {
    Book {
        id: &'a str,
        municipality_id: &'a str,
        service_id: &'a str,
        booker: &'a Booker<'a>,
        reminders: String,
        now: Timestamp,
    },
    Move {
        appointment_id: &'a str,
        sequence: i64,
        now: Timestamp,
    },
}

impl Write<'_> {
    /// Rows written: 1, or 0 when a moved appointment changed since it was read.
    async fn on_seat(
        &self,
        conn: &mut AnyConnection,
        resource_id: &str,
        slot: &availability::Slot,
        seat: i64,
    ) -> Result<u64, sqlx::Error> {
        let done = match self {
            Write::Book {
                id,
                municipality_id,
                service_id,
                booker,
                reminders,
                now,
            } => {
                sqlx::query(
                    "INSERT INTO appointment (id, municipality_id, service_id, resource_id, seat, start_ms, end_ms,
                         busy_from_ms, busy_until_ms, person_id, organisation_id, booked_via, booked_by_staff, status,
                         sequence, reminders, checkin_code, created_at_ms, changed_at_ms)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'booked', 0, $14, $15, $16, $16)",
                )
                .bind(*id)
                .bind(*municipality_id)
                .bind(*service_id)
                .bind(resource_id)
                .bind(seat)
                .bind(slot.start.as_millisecond())
                .bind(slot.end.as_millisecond())
                .bind(slot.busy_from.as_millisecond())
                .bind(slot.busy_until.as_millisecond())
                .bind(booker.person_id)
                .bind(booker.organisation_id)
                .bind(booker.via.as_str())
                .bind(booker.staff_id)
                .bind(reminders.as_str())
                .bind(secrets::code_chars(16))
                .bind(now.as_millisecond())
                .execute(conn)
                .await?
            }
            Write::Move {
                appointment_id,
                sequence,
                now,
            } => {
                sqlx::query(
                    "UPDATE appointment SET resource_id = $1, seat = $2, start_ms = $3, end_ms = $4, busy_from_ms = $5,
                            busy_until_ms = $6, sequence = sequence + 1, changed_at_ms = $7
                     WHERE id = $8 AND status = 'booked' AND sequence = $9",
                )
                .bind(resource_id)
                .bind(seat)
                .bind(slot.start.as_millisecond())
                .bind(slot.end.as_millisecond())
                .bind(slot.busy_from.as_millisecond())
                .bind(slot.busy_until.as_millisecond())
                .bind(now.as_millisecond())
                .bind(*appointment_id)
                .bind(*sequence)
                .execute(conn)
                .await?
            }
        };
        Ok(done.rows_affected())
    }
}

/// Tries the seats of the candidate resources in order, each inside its own savepoint, and returns the start
/// slot the database accepted; `None` when every seat is held. A seat held by an overlapping booking
/// rolls back only its savepoint.
async fn take_first_free_seat(
    tx: &mut AnyConnection,
    candidates: &[(String, availability::Slot, Vec<i64>)],
    write: &Write<'_>,
) -> Result<Option<availability::Slot>, AppointmentsError> {
    for (resource_id, slot, seats) in candidates {
        // PostgreSQL: bookings of one resource take its row lock first (held to the end of the booking, taken in
        // the candidates' fixed order, so lockers never wait in a circle). Without it, many transactions
        // inserting overlapping rows at once each wait for another's uncommitted row, and the deadlock
        // detector (1 s per cycle) turned a rush of 60 into minutes while connections ran out. The exclusion
        // constraint still decides; the lock only makes them take turns. SQLite's single writer already does.
        if tx.backend_name() == "PostgreSQL" {
            sqlx::query("SELECT id FROM appointment_resource WHERE id = $1 FOR UPDATE")
                .bind(resource_id)
                .fetch_optional(&mut *tx)
                .await?;
        }
        for seat in seats {
            let mut deadlocks = 0;
            loop {
                let mut attempt = (&mut *tx).begin().await?;
                match write.on_seat(&mut attempt, resource_id, slot, *seat).await {
                    Ok(1) => {
                        attempt.commit().await?;
                        return Ok(Some(slot.clone()));
                    }
                    // Cancelled or moved by someone else since it was read.
                    Ok(_) => return Err(AppointmentsError::Changed),
                    Err(e) if is_deadlock(&e) && deadlocks < DEADLOCK_RETRIES => {
                        attempt.rollback().await?;
                        deadlocks += 1;
                    }
                    Err(e) if is_overlap(&e) || is_deadlock(&e) => {
                        attempt.rollback().await?;
                        break;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
    Ok(None)
}

/// Books a time. `Taken` when every seat that could take it is held; `NotOffered` when the time is not on
/// the service's grid, too soon or too far ahead.
pub async fn book(
    db: &Db,
    municipality: &Municipality,
    request: &BookRequest<'_>,
    now: Timestamp,
) -> Result<Outcome, AppointmentsError> {
    check_key(request.idempotency_key)?;
    let service = catalogue::service(db, &municipality.id, request.service_id).await?;
    let via = request.booker.via;
    if via == Via::Resident && !service.resident_bookable {
        return Err(AppointmentsError::StaffOnly);
    }
    catalogue::location(db, &municipality.id, request.location_id).await?;
    let plans = catalogue::plans(db, &service.id, request.location_id, 0, 0).await?;
    let candidates = candidates(municipality, &service, &plans, via, request.start, now)?;
    let required = details::Field::list(&service.required_fields);
    let keep = if required.is_empty() {
        Vec::new()
    } else {
        let known = details::known(db, request.booker.person_id, now)
            .await?
            .with_register(request.from_register);
        let nothing = Given::default();
        let today = municipality.time_zone.to_datetime(now).date();
        details::check(
            &required,
            &known,
            request.details.unwrap_or(&nothing),
            today,
        )?
    };
    let reminders = request
        .reminders
        .clone()
        .unwrap_or_else(|| service.reminders.clone());
    let id = secrets::id();
    let mut tx = db.write().await?;
    if let Some(earlier) = claim_key(&mut tx, request.idempotency_key, "book", &id, now).await? {
        return Ok(earlier);
    }
    let given = match request.new_address {
        Some(_) if via != Via::Staff => {
            return Err(AppointmentsError::Invalid {
                field: "kanaal",
                key: "appointment-refused-own-address",
            })
        }
        Some((channel, value)) => Some(
            addresses::given_by_phone(&mut tx, request.booker.person_id, channel, value, now)
                .await
                .map_err(|error| match error {
                    NotificationsError::Storage(error) => AppointmentsError::Storage(error),
                    NotificationsError::Invalid { key, .. } => AppointmentsError::Invalid {
                        field: "nieuw-adres",
                        key,
                    },
                    _ => AppointmentsError::Invalid {
                        field: "nieuw-adres",
                        key: "appointment-refused-address-unusable",
                    },
                })?,
        ),
        None => None,
    };
    let address_id = given.as_deref().or(request.address_id);
    if let Some(address) = address_id {
        let own: Option<(String,)> =
            sqlx::query_as("SELECT id FROM digital_address WHERE id = $1 AND person_id = $2")
                .bind(address)
                .bind(request.booker.person_id)
                .fetch_optional(&mut *tx)
                .await?;
        if own.is_none() {
            return Err(AppointmentsError::Invalid {
                field: "address",
                key: "appointment-refused-resident-address",
            });
        }
    }
    let write = Write::Book {
        id: &id,
        municipality_id: &municipality.id,
        service_id: &service.id,
        booker: &request.booker,
        reminders: Reminder::join(&reminders),
        now,
    };
    let booked = take_first_free_seat(&mut tx, &candidates, &write).await?;
    let Some(slot) = booked else {
        return Err(AppointmentsError::Taken);
    };
    details::store(&mut tx, &id, &keep).await?;
    if let Some(address) = address_id {
        sqlx::query(
            "INSERT INTO notification_override (person_id, subject_kind, subject_id, address_id)
             VALUES ($1, 'appointment', $2, $3)",
        )
        .bind(request.booker.person_id)
        .bind(&id)
        .bind(address)
        .execute(&mut *tx)
        .await?;
    }
    let notice = Notice {
        appointment_id: &id,
        person_id: request.booker.person_id,
        sequence: 0,
        start: slot.start,
        end: slot.end,
        via,
    };
    announce(&mut tx, municipality, &notice, Kind::AppointmentBooked, now).await?;
    plan_reminders(&mut tx, municipality, &notice, &reminders, now).await?;
    tx.commit().await?;
    tracing::info!(appointment = %id, via = via.as_str(), "appointment booked");
    Ok(Outcome {
        appointment_id: id,
        repeated: false,
    })
}

/// Moves an appointment to another time at the same location, atomically: the appointment row itself is
/// updated, so the old time is given up only in the same statement that takes the new one. When the new time
/// is taken, nothing changes.
pub async fn move_to(
    db: &Db,
    municipality: &Municipality,
    request: &MoveRequest<'_>,
    now: Timestamp,
) -> Result<Outcome, AppointmentsError> {
    check_key(request.idempotency_key)?;
    let current = get(db, &municipality.id, request.appointment_id).await?;
    let service = catalogue::service(db, &municipality.id, &current.service_id).await?;
    let plans = catalogue::plans(db, &service.id, &current.location_id, 0, 0).await?;
    let candidates = candidates(
        municipality,
        &service,
        &plans,
        request.via,
        request.start,
        now,
    );
    let mut tx = db.write().await?;
    if let Some(earlier) =
        claim_key(&mut tx, request.idempotency_key, "move", &current.id, now).await?
    {
        return Ok(earlier);
    }
    if current.status == Status::Cancelled {
        return Err(AppointmentsError::Cancelled);
    }
    if current.start <= now {
        return Err(AppointmentsError::Past);
    }
    if request.expected_sequence != current.sequence {
        return Err(AppointmentsError::Changed);
    }
    let candidates = candidates?;
    let write = Write::Move {
        appointment_id: &current.id,
        sequence: current.sequence,
        now,
    };
    let moved = take_first_free_seat(&mut tx, &candidates, &write).await?;
    let Some(slot) = moved else {
        return Err(AppointmentsError::Taken);
    };
    withdraw_reminders(&mut tx, &current.id).await?;
    let notice = Notice {
        appointment_id: &current.id,
        person_id: &current.person_id,
        sequence: current.sequence + 1,
        start: slot.start,
        end: slot.end,
        via: current.via,
    };
    announce(&mut tx, municipality, &notice, Kind::AppointmentMoved, now).await?;
    plan_reminders(&mut tx, municipality, &notice, &current.reminders, now).await?;
    tx.commit().await?;
    tracing::info!(appointment = %current.id, "appointment moved");
    Ok(Outcome {
        appointment_id: current.id,
        repeated: false,
    })
}

/// Cancels an appointment: its time is free at once, its reminders are withdrawn, and a cancellation message
/// goes out. Cancelling a cancelled appointment changes nothing.
pub async fn cancel(
    db: &Db,
    municipality: &Municipality,
    appointment_id: &str,
    idempotency_key: &str,
    now: Timestamp,
) -> Result<Outcome, AppointmentsError> {
    check_key(idempotency_key)?;
    let current = get(db, &municipality.id, appointment_id).await?;
    let mut tx = db.write().await?;
    if let Some(earlier) = claim_key(&mut tx, idempotency_key, "cancel", &current.id, now).await? {
        return Ok(earlier);
    }
    if current.start <= now && current.status == Status::Booked {
        return Err(AppointmentsError::Past);
    }
    let updated = sqlx::query(
        "UPDATE appointment SET status = 'cancelled', sequence = sequence + 1, changed_at_ms = $1
         WHERE id = $2 AND status = 'booked'",
    )
    .bind(now.as_millisecond())
    .bind(&current.id)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        // Already cancelled (by another tab, or the contact centre): the wish is fulfilled.
        tx.commit().await?;
        return Ok(Outcome {
            appointment_id: current.id,
            repeated: true,
        });
    }
    let (sequence,): (i64,) = sqlx::query_as("SELECT sequence FROM appointment WHERE id = $1")
        .bind(&current.id)
        .fetch_one(&mut *tx)
        .await?;
    withdraw_reminders(&mut tx, &current.id).await?;
    let notice = Notice {
        appointment_id: &current.id,
        person_id: &current.person_id,
        sequence,
        start: current.start,
        end: current.end,
        via: current.via,
    };
    announce(
        &mut tx,
        municipality,
        &notice,
        Kind::AppointmentCancelled,
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(appointment = %current.id, "appointment cancelled");
    Ok(Outcome {
        appointment_id: current.id,
        repeated: false,
    })
}

/// Replaces the reminders the resident keeps for an appointment; only those still ahead are planned.
pub async fn set_reminders(
    db: &Db,
    municipality: &Municipality,
    appointment_id: &str,
    reminders: &[Reminder],
    now: Timestamp,
) -> Result<(), AppointmentsError> {
    let current = get(db, &municipality.id, appointment_id).await?;
    if current.status == Status::Cancelled {
        return Err(AppointmentsError::Cancelled);
    }
    if current.start <= now {
        return Err(AppointmentsError::Past);
    }
    let mut tx = db.write().await?;
    let updated = sqlx::query(
        "UPDATE appointment SET reminders = $1, changed_at_ms = $2 WHERE id = $3 AND status = 'booked' AND sequence = $4",
    )
    .bind(Reminder::join(reminders))
    .bind(now.as_millisecond())
    .bind(&current.id)
    .bind(current.sequence)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(AppointmentsError::Changed);
    }
    withdraw_reminders(&mut tx, &current.id).await?;
    let notice = Notice {
        appointment_id: &current.id,
        person_id: &current.person_id,
        sequence: current.sequence,
        start: current.start,
        end: current.end,
        via: current.via,
    };
    plan_reminders(&mut tx, municipality, &notice, reminders, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The facts an appointment's messages are planned from.
struct Notice<'a> {
    appointment_id: &'a str,
    person_id: &'a str,
    sequence: i64,
    start: Timestamp,
    end: Timestamp,
    /// Booked by the contact centre: every message then carries its own appointment link (see [`link_for`]).
    via: Via,
}

/// The token for the link in one message about an appointment the contact centre made: that person may have
/// no account, so the link plus a second check (their birth date when Loket knows it, else a code sent to this
/// same address) opens this one appointment (`identity::links`). Each message gets its own token, valid until
/// the appointment has ended; the outbox keeps it only to write the message. `None` (the link then asks to
/// sign in) for appointments the resident made.
async fn link_for(
    conn: &mut AnyConnection,
    notice: &Notice<'_>,
    now: Timestamp,
) -> Result<Option<String>, AppointmentsError> {
    if notice.via != Via::Staff || links::needs_account(conn, notice.appointment_id).await? {
        return Ok(None);
    }
    let birth_date: Option<(Option<String>,)> =
        sqlx::query_as("SELECT birth_date FROM person WHERE id = $1")
            .bind(notice.person_id)
            .fetch_optional(&mut *conn)
            .await?;
    let birth_date = birth_date.and_then(|(date,)| date);
    let token = links::issue_in(
        conn,
        notice.appointment_id,
        birth_date.as_deref(),
        notice.end,
        now,
    )
    .await?;
    Ok(Some(token))
}

/// The confirmation (booked, moved or cancelled), due at once.
async fn announce(
    conn: &mut AnyConnection,
    municipality: &Municipality,
    notice: &Notice<'_>,
    kind: Kind,
    now: Timestamp,
) -> Result<(), AppointmentsError> {
    let recipient = Party::Person(notice.person_id.to_owned());
    let event = Event::about_appointment(
        kind,
        format!(
            "appointment:{}:{}:{}",
            notice.appointment_id,
            notice.sequence,
            kind.as_str()
        ),
        &recipient,
        notifications::AppointmentRef {
            id: notice.appointment_id,
            sequence: notice.sequence,
            reminder: None,
        },
        now,
        notice.start,
    );
    let token = link_for(conn, notice, now).await?;
    let event = Event {
        secret: token.as_deref(),
        ..event
    };
    notifications::emit(conn, &municipality.id, &event, now).await?;
    Ok(())
}

/// One event per reminder still ahead, due at its moment. A reminder already sent for this version of the
/// appointment keeps its key, so it is never planned twice.
async fn plan_reminders(
    conn: &mut AnyConnection,
    municipality: &Municipality,
    notice: &Notice<'_>,
    reminders: &[Reminder],
    now: Timestamp,
) -> Result<(), AppointmentsError> {
    let recipient = Party::Person(notice.person_id.to_owned());
    let start = notice.start.to_zoned(municipality.time_zone.clone());
    for reminder in reminders {
        let Some(due) = reminder.due(&start) else {
            continue;
        };
        if due <= now {
            continue;
        }
        let event = Event::about_appointment(
            Kind::AppointmentReminder,
            format!(
                "appointment:{}:{}:reminder:{}",
                notice.appointment_id,
                notice.sequence,
                reminder.as_str()
            ),
            &recipient,
            notifications::AppointmentRef {
                id: notice.appointment_id,
                sequence: notice.sequence,
                reminder: Some(reminder.as_str()),
            },
            due,
            notice.start,
        );
        let token = link_for(conn, notice, now).await?;
        let event = Event {
            secret: token.as_deref(),
            ..event
        };
        notifications::emit(conn, &municipality.id, &event, now).await?;
    }
    Ok(())
}

/// Reminders not planned yet are removed (a later `plan_reminders` may add them again); those a worker
/// planned already are dropped by the re-check before sending.
async fn withdraw_reminders(
    conn: &mut AnyConnection,
    appointment_id: &str,
) -> Result<(), AppointmentsError> {
    sqlx::query(
        "DELETE FROM notification_event
         WHERE appointment_id = $1 AND kind = 'appointment-reminder' AND processed_at_ms IS NULL",
    )
    .bind(appointment_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// (event kind, planned for sequence, reminder, status, sequence, start, reminders kept)
type CurrentRow = (
    String,
    Option<i64>,
    Option<String>,
    String,
    i64,
    i64,
    String,
);

/// Why a message about an appointment should not go any more, if so: the re-check the outbox does when it
/// plans and again when it sends.
pub async fn still_current(
    conn: &mut AnyConnection,
    event_id: &str,
    now: Timestamp,
) -> Result<Option<&'static str>, sqlx::Error> {
    let row: Option<CurrentRow> = sqlx::query_as(
        "SELECT e.kind, e.appointment_sequence, e.appointment_reminder, a.status, a.sequence, a.start_ms, a.reminders
         FROM notification_event e JOIN appointment a ON a.id = e.appointment_id WHERE e.id = $1",
    )
    .bind(event_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((kind, planned_for, reminder, status, sequence, start_ms, reminders)) = row else {
        return Ok(Some("appointment gone"));
    };
    let cancelled = status == "cancelled";
    Ok(match Kind::parse(&kind) {
        Some(Kind::AppointmentCancelled) => (!cancelled).then_some("appointment not cancelled"),
        _ if cancelled => Some("appointment cancelled"),
        _ if planned_for != Some(sequence) => Some("appointment moved"),
        Some(Kind::AppointmentReminder) if start_ms <= now.as_millisecond() => {
            Some("appointment started")
        }
        Some(Kind::AppointmentReminder)
            if !reminder.is_some_and(|r| reminders.split(',').any(|kept| kept == r)) =>
        {
            Some("reminder switched off")
        }
        Some(Kind::AppointmentBooked | Kind::AppointmentMoved)
            if start_ms <= now.as_millisecond() =>
        {
            Some("appointment started")
        }
        _ => None,
    })
}
