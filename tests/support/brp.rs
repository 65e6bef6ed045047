//! A loopback BRP: Haal Centraal BRP Personen Bevragen 2.7 (`POST /personen`), answering from a few fictional
//! persons. Every request and every answer is checked against the official OpenAPI file
//! (`tests/standards/brp/brp-personen-bevragen-2.7.0.yaml`, a copy of the one in the shared standards): a
//! request the file does not allow gets the BRP's 400 and is kept as a violation, as is an answer of the fake's
//! own that would not pass, so the test that caused either fails on [`BrpServer::assert_clean`]. The answer
//! holds only the fields asked for, plus what the BRP always adds (`geheimhoudingPersoonsgegevens`,
//! `inOnderzoek`), as the real one does.

use crate::openapi::Spec;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Map, Value};
use std::sync::{Arc, Mutex};

pub const API_KEY: &str = "loket-test-brp-sleutel";
/// The client the fake's token endpoint knows (OAuth 2.0 client credentials, HTTP Basic).
pub const CLIENT_ID: &str = "loket-test-client";
pub const CLIENT_SECRET: &str = "loket-test-client-geheim";
const SPEC: &str = "tests/standards/brp/brp-personen-bevragen-2.7.0.yaml";
const KINDS: [&str; 3] = [
    "RaadpleegMetBurgerservicenummer",
    "ZoekMetPostcodeEnHuisnummer",
    "ZoekMetGeslachtsnaamEnGeboortedatum",
];

struct BrpState {
    spec: Spec,
    requests: Mutex<Vec<Value>>,
    violations: Mutex<Vec<String>>,
    /// Access tokens the token endpoint gave and the BRP still takes.
    tokens: Mutex<Vec<String>>,
    token_requests: Mutex<usize>,
}

pub struct BrpServer {
    pub url: String,
    state: Arc<BrpState>,
}

impl BrpServer {
    pub async fn start() -> BrpServer {
        let mut names: Vec<String> = KINDS.iter().map(|k| (*k).to_owned()).collect();
        names.extend(KINDS.iter().map(|k| format!("{k}Response")));
        names.extend(["PersonenQuery".to_owned(), "Foutbericht".to_owned()]);
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let state = Arc::new(BrpState {
            spec: Spec::load(SPEC, &names),
            requests: Mutex::new(Vec::new()),
            violations: Mutex::new(Vec::new()),
            tokens: Mutex::new(Vec::new()),
            token_requests: Mutex::new(0),
        });
        let router = Router::new()
            .route("/personen", post(personen))
            .route("/token", post(token))
            .with_state(state.clone());
        let url = crate::providers::serve(router).await;
        BrpServer { url, state }
    }

    /// Every request body the fake received, in order.
    pub fn requests(&self) -> Vec<Value> {
        self.state.requests.lock().unwrap().clone()
    }

    pub fn violations(&self) -> Vec<String> {
        self.state.violations.lock().unwrap().clone()
    }

    /// Loket's configuration for this BRP, by its API key.
    pub fn config(&self) -> server::population::haal_centraal::BrpConfig {
        server::population::haal_centraal::BrpConfig {
            url: self.url.clone(),
            api_key: API_KEY.into(),
            api_key_header: "X-API-KEY".into(),
            oauth: None,
        }
    }

    /// The gateway's OAuth 2.0 token endpoint (client credentials) in front of this BRP.
    pub fn token_url(&self) -> String {
        format!("{}/token", self.url)
    }

    /// How many times a token was asked for.
    pub fn token_requests(&self) -> usize {
        *self.state.token_requests.lock().unwrap()
    }

    /// The gateway forgets every token it gave (as after a key rotation).
    pub fn revoke_tokens(&self) {
        self.state.tokens.lock().unwrap().clear();
    }

    /// Fails when a request or an answer did not pass the OpenAPI file.
    pub fn assert_clean(&self) {
        let violations = self.violations();
        assert!(
            violations.is_empty(),
            "not as the BRP's OpenAPI file says: {violations:#?}"
        );
    }
}

/// The fictional persons (their BSNs pass the eleven test and are issued to no one).
fn persons() -> Vec<Value> {
    let datum =
        |iso: &str, long: &str| json!({ "type": "Datum", "datum": iso, "langFormaat": long });
    vec![
        json!({
            "burgerservicenummer": "999993653",
            "naam": { "voornamen": "Desiree", "voorvoegsel": "de", "geslachtsnaam": "Vries",
                      "volledigeNaam": "Desiree de Vries" },
            "geboorte": { "datum": datum("1986-04-12", "12 april 1986"),
                          "plaats": { "code": "0363", "omschrijving": "Amsterdam" } },
            "adressering": { "adresregel1": "Dorpsstraat 5", "adresregel2": "1234 AB  VOORBEELD" },
            "verblijfplaats_postcode": "1234AB", "verblijfplaats_huisnummer": 5,
        }),
        json!({
            "burgerservicenummer": "999990019",
            "geheimhoudingPersoonsgegevens": true,
            "naam": { "voornamen": "Jan", "geslachtsnaam": "Jansen", "volledigeNaam": "Jan Jansen" },
            "geboorte": { "datum": datum("1970-01-01", "1 januari 1970") },
            "adressering": { "adresregel1": "Dorpsstraat 5", "adresregel2": "1234 AB  VOORBEELD" },
            "verblijfplaats_postcode": "1234AB", "verblijfplaats_huisnummer": 5,
        }),
        json!({
            "burgerservicenummer": "999991772",
            "naam": { "voornamen": "Fatima", "voorvoegsel": "el", "geslachtsnaam": "Amrani",
                      "volledigeNaam": "Fatima el Amrani",
                      "inOnderzoek": { "volledigeNaam": true, "geslachtsnaam": true,
                                       "datumIngangOnderzoek": datum("2026-02-01", "1 februari 2026") } },
            "geboorte": { "datum": datum("1990-07-15", "15 juli 1990") },
            "adressering": { "adresregel1": "Stationsweg 10", "adresregel2": "3511 AA  VOORBEELD" },
            "verblijfplaats_postcode": "3511AA", "verblijfplaats_huisnummer": 10,
        }),
    ]
}

fn refused(state: &BrpState, status: StatusCode, title: &str) -> (StatusCode, Json<Value>) {
    let body = json!({
        "type": "https://datatracker.ietf.org/doc/html/rfc7231#section-6.5.1",
        "title": title,
        "status": status.as_u16(),
        // The spec wants a URI here (format uri): the absolute address a real gateway names.
        "instance": "https://brp.example.nl/haalcentraal/api/brp/personen",
        "code": "paramsValidation",
    });
    for problem in state.spec.problems("Foutbericht", &body) {
        state
            .violations
            .lock()
            .unwrap()
            .push(format!("the fake's own error: {problem}"));
    }
    (status, Json(body))
}

async fn personen(
    State(state): State<Arc<BrpState>>,
    headers: HeaderMap,
    Json(request): Json<Value>,
) -> (StatusCode, Json<Value>) {
    state.requests.lock().unwrap().push(request.clone());
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let keyed = header("x-api-key") == Some(API_KEY);
    let bearer = header("authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| state.tokens.lock().unwrap().iter().any(|known| known == t));
    if !keyed && !bearer {
        return refused(
            &state,
            StatusCode::UNAUTHORIZED,
            "Niet correct geauthenticeerd",
        );
    }
    let kind = request["type"].as_str().unwrap_or_default().to_owned();
    let mut problems = state.spec.problems("PersonenQuery", &request);
    if KINDS.contains(&kind.as_str()) {
        problems.extend(state.spec.problems(&kind, &request));
    } else {
        problems.push(format!("type {kind:?} is not a query this fake answers"));
    }
    if !problems.is_empty() {
        state.violations.lock().unwrap().extend(problems);
        return refused(
            &state,
            StatusCode::BAD_REQUEST,
            "Een of meerdere parameters zijn niet correct",
        );
    }
    let fields: Vec<String> = request["fields"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let found: Vec<Value> = persons()
        .into_iter()
        .filter(|p| matches(&kind, &request, p))
        .map(|p| project(&p, &fields))
        .collect();
    let answer = json!({ "type": kind, "personen": found });
    for problem in state.spec.problems(&format!("{kind}Response"), &answer) {
        state
            .violations
            .lock()
            .unwrap()
            .push(format!("the fake's own answer: {problem}"));
    }
    (StatusCode::OK, Json(answer))
}

/// The token endpoint: `grant_type=client_credentials` from the known client (HTTP Basic, as RFC 6749 §2.3.1
/// prefers), answered with a new bearer token for five minutes.
async fn token(
    State(state): State<Arc<BrpState>>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, Json<Value>) {
    use base64::Engine;
    *state.token_requests.lock().unwrap() += 1;
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let grant = form
        .iter()
        .any(|(k, v)| k == "grant_type" && v == "client_credentials");
    let client = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    if !grant {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "unsupported_grant_type" })),
        );
    }
    if client.as_deref() != Some(&format!("{CLIENT_ID}:{CLIENT_SECRET}")) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "invalid_client" })),
        );
    }
    let issued = format!("token-{}", rand::random::<u64>());
    state.tokens.lock().unwrap().push(issued.clone());
    (
        StatusCode::OK,
        Json(json!({ "access_token": issued, "token_type": "bearer", "expires_in": 300 })),
    )
}

fn matches(kind: &str, request: &Value, person: &Value) -> bool {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_lowercase();
    let born = || {
        request["geboortedatum"].is_null()
            || request["geboortedatum"] == person["geboorte"]["datum"]["datum"]
    };
    match kind {
        "RaadpleegMetBurgerservicenummer" => request["burgerservicenummer"]
            .as_array()
            .is_some_and(|bsns| bsns.contains(&person["burgerservicenummer"])),
        "ZoekMetPostcodeEnHuisnummer" => {
            text(&request["postcode"]).replace(' ', "") == text(&person["verblijfplaats_postcode"])
                && request["huisnummer"] == person["verblijfplaats_huisnummer"]
                && born()
        }
        "ZoekMetGeslachtsnaamEnGeboortedatum" => {
            text(&request["geslachtsnaam"]) == text(&person["naam"]["geslachtsnaam"])
                && (request["voorvoegsel"].is_null()
                    || text(&request["voorvoegsel"]) == text(&person["naam"]["voorvoegsel"]))
                && born()
        }
        _ => false,
    }
}

/// `person` with only `fields` (dotted paths), plus what the BRP always gives: geheimhouding when set, and
/// the `inOnderzoek` of each part a field was asked from.
fn project(person: &Value, fields: &[String]) -> Value {
    let mut out = Map::new();
    for field in fields {
        let path: Vec<&str> = field.split('.').collect();
        let mut from = person;
        for step in &path {
            from = &from[*step];
        }
        if from.is_null() {
            continue;
        }
        let mut into = &mut out;
        for step in &path[..path.len() - 1] {
            into = into
                .entry((*step).to_owned())
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .unwrap();
            if let Some(research) = person[path[0]].get("inOnderzoek") {
                into.insert("inOnderzoek".to_owned(), research.clone());
            }
        }
        into.insert(path[path.len() - 1].to_owned(), from.clone());
    }
    if person["geheimhoudingPersoonsgegevens"] == json!(true) {
        out.insert("geheimhoudingPersoonsgegevens".to_owned(), json!(true));
    }
    Value::Object(out)
}
