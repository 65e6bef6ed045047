//! Start-up in a fixed order, so that bad configuration stops the process before anything is written:
//! environment → municipality file → data dir → database (connect, migrate) → demo data → router.

use crate::appointments;
use crate::config::Config;
use crate::documents::scan::Scanner;
use crate::documents::store::Store;
use crate::documents::{Documents, Limits};
use crate::identity::passkeys::Passkeys;
use crate::identity::{secrets, IdentityError};
use crate::notifications::channels::{outbox_dir, Channel, Channels};
use crate::notifications::notify_api::NotifyApi;
use crate::notifications::outbox::Settings;
use crate::notifications::push::{self, PushSender, PushServices};
use crate::notifications::worker::Worker;
use crate::storage::{prepare_data_dir, Db, StorageError};
use crate::tenancy::{Municipality, TenancyError};
use crate::web::{router, AppState, Services, WebPush};
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
    #[error("the demo appointments could not be seeded: {0}")]
    DemoAppointments(#[from] crate::appointments::AppointmentsError),
    #[error(
        "the document store cannot be used: {0}. Check LOKET_DATA_DIR or the LOKET_S3_* settings."
    )]
    Documents(String),
    #[error("{file}: {reason}")]
    Sms { file: String, reason: String },
    #[error("the server stopped: {0}")]
    Serve(String),
    #[error("the sign-in doors cannot be set up: {0}")]
    Doors(String),
    #[error("the population register cannot be set up: {0}")]
    Population(String),
}

/// A started Loket: its router and its database.
pub struct Loket {
    pub router: Router,
    pub db: Db,
    pub municipality: Arc<Municipality>,
    pub documents: Documents,
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
    // Demo cases have readable ids (`demo-{municipality}-zaak-1`), which can be longer than a random one.
    let longest_id = if config.demo {
        secrets::ID_LEN.max(demo::longest_case_id(&municipality.id))
    } else {
        secrets::ID_LEN
    };
    crate::notifications::outbox::prove_one_sms(
        &config.public_url,
        &municipality.sms_name,
        longest_id,
    )
    .map_err(|reason| StartupError::Sms {
        file: config.municipality_file.display().to_string(),
        reason,
    })?;
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
        if appointments::demo::seed(&db, &municipality, now).await? {
            tracing::info!(municipality = %municipality.id, "demo appointments seeded");
        }
    }
    let passkeys = Passkeys::new(&config.public_url, &municipality.name)?;
    let vapid = push::vapid_key(&db, config.vapid_private_key.as_deref()).await?;
    let documents = documents(config)?;
    let services = Services {
        db: db.clone(),
        municipality: municipality.clone(),
        demo: config.demo,
        passkeys,
        push: WebPush {
            public_key: push::public_key(&vapid),
            services: push_services(config),
        },
        outbox_dirs: file_dirs(config),
        documents: documents.clone(),
        doors: crate::identity::doors::Doors::new(
            &config.doors,
            &config.public_url,
            config.records_level,
        )
        .map_err(|e| StartupError::Doors(e.to_string()))?,
        population: match &config.brp {
            Some(brp) => Some(Arc::new(
                crate::population::haal_centraal::HaalCentraal::new(brp)
                    .map_err(|e| StartupError::Population(e.to_string()))?,
            )),
            None => None,
        },
    };
    let state = AppState::new(services, config);
    Ok(Loket {
        router: router(state),
        db,
        municipality,
        documents,
    })
}

/// The document pipeline's parts: S3 or a folder in the data dir, clamd or (said in the log) no scan.
pub fn documents(config: &Config) -> Result<Documents, StartupError> {
    let store = match &config.s3 {
        Some(s3) => Store::s3(s3),
        None => Store::local(&config.data_dir.join("documents")),
    }
    .map_err(|e| StartupError::Documents(e.to_string()))?;
    match &config.clamd_addr {
        Some(addr) => tracing::info!(%addr, "uploads are scanned by clamd"),
        None => tracing::warn!("LOKET_CLAMD_ADDR is not set: uploads are not scanned for malware"),
    }
    tracing::info!(store = %store.describe, "documents are stored");
    Ok(Documents {
        store,
        scanner: Scanner {
            addr: config.clamd_addr.clone(),
        },
        limits: Limits {
            max_file_bytes: config.upload_max_mb * 1024 * 1024,
            ..Limits::default()
        },
    })
}

/// The message channels the configuration asks for: e-mail through the SMTP relay (`LOKET_SMTP_URL`) or the
/// Notify API, SMS through the Notify API, otherwise files in the data dir; web push always, signed with the
/// VAPID key.
pub async fn channels(config: &Config, db: &Db) -> Result<Channels, StartupError> {
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
    let channels = match &config.notify {
        Some(notify) => channels.with_notify(NotifyApi::new(
            &notify.url,
            &notify.api_key,
            notify.email_template.clone(),
            notify.sms_template.clone(),
        )?),
        None => channels,
    };
    let key = push::vapid_key(db, config.vapid_private_key.as_deref()).await?;
    Ok(channels.with_push(PushSender::new(
        key,
        &vapid_subject(&config.mail_from),
        push_services(config),
    )?))
}

/// The directories the files route writes to under this configuration: e-mail unless SMTP or the Notify API
/// sends it, SMS unless the Notify API sends it.
pub fn file_dirs(config: &Config) -> Vec<std::path::PathBuf> {
    let notify_email = config
        .notify
        .as_ref()
        .is_some_and(|n| n.email_template.is_some());
    let notify_sms = config
        .notify
        .as_ref()
        .is_some_and(|n| n.sms_template.is_some());
    let mut dirs = Vec::new();
    if config.smtp_url.is_none() && !notify_email {
        dirs.push(outbox_dir(&config.data_dir, Channel::Email));
    }
    if !notify_sms {
        dirs.push(outbox_dir(&config.data_dir, Channel::Sms));
    }
    dirs
}

/// The push services a subscription may point at.
pub fn push_services(config: &Config) -> PushServices {
    config
        .push_services
        .as_deref()
        .map_or_else(PushServices::default, PushServices::parse)
}

/// The contact push services get (RFC 8292 `sub`): the sender address, as `mailto:`.
fn vapid_subject(mail_from: &str) -> String {
    let address = mail_from
        .rsplit_once('<')
        .map_or(mail_from, |(_, rest)| rest.trim_end_matches('>'));
    format!("mailto:{}", address.trim())
}

/// SMTP connections kept open; also how many messages a worker sends at the same time.
pub const SMTP_POOL: u32 = 16;

/// A notification worker for this configuration's database and municipality.
pub async fn worker(
    config: &Config,
    db: Db,
    municipality: Arc<Municipality>,
) -> Result<Worker, StartupError> {
    let mut settings = Settings::new(&config.public_url);
    settings.concurrency = SMTP_POOL as usize;
    let channels = channels(config, &db).await?;
    Ok(Worker::new(db, municipality, channels, settings))
}
