//! The database: SQLite in the data dir (WAL, foreign keys on) by default, PostgreSQL when
//! `LOKET_DATABASE_URL` says so. Both run behind one sqlx `AnyPool`, so every query that can be written in
//! shared SQL (`$1` placeholders work on both) has one code path. Migrations live per backend in
//! `server/migrations/{sqlite,postgres}` and run at start.

use sqlx::any::AnyPoolOptions;
use sqlx::AnyConnection;
use sqlx::{AnyPool, Executor};
use std::path::Path;
use std::time::Duration;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("LOKET_DATA_DIR={path} cannot be used: {reason}. Choose a folder Loket may create and write to, e.g. LOKET_DATA_DIR=./data.")]
    DataDir { path: String, reason: String },
    #[error("cannot reach PostgreSQL at {target}: {reason}. Start PostgreSQL or correct LOKET_DATABASE_URL.")]
    Unreachable { target: String, reason: String },
    #[error("cannot open the SQLite database {path}: {reason}.")]
    Sqlite { path: String, reason: String },
    #[error("the database migrations failed: {0}. Nothing was changed; check that this Loket version matches the database.")]
    Migrate(String),
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
}

/// Makes sure the data dir exists and is writable, before anything else is written. It holds residents'
/// data (the database, documents, messages): the dir is the owner's alone (0700) and, since the process'
/// file mode mask is set to 077 here, so is every file and folder Loket creates in it (0600 / 0700).
pub fn prepare_data_dir(dir: &Path) -> Result<(), StorageError> {
    use std::os::unix::fs::PermissionsExt;
    let fail = |reason: std::io::Error| StorageError::DataDir {
        path: dir.display().to_string(),
        reason: reason.to_string(),
    };
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    std::fs::create_dir_all(dir).map_err(fail)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(fail)?;
    let probe = dir.join(".loket-write-test");
    std::fs::write(&probe, b"ok").map_err(fail)?;
    std::fs::remove_file(&probe).map_err(fail)?;
    Ok(())
}

/// `host:port/db` of a PostgreSQL URL, without user or password, for messages and logs.
pub fn redact(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    rest.split('?').next().unwrap_or(rest).to_owned()
}

impl Db {
    /// Opens (and creates) the embedded SQLite database `loket.db` in `data_dir`.
    pub async fn sqlite(data_dir: &Path) -> Result<Db, StorageError> {
        prepare_data_dir(data_dir)?;
        let path = data_dir.join("loket.db");
        let url = format!("sqlite://{}?mode=rwc", path.display());
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(|conn: &mut AnyConnection, _meta| {
                Box::pin(async move {
                    // WAL lets readers work while one writer writes; busy_timeout makes writers queue, not fail.
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;",
                    )
                    .await?;
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(|e| StorageError::Sqlite {
                path: path.display().to_string(),
                reason: e.to_string(),
            })?;
        // A database file from before the mask above was set is made the owner's alone too.
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).map_err(
                |e| StorageError::Sqlite {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                },
            )?;
        }
        Ok(Db {
            pool,
            backend: Backend::Sqlite,
        })
    }

    /// Connects to PostgreSQL; fails within seconds, with a clear message, when nobody answers.
    pub async fn postgres(url: &str) -> Result<Db, StorageError> {
        sqlx::any::install_default_drivers();
        // 32: a burst of bookings for one popular time holds a connection each while the database decides
        // who got it; with 16, sixty at once could wait past the acquire timeout. Under such a burst on a busy
        // machine a request waits up to 15 s for a connection rather than failing (5 s was seen to run out);
        // the first connection still has to answer within 5 s, so a wrong URL fails fast.
        let unreachable = |reason: String| StorageError::Unreachable {
            target: redact(url),
            reason,
        };
        let connecting = AnyPoolOptions::new()
            .max_connections(32)
            .acquire_timeout(Duration::from_secs(15))
            .connect(url);
        let pool = tokio::time::timeout(Duration::from_secs(5), connecting)
            .await
            .map_err(|_| unreachable(String::from("no answer within 5 seconds")))?
            .map_err(|e| unreachable(first_line(&e.to_string())))?;
        Ok(Db {
            pool,
            backend: Backend::Postgres,
        })
    }

    /// Applies pending migrations; each runs in its own transaction.
    pub async fn migrate(&self) -> Result<(), StorageError> {
        let fail = |e: &dyn std::fmt::Display| StorageError::Migrate(first_line(&e.to_string()));
        match self.backend {
            Backend::Postgres => POSTGRES_MIGRATIONS
                .run(&self.pool)
                .await
                .map_err(|e| fail(&e)),
            Backend::Sqlite => {
                // SQLite changes a constraint by rebuilding the table, which is only safe with foreign keys
                // off (dropping the old table would cascade); that switch does nothing inside a transaction,
                // so it is set on a connection of its own, which is closed afterwards instead of going back
                // to the pool. The references are checked before anything else runs.
                let mut conn = self.pool.acquire().await?.detach();
                conn.execute("PRAGMA foreign_keys = OFF").await?;
                SQLITE_MIGRATIONS
                    .run(&mut conn)
                    .await
                    .map_err(|e| fail(&e))?;
                let broken: Vec<(String,)> =
                    sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
                        .fetch_all(&mut conn)
                        .await?;
                if let Some((table,)) = broken.first() {
                    return Err(fail(&format!(
                        "table {table} refers to rows that do not exist"
                    )));
                }
                Ok(())
            }
        }
    }

    /// A transaction that writes. SQLite's default (deferred) transaction starts as a reader; when it writes
    /// after another connection committed, SQLite answers SQLITE_BUSY_SNAPSHOT at once (busy_timeout cannot
    /// help: the snapshot it read is stale). `BEGIN IMMEDIATE` takes the write lock up front, so concurrent
    /// writers queue behind busy_timeout instead of failing. PostgreSQL needs nothing special.
    pub async fn write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// Readiness: the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), StorageError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

fn first_line(text: &str) -> String {
    text.lines()
        .next()
        .unwrap_or_default()
        .trim_end_matches('.')
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_drops_credentials_and_options() {
        assert_eq!(
            redact("postgres://loket:geheim@db.example:5432/loket?sslmode=require"),
            "db.example:5432/loket"
        );
        assert_eq!(redact("postgres://localhost/loket"), "localhost/loket");
    }

    #[test]
    fn a_data_dir_below_a_file_is_refused_with_the_variable_named() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let err = prepare_data_dir(&file.path().join("data"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("LOKET_DATA_DIR="), "{err}");
    }

    #[tokio::test]
    async fn sqlite_runs_in_wal_mode_with_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::sqlite(dir.path()).await.unwrap();
        let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        let (fk,): (i64,) = sqlx::query_as("PRAGMA foreign_keys")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(fk, 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_read_then_write_transactions_on_sqlite_all_commit() {
        // Each transaction reads, yields (so others commit in between), then writes: with a deferred BEGIN
        // that is SQLITE_BUSY_SNAPSHOT for most of them.
        let dir = tempfile::tempdir().unwrap();
        let db = Db::sqlite(dir.path()).await.unwrap();
        sqlx::query("CREATE TABLE tally (n INTEGER NOT NULL)")
            .execute(&db.pool)
            .await
            .unwrap();
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = db.write().await?;
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM tally")
                    .fetch_one(&mut *tx)
                    .await?;
                tokio::time::sleep(Duration::from_millis(5)).await;
                sqlx::query("INSERT INTO tally (n) VALUES ($1)")
                    .bind(n)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await
            }));
        }
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        // Serialised writers each saw every earlier commit: the counts read are 0..16, each once.
        let mut seen: Vec<(i64,)> = sqlx::query_as("SELECT n FROM tally ORDER BY n")
            .fetch_all(&db.pool)
            .await
            .unwrap();
        seen.dedup();
        assert_eq!(seen.len(), 16);
    }
}
