//! Staff: the municipality's employees (contact centre, back office, administrators). Bootstrapping the first
//! one happens on the command line (`loket staff add`), which prints the activation code it needs.
//!
//! - [`search`]: finding a resident or company from the contact centre's one search box.
//! - [`card`]: her cases and the notices on the resident card.
//! - [`report`]: counts per week for the report page and its CSV.

pub mod card;
pub mod report;
pub mod search;

use crate::identity::accounts::{self, StaffRole};
use crate::identity::activation::{self, CodeTarget, IssuedCode};
use crate::identity::audit::{self, Event};
use crate::identity::IdentityError;
use crate::storage::Db;
use jiff::Timestamp;

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

/// Issues an activation code for a resident (or her membership of a company) on behalf of staff member
/// `actor` (account id, staff id, role), and writes it to the audit log, so it shows in her activity log.
pub async fn issue_resident_code(
    db: &Db,
    municipality_id: &str,
    target: &CodeTarget,
    actor: (&str, &str, StaffRole),
    person_id: &str,
    now: Timestamp,
) -> Result<IssuedCode, IdentityError> {
    let (account_id, staff_id, role) = actor;
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
        &audit::Entry {
            actor_account_id: Some(account_id),
            actor_staff_id: Some(staff_id),
            actor_role: Some(role.as_str()),
            subject_person_id: Some(person_id),
            ..Default::default()
        },
        now,
    )
    .await?;
    Ok(issued)
}
