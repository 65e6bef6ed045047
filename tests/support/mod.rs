//! Test support: start the real router on SQLite (a temporary data dir) or PostgreSQL (a throwaway database
//! created for the test and dropped afterwards), and send it requests.

// This crate is test code only: a failed step should stop the test loudly.
// Tests read the clock to build their scenes (the code under test takes it as a parameter).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

use axum::body::Body;
use axum::Router;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use server::config::Config;
use server::startup::{build, Loket};
use sqlx::Connection;
use std::path::PathBuf;
use tower::ServiceExt;

pub mod appointments;
pub mod browser;
pub mod brp;
pub mod crash;
pub mod notify;
pub mod oidc;
pub mod openapi;
pub mod providers;
pub mod services;
pub mod smtp;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server the tests create their databases on.
pub fn postgres_admin_url() -> String {
    std::env::var("LOKET_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| String::from("postgres://postgres@127.0.0.1:5432/postgres"))
}

/// The repository root (tests run with the package dir as working directory).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A fixed clock for seeding, so dates in assertions are stable.
pub fn test_now() -> jiff::Timestamp {
    "2026-03-03T09:30:00Z".parse().unwrap()
}

pub struct TestApp {
    pub loket: Loket,
    pub data_dir: tempfile::TempDir,
    pg_database: Option<(String, String)>,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// A config for tests: demo data on (explicitly, so PostgreSQL gets it too), the repo's demo municipality.
pub fn test_config(
    backend: Backend,
    data_dir: &std::path::Path,
    database_url: Option<String>,
) -> Config {
    let root = repo_root();
    let data_dir = data_dir.to_string_lossy().into_owned();
    let municipality = root
        .join("server/municipalities/voorbeeld.toml")
        .to_string_lossy()
        .into_owned();
    let site_root = root.join("target/site").to_string_lossy().into_owned();
    let lookup = |name: &str| match name {
        "LOKET_DATA_DIR" => Some(data_dir.clone()),
        "LOKET_MUNICIPALITY_FILE" => Some(municipality.clone()),
        "LOKET_SITE_ROOT" => Some(site_root.clone()),
        "LOKET_DEMO" => Some(String::from("true")),
        // The loopback push service of the tests (tests/support/providers.rs).
        "LOKET_PUSH_SERVICES" => Some(String::from("127.0.0.1")),
        "LOKET_DATABASE_URL" if backend == Backend::Postgres => database_url.clone(),
        _ => None,
    };
    Config::from_lookup(lookup).unwrap()
}

/// Creates a throwaway PostgreSQL database; returns (its URL, its name).
pub async fn create_postgres_database() -> (String, String) {
    let admin = postgres_admin_url();
    let name = format!(
        "loket_test_{}_{:016x}",
        std::process::id(),
        rand::random::<u64>()
    );
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL for tests is not reachable at {admin}: {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let base = admin
        .rsplit_once('/')
        .map_or(admin.as_str(), |(base, _)| base)
        .to_owned();
    (format!("{base}/{name}"), name)
}

pub fn drop_postgres_database(name: String) {
    // Drop runs outside any async context; use a private runtime on a plain thread.
    let _ = std::thread::spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        runtime.block_on(async move {
            if let Ok(mut conn) = sqlx::PgConnection::connect(&postgres_admin_url()).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await;
            }
        });
    })
    .join();
}

impl TestApp {
    pub async fn start(backend: Backend) -> TestApp {
        TestApp::start_with(backend, |_| {}).await
    }

    /// Starts with the test config changed by `adjust` (e.g. another public URL).
    pub async fn start_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let data_dir = tempfile::tempdir().unwrap();
        let pg_database = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(create_postgres_database().await),
        };
        let mut config = test_config(
            backend,
            data_dir.path(),
            pg_database.as_ref().map(|(url, _)| url.clone()),
        );
        adjust(&mut config);
        let loket = build(&config, test_now()).await.unwrap();
        TestApp {
            loket,
            data_dir,
            pg_database,
        }
    }

    /// The PostgreSQL URL of this test's database (`None` on SQLite, whose file is in `data_dir`).
    pub fn database_url(&self) -> Option<&str> {
        self.pg_database.as_ref().map(|(url, _)| url.as_str())
    }

    pub fn router(&self) -> Router {
        self.loket.router.clone()
    }

    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self.router().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        TestResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    pub async fn get_with_cookie(&self, path: &str, cookie: &str) -> TestResponse {
        self.send(
            Request::get(path)
                .header("cookie", cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// The visitor's CSRF cookie (`name=value`) and token, as a first page view hands them out.
    pub async fn csrf(&self) -> (String, String) {
        let page = self.get("/").await;
        let (status, start) = (page.status, page.body.chars().take(300).collect::<String>());
        page.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| {
                let pair = v.split(';').next()?;
                let (name, value) = pair.split_once('=')?;
                name.ends_with("loket_csrf")
                    .then(|| (pair.to_owned(), value.to_owned()))
            })
            .unwrap_or_else(|| {
                panic!("a first page view sets the CSRF cookie; got {status}: {start}")
            })
    }

    /// Posts a form the way a Loket page does: with the CSRF cookie and the token in the `csrf` field.
    pub async fn post_form(&self, path: &str, form: &str) -> TestResponse {
        let (cookie, token) = self.csrf().await;
        let form = if form.is_empty() {
            format!("csrf={token}")
        } else {
            format!("{form}&csrf={token}")
        };
        self.send(
            Request::post(path)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", cookie)
                .body(Body::from(form))
                .unwrap(),
        )
        .await
    }

    /// Calls the back-office API: JSON body, optional bearer token. Returns status, content type and JSON body.
    pub async fn api(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> (u16, String, serde_json::Value) {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => request
                .header("content-type", "application/json")
                .body(Body::from(body.to_string())),
            None => request.body(Body::empty()),
        };
        let response = self.send(request.unwrap()).await;
        let json = serde_json::from_str(&response.body).unwrap_or(serde_json::Value::Null);
        (
            response.status.as_u16(),
            response.header("content-type").to_owned(),
            json,
        )
    }

    /// A back-office API token for this municipality with the given scopes.
    pub async fn api_token(&self, scopes: &[server::identity::clients::Scope]) -> String {
        server::identity::clients::add(
            &self.loket.db,
            &self.loket.municipality.id,
            "Zaaksysteem test",
            scopes,
            test_now(),
        )
        .await
        .unwrap()
        .1
    }

    /// Posts a form without any CSRF token, as a forged cross-site request would.
    pub async fn post_form_without_token(&self, path: &str, form: &str) -> TestResponse {
        self.send(
            Request::post(path)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(form.to_owned()))
                .unwrap(),
        )
        .await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((_, name)) = self.pg_database.take() {
            drop_postgres_database(name);
        }
    }
}

/// Loket on a real loopback port (for clients that speak HTTP, such as the passkey journey). The public URL is
/// `http://localhost:<port>`, so WebAuthn's relying party is `localhost` as in the browser.
pub struct TestServer {
    pub app: TestApp,
    pub url: String,
    port: u16,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    pub async fn start(backend: Backend) -> TestServer {
        TestServer::start_with(backend, |_| {}).await
    }

    /// Starts with files served from `site_root` instead of the built site (the benchmark's static file).
    pub async fn start_with_site(backend: Backend, site_root: &std::path::Path) -> TestServer {
        let site_root = site_root.to_owned();
        TestServer::start_with(backend, move |config| config.site_root = site_root).await
    }

    pub async fn start_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let url = format!("http://localhost:{port}");
        let public = url.clone();
        let app = TestApp::start_with(backend, move |config| {
            config.public_url = public;
            adjust(config);
        })
        .await;
        // Served as `loket` serves: its timeouts, connection caps and TCP_NODELAY.
        let router = app.router();
        let limits = server::serve::Limits::for_process(false);
        let task = tokio::spawn(server::serve::serve(
            listener,
            router,
            limits,
            std::future::pending(),
        ));
        TestServer {
            app,
            url,
            port,
            task,
        }
    }

    /// A client with a cookie jar, like one browser.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .resolve(
                "localhost",
                std::net::SocketAddr::from(([127, 0, 0, 1], self.port)),
            )
            .build()
            .unwrap()
    }

    /// The loopback address `localhost` resolves to for this server.
    pub fn addr(&self) -> std::net::SocketAddr {
        std::net::SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    pub fn db(&self) -> &server::storage::Db {
        &self.app.loket.db
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The single number `sql` (a `SELECT COUNT(*) …`) answers on the server's database.
/// A route pattern of the router (`/zaken/{id}`) with `value` in every `{…}` segment.
pub fn concrete(pattern: &str, value: &str) -> String {
    pattern
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                value
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

pub async fn count(server: &TestServer, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql)
        .fetch_one(&server.db().pool)
        .await
        .unwrap();
    n
}

/// The resident's page of the case numbered `identifier`: `/zaken/{id}`, by the case's opaque id (links never
/// carry the number, which can name the case type).
pub async fn case_page(db: &server::storage::Db, identifier: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM cases WHERE identifier = $1")
        .bind(identifier)
        .fetch_one(&db.pool)
        .await
        .unwrap_or_else(|error| panic!("case {identifier}: {error}"));
    format!("/zaken/{id}")
}

/// The runtime every router test runs on: two workers, as on the machines Loket runs on, with stacks large
/// enough for a debug build's server-side render of the deepest page (the default 2 MiB overflowed on CI).
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_stack_size(server::WORKER_STACK_BYTES)
        .enable_all()
        .build()
        .expect("test runtime")
}

/// Runs `async fn name(backend: Backend)` once per database, as the tests `name::sqlite` and `name::postgres`.
/// With a closure instead (`on_both_backends!(name, |app| { … })`) the body gets a started [`TestApp`].
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident) => {
        mod $name {
            #[test]
            fn sqlite() {
                $crate::runtime().block_on(super::$name($crate::Backend::Sqlite));
            }

            #[test]
            fn postgres() {
                $crate::runtime().block_on(super::$name($crate::Backend::Postgres));
            }
        }
    };
    ($name:ident, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[test]
            fn sqlite() {
                $crate::runtime().block_on(async {
                    let $app = $crate::TestApp::start($crate::Backend::Sqlite).await;
                    $body
                });
            }

            #[test]
            fn postgres() {
                $crate::runtime().block_on(async {
                    let $app = $crate::TestApp::start($crate::Backend::Postgres).await;
                    $body
                });
            }
        }
    };
}
