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

/// What a refused form shows: on which field, what it says, and the status of the answer.
pub(crate) struct Explained {
    pub status: StatusCode,
    pub field: &'static str,
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
                AppointmentsError::Invalid { field, .. } => field,
                _ => "start",
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
            field,
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
            field: "",
            message: tr(lang, failure.key),
        }
    }
}

impl From<AppointmentsError> for ApiError {
    fn from(error: AppointmentsError) -> Self {
        tracing::error!(error = %error, "appointments query failed");
        ApiError::Unavailable
    }
}

impl From<CasesError> for ApiError {
    fn from(error: CasesError) -> Self {
        tracing::error!(error = %error, "cases query failed");
        ApiError::Unavailable
    }
}

impl From<NotificationsError> for ApiError {
    fn from(error: NotificationsError) -> Self {
        tracing::error!(error = %error, "notifications query failed");
        ApiError::Unavailable
    }
}

impl From<IdentityError> for ApiError {
    fn from(error: IdentityError) -> Self {
        tracing::error!(error = %error, "identity query failed");
        ApiError::Unavailable
    }
}

impl From<DocumentError> for ApiError {
    fn from(error: DocumentError) -> Self {
        tracing::error!(%error, "documents query failed");
        ApiError::Unavailable
    }
}

impl From<StaffError> for ApiError {
    fn from(error: StaffError) -> Self {
        tracing::error!(%error, "staff query failed");
        ApiError::Unavailable
    }
}
