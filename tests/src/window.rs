//! The app's window as WebDriver sees it, used the way a person uses it: waiting for what the
//! screen shows (the UI updates asynchronously), clicking, typing, choosing, reading; a
//! screenshot for the README, and one kept when a story fails.

use std::path::PathBuf;
use std::time::Duration;

use fantoccini::{Client, Locator};

use crate::app::SESSION_TIMEOUT;
use crate::parts::repo_root;
use crate::process::{kill_all, wait_until_gone};
use crate::wait::eventually;

/// How long to wait for the window to show an element before the story fails.
pub const UI_TIMEOUT: Duration = Duration::from_secs(20);

/// How long an element must stay in place before it is clicked.
const SETTLE: Duration = Duration::from_millis(30);

/// How long a screen must keep its height to count as loaded.
const SETTLED_FOR: Duration = Duration::from_millis(800);

/// The app's window, as WebDriver sees it.
pub struct Window {
    pub client: Client,
    binary: PathBuf,
}

impl Window {
    pub(crate) fn new(client: Client, binary: PathBuf) -> Self {
        Self { client, binary }
    }

    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        match self
            .client
            .wait()
            .at_most(UI_TIMEOUT)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(err) => {
                let shot = self.failure_screenshot().await;
                panic!("the window never showed `{css}`: {err} (screen: {shot})")
            }
        }
    }

    /// What the window showed when a story failed, kept under target/e2e/failures/.
    async fn failure_screenshot(&self) -> String {
        let dir = repo_root().join("target/e2e/failures");
        let path = dir.join(format!(
            "{}.png",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or_default()
        ));
        match self.client.screenshot().await {
            Ok(png)
                if std::fs::create_dir_all(&dir).is_ok() && std::fs::write(&path, &png).is_ok() =>
            {
                path.display().to_string()
            }
            _ => "not captured".into(),
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.wait_for(css)
            .await
            .text()
            .await
            .unwrap_or_else(|err| panic!("no text for `{css}`: {err}"))
    }

    /// The element's text now, or `None` while it is absent or being re-rendered.
    async fn try_text(&self, css: &str) -> Option<String> {
        let element = self.client.find(Locator::Css(css)).await.ok()?;
        element.text().await.ok()
    }

    /// Waits until the element's text is `expected` (the UI updates asynchronously, and may
    /// replace the element meanwhile).
    pub async fn wait_for_text(&self, css: &str, expected: &str) {
        self.wait_for_text_where(css, &format!("{expected:?}"), |text| text == expected)
            .await;
    }

    /// Waits until the element's text satisfies `done`, and returns it.
    async fn wait_for_text_where(
        &self,
        css: &str,
        expected: &str,
        done: impl Fn(&str) -> bool,
    ) -> String {
        eventually(
            UI_TIMEOUT,
            &format!("`{css}` to show {expected}"),
            async || {
                let actual = self.try_text(css).await.unwrap_or_default();
                if done(&actual) {
                    Ok(actual)
                } else {
                    Err(actual)
                }
            },
        )
        .await
    }

    /// Waits until the field's value is `expected`.
    pub async fn wait_for_value(&self, css: &str, expected: &str) {
        eventually(
            UI_TIMEOUT,
            &format!("`{css}` to hold {expected:?}"),
            async || {
                let actual = self.value(css).await;
                if actual == expected {
                    Ok(())
                } else {
                    Err(actual)
                }
            },
        )
        .await;
    }

    /// Clicks the element once it is there, enabled and still, as a person would: a button
    /// disabled while the UI is busy is waited for; one that moves because a section above it
    /// is still loading is clicked once the page stops shifting (WebDriver clicks at a point,
    /// and a shift between scrolling and clicking lands the click on something else); one the
    /// UI re-rendered between finding and clicking (a stale node — the click never happened) is
    /// found again.
    pub async fn click(&self, css: &str) {
        self.wait_for(css).await;
        let clicked = eventually(
            UI_TIMEOUT,
            &format!("`{css}` to take a click"),
            async || {
                let element = match self.client.find(Locator::Css(css)).await {
                    Ok(element) => element,
                    Err(err) if err.is_no_such_element() => return Err("absent".to_owned()),
                    Err(err) => return Ok(Err(err)),
                };
                match element.is_enabled().await {
                    Ok(false) => return Err("disabled".to_owned()),
                    Err(err) if gone(&err) => return Err("re-rendered".to_owned()),
                    Err(err) => return Ok(Err(err)),
                    Ok(true) => {}
                }
                let before = element.rectangle().await;
                tokio::time::sleep(SETTLE).await;
                match (before, element.rectangle().await) {
                    (Ok(before), Ok(after)) if before != after => return Err("moving".to_owned()),
                    (Err(err), _) | (_, Err(err)) if gone(&err) => {
                        return Err("re-rendered".to_owned())
                    }
                    _ => {}
                }
                match element.click().await {
                    Err(err) if gone(&err) => Err("re-rendered".to_owned()),
                    done => Ok(done),
                }
            },
        )
        .await;
        if let Err(err) = clicked {
            panic!("could not click `{css}`: {err}");
        }
    }

    /// Waits until the screen stops growing or shrinking: a screen of sections that each load
    /// on their own (Ajustes) pushes what is below them down as they arrive, and a click aimed
    /// before such a shift lands on something else. Settled means the same height for
    /// [`SETTLED_FOR`].
    pub async fn wait_until_settled(&self) {
        const HEIGHT: &str =
            "return (document.getElementById('screen') ?? document.body).scrollHeight;";
        let mut last = None;
        let mut since = std::time::Instant::now();
        eventually(
            UI_TIMEOUT,
            "the screen to stop changing height",
            async || {
                let height = self
                    .client
                    .execute(HEIGHT, Vec::new())
                    .await
                    .map_err(|err| err.to_string())?
                    .as_f64();
                if height != last {
                    last = height;
                    since = std::time::Instant::now();
                }
                if since.elapsed() >= SETTLED_FOR {
                    Ok(())
                } else {
                    Err(format!("height {height:?}"))
                }
            },
        )
        .await;
    }

    /// Replaces a field's text. WebDriver's "clear" fires no input event, so the UI would not
    /// hear of it: typing after it does, and emptying types a space and erases it.
    pub async fn fill(&self, css: &str, text: &str) {
        const BACKSPACE: char = '\u{E003}';
        let field = self.wait_for(css).await;
        field
            .clear()
            .await
            .unwrap_or_else(|err| panic!("clear `{css}`: {err}"));
        let keys = if text.is_empty() {
            format!(" {BACKSPACE}")
        } else {
            text.to_owned()
        };
        field
            .send_keys(&keys)
            .await
            .unwrap_or_else(|err| panic!("type into `{css}`: {err}"));
    }

    pub async fn select(&self, css: &str, value: &str) {
        self.wait_for(css)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|err| panic!("choose {value} in `{css}`: {err}"));
    }

    pub async fn value(&self, css: &str) -> String {
        self.wait_for(css)
            .await
            .prop("value")
            .await
            .unwrap_or_else(|err| panic!("value of `{css}`: {err}"))
            .unwrap_or_default()
    }

    /// Waits until the element's text contains `needle`.
    pub async fn wait_for_text_containing(&self, css: &str, needle: &str) -> String {
        self.wait_for_text_where(css, &format!("a text containing {needle:?}"), |text| {
            text.contains(needle)
        })
        .await
    }

    /// Waits until `css` shows something other than `before` (a list reloading after a filter),
    /// and returns it.
    pub async fn wait_for_text_other_than(&self, css: &str, before: &str) -> String {
        self.wait_for_text_where(css, &format!("anything but {before:?}"), |text| {
            !text.is_empty() && text != before
        })
        .await
    }

    /// How far down the page the element's top edge is, in CSS pixels (waits for it, and finds
    /// it again if the UI re-renders it meanwhile): to check that a control stays where the
    /// owner's pointer is while other things change.
    pub async fn top(&self, css: &str) -> f64 {
        eventually(UI_TIMEOUT, &format!("the place of `{css}`"), async || {
            let element = self
                .client
                .find(Locator::Css(css))
                .await
                .map_err(|err| err.to_string())?;
            let (_, y, _, _) = element.rectangle().await.map_err(|err| err.to_string())?;
            Ok::<_, String>(y)
        })
        .await
    }

    /// Whether an element is on screen now (no waiting).
    pub async fn exists(&self, css: &str) -> bool {
        !self
            .client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_default()
            .is_empty()
    }

    /// Saves a PNG of the window into `tests/screenshots/` (the README shows them).
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = repo_root().join("tests/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }

    /// Ends the session; the driver closes the app.
    pub async fn close(self) {
        match tokio::time::timeout(SESSION_TIMEOUT, self.client.close()).await {
            Ok(result) => result.expect("close the session"),
            Err(_) => kill_all(&self.binary),
        }
        wait_until_gone(&self.binary).await;
    }
}

/// The node was replaced or removed by a re-render: WebKit's driver says "not found" for it.
fn gone(err: &fantoccini::error::CmdError) -> bool {
    err.is_stale_element_reference() || err.is_no_such_element()
}
