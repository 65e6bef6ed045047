//! The OpenID Provider of the sign-in tests: `oidc-provider` (tests/support/oidc_provider.mjs) on loopback,
//! started once per test binary, as DigiD's broker. Each test server registers its own client with it
//! (dynamic registration), because its redirect URI carries its own port.

use super::services::{free_port, guarded, wait_until, Service};
use server::config::Config;
use server::identity::doors::DoorConfig;
use std::sync::OnceLock;

static PROVIDER: OnceLock<Service> = OnceLock::new();

/// The provider's issuer URL (`http://127.0.0.1:<port>`), started on first use.
pub fn issuer() -> String {
    let provider = PROVIDER.get_or_init(|| {
        let port = free_port();
        let dir = tempfile::tempdir().unwrap();
        let script = crate::repo_root().join("tests/support/oidc_provider.mjs");
        let child = guarded(&[
            "node".as_ref(),
            script.as_os_str(),
            port.to_string().as_ref(),
        ]);
        let addr = format!("127.0.0.1:{port}");
        wait_until("the OpenID Provider", || {
            std::net::TcpStream::connect(&addr).is_ok()
        });
        Service::new(addr, child, dir)
    });
    format!("http://{}", provider.addr)
}

/// Registers a client for a Loket whose public URL is `public_url`; returns its id and secret.
pub fn register(public_url: &str) -> (String, String) {
    let (id, secret) = register_as(public_url, None);
    (id, secret.unwrap())
}

/// Registers a client authenticating with `private_key_jwt` by the public key `jwk` (or, without one, by
/// a client secret, which it returns).
fn register_as(public_url: &str, jwk: Option<serde_json::Value>) -> (String, Option<String>) {
    let issuer = issuer();
    let redirect: Vec<String> = ["digid", "eherkenning", "eidas"]
        .iter()
        .map(|door| format!("{public_url}{}", app::paths::door_back(door)))
        .collect();
    let signed_out = format!("{public_url}{}", app::paths::SIGNED_OUT);
    // Called from a config closure inside the test's runtime: a plain thread with its own runtime.
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let mut metadata = serde_json::json!({
                "redirect_uris": redirect,
                "post_logout_redirect_uris": [signed_out],
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
                "token_endpoint_auth_method": "client_secret_basic",
            });
            if let Some(jwk) = jwk {
                metadata["token_endpoint_auth_method"] = "private_key_jwt".into();
                metadata["token_endpoint_auth_signing_alg"] = "ES256".into();
                metadata["jwks"] = serde_json::json!({ "keys": [jwk] });
            }
            let answer: serde_json::Value = reqwest::Client::new()
                .post(format!("{issuer}/reg"))
                .json(&metadata)
                .send()
                .await
                .unwrap()
                .error_for_status()
                .unwrap()
                .json()
                .await
                .unwrap();
            (
                answer["client_id"].as_str().unwrap().to_owned(),
                answer["client_secret"].as_str().map(str::to_owned),
            )
        })
    })
    .join()
    .unwrap()
}

/// Turns on the doors `prefixes` names (`LOKET_DIGID`, `LOKET_EHERKENNING`) in `config` as an operator
/// would (issuer, client, the default claim names and level table), with a client registered for its
/// public URL; one provider plays both brokers.
fn with_doors(config: &mut Config, prefixes: &[&str]) {
    let (client_id, client_secret) = register(&config.public_url);
    let issuer = issuer();
    let lookup = |name: &str| {
        let prefix = prefixes.iter().find(|p| name.starts_with(**p))?;
        match &name[prefix.len()..] {
            "_ISSUER" => Some(issuer.clone()),
            "_CLIENT_ID" => Some(client_id.clone()),
            "_CLIENT_SECRET" => Some(client_secret.clone()),
            _ => None,
        }
    };
    config.doors = DoorConfig::from_lookup(&lookup).unwrap();
}

/// The DigiD door only.
pub fn with_digid(config: &mut Config) {
    with_doors(config, &["LOKET_DIGID"]);
}

/// The DigiD and eHerkenning doors, through one broker.
pub fn with_digid_and_eherkenning(config: &mut Config) {
    with_doors(config, &["LOKET_DIGID", "LOKET_EHERKENNING"]);
}

/// Every door: DigiD, eHerkenning and eIDAS, through one broker.
pub fn with_every_door(config: &mut Config) {
    with_doors(config, &["LOKET_DIGID", "LOKET_EHERKENNING", "LOKET_EIDAS"]);
}

/// The DigiD door with a client that authenticates by a signed JWT (`private_key_jwt`): a new P-256 key,
/// its public half registered at the provider, its PEM in a temporary file.
pub fn with_digid_by_private_key(config: &mut Config) {
    use base64::Engine;
    use jwt_simple::prelude::{ECDSAP256PublicKeyLike, ES256KeyPair};
    let pair = ES256KeyPair::generate();
    let public = pair.public_key();
    let point = ECDSAP256PublicKeyLike::public_key(&public).to_bytes_uncompressed();
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let jwk = serde_json::json!({
        "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": "loket-test-key",
        "x": b64(&point[1..33]), "y": b64(&point[33..65]),
    });
    let (client_id, _) = register_as(&config.public_url, Some(jwk));
    // Beside the test's data, not in it: the data directory is Loket's own to create.
    let key_file =
        std::env::temp_dir().join(format!("loket-broker-key-{}.pem", rand::random::<u64>()));
    std::fs::write(&key_file, pair.to_pem().unwrap()).unwrap();
    let issuer = issuer();
    let key_file = key_file.to_string_lossy().into_owned();
    let lookup = |name: &str| match name {
        "LOKET_DIGID_ISSUER" => Some(issuer.clone()),
        "LOKET_DIGID_CLIENT_ID" => Some(client_id.clone()),
        "LOKET_DIGID_PRIVATE_KEY_FILE" => Some(key_file.clone()),
        "LOKET_DIGID_KEY_ID" => Some(String::from("loket-test-key")),
        _ => None,
    };
    config.doors = DoorConfig::from_lookup(&lookup).unwrap();
}
