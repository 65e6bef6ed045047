//! The bridge from the UI contract (`app::api::Backend`) to the domain modules, and the one place where
//! domain errors become resident-facing API errors.

use crate::cases::{self, CasesError};
use crate::identity::passkeys::Passkeys;
use crate::storage::Db;
use crate::tenancy::Municipality;
use app::api::{ApiError, Backend, Overview};
use app::i18n::Lang;
use std::sync::Arc;

/// Everything a request may need, shared by all requests.
pub struct Services {
    pub db: Db,
    pub municipality: Arc<Municipality>,
    pub demo: bool,
    pub passkeys: Passkeys,
}

impl From<CasesError> for ApiError {
    fn from(error: CasesError) -> Self {
        // The log line carries the technical cause, never the resident's data.
        tracing::error!(error = %error, "cases query failed");
        ApiError::Unavailable
    }
}

#[async_trait::async_trait]
impl Backend for Services {
    async fn overview(&self, lang: Lang) -> Result<Overview, ApiError> {
        let demo = if self.demo {
            cases::demo_overview(&self.db, &self.municipality, lang).await?
        } else {
            None
        };
        Ok(Overview { demo })
    }
}
