//! The bridge from the UI contract (`app::api::Backend`) to the domain modules, and the one place where
//! domain errors become resident-facing API errors.

use super::session::Visitor;
use crate::authorization::{decide, Action, Principal, Resource};
use crate::cases::resident::{self, Reader};
use crate::cases::{self, CasesError};
use crate::contacts;
use crate::identity::passkeys::Passkeys;
use crate::identity::{accounts, audit, passkeys, IdentityError};
use crate::notifications;
use crate::parties::Party;
use crate::storage::Db;
use crate::tenancy::Municipality;
use app::api::{
    ActivityLine, AddressLine, ApiError, Backend, CaseDetail, CaseList, CaseQuery, ContactLine,
    MessageLine, MessageSettings, Overview, PasskeyLine, Viewer,
};
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

impl From<crate::notifications::NotificationsError> for ApiError {
    fn from(error: crate::notifications::NotificationsError) -> Self {
        tracing::error!(error = %error, "notifications query failed");
        ApiError::Unavailable
    }
}

/// The signed-in person themself (never the organisation they act for): the owner of addresses and choices.
fn own_person() -> Option<String> {
    visitor().person_id()
}

impl From<IdentityError> for ApiError {
    fn from(error: IdentityError) -> Self {
        tracing::error!(error = %error, "identity query failed");
        ApiError::Unavailable
    }
}

/// Whose cases and contacts the visitor reads: their own, or the organisation's they act for — once
/// [`decide`] allowed it. `None` for anyone without a personal page (signed out, staff, appointment links).
struct PersonalScope {
    party: Party,
    person_id: String,
    acting_for: Option<String>,
}

/// The visitor of the current request. Called before the first `.await` of a server function's work, while
/// the request's Leptos context is current (the router provides the visitor there).
fn visitor() -> Visitor {
    leptos::prelude::use_context::<Visitor>().unwrap_or_default()
}

impl Services {
    fn personal_scope(&self, visitor: &Visitor, viewer: &Viewer) -> Option<PersonalScope> {
        let (principal, _) = visitor.identity();
        let Principal::Person {
            person_id,
            municipality_id,
            ..
        } = &principal
        else {
            return None;
        };
        let acting = viewer.signed_in.as_ref().and_then(|s| s.acting_as.clone());
        let (party, resource) = match &acting {
            Some((organisation_id, _)) => (
                Party::Organisation(organisation_id.clone()),
                Resource::Organisation {
                    municipality_id,
                    organisation_id,
                },
            ),
            None => (
                Party::Person(person_id.clone()),
                Resource::Person {
                    municipality_id,
                    person_id,
                },
            ),
        };
        decide(&principal, Action::Read, resource)
            .allowed()
            .then(|| PersonalScope {
                party,
                person_id: person_id.clone(),
                acting_for: acting.map(|(_, name)| name),
            })
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

    async fn message_settings(&self, viewer: &Viewer) -> Result<Option<MessageSettings>, ApiError> {
        let _ = viewer;
        let Some(person_id) = own_person() else {
            return Ok(None);
        };
        let now = jiff::Timestamp::now();
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
        let zone = self.municipality.time_zone.clone();
        let recent = notifications::outbox::recent(&self.db, &person_id, 20)
            .await
            .map_err(notifications::NotificationsError::from)?
            .into_iter()
            .map(|m| {
                let at = jiff::Timestamp::from_millisecond(m.created_at_ms)
                    .unwrap_or(now)
                    .to_zoned(zone.clone());
                MessageLine {
                    date: at.date().to_string(),
                    time: format!("{:02}:{:02}", at.hour(), at.minute()),
                    kind: m.kind,
                    to_label: m.to_label,
                    status: m.status,
                }
            })
            .collect();
        Ok(Some(MessageSettings {
            addresses: addresses
                .into_iter()
                .map(|a| AddressLine {
                    state: if a.usable(now) {
                        "confirmed"
                    } else if a.needs_reverification(now) {
                        "reconfirm"
                    } else {
                        "waiting"
                    }
                    .to_owned(),
                    failed: a.failed_at_ms.is_some(),
                    id: a.id,
                    channel: a.channel.as_str().to_owned(),
                    value: a.value,
                    label: a.label,
                })
                .collect(),
            choices,
            recent,
        }))
    }

    async fn overview(&self, viewer: &Viewer, lang: Lang) -> Result<Overview, ApiError> {
        let scope = self.personal_scope(&visitor(), viewer);
        if let Some(scope) = scope {
            let reader = Reader {
                party: &scope.party,
                person_id: &scope.person_id,
            };
            let mut personal = resident::overview(
                &self.db,
                &self.municipality,
                &reader,
                lang,
                scope.acting_for,
            )
            .await?;
            personal.unreachable = notifications::addresses::list(&self.db, &scope.person_id)
                .await?
                .into_iter()
                .filter(|a| a.failed_at_ms.is_some())
                .map(|a| a.label)
                .collect();
            return Ok(Overview {
                personal: Some(personal),
                demo: None,
            });
        }
        let demo = if self.demo && viewer.signed_in.is_none() {
            cases::demo_overview(&self.db, &self.municipality, lang).await?
        } else {
            None
        };
        Ok(Overview {
            personal: None,
            demo,
        })
    }

    async fn cases(
        &self,
        viewer: &Viewer,
        lang: Lang,
        query: CaseQuery,
    ) -> Result<CaseList, ApiError> {
        let Some(scope) = self.personal_scope(&visitor(), viewer) else {
            return Ok(CaseList {
                acting_for: None,
                cases: Vec::new(),
                open_count: 0,
                closed_count: 0,
            });
        };
        let reader = Reader {
            party: &scope.party,
            person_id: &scope.person_id,
        };
        Ok(resident::cases(
            &self.db,
            &self.municipality,
            &reader,
            lang,
            &query,
            scope.acting_for,
        )
        .await?)
    }

    async fn case(
        &self,
        viewer: &Viewer,
        lang: Lang,
        identifier: String,
    ) -> Result<Option<CaseDetail>, ApiError> {
        let Some(scope) = self.personal_scope(&visitor(), viewer) else {
            return Ok(None);
        };
        let reader = Reader {
            party: &scope.party,
            person_id: &scope.person_id,
        };
        Ok(resident::detail(
            &self.db,
            &self.municipality,
            &reader,
            lang,
            &identifier,
            jiff::Timestamp::now(),
        )
        .await?)
    }

    async fn contacts(&self, viewer: &Viewer) -> Result<Vec<ContactLine>, ApiError> {
        let Some(scope) = self.personal_scope(&visitor(), viewer) else {
            return Ok(Vec::new());
        };
        // The person sees the content of their own confidential contacts; an organisation's members do not.
        let see_confidential = matches!(scope.party, Party::Person(_));
        Ok(contacts::for_party(
            &self.db,
            &self.municipality,
            &scope.party,
            see_confidential,
            None,
            500,
        )
        .await?)
    }
}
