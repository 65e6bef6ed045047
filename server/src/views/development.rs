//! The staff development page: the messages the files route wrote (demo mode only).

use crate::authorization::{decide, Action, Principal, Resource};
use crate::identity::audit;
use crate::notifications;
use crate::services::Services;
use app::api::{ApiError, OutboxFile, OutboxFiles};
use jiff::Timestamp;

/// How many messages the staff development page shows.
const OUTBOX_FILES_SHOWN: usize = 50;

impl Services {
    /// The development page's messages written to files (demo mode only), codes and link tokens masked;
    /// each resident on it gets the look in her activity log.
    pub(crate) async fn outbox_files_for(
        &self,
        principal: &Principal,
        now: Timestamp,
    ) -> Result<Option<OutboxFiles>, ApiError> {
        let resource = Resource::OutboxFiles {
            municipality_id: &self.municipality.id,
        };
        let decision = decide(principal, Action::Read, resource);
        if !decision.allowed() {
            return Ok(None);
        }
        // Outside demo mode these files hold real residents' messages: they are for the operator, not staff.
        if self.outbox_dirs.is_empty() || !self.demo {
            return Ok(Some(OutboxFiles {
                files_route: false,
                messages: Vec::new(),
            }));
        }
        let dirs = self.outbox_dirs.clone();
        let files = tokio::task::spawn_blocking(move || {
            notifications::channels::read_files(&dirs, OUTBOX_FILES_SHOWN)
        })
        .await
        .unwrap_or_default();
        // Each resident whose message is on the page gets an entry in their activity log.
        let ids: Vec<String> = files.iter().map(|f| f.id.clone()).collect();
        let persons = notifications::outbox::recipients_of(&self.db, &ids)
            .await
            .map_err(notifications::NotificationsError::from)?;
        for person in &persons {
            audit::staff_read(
                &self.db,
                principal,
                decision,
                audit::ReadOf::Person(person),
                "messages",
                "/medewerkers/berichten",
                now,
            )
            .await?;
        }
        let messages = files
            .into_iter()
            .map(|file| {
                let (date, time) =
                    self.date_and_time(Timestamp::try_from(file.written_at).unwrap_or(now));
                OutboxFile {
                    date,
                    time,
                    channel: file.channel.as_str().to_owned(),
                    to: super::shorten(&file.to),
                    subject: file.subject.as_deref().map(super::mask_secrets),
                    text: super::mask_secrets(&file.text),
                }
            })
            .collect();
        Ok(Some(OutboxFiles {
            files_route: true,
            messages,
        }))
    }
}
