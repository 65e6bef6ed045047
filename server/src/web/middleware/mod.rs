//! What runs around every handler: the session and CSRF check ([`session`]), the security headers
//! ([`security`]), and the refusal of control characters in what is posted ([`text_guard`]).

pub(crate) mod security;
pub(crate) mod session;
pub(crate) mod text_guard;
