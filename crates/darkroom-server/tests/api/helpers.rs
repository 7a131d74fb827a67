//! The test harness: a real server on a random port over a fresh database of
//! the engine under test, with the core's clock under the test's control.

use std::collections::HashMap;
use std::sync::Arc;

use darkroom_core::{
    Core, Meta, Principal, kernel::principal, studio::auth, studio::setup, studio::staff,
};
use darkroom_db::Db;
use darkroom_db::testing::TestDb;
use darkroom_domain::time::OffsetClock;
use darkroom_domain::{BranchId, RoleId, StudioId, UserId};
use darkroom_server::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

pub struct TestApp {
    pub base: String,
    pub core: Core,
    pub db: Db,
    pub clock: OffsetClock,
    pub http: reqwest::Client,
    pub test_db: TestDb,
    /// The data folder (local media store, uploads).
    pub data_dir: tempfile::TempDir,
    shutdown: CancellationToken,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// A person in a studio, with a browser session and an API token.
#[derive(Clone, Debug)]
pub struct Who {
    pub user: UserId,
    pub studio: StudioId,
    pub email: String,
    pub session: String,
    pub token: String,
}

pub const PASSWORD: &str = "correct horse battery staple";

pub fn test_config() -> Config {
    Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        public_url: Some("http://127.0.0.1".into()),
        ..Default::default()
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> Self {
        Self::spawn_full(tweak, |s| s).await
    }

    /// With the `local` media store wrapped (to inject faults).
    pub async fn spawn_with_store(
        wrap: impl FnOnce(darkroom_media::SharedStore) -> darkroom_media::SharedStore,
    ) -> Self {
        Self::spawn_full(|_| {}, wrap).await
    }

    pub async fn spawn_full(
        tweak: impl FnOnce(&mut Config),
        wrap: impl FnOnce(darkroom_media::SharedStore) -> darkroom_media::SharedStore,
    ) -> Self {
        darkroom_server::install_crypto_provider();
        if std::env::var("TEST_LOG").is_ok() {
            darkroom_server::observe::init_logging(&darkroom_server::config::LogConfig {
                format: "text".into(),
                level: "warn".into(),
            });
        }
        let test_db = TestDb::create().await;
        let db = test_db.migrated().await;
        let data_dir = tempfile::tempdir().unwrap();
        let mut cfg = test_config();
        cfg.data_dir = data_dir.path().to_path_buf();
        tweak(&mut cfg);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        cfg.public_url = Some(format!("http://{addr}"));
        let clock = OffsetClock::default();
        let core = Core::new(
            db.clone(),
            Arc::new(clock.clone()),
            cfg.core_settings(),
            None,
            {
                let mut stores = cfg.media_stores().unwrap();
                let local = stores.stores.remove("local").unwrap();
                stores.stores.insert("local".into(), wrap(local));
                stores
            },
        )
        .await
        .unwrap();
        let state = darkroom_server::app::state(core.clone(), Arc::new(cfg)).unwrap();
        let router = darkroom_server::app::router(state);
        let shutdown = CancellationToken::new();
        tokio::spawn(darkroom_server::app::serve(
            listener,
            router,
            shutdown.clone(),
            std::time::Duration::from_secs(5),
        ));
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        TestApp {
            base: format!("http://{addr}"),
            core,
            db,
            clock,
            http,
            test_db,
            data_dir,
            shutdown,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Creates a studio through the set-up link; returns its owner.
    pub async fn studio(&self, name: &str) -> Who {
        let email = format!(
            "owner-{}@{}.test",
            uuid::Uuid::now_v7().simple(),
            name.to_lowercase().replace(' ', "-")
        );
        let (session, _) = darkroom_core::testing::studio(
            &self.core,
            setup::SetupInput {
                studio_name: name.into(),
                currency: "INR".into(),
                time_zone: "Asia/Kolkata".into(),
                locale: "en-IN".into(),
                owner_name: format!("{name} Owner"),
                email: email.clone(),
                password: PASSWORD.into(),
            },
        )
        .await
        .unwrap();
        self.who_from_session(&session.token, &email).await
    }

    async fn who_from_session(&self, session: &str, email: &str) -> Who {
        let p = auth::resolve_session(&self.core, session)
            .await
            .unwrap()
            .unwrap();
        let token = darkroom_core::testing::full_token(&self.core, &p, "tests", 30)
            .await
            .unwrap();
        Who {
            user: p.user,
            studio: p.studio,
            email: email.into(),
            session: session.into(),
            token,
        }
    }

    /// The principal of a person, as the server would load it now.
    pub async fn principal(&self, who: &Who) -> Principal {
        let sid = darkroom_domain::SessionId::new();
        principal::load(
            self.db.conn(),
            who.studio,
            who.user,
            darkroom_core::Via::Session(sid),
            None,
        )
        .await
        .unwrap()
        .unwrap()
    }

    pub async fn role_id(&self, owner: &Who, key: &str) -> RoleId {
        let rows = darkroom_db::repo::access::list_roles(self.db.conn(), owner.studio)
            .await
            .unwrap();
        let r = rows
            .iter()
            .find(|r| r.builtin_key.as_deref() == Some(key))
            .unwrap();
        darkroom_domain::TypedId::from_uuid(r.id)
    }

    /// Invites a person with a built-in role and accepts for them.
    pub async fn member(&self, owner: &Who, role: &str, branch: Option<BranchId>) -> Who {
        let role_id = self.role_id(owner, role).await;
        self.member_with_role(owner, role, role_id, branch).await
    }

    /// Invites a person with any role of the studio and accepts for them.
    pub async fn member_with_role(
        &self,
        owner: &Who,
        label: &str,
        role_id: RoleId,
        branch: Option<BranchId>,
    ) -> Who {
        let p = self.principal(owner).await;
        let email = format!(
            "{}-{}@staff.test",
            label.replace(' ', "-"),
            uuid::Uuid::now_v7().simple()
        );
        let invited = staff::invite(
            &self.core,
            &p,
            &Meta::system(),
            staff::NewInvitation {
                email: email.clone().into(),
                name: format!("A {label}").into(),
                role_id,
                branch_id: branch,
                time_zone: None,
            },
        )
        .await
        .unwrap();
        let url = invited
            .invitation
            .invite_url
            .expect("no SMTP in tests: the link is returned");
        self.accept(&url, &email, PASSWORD).await
    }

    /// Accepts an invitation link with a password, as the person would.
    pub async fn accept(&self, url: &str, email: &str, password: &str) -> Who {
        let token = url.rsplit('/').next().unwrap();
        let session = staff::accept_invitation(&self.core, token, Some(password), &Meta::system())
            .await
            .unwrap();
        self.who_from_session(&session.token, email).await
    }

    pub async fn api(
        &self,
        who: &Who,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        // The tus protocol's version too, so upload routes answer as to any
        // client (other routes ignore it).
        let mut req = self
            .http
            .request(method, self.url(path))
            .bearer_auth(&who.token)
            .header("tus-resumable", "1.0.0");
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn get(&self, who: &Who, path: &str) -> (StatusCode, Value) {
        self.api(who, Method::GET, path, None).await
    }

    pub async fn post(&self, who: &Who, path: &str, body: Value) -> (StatusCode, Value) {
        self.api(who, Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, who: &Who, path: &str, body: Value) -> (StatusCode, Value) {
        self.api(who, Method::PATCH, path, Some(body)).await
    }

    /// A branch made through the API; returns its id.
    pub async fn branch(&self, who: &Who, name: &str) -> BranchId {
        let prefix: String = name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(4)
            .collect::<String>()
            .to_uppercase();
        let prefix = format!(
            "{prefix}{}-",
            &uuid::Uuid::now_v7().simple().to_string()[28..]
        );
        let (s, v) = self
            .post(
                who,
                "/api/v1/branches",
                json!({ "name": name, "invoice_prefix": &prefix[..prefix.len().min(12)] }),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["id"].as_str().unwrap().parse().unwrap()
    }

    /// A page fetched with a browser session cookie.
    pub async fn page(
        &self,
        session: Option<&str>,
        path: &str,
    ) -> (StatusCode, String, reqwest::header::HeaderMap) {
        let mut req = self.http.get(self.url(path));
        if let Some(s) = session {
            req = req.header("cookie", format!("darkroom_session={s}"));
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        (status, res.text().await.unwrap(), headers)
    }

    /// Posts a form as a browser would from our own page (with the CSRF token of the session).
    pub async fn form(
        &self,
        session: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, String, reqwest::header::HeaderMap) {
        let (_, html, _) = self.page(Some(session), "/account").await;
        let csrf = csrf_of(&html).expect("the account page has a CSRF token");
        let mut all: Vec<(&str, &str)> = vec![("_csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        let res = self
            .http
            .post(self.url(path))
            .header("cookie", format!("darkroom_session={session}"))
            .header("origin", &self.base)
            .form(&all)
            .send()
            .await
            .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        (status, res.text().await.unwrap(), headers)
    }

    /// Runs every due job in this process.
    pub async fn drain_jobs(&self) -> usize {
        darkroom_core::kernel::jobs::drain(&self.core)
            .await
            .unwrap()
    }

    pub async fn audit_count(&self, studio: StudioId, event: &str) -> u64 {
        darkroom_db::audit::count_events(self.db.conn(), studio, event)
            .await
            .unwrap()
    }
}

/// The first CSRF token in a page.
pub fn csrf_of(html: &str) -> Option<String> {
    let i = html.find("name=\"_csrf\" value=\"")? + "name=\"_csrf\" value=\"".len();
    let rest = &html[i..];
    Some(rest[..rest.find('"')?].to_string())
}

/// The value of a cookie set by a response.
pub fn set_cookie(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            c.strip_prefix(&format!("{name}="))
                .map(|r| r.split(';').next().unwrap_or("").to_string())
        })
}

impl TestApp {
    pub fn clock_now(&self) -> darkroom_domain::Timestamp {
        darkroom_domain::time::Clock::now(&self.clock)
    }

    /// A new token holding every permission the person holds now.
    pub async fn refresh_token(&self, who: &Who) -> Who {
        self.who_from_session(&who.session, &who.email).await
    }
}

/// A JPEG of `w`x`h` whose pixels (and so hash) depend on `seed`.
pub fn jpeg(w: u32, h: u32, seed: u32) -> Vec<u8> {
    let mut px = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            px.push(((x * 255 / w.max(1)) as u8).wrapping_add(seed as u8));
            px.push(((y * 255 / h.max(1)) as u8).wrapping_add((seed >> 8) as u8));
            px.push(((x + y + seed) % 256) as u8);
        }
    }
    darkroom_jpeg::encode(&px, w, h, 85).unwrap()
}

/// `Upload-Metadata` from pairs.
pub fn tus_meta(pairs: &[(&str, &str)]) -> String {
    use base64::Engine as _;
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{k} {}",
                base64::engine::general_purpose::STANDARD.encode(v)
            )
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The answer to a tus request: status, headers and body text.
pub struct Tus {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Tus {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

impl TestApp {
    /// A tus request with the token of `who`, `Tus-Resumable: 1.0.0` and the given headers.
    pub async fn tus(
        &self,
        who: &Who,
        method: Method,
        path: &str,
        headers: &[(&str, String)],
        body: Option<Vec<u8>>,
    ) -> Tus {
        let mut req = self
            .http
            .request(method, self.url(path))
            .bearer_auth(&who.token)
            .header("tus-resumable", "1.0.0");
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        if let Some(b) = body {
            req = req.body(b);
        }
        let res = req.send().await.unwrap();
        Tus {
            status: res.status(),
            headers: res.headers().clone(),
            body: res.text().await.unwrap_or_default(),
        }
    }

    /// Uploads a whole file in one request (creation-with-upload).
    pub async fn upload(&self, who: &Who, dest: (&str, &str), name: &str, bytes: &[u8]) -> Tus {
        self.tus(
            who,
            Method::POST,
            "/api/v1/uploads",
            &[
                ("upload-length", bytes.len().to_string()),
                ("upload-metadata", tus_meta(&[("filename", name), dest])),
                ("content-type", "application/offset+octet-stream".into()),
            ],
            Some(bytes.to_vec()),
        )
        .await
    }

    /// Points the studio's email at an unreachable SMTP server, so what it
    /// sends stays in the outbox for the test to read.
    pub async fn unreachable_smtp(&self, who: &Who, from_name: &str) {
        let (_, studio) = self.get(who, "/api/v1/studio").await;
        let (s, v) = self
            .api(who, Method::PUT, "/api/v1/studio/email", Some(json!({ "version": studio["version"], "host": "127.0.0.1", "port": 9, "security": "none", "from_address": "studio@example.com", "from_name": from_name })))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }

    /// A gallery in a new branch; returns its id.
    pub async fn gallery(&self, who: &Who, name: &str) -> String {
        let branch = self.branch(who, &format!("{name} branch")).await;
        let (s, v) = self
            .post(
                who,
                "/api/v1/galleries",
                json!({ "name": name, "branch_id": branch }),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["id"].as_str().unwrap().to_string()
    }
}

/// The `{name}` parameters of a path template.
pub fn params_of(path: &str) -> Vec<String> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(String::from)
        .collect()
}

/// A path template with its parameters filled in.
pub fn fill(path: &str, values: &HashMap<String, String>) -> String {
    let mut out = path.to_string();
    for (k, v) in values {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

/// A body that passes decoding, built from the operation's schema, using
/// the caller's own objects for references.
pub fn body_for(spec: &Value, schema: &Value, own: &HashMap<&'static str, String>) -> Value {
    let schema = match schema.get("$ref").and_then(|r| r.as_str()) {
        Some(r) => &spec["components"]["schemas"][r.rsplit('/').next().unwrap()],
        None => schema,
    };
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
        .unwrap_or_default();
    let mut obj = serde_json::Map::new();
    for name in required {
        let prop = &schema["properties"][name];
        let prop = match prop.get("$ref").and_then(|r| r.as_str()) {
            Some(r) => &spec["components"]["schemas"][r.rsplit('/').next().unwrap()],
            None => prop,
        };
        let v = match name {
            _ if prop["format"] == "date-time" && name.starts_with("end") => {
                json!("2027-06-01T11:00:00Z")
            }
            _ if prop["format"] == "date-time" => json!("2027-06-01T10:00:00Z"),
            "version" => json!(1),
            "role_id" => json!(own["role_id"]),
            "branch_id" | "resource_id" => json!(own["branch_id"]),
            "other" | "merged" => json!(own["client_id"]),
            "label" | "name" => json!("x"),
            "permission" => json!("branch.view"),
            "resource_type" => json!("branch"),
            "permissions" | "scopes" => json!(["branch.view"]),
            _ => match prop["type"].as_str() {
                Some("integer") => json!(1),
                Some("boolean") => json!(false),
                Some("array") => json!([]),
                _ => json!("x"),
            },
        };
        obj.insert(name.to_string(), v);
    }
    Value::Object(obj)
}
