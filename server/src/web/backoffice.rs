//! `/api/v1`: the back-office API through which case systems and the contact centre's tools put case types,
//! cases, statuses and contact moments into Loket, and the municipality configures what can be booked
//! (appointment services, locations and resources). JSON in and out, a bearer token per client system (scoped to
//! the municipality and to operations), errors as `application/problem+json` (RFC 9457) naming every invalid
//! field. The OpenAPI document at `/api/v1/openapi.json` is generated from these handlers.

use super::router::AppState;
use crate::appointments::catalogue;
use crate::appointments::spec::{
    self, ExceptionSpec, HoursSpec, LocationSpec, ResourceSpec, ServiceSpec,
};
use crate::appointments::AppointmentsError;
use crate::cases::intake::{
    self, ActionRequired, CaseRecord, CaseTypeSpec, Closing, NewCase, NewStatus, Outcome,
    StatusTypeSpec,
};
use crate::cases::{CasesError, FieldProblem};
use crate::contacts::{self, ContactMomentRecord, NewContactMoment};
use crate::identity::clients::{self, Client, Refusal, Scope};
use crate::parties::PartyRef;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use http::request::Parts;
use http::{header, HeaderValue, StatusCode};
use serde::Serialize;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/case-types/{code}", put(put_case_type))
        .route("/cases", post(create_case))
        .route("/cases/{identifier}", get(get_case))
        .route("/cases/{identifier}/statuses", post(add_status))
        .route(
            "/cases/{identifier}/action-required",
            put(set_action).delete(clear_action),
        )
        .route("/cases/{identifier}/result", post(close_case))
        .route("/contact-moments", post(register_contact))
        .route("/appointment-services/{id}", put(put_service))
        .route("/appointment-locations/{id}", put(put_location))
        .route("/appointment-resources/{id}", put(put_resource))
        .fallback(unknown_route)
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Loket back-office API",
        description = "Case types, cases, statuses, action required, results and contact moments, after the Dutch ZGW concepts; and the appointment catalogue (services, locations, resources). Every call needs `Authorization: Bearer <token>` (`loket api-client add`). Errors are application/problem+json with the invalid fields in `invalid_params`."
    ),
    paths(put_case_type, create_case, get_case, add_status, set_action, clear_action, close_case, register_contact, put_service, put_location, put_resource),
    components(schemas(Problem, InvalidParam, CaseTypeSpec, StatusTypeSpec, NewCase, PartyRef, NewStatus, ActionRequired, Closing, CaseRecord, NewContactMoment, ContactMomentRecord, ServiceSpec, catalogue::BringItem, LocationSpec, ResourceSpec, HoursSpec, ExceptionSpec)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The OpenAPI 3.1 document of this API.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

async fn openapi() -> Response {
    Json(openapi_document()).into_response()
}

/// An RFC 9457 problem. Texts are Dutch, for the operator of the calling system.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub invalid_params: Vec<InvalidParam>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvalidParam {
    /// The field's JSON path, e.g. `statuses[1].resident_text`.
    pub name: String,
    pub reason: String,
}

impl Problem {
    fn new(
        status: StatusCode,
        kind: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Problem {
        Problem {
            kind,
            title,
            status: status.as_u16(),
            detail: detail.into(),
            invalid_params: Vec::new(),
        }
    }

    fn unauthenticated() -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "urn:loket:problem:unauthenticated",
            "Niet aangemeld",
            "Stuur een geldig token mee: Authorization: Bearer <token>.",
        )
    }

    fn forbidden(detail: &str) -> Problem {
        Problem::new(
            StatusCode::FORBIDDEN,
            "urn:loket:problem:forbidden",
            "Geen toegang",
            detail,
        )
    }

    fn unavailable() -> Problem {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "urn:loket:problem:unavailable",
            "Tijdelijk niet beschikbaar",
            "Loket kan dit nu niet verwerken. Er is niets veranderd; probeer het over een paar minuten opnieuw.",
        )
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(self)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// The one mapping from the cases domain to HTTP.
impl From<CasesError> for Problem {
    fn from(error: CasesError) -> Problem {
        match error {
            CasesError::Invalid(problems) => Problem {
                invalid_params: problems
                    .into_iter()
                    .map(|FieldProblem { field, message }| InvalidParam {
                        name: field,
                        reason: message,
                    })
                    .collect(),
                ..Problem::new(
                    StatusCode::BAD_REQUEST,
                    "urn:loket:problem:invalid",
                    "De gegevens kloppen niet",
                    "Een of meer velden zijn niet goed. Er is niets veranderd.",
                )
            },
            CasesError::NotFound => Problem::new(
                StatusCode::NOT_FOUND,
                "urn:loket:problem:not-found",
                "Niet gevonden",
                "Loket kent deze zaak niet.",
            ),
            CasesError::Conflict(detail) => Problem::new(
                StatusCode::CONFLICT,
                "urn:loket:problem:conflict",
                "Conflict",
                format!("{detail} Er is niets veranderd."),
            ),
            CasesError::Storage(_) | CasesError::BadInstant(_) => {
                tracing::error!(error = %error, "back-office API call failed");
                Problem::unavailable()
            }
        }
    }
}

/// The one mapping from the appointments domain to HTTP (the catalogue's configuration calls).
impl From<AppointmentsError> for Problem {
    fn from(error: AppointmentsError) -> Problem {
        let invalid = |params: Vec<InvalidParam>| Problem {
            invalid_params: params,
            ..Problem::new(
                StatusCode::BAD_REQUEST,
                "urn:loket:problem:invalid",
                "De gegevens kloppen niet",
                "Een of meer velden zijn niet goed. Er is niets veranderd.",
            )
        };
        match error {
            AppointmentsError::Rejected(problems) => invalid(
                problems
                    .into_iter()
                    .map(|(name, reason)| InvalidParam {
                        name,
                        reason: reason.to_owned(),
                    })
                    .collect(),
            ),
            // The back-office API answers in Dutch, as its other problems do.
            AppointmentsError::Invalid { field, key } => invalid(vec![InvalidParam {
                name: field.to_owned(),
                reason: app::i18n::tr(app::i18n::Lang::Nl, key),
            }]),
            AppointmentsError::NotFound => Problem::new(
                StatusCode::NOT_FOUND,
                "urn:loket:problem:not-found",
                "Niet gevonden",
                "Loket kent dit niet.",
            ),
            // Seats that appointments still hold cannot be taken away.
            error if error.still_in_use() => Problem::new(
                StatusCode::CONFLICT,
                "urn:loket:problem:conflict",
                "Conflict",
                "Er staan nog afspraken op plaatsen die u weghaalt. Er is niets veranderd.",
            ),
            AppointmentsError::Storage(_) => {
                tracing::error!(error = %error, "back-office API call failed");
                Problem::unavailable()
            }
            other => Problem::new(
                StatusCode::CONFLICT,
                "urn:loket:problem:conflict",
                "Conflict",
                other.resident_message(app::i18n::Lang::Nl),
            ),
        }
    }
}

/// A body that is not the JSON the operation expects: named fields where serde names them.
fn bad_json(rejection: JsonRejection) -> Problem {
    let status = rejection.status();
    if status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
        return Problem::new(
            status,
            "urn:loket:problem:media-type",
            "Verkeerd formaat",
            "Stuur JSON met Content-Type: application/json.",
        );
    }
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return Problem::new(
            status,
            "urn:loket:problem:too-large",
            "Te groot",
            "Het verzoek is te groot.",
        );
    }
    let text = rejection.body_text();
    // serde names the field between backticks: "missing field `name`", "unknown field `nmae`".
    let field = text
        .split('`')
        .nth(1)
        .filter(|_| text.contains("field `"))
        .map(str::to_owned);
    Problem {
        invalid_params: field
            .map(|name| InvalidParam {
                name,
                reason: String::from(
                    "Dit veld ontbreekt, is onbekend of heeft het verkeerde type.",
                ),
            })
            .into_iter()
            .collect(),
        ..Problem::new(
            StatusCode::BAD_REQUEST,
            "urn:loket:problem:invalid",
            "De gegevens kloppen niet",
            format!("De JSON past niet bij deze bewerking: {text}. Er is niets veranderd."),
        )
    }
}

/// A caller that proved its token for this municipality.
pub struct Caller(Client);

impl Caller {
    fn require(&self, scope: Scope) -> Result<(), Problem> {
        if self.0.may(scope) {
            Ok(())
        } else {
            Err(Problem::forbidden(&format!(
                "Dit token mag dit niet: het mist de bevoegdheid {}.",
                scope.as_str()
            )))
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, Problem> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(Problem::unauthenticated)?;
        let services = &state.services;
        match clients::authenticate(&services.db, &services.municipality.id, token.trim()).await {
            Ok(Ok(client)) => Ok(Caller(client)),
            Ok(Err(Refusal::Unknown)) => Err(Problem::unauthenticated()),
            Ok(Err(Refusal::OtherMunicipality)) => Err(Problem::forbidden(
                "Dit token hoort bij een andere gemeente dan deze Loket.",
            )),
            Err(error) => {
                tracing::error!(error = %error, "API token check failed");
                Err(Problem::unavailable())
            }
        }
    }
}

/// 201 for something new, 200 for a replay or an update, with the record as body.
fn answer<T: Serialize>(outcome: Outcome, body: T) -> Response {
    let status = match outcome {
        Outcome::Created => StatusCode::CREATED,
        Outcome::Unchanged | Outcome::Updated => StatusCode::OK,
    };
    (status, Json(body)).into_response()
}

type Body<T> = Result<Json<T>, JsonRejection>;

fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

/// Create or replace a case type (zaaktype) with its status types.
#[utoipa::path(put, path = "/api/v1/case-types/{code}", tag = "case-types",
    params(("code" = String, Path, description = "The case system's code of the type")),
    request_body = CaseTypeSpec,
    responses(
        (status = 201, description = "Created", body = CaseTypeSpec),
        (status = 200, description = "Replaced", body = CaseTypeSpec),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
async fn put_case_type(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    body: Body<CaseTypeSpec>,
) -> Result<Response, Problem> {
    caller.require(Scope::CaseTypes)?;
    let Json(spec) = body.map_err(bad_json)?;
    let services = &state.services;
    let outcome =
        intake::put_case_type(&services.db, &services.municipality.id, &code, &spec, now()).await?;
    Ok(answer(outcome, spec))
}

/// Create a case for a person (BSN) or organisation (KvK). Idempotent on `identifier`.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = NewCase,
    responses(
        (status = 201, description = "Created", body = CaseRecord),
        (status = 200, description = "Replay of an earlier identical request", body = CaseRecord),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The identifier exists with other data", body = Problem, content_type = "application/problem+json"),
    ))]
async fn create_case(
    State(state): State<AppState>,
    caller: Caller,
    body: Body<NewCase>,
) -> Result<Response, Problem> {
    caller.require(Scope::Cases)?;
    let Json(request) = body.map_err(bad_json)?;
    let services = &state.services;
    let (outcome, record) =
        intake::create_case(&services.db, &services.municipality.id, &request, now()).await?;
    Ok(answer(outcome, record))
}

/// The case as Loket holds it.
#[utoipa::path(get, path = "/api/v1/cases/{identifier}", tag = "cases",
    params(("identifier" = String, Path)),
    responses((status = 200, body = CaseRecord), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(identifier): Path<String>,
) -> Result<Response, Problem> {
    caller.require(Scope::Cases)?;
    let services = &state.services;
    let record = intake::get(&services.db, &services.municipality.id, &identifier).await?;
    Ok(Json(record).into_response())
}

/// Record a status the case reached. Idempotent on the status `id`. A status type with `notify` puts a
/// notification event in the outbox in the same transaction.
#[utoipa::path(post, path = "/api/v1/cases/{identifier}/statuses", tag = "cases",
    params(("identifier" = String, Path)), request_body = NewStatus,
    responses(
        (status = 201, body = CaseRecord), (status = 200, description = "Replay", body = CaseRecord),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ))]
async fn add_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(identifier): Path<String>,
    body: Body<NewStatus>,
) -> Result<Response, Problem> {
    caller.require(Scope::Cases)?;
    let Json(request) = body.map_err(bad_json)?;
    let services = &state.services;
    let (outcome, record) = intake::add_status(
        &services.db,
        &services.municipality.id,
        &identifier,
        &request,
        now(),
    )
    .await?;
    Ok(answer(outcome, record))
}

/// Set what the municipality needs from the resident, with a deadline.
#[utoipa::path(put, path = "/api/v1/cases/{identifier}/action-required", tag = "cases",
    params(("identifier" = String, Path)), request_body = ActionRequired,
    responses((status = 200, body = CaseRecord), (status = 400, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn set_action(
    State(state): State<AppState>,
    caller: Caller,
    Path(identifier): Path<String>,
    body: Body<ActionRequired>,
) -> Result<Response, Problem> {
    caller.require(Scope::Cases)?;
    let Json(request) = body.map_err(bad_json)?;
    let services = &state.services;
    let (outcome, record) = intake::set_action(
        &services.db,
        &services.municipality.id,
        &identifier,
        &request,
        now(),
    )
    .await?;
    Ok(answer(outcome, record))
}

/// Clear the action-required item.
#[utoipa::path(delete, path = "/api/v1/cases/{identifier}/action-required", tag = "cases",
    params(("identifier" = String, Path)),
    responses((status = 200, body = CaseRecord), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn clear_action(
    State(state): State<AppState>,
    caller: Caller,
    Path(identifier): Path<String>,
) -> Result<Response, Problem> {
    caller.require(Scope::Cases)?;
    let services = &state.services;
    let record = intake::clear_action(&services.db, &services.municipality.id, &identifier).await?;
    Ok(Json(record).into_response())
}

/// Close the case with a result.
#[utoipa::path(post, path = "/api/v1/cases/{identifier}/result", tag = "cases",
    params(("identifier" = String, Path)), request_body = Closing,
    responses((status = 200, body = CaseRecord), (status = 400, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn close_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(identifier): Path<String>,
    body: Body<Closing>,
) -> Result<Response, Problem> {
    caller.require(Scope::Cases)?;
    let Json(request) = body.map_err(bad_json)?;
    let services = &state.services;
    let (outcome, record) = intake::close(
        &services.db,
        &services.municipality.id,
        &identifier,
        &request,
        now(),
    )
    .await?;
    Ok(answer(outcome, record))
}

/// Register a contact moment (klantcontact). Idempotent on `id`.
#[utoipa::path(post, path = "/api/v1/contact-moments", tag = "contact-moments", request_body = NewContactMoment,
    responses((status = 201, body = ContactMomentRecord), (status = 200, description = "Replay", body = ContactMomentRecord),
              (status = 400, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn register_contact(
    State(state): State<AppState>,
    caller: Caller,
    body: Body<NewContactMoment>,
) -> Result<Response, Problem> {
    caller.require(Scope::ContactMoments)?;
    let Json(request) = body.map_err(bad_json)?;
    let services = &state.services;
    let (created, record) =
        contacts::register(&services.db, &services.municipality.id, &request, now()).await?;
    Ok(answer(
        if created {
            Outcome::Created
        } else {
            Outcome::Unchanged
        },
        record,
    ))
}

/// 201 when `existed` was false, else 200.
fn put_answer<T: Serialize>(existed: bool, body: T) -> Response {
    answer(
        if existed {
            Outcome::Updated
        } else {
            Outcome::Created
        },
        body,
    )
}

/// Create or replace an appointment service (appointment type).
#[utoipa::path(put, path = "/api/v1/appointment-services/{id}", tag = "appointments",
    params(("id" = String, Path, description = "Lowercase letters, digits and hyphens; appears in links")),
    request_body = ServiceSpec,
    responses(
        (status = 201, description = "Created", body = ServiceSpec),
        (status = 200, description = "Replaced", body = ServiceSpec),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
async fn put_service(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Body<ServiceSpec>,
) -> Result<Response, Problem> {
    caller.require(Scope::Appointments)?;
    let Json(request) = body.map_err(bad_json)?;
    let service = spec::service(&id, &request)?;
    let (db, m) = (&state.services.db, &state.services.municipality.id);
    let existed = catalogue::service(db, m, &id).await.is_ok();
    catalogue::put_service(db, m, &service, request.position).await?;
    Ok(put_answer(existed, request))
}

/// Create or replace a location.
#[utoipa::path(put, path = "/api/v1/appointment-locations/{id}", tag = "appointments",
    params(("id" = String, Path, description = "Lowercase letters, digits and hyphens")),
    request_body = LocationSpec,
    responses(
        (status = 201, description = "Created", body = LocationSpec),
        (status = 200, description = "Replaced", body = LocationSpec),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
async fn put_location(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Body<LocationSpec>,
) -> Result<Response, Problem> {
    caller.require(Scope::Appointments)?;
    let Json(request) = body.map_err(bad_json)?;
    let location = spec::location(&id, &request)?;
    let (db, m) = (&state.services.db, &state.services.municipality.id);
    let existed = catalogue::location(db, m, &id).await.is_ok();
    catalogue::put_location(db, m, &location, request.position).await?;
    Ok(put_answer(existed, request))
}

/// Create or replace a resource (desk or consultant) with its seats, services, weekly hours and exceptions.
/// Seats that hold booked appointments cannot be removed (409).
#[utoipa::path(put, path = "/api/v1/appointment-resources/{id}", tag = "appointments",
    params(("id" = String, Path, description = "Lowercase letters, digits and hyphens")),
    request_body = ResourceSpec,
    responses(
        (status = 201, description = "Created", body = ResourceSpec),
        (status = 200, description = "Replaced", body = ResourceSpec),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Seats still hold appointments", body = Problem, content_type = "application/problem+json"),
    ))]
async fn put_resource(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Body<ResourceSpec>,
) -> Result<Response, Problem> {
    caller.require(Scope::Appointments)?;
    let Json(request) = body.map_err(bad_json)?;
    let (db, m) = (&state.services.db, &state.services.municipality.id);
    let resource = spec::resource(db, m, &id, &request).await?;
    let existed = catalogue::resource_exists(db, m, &id).await?;
    catalogue::put_resource(db, m, &resource).await?;
    Ok(put_answer(existed, request))
}

async fn unknown_route() -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "urn:loket:problem:not-found",
        "Niet gevonden",
        "Deze bewerking bestaat niet. Zie /api/v1/openapi.json.",
    )
}
