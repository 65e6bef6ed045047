//! Process configuration, read once at start from `LOKET_*` environment variables (all documented in the
//! README). Every problem is reported as one line that says what is wrong and how to fix it.

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct Config {
    /// Where Loket listens (`LOKET_ADDR`, default `127.0.0.1:3000`).
    pub addr: SocketAddr,
    /// SQLite file, local files and the e-mail sink (`LOKET_DATA_DIR`, default `./data`).
    pub data_dir: PathBuf,
    /// `postgres://…` to use PostgreSQL; unset means the embedded SQLite database in the data dir.
    pub database_url: Option<String>,
    /// The municipality file (`LOKET_MUNICIPALITY_FILE`).
    pub municipality_file: PathBuf,
    /// The built site (CSS, JS, WASM, public files) (`LOKET_SITE_ROOT`, default `target/site`).
    pub site_root: PathBuf,
    /// Seed and show demo data, the demo page and the message log (`LOKET_DEMO=true`; off unless asked for,
    /// and refused with an `https://` public URL: demo mode hands anyone activation codes).
    pub demo: bool,
    /// The public base URL (`LOKET_PUBLIC_URL`); `https://…` turns on HSTS and `Secure` cookies.
    pub public_url: String,
    /// `json` for one JSON object per log line, anything else for human-readable lines (`LOKET_LOG_FORMAT`).
    pub log_json: bool,
    /// Take the client address for rate limits from the last `X-Forwarded-For` entry
    /// (`LOKET_TRUST_FORWARDED_FOR=true`; only behind a reverse proxy that sets it).
    pub trust_forwarded_for: bool,
    /// SMTP relay for e-mail (`LOKET_SMTP_URL`, lettre's form: `smtp://host:587?tls=required`,
    /// `smtps://user:password@host`); unset writes e-mail as files under `data/outbox/mail`.
    pub smtp_url: Option<String>,
    /// The sender of every e-mail (`LOKET_MAIL_FROM`, default `Loket <noreply@localhost>`).
    pub mail_from: String,
    /// Run the notification worker inside this process (`LOKET_WORKER`, default true). Turn it off when
    /// separate `loket worker` processes deliver.
    pub worker: bool,
    /// A NotifyNL / GOV.UK Notify-compatible API for SMS and (with an e-mail template) e-mail:
    /// `LOKET_NOTIFY_URL`, `LOKET_NOTIFY_API_KEY`, `LOKET_NOTIFY_EMAIL_TEMPLATE`, `LOKET_NOTIFY_SMS_TEMPLATE`.
    pub notify: Option<NotifyConfig>,
    /// Loket's VAPID private key for web push (`LOKET_VAPID_PRIVATE_KEY`, base64url); unset means one kept in
    /// the database, generated on first start.
    pub vapid_private_key: Option<String>,
    /// The push services Loket posts to (`LOKET_PUSH_SERVICES`, comma-separated host names); unset means
    /// those of Chrome, Firefox, Edge and Safari.
    pub push_services: Option<String>,
    /// The largest file a resident may upload, in MB (`LOKET_UPLOAD_MAX_MB`, default 20).
    pub upload_max_mb: usize,
    /// ClamAV's clamd for the malware scan (`LOKET_CLAMD_ADDR`, `host:port`); unset means no scanning.
    pub clamd_addr: Option<String>,
    /// An S3-compatible store for documents (`LOKET_S3_BUCKET` with `LOKET_S3_ENDPOINT`, `LOKET_S3_REGION`,
    /// `LOKET_S3_ACCESS_KEY_ID`, `LOKET_S3_SECRET_ACCESS_KEY`); unset means a folder in the data dir.
    pub s3: Option<crate::documents::store::S3Config>,
    /// The sign-in doors through an OpenID Connect broker (`LOKET_DIGID_ISSUER`, `LOKET_DIGID_CLIENT_ID`,
    /// `LOKET_DIGID_CLIENT_SECRET`, `LOKET_DIGID_SCOPES`, `LOKET_DIGID_BSN_CLAIM`, `LOKET_DIGID_LEVELS`); none
    /// means the embedded demo door (activation code and passkey) only.
    pub doors: Vec<crate::identity::doors::DoorConfig>,
    /// The level a DigiD session needs to open her cases, contact moments and documents
    /// (`LOKET_RECORDS_LEVEL`: laag, substantieel or hoog; default substantieel). Only with a door configured.
    pub records_level: crate::identity::sessions::Assurance,
    /// The population register through Haal Centraal BRP Personen Bevragen (`LOKET_BRP_URL` with
    /// `LOKET_BRP_API_KEY`, `LOKET_BRP_API_KEY_HEADER`); unset means Loket knows only its own persons.
    pub brp: Option<crate::population::haal_centraal::BrpConfig>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotifyConfig {
    pub url: String,
    pub api_key: String,
    pub email_template: Option<String>,
    pub sms_template: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("LOKET_ADDR={value:?} is not a listen address. Use host:port, for example LOKET_ADDR=127.0.0.1:3000.")]
    Addr { value: String },
    #[error("LOKET_DATABASE_URL must start with postgres:// or postgresql:// (or be unset to use the embedded SQLite database).")]
    DatabaseUrl,
    #[error("LOKET_DEMO={value:?} is not understood. Use LOKET_DEMO=true or LOKET_DEMO=false.")]
    Demo { value: String },
    #[error("LOKET_DEMO=true cannot be used with an https:// LOKET_PUBLIC_URL: demo mode gives anyone activation codes. Unset LOKET_DEMO for a real installation.")]
    DemoWithTls,
    #[error("LOKET_TRUST_FORWARDED_FOR={value:?} is not understood. Use true (behind a reverse proxy) or false.")]
    TrustForwardedFor { value: String },
    #[error("LOKET_WORKER={value:?} is not understood. Use true (deliver messages in this process) or false.")]
    Worker { value: String },
    #[error("LOKET_PUBLIC_URL={value:?} must start with http:// or https://, for example LOKET_PUBLIC_URL=https://loket.example.nl.")]
    PublicUrl { value: String },
    #[error("LOKET_NOTIFY_API_KEY is set but LOKET_NOTIFY_URL is not: give the API's address, for example https://api.notifynl.nl.")]
    NotifyUrl,
    #[error("LOKET_UPLOAD_MAX_MB={value:?} is not a size. Use a whole number of megabytes from 1 to 100, for example LOKET_UPLOAD_MAX_MB=20.")]
    UploadMax { value: String },
    #[error("LOKET_S3_BUCKET is set but {missing} is not: give the store's keys too.")]
    S3Keys { missing: &'static str },
    #[error("Both LOKET_SMTP_URL and LOKET_NOTIFY_EMAIL_TEMPLATE are set: e-mail goes one way. Unset one of them.")]
    TwoMailRoutes,
    #[error("LOKET_VAPID_PRIVATE_KEY is not a P-256 private key: give its 32 bytes in base64url (43 characters), or unset it to let Loket make one.")]
    VapidKey,
    #[error("{0}")]
    Mail(String),
    #[error(transparent)]
    Door(#[from] crate::identity::doors::DoorConfigError),
    #[error("LOKET_SITE_ROOT={value:?} is not the built site (no folder with pkg/ in it). Build it with ./dev run, or point LOKET_SITE_ROOT at target/site.")]
    SiteRoot { value: String },
    #[error("LOKET_CLAMD_ADDR is not set: with an https:// LOKET_PUBLIC_URL residents' uploads must be scanned. Run clamd and set LOKET_CLAMD_ADDR=host:3310.")]
    ClamdRequired,
    #[error(
        "LOKET_CLAMD_ADDR={value:?} is not host:port. Use e.g. LOKET_CLAMD_ADDR=127.0.0.1:3310."
    )]
    ClamdAddr { value: String },
    #[error("LOKET_LOG={value:?} is not a log filter. Use a level (error, warn, info, debug) or e.g. LOKET_LOG=warn,loket_server=debug.")]
    Log { value: String },
    #[error("LOKET_BRP_URL={value:?} is not an http(s) URL. Give the API's base, for example https://brp.example.nl/haalcentraal/api/brp.")]
    BrpUrl { value: String },
    #[error(
        "LOKET_BRP_URL is set but neither LOKET_BRP_API_KEY nor LOKET_BRP_TOKEN_URL is: give the key the BRP's gateway issued, or its token endpoint with LOKET_BRP_CLIENT_ID and LOKET_BRP_CLIENT_SECRET."
    )]
    BrpKey,
    #[error("LOKET_BRP_TOKEN_URL={value:?} is not an http(s) URL. Give the gateway's OAuth 2.0 token endpoint.")]
    BrpTokenUrl { value: String },
    #[error("LOKET_BRP_TOKEN_URL is set but LOKET_BRP_CLIENT_ID or LOKET_BRP_CLIENT_SECRET is not: give the client the gateway registered for Loket.")]
    BrpClient,
    #[error("LOKET_RECORDS_LEVEL={value:?} is not a level. Use laag, substantieel or hoog.")]
    RecordsLevel { value: String },
    #[error("LOKET_PUSH_SERVICES={value:?} names no host. Give host names separated by commas, or unset it for the major browsers' services.")]
    PushServices { value: String },
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        // An empty variable counts as unset, except the push services: an empty list there is a mistake to
        // name, not a reason to fall back to every browser's service.
        Config::from_lookup(|name| {
            std::env::var(name)
                .ok()
                .filter(|v| name == "LOKET_PUSH_SERVICES" || !v.trim().is_empty())
        })
    }

    /// Reads the configuration through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let addr_value = lookup("LOKET_ADDR").unwrap_or_else(|| String::from("127.0.0.1:3000"));
        let addr: SocketAddr = addr_value.parse().map_err(|_| ConfigError::Addr {
            value: addr_value.clone(),
        })?;
        let database_url = lookup("LOKET_DATABASE_URL");
        if let Some(url) = &database_url {
            if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                return Err(ConfigError::DatabaseUrl);
            }
        }
        let demo = flag(lookup("LOKET_DEMO"))
            .map_err(|value| ConfigError::Demo { value })?
            .unwrap_or(false);
        let trust_forwarded_for = flag(lookup("LOKET_TRUST_FORWARDED_FOR"))
            .map_err(|value| ConfigError::TrustForwardedFor { value })?
            .unwrap_or(false);
        let public_url = lookup("LOKET_PUBLIC_URL")
            .unwrap_or_else(|| format!("http://localhost:{}", addr.port()));
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError::PublicUrl { value: public_url });
        }
        if demo && public_url.starts_with("https://") {
            return Err(ConfigError::DemoWithTls);
        }
        let worker = flag(lookup("LOKET_WORKER"))
            .map_err(|value| ConfigError::Worker { value })?
            .unwrap_or(true);
        let notify = match lookup("LOKET_NOTIFY_API_KEY") {
            None => None,
            Some(api_key) => Some(NotifyConfig {
                url: lookup("LOKET_NOTIFY_URL").ok_or(ConfigError::NotifyUrl)?,
                api_key,
                email_template: lookup("LOKET_NOTIFY_EMAIL_TEMPLATE"),
                sms_template: lookup("LOKET_NOTIFY_SMS_TEMPLATE"),
            }),
        };
        let smtp_url = lookup("LOKET_SMTP_URL");
        if smtp_url.is_some() && notify.as_ref().is_some_and(|n| n.email_template.is_some()) {
            return Err(ConfigError::TwoMailRoutes);
        }
        let upload_max_mb = match lookup("LOKET_UPLOAD_MAX_MB") {
            None => 20,
            Some(value) => value
                .trim()
                .parse()
                .ok()
                .filter(|mb| (1..=100).contains(mb))
                .ok_or(ConfigError::UploadMax { value })?,
        };
        let s3 = match lookup("LOKET_S3_BUCKET") {
            None => None,
            Some(bucket) => Some(crate::documents::store::S3Config {
                endpoint: lookup("LOKET_S3_ENDPOINT"),
                bucket,
                region: lookup("LOKET_S3_REGION").unwrap_or_else(|| String::from("us-east-1")),
                access_key_id: lookup("LOKET_S3_ACCESS_KEY_ID").ok_or(ConfigError::S3Keys {
                    missing: "LOKET_S3_ACCESS_KEY_ID",
                })?,
                secret_access_key: lookup("LOKET_S3_SECRET_ACCESS_KEY").ok_or(
                    ConfigError::S3Keys {
                        missing: "LOKET_S3_SECRET_ACCESS_KEY",
                    },
                )?,
            }),
        };
        if let Some(key) = lookup("LOKET_VAPID_PRIVATE_KEY") {
            if crate::notifications::push::parse_vapid_key(&key).is_none() {
                return Err(ConfigError::VapidKey);
            }
        }
        let mail_from =
            lookup("LOKET_MAIL_FROM").unwrap_or_else(|| String::from("Loket <noreply@localhost>"));
        crate::notifications::channels::check_mail(smtp_url.as_deref(), &mail_from)
            .map_err(|e| ConfigError::Mail(e.to_string()))?;
        let site_root =
            lookup("LOKET_SITE_ROOT").map_or_else(|| PathBuf::from("target/site"), PathBuf::from);
        let clamd_addr = lookup("LOKET_CLAMD_ADDR");
        if let Some(value) = &clamd_addr {
            let usable = value.rsplit_once(':').is_some_and(|(host, port)| {
                !host.trim().is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0)
            });
            if !usable {
                return Err(ConfigError::ClamdAddr {
                    value: value.clone(),
                });
            }
        }
        // A real installation (https) scans what residents send; only a local try-out may go without.
        if clamd_addr.is_none() && public_url.starts_with("https://") {
            return Err(ConfigError::ClamdRequired);
        }
        if let Some(value) = lookup("LOKET_LOG") {
            if tracing_subscriber::EnvFilter::try_new(&value).is_err() {
                return Err(ConfigError::Log { value });
            }
        }
        let push_services = lookup("LOKET_PUSH_SERVICES");
        if let Some(value) = &push_services {
            if value
                .split(',')
                .all(|h| h.trim().trim_start_matches('.').is_empty())
            {
                return Err(ConfigError::PushServices {
                    value: value.clone(),
                });
            }
        }
        let doors = crate::identity::doors::DoorConfig::from_lookup(&lookup)?;
        let records_level = match lookup("LOKET_RECORDS_LEVEL") {
            None => crate::identity::sessions::Assurance::Substantial,
            Some(value) => crate::identity::sessions::Assurance::parse(value.trim())
                .ok_or(ConfigError::RecordsLevel { value })?,
        };
        let brp = match lookup("LOKET_BRP_URL") {
            None => None,
            Some(url)
                if url::Url::parse(&url).is_ok_and(|u| matches!(u.scheme(), "http" | "https")) =>
            {
                let oauth = match lookup("LOKET_BRP_TOKEN_URL") {
                    None => None,
                    Some(token_url)
                        if url::Url::parse(&token_url)
                            .is_ok_and(|u| matches!(u.scheme(), "http" | "https")) =>
                    {
                        Some(crate::population::haal_centraal::BrpOAuth {
                            token_url,
                            client_id: lookup("LOKET_BRP_CLIENT_ID")
                                .ok_or(ConfigError::BrpClient)?,
                            client_secret: lookup("LOKET_BRP_CLIENT_SECRET")
                                .ok_or(ConfigError::BrpClient)?,
                            scope: lookup("LOKET_BRP_SCOPE"),
                        })
                    }
                    Some(value) => return Err(ConfigError::BrpTokenUrl { value }),
                };
                // A key, client credentials, or both; never neither.
                let api_key = match (lookup("LOKET_BRP_API_KEY"), &oauth) {
                    (Some(key), _) => key,
                    (None, Some(_)) => String::new(),
                    (None, None) => return Err(ConfigError::BrpKey),
                };
                Some(crate::population::haal_centraal::BrpConfig {
                    url,
                    api_key,
                    api_key_header: lookup("LOKET_BRP_API_KEY_HEADER")
                        .unwrap_or_else(|| String::from("X-API-KEY")),
                    oauth,
                })
            }
            Some(value) => return Err(ConfigError::BrpUrl { value }),
        };
        Ok(Config {
            addr,
            data_dir: lookup("LOKET_DATA_DIR").map_or_else(|| PathBuf::from("data"), PathBuf::from),
            database_url,
            municipality_file: lookup("LOKET_MUNICIPALITY_FILE").map_or_else(
                || PathBuf::from("server/municipalities/voorbeeld.toml"),
                PathBuf::from,
            ),
            site_root,
            demo,
            public_url: public_url.trim_end_matches('/').to_owned(),
            log_json: lookup("LOKET_LOG_FORMAT").is_some_and(|v| v == "json"),
            trust_forwarded_for,
            smtp_url,
            mail_from,
            worker,
            notify,
            vapid_private_key: lookup("LOKET_VAPID_PRIVATE_KEY"),
            push_services,
            upload_max_mb,
            clamd_addr,
            s3,
            doors,
            records_level,
            brp,
        })
    }

    /// The built site is there (`pkg/` in it): checked by `loket` before it serves, not for the commands that
    /// only touch the database.
    pub fn check_site_root(&self) -> Result<(), ConfigError> {
        if self.site_root.join("pkg").is_dir() {
            Ok(())
        } else {
            Err(ConfigError::SiteRoot {
                value: self.site_root.display().to_string(),
            })
        }
    }

    pub fn uses_tls(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// The host of the public URL: the domain of every e-mail `Message-ID`.
    pub fn public_host(&self) -> &str {
        let rest = self
            .public_url
            .split_once("://")
            .map_or(self.public_url.as_str(), |(_, rest)| rest);
        let host = rest.split(['/', ':']).next().unwrap_or(rest);
        if host.is_empty() {
            "localhost"
        } else {
            host
        }
    }
}

/// A yes/no variable: `Ok(None)` when unset, `Err(value)` when not understood.
fn flag(value: Option<String>) -> Result<Option<bool>, String> {
    match value.as_deref().map(str::to_ascii_lowercase) {
        None => Ok(None),
        Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => Ok(Some(true)),
        Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => Ok(Some(false)),
        Some(_) => Err(value.unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn embedded_default_is_sqlite_on_port_3000_without_demo() {
        let c = config(&[]).unwrap();
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert!(c.database_url.is_none());
        assert!(!c.demo, "demo mode only when asked for");
        assert!(!c.uses_tls());
    }

    #[test]
    fn demo_only_when_asked_for_and_never_over_https() {
        let c = config(&[("LOKET_DATABASE_URL", "postgres://localhost/loket")]).unwrap();
        assert!(!c.demo);
        let c = config(&[
            ("LOKET_DATABASE_URL", "postgres://localhost/loket"),
            ("LOKET_DEMO", "true"),
        ])
        .unwrap();
        assert!(c.demo);
        assert!(config(&[("LOKET_DEMO", "true")]).unwrap().demo);
        assert_eq!(
            config(&[
                ("LOKET_DEMO", "true"),
                ("LOKET_PUBLIC_URL", "https://loket.example.nl")
            ])
            .unwrap_err(),
            ConfigError::DemoWithTls
        );
    }

    #[test]
    fn bad_values_name_the_variable() {
        let e = config(&[("LOKET_ADDR", "localhost")]).unwrap_err();
        assert!(e.to_string().starts_with("LOKET_ADDR=\"localhost\""));
        assert_eq!(
            config(&[("LOKET_DATABASE_URL", "mysql://x")]).unwrap_err(),
            ConfigError::DatabaseUrl
        );
        assert!(matches!(
            config(&[("LOKET_DEMO", "maybe")]),
            Err(ConfigError::Demo { .. })
        ));
        assert!(matches!(
            config(&[("LOKET_PUBLIC_URL", "loket.nl")]),
            Err(ConfigError::PublicUrl { .. })
        ));
    }

    #[test]
    fn the_brp_takes_a_key_client_credentials_or_both_and_never_neither() {
        let url = ("LOKET_BRP_URL", "https://brp.example.nl/api");
        assert_eq!(config(&[url]).unwrap_err(), ConfigError::BrpKey);
        let token = ("LOKET_BRP_TOKEN_URL", "https://gateway.example.nl/token");
        assert_eq!(config(&[url, token]).unwrap_err(), ConfigError::BrpClient);
        assert!(matches!(
            config(&[url, ("LOKET_BRP_TOKEN_URL", "gateway")]),
            Err(ConfigError::BrpTokenUrl { .. })
        ));
        let client = [
            url,
            token,
            ("LOKET_BRP_CLIENT_ID", "loket"),
            ("LOKET_BRP_CLIENT_SECRET", "geheim"),
        ];
        let brp = config(&client).unwrap().brp.unwrap();
        assert_eq!(brp.api_key, "");
        assert_eq!(brp.oauth.unwrap().client_id, "loket");
        let brp = config(&[url, ("LOKET_BRP_API_KEY", "k")])
            .unwrap()
            .brp
            .unwrap();
        assert_eq!((brp.api_key.as_str(), brp.oauth), ("k", None));
    }

    #[test]
    fn notify_needs_its_url_and_e_mail_goes_one_way() {
        assert_eq!(
            config(&[("LOKET_NOTIFY_API_KEY", "k")]).unwrap_err(),
            ConfigError::NotifyUrl
        );
        assert_eq!(
            config(&[
                ("LOKET_NOTIFY_API_KEY", "k"),
                ("LOKET_NOTIFY_URL", "https://api.notifynl.nl"),
                ("LOKET_NOTIFY_EMAIL_TEMPLATE", "t"),
                ("LOKET_SMTP_URL", "smtp://relay:25"),
            ])
            .unwrap_err(),
            ConfigError::TwoMailRoutes
        );
        let sms_only = config(&[
            ("LOKET_NOTIFY_API_KEY", "k"),
            ("LOKET_NOTIFY_URL", "https://api.notifynl.nl"),
            ("LOKET_NOTIFY_SMS_TEMPLATE", "t"),
            ("LOKET_SMTP_URL", "smtp://relay:25"),
        ])
        .unwrap();
        assert_eq!(
            sms_only.notify.map(|n| n.sms_template),
            Some(Some(String::from("t")))
        );
    }

    #[test]
    fn every_variable_is_checked_before_anything_is_written() {
        type Case = (&'static str, &'static str, fn(&ConfigError) -> bool);
        let cases: [Case; 9] = [
            ("LOKET_VAPID_PRIVATE_KEY", "abc", |e| {
                matches!(e, ConfigError::VapidKey)
            }),
            ("LOKET_VAPID_PRIVATE_KEY", "AAAA", |e| {
                matches!(e, ConfigError::VapidKey)
            }),
            (
                "LOKET_SMTP_URL",
                "smtq://relay",
                |e| matches!(e, ConfigError::Mail(m) if m.starts_with("LOKET_SMTP_URL")),
            ),
            (
                "LOKET_MAIL_FROM",
                "geen adres",
                |e| matches!(e, ConfigError::Mail(m) if m.starts_with("LOKET_MAIL_FROM")),
            ),
            ("LOKET_CLAMD_ADDR", "clamd", |e| {
                matches!(e, ConfigError::ClamdAddr { .. })
            }),
            ("LOKET_CLAMD_ADDR", "127.0.0.1:99999", |e| {
                matches!(e, ConfigError::ClamdAddr { .. })
            }),
            ("LOKET_LOG", "info,[", |e| {
                matches!(e, ConfigError::Log { .. })
            }),
            ("LOKET_PUSH_SERVICES", "", |e| {
                matches!(e, ConfigError::PushServices { .. })
            }),
            ("LOKET_PUSH_SERVICES", " , ", |e| {
                matches!(e, ConfigError::PushServices { .. })
            }),
        ];
        for (name, value, expected) in cases {
            let error = config(&[(name, value)]).unwrap_err();
            assert!(expected(&error), "{name}={value:?}: {error}");
            assert!(error.to_string().contains(name), "{error} names {name}");
        }
        let key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE";
        assert!(config(&[("LOKET_VAPID_PRIVATE_KEY", key)]).is_ok());
        assert!(config(&[
            ("LOKET_CLAMD_ADDR", "127.0.0.1:3310"),
            ("LOKET_LOG", "warn,loket_server=debug")
        ])
        .is_ok());
        let missing = config(&[("LOKET_SITE_ROOT", "/nergens")]).unwrap();
        assert!(matches!(
            missing.check_site_root(),
            Err(ConfigError::SiteRoot { .. })
        ));
    }

    #[test]
    fn https_public_url_means_tls_and_needs_the_malware_scanner() {
        assert_eq!(
            config(&[("LOKET_PUBLIC_URL", "https://loket.example.nl/")]).unwrap_err(),
            ConfigError::ClamdRequired
        );
        assert!(config(&[
            ("LOKET_PUBLIC_URL", "https://loket.example.nl/"),
            ("LOKET_CLAMD_ADDR", "127.0.0.1:3310")
        ])
        .unwrap()
        .uses_tls());
    }
}
