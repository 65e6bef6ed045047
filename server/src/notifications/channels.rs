//! Where messages go: e-mail through an SMTP relay (lettre, pooled, a timeout on every step) or the Notify
//! API ([`super::notify_api`]); SMS through the Notify API; web push to the browser's push service
//! ([`super::push`]); or — the embedded default for e-mail and SMS — files in the data dir
//! (`outbox/mail/*.eml`, `outbox/sms/*.txt`). Every send reports whether a failure is worth retrying
//! ([`SendError::Transient`]) or not ([`SendError::Permanent`], [`SendError::Gone`]).

use super::notify_api::{NotifyApi, Receipt};
use super::push::PushSender;
use super::smtp_pool::{PoolError, SmtpPool};
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
    Push,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Push => "push",
        }
    }

    pub fn parse(value: &str) -> Option<Channel> {
        match value {
            "email" => Some(Channel::Email),
            "sms" => Some(Channel::Sms),
            "push" => Some(Channel::Push),
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
    /// The push subscription no longer exists (404/410): forget it.
    #[error("gone: {0}")]
    Gone(String),
}

/// One message ready to go. `id` is stable across retries (the e-mail `Message-ID`, the provider's
/// reference, the file name).
pub struct Outgoing<'a> {
    pub id: &'a str,
    pub channel: Channel,
    /// E-mail address, mobile number or push endpoint.
    pub to: &'a str,
    pub content: &'a Rendered,
    /// Push only: the browser's keys (base64url P-256 public key and auth secret).
    pub push_keys: Option<(&'a str, &'a str)>,
    /// Push only: how long the push service may keep trying (bounded by the message's deadline).
    pub ttl: Duration,
    /// Push only: a newer message with the same topic replaces this one while it waits at the push service.
    pub topic: &'a str,
    /// Push only: deliver at once even to a sleeping device (verification codes).
    pub urgent: bool,
}

/// A send that succeeded; the provider's id when there is a provider to ask for a delivery report.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Sent {
    pub provider_ref: Option<String>,
}

/// Each SMTP step (connect, greeting, each command) gets this long; the whole send gets [`SEND_TIMEOUT`].
const STEP_TIMEOUT: Duration = Duration::from_secs(10);
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

enum Mail {
    Files(PathBuf),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// `smtp://` relays: lettre over Loket's own `TCP_NODELAY` sockets (see [`super::smtp_pool`]).
    SmtpPool(SmtpPool),
    Notify,
}

enum Sms {
    Files(PathBuf),
    Notify,
}

pub struct Channels {
    mail: Mail,
    sms: Sms,
    notify: Option<NotifyApi>,
    push: Option<PushSender>,
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
    #[error("{0}")]
    Notify(String),
    #[error("{0}")]
    Push(String),
}

/// Where the files route writes messages of `channel` (e-mail and SMS only).
pub fn outbox_dir(data_dir: &Path, channel: Channel) -> PathBuf {
    let sub = match channel {
        Channel::Email => "mail",
        Channel::Sms | Channel::Push => "sms",
    };
    data_dir.join("outbox").join(sub)
}

/// A message the files route wrote, as the staff development page lists it.
#[derive(Clone, Debug)]
pub struct FileMessage {
    pub id: String,
    pub channel: Channel,
    pub to: String,
    pub subject: Option<String>,
    pub text: String,
    pub written_at: std::time::SystemTime,
}

/// The newest `limit` messages in `dirs` (the `.txt` the files route writes for each message), newest first.
pub fn read_files(dirs: &[PathBuf], limit: usize) -> Vec<FileMessage> {
    let mut found: Vec<FileMessage> = dirs
        .iter()
        .filter_map(|dir| std::fs::read_dir(dir).ok())
        .flatten()
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            if path.extension().is_none_or(|x| x != "txt") {
                return None;
            }
            let id = path.file_stem()?.to_str()?.to_owned();
            let written_at = std::fs::metadata(&path).ok()?.modified().ok()?;
            let content = std::fs::read_to_string(&path).ok()?;
            let (head, text) = content.split_once("\n\n").unwrap_or(("", content.as_str()));
            let header = |name: &str| {
                head.lines()
                    .find_map(|line| line.strip_prefix(name))
                    .map(|v| v.trim().to_owned())
            };
            let subject = header("Subject:");
            Some(FileMessage {
                id,
                channel: if subject.is_some() {
                    Channel::Email
                } else {
                    Channel::Sms
                },
                to: header("To:").unwrap_or_default(),
                subject,
                text: text.trim_end().to_owned(),
                written_at,
            })
        })
        .collect();
    found.sort_by(|a, b| {
        b.written_at
            .cmp(&a.written_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    found.truncate(limit);
    found
}

impl Channels {
    /// Messages become files under `data_dir/outbox` (the embedded default).
    pub fn files(data_dir: &Path, from: &str, id_domain: &str) -> Result<Channels, ChannelsError> {
        Ok(Channels {
            mail: Mail::Files(outbox_dir(data_dir, Channel::Email)),
            sms: Sms::Files(outbox_dir(data_dir, Channel::Sms)),
            notify: None,
            push: None,
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
        let mail = match SmtpPool::for_url(url, pool_size, STEP_TIMEOUT) {
            Some(pool) => Mail::SmtpPool(pool),
            None => Mail::Smtp(transport),
        };
        Ok(Channels {
            mail,
            sms: Sms::Files(outbox_dir(data_dir, Channel::Sms)),
            notify: None,
            push: None,
            from: parse_from(from)?,
            id_domain: id_domain.to_owned(),
        })
    }

    /// SMS (and e-mail, when the API has an e-mail template) through the Notify API.
    pub fn with_notify(mut self, api: NotifyApi) -> Channels {
        if api.sends_email() {
            self.mail = Mail::Notify;
        }
        if api.sends_sms() {
            self.sms = Sms::Notify;
        }
        self.notify = Some(api);
        self
    }

    /// Web push to the push services of residents' browsers.
    pub fn with_push(mut self, push: PushSender) -> Channels {
        self.push = Some(push);
        self
    }

    /// What a staff page or a log line may say about the mail route, without credentials.
    pub fn describe(&self) -> &'static str {
        match self.mail {
            Mail::Files(_) => "files in the data dir",
            Mail::Smtp(_) | Mail::SmtpPool(_) => "SMTP relay",
            Mail::Notify => "Notify API",
        }
    }

    /// The `Message-ID` a message with this id carries, on every attempt.
    pub fn message_id(&self, id: &str) -> String {
        format!("<{id}@{}>", self.id_domain)
    }

    pub async fn send(&self, out: &Outgoing<'_>) -> Result<Sent, SendError> {
        match out.channel {
            Channel::Email => self.send_mail(out).await,
            Channel::Sms => match &self.sms {
                Sms::Files(dir) => {
                    let body = format!("To: {}\n\n{}\n", out.to, out.content.sms);
                    write_file(dir, &format!("{}.txt", out.id), body.as_bytes()).await?;
                    Ok(Sent::default())
                }
                Sms::Notify => self.notify()?.send_sms(out).await,
            },
            Channel::Push => match &self.push {
                Some(push) => push.send(out).await,
                None => Err(SendError::Transient(String::from(
                    "web push is not configured",
                ))),
            },
        }
    }

    /// Whether some route has a provider that reports delivery (the Notify API).
    pub fn reports_delivery(&self) -> bool {
        self.notify.is_some()
    }

    /// Asks the provider what became of a message it accepted.
    pub async fn receipt(&self, provider_ref: &str) -> Result<Receipt, SendError> {
        self.notify()?.status(provider_ref).await
    }

    fn notify(&self) -> Result<&NotifyApi, SendError> {
        self.notify
            .as_ref()
            .ok_or_else(|| SendError::Transient(String::from("the Notify API is not configured")))
    }

    async fn send_mail(&self, out: &Outgoing<'_>) -> Result<Sent, SendError> {
        match &self.mail {
            Mail::Notify => self.notify()?.send_email(out).await,
            Mail::Files(dir) => {
                let message = self.mail_message(out)?;
                // A readable copy next to the message, for the staff development page.
                let readable = format!(
                    "To: {}\nSubject: {}\n\n{}",
                    out.to, out.content.subject, out.content.text
                );
                write_file(dir, &format!("{}.txt", out.id), readable.as_bytes()).await?;
                write_file(dir, &format!("{}.eml", out.id), &message.formatted()).await?;
                Ok(Sent::default())
            }
            Mail::SmtpPool(pool) => {
                let message = self.mail_message(out)?;
                let raw = message.formatted();
                let sent = pool.send(message.envelope(), &raw);
                match tokio::time::timeout(SEND_TIMEOUT, sent).await {
                    Err(_) => Err(SendError::Transient(String::from("SMTP send timed out"))),
                    Ok(Ok(())) => Ok(Sent::default()),
                    Ok(Err(PoolError::Smtp(e))) if e.is_permanent() => {
                        Err(SendError::Permanent(smtp_reason(&e)))
                    }
                    Ok(Err(PoolError::Smtp(e))) => Err(SendError::Transient(smtp_reason(&e))),
                    Ok(Err(PoolError::Network(reason))) => {
                        Err(SendError::Transient(String::from(reason)))
                    }
                }
            }
            Mail::Smtp(transport) => {
                let message = self.mail_message(out)?;
                match tokio::time::timeout(SEND_TIMEOUT, transport.send(message)).await {
                    Err(_) => Err(SendError::Transient(String::from("SMTP send timed out"))),
                    Ok(Ok(_)) => Ok(Sent::default()),
                    Ok(Err(e)) if e.is_permanent() => Err(SendError::Permanent(smtp_reason(&e))),
                    Ok(Err(e)) => Err(SendError::Transient(smtp_reason(&e))),
                }
            }
        }
    }

    fn mail_message(&self, out: &Outgoing<'_>) -> Result<Message, SendError> {
        let to: Mailbox = out
            .to
            .parse()
            .map_err(|_| SendError::Permanent(String::from("not an e-mail address")))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(out.content.subject.clone())
            .message_id(Some(self.message_id(out.id)))
            .multipart(MultiPart::alternative_plain_html(
                out.content.text.clone(),
                out.content.html.clone(),
            ))
            .map_err(|e| SendError::Permanent(e.to_string()))
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

/// Whether `url` is an SMTP relay address lettre can use and `from` a sender address, checked at start-up
/// before anything is written.
pub fn check_mail(url: Option<&str>, from: &str) -> Result<(), ChannelsError> {
    if let Some(url) = url {
        AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| ChannelsError::SmtpUrl(e.to_string()))?;
    }
    parse_from(from).map(|_| ())
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
