//! The seam between the UI contract and the server's domain services.

use super::*;
use crate::i18n::Lang;

/// The seam between the UI contract and the server's domain services. The server implements it and provides
/// an `Arc<dyn Backend>` as context to every request.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    async fn overview(&self, viewer: &Viewer, lang: Lang) -> Result<Overview, ApiError>;
    /// The viewer's cases (their own, or those of the organisation they act for).
    async fn cases(
        &self,
        viewer: &Viewer,
        lang: Lang,
        query: CaseQuery,
    ) -> Result<CaseList, ApiError>;
    /// One of the viewer's cases; `None` when it does not exist or is not theirs to see. Opening it marks it seen.
    async fn case(
        &self,
        viewer: &Viewer,
        lang: Lang,
        id: String,
    ) -> Result<Option<CaseDetail>, ApiError>;
    /// The viewer's contact history, newest first.
    async fn contacts(&self, viewer: &Viewer) -> Result<Vec<ContactLine>, ApiError>;
    /// The signed-in person's activity log (their security events and every staff read of their data).
    async fn activity(&self, viewer: &Viewer) -> Result<Vec<ActivityLine>, ApiError>;
    /// Mijn gegevens from the BRP; `None` for anyone whose session does not open her records.
    async fn my_details(&self, viewer: &Viewer) -> Result<Option<MyDetails>, ApiError>;
    /// The signed-in account's passkeys.
    async fn passkeys(&self, viewer: &Viewer) -> Result<Vec<PasskeyLine>, ApiError>;
    /// The signed-in person's addresses and message choices; `None` for anyone else.
    async fn message_settings(&self, viewer: &Viewer) -> Result<Option<MessageSettings>, ApiError>;
    /// The messages the embedded default wrote to files, for staff of this municipality; `None` for anyone else.
    async fn outbox_files(&self, viewer: &Viewer) -> Result<Option<OutboxFiles>, ApiError>;
    /// The contact centre's card of person `id` (audited); `None` for anyone who may not see it.
    async fn staff_resident(
        &self,
        viewer: &Viewer,
        lang: Lang,
        id: String,
    ) -> Result<Option<StaffResident>, ApiError>;
    /// The report for staff of this municipality; `None` for anyone else.
    async fn staff_report(&self, viewer: &Viewer) -> Result<Option<StaffReport>, ApiError>;
    async fn staff_today(
        &self,
        viewer: &Viewer,
        lang: Lang,
    ) -> Result<Option<StaffToday>, ApiError>;
    /// The municipality's employees, for its administrators; `None` for anyone else.
    async fn staff_members(
        &self,
        viewer: &Viewer,
    ) -> Result<Option<Vec<StaffMemberView>>, ApiError>;
    /// The appointment catalogue, for administrators of this municipality; `None` for anyone else.
    async fn catalogue_admin(&self, viewer: &Viewer) -> Result<Option<CatalogueAdmin>, ApiError>;
    /// The signed-in person's appointments, soonest first; `None` for anyone without a personal page.
    async fn appointments(
        &self,
        viewer: &Viewer,
        lang: Lang,
    ) -> Result<Option<Vec<AppointmentLine>>, ApiError>;
    /// One of the signed-in person's appointments; `None` when it is not theirs (or does not exist).
    async fn appointment(
        &self,
        viewer: &Viewer,
        lang: Lang,
        id: String,
    ) -> Result<Option<AppointmentCard>, ApiError>;
    /// The signed-in person's documents, grouped; `None` for anyone without a personal page.
    async fn documents(
        &self,
        viewer: &Viewer,
        lang: Lang,
    ) -> Result<Option<Vec<DocumentGroup>>, ApiError>;
    /// What the page of appointment link `token` offers; `None` for an unknown, expired or blocked link.
    async fn appointment_link(&self, token: String) -> Result<Option<LinkCheck>, ApiError>;
    /// The booking (or moving) step the query points at; `None` for anyone without a personal page.
    async fn booking_step(
        &self,
        viewer: &Viewer,
        lang: Lang,
        query: BookingQuery,
    ) -> Result<Option<BookingStep>, ApiError>;
}

#[cfg(feature = "ssr")]
pub type SharedBackend = std::sync::Arc<dyn Backend>;
