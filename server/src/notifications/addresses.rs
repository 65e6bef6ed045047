//! The digital addresses a person keeps (e-mail addresses, mobile numbers), each with an own label, and where
//! each kind of message goes. An address is used only after the person typed the 6-digit code sent to it
//! (15 minutes, 5 tries), or when the contact centre took it on the phone; after 12 months it asks to be
//! confirmed again. The code travels through the outbox like any message.

use super::channels::Channel;
use super::push::PushServices;
use super::{emit, Event, Kind, MessageKind, NotificationsError};
use crate::identity::secrets;
use crate::parties::Party;
use crate::storage::Db;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jiff::{SignedDuration, Timestamp};

pub const CODE_VALID: SignedDuration = SignedDuration::from_mins(15);
pub const CODE_TRIES: i64 = 5;
pub const REVERIFY_AFTER: SignedDuration = SignedDuration::from_hours(24 * 365);
/// A new code at most once a minute per address: enough for "I did not get it", useless for flooding.
const RESEND_AFTER: SignedDuration = SignedDuration::from_mins(1);
const MAX_ADDRESSES: i64 = 10;
/// Verification codes one person may ask for per hour, over all their addresses.
const CODES_PER_HOUR: i64 = 10;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    pub id: String,
    pub channel: Channel,
    pub value: String,
    pub label: String,
    pub created_at_ms: i64,
    pub verified_at_ms: Option<i64>,
    pub given_by_phone: bool,
    pub failed_at_ms: Option<i64>,
    /// She marked it herself as the address to try when the one chosen for a message does not work.
    pub fallback: bool,
}

impl Address {
    /// Verified less than 12 months ago, or taken on the phone by the contact centre.
    pub fn usable(&self, now: Timestamp) -> bool {
        self.given_by_phone || self.verified_recently(now)
    }

    fn verified_recently(&self, now: Timestamp) -> bool {
        self.verified_at_ms
            .is_some_and(|at| at > (now - REVERIFY_AFTER).as_millisecond())
    }

    /// Verified once, but long ago: the resident is asked to confirm it again.
    pub fn needs_reverification(&self, now: Timestamp) -> bool {
        self.verified_at_ms.is_some() && !self.verified_recently(now) && !self.given_by_phone
    }
}

fn invalid(field: &'static str, key: &'static str) -> NotificationsError {
    NotificationsError::Invalid { field, key }
}

/// Lower-cases the domain, trims, and checks the shape; the real proof is the code that must arrive.
pub fn normalise_email(input: &str) -> Result<String, NotificationsError> {
    let problem = || invalid("value", "address-refused-email");
    let value = input.trim();
    let (local, domain) = value.rsplit_once('@').ok_or_else(problem)?;
    let fine_local = !local.is_empty()
        && local.len() <= 64
        && !local.contains('@')
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"<>()[],;:\"\\".contains(c));
    let fine_domain = domain.len() <= 253
        && domain.contains('.')
        && domain.split('.').all(|part| {
            !part.is_empty()
                && part.len() <= 63
                && !part.starts_with('-')
                && !part.ends_with('-')
                && part.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    if !(fine_local && fine_domain) || value.len() > 254 {
        return Err(problem());
    }
    Ok(format!("{local}@{}", domain.to_lowercase()))
}

/// A mobile number in any common spelling (06-12345678, +31 6 1234 5678, 0031612345678, +32 470 12 34 56)
/// as `+<country><number>`, judged by libphonenumber's metadata for its country, so a foreign mobile is
/// accepted and a landline (which cannot take an SMS) refused; without a country code it is read as Dutch.
pub fn normalise_mobile(input: &str) -> Result<String, NotificationsError> {
    use phonenumber::Type;
    let problem = || invalid("value", "address-refused-mobile");
    let number = written_number(input).ok_or_else(problem)?;
    let mobile = matches!(
        number.number_type(&phonenumber::metadata::DATABASE),
        Type::Mobile | Type::FixedLineOrMobile
    );
    if mobile {
        Ok(number.format().mode(phonenumber::Mode::E164).to_string())
    } else {
        Err(problem())
    }
}

/// A valid phone number as people write it: digits, a leading `+`, spaces, dashes, dots and brackets (not
/// letters, which libphonenumber would read as a keypad's digits); without a country code it is Dutch.
pub fn written_number(input: &str) -> Option<phonenumber::PhoneNumber> {
    let input = input.trim();
    let written = input.chars().enumerate().all(|(i, c)| {
        c.is_ascii_digit() || (c == '+' && i == 0) || matches!(c, ' ' | '-' | '.' | '(' | ')')
    });
    if !written {
        return None;
    }
    phonenumber::parse(Some(phonenumber::country::Id::NL), input)
        .ok()
        .filter(phonenumber::PhoneNumber::is_valid)
}

fn check_label(label: &str) -> Result<String, NotificationsError> {
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 40 {
        return Err(invalid("label", "address-refused-label"));
    }
    Ok(label.to_owned())
}

type AddressRow = (
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    i64,
    Option<i64>,
    i64,
);

fn from_row(row: AddressRow) -> Option<Address> {
    Some(Address {
        id: row.0,
        channel: Channel::parse(&row.1)?,
        value: row.2,
        label: row.3,
        created_at_ms: row.4,
        verified_at_ms: row.5,
        given_by_phone: row.6 == 1,
        failed_at_ms: row.7,
        fallback: row.8 == 1,
    })
}

const COLUMNS: &str =
    "id, channel, value, label, created_at_ms, verified_at_ms, given_by_phone, failed_at_ms, fallback";

pub async fn list(db: &Db, person_id: &str) -> Result<Vec<Address>, NotificationsError> {
    let rows: Vec<AddressRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM digital_address WHERE person_id = $1 ORDER BY created_at_ms, id"
    ))
    .bind(person_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().filter_map(from_row).collect())
}

pub async fn get(
    db: &Db,
    person_id: &str,
    address_id: &str,
) -> Result<Address, NotificationsError> {
    let row: Option<AddressRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM digital_address WHERE person_id = $1 AND id = $2"
    ))
    .bind(person_id)
    .bind(address_id)
    .fetch_optional(&db.pool)
    .await?;
    row.and_then(from_row).ok_or(NotificationsError::NotFound)
}

/// An [`AddressRow`] and how it was chosen (0: for this case or appointment, 1: for this kind, 2: not).
type RankedRow = (
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    i64,
    Option<i64>,
    i64,
    i64,
);

/// The addresses a message may go to, in the order to try them: the one she chose for this case or
/// appointment, else the one she chose for this kind of message, else (no choice made) her first usable
/// address (e-mail before SMS before push, oldest first); then the addresses she marked herself as fallback.
/// Nothing else: an address she did not pick is never used because the chosen one failed (the safe-address
/// promise: her ex-partner may read it). An empty list means the message waits for her to choose another.
pub(super) async fn candidates(
    conn: &mut sqlx::AnyConnection,
    person_id: &str,
    kind: Option<MessageKind>,
    case_id: Option<&str>,
    appointment_id: Option<&str>,
    now: Timestamp,
) -> Result<Vec<Address>, sqlx::Error> {
    let rows: Vec<RankedRow> =
        sqlx::query_as(&format!(
            "SELECT {COLUMNS}, CASE WHEN EXISTS (SELECT 1 FROM notification_override o WHERE o.address_id = a.id
                                    AND o.person_id = $1 AND ((o.subject_kind = 'case' AND o.subject_id = $2)
                                         OR (o.subject_kind = 'appointment' AND o.subject_id = $4))) THEN 0
                       WHEN EXISTS (SELECT 1 FROM notification_choice c WHERE c.address_id = a.id
                                    AND c.person_id = $1 AND c.kind = $3) THEN 1
                       ELSE 2 END AS rank
             FROM digital_address a WHERE a.person_id = $1
             ORDER BY rank, CASE WHEN a.channel = 'email' THEN 0 WHEN a.channel = 'sms' THEN 1 ELSE 2 END,
                      a.created_at_ms, a.id"
        ))
        .bind(person_id)
        .bind(case_id.unwrap_or(""))
        .bind(kind.map_or("", MessageKind::as_str))
        .bind(appointment_id.unwrap_or(""))
        .fetch_all(&mut *conn)
        .await?;
    let ranked: Vec<(i64, Address)> = rows
        .into_iter()
        .filter_map(|r| {
            let rank = r.9;
            from_row((r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8)).map(|a| (rank, a))
        })
        .collect();
    // The chosen one counts even when it no longer works (a message then waits rather than go elsewhere).
    let chosen = ranked
        .iter()
        .map(|(rank, _)| *rank)
        .min()
        .filter(|rank| *rank < 2);
    let mut out: Vec<Address> = ranked
        .iter()
        .find(|(rank, a)| chosen.is_none_or(|c| *rank == c) && a.usable(now))
        .map(|(_, first)| first.clone())
        .into_iter()
        .collect();
    for (_, address) in &ranked {
        if address.fallback && address.usable(now) && !out.iter().any(|a| a.id == address.id) {
            out.push(address.clone());
        }
    }
    Ok(out)
}

/// Marks (or unmarks) one of her addresses as the one to try when the address chosen for a message does not
/// work. Only a confirmed address can be one.
pub async fn set_fallback(
    db: &Db,
    person_id: &str,
    address_id: &str,
    fallback: bool,
    now: Timestamp,
) -> Result<(), NotificationsError> {
    let address = get(db, person_id, address_id).await?;
    if fallback && !address.usable(now) {
        return Err(invalid("address", "address-refused-unconfirmed"));
    }
    sqlx::query("UPDATE digital_address SET fallback = $1 WHERE id = $2 AND person_id = $3")
        .bind(i64::from(fallback))
        .bind(address_id)
        .bind(person_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// A person keeps at most [`MAX_ADDRESSES`]; `field` is the form field the refusal belongs to.
async fn room_for_another(
    conn: &mut sqlx::AnyConnection,
    person_id: &str,
    field: &'static str,
) -> Result<(), NotificationsError> {
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM digital_address WHERE person_id = $1")
            .bind(person_id)
            .fetch_one(&mut *conn)
            .await?;
    if count >= MAX_ADDRESSES {
        return Err(invalid(field, "address-refused-too-many"));
    }
    Ok(())
}

/// The stored form of a code: salted with the address, so equal codes of two addresses differ.
fn code_hash(address_id: &str, code: &str) -> String {
    secrets::hash(&format!("{address_id}:{code}"))
}

/// Adds an address (or renames one the person already has) and, unless it is usable already, sends a code to
/// it. Returns the address id.
pub async fn add(
    db: &Db,
    municipality_id: &str,
    person_id: &str,
    channel: Channel,
    value: &str,
    label: &str,
    now: Timestamp,
) -> Result<String, NotificationsError> {
    let value = match channel {
        Channel::Email => normalise_email(value)?,
        Channel::Sms => normalise_mobile(value)?,
        // A device subscribes itself, with its keys ([`add_push`]); nobody types an endpoint.
        Channel::Push => return Err(invalid("channel", "address-refused-push-here")),
    };
    let label = check_label(label)?;
    let mut tx = db.write().await?;
    // Write first: locking the person's row serialises their address changes (so the limit of 10 holds under
    // concurrent requests), and on SQLite a transaction that starts with a write waits its turn instead of
    // failing with SQLITE_BUSY when another writer commits between its read and its write.
    sqlx::query("UPDATE person SET language = language WHERE id = $1")
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
    let existing: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM digital_address WHERE person_id = $1 AND channel = $2 AND value = $3",
    )
    .bind(person_id)
    .bind(channel.as_str())
    .bind(&value)
    .fetch_optional(&mut *tx)
    .await?;
    let id = match existing {
        Some((id,)) => {
            sqlx::query("UPDATE digital_address SET label = $1 WHERE id = $2")
                .bind(&label)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            id
        }
        None => {
            room_for_another(&mut tx, person_id, "value").await?;
            let id = secrets::id();
            sqlx::query(
                "INSERT INTO digital_address (id, person_id, channel, value, label, created_at_ms)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&id)
            .bind(person_id)
            .bind(channel.as_str())
            .bind(&value)
            .bind(&label)
            .bind(now.as_millisecond())
            .execute(&mut *tx)
            .await?;
            id
        }
    };
    let (verified_at, by_phone, expires): (Option<i64>, i64, Option<i64>) = sqlx::query_as(
        "SELECT verified_at_ms, given_by_phone, code_expires_at_ms FROM digital_address WHERE id = $1",
    )
    .bind(&id)
    .fetch_one(&mut *tx)
    .await?;
    let usable =
        by_phone == 1 || verified_at.is_some_and(|at| at > (now - REVERIFY_AFTER).as_millisecond());
    // Adding the same address again within a minute keeps the code that is on its way.
    if !usable && !code_just_sent(expires, now) {
        send_code(&mut tx, municipality_id, person_id, &id, now).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// An address the contact centre took on the phone, inside the caller's transaction (a booking): it counts as
/// confirmed at once ([`Address::usable`]) and no code is sent; the same address already on file is marked
/// given by phone. `value` is checked and written in one form first. Returns the address id.
pub async fn given_by_phone(
    conn: &mut sqlx::AnyConnection,
    person_id: &str,
    channel: Channel,
    value: &str,
    now: Timestamp,
) -> Result<String, NotificationsError> {
    let value = match channel {
        Channel::Email => normalise_email(value)?,
        Channel::Sms => normalise_mobile(value)?,
        Channel::Push => return Err(NotificationsError::NotFound),
    };
    let existing: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM digital_address WHERE person_id = $1 AND channel = $2 AND value = $3",
    )
    .bind(person_id)
    .bind(channel.as_str())
    .bind(&value)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((id,)) = existing {
        sqlx::query("UPDATE digital_address SET given_by_phone = 1 WHERE id = $1")
            .bind(&id)
            .execute(&mut *conn)
            .await?;
        return Ok(id);
    }
    room_for_another(conn, person_id, "nieuw-adres").await?;
    let id = secrets::id();
    sqlx::query(
        "INSERT INTO digital_address (id, person_id, channel, value, label, created_at_ms, given_by_phone)
         VALUES ($1, $2, $3, $4, $5, $6, 1)",
    )
    .bind(&id)
    .bind(person_id)
    .bind(channel.as_str())
    .bind(&value)
    .bind(match channel {
        Channel::Sms => "Telefoon (gegeven aan de telefoon)",
        _ => "E-mail (gegeven aan de telefoon)",
    })
    .bind(now.as_millisecond())
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// The contact centre corrects an address whose messages did not arrive, with the resident on the phone: the
/// address keeps its id, label, choices and history and gets the corrected value, counted as given by phone
/// (confirmed), with the failure cleared. Only an address that failed can be corrected this way.
pub async fn correct(
    db: &Db,
    person_id: &str,
    address_id: &str,
    value: &str,
) -> Result<(), NotificationsError> {
    let address = get(db, person_id, address_id).await?;
    if address.failed_at_ms.is_none() {
        return Err(invalid("juist-adres", "address-refused-works"));
    }
    let value = match address.channel {
        Channel::Email => normalise_email(value)
            .map_err(|_| invalid("juist-adres", "address-refused-correct-email"))?,
        Channel::Sms => normalise_mobile(value)
            .map_err(|_| invalid("juist-adres", "address-refused-correct-mobile"))?,
        Channel::Push => return Err(NotificationsError::NotFound),
    };
    let taken: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM digital_address WHERE person_id = $1 AND channel = $2 AND value = $3 AND id <> $4",
    )
    .bind(person_id)
    .bind(address.channel.as_str())
    .bind(&value)
    .bind(address_id)
    .fetch_optional(&db.pool)
    .await?;
    if taken.is_some() {
        return Err(invalid("juist-adres", "address-refused-known"));
    }
    sqlx::query(
        "UPDATE digital_address
         SET value = $1, given_by_phone = 1, failed_at_ms = NULL, code_hash = NULL, code_expires_at_ms = NULL
         WHERE id = $2 AND person_id = $3",
    )
    .bind(&value)
    .bind(address_id)
    .bind(person_id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Adds (or renews) the push subscription of the device the person is signed in on. It counts as confirmed at
/// once: the browser created it in this signed-in session, and only that browser holds the key that decrypts
/// its messages, so a code sent to it would prove nothing more. Returns the address id.
#[allow(clippy::too_many_arguments)]
pub async fn add_push(
    db: &Db,
    person_id: &str,
    endpoint: &str,
    p256dh: &str,
    auth: &str,
    label: &str,
    services: &PushServices,
    now: Timestamp,
) -> Result<String, NotificationsError> {
    let endpoint = endpoint.trim();
    if !services.allows(endpoint) {
        return Err(invalid("push", "address-refused-push-service"));
    }
    let key_ok = URL_SAFE_NO_PAD
        .decode(p256dh.trim())
        .is_ok_and(|k| k.len() == 65 && k.first() == Some(&4));
    let auth_ok = URL_SAFE_NO_PAD
        .decode(auth.trim())
        .is_ok_and(|a| a.len() == 16);
    if !key_ok || !auth_ok {
        return Err(invalid("push", "address-refused-push-failed"));
    }
    let label = check_label(label)?;
    // Start with the write (see the outbox): under load a read-then-write transaction on SQLite fails.
    let mut tx = db.write().await?;
    let renewed = sqlx::query(
        "UPDATE digital_address SET label = $1, push_p256dh = $2, push_auth = $3, verified_at_ms = $4,
                failed_at_ms = NULL
         WHERE person_id = $5 AND channel = 'push' AND value = $6",
    )
    .bind(&label)
    .bind(p256dh.trim())
    .bind(auth.trim())
    .bind(now.as_millisecond())
    .bind(person_id)
    .bind(endpoint)
    .execute(&mut *tx)
    .await?;
    if renewed.rows_affected() == 0 {
        room_for_another(&mut tx, person_id, "push").await?;
        sqlx::query(
            "INSERT INTO digital_address (id, person_id, channel, value, label, created_at_ms, verified_at_ms,
                                          push_p256dh, push_auth)
             VALUES ($1, $2, 'push', $3, $4, $5, $5, $6, $7)",
        )
        .bind(secrets::id())
        .bind(person_id)
        .bind(endpoint)
        .bind(&label)
        .bind(now.as_millisecond())
        .bind(p256dh.trim())
        .bind(auth.trim())
        .execute(&mut *tx)
        .await?;
    }
    let (id,): (String,) = sqlx::query_as(
        "SELECT id FROM digital_address WHERE person_id = $1 AND channel = 'push' AND value = $2",
    )
    .bind(person_id)
    .bind(endpoint)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn send_code(
    conn: &mut sqlx::AnyConnection,
    municipality_id: &str,
    person_id: &str,
    address_id: &str,
    now: Timestamp,
) -> Result<(), NotificationsError> {
    // Codes go to addresses nobody has confirmed yet: without a limit, this form could flood a stranger.
    let (recent,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM notification_event
         WHERE kind = 'address-verification' AND person_id = $1 AND created_at_ms > $2",
    )
    .bind(person_id)
    .bind((now - SignedDuration::from_hours(1)).as_millisecond())
    .fetch_one(&mut *conn)
    .await?;
    if recent >= CODES_PER_HOUR {
        return Err(invalid("value", "address-refused-codes-hour"));
    }
    let code = secrets::six_digits();
    sqlx::query(
        "UPDATE digital_address SET code_hash = $1, code_expires_at_ms = $2, code_tries = 0 WHERE id = $3",
    )
    .bind(code_hash(address_id, &code))
    .bind((now + CODE_VALID).as_millisecond())
    .bind(address_id)
    .execute(&mut *conn)
    .await?;
    let party = Party::Person(person_id.to_owned());
    emit(
        conn,
        municipality_id,
        &Event {
            kind: Kind::AddressVerification,
            dedupe_key: format!("verify:{address_id}:{}", secrets::id()),
            recipient: &party,
            case_id: None,
            address_id: Some(address_id),
            secret: Some(&code),
            due_at: now,
            concerns_at: None,
            appointment: None,
        },
        now,
    )
    .await?;
    Ok(())
}

/// A code went to the address less than [`RESEND_AFTER`] ago (it expires [`CODE_VALID`] after sending).
fn code_just_sent(expires_at_ms: Option<i64>, now: Timestamp) -> bool {
    expires_at_ms.is_some_and(|expires| {
        expires - CODE_VALID.as_millis() as i64 + RESEND_AFTER.as_millis() as i64
            > now.as_millisecond()
    })
}

/// Sends a fresh code (the old one stops working).
pub async fn resend_code(
    db: &Db,
    municipality_id: &str,
    person_id: &str,
    address_id: &str,
    now: Timestamp,
) -> Result<(), NotificationsError> {
    let mut tx = db.write().await?;
    let row: Option<(Option<i64>,)> = sqlx::query_as(
        "SELECT code_expires_at_ms FROM digital_address WHERE id = $1 AND person_id = $2",
    )
    .bind(address_id)
    .bind(person_id)
    .fetch_optional(&mut *tx)
    .await?;
    let (expires,) = row.ok_or(NotificationsError::NotFound)?;
    if code_just_sent(expires, now) {
        return Err(invalid("code", "address-refused-code-just-sent"));
    }
    send_code(&mut tx, municipality_id, person_id, address_id, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Checks a typed code. Five wrong tries or an expired code need a new code.
pub async fn verify(
    db: &Db,
    person_id: &str,
    address_id: &str,
    typed: &str,
    now: Timestamp,
) -> Result<(), NotificationsError> {
    let Some(typed) = secrets::typed_six_digits(typed) else {
        return Err(invalid("code", "address-refused-code-format"));
    };
    let mut tx = db.write().await?;
    // Write first (see `add`): two tries at once are counted one after the other.
    sqlx::query(
        "UPDATE digital_address SET code_tries = code_tries WHERE id = $1 AND person_id = $2",
    )
    .bind(address_id)
    .bind(person_id)
    .execute(&mut *tx)
    .await?;
    let row: Option<(Option<String>, Option<i64>, i64)> = sqlx::query_as(
        "SELECT code_hash, code_expires_at_ms, code_tries FROM digital_address WHERE id = $1 AND person_id = $2",
    )
    .bind(address_id)
    .bind(person_id)
    .fetch_optional(&mut *tx)
    .await?;
    let (hash, expires, tries) = row.ok_or(NotificationsError::NotFound)?;
    let (Some(hash), Some(expires)) = (hash, expires) else {
        return Err(NotificationsError::CodeExpired);
    };
    if expires <= now.as_millisecond() || tries >= CODE_TRIES {
        return Err(NotificationsError::CodeExpired);
    }
    if !secrets::same(&hash, &code_hash(address_id, &typed)) {
        sqlx::query("UPDATE digital_address SET code_tries = code_tries + 1 WHERE id = $1")
            .bind(address_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        let left = CODE_TRIES - tries - 1;
        return Err(if left > 0 {
            NotificationsError::WrongCode { tries_left: left }
        } else {
            NotificationsError::CodeExpired
        });
    }
    sqlx::query(
        "UPDATE digital_address SET verified_at_ms = $1, code_hash = NULL, code_expires_at_ms = NULL, code_tries = 0,
                failed_at_ms = NULL WHERE id = $2",
    )
    .bind(now.as_millisecond())
    .bind(address_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes an address; choices and overrides that pointed to it fall back to the default.
pub async fn remove(db: &Db, person_id: &str, address_id: &str) -> Result<(), NotificationsError> {
    let mut tx = db.write().await?;
    for sql in [
        "DELETE FROM notification_choice WHERE address_id = $1 AND person_id = $2",
        "DELETE FROM notification_override WHERE address_id = $1 AND person_id = $2",
        "DELETE FROM notification_message WHERE address_id = $1 AND person_id = $2",
        "UPDATE notification_event SET address_id = NULL WHERE address_id = $1 AND person_id = $2",
    ] {
        sqlx::query(sql)
            .bind(address_id)
            .bind(person_id)
            .execute(&mut *tx)
            .await?;
    }
    let gone = sqlx::query("DELETE FROM digital_address WHERE id = $1 AND person_id = $2")
        .bind(address_id)
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
    if gone.rows_affected() == 0 {
        return Err(NotificationsError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

async fn usable_address(
    db: &Db,
    person_id: &str,
    address_id: &str,
    now: Timestamp,
) -> Result<(), NotificationsError> {
    let address = get(db, person_id, address_id).await?;
    if address.usable(now) {
        Ok(())
    } else {
        Err(invalid("address", "address-refused-unconfirmed"))
    }
}

/// Where one kind of message goes; `None` returns it to the default (the first usable address).
pub async fn choose(
    db: &Db,
    person_id: &str,
    kind: MessageKind,
    address_id: Option<&str>,
    now: Timestamp,
) -> Result<(), NotificationsError> {
    point_to(
        db,
        person_id,
        kind.as_str(),
        address_id,
        now,
        "DELETE FROM notification_choice WHERE person_id = $1 AND kind = $2",
        "INSERT INTO notification_choice (person_id, kind, address_id) VALUES ($1, $2, $3)",
    )
    .await
}

/// "Send everything about this case to …"; `None` removes the override.
/// The address the person chose for everything about case `case_id` (row id), if any.
pub async fn case_choice(
    db: &Db,
    municipality_id: &str,
    person_id: &str,
    case_id: &str,
) -> Result<Option<String>, NotificationsError> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT o.address_id FROM notification_override o JOIN cases c ON c.id = o.subject_id
         WHERE o.person_id = $1 AND o.subject_kind = 'case' AND c.id = $2 AND c.municipality_id = $3",
    )
    .bind(person_id)
    .bind(case_id)
    .bind(municipality_id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(|(id,)| id))
}

pub async fn choose_for_case(
    db: &Db,
    person_id: &str,
    case_id: &str,
    address_id: Option<&str>,
    now: Timestamp,
) -> Result<(), NotificationsError> {
    point_to(
        db,
        person_id,
        case_id,
        address_id,
        now,
        "DELETE FROM notification_override WHERE person_id = $1 AND subject_kind = 'case' AND subject_id = $2",
        "INSERT INTO notification_override (person_id, subject_kind, subject_id, address_id)
         VALUES ($1, 'case', $2, $3)",
    )
    .await
}

/// Replaces the person's pointer for `key` (a kind of message, a case) with `address_id`, which must be one of
/// their usable addresses; `None` only removes it. `$1` person, `$2` key, `$3` address in both statements.
async fn point_to(
    db: &Db,
    person_id: &str,
    key: &str,
    address_id: Option<&str>,
    now: Timestamp,
    delete: &str,
    insert: &str,
) -> Result<(), NotificationsError> {
    if let Some(address_id) = address_id {
        usable_address(db, person_id, address_id, now).await?;
    }
    let mut tx = db.write().await?;
    sqlx::query(delete)
        .bind(person_id)
        .bind(key)
        .execute(&mut *tx)
        .await?;
    if let Some(address_id) = address_id {
        sqlx::query(insert)
            .bind(person_id)
            .bind(key)
            .bind(address_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The person's choices: kind of message → address id.
pub async fn choices(
    db: &Db,
    person_id: &str,
) -> Result<Vec<(MessageKind, String)>, NotificationsError> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, address_id FROM notification_choice WHERE person_id = $1")
            .bind(person_id)
            .fetch_all(&db.pool)
            .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(kind, address)| MessageKind::parse(&kind).map(|k| (k, address)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_mobile_numbers_in_every_common_spelling_become_one_form() {
        for input in [
            "06-12345678",
            "06 1234 5678",
            "+31 6 12345678",
            "0031612345678",
            "+31 (0)6 12345678",
        ] {
            // "+31 (0)6": the national 0 written in brackets, as many people do, is dropped.
            assert_eq!(normalise_mobile(input).unwrap(), "+31612345678", "{input}");
        }
    }

    #[test]
    fn foreign_mobiles_are_accepted_and_landlines_anywhere_refused() {
        for (input, want) in [
            ("+32 470 12 34 56", "+32470123456"),
            ("+44 7911 123456", "+447911123456"),
            ("0049 1512 3456789", "+4915123456789"),
        ] {
            assert_eq!(normalise_mobile(input).unwrap(), want, "{input}");
        }
        for bad in [
            "020-1234567",
            "+31 20 123 4567",
            "+32 2 123 45 67",
            "+44 20 7946 0958",
            "12345",
            "06-1234567a",
            "06-123456789",
            "+0612345678",
        ] {
            assert!(normalise_mobile(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn e_mail_addresses_are_trimmed_and_their_domain_lower_cased() {
        assert_eq!(
            normalise_email("  Desiree.Veilig@Example.NL ").unwrap(),
            "Desiree.Veilig@example.nl"
        );
        for bad in [
            "desiree",
            "a@b",
            "a b@example.nl",
            "@example.nl",
            "a@-x.nl",
            "a@x..nl",
            "<a>@x.nl",
        ] {
            assert!(normalise_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_address_verified_over_a_year_ago_asks_to_be_confirmed_again() {
        let now: Timestamp = "2026-11-23T10:00:00Z".parse().unwrap();
        let mut address = Address {
            id: String::from("a"),
            channel: Channel::Email,
            value: String::from("x@example.nl"),
            label: String::from("x"),
            created_at_ms: 0,
            verified_at_ms: Some((now - SignedDuration::from_hours(24 * 366)).as_millisecond()),
            given_by_phone: false,
            failed_at_ms: None,
            fallback: false,
        };
        assert!(!address.usable(now));
        assert!(address.needs_reverification(now));
        address.verified_at_ms = Some((now - SignedDuration::from_hours(24)).as_millisecond());
        assert!(address.usable(now));
        assert!(!address.needs_reverification(now));
    }
}
