//! `loket`: runs Loket. Configuration comes from `LOKET_*` environment variables (see the README); any problem
//! with it ends the process with exit code 1 and one line on stderr that says what to fix.

use loket_server::config::Config;
use loket_server::startup::{self, StartupError};
use std::process::ExitCode;

fn main() -> ExitCode {
    if let Some(arg) = std::env::args().nth(1) {
        return match arg.as_str() {
            "--version" | "-V" => {
                println!("loket {}", env!("CARGO_PKG_VERSION"));
                ExitCode::SUCCESS
            }
            "--help" | "-h" | "help" => {
                println!("Usage: loket\n\nRuns Loket. Configure it with LOKET_* environment variables; see README.md.");
                ExitCode::SUCCESS
            }
            other => {
                eprintln!("loket: unknown argument {other:?}. Run `loket --help`.");
                ExitCode::FAILURE
            }
        };
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => return fail(&error.into()),
    };
    init_tracing(config.log_json);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return fail(&StartupError::Serve(error.to_string())),
    };
    match runtime.block_on(run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(&error),
    }
}

fn fail(error: &StartupError) -> ExitCode {
    eprintln!("loket: {error}");
    ExitCode::FAILURE
}

async fn run(config: Config) -> Result<(), StartupError> {
    // Bind first: a taken port is reported before anything is written.
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| StartupError::Listen {
            addr: config.addr.to_string(),
            reason: e.to_string(),
        })?;
    let loket = startup::build(&config, jiff::Timestamp::now()).await?;
    tracing::info!(
        addr = %config.addr,
        database = ?loket.db.backend,
        municipality = %loket.municipality.id,
        demo = config.demo,
        "Loket is ready"
    );
    println!("Loket answers on http://localhost:{}", config.addr.port());
    axum::serve(listener, loket.router)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| StartupError::Serve(e.to_string()))
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

fn init_tracing(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("LOKET_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.compact().init();
    }
}
