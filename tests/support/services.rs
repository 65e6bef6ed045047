//! Servers the document tests need, real programs on loopback, started once per test binary and ended with
//! it (`guard.py`): ClamAV's clamd with a signature database holding only EICAR (no download), and an
//! S3-compatible server (`s3s-fs`, installed by `./dev setup`).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub struct Service {
    pub addr: String,
    _child: Child,
    _dir: tempfile::TempDir,
}

impl Service {
    pub(crate) fn new(addr: String, child: Child, dir: tempfile::TempDir) -> Service {
        Service {
            addr,
            _child: child,
            _dir: dir,
        }
    }
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `name` on PATH, else in the sbin folders Debian puts daemons in.
fn program(name: &str) -> Option<PathBuf> {
    let path = std::env::var("PATH").unwrap_or_default();
    let found = path
        .split(':')
        .chain(["/usr/sbin", "/sbin", "/usr/local/sbin"])
        .map(|dir| PathBuf::from(dir).join(name))
        .find(|p| p.is_file());
    found
}

pub(crate) fn guarded(command: &[&std::ffi::OsStr]) -> Child {
    Command::new("/usr/bin/python3")
        .arg(crate::repo_root().join("tests/support/guard.py"))
        .args(command)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// Waits until `ready` says yes (up to 60 s: clamd compiles its database first).
pub(crate) fn wait_until(what: &str, ready: impl Fn() -> bool) {
    let started = Instant::now();
    while !ready() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{what} did not start within 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

static CLAMD: OnceLock<Service> = OnceLock::new();

/// clamd on loopback; its only signature is EICAR's (an MD5 signature: hash, size, name).
pub fn clamd() -> &'static Service {
    CLAMD.get_or_init(|| {
        let clamd = program("clamd").unwrap_or_else(|| {
            panic!("clamd is not installed: ./dev test installs it (Debian package clamav-daemon)")
        });
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("db");
        std::fs::create_dir(&database).unwrap();
        std::fs::write(
            database.join("eicar.hdb"),
            "44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n",
        )
        .unwrap();
        let port = free_port();
        let config = dir.path().join("clamd.conf");
        std::fs::write(
            &config,
            format!(
                "Foreground yes\nTCPAddr 127.0.0.1\nTCPSocket {port}\nDatabaseDirectory {}\n\
                 LogFile {}\nStreamMaxLength 64M\nBytecode no\n",
                database.display(),
                dir.path().join("clamd.log").display()
            ),
        )
        .unwrap();
        let child = guarded(&[
            clamd.as_os_str(),
            "--config-file".as_ref(),
            config.as_os_str(),
        ]);
        let addr = format!("127.0.0.1:{port}");
        wait_until("clamd", || {
            let Ok(mut stream) = TcpStream::connect(&addr) else {
                return false;
            };
            let mut answer = String::new();
            stream.write_all(b"zPING\0").is_ok()
                && stream.read_to_string(&mut answer).is_ok()
                && answer.starts_with("PONG")
        });
        Service {
            addr,
            _child: child,
            _dir: dir,
        }
    })
}

static S3: OnceLock<Service> = OnceLock::new();

pub const S3_ACCESS_KEY: &str = "loket-test";
pub const S3_SECRET_KEY: &str = "loket-test-secret";

/// An S3-compatible server on loopback; each test makes its own bucket (a folder in its root).
pub fn s3() -> &'static Service {
    S3.get_or_init(|| {
        let s3s = program("s3s-fs").unwrap_or_else(|| {
            panic!("s3s-fs is not installed: ./dev test installs it (cargo install s3s-fs)")
        });
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let port_text = port.to_string();
        let child = guarded(&[
            s3s.as_os_str(),
            "--host".as_ref(),
            "127.0.0.1".as_ref(),
            "--port".as_ref(),
            port_text.as_ref(),
            "--access-key".as_ref(),
            S3_ACCESS_KEY.as_ref(),
            "--secret-key".as_ref(),
            S3_SECRET_KEY.as_ref(),
            dir.path().as_os_str(),
        ]);
        let addr = format!("127.0.0.1:{port}");
        wait_until("s3s-fs", || TcpStream::connect(&addr).is_ok());
        Service {
            addr,
            _child: child,
            _dir: dir,
        }
    })
}

/// A new, empty bucket on the test S3 server, as Loket's configuration.
pub fn s3_bucket() -> server::documents::store::S3Config {
    let service = s3();
    let bucket = format!("loket-{}", server::identity::secrets::id());
    std::fs::create_dir(service._dir.path().join(&bucket)).unwrap();
    server::documents::store::S3Config {
        endpoint: Some(format!("http://{}", service.addr)),
        bucket,
        region: String::from("us-east-1"),
        access_key_id: S3_ACCESS_KEY.to_owned(),
        secret_access_key: S3_SECRET_KEY.to_owned(),
    }
}
