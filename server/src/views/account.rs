//! The resident's own settings pages: her activity log, her passkeys, where her messages go.

use crate::authorization::{decide, Action, Principal, Resource};
use crate::identity::{accounts, audit, passkeys};
use crate::notifications;
use crate::notifications::channels::Channel;
use crate::services::Services;
use app::api::{ActivityLine, AddressLine, ApiError, MessageSettings, PasskeyLine, Viewer};
use jiff::Timestamp;

/// The signed-in person themself (never the organisation they act for): the owner of addresses and choices.
/// A preview reads her pages as she would; the edge refuses every change it could make.
fn person_of(principal: &Principal) -> Option<String> {
    match principal {
        Principal::Person { person_id, .. } | Principal::Preview { person_id, .. } => {
            Some(person_id.clone())
        }
        _ => None,
    }
}

impl Services {
    /// Mijn gegevens: the BRP asked for her own record with the task's fields, in a session that opens her
    /// records (DigiD at the level they need), shown and kept nowhere. Not in a staff preview: that would be a
    /// staff look at the BRP, which has its own task.
    pub(crate) async fn my_details_for(
        &self,
        principal: &Principal,
        _viewer: &Viewer,
    ) -> Result<Option<app::api::MyDetails>, ApiError> {
        use crate::population::Task;
        let Principal::Person {
            person_id,
            municipality_id,
            ..
        } = principal
        else {
            return Ok(None);
        };
        let records = Resource::Records {
            municipality_id,
            person_id,
        };
        if !decide(principal, Action::Read, records).allowed() {
            return Ok(None);
        }
        let Some(register) = &self.population else {
            return Ok(Some(app::api::MyDetails::NoRegister));
        };
        let bsn = crate::parties::person_bsn(&self.db, municipality_id, person_id)
            .await
            .map_err(|error| {
                tracing::error!(%error, "her BSN could not be read");
                ApiError::Unavailable
            })?;
        let Some(bsn) = bsn else {
            return Ok(Some(app::api::MyDetails::NotFound));
        };
        let found = crate::population::by_bsn(register.as_ref(), Task::OwnDetails, &bsn)
            .await
            .map_err(|error| {
                tracing::error!(%error, "the BRP could not be asked for her details");
                ApiError::Unavailable
            })?;
        Ok(Some(match found {
            None => app::api::MyDetails::NotFound,
            Some(resident) => app::api::MyDetails::Found {
                name: resident.name,
                birth_date: resident.birth_date,
                birth_place: resident.birth_place,
                address: resident.address,
                in_research: resident
                    .in_research
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
            },
        }))
    }

    /// Her activity log: every sign-in, change and staff look at her data (not in a preview: that is the
    /// staff member's own account).
    pub(crate) async fn activity_for(
        &self,
        viewer: &Viewer,
    ) -> Result<Vec<ActivityLine>, ApiError> {
        let Some(signed_in) = &viewer.signed_in else {
            return Ok(Vec::new());
        };
        let account = accounts::by_id(&self.db, &signed_in.account_id)
            .await?
            .ok_or(ApiError::Unavailable)?;
        let Some(person_id) = account.person_id() else {
            return Ok(Vec::new());
        };
        let resource = Resource::Activity {
            municipality_id: &account.municipality_id,
            person_id,
        };
        // The activity log depends on neither memberships nor open records, so neither is loaded here.
        let principal = Principal::of(&account, Vec::new(), false);
        if !decide(&principal, Action::Read, resource).allowed() {
            return Ok(Vec::new());
        }
        let zone = self.municipality.time_zone.clone();
        Ok(
            audit::for_person(&self.db, person_id, Some(&account.id), 200)
                .await?
                .into_iter()
                .map(|entry| {
                    let local = entry.at.to_zoned(zone.clone());
                    let (staff_name, staff_role) = entry.staff.unzip();
                    // A read on behalf names the other person where a staff line names the employee.
                    let (event, staff_name) = match entry.on_behalf {
                        Some(audit::OnBehalf::ReadBy(name)) => ("read-on-behalf-by", Some(name)),
                        // Known by BSN only so far (no name from the BRP yet).
                        Some(audit::OnBehalf::ReadFor(name)) if name.is_empty() => {
                            ("read-on-behalf-for-unnamed", None)
                        }
                        Some(audit::OnBehalf::ReadFor(name)) => ("read-on-behalf-for", Some(name)),
                        None => (entry.event.as_str(), staff_name),
                    };
                    ActivityLine {
                        date: local.date().to_string(),
                        time: local.strftime("%H:%M").to_string(),
                        event: event.to_owned(),
                        staff_name,
                        staff_role,
                        data_kind: entry.data_kind,
                    }
                })
                .collect(),
        )
    }

    /// The passkeys of the signed-in account (none in a preview: those would be the staff member's).
    pub(crate) async fn passkeys_for(&self, viewer: &Viewer) -> Result<Vec<PasskeyLine>, ApiError> {
        // In a preview the signed-in account is the staff member's: their passkeys are not hers to show.
        let Some(signed_in) = viewer
            .signed_in
            .as_ref()
            .filter(|_| viewer.preview.is_none())
        else {
            return Ok(Vec::new());
        };
        let zone = self.municipality.time_zone.clone();
        let date = |at: Timestamp| at.to_zoned(zone.clone()).date().to_string();
        Ok(passkeys::list(&self.db, &signed_in.account_id)
            .await?
            .into_iter()
            .map(|p| PasskeyLine {
                id: p.id,
                name: p.name,
                created: date(p.created_at),
                last_used: p.last_used_at.map(date),
            })
            .collect())
    }

    /// Berichten: her addresses, where each kind of message goes, and what was sent lately.
    pub(crate) async fn message_settings_for(
        &self,
        principal: &Principal,
        now: Timestamp,
    ) -> Result<Option<MessageSettings>, ApiError> {
        let Some(person_id) = person_of(principal) else {
            return Ok(None);
        };
        let addresses = notifications::addresses::list(&self.db, &person_id).await?;
        let chosen = notifications::addresses::choices(&self.db, &person_id).await?;
        let choices = notifications::MessageKind::ALL
            .into_iter()
            .map(|kind| {
                let address = chosen
                    .iter()
                    .find(|(k, _)| *k == kind)
                    .map(|(_, a)| a.clone());
                (kind.as_str().to_owned(), address)
            })
            .collect();
        let recent = notifications::outbox::recent(&self.db, &person_id, 20)
            .await
            .map_err(notifications::NotificationsError::from)?
            .into_iter()
            .map(|m| self.message_line(m, now))
            .collect();
        Ok(Some(MessageSettings {
            addresses: addresses
                .into_iter()
                .map(|a| AddressLine {
                    state: if a.channel == Channel::Push && a.value.starts_with("gone:") {
                        "gone"
                    } else if a.usable(now) {
                        "confirmed"
                    } else if a.needs_reverification(now) {
                        "reconfirm"
                    } else {
                        "waiting"
                    }
                    .to_owned(),
                    failed: a.failed_at_ms.is_some(),
                    fallback: a.fallback,
                    id: a.id,
                    channel: a.channel.as_str().to_owned(),
                    // A push endpoint is a capability URL of the device: not shown, not even to its owner.
                    value: if a.channel == Channel::Push {
                        String::new()
                    } else {
                        a.value
                    },
                    label: a.label,
                })
                .collect(),
            choices,
            recent,
            push_key: self.push.public_key.clone(),
        }))
    }
}
