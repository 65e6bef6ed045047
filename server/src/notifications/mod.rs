//! Notifications: events that should reach a resident, written to an outbox (`notification_event`) in the
//! same transaction as the change that causes them. Delivery (channels, templates, the worker) builds on this
//! table; an event names only ids, so no message can carry more than a link.

use crate::identity::secrets;
use crate::parties::Party;
use jiff::Timestamp;
use sqlx::AnyConnection;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A case reached a status whose type says "inform the resident".
    CaseStatus,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::CaseStatus => "case-status",
        }
    }
}

/// One event for the outbox. `dedupe_key` is stable for the cause (e.g. the status row), so writing the same
/// event twice stores it once.
pub struct Event<'a> {
    pub kind: Kind,
    pub dedupe_key: String,
    pub recipient: &'a Party,
    pub case_id: Option<&'a str>,
}

/// Writes the event into the caller's transaction; a repeat with the same key is ignored.
pub async fn emit(
    conn: &mut AnyConnection,
    municipality_id: &str,
    event: &Event<'_>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO notification_event (id, municipality_id, kind, dedupe_key, person_id, organisation_id, case_id, created_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(secrets::id())
    .bind(municipality_id)
    .bind(event.kind.as_str())
    .bind(&event.dedupe_key)
    .bind(event.recipient.person_id())
    .bind(event.recipient.organisation_id())
    .bind(event.case_id)
    .bind(now.as_millisecond())
    .execute(conn)
    .await?;
    Ok(())
}
