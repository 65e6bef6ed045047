//! Staff: the municipality's employees (contact centre, back office, administrators). Bootstrapping the first
//! one happens on the command line (`loket staff add`), which prints the activation code it needs.
//!
//! - [`search`]: finding a resident or company from the contact centre's one search box.
//! - [`card`]: her cases and the notices on the resident card.
//! - [`report`]: counts per week for the report page and its CSV.

pub mod card;
pub mod report;
pub mod search;

use crate::authorization::{decide, Action, Principal, Resource};
use crate::identity::accounts::{self, StaffRole};
use crate::identity::activation::{self, CodeTarget, IssuedCode};
use crate::identity::audit::{self, Event};
use crate::identity::IdentityError;
use crate::notifications;
use crate::parties::Party;
use crate::storage::Db;
use jiff::Timestamp;

/// Why a caller cannot be recorded as she told it.
#[derive(Debug, thiserror::Error)]
pub enum CallerError {
    /// Her name is empty or longer than 200 characters.
    #[error("the name is empty or too long")]
    Name,
    /// Not a date (day-month-year, 1900–2100), or a day still to come.
    #[error("the birth date is not a date")]
    BirthDate,
    #[error("database error: {0}")]
    Storage(#[from] sqlx::Error),
}

/// "Beller niet gevonden": records a first-time caller as she told it (her name and birth date, as typed),
/// marked "niet geverifieerd", so the contact centre can book for her. A DigiD sign-in or a BRP match binds
/// her BSN later ([`crate::parties::bind_unverified`]). How to reach her is asked where it is used (booking
/// takes a new SMS number or e-mail address told on the phone).
pub async fn record_caller(
    db: &Db,
    municipality_id: &str,
    name: &str,
    birth_date: &str,
    now: Timestamp,
) -> Result<String, CallerError> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > 200 {
        return Err(CallerError::Name);
    }
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let date = search::date_of(birth_date.trim())
        .filter(|date| *date <= today)
        .ok_or(CallerError::BirthDate)?;
    let mut conn = db.pool.acquire().await?;
    let caller = crate::parties::ToldCaller {
        name: &name,
        birth_date: &date.to_string(),
    };
    Ok(
        crate::parties::record_unverified(
            &mut conn,
            municipality_id,
            &caller,
            now.as_millisecond(),
        )
        .await?,
    )
}

/// Creates a staff member and an activation code for their first passkey.
pub async fn add_with_activation_code(
    db: &Db,
    municipality_id: &str,
    name: &str,
    role: StaffRole,
    issued_by: &str,
    now: Timestamp,
) -> Result<IssuedCode, IdentityError> {
    let staff_id = accounts::create_staff_member(db, municipality_id, name, role).await?;
    let issued = activation::issue(
        db,
        municipality_id,
        &CodeTarget::Staff {
            staff_id: staff_id.clone(),
        },
        issued_by,
        now,
        activation::DEFAULT_VALIDITY,
    )
    .await?;
    audit::record(
        &db.pool,
        municipality_id,
        Event::ActivationCodeIssued,
        &audit::Entry {
            actor_role: Some(issued_by),
            ..Default::default()
        },
        now,
    )
    .await?;
    Ok(issued)
}

/// Whether `principal` may issue (or revoke) person `person_id`'s activation codes: staff who may change
/// residents' activation and may read her. The card's form and the JSON API both ask this, here.
pub fn may_keep_codes_of(principal: &Principal, municipality_id: &str, person_id: &str) -> bool {
    decide(
        principal,
        Action::Change,
        Resource::ResidentActivation { municipality_id },
    )
    .allowed()
        && decide(
            principal,
            Action::Read,
            Resource::Person {
                municipality_id,
                person_id,
            },
        )
        .allowed()
}

/// Issues an activation code for a resident (or her membership of a company) on behalf of staff member
/// `principal`, and writes it to the audit log, so it shows in her activity log. A code binds a new passkey
/// to her account: when she has one already, she is told on her confirmed channels (a link only), so a code
/// issued behind her back does not go unnoticed.
pub async fn issue_resident_code(
    db: &Db,
    municipality_id: &str,
    target: &CodeTarget,
    principal: &Principal,
    person_id: &str,
    now: Timestamp,
) -> Result<IssuedCode, IdentityError> {
    let Principal::Staff {
        account_id,
        staff_id,
        role,
        ..
    } = principal
    else {
        return Err(IdentityError::Forbidden);
    };
    if !may_keep_codes_of(principal, municipality_id, person_id) {
        return Err(IdentityError::Forbidden);
    }
    let actor = (account_id.as_str(), staff_id.as_str(), *role);
    let issued = activation::issue(
        db,
        municipality_id,
        target,
        &format!("staff:{staff_id}"),
        now,
        activation::DEFAULT_VALIDITY,
    )
    .await?;
    audit::record(
        &db.pool,
        municipality_id,
        Event::ActivationCodeIssued,
        &for_resident(actor, person_id),
        now,
    )
    .await?;
    if accounts::for_holder(db, &accounts::HolderRef::Person(person_id))
        .await?
        .is_some()
    {
        let recipient = Party::Person(person_id.to_owned());
        let mut tx = db.write().await?;
        notifications::emit(
            &mut tx,
            municipality_id,
            &notifications::Event {
                kind: notifications::Kind::AccountCodeIssued,
                dedupe_key: format!("account-code:{}", issued.id),
                recipient: &recipient,
                case_id: None,
                address_id: None,
                secret: None,
                due_at: now,
                concerns_at: None,
                appointment: None,
            },
            now,
        )
        .await?;
        tx.commit().await?;
    }
    Ok(issued)
}

/// The audit entry of staff member `actor` (account id, staff id, role) acting on person `person_id`'s codes:
/// it shows in her activity log.
fn for_resident<'a>(actor: (&'a str, &'a str, StaffRole), person_id: &'a str) -> audit::Entry<'a> {
    let (account_id, staff_id, role) = actor;
    audit::Entry {
        actor_account_id: Some(account_id),
        actor_staff_id: Some(staff_id),
        actor_role: Some(role.as_str()),
        subject_person_id: Some(person_id),
        ..Default::default()
    }
}

/// The audit entry of administrator `admin` (staff id) acting on an employee's codes.
fn by_administrator(admin: &str) -> audit::Entry<'_> {
    audit::Entry {
        actor_staff_id: Some(admin),
        actor_role: Some(StaffRole::Admin.as_str()),
        ..Default::default()
    }
}

/// Revokes the open codes of `target`; when there was one, `entry` (who did it) goes into the audit log.
async fn revoke_recorded(
    db: &Db,
    municipality_id: &str,
    target: &CodeTarget,
    entry: &audit::Entry<'_>,
    now: Timestamp,
) -> Result<u64, IdentityError> {
    let revoked = activation::revoke_open(db, target, now).await?;
    if revoked > 0 {
        audit::record(
            &db.pool,
            municipality_id,
            Event::ActivationCodeRevoked,
            entry,
            now,
        )
        .await?;
    }
    Ok(revoked)
}

/// Revokes the open activation codes of a resident (or her membership) on behalf of staff member `actor`
/// (account id, staff id, role); when there was one, the revocation is in her activity log. How many went.
pub async fn revoke_resident_codes(
    db: &Db,
    municipality_id: &str,
    target: &CodeTarget,
    actor: (&str, &str, StaffRole),
    person_id: &str,
    now: Timestamp,
) -> Result<u64, IdentityError> {
    let entry = for_resident(actor, person_id);
    revoke_recorded(db, municipality_id, target, &entry, now).await
}

/// Revokes employee `staff_id`'s open activation codes on behalf of administrator `admin` (staff id),
/// audited when there was one. How many went.
pub async fn revoke_staff_codes(
    db: &Db,
    municipality_id: &str,
    staff_id: &str,
    admin: &str,
    now: Timestamp,
) -> Result<u64, IdentityError> {
    let target = CodeTarget::Staff {
        staff_id: staff_id.to_owned(),
    };
    revoke_recorded(db, municipality_id, &target, &by_administrator(admin), now).await
}

/// One employee as the administrators' page lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub id: String,
    pub name: String,
    pub role: StaffRole,
    /// Passkeys on their account (0: they cannot sign in until they use a code).
    pub passkeys: i64,
    pub open_code: Option<activation::OpenCode>,
    /// They left: no sessions, no passkeys, no new codes.
    pub left: bool,
}

/// Every employee of the municipality, by name.
pub async fn members(
    db: &Db,
    municipality_id: &str,
    now: Timestamp,
) -> Result<Vec<Member>, IdentityError> {
    read_members(db, municipality_id, None, now).await
}

/// Employee `staff_id` of the municipality, if they are one (an administrator manages only their own
/// municipality's staff).
pub async fn member(
    db: &Db,
    municipality_id: &str,
    staff_id: &str,
    now: Timestamp,
) -> Result<Option<Member>, IdentityError> {
    Ok(read_members(db, municipality_id, Some(staff_id), now)
        .await?
        .pop())
}

/// The municipality's employees (only `staff_id`, when given), by name.
async fn read_members(
    db: &Db,
    municipality_id: &str,
    staff_id: Option<&str>,
    now: Timestamp,
) -> Result<Vec<Member>, IdentityError> {
    let rows: Vec<(String, String, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT s.id, s.display_name, s.role,
                (SELECT COUNT(*) FROM passkey p JOIN account a ON a.id = p.account_id WHERE a.staff_id = s.id),
                s.left_at_ms
         FROM staff_member s WHERE s.municipality_id = $1 AND ($2 IS NULL OR s.id = $2)
         ORDER BY s.display_name, s.id",
    )
    .bind(municipality_id)
    .bind(staff_id)
    .fetch_all(&db.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, name, role, passkeys, left_at) in rows {
        let Some(role) = StaffRole::parse(&role) else {
            continue;
        };
        let open_code = activation::open_code(
            db,
            &CodeTarget::Staff {
                staff_id: id.clone(),
            },
            now,
        )
        .await?;
        out.push(Member {
            id,
            name,
            role,
            passkeys,
            open_code,
            left: left_at.is_some(),
        });
    }
    Ok(out)
}

/// A new activation code for employee `staff_id` (a new phone, a lost passkey): earlier open codes stop
/// working. `issued_by` is the administrator's staff id.
pub async fn new_staff_code(
    db: &Db,
    municipality_id: &str,
    staff_id: &str,
    issued_by: &str,
    now: Timestamp,
) -> Result<IssuedCode, IdentityError> {
    let left: Option<(Option<i64>,)> = sqlx::query_as(
        "SELECT left_at_ms FROM staff_member WHERE id = $1 AND municipality_id = $2",
    )
    .bind(staff_id)
    .bind(municipality_id)
    .fetch_optional(&db.pool)
    .await?;
    if !matches!(left, Some((None,))) {
        return Err(IdentityError::NotFound);
    }
    let issued = activation::issue(
        db,
        municipality_id,
        &CodeTarget::Staff {
            staff_id: staff_id.to_owned(),
        },
        &format!("staff:{issued_by}"),
        now,
        activation::DEFAULT_VALIDITY,
    )
    .await?;
    audit::record(
        &db.pool,
        municipality_id,
        Event::ActivationCodeIssued,
        &by_administrator(issued_by),
        now,
    )
    .await?;
    Ok(issued)
}

/// Why an administrator's change to an employee was not made.
#[derive(Debug, thiserror::Error)]
pub enum StaffChange {
    #[error("not an employee of this municipality, or gone already")]
    NotFound,
    #[error("an administrator does not change their own account this way")]
    Oneself,
    #[error(transparent)]
    Identity(#[from] IdentityError),
}

impl From<sqlx::Error> for StaffChange {
    fn from(error: sqlx::Error) -> Self {
        StaffChange::Identity(error.into())
    }
}

/// Records that employee `staff_id` left, at once: their sessions end, their passkeys and open codes go, no
/// new code is issued to them. By administrator `admin` (never themselves); in the audit log.
pub async fn leave(
    db: &Db,
    municipality_id: &str,
    staff_id: &str,
    admin: &str,
    now: Timestamp,
) -> Result<(), StaffChange> {
    if staff_id == admin {
        return Err(StaffChange::Oneself);
    }
    let mut tx = db.write().await?;
    let marked = sqlx::query(
        "UPDATE staff_member SET left_at_ms = $1 WHERE id = $2 AND municipality_id = $3 AND left_at_ms IS NULL",
    )
    .bind(now.as_millisecond())
    .bind(staff_id)
    .bind(municipality_id)
    .execute(&mut *tx)
    .await?;
    if marked.rows_affected() != 1 {
        return Err(StaffChange::NotFound);
    }
    end_sessions(&mut tx, staff_id).await?;
    sqlx::query(
        "DELETE FROM passkey WHERE account_id IN (SELECT id FROM account WHERE staff_id = $1)",
    )
    .bind(staff_id)
    .execute(&mut *tx)
    .await?;
    let target = CodeTarget::Staff {
        staff_id: staff_id.to_owned(),
    };
    activation::revoke_open_in(&mut tx, &target, now).await?;
    audit::record(
        &mut *tx,
        municipality_id,
        Event::StaffLeft,
        &by_administrator(admin),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Gives employee `staff_id` another role; their sessions end, so the next sign-in has the new rights.
/// By administrator `admin` (never themselves: the last administrator cannot take away their own role).
pub async fn set_role(
    db: &Db,
    municipality_id: &str,
    staff_id: &str,
    role: StaffRole,
    admin: &str,
    now: Timestamp,
) -> Result<(), StaffChange> {
    if staff_id == admin {
        return Err(StaffChange::Oneself);
    }
    let mut tx = db.write().await?;
    let changed = sqlx::query(
        "UPDATE staff_member SET role = $1 WHERE id = $2 AND municipality_id = $3 AND left_at_ms IS NULL",
    )
    .bind(role.as_str())
    .bind(staff_id)
    .bind(municipality_id)
    .execute(&mut *tx)
    .await?;
    if changed.rows_affected() != 1 {
        return Err(StaffChange::NotFound);
    }
    end_sessions(&mut tx, staff_id).await?;
    audit::record(
        &mut *tx,
        municipality_id,
        Event::StaffRoleChanged,
        &audit::Entry {
            data_kind: Some(role.as_str()),
            ..by_administrator(admin)
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every session of employee `staff_id`'s account, inside the caller's transaction.
async fn end_sessions(conn: &mut sqlx::AnyConnection, staff_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM session WHERE account_id IN (SELECT id FROM account WHERE staff_id = $1)",
    )
    .bind(staff_id)
    .execute(conn)
    .await?;
    Ok(())
}
