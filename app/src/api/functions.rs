//! The server functions the pages call (thin: viewer and language from context, one backend call), and
//! which of them only read.

#[cfg(feature = "ssr")]
use super::backend::SharedBackend;
use super::*;
#[cfg(feature = "ssr")]
use crate::i18n::Lang;
use leptos::prelude::*;

/// The server functions that only read. A staff preview of a resident's pages may call these and no others:
/// a new server function that changes state is refused there until it is listed here (which it must not be).
pub const READ_ONLY_FNS: [&str; 19] = [
    "activity",
    "my-details",
    "staff-today",
    "passkeys",
    "overview",
    "cases",
    "case",
    "contacts",
    "outbox-files",
    "staff-resident",
    "staff-report",
    "staff-members",
    "message-settings",
    "appointments",
    "appointment",
    "documents",
    "booking-step",
    "appointment-link",
    "catalogue-admin",
];

#[cfg(feature = "ssr")]
fn backend() -> Result<SharedBackend, ApiError> {
    use_context::<SharedBackend>().ok_or(ApiError::Unavailable)
}

#[cfg(feature = "ssr")]
fn viewer() -> Viewer {
    use_context::<Viewer>().unwrap_or_default()
}

/// The current visitor's activity log; empty when nobody is signed in.
#[server(prefix = "/fn", endpoint = "activity")]
pub async fn get_activity() -> Result<Vec<ActivityLine>, ApiError> {
    backend()?.activity(&viewer()).await
}

/// Mijn gegevens from the BRP, in a session that opens her records.
#[server(prefix = "/fn", endpoint = "my-details")]
pub async fn get_my_details() -> Result<Option<MyDetails>, ApiError> {
    backend()?.my_details(&viewer()).await
}

/// The current visitor's passkeys; empty when nobody is signed in.
#[server(prefix = "/fn", endpoint = "passkeys")]
pub async fn get_passkeys() -> Result<Vec<PasskeyLine>, ApiError> {
    backend()?.passkeys(&viewer()).await
}

/// The overview for the current visitor.
#[server(prefix = "/fn", endpoint = "overview")]
pub async fn get_overview() -> Result<Overview, ApiError> {
    let lang = use_context::<Lang>().unwrap_or_default();
    backend()?.overview(&viewer(), lang).await
}

/// The viewer's cases, open or closed, sorted and filtered.
#[server(prefix = "/fn", endpoint = "cases")]
pub async fn get_cases(query: CaseQuery) -> Result<CaseList, ApiError> {
    let lang = use_context::<Lang>().unwrap_or_default();
    backend()?.cases(&viewer(), lang, query).await
}

/// One of the viewer's cases with its timeline.
#[server(prefix = "/fn", endpoint = "case")]
pub async fn get_case(id: String) -> Result<Option<CaseDetail>, ApiError> {
    let lang = use_context::<Lang>().unwrap_or_default();
    backend()?.case(&viewer(), lang, id).await
}

/// The viewer's contact history.
#[server(prefix = "/fn", endpoint = "contacts")]
pub async fn get_contacts() -> Result<Vec<ContactLine>, ApiError> {
    backend()?.contacts(&viewer()).await
}

/// Staff only: the messages written to files instead of being sent (the embedded default).
#[server(prefix = "/fn", endpoint = "outbox-files")]
pub async fn get_outbox_files() -> Result<Option<OutboxFiles>, ApiError> {
    backend()?.outbox_files(&viewer()).await
}

/// Staff only: the card of one resident.
#[server(prefix = "/fn", endpoint = "staff-resident")]
pub async fn get_staff_resident(id: String) -> Result<Option<StaffResident>, ApiError> {
    let lang = use_context::<Lang>().unwrap_or_default();
    backend()?.staff_resident(&viewer(), lang, id).await
}

/// Staff only: the report (counts, no personal data).
#[server(prefix = "/fn", endpoint = "staff-report")]
pub async fn get_staff_report() -> Result<Option<StaffReport>, ApiError> {
    backend()?.staff_report(&viewer()).await
}

/// Staff who serve residents: today's appointments (each listed person's name is a read in her log).
#[server(prefix = "/fn", endpoint = "staff-today")]
pub async fn get_staff_today() -> Result<Option<StaffToday>, ApiError> {
    let lang = use_context::<Lang>().unwrap_or_default();
    backend()?.staff_today(&viewer(), lang).await
}

/// Administrators only: the municipality's employees.
#[server(prefix = "/fn", endpoint = "staff-members")]
pub async fn get_staff_members() -> Result<Option<Vec<StaffMemberView>>, ApiError> {
    backend()?.staff_members(&viewer()).await
}

/// The signed-in person's addresses, choices and recent messages.
#[server(prefix = "/fn", endpoint = "message-settings")]
pub async fn get_message_settings() -> Result<Option<MessageSettings>, ApiError> {
    backend()?.message_settings(&viewer()).await
}

/// The signed-in person's appointments.
#[server(prefix = "/fn", endpoint = "appointments")]
pub async fn get_appointments() -> Result<Option<Vec<AppointmentLine>>, ApiError> {
    let lang = use_context::<Lang>().unwrap_or_default();
    backend()?.appointments(&viewer(), lang).await
}

/// The Documenten page.
#[server(prefix = "/fn", endpoint = "documents")]
pub async fn get_documents() -> Result<Option<Vec<DocumentGroup>>, ApiError> {
    let lang = use_context::<Lang>().unwrap_or_default();
    backend()?.documents(&viewer(), lang).await
}

/// One appointment card.
#[server(prefix = "/fn", endpoint = "appointment")]
pub async fn get_appointment(id: String) -> Result<Option<AppointmentCard>, ApiError> {
    let lang = use_context::<Lang>().unwrap_or_default();
    backend()?.appointment(&viewer(), lang, id).await
}

/// What an appointment link's page offers (nothing about the appointment or the person behind it).
#[server(prefix = "/fn", endpoint = "appointment-link")]
pub async fn get_appointment_link(token: String) -> Result<Option<LinkCheck>, ApiError> {
    backend()?.appointment_link(token).await
}

/// The appointment catalogue for its administrators.
#[server(prefix = "/fn", endpoint = "catalogue-admin")]
pub async fn get_catalogue_admin() -> Result<Option<CatalogueAdmin>, ApiError> {
    backend()?.catalogue_admin(&viewer()).await
}

/// A step of booking or moving an appointment.
#[server(prefix = "/fn", endpoint = "booking-step")]
pub async fn get_booking_step(query: BookingQuery) -> Result<Option<BookingStep>, ApiError> {
    let lang = use_context::<Lang>().unwrap_or_default();
    backend()?.booking_step(&viewer(), lang, query).await
}
