//! Accounts: the holder of passkeys, bound to one person (resident or entrepreneur) or one staff member.
//! Organisations act through their confirmed member persons.

use super::{ms, secrets, IdentityError};
use crate::storage::Db;
use jiff::Timestamp;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StaffRole {
    /// Contact centre (klantcontactcentrum): books and helps on a resident's behalf.
    Kcc,
    Backoffice,
    Admin,
}

impl StaffRole {
    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::Kcc => "kcc",
            StaffRole::Backoffice => "backoffice",
            StaffRole::Admin => "admin",
        }
    }

    pub fn parse(value: &str) -> Option<StaffRole> {
        match value {
            "kcc" => Some(StaffRole::Kcc),
            "backoffice" => Some(StaffRole::Backoffice),
            "admin" => Some(StaffRole::Admin),
            _ => None,
        }
    }
}

/// Who an account belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Holder {
    Person { person_id: String },
    Staff { staff_id: String, role: StaffRole },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// A UUID; also the WebAuthn user handle.
    pub id: String,
    pub municipality_id: String,
    pub holder: Holder,
    /// The short account number for signing in without a discoverable passkey.
    pub sign_in_name: String,
    pub display_name: String,
    /// How its identity was bound, at the weakest step: the most a sign-in with it can be worth.
    pub enrolment: super::sessions::Assurance,
}

impl Account {
    pub fn person_id(&self) -> Option<&str> {
        match &self.holder {
            Holder::Person { person_id } => Some(person_id),
            Holder::Staff { .. } => None,
        }
    }

    pub fn staff(&self) -> Option<(&str, StaffRole)> {
        match &self.holder {
            Holder::Staff { staff_id, role } => Some((staff_id, *role)),
            Holder::Person { .. } => None,
        }
    }
}

type AccountRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

const SELECT: &str =
    "SELECT a.id, a.municipality_id, a.kind, a.person_id, a.staff_id, a.sign_in_name,
        p.display_name, s.display_name, s.role, a.enrolment
    FROM account a
    LEFT JOIN person p ON p.id = a.person_id
    LEFT JOIN staff_member s ON s.id = a.staff_id";

fn from_row(row: AccountRow) -> Result<Account, IdentityError> {
    let (
        id,
        municipality_id,
        kind,
        person_id,
        staff_id,
        sign_in_name,
        person_name,
        staff_name,
        role,
        enrolment,
    ) = row;
    let (holder, display_name) = match (kind.as_str(), person_id, staff_id) {
        ("person", Some(person_id), None) => (Holder::Person { person_id }, person_name),
        ("staff", None, Some(staff_id)) => {
            let role = role
                .as_deref()
                .and_then(StaffRole::parse)
                .ok_or_else(|| IdentityError::Corrupt(String::from("staff role")))?;
            (Holder::Staff { staff_id, role }, staff_name)
        }
        _ => return Err(IdentityError::Corrupt(String::from("account kind"))),
    };
    Ok(Account {
        id,
        municipality_id,
        holder,
        sign_in_name,
        display_name: display_name.unwrap_or_default(),
        enrolment: super::sessions::Assurance::parse(&enrolment)
            .ok_or_else(|| IdentityError::Corrupt(String::from("account enrolment")))?,
    })
}

async fn one(db: &Db, clause: &str, value: &str) -> Result<Option<Account>, IdentityError> {
    let row: Option<AccountRow> = sqlx::query_as(&format!("{SELECT} WHERE {clause} = $1"))
        .bind(value)
        .fetch_optional(&db.pool)
        .await?;
    row.map(from_row).transpose()
}

pub async fn by_id(db: &Db, id: &str) -> Result<Option<Account>, IdentityError> {
    one(db, "a.id", id).await
}

/// By account number, as typed: case and dashes do not matter.
pub async fn by_sign_in_name(db: &Db, typed: &str) -> Result<Option<Account>, IdentityError> {
    let Some(name) = secrets::normalise_code(typed) else {
        return Ok(None);
    };
    one(db, "a.sign_in_name", &secrets::group(&name)).await
}

pub async fn for_holder(db: &Db, holder: &HolderRef<'_>) -> Result<Option<Account>, IdentityError> {
    match holder {
        HolderRef::Person(id) => one(db, "a.person_id", id).await,
        HolderRef::Staff(id) => one(db, "a.staff_id", id).await,
    }
}

/// A person or staff member by id, for lookups before an account exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HolderRef<'a> {
    Person(&'a str),
    Staff(&'a str),
}

/// A new account number: 8 characters (40 bits), grouped `XXXX-XXXX`.
pub fn new_sign_in_name() -> String {
    secrets::group(&secrets::code_chars(8))
}

/// Creates the account with a chosen id and account number (both were handed to the authenticator already).
pub(crate) async fn create(
    conn: &mut sqlx::AnyConnection,
    municipality_id: &str,
    holder: HolderRef<'_>,
    id: &str,
    sign_in_name: &str,
    enrolment: super::sessions::Assurance,
    now: Timestamp,
) -> Result<(), IdentityError> {
    let (kind, person_id, staff_id) = match holder {
        HolderRef::Person(p) => ("person", Some(p), None),
        HolderRef::Staff(s) => ("staff", None, Some(s)),
    };
    sqlx::query(
        "INSERT INTO account (id, municipality_id, kind, person_id, staff_id, sign_in_name, created_at_ms,
                              enrolment)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(municipality_id)
    .bind(kind)
    .bind(person_id)
    .bind(staff_id)
    .bind(sign_in_name)
    .bind(ms(now))
    .bind(enrolment.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

/// An organisation a person may act for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Membership {
    pub organisation_id: String,
    pub name: String,
    pub kvk_number: String,
}

/// The organisations whose membership the person has confirmed.
pub async fn memberships(db: &Db, person_id: &str) -> Result<Vec<Membership>, IdentityError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT o.id, o.name, o.kvk_number FROM membership m JOIN organisation o ON o.id = m.organisation_id
         WHERE m.person_id = $1 AND m.confirmed_at_ms IS NOT NULL ORDER BY o.name",
    )
    .bind(person_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(organisation_id, name, kvk_number)| Membership {
            organisation_id,
            name,
            kvk_number,
        })
        .collect())
}

/// Creates a staff member (the command-line bootstrap and, later, admins). Returns the staff id.
pub async fn create_staff_member(
    db: &Db,
    municipality_id: &str,
    display_name: &str,
    role: StaffRole,
) -> Result<String, IdentityError> {
    let name = display_name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(IdentityError::Invalid(
            "staff name must be 1 to 100 characters",
        ));
    }
    let id = secrets::id();
    sqlx::query(
        "INSERT INTO staff_member (id, municipality_id, display_name, role, is_demo) VALUES ($1, $2, $3, $4, 0)",
    )
    .bind(&id)
    .bind(municipality_id)
    .bind(name)
    .bind(role.as_str())
    .execute(&db.pool)
    .await?;
    Ok(id)
}
