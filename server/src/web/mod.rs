//! The HTTP edge: thin handlers, one router, and the security headers every response carries.

mod bridge;
mod pwa;
mod router;
mod security;

pub use bridge::Services;
pub use router::{router, AppState, Assets};
pub use security::CspNonce;
