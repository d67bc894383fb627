//! Estado de cuenta from a customer's detail: previewed with its PDF (saved to Downloads with
//! "Guardar PDF" and read back), queued, and delivered through a real SMTP server with that PDF
//! attached; and "Enviar por WhatsApp", which hands the system's https handler the wa.me link of
//! the statement — or, for a customer without a phone, says why it cannot.

use std::path::{Path, PathBuf};

use cachicamo_core::books::customers::{self, CustomerForm};
use cachicamo_core::books::reading::Reading;
use cachicamo_core::locale::{Language, Region};
use cachicamo_core::Database;
use cachicamo_e2e::fakes::FakeServer;
use cachicamo_e2e::mail::pdf_text;
use cachicamo_e2e::{books, eventually, AppUnderTest, UI_TIMEOUT};
use mail_parser::{MessageParser, MimeHeaders};

use crate::a11y::assert_accessible;
use crate::helpers::{
    configure_smtp, forget_keychain_entries, fresh_books, open_customer, open_receivable,
    start_for_mail, Desktop, Owed, SENDER,
};

const PASSWORD: &str = "app-pass-statements-7f2a";

/// A customer owing USD 1.500,50 since 15/01/2026.
const PENA: Owed = (
    "Ferretería Peña & Hijos",
    "cobros@penahijos.com.ve",
    "F-0042",
    "1.500,50",
);

#[tokio::test(flavor = "multi_thread")]
async fn a_customers_statement_arrives_at_the_smtp_server_with_its_pdf() {
    let server = FakeServer::smtp("starttls", SENDER, PASSWORD);
    let desktop = Desktop::new();
    let app = start_for_mail(fresh_books(&[PENA]), &[desktop.env()]);
    let window = app.open().await;
    configure_smtp(&window, server.port, PASSWORD).await;
    open_customer(&window, PENA.0, "#customer-statement").await;
    window.wait_for_text("#statement-recipient", PENA.1).await;

    // What goes out is shown first, its PDF included.
    window.click("#statement-send").await;
    window.wait_for_text("#statement-preview-to", PENA.1).await;
    window
        .wait_for_text_containing("#statement-preview-text", "USD 1.500,50")
        .await;
    let file = window
        .wait_for_text_containing("#statement-preview-pdf", "Estado de cuenta – ")
        .await;
    assert!(
        file.contains(PENA.0) && file.ends_with(".pdf"),
        "the PDF is named after the customer: {file}"
    );
    window.click("#statement-save-pdf").await;
    let saved = desktop.downloads.join(&file);
    window
        .wait_for_text_containing("#statement-notice", &saved.display().to_string())
        .await;
    let looked_at = pdf_text(&std::fs::read(&saved).expect("the saved PDF"));
    assert!(
        looked_at.contains("1.500,50") && looked_at.contains("F-0042"),
        "{looked_at}"
    );
    window.screenshot("es-statement-preview").await;
    assert_accessible(&window, "a customer's statement, previewed").await;
    assert!(
        server.smtp_messages().is_empty(),
        "nothing goes out before confirming"
    );

    window.click("#statement-confirm").await;
    window
        .wait_for_text_containing("#statement-notice", "Estado de cuenta en cola")
        .await;
    window
        .wait_for_text_containing("#statement-history tr[data-state='sent']", "Enviado")
        .await;
    let messages = server.smtp_messages();
    assert_eq!(messages.len(), 1, "one statement, one message");
    let (envelope, raw) = &messages[0];
    assert_eq!(envelope["rcpt_tos"][0], PENA.1);
    let message = MessageParser::default()
        .parse(raw.as_bytes())
        .expect("mime");
    let text = message.body_text(0).expect("text part").into_owned();
    assert!(text.contains("USD 1.500,50"), "{text}");
    let pdf = message
        .attachments()
        .find(|part| part.attachment_name() == Some(file.as_str()))
        .unwrap_or_else(|| panic!("no attachment named {file}"));
    let received = pdf_text(pdf.contents());
    for figure in ["1.500,50", "F-0042", "Cemento gris"] {
        assert!(
            received.contains(figure),
            "the PDF lacks {figure}: {received}"
        );
    }
    window.screenshot("es-statement-sent").await;
    app.assert_secret_absent(PASSWORD);
    window.close().await;
}

/// A desktop's https handler that only writes down the links it is given: a `.desktop` entry
/// in `XDG_DATA_HOME` and the `mimeapps.list` in `XDG_CONFIG_HOME` that makes it the default —
/// directories, as the desktop's own settings are, so the app opens links as it does for users.
struct RecordingBrowser {
    dir: tempfile::TempDir,
}

impl RecordingBrowser {
    fn new() -> RecordingBrowser {
        let dir = tempfile::tempdir().expect("browser dir");
        let data = dir.path().join("data/applications");
        let config = dir.path().join("config");
        std::fs::create_dir_all(&data).expect("applications");
        std::fs::create_dir_all(&config).expect("config");
        let script = dir.path().join("record-link");
        let log = dir.path().join("opened.txt");
        std::fs::write(
            &script,
            format!("#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n", log.display()),
        )
        .expect("script");
        std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .expect("executable");
        std::fs::write(
            data.join("recording-browser.desktop"),
            format!(
                "[Desktop Entry]\nType=Application\nName=Recording browser\nExec={} %u\n\
                 MimeType=x-scheme-handler/https;x-scheme-handler/http;\n",
                script.display()
            ),
        )
        .expect("desktop entry");
        std::fs::write(
            config.join("mimeapps.list"),
            "[Default Applications]\nx-scheme-handler/https=recording-browser.desktop\n\
             x-scheme-handler/http=recording-browser.desktop\n",
        )
        .expect("mimeapps.list");
        RecordingBrowser { dir }
    }

    fn env(&self) -> [(&'static str, String); 2] {
        [
            ("XDG_DATA_HOME", self.path("data")),
            ("XDG_CONFIG_HOME", self.path("config")),
        ]
    }

    fn path(&self, relative: &str) -> String {
        self.dir.path().join(relative).display().to_string()
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("opened.txt")
    }

    /// Every link opened so far.
    fn opened(&self) -> Vec<String> {
        read_lines(&self.log())
    }
}

fn read_lines(file: &Path) -> Vec<String> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// A customer with `phone` (or none) who owes `owed`, written before the app opens.
fn owing_customer(db: &Database, name: &str, phone: &str, owed: (&str, &str)) {
    let form = CustomerForm {
        name: name.into(),
        phone: phone.into(),
        email_language: Some(Language::Es),
        ..CustomerForm::default()
    };
    let customer = customers::create(db, form, Language::Es)
        .expect("customer")
        .id;
    let reading = Reading {
        region: Region::EsVe,
        today: time::OffsetDateTime::now_utc().date(),
    };
    let receivable = books::cement(owed.0, owed.1, "01/01/2026", "15/01/2026");
    books::owes(db, &reading, customer, receivable);
}

#[tokio::test(flavor = "multi_thread")]
async fn whatsapp_opens_the_statement_in_the_systems_handler_or_says_why_it_cannot() {
    forget_keychain_entries();
    let data_dir = tempfile::tempdir().expect("data dir");
    let db = Database::open(&data_dir.path().join("cachicamo.sqlite3")).expect("database");
    owing_customer(&db, "Bodega Ñandú", "0414-1234567", ("F-0100", "250"));
    owing_customer(&db, "Sin Teléfono C.A.", "", ("F-0101", "80"));
    drop(db);
    let browser = RecordingBrowser::new();
    let mut env = vec![("LANG", "es_VE.UTF-8".to_owned())];
    env.extend(browser.env());
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = AppUnderTest::start_in(data_dir, &env);
    let window = app.open().await;

    open_customer(&window, "Bodega Ñandú", "#customer-statement").await;
    window.click("#statement-whatsapp").await;
    window
        .wait_for_text_containing("#statement-notice", "WhatsApp abierto para +584141234567")
        .await;
    let opened = eventually(UI_TIMEOUT, "the handler to be given the link", async || {
        let opened = browser.opened();
        if opened.is_empty() {
            Err(opened)
        } else {
            Ok(opened)
        }
    })
    .await;
    assert_eq!(opened.len(), 1, "opened once: {opened:?}");
    let link = url::Url::parse(&opened[0]).expect("a URL");
    assert_eq!(link.host_str(), Some("wa.me"));
    assert_eq!(link.path(), "/584141234567");
    let (_, text) = link
        .query_pairs()
        .find(|(key, _)| key == "text")
        .expect("the statement as the text");
    for said in ["Bodega Ñandú", "F-0100", "USD 250,00"] {
        assert!(text.contains(said), "the message lacks {said}: {text}");
    }

    // The receivable's history says WhatsApp was opened, and no more.
    open_receivable(&window, "F-0100").await;
    window
        .wait_for_text_containing("#history", "WhatsApp abierto para +584141234567")
        .await;

    // Without a phone, the button says why instead.
    open_customer(&window, "Sin Teléfono C.A.", "#customer-statement").await;
    window
        .wait_for_text_containing("#statement-whatsapp-why", "no tiene teléfono")
        .await;
    let button = window.wait_for("#statement-whatsapp").await;
    assert!(
        !button.is_enabled().await.expect("enabled?"),
        "nothing to open without a phone"
    );
    assert_eq!(
        button
            .attr("aria-describedby")
            .await
            .expect("attribute")
            .as_deref(),
        Some("statement-whatsapp-why")
    );
    assert_eq!(browser.opened().len(), 1, "nothing else was opened");
    window.close().await;
}
