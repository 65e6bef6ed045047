//! The real doors: sign-in through an OpenID Connect broker (DigiD today; eHerkenning and eIDAS follow), by
//! authorization code with PKCE. The `openidconnect` crate does discovery, the JWKS, PKCE and the ID token's
//! checks (signature, issuer, audience, expiry, nonce); this module keeps each attempt's state in the
//! database (so any instance can finish what another began), single use and for ten minutes, bound to the
//! browser that began it by a cookie, and turns a verified token into a person, an account and a session at
//! the level the broker vouched for.

use super::accounts::{self, HolderRef};
use super::sessions::{self, Assurance, Method, Session, Subject};
use super::{from_ms, ms, secrets};
use crate::parties::{self, PartyRef};
use crate::population::{Register, Task};
use crate::storage::{Db, StorageError};
use jiff::{SignedDuration, Timestamp};
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthenticationContextClass, AuthorizationCode, ClaimsVerificationError,
    ClientId, ClientSecret, CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IdTokenFields, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier,
    ProviderMetadataWithLogout, RedirectUrl, Scope, StandardErrorResponse, StandardTokenResponse,
    TokenResponse,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::RwLock;

/// How long a started sign-in may take at the broker.
pub const ATTEMPT_LIFETIME: SignedDuration = SignedDuration::from_mins(10);
/// Provider metadata and keys are fetched again after this, so a key rotation at the broker is picked up.
const METADATA_LIFETIME: SignedDuration = SignedDuration::from_mins(10);

/// A kind of door, as it appears in the URL (`/inloggen/digid`) and in the configuration (`LOKET_DIGID_…`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DoorKind {
    /// Residents, by BSN.
    Digid,
    /// Entrepreneurs: the acting person (a pseudonym) for an organisation (KvK number, optional branch).
    Eherkenning,
    /// EU citizens with their own country's means (eIDAS): by BSN when the broker links one, else by the
    /// broker's pseudonym (`sub`).
    Eidas,
}

impl DoorKind {
    pub const ALL: [DoorKind; 3] = [DoorKind::Digid, DoorKind::Eherkenning, DoorKind::Eidas];

    pub fn as_str(self) -> &'static str {
        match self {
            DoorKind::Digid => "digid",
            DoorKind::Eherkenning => "eherkenning",
            DoorKind::Eidas => "eidas",
        }
    }

    /// The session method a sign-in through this door gives.
    pub fn method(self) -> Method {
        match self {
            DoorKind::Digid => Method::Digid,
            DoorKind::Eherkenning => Method::Eherkenning,
            DoorKind::Eidas => Method::Eidas,
        }
    }

    /// The door a session came through, if a door opened it.
    pub fn of(method: Method) -> Option<DoorKind> {
        DoorKind::ALL.into_iter().find(|k| k.method() == method)
    }

    pub fn parse(value: &str) -> Option<DoorKind> {
        DoorKind::ALL.into_iter().find(|k| k.as_str() == value)
    }

    fn env_prefix(self) -> &'static str {
        match self {
            DoorKind::Digid => "LOKET_DIGID",
            DoorKind::Eherkenning => "LOKET_EHERKENNING",
            DoorKind::Eidas => "LOKET_EIDAS",
        }
    }

    /// The `acr` values the common brokers send, per the NL GOV assurance profile: DigiD Basis and Midden
    /// count as eIDAS laag, Substantieel as substantieel, Hoog as hoog.
    fn default_levels(self) -> Vec<(String, Assurance)> {
        let saml = "urn:oasis:names:tc:SAML:2.0:ac:classes:";
        match self {
            DoorKind::Digid => vec![
                (format!("{saml}PasswordProtectedTransport"), Assurance::Low),
                (format!("{saml}MobileTwoFactorContract"), Assurance::Low),
                (format!("{saml}Smartcard"), Assurance::Substantial),
                (format!("{saml}SmartcardPKI"), Assurance::High),
            ],
            // EH2 is below every level a municipality's service for companies uses, so it is not in the table.
            DoorKind::Eherkenning => {
                let eh = "urn:etoegang:core:assurance-class:";
                vec![
                    (format!("{eh}loa2plus"), Assurance::Low),
                    (format!("{eh}loa3"), Assurance::Substantial),
                    (format!("{eh}loa4"), Assurance::High),
                ]
            }
            DoorKind::Eidas => {
                let loa = "http://eidas.europa.eu/LoA/";
                vec![
                    (format!("{loa}low"), Assurance::Low),
                    (format!("{loa}substantial"), Assurance::Substantial),
                    (format!("{loa}high"), Assurance::High),
                ]
            }
        }
    }
}

/// One configured door: its broker and how to read what the broker says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DoorConfig {
    pub kind: DoorKind,
    pub issuer: String,
    pub client_id: String,
    /// Empty when the client authenticates with [`DoorConfig::private_key`] instead.
    pub client_secret: String,
    /// `…_PRIVATE_KEY_FILE` (with `…_KEY_ID`): the client authenticates at the token endpoint with a JWT this
    /// P-256 key signs (`private_key_jwt`, ES256, RFC 7523) instead of a secret, which is then not needed.
    pub private_key: Option<ClientKey>,
    pub scopes: Vec<String>,
    /// The ID-token claims that carry the identifiers (`…_BSN_CLAIM`, `…_KVK_CLAIM`, `…_BRANCH_CLAIM`,
    /// `…_ACTING_CLAIM`, `…_REPRESENTED_CLAIM`; defaults `bsn`, `kvk`, `vestiging`, `acting_subject`,
    /// `represented_bsn`). The represented BSN (DigiD Machtigen) is read at the DigiD door only.
    pub bsn_claim: String,
    pub kvk_claim: String,
    pub branch_claim: String,
    pub acting_claim: String,
    pub represented_claim: String,
    /// `acr` value → level; an `acr` not in the table is refused.
    pub levels: Vec<(String, Assurance)>,
}

/// A client's signing key for `private_key_jwt`: the PEM of a P-256 private key, and the key id the broker
/// knows its public half by. Its `Debug` never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientKey {
    pub pem: String,
    pub key_id: Option<String>,
}

impl std::fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientKey")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// The client assertion type of RFC 7523 §2.2.
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// A door's configuration that cannot work, said as the operator must fix it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DoorConfigError {
    #[error("{prefix}_ISSUER is set but {prefix}_{missing} is not: give the client's registration at the broker too.")]
    Missing {
        prefix: &'static str,
        missing: &'static str,
    },
    #[error("{prefix}_ISSUER={value:?} is not a URL: give the broker's issuer, for example https://broker.example.nl.")]
    Issuer { prefix: &'static str, value: String },
    #[error("{prefix}_PRIVATE_KEY_FILE={path:?} is not a readable PEM file with a P-256 (ES256) private key.")]
    PrivateKey { prefix: &'static str, path: String },
    #[error("{prefix}_LEVELS={value:?} is not a table of acr=level pairs (level laag, substantieel or hoog), separated by commas.")]
    Levels { prefix: &'static str, value: String },
}

impl DoorConfig {
    /// The doors the environment configures: a door is on when its `…_ISSUER` is set.
    pub fn from_lookup(
        lookup: &impl Fn(&str) -> Option<String>,
    ) -> Result<Vec<DoorConfig>, DoorConfigError> {
        let mut doors = Vec::new();
        for kind in DoorKind::ALL {
            let prefix = kind.env_prefix();
            let var = |name: &str| lookup(&format!("{prefix}_{name}"));
            let Some(issuer) = var("ISSUER") else {
                continue;
            };
            if IssuerUrl::new(issuer.clone()).is_err()
                || !(issuer.starts_with("https://") || issuer.starts_with("http://"))
            {
                return Err(DoorConfigError::Issuer {
                    prefix,
                    value: issuer,
                });
            }
            let required = |name: &'static str| {
                var(name).ok_or(DoorConfigError::Missing {
                    prefix,
                    missing: name,
                })
            };
            let private_key = match var("PRIVATE_KEY_FILE") {
                None => None,
                Some(path) => {
                    let pem = std::fs::read_to_string(&path)
                        .ok()
                        .filter(|pem| jwt_simple::prelude::ES256KeyPair::from_pem(pem).is_ok())
                        .ok_or(DoorConfigError::PrivateKey {
                            prefix,
                            path: path.clone(),
                        })?;
                    Some(ClientKey {
                        pem,
                        key_id: var("KEY_ID"),
                    })
                }
            };
            let levels = match var("LEVELS") {
                None => kind.default_levels(),
                Some(table) => parse_levels(&table).ok_or(DoorConfigError::Levels {
                    prefix,
                    value: table,
                })?,
            };
            doors.push(DoorConfig {
                kind,
                client_id: required("CLIENT_ID")?,
                client_secret: match &private_key {
                    Some(_) => var("CLIENT_SECRET").unwrap_or_default(),
                    None => required("CLIENT_SECRET")?,
                },
                private_key,
                scopes: var("SCOPES")
                    .unwrap_or_else(|| String::from("openid"))
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect(),
                bsn_claim: var("BSN_CLAIM").unwrap_or_else(|| String::from("bsn")),
                kvk_claim: var("KVK_CLAIM").unwrap_or_else(|| String::from("kvk")),
                branch_claim: var("BRANCH_CLAIM").unwrap_or_else(|| String::from("vestiging")),
                acting_claim: var("ACTING_CLAIM").unwrap_or_else(|| String::from("acting_subject")),
                represented_claim: var("REPRESENTED_CLAIM")
                    .unwrap_or_else(|| String::from("represented_bsn")),
                issuer: issuer.trim_end_matches('/').to_owned(),
                levels,
            });
        }
        Ok(doors)
    }

    fn level_of(&self, acr: &str) -> Option<Assurance> {
        self.levels
            .iter()
            .find(|(value, _)| value == acr)
            .map(|(_, level)| *level)
    }
}

/// `acr=level,acr=level`: the operator's own table for a broker that sends other values.
fn parse_levels(table: &str) -> Option<Vec<(String, Assurance)>> {
    let levels: Option<Vec<_>> = table
        .split(',')
        .map(|pair| {
            let (acr, level) = pair.trim().rsplit_once('=')?;
            let acr = acr.trim();
            (!acr.is_empty()).then_some(())?;
            Some((acr.to_owned(), Assurance::parse(level.trim())?))
        })
        .collect();
    levels.filter(|l| !l.is_empty())
}

/// Every claim of the ID token by name: which ones carry the identifiers is configuration.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct BrokerClaims {
    #[serde(flatten)]
    all: HashMap<String, serde_json::Value>,
}

impl AdditionalClaims for BrokerClaims {}

impl BrokerClaims {
    fn text(&self, name: &str) -> Option<String> {
        match self.all.get(name)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
}

type BrokerTokenResponse = StandardTokenResponse<
    IdTokenFields<
        BrokerClaims,
        EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    CoreTokenType,
>;

type BrokerClient = openidconnect::Client<
    BrokerClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    BrokerTokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Why a sign-in through a door did not happen. None carries personal data or token contents.
#[derive(Debug, thiserror::Error)]
pub enum DoorError {
    #[error("no such door")]
    UnknownDoor,
    /// Unknown, used (a replay), expired, or begun in another browser: one case, so nothing is given away.
    #[error("the sign-in attempt is unknown, used, expired or from another browser")]
    UnknownAttempt,
    /// The broker sent the visitor back with an error (she cancelled, or it failed): the error code when it
    /// is one OAuth 2.0 / OpenID Connect defines, `other` for anything else (the parameter is the visitor's
    /// to write, so its text never reaches the log).
    #[error("the broker answered {0}")]
    BrokerRefused(&'static str),
    #[error("the broker could not be reached or answered wrongly: {0}")]
    Broker(String),
    /// The ID token failed a check; the kind says which (for the log), the visitor hears one sentence.
    #[error("the ID token was refused: {0}")]
    Token(&'static str),
    /// The `acr` is not in the door's table, or below the level the attempt asked for.
    #[error("the assurance level is too low or unknown")]
    LevelTooLow,
    /// The token does not carry a valid identifier (BSN) in the configured claim.
    #[error("the ID token carries no usable identifier")]
    NoIdentifier,
    #[error(transparent)]
    Identity(#[from] super::IdentityError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for DoorError {
    fn from(error: sqlx::Error) -> Self {
        DoorError::Storage(StorageError::Query(error))
    }
}

/// Which check of the ID token failed, as a fixed word for the log.
fn token_check(error: &ClaimsVerificationError) -> &'static str {
    match error {
        ClaimsVerificationError::Expired(_) => "expired",
        ClaimsVerificationError::InvalidAudience(_) => "audience",
        ClaimsVerificationError::InvalidNonce(_) => "nonce",
        ClaimsVerificationError::InvalidIssuer(_) => "issuer",
        ClaimsVerificationError::SignatureVerification(_) => "signature",
        ClaimsVerificationError::InvalidAuthContext(_) => "acr",
        ClaimsVerificationError::InvalidAuthTime(_) => "auth_time",
        ClaimsVerificationError::InvalidSubject(_) => "subject",
        _ => "other",
    }
}

/// The authorization error codes of RFC 6749 §4.1.2.1 and OpenID Connect Core §3.1.2.6.
const ERROR_CODES: [&str; 15] = [
    "invalid_request",
    "unauthorized_client",
    "access_denied",
    "unsupported_response_type",
    "invalid_scope",
    "server_error",
    "temporarily_unavailable",
    "interaction_required",
    "login_required",
    "account_selection_required",
    "consent_required",
    "invalid_request_uri",
    "invalid_request_object",
    "request_not_supported",
    "request_uri_not_supported",
];

/// `answer` as a known error code, or `other`.
fn error_code(answer: &str) -> &'static str {
    ERROR_CODES
        .into_iter()
        .find(|code| *code == answer)
        .unwrap_or("other")
}

/// A configured door with its broker's metadata, fetched on first use and again every ten minutes.
pub struct Door {
    pub config: DoorConfig,
    redirect_uri: String,
    signed_out_uri: String,
    http: openidconnect::reqwest::Client,
    metadata: RwLock<Option<(Timestamp, Arc<ProviderMetadataWithLogout>)>>,
}

/// Every door this installation has, by kind, and the level her records need.
#[derive(Clone)]
pub struct Doors {
    doors: Arc<Vec<Door>>,
    records_level: Assurance,
}

impl Default for Doors {
    fn default() -> Doors {
        Doors {
            doors: Arc::default(),
            records_level: Assurance::Substantial,
        }
    }
}

impl Doors {
    /// The doors of `configs`, calling back to `{public_url}/inloggen/{door}/terug`.
    pub fn new(
        configs: &[DoorConfig],
        public_url: &str,
        records_level: Assurance,
    ) -> Result<Doors, DoorError> {
        let http = openidconnect::reqwest::Client::builder()
            // Following redirects opens the client up to SSRF; a broker answers directly.
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| DoorError::Broker(e.to_string()))?;
        let doors = configs
            .iter()
            .map(|config| Door {
                redirect_uri: format!(
                    "{}{}",
                    public_url.trim_end_matches('/'),
                    app::paths::door_back(config.kind.as_str())
                ),
                signed_out_uri: format!(
                    "{}{}",
                    public_url.trim_end_matches('/'),
                    app::paths::SIGNED_OUT
                ),
                config: config.clone(),
                http: http.clone(),
                metadata: RwLock::new(None),
            })
            .collect();
        Ok(Doors {
            doors: Arc::new(doors),
            records_level,
        })
    }

    pub fn get(&self, name: &str) -> Option<&Door> {
        let kind = DoorKind::parse(name)?;
        self.doors.iter().find(|d| d.config.kind == kind)
    }

    /// The doors' names, for the sign-in page's buttons.
    pub fn names(&self) -> Vec<String> {
        self.doors
            .iter()
            .map(|d| d.config.kind.as_str().to_owned())
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.doors.is_empty()
    }

    /// The level `session` lacks to open her BSN-linked records (cases, contact moments, documents), `None`
    /// when it opens them. With a broker only a DigiD or eIDAS session at the configured level does: a passkey the
    /// municipality registered is not a recognised means, and what DigiD vouched for holds for that session
    /// only. On the embedded default without a broker every session does (the demo door).
    pub fn records_missing(&self, session: &Session) -> Option<Assurance> {
        if self.is_empty() {
            return None;
        }
        let identified = matches!(session.method, Method::Digid | Method::Eidas);
        let opens = identified && session.assurance >= self.records_level;
        (!opens).then_some(self.records_level)
    }
}

impl Door {
    /// The end-session request, when the broker offers RP-initiated logout; she comes back to Loket's
    /// signed-out page (`{public_url}/inloggen?reden=uitgelogd`, to be registered with the broker as a
    /// post-logout redirect URI).
    pub async fn end_session(&self, now: Timestamp) -> Result<Option<EndSession>, DoorError> {
        let metadata = self.metadata(now).await?;
        let Some(endpoint) = metadata.additional_metadata().end_session_endpoint.as_ref() else {
            return Ok(None);
        };
        Ok(Some(EndSession {
            endpoint: endpoint.url().to_string(),
            fields: vec![
                ("client_id", self.config.client_id.clone()),
                ("post_logout_redirect_uri", self.signed_out_uri.clone()),
            ],
        }))
    }

    async fn metadata(&self, now: Timestamp) -> Result<Arc<ProviderMetadataWithLogout>, DoorError> {
        if let Some((fetched, metadata)) = self.metadata.read().await.as_ref() {
            if now.duration_since(*fetched) < METADATA_LIFETIME {
                return Ok(metadata.clone());
            }
        }
        let issuer = IssuerUrl::new(self.config.issuer.clone())
            .map_err(|e| DoorError::Broker(e.to_string()))?;
        let metadata = ProviderMetadataWithLogout::discover_async(issuer, &self.http)
            .await
            .map_err(|e| DoorError::Broker(e.to_string()))?;
        let metadata = Arc::new(metadata);
        *self.metadata.write().await = Some((now, metadata.clone()));
        Ok(metadata)
    }

    async fn client(&self, now: Timestamp) -> Result<BrokerClient, DoorError> {
        let metadata = self.metadata(now).await?;
        let redirect = RedirectUrl::new(self.redirect_uri.clone())
            .map_err(|e| DoorError::Broker(e.to_string()))?;
        Ok(BrokerClient::from_provider_metadata(
            (*metadata).clone(),
            ClientId::new(self.config.client_id.clone()),
            self.config
                .private_key
                .is_none()
                .then(|| ClientSecret::new(self.config.client_secret.clone())),
        )
        .set_redirect_uri(redirect))
    }

    /// The `private_key_jwt` client assertion for a token request at `now` (RFC 7523 §3): issuer and subject
    /// the client id, audience the broker's token endpoint, valid for one minute, a fresh `jti`. `None` for a
    /// client that authenticates with its secret.
    async fn client_assertion(&self, now: Timestamp) -> Result<Option<String>, DoorError> {
        use jwt_simple::prelude::{
            Audiences, Duration, ECDSAP256KeyPairLike, ES256KeyPair, JWTClaims, NoCustomClaims,
        };
        let Some(key) = &self.config.private_key else {
            return Ok(None);
        };
        let metadata = self.metadata(now).await?;
        let audience = metadata
            .token_endpoint()
            .map_or_else(|| self.config.issuer.clone(), |url| url.as_str().to_owned());
        let mut pair = ES256KeyPair::from_pem(&key.pem)
            .map_err(|e| DoorError::Broker(format!("client key: {e}")))?;
        if let Some(id) = &key.key_id {
            pair = pair.with_key_id(id);
        }
        let at = Duration::from_secs(u64::try_from(now.as_second()).unwrap_or_default());
        let claims = JWTClaims {
            issued_at: Some(at),
            expires_at: Some(at + Duration::from_secs(60)),
            invalid_before: None,
            issuer: Some(self.config.client_id.clone()),
            subject: Some(self.config.client_id.clone()),
            audiences: Some(Audiences::AsString(audience)),
            jwt_id: Some(secrets::token()),
            nonce: None,
            custom: NoCustomClaims {},
        };
        pair.sign(claims)
            .map(Some)
            .map_err(|e| DoorError::Broker(format!("client assertion: {e}")))
    }
}

/// A started sign-in: where to send the browser, and the value of the cookie that ties the attempt to it.
pub struct Started {
    pub authorize_url: String,
    pub binding: String,
}

/// Begins a sign-in at `door`: stores state, nonce and PKCE verifier (hashed state, single use, ten
/// minutes) and answers the broker's URL. `needed` asks the broker for at least that level (step-up);
/// `return_to` is where she goes afterwards (a local path, checked by the caller).
pub async fn begin(
    db: &Db,
    municipality_id: &str,
    door: &Door,
    needed: Option<Assurance>,
    return_to: &str,
    now: Timestamp,
) -> Result<Started, DoorError> {
    let client = door.client(now).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge);
    for scope in &door.config.scopes {
        if scope != "openid" {
            request = request.add_scope(Scope::new(scope.clone()));
        }
    }
    // Loket names the levels it accepts, so the broker knows what to ask of her and says in `acr` which one
    // she reached (a provider names the level only when asked).
    let needed = needed.unwrap_or(Assurance::Low);
    for (acr, level) in &door.config.levels {
        if *level >= needed {
            request = request.add_auth_context_value(AuthenticationContextClass::new(acr.clone()));
        }
    }
    let (url, state, nonce) = request.url();
    let binding = secrets::token();
    // Attempts never finished go here, so the table holds at most ten minutes of them.
    sqlx::query("DELETE FROM door_attempt WHERE expires_at_ms <= $1")
        .bind(ms(now))
        .execute(&db.pool)
        .await?;
    sqlx::query(
        "INSERT INTO door_attempt (state_hash, municipality_id, door, binding_hash, nonce, pkce_verifier,
                                   needed, return_to, expires_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(secrets::hash(state.secret()))
    .bind(municipality_id)
    .bind(door.config.kind.as_str())
    .bind(secrets::hash(&binding))
    .bind(nonce.secret())
    .bind(verifier.secret())
    .bind(needed.as_str())
    .bind(return_to)
    .bind(ms(now + ATTEMPT_LIFETIME))
    .execute(&db.pool)
    .await?;
    Ok(Started {
        authorize_url: url.to_string(),
        binding,
    })
}

/// What the broker answered on the callback.
pub enum Answer<'a> {
    Code(&'a str),
    /// `error` from the broker (e.g. `access_denied` when she cancelled).
    Refused(&'a str),
}

/// The request that ends her session at the broker (OpenID Connect RP-Initiated Logout): her browser goes to
/// its end-session endpoint with Loket's `client_id` and the `post_logout_redirect_uri` to come back to. No
/// `id_token_hint`: a DigiD ID token carries her BSN, and a GET puts it in the URL (history, logs), while a
/// POST would carry no broker cookie under SameSite=Lax; the broker asks her to confirm instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndSession {
    pub endpoint: String,
    pub fields: Vec<(&'static str, String)>,
}

/// A finished sign-in: the session to set, and where she goes next.
pub struct Finished {
    pub token: String,
    pub session: Session,
    pub return_to: String,
}

#[derive(sqlx::FromRow)]
struct AttemptRow {
    municipality_id: String,
    door: String,
    binding_hash: String,
    nonce: String,
    pkce_verifier: String,
    needed: String,
    return_to: String,
    expires_at_ms: i64,
}

/// Finishes a sign-in on the broker's callback: takes the attempt named by `state` (once: a replay finds
/// nothing), checks it belongs to this browser (`binding`, the cookie `begin` set) and has not expired,
/// exchanges the code with the PKCE verifier, verifies the ID token against the stored nonce at `now`, reads
/// the level from `acr` and the BSN from the configured claim, and signs her in: the person by BSN (found
/// or created), her account (found or created), a session at the broker's level. Nothing is stored when a
/// check fails.
pub async fn finish(
    db: &Db,
    register: Option<&dyn Register>,
    door: &Door,
    state: &str,
    binding: Option<&str>,
    answer: Answer<'_>,
    now: Timestamp,
) -> Result<Finished, DoorError> {
    let attempt: Option<AttemptRow> = sqlx::query_as(
        "DELETE FROM door_attempt WHERE state_hash = $1
         RETURNING municipality_id, door, binding_hash, nonce, pkce_verifier, needed, return_to, expires_at_ms",
    )
    .bind(secrets::hash(state))
    .fetch_optional(&db.pool)
    .await?;
    let attempt = attempt.ok_or(DoorError::UnknownAttempt)?;
    let ours = binding.is_some_and(|b| secrets::same(&secrets::hash(b), &attempt.binding_hash));
    if !ours || attempt.door != door.config.kind.as_str() || from_ms(attempt.expires_at_ms)? <= now
    {
        return Err(DoorError::UnknownAttempt);
    }
    let code = match answer {
        Answer::Code(code) => code,
        Answer::Refused(error) => return Err(DoorError::BrokerRefused(error_code(error))),
    };
    let client = door.client(now).await?;
    let mut exchange = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .map_err(|e| DoorError::Broker(e.to_string()))?
        .set_pkce_verifier(PkceCodeVerifier::new(attempt.pkce_verifier));
    if let Some(assertion) = door.client_assertion(now).await? {
        exchange = exchange
            .add_extra_param("client_assertion_type", JWT_BEARER)
            .add_extra_param("client_assertion", assertion);
    }
    let response = exchange
        .request_async(&door.http)
        .await
        .map_err(|e| DoorError::Broker(e.to_string()))?;
    let id_token = response.id_token().ok_or(DoorError::Token("missing"))?;
    let at =
        chrono::DateTime::from_timestamp(now.as_second(), now.subsec_nanosecond().unsigned_abs())
            .ok_or(DoorError::Token("clock"))?;
    let verifier = client.id_token_verifier().set_time_fn(move || at);
    let claims = id_token
        .claims(&verifier, &Nonce::new(attempt.nonce))
        .map_err(|e| DoorError::Token(token_check(&e)))?;
    let level = claims
        .auth_context_ref()
        .and_then(|acr| door.config.level_of(acr.as_str()))
        .ok_or(DoorError::LevelTooLow)?;
    let needed = Assurance::parse(&attempt.needed).unwrap_or(Assurance::Low);
    if level < needed {
        return Err(DoorError::LevelTooLow);
    }
    let said = claims.additional_claims();
    let config = &door.config;
    let (token, session) = match config.kind {
        DoorKind::Digid => {
            let bsn = said
                .text(&config.bsn_claim)
                .filter(|bsn| parties::valid_bsn(bsn))
                .ok_or(DoorError::NoIdentifier)?;
            // DigiD Machtigen: a represented BSN that is not a BSN (or her own) refuses the sign-in rather
            // than showing the representative his own pages when he meant to act for someone.
            let represented = match said.text(&config.represented_claim) {
                None => None,
                Some(other) if parties::valid_bsn(&other) && other != bsn => Some(other),
                Some(_) => return Err(DoorError::NoIdentifier),
            };
            let (token, mut session) = sign_in(
                db,
                register,
                &attempt.municipality_id,
                &bsn,
                Method::Digid,
                level,
                now,
            )
            .await?;
            if let Some(other) = represented {
                let mut conn = db.pool.acquire().await?;
                let party = PartyRef {
                    bsn: Some(other),
                    kvk: None,
                    name: None,
                };
                let person = parties::resolve(&mut conn, &attempt.municipality_id, &party).await?;
                drop(conn);
                let person_id = person.person_id().ok_or(DoorError::NoIdentifier)?;
                sessions::represent(db, &mut session, person_id).await?;
            }
            (token, session)
        }
        DoorKind::Eidas => match said
            .text(&config.bsn_claim)
            .filter(|bsn| parties::valid_bsn(bsn))
        {
            Some(bsn) => {
                sign_in(
                    db,
                    register,
                    &attempt.municipality_id,
                    &bsn,
                    Method::Eidas,
                    level,
                    now,
                )
                .await?
            }
            None => {
                let subject = claims.subject().as_str();
                if subject.is_empty()
                    || subject.len() > 200
                    || subject.chars().any(char::is_control)
                {
                    return Err(DoorError::NoIdentifier);
                }
                sign_in_pseudonym(db, &attempt.municipality_id, subject, level, now).await?
            }
        },
        DoorKind::Eherkenning => {
            let kvk = said
                .text(&config.kvk_claim)
                .filter(|kvk| parties::valid_kvk(kvk))
                .ok_or(DoorError::NoIdentifier)?;
            // A pseudonym chosen by the broker: any short printable text.
            let acting = said
                .text(&config.acting_claim)
                .filter(|a| !a.is_empty() && a.len() <= 200 && !a.chars().any(char::is_control))
                .ok_or(DoorError::NoIdentifier)?;
            let branch = said
                .text(&config.branch_claim)
                .filter(|b| b.len() == 12 && b.bytes().all(|c| c.is_ascii_digit()));
            let company = Company {
                kvk: &kvk,
                branch: branch.as_deref(),
                acting: &acting,
            };
            sign_in_company(db, &attempt.municipality_id, &company, level, now).await?
        }
    };
    Ok(Finished {
        token,
        session,
        return_to: attempt.return_to,
    })
}

/// Who an eHerkenning sign-in says is acting, and for which company.
struct Company<'a> {
    kvk: &'a str,
    branch: Option<&'a str>,
    acting: &'a str,
}

/// The company with `kvk` (created when new), the acting person behind the broker's pseudonym (a person
/// without BSN, created on her first sign-in), her membership — confirmed by this sign-in, as the broker
/// vouches for it — and an eHerkenning session acting for the company at `level`.
async fn sign_in_company(
    db: &Db,
    municipality_id: &str,
    company: &Company<'_>,
    level: Assurance,
    now: Timestamp,
) -> Result<(String, Session), DoorError> {
    let mut conn = db.pool.acquire().await?;
    let party = PartyRef {
        bsn: None,
        kvk: Some(company.kvk.to_owned()),
        name: None,
    };
    let organisation = parties::resolve(&mut conn, municipality_id, &party).await?;
    let organisation_id = organisation
        .organisation_id()
        .ok_or(DoorError::NoIdentifier)?
        .to_owned();
    let person_id = person_by_subject(
        &mut conn,
        municipality_id,
        DoorKind::Eherkenning,
        company.acting,
    )
    .await?;
    sqlx::query(
        "INSERT INTO membership (organisation_id, person_id, confirmed_at_ms) VALUES ($1, $2, $3)
         ON CONFLICT (organisation_id, person_id) DO UPDATE SET confirmed_at_ms = excluded.confirmed_at_ms",
    )
    .bind(&organisation_id)
    .bind(&person_id)
    .bind(ms(now))
    .execute(&mut *conn)
    .await?;
    let account = account_of(&mut conn, db, municipality_id, &person_id, level, now).await?;
    drop(conn);
    let (token, mut session) = sessions::start(
        db,
        municipality_id,
        Subject::Account(account),
        Method::Eherkenning,
        level,
        now,
    )
    .await?;
    sessions::act_as(db, &mut session, Some(&organisation_id)).await?;
    sessions::keep_branch(db, &session.id_hash, company.branch).await?;
    Ok((token, session))
}

/// The person a broker's pseudonym `subject` stands for at `door`: a person without BSN, made on her first
/// sign-in and found again at the next.
async fn person_by_subject(
    conn: &mut sqlx::AnyConnection,
    municipality_id: &str,
    door: DoorKind,
    subject: &str,
) -> Result<String, DoorError> {
    let door = door.as_str();
    let known: Option<(String,)> = sqlx::query_as(
        "SELECT person_id FROM door_subject WHERE municipality_id = $1 AND door = $2 AND subject = $3",
    )
    .bind(municipality_id)
    .bind(door)
    .bind(subject)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((id,)) = known {
        return Ok(id);
    }
    let id = secrets::id();
    sqlx::query(
        "INSERT INTO person (id, municipality_id, display_name, is_demo) VALUES ($1, $2, '', 0)",
    )
    .bind(&id)
    .bind(municipality_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO door_subject (municipality_id, door, subject, person_id) VALUES ($1, $2, $3, $4)",
    )
    .bind(municipality_id)
    .bind(door)
    .bind(subject)
    .bind(&id)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// An eIDAS sign-in without a linked BSN: the person behind the broker's pseudonym, her account and an
/// eIDAS session at `level`.
async fn sign_in_pseudonym(
    db: &Db,
    municipality_id: &str,
    subject: &str,
    level: Assurance,
    now: Timestamp,
) -> Result<(String, Session), DoorError> {
    let mut conn = db.pool.acquire().await?;
    let person_id = person_by_subject(&mut conn, municipality_id, DoorKind::Eidas, subject).await?;
    let account = account_of(&mut conn, db, municipality_id, &person_id, level, now).await?;
    drop(conn);
    Ok(sessions::start(
        db,
        municipality_id,
        Subject::Account(account),
        Method::Eidas,
        level,
        now,
    )
    .await?)
}

/// The account of `person_id`, created on her first sign-in through a door.
async fn account_of(
    conn: &mut sqlx::AnyConnection,
    db: &Db,
    municipality_id: &str,
    person_id: &str,
    level: Assurance,
    now: Timestamp,
) -> Result<String, DoorError> {
    if let Some(account) = accounts::for_holder(db, &HolderRef::Person(person_id)).await? {
        return Ok(account.id);
    }
    // A UUID: the account id doubles as the WebAuthn user handle of the passkeys she may add later.
    let id = webauthn_rs::prelude::Uuid::new_v4().to_string();
    accounts::create(
        conn,
        municipality_id,
        HolderRef::Person(person_id),
        &id,
        &accounts::new_sign_in_name(),
        level,
        now,
    )
    .await?;
    Ok(id)
}

/// Before a BSN is seen for the first time: asks the BRP her name and birth date and binds the record the
/// contact centre made of her as she told it, if exactly one matches ([`parties::bind_unverified`]). A BRP
/// that does not answer binds nothing and stops no sign-in: the record stays unverified for the contact
/// centre to see.
async fn bind_told(
    conn: &mut sqlx::AnyConnection,
    register: &dyn Register,
    municipality_id: &str,
    bsn: &str,
    now: Timestamp,
) -> Result<(), DoorError> {
    if parties::person_by_bsn(conn, municipality_id, bsn)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let resident = match crate::population::by_bsn(register, Task::BindCaller, bsn).await {
        Ok(Some(resident)) => resident,
        Ok(None) => return Ok(()),
        Err(error) => {
            tracing::warn!(%error, "the BRP could not be asked whom a first sign-in binds");
            return Ok(());
        }
    };
    let Some(birth_date) = resident.birth_date.as_deref() else {
        return Ok(());
    };
    let registered = parties::Registered {
        bsn,
        name: &resident.name,
        birth_date,
    };
    parties::bind_unverified(
        conn,
        municipality_id,
        &registered,
        parties::BoundBy::DigidSignIn,
        now,
    )
    .await?;
    Ok(())
}

/// The person with `bsn` (created when new), her account (created on her first sign-in through a door, so
/// she can add a passkey for convenience later) and a session by `method` (DigiD, or eIDAS with a linked
/// BSN) at `level`.
async fn sign_in(
    db: &Db,
    register: Option<&dyn Register>,
    municipality_id: &str,
    bsn: &str,
    method: Method,
    level: Assurance,
    now: Timestamp,
) -> Result<(String, Session), DoorError> {
    let mut conn = db.pool.acquire().await?;
    if let Some(register) = register {
        bind_told(&mut conn, register, municipality_id, bsn, now).await?;
    }
    let party = PartyRef {
        bsn: Some(bsn.to_owned()),
        kvk: None,
        name: None,
    };
    let person = parties::resolve(&mut conn, municipality_id, &party).await?;
    let person_id = person
        .person_id()
        .ok_or(DoorError::NoIdentifier)?
        .to_owned();
    let account = account_of(&mut conn, db, municipality_id, &person_id, level, now).await?;
    drop(conn);
    Ok(sessions::start(
        db,
        municipality_id,
        Subject::Account(account),
        method,
        level,
        now,
    )
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn a_door_is_on_only_when_its_issuer_is_set_and_then_needs_its_client() {
        assert_eq!(DoorConfig::from_lookup(&env(&[])), Ok(vec![]));
        assert_eq!(
            DoorConfig::from_lookup(&env(&[("LOKET_DIGID_ISSUER", "https://broker.example")])),
            Err(DoorConfigError::Missing {
                prefix: "LOKET_DIGID",
                missing: "CLIENT_ID"
            })
        );
        let doors = DoorConfig::from_lookup(&env(&[
            ("LOKET_DIGID_ISSUER", "https://broker.example/"),
            ("LOKET_DIGID_CLIENT_ID", "loket"),
            ("LOKET_DIGID_CLIENT_SECRET", "secret"),
        ]))
        .unwrap();
        assert_eq!(doors.len(), 1);
        assert_eq!(doors[0].issuer, "https://broker.example");
        assert_eq!(doors[0].bsn_claim, "bsn");
        assert_eq!(doors[0].scopes, vec!["openid"]);
    }

    #[test]
    fn a_private_key_takes_the_place_of_the_secret_and_must_be_a_p256_pem() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("key.pem");
        let pem = jwt_simple::prelude::ES256KeyPair::generate()
            .to_pem()
            .unwrap();
        std::fs::write(&good, &pem).unwrap();
        let bad = dir.path().join("not-a-key.pem");
        std::fs::write(&bad, "-----BEGIN NOTHING-----").unwrap();
        let with = |path: &std::path::Path| {
            DoorConfig::from_lookup(&env(&[
                ("LOKET_DIGID_ISSUER", "https://broker.example"),
                ("LOKET_DIGID_CLIENT_ID", "loket"),
                ("LOKET_DIGID_PRIVATE_KEY_FILE", path.to_str().unwrap()),
                ("LOKET_DIGID_KEY_ID", "sleutel-1"),
            ]))
        };
        let doors = with(&good).unwrap();
        let key = doors[0].private_key.as_ref().unwrap();
        assert_eq!(
            (key.pem.as_str(), key.key_id.as_deref()),
            (pem.as_str(), Some("sleutel-1"))
        );
        assert_eq!(doors[0].client_secret, "");
        assert!(
            !format!("{key:?}").contains("PRIVATE KEY"),
            "Debug never shows the key"
        );
        for path in [bad.as_path(), dir.path().join("missing.pem").as_path()] {
            assert!(
                matches!(with(path), Err(DoorConfigError::PrivateKey { .. })),
                "{path:?}"
            );
        }
    }

    #[test]
    fn the_default_table_reads_digid_levels_as_the_standard_says() {
        let door = DoorConfig {
            kind: DoorKind::Digid,
            issuer: String::new(),
            client_id: String::new(),
            client_secret: String::new(),
            private_key: None,
            scopes: vec![],
            bsn_claim: String::new(),
            kvk_claim: String::new(),
            branch_claim: String::new(),
            acting_claim: String::new(),
            represented_claim: String::new(),
            levels: DoorKind::Digid.default_levels(),
        };
        let saml = "urn:oasis:names:tc:SAML:2.0:ac:classes:";
        assert_eq!(
            door.level_of(&format!("{saml}PasswordProtectedTransport")),
            Some(Assurance::Low)
        );
        assert_eq!(
            door.level_of(&format!("{saml}MobileTwoFactorContract")),
            Some(Assurance::Low)
        );
        assert_eq!(
            door.level_of(&format!("{saml}Smartcard")),
            Some(Assurance::Substantial)
        );
        assert_eq!(
            door.level_of(&format!("{saml}SmartcardPKI")),
            Some(Assurance::High)
        );
        assert_eq!(door.level_of("urn:something:else"), None);
    }

    #[test]
    fn an_operators_level_table_is_read_or_refused_whole() {
        assert_eq!(
            parse_levels("urn:a=laag, urn:b = substantieel,urn:c=hoog"),
            Some(vec![
                ("urn:a".to_owned(), Assurance::Low),
                ("urn:b".to_owned(), Assurance::Substantial),
                ("urn:c".to_owned(), Assurance::High),
            ])
        );
        assert_eq!(parse_levels("urn:a=midden"), None);
        assert_eq!(parse_levels("=laag"), None);
        assert_eq!(parse_levels(""), None);
        assert!(matches!(
            DoorConfig::from_lookup(&env(&[
                ("LOKET_DIGID_ISSUER", "https://broker.example"),
                ("LOKET_DIGID_CLIENT_ID", "loket"),
                ("LOKET_DIGID_CLIENT_SECRET", "secret"),
                ("LOKET_DIGID_LEVELS", "urn:a"),
            ])),
            Err(DoorConfigError::Levels { .. })
        ));
    }
}
