//! Browser tests in real headless Chromium (Debian's chromium and
//! chromium-driver), driven over WebDriver. `.ci/run` installs both and runs
//! these with `cargo test --test browser -- --ignored`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use helpers::TestApp;

#[path = "../cli/peers.rs"]
#[allow(dead_code)]
mod peers;
#[path = "../api/stripe_peer.rs"]
#[allow(dead_code)]
mod stripe_peer;

mod billing;
mod bookings;
mod contracts;
mod crm;
mod portal;

struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn chromedriver() -> Driver {
    let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(&bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start {bin} ({e}): install Debian's chromium and chromium-driver")
        });
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Driver { child, port }
}

async fn browser(driver: &Driver, width: u32) -> Client {
    let profile = tempfile::tempdir().unwrap().keep();
    let caps = json!({
        "goog:chromeOptions": {
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", format!("--user-data-dir={}", profile.display()),
                     "--window-size=800,900"],
            // A phone-sized viewport (Chrome windows cannot be narrower than 500 px).
            "mobileEmulation": { "deviceMetrics": { "width": width, "height": 844, "pixelRatio": 3.0 } }
        }
    });
    let caps = caps.as_object().unwrap().clone().into_iter().collect();
    ClientBuilder::rustls()
        .unwrap()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .unwrap()
}

async fn fill(c: &Client, name: &str, value: &str) {
    let el = c
        .find(Locator::Css(&format!("[name='{name}']")))
        .await
        .unwrap_or_else(|_| panic!("no field {name}"));
    el.clear().await.unwrap();
    el.send_keys(value).await.unwrap();
}

async fn click_button(c: &Client, text: &str) {
    let xpath = format!("//button[normalize-space()='{text}']");
    c.find(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|_| panic!("no button {text}"))
        .click()
        .await
        .unwrap();
}

/// Waits for a navigation to a path starting with `prefix`.
async fn wait_path(c: &Client, prefix: &str) {
    for _ in 0..100 {
        if c.current_url().await.unwrap().path().starts_with(prefix) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "never reached {prefix}: at {} showing {}",
        c.current_url().await.unwrap(),
        body(c).await
    );
}

async fn select_by_text(c: &Client, name: &str, text: &str) {
    let sel = c
        .find(Locator::Css(&format!("select[name='{name}']")))
        .await
        .unwrap();
    sel.select_by_label(text).await.unwrap();
}

/// The current value of the input `css` names.
async fn value_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap()
}

async fn body(c: &Client) -> String {
    c.find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Saves a screenshot when `DARKROOM_SCREENSHOTS` names a folder (for people
/// reviewing the UI; the test does not depend on it).
async fn snap(c: &Client, name: &str) {
    if let Ok(dir) = std::env::var("DARKROOM_SCREENSHOTS") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            std::path::Path::new(&dir).join(format!("{name}.png")),
            c.screenshot().await.unwrap(),
        )
        .unwrap();
    }
}

/// Every visible form control has a label, axe-core finds nothing, nothing
/// scrolls sideways, and on a phone every target is at least 44 x 44 px.
async fn check_accessible_and_fits(c: &Client, width: u32) {
    check_labels(c).await;
    check_axe(c).await;
    if width < 600 {
        check_targets(c).await;
    }
    let overflow = c
        .execute("return document.documentElement.scrollWidth;", vec![])
        .await
        .unwrap();
    if overflow.as_u64().unwrap() > u64::from(width) {
        let culprits = c
            .execute(
                "const clipped = e => { for (let a = e.parentElement; a; a = a.parentElement) { if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) return true; } return false; };
                 return [window.innerWidth, ...[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > arguments[0] + 1 && !clipped(e)).slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))];",
                vec![json!(width)],
            )
            .await
            .unwrap();
        let png = c.screenshot().await.unwrap();
        std::fs::write(std::env::temp_dir().join("darkroom-overflow.png"), png).unwrap();
        panic!(
            "page {} is wider than {width}px ({overflow}): {culprits}",
            c.current_url().await.unwrap()
        );
    }
    assert!(
        overflow.as_u64().unwrap() <= u64::from(width),
        "page is wider than {width}px: {overflow}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian chromium + chromium-driver; .ci/run installs them and runs it"]
async fn owner_sets_up_invites_and_the_invitee_sees_only_what_their_role_allows() {
    let app = TestApp::spawn().await;
    let driver = chromedriver();
    let width = 390;
    let c = browser(&driver, width).await;

    // First run: the one-time set-up link.
    let link = darkroom_core::studio::setup::first_run_link(&app.core)
        .await
        .unwrap()
        .expect("an empty instance offers a set-up link");
    c.goto(&link).await.unwrap();
    check_accessible_and_fits(&c, width).await;
    fill(&c, "studio_name", "Lumen Browser Studio").await;
    fill(&c, "currency", "INR").await;
    fill(&c, "time_zone", "Asia/Kolkata").await;
    fill(&c, "locale", "en-IN").await;
    fill(&c, "owner_name", "Asha Owner").await;
    fill(&c, "email", "asha@browser.test").await;
    fill(&c, "password", "owner passphrase here").await;
    click_button(&c, "Create studio").await;
    wait_path(&c, "/dashboard").await;
    assert!(body(&c).await.contains("Welcome to Darkroom"));

    // Sign out and back in.
    click_button(&c, "Sign out").await;
    wait_path(&c, "/sign-in").await;
    check_accessible_and_fits(&c, width).await;
    fill(&c, "email", "asha@browser.test").await;
    fill(&c, "password", "owner passphrase here").await;
    click_button(&c, "Sign in").await;
    wait_path(&c, "/dashboard").await;
    assert!(body(&c).await.contains("Lumen Browser Studio"));

    // A branch.
    c.goto(&app.url("/branches/new")).await.unwrap();
    check_accessible_and_fits(&c, width).await;
    fill(&c, "name", "Pune · Koregaon Park").await;
    fill(&c, "city", "Pune").await;
    fill(&c, "invoice_prefix", "PNQ-").await;
    click_button(&c, "Save").await;
    wait_path(&c, "/branches/brn_").await;
    let text = body(&c).await;
    assert!(
        text.contains("Branch created.")
            && text.contains("Pune · Koregaon Park")
            && text.contains("PNQ-"),
        "{text}"
    );

    // An invitation (no SMTP: the link is shown).
    c.goto(&app.url("/staff/invite")).await.unwrap();
    check_accessible_and_fits(&c, width).await;
    fill(&c, "name", "Meera Photographer").await;
    fill(&c, "email", "meera@browser.test").await;
    select_by_text(&c, "role_id", "Photographer").await;
    click_button(&c, "Invite").await;
    for _ in 0..100 {
        if c.find(Locator::Css("[data-invite-url]")).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let invite = value_of(&c, "[data-invite-url]").await;
    assert!(invite.contains("/invitations/"));
    snap(&c, "invite").await;
    for path in [
        "/dashboard",
        "/staff",
        "/roles",
        "/audit",
        "/settings",
        "/operations",
        "/account",
        "/branches",
    ] {
        c.goto(&app.url(path)).await.unwrap();
        check_accessible_and_fits(&c, width).await;
        snap(&c, path.trim_start_matches('/')).await;
    }
    click_button(&c, "Sign out").await;
    wait_path(&c, "/sign-in").await;

    // The invitee accepts, and is signed in.
    c.goto(&invite).await.unwrap();
    check_accessible_and_fits(&c, width).await;
    assert!(body(&c).await.contains("Join Lumen Browser Studio"));
    fill(&c, "password", "meera passphrase here").await;
    click_button(&c, "Accept the invitation").await;
    wait_path(&c, "/dashboard").await;
    click_button(&c, "Sign out").await;
    wait_path(&c, "/sign-in").await;

    // Signing in as them shows only what a photographer may see.
    fill(&c, "email", "meera@browser.test").await;
    fill(&c, "password", "meera passphrase here").await;
    click_button(&c, "Sign in").await;
    wait_path(&c, "/dashboard").await;
    // On a phone the menu folds behind one button; the page is marked.
    check_accessible_and_fits(&c, width).await;
    click_button(&c, "Menu").await;
    let current = c
        .find(Locator::Css(
            "nav[aria-label='Main'] a[aria-current='page']",
        ))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(current, "Dashboard");
    let nav = c
        .find(Locator::Css("nav[aria-label='Main']"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(nav.contains("Branches") && nav.contains("Staff"), "{nav}");
    // The design system's page: every component, accessible, fits a phone.
    c.goto(&app.url("/design")).await.unwrap();
    assert!(body(&c).await.contains("Design system"));
    check_accessible_and_fits(&c, width).await;
    c.goto(&app.url("/dashboard")).await.unwrap();
    for hidden in ["Roles", "Audit log", "Operations"] {
        assert!(
            !nav.contains(hidden),
            "a photographer's menu shows {hidden}: {nav}"
        );
    }
    c.goto(&app.url("/branches")).await.unwrap();
    assert!(body(&c).await.contains("Pune · Koregaon Park"));
    c.goto(&app.url("/staff/invite")).await.unwrap();
    assert!(
        body(&c)
            .await
            .contains("do not have the `staff.invite` permission")
    );
    c.goto(&app.url("/audit")).await.unwrap();
    assert!(body(&c).await.contains("Forbidden"));
    c.close().await.unwrap();
}

/// A JPEG of noise (so it does not compress to nothing): about
/// `w * h * 1.1` bytes at quality 90.
fn noisy_jpeg(w: u32, h: u32, seed: u32) -> Vec<u8> {
    let mut state = u64::from(seed).wrapping_mul(6_364_136_223_846_793_005) | 1;
    let mut px = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let n = (state >> 56) as u32;
            px.push(((x * 255 / w) + n / 2) as u8);
            px.push(((y * 255 / h) + n / 3) as u8);
            px.push((n + seed * 40) as u8);
        }
    }
    darkroom_jpeg::encode(&px, w, h, 90).unwrap()
}

/// The page's text once it holds `want` (pages are still loading right
/// after a navigation); panics with the text after a few seconds.
pub(crate) async fn page_with(c: &Client, want: &str) -> String {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(b) = c.find(Locator::Css("body")).await
            && let Ok(t) = b.text().await
        {
            if t.contains(want) {
                return t;
            }
            last = t;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("never showed {want:?}: {last}");
}

async fn sign_in(c: &Client, app: &TestApp, email: &str) {
    c.goto(&app.url("/sign-in")).await.unwrap();
    fill(c, "email", email).await;
    fill(c, "password", helpers::PASSWORD).await;
    click_button(c, "Sign in").await;
    wait_path(c, "/dashboard").await;
}

async fn uploads_in_db(app: &TestApp) -> Vec<(i64, i64, String)> {
    use darkroom_db::entity::upload;
    use darkroom_db::sea_orm::EntityTrait;
    upload::Entity::find()
        .all(app.db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|u| (u.received, u.length, u.status.name().to_string()))
        .collect()
}

async fn summary(c: &Client) -> String {
    c.find(Locator::Css("[data-summary]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Chooses a folder through the page's folder picker.
async fn choose_folder(c: &Client, dir: &std::path::Path) {
    c.find(Locator::Css("#up-folder"))
        .await
        .unwrap()
        .send_keys(&dir.display().to_string())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian chromium + chromium-driver; .ci/run installs them and runs it"]
async fn a_folder_uploaded_through_the_page_survives_an_interruption_and_resumes() {
    // How many photos: 8 in CI; DARKROOM_TEST_BROWSER_PHOTOS=500 for a whole shoot.
    let count: u32 = std::env::var("DARKROOM_TEST_BROWSER_PHOTOS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8);
    // Small chunks, so the upload is many requests long and can be stopped midway.
    let chunk_kb = if count > 20 { 256 } else { 16 };
    let app = TestApp::spawn_with(|c| c.media.upload_chunk_kb = chunk_kb).await;
    let owner = app.studio("Browser Uploads").await;
    let gallery = app.gallery(&owner, "Riverside wedding").await;

    let card = tempfile::tempdir().unwrap();
    let folder = card.path().join("DCIM");
    std::fs::create_dir_all(&folder).unwrap();
    let mut files = std::collections::BTreeMap::new();
    for i in 0..count {
        let bytes = noisy_jpeg(900 + i * 10, 700, i + 1);
        let name = format!("DSC_{:04}.JPG", 100 + i);
        std::fs::write(folder.join(&name), &bytes).unwrap();
        files.insert(name, bytes);
    }
    // What a camera card also holds, which the page skips.
    std::fs::write(folder.join(".DS_Store"), b"\0\0\0\x01Bud1").unwrap();

    let driver = chromedriver();
    let width = 390;
    let c = browser(&driver, width).await;
    sign_in(&c, &app, &owner.email).await;
    let page = app.url(&format!("/galleries/{gallery}"));
    c.goto(&page).await.unwrap();
    check_accessible_and_fits(&c, width).await;

    // Start, and pause once some bytes are through.
    choose_folder(&c, &folder).await;
    let mut paused = false;
    for _ in 0..400 {
        let sent = c
            .execute(
                "return Number(document.querySelector('[data-total]').value);",
                vec![],
            )
            .await
            .unwrap()
            .as_u64()
            .unwrap();
        if sent >= 150 {
            click_button(&c, "Pause").await;
            paused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(paused, "the upload never got going: {}", summary(&c).await);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let text = summary(&c).await;
    assert!(text.contains("(paused)"), "{text}");
    snap(&c, "upload-paused").await;

    let before = uploads_in_db(&app).await;
    assert!(
        before.iter().any(|(got, len, _)| got < len),
        "pausing left no upload half way: {before:?}"
    );
    assert!(
        before.len() < files.len(),
        "everything was sent before the pause: {before:?}"
    );

    // The laptop closes: the page goes away, and comes back.
    c.goto(&page).await.unwrap();
    let note = c
        .find(Locator::Css("[data-interrupted]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(note.contains("did not finish last time"), "{note}");

    // Choosing the same folder again continues where it stopped.
    choose_folder(&c, &folder).await;
    let mut done = String::new();
    for _ in 0..600 * count.div_ceil(8) {
        done = summary(&c).await;
        if done.contains("all done") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(done.contains("all done"), "{done}");
    assert!(done.contains("1 system files skipped"), "{done}");
    // Every file is accounted for once. Files the page saw finish before the
    // pause are recognised ("already there"), not sent again; one the server
    // finished while its last answer was cut off by the pause counts as added.
    let count_of = |what: &str| -> usize {
        done.split(" · ")
            .find_map(|part| part.strip_suffix(what)?.trim().parse().ok())
            .unwrap_or(0)
    };
    let finished_before = before.iter().filter(|(got, len, _)| got == len).count();
    let (added, already) = (count_of(" added"), count_of(" already there"));
    assert_eq!(added + already, files.len(), "{done}");
    assert!(already <= finished_before, "{done} {before:?}");
    snap(&c, "upload-done").await;

    // One upload per file: the interrupted ones were resumed, not restarted.
    let after = uploads_in_db(&app).await;
    assert_eq!(after.len(), files.len(), "{after:?}");
    assert!(after.iter().all(|(got, len, _)| got == len), "{after:?}");

    // Every photo is in the gallery once, with exactly the bytes on the card.
    app.drain_jobs().await;
    let (s, list) = app
        .get(
            &owner,
            &format!("/api/v1/galleries/{gallery}/photos?limit=500"),
        )
        .await;
    assert_eq!(s, 200, "{list}");
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), files.len(), "{list}");
    for p in items {
        let name = p["original_name"].as_str().unwrap();
        let want = files
            .get(name)
            .unwrap_or_else(|| panic!("unexpected {name}"));
        let got = app
            .http
            .get(app.url(p["original_url"].as_str().unwrap()))
            .bearer_auth(&owner.token)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(
            got[..] == want[..],
            "{name} differs from the file on the card"
        );
        assert_eq!(p["status"], "ready", "{p}");
    }

    // The gallery shows them, sorted, with thumbnails (checked on one page's worth).
    c.goto(&page).await.unwrap();
    if files.len() > 50 {
        snap(&c, "gallery").await;
        c.close().await.unwrap();
        eprintln!(
            "{} photos arrived through the page, each once, byte for byte",
            files.len()
        );
        return;
    }
    let names = c
        .execute(
            "return [...document.querySelectorAll('.photo-grid img')].map(i => i.alt);",
            vec![],
        )
        .await
        .unwrap();
    let want: Vec<&String> = files.keys().collect();
    assert_eq!(
        names,
        json!(want),
        "the grid is sorted by capture time, then name"
    );
    // Every thumbnail loads (lazy ones are made eager for the check).
    let mut loaded = 0;
    for _ in 0..100 {
        loaded = c
            .execute(
                "const imgs = [...document.querySelectorAll('.photo-grid img')];
                 imgs.forEach(i => i.loading = 'eager');
                 return imgs.filter(i => i.complete && i.naturalWidth > 0).length;",
                vec![],
            )
            .await
            .unwrap()
            .as_u64()
            .unwrap() as usize;
        if loaded == files.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(loaded, files.len(), "thumbnails that loaded");
    check_accessible_and_fits(&c, width).await;
    snap(&c, "gallery").await;
    let first = items[0]["id"].as_str().unwrap();
    c.goto(&app.url(&format!("/photos/{first}"))).await.unwrap();
    check_accessible_and_fits(&c, width).await;
    snap(&c, "photo").await;
    c.close().await.unwrap();
}

/// The real corpus's eight EXIF orientations, as a person sees them: every
/// thumbnail and the proof upright (wider than tall for the landscape set),
/// the proof watermarked. Screenshots with DARKROOM_SCREENSHOTS for review.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian chromium + chromium-driver; .ci/run installs them and runs it"]
async fn every_orientation_is_shown_upright_and_proofs_are_watermarked() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Browser Orientation").await;
    let gallery = app.gallery(&owner, "Orientation check").await;
    let (_, st) = app.get(&owner, "/api/v1/studio").await;
    let (s, v) = app
        .patch(
            &owner,
            "/api/v1/studio",
            json!({ "version": st["version"], "render": { "watermark_text": "© Browser Orientation · proof", "watermark_position": "center", "watermark_opacity": 70 } }),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/exif-samples/jpg/orientation");
    for i in 1..=8 {
        let name = format!("landscape_{i}.jpg");
        let r = app
            .upload(
                &owner,
                ("gallery", &gallery),
                &name,
                &std::fs::read(dir.join(&name)).unwrap(),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    app.drain_jobs().await;

    let driver = chromedriver();
    let width = 390;
    let c = browser(&driver, width).await;
    sign_in(&c, &app, &owner.email).await;
    c.goto(&app.url(&format!("/galleries/{gallery}")))
        .await
        .unwrap();
    // Every thumbnail is landscape, as the scene is.
    let mut sizes = json!([]);
    for _ in 0..100 {
        sizes = c
            .execute(
                "const imgs = [...document.querySelectorAll('.photo-grid img')];
                 imgs.forEach(i => i.loading = 'eager');
                 return imgs.filter(i => i.complete && i.naturalWidth > 0).map(i => [i.alt, i.naturalWidth, i.naturalHeight]);",
                vec![],
            )
            .await
            .unwrap();
        if sizes.as_array().unwrap().len() == 8 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let sizes = sizes.as_array().unwrap().clone();
    assert_eq!(sizes.len(), 8, "{sizes:?}");
    for s in &sizes {
        assert!(s[1].as_u64() > s[2].as_u64(), "{s} is not upright");
    }
    check_accessible_and_fits(&c, width).await;
    snap(&c, "orientation-gallery").await;

    // The photo page shows the preview and the EXIF orientation it corrected.
    let (_, list) = app
        .get(&owner, &format!("/api/v1/galleries/{gallery}/photos"))
        .await;
    let six = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["original_name"] == "landscape_6.jpg")
        .unwrap()
        .clone();
    c.goto(&app.url(&format!("/photos/{}", six["id"].as_str().unwrap())))
        .await
        .unwrap();
    check_accessible_and_fits(&c, width).await;
    // Previous and next through the gallery; the EXIF code is kept out of
    // the way, under "Technical details".
    let text = body(&c).await;
    assert!(text.contains("Previous") && text.contains("Next"), "{text}");
    assert!(!text.contains("EXIF orientation"), "{text}");
    c.find(Locator::Css("details.more summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let text = body(&c).await;
    assert!(
        text.contains("EXIF orientation") && text.contains('6'),
        "{text}"
    );
    snap(&c, "orientation-photo").await;
    // The proof itself, as a client would get it.
    c.goto(&app.url(six["proof_url"].as_str().unwrap()))
        .await
        .unwrap();
    snap(&c, "orientation-proof").await;
    c.close().await.unwrap();
}

/// Text of the first element matching `css`, waiting for it to appear.
/// Taps an element as a thumb would: scrolled to the middle of the screen,
/// clear of the bar fixed at the bottom, then clicked.
async fn tap(c: &Client, e: &fantoccini::elements::Element) {
    c.execute(
        "arguments[0].scrollIntoView({ block: 'center' });",
        vec![serde_json::to_value(e).unwrap()],
    )
    .await
    .unwrap();
    e.click().await.unwrap();
}

async fn text_of(c: &Client, css: &str) -> String {
    for _ in 0..100 {
        if let Ok(e) = c.find(Locator::Css(css)).await
            && let Ok(t) = e.text().await
            && !t.is_empty()
        {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("nothing at {css}: {}", body(c).await)
}

async fn wait_text(c: &Client, css: &str, want: &str) {
    for _ in 0..100 {
        if let Ok(e) = c.find(Locator::Css(css)).await
            && e.text().await.is_ok_and(|t| t.contains(want))
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{css} never showed `{want}`: {}", body(c).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian chromium + chromium-driver; .ci/run installs them and runs it"]
async fn the_studio_shares_a_gallery_and_the_client_chooses_comments_submits_and_downloads() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Browser Sharing").await;
    let gallery = app.gallery(&owner, "Park wedding").await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/exif-samples/jpg/orientation");
    for (i, name) in [
        "landscape_1.jpg",
        "portrait_1.jpg",
        "landscape_6.jpg",
        "portrait_3.jpg",
    ]
    .iter()
    .enumerate()
    {
        let r = app
            .upload(
                &owner,
                ("gallery", &gallery),
                &format!("{i}-{name}"),
                &std::fs::read(dir.join(name)).unwrap(),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    app.drain_jobs().await;

    // The studio: client and terms, then a general link with its code.
    let driver = chromedriver();
    let studio = browser(&driver, 800).await;
    sign_in(&studio, &app, &owner.email).await;
    studio
        .goto(&app.url(&format!("/galleries/{gallery}")))
        .await
        .unwrap();
    studio
        .find(Locator::LinkText("Share and deliver"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_path(&studio, &format!("/galleries/{gallery}/sharing")).await;
    fill(&studio, "new_client_name", "Mina Park").await;
    fill(&studio, "new_client_email", "mina@example.com").await;
    fill(&studio, "selection_limit", "2").await;
    studio
        .find(Locator::Css("input[name='allow_extras']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click_button(&studio, "Save terms").await;
    wait_text(&studio, ".flash", "terms saved").await;
    select_by_text(&studio, "kind", "A general link with an access code").await;
    fill(&studio, "label", "Mina and family").await;
    select_by_text(&studio, "download", "Web size (2048 px)").await;
    click_button(&studio, "Create the link").await;
    wait_text(&studio, "#new-link", "Copy it now").await;
    let url = value_of(&studio, "#link-url").await;
    let code = value_of(&studio, "#link-code").await;
    check_accessible_and_fits(&studio, 800).await;
    snap(&studio, "sharing-created").await;

    // The client, on a phone: the code, then the gallery.
    let width = 390;
    let client = browser(&driver, width).await;
    client.goto(&url).await.unwrap();
    fill(&client, "code", "WRONG-CODE").await;
    click_button(&client, "Open the gallery").await;
    wait_text(&client, ".error", "not right").await;
    check_accessible_and_fits(&client, width).await;
    fill(&client, "code", &code.to_lowercase()).await;
    click_button(&client, "Open the gallery").await;
    wait_path(&client, "/c/lnk_").await;
    let here = client.current_url().await.unwrap().to_string();
    assert!(
        !here.contains(url.rsplit('/').next().unwrap()),
        "the token left the address: {here}"
    );
    // Boxes are reserved before the thumbnails arrive: nothing moves.
    let before = client
        .execute("return [...document.querySelectorAll('.grid > li[data-id]')].map(l => { const r = l.getBoundingClientRect(); return [Math.round(r.x), Math.round(r.y), Math.round(r.width), Math.round(r.height)]; });", vec![])
        .await
        .unwrap();
    assert_eq!(before.as_array().unwrap().len(), 4, "{before}");
    for _ in 0..100 {
        let done = client
            .execute("return [...document.querySelectorAll('.grid img')].every(i => i.complete && i.naturalWidth > 0);", vec![])
            .await
            .unwrap();
        if done == json!(true) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let after = client
        .execute("return [...document.querySelectorAll('.grid > li[data-id]')].map(l => { const r = l.getBoundingClientRect(); return [Math.round(r.x), Math.round(r.y), Math.round(r.width), Math.round(r.height)]; });", vec![])
        .await
        .unwrap();
    assert_eq!(before, after, "the grid moved while thumbnails loaded");
    check_accessible_and_fits(&client, width).await;
    snap(&client, "client-gallery").await;

    // Favourites up to the package, then the limit is explained.
    let hearts = client.find_all(Locator::Css(".grid .fav")).await.unwrap();
    tap(&client, &hearts[0]).await;
    wait_text(&client, "#fav-count", "1").await;
    tap(&client, &hearts[1]).await;
    wait_text(&client, "#fav-count", "2").await;
    // At the package's limit the other hearts show as locked, and a tap on
    // one is answered by a toast in view.
    let locked = client
        .execute(
            "return document.querySelectorAll('.grid .fav[aria-disabled=true]').length;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(locked, json!(2), "the two unchosen hearts are locked");
    tap(&client, &hearts[2]).await;
    wait_text(&client, "#toast", "2 of 2").await;
    let in_view = client
        .execute("const r = document.getElementById('toast').getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0;", vec![])
        .await
        .unwrap();
    assert_eq!(
        in_view,
        json!(true),
        "the refusal is visible where the thumb is"
    );
    let counter = client
        .execute("const r = document.getElementById('selbar').getBoundingClientRect(); window.scrollTo(0, document.body.scrollHeight); const s = document.getElementById('selbar').getBoundingClientRect(); return r.bottom <= window.innerHeight && s.bottom <= window.innerHeight;", vec![])
        .await
        .unwrap();
    assert_eq!(counter, json!(true), "the counter stays in view");
    client
        .execute("window.scrollTo(0, 0);", vec![])
        .await
        .unwrap();

    // The viewer: keyboard navigation, an edit request.
    client.find_all(Locator::Css(".grid a.open")).await.unwrap()[0]
        .click()
        .await
        .unwrap();
    let first = text_of(&client, "#viewer-name").await;
    client
        .execute("document.getElementById('viewer').dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight', bubbles: true}));", vec![])
        .await
        .unwrap();
    for _ in 0..50 {
        if text_of(&client, "#viewer-name").await != first {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let second = text_of(&client, "#viewer-name").await;
    assert_ne!(first, second, "the arrow key moved to the next photo");
    let viewer_src = client
        .execute("return document.getElementById('viewer-img').src;", vec![])
        .await
        .unwrap();
    assert!(
        viewer_src.as_str().unwrap().contains("/proof?"),
        "{viewer_src}"
    );
    fill_textarea(&client, "#note-body", "Please remove the exit sign").await;
    click_button(&client, "Request an edit").await;
    wait_text(&client, "#notes", "remove the exit sign").await;
    snap(&client, "client-viewer").await;
    // The photo has its own address; Back closes the viewer and stays in
    // the gallery.
    let here = client.current_url().await.unwrap().to_string();
    assert!(here.contains("#photo=pho_"), "{here}");
    client.back().await.unwrap();
    for _ in 0..50 {
        if client
            .execute("return document.getElementById('viewer').open;", vec![])
            .await
            .unwrap()
            == json!(false)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        client
            .execute("return document.getElementById('viewer').open;", vec![])
            .await
            .unwrap(),
        json!(false),
        "Back closed the viewer"
    );
    wait_path(&client, "/c/lnk_").await;

    // Favourites only, then review and send: locked.
    click_button(&client, "Favourites").await;
    let shown = client
        .execute("return [...document.querySelectorAll('.grid > li[data-id]')].filter(l => l.offsetParent !== null).length;", vec![])
        .await
        .unwrap();
    let why = client
        .execute("return [document.getElementById('main').className, ...[...document.querySelectorAll('.grid > li[data-id]')].map(l => l.dataset.fav + ':' + getComputedStyle(l).display)];", vec![])
        .await
        .unwrap();
    assert_eq!(shown, json!(2), "only the two favourites show: {why}");
    click_button(&client, "Review and send").await;
    wait_text(&client, "#review-count", "You chose 2 photos").await;
    check_accessible_and_fits(&client, width).await;
    click_button(&client, "Send my selection").await;
    wait_text(&client, "#submitted", "Sent").await;

    // The ZIP, as the page's link fetches it.
    let zip = client
        .execute_async(
            "const done = arguments[0]; fetch(document.getElementById('download-all').href).then(r => r.arrayBuffer().then(b => done([r.status, r.headers.get('content-type'), b.byteLength, new Uint8Array(b.slice(0, 2))[0]])));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(zip[0], 200, "{zip}");
    assert_eq!(zip[1], "application/zip");
    assert_eq!(zip[3], 0x50, "starts with PK");

    // The studio watches: two chosen, the edit request, the submission.
    studio
        .goto(&app.url(&format!("/galleries/{gallery}/sharing")))
        .await
        .unwrap();
    let page = body(&studio).await;
    assert!(page.contains("selection submitted"), "{page}");
    assert!(page.contains("remove the exit sign"), "{page}");
    assert!(page.contains("Mina and family"), "{page}");
    check_accessible_and_fits(&studio, 800).await;
    snap(&studio, "sharing-activity").await;

    // Arranging: a set, two photos in it, one photo moved later.
    studio
        .goto(&app.url(&format!("/galleries/{gallery}")))
        .await
        .unwrap();
    fill(&studio, "name", "Ceremony").await;
    click_button(&studio, "Add set").await;
    wait_text(&studio, ".flash", "Set added").await;
    let ticks = studio
        .find_all(Locator::Css("input[name='photo']"))
        .await
        .unwrap();
    ticks[0].click().await.unwrap();
    ticks[1].click().await.unwrap();
    select_by_text(&studio, "set_id", "Ceremony").await;
    click_button(&studio, "Move").await;
    wait_text(&studio, ".flash", "Photos moved").await;
    let first_before = studio
        .execute(
            "return document.querySelector('#arrange-grid li').dataset.id;",
            vec![],
        )
        .await
        .unwrap();
    studio
        .find(Locator::Css("#arrange-grid li .move button:last-child"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click_button(&studio, "Save this order").await;
    wait_text(&studio, ".flash", "Order saved").await;
    let second_after = studio
        .execute(
            "return document.querySelectorAll('#arrange-grid li')[1].dataset.id;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        first_before, second_after,
        "the first photo moved one later"
    );
    check_accessible_and_fits(&studio, 800).await;
    snap(&studio, "gallery-arranged").await;

    // The editing queue: the submitted selection and the edit request are
    // tasks; the owner takes the selection and uploads the edits.
    studio.goto(&app.url("/editing?who=all")).await.unwrap();
    let queue = body(&studio).await;
    assert!(
        queue.contains("Selection of Mina and family (2 photos)"),
        "{queue}"
    );
    assert!(
        queue.contains("Edit request from Mina and family"),
        "{queue}"
    );
    let task = studio
        .execute("return [...document.querySelectorAll('article.task')].find(a => a.textContent.includes('Selection of')).id;", vec![])
        .await
        .unwrap();
    let task = task.as_str().unwrap().to_string();
    studio
        .execute(&format!("const a = document.getElementById('{task}'); a.querySelector('details').open = true; a.querySelector('select[name=assignee_id]').value = '{}'; a.querySelector('select[name=priority]').value = 'high';", owner.user), vec![])
        .await
        .unwrap();
    studio
        .find(Locator::Css(&format!(
            "#{task} details button[type=submit]"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&studio, ".flash", "Task saved").await;
    check_accessible_and_fits(&studio, 800).await;
    snap(&studio, "editing-queue").await;
    click_button(&studio, "Start").await;
    wait_text(&studio, ".flash", "Task updated").await;
    let photo_pages: Vec<String> = studio
        .execute(
            &format!(
                "return [...document.querySelectorAll('#{task} .thumbs a')].map(a => a.href);"
            ),
            vec![],
        )
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(photo_pages.len(), 2);
    for (i, page) in photo_pages.iter().enumerate() {
        studio.goto(page).await.unwrap();
        let edit =
            std::env::temp_dir().join(format!("edited-{i}-{}.jpg", uuid::Uuid::now_v7().simple()));
        std::fs::write(&edit, noisy_jpeg(640, 480, 900 + i as u32)).unwrap();
        studio
            .find(Locator::Css("#up-files"))
            .await
            .unwrap()
            .send_keys(&edit.display().to_string())
            .await
            .unwrap();
        wait_text(&studio, "[data-summary]", "all done").await;
        assert!(text_of(&studio, "[data-summary]").await.contains("1 added"));
    }
    app.drain_jobs().await;
    studio
        .goto(&app.url("/editing?who=all&status=review"))
        .await
        .unwrap();
    wait_text(&studio, "main", "2 of 2 edited").await;
    click_button(&studio, "Approve").await;
    wait_text(&studio, ".flash", "Task updated").await;
    // The client sees the edits.
    client.refresh().await.unwrap();
    wait_text(&client, ".grid", "Edited").await;

    // Delivery: a link to the final files, and an album on its way.
    studio
        .goto(&app.url(&format!("/galleries/{gallery}/sharing")))
        .await
        .unwrap();
    select_by_text(
        &studio,
        "purpose",
        "Delivery: the final files, clean, to download",
    )
    .await;
    fill(&studio, "label", "Mina final").await;
    click_button(&studio, "Create the link").await;
    wait_text(&studio, "#new-link", "Copy it now").await;
    let delivery_url = value_of(&studio, "#link-url").await;
    fill(&studio, "description", "30x30 layflat album").await;
    click_button(&studio, "Add deliverable").await;
    wait_text(&studio, ".flash", "Deliverable added").await;
    select_by_text(&studio, "status", "Shipped").await;
    studio
        .find(Locator::Css("input[name='carrier']"))
        .await
        .unwrap()
        .send_keys("DHL")
        .await
        .unwrap();
    click_button(&studio, "Save").await;
    wait_text(&studio, ".flash", "Deliverable saved").await;
    assert!(body(&studio).await.contains("shipped"));
    check_accessible_and_fits(&studio, 800).await;
    client.goto(&delivery_url).await.unwrap();
    wait_text(&client, "header", "final photos are ready").await;
    assert!(
        client.find(Locator::Css(".grid .fav")).await.is_err(),
        "no hearts on a delivery link"
    );
    check_accessible_and_fits(&client, width).await;
    snap(&client, "client-delivery").await;
    // The same page on a laptop.
    client.set_window_size(1366, 900).await.unwrap();
    client.refresh().await.unwrap();
    wait_text(&client, "header", "final photos are ready").await;
    check_accessible_and_fits(&client, 1366).await;
    snap(&client, "client-delivery-laptop").await;
    client.set_window_size(width, 844).await.unwrap();

    // Revoking cuts the client off on the next request.
    click_button(&studio, "Revoke").await;
    studio.accept_alert().await.ok();
    wait_text(&studio, ".flash", "revoked").await;
    client.refresh().await.unwrap();
    wait_text(&client, "body", "We could not find this gallery").await;
    check_accessible_and_fits(&client, width).await;
    client.goto(&delivery_url).await.unwrap();
    wait_text(&client, "h1", "no longer shared").await;
    check_accessible_and_fits(&client, width).await;
    snap(&client, "client-link-revoked").await;

    studio.close().await.unwrap();
    client.close().await.unwrap();
}

/// Every visible form control has a label.
/// axe-core's script (npm's axe-core, which `.ci/run` installs under
/// target/test-peers/node; `DARKROOM_AXE` names another copy).
fn axe_source() -> &'static str {
    static AXE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    AXE.get_or_init(|| {
        let path = std::env::var("DARKROOM_AXE").unwrap_or_else(|_| {
            format!(
                "{}/../../target/test-peers/node/node_modules/axe-core/axe.min.js",
                env!("CARGO_MANIFEST_DIR")
            )
        });
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!("cannot read axe-core at {path} ({e}): run `npm install --prefix target/test-peers/node axe-core` (.ci/run does)")
        })
    })
}

/// axe-core on the page as it is now: no WCAG 2.2 A or AA violation.
async fn check_axe(c: &Client) {
    c.execute(&format!("{}\nreturn true;", axe_source()), vec![])
        .await
        .unwrap();
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'] } })
               .then(r => done(r.violations.map(v => [v.id, v.impact, v.help, v.nodes.slice(0, 3).map(n => n.target.join(' '))])))
               .catch(e => done([['axe failed', String(e)]]));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        found,
        json!([]),
        "axe-core finds WCAG 2.2 A/AA violations on {}",
        c.current_url().await.unwrap()
    );
}

/// Every control a thumb taps is at least 44 x 44 CSS px. Links inside a
/// sentence are exempt, as WCAG's target-size criteria exempt them (their
/// size is the text's); so are controls a browser draws inside a bigger
/// label that takes the tap for them.
async fn check_targets(c: &Client) {
    let small = c
        .execute(
            "const inSentence = e => {
               if (getComputedStyle(e).display !== 'inline') return false;
               const block = e.closest('p, li, dd, td, figcaption, small, label, blockquote');
               return block && block.textContent.trim().length > e.textContent.trim().length;
             };
             const big = l => { const r = l.getBoundingClientRect(); return r.width >= 43.5 && r.height >= 43.5; };
             const byLabel = e => [e.closest('label'), ...(e.labels || [])].some(l => l && big(l));
             return [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]')]
               .filter(e => { const r = e.getBoundingClientRect(); const st = getComputedStyle(e);
                 return r.width > 0 && r.height > 0 && st.visibility !== 'hidden' && !e.closest('[hidden], .sr-only, .skip, .visually-hidden'); })
               .filter(e => { const r = e.getBoundingClientRect(); return (r.width < 43.5 || r.height < 43.5) && !inSentence(e) && !byLabel(e); })
               .slice(0, 10)
               .map(e => { const r = e.getBoundingClientRect(); return `${e.tagName.toLowerCase()}.${e.className} \"${(e.textContent || e.name || '').trim().slice(0, 30)}\" ${Math.round(r.width)}x${Math.round(r.height)}`; });",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        small,
        json!([]),
        "targets smaller than 44 x 44 px on {}",
        c.current_url().await.unwrap()
    );
}

async fn check_labels(c: &Client) {
    let unlabelled = c
        .execute(
            "return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
               .filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).map(e => e.name);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        unlabelled,
        json!([]),
        "controls without a label on {}",
        c.current_url().await.unwrap()
    );
}

async fn fill_textarea(c: &Client, css: &str, value: &str) {
    let el = c.find(Locator::Css(css)).await.unwrap();
    el.clear().await.unwrap();
    el.send_keys(value).await.unwrap();
}
