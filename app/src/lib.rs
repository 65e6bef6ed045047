//! Loket's user interface (Leptos, islands mode) and the API contract between browser and server.
//!
//! Everything here is pure: pages render data they receive through `#[server]` functions, whose bodies only
//! delegate to the [`api::Backend`] the server provides via context. No SQL, no I/O.

pub mod api;
#[cfg(feature = "hydrate")]
mod browser;
pub mod i18n;
pub mod islands;
pub mod pages;
pub mod paths;
pub mod shell;

pub use shell::{shell, App};
