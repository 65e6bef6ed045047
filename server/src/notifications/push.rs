//! Web push (RFC 8030) to the push service of a resident's browser: the payload is encrypted for that browser
//! (RFC 8291, `aes128gcm`, by `web-push-native`), the request is signed with Loket's VAPID key (RFC 8292),
//! `TTL` is bounded by the message's deadline, `Topic` lets a newer message about the same thing replace an
//! older one still waiting at the push service, and `Urgency` is high only for verification codes.
//!
//! The endpoint URL comes from the browser, so Loket only posts to the push services it knows
//! ([`PushServices`], `LOKET_PUSH_SERVICES`) and only over HTTPS (plain HTTP only to loopback, for tests):
//! a subscription cannot make Loket call an arbitrary server.

use super::channels::{ChannelsError, Outgoing, SendError, Sent};
use super::notify_api::transport_reason;
use crate::storage::Db;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jwt_simple::prelude::{Claims, ECDSAP256KeyPairLike, ECDSAP256PublicKeyLike, ES256KeyPair};
use serde::Serialize;
use std::time::Duration;
use web_push_native::{p256, Auth, WebPushBuilder};

/// RFC 8291: a push message body of 4096 bytes leaves 3,993 for the payload after the header and padding.
pub const MAX_PAYLOAD: usize = 3993;
/// Push services keep a message at most this long; longer TTLs are cut to it.
const MAX_TTL: Duration = Duration::from_secs(28 * 24 * 3600);
/// A VAPID token stays valid this long (RFC 8292 allows at most 24 hours).
const VAPID_VALID: u64 = 12 * 3600;
const APP_META_KEY: &str = "vapid-private-key";

/// The push services Loket sends to, as host names; a host matches itself and its subdomains.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushServices(Vec<String>);

impl Default for PushServices {
    /// The push services of Chrome/Edge/Android, Firefox, Windows and Safari/iOS.
    fn default() -> PushServices {
        PushServices::parse(
            "fcm.googleapis.com,updates.push.services.mozilla.com,notify.windows.com,push.apple.com",
        )
    }
}

impl PushServices {
    pub fn parse(list: &str) -> PushServices {
        PushServices(
            list.split(',')
                .map(|h| h.trim().trim_start_matches('.').to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
        )
    }

    /// Whether Loket may post to `endpoint`: HTTPS to a known push service, or HTTP to a known loopback host.
    pub fn allows(&self, endpoint: &str) -> bool {
        let Ok(uri) = endpoint.parse::<http::Uri>() else {
            return false;
        };
        let Some(host) = uri.host().map(str::to_ascii_lowercase) else {
            return false;
        };
        let loopback = host == "127.0.0.1" || host == "localhost" || host == "[::1]";
        let scheme_ok = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => loopback,
            _ => false,
        };
        scheme_ok
            && endpoint.len() <= 1024
            && self
                .0
                .iter()
                .any(|known| host == *known || host.ends_with(&format!(".{known}")))
    }
}

/// What the service worker shows: a title, one sentence and the Loket page to open. Nothing else.
#[derive(Serialize, Debug, PartialEq, Eq)]
pub struct Payload<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub url: &'a str,
}

pub struct PushSender {
    client: reqwest::Client,
    key: ES256KeyPair,
    public_key: String,
    /// `mailto:` or `https:` contact for push services (RFC 8292 `sub`).
    subject: String,
    services: PushServices,
}

impl PushSender {
    pub fn new(
        key: ES256KeyPair,
        subject: &str,
        services: PushServices,
    ) -> Result<PushSender, ChannelsError> {
        let client = reqwest::Client::builder()
            // A redirect would send the request (and its credentials) to an address nobody configured.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| ChannelsError::Push(format!("cannot start the HTTP client: {e}")))?;
        Ok(PushSender {
            client,
            public_key: public_key(&key),
            key,
            subject: subject.to_owned(),
            services,
        })
    }

    /// The VAPID public key a browser subscribes with (`applicationServerKey`), base64url.
    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    fn vapid(&self, endpoint: &http::Uri) -> Result<String, SendError> {
        let origin = match (endpoint.scheme_str(), endpoint.authority()) {
            (Some(scheme), Some(authority)) => format!("{scheme}://{authority}"),
            _ => {
                return Err(SendError::Permanent(String::from(
                    "endpoint without origin",
                )))
            }
        };
        let claims = Claims::create(VAPID_VALID.into())
            .with_audience(origin)
            .with_subject(&self.subject);
        let token = self
            .key
            .sign(claims)
            .map_err(|e| SendError::Transient(format!("cannot sign the VAPID token: {e}")))?;
        Ok(format!("vapid t={token}, k={}", self.public_key))
    }

    pub async fn send(&self, out: &Outgoing<'_>) -> Result<Sent, SendError> {
        if !self.services.allows(out.to) {
            return Err(SendError::Permanent(String::from(
                "not a known push service",
            )));
        }
        let endpoint: http::Uri = out
            .to
            .parse()
            .map_err(|_| SendError::Permanent(String::from("not an endpoint URL")))?;
        let (p256dh, auth) = out
            .push_keys
            .ok_or_else(|| SendError::Permanent(String::from("subscription without keys")))?;
        let ua_public = URL_SAFE_NO_PAD
            .decode(p256dh)
            .ok()
            .and_then(|bytes| p256::PublicKey::from_sec1_bytes(&bytes).ok())
            .ok_or_else(|| SendError::Permanent(String::from("unusable p256dh key")))?;
        let auth = URL_SAFE_NO_PAD
            .decode(auth)
            .ok()
            .filter(|bytes| bytes.len() == 16)
            .map(|bytes| Auth::clone_from_slice(&bytes))
            .ok_or_else(|| SendError::Permanent(String::from("unusable auth secret")))?;
        let payload = out.content.push.as_bytes();
        if payload.len() > MAX_PAYLOAD {
            return Err(SendError::Permanent(String::from("payload too large")));
        }
        let ttl = out.ttl.min(MAX_TTL);
        let mut request = WebPushBuilder::new(endpoint.clone(), ua_public, auth)
            .with_valid_duration(ttl)
            .build(payload)
            .map_err(|e| SendError::Permanent(format!("cannot encrypt: {e}")))?;
        let headers = request.headers_mut();
        let vapid = self.vapid(&endpoint)?;
        for (name, value) in [
            ("authorization", vapid.as_str()),
            ("topic", out.topic),
            ("urgency", if out.urgent { "high" } else { "normal" }),
        ] {
            let value = http::HeaderValue::from_str(value)
                .map_err(|_| SendError::Permanent(String::from("unusable header")))?;
            headers.insert(name, value);
        }
        let request = reqwest::Request::try_from(request)
            .map_err(|_| SendError::Permanent(String::from("unusable request")))?;
        let response = self
            .client
            .execute(request)
            .await
            .map_err(|e| SendError::Transient(transport_reason(&e)))?;
        match response.status().as_u16() {
            200..=299 => Ok(Sent::default()),
            404 | 410 => Err(SendError::Gone(format!(
                "push {}",
                response.status().as_u16()
            ))),
            // 429 and 5xx: the service is busy or down.
            code @ (429 | 500..=599) => Err(SendError::Transient(format!("push {code}"))),
            code => Err(SendError::Permanent(format!("push {code}"))),
        }
    }
}

/// The base64url public key browsers subscribe with.
pub fn public_key(key: &ES256KeyPair) -> String {
    URL_SAFE_NO_PAD.encode(key.public_key().public_key().to_bytes_uncompressed())
}

/// Loket's VAPID key: `configured` (`LOKET_VAPID_PRIVATE_KEY`, the 32-byte private scalar in base64url), or
/// else one generated once and kept in the database, so every instance signs with the same key and browsers'
/// subscriptions stay valid across restarts.
pub async fn vapid_key(db: &Db, configured: Option<&str>) -> Result<ES256KeyPair, ChannelsError> {
    let bad = || {
        ChannelsError::Push(String::from(
            "LOKET_VAPID_PRIVATE_KEY is not a P-256 private key: give its 32 bytes in base64url (43 characters).",
        ))
    };
    let encoded = match configured {
        Some(value) => value.trim().to_owned(),
        None => {
            let storage =
                |e: sqlx::Error| ChannelsError::Push(format!("cannot keep the VAPID key: {e}"));
            let fresh = URL_SAFE_NO_PAD.encode(ES256KeyPair::generate().to_bytes());
            sqlx::query(
                "INSERT INTO app_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
            )
            .bind(APP_META_KEY)
            .bind(&fresh)
            .execute(&db.pool)
            .await
            .map_err(storage)?;
            let (stored,): (String,) = sqlx::query_as("SELECT value FROM app_meta WHERE key = $1")
                .bind(APP_META_KEY)
                .fetch_one(&db.pool)
                .await
                .map_err(storage)?;
            stored
        }
    };
    parse_vapid_key(&encoded).ok_or_else(bad)
}

/// A VAPID private key from its base64url form: exactly 32 bytes that are a P-256 scalar. Checked before
/// `from_bytes`, which does not take other lengths gracefully.
pub fn parse_vapid_key(encoded: &str) -> Option<ES256KeyPair> {
    let bytes = URL_SAFE_NO_PAD.decode(encoded.trim()).ok()?;
    if bytes.len() != 32 {
        return None;
    }
    ES256KeyPair::from_bytes(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_push_services_over_https_or_loopback_http_are_allowed() {
        let known = PushServices::default();
        assert!(known.allows("https://fcm.googleapis.com/fcm/send/abc"));
        assert!(known.allows("https://wns2-am3p.notify.windows.com/w/?token=x"));
        assert!(known.allows("https://web.push.apple.com/QGx"));
        assert!(!known.allows("http://fcm.googleapis.com/fcm/send/abc"));
        assert!(!known.allows("https://fcm.googleapis.com.evil.example/x"));
        assert!(!known.allows("https://evilnotify.windows.com.example/x"));
        assert!(!known.allows("https://169.254.169.254/latest/meta-data"));
        assert!(!known.allows("http://127.0.0.1:9000/push/1"));
        let tests = PushServices::parse("127.0.0.1");
        assert!(tests.allows("http://127.0.0.1:9000/push/1"));
        assert!(!tests.allows("http://10.0.0.1:9000/push/1"));
    }
}
