//! Loopback stand-ins for the internet services Loket talks to, speaking their documented protocols:
//!
//! - a Notify API (NotifyNL / GOV.UK Notify v2): `POST /v2/notifications/{email,sms}` and
//!   `GET /v2/notifications/{id}`, with the service's JWT check (HS256 with the key's secret, `iss` = service
//!   id, `iat` at most 30 s old) and its error bodies. Recipients containing `onbekend` are refused (400);
//!   numbers ending in `0000` and addresses containing `bounce` are accepted and later reported as
//!   `permanent-failure`; everything else is reported `delivered`.
//! - a web push service (RFC 8030): `POST /push/{id}` stores the request (headers and encrypted body) and
//!   answers 201, or 410 for ids starting with `gone`.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use web_push_native::jwt_simple::prelude::{HS256Key, MACLike, NoCustomClaims};

pub const SERVICE_ID: &str = "26785a09-ab16-4eb0-8407-a37497a57506";
pub const SECRET: &str = "3d844edf-8d35-48ac-975b-e847b4f122b0";
pub const EMAIL_TEMPLATE: &str = "1b6e3a8c-0f4e-4b7e-9c0e-6a1d2f3e4b5c";
pub const SMS_TEMPLATE: &str = "7c2d9e1f-3a4b-4c5d-8e6f-0a1b2c3d4e5f";

/// An API key as the Notify service issues them: `{name}-{service id}-{secret}`.
pub fn api_key() -> String {
    format!("loket_test-{SERVICE_ID}-{SECRET}")
}

/// One accepted notification as the Notify API stored it.
#[derive(Clone, Debug)]
pub struct NotifyRequest {
    pub id: String,
    /// `email` or `sms`.
    pub route: String,
    pub body: Value,
    pub status: String,
}

#[derive(Default)]
struct NotifyState {
    accepted: Mutex<Vec<NotifyRequest>>,
    refused_tokens: Mutex<usize>,
}

pub struct NotifyApiServer {
    pub url: String,
    state: Arc<NotifyState>,
}

impl NotifyApiServer {
    pub async fn start() -> NotifyApiServer {
        let state = Arc::new(NotifyState::default());
        let router = Router::new()
            .route("/v2/notifications/{route}", post(create))
            .route("/v2/notifications/{route}", get(status))
            .with_state(state.clone());
        let url = serve(router).await;
        NotifyApiServer { url, state }
    }

    pub fn accepted(&self) -> Vec<NotifyRequest> {
        self.state.accepted.lock().unwrap().clone()
    }

    pub fn refused_tokens(&self) -> usize {
        *self.state.refused_tokens.lock().unwrap()
    }
}

pub(crate) async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
}

fn error(status: StatusCode, kind: &str, message: &str) -> (StatusCode, Json<Value>) {
    (
        status,
        Json(json!({
            "status_code": status.as_u16(),
            "errors": [{ "error": kind, "message": message }]
        })),
    )
}

/// The service's check: a Bearer JWT, HS256 with the secret, issued by the service id, not older than 30 s.
fn authorised(state: &NotifyState, headers: &HeaderMap) -> Result<(), (StatusCode, Json<Value>)> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let valid = token.is_some_and(|token| {
        HS256Key::from_bytes(SECRET.as_bytes())
            .verify_token::<NoCustomClaims>(token, None)
            .is_ok_and(|claims| {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                claims.issuer.as_deref() == Some(SERVICE_ID)
                    && claims
                        .issued_at
                        .is_some_and(|iat| iat.as_secs() + 30 >= now && iat.as_secs() <= now + 30)
            })
    });
    if valid {
        Ok(())
    } else {
        *state.refused_tokens.lock().unwrap() += 1;
        Err(error(
            StatusCode::FORBIDDEN,
            "AuthError",
            "Invalid token: API key not found",
        ))
    }
}

async fn create(
    State(state): State<Arc<NotifyState>>,
    Path(route): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    if let Err(refused) = authorised(&state, &headers) {
        return refused;
    }
    let (field, template) = match route.as_str() {
        "email" => ("email_address", EMAIL_TEMPLATE),
        "sms" => ("phone_number", SMS_TEMPLATE),
        _ => return error(StatusCode::NOT_FOUND, "NotFound", "Not found"),
    };
    let recipient = body[field].as_str().unwrap_or_default().to_owned();
    if recipient.is_empty() || recipient.contains("onbekend") {
        return error(
            StatusCode::BAD_REQUEST,
            "ValidationError",
            &format!("{field} Not a valid {route} address"),
        );
    }
    if body["template_id"].as_str() != Some(template) {
        return error(
            StatusCode::BAD_REQUEST,
            "BadRequestError",
            "Template not found",
        );
    }
    let status = if recipient.ends_with("0000") || recipient.contains("bounce") {
        "permanent-failure"
    } else {
        "delivered"
    };
    let id = format!(
        "{:08x}-0000-4000-8000-{:012x}",
        rand::random::<u32>(),
        rand::random::<u64>() >> 16
    );
    state.accepted.lock().unwrap().push(NotifyRequest {
        id: id.clone(),
        route: route.clone(),
        body: body.clone(),
        status: status.to_owned(),
    });
    (
        StatusCode::CREATED,
        Json(json!({
            "id": id,
            "reference": body["reference"],
            "content": { "body": body["personalisation"]["tekst"], "from_number": "Loket" },
            "uri": format!("/v2/notifications/{id}"),
            "template": { "id": template, "version": 1, "uri": format!("/v2/template/{template}") }
        })),
    )
}

async fn status(
    State(state): State<Arc<NotifyState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> (StatusCode, Json<Value>) {
    if let Err(refused) = authorised(&state, &headers) {
        return refused;
    }
    let found = state
        .accepted
        .lock()
        .unwrap()
        .iter()
        .find(|n| n.id == id)
        .cloned();
    match found {
        Some(n) => (
            StatusCode::OK,
            Json(
                json!({ "id": n.id, "reference": n.body["reference"], "status": n.status, "type": n.route }),
            ),
        ),
        None => error(StatusCode::NOT_FOUND, "NoResultFound", "No result found"),
    }
}

/// One request the push service received.
#[derive(Clone, Debug)]
pub struct PushRequest {
    pub path_id: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

pub struct PushServer {
    pub url: String,
    received: Arc<Mutex<Vec<PushRequest>>>,
}

impl PushServer {
    pub async fn start() -> PushServer {
        let received: Arc<Mutex<Vec<PushRequest>>> = Arc::default();
        let router = Router::new()
            .route("/push/{id}", post(push))
            .with_state(received.clone());
        let url = serve(router).await;
        PushServer { url, received }
    }

    pub fn received(&self) -> Vec<PushRequest> {
        self.received.lock().unwrap().clone()
    }

    /// The endpoint a browser subscribed to this service would get.
    pub fn endpoint(&self, id: &str) -> String {
        format!("{}/push/{id}", self.url)
    }
}

async fn push(
    State(received): State<Arc<Mutex<Vec<PushRequest>>>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    received.lock().unwrap().push(PushRequest {
        path_id: id.clone(),
        headers,
        body: body.to_vec(),
    });
    if id.starts_with("gone") {
        StatusCode::GONE
    } else {
        StatusCode::CREATED
    }
}

/// A browser's push subscription keys, and RFC 8291 decryption done step by step from the RFC (not with the
/// sender's code), so the test proves the encryption, not merely that both sides agree.
pub mod browser {
    use aes_gcm::aead::{Aead, KeyInit, OsRng};
    use aes_gcm::{Aes128Gcm, Nonce};
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use hkdf::Hkdf;
    use sha2::Sha256;
    use web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint;
    use web_push_native::p256::{ecdh, PublicKey, SecretKey};

    pub struct Subscription {
        secret: SecretKey,
        auth: [u8; 16],
    }

    impl Subscription {
        pub fn new() -> Subscription {
            Subscription {
                secret: SecretKey::random(&mut OsRng),
                auth: rand::random(),
            }
        }

        /// `p256dh` as the browser reports it: the uncompressed public key, base64url.
        pub fn p256dh(&self) -> String {
            URL_SAFE_NO_PAD.encode(self.public_bytes())
        }

        pub fn auth(&self) -> String {
            URL_SAFE_NO_PAD.encode(self.auth)
        }

        fn public_bytes(&self) -> Vec<u8> {
            self.secret
                .public_key()
                .to_encoded_point(false)
                .as_bytes()
                .to_vec()
        }

        /// RFC 8291 §3.4 and RFC 8188: header (salt, rs, keyid = sender's public key), then one record.
        pub fn decrypt(&self, body: &[u8]) -> Vec<u8> {
            let salt = &body[..16];
            let rs = u32::from_be_bytes(body[16..20].try_into().unwrap());
            let idlen = usize::from(body[20]);
            let as_public_bytes = &body[21..21 + idlen];
            let ciphertext = &body[21 + idlen..];
            assert!(ciphertext.len() <= rs as usize, "one record");
            let as_public = PublicKey::from_sec1_bytes(as_public_bytes).unwrap();
            let shared =
                ecdh::diffie_hellman(self.secret.to_nonzero_scalar(), as_public.as_affine());
            // IKM = HKDF(salt = auth, ikm = ECDH secret, info = "WebPush: info" 0x00 ua_public as_public, 32)
            let mut info = b"WebPush: info\0".to_vec();
            info.extend_from_slice(&self.public_bytes());
            info.extend_from_slice(as_public_bytes);
            let mut ikm = [0u8; 32];
            Hkdf::<Sha256>::new(Some(&self.auth), shared.raw_secret_bytes().as_ref())
                .expand(&info, &mut ikm)
                .unwrap();
            let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
            let mut cek = [0u8; 16];
            prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
                .unwrap();
            let mut nonce = [0u8; 12];
            prk.expand(b"Content-Encoding: nonce\0", &mut nonce)
                .unwrap();
            let mut plain = Aes128Gcm::new_from_slice(&cek)
                .unwrap()
                .decrypt(Nonce::from_slice(&nonce), ciphertext)
                .expect("the push body decrypts with the subscription's keys");
            // Padding: the last record ends with 0x02, then zero or more 0x00.
            while plain.last() == Some(&0) {
                plain.pop();
            }
            assert_eq!(plain.pop(), Some(2), "last-record delimiter");
            plain
        }
    }

    impl Default for Subscription {
        fn default() -> Self {
            Subscription::new()
        }
    }
}
