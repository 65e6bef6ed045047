//! The document forms: the resident removes what she sent, the back office takes a document into processing.
//! Sending documents is JSON, in [`crate::web::json::documents`].

use crate::authorization::{staff_level, Action, DataKind, Level, Principal};
use crate::documents::drafts;
use crate::documents::DocumentError;
use crate::web::extract::{Asking, SignedIn};
use crate::web::json::documents::{is_own, refusal, refused};
use crate::web::reply::{see_other, PageError};
use crate::web::AppState;
use app::paths::Notice;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use jiff::Timestamp;

/// POST /documenten/{id}/verwijderen: the resident removes her document (until the municipality took it).
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Asking(principal): Asking,
) -> Response {
    let lang = crate::web::request_lang();
    let services = &state.services;
    let outcome = async {
        let line = drafts::find_document(&services.db, &id).await?;
        if !is_own(&principal, &line.person_id, line.appointment_id.as_deref()) {
            return Err(DocumentError::NotFound);
        }
        if matches!(principal, Principal::AppointmentLink { .. }) {
            return Err(DocumentError::NeedsSignIn);
        }
        drafts::delete(&services.db, &services.documents.store, &id).await?;
        Ok(line)
    };
    match outcome.await {
        Ok(line) => match (line.appointment_id, line.case_id) {
            (Some(appointment), _) => see_other(format!(
                "{}#documenten",
                Notice::DocumentRemoved.on(&app::paths::appointment(&appointment))
            )),
            (None, Some(case)) => see_other(format!(
                "{}#documenten",
                Notice::DocumentRemoved.on(&app::paths::case(&case))
            )),
            (None, None) => StatusCode::NO_CONTENT.into_response(),
        },
        Err(error) => refused(lang, &error),
    }
}

/// POST /medewerkers/inwoners/{id}/documenten/{document}/in-behandeling: the back office takes her document
/// into processing; from then on she can no longer remove it. Only roles that may open documents do this.
pub async fn take(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Path((id, document)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let services = &state.services;
    let opens_documents = match &principal {
        Principal::Staff { role, .. } => staff_level(*role, DataKind::Documents) == Level::What,
        _ => false,
    };
    const ONLY: &str = "staff-refused-documents";
    if !opens_documents {
        return Err(PageError::Said(StatusCode::FORBIDDEN, ONLY));
    }
    crate::web::forms::staff::serving(services, &principal, Action::Change, &id, ONLY)?;
    let now = Timestamp::now().as_millisecond();
    match drafts::take(&services.db, &id, &document, now).await {
        Ok(()) => {
            let route = "/medewerkers/inwoners/{id}/documenten/{document}/in-behandeling";
            let action = crate::identity::audit::StaffAction::DocumentTaken;
            crate::web::forms::staff::did(services, &principal, &id, action, route).await;
            let card = app::paths::staff_resident(&id);
            Ok(see_other(Notice::DocumentTaken.on(&card)))
        }
        Err(error) => {
            let (status, _) = refusal(crate::web::request_lang(), &error);
            let key = match error {
                DocumentError::NotFound => "document-take-refused-unknown",
                _ => "page-refused-did-not-work",
            };
            Err(PageError::Said(status, key))
        }
    }
}
