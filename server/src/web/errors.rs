//! Every domain error, mapped once: to the [`ApiError`] a server function answers, and to what a refused page
//! form says ([`Explain`]: the field, the message by Fluent key in the visitor's language, the status).
//! Storage failures are logged here with their technical cause, never with the resident's data.

use crate::appointments::AppointmentsError;
use crate::cases::CasesError;
use crate::documents::DocumentError;
use crate::identity::IdentityError;
use crate::notifications::NotificationsError;
use crate::staff::search::StaffError;
use app::api::ApiError;
use app::i18n::{tr, tr_args, Lang};
use http::StatusCode;
use std::borrow::Cow;

/// What a refused form shows: on which field, what it says, and the status of the answer.
pub(crate) struct Explained {
    pub status: StatusCode,
    pub field: Cow<'static, str>,
    pub message: String,
}

/// A domain error as a refused form explains it.
pub(crate) trait Explain {
    fn explain(&self, lang: Lang) -> Explained;
}

/// 422 for what she can put right, 503 (logged) when storage failed.
fn status(storage_failed: bool, error: &dyn std::fmt::Display, what: &str) -> StatusCode {
    if storage_failed {
        tracing::error!(%error, "{what} could not be saved");
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

impl Explain for AppointmentsError {
    fn explain(&self, lang: Lang) -> Explained {
        Explained {
            status: status(
                matches!(self, AppointmentsError::Storage(_)),
                self,
                "appointment change",
            ),
            field: match self {
                AppointmentsError::Invalid { field, .. } => Cow::Borrowed(*field),
                _ => Cow::Borrowed("start"),
            },
            message: self.resident_message(lang),
        }
    }
}

impl Explain for NotificationsError {
    fn explain(&self, lang: Lang) -> Explained {
        let (field, message) = match self {
            NotificationsError::Invalid { field, key } => (*field, tr(lang, key)),
            NotificationsError::WrongCode { tries_left } => (
                "code",
                tr_args(
                    lang,
                    "address-refused-wrong-code",
                    &[("n", &tries_left.to_string())],
                ),
            ),
            NotificationsError::CodeExpired => ("code", tr(lang, "address-refused-code-expired")),
            NotificationsError::NotFound => ("address", tr(lang, "address-refused-not-found")),
            NotificationsError::Storage(_) => ("form", tr(lang, "address-refused-unavailable")),
        };
        Explained {
            status: status(
                matches!(self, NotificationsError::Storage(_)),
                self,
                "message settings",
            ),
            field: Cow::Borrowed(field),
            message,
        }
    }
}

/// An identity refusal on a page form (an appointment link's second check): the API's status and sentence,
/// except that a wrong answer is the form's 422, not a bare 400. The form names the field.
impl Explain for IdentityError {
    fn explain(&self, lang: Lang) -> Explained {
        let failure = super::json::identity::Failure::from(self);
        Explained {
            status: if failure.status == StatusCode::BAD_REQUEST {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                failure.status
            },
            field: Cow::Borrowed(""),
            message: tr(lang, failure.key),
        }
    }
}

/// A contact moment refused on the card's contact form. The domain's field problems and conflicts are Dutch
/// sentences written for staff (as the back-office API's are); what has no field of its own is shown on the
/// channel, the form's first field.
impl Explain for CasesError {
    fn explain(&self, lang: Lang) -> Explained {
        let on_channel = |status, message| Explained {
            status,
            field: Cow::Borrowed("kanaal"),
            message,
        };
        match self {
            CasesError::Invalid(problems) => match problems.first() {
                Some(problem) => Explained {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    field: Cow::Owned(problem.field.clone()),
                    message: problem.message.clone(),
                },
                None => on_channel(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    tr(lang, "page-refused-not-now"),
                ),
            },
            CasesError::Conflict(message) => on_channel(StatusCode::CONFLICT, (*message).into()),
            CasesError::Storage(_) | CasesError::BadInstant(_) | CasesError::NotFound => {
                tracing::error!(error = %self, "contact moment could not be saved");
                on_channel(
                    StatusCode::SERVICE_UNAVAILABLE,
                    tr(lang, "staff-record-refused-unavailable"),
                )
            }
        }
    }
}

/// A storage failure behind a server function: logged with its technical cause, "try later" for the page.
fn unavailable(error: &dyn std::fmt::Display, what: &str) -> ApiError {
    tracing::error!(%error, "{what} query failed");
    ApiError::Unavailable
}

impl From<AppointmentsError> for ApiError {
    fn from(error: AppointmentsError) -> Self {
        match error {
            AppointmentsError::Storage(_) => unavailable(&error, "appointments"),
            AppointmentsError::NotFound => ApiError::NotFound,
            other => ApiError::Refused(other.resident_message(super::request_lang())),
        }
    }
}

impl From<CasesError> for ApiError {
    fn from(error: CasesError) -> Self {
        match error {
            CasesError::NotFound => ApiError::NotFound,
            // The other refusals are the back-office API's (its own problem texts), never a page's read.
            other => unavailable(&other, "cases"),
        }
    }
}

impl From<NotificationsError> for ApiError {
    fn from(error: NotificationsError) -> Self {
        match error {
            NotificationsError::Storage(_) => unavailable(&error, "notifications"),
            NotificationsError::NotFound => ApiError::NotFound,
            other => ApiError::Refused(other.explain(super::request_lang()).message),
        }
    }
}

impl From<IdentityError> for ApiError {
    fn from(error: IdentityError) -> Self {
        let failure = super::json::identity::Failure::from(&error);
        match failure.status {
            StatusCode::UNAUTHORIZED => ApiError::SignIn,
            StatusCode::NOT_FOUND => ApiError::NotFound,
            status if status.is_server_error() => unavailable(&error, "identity"),
            _ => ApiError::Refused(tr(super::request_lang(), failure.key)),
        }
    }
}

impl From<DocumentError> for ApiError {
    fn from(error: DocumentError) -> Self {
        let (status, sentence) = super::json::documents::refusal(super::request_lang(), &error);
        match status {
            StatusCode::NOT_FOUND => ApiError::NotFound,
            status if status.is_server_error() => unavailable(&error, "documents"),
            _ => ApiError::Refused(sentence),
        }
    }
}

impl From<StaffError> for ApiError {
    fn from(error: StaffError) -> Self {
        match error {
            // Staff-facing, so Dutch as written (see the README's decisions).
            StaffError::Invalid(sentence) => ApiError::Refused(sentence.to_owned()),
            other => unavailable(&other, "staff"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_domain_error_behind_a_server_function_says_what_happened_not_only_unavailable() {
        assert_eq!(
            ApiError::from(AppointmentsError::NotFound),
            ApiError::NotFound
        );
        assert_eq!(
            ApiError::from(AppointmentsError::Storage(sqlx::Error::PoolTimedOut)),
            ApiError::Unavailable
        );
        assert_eq!(
            ApiError::from(AppointmentsError::Past),
            ApiError::Refused(tr(Lang::Nl, "appointment-refused-past"))
        );
        assert_eq!(ApiError::from(CasesError::NotFound), ApiError::NotFound);
        assert_eq!(
            ApiError::from(NotificationsError::NotFound),
            ApiError::NotFound
        );
        assert_eq!(
            ApiError::from(NotificationsError::CodeExpired),
            ApiError::Refused(tr(Lang::Nl, "address-refused-code-expired"))
        );
        assert_eq!(ApiError::from(DocumentError::NotFound), ApiError::NotFound);
        assert!(matches!(
            ApiError::from(DocumentError::Empty),
            ApiError::Refused(sentence) if !sentence.is_empty()
        ));
        assert!(matches!(
            ApiError::from(StaffError::Storage(sqlx::Error::PoolTimedOut)),
            ApiError::Unavailable
        ));
    }

    #[tokio::test]
    async fn a_refusal_is_written_in_the_language_of_the_request() {
        let english = super::super::REQUEST_LANG
            .scope(Lang::En, async { ApiError::from(AppointmentsError::Past) })
            .await;
        assert_eq!(
            english,
            ApiError::Refused(tr(Lang::En, "appointment-refused-past"))
        );
        assert_ne!(english, ApiError::from(AppointmentsError::Past));
    }

    #[test]
    fn a_refused_contact_moment_names_the_field_the_domain_names_and_storage_is_try_later() {
        let wrong = CasesError::Invalid(vec![crate::cases::FieldProblem {
            field: "reden".into(),
            message: "Vul de reden in.".into(),
        }]);
        let explained = wrong.explain(Lang::En);
        assert_eq!(explained.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(explained.field, "reden");
        assert_eq!(explained.message, "Vul de reden in.");
        let conflict = CasesError::Conflict("Deze zaak is gesloten.").explain(Lang::Nl);
        assert_eq!(
            (conflict.status, conflict.field.as_ref()),
            (StatusCode::CONFLICT, "kanaal")
        );
        let down = CasesError::Storage(crate::storage::StorageError::Query(
            sqlx::Error::PoolTimedOut,
        ))
        .explain(Lang::En);
        assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            down.message,
            tr(Lang::En, "staff-record-refused-unavailable")
        );
    }
}
