//! Privacy by construction: what Loket logs while serving the demo resident's data names nobody.

use loket_tests::{Backend, TestApp};
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut log = self
            .0
            .lock()
            .map_err(|_| std::io::Error::other("log buffer poisoned"))?;
        log.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// current_thread: the subscriber set for this thread sees every span and event of the requests.
#[tokio::test(flavor = "current_thread")]
async fn serving_the_demo_residents_data_logs_no_personal_data() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let app = TestApp::start(Backend::Sqlite).await;
    let page = app.get("/?naam=Desiree").await;
    assert!(
        page.body.contains("Desiree de Vries"),
        "the page itself shows the demo resident"
    );
    let _ = app.post_form("/fn/overview", "").await;
    let _ = app.get_with_cookie("/zaken", "loket_lang=en").await;

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("\"path\":\"/\""), "requests are logged: {log}");
    for personal in ["Desiree", "de Vries", "ZAAK-2026-0412", "naam="] {
        assert!(
            !log.contains(personal),
            "the log contains {personal:?}: {log}"
        );
    }
}
