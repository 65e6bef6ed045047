//! The delivery loop: plan due events, deliver due messages, renew leases while working, free the leases of
//! dead workers now and then, and sleep briefly when there is nothing to do. Runs inside `loket run` (unless
//! `LOKET_WORKER=false`) and alone as `loket worker`; any number of workers may run against one database.

// The loop is an edge, like a request: it reads the clock and hands `now` to every step.
#![allow(clippy::disallowed_methods)]

use super::channels::Channels;
use super::outbox::{self, Settings};
use crate::identity::secrets;
use crate::storage::Db;
use crate::tenancy::Municipality;
use jiff::Timestamp;
use std::future::Future;
use std::time::Duration;

/// Idle workers look for new work this often; a commit is delivered within about this long.
const IDLE_POLL: Duration = Duration::from_millis(200);
/// Database trouble (a dropped connection, a restart) is retried after this long.
const ERROR_PAUSE: Duration = Duration::from_secs(1);
const REAP_EVERY: Duration = Duration::from_secs(5);

pub struct Worker {
    pub db: Db,
    pub municipality: std::sync::Arc<Municipality>,
    pub channels: Channels,
    pub settings: Settings,
    /// This worker's lease owner name (random per process).
    pub owner: String,
}

impl Worker {
    pub fn new(
        db: Db,
        municipality: std::sync::Arc<Municipality>,
        channels: Channels,
        settings: Settings,
    ) -> Worker {
        Worker {
            db,
            municipality,
            channels,
            settings,
            owner: format!("worker-{}", secrets::id()),
        }
    }

    /// One round: plan, then deliver, while a side task keeps the leases fresh. Returns how many rows it moved.
    pub async fn round(&self, now: Timestamp) -> Result<usize, sqlx::Error> {
        let work = async {
            let planned = outbox::plan_due(
                &self.db,
                &self.municipality,
                &self.owner,
                &self.settings,
                now,
            )
            .await?
                + outbox::retry_unreached(&self.db, &self.municipality, now).await?;
            let delivered = outbox::deliver_due(
                &self.db,
                &self.municipality,
                &self.channels,
                &self.owner,
                &self.settings,
                now,
            )
            .await?;
            let reports = if self.channels.reports_delivery() {
                outbox::check_receipts(
                    &self.db,
                    &self.municipality,
                    &self.channels,
                    &self.settings,
                    now,
                )
                .await?
            } else {
                0
            };
            Ok::<usize, sqlx::Error>(planned + delivered.len() + reports)
        };
        let renew_every = Duration::from_millis(
            u64::try_from(self.settings.lease.as_millis() / 3).unwrap_or(1000),
        )
        .max(Duration::from_millis(100));
        let renew = async {
            let mut tick = tokio::time::interval(renew_every);
            tick.tick().await;
            loop {
                tick.tick().await;
                if let Err(error) =
                    outbox::renew(&self.db, &self.owner, self.settings.lease, Timestamp::now())
                        .await
                {
                    tracing::warn!(%error, "could not renew notification leases");
                }
            }
        };
        tokio::select! {
            result = work => result,
            () = renew => Ok(0),
        }
    }

    /// Runs until `shutdown` completes (finishing the round it is in).
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tracing::info!(
            mail = self.channels.describe(),
            "notification worker started"
        );
        tokio::pin!(shutdown);
        let mut last_reap: Option<tokio::time::Instant> = None;
        loop {
            if last_reap.is_none_or(|at| at.elapsed() >= REAP_EVERY) {
                match outbox::reap(&self.db, Timestamp::now()).await {
                    Ok(0) => {}
                    Ok(freed) => tracing::warn!(freed, "freed the leases of a worker that stopped"),
                    Err(error) => tracing::warn!(%error, "could not free expired leases"),
                }
                last_reap = Some(tokio::time::Instant::now());
            }
            let pause = match self.round(Timestamp::now()).await {
                Ok(0) => IDLE_POLL,
                Ok(_) => Duration::ZERO,
                Err(error) => {
                    tracing::warn!(%error, "notification worker round failed; trying again");
                    if let Err(error) = outbox::release(&self.db, &self.owner).await {
                        tracing::warn!(%error, "could not give back notification leases");
                    }
                    ERROR_PAUSE
                }
            };
            tokio::select! {
                () = &mut shutdown => break,
                () = tokio::time::sleep(pause) => {}
            }
        }
        tracing::info!("notification worker stopped");
    }
}
