//! E-mail and SMS through a NotifyNL / GOV.UK Notify-compatible API: `POST /v2/notifications/email` and
//! `/sms` with a template id and personalisation, `GET /v2/notifications/{id}` for the delivery report.
//! Every request carries `Authorization: Bearer <JWT>`, a JWT signed with HS256 by the API key's secret, with
//! the service id as `iss` and the current time as `iat` (the service accepts tokens up to 30 s old).
//!
//! The Notify template holds nothing but placeholders: Loket's own rendered text goes in as `((onderwerp))`
//! and `((tekst))` (e-mail) or `((tekst))` (SMS), so the safe-field rule of [`super::templates`] holds for
//! messages that go through a provider too. The message id goes along as `reference`.

use super::channels::{ChannelsError, Outgoing, SendError, Sent};
use jwt_simple::prelude::{Claims, HS256Key, MACLike};
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

/// The API key is `{key name}-{service id}-{secret}`, both ids being 36-character UUIDs.
const UUID_LEN: usize = 36;
/// How long a signed token may be used; the service allows 30 s of clock difference.
const TOKEN_VALID: u64 = 30;

pub struct NotifyApi {
    client: reqwest::Client,
    base_url: String,
    service_id: String,
    key: HS256Key,
    email_template: Option<String>,
    sms_template: Option<String>,
}

/// What the provider knows about a message it accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Receipt {
    /// Still on its way (created, sending, pending).
    Pending,
    /// The recipient's provider accepted it.
    Delivered,
    /// It will not arrive; the provider's status word says why.
    Failed(String),
}

#[derive(Deserialize)]
struct Created {
    id: String,
}

#[derive(Deserialize)]
struct Status {
    status: String,
}

fn config_error(message: String) -> ChannelsError {
    ChannelsError::Notify(message)
}

impl NotifyApi {
    /// `base_url` is the API's root (`LOKET_NOTIFY_URL`), `api_key` the key the service issued
    /// (`LOKET_NOTIFY_API_KEY`); at least one template id must be given.
    pub fn new(
        base_url: &str,
        api_key: &str,
        email_template: Option<String>,
        sms_template: Option<String>,
    ) -> Result<NotifyApi, ChannelsError> {
        if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
            return Err(config_error(format!(
                "LOKET_NOTIFY_URL={base_url:?} must start with https://, for example https://api.notifynl.nl."
            )));
        }
        let key = api_key.trim();
        let well_formed = key.len() > 2 * UUID_LEN + 2 && key.is_ascii();
        if !well_formed {
            return Err(config_error(String::from(
                "LOKET_NOTIFY_API_KEY is not a Notify API key: expected {key name}-{service id}-{secret}.",
            )));
        }
        let secret = &key[key.len() - UUID_LEN..];
        let service_id = &key[key.len() - 2 * UUID_LEN - 1..key.len() - UUID_LEN - 1];
        if email_template.is_none() && sms_template.is_none() {
            return Err(config_error(String::from(
                "LOKET_NOTIFY_API_KEY is set but no template: set LOKET_NOTIFY_EMAIL_TEMPLATE and/or LOKET_NOTIFY_SMS_TEMPLATE.",
            )));
        }
        let client = reqwest::Client::builder()
            // A redirect would send the request (and its credentials) to an address nobody configured.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| config_error(format!("cannot start the HTTP client: {e}")))?;
        Ok(NotifyApi {
            client,
            base_url: base_url.trim_end_matches('/').to_owned(),
            service_id: service_id.to_owned(),
            key: HS256Key::from_bytes(secret.as_bytes()),
            email_template,
            sms_template,
        })
    }

    pub fn sends_email(&self) -> bool {
        self.email_template.is_some()
    }

    pub fn sends_sms(&self) -> bool {
        self.sms_template.is_some()
    }

    fn token(&self) -> Result<String, SendError> {
        let claims = Claims::create(TOKEN_VALID.into()).with_issuer(&self.service_id);
        self.key
            .authenticate(claims)
            .map_err(|e| SendError::Transient(format!("cannot sign the Notify token: {e}")))
    }

    pub async fn send_email(&self, out: &Outgoing<'_>) -> Result<Sent, SendError> {
        let template = self.email_template.as_deref().unwrap_or_default();
        let body = json!({
            "email_address": out.to,
            "template_id": template,
            "personalisation": { "onderwerp": out.content.subject, "tekst": out.content.text },
            "reference": out.id,
        });
        self.create("email", &body).await
    }

    pub async fn send_sms(&self, out: &Outgoing<'_>) -> Result<Sent, SendError> {
        let template = self.sms_template.as_deref().unwrap_or_default();
        let body = json!({
            "phone_number": out.to,
            "template_id": template,
            "personalisation": { "tekst": out.content.sms },
            "reference": out.id,
        });
        self.create("sms", &body).await
    }

    async fn create(&self, route: &str, body: &serde_json::Value) -> Result<Sent, SendError> {
        let response = self
            .client
            .post(format!("{}/v2/notifications/{route}", self.base_url))
            .bearer_auth(self.token()?)
            .json(body)
            .send()
            .await
            .map_err(|e| SendError::Transient(transport_reason(&e)))?;
        let status = response.status().as_u16();
        match status {
            200..=299 => {
                let created: Created = response.json().await.map_err(|_| {
                    SendError::Transient(String::from("Notify answered without an id"))
                })?;
                Ok(Sent {
                    provider_ref: Some(created.id),
                })
            }
            // The recipient or the request is refused (ValidationError, BadRequestError): no retry helps.
            400 => Err(SendError::Permanent(String::from("Notify 400"))),
            // 403 is our key or clock, 429 the rate limit, 5xx the service: worth retrying until the deadline,
            // so fixing the key delivers what is waiting.
            _ => Err(SendError::Transient(format!("Notify {status}"))),
        }
    }

    /// The delivery report of message `id`.
    pub async fn status(&self, id: &str) -> Result<Receipt, SendError> {
        let response = self
            .client
            .get(format!("{}/v2/notifications/{id}", self.base_url))
            .bearer_auth(self.token()?)
            .send()
            .await
            .map_err(|e| SendError::Transient(transport_reason(&e)))?;
        let code = response.status().as_u16();
        if !(200..=299).contains(&code) {
            return Err(SendError::Transient(format!("Notify {code}")));
        }
        let status: Status = response
            .json()
            .await
            .map_err(|_| SendError::Transient(String::from("Notify answered without a status")))?;
        Ok(match status.status.as_str() {
            "delivered" => Receipt::Delivered,
            "permanent-failure" | "temporary-failure" | "technical-failure"
            | "validation-failed" | "virus-scan-failed" => Receipt::Failed(status.status),
            _ => Receipt::Pending,
        })
    }
}

/// A transport failure without the URL's query or anything the request carried.
pub(super) fn transport_reason(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        String::from("HTTP timeout")
    } else if error.is_connect() {
        String::from("HTTP connection failed")
    } else {
        String::from("HTTP request failed")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "loket_test-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0";

    #[test]
    fn the_api_key_splits_into_service_id_and_secret() {
        let api = NotifyApi::new(
            "https://api.notifynl.nl",
            KEY,
            Some(String::from("e-mail")),
            None,
        )
        .unwrap();
        assert_eq!(api.service_id, "26785a09-ab16-4eb0-8407-a37497a57506");
        assert!(api.sends_email() && !api.sends_sms());
        let token = api.token().unwrap();
        let check = HS256Key::from_bytes(b"3d844edf-8d35-48ac-975b-e847b4f122b0");
        let claims = check
            .verify_token::<jwt_simple::prelude::NoCustomClaims>(&token, None)
            .unwrap();
        assert_eq!(
            claims.issuer.as_deref(),
            Some("26785a09-ab16-4eb0-8407-a37497a57506")
        );
        assert!(claims.issued_at.is_some());
    }

    #[test]
    fn a_short_key_or_no_template_is_refused_with_the_variable_named() {
        let short = NotifyApi::new("https://x", "abc", Some(String::from("t")), None);
        assert!(short
            .err()
            .is_some_and(|e| e.to_string().starts_with("LOKET_NOTIFY_API_KEY")));
        let none = NotifyApi::new("https://x", KEY, None, None);
        assert!(none
            .err()
            .is_some_and(|e| e.to_string().contains("LOKET_NOTIFY_EMAIL_TEMPLATE")));
        let url = NotifyApi::new("ftp://x", KEY, None, Some(String::from("t")));
        assert!(url
            .err()
            .is_some_and(|e| e.to_string().starts_with("LOKET_NOTIFY_URL")));
    }
}
