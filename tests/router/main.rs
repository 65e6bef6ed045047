//! The real router, driven through HTTP requests, against SQLite and PostgreSQL. Each `on_both_backends!`
//! test runs twice: `name::sqlite` and `name::postgres`.

// Tests read the clock to build their scenes (the code under test takes it as a parameter).
#![allow(clippy::disallowed_methods)]

mod admin;
mod appointments;
mod cases;
mod catalogue;
mod documents;
mod doors;
mod identity;
mod linkscan;
mod matrix;
mod notifications;
mod pages;
mod platform;
mod population;
mod privacy;
mod providers;
mod security;
mod snapshots;
mod staff;
mod startup;

/// The nonce in a Content-Security-Policy header value.
pub fn csp_nonce(csp: &str) -> String {
    csp.split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap_or_default()
        .to_owned()
}
