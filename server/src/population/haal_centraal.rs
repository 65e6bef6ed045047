//! The live adapter: Haal Centraal BRP Personen Bevragen 2.7 (`POST {url}/personen`), with an API key in a
//! header as the municipality's gateway issues it, or an OAuth 2.0 access token by client credentials (or
//! both, for gateways that want both). The request carries only the task's fields; the answer is
//! read leniently (a field it lacks is simply unknown) but a body that is not the documented JSON is an error.

use super::{Register, RegisterError, Resident, Search, Task};
use serde::Deserialize;
use serde_json::{json, Value};

/// Where the BRP is and how Loket identifies itself (`LOKET_BRP_URL`, `LOKET_BRP_API_KEY`,
/// `LOKET_BRP_API_KEY_HEADER`, and `LOKET_BRP_TOKEN_URL` … for client credentials). An empty `api_key`
/// sends no key (client credentials only).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BrpConfig {
    pub url: String,
    pub api_key: String,
    pub api_key_header: String,
    pub oauth: Option<BrpOAuth>,
}

/// OAuth 2.0 client credentials at the gateway's token endpoint (`LOKET_BRP_TOKEN_URL`,
/// `LOKET_BRP_CLIENT_ID`, `LOKET_BRP_CLIENT_SECRET`, `LOKET_BRP_SCOPE`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrpOAuth {
    pub token_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub scope: Option<String>,
}

type TokenClient = oauth2::basic::BasicClient<
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
>;

/// The token client and the token it holds, until a minute before it expires.
struct Tokens {
    client: TokenClient,
    scope: Option<String>,
    held: tokio::sync::Mutex<Option<(String, std::time::Instant)>>,
}

pub struct HaalCentraal {
    personen: String,
    key: Option<(http::HeaderName, http::HeaderValue)>,
    tokens: Option<Tokens>,
    http: reqwest::Client,
}

impl HaalCentraal {
    pub fn new(config: &BrpConfig) -> Result<HaalCentraal, RegisterError> {
        let bad =
            |what: &str| RegisterError::Unavailable(format!("{what} cannot be used in a header"));
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| RegisterError::Unavailable(e.to_string()))?;
        let key = match config.api_key.as_str() {
            "" => None,
            key => Some((
                http::HeaderName::try_from(config.api_key_header.as_str())
                    .map_err(|_| bad("LOKET_BRP_API_KEY_HEADER"))?,
                http::HeaderValue::try_from(key).map_err(|_| bad("LOKET_BRP_API_KEY"))?,
            )),
        };
        let tokens = match &config.oauth {
            None => None,
            Some(oauth) => Some(Tokens {
                client: oauth2::basic::BasicClient::new(oauth2::ClientId::new(
                    oauth.client_id.clone(),
                ))
                .set_client_secret(oauth2::ClientSecret::new(oauth.client_secret.clone()))
                .set_token_uri(
                    oauth2::TokenUrl::new(oauth.token_url.clone())
                        .map_err(|_| bad("LOKET_BRP_TOKEN_URL"))?,
                ),
                scope: oauth.scope.clone(),
                held: tokio::sync::Mutex::new(None),
            }),
        };
        Ok(HaalCentraal {
            personen: format!("{}/personen", config.url.trim_end_matches('/')),
            key,
            tokens,
            http,
        })
    }

    /// The access token to send: the one held while it has a minute left, else a new one (one request at a
    /// time asks; the others wait for it). `fresh` drops the held one first (the BRP refused it).
    async fn token(&self, fresh: bool) -> Result<Option<String>, RegisterError> {
        use oauth2::TokenResponse;
        let Some(tokens) = &self.tokens else {
            return Ok(None);
        };
        let mut held = tokens.held.lock().await;
        let now = std::time::Instant::now();
        if let Some((token, _)) = held.as_ref().filter(|(_, until)| !fresh && *until > now) {
            return Ok(Some(token.clone()));
        }
        let mut request = tokens.client.exchange_client_credentials();
        if let Some(scope) = &tokens.scope {
            request = request.add_scope(oauth2::Scope::new(scope.clone()));
        }
        let answer = request
            .request_async(&self.http)
            .await
            .map_err(|error| RegisterError::Unavailable(format!("token endpoint: {error}")))?;
        let lifetime = answer
            .expires_in()
            .unwrap_or(std::time::Duration::from_secs(300));
        let until = now + lifetime.saturating_sub(std::time::Duration::from_secs(60));
        let token = answer.access_token().secret().clone();
        *held = Some((token.clone(), until));
        Ok(Some(token))
    }

    async fn ask(&self, body: &Value, fresh: bool) -> Result<reqwest::Response, RegisterError> {
        let mut request = self
            .http
            .post(&self.personen)
            .header(http::header::ACCEPT, "application/json")
            .json(body);
        if let Some((header, key)) = &self.key {
            request = request.header(header.clone(), key.clone());
        }
        if let Some(token) = self.token(fresh).await? {
            request = request.bearer_auth(token);
        }
        request
            .send()
            .await
            .map_err(|e| RegisterError::Unavailable(e.without_url().to_string()))
    }
}

/// The request body for `search` with only `task`'s fields.
pub fn request(task: Task, search: &Search) -> Value {
    let fields = task.fields();
    match search {
        Search::Bsn(bsn) => json!({
            "type": "RaadpleegMetBurgerservicenummer",
            "fields": fields,
            "burgerservicenummer": [bsn],
        }),
        Search::Address {
            postcode,
            house_number,
            house_letter,
            addition,
            birth_date,
        } => {
            let mut body = json!({
                "type": "ZoekMetPostcodeEnHuisnummer",
                "fields": fields,
                "postcode": postcode.replace(' ', ""),
                "huisnummer": house_number,
            });
            if let Some(letter) = house_letter {
                body["huisletter"] = json!(letter.to_string());
            }
            if let Some(addition) = addition {
                body["huisnummertoevoeging"] = json!(addition);
            }
            if let Some(date) = birth_date {
                body["geboortedatum"] = json!(date.to_string());
            }
            body
        }
        Search::NameBorn {
            prefix,
            surname,
            birth_date,
        } => {
            let mut body = json!({
                "type": "ZoekMetGeslachtsnaamEnGeboortedatum",
                "fields": fields,
                "geslachtsnaam": surname,
                "geboortedatum": birth_date.to_string(),
            });
            if let Some(prefix) = prefix {
                body["voorvoegsel"] = json!(prefix);
            }
            body
        }
    }
}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    personen: Vec<Persoon>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Persoon {
    burgerservicenummer: Option<String>,
    naam: Option<Part>,
    geboorte: Option<Geboorte>,
    adressering: Option<Adressering>,
    geheimhouding_persoonsgegevens: Option<bool>,
    in_onderzoek: Option<Value>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Part {
    volledige_naam: Option<String>,
    in_onderzoek: Option<Value>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Geboorte {
    datum: Option<Datum>,
    plaats: Option<Waardetabel>,
    in_onderzoek: Option<Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Waardetabel {
    omschrijving: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Datum {
    datum: Option<String>,
    lang_formaat: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Adressering {
    adresregel1: Option<String>,
    adresregel2: Option<String>,
    adresregel3: Option<String>,
    in_onderzoek: Option<Value>,
}

/// Reads the register's answer; a person without a BSN is not one Loket can work with and is left out.
pub fn read(body: &[u8]) -> Result<Vec<Resident>, RegisterError> {
    let answer: Answer = serde_json::from_slice(body)
        .map_err(|e| RegisterError::Unavailable(format!("answer not understood: {e}")))?;
    // An `inOnderzoek` object marks research with its start date and, per field, `true`.
    let researched = |marker: &Option<Value>| marker.as_ref().is_some_and(|m| m.is_object());
    Ok(answer
        .personen
        .into_iter()
        .filter_map(|p| {
            let bsn = p.burgerservicenummer?;
            let mut in_research = Vec::new();
            if researched(&p.in_onderzoek) {
                in_research.push("persoon");
            }
            if p.naam.as_ref().is_some_and(|n| researched(&n.in_onderzoek)) {
                in_research.push("naam");
            }
            if p.geboorte
                .as_ref()
                .is_some_and(|g| researched(&g.in_onderzoek))
            {
                in_research.push("geboorte");
            }
            if p.adressering
                .as_ref()
                .is_some_and(|a| researched(&a.in_onderzoek))
            {
                in_research.push("adres");
            }
            let (birth_date, birth_place) = match p.geboorte {
                Some(g) => (
                    g.datum.and_then(|d| d.datum.or(d.lang_formaat)),
                    g.plaats.and_then(|p| p.omschrijving),
                ),
                None => (None, None),
            };
            let address = p
                .adressering
                .map(|a| {
                    [a.adresregel1, a.adresregel2, a.adresregel3]
                        .into_iter()
                        .flatten()
                        .collect()
                })
                .unwrap_or_default();
            Some(Resident {
                bsn,
                name: p.naam.and_then(|n| n.volledige_naam).unwrap_or_default(),
                birth_date,
                birth_place,
                address,
                secret: p.geheimhouding_persoonsgegevens.unwrap_or(false),
                in_research,
            })
        })
        .collect())
}

#[async_trait::async_trait]
impl Register for HaalCentraal {
    async fn find(&self, task: Task, search: &Search) -> Result<Vec<Resident>, RegisterError> {
        let body = request(task, search);
        let mut response = self.ask(&body, false).await?;
        // A token the gateway no longer takes (revoked, or its clock ahead of ours): once more, with a new one.
        if response.status() == http::StatusCode::UNAUTHORIZED && self.tokens.is_some() {
            response = self.ask(&body, true).await?;
        }
        let status = response.status();
        if status.is_client_error() {
            return Err(RegisterError::Refused(status.as_u16()));
        }
        if !status.is_success() {
            return Err(RegisterError::Unavailable(format!("status {status}")));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| RegisterError::Unavailable(e.without_url().to_string()))?;
        read(&body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_asks_for_the_tasks_fields_and_its_own_parameters_only() {
        let body = request(
            Task::FindCaller,
            &Search::Address {
                postcode: "1234 AB".into(),
                house_number: 5,
                house_letter: Some('a'),
                addition: None,
                birth_date: Some(jiff::civil::date(1986, 4, 12)),
            },
        );
        assert_eq!(body["type"], "ZoekMetPostcodeEnHuisnummer");
        assert_eq!(body["postcode"], "1234AB");
        assert_eq!(body["huisnummer"], 5);
        assert_eq!(body["huisletter"], "a");
        assert_eq!(body["geboortedatum"], "1986-04-12");
        assert_eq!(body["fields"], json!(Task::FindCaller.fields()));
        assert!(body.get("huisnummertoevoeging").is_none());
    }

    #[test]
    fn the_answer_keeps_geheimhouding_and_research_markers() {
        let body = json!({
            "type": "ZoekMetPostcodeEnHuisnummer",
            "personen": [
                {
                    "burgerservicenummer": "999993653",
                    "geheimhoudingPersoonsgegevens": true,
                    "naam": { "volledigeNaam": "Desiree de Vries",
                              "inOnderzoek": { "volledigeNaam": true,
                                               "datumIngangOnderzoek": { "type": "Datum", "datum": "2026-01-02", "langFormaat": "2 januari 2026" } } },
                    "geboorte": { "datum": { "type": "Datum", "datum": "1986-04-12", "langFormaat": "12 april 1986" } },
                    "adressering": { "adresregel1": "Dorpsstraat 5", "adresregel2": "1234 AB  VOORBEELD" }
                },
                { "naam": { "volledigeNaam": "Zonder Nummer" } }
            ]
        });
        let found = read(body.to_string().as_bytes()).unwrap();
        assert_eq!(found.len(), 1, "a person without a BSN is left out");
        assert!(found[0].secret);
        assert_eq!(found[0].in_research, vec!["naam"]);
        assert_eq!(found[0].birth_date.as_deref(), Some("1986-04-12"));
        assert_eq!(
            found[0].address,
            vec!["Dorpsstraat 5", "1234 AB  VOORBEELD"]
        );
        assert!(read(b"<html>").is_err());
    }
}
