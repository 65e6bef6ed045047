//! JSON for the islands: the passkey ceremonies, the session clock and the account API ([`identity`]), and
//! sending documents page by page ([`documents`]). Every refusal is a sentence in the visitor's language.

pub(crate) mod documents;
pub(crate) mod identity;
