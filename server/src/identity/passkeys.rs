//! Passkeys (webauthn-rs): activation (first passkey, bound by an activation code), adding more, signing in
//! with or without the account number, listing, renaming and removing. Ceremony state lives in the database:
//! single use (taken with `DELETE … RETURNING`), five minutes, so any instance can finish what another started.

use super::accounts::{self, Account, HolderRef};
use super::activation::{self, CodeTarget, ValidCode};
use super::audit::{self, Event};
use super::{from_ms, ms, secrets, IdentityError};
use crate::storage::Db;
use base64::Engine;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyAuthentication, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential, Url, Uuid, Webauthn, WebauthnBuilder,
};

pub const CEREMONY_LIFETIME: SignedDuration = SignedDuration::from_mins(5);
pub const NAME_MAX: usize = 60;

/// The relying party: Loket at its public URL. The RP id is the URL's host (`localhost` locally).
pub struct Passkeys {
    webauthn: Webauthn,
}

/// What the browser needs to run a ceremony: the options for `navigator.credentials` (WebAuthn JSON) and the
/// id under which the server keeps the state.
#[derive(Clone, Debug, Serialize)]
pub struct Challenge {
    pub ceremony: String,
    pub options: serde_json::Value,
}

/// A registered passkey as its owner sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PasskeyInfo {
    pub id: String,
    pub name: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

#[derive(Serialize, Deserialize)]
struct ActivationState {
    registration: PasskeyRegistration,
    sign_in_name: String,
}

#[derive(Serialize, Deserialize)]
enum SignInState {
    Known(PasskeyAuthentication),
    Discoverable(DiscoverableAuthentication),
}

fn credential_key(id: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id)
}

/// A passkey name as typed: trimmed, 1 to 60 characters, no control characters; empty becomes "Passkey".
pub fn clean_name(name: &str) -> Result<String, IdentityError> {
    let name = name.trim();
    if name.chars().any(char::is_control) || name.chars().count() > NAME_MAX {
        return Err(IdentityError::Invalid("passkey name"));
    }
    Ok(if name.is_empty() {
        String::from("Passkey")
    } else {
        name.to_owned()
    })
}

fn refused(error: impl std::fmt::Display) -> IdentityError {
    IdentityError::PasskeyRefused(error.to_string())
}

fn to_json<T: Serialize>(value: &T) -> Result<String, IdentityError> {
    serde_json::to_string(value).map_err(|e| IdentityError::Corrupt(e.to_string()))
}

fn from_json<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, IdentityError> {
    serde_json::from_str(text).map_err(|e| IdentityError::Corrupt(e.to_string()))
}

/// Creation options with `residentKey: preferred`, so platform authenticators make a discoverable passkey
/// (username-less sign-in) while security keys without storage still work.
fn creation_options(
    options: &webauthn_rs::prelude::CreationChallengeResponse,
) -> Result<serde_json::Value, IdentityError> {
    let mut value =
        serde_json::to_value(options).map_err(|e| IdentityError::Corrupt(e.to_string()))?;
    if let Some(selection) = value
        .get_mut("publicKey")
        .and_then(|pk| pk.get_mut("authenticatorSelection"))
        .and_then(serde_json::Value::as_object_mut)
    {
        selection.insert(
            String::from("residentKey"),
            serde_json::Value::from("preferred"),
        );
    }
    Ok(value)
}

struct Ceremony {
    kind: String,
    account_id: Option<String>,
    activation_code_id: Option<String>,
    state: String,
}

async fn put_ceremony(
    db: &Db,
    kind: &str,
    account_id: Option<&str>,
    activation_code_id: Option<&str>,
    state: &str,
    now: Timestamp,
) -> Result<String, IdentityError> {
    let id = secrets::token();
    // Expired ceremonies are useless; clear them whenever a new one starts.
    sqlx::query("DELETE FROM webauthn_ceremony WHERE expires_at_ms <= $1")
        .bind(ms(now))
        .execute(&db.pool)
        .await?;
    sqlx::query(
        "INSERT INTO webauthn_ceremony (id, kind, account_id, activation_code_id, state, expires_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(kind)
    .bind(account_id)
    .bind(activation_code_id)
    .bind(state)
    .bind(ms(now + CEREMONY_LIFETIME))
    .execute(&db.pool)
    .await?;
    Ok(id)
}

type CeremonyRow = (String, Option<String>, Option<String>, String, i64);

/// Takes the ceremony out of the store: a second attempt with the same id finds nothing.
async fn take_ceremony(db: &Db, id: &str, now: Timestamp) -> Result<Ceremony, IdentityError> {
    let row: Option<CeremonyRow> = sqlx::query_as(
        "DELETE FROM webauthn_ceremony WHERE id = $1
         RETURNING kind, account_id, activation_code_id, state, expires_at_ms",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    match row {
        Some((kind, account_id, activation_code_id, state, expires)) if from_ms(expires)? > now => {
            Ok(Ceremony {
                kind,
                account_id,
                activation_code_id,
                state,
            })
        }
        _ => Err(IdentityError::CeremonyGone),
    }
}

async fn stored_passkeys(db: &Db, account_id: &str) -> Result<Vec<Passkey>, IdentityError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT credential FROM passkey WHERE account_id = $1 ORDER BY created_at_ms",
    )
    .bind(account_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(|(json,)| from_json(json)).collect()
}

async fn insert_passkey(
    conn: &mut sqlx::AnyConnection,
    account_id: &str,
    passkey: &Passkey,
    name: &str,
    now: Timestamp,
) -> Result<String, IdentityError> {
    let key = credential_key(passkey.cred_id().as_ref());
    sqlx::query(
        "INSERT INTO passkey (credential_id, account_id, name, credential, created_at_ms) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&key)
    .bind(account_id)
    .bind(name)
    .bind(to_json(passkey)?)
    .bind(ms(now))
    .execute(conn)
    .await?;
    Ok(key)
}

fn holder_of(target: &CodeTarget) -> HolderRef<'_> {
    match target {
        CodeTarget::Person { person_id } | CodeTarget::Membership { person_id, .. } => {
            HolderRef::Person(person_id)
        }
        CodeTarget::Staff { staff_id } => HolderRef::Staff(staff_id),
    }
}

async fn holder_name(db: &Db, holder: HolderRef<'_>) -> Result<String, IdentityError> {
    let (table, id) = match holder {
        HolderRef::Person(id) => ("person", id),
        HolderRef::Staff(id) => ("staff_member", id),
    };
    let row: Option<(String,)> =
        sqlx::query_as(&format!("SELECT display_name FROM {table} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&db.pool)
            .await?;
    row.map(|(name,)| name).ok_or(IdentityError::NotFound)
}

impl Passkeys {
    /// `public_url` is Loket's public origin, e.g. `https://loket.example.nl` or `http://localhost:3000`.
    pub fn new(public_url: &str, rp_name: &str) -> Result<Passkeys, IdentityError> {
        let origin = Url::parse(public_url).map_err(|e| IdentityError::Config(e.to_string()))?;
        let rp_id = origin
            .host_str()
            .ok_or_else(|| IdentityError::Config(String::from("the public URL has no host")))?
            .to_owned();
        let webauthn = WebauthnBuilder::new(&rp_id, &origin)
            .and_then(|b| b.rp_name(rp_name).build())
            .map_err(|e| IdentityError::Config(e.to_string()))?;
        Ok(Passkeys { webauthn })
    }

    /// Step 1 of activation: the code checks out; the browser gets creation options for the first passkey.
    pub async fn start_activation(
        &self,
        db: &Db,
        code: &ValidCode,
        now: Timestamp,
    ) -> Result<Challenge, IdentityError> {
        let holder = holder_of(&code.target);
        let existing = accounts::for_holder(db, &holder).await?;
        let (user_id, sign_in_name, display_name, exclude) = match &existing {
            Some(account) => {
                let exclude = stored_passkeys(db, &account.id)
                    .await?
                    .iter()
                    .map(|p| p.cred_id().clone())
                    .collect();
                (
                    account.id.clone(),
                    account.sign_in_name.clone(),
                    account.display_name.clone(),
                    Some(exclude),
                )
            }
            None => (
                Uuid::new_v4().to_string(),
                accounts::new_sign_in_name(),
                holder_name(db, holder).await?,
                None,
            ),
        };
        let uuid = Uuid::parse_str(&user_id).map_err(|e| IdentityError::Corrupt(e.to_string()))?;
        // A person a case system registered by BSN alone has no name yet; WebAuthn needs one to show.
        let display_name = if display_name.trim().is_empty() {
            format!("Loket {sign_in_name}")
        } else {
            display_name
        };
        let (options, registration) = self
            .webauthn
            .start_passkey_registration(uuid, &sign_in_name, &display_name, exclude)
            .map_err(refused)?;
        let state = to_json(&ActivationState {
            registration,
            sign_in_name,
        })?;
        let ceremony =
            put_ceremony(db, "activate", Some(&user_id), Some(&code.id), &state, now).await?;
        Ok(Challenge {
            ceremony,
            options: creation_options(&options)?,
        })
    }

    /// Step 2 of activation: the passkey is verified, the code used up, the account created (or found) and a
    /// membership confirmed, all in one transaction.
    pub async fn finish_activation(
        &self,
        db: &Db,
        ceremony_id: &str,
        credential: &RegisterPublicKeyCredential,
        name: &str,
        now: Timestamp,
    ) -> Result<Account, IdentityError> {
        let name = clean_name(name)?;
        let ceremony = take_ceremony(db, ceremony_id, now).await?;
        let (Some(account_id), Some(code_id), "activate") = (
            ceremony.account_id,
            ceremony.activation_code_id,
            ceremony.kind.as_str(),
        ) else {
            return Err(IdentityError::CeremonyGone);
        };
        let state: ActivationState = from_json(&ceremony.state)?;
        let passkey = self
            .webauthn
            .finish_passkey_registration(credential, &state.registration)
            .map_err(refused)?;
        let code = activation::by_id(db, &code_id).await?;
        let mut tx = db.write().await?;
        activation::consume(&mut tx, &code_id, now).await?;
        let enrolment = activation::enrolment_of(&mut tx, &code_id).await?;
        let holder = holder_of(&code.target);
        let existing: Option<(String,)> = sqlx::query_as(match holder {
            HolderRef::Person(_) => "SELECT id FROM account WHERE person_id = $1",
            HolderRef::Staff(_) => "SELECT id FROM account WHERE staff_id = $1",
        })
        .bind(match holder {
            HolderRef::Person(id) | HolderRef::Staff(id) => id,
        })
        .fetch_optional(&mut *tx)
        .await?;
        match existing {
            Some((id,)) if id == account_id => {
                // Bound again, by a weaker step: the account is worth no more than that step.
                if enrolment == crate::identity::sessions::Assurance::Low {
                    sqlx::query("UPDATE account SET enrolment = 'laag' WHERE id = $1")
                        .bind(&id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            // Another activation for the same person won the race with a different account id.
            Some(_) => return Err(IdentityError::CeremonyGone),
            None => {
                accounts::create(
                    &mut tx,
                    &code.municipality_id,
                    holder,
                    &account_id,
                    &state.sign_in_name,
                    enrolment,
                    now,
                )
                .await?
            }
        }
        if let CodeTarget::Membership {
            organisation_id,
            person_id,
        } = &code.target
        {
            sqlx::query(
                "UPDATE membership SET confirmed_at_ms = $1 WHERE organisation_id = $2 AND person_id = $3",
            )
            .bind(ms(now))
            .bind(organisation_id)
            .bind(person_id)
            .execute(&mut *tx)
            .await?;
        }
        insert_passkey(&mut tx, &account_id, &passkey, &name, now).await?;
        let subject = match holder {
            HolderRef::Person(id) => Some(id),
            HolderRef::Staff(_) => None,
        };
        let entry = audit::Entry {
            actor_account_id: Some(&account_id),
            subject_person_id: subject,
            subject_organisation_id: match &code.target {
                CodeTarget::Membership {
                    organisation_id, ..
                } => Some(organisation_id),
                _ => None,
            },
            ..Default::default()
        };
        audit::record(
            &mut *tx,
            &code.municipality_id,
            Event::ActivationCodeUsed,
            &entry,
            now,
        )
        .await?;
        audit::record(
            &mut *tx,
            &code.municipality_id,
            Event::PasskeyAdded,
            &entry,
            now,
        )
        .await?;
        tx.commit().await?;
        accounts::by_id(db, &account_id)
            .await?
            .ok_or(IdentityError::NotFound)
    }

    /// Adding another passkey to a signed-in account.
    pub async fn start_adding(
        &self,
        db: &Db,
        account: &Account,
        now: Timestamp,
    ) -> Result<Challenge, IdentityError> {
        let exclude = stored_passkeys(db, &account.id)
            .await?
            .iter()
            .map(|p| p.cred_id().clone())
            .collect();
        let uuid =
            Uuid::parse_str(&account.id).map_err(|e| IdentityError::Corrupt(e.to_string()))?;
        let (options, registration) = self
            .webauthn
            .start_passkey_registration(
                uuid,
                &account.sign_in_name,
                &account.display_name,
                Some(exclude),
            )
            .map_err(refused)?;
        let ceremony = put_ceremony(
            db,
            "add",
            Some(&account.id),
            None,
            &to_json(&registration)?,
            now,
        )
        .await?;
        Ok(Challenge {
            ceremony,
            options: creation_options(&options)?,
        })
    }

    pub async fn finish_adding(
        &self,
        db: &Db,
        account: &Account,
        ceremony_id: &str,
        credential: &RegisterPublicKeyCredential,
        name: &str,
        now: Timestamp,
    ) -> Result<PasskeyInfo, IdentityError> {
        let name = clean_name(name)?;
        let ceremony = take_ceremony(db, ceremony_id, now).await?;
        if ceremony.kind != "add" || ceremony.account_id.as_deref() != Some(account.id.as_str()) {
            return Err(IdentityError::CeremonyGone);
        }
        let registration: PasskeyRegistration = from_json(&ceremony.state)?;
        let passkey = self
            .webauthn
            .finish_passkey_registration(credential, &registration)
            .map_err(refused)?;
        let mut tx = db.write().await?;
        let id = insert_passkey(&mut tx, &account.id, &passkey, &name, now).await?;
        audit::record(
            &mut *tx,
            &account.municipality_id,
            Event::PasskeyAdded,
            &audit::Entry::own(account),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(PasskeyInfo {
            id,
            name,
            created_at: now,
            last_used_at: None,
        })
    }

    /// Sign-in options. With an account number: that account's passkeys (for authenticators that cannot
    /// store a passkey). Without, or with an unknown number: a discoverable (username-less) request, so the
    /// answer does not reveal whether an account number exists.
    pub async fn start_sign_in(
        &self,
        db: &Db,
        sign_in_name: Option<&str>,
        now: Timestamp,
    ) -> Result<Challenge, IdentityError> {
        let account = match sign_in_name {
            Some(name) => accounts::by_sign_in_name(db, name).await?,
            None => None,
        };
        let known = match &account {
            Some(account) => {
                let passkeys = stored_passkeys(db, &account.id).await?;
                (!passkeys.is_empty()).then_some((account.id.as_str(), passkeys))
            }
            None => None,
        };
        let (options, state, account_id, kind) = match known {
            Some((account_id, passkeys)) => {
                let (options, state) = self
                    .webauthn
                    .start_passkey_authentication(&passkeys)
                    .map_err(refused)?;
                (
                    options,
                    SignInState::Known(state),
                    Some(account_id),
                    "sign-in",
                )
            }
            None => {
                let (options, state) = self
                    .webauthn
                    .start_discoverable_authentication()
                    .map_err(refused)?;
                (
                    options,
                    SignInState::Discoverable(state),
                    None,
                    "sign-in-discoverable",
                )
            }
        };
        let ceremony = put_ceremony(db, kind, account_id, None, &to_json(&state)?, now).await?;
        let mut options =
            serde_json::to_value(&options).map_err(|e| IdentityError::Corrupt(e.to_string()))?;
        // webauthn-rs marks discoverable requests for autofill ("conditional"); Loket starts them from a button.
        if let Some(object) = options.as_object_mut() {
            object.remove("mediation");
        }
        Ok(Challenge { ceremony, options })
    }

    /// Verifies the assertion and returns the account. Updates the passkey's counter and last-used date.
    pub async fn finish_sign_in(
        &self,
        db: &Db,
        municipality_id: &str,
        ceremony_id: &str,
        credential: &PublicKeyCredential,
        now: Timestamp,
    ) -> Result<Account, IdentityError> {
        let ceremony = take_ceremony(db, ceremony_id, now).await?;
        let state: SignInState = from_json(&ceremony.state)?;
        let outcome = self.verify_sign_in(db, &ceremony, state, credential).await;
        let (account_id, key, mut passkey, result) = match outcome {
            Ok(found) => found,
            Err(error) => {
                audit::record(
                    &db.pool,
                    municipality_id,
                    Event::SignInFailed,
                    &audit::Entry {
                        actor_account_id: ceremony.account_id.as_deref(),
                        ..Default::default()
                    },
                    now,
                )
                .await?;
                return Err(error);
            }
        };
        passkey.update_credential(&result);
        let account = accounts::by_id(db, &account_id)
            .await?
            .ok_or(IdentityError::NotFound)?;
        let mut tx = db.write().await?;
        sqlx::query(
            "UPDATE passkey SET credential = $1, last_used_at_ms = $2 WHERE credential_id = $3",
        )
        .bind(to_json(&passkey)?)
        .bind(ms(now))
        .bind(&key)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut *tx,
            &account.municipality_id,
            Event::SignedIn,
            &audit::Entry::own(&account),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(account)
    }

    async fn verify_sign_in(
        &self,
        db: &Db,
        ceremony: &Ceremony,
        state: SignInState,
        credential: &PublicKeyCredential,
    ) -> Result<
        (
            String,
            String,
            Passkey,
            webauthn_rs::prelude::AuthenticationResult,
        ),
        IdentityError,
    > {
        let key = credential_key(credential.get_credential_id());
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT account_id, credential FROM passkey WHERE credential_id = $1")
                .bind(&key)
                .fetch_optional(&db.pool)
                .await?;
        let (account_id, stored) = row.ok_or_else(|| refused("unknown credential"))?;
        let passkey: Passkey = from_json(&stored)?;
        let result = match state {
            SignInState::Known(state) => {
                if ceremony.account_id.as_deref() != Some(account_id.as_str()) {
                    return Err(refused("credential of another account"));
                }
                self.webauthn
                    .finish_passkey_authentication(credential, &state)
                    .map_err(refused)?
            }
            SignInState::Discoverable(state) => {
                let (user, _) = self
                    .webauthn
                    .identify_discoverable_authentication(credential)
                    .map_err(refused)?;
                if user.to_string() != account_id {
                    return Err(refused("user handle does not match the credential"));
                }
                self.webauthn
                    .finish_discoverable_authentication_v2(credential, state, &passkey)
                    .map_err(refused)?
            }
        };
        Ok((account_id, key, passkey, result))
    }
}

/// The account's passkeys, oldest first.
pub async fn list(db: &Db, account_id: &str) -> Result<Vec<PasskeyInfo>, IdentityError> {
    let rows: Vec<(String, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT credential_id, name, created_at_ms, last_used_at_ms FROM passkey WHERE account_id = $1
         ORDER BY created_at_ms, credential_id",
    )
    .bind(account_id)
    .fetch_all(&db.pool)
    .await?;
    rows.into_iter()
        .map(|(id, name, created, used)| {
            Ok(PasskeyInfo {
                id,
                name,
                created_at: from_ms(created)?,
                last_used_at: used.map(from_ms).transpose()?,
            })
        })
        .collect()
}

pub async fn rename(
    db: &Db,
    account_id: &str,
    passkey_id: &str,
    name: &str,
) -> Result<(), IdentityError> {
    let name = clean_name(name)?;
    let done =
        sqlx::query("UPDATE passkey SET name = $1 WHERE credential_id = $2 AND account_id = $3")
            .bind(name)
            .bind(passkey_id)
            .bind(account_id)
            .execute(&db.pool)
            .await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(IdentityError::NotFound)
    }
}

/// Whether an open activation code exists for the account's holder: then a new passkey can be made without
/// the old one, so even the last passkey may go (e.g. it sat on a phone that was stolen).
async fn replacement_on_its_way(
    conn: &mut sqlx::AnyConnection,
    account: &Account,
    now: Timestamp,
) -> Result<bool, IdentityError> {
    let (column, id) = match &account.holder {
        accounts::Holder::Person { person_id } => ("person_id", person_id),
        accounts::Holder::Staff { staff_id, .. } => ("staff_id", staff_id),
    };
    let open: Option<(String,)> = sqlx::query_as(&format!(
        "SELECT id FROM activation_code WHERE {column} = $1 AND used_at_ms IS NULL AND revoked_at_ms IS NULL
         AND expires_at_ms > $2 AND failed_attempts < $3 LIMIT 1"
    ))
    .bind(id)
    .bind(ms(now))
    .bind(activation::MAX_FAILED_ATTEMPTS)
    .fetch_optional(conn)
    .await?;
    Ok(open.is_some())
}

/// Removes a passkey. Needs a sign-in within the last five minutes. The last passkey goes only once a new
/// activation code has been issued (the way to make its replacement).
pub async fn remove(
    db: &Db,
    account: &Account,
    passkey_id: &str,
    signed_in_recently: bool,
    now: Timestamp,
) -> Result<(), IdentityError> {
    if !signed_in_recently {
        return Err(IdentityError::RecentSignInNeeded);
    }
    let mut tx = db.write().await?;
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM passkey WHERE account_id = $1")
        .bind(&account.id)
        .fetch_one(&mut *tx)
        .await?;
    let owned: Option<(String,)> = sqlx::query_as(
        "SELECT credential_id FROM passkey WHERE credential_id = $1 AND account_id = $2",
    )
    .bind(passkey_id)
    .bind(&account.id)
    .fetch_optional(&mut *tx)
    .await?;
    if owned.is_none() {
        return Err(IdentityError::NotFound);
    }
    if count <= 1 && !replacement_on_its_way(&mut tx, account, now).await? {
        return Err(IdentityError::LastPasskey);
    }
    sqlx::query("DELETE FROM passkey WHERE credential_id = $1 AND account_id = $2")
        .bind(passkey_id)
        .bind(&account.id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut *tx,
        &account.municipality_id,
        Event::PasskeyRemoved,
        &audit::Entry::own(account),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passkey_names_are_trimmed_limited_and_defaulted() {
        assert_eq!(clean_name("  Telefoon ").unwrap(), "Telefoon");
        assert_eq!(clean_name("").unwrap(), "Passkey");
        assert!(clean_name(&"x".repeat(61)).is_err());
        assert!(clean_name("a\u{7}b").is_err());
    }

    #[test]
    fn the_relying_party_is_the_public_url_host() {
        assert!(Passkeys::new("http://localhost:3000", "Loket").is_ok());
        assert!(Passkeys::new("https://loket.example.nl", "Loket").is_ok());
        assert!(Passkeys::new("not a url", "Loket").is_err());
    }
}
