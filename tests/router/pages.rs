//! The pages a resident sees, rendered by the real router from the real database.

use loket_tests::on_both_backends;

on_both_backends!(
    overview_shows_signed_out_state_and_demo_data_from_the_database,
    |app| {
        let page = app.get("/").await;
        assert_eq!(page.status, 200);
        assert!(page.header("content-type").starts_with("text/html"));
        let html = &page.body;
        assert!(html.contains("<html lang=\"nl\""), "lang attribute");
        assert!(html.contains("Inloggen"), "sign-in offered");
        assert!(html.contains("Gemeente Voorbeeld"));
        assert!(html.contains("Demo-omgeving"), "demo banner");
        assert!(
            html.contains("Desiree de Vries"),
            "demo resident from the database"
        );
        assert!(
            html.contains("Bijzondere bijstand") && html.contains("Parkeervergunning"),
            "both cases"
        );
        assert!(
            html.contains("Een consulent bekijkt uw aanvraag."),
            "current status text of case 1"
        );
        assert!(
            html.contains("Uw vergunning is verleend."),
            "current status text of case 2"
        );
        assert!(
            !html.contains("Signaal vroegsignalering"),
            "internal case types never reach a resident page"
        );
        assert!(
            html.contains("Stadhuis Voorbeeld") && html.contains("13:30–17:00"),
            "location with opening hours"
        );
        assert!(html.contains("href=\"#inhoud\""), "skip link");
        assert!(
            html.contains("aria-current=\"page\""),
            "current page marked in the navigation"
        );
    }
);

on_both_backends!(the_status_date_is_the_local_date_in_amsterdam, |app| {
    // Case 1 reached "In behandeling" 3 days and 5 hours before 2026-03-03T09:30Z: 2026-02-28T04:30Z, which is
    // 05:30 on 28 February in Amsterdam.
    let html = app.get("/").await.body;
    assert!(html.contains("sinds 28 februari 2026"), "{html}");
});

on_both_backends!(every_navigation_page_answers_in_dutch_and_english, |app| {
    for (path, nl, en) in [
        ("/", "Overzicht", "Overview"),
        ("/zaken", "Zaken", "Cases"),
        ("/afspraken", "Afspraken", "Appointments"),
        ("/documenten", "Documenten", "Documents"),
        ("/instellingen", "Instellingen", "Settings"),
        ("/inloggen", "Inloggen", "Sign in"),
        ("/offline", "U bent offline", "You are offline"),
    ] {
        let dutch = app.get(path).await;
        assert_eq!(dutch.status, 200, "{path}");
        assert!(
            dutch
                .body
                .contains(&format!("<h1 class=\"utrecht-heading-1\">{nl}</h1>")),
            "{path} in Dutch"
        );
        let english = app.get_with_cookie(path, "loket_lang=en").await;
        assert!(english.body.contains("<html lang=\"en\""), "{path} lang=en");
        assert!(
            english
                .body
                .contains(&format!("<h1 class=\"utrecht-heading-1\">{en}</h1>")),
            "{path} in English"
        );
    }
});

on_both_backends!(
    choosing_a_language_is_remembered_and_returns_to_the_page,
    |app| {
        let response = app.post_form("/taal", "lang=en&return_to=%2Fzaken").await;
        assert_eq!(response.status, 303);
        assert_eq!(response.header("location"), "/zaken");
        let cookie = response.header("set-cookie");
        assert!(cookie.starts_with("loket_lang=en;"), "{cookie}");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        let page = app.get_with_cookie("/zaken", "loket_lang=en").await;
        assert!(page
            .body
            .contains("Sign in to see how your requests are progressing."));
    }
);

on_both_backends!(
    an_unknown_language_or_foreign_return_address_changes_nothing,
    |app| {
        let response = app.post_form("/taal", "lang=fr&return_to=%2F").await;
        assert_eq!(response.status, 400);
        assert!(
            response.body.contains("Kies Nederlands of English"),
            "{}",
            response.body
        );
        assert!(response.header("set-cookie").is_empty());
        let response = app.post_form("/taal", "").await;
        assert_eq!(response.status, 400);
        let response = app
            .post_form("/taal", "lang=nl&return_to=%2F%2Fevil.example")
            .await;
        assert_eq!(response.header("location"), "/");
    }
);

on_both_backends!(an_unknown_page_is_a_404_that_says_what_to_do, |app| {
    let page = app.get("/bestaat-niet").await;
    assert_eq!(page.status, 404);
    assert!(page.body.contains("Deze pagina bestaat niet"));
    assert!(page.body.contains("Naar het overzicht"));
});

on_both_backends!(the_overview_server_function_returns_the_demo_cases, |app| {
    let response = app.post_form("/fn/overview", "").await;
    assert_eq!(response.status, 200, "{}", response.body);
    let json: serde_json::Value = serde_json::from_str(&response.body).unwrap();
    let cases = json["demo"]["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 2, "internal case excluded: {json}");
    assert_eq!(json["demo"]["resident_name"], "Desiree de Vries");
});
