//! The conformance suite: the same tests on every engine. Run with
//! `DARKROOM_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres`
//! for PostgreSQL; SQLite otherwise.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use darkroom_db::entity::{branch, studio};
use darkroom_db::page::PageRequest;
use darkroom_db::testing::TestDb;
use darkroom_db::{audit, email, job, repo};
use darkroom_domain::{BranchId, LoginId, StudioId, TypedId, UserId};
use sea_orm::{ConnectionTrait, IntoActiveModel, Set};
use uuid::Uuid;

fn studio_row(name: &str) -> studio::Model {
    studio::Model {
        id: Uuid::now_v7(),
        name: name.into(),
        currency: "INR".into(),
        time_zone: "Asia/Kolkata".into(),
        locale: "en-IN".into(),
        plan_tier: "free".into(),
        storage_quota_bytes: None,
        media_store: None,
        settings: "{}".into(),
        version: 1,
        created_at: 1,
        updated_at: 1,
        deleted_at: None,
    }
}

fn branch_row(studio: Uuid, name: &str) -> branch::Model {
    branch::Model {
        id: Uuid::now_v7(),
        studio_id: studio,
        name: name.into(),
        address: "{}".into(),
        tax_id_kind: None,
        tax_id: None,
        invoice_prefix: "BLR-".into(),
        time_zone: "Asia/Kolkata".into(),
        currency: "INR".into(),
        phone: None,
        email: None,
        version: 1,
        created_at: 1,
        updated_at: 1,
        deleted_at: None,
    }
}

/// A studio inserted through the versioned write path.
async fn new_studio(
    c: &impl ConnectionTrait,
    row: studio::Model,
) -> darkroom_db::DbResult<studio::Model> {
    let owner = StudioId::from_uuid(row.id);
    repo::versioned::insert::<studio::Entity>(c, owner, 1, row.into_active_model()).await
}

/// A branch inserted through the versioned write path.
async fn new_branch(
    c: &impl ConnectionTrait,
    row: branch::Model,
) -> darkroom_db::DbResult<branch::Model> {
    let owner = StudioId::from_uuid(row.studio_id);
    repo::versioned::insert::<branch::Entity>(c, owner, 1, row.into_active_model()).await
}

#[tokio::test]
async fn migrations_apply_and_report_nothing_pending() {
    let t = TestDb::create().await;
    let db = t.migrated().await;
    assert!(db.pending_migrations().await.unwrap().is_empty());
    assert_eq!(
        db.schema_version().await.unwrap().as_deref(),
        Some("m0024_contracts")
    );
    // Applying again is a no-op.
    db.migrate().await.unwrap();
}

#[tokio::test]
async fn tenant_scoped_reads_never_cross_studios() {
    let t = TestDb::create().await;
    let db = t.migrated().await;
    let a = new_studio(db.conn(), studio_row("A")).await.unwrap();
    let b = new_studio(db.conn(), studio_row("B")).await.unwrap();
    let ba = new_branch(db.conn(), branch_row(a.id, "Alpha"))
        .await
        .unwrap();
    assert!(
        repo::branch::find(
            db.conn(),
            StudioId::from_uuid(b.id),
            BranchId::from_uuid(ba.id),
            true
        )
        .await
        .unwrap()
        .is_none()
    );
    let page = repo::branch::list(
        db.conn(),
        StudioId::from_uuid(b.id),
        &Default::default(),
        &PageRequest::first(50),
    )
    .await
    .unwrap();
    assert!(page.items.is_empty());
    let page = repo::branch::list(
        db.conn(),
        StudioId::from_uuid(a.id),
        &Default::default(),
        &PageRequest::first(50),
    )
    .await
    .unwrap();
    assert_eq!(page.items.len(), 1);
}

#[tokio::test]
async fn versioned_update_applies_once() {
    let t = TestDb::create().await;
    let db = t.migrated().await;
    let s = new_studio(db.conn(), studio_row("A")).await.unwrap();
    let b = new_branch(db.conn(), branch_row(s.id, "Alpha"))
        .await
        .unwrap();
    let change = |n: &str| branch::ActiveModel {
        name: Set(n.into()),
        ..Default::default()
    };
    assert!(
        repo::versioned::update::<branch::Entity>(
            db.conn(),
            StudioId::from_uuid(s.id),
            b.id,
            1,
            7,
            change("Beta")
        )
        .await
        .unwrap()
    );
    assert!(
        !repo::versioned::update::<branch::Entity>(
            db.conn(),
            StudioId::from_uuid(s.id),
            b.id,
            1,
            8,
            change("Gamma")
        )
        .await
        .unwrap()
    );
    let now = repo::branch::find(
        db.conn(),
        StudioId::from_uuid(s.id),
        BranchId::from_uuid(b.id),
        false,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        (now.name.as_str(), now.version, now.updated_at),
        ("Beta", 2, 7)
    );
    // Another studio's id for the same row writes nothing.
    let other = new_studio(db.conn(), studio_row("B")).await.unwrap();
    assert!(
        !repo::versioned::update::<branch::Entity>(
            db.conn(),
            StudioId::from_uuid(other.id),
            b.id,
            2,
            9,
            change("Delta")
        )
        .await
        .unwrap()
    );
}

#[tokio::test]
async fn keyset_pages_cover_every_row_once() {
    let t = TestDb::create().await;
    let db = t.migrated().await;
    let s = new_studio(db.conn(), studio_row("A")).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(
            new_branch(db.conn(), branch_row(s.id, &format!("B{i}")))
                .await
                .unwrap()
                .id,
        );
    }
    let mut seen = Vec::new();
    let mut req = PageRequest::first(3);
    loop {
        let page = repo::branch::list(
            db.conn(),
            StudioId::from_uuid(s.id),
            &Default::default(),
            &req,
        )
        .await
        .unwrap();
        seen.extend(page.items.iter().map(|b| b.id));
        match page.next {
            Some(n) => req.after = Some(n),
            None => break,
        }
    }
    assert_eq!(seen, ids);
}

fn entry(chain: &str, n: i64) -> audit::NewEntry {
    audit::NewEntry {
        id: Uuid::now_v7(),
        chain: chain.into(),
        studio_id: None,
        branch_id: None,
        actor_user_id: None,
        actor_label: "test".into(),
        event_type: "test.event".into(),
        severity: darkroom_domain::audit::Severity::High,
        target_type: "thing".into(),
        target_id: n.to_string(),
        ip: "127.0.0.1".into(),
        payload: format!("{{\"n\":{n}}}"),
        created_at: n,
    }
}

#[tokio::test]
async fn audit_chain_verifies_and_detects_edits() {
    let t = TestDb::create().await;
    let db = t.migrated().await;
    for n in 0..5 {
        let tx = db.begin().await.unwrap();
        audit::append(&tx, entry("c1", n)).await.unwrap();
        tx.commit().await.unwrap();
    }
    let (checked, faults) = audit::verify_chain(db.conn(), "c1", |_| {}).await.unwrap();
    assert_eq!((checked, faults.len()), (5, 0));
    db.conn()
        .execute_unprepared("UPDATE audit_log SET payload = '{\"n\":99}' WHERE seq = 3")
        .await
        .unwrap();
    let (_, faults) = audit::verify_chain(db.conn(), "c1", |_| {}).await.unwrap();
    assert_eq!(faults.len(), 1, "{faults:?}");
    assert_eq!(faults[0].seq, 3);
    db.conn()
        .execute_unprepared("DELETE FROM audit_log WHERE seq = 4")
        .await
        .unwrap();
    let (_, faults) = audit::verify_chain(db.conn(), "c1", |_| {}).await.unwrap();
    assert!(
        faults
            .iter()
            .any(|f| f.seq == 5 && f.problem.contains("deleted")),
        "{faults:?}"
    );
}

#[tokio::test]
async fn concurrent_audit_appends_keep_one_chain() {
    let t = TestDb::create().await;
    let db = t.migrated().await;
    let mut tasks = Vec::new();
    for n in 0..16 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let tx = db.begin().await.unwrap();
            audit::append(&tx, entry("c2", n)).await.unwrap();
            tx.commit().await.unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let (checked, faults) = audit::verify_chain(db.conn(), "c2", |_| {}).await.unwrap();
    assert_eq!((checked, faults.len()), (16, 0), "{faults:?}");
}

fn new_job(run_at: i64) -> job::NewJob {
    job::NewJob {
        id: Uuid::now_v7(),
        studio_id: None,
        kind: "test".into(),
        payload: "{}".into(),
        run_at,
        max_attempts: 3,
    }
}

#[tokio::test]
async fn jobs_are_claimed_once_and_leases_expire() {
    let t = TestDb::create().await;
    let db = t.migrated().await;
    let j = job::enqueue(db.conn(), new_job(100), 100).await.unwrap();
    job::enqueue(db.conn(), new_job(10_000), 100).await.unwrap();
    // Not due yet for a claim before its time.
    assert!(job::claim(db.conn(), "w0", 50, 60).await.unwrap().is_none());
    let c1 = job::claim(db.conn(), "w1", 200, 300)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((c1.id, c1.attempts), (j.id, 1));
    // Held: nobody else gets it, and the future job is not due.
    assert!(
        job::claim(db.conn(), "w2", 250, 350)
            .await
            .unwrap()
            .is_none()
    );
    // The lease runs out (worker died): another worker takes it.
    let c2 = job::claim(db.conn(), "w2", 301, 400)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((c2.id, c2.attempts), (j.id, 2));
    // The dead worker's late completion is ignored; the holder's counts.
    assert!(!job::succeed(db.conn(), j.id, "w1", 302).await.unwrap());
    assert!(job::succeed(db.conn(), j.id, "w2", 303).await.unwrap());
    assert!(
        job::claim(db.conn(), "w3", 500, 600)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn concurrent_claims_never_share_a_job() {
    let t = TestDb::create().await;
    let db = t.migrated().await;
    for _ in 0..40 {
        job::enqueue(db.conn(), new_job(1), 1).await.unwrap();
    }
    let mut tasks = Vec::new();
    for w in 0..4 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while let Some(j) = job::claim(db.conn(), &format!("w{w}"), 10, 1_000_000)
                .await
                .unwrap()
            {
                mine.push(j.id);
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!((n, all.len()), (40, 40));
}

#[tokio::test]
async fn failed_jobs_retry_then_stay_failed() {
    let t = TestDb::create().await;
    let db = t.migrated().await;
    let j = job::enqueue(db.conn(), new_job(1), 1).await.unwrap();
    job::claim(db.conn(), "w", 2, 100).await.unwrap().unwrap();
    assert!(
        job::fail(db.conn(), j.id, "w", 3, "boom", Some(50))
            .await
            .unwrap()
    );
    assert!(job::claim(db.conn(), "w", 10, 100).await.unwrap().is_none());
    job::claim(db.conn(), "w", 50, 100).await.unwrap().unwrap();
    assert!(
        job::fail(db.conn(), j.id, "w", 51, "boom again", None)
            .await
            .unwrap()
    );
    let row = job::find(db.conn(), None, j.id).await.unwrap().unwrap();
    assert_eq!(
        (row.status.name(), row.last_error.as_deref()),
        ("failed", Some("boom again"))
    );
    assert!(job::retry(db.conn(), None, j.id, 60).await.unwrap());
    assert!(job::claim(db.conn(), "w", 61, 100).await.unwrap().is_some());
}

#[tokio::test]
async fn an_interrupted_send_becomes_uncertain_not_resent() {
    let t = TestDb::create().await;
    let db = t.migrated().await;
    let id = Uuid::now_v7();
    email::insert(
        db.conn(),
        darkroom_db::entity::email::Model {
            id,
            studio_id: None,
            kind: "test".into(),
            to_address: "a@example.com".into(),
            subject: "s".into(),
            body_text: "t".into(),
            body_html: "h".into(),
            status: darkroom_domain::names::EmailStatus::Pending,
            attempts: 0,
            last_error: None,
            message_id: "<m@x>".into(),
            created_at: 1,
            updated_at: 1,
            sent_at: None,
            calendar: None,
        },
    )
    .await
    .unwrap();
    assert!(matches!(
        email::begin_send(db.conn(), id, 2).await.unwrap(),
        email::BeginSend::Started(_)
    ));
    // The worker dies here; the job runs again.
    assert_eq!(
        email::begin_send(db.conn(), id, 3).await.unwrap(),
        email::BeginSend::Interrupted
    );
    assert_eq!(
        email::begin_send(db.conn(), id, 4).await.unwrap(),
        email::BeginSend::Finished
    );
    let row = email::find(db.conn(), None, id).await.unwrap().unwrap();
    assert_eq!(row.status, darkroom_domain::names::EmailStatus::Uncertain);
    assert!(email::requeue(db.conn(), None, id, 5).await.unwrap());
    assert!(matches!(
        email::begin_send(db.conn(), id, 6).await.unwrap(),
        email::BeginSend::Started(_)
    ));
}

#[tokio::test]
async fn photo_migration_adds_new_permissions_to_existing_builtin_roles() {
    use darkroom_db::entity::role;
    use sea_orm::{ActiveModelTrait, EntityTrait};
    let t = TestDb::create().await;
    let db = darkroom_db::Db::connect(&t.url, &darkroom_db::PoolOptions::default())
        .await
        .unwrap();
    // Migrate to just before the photo permissions, as an instance upgraded from the first release.
    use sea_orm_migration::MigratorTrait;
    darkroom_db::migration::Migrator::up(db.conn(), Some(2))
        .await
        .unwrap();
    let s = new_studio(db.conn(), studio_row("Old")).await.unwrap();
    let r = role::ActiveModel::from(role::Model {
        id: Uuid::now_v7(),
        studio_id: s.id,
        builtin_key: Some("photographer".into()),
        name: "Photographer".into(),
        description: String::new(),
        permissions: "[\"branch.view\"]".into(),
        version: 1,
        created_at: 1,
        updated_at: 1,
        deleted_at: None,
    })
    .insert(db.conn())
    .await
    .unwrap();
    db.migrate().await.unwrap();
    let after = role::Entity::find_by_id(r.id)
        .one(db.conn())
        .await
        .unwrap()
        .unwrap();
    let perms: Vec<String> = serde_json::from_str(&after.permissions).unwrap();
    assert_eq!(
        perms,
        vec![
            "branch.view",
            "gallery.view",
            "gallery.manage",
            "photo.upload",
            // m0010: photographers see the calendar.
            "booking.view"
        ]
    );
}

/// m0007 splits sign-ins from studios' people: a user with a password gets a
/// login with the same id and the same hash, one without (an invitation never
/// accepted) gets none, and staff-made reset tokens name the login.
#[tokio::test]
async fn m0007_moves_each_password_to_a_login_of_the_same_id() {
    use sea_orm_migration::MigratorTrait;
    let t = TestDb::create().await;
    let db = darkroom_db::Db::connect(&t.url, &Default::default())
        .await
        .unwrap();
    darkroom_db::migration::Migrator::up(db.conn(), Some(6))
        .await
        .unwrap();
    let s = new_studio(db.conn(), studio_row("Old")).await.unwrap();
    let (with, without) = (Uuid::now_v7(), Uuid::now_v7());
    for (id, email, hash) in [
        (with, "kept@old.test", Some("$argon2id$v=19$kept")),
        (without, "invited@old.test", None),
    ] {
        let mut q = sea_orm::sea_query::Query::insert();
        q.into_table("users")
            .columns([
                "id",
                "email",
                "password_hash",
                "password_changed_at",
                "version",
                "created_at",
                "updated_at",
            ])
            .values_panic([
                id.into(),
                email.into(),
                hash.map(str::to_string).into(),
                Some(5i64).into(),
                3i64.into(),
                1i64.into(),
                2i64.into(),
            ]);
        db.conn().execute(&q).await.unwrap();
        let mut q = sea_orm::sea_query::Query::insert();
        q.into_table("memberships")
            .columns([
                "id",
                "studio_id",
                "user_id",
                "kind",
                "name",
                "time_zone",
                "status",
                "version",
                "created_at",
                "updated_at",
            ])
            .values_panic([
                Uuid::now_v7().into(),
                s.id.into(),
                id.into(),
                "staff".into(),
                "X".into(),
                "UTC".into(),
                "active".into(),
                1i64.into(),
                1i64.into(),
                1i64.into(),
            ]);
        db.conn().execute(&q).await.unwrap();
    }
    db.migrate().await.unwrap();
    let l = repo::person::find_login(db.conn(), LoginId::from_uuid(with))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(l.email, "kept@old.test");
    assert_eq!(l.password_hash.as_deref(), Some("$argon2id$v=19$kept"));
    assert_eq!(l.password_changed_at, Some(5));
    let u = repo::person::find_user(db.conn(), UserId::from_uuid(with))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u.login_id, Some(with));
    let u = repo::person::find_user(db.conn(), UserId::from_uuid(without))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u.login_id, None);
    assert!(
        repo::person::find_login_by_email(db.conn(), "invited@old.test")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        repo::person::memberships_of_login(db.conn(), LoginId::from_uuid(with))
            .await
            .unwrap()
            .len(),
        1
    );
}
