//! Activation codes: how an identity checked by a trusted route (the desk, the phone, a letter) is bound to an
//! account once. A code is `lookup` (4 characters, finds the row) + secret (16 characters, 80 bits, stored
//! hashed); it is single-use, expires (14 days by default), is blocked after 5 wrong tries and can be revoked.
//! Issuing a new code for the same target revokes the open ones: that is also the recovery route.

use super::{from_ms, ms, secrets, IdentityError};
use crate::storage::Db;
use jiff::{SignedDuration, Timestamp};

pub const DEFAULT_VALIDITY: SignedDuration = SignedDuration::from_hours(14 * 24);
pub const MAX_FAILED_ATTEMPTS: i64 = 5;
const LOOKUP_LEN: usize = 4;
const SECRET_LEN: usize = 16;

/// What a code binds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodeTarget {
    Person {
        person_id: String,
    },
    /// The person becomes a confirmed member of the organisation (and gets an account if they had none).
    Membership {
        organisation_id: String,
        person_id: String,
    },
    Staff {
        staff_id: String,
    },
}

/// A freshly issued code: the only moment the code exists in readable form.
#[derive(Clone, Debug)]
pub struct IssuedCode {
    pub id: String,
    /// Grouped for reading: `ABCD-EFGH-JKMN-PQRS-TVWX`.
    pub code: String,
    pub expires_at: Timestamp,
}

/// A code that checked out: not used, not revoked, not expired, not blocked, secret right.
#[derive(Clone, Debug)]
pub struct ValidCode {
    pub id: String,
    pub municipality_id: String,
    pub target: CodeTarget,
}

pub async fn issue(
    db: &Db,
    municipality_id: &str,
    target: &CodeTarget,
    issued_by: &str,
    now: Timestamp,
    validity: SignedDuration,
) -> Result<IssuedCode, IdentityError> {
    let mut tx = db.write().await?;
    // Earlier open codes for the same target stop working: the newest letter or call is the one that counts.
    revoke_open_in(&mut tx, target, now).await?;
    let (person_id, organisation_id, staff_id) = columns(target);
    // The lookup part must be unique among open codes; with 20 bits and few open codes a retry is rare.
    let mut lookup = secrets::code_chars(LOOKUP_LEN);
    for _ in 0..8 {
        let taken: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM activation_code WHERE lookup = $1 AND used_at_ms IS NULL AND revoked_at_ms IS NULL
             AND expires_at_ms > $2 LIMIT 1",
        )
        .bind(&lookup)
        .bind(ms(now))
        .fetch_optional(&mut *tx)
        .await?;
        if taken.is_none() {
            break;
        }
        lookup = secrets::code_chars(LOOKUP_LEN);
    }
    let secret = secrets::code_chars(SECRET_LEN);
    let id = secrets::id();
    let expires_at = now + validity;
    sqlx::query(
        "INSERT INTO activation_code (id, municipality_id, lookup, secret_hash, person_id, organisation_id, staff_id,
                                      issued_by, created_at_ms, expires_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(municipality_id)
    .bind(&lookup)
    .bind(secrets::hash(&secret))
    .bind(person_id)
    .bind(organisation_id)
    .bind(staff_id)
    .bind(issued_by)
    .bind(ms(now))
    .bind(ms(expires_at))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(IssuedCode {
        id,
        code: secrets::group(&format!("{lookup}{secret}")),
        expires_at,
    })
}

/// The person, organisation and staff columns of a code for `target`.
fn columns(target: &CodeTarget) -> (Option<&str>, Option<&str>, Option<&str>) {
    match target {
        CodeTarget::Person { person_id } => (Some(person_id.as_str()), None, None),
        CodeTarget::Membership {
            organisation_id,
            person_id,
        } => (
            Some(person_id.as_str()),
            Some(organisation_id.as_str()),
            None,
        ),
        CodeTarget::Staff { staff_id } => (None, None, Some(staff_id.as_str())),
    }
}

/// The codes of one target, with its columns bound as `$2`, `$3`, `$4`.
const SAME_TARGET: &str =
    "(($2 IS NOT NULL AND person_id = $2 AND COALESCE(organisation_id, '') = COALESCE($3, ''))
                            OR ($4 IS NOT NULL AND staff_id = $4))";

pub(crate) async fn revoke_open_in(
    conn: &mut sqlx::AnyConnection,
    target: &CodeTarget,
    now: Timestamp,
) -> Result<u64, IdentityError> {
    let (person_id, organisation_id, staff_id) = columns(target);
    let done = sqlx::query(&format!(
        "UPDATE activation_code SET revoked_at_ms = $1
         WHERE used_at_ms IS NULL AND revoked_at_ms IS NULL AND {SAME_TARGET}"
    ))
    .bind(ms(now))
    .bind(person_id)
    .bind(organisation_id)
    .bind(staff_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Revokes every code of `target` that was not used yet (a letter that went astray, a code read out to the
/// wrong person); how many there were.
pub async fn revoke_open(
    db: &Db,
    target: &CodeTarget,
    now: Timestamp,
) -> Result<u64, IdentityError> {
    let mut tx = db.write().await?;
    let revoked = revoke_open_in(&mut tx, target, now).await?;
    tx.commit().await?;
    Ok(revoked)
}

/// A code that can still be used: when it was issued and until when it works.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenCode {
    pub id: String,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
}

/// The newest code of `target` that can still be used, if any.
pub async fn open_code(
    db: &Db,
    target: &CodeTarget,
    now: Timestamp,
) -> Result<Option<OpenCode>, IdentityError> {
    let (person_id, organisation_id, staff_id) = columns(target);
    let row: Option<(String, i64, i64)> = sqlx::query_as(&format!(
        "SELECT id, created_at_ms, expires_at_ms FROM activation_code
         WHERE used_at_ms IS NULL AND revoked_at_ms IS NULL AND expires_at_ms > $1 AND failed_attempts < $5
           AND {SAME_TARGET}
         ORDER BY created_at_ms DESC LIMIT 1"
    ))
    .bind(ms(now))
    .bind(person_id)
    .bind(organisation_id)
    .bind(staff_id)
    .bind(MAX_FAILED_ATTEMPTS)
    .fetch_optional(&db.pool)
    .await?;
    row.map(|(id, issued, expires)| {
        Ok(OpenCode {
            id,
            issued_at: from_ms(issued)?,
            expires_at: from_ms(expires)?,
        })
    })
    .transpose()
}

type CodeRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    i64,
);

/// Checks a typed code without using it up. A wrong secret for an existing code counts as a failed attempt;
/// the fifth blocks the code for good.
pub async fn check(db: &Db, typed: &str, now: Timestamp) -> Result<ValidCode, IdentityError> {
    let code = secrets::normalise_code(typed).ok_or(IdentityError::CodeNotValid)?;
    if code.len() != LOOKUP_LEN + SECRET_LEN {
        return Err(IdentityError::CodeNotValid);
    }
    let (lookup, secret) = code.split_at(LOOKUP_LEN);
    let rows: Vec<CodeRow> = sqlx::query_as(
        "SELECT id, municipality_id, secret_hash, person_id, organisation_id, staff_id, failed_attempts, expires_at_ms
         FROM activation_code WHERE lookup = $1 AND used_at_ms IS NULL AND revoked_at_ms IS NULL",
    )
    .bind(lookup)
    .fetch_all(&db.pool)
    .await?;
    let hash = secrets::hash(secret);
    let mut wrong = Vec::new();
    for (id, municipality_id, secret_hash, person_id, organisation_id, staff_id, failed, expires) in
        rows
    {
        if from_ms(expires)? <= now || failed >= MAX_FAILED_ATTEMPTS {
            continue;
        }
        if !secrets::same(&secret_hash, &hash) {
            wrong.push(id);
            continue;
        }
        let target = target_from(person_id, organisation_id, staff_id)?;
        return Ok(ValidCode {
            id,
            municipality_id,
            target,
        });
    }
    for id in wrong {
        sqlx::query(
            "UPDATE activation_code SET failed_attempts = failed_attempts + 1 WHERE id = $1",
        )
        .bind(id)
        .execute(&db.pool)
        .await?;
    }
    Err(IdentityError::CodeNotValid)
}

fn target_from(
    person_id: Option<String>,
    organisation_id: Option<String>,
    staff_id: Option<String>,
) -> Result<CodeTarget, IdentityError> {
    match (person_id, organisation_id, staff_id) {
        (Some(person_id), None, None) => Ok(CodeTarget::Person { person_id }),
        (Some(person_id), Some(organisation_id), None) => Ok(CodeTarget::Membership {
            organisation_id,
            person_id,
        }),
        (None, None, Some(staff_id)) => Ok(CodeTarget::Staff { staff_id }),
        _ => Err(IdentityError::Corrupt(String::from(
            "activation code target",
        ))),
    }
}

type TargetRow = (String, Option<String>, Option<String>, Option<String>);

/// What binding an identity with code `id` is worth: a code the contact centre issued was read out on the
/// phone (`laag`: whoever answered the call may have it); one from an administrator, the command line or
/// the demo was handed over in person or by letter (`substantieel`).
pub(crate) async fn enrolment_of(
    conn: &mut sqlx::AnyConnection,
    id: &str,
) -> Result<super::sessions::Assurance, IdentityError> {
    use super::sessions::Assurance;
    let row: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT c.issued_by, s.role FROM activation_code c
         LEFT JOIN staff_member s ON c.issued_by = 'staff:' || s.id WHERE c.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some((_, Some(role))) if role == "kcc" => Assurance::Low,
        _ => Assurance::Substantial,
    })
}

/// A code by id, whatever its state (a ceremony remembers only the id; [`consume`] decides if it still works).
pub(crate) async fn by_id(db: &Db, id: &str) -> Result<ValidCode, IdentityError> {
    let row: Option<TargetRow> = sqlx::query_as(
        "SELECT municipality_id, person_id, organisation_id, staff_id FROM activation_code WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    let (municipality_id, person_id, organisation_id, staff_id) =
        row.ok_or(IdentityError::CodeNotValid)?;
    Ok(ValidCode {
        id: id.to_owned(),
        municipality_id,
        target: target_from(person_id, organisation_id, staff_id)?,
    })
}

/// Uses the code up, inside the caller's transaction. Fails when another request used it first.
pub(crate) async fn consume(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    now: Timestamp,
) -> Result<(), IdentityError> {
    let done = sqlx::query(
        "UPDATE activation_code SET used_at_ms = $1
         WHERE id = $2 AND used_at_ms IS NULL AND revoked_at_ms IS NULL AND expires_at_ms > $1 AND failed_attempts < $3",
    )
    .bind(ms(now))
    .bind(id)
    .bind(MAX_FAILED_ATTEMPTS)
    .execute(conn)
    .await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(IdentityError::CodeNotValid)
    }
}

pub async fn revoke(db: &Db, id: &str, now: Timestamp) -> Result<(), IdentityError> {
    sqlx::query(
        "UPDATE activation_code SET revoked_at_ms = $1 WHERE id = $2 AND used_at_ms IS NULL AND revoked_at_ms IS NULL",
    )
    .bind(ms(now))
    .bind(id)
    .execute(&db.pool)
    .await?;
    Ok(())
}
