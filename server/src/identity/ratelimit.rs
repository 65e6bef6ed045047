//! Rate limits in the database, so they hold across several Loket instances: fixed windows per bucket. A bucket
//! is the SHA-256 of its kind and subject, so no IP address or account number is stored readable.

use super::{ms, secrets, IdentityError};
use crate::storage::Db;
use jiff::{SignedDuration, Timestamp};

#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub max: i64,
    pub window: SignedDuration,
}

/// Sign-in attempts per client address.
pub const SIGN_IN_PER_IP: Limit = Limit {
    max: 30,
    window: SignedDuration::from_mins(10),
};
/// Sign-in attempts per account number.
pub const SIGN_IN_PER_ACCOUNT: Limit = Limit {
    max: 10,
    window: SignedDuration::from_mins(10),
};
/// Activation code attempts per client address (each code also blocks itself after 5 wrong tries).
pub const ACTIVATION_PER_IP: Limit = Limit {
    max: 10,
    window: SignedDuration::from_mins(10),
};

/// Counts one hit; `RateLimited` when the bucket is over its limit in the current window.
pub async fn hit(
    db: &Db,
    kind: &str,
    subject: &str,
    limit: Limit,
    now: Timestamp,
) -> Result<(), IdentityError> {
    let window = limit.window.as_millis().max(1) as i64;
    let start = ms(now) - ms(now).rem_euclid(window);
    let bucket = secrets::hash(&format!("{kind}:{subject}"));
    let (hits,): (i64,) = sqlx::query_as(
        "INSERT INTO rate_limit (bucket, window_start_ms, hits) VALUES ($1, $2, 1)
         ON CONFLICT (bucket, window_start_ms) DO UPDATE SET hits = rate_limit.hits + 1
         RETURNING hits",
    )
    .bind(&bucket)
    .bind(start)
    .fetch_one(&db.pool)
    .await?;
    if hits == 1 {
        // A new window: a good moment to forget windows older than a day.
        sqlx::query("DELETE FROM rate_limit WHERE window_start_ms < $1")
            .bind(start - 86_400_000)
            .execute(&db.pool)
            .await?;
    }
    if hits > limit.max {
        Err(IdentityError::RateLimited)
    } else {
        Ok(())
    }
}

/// Appointment-link checks per client address (each link also blocks itself after 5 wrong birth dates).
pub const LINK_PER_IP: Limit = Limit {
    max: 20,
    window: SignedDuration::from_mins(10),
};
