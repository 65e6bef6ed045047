//! Page forms: thin POST handlers that extract a typed form and the visitor, call the domain, and answer a
//! redirect or a [`super::reply::PageError`].

pub(crate) mod admin;
pub(crate) mod appointments;
pub(crate) mod catalogue;
pub(crate) mod documents;
pub(crate) mod identity;
pub(crate) mod messages;
pub(crate) mod staff;
