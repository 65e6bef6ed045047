//! The API contract: DTOs shared by server and browser, one file per area, the server functions
//! ([`functions`]), the one error they answer ([`error`]), and the [`Backend`] seam through which those
//! functions reach the server's domain services. Everything is re-exported here, so callers name
//! `api::CaseDetail`, not the file it lives in.

mod admin;
mod appointments;
#[cfg(feature = "ssr")]
mod backend;
mod cases;
mod documents;
mod error;
mod forms;
mod functions;
mod messages;
mod overview;
mod staff;
mod viewer;

pub use admin::*;
pub use appointments::*;
#[cfg(feature = "ssr")]
pub use backend::*;
pub use cases::*;
pub use documents::*;
pub use error::*;
pub use forms::*;
pub use functions::*;
pub use messages::*;
pub use overview::*;
pub use staff::*;
pub use viewer::*;
