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
    send(&window, path, &init).await
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

/// POSTs form fields (url-encoded, as a plain form would); returns the JSON answer.
pub async fn post_form(path: &str, fields: &[(&str, &str)]) -> Result<JsValue, Failure> {
    let window = web_sys::window().ok_or(Failure::Unsupported)?;
    let params = web_sys::UrlSearchParams::new().map_err(|_| Failure::Unsupported)?;
    for (name, value) in fields {
        params.append(name, value);
    }
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&params.to_string().into());
    let headers = web_sys::Headers::new().map_err(|_| Failure::Unsupported)?;
    let _ = headers.set("content-type", "application/x-www-form-urlencoded");
    let _ = headers.set("x-csrf-token", &csrf_token());
    init.set_headers(&headers);
    send(&window, path, &init).await
}

/// Sends the request: its JSON answer (`null` for an empty one), or the resident's message from a refusal.
async fn send(
    window: &web_sys::Window,
    path: &str,
    init: &web_sys::RequestInit,
) -> Result<JsValue, Failure> {
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(path, init))
        .await
        .map_err(|_| Failure::Network)?
        .dyn_into()
        .map_err(|_| Failure::Network)?;
    let json = match response.json() {
        Ok(promise) if response.status() != 204 => {
            JsFuture::from(promise).await.unwrap_or(JsValue::NULL)
        }
        _ => JsValue::NULL,
    };
    if response.ok() {
        Ok(json)
    } else {
        Err(Failure::Server(
            field(&json, "message").as_string().unwrap_or_default(),
        ))
    }
}

/// Sends `blob` as the body of a PUT, reporting the share sent so far (0.0–1.0) to `progress`. XHR, not
/// fetch: only XHR reports upload progress.
pub async fn put_with_progress(
    path: &str,
    blob: &web_sys::Blob,
    progress: impl Fn(f64) + 'static,
) -> Result<JsValue, Failure> {
    use wasm_bindgen::closure::Closure;
    let xhr = web_sys::XmlHttpRequest::new().map_err(|_| Failure::Unsupported)?;
    xhr.open_with_async("PUT", path, true)
        .map_err(|_| Failure::Unsupported)?;
    let _ = xhr.set_request_header("x-csrf-token", &csrf_token());
    let on_progress =
        Closure::<dyn Fn(web_sys::ProgressEvent)>::new(move |event: web_sys::ProgressEvent| {
            if event.length_computable() && event.total() > 0.0 {
                progress(event.loaded() / event.total());
            }
        });
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    let done = js_sys::Promise::new(&mut |resolve, reject| {
        xhr.set_onload(Some(&resolve));
        xhr.set_onerror(Some(&reject));
        xhr.set_ontimeout(Some(&reject));
    });
    xhr.send_with_opt_blob(Some(blob))
        .map_err(|_| Failure::Network)?;
    let finished = JsFuture::from(done).await;
    drop(on_progress);
    finished.map_err(|_| Failure::Network)?;
    let text = xhr.response_text().ok().flatten().unwrap_or_default();
    let json = JSON::parse(&text).unwrap_or(JsValue::NULL);
    let status = xhr.status().unwrap_or(0);
    if (200..300).contains(&status) {
        Ok(json)
    } else {
        Err(Failure::Server(
            field(&json, "message").as_string().unwrap_or_default(),
        ))
    }
}

/// A photo made ready on the phone: decoded upright (the browser applies EXIF orientation), turned a
/// further `quarter_turns` × 90° clockwise, scaled down to `long_edge` on its longer side and encoded as
/// JPEG — so a 4 MB photo travels as a few hundred kB. The server still does every check itself.
pub async fn downscale(
    file: &web_sys::Blob,
    quarter_turns: u32,
    long_edge: u32,
) -> Result<web_sys::Blob, Failure> {
    let window = web_sys::window().ok_or(Failure::Unsupported)?;
    let bitmap: web_sys::ImageBitmap = JsFuture::from(
        window
            .create_image_bitmap_with_blob(file)
            .map_err(|_| Failure::Unsupported)?,
    )
    .await
    .map_err(|_| Failure::Unsupported)?
    .dyn_into()
    .map_err(|_| Failure::Unsupported)?;
    let (width, height) = (f64::from(bitmap.width()), f64::from(bitmap.height()));
    let scale = (f64::from(long_edge) / width.max(height)).min(1.0);
    let (w, h) = (
        (width * scale).round().max(1.0),
        (height * scale).round().max(1.0),
    );
    let turned = quarter_turns % 2 == 1;
    let document = window.document().ok_or(Failure::Unsupported)?;
    let canvas: web_sys::HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(|_| Failure::Unsupported)?
        .dyn_into()
        .map_err(|_| Failure::Unsupported)?;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let (cw, ch) = if turned {
        (h as u32, w as u32)
    } else {
        (w as u32, h as u32)
    };
    canvas.set_width(cw);
    canvas.set_height(ch);
    let context: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .ok_or(Failure::Unsupported)?
        .dyn_into()
        .map_err(|_| Failure::Unsupported)?;
    let _ = context.translate(f64::from(cw) / 2.0, f64::from(ch) / 2.0);
    let _ = context.rotate(f64::from(quarter_turns % 4) * std::f64::consts::FRAC_PI_2);
    context
        .draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, -w / 2.0, -h / 2.0, w, h)
        .map_err(|_| Failure::Unsupported)?;
    bitmap.close();
    let encoded = js_sys::Promise::new(&mut |resolve, _reject| {
        let _ = canvas.to_blob_with_type_and_encoder_options(
            &resolve,
            "image/jpeg",
            &JsValue::from_f64(0.85),
        );
    });
    JsFuture::from(encoded)
        .await
        .map_err(|_| Failure::Unsupported)?
        .dyn_into()
        .map_err(|_| Failure::Unsupported)
}

/// An object URL for a preview of a file on this device (nothing is sent).
pub fn object_url(blob: &web_sys::Blob) -> Option<String> {
    web_sys::Url::create_object_url_with_blob(blob).ok()
}

pub fn revoke_object_url(url: &str) {
    let _ = web_sys::Url::revoke_object_url(url);
}
