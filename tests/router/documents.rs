//! Documents over real HTTP against both databases: Desiree photographs three pages for her appointment,
//! removes one and sends; the back office opens one combined PDF (audited), the contact centre cannot; every
//! bad file is refused with a Dutch sentence and leaves nothing behind — no row, no object. Each test runs on
//! SQLite and PostgreSQL, with documents in a local folder and in a real S3-compatible server on loopback;
//! uploads are scanned by a real clamd.

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use loket_tests::browser::Browser;
use loket_tests::TestServer;
use serde_json::Value;
use server::documents::fixtures;
use server::documents::store::Store;
use server::identity::activation::CodeTarget;

const M: &str = "voorbeeld";

#[derive(Clone, Copy, Debug)]
pub(crate) enum Storage {
    Local,
    S3,
}

/// Loket with documents in `storage` and clamd scanning them, changed further by `adjust`; and the store
/// itself, to look into.
pub(crate) async fn start(
    backend: loket_tests::Backend,
    storage: Storage,
    adjust: impl FnOnce(&mut server::config::Config),
) -> (TestServer, Store) {
    let bucket = match storage {
        Storage::Local => None,
        Storage::S3 => Some(loket_tests::services::s3_bucket()),
    };
    let clamd = loket_tests::services::clamd().addr.clone();
    let server = TestServer::start_with(backend, move |config| {
        config.s3 = bucket;
        config.clamd_addr = Some(clamd);
        adjust(config);
    })
    .await;
    let store = server.app.loket.documents.store.clone();
    (server, store)
}

/// Every object in the document store.
async fn stored(store: &Store) -> Vec<String> {
    store
        .list("")
        .await
        .unwrap()
        .into_iter()
        .map(|(key, _)| key)
        .collect()
}

pub(crate) async fn count(server: &TestServer, table: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&server.db().pool)
        .await
        .unwrap();
    n
}

/// A request as the upload script sends it: the CSRF token in its header.
pub(crate) async fn send(
    browser: &Browser,
    method: reqwest::Method,
    path: &str,
    body: reqwest::Body,
) -> (u16, Value) {
    let response = browser
        .client
        .request(method, format!("{}{path}", browser.url))
        .header("x-csrf-token", browser.csrf())
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

pub(crate) async fn start_draft(browser: &Browser, appointment: &str, title: &str) -> (u16, Value) {
    let response = browser
        .client
        .post(format!(
            "{}/afspraken/{appointment}/documenten",
            browser.url
        ))
        .header("x-csrf-token", browser.csrf())
        .form(&[("title", title)])
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

pub(crate) async fn put_page(
    browser: &Browser,
    draft: &str,
    n: u32,
    bytes: Vec<u8>,
) -> (u16, Value) {
    send(
        browser,
        reqwest::Method::PUT,
        &format!("/documenten/concepten/{draft}/paginas/{n}"),
        bytes.into(),
    )
    .await
}

/// Desiree, signed in, with an appointment booked for her by phone.
pub(crate) async fn desiree_with_appointment(server: &TestServer) -> (Browser, String) {
    let desiree = loket_tests::browser::desiree(server).await;
    let person = format!("demo-{M}-desiree");
    let appointment =
        crate::appointments::booked_by_phone(&server.app, &person, "paspoort", "stadhuis").await;
    (desiree, appointment)
}

async fn desiree_sends_three_photos_removes_one_and_the_back_office_opens_one_combined_pdf(
    backend: loket_tests::Backend,
    storage: Storage,
) {
    let (server, store) = start(backend, storage, |_| {}).await;
    let (desiree, appointment) = desiree_with_appointment(&server).await;
    let (status, started) = start_draft(&desiree, &appointment, "Paspoort").await;
    assert_eq!(status, 201, "{started}");
    let draft = started["draft"].as_str().unwrap().to_owned();
    let pages = [
        fixtures::phone_photo(),
        fixtures::halves_jpeg(3000, 1500),
        fixtures::halves_jpeg(800, 600),
    ];
    for (n, page) in pages.into_iter().enumerate() {
        let (status, receipt) = put_page(&desiree, &draft, n as u32, page).await;
        assert_eq!(status, 201, "{receipt}");
        assert!(receipt["page"]["width"].as_u64().unwrap() <= 2000);
    }
    // The middle page goes; sending page 2 again (a retry) replaces it, it does not add one.
    let (status, _) = send(
        &desiree,
        reqwest::Method::DELETE,
        &format!("/documenten/concepten/{draft}/paginas/1"),
        reqwest::Body::from(Vec::new()),
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = put_page(&desiree, &draft, 2, fixtures::halves_jpeg(800, 600)).await;
    assert_eq!(status, 201);
    let (status, finished) = send(
        &desiree,
        reqwest::Method::POST,
        &format!("/documenten/concepten/{draft}/versturen"),
        reqwest::Body::from(Vec::new()),
    )
    .await;
    assert_eq!(status, 201, "{finished}");
    let document = finished["document"].as_str().unwrap().to_owned();
    // One object: the combined PDF. The pages' objects and the draft are gone.
    let objects = stored(&store).await;
    assert!(
        objects.len() == 1 && objects[0].starts_with("documents/"),
        "{objects:?}"
    );
    assert_eq!(count(&server, "document_page").await, 0);
    assert_eq!(count(&server, "document_draft").await, 0);

    // She opens it: a PDF of two pages, with nothing of the phone's metadata.
    let response = desiree
        .client
        .get(format!("{}/documenten/{document}", desiree.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let pdf = response.bytes().await.unwrap().to_vec();
    let limits = server::documents::Limits::default();
    assert_eq!(server::documents::pdf::validate(&pdf, &limits).unwrap(), 2);
    for needle in [&b"Exif"[..], b"LoketPhone", b"Stationsstraat"] {
        assert!(!pdf.windows(needle.len()).any(|w| w == needle));
    }

    // The contact centre knows THAT, not WHAT: it cannot open the pages. The back office can, audited.
    let karin = loket_tests::browser::signed_in(
        &server,
        CodeTarget::Staff {
            staff_id: format!("demo-{M}-karin"),
        },
    )
    .await;
    let opened = |browser: &Browser| {
        let url = format!("{}/documenten/{document}", browser.url);
        let client = browser.client.clone();
        async move { client.get(url).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(opened(&karin).await, 404);
    crate::matrix::staff(&server, "bo-documents", "backoffice").await;
    let backoffice = loket_tests::browser::signed_in(
        &server,
        CodeTarget::Staff {
            staff_id: String::from("bo-documents"),
        },
    )
    .await;
    assert_eq!(opened(&backoffice).await, 200);
    let (_, activity) = loket_tests::browser::page(&desiree, "/activiteit").await;
    assert!(
        activity.contains("bekeek uw documenten die u stuurde"),
        "{activity}"
    );
    // Someone else's document does not exist for another resident either.
    crate::matrix::person(&server, "someone-else", "Jan Jansen").await;
    let other = loket_tests::browser::signed_in(
        &server,
        CodeTarget::Person {
            person_id: String::from("someone-else"),
        },
    )
    .await;
    assert_eq!(opened(&other).await, 404);

    // She removes it; then it is gone from the store too. Once taken into processing it could not be.
    // (The answer is a redirect back to the appointment, which the client follows.)
    let (status, page) = send(
        &desiree,
        reqwest::Method::POST,
        &format!("/documenten/{document}/verwijderen"),
        reqwest::Body::from(Vec::new()),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        page.as_str()
            .unwrap_or_default()
            .contains("Het document is verwijderd."),
        "{page}"
    );
    assert!(stored(&store).await.is_empty());
    assert_eq!(count(&server, "document").await, 0);

    // A PDF sent alone becomes the document as it is: one object, opened with its one page.
    let (_, started) = start_draft(&desiree, &appointment, "Huurcontract").await;
    let draft = started["draft"].as_str().unwrap().to_owned();
    let (status, receipt) = put_page(&desiree, &draft, 0, fixtures::pdf_with("")).await;
    assert_eq!(status, 201, "{receipt}");
    let (status, finished) = send(
        &desiree,
        reqwest::Method::POST,
        &format!("/documenten/concepten/{draft}/versturen"),
        reqwest::Body::from(Vec::new()),
    )
    .await;
    assert_eq!(status, 201, "{finished}");
    assert_eq!(stored(&store).await.len(), 1);
    let pdf = desiree
        .client
        .get(format!(
            "{}/documenten/{}",
            desiree.url,
            finished["document"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(pdf.to_vec(), fixtures::pdf_with(""));
    assert_eq!(count(&server, "document_page").await, 0);
}

/// The test `name(backend, storage)` on both databases × both stores.
macro_rules! on_both_databases_and_stores {
    ($name:ident) => {
        mod $name {
            use super::Storage;
            use loket_tests::Backend;

            #[test]
            fn sqlite_local() {
                loket_tests::runtime().block_on(super::$name(Backend::Sqlite, Storage::Local));
            }

            #[test]
            fn postgres_local() {
                loket_tests::runtime().block_on(super::$name(Backend::Postgres, Storage::Local));
            }

            #[test]
            fn sqlite_s3() {
                loket_tests::runtime().block_on(super::$name(Backend::Sqlite, Storage::S3));
            }

            #[test]
            fn postgres_s3() {
                loket_tests::runtime().block_on(super::$name(Backend::Postgres, Storage::S3));
            }
        }
    };
}

on_both_databases_and_stores!(
    desiree_sends_three_photos_removes_one_and_the_back_office_opens_one_combined_pdf
);

async fn every_bad_file_is_refused_in_dutch_and_nothing_is_stored(
    backend: loket_tests::Backend,
    storage: Storage,
) {
    let (server, store) = start(backend, storage, |config| config.upload_max_mb = 1).await;
    let (desiree, appointment) = desiree_with_appointment(&server).await;
    let (_, started) = start_draft(&desiree, &appointment, "Bewijsstukken").await;
    let draft = started["draft"].as_str().unwrap().to_owned();
    let mut over_limit = fixtures::halves_jpeg(16, 16);
    over_limit.resize(1024 * 1024 + 1, 0);
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        ("bomb", fixtures::png_bomb(), 422, "te groot om te lezen"),
        (
            "polyglot",
            fixtures::jpeg_pdf_polyglot(),
            422,
            "tegelijk een foto en een PDF",
        ),
        (
            "truncated",
            fixtures::truncated_jpeg(),
            422,
            "beschadigd of niet compleet",
        ),
        (
            "html as jpg",
            fixtures::html_as_jpg(),
            415,
            "Stuur een foto (JPG of PNG) of een PDF",
        ),
        ("empty", Vec::new(), 422, "Dit bestand is leeg"),
        ("eicar", fixtures::eicar(), 422, "mogelijk een virus"),
        ("one byte over", over_limit, 413, "groter dan 1 MB"),
        (
            "pdf with javascript",
            fixtures::pdf_with("/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
            422,
            "bevat JavaScript",
        ),
    ];
    for (name, bytes, status, sentence) in cases {
        let (got, answer) = put_page(&desiree, &draft, 0, bytes).await;
        assert_eq!(got, status, "{name}: {answer}");
        let text = answer["message"].as_str().unwrap_or_default();
        assert!(text.contains(sentence), "{name}: {text}");
        assert_eq!(count(&server, "document_page").await, 0, "{name}");
        assert!(stored(&store).await.is_empty(), "{name}");
    }
    // Nothing to finish: a clear sentence, and still nothing stored.
    let (status, answer) = send(
        &desiree,
        reqwest::Method::POST,
        &format!("/documenten/concepten/{draft}/versturen"),
        reqwest::Body::from(Vec::new()),
    )
    .await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(count(&server, "document").await, 0);
    // Without the CSRF header the page is refused before it is read.
    let response = desiree
        .client
        .put(format!(
            "{}/documenten/concepten/{draft}/paginas/0",
            desiree.url
        ))
        .body(fixtures::halves_jpeg(16, 16))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    // Someone else's draft does not exist for her.
    crate::matrix::person(&server, "someone-else", "Jan Jansen").await;
    let other = loket_tests::browser::signed_in(
        &server,
        CodeTarget::Person {
            person_id: String::from("someone-else"),
        },
    )
    .await;
    let (status, _) = put_page(&other, &draft, 0, fixtures::halves_jpeg(16, 16)).await;
    assert_eq!(status, 404);

    // What a crash between storing and committing leaves (an object no row points to) and an abandoned draft
    // are swept once old enough; not before.
    store
        .put("documents/left-by-a-crash", b"%PDF-1.4".to_vec())
        .await
        .unwrap();
    let now = jiff::Timestamp::now().as_millisecond();
    let db = server.db();
    use server::documents::drafts::{sweep, DRAFT_LIFETIME_MS};
    assert_eq!(sweep(db, &store, now).await.unwrap(), 0);
    assert_eq!(stored(&store).await.len(), 1);
    assert_eq!(
        sweep(db, &store, now + DRAFT_LIFETIME_MS + 1)
            .await
            .unwrap(),
        1
    );
    assert!(stored(&store).await.is_empty());
    assert_eq!(count(&server, "document_draft").await, 0);
}

on_both_databases_and_stores!(every_bad_file_is_refused_in_dutch_and_nothing_is_stored);

/// A form post from a staff page or the resident's own page: the CSRF token in the form, redirects followed.
async fn post_form(browser: &Browser, path: &str) -> (u16, String) {
    let response = browser
        .client
        .post(format!("{}{path}", browser.url))
        .form(&[("csrf", browser.csrf().as_str())])
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Starts a draft on the case page `case` (`/zaken/{id}`).
async fn start_case_draft(browser: &Browser, case: &str, title: &str) -> (u16, Value) {
    let response = browser
        .client
        .post(format!("{}{case}/documenten", browser.url))
        .header("x-csrf-token", browser.csrf())
        .form(&[("title", title)])
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn desiree_sends_a_document_for_her_case_and_once_the_back_office_takes_it_she_cannot_remove_it(
    backend: loket_tests::Backend,
) {
    let (server, store) = start(backend, Storage::Local, |_| {}).await;
    let desiree = loket_tests::browser::desiree(&server).await;
    let case = |identifier: &'static str| loket_tests::case_page(server.db(), identifier);
    let hers = case("ZAAK-2026-0412").await;
    // Her open case of a type that takes documents.
    let (status, started) = start_case_draft(&desiree, &hers, "Bankafschrift").await;
    assert_eq!(status, 201, "{started}");
    let draft = started["draft"].as_str().unwrap().to_owned();
    let (status, receipt) = put_page(&desiree, &draft, 0, fixtures::phone_photo()).await;
    assert_eq!(status, 201, "{receipt}");
    let (status, finished) = send(
        &desiree,
        reqwest::Method::POST,
        &format!("/documenten/concepten/{draft}/versturen"),
        reqwest::Body::from(Vec::new()),
    )
    .await;
    assert_eq!(status, 201, "{finished}");
    let document = finished["document"].as_str().unwrap().to_owned();
    let (_, case_page) = loket_tests::browser::page(&desiree, &hers).await;
    assert!(
        case_page.contains("Documenten voor deze zaak"),
        "{case_page}"
    );
    assert!(case_page.contains("Bankafschrift"), "{case_page}");
    assert!(case_page.contains(&format!("/documenten/{document}/verwijderen")));
    let (_, documents) = loket_tests::browser::page(&desiree, "/documenten").await;
    assert!(
        documents.contains("Bij uw zaak ZAAK-2026-0412"),
        "{documents}"
    );
    // When it was sent, as people read a date ("verstuurd op 1 december 2026, 20:25"), not as ISO.
    let today = jiff::Zoned::now()
        .in_tz("Europe/Amsterdam")
        .unwrap()
        .date()
        .to_string();
    let written = app::i18n::long_date(app::i18n::Lang::Nl, &today);
    assert!(
        documents.contains(&format!("verstuurd op {written}, ")),
        "{documents}"
    );
    assert!(!documents.contains("verstuurd op 20"), "no ISO date");

    // A closed case, an internal one she cannot see, one that does not exist, and her case for someone else.
    let (status, answer) = start_case_draft(&desiree, &case("ZAAK-2026-0388").await, "Foto").await;
    assert_eq!(status, 422, "{answer}");
    assert!(answer["message"]
        .as_str()
        .unwrap()
        .contains("kunt u nu geen documenten sturen"));
    for page in [
        case("ZAAK-2026-0419").await,
        String::from("/zaken/bestaatniet"),
        // The number is no way in either.
        String::from("/zaken/ZAAK-2026-0412"),
    ] {
        let (status, answer) = start_case_draft(&desiree, &page, "Foto").await;
        assert_eq!(status, 404, "{page}: {answer}");
    }
    // An English visitor reads the refusals in English.
    desiree.choose_language("en").await;
    let (status, answer) = start_case_draft(&desiree, &case("ZAAK-2026-0388").await, "Foto").await;
    assert_eq!(status, 422);
    assert_eq!(
        answer["message"],
        "You cannot send documents for this appointment or case now."
    );
    let (status, answer) = start_case_draft(&desiree, &hers, &"x".repeat(121)).await;
    assert_eq!(status, 422);
    assert!(answer["message"]
        .as_str()
        .unwrap()
        .starts_with("Give the document a name"));
    desiree.choose_language("nl").await;
    crate::matrix::person(&server, "someone-else", "Jan Jansen").await;
    let other = loket_tests::browser::signed_in(
        &server,
        CodeTarget::Person {
            person_id: String::from("someone-else"),
        },
    )
    .await;
    let (status, _) = start_case_draft(&other, &hers, "Foto").await;
    assert_eq!(status, 404);
    assert_eq!(count(&server, "document_draft").await, 0);

    // The contact centre may not take it into processing; the back office sees it at her case and does.
    let card = "/medewerkers/inwoners/demo-voorbeeld-desiree";
    let take = format!("{card}/documenten/{document}/in-behandeling");
    let karin = loket_tests::browser::signed_in(
        &server,
        CodeTarget::Staff {
            staff_id: format!("demo-{M}-karin"),
        },
    )
    .await;
    let (_, karins_card) = loket_tests::browser::page(&karin, card).await;
    assert!(!karins_card.contains(&take), "{karins_card}");
    // Of a confidential case the contact centre knows only that it exists: not what she sent for it.
    assert!(!karins_card.contains("Bankafschrift"));
    let (status, _) = post_form(&karin, &take).await;
    assert_eq!(status, 403);
    crate::matrix::staff(&server, "bo-documents", "backoffice").await;
    let backoffice = loket_tests::browser::signed_in(
        &server,
        CodeTarget::Staff {
            staff_id: String::from("bo-documents"),
        },
    )
    .await;
    let (_, sannes_card) = loket_tests::browser::page(&backoffice, card).await;
    assert!(sannes_card.contains(&take), "{sannes_card}");
    assert!(sannes_card.contains("Bankafschrift"));
    // Someone else's card does not lead to her document.
    let (status, _) = post_form(
        &backoffice,
        &format!("/medewerkers/inwoners/someone-else/documenten/{document}/in-behandeling"),
    )
    .await;
    assert_eq!(status, 404);
    let (status, card_page) = post_form(&backoffice, &take).await;
    assert_eq!(status, 200);
    assert!(card_page.contains("in behandeling genomen"), "{card_page}");
    assert!(!card_page.contains(&take));

    // Now she cannot remove it: a clear sentence, and the document and its object stay.
    let (status, answer) = send(
        &desiree,
        reqwest::Method::POST,
        &format!("/documenten/{document}/verwijderen"),
        reqwest::Body::from(Vec::new()),
    )
    .await;
    assert_eq!(status, 409, "{answer}");
    assert!(answer["message"]
        .as_str()
        .unwrap()
        .contains("De gemeente werkt al met dit document"));
    assert_eq!(count(&server, "document").await, 1);
    assert_eq!(stored(&store).await.len(), 1);
    let hers = loket_tests::case_page(server.db(), "ZAAK-2026-0412").await;
    let (_, case_page) = loket_tests::browser::page(&desiree, &hers).await;
    assert!(case_page.contains("de gemeente werkt ermee"), "{case_page}");
    assert!(!case_page.contains(&format!("/documenten/{document}/verwijderen")));
}

loket_tests::on_both_backends!(
    desiree_sends_a_document_for_her_case_and_once_the_back_office_takes_it_she_cannot_remove_it
);

async fn one_person_starts_only_so_many_drafts_an_hour(backend: loket_tests::Backend) {
    let (server, _store) = start(backend, Storage::Local, |_| {}).await;
    let desiree = loket_tests::browser::desiree(&server).await;
    let hers = loket_tests::case_page(server.db(), "ZAAK-2026-0412").await;
    let max = server::documents::drafts::DRAFTS_PER_PERSON.max;
    for n in 0..max {
        let (status, answer) = start_case_draft(&desiree, &hers, "Bankafschrift").await;
        assert_eq!(status, 201, "draft {n}: {answer}");
    }
    let (status, answer) = start_case_draft(&desiree, &hers, "Bankafschrift").await;
    assert_eq!(status, 429, "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("Wacht een uur"),
        "{answer}"
    );
    assert_eq!(count(&server, "document_draft").await, max);
}

loket_tests::on_both_backends!(one_person_starts_only_so_many_drafts_an_hour);
