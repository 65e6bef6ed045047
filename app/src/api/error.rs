//! The one error a server function answers, with the resident-facing message of each kind.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Errors a server function can return, one kind per way a page reacts: try later, reload, not there, sign
/// in again, or a refusal whose sentence the server wrote in the visitor's language. Each domain's errors
/// become one of these in one place (`server/src/web/errors.rs`). The `Display` texts are for logs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ApiError {
    #[error("Loket kan uw gegevens nu niet ophalen. Probeer het over een paar minuten opnieuw.")]
    Unavailable,
    #[error("Er ging iets mis met de verbinding. Probeer het opnieuw.")]
    Transport(String),
    /// The server could not read the arguments (a hand-made or damaged request); answered with 400.
    #[error("Loket kon niet lezen wat uw browser stuurde. Laad de pagina opnieuw en probeer het nog eens.")]
    BadRequest,
    /// What was asked for is not there, or not the visitor's to see; answered with 404.
    #[error("Dit is niet (meer) te vinden.")]
    NotFound,
    /// The visitor has to sign in (again) first; answered with 401.
    #[error("Log opnieuw in om verder te gaan.")]
    SignIn,
    /// The domain refused for a reason the visitor can act on: the sentence, in her language; answered
    /// with 422.
    #[error("{0}")]
    Refused(String),
}

impl ApiError {
    /// The i18n key of the resident-facing message; a [`ApiError::Refused`] carries its own sentence
    /// ([`ApiError::message`]).
    pub fn message_key(&self) -> &'static str {
        match self {
            ApiError::Unavailable | ApiError::Refused(_) => "error-unavailable",
            ApiError::Transport(_) => "error-transport",
            ApiError::BadRequest => "error-bad-request",
            ApiError::NotFound => "error-not-found",
            ApiError::SignIn => "error-sign-in",
        }
    }

    /// What the page says, in `lang`.
    pub fn message(&self, lang: crate::i18n::Lang) -> String {
        match self {
            ApiError::Refused(sentence) => sentence.clone(),
            other => crate::i18n::tr(lang, other.message_key()),
        }
    }

    /// The HTTP status a server function answers with this error.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::Unavailable | ApiError::Transport(_) => 500,
            ApiError::BadRequest => 400,
            ApiError::NotFound => 404,
            ApiError::SignIn => 401,
            ApiError::Refused(_) => 422,
        }
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The parser's own words say nothing to a resident and something to an attacker.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => ApiError::BadRequest,
            other => ApiError::Transport(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn every_kind_of_error_has_a_sentence_in_both_languages_and_a_status() {
        for error in [
            ApiError::Unavailable,
            ApiError::Transport(String::from("reset")),
            ApiError::BadRequest,
            ApiError::NotFound,
            ApiError::SignIn,
        ] {
            for lang in [Lang::Nl, Lang::En] {
                let message = error.message(lang);
                assert!(
                    !message.is_empty() && message != error.message_key(),
                    "{error:?} in {lang:?}"
                );
            }
            assert!(error.status() >= 400, "{error:?}");
        }
        let refused = ApiError::Refused(String::from("Deze dienst is hier niet te boeken."));
        assert_eq!(
            refused.message(Lang::En),
            "Deze dienst is hier niet te boeken."
        );
        assert_eq!(refused.status(), 422);
    }
}
