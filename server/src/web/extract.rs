//! Typed extractors for page handlers: who is asking (on top of [`Visitor`], which the session layer put in
//! the request) and the posted form as a struct. A handler that needs a signed-in visitor names one of these
//! and never sees an anonymous request; the refusal is the [`PageError`] every page gives.

use super::reply::PageError;
use super::session::Visitor;
use super::AppState;
use crate::authorization::{decide, Action, Principal, Resource};
use crate::identity::sessions::Assurance;
use axum::extract::{FromRequest, FromRequestParts, Request};
use http::request::Parts;
use http::StatusCode;
use serde::de::DeserializeOwned;

fn visitor(parts: &Parts) -> Visitor {
    parts
        .extensions
        .get::<Visitor>()
        .cloned()
        .unwrap_or_default()
}

/// Whoever asks, signed out included: for answers that treat everyone else alike (not found).
pub(crate) struct Asking(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Asking {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Asking(visitor(parts).identity().0))
    }
}

/// Anyone with a live session (resident, member, appointment link, staff, preview): their principal.
pub(crate) struct SignedIn(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let visitor = visitor(parts);
        match visitor.identity().0 {
            Principal::Anonymous => Err(PageError::SignIn),
            principal => Ok(SignedIn(principal)),
        }
    }
}

/// A signed-in person (or a staff preview of her pages, which the preview guard keeps from changing
/// anything): the person themself, never the organisation they act for.
pub(crate) struct Resident {
    pub person_id: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Resident {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let visitor = visitor(parts);
        visitor
            .person_id()
            .map(|person_id| Resident { person_id })
            .ok_or(PageError::SignIn)
    }
}

/// A signed-in person whose session opens her BSN-linked records (cases, contact moments, documents; see
/// [`crate::identity::doors::Doors::records_missing`]). Anyone else gets the answer a case page gives them.
pub(crate) struct RecordsReader {
    pub person_id: String,
}

impl<S: Send + Sync> FromRequestParts<S> for RecordsReader {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let principal = visitor(parts).identity().0;
        let (person_id, municipality_id) = match &principal {
            Principal::Anonymous => return Err(PageError::SignIn),
            Principal::Person {
                person_id,
                municipality_id,
                ..
            }
            | Principal::Preview {
                person_id,
                municipality_id,
                ..
            } => (person_id, municipality_id),
            _ => return Err(PageError::NotFound),
        };
        let records = Resource::Records {
            municipality_id,
            person_id,
        };
        if decide(&principal, Action::Read, records).allowed() {
            Ok(RecordsReader {
                person_id: person_id.clone(),
            })
        } else {
            Err(PageError::NotFound)
        }
    }
}

/// What an administrator's page manages, for [`Administrator`]: the resource an administrator changes and
/// the Fluent message for anyone else.
pub(crate) trait Managed {
    fn resource(municipality_id: &str) -> Resource<'_>;
    const ONLY: &'static str;
}

/// The municipality's employees (`/beheer/medewerkers`).
pub(crate) struct StaffAccounts;

impl Managed for StaffAccounts {
    fn resource(municipality_id: &str) -> Resource<'_> {
        Resource::StaffAccounts { municipality_id }
    }
    const ONLY: &'static str = "admin-refused-staff";
}

/// The appointment catalogue (`/beheer/afspraken`).
pub(crate) struct Catalogue;

impl Managed for Catalogue {
    fn resource(municipality_id: &str) -> Resource<'_> {
        Resource::Catalogue { municipality_id }
    }
    const ONLY: &'static str = "admin-refused-catalogue";
}

/// A staff member who may change what `M` manages, signed in with a passkey: their staff id. Anyone else is
/// refused with 403 and [`Managed::ONLY`] (or asked to sign in again with a passkey).
pub(crate) struct Administrator<M> {
    pub staff_id: String,
    managed: std::marker::PhantomData<M>,
}

impl<M: Managed> FromRequestParts<AppState> for Administrator<M> {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let visitor = visitor(parts);
        let session = visitor.session().ok_or(PageError::SignIn)?;
        let principal = visitor.identity().0;
        let refused = PageError::Said(StatusCode::FORBIDDEN, M::ONLY);
        let Principal::Staff { staff_id, .. } = &principal else {
            return Err(refused);
        };
        let resource = M::resource(&state.services.municipality.id);
        if !decide(&principal, Action::Change, resource).allowed() {
            return Err(refused);
        }
        if session.require(Assurance::Substantial).is_err() {
            return Err(PageError::Said(
                StatusCode::FORBIDDEN,
                "staff-refused-passkey-again",
            ));
        }
        Ok(Administrator {
            staff_id: staff_id.clone(),
            managed: std::marker::PhantomData,
        })
    }
}

/// A form read as its list of fields, for forms whose fields are not fixed (the catalogue's hours per
/// weekday); every field comes back in a refusal.
#[derive(Default)]
pub(crate) struct Fields(pub Vec<(String, String)>);

impl<'de> serde::Deserialize<'de> for Fields {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<(String, String)>::deserialize(deserializer).map(Fields)
    }
}

/// A posted page form as `T`, read up to the request limit (the longest field any form takes — a contact
/// text of 4,000 characters, up to 12 bytes each once percent-encoded — fits with the rest of the form).
/// Repeated names fill a `Vec`. A body that is no form at all reads as `T::default()`: every field empty,
/// which the domain then refuses with a sentence she understands, as for a form sent empty.
pub(crate) struct PageForm<T>(pub T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for PageForm<T> {
    type Rejection = PageError;

    async fn from_request(request: Request, _: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::to_bytes(request.into_body(), super::router::BODY_LIMIT)
            .await
            .map_err(|_| PageError::TooLarge)?;
        Ok(PageForm(
            serde_html_form::from_bytes(&bytes).unwrap_or_default(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Default, Debug, PartialEq)]
    #[serde(default)]
    struct Reminders {
        key: String,
        reminder: Vec<String>,
    }

    async fn read(body: &'static str) -> Result<Reminders, PageError> {
        let request = Request::builder()
            .method("POST")
            .body(axum::body::Body::from(body))
            .unwrap();
        PageForm::<Reminders>::from_request(request, &())
            .await
            .map(|PageForm(form)| form)
    }

    #[tokio::test]
    async fn a_form_reads_repeated_names_and_missing_fields_as_empty() {
        let form = read("reminder=morning&reminder=one-hour")
            .await
            .ok()
            .unwrap();
        assert_eq!(form.key, "");
        assert_eq!(form.reminder, vec!["morning", "one-hour"]);
        assert_eq!(read("%%%&&==").await.ok().unwrap(), Reminders::default());
    }

    #[tokio::test]
    async fn a_form_of_any_fields_keeps_them_all_in_order() {
        let request = Request::builder()
            .method("POST")
            .body(axum::body::Body::from("a=1&b=2&a=3"))
            .unwrap();
        let PageForm(fields) = PageForm::<Fields>::from_request(request, &())
            .await
            .ok()
            .unwrap();
        let pairs: Vec<(&str, &str)> = fields
            .0
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(pairs, vec![("a", "1"), ("b", "2"), ("a", "3")]);
    }

    #[tokio::test]
    async fn a_form_larger_than_the_limit_is_refused() {
        let body: &'static str = "x".repeat(super::super::router::BODY_LIMIT + 1).leak();
        assert!(matches!(read(body).await, Err(PageError::TooLarge)));
    }
}
