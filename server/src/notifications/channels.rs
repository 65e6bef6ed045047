//! Where messages go: e-mail through an SMTP relay (lettre, pooled, a timeout on every step), or — the
//! embedded default — files in the data dir (`outbox/mail/*.eml`, `outbox/sms/*.txt`). Every send reports
//! whether a failure is worth retrying ([`SendError::Transient`]) or not ([`SendError::Permanent`]).

use super::templates::Rendered;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }

    pub fn parse(value: &str) -> Option<Channel> {
        match value {
            "email" => Some(Channel::Email),
            "sms" => Some(Channel::Sms),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Try again later: the relay is down, busy or answered 4xx.
    #[error("transient: {0}")]
    Transient(String),
    /// Trying again will not help: the address is refused (5xx) or not an address.
    #[error("permanent: {0}")]
    Permanent(String),
}

/// One message ready to go. `id` is stable across retries (the e-mail `Message-ID`, the file name).
pub struct Outgoing<'a> {
    pub id: &'a str,
    pub channel: Channel,
    pub to: &'a str,
    pub content: &'a Rendered,
}

/// Each SMTP step (connect, greeting, each command) gets this long; the whole send gets [`SEND_TIMEOUT`].
const STEP_TIMEOUT: Duration = Duration::from_secs(10);
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

enum Mail {
    Files(PathBuf),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

pub struct Channels {
    mail: Mail,
    sms_dir: PathBuf,
    from: Mailbox,
    /// The domain part of every `Message-ID`.
    id_domain: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ChannelsError {
    #[error("LOKET_SMTP_URL cannot be used: {0}. Use e.g. smtp://relay.example.nl:587?tls=required or smtps://user:password@relay.example.nl.")]
    SmtpUrl(String),
    #[error("LOKET_MAIL_FROM={0:?} is not an e-mail address. Use e.g. LOKET_MAIL_FROM=\"Gemeente Voorbeeld <noreply@voorbeeld.nl>\".")]
    From(String),
}

impl Channels {
    /// Messages become files under `data_dir/outbox` (the embedded default).
    pub fn files(data_dir: &Path, from: &str, id_domain: &str) -> Result<Channels, ChannelsError> {
        Ok(Channels {
            mail: Mail::Files(data_dir.join("outbox").join("mail")),
            sms_dir: data_dir.join("outbox").join("sms"),
            from: parse_from(from)?,
            id_domain: id_domain.to_owned(),
        })
    }

    /// E-mail through the SMTP relay at `url` (lettre's URL form); SMS still as files until an SMS provider
    /// is configured.
    pub fn smtp(
        url: &str,
        data_dir: &Path,
        from: &str,
        id_domain: &str,
        pool_size: u32,
    ) -> Result<Channels, ChannelsError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| ChannelsError::SmtpUrl(e.to_string()))?
            .timeout(Some(STEP_TIMEOUT))
            .pool_config(PoolConfig::new().max_size(pool_size.max(1)))
            .build();
        Ok(Channels {
            mail: Mail::Smtp(transport),
            sms_dir: data_dir.join("outbox").join("sms"),
            from: parse_from(from)?,
            id_domain: id_domain.to_owned(),
        })
    }

    /// What a staff page or a log line may say about the mail route, without credentials.
    pub fn describe(&self) -> &'static str {
        match self.mail {
            Mail::Files(_) => "files in the data dir",
            Mail::Smtp(_) => "SMTP relay",
        }
    }

    /// The `Message-ID` a message with this id carries, on every attempt.
    pub fn message_id(&self, id: &str) -> String {
        format!("<{id}@{}>", self.id_domain)
    }

    pub async fn send(&self, out: &Outgoing<'_>) -> Result<(), SendError> {
        match out.channel {
            Channel::Email => self.send_mail(out).await,
            Channel::Sms => {
                let body = format!("To: {}\n\n{}\n", out.to, out.content.sms);
                write_file(&self.sms_dir, &format!("{}.txt", out.id), body.as_bytes()).await
            }
        }
    }

    async fn send_mail(&self, out: &Outgoing<'_>) -> Result<(), SendError> {
        let to: Mailbox = out
            .to
            .parse()
            .map_err(|_| SendError::Permanent(String::from("not an e-mail address")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(out.content.subject.clone())
            .message_id(Some(self.message_id(out.id)))
            .multipart(MultiPart::alternative_plain_html(
                out.content.text.clone(),
                out.content.html.clone(),
            ))
            .map_err(|e| SendError::Permanent(e.to_string()))?;
        match &self.mail {
            Mail::Files(dir) => {
                write_file(dir, &format!("{}.eml", out.id), &message.formatted()).await
            }
            Mail::Smtp(transport) => {
                match tokio::time::timeout(SEND_TIMEOUT, transport.send(message)).await {
                    Err(_) => Err(SendError::Transient(String::from("SMTP send timed out"))),
                    Ok(Ok(_)) => Ok(()),
                    Ok(Err(e)) if e.is_permanent() => Err(SendError::Permanent(smtp_reason(&e))),
                    Ok(Err(e)) => Err(SendError::Transient(smtp_reason(&e))),
                }
            }
        }
    }
}

/// The relay's answer without the recipient (a 550 line may quote the address).
fn smtp_reason(error: &lettre::transport::smtp::Error) -> String {
    match error.status() {
        Some(code) => format!("SMTP {code}"),
        None if error.is_timeout() => String::from("SMTP timeout"),
        None => String::from("SMTP connection failed"),
    }
}

fn parse_from(from: &str) -> Result<Mailbox, ChannelsError> {
    from.parse()
        .map_err(|_| ChannelsError::From(from.to_owned()))
}

/// Writes atomically (temporary name, then rename), so a reader never sees half a message and a retry simply
/// replaces the file with the same content.
async fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), SendError> {
    let fail =
        |e: std::io::Error| SendError::Transient(format!("cannot write the message file: {e}"));
    tokio::fs::create_dir_all(dir).await.map_err(fail)?;
    let tmp = dir.join(format!(".{name}.tmp"));
    tokio::fs::write(&tmp, bytes).await.map_err(fail)?;
    tokio::fs::rename(&tmp, dir.join(name)).await.map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The SMTP pool starts a task, so building it needs a runtime (as in `loket run`).
    #[tokio::test]
    async fn a_wrong_smtp_url_or_sender_is_refused_with_the_variable_named() {
        let dir = std::env::temp_dir();
        let url = Channels::smtp(
            "http://relay.example.nl",
            &dir,
            "Loket <noreply@localhost>",
            "localhost",
            1,
        );
        assert!(matches!(&url, Err(ChannelsError::SmtpUrl(_))));
        assert!(url
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
            .starts_with("LOKET_SMTP_URL"));
        let from = Channels::files(&dir, "geen adres", "localhost");
        assert!(matches!(from, Err(ChannelsError::From(_))));
        let fine = Channels::smtp(
            "smtp://127.0.0.1:2525",
            &dir,
            "Loket <noreply@localhost>",
            "localhost",
            1,
        );
        assert!(fine.is_ok());
    }
}
