//! A real SMTP server on loopback (aiosmtpd, `smtp_sink.py`), started once per test binary and stopped when
//! the binary exits. Tests tell their messages apart by recipient: each test uses its own addresses.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub struct SmtpSink {
    pub port: u16,
    pub dir: PathBuf,
    _child: Child,
    _keep: tempfile::TempDir,
}

/// One message as the SMTP server received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub recipients: String,
    /// When the server answered `250`, Unix milliseconds.
    pub received_ms: i64,
    pub message_id: String,
    pub raw: String,
    /// Subject and every text part, decoded: what the resident reads.
    pub text: String,
}

/// The Python that has aiosmtpd: Debian's (where `./dev test` installs python3-aiosmtpd), unless
/// `LOKET_TEST_PYTHON` names another.
fn python() -> String {
    std::env::var("LOKET_TEST_PYTHON").unwrap_or_else(|_| String::from("/usr/bin/python3"))
}

static SINK: OnceLock<SmtpSink> = OnceLock::new();

/// The shared SMTP server, started on first use.
pub fn smtp_sink() -> &'static SmtpSink {
    SINK.get_or_init(|| {
        let keep = tempfile::tempdir().unwrap();
        let dir = std::env::var("LOKET_TEST_SMTP_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|_| keep.path().to_path_buf());
        let script = crate::repo_root().join("tests/support/smtp_sink.py");
        let mut child = Command::new(python())
            .arg(&script)
            .arg(&dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the SMTP server ({}): {e}. Run ./dev test, which installs python3-aiosmtpd.", python()));
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let port = line
            .strip_prefix("READY ")
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("the SMTP server did not start (said {line:?}); is python3-aiosmtpd installed?"));
        SmtpSink {
            port,
            dir,
            _child: child,
            _keep: keep,
        }
    })
}

impl SmtpSink {
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far.
    pub fn all(&self) -> Vec<Received> {
        read_dir(&self.dir)
    }

    /// Messages received so far for `address`.
    pub fn to(&self, address: &str) -> Vec<Received> {
        self.all()
            .into_iter()
            .filter(|m| {
                m.recipients
                    .split(',')
                    .any(|r| r.eq_ignore_ascii_case(address))
            })
            .collect()
    }

    /// Waits (up to `timeout`) until `address` has at least `count` messages.
    pub async fn wait_for(&self, address: &str, count: usize, timeout: Duration) -> Vec<Received> {
        let start = Instant::now();
        loop {
            let got = self.to(address);
            if got.len() >= count || start.elapsed() > timeout {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

pub fn read_dir(dir: &Path) -> Vec<Received> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    names.sort();
    names
        .into_iter()
        .filter_map(|path| {
            let raw = std::fs::read_to_string(&path).ok()?;
            let text = std::fs::read_to_string(path.with_extension("txt")).unwrap_or_default();
            let header = |name: &str| {
                raw.lines()
                    .take_while(|l| !l.is_empty())
                    .find_map(|l| {
                        let (key, value) = l.split_once(':')?;
                        key.eq_ignore_ascii_case(name)
                            .then(|| value.trim().to_owned())
                    })
                    .unwrap_or_default()
            };
            Some(Received {
                recipients: header("X-Sink-Rcpt"),
                received_ms: header("X-Sink-Received-Ms").parse().unwrap_or(0),
                message_id: header("Message-ID"),
                raw: raw.clone(),
                text,
            })
        })
        .collect()
}
