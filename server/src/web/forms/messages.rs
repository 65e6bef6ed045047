//! The forms of the Berichten settings page and a case's "send everything about this case to …" (plain HTML
//! forms, so they work without JavaScript). Success redirects back (303) with a notice; a refusal renders the
//! same page again with the reason in her language and what she typed, so nothing is lost.

use super::super::extract::{PageForm, RecordsReader, Resident};
use super::super::reply::{see_other, PageError, Refused};
use super::super::AppState;
use crate::cases::resident;
use crate::notifications::channels::Channel;
use crate::notifications::{addresses, MessageKind, NotificationsError};
use app::paths::{self, FormId, MessagesForm as Which, Notice};
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use std::collections::HashMap;

/// Every field any of the page's forms sends; `form` says which form it was.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct MessagesFields {
    form: String,
    channel: String,
    value: String,
    label: String,
    address: String,
    code: String,
    fallback: String,
    endpoint: String,
    p256dh: String,
    auth: String,
    /// The "choose" form: one field per kind of message ([`MessageKind::as_str`]), naming an address.
    #[serde(flatten)]
    choices: HashMap<String, String>,
}

/// POST /instellingen/berichten.
pub async fn post(
    State(state): State<AppState>,
    Resident { person_id }: Resident,
    PageForm(form): PageForm<MessagesFields>,
) -> Result<Response, PageError> {
    let db = &state.services.db;
    let municipality = &state.services.municipality.id;
    let now = jiff::Timestamp::now();
    let which = Which::parse(&form.form);
    let outcome = match which {
        Some(Which::Add) => {
            let channel = if form.channel == "sms" {
                Channel::Sms
            } else {
                Channel::Email
            };
            addresses::add(
                db,
                municipality,
                &person_id,
                channel,
                &form.value,
                &form.label,
                now,
            )
            .await
            .map(|_| Notice::CodeSent)
        }
        Some(Which::Verify) => addresses::verify(db, &person_id, &form.address, &form.code, now)
            .await
            .map(|()| Notice::Confirmed),
        Some(Which::Resend) => {
            addresses::resend_code(db, municipality, &person_id, &form.address, now)
                .await
                .map(|()| Notice::CodeSent)
        }
        Some(Which::Remove) => addresses::remove(db, &person_id, &form.address)
            .await
            .map(|()| Notice::Removed),
        Some(Which::Fallback) => {
            addresses::set_fallback(db, &person_id, &form.address, form.fallback == "ja", now)
                .await
                .map(|()| Notice::Saved)
        }
        // Sent by the page's script after the browser subscribed (public/push.js).
        Some(Which::Push) => addresses::add_push(
            db,
            &person_id,
            &form.endpoint,
            &form.p256dh,
            &form.auth,
            &form.label,
            &state.services.push.services,
            now,
        )
        .await
        .map(|_| Notice::PushOn),
        Some(Which::Choose) => choose(db, &person_id, &form.choices, now)
            .await
            .map(|()| Notice::Saved),
        None => Err(NotificationsError::Invalid {
            field: "form",
            key: "address-refused-form",
        }),
    };
    match outcome {
        Ok(notice) => Ok(see_other(notice.on(paths::MESSAGE_SETTINGS))),
        Err(error) => {
            let values = [
                ("channel", &form.channel),
                ("value", &form.value),
                ("label", &form.label),
                ("address", &form.address),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.clone()))
            .collect();
            let id = which.map_or(FormId::Other, FormId::Messages);
            Err(Refused::form(id).keeping(values).because(&error))
        }
    }
}

async fn choose(
    db: &crate::storage::Db,
    person_id: &str,
    fields: &HashMap<String, String>,
    now: jiff::Timestamp,
) -> Result<(), NotificationsError> {
    for kind in MessageKind::ALL {
        if let Some(address) = fields.get(kind.as_str()) {
            let address = Some(address.as_str()).filter(|a| !a.is_empty());
            addresses::choose(db, person_id, kind, address, now).await?;
        }
    }
    Ok(())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct CaseMessagesForm {
    /// Empty: back to where that kind of message usually goes.
    address: String,
}

/// POST /zaken/{id}/berichten: "send everything about this case to …" (or back to the usual choice).
/// Success goes back to the case page (303); a refusal renders the case page again with the reason.
pub async fn post_case(
    State(state): State<AppState>,
    RecordsReader { person_id }: RecordsReader,
    Path(case_id): Path<String>,
    PageForm(form): PageForm<CaseMessagesForm>,
) -> Result<Response, PageError> {
    let services = &state.services;
    let visible =
        resident::visible_to_person(&services.db, &services.municipality, &person_id, &case_id)
            .await
            .map_err(|error| {
                tracing::error!(%error, "case lookup failed");
                PageError::Unavailable
            })?;
    if !visible {
        // Someone else's case, or none: the same answer as the page gives.
        return Err(PageError::NotFound);
    }
    let page = paths::case(&case_id);
    let address = Some(form.address.as_str()).filter(|a| !a.is_empty());
    addresses::choose_for_case(
        &services.db,
        &person_id,
        &case_id,
        address,
        jiff::Timestamp::now(),
    )
    .await
    .map_err(|error| {
        Refused::form(FormId::CaseMessages)
            .at(page.clone())
            .because(&error)
    })?;
    Ok(see_other(Notice::CaseMessages.on(&page)))
}
