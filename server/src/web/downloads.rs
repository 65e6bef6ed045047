//! Files a signed-in visitor downloads: an appointment's calendar entry, the staff report as CSV.

use super::extract::SignedIn;
use super::forms::appointments::owned;
use super::reply::PageError;
use super::AppState;
use crate::appointments::{catalogue, ics};
use crate::authorization::{decide, Action, Resource};
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
