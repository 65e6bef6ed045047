//! `loket`: runs Loket. Configuration comes from `LOKET_*` environment variables (see the README); any problem
//! with it ends the process with exit code 1 and one line on stderr that says what to fix.
// The command line is an edge: it reads the clock and hands it down as `now`.
#![allow(clippy::disallowed_methods)]

use loket_server::config::Config;
use loket_server::identity::accounts::StaffRole;
use loket_server::identity::clients::{self, Scope};
use loket_server::identity::IdentityError;
use loket_server::staff;
use loket_server::startup::{self, StartupError};
use std::process::ExitCode;

const USAGE: &str = "Usage:
  loket                                          run Loket (web server and notification worker)
  loket worker                                   only deliver notifications (next to servers that run
                                                 with LOKET_WORKER=false, or as extra workers)
  loket staff add --name <naam> --role <rol>     add a staff member (role: kcc, backoffice or admin) and
                                                 print the activation code for their first passkey
  loket api-client add --name <naam> --scopes <s,…>
                                                 register a system that may call /api/v1 and print its
                                                 token (scopes: case-types, cases, contact-moments,
                                                 appointments)
  loket api-client list                          the registered systems (id, name, scopes, since, revoked)
  loket api-client revoke --id <id>              end a system's access at once
  loket --version | --help

Configure Loket with LOKET_* environment variables; see README.md.";

enum Command {
    Run,
    Worker,
    AddStaff { name: String, role: StaffRole },
    AddApiClient { name: String, scopes: Vec<Scope> },
    ListApiClients,
    RevokeApiClient { id: String },
}

/// `--option value` pairs; every option must be one of `known`.
fn options<'a>(rest: &'a [String], known: &[&str]) -> Result<Vec<(&'a str, &'a str)>, String> {
    let mut pairs = Vec::new();
    let mut rest = rest.iter();
    while let Some(option) = rest.next() {
        let value = rest
            .next()
            .ok_or_else(|| format!("{option} needs a value. Run `loket --help`."))?;
        if !known.contains(&option.as_str()) {
            return Err(format!("unknown option {option:?}. Run `loket --help`."));
        }
        pairs.push((option.as_str(), value.as_str()));
    }
    Ok(pairs)
}

fn parse(args: &[String]) -> Result<Option<Command>, String> {
    match args {
        [] => Ok(Some(Command::Run)),
        [worker] if worker == "worker" => Ok(Some(Command::Worker)),
        [flag] if flag == "--version" || flag == "-V" => {
            println!("loket {}", env!("CARGO_PKG_VERSION"));
            Ok(None)
        }
        [flag] if flag == "--help" || flag == "-h" || flag == "help" => {
            println!("{USAGE}");
            Ok(None)
        }
        [staff, add, rest @ ..] if staff == "staff" && add == "add" => {
            let (mut name, mut role) = (None, None);
            for (option, value) in options(rest, &["--name", "--role"])? {
                match option {
                    "--name" => name = Some(value.to_owned()),
                    _ => {
                        role = Some(StaffRole::parse(value).ok_or_else(|| {
                            format!("unknown role {value:?}. Use kcc, backoffice or admin.")
                        })?)
                    }
                }
            }
            match (name, role) {
                (Some(name), Some(role)) => Ok(Some(Command::AddStaff { name, role })),
                _ => Err(String::from(
                    "staff add needs --name and --role. Run `loket --help`.",
                )),
            }
        }
        [client, add, rest @ ..] if client == "api-client" && add == "add" => {
            let (mut name, mut scopes) = (None, None);
            for (option, value) in options(rest, &["--name", "--scopes"])? {
                match option {
                    "--name" => name = Some(value.to_owned()),
                    _ => {
                        scopes = Some(
                            value
                                .split(',')
                                .map(|s| {
                                    Scope::parse(s.trim()).ok_or_else(|| {
                                        format!("unknown scope {s:?}. Use case-types, cases, contact-moments or appointments.")
                                    })
                                })
                                .collect::<Result<Vec<_>, _>>()?,
                        )
                    }
                }
            }
            match (name, scopes) {
                (Some(name), Some(scopes)) => Ok(Some(Command::AddApiClient { name, scopes })),
                _ => Err(String::from(
                    "api-client add needs --name and --scopes. Run `loket --help`.",
                )),
            }
        }
        [client, list] if client == "api-client" && list == "list" => {
            Ok(Some(Command::ListApiClients))
        }
        [client, revoke, rest @ ..] if client == "api-client" && revoke == "revoke" => {
            match options(rest, &["--id"])?.as_slice() {
                [(_, id)] => Ok(Some(Command::RevokeApiClient {
                    id: (*id).to_owned(),
                })),
                _ => Err(String::from(
                    "api-client revoke needs --id. Run `loket api-client list` for the ids.",
                )),
            }
        }
        [other, ..] => Err(format!("unknown argument {other:?}. Run `loket --help`.")),
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
