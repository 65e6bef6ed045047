//! API clients: the case systems and contact-centre tools that call `/api/v1`. Each has a bearer token of the
//! form `loket_<lookup>_<secret>`: the lookup finds the row, the 256-bit secret is stored only as a hash.
//! A client belongs to one municipality and may do only what its scopes allow.

use super::{ms, secrets, IdentityError};
use crate::storage::Db;
use jiff::Timestamp;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Create and update case types.
    CaseTypes,
    /// Create cases, set statuses, action required and results.
    Cases,
    /// Register contact moments.
    ContactMoments,
    /// Configure appointment services, locations and resources.
    Appointments,
}

impl Scope {
    pub const ALL: [Scope; 4] = [
        Scope::CaseTypes,
        Scope::Cases,
        Scope::ContactMoments,
        Scope::Appointments,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::CaseTypes => "case-types",
            Scope::Cases => "cases",
            Scope::ContactMoments => "contact-moments",
            Scope::Appointments => "appointments",
        }
    }

    pub fn parse(value: &str) -> Option<Scope> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

/// A client that proved its token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Client {
    pub id: String,
    pub municipality_id: String,
    pub scopes: Vec<Scope>,
}

impl Client {
    pub fn may(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }
}

/// Why a token was not accepted.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No token, a malformed one, an unknown or revoked one, or a wrong secret: one case, nothing given away.
    Unknown,
    /// A valid token of another municipality.
    OtherMunicipality,
}

/// Registers a client and returns its id and the token (shown once; only its hash is kept).
pub async fn add(
    db: &Db,
    municipality_id: &str,
    name: &str,
    scopes: &[Scope],
    now: Timestamp,
) -> Result<(String, String), IdentityError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(IdentityError::Invalid(
            "client name must be 1 to 100 characters",
        ));
    }
    if scopes.is_empty() {
        return Err(IdentityError::Invalid("a client needs at least one scope"));
    }
    let id = secrets::id();
    let lookup = secrets::code_chars(12).to_lowercase();
    let secret = secrets::token();
    let scopes: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    sqlx::query(
        "INSERT INTO api_client (id, municipality_id, name, lookup, secret_hash, scopes, created_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(municipality_id)
    .bind(name)
    .bind(&lookup)
    .bind(secrets::hash(&secret))
    .bind(scopes.join(" "))
    .bind(ms(now))
    .execute(&db.pool)
    .await?;
    Ok((id, format!("loket_{lookup}_{secret}")))
}

/// Checks a bearer token for the municipality this Loket serves.
pub async fn authenticate(
    db: &Db,
    municipality_id: &str,
    token: &str,
) -> Result<Result<Client, Refusal>, IdentityError> {
    let Some((lookup, secret)) = token
        .strip_prefix("loket_")
        .and_then(|rest| rest.split_once('_'))
    else {
        return Ok(Err(Refusal::Unknown));
    };
    let row: Option<(String, String, String, String)> = sqlx::query_as(
        "SELECT id, municipality_id, secret_hash, scopes FROM api_client WHERE lookup = $1 AND revoked_at_ms IS NULL",
    )
    .bind(lookup)
    .fetch_optional(&db.pool)
    .await?;
    let Some((id, client_municipality, secret_hash, scopes)) = row else {
        return Ok(Err(Refusal::Unknown));
    };
    if !secrets::same(&secrets::hash(secret), &secret_hash) {
        return Ok(Err(Refusal::Unknown));
    }
    if client_municipality != municipality_id {
        return Ok(Err(Refusal::OtherMunicipality));
    }
    Ok(Ok(Client {
        id,
        municipality_id: client_municipality,
        scopes: scopes.split(' ').filter_map(Scope::parse).collect(),
    }))
}

/// Ends a client's access at once (only one of this municipality's); `false` when there was none to end.
pub async fn revoke(
    db: &Db,
    municipality_id: &str,
    id: &str,
    now: Timestamp,
) -> Result<bool, IdentityError> {
    let done = sqlx::query(
        "UPDATE api_client SET revoked_at_ms = $1
         WHERE id = $2 AND municipality_id = $3 AND revoked_at_ms IS NULL",
    )
    .bind(ms(now))
    .bind(id)
    .bind(municipality_id)
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A registered client as `loket api-client list` shows it: never its token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    pub id: String,
    pub name: String,
    pub scopes: String,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

/// This municipality's clients, oldest first, revoked ones included.
pub async fn list(db: &Db, municipality_id: &str) -> Result<Vec<Listed>, IdentityError> {
    let rows: Vec<(String, String, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, name, scopes, created_at_ms, revoked_at_ms FROM api_client
         WHERE municipality_id = $1 ORDER BY created_at_ms, id",
    )
    .bind(municipality_id)
    .fetch_all(&db.pool)
    .await?;
    rows.into_iter()
        .map(|(id, name, scopes, created, revoked)| {
            Ok(Listed {
                id,
                name,
                scopes: scopes.replace(' ', ","),
                created_at: super::from_ms(created)?,
                revoked_at: revoked.map(super::from_ms).transpose()?,
            })
        })
        .collect()
}
