//! Serving the router on a TCP listener with the limits `axum::serve` does not set: a client must send its
//! first byte, and then its request headers, within [`Limits::header_read`] (this also ends idle keep-alive
//! connections), one client address holds at most [`Limits::per_client`] connections and the
//! process at most [`Limits::total`] (below its file descriptor limit, so `/healthz` keeps answering), and a
//! shutdown waits at most [`Limits::shutdown_grace`] for open connections, whatever the clients do.
//!
//! Hand-written on hyper-util's connection builder and graceful-shutdown watcher: axum's `serve` offers
//! neither timeouts nor connection caps.

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub header_read: Duration,
    /// Connections one client address may hold at once (`None` behind a proxy, whose address all share).
    pub per_client: Option<usize>,
    pub total: usize,
    pub shutdown_grace: Duration,
}

impl Limits {
    /// The limits for this process: `per_client` unless every connection comes from a proxy; the total kept
    /// well below the soft limit on open files.
    pub fn for_process(behind_proxy: bool) -> Limits {
        let files = rustix::process::getrlimit(rustix::process::Resource::Nofile)
            .current
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(1024);
        Limits {
            header_read: Duration::from_secs(10),
            per_client: (!behind_proxy).then_some(256),
            // Room for the database pool, the SMTP pool, clamd and the log.
            total: files.saturating_sub(128).max(64),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// Open connections per client address, and in all.
#[derive(Default)]
struct Open {
    per_client: HashMap<IpAddr, usize>,
    total: usize,
}

/// One counted connection; dropping it gives the place back.
struct Slot {
    open: Arc<Mutex<Open>>,
    ip: IpAddr,
}

impl Slot {
    fn take(open: &Arc<Mutex<Open>>, ip: IpAddr, limits: &Limits) -> Option<Slot> {
        let mut counts = open.lock().ok()?;
        let mine = counts.per_client.get(&ip).copied().unwrap_or(0);
        if counts.total >= limits.total || limits.per_client.is_some_and(|max| mine >= max) {
            return None;
        }
        counts.total += 1;
        counts.per_client.insert(ip, mine + 1);
        Some(Slot {
            open: open.clone(),
            ip,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut counts) = self.open.lock() {
            counts.total = counts.total.saturating_sub(1);
            if let Some(mine) = counts.per_client.get_mut(&self.ip) {
                *mine = mine.saturating_sub(1);
                if *mine == 0 {
                    counts.per_client.remove(&self.ip);
                }
            }
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then lets open requests finish for at most
/// [`Limits::shutdown_grace`]. Each request carries the peer's address as axum's `ConnectInfo`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    // HTTP/1.1 only: telling it from cleartext HTTP/2 means reading the first bytes with no timeout at all,
    // and the proxy in front speaks HTTP/1.1 to Loket anyway.
    let mut builder = Builder::new(TokioExecutor::new()).http1_only();
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read);
    let graceful = GracefulShutdown::new();
    let open = Arc::new(Mutex::new(Open::default()));
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of descriptors or a connection reset before accept: wait a moment, go on.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(slot) = Slot::take(&open, peer.ip(), &limits) else {
            tracing::warn!("connection refused: too many open connections");
            drop(tcp);
            continue;
        };
        // Without TCP_NODELAY a response written in two parts (headers, then a file body) waits for the
        // peer's delayed ACK: ~40 ms per static file, seen in the Overzicht benchmark.
        let _ = tcp.set_nodelay(true);
        let service =
            router
                .clone()
                .map_request(move |mut request: http::Request<hyper::body::Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    request
                });
        let builder = builder.clone();
        let watcher = graceful.watcher();
        let header_read = limits.header_read;
        tokio::spawn(async move {
            // hyper's header timeout starts with the first byte: a client that connects and says nothing
            // would otherwise keep its connection (and slot) for good.
            let mut first = [0u8; 1];
            if !matches!(
                tokio::time::timeout(header_read, tcp.peek(&mut first)).await,
                Ok(Ok(1..))
            ) {
                return;
            }
            let connection = builder.serve_connection_with_upgrades(
                TokioIo::new(tcp),
                TowerToHyperService::new(service),
            );
            let _ = watcher.watch(connection).await;
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the shutdown grace period: they are closed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_holds_at_most_its_share_and_gets_it_back() {
        let limits = Limits {
            header_read: Duration::from_secs(1),
            per_client: Some(2),
            total: 3,
            shutdown_grace: Duration::from_secs(1),
        };
        let open = Arc::new(Mutex::new(Open::default()));
        let a: IpAddr = [127, 0, 0, 1].into();
        let b: IpAddr = [127, 0, 0, 2].into();
        let first = Slot::take(&open, a, &limits);
        let second = Slot::take(&open, a, &limits);
        assert!(first.is_some() && second.is_some());
        assert!(Slot::take(&open, a, &limits).is_none(), "a's share is two");
        let other = Slot::take(&open, b, &limits);
        assert!(other.is_some());
        assert!(Slot::take(&open, b, &limits).is_none(), "three in all");
        drop(first);
        assert!(Slot::take(&open, a, &limits).is_some(), "a place came free");
        let behind_proxy = Limits {
            per_client: None,
            ..limits
        };
        let open = Arc::new(Mutex::new(Open::default()));
        let all: Vec<_> = (0..3)
            .filter_map(|_| Slot::take(&open, a, &behind_proxy))
            .collect();
        assert_eq!(all.len(), 3);
    }
}
