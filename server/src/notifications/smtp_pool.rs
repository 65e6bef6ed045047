//! Pooled SMTP connections with `TCP_NODELAY`, for relays reached over `smtp://` (plain or STARTTLS).
//!
//! lettre 0.11.23's own pool writes the message body and the closing `.` as two writes on a socket with Nagle
//! on, so every message waits for the relay's delayed ACK (~40 ms; fixed upstream in lettre PR #1159, not yet
//! released). Here lettre still speaks SMTP ([`AsyncSmtpConnection`]), but over a socket Loket opened with
//! `TCP_NODELAY`. `smtps://` (TLS from the first byte) keeps lettre's transport, which can open that itself.

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::Error;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::{Mutex, Semaphore};

/// How the connection is secured after the greeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StartTls {
    No,
    /// `tls=required`: refuse a relay without STARTTLS.
    Required,
    /// `tls=opportunistic`: use it when the relay offers it.
    Opportunistic,
}

pub struct SmtpPool {
    host: String,
    port: u16,
    starttls: StartTls,
    credentials: Option<Credentials>,
    hello: ClientId,
    step_timeout: Duration,
    idle: Mutex<Vec<AsyncSmtpConnection>>,
    /// At most this many connections are in use at once.
    slots: Semaphore,
}

impl SmtpPool {
    /// A pool for `url` when it is a `smtp://` URL (lettre's form); `None` for anything else (`smtps://`), which
    /// lettre's own transport handles.
    pub fn for_url(url: &str, size: u32, step_timeout: Duration) -> Option<SmtpPool> {
        let parsed = url::Url::parse(url).ok()?;
        if parsed.scheme() != "smtp" {
            return None;
        }
        let tls = parsed
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.to_string());
        let (starttls, default_port) = match tls.as_deref() {
            None => (StartTls::No, 25),
            Some("required") => (StartTls::Required, 587),
            Some("opportunistic") => (StartTls::Opportunistic, 587),
            Some(_) => return None,
        };
        let host = parsed.host_str()?.to_owned();
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|v| v.into_owned())
                .ok()
        };
        let credentials = match parsed.password() {
            Some(password) => Some(Credentials::new(
                decode(parsed.username())?,
                decode(password)?,
            )),
            None => None,
        };
        let hello = if parsed.path().len() > 1 {
            ClientId::Domain(parsed.path().trim_matches('/').to_owned())
        } else {
            ClientId::default()
        };
        Some(SmtpPool {
            port: parsed.port().unwrap_or(default_port),
            host,
            starttls,
            credentials,
            hello,
            step_timeout,
            idle: Mutex::new(Vec::new()),
            slots: Semaphore::new(usize::try_from(size.max(1)).unwrap_or(1)),
        })
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, PoolError> {
        let stream = tokio::time::timeout(
            self.step_timeout,
            TcpStream::connect((self.host.as_str(), self.port)),
        )
        .await
        .map_err(|_| PoolError::Network("SMTP timeout"))?
        .map_err(|_| PoolError::Network("SMTP connection failed"))?;
        stream
            .set_nodelay(true)
            .map_err(|_| PoolError::Network("SMTP connection failed"))?;
        let mut conn = tokio::time::timeout(
            self.step_timeout,
            AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello),
        )
        .await
        .map_err(|_| PoolError::Network("SMTP timeout"))??;
        let secure = match self.starttls {
            StartTls::No => false,
            StartTls::Required => true,
            StartTls::Opportunistic => conn.can_starttls(),
        };
        if secure {
            let parameters = TlsParameters::new(self.host.clone())?;
            conn.starttls(parameters, &self.hello).await?;
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await?;
        }
        Ok(conn)
    }

    /// Sends one message. A pooled connection the relay closed while idle is replaced once, at once.
    pub async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<(), PoolError> {
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| PoolError::Network("SMTP pool closed"))?;
        let pooled = self.idle.lock().await.pop();
        if let Some(mut conn) = pooled {
            match conn.send(envelope, message).await {
                Ok(_) => {
                    self.idle.lock().await.push(conn);
                    return Ok(());
                }
                // The relay answered: that answer stands (a refusal is not a broken connection).
                Err(error) if error.status().is_some() => {
                    self.keep_or_drop(conn).await;
                    return Err(PoolError::Smtp(error));
                }
                // Closed while idle (or broken): try once more on a new connection.
                Err(_) => conn.abort().await,
            }
        }
        let mut conn = self.connect().await?;
        let sent = conn.send(envelope, message).await;
        self.keep_or_drop(conn).await;
        sent.map(|_| ()).map_err(PoolError::Smtp)
    }

    async fn keep_or_drop(&self, mut conn: AsyncSmtpConnection) {
        if conn.has_broken() {
            conn.abort().await;
        } else {
            self.idle.lock().await.push(conn);
        }
    }
}

/// Why a send through the pool failed: the relay's answer (or lettre's protocol error), or the network.
#[derive(Debug)]
pub enum PoolError {
    Smtp(Error),
    Network(&'static str),
}

impl From<Error> for PoolError {
    fn from(error: Error) -> PoolError {
        PoolError::Smtp(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_starttls_urls_get_a_pool_and_smtps_keeps_lettres_transport() {
        let step = Duration::from_secs(10);
        let plain = SmtpPool::for_url("smtp://127.0.0.1:2525", 4, step).unwrap();
        assert_eq!((plain.port, plain.starttls), (2525, StartTls::No));
        let submission =
            SmtpPool::for_url("smtp://user:p%40ss@relay.example.nl?tls=required", 4, step).unwrap();
        assert_eq!(
            (submission.port, submission.starttls),
            (587, StartTls::Required)
        );
        assert!(submission.credentials.is_some());
        assert!(SmtpPool::for_url("smtps://relay.example.nl", 4, step).is_none());
        assert!(SmtpPool::for_url("smtp://relay.example.nl?tls=maybe", 4, step).is_none());
    }
}
