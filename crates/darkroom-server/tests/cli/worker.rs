//! The job queue and the email outbox survive `kill -9` of the worker: no
//! job is lost and no email is sent twice.

use darkroom_domain::{StudioId, TypedId};
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use darkroom_core::{
    Core, CoreSettings, Meta, SmtpSecurity, SmtpSettings, studio::auth, studio::setup,
    studio::staff,
};
use darkroom_db::entity::{email, job};
use darkroom_db::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use darkroom_db::testing::TestDb;
use darkroom_domain::time::SystemClock;

use crate::peers::{SmtpSink, message_id};

fn spawn_worker(db_url: &str, smtp_port: u16, data_dir: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_darkroom"))
        .arg("worker")
        .env("DARKROOM_DATABASE_URL", db_url)
        .env("DARKROOM_DATA_DIR", data_dir)
        .env("DARKROOM_SMTP__HOST", "127.0.0.1")
        .env("DARKROOM_SMTP__PORT", smtp_port.to_string())
        .env("DARKROOM_SMTP__SECURITY", "none")
        .env("DARKROOM_SMTP__FROM_ADDRESS", "studio@darkroom.test")
        .env("DARKROOM_JOBS__LEASE_SECONDS", "2")
        .env("DARKROOM_JOBS__POLL_MILLIS", "100")
        .env("DARKROOM_JOBS__CONCURRENCY", "4")
        .env("DARKROOM_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// A small deterministic generator for the kill times.
struct Lcg(u64);
impl Lcg {
    fn next_ms(&mut self, lo: u64, hi: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        lo + (self.0 >> 33) % (hi - lo)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_and_emails_survive_kill_9_of_the_worker() {
    let sink = SmtpSink::start(0.04);
    let test_db = TestDb::create().await;
    let db = test_db.migrated().await;
    let mut settings = CoreSettings::with_public_url("http://127.0.0.1:9".parse().unwrap());
    settings.smtp = Some(SmtpSettings {
        host: "127.0.0.1".into(),
        port: sink.port,
        security: SmtpSecurity::None,
        username: None,
        password: None,
        from_address: "studio@darkroom.test".into(),
        from_name: "Kill test".into(),
        timeout: Duration::from_secs(10),
    });
    let store = darkroom_media::open(&darkroom_media::StoreConfig::Memory).unwrap();
    let core = Core::new(
        db.clone(),
        Arc::new(SystemClock),
        settings,
        None,
        darkroom_core::MediaStores::single(store),
    )
    .await
    .unwrap();

    // Work for the queue: 60 invitation emails and 5 reset requests (each a
    // job that itself writes an email), all through the real use cases.
    let (_, owner) = darkroom_core::testing::studio(
        &core,
        setup::SetupInput {
            studio_name: "Kill Test".into(),
            currency: "INR".into(),
            time_zone: "Asia/Kolkata".into(),
            locale: "en".into(),
            owner_name: "Owner".into(),
            email: "owner@kill.test".into(),
            password: "correct horse battery".into(),
        },
    )
    .await
    .unwrap();
    let role = darkroom_db::repo::access::find_builtin_role(
        db.conn(),
        StudioId::from_uuid(darkroom_domain::TypedId::uuid(&owner.studio)),
        "assistant",
    )
    .await
    .unwrap()
    .unwrap();
    for i in 0..60 {
        staff::invite(
            &core,
            &owner,
            &Meta::system(),
            staff::NewInvitation {
                email: format!("invitee{i}@kill.test").into(),
                name: format!("Invitee {i}").into(),
                role_id: darkroom_domain::TypedId::from_uuid(role.id),
                branch_id: None,
                time_zone: None,
            },
        )
        .await
        .unwrap();
    }
    for i in 0..5 {
        auth::request_password_reset(
            &core,
            "owner@kill.test",
            &Meta {
                ip: format!("10.0.0.{i}"),
                user_agent: None,
            },
        )
        .await
        .unwrap();
    }

    let data_dir = tempfile::tempdir().unwrap();
    let mut rng = Lcg(0x5eed);
    let mut kills = 0;
    for _ in 0..6 {
        let mut w = spawn_worker(&test_db.url, sink.port, data_dir.path());
        std::thread::sleep(Duration::from_millis(rng.next_ms(150, 700)));
        w.kill().unwrap(); // SIGKILL: no chance to clean up
        w.wait().unwrap();
        kills += 1;
    }
    // Let a last worker finish everything (leases of killed workers expire after 2 s).
    let mut w = spawn_worker(&test_db.url, sink.port, data_dir.path());
    let started = Instant::now();
    loop {
        let open = job::Entity::find()
            .filter(job::Column::Status.is_in(["queued", "running"]))
            .all(db.conn())
            .await
            .unwrap();
        if open.is_empty() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "{} jobs never finished",
            open.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    w.kill().unwrap();
    w.wait().unwrap();

    // No job lost: every one finished, none gave up.
    let jobs = job::Entity::find().all(db.conn()).await.unwrap();
    assert_eq!(
        jobs.len(),
        60 + 5 + 5,
        "60 invitations, 5 reset requests, 5 reset emails"
    );
    for j in &jobs {
        assert_eq!(
            j.status.name(),
            "succeeded",
            "job {} ({}) ended {}: {:?}",
            j.id,
            j.kind,
            j.status,
            j.last_error
        );
    }
    // No email sent twice: each Message-ID arrives at most once...
    let mut seen: HashMap<String, usize> = HashMap::new();
    for m in sink.messages() {
        *seen
            .entry(message_id(&m).expect("every message has a Message-ID"))
            .or_default() += 1;
    }
    for (id, n) in &seen {
        assert_eq!(*n, 1, "{id} was delivered {n} times");
    }
    // ...every `sent` email arrived, and every other one is flagged for a person.
    let emails = email::Entity::find().all(db.conn()).await.unwrap();
    assert_eq!(
        emails.len(),
        65,
        "one reset email per request, however often its job ran"
    );
    let mut uncertain = 0;
    for e in &emails {
        match e.status.name() {
            "sent" => assert!(
                seen.contains_key(&e.message_id),
                "{} is marked sent but never arrived",
                e.message_id
            ),
            "uncertain" => uncertain += 1,
            other => panic!("email {} ended {other}: {:?}", e.message_id, e.last_error),
        }
    }
    assert!(
        uncertain <= kills * 4,
        "{uncertain} uncertain emails after {kills} kills of a 4-slot worker"
    );
    eprintln!(
        "kill test: {kills} kills, {} delivered, {uncertain} uncertain (interrupted mid-send, not resent)",
        seen.len()
    );
}
