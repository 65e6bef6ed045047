//! What every request may need, built once at start-up and shared: the database, the municipality, the
//! passkey ceremony, web push, the document pipeline.

use crate::identity::passkeys::Passkeys;
use crate::notifications::push::PushServices;
use crate::storage::Db;
use crate::tenancy::Municipality;
use std::sync::Arc;

/// Everything a request may need, shared by all requests.
pub struct Services {
    pub db: Db,
    pub municipality: Arc<Municipality>,
    pub demo: bool,
    pub passkeys: Passkeys,
    pub push: WebPush,
    /// Where the files route writes e-mail and SMS (empty when both really go out).
    pub outbox_dirs: Vec<std::path::PathBuf>,
    /// Uploads: store, malware scanner, limits.
    pub documents: crate::documents::Documents,
    /// The sign-in doors through a broker (DigiD); empty on the embedded default.
    pub doors: crate::identity::doors::Doors,
    /// The population register (BRP), when this installation has access to it.
    pub population: Option<Arc<dyn crate::population::Register>>,
}

/// What the web side needs for web push: the key browsers subscribe with and the push services allowed.
#[derive(Clone)]
pub struct WebPush {
    pub public_key: String,
    pub services: PushServices,
}
