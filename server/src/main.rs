//! `loket`: runs Loket. Configuration comes from `LOKET_*` environment variables (see the README); any problem
//! with it ends the process with exit code 1 and one line on stderr that says what to fix.
// The command line is an edge: it reads the clock and hands it down as `now`.
#![allow(clippy::disallowed_methods)]

use clap::{Parser, Subcommand};
use loket_server::config::Config;
use loket_server::identity::accounts::StaffRole;
use loket_server::identity::clients::{self, Scope};
use loket_server::identity::IdentityError;
use loket_server::staff;
use loket_server::startup::{self, StartupError};
use std::process::ExitCode;

/// `loket` and its subcommands. Options the commands need are checked after parsing, so every mistake is
/// one line on stderr that says what to do (clap's own errors are cut to their first line).
#[derive(Parser)]
#[command(
    name = "loket",
    version,
    about = "Runs Loket: the web server and the notification worker.",
    after_help = "Configure Loket with LOKET_* environment variables; see README.md."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Sub>,
}

#[derive(Subcommand)]
enum Sub {
    /// Only deliver notifications (next to servers that run with LOKET_WORKER=false, or as extra workers).
    Worker,
    /// Staff members.
    Staff {
        #[command(subcommand)]
        action: StaffAction,
    },
    /// Systems that may call /api/v1.
    ApiClient {
        #[command(subcommand)]
        action: ApiClientAction,
    },
}

#[derive(Subcommand)]
enum StaffAction {
    /// Add a staff member and print the activation code for their first passkey.
    Add {
        /// Their name, 1 to 100 characters.
        #[arg(long)]
        name: Option<String>,
        /// kcc, backoffice or admin.
        #[arg(long)]
        role: Option<String>,
    },
}

#[derive(Subcommand)]
enum ApiClientAction {
    /// Register a system that may call /api/v1 and print its token.
    Add {
        /// The system's name, 1 to 100 characters.
        #[arg(long)]
        name: Option<String>,
        /// Comma-separated: case-types, cases, contact-moments, appointments.
        #[arg(long)]
        scopes: Option<String>,
    },
    /// The registered systems (id, name, scopes, since, revoked).
    List,
    /// End a system's access at once.
    Revoke {
        #[arg(long)]
        id: Option<String>,
    },
}

enum Command {
    Run,
    Worker,
    AddStaff { name: String, role: StaffRole },
    AddApiClient { name: String, scopes: Vec<Scope> },
    ListApiClients,
    RevokeApiClient { id: String },
}

/// The command to run, `None` after `--help` or `--version` (printed here), or the one line that says what is
/// wrong.
fn parse(args: &[String]) -> Result<Option<Command>, String> {
    let cli = match Cli::try_parse_from(
        std::iter::once("loket").chain(args.iter().map(String::as_str)),
    ) {
        Ok(cli) => cli,
        Err(error) if !error.use_stderr() => {
            print!("{error}");
            return Ok(None);
        }
        Err(error) => {
            let rendered = error.to_string();
            let first = rendered.lines().next().unwrap_or_default();
            let first = first.strip_prefix("error: ").unwrap_or(first);
            return Err(format!("{first}. Run `loket --help`."));
        }
    };
    command(cli.command).map(Some)
}

fn command(sub: Option<Sub>) -> Result<Command, String> {
    match sub {
        None => Ok(Command::Run),
        Some(Sub::Worker) => Ok(Command::Worker),
        Some(Sub::Staff {
            action: StaffAction::Add { name, role },
        }) => {
            let (Some(name), Some(role)) = (name, role) else {
                return Err(String::from(
                    "staff add needs --name and --role. Run `loket staff add --help`.",
                ));
            };
            let role = StaffRole::parse(&role)
                .ok_or_else(|| format!("unknown role {role:?}. Use kcc, backoffice or admin."))?;
            Ok(Command::AddStaff { name, role })
        }
        Some(Sub::ApiClient {
            action: ApiClientAction::Add { name, scopes },
        }) => {
            let (Some(name), Some(scopes)) = (name, scopes) else {
                return Err(String::from(
                    "api-client add needs --name and --scopes. Run `loket api-client add --help`.",
                ));
            };
            let scopes = scopes
                .split(',')
                .map(|s| {
                    Scope::parse(s.trim()).ok_or_else(|| {
                        format!("unknown scope {s:?}. Use case-types, cases, contact-moments or appointments.")
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Command::AddApiClient { name, scopes })
        }
        Some(Sub::ApiClient {
            action: ApiClientAction::List,
        }) => Ok(Command::ListApiClients),
        Some(Sub::ApiClient {
            action: ApiClientAction::Revoke { id },
        }) => id.map(|id| Command::RevokeApiClient { id }).ok_or_else(|| {
            String::from("api-client revoke needs --id. Run `loket api-client list` for the ids.")
        }),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match parse(&args) {
        Ok(Some(command)) => command,
        Ok(None) => return ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("loket: {message}");
            return ExitCode::FAILURE;
        }
    };
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => return fail(&error.into()),
    };
    if matches!(command, Command::Run) {
        if let Err(error) = config.check_site_root() {
            return fail(&error.into());
        }
    }
    init_tracing(config.log_json);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .thread_stack_size(loket_server::WORKER_STACK_BYTES)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return fail(&StartupError::Serve(error.to_string())),
    };
    let outcome = match command {
        Command::Run => runtime.block_on(run(config)),
        Command::Worker => runtime.block_on(work(config)),
        Command::AddStaff { name, role } => runtime.block_on(add_staff(config, &name, role)),
        Command::AddApiClient { name, scopes } => {
            runtime.block_on(add_api_client(config, &name, &scopes))
        }
        Command::ListApiClients => runtime.block_on(list_api_clients(config)),
        Command::RevokeApiClient { id } => runtime.block_on(revoke_api_client(config, &id)),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(&error),
    }
}

/// `loket staff add`: the bootstrap for the first staff account (and a way in when no admin is left).
async fn add_staff(config: Config, name: &str, role: StaffRole) -> Result<(), StartupError> {
    let (municipality, db) = startup::open(&config).await?;
    let issued = staff::add_with_activation_code(
        &db,
        &municipality.id,
        name,
        role,
        "command-line",
        jiff::Timestamp::now(),
    )
    .await
    .map_err(|e| match e {
        IdentityError::Invalid(_) => {
            StartupError::Usage(String::from("--name must be 1 to 100 characters."))
        }
        other => StartupError::from(other),
    })?;
    let until = issued
        .expires_at
        .to_zoned(municipality.time_zone.clone())
        .strftime("%Y-%m-%d %H:%M");
    println!(
        "Staff member added to {} with role {}.",
        municipality.name,
        role.as_str()
    );
    println!("Activation code: {}", issued.code);
    println!(
        "Valid until {until}. Open {}/activeren and enter the code to create a passkey.",
        config.public_url
    );
    Ok(())
}

/// `loket api-client add`: a case system or contact-centre tool that may call `/api/v1`.
async fn add_api_client(config: Config, name: &str, scopes: &[Scope]) -> Result<(), StartupError> {
    let (municipality, db) = startup::open(&config).await?;
    let (id, token) = clients::add(&db, &municipality.id, name, scopes, jiff::Timestamp::now())
        .await
        .map_err(|e| match e {
            IdentityError::Invalid(_) => StartupError::Usage(String::from(
                "--name must be 1 to 100 characters and --scopes must name at least one scope.",
            )),
            other => StartupError::from(other),
        })?;
    println!("API client added to {}.", municipality.name);
    println!("Id (for `loket api-client revoke --id …`): {id}");
    println!("Token (shown once; Loket keeps only its hash): {token}");
    println!(
        "Send it as `Authorization: Bearer <token>` to {}/api/v1/…",
        config.public_url
    );
    Ok(())
}

/// `loket api-client list`: one line per system, tab-separated (id, name, scopes, added, revoked or "actief").
async fn list_api_clients(config: Config) -> Result<(), StartupError> {
    let (municipality, db) = startup::open(&config).await?;
    let zone = municipality.time_zone.clone();
    let local = |at: jiff::Timestamp| {
        at.to_zoned(zone.clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string()
    };
    for client in clients::list(&db, &municipality.id).await? {
        let state = client.revoked_at.map_or_else(
            || String::from("actief"),
            |at| format!("ingetrokken {}", local(at)),
        );
        println!(
            "{}\t{}\t{}\t{}\t{state}",
            client.id,
            client.name,
            client.scopes,
            local(client.created_at)
        );
    }
    Ok(())
}

/// `loket api-client revoke --id …`: the system's token stops working at once.
async fn revoke_api_client(config: Config, id: &str) -> Result<(), StartupError> {
    let (municipality, db) = startup::open(&config).await?;
    if clients::revoke(&db, &municipality.id, id, jiff::Timestamp::now()).await? {
        println!("API client {id} revoked: its token no longer works.");
        Ok(())
    } else {
        Err(StartupError::Usage(format!(
            "no active API client {id:?}. Run `loket api-client list` for the ids."
        )))
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
    // Built before "ready": a wrong LOKET_SMTP_URL or LOKET_MAIL_FROM stops the start, not a running server.
    let worker = if config.worker {
        Some(startup::worker(&config, loket.db.clone(), loket.municipality.clone()).await?)
    } else {
        None
    };
    tracing::info!(
        addr = %config.addr,
        database = ?loket.db.backend,
        municipality = %loket.municipality.id,
        demo = config.demo,
        "Loket is ready"
    );
    println!("Loket answers on http://localhost:{}", config.addr.port());
    let (stop_worker, worker_stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = worker.map(|worker| {
        tokio::spawn(worker.run(async {
            let _ = worker_stopped.await;
        }))
    });
    let sweeper = config.worker.then(|| {
        tokio::spawn(loket_server::documents::drafts::sweep_every_hour(
            loket.db.clone(),
            loket.documents.store.clone(),
        ))
    });
    // The peer address (ConnectInfo) feeds the per-address rate limits on sign-in and activation.
    let limits = loket_server::serve::Limits::for_process(config.trust_forwarded_for);
    loket_server::serve::serve(listener, loket.router, limits, shutdown_signal()).await;
    let _ = stop_worker.send(());
    if let Some(sweeper) = sweeper {
        sweeper.abort();
    }
    if let Some(worker) = worker {
        let _ = worker.await;
    }
    Ok(())
}

/// `loket worker`: delivers notifications until SIGTERM or Ctrl-C.
async fn work(config: Config) -> Result<(), StartupError> {
    let (municipality, db) = startup::open(&config).await?;
    let worker = startup::worker(&config, db, municipality).await?;
    worker.run(shutdown_signal()).await;
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn no_arguments_run_loket_and_subcommands_parse_their_options() {
        assert!(matches!(parse(&[]), Ok(Some(Command::Run))));
        assert!(matches!(parse(&args("worker")), Ok(Some(Command::Worker))));
        assert!(matches!(
            parse(&args("staff add --name Bea --role admin")),
            Ok(Some(Command::AddStaff {
                role: StaffRole::Admin,
                ..
            }))
        ));
        assert!(matches!(
            parse(&args("api-client add --name Zaken --scopes cases,appointments")),
            Ok(Some(Command::AddApiClient { scopes, .. })) if scopes.len() == 2
        ));
        assert!(matches!(
            parse(&args("api-client revoke --id abc")),
            Ok(Some(Command::RevokeApiClient { id })) if id == "abc"
        ));
    }

    #[test]
    fn every_mistake_is_one_line_that_says_what_to_do() {
        for (line, want) in [
            (
                "staff add --name Bea --role baas",
                "unknown role \"baas\". Use kcc, backoffice or admin.",
            ),
            (
                "staff add --name Bea",
                "staff add needs --name and --role. Run `loket staff add --help`.",
            ),
            (
                "api-client add --name Z --scopes cases,alles",
                "unknown scope \"alles\". Use case-types, cases, contact-moments or appointments.",
            ),
            (
                "api-client revoke",
                "api-client revoke needs --id. Run `loket api-client list` for the ids.",
            ),
        ] {
            assert_eq!(parse(&args(line)).err().as_deref(), Some(want), "{line}");
        }
        for line in ["frobnicate", "staff add --name", "worker --fast"] {
            let error = parse(&args(line)).err().unwrap_or_default();
            assert!(
                !error.contains('\n') && error.ends_with("Run `loket --help`."),
                "{line}: {error}"
            );
        }
    }
}
