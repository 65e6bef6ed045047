//! Files a signed-in visitor downloads: an appointment's calendar entry, a document she sent (and staff who
//! may open it), the staff report as CSV.

use super::extract::{Asking, SignedIn};
use super::forms::appointments::owned;
use super::json::documents::{is_own, refused};
use super::reply::PageError;
use super::AppState;
use crate::appointments::{catalogue, ics};
use crate::authorization::{
    decide, staff_level, Action, DataKind, Decision, Level, Principal, Resource,
};
use crate::documents::drafts;
use crate::documents::DocumentError;
use crate::identity::audit;
use crate::staff::report;
use crate::views::staff::REPORT_WEEKS;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::{header, StatusCode};
use jiff::Timestamp;

/// GET /afspraken/{id}/agenda.ics: the calendar file (only for the person whose appointment it is).
pub async fn calendar(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedIn(principal): SignedIn,
) -> Result<Response, PageError> {
    let appointment = owned(&state, &principal, Action::Read, &id).await?;
    let services = &state.services;
    let location = match catalogue::location(
        &services.db,
        &services.municipality.id,
        &appointment.location_id,
    )
    .await
    {
        Ok(location) => location,
        Err(error) => {
            tracing::error!(%error, "location lookup failed");
            return Err(PageError::Unavailable);
        }
    };
    let origin = &state.public_origin;
    let host = origin
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .unwrap_or("loket");
    let link = format!("{origin}{}", app::paths::appointment(&appointment.id));
    let body = ics::calendar(
        &appointment,
        &ics::CalendarFields {
            municipality: &services.municipality.name,
            organizer_email: &services.municipality.email,
            now: Timestamp::now(),
            host,
            link: &link,
            location: &location,
        },
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"afspraak.ics\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}

/// GET /medewerkers/rapport.csv: the report's figures as CSV, for staff of this municipality.
pub async fn report_csv(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
) -> Result<Response, PageError> {
    let services = &state.services;
    let m = &services.municipality.id;
    if !decide(
        &principal,
        Action::Read,
        Resource::Reports { municipality_id: m },
    )
    .allowed()
    {
        return Err(PageError::Said(
            StatusCode::FORBIDDEN,
            "staff-refused-report",
        ));
    }
    let not_now = PageError::Said(StatusCode::SERVICE_UNAVAILABLE, "page-refused-not-now");
    let now = Timestamp::now();
    let weeks =
        report::weeks(&services.municipality.time_zone, now, REPORT_WEEKS).map_err(|error| {
            tracing::error!(%error, "report weeks");
            not_now
        })?;
    let figures = report::figures(&services.db, m, &weeks, now)
        .await
        .map_err(|error| {
            tracing::error!(%error, "report could not be read");
            PageError::Said(StatusCode::SERVICE_UNAVAILABLE, "page-refused-not-now")
        })?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"loket-rapport.csv\"",
            ),
        ],
        report::csv(&figures),
    )
        .into_response())
}
/// Who may open document `line`: its resident, signed in, and staff whose role sees WHAT
/// of documents — audited, so it shows in her activity log.
fn may_open(principal: &Principal, municipality_id: &str, line: &drafts::DocumentLine) -> Decision {
    match principal {
        // A birth date or a code is not enough to open what she sent (see [`DocumentError::NeedsSignIn`]).
        Principal::AppointmentLink { .. } => Decision::Deny,
        Principal::Staff { role, .. } | Principal::Preview { role, .. }
            if staff_level(*role, DataKind::Documents) != Level::What =>
        {
            Decision::Deny
        }
        _ => decide(
            principal,
            Action::Read,
            Resource::Records {
                municipality_id,
                person_id: &line.person_id,
            },
        ),
    }
}

/// GET /documenten/{id}: the document (a PDF), for whoever may open it.
pub async fn open(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Asking(principal): Asking,
) -> Response {
    let lang = crate::web::request_lang();
    let services = &state.services;
    let line = match drafts::find_document(&services.db, &id).await {
        Ok(line) => line,
        Err(error) => return refused(lang, &error),
    };
    if matches!(principal, Principal::AppointmentLink { .. })
        && is_own(&principal, &line.person_id, line.appointment_id.as_deref())
    {
        return refused(lang, &DocumentError::NeedsSignIn);
    }
    let decision = may_open(&principal, &services.municipality.id, &line);
    if !decision.allowed() {
        return refused(lang, &DocumentError::NotFound);
    }
    if let Err(error) = audit::staff_read(
        &services.db,
        &principal,
        decision,
        audit::ReadOf::Person(&line.person_id),
        "documenten",
        "/documenten/{id}",
        Timestamp::now(),
    )
    .await
    {
        tracing::error!(%error, "audit entry failed");
        return refused(lang, &DocumentError::Store(String::from("audit")));
    }
    match drafts::content(&services.db, &services.documents.store, &id).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/pdf"),
                // Saved, not shown in the browser's own viewer, whose PDF engine runs scripts a check may
                // have missed; the file name is fixed, never the title. Opened anyway, the sandbox keeps it
                // from running anything or reaching Loket.
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"document.pdf\"",
                ),
                (
                    header::CONTENT_SECURITY_POLICY,
                    "sandbox; default-src 'none'",
                ),
                (header::CACHE_CONTROL, "private, no-store"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            bytes,
        )
            .into_response(),
        Err(error) => refused(lang, &error),
    }
}
