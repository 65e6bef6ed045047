//! Browser-side helpers for the islands (compiled for WASM only): JSON calls to Loket's API with the CSRF
//! header, and the WebAuthn calls. The WebAuthn JSON is converted by the browser itself
//! (`PublicKeyCredential.parse…FromJSON` and `credential.toJSON()`), so no serialisation code ships in WASM.

use js_sys::{Function, Object, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Why a call failed: the server said so (its message is for the resident), the browser could not do it
/// (no passkey support, cancelled, no connection).
pub enum Failure {
    Server(String),
    Cancelled,
    Unsupported,
    Network,
}

fn csrf_token() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("meta[name=csrf-token]").ok().flatten())
        .and_then(|e| e.get_attribute("content"))
        .unwrap_or_default()
}

/// POSTs JSON; returns the JSON answer (`null` for an empty one).
pub async fn post(path: &str, body: &JsValue) -> Result<JsValue, Failure> {
    let window = web_sys::window().ok_or(Failure::Unsupported)?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    let text = JSON::stringify(body).map_err(|_| Failure::Unsupported)?;
    init.set_body(&text.into());
    let headers = web_sys::Headers::new().map_err(|_| Failure::Unsupported)?;
    let _ = headers.set("content-type", "application/json");
    let _ = headers.set("x-csrf-token", &csrf_token());
    init.set_headers(&headers);
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(path, &init))
        .await
        .map_err(|_| Failure::Network)?
        .dyn_into()
        .map_err(|_| Failure::Network)?;
    let json = if response.status() == 204 {
        JsValue::NULL
    } else {
        let promise = response.json().map_err(|_| Failure::Network)?;
        JsFuture::from(promise).await.unwrap_or(JsValue::NULL)
    };
    if response.ok() {
        Ok(json)
    } else {
        let message = Reflect::get(&json, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_default();
        Err(Failure::Server(message))
    }
}

pub fn field(value: &JsValue, name: &str) -> JsValue {
    Reflect::get(value, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

pub fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (name, value) in fields {
        let _ = Reflect::set(&object, &(*name).into(), value);
    }
    object.into()
}

/// `PublicKeyCredential.<parser>(options.publicKey)`.
fn parse_options(options: &JsValue, parser: &str) -> Result<JsValue, Failure> {
    let global = js_sys::global();
    let class =
        Reflect::get(&global, &"PublicKeyCredential".into()).map_err(|_| Failure::Unsupported)?;
    let parse: Function = Reflect::get(&class, &parser.into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or(Failure::Unsupported)?;
    parse
        .call1(&class, &field(options, "publicKey"))
        .map_err(|_| Failure::Unsupported)
}

fn to_json(credential: &JsValue) -> Result<JsValue, Failure> {
    let to_json: Function = Reflect::get(credential, &"toJSON".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or(Failure::Unsupported)?;
    to_json.call0(credential).map_err(|_| Failure::Unsupported)
}

fn credentials() -> Result<web_sys::CredentialsContainer, Failure> {
    Ok(web_sys::window()
        .ok_or(Failure::Unsupported)?
        .navigator()
        .credentials())
}

/// Creates a passkey from server-issued creation options; returns the credential as WebAuthn JSON.
pub async fn create_passkey(options: &JsValue) -> Result<JsValue, Failure> {
    let public_key = parse_options(options, "parseCreationOptionsFromJSON")?;
    let request: web_sys::CredentialCreationOptions =
        object(&[("publicKey", public_key)]).unchecked_into();
    let promise = credentials()?
        .create_with_options(&request)
        .map_err(|_| Failure::Unsupported)?;
    let credential = JsFuture::from(promise)
        .await
        .map_err(|_| Failure::Cancelled)?;
    to_json(&credential)
}

/// Signs in with a passkey from server-issued request options; returns the assertion as WebAuthn JSON.
pub async fn use_passkey(options: &JsValue) -> Result<JsValue, Failure> {
    let public_key = parse_options(options, "parseRequestOptionsFromJSON")?;
    let request: web_sys::CredentialRequestOptions =
        object(&[("publicKey", public_key)]).unchecked_into();
    let promise = credentials()?
        .get_with_options(&request)
        .map_err(|_| Failure::Unsupported)?;
    let credential = JsFuture::from(promise)
        .await
        .map_err(|_| Failure::Cancelled)?;
    to_json(&credential)
}

pub fn go(path: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(path);
    }
}

pub fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

/// A suggested passkey name from the device kind, so residents can tell their passkeys apart.
pub fn device_name(phone: &str, computer: &str) -> String {
    let agent = web_sys::window()
        .and_then(|w| w.navigator().user_agent().ok())
        .unwrap_or_default();
    if agent.contains("Mobi") || agent.contains("Android") || agent.contains("iPhone") {
        phone.to_owned()
    } else {
        computer.to_owned()
    }
}
