//! Loket's server: every side effect lives here, one module per domain.
//!
//! - [`tenancy`]: the municipality (branding, contact details, time zone) from its TOML file.
//! - [`storage`]: the database (SQLite embedded, PostgreSQL at scale) and its migrations.
//! - [`identity`]: accounts, activation codes, passkeys, sessions, rate limits and the audit log.
//! - [`authorization`]: the one place that decides who may read or change what.
//! - [`parties`]: persons (BSN) and organisations (KvK) that cases and contacts belong to.
//! - [`appointments`]: the scheduling engine: services, locations, resources, availability, booking.
//! - [`cases`]: cases (zaken): case types, statuses, the back-office intake and what residents see.
//! - [`contacts`]: contact moments (klantcontacten) and the resident's contact history.
//! - [`notifications`]: the outbox of events that should reach a resident.
//! - [`staff`]: the municipality's employees and their bootstrap.
//! - [`demo`]: the demo municipality's sample data.
//! - [`services`]: what every request may need; [`views`]: the read models each page shows.
//! - [`web`]: the HTTP edge: router, security headers, PWA files, and the bridge to the UI's server functions.
//! - [`config`]: process configuration from `LOKET_*` environment variables.

pub mod appointments;
pub mod authorization;
pub mod cases;
pub mod config;
pub mod contacts;
pub mod demo;
pub mod documents;
pub mod identity;
pub mod notifications;
pub mod parties;
pub mod population;
pub mod serve;
pub mod services;
pub mod staff;
pub mod startup;
pub mod storage;
pub mod tenancy;
pub mod views;
pub mod web;

/// The stack of each runtime thread. Rendering a whole page server-side nests one call per element; in a debug
/// build the deepest page (the staff card) needs more than the default 2 MiB, so every runtime gets 8 MiB
/// (address space only: untouched pages of it are never backed by memory).
pub const WORKER_STACK_BYTES: usize = 8 * 1024 * 1024;
