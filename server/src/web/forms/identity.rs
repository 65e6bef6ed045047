//! The identity forms on the pages (plain HTML, no JavaScript needed): sign out, sign out everywhere, act for an
//! organisation, rename a passkey. The passkey ceremonies themselves are JSON, in [`crate::web::json::identity`].

use crate::authorization::{decide, Action, Principal, Resource};
use crate::identity::passkeys;
use crate::identity::sessions;
use crate::identity::IdentityError;
use crate::web::extract::PageForm;
use crate::web::json::identity::{
    cleared, end_own_session, sign_out_everywhere, signed_in, ApiResult, Failure,
};
use crate::web::reply::{see_other, PageError, Refused};
use crate::web::router::AppState;
use crate::web::session::{clear_cookie, session_cookie, SessionToken, Visitor};
use app::paths::FormId;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::header;
use http::StatusCode;
use serde::Deserialize;

fn to_sign_in_page(state: &AppState) -> Response {
    let mut response = cleared(state);
    *response.status_mut() = StatusCode::SEE_OTHER;
    response.headers_mut().insert(
        header::LOCATION,
        http::HeaderValue::from_static(app::paths::SIGNED_OUT),
    );
    response
}

#[derive(Deserialize)]
pub struct ActingAsForm {
    /// An organisation id, or empty for "myself".
    #[serde(default)]
    organisation: String,
}

/// POST /handelen-als: a member person chooses to act for one of their organisations, or as themselves.
pub async fn act_as_form(
    State(state): State<AppState>,
    visitor: Visitor,
    form: Result<axum::Form<ActingAsForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let plain = crate::web::plain_refusal;
    let Ok(axum::Form(form)) = form else {
        return plain(StatusCode::BAD_REQUEST, "acting-refused-choice");
    };
    let db = &state.services.db;
    let Some(session) = visitor.session() else {
        return plain(StatusCode::UNAUTHORIZED, "sign-in-refused-not-signed-in");
    };
    let (principal, _) = visitor.identity();
    let chosen = Some(form.organisation.trim()).filter(|o| !o.is_empty());
    let allowed = match (&principal, chosen) {
        (Principal::Person { .. }, None) => true,
        (
            Principal::Person {
                municipality_id, ..
            },
            Some(organisation_id),
        ) => decide(
            &principal,
            Action::Change,
            Resource::Organisation {
                municipality_id,
                organisation_id,
            },
        )
        .allowed(),
        _ => false,
    };
    if !allowed {
        return plain(StatusCode::FORBIDDEN, "acting-refused-organisation");
    }
    let mut session = session.clone();
    if let Err(error) = sessions::act_as(db, &mut session, chosen).await {
        return Failure::from(error).into_response();
    }
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, app::paths::SETTINGS)],
    )
        .into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct PasskeyNameForm {
    naam: String,
}

/// POST /instellingen/passkeys/{id}/naam (`naam`): renames one of the visitor's own passkeys (a plain form
/// on Instellingen). A refused name shows the page again with the reason at the field and what was typed.
pub async fn passkey_rename_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    PageForm(form): PageForm<PasskeyNameForm>,
) -> Result<Response, PageError> {
    let (principal, account) = signed_in(&visitor).map_err(|_| PageError::SignIn)?;
    let mine = Resource::Passkeys {
        account_id: &account.id,
    };
    if !decide(&principal, Action::Change, mine).allowed() {
        return Err(PageError::Said(
            StatusCode::FORBIDDEN,
            "passkey-refused-not-own",
        ));
    }
    match passkeys::rename(&state.services.db, &account.id, &id, &form.naam).await {
        Ok(()) => Ok(see_other(app::paths::passkey_renamed(&id))),
        // The sentence says 60: passkeys::NAME_MAX.
        Err(error @ IdentityError::Invalid(_)) => Err(Refused::form(FormId::Passkey(id.clone()))
            .at(String::from(app::paths::SETTINGS))
            .keeping(vec![(
                String::from("naam"),
                form.naam.chars().take(200).collect(),
            )])
            .because_on("naam", &error)),
        Err(IdentityError::NotFound) => Err(PageError::Said(
            StatusCode::NOT_FOUND,
            "passkey-refused-unknown",
        )),
        Err(error) => {
            tracing::error!(%error, "passkey could not be renamed");
            Err(PageError::Said(
                StatusCode::SERVICE_UNAVAILABLE,
                "page-refused-did-not-work",
            ))
        }
    }
}

/// POST /uitloggen: the header's sign-out button (a plain form, works without JavaScript). A session a door
/// opened ends at the broker too, where it offers an end-session endpoint.
pub async fn sign_out_form(
    State(state): State<AppState>,
    visitor: Visitor,
    token: Option<axum::Extension<SessionToken>>,
) -> ApiResult<Response> {
    let door = visitor
        .session()
        .and_then(|s| crate::identity::doors::DoorKind::of(s.method))
        .and_then(|kind| state.services.doors.get(kind.as_str()));
    end_own_session(&state, &visitor, token).await?;
    if let Some(door) = door {
        match door.end_session(jiff::Timestamp::now()).await {
            Ok(Some(end)) => {
                let mut response = super::super::doors::end_session_page(&end);
                if let Some(clear) =
                    clear_cookie(session_cookie(state.secure_cookies), state.secure_cookies)
                {
                    response.headers_mut().append(header::SET_COOKIE, clear);
                }
                return Ok(response);
            }
            Ok(None) => {}
            // Signed out of Loket all the same; the broker's session ends when it times out.
            Err(error) => tracing::warn!(%error, "the broker's end-session endpoint is unknown"),
        }
    }
    Ok(to_sign_in_page(&state))
}

/// POST /overal-uitloggen: Instellingen' "sign out everywhere" (a plain form).
pub async fn sign_out_everywhere_form(
    state: State<AppState>,
    visitor: Visitor,
) -> ApiResult<Response> {
    let app_state = state.0.clone();
    sign_out_everywhere(state, visitor).await?;
    Ok(to_sign_in_page(&app_state))
}
