//! Her cases and contacts: Overzicht, the case list, one case with its messages and documents, her contact
//! history — for the person herself, the organisation she acts for, or a staff preview (redacted by role).

use crate::authorization::{staff_level, DataKind, Level, Principal};
use crate::cases::{self, resident};
use crate::contacts;
use crate::notifications;
use crate::services::Services;
use app::api::{
    ApiError, CaseDetail, CaseList, CaseMessages, CaseQuery, ContactLine, Overview, TimelineItem,
    TimelineKind, Viewer,
};
use app::i18n::Lang;
use jiff::Timestamp;

impl Services {
    /// Overzicht: her personal summary, or the demo's sample page for a signed-out visitor.
    pub(crate) async fn overview_for(
        &self,
        principal: &Principal,
        viewer: &Viewer,
        lang: Lang,
        now: Timestamp,
    ) -> Result<Overview, ApiError> {
        let scope = self.personal_scope(principal, viewer);
        if let Some(scope) = scope {
            let reader = scope.reader(&self.municipality);
            // Without her records open, Overzicht keeps what needs no BSN-linked data (her next appointment,
            // her addresses); the page asks for DigiD in place of the cases.
            let mut personal = if scope.records {
                resident::overview(
                    &self.db,
                    &self.municipality,
                    &reader,
                    lang,
                    scope.acting_for.clone(),
                )
                .await?
            } else {
                app::api::PersonalOverview {
                    acting_for: scope.acting_for.clone(),
                    actions: Vec::new(),
                    open_cases: Vec::new(),
                    open_case_count: 0,
                    recent_contacts: Vec::new(),
                    unreachable: Vec::new(),
                    next_appointment: None,
                }
            };
            personal.unreachable = notifications::addresses::list(&self.db, &scope.person_id)
                .await?
                .into_iter()
                .filter(|a| a.failed_at_ms.is_some())
                .map(|a| a.label)
                .collect();
            personal.next_appointment = self.next_appointment(&scope, lang, now).await?;
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

    pub(crate) async fn cases_for(
        &self,
        principal: &Principal,
        viewer: &Viewer,
        lang: Lang,
        query: CaseQuery,
    ) -> Result<CaseList, ApiError> {
        let Some(scope) = self
            .personal_scope(principal, viewer)
            .filter(|scope| scope.records)
        else {
            return Ok(CaseList {
                acting_for: None,
                cases: Vec::new(),
                open_count: 0,
                closed_count: 0,
            });
        };
        let reader = scope.reader(&self.municipality);
        Ok(resident::cases(
            &self.db,
            &self.municipality,
            &reader,
            lang,
            &query,
            scope.acting_for.clone(),
        )
        .await?)
    }

    /// One case page: the case as she may see it, the messages about it, its documents.
    pub(crate) async fn case_for(
        &self,
        principal: &Principal,
        viewer: &Viewer,
        lang: Lang,
        id: String,
        now: Timestamp,
    ) -> Result<Option<CaseDetail>, ApiError> {
        let Some(scope) = self
            .personal_scope(principal, viewer)
            .filter(|scope| scope.records)
        else {
            return Ok(None);
        };
        let reader = scope.reader(&self.municipality);
        let Some(mut detail) =
            resident::detail(&self.db, &self.municipality, &reader, lang, &id, now).await?
        else {
            return Ok(None);
        };
        self.add_messages(&mut detail, &scope.person_id, now)
            .await?;
        let opens = scope
            .preview_role
            .is_none_or(|role| staff_level(role, DataKind::Documents) == Level::What);
        let documents = crate::documents::drafts::for_case(
            &self.db,
            &self.municipality.id,
            &id,
            &scope.person_id,
        )
        .await?;
        detail.documents = self.document_views(documents, opens);
        detail.documents_removable = scope.preview_role.is_none();
        detail.uploads_open =
            detail.uploads_allowed && !detail.closed && scope.preview_role.is_none();
        detail.upload_max_bytes = self.documents.limits.max_file_bytes as u64;
        Ok(Some(detail))
    }

    pub(crate) async fn contacts_for(
        &self,
        principal: &Principal,
        viewer: &Viewer,
    ) -> Result<Vec<ContactLine>, ApiError> {
        let Some(scope) = self
            .personal_scope(principal, viewer)
            .filter(|scope| scope.records)
        else {
            return Ok(Vec::new());
        };
        // The person sees the content of their own confidential contacts; an organisation's members do not.
        let see_confidential = scope.sees_confidential_contacts();
        Ok(contacts::for_party(
            &self.db,
            &self.municipality,
            &scope.party,
            see_confidential,
            Some(scope.reader(&self.municipality).ceiling),
            None,
            500,
        )
        .await?)
    }

    /// The reader's own part of a case page: the messages Loket sent them about it (in the timeline) and
    /// where such messages go.
    async fn add_messages(
        &self,
        detail: &mut CaseDetail,
        person_id: &str,
        now: Timestamp,
    ) -> Result<(), ApiError> {
        let storage = notifications::NotificationsError::from;
        let sent =
            notifications::outbox::for_case(&self.db, &self.municipality.id, person_id, &detail.id)
                .await
                .map_err(storage)?;
        for line in sent {
            let (date, time) =
                self.date_and_time(Timestamp::from_millisecond(line.created_at_ms).unwrap_or(now));
            detail.timeline.push(TimelineItem {
                date,
                time,
                kind: TimelineKind::Message,
                title: line.to_label,
                text: Some(line.status),
            });
        }
        // Dates and times are ISO text, so this orders by time; the sort is stable for equal minutes.
        detail
            .timeline
            .sort_by(|a, b| (&a.date, &a.time).cmp(&(&b.date, &b.time)));
        let addresses = notifications::addresses::list(&self.db, person_id)
            .await?
            .into_iter()
            .filter(|a| a.usable(now))
            .map(|a| (a.id, a.label))
            .collect();
        let chosen = notifications::addresses::case_choice(
            &self.db,
            &self.municipality.id,
            person_id,
            &detail.id,
        )
        .await?;
        detail.messages = Some(CaseMessages { addresses, chosen });
        Ok(())
    }
}
