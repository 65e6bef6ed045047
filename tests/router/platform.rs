//! Headers, PWA files and health checks: what every deployment relies on.

use crate::csp_nonce;
use loket_tests::on_both_backends;

on_both_backends!(
    every_page_carries_a_strict_csp_whose_nonce_matches_the_inline_script,
    |app| {
        let page = app.get("/").await;
        let csp = page.header("content-security-policy").to_owned();
        assert!(!csp.is_empty());
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"),
            "{csp}"
        );
        let nonce = csp_nonce(&csp);
        assert!(nonce.len() >= 22, "{csp}");
        assert!(
            page.body.contains(&format!("nonce=\"{nonce}\"")),
            "inline hydration script carries the nonce"
        );
        let scripts_without_nonce = page.body.matches("<script").count()
            - page.body.matches("<script type=\"module\" nonce=").count()
            - page.body.matches("<script nonce=").count();
        assert_eq!(
            scripts_without_nonce, 0,
            "every inline script has the nonce"
        );
        let again = app.get("/").await;
        assert_ne!(
            csp_nonce(again.header("content-security-policy")),
            nonce,
            "a fresh nonce per request"
        );
        assert_eq!(page.header("x-content-type-options"), "nosniff");
        assert_eq!(page.header("referrer-policy"), "no-referrer");
        assert!(page.header("permissions-policy").contains("camera=(self)"));
        assert!(
            page.header("strict-transport-security").is_empty(),
            "no HSTS over plain http"
        );
    }
);

on_both_backends!(health_and_readiness_answer, |app| {
    let health = app.get("/healthz").await;
    assert_eq!((health.status.as_u16(), health.body.as_str()), (200, "ok"));
    let ready = app.get("/readyz").await;
    assert_eq!((ready.status.as_u16(), ready.body.as_str()), (200, "ok"));
});

on_both_backends!(readiness_fails_when_the_database_is_gone, |app| {
    app.loket.db.pool.close().await;
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, 503);
    assert_eq!(
        app.get("/healthz").await.status,
        200,
        "liveness does not depend on the database"
    );
});

on_both_backends!(the_manifest_is_a_typed_web_app_manifest, |app| {
    let response = app.get("/manifest.webmanifest").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), "application/manifest+json");
    let manifest: serde_json::Value = serde_json::from_str(&response.body).unwrap();
    assert_eq!(manifest["short_name"], "Voorbeeld");
    assert_eq!(manifest["display"], "standalone");
    assert_eq!(manifest["theme_color"], "#00548a");
    let icons = manifest["icons"].as_array().unwrap();
    for (size, purpose) in [
        ("192x192", "any"),
        ("512x512", "any"),
        ("192x192", "maskable"),
        ("512x512", "maskable"),
    ] {
        assert!(
            icons
                .iter()
                .any(|i| i["sizes"] == size && i["purpose"] == purpose),
            "{size} {purpose}"
        );
    }
});

on_both_backends!(
    the_service_worker_is_never_cached_and_precaches_the_offline_page,
    |app| {
        let response = app.get("/sw.js").await;
        assert_eq!(response.status, 200);
        assert!(response
            .header("content-type")
            .starts_with("text/javascript"));
        assert_eq!(response.header("cache-control"), "no-cache");
        assert!(response.body.contains("\"/offline\""));
        assert!(response.body.contains("loket-static-"));
    }
);

on_both_backends!(the_theme_carries_the_municipality_colours, |app| {
    let response = app.get("/theme.css").await;
    assert!(response.header("content-type").starts_with("text/css"));
    assert!(response.body.contains("--loket-brand:#00548a"));
});

on_both_backends!(an_oversized_body_is_refused_before_it_is_read, |app| {
    let form = format!("lang=en&return_to={}", "a".repeat(100 * 1024));
    let response = app.post_form("/taal", &form).await;
    assert_eq!(response.status, 413);
    assert!(response.header("set-cookie").is_empty());
});

#[tokio::test]
async fn hsts_and_secure_cookies_when_the_public_url_is_https() {
    let app = loket_tests::TestApp::start_with(loket_tests::Backend::Sqlite, |config| {
        config.public_url = String::from("https://loket.voorbeeld.example");
    })
    .await;
    let hsts = app
        .get("/")
        .await
        .header("strict-transport-security")
        .to_owned();
    assert!(hsts.starts_with("max-age="), "{hsts}");
    let response = app.post_form("/taal", "lang=en").await;
    let cookie = response.header("set-cookie");
    assert!(
        cookie.split("; ").any(|attribute| attribute == "Secure"),
        "{cookie}"
    );
}
