//! What several stories do the same way: forget the keychain, configure an email service
//! through the window, seed books before the app opens, open a receivable, send a reminder,
//! press keys as a person would.

use std::path::{Path, PathBuf};

use cachicamo_core::books::reading::Reading;
use cachicamo_core::collections::{self, policy::PolicyRules};
use cachicamo_core::locale::{Language, Region};
use cachicamo_core::Database;
use cachicamo_e2e::books;
use cachicamo_e2e::fakes::{FakeServer, TestCa};
use cachicamo_e2e::fantoccini::actions::{InputSource, KeyAction, KeyActions};
use cachicamo_e2e::fantoccini::key::Key;
use cachicamo_e2e::fantoccini::Locator;
use cachicamo_e2e::{AppUnderTest, Window};

pub use cachicamo_e2e::mail::{SENDER, SENDER_NAME};

/// Every story starts from an empty keychain, as a new install would (each data directory has
/// entries of its own; only entries from before that could be shared).
pub fn forget_keychain_entries() {
    cachicamo_e2e::forget_legacy_keychain_entries();
}

/// The menu entry that opens `screen` ("pending", "customers", "settings"…).
pub fn menu(screen: &str) -> String {
    format!("nav button[data-screen='{screen}']")
}

/// Opens `screen` from the menu and waits for its title.
pub async fn open_screen(window: &Window, screen: &str, title: &str) {
    window.click(&menu(screen)).await;
    window.wait_for_text("main h1", title).await;
}

/// Opens `screen` from the menu and waits for one of its sections, `heading` showing `title`.
pub async fn open_section(window: &Window, screen: &str, heading: &str, title: &str) {
    window.click(&menu(screen)).await;
    window.wait_for_text(heading, title).await;
    // The sections above it load on their own and push it down as they arrive.
    window.wait_until_settled().await;
}

pub async fn open_customers(window: &Window) {
    open_screen(window, "customers", "Clientes").await;
}

/// Ajustes → Cobranza, once the sections above it (Plantillas and its steps' editor among them)
/// stopped pushing it down.
pub async fn open_collections(window: &Window) {
    open_section(window, "settings", "#collections-title", "Cobranza").await;
}

/// Ajustes → Copias de seguridad.
pub async fn open_backups(window: &Window) {
    open_section(window, "settings", "#backups-title", "Copias de seguridad").await;
}

/// Integraciones → Servicio de Email.
pub async fn open_email_card(window: &Window) {
    open_section(
        window,
        "integrations",
        "#email-card-title",
        "Servicio de Email",
    )
    .await;
}

/// Clientes → Nuevo cliente with `name` (and `email`, when given), saved.
pub async fn create_customer(window: &Window, name: &str, email: Option<&str>) {
    open_customers(window).await;
    window.click("#customer-new").await;
    window.fill("#customer-name", name).await;
    if let Some(email) = email {
        window.fill("#customer-email", email).await;
    }
    window.click("#customer-save").await;
    window
        .wait_for_text("#customers-notice", "Cliente guardado.")
        .await;
}

/// Picks `file` in the file field `css`, as a person choosing it in the file dialog would.
pub async fn pick_file(window: &Window, css: &str, file: &Path) {
    window
        .wait_for(css)
        .await
        .send_keys(&file.display().to_string())
        .await
        .unwrap_or_else(|err| panic!("pick {}: {err}", file.display()));
}

/// A user's desktop: a folder for the files a story hands the app, and the Downloads folder
/// (`Descargas`) exports land in, declared through XDG user dirs as desktops do. The app reads
/// that declaration through [`Desktop::env`].
pub struct Desktop {
    dir: tempfile::TempDir,
    pub downloads: PathBuf,
    config: PathBuf,
}

impl Desktop {
    pub fn new() -> Desktop {
        let dir = tempfile::tempdir().expect("desktop dir");
        let downloads = dir.path().join("Descargas");
        let config = dir.path().join("config");
        std::fs::create_dir_all(&config).expect("config dir");
        std::fs::write(
            config.join("user-dirs.dirs"),
            format!("XDG_DOWNLOAD_DIR=\"{}\"\n", downloads.display()),
        )
        .expect("user dirs");
        Desktop {
            dir,
            downloads,
            config,
        }
    }

    /// Where a story puts the files it hands the app.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The environment that gives the app this desktop's folders.
    pub fn env(&self) -> (&'static str, String) {
        ("XDG_CONFIG_HOME", self.config.display().to_string())
    }
}

/// The app on `data_dir` as the mail stories run it: in Venezuelan Spanish, trusting the test
/// CA, trying an offline provider again every second; `extra` adds to that.
pub fn start_for_mail(
    data_dir: tempfile::TempDir,
    extra: &[(&'static str, String)],
) -> AppUnderTest {
    let mut env = vec![
        ("LANG", "es_VE.UTF-8".to_owned()),
        ("SSL_CERT_FILE", test_ca()),
        ("CACHICAMO_OUTBOX_PROBE_SECS", "1".to_owned()),
    ];
    env.extend(extra.iter().cloned());
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    AppUnderTest::start_in(data_dir, &env)
}

/// A real SMTP server (STARTTLS, the sender as user) on `port`: where an earlier one was, to
/// come back after an outage.
pub fn smtp_server_on(port: u16, password: &str) -> FakeServer {
    FakeServer::smtp_with("starttls", SENDER, password, &["--port", &port.to_string()])
}

/// The CA bundle that makes the app trust the fakes' certificates (`SSL_CERT_FILE`).
pub fn test_ca() -> String {
    TestCa::get().ca_pem().display().to_string()
}

/// A customer who owes one receivable: `(name, email, document, amount)`.
pub type Owed<'a> = (&'a str, &'a str, &'a str, &'a str);

/// How a mail story starts: an empty keychain, and a new data directory whose books hold `owed`
/// (see [`seed_books`]).
pub fn fresh_books(owed: &[Owed<'_>]) -> tempfile::TempDir {
    forget_keychain_entries();
    let data_dir = tempfile::tempdir().expect("data dir");
    seed_books(data_dir.path(), owed);
    data_dir
}

/// Customers, each owing one USD receivable issued 01/01/2026 and due 15/01/2026, written to
/// the data directory before the app opens.
pub fn seed_books(data_dir: &Path, owed: &[Owed<'_>]) {
    let db = Database::open(&data_dir.join("cachicamo.sqlite3")).expect("database");
    let reading = Reading {
        region: Region::EsVe,
        today: time::OffsetDateTime::now_utc().date(),
    };
    for (name, email, document, amount) in owed {
        let customer = books::customer(&db, name, email, Language::Es);
        let owed = books::cement(document, amount, "01/01/2026", "15/01/2026");
        books::owes(&db, &reading, customer, owed);
    }
}

/// The books of a Cobros automáticos story, written before the app opens: a fresh data
/// directory (and an empty keychain), its database opened as the app opens it and read in
/// Venezuela on the OS's calendar day — the evaluator's day — so due dates are relative to it.
pub struct OverdueBooks {
    pub data_dir: tempfile::TempDir,
    pub db: Database,
    pub reading: Reading,
}

impl OverdueBooks {
    pub fn new() -> Self {
        forget_keychain_entries();
        let data_dir = tempfile::tempdir().expect("data dir");
        let db = Database::open(&data_dir.path().join("cachicamo.sqlite3")).expect("database");
        let reading = Reading {
            region: Region::EsVe,
            today: cachicamo_core::clock::local_today(),
        };
        Self {
            data_dir,
            db,
            reading,
        }
    }

    /// The date `days` from today, written the region's way.
    pub fn day(&self, days: i64) -> String {
        Region::EsVe.date(self.reading.today + time::Duration::days(days))
    }

    pub fn customer(&self, name: &str, email: &str) -> i64 {
        books::customer(&self.db, name, email, Language::Es)
    }

    /// `customer` owes `amount` on `document`, issued a month ago and due `due` days from today.
    pub fn owes(&self, customer: i64, document: &str, amount: &str, due: i64) -> i64 {
        let owed = books::cement(document, amount, &self.day(-30), &self.day(due));
        books::owes(&self.db, &self.reading, customer, owed)
    }

    /// The política de cobranza saved as given; the data directory, for the app.
    pub fn with_policy(self, policy: PolicyRules) -> tempfile::TempDir {
        collections::save_policy(&self.db, policy).expect("policy");
        self.data_dir
    }
}

/// The SMTP form's server: localhost:`port`, STARTTLS, the sender as user ("Otro" preset).
pub async fn fill_smtp_server(window: &Window, port: u16) {
    window.select("#smtp-preset", "other").await;
    window.fill("#smtp-host", "localhost").await;
    window.fill("#smtp-port", &port.to_string()).await;
    window.select("#smtp-security", "starttls").await;
    window.fill("#smtp-username", SENDER).await;
}

/// The email form's sender address and name.
pub async fn fill_sender(window: &Window) {
    window.fill("#email-sender", SENDER).await;
    window.fill("#email-sender-name", SENDER_NAME).await;
}

/// Integraciones → Servicio de Email → SMTP on localhost:`port` (STARTTLS), saved.
pub async fn configure_smtp(window: &Window, port: u16, password: &str) {
    window.click("nav button[data-screen='integrations']").await;
    window.click("#email-configure").await;
    window.select("#email-provider", "smtp").await;
    fill_smtp_server(window, port).await;
    window.fill("#smtp-password", password).await;
    fill_sender(window).await;
    window.click("#email-save").await;
    window
        .wait_for_text_containing("#email-indicator", "SMTP")
        .await;
}

/// Integraciones → Servicio de Email → Resend with `key`, saved.
pub async fn configure_resend(window: &Window, key: &str) {
    window.click("nav button[data-screen='integrations']").await;
    window.click("#email-configure").await;
    window.select("#email-provider", "resend").await;
    window.fill("#email-api-key", key).await;
    window.fill("#email-sender", SENDER).await;
    window.click("#email-save").await;
    window
        .wait_for_text_containing("#email-indicator", "Resend")
        .await;
}

/// Integraciones → Servicio de Email on the screen already open: Postmark with `token` and the
/// test sender, saved; what the indicator then says is the caller's to check.
pub async fn save_postmark(window: &Window, token: &str) {
    window.click("#email-configure").await;
    window.select("#email-provider", "postmark").await;
    window.fill("#email-api-key", token).await;
    fill_sender(window).await;
    window.click("#email-save").await;
}

/// Clicks the link that reads `text` in the table `#table`, once it is there.
pub async fn click_link_in(window: &Window, table: &str, text: &str) {
    window
        .client
        .wait()
        .at_most(cachicamo_e2e::UI_TIMEOUT)
        .for_element(Locator::XPath(&format!(
            "//table[@id='{table}']//a[normalize-space()='{text}']"
        )))
        .await
        .unwrap_or_else(|err| panic!("no link for {text} in #{table}: {err}"))
        .click()
        .await
        .expect("open");
}

/// Pagos Pendientes → the receivable whose document number is `document`, by its link. The
/// menu entry opens the list from anywhere, a receivable's detail included.
pub async fn open_receivable(window: &Window, document: &str) {
    window.click("nav button[data-screen='pending']").await;
    window
        .wait_for_text_containing("#pending-table", document)
        .await;
    click_link_in(window, "pending-table", document).await;
    window.wait_for("#receivable-detail").await;
}

/// Clientes → the customer named `name`, by its link, until its page shows `part` (say, its
/// pauses or its Estado de cuenta).
pub async fn open_customer(window: &Window, name: &str, part: &str) {
    open_customers(window).await;
    click_link_in(window, "customers-table", name).await;
    window.wait_for(part).await;
}

/// Saves the open new-receivable form, lands on the list with the notice, and opens the new
/// receivable from there.
pub async fn save_new_receivable_and_open_it(window: &Window) {
    window.click("#receivable-save").await;
    window
        .wait_for_text_containing("#pending-notice", "Cuenta por cobrar guardada.")
        .await;
    assert!(
        !window.exists("#receivable-editor").await,
        "the form closes once saved"
    );
    window.click("#receivable-created-open").await;
    window.wait_for("#receivable-detail").await;
}

/// Presses `key` while holding `modifiers` (Ctrl, Alt…), through WebDriver's key actions: what
/// the focused element and the window receive from a real keyboard.
pub async fn press(window: &Window, modifiers: &[Key], key: char) {
    let mut actions = KeyActions::new("keyboard".into());
    for modifier in modifiers {
        actions = actions.then(KeyAction::Down {
            value: (*modifier).into(),
        });
    }
    actions = actions
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    for modifier in modifiers.iter().rev() {
        actions = actions.then(KeyAction::Up {
            value: (*modifier).into(),
        });
    }
    window
        .client
        .perform_actions(actions)
        .await
        .unwrap_or_else(|err| panic!("press {modifiers:?} + {key:?}: {err}"));
}

/// The id of the element that has the keyboard focus ("" for none).
pub async fn focused_id(window: &Window) -> String {
    window
        .client
        .execute(
            "return document.activeElement ? document.activeElement.id : '';",
            vec![],
        )
        .await
        .expect("the focused element")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Waits until the element with `id` has the keyboard focus.
pub async fn wait_for_focus(window: &Window, id: &str) {
    cachicamo_e2e::eventually(
        cachicamo_e2e::UI_TIMEOUT,
        &format!("the keyboard focus on #{id}"),
        async || {
            let focused = focused_id(window).await;
            if focused == id {
                Ok(())
            } else {
                Err(focused)
            }
        },
    )
    .await
}

/// The mouse's back (3) or forward (4) side button, as the app receives it: wry keeps GTK's
/// buttons 8 and 9 from WebKit and dispatches them into the page as DOM `mousedown`/`mouseup`
/// events with these buttons, on the element under the pointer, which is what this does.
pub async fn mouse_side_button(window: &Window, button: u8) {
    window
        .client
        .execute(
            "const [button] = arguments;
             const target = document.elementFromPoint(400, 300) || document.body;
             for (const type of ['mousedown', 'mouseup']) {
               target.dispatchEvent(new MouseEvent(type, { button, bubbles: true, cancelable: true,
                 view: window, clientX: 400, clientY: 300 }));
             }",
            vec![button.into()],
        )
        .await
        .expect("side button");
}

/// "Enviar recordatorio de pago por email" to the address shown, confirmed.
pub async fn send_reminder(window: &Window, to: &str) {
    window.click("#reminder-send").await;
    window.wait_for_text("#reminder-preview-to", to).await;
    window.click("#reminder-confirm").await;
    window
        .wait_for_text_containing("#reminder-notice", to)
        .await;
}

/// Waits until the receivable's Email section lists a reminder in `state` ("sent", "queued"…)
/// whose row says `text`, and returns the row's text.
pub async fn reminder_shows(window: &Window, state: &str, text: &str) -> String {
    let row = format!("#reminder-history tr[data-state='{state}']");
    window.wait_for_text_containing(&row, text).await
}

/// "Registrar abono" in cash for `amount`, saved.
pub async fn record_cash_payment(window: &Window, amount: &str) {
    window.click("#payment-new").await;
    window.fill("#payment-amount", amount).await;
    window.select("#payment-method", "cash").await;
    window.click("#payment-save").await;
    // Saved, not just clicked: a save that did not happen fails here, at its cause.
    window.wait_for("#receivable-notice").await;
}
