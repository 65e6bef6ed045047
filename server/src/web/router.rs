//! The one router: Leptos pages, server functions, PWA files, health checks and static files, wrapped in the
//! security, compression, size-limit, timeout and tracing layers.

use super::backoffice;
use super::json::identity;
use super::pwa;
use super::security::{self, CspNonce, SecurityConfig};
use super::session::{self, CsrfToken};
use crate::services::Services;
use app::api::{MunicipalityView, SharedBackend};
use app::i18n::{Lang, LANG_COOKIE};
use app::paths;
use app::{shell, App};
use axum::body::Body;
use axum::extract::{FromRef, Request, State};
use axum::handler::Handler;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put, MethodRouter};
use axum::{Form, Router};
use http::header::{self, HeaderValue};
use http::{Method, StatusCode};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use serde::Deserialize;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

/// The largest request body outside dedicated upload routes.
pub(crate) const BODY_LIMIT: usize = 64 * 1024;

/// The site's hashed build files, read once at start from cargo-leptos' `hash.txt`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assets {
    pub css: String,
    pub js: String,
    pub wasm: String,
    /// Changes whenever any precached file changes; names the service worker's caches.
    pub version: String,
}

impl Assets {
    /// The file names Leptos will link to, given whether hashing is on.
    pub fn load(options: &LeptosOptions, extra_version: &str) -> Assets {
        let hashes = if options.hash_files {
            std::fs::read_to_string(hash_file()).unwrap_or_default()
        } else {
            String::new()
        };
        let hash_of = |kind: &str| {
            hashes.lines().find_map(|line| {
                let (k, v) = line.split_once(':')?;
                (k.trim() == kind).then(|| format!(".{}", v.trim()))
            })
        };
        let name = |kind: &str| {
            format!(
                "/{}/{}{}.{kind}",
                options.site_pkg_dir,
                options.output_name,
                hash_of(kind).unwrap_or_default()
            )
        };
        let (css, js, wasm) = (name("css"), name("js"), name("wasm"));
        let version = stable_hash(&format!(
            "{}|{css}|{js}|{wasm}|{extra_version}",
            env!("CARGO_PKG_VERSION")
        ));
        Assets {
            css,
            js,
            wasm,
            version,
        }
    }
}

/// FNV-1a: stable across builds and Rust versions, unlike `DefaultHasher`.
fn stable_hash(text: &str) -> String {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// cargo-leptos writes `hash.txt` beside the server binary.
fn hash_file() -> std::path::PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
        .unwrap_or_default()
        .join("hash.txt")
}

/// Leptos' options. File hashing follows the build: on when cargo-leptos left a `hash.txt` beside the binary.
pub fn leptos_options(site_root: &Path) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("loket")
        .site_root(site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .hash_files(hash_file().exists())
        .env(leptos::config::Env::PROD)
        .build()
}

#[derive(Clone)]
pub struct AppState {
    pub leptos: LeptosOptions,
    pub services: Arc<Services>,
    pub municipality: MunicipalityView,
    pub assets: Arc<Assets>,
    pub service_worker: Arc<str>,
    pub security: SecurityConfig,
    pub secure_cookies: bool,
    /// `scheme://host[:port]` of `LOKET_PUBLIC_URL`: the Origin a state-changing request may come from.
    pub public_origin: Arc<str>,
    pub trust_forwarded_for: bool,
}

impl AppState {
    pub fn new(services: Services, config: &crate::config::Config) -> AppState {
        let tls = config.uses_tls();
        let leptos = leptos_options(&config.site_root);
        let texts: String = app::i18n::catalogue_sources().collect();
        let assets = Assets::load(
            &leptos,
            &format!("{}{texts}", services.municipality.theme_css()),
        );
        let service_worker = pwa::service_worker(&assets, &services.municipality.logo_url).into();
        AppState {
            municipality: app::api::MunicipalityView {
                doors: services.doors.names(),
                ..services.municipality.view(services.demo)
            },
            leptos,
            services: Arc::new(services),
            assets: Arc::new(assets),
            service_worker,
            security: SecurityConfig { hsts: tls },
            secure_cookies: tls,
            public_origin: origin_of(&config.public_url).into(),
            trust_forwarded_for: config.trust_forwarded_for,
        }
    }
}

/// `https://host:port/path` → `https://host:port`.
fn origin_of(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}", rest.split('/').next().unwrap_or(rest)),
        None => url.to_owned(),
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

impl FromRef<AppState> for SecurityConfig {
    fn from_ref(state: &AppState) -> Self {
        state.security
    }
}

/// What every page render and server function call gets as Leptos context.
fn request_context(state: &AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    let backend: SharedBackend = state.services.clone();
    let municipality = state.municipality.clone();
    move || {
        provide_context(backend.clone());
        provide_context(municipality.clone());
        let parts = leptos::prelude::use_context::<http::request::Parts>();
        provide_context(
            parts
                .as_ref()
                .map(|p| language(&p.headers))
                .unwrap_or_default(),
        );
        if let Some(nonce) = parts.as_ref().and_then(|p| p.extensions.get::<CspNonce>()) {
            provide_context(leptos::nonce::Nonce::from_value(nonce.0.clone()));
        }
        if let Some(viewer) = parts
            .as_ref()
            .and_then(|p| p.extensions.get::<app::api::Viewer>())
        {
            provide_context(viewer.clone());
        }
        if let Some(visitor) = parts
            .as_ref()
            .and_then(|p| p.extensions.get::<session::Visitor>())
        {
            provide_context(visitor.clone());
        }
        if let Some(problem) = parts
            .as_ref()
            .and_then(|p| p.extensions.get::<app::api::FormProblem>())
        {
            provide_context(problem.clone());
        }
        if let Some(problems) = parts
            .as_ref()
            .and_then(|p| p.extensions.get::<app::api::FormProblems>())
        {
            provide_context(problems.clone());
        }
        if let Some(search) = parts
            .as_ref()
            .and_then(|p| p.extensions.get::<app::api::StaffSearch>())
        {
            provide_context(search.clone());
        }
        if let Some(checked) = parts
            .as_ref()
            .and_then(|p| p.extensions.get::<app::api::CheckInResult>())
        {
            provide_context(checked.clone());
        }
        if let Some(issued) = parts
            .as_ref()
            .and_then(|p| p.extensions.get::<app::api::IssuedActivation>())
        {
            provide_context(issued.clone());
        }
        if let Some(token) = parts.as_ref().and_then(|p| p.extensions.get::<CsrfToken>()) {
            provide_context(app::api::CsrfToken(token.0.clone()));
        }
    }
}

/// The visitor's language from the language cookie; Dutch when there is none.
pub(super) fn language(headers: &http::HeaderMap) -> Lang {
    session::cookie(headers, LANG_COOKIE)
        .and_then(Lang::from_code)
        .unwrap_or_default()
}

/// The page forms that change something (each a POST with a CSRF token). The router is built from this list
/// and the preview test walks it, so a new form is covered by that test without anyone remembering to add it.
fn forms() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        (paths::LANGUAGE, post(set_language)),
        (paths::SIGN_OUT, post(super::forms::identity::sign_out_form)),
        (
            paths::SIGN_OUT_EVERYWHERE,
            post(super::forms::identity::sign_out_everywhere_form),
        ),
        (paths::ACT_AS, post(super::forms::identity::act_as_form)),
        (
            "/instellingen/passkeys/{id}/naam",
            post(super::forms::identity::passkey_rename_form),
        ),
        (paths::MESSAGE_SETTINGS, post(super::forms::messages::post)),
        (
            "/zaken/{id}/berichten",
            post(super::forms::messages::post_case),
        ),
        (paths::BOOK, post(super::forms::appointments::book)),
        (paths::STAFF, post(super::forms::staff::search)),
        (
            "/medewerkers/inwoners/{id}/afspraak-maken",
            post(super::forms::staff::book),
        ),
        (
            "/medewerkers/inwoners/{id}/afspraken/{appointment}/annuleren",
            post(super::forms::staff::cancel),
        ),
        (
            "/medewerkers/inwoners/{id}/afspraken/{appointment}/verzetten",
            post(super::forms::staff::move_for),
        ),
        (
            "/medewerkers/inwoners/{id}/contactmomenten",
            post(super::forms::staff::record_contact),
        ),
        (
            "/medewerkers/inwoners/{id}/adressen/{address}/verbeteren",
            post(super::forms::staff::correct_address),
        ),
        (
            "/medewerkers/inwoners/{id}/activeringscode",
            post(super::forms::staff::issue_code),
        ),
        (
            "/medewerkers/inwoners/{id}/activeringscode/intrekken",
            post(super::forms::staff::revoke_code),
        ),
        (
            "/medewerkers/inwoners/{id}/bekijken",
            post(super::forms::staff::start_preview),
        ),
        (paths::PREVIEW_STOP, post(super::forms::staff::stop_preview)),
        (paths::STAFF_CHECK_IN, post(super::forms::staff::check_in)),
        (
            paths::STAFF_NEW_CALLER,
            post(super::forms::staff::record_caller),
        ),
        (paths::ADMIN_STAFF, post(super::forms::admin::add)),
        (
            "/beheer/medewerkers/{id}/activeringscode",
            post(super::forms::admin::new_code),
        ),
        (
            "/beheer/medewerkers/{id}/activeringscode/intrekken",
            post(super::forms::admin::revoke_code),
        ),
        (
            "/beheer/medewerkers/{id}/uit-dienst",
            post(super::forms::admin::leave),
        ),
        (
            "/beheer/medewerkers/{id}/rol",
            post(super::forms::admin::set_role),
        ),
        (
            "/medewerkers/inwoners/{id}/documenten/{document}/in-behandeling",
            post(super::forms::documents::take),
        ),
        (
            "/beheer/afspraken/diensten",
            post(super::forms::catalogue::save_service),
        ),
        (
            "/beheer/afspraken/locaties",
            post(super::forms::catalogue::save_location),
        ),
        (
            "/beheer/afspraken/agendas",
            post(super::forms::catalogue::save_resource),
        ),
        (
            "/afspraak/{token}",
            post(super::forms::appointments::open_link),
        ),
        (
            "/afspraak/{token}/code",
            post(super::forms::appointments::send_link_code),
        ),
        (
            "/afspraken/{id}/verzetten",
            post(super::forms::appointments::move_to),
        ),
        (
            "/afspraken/{id}/annuleren",
            post(super::forms::appointments::cancel),
        ),
        (
            "/afspraken/{id}/herinneringen",
            post(super::forms::appointments::reminders),
        ),
    ]
}

/// The upload routes: bodies up to the upload limit (read and counted by the handlers themselves) and a
/// longer timeout for slow phone connections; otherwise the same session, preview and CSRF layers. Each with
/// the methods it answers, for [`state_changing_routes`].
fn uploads() -> Vec<(&'static str, &'static [Method], MethodRouter<AppState>)> {
    vec![
        (
            "/afspraken/{id}/documenten",
            &[Method::POST],
            post(super::json::documents::start_for_appointment),
        ),
        (
            "/zaken/{id}/documenten",
            &[Method::POST],
            post(super::json::documents::start_for_case),
        ),
        (
            "/documenten/concepten/{draft}/paginas/{n}",
            &[Method::PUT, Method::DELETE],
            put(super::json::documents::put_page).delete(super::json::documents::delete_page),
        ),
        (
            "/documenten/concepten/{draft}/versturen",
            &[Method::POST],
            post(super::json::documents::finish),
        ),
        (
            "/documenten/{id}/verwijderen",
            &[Method::POST],
            post(super::forms::documents::delete),
        ),
    ]
}

/// How long one upload request may take: 20 MB at 0.5 Mbit/s is about five minutes.
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(6 * 60);

/// Every route a session-carrying browser can send a state-changing request to (forms, uploads and the
/// account API), as path patterns with their methods: what a staff preview must refuse, apart from leaving it.
pub fn state_changing_routes() -> Vec<(&'static str, Vec<Method>)> {
    forms()
        .into_iter()
        .chain(identity::changing_routes())
        .map(|(path, _)| (path, vec![Method::POST]))
        .chain(
            uploads()
                .into_iter()
                .map(|(path, methods, _)| (path, methods.to_vec())),
        )
        .collect()
}

/// The names (`/fn/{name}`) of every server function this build has, as Leptos registered them: what a staff
/// preview allows only when [`app::api::READ_ONLY_FNS`] lists it.
pub fn server_fn_names() -> Vec<String> {
    leptos::server_fn::axum::server_fn_paths()
        .filter_map(|(path, _)| path.strip_prefix("/fn/").map(str::to_owned))
        .collect()
}

/// The app's routes, worked out once per process. Leptos marks "route generation in progress" in a
/// process-global flag, and a page whose data is first requested while it is set waits forever
/// (leptos-rs/leptos#4773): generating again for every router (the tests build many, in parallel, while
/// others serve) made a page now and then hang until the 30 s timeout.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn router(state: AppState) -> Router {
    let routes = route_list();
    let context = request_context(&state);
    let site_root = state.leptos.site_root.to_string();
    let immutable = state.leptos.hash_files;

    let pkg = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static(if immutable {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            }),
        ))
        .service(
            ServeDir::new(format!("{site_root}/pkg"))
                .precompressed_br()
                .precompressed_gzip(),
        );
    let public_files = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=3600"),
        ))
        .service(
            ServeDir::new(&site_root)
                .precompressed_br()
                .precompressed_gzip()
                .not_found_service(not_found.with_state(state.clone())),
        );

    let mut pages = Router::new();
    for (path, route) in forms().into_iter().chain(identity::changing_routes()) {
        pages = pages.route(path, route);
    }
    let mut upload_routes = Router::new();
    for (path, _, route) in uploads() {
        upload_routes = upload_routes.route(path, route);
    }
    let upload_routes = upload_routes
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            super::reply::rerender,
        ))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::read_only_guard,
        ))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::load_session,
        ))
        .route_layer(axum::middleware::from_fn(record_route))
        .layer(axum::middleware::from_fn(
            super::middleware::text_guard::refuse_control_characters,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::csrf,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            UPLOAD_TIMEOUT,
        ));
    pages
        .route(paths::STAFF_REPORT_CSV, get(super::downloads::report_csv))
        .route("/documenten/{id}", get(super::downloads::open))
        .route("/inloggen/{door}", get(super::doors::start))
        .route("/inloggen/{door}/terug", get(super::doors::back))
        .route("/afspraken/{id}/agenda.ics", get(super::downloads::calendar))
        .route("/fn/{*name}", post(server_fn).get(server_fn))
        .merge(identity::routes())
        .leptos_routes_with_context(&state, routes, context, {
            let options = state.leptos.clone();
            move || shell(options.clone())
        })
        .route_layer(axum::middleware::from_fn(server_fn_status))
        // Innermost: a refused form's page is rendered with the session and language the form came with.
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), super::reply::rerender))
        // Inside the session layer: a staff preview or a Machtigen session is refused every change.
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), session::read_only_guard))
        // Only the routes above see sessions: files and health checks never touch the session table.
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), session::load_session))
        .route_layer(axum::middleware::from_fn(record_route))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/manifest.webmanifest", get(pwa::manifest_handler))
        .route("/sw.js", get(pwa::service_worker_handler))
        .route("/theme.css", get(pwa::theme_handler))
        .nest_service("/pkg", pkg)
        .fallback_service(public_files)
        // Router::layer wraps in order: the last layer added is the outermost.
        .layer(axum::middleware::from_fn(super::middleware::text_guard::refuse_control_characters))
        .layer(axum::middleware::from_fn_with_state(state.clone(), session::csrf))
        // The back-office API authenticates with bearer tokens, never cookies, so CSRF does not apply to it.
        .merge(
            Router::new()
                .nest("/api/v1", backoffice::routes())
                .route_layer(axum::middleware::from_fn(record_route))
                .layer(axum::middleware::from_fn(super::middleware::text_guard::refuse_control_characters)),
        )
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        // Outside the 64 kB limit and the 30 s timeout above: uploads bring their own.
        .merge(upload_routes)
        .layer(axum::middleware::from_fn_with_state(state.security, security::headers))
        .layer(axum::middleware::from_fn(super::visitor_language))
        .layer(
            TraceLayer::new_for_http()
                // The route pattern (`/zaken/{id}`), filled in once routing matched, never the path
                // itself: values in paths (ids) stay out of the log, as do query strings.
                .make_span_with(|request: &Request<Body>| {
                    tracing::info_span!("request", method = %request.method(), route = tracing::field::Empty)
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .with_state(state)
}

/// Puts the matched route pattern into the request's log span.
async fn record_route(
    matched: Option<axum::extract::MatchedPath>,
    request: Request<Body>,
    next: axum::middleware::Next,
) -> Response {
    if let Some(matched) = matched {
        tracing::Span::current().record("route", matched.as_str());
    }
    next.run(request).await
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.services.db.ping().await {
        Ok(()) => "ok".into_response(),
        Err(error) => {
            tracing::warn!(error = %error, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

async fn server_fn(State(state): State<AppState>, request: Request<Body>) -> impl IntoResponse {
    leptos_axum::handle_server_fns_with_context(request_context(&state), request).await
}

/// Leptos answers every server function error with 500; each kind of [`app::api::ApiError`] gets its own
/// status instead ([`app::api::ApiError::status`]), so arguments it could not read (400), something not
/// there (404) or a refusal (422) are not counted as Loket's failures.
async fn server_fn_status(request: Request<Body>, next: axum::middleware::Next) -> Response {
    let is_server_fn = request.uri().path().starts_with("/fn/");
    let response = next.run(request).await;
    if !is_server_fn || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .unwrap_or_default();
    if let Some(status) = serde_json::from_slice::<app::api::ApiError>(&bytes)
        .ok()
        .and_then(|error| StatusCode::from_u16(error.status()).ok())
    {
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Unknown paths: the Leptos 404 page (the router's fallback sets the status).
async fn not_found(State(state): State<AppState>, request: Request<Body>) -> Response {
    let mut response = render_page(state, request).await;
    // Set here, so the public files' hour of caching is not put on a page that carries a CSRF token.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Renders the page at the request's path, with everything the request carries (a refused form's
/// [`app::api::FormProblem`] among it).
pub(super) async fn render_page(state: AppState, request: Request<Body>) -> Response {
    let options = state.leptos.clone();
    let render = leptos_axum::render_app_async_with_context(request_context(&state), move || {
        shell(options.clone())
    });
    render(request).await
}

#[derive(Deserialize)]
struct LanguageForm {
    lang: String,
    return_to: Option<String>,
}

/// POST /taal: remember the chosen language in a cookie and go back to the page the visitor was on.
async fn set_language(
    State(state): State<AppState>,
    form: Result<Form<LanguageForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return super::plain_refusal(StatusCode::PAYLOAD_TOO_LARGE, "page-refused-too-large");
        }
        Err(_) => return super::plain_refusal(StatusCode::BAD_REQUEST, "language-refused"),
    };
    let Some(lang) = Lang::from_code(&form.lang) else {
        return super::plain_refusal(StatusCode::BAD_REQUEST, "language-refused");
    };
    // A year, so the choice outlives the session.
    let cookie = session::site_cookie(
        LANG_COOKIE,
        lang.code(),
        state.secure_cookies,
        cookie::SameSite::Lax,
        Some(cookie::time::Duration::days(365)),
    );
    let target = safe_return_path(form.return_to.as_deref());
    match (cookie, HeaderValue::from_str(target)) {
        (Some(cookie), Ok(location)) => (
            StatusCode::SEE_OTHER,
            [(header::SET_COOKIE, cookie), (header::LOCATION, location)],
        )
            .into_response(),
        _ => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Only a local path may be a redirect target (no `//host`, no `\`), so the form cannot send anyone away.
/// Browsers drop tabs and newlines from a `Location` (so `/\t/evil.example` becomes `//evil.example`):
/// only visible ASCII is accepted, non-ASCII comes percent-encoded.
fn safe_return_path(path: Option<&str>) -> &str {
    match path {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.contains('\\')
                && p.chars().all(|c| c.is_ascii_graphic()) =>
        {
            p
        }
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_redirect_targets() {
        assert_eq!(safe_return_path(Some("/zaken")), "/zaken");
        assert_eq!(safe_return_path(Some("//evil.example")), "/");
        assert_eq!(safe_return_path(Some("https://evil.example")), "/");
        assert_eq!(safe_return_path(Some("/\\evil.example")), "/");
        assert_eq!(safe_return_path(Some("/\t/evil.example")), "/");
        assert_eq!(safe_return_path(Some("/\n/evil.example")), "/");
        assert_eq!(safe_return_path(Some("/ /evil.example")), "/");
        assert_eq!(safe_return_path(Some("/zaken?tab=open")), "/zaken?tab=open");
        assert_eq!(safe_return_path(None), "/");
    }

    #[test]
    fn language_comes_from_any_cookie_header() {
        let mut headers = http::HeaderMap::new();
        assert_eq!(language(&headers), Lang::Nl);
        headers.append(header::COOKIE, HeaderValue::from_static("a=1"));
        headers.append(header::COOKIE, HeaderValue::from_static("loket_lang=en"));
        assert_eq!(language(&headers), Lang::En);
        let mut unknown = http::HeaderMap::new();
        unknown.append(
            header::COOKIE,
            HeaderValue::from_static("other=en; loket_lang=fr"),
        );
        assert_eq!(language(&unknown), Lang::Nl);
    }

    #[test]
    fn asset_version_is_stable_and_content_dependent() {
        assert_eq!(stable_hash("a"), stable_hash("a"));
        assert_ne!(stable_hash("a"), stable_hash("b"));
    }
}
