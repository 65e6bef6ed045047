//! The bridge from the UI contract (`app::api::Backend`) to the domain modules, and the one place where
//! domain errors become resident-facing API errors.

use crate::authorization::{decide, Action, Principal, Resource};
use crate::cases::{self, CasesError};
use crate::identity::passkeys::Passkeys;
use crate::identity::{accounts, audit, passkeys, IdentityError};
use crate::storage::Db;
use crate::tenancy::Municipality;
use app::api::{ActivityLine, ApiError, Backend, Overview, PasskeyLine, Viewer};
use app::i18n::Lang;
use std::sync::Arc;

/// Everything a request may need, shared by all requests.
pub struct Services {
    pub db: Db,
    pub municipality: Arc<Municipality>,
    pub demo: bool,
    pub passkeys: Passkeys,
}

impl From<CasesError> for ApiError {
    fn from(error: CasesError) -> Self {
        // The log line carries the technical cause, never the resident's data.
        tracing::error!(error = %error, "cases query failed");
        ApiError::Unavailable
    }
}

impl From<IdentityError> for ApiError {
    fn from(error: IdentityError) -> Self {
        tracing::error!(error = %error, "identity query failed");
        ApiError::Unavailable
    }
}

#[async_trait::async_trait]
impl Backend for Services {
    async fn activity(&self, viewer: &Viewer) -> Result<Vec<ActivityLine>, ApiError> {
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
        // The activity log does not depend on memberships, so none are loaded for this decision.
        let principal = Principal::of(&account, Vec::new());
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
                    ActivityLine {
                        date: local.date().to_string(),
                        time: local.strftime("%H:%M").to_string(),
                        event: entry.event.as_str().to_owned(),
                        staff_name,
                        staff_role,
                        data_kind: entry.data_kind,
                    }
                })
                .collect(),
        )
    }

    async fn passkeys(&self, viewer: &Viewer) -> Result<Vec<PasskeyLine>, ApiError> {
        let Some(signed_in) = &viewer.signed_in else {
            return Ok(Vec::new());
        };
        let zone = self.municipality.time_zone.clone();
        let date = |at: jiff::Timestamp| at.to_zoned(zone.clone()).date().to_string();
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

    async fn overview(&self, lang: Lang) -> Result<Overview, ApiError> {
        let demo = if self.demo {
            cases::demo_overview(&self.db, &self.municipality, lang).await?
        } else {
            None
        };
        Ok(Overview { demo })
    }
}
