//! Where document bytes live: a folder under the data dir by default, any S3-compatible object store when
//! `LOKET_S3_BUCKET` is set — both through the `object_store` crate, so the rest of Loket never knows which.
//! Keys are random ids only (`documents/<id>`, `pages/<draft>/<n>`): no name, number or title in them.

use super::DocumentError;
use futures_util::StreamExt;
use object_store::path::Path as Key;
use object_store::{ObjectStore, PutPayload};
use std::path::Path;
use std::sync::Arc;

/// An S3-compatible store (`LOKET_S3_*`).
#[derive(Clone)]
pub struct S3Config {
    /// `LOKET_S3_ENDPOINT`, e.g. `https://s3.eu-central-1.amazonaws.com` or `http://127.0.0.1:9000`.
    pub endpoint: Option<String>,
    /// `LOKET_S3_BUCKET`.
    pub bucket: String,
    /// `LOKET_S3_REGION`, default `us-east-1`.
    pub region: String,
    /// `LOKET_S3_ACCESS_KEY_ID` / `LOKET_S3_SECRET_ACCESS_KEY`.
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl std::fmt::Debug for S3Config {
    // The secret key never reaches a log line or a panic message.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Debug)]
pub struct Store {
    inner: Arc<dyn ObjectStore>,
    /// For the start-up log line: which store, without secrets.
    pub describe: String,
}

fn store_error(error: object_store::Error) -> DocumentError {
    DocumentError::Store(error.to_string())
}

impl Store {
    /// `dir` is created when missing.
    pub fn local(dir: &Path) -> Result<Store, DocumentError> {
        std::fs::create_dir_all(dir).map_err(|e| DocumentError::Store(e.to_string()))?;
        let inner =
            object_store::local::LocalFileSystem::new_with_prefix(dir).map_err(store_error)?;
        Ok(Store {
            inner: Arc::new(inner),
            describe: format!("local folder {}", dir.display()),
        })
    }

    pub fn s3(config: &S3Config) -> Result<Store, DocumentError> {
        let mut builder = object_store::aws::AmazonS3Builder::new()
            .with_bucket_name(&config.bucket)
            .with_region(&config.region)
            .with_access_key_id(&config.access_key_id)
            .with_secret_access_key(&config.secret_access_key);
        if let Some(endpoint) = &config.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"))
                // Path-style (`endpoint/bucket/key`): what self-hosted S3 servers expect.
                .with_virtual_hosted_style_request(false);
        }
        let inner = builder.build().map_err(store_error)?;
        Ok(Store {
            inner: Arc::new(inner),
            describe: format!(
                "S3 bucket {} at {}",
                config.bucket,
                config.endpoint.as_deref().unwrap_or("AWS")
            ),
        })
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), DocumentError> {
        self.inner
            .put(&Key::from(key), PutPayload::from(bytes))
            .await
            .map(|_| ())
            .map_err(store_error)
    }

    pub async fn get(&self, key: &str) -> Result<Vec<u8>, DocumentError> {
        match self.inner.get(&Key::from(key)).await {
            Ok(result) => Ok(result.bytes().await.map_err(store_error)?.to_vec()),
            Err(object_store::Error::NotFound { .. }) => Err(DocumentError::NotFound),
            Err(error) => Err(store_error(error)),
        }
    }

    /// Removes `key`; one that is already gone counts as removed.
    pub async fn delete(&self, key: &str) -> Result<(), DocumentError> {
        match self.inner.delete(&Key::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(store_error(error)),
        }
    }

    /// Every key under `prefix` with when it was written (ms since the epoch).
    pub async fn list(&self, prefix: &str) -> Result<Vec<(String, i64)>, DocumentError> {
        let prefix = Key::from(prefix);
        let mut listing = self.inner.list(Some(&prefix));
        let mut keys = Vec::new();
        while let Some(meta) = listing.next().await {
            let meta = meta.map_err(store_error)?;
            keys.push((
                meta.location.to_string(),
                meta.last_modified.timestamp_millis(),
            ));
        }
        Ok(keys)
    }
}
