//! The bridge from the UI contract (`app::api::Backend`) to the read models in [`crate::views`]: each method
//! names who is asking (the request's visitor, which the router put in the Leptos context) and the time, and
//! delegates.

use super::session::Visitor;
use crate::authorization::Principal;
use crate::services::Services;
use app::api::{
    ActivityLine, ApiError, AppointmentCard, AppointmentLine, Backend, BookingQuery, BookingStep,
    CaseDetail, CaseList, CaseQuery, CatalogueAdmin, ContactLine, LinkCheck, MessageSettings,
    OutboxFiles, Overview, PasskeyLine, StaffResident, Viewer,
};
use app::i18n::Lang;
use jiff::Timestamp;

/// The visitor of the current request. A server function reads it before its first `.await`: the Leptos
/// context is current there (the router provides the visitor in it).
pub(super) fn visitor() -> Visitor {
    leptos::prelude::use_context::<Visitor>().unwrap_or_default()
}

/// The principal of the current request (see [`visitor`]).
fn principal() -> Principal {
    visitor().identity().0
}

#[async_trait::async_trait]
impl Backend for Services {
    async fn appointments(
        &self,
        viewer: &Viewer,
        lang: Lang,
    ) -> Result<Option<Vec<AppointmentLine>>, ApiError> {
        let reader = principal();
        self.appointment_list(&reader, viewer, lang, Timestamp::now())
            .await
    }

    async fn appointment(
        &self,
        // Access follows the session's principal (an appointment link has no signed-in viewer).
        _viewer: &Viewer,
        lang: Lang,
        id: String,
    ) -> Result<Option<AppointmentCard>, ApiError> {
        let reader = principal();
        self.appointment_card(&reader, lang, id, Timestamp::now())
            .await
    }

    async fn appointment_link(&self, token: String) -> Result<Option<LinkCheck>, ApiError> {
        self.appointment_link_for(&token, Timestamp::now()).await
    }

    async fn catalogue_admin(&self, _viewer: &Viewer) -> Result<Option<CatalogueAdmin>, ApiError> {
        self.catalogue_admin_for(&principal()).await
    }

    async fn booking_step(
        &self,
        viewer: &Viewer,
        lang: Lang,
        query: BookingQuery,
    ) -> Result<Option<BookingStep>, ApiError> {
        let reader = principal();
        self.booking_step_for(&reader, viewer, lang, query, Timestamp::now())
            .await
    }

    async fn documents(
        &self,
        viewer: &Viewer,
        lang: Lang,
    ) -> Result<Option<Vec<app::api::DocumentGroup>>, ApiError> {
        let reader = principal();
        self.document_groups(&reader, viewer, lang, Timestamp::now())
            .await
    }

    async fn my_details(&self, viewer: &Viewer) -> Result<Option<app::api::MyDetails>, ApiError> {
        self.my_details_for(&principal(), viewer).await
    }

    async fn activity(&self, viewer: &Viewer) -> Result<Vec<ActivityLine>, ApiError> {
        self.activity_for(viewer).await
    }

    async fn passkeys(&self, viewer: &Viewer) -> Result<Vec<PasskeyLine>, ApiError> {
        self.passkeys_for(viewer).await
    }

    async fn staff_resident(
        &self,
        _viewer: &Viewer,
        lang: Lang,
        id: String,
    ) -> Result<Option<StaffResident>, ApiError> {
        self.staff_resident_for(&principal(), lang, &id, Timestamp::now())
            .await
    }

    async fn staff_report(
        &self,
        _viewer: &Viewer,
    ) -> Result<Option<app::api::StaffReport>, ApiError> {
        self.staff_report_for(&principal(), Timestamp::now()).await
    }

    async fn staff_today(
        &self,
        _viewer: &Viewer,
        lang: Lang,
    ) -> Result<Option<app::api::StaffToday>, ApiError> {
        self.staff_today_for(&principal(), lang, Timestamp::now())
            .await
    }

    async fn staff_members(
        &self,
        _viewer: &Viewer,
    ) -> Result<Option<Vec<app::api::StaffMemberView>>, ApiError> {
        self.staff_members_for(&principal(), Timestamp::now()).await
    }

    async fn outbox_files(&self, _viewer: &Viewer) -> Result<Option<OutboxFiles>, ApiError> {
        let reader = principal();
        self.outbox_files_for(&reader, Timestamp::now()).await
    }

    async fn message_settings(
        &self,
        _viewer: &Viewer,
    ) -> Result<Option<MessageSettings>, ApiError> {
        let reader = principal();
        self.message_settings_for(&reader, Timestamp::now()).await
    }

    async fn overview(&self, viewer: &Viewer, lang: Lang) -> Result<Overview, ApiError> {
        let reader = principal();
        self.overview_for(&reader, viewer, lang, Timestamp::now())
            .await
    }

    async fn cases(
        &self,
        viewer: &Viewer,
        lang: Lang,
        query: CaseQuery,
    ) -> Result<CaseList, ApiError> {
        let reader = principal();
        self.cases_for(&reader, viewer, lang, query).await
    }

    async fn case(
        &self,
        viewer: &Viewer,
        lang: Lang,
        id: String,
    ) -> Result<Option<CaseDetail>, ApiError> {
        let reader = principal();
        self.case_for(&reader, viewer, lang, id, Timestamp::now())
            .await
    }

    async fn contacts(&self, viewer: &Viewer) -> Result<Vec<ContactLine>, ApiError> {
        let reader = principal();
        self.contacts_for(&reader, viewer).await
    }
}
