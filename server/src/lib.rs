//! Loket's server: every side effect lives here, one module per domain.
//!
//! - [`tenancy`]: the municipality (branding, contact details, time zone) from its TOML file.
//! - [`storage`]: the database (SQLite embedded, PostgreSQL at scale) and its migrations.
//! - [`identity`]: accounts, activation codes, passkeys, sessions, rate limits and the audit log.
//! - [`authorization`]: the one place that decides who may read or change what.
//! - [`cases`]: cases (zaken) and their statuses.
//! - [`staff`]: the municipality's employees and their bootstrap.
//! - [`demo`]: the demo municipality's sample data.
//! - [`web`]: the HTTP edge: router, security headers, PWA files, and the bridge to the UI's server functions.
//! - [`config`]: process configuration from `LOKET_*` environment variables.

pub mod authorization;
pub mod cases;
pub mod config;
pub mod demo;
pub mod identity;
pub mod staff;
pub mod startup;
pub mod storage;
pub mod tenancy;
pub mod web;
