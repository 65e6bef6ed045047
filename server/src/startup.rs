//! Start-up in a fixed order, so that bad configuration stops the process before anything is written:
//! environment → municipality file → data dir → database (connect, migrate) → demo data → router.

use crate::config::Config;
use crate::identity::passkeys::Passkeys;
use crate::identity::IdentityError;
use crate::notifications::channels::Channels;
use crate::notifications::outbox::Settings;
use crate::notifications::worker::Worker;
use crate::storage::{prepare_data_dir, Db, StorageError};
use crate::tenancy::{Municipality, TenancyError};
use crate::web::{router, AppState, Services};
use crate::{demo, tenancy};
use axum::Router;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Tenancy(#[from] TenancyError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("cannot listen on {addr}: {reason}. Choose another address with LOKET_ADDR, e.g. LOKET_ADDR=127.0.0.1:3080.")]
    Listen { addr: String, reason: String },
    #[error("LOKET_PUBLIC_URL cannot be used for passkeys: {0}. Use the address residents open, e.g. https://loket.example.nl.")]
    Passkeys(String),
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Channels(#[from] crate::notifications::channels::ChannelsError),
    #[error("the server stopped: {0}")]
    Serve(String),
}

/// A started Loket: its router and its database.
pub struct Loket {
    pub router: Router,
    pub db: Db,
    pub municipality: Arc<Municipality>,
}

impl From<IdentityError> for StartupError {
    fn from(error: IdentityError) -> Self {
        match error {
            IdentityError::Storage(storage) => StartupError::Storage(storage),
            other => StartupError::Passkeys(other.to_string()),
        }
    }
}

/// The first steps every command shares: municipality file → data dir → database (connect, migrate) →
/// municipality row.
pub async fn open(config: &Config) -> Result<(Arc<Municipality>, Db), StartupError> {
    let municipality = Arc::new(Municipality::load(&config.municipality_file)?);
    let db = match &config.database_url {
        None => Db::sqlite(&config.data_dir).await?,
        Some(url) => {
            prepare_data_dir(&config.data_dir)?;
            Db::postgres(url).await?
        }
    };
    db.migrate().await?;
    tenancy::register(&db, &municipality).await?;
    Ok((municipality, db))
}

pub async fn build(config: &Config, now: jiff::Timestamp) -> Result<Loket, StartupError> {
    let (municipality, db) = open(config).await?;
    if config.demo {
        if demo::seed(&db, &municipality, now).await? {
            tracing::info!(municipality = %municipality.id, "demo data seeded");
        }
        demo::seed_identity(&db, &municipality, now).await?;
    }
    let passkeys = Passkeys::new(&config.public_url, &municipality.name)?;
    let services = Services {
        db: db.clone(),
        municipality: municipality.clone(),
        demo: config.demo,
        passkeys,
    };
    let state = AppState::new(services, config);
    Ok(Loket {
        router: router(state),
        db,
        municipality,
    })
}

/// The message channels the configuration asks for: the SMTP relay when `LOKET_SMTP_URL` is set, otherwise
/// files in the data dir.
pub fn channels(config: &Config) -> Result<Channels, StartupError> {
    let channels = match &config.smtp_url {
        Some(url) => Channels::smtp(
            url,
            &config.data_dir,
            &config.mail_from,
            config.public_host(),
            SMTP_POOL,
        )?,
        None => Channels::files(&config.data_dir, &config.mail_from, config.public_host())?,
    };
    Ok(channels)
}

/// SMTP connections kept open; also how many messages a worker sends at the same time.
pub const SMTP_POOL: u32 = 16;

/// A notification worker for this configuration's database and municipality.
pub fn worker(
    config: &Config,
    db: Db,
    municipality: Arc<Municipality>,
) -> Result<Worker, StartupError> {
    let mut settings = Settings::new(&config.public_url);
    settings.concurrency = SMTP_POOL as usize;
    Ok(Worker::new(db, municipality, channels(config)?, settings))
}
