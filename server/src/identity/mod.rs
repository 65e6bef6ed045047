//! Identity: who someone is (an account bound once to a person or staff member by an activation code), how
//! they prove it (passkeys), how long that holds (sessions), and the trail it leaves (the audit log). What an
//! identity may do is decided in [`crate::authorization`].

pub mod accounts;
pub mod activation;
pub mod audit;
pub mod clients;
pub mod doors;
pub mod links;
pub mod passkeys;
pub mod ratelimit;
pub mod secrets;
pub mod sessions;

use crate::storage::StorageError;

/// Everything that can go wrong in the identity domain. The web edge maps each to one resident-facing
/// message; none of them carries personal data.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// Unknown, expired, used, revoked or blocked: deliberately one case, so the answer gives nothing away.
    #[error("the activation code is not valid")]
    CodeNotValid,
    /// Unknown, expired or blocked appointment link.
    #[error("the appointment link is not valid")]
    LinkNotValid,
    #[error("the second check did not match")]
    SecondCheckFailed,
    /// The appointment's service is only for signed-in residents: no link opens it without an account.
    #[error("this appointment opens only after signing in")]
    LinkNeedsAccount,
    /// The link asks for a code: Loket does not know this person's birth date.
    #[error("no birth date is known for this link")]
    BirthDateUnknown,
    #[error("the link code did not match")]
    LinkCodeWrong,
    /// No code was sent for this link, or it is older than 15 minutes or used.
    #[error("the link code expired")]
    LinkCodeExpired,
    /// A code went out less than a minute ago.
    #[error("a code was just sent")]
    CodeJustSent,
    /// Too many codes for one appointment within the hour.
    #[error("too many codes")]
    TooManyCodes,
    #[error("too many attempts")]
    RateLimited,
    /// Unknown, already used or older than five minutes.
    #[error("the passkey ceremony is unknown, used or expired")]
    CeremonyGone,
    #[error("the passkey was refused: {0}")]
    PasskeyRefused(String),
    #[error("not signed in")]
    NotSignedIn,
    #[error("this needs a sign-in within the last five minutes")]
    RecentSignInNeeded,
    #[error("the last passkey cannot be removed")]
    LastPasskey,
    #[error("not found")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    /// The session's identity was established at a lower assurance level than the route needs.
    #[error("a higher assurance level is needed")]
    AssuranceTooLow,
    #[error("invalid input: {0}")]
    Invalid(&'static str),
    #[error("passkeys are misconfigured: {0}")]
    Config(String),
    #[error("stored identity data is unreadable: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for IdentityError {
    fn from(error: sqlx::Error) -> Self {
        IdentityError::Storage(StorageError::Query(error))
    }
}

/// Milliseconds since the epoch, the unit every `*_at_ms` column stores.
pub(crate) fn ms(at: jiff::Timestamp) -> i64 {
    at.as_millisecond()
}

pub(crate) fn from_ms(value: i64) -> Result<jiff::Timestamp, IdentityError> {
    jiff::Timestamp::from_millisecond(value)
        .map_err(|_| IdentityError::Corrupt(format!("instant {value} out of range")))
}
