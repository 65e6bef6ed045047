//! A browser for router tests: a cookie jar that keeps the visitor's session and CSRF token, a software
//! passkey, and the steps every test takes (open a page, post a form, sign in as a demo person).

use crate::TestServer;
use serde_json::{json, Value};
use server::identity::activation::{self, CodeTarget};
use webauthn_authenticator_rs::prelude::{
    CreationChallengeResponse, RequestChallengeResponse, Url, WebauthnAuthenticator,
};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;

/// One browser: a cookie jar, which holds the visitor's CSRF token as her pages echo it (it is a new one
/// after every sign-in).
pub struct Browser {
    pub client: reqwest::Client,
    pub url: String,
    jar: std::sync::Arc<reqwest::cookie::Jar>,
}

impl Browser {
    pub async fn open(server: &TestServer) -> Browser {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .resolve("localhost", server.addr())
            .build()
            .unwrap();
        let page = client.get(format!("{}/", server.url)).send().await.unwrap();
        let status = page.status();
        let html = page.text().await.unwrap();
        let browser = Browser {
            client,
            url: server.url.clone(),
            jar,
        };
        let in_page = html
            .split("name=\"csrf-token\" content=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| {
                panic!(
                    "pages carry the CSRF token in a meta tag; got {status}: {}",
                    html.chars().take(300).collect::<String>()
                )
            });
        assert_eq!(
            in_page,
            browser.csrf(),
            "the page echoes the cookie's token"
        );
        browser
    }

    /// The CSRF token as the visitor's pages carry it now (the cookie's value).
    pub fn csrf(&self) -> String {
        use reqwest::cookie::CookieStore;
        let header = self
            .jar
            .cookies(&self.origin())
            .unwrap_or_else(|| http::HeaderValue::from_static(""));
        header
            .to_str()
            .unwrap_or_default()
            .split("; ")
            .find_map(|pair| pair.strip_prefix("loket_csrf="))
            .unwrap_or_default()
            .to_owned()
    }

    /// Chooses the language with the page's own form (`/taal`), as a visitor does.
    pub async fn choose_language(&self, code: &str) {
        let response = self
            .client
            .post(format!("{}/taal", self.url))
            .form(&[
                ("lang", code),
                ("return_to", "/"),
                ("csrf", self.csrf().as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "language {code}");
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{}{path}", self.url))
            .header("x-csrf-token", self.csrf())
            .header("origin", &self.url)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let response = self
            .client
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub fn origin(&self) -> Url {
        Url::parse(&self.url).unwrap()
    }

    pub async fn demo_code(&self, who: &str) -> String {
        let (status, body) = self
            .post("/api/demo/activation-codes", json!({ "who": who }))
            .await;
        assert_eq!(status, 200, "{body}");
        body["code"].as_str().unwrap().to_owned()
    }

    /// Activation: code → creation options → the authenticator makes a passkey → the server binds it.
    pub async fn activate(&self, code: &str, key: &mut SoftPasskey, name: &str) -> (u16, Value) {
        let (status, challenge) = self
            .post("/api/auth/activation/start", json!({ "code": code }))
            .await;
        if status != 200 {
            return (status, challenge);
        }
        let options: CreationChallengeResponse =
            serde_json::from_value(challenge["options"].clone()).unwrap();
        let credential = key.do_registration(self.origin(), options).unwrap();
        self.post(
            "/api/auth/activation/finish",
            json!({ "ceremony": challenge["ceremony"], "credential": credential, "name": name }),
        )
        .await
    }

    /// Sign-in with the account number (SoftPasskey makes no discoverable passkeys). Returns the status, the
    /// body and the ceremony id, so a test can replay it.
    pub async fn sign_in_from(
        &self,
        account_number: &str,
        key: &mut SoftPasskey,
        origin: Url,
    ) -> (u16, Value, Value) {
        let (status, challenge) = self
            .post(
                "/api/auth/sign-in/start",
                json!({ "account_number": account_number }),
            )
            .await;
        assert_eq!(status, 200, "{challenge}");
        let options: RequestChallengeResponse =
            serde_json::from_value(challenge["options"].clone()).unwrap();
        let credential = match key.do_authentication(origin, options) {
            Ok(credential) => credential,
            // The authenticator itself has no passkey for this account.
            Err(_) => return (0, Value::Null, challenge["ceremony"].clone()),
        };
        let (status, body) = self
            .post(
                "/api/auth/sign-in/finish",
                json!({ "ceremony": challenge["ceremony"], "credential": credential }),
            )
            .await;
        (
            status,
            body,
            json!({ "ceremony": challenge["ceremony"], "credential": credential }),
        )
    }

    pub async fn sign_in(
        &self,
        account_number: &str,
        key: &mut SoftPasskey,
    ) -> (u16, Value, Value) {
        self.sign_in_from(account_number, key, self.origin()).await
    }

    pub async fn signed_in(&self) -> bool {
        let (_, status) = self.get("/api/auth/session").await;
        status["signed_in"] == json!(true)
    }
}

pub async fn page(browser: &Browser, path: &str) -> (u16, String) {
    let response = browser
        .client
        .get(format!("{}{path}", browser.url))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// A server function as the pages' islands call it (`/fn/{name}`, CSRF header): its JSON answer.
pub async fn server_fn(browser: &Browser, name: &str, form: &[(&str, &str)]) -> Value {
    let response = browser
        .client
        .post(format!("{}/fn/{name}", browser.url))
        .header("x-csrf-token", browser.csrf())
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200, "{name}");
    response.json().await.unwrap()
}

/// Posts a form the way a page does (CSRF field first), following the redirect: (status, final URL, body).
pub async fn post(browser: &Browser, path: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
    let csrf = browser.csrf();
    let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let response = browser
        .client
        .post(format!("{}{path}", browser.url))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let url = response.url().to_string();
    (status, url, response.text().await.unwrap())
}

/// Demo person `who` signed in with the demo's activation code and a new software passkey named `key_name`.
async fn demo_signed_in(server: &TestServer, who: &str, key_name: &str) -> Browser {
    let browser = Browser::open(server).await;
    let mut key = SoftPasskey::new(true);
    let code = browser.demo_code(who).await;
    let (status, body) = browser.activate(&code, &mut key, key_name).await;
    assert_eq!(status, 200, "{body}");
    browser
}

/// Desiree signed in (demo code, software passkey) in a browser-like client.
pub async fn desiree(server: &TestServer) -> Browser {
    demo_signed_in(server, "desiree", "Telefoon").await
}

/// Karin, signed in with the demo's activation code.
pub async fn karin(server: &TestServer) -> Browser {
    demo_signed_in(server, "karin", "Werkplek").await
}

/// A browser signed in as the holder of `target`.
pub async fn signed_in(server: &TestServer, target: CodeTarget) -> Browser {
    let issued = activation::issue(
        server.db(),
        "voorbeeld",
        &target,
        "test",
        jiff::Timestamp::now(),
        activation::DEFAULT_VALIDITY,
    )
    .await
    .unwrap();
    let browser = Browser::open(server).await;
    let mut key = SoftPasskey::new(true);
    let (status, body) = browser.activate(&issued.code, &mut key, "Sleutel").await;
    assert_eq!(status, 200, "{body}");
    browser
}
