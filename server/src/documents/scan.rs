//! The malware scan: ClamAV's `clamd` over TCP with the INSTREAM command (`LOKET_CLAMD_ADDR`, e.g.
//! `127.0.0.1:3310`). Fail closed: when a scanner is configured but does not answer properly, the upload is
//! refused with "try again later", never let through unscanned. Without a scanner nothing is scanned, and
//! the log says so at start.

use super::DocumentError;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const CHUNK: usize = 64 * 1024;
const TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone, Debug, Default)]
pub struct Scanner {
    /// `host:port` of clamd; `None` = no scanning.
    pub addr: Option<String>,
}

impl Scanner {
    pub async fn check(&self, bytes: &[u8]) -> Result<(), DocumentError> {
        let Some(addr) = &self.addr else {
            return Ok(());
        };
        let answer = tokio::time::timeout(TIMEOUT, instream(addr, bytes))
            .await
            .map_err(|_| DocumentError::ScannerDown(String::from("timeout")))?
            .map_err(|e| DocumentError::ScannerDown(e.to_string()))?;
        verdict(&answer)
    }
}

/// Sends `bytes` as one INSTREAM and returns clamd's answer line.
async fn instream(addr: &str, bytes: &[u8]) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    stream.write_all(b"zINSTREAM\0").await?;
    for chunk in bytes.chunks(CHUNK) {
        let length = u32::try_from(chunk.len()).unwrap_or(u32::MAX);
        stream.write_all(&length.to_be_bytes()).await?;
        stream.write_all(chunk).await?;
    }
    stream.write_all(&0u32.to_be_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    Ok(String::from_utf8_lossy(&answer)
        .trim_end_matches(['\0', '\n'])
        .to_owned())
}

/// `stream: OK`, `stream: <signature> FOUND`, or an error (a size limit, a scanner problem).
fn verdict(answer: &str) -> Result<(), DocumentError> {
    if answer == "stream: OK" {
        Ok(())
    } else if answer.ends_with(" FOUND") {
        Err(DocumentError::Infected)
    } else {
        Err(DocumentError::ScannerDown(
            answer.chars().take(120).collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamd_answers_are_read_fail_closed() {
        assert!(verdict("stream: OK").is_ok());
        assert!(matches!(
            verdict("stream: Eicar-Test-Signature FOUND"),
            Err(DocumentError::Infected)
        ));
        assert!(matches!(
            verdict("INSTREAM size limit exceeded. ERROR"),
            Err(DocumentError::ScannerDown(_))
        ));
        assert!(matches!(verdict(""), Err(DocumentError::ScannerDown(_))));
    }

    #[tokio::test]
    async fn a_configured_scanner_that_is_down_refuses_the_upload() {
        // A port nobody listens on: bind, note the port, close.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let scanner = Scanner {
            addr: Some(format!("127.0.0.1:{port}")),
        };
        assert!(matches!(
            scanner.check(b"hello").await,
            Err(DocumentError::ScannerDown(_))
        ));
        assert!(Scanner::default().check(b"hello").await.is_ok());
    }
}
