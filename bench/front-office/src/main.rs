//! The front office benchmark (see `run.sh`): over a studio with N clients
//! and N bookings (people and rooms held year-round), on the engine the URL
//! names, it measures
//! - client search (`crm::client::list` with a name, email or phone part),
//! - a 30-day free-slot search of one session type (`free_slots`),
//! - 64 concurrent clients booking one week through the booking use case,
//!   then counts live claims that overlap (the database must leave none).
//!
//! The rows are seeded in batches straight into the tables (the measured
//! paths are the reads and the booking writes, not the seeding).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use darkroom_core::bookings::availability::{self, Hours, WeekHours};
use darkroom_core::bookings::new::{self, NewBooking};
use darkroom_core::bookings::resource::{self, NewResource};
use darkroom_core::crm::client::{self, ClientFilter};
use darkroom_core::studio::setup::SetupInput;
use darkroom_core::{Core, Meta, Principal};
use darkroom_db::entity::{booking, booking_claim, client as client_row, session_type};
use darkroom_db::sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, Statement};
use darkroom_domain::booking::{BookingKind, BookingStatus, HolderKind, LocationKind};
use darkroom_domain::field::Ranged;
use darkroom_domain::{ResourceId, Timestamp, TypedId};

const ROOMS: usize = 30;
const PEOPLE: usize = 50;
const HOUR: i64 = 3_600_000_000;

/// A small deterministic generator (the runs are comparable).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }
}

const SYLLABLES: [&str; 24] = [
    "an", "ya", "ra", "vi", "ka", "mi", "jo", "su", "le", "na", "ho", "pa", "ri", "de", "so", "ma",
    "ki", "lu", "ne", "ta", "bo", "ji", "yu", "sh",
];

fn name(r: &mut Rng) -> String {
    let mut part = || {
        let n = 2 + r.below(2);
        let mut s: String = (0..n)
            .map(|_| SYLLABLES[r.below(SYLLABLES.len())])
            .collect();
        s[..1].make_ascii_uppercase();
        s
    };
    format!("{} {}", part(), part())
}

/// `n` with two letters of its last word swapped (a typing slip).
fn typo(n: &str) -> String {
    let mut c: Vec<char> = n.chars().collect();
    let k = c.len() - 2;
    c.swap(k, k - 1);
    c.into_iter().collect()
}

fn percentile(mut v: Vec<Duration>, p: f64) -> Duration {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i.min(v.len() - 1)]
}

fn report(what: &str, v: Vec<Duration>, target_ms: u64) {
    let (p50, p99) = (percentile(v.clone(), 0.5), percentile(v, 0.99));
    let ok = if p99 <= Duration::from_millis(target_ms) {
        "meets"
    } else {
        "MISSES"
    };
    println!(
        "{what}: p50 {:.1} ms, p99 {:.1} ms ({ok} the {target_ms} ms p99 target)",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
}

async fn seed_clients(core: &Core, owner: &Principal, n: usize, rng: &mut Rng) -> Vec<String> {
    let now = core.now().as_micros();
    let mut names = Vec::with_capacity(n);
    let mut batch = Vec::new();
    for i in 0..n {
        let nm = name(rng);
        names.push(nm.clone());
        let email = format!("{}.{i}@example.com", nm.to_lowercase().replace(' ', "."));
        batch.push(client_row::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            studio_id: Set(owner.studio.uuid()),
            kind: Set(darkroom_domain::names::ClientKind::Person),
            name: Set(nm),
            email: Set(Some(email)),
            phone: Set(Some(format!(
                "+91 98{:03} {:05}",
                i % 1000,
                (i * 7919) % 100_000
            ))),
            tags: Set(if i % 7 == 0 {
                "|wedding|".into()
            } else {
                String::new()
            }),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
        if batch.len() == 500 || i + 1 == n {
            client_row::Entity::insert_many(std::mem::take(&mut batch))
                .exec(core.db().conn())
                .await
                .unwrap();
        }
    }
    let t = Instant::now();
    let indexed = client::reindex_all(core, owner.studio).await.unwrap();
    println!(
        "indexed {indexed} clients for search in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    names
}

/// Bookings every 30 minutes from two years ago, an hour each, each holding
/// one of 50 people (the owner among them) and one of 30 rooms: consecutive
/// ones overlap but never share a holder.
async fn seed_bookings(
    core: &Core,
    owner: &Principal,
    branch: uuid::Uuid,
    rooms: &[ResourceId],
    n: usize,
) {
    let now = core.now().as_micros();
    let start0 = now - 2 * 365 * 24 * HOUR;
    let people: Vec<uuid::Uuid> = (0..PEOPLE)
        .map(|i| {
            if i == 0 {
                owner.user.uuid()
            } else {
                uuid::Uuid::now_v7()
            }
        })
        .collect();
    let (mut bs, mut cs) = (Vec::new(), Vec::new());
    for i in 0..n {
        let id = uuid::Uuid::now_v7();
        let s = start0 + i as i64 * HOUR / 2;
        bs.push(booking::ActiveModel::from(booking::Model {
            id,
            studio_id: owner.studio.uuid(),
            branch_id: branch,
            client_id: None,
            session_type_id: None,
            kind: BookingKind::Session,
            status: BookingStatus::Scheduled,
            title: format!("Session {i}"),
            starts_at: s,
            ends_at: s + HOUR,
            time_zone: "Asia/Kolkata".into(),
            location: None,
            travel_minutes: 0,
            buffer_before_minutes: 0,
            buffer_after_minutes: 0,
            notes: None,
            cancel_reason: None,
            sequence: 0,
            reminded_at: Some(now),
            manage_token_hash: None,
            created_by: None,
            group_of: None,
            version: 1,
            created_at: now,
            updated_at: now,
        }));
        for (kind, holder) in [
            (HolderKind::Staff, people[i % PEOPLE]),
            (HolderKind::Resource, rooms[i % ROOMS].uuid()),
        ] {
            cs.push(booking_claim::ActiveModel::from(booking_claim::Model {
                id: uuid::Uuid::now_v7(),
                studio_id: owner.studio.uuid(),
                booking_id: id,
                holder_kind: kind,
                holder_id: holder,
                unit: 0,
                role: "seed".into(),
                starts_at: s,
                ends_at: s + HOUR,
                active: 1,
                created_at: now,
            }));
        }
        if bs.len() == 500 || i + 1 == n {
            let c = core.db().conn();
            booking::Entity::insert_many(std::mem::take(&mut bs))
                .exec(c)
                .await
                .unwrap();
            booking_claim::Entity::insert_many(std::mem::take(&mut cs))
                .exec(c)
                .await
                .unwrap();
        }
    }
}

async fn setup(core: &Core, meta: &Meta) -> (Principal, uuid::Uuid, Vec<ResourceId>) {
    let (_, owner) = darkroom_core::testing::studio(
        core,
        SetupInput {
            studio_name: "Bench Studio".into(),
            currency: "INR".into(),
            time_zone: "Asia/Kolkata".into(),
            locale: "en-IN".into(),
            owner_name: "Bench Owner".into(),
            email: "owner@bench.test".into(),
            password: "correct horse battery staple".into(),
        },
    )
    .await
    .unwrap();
    let branch = darkroom_core::bookings::branches(core, &owner)
        .await
        .unwrap()[0]
        .id;
    let mut rooms = Vec::new();
    for i in 0..ROOMS {
        let r = NewResource {
            id: None,
            branch_id: branch,
            kind: "room".into(),
            name: format!("Room {i}").into(),
            serial_number: None,
            quantity: None,
            status: None,
            notes: None,
        };
        rooms.push(resource::create(core, &owner, meta, r).await.unwrap().id);
    }
    let hours = (1..=7)
        .map(|d| Hours {
            branch_id: branch,
            weekday: d,
            from: "09:00".into(),
            to: "18:00".into(),
        })
        .collect();
    availability::set_hours(core, &owner, meta, owner.user, WeekHours { hours })
        .await
        .unwrap();
    (owner, branch.uuid(), rooms)
}

async fn bench_search(core: &Core, owner: &Principal, names: &[String], rng: &mut Rng) {
    let mut times = Vec::new();
    for i in 0..300 {
        let n = &names[rng.below(names.len())];
        let q = match i % 4 {
            0 => n.split(' ').next().unwrap_or("an")[..3.min(n.len())].to_string(),
            1 => format!("{}.", n.to_lowercase().split(' ').nth(1).unwrap_or("an")),
            2 => typo(n),
            _ => format!("98{:03}", rng.below(1000)),
        };
        let f = ClientFilter {
            q: Some(q.as_str().into()),
            ..Default::default()
        };
        let t = Instant::now();
        let found = client::list(core, owner, &f).await.unwrap();
        times.push(t.elapsed());
        assert!(!found.is_empty() || i % 4 == 3, "nothing found for {q}");
    }
    report(
        "client search (300 queries: a name's start, an email's start, a whole name with a typo, phone digits)",
        times,
        50,
    );
}

async fn bench_slots(core: &Core, owner: &Principal, branch: uuid::Uuid, rooms: &[ResourceId]) {
    let now = core.now();
    let t = session_type::Model {
        id: uuid::Uuid::now_v7(),
        studio_id: owner.studio.uuid(),
        branch_id: branch,
        name: "Portrait".into(),
        slug: "portrait".into(),
        kind: BookingKind::Session,
        description: None,
        duration_minutes: 60,
        buffer_before_minutes: 0,
        buffer_after_minutes: 15,
        min_notice_minutes: 0,
        horizon_days: 365,
        increment_minutes: 30,
        location_kind: LocationKind::Studio,
        capacity: 1,
        public: 1,
        requires_approval: 0,
        staff_ids: format!("|{}|", owner.user.uuid()),
        resource_ids: format!("|{}|", rooms[0].uuid()),
        version: 1,
        created_at: now.as_micros(),
        updated_at: now.as_micros(),
        deleted_at: None,
    };
    let mut times = Vec::new();
    let mut found = 0;
    for d in 0..200u64 {
        let from = now.plus(Duration::from_secs(d % 60 * 86_400));
        let start = Instant::now();
        let slots = availability::free_slots(
            core,
            owner.studio,
            &t,
            from,
            from.plus(Duration::from_secs(30 * 86_400)),
        )
        .await
        .unwrap();
        times.push(start.elapsed());
        found += slots.len();
    }
    println!(
        "   ({} free starts found on average per 30 days)",
        found / 200
    );
    report("free-slot search (200 searches of 30 days)", times, 50);
}

async fn bench_booking(core: &Core, owner: &Principal, rooms: &[ResourceId]) {
    let branch = darkroom_core::bookings::branches(core, owner)
        .await
        .unwrap()[0]
        .id;
    // A week a year and a half ahead, beyond the seeded rows: only the contenders compete.
    let week0 = core
        .now()
        .plus(Duration::from_secs(600 * 86_400))
        .as_micros();
    let started = Instant::now();
    let tasks: Vec<_> = (0..64u64)
        .map(|w| {
            let (core, owner, rooms) = (core.clone(), owner.clone(), rooms.to_vec());
            tokio::spawn(async move {
                let mut rng = Rng(0x9E37_79B9 ^ ((w + 1) * 0x1000_0001));
                let (mut times, mut won, mut refused) = (Vec::new(), 0, 0);
                for _ in 0..40 {
                    let slot = i64::try_from(rng.below(7 * 24 * 2)).unwrap_or(0);
                    let s = Timestamp::from_micros(week0 + slot * HOUR / 2);
                    let room = rooms[rng.below(5)];
                    let input = NewBooking {
                        id: None,
                        branch_id: branch,
                        client_id: None,
                        session_type_id: None,
                        kind: None,
                        status: None,
                        title: "Contended".into(),
                        starts_at: s,
                        ends_at: s.plus(Duration::from_secs(3600)),
                        time_zone: None,
                        location: None,
                        travel_minutes: None,
                        buffer_before_minutes: None,
                        buffer_after_minutes: Some(Ranged(0)),
                        notes: None,
                        staff: None,
                        resource_ids: Some(vec![room]),
                        package_id: None,
                    };
                    let t = Instant::now();
                    match new::create(&core, &owner, &Meta::system(), input).await {
                        Ok(_) => won += 1,
                        Err(e) if e.code() == "booking_conflict" => refused += 1,
                        Err(e) => panic!("unexpected: {e}"),
                    }
                    times.push(t.elapsed());
                }
                (times, won, refused)
            })
        })
        .collect();
    let (mut times, mut won, mut refused) = (Vec::new(), 0, 0);
    for t in tasks {
        let (ts, w, r) = t.await.unwrap();
        times.extend(ts);
        won += w;
        refused += r;
    }
    let secs = started.elapsed().as_secs_f64();
    let total = times.len();
    // The issue sets no latency target here: throughput, p99 and zero double bookings.
    let (p50, p99) = (percentile(times.clone(), 0.5), percentile(times, 0.99));
    println!(
        "booking, 64 concurrent clients on one week of 5 rooms: {total} attempts in {secs:.1} s ({:.0}/s), {won} booked, {refused} refused with alternatives; p50 {:.1} ms, p99 {:.1} ms",
        total as f64 / secs,
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
    let c = core.db().conn();
    // Bounded like the engine's own check: no claim runs longer than 31 days.
    let sql = "SELECT COUNT(*) AS n FROM booking_claims a JOIN booking_claims b ON a.holder_id = b.holder_id AND a.unit = b.unit \
               AND b.starts_at > a.starts_at - 2678400000000 AND b.starts_at < a.ends_at \
               AND a.id <> b.id AND a.active = 1 AND b.active = 1 AND a.starts_at < b.ends_at";
    let row = c
        .query_one_raw(Statement::from_string(c.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    let n: i64 = row.try_get("", "n").unwrap();
    println!(
        "double bookings counted afterwards (overlapping live claims of one holder, whole database): {n}"
    );
    assert_eq!(n, 0, "a holder is double-booked");
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "sqlite::memory:".into());
    let n_clients: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let n_bookings: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let core = darkroom_core::testing::core_for(&url).await.unwrap();
    let meta = Meta::system();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let t = Instant::now();
    let (owner, branch, rooms) = setup(&core, &meta).await;
    let names = seed_clients(&core, &owner, n_clients, &mut rng).await;
    seed_bookings(&core, &owner, branch, &rooms, n_bookings).await;
    // The state a live database is in (PostgreSQL's autovacuum, which
    // vacuums and analyzes a table after bulk inserts; SQLite's `ANALYZE`):
    // without statistics a bulk load of two million search terms is planned
    // as if the table were empty, and until a vacuum marks the pages
    // all-visible PostgreSQL's index-only scans of the terms still read
    // every heap page they point into.
    let settle = match core.db().conn().get_database_backend() {
        darkroom_db::sea_orm::DatabaseBackend::Postgres => "VACUUM ANALYZE",
        _ => "ANALYZE",
    };
    core.db().conn().execute_unprepared(settle).await.unwrap();
    println!(
        "seeded {n_clients} clients and {n_bookings} bookings ({} claims) in {:.1} s",
        n_bookings * 2,
        t.elapsed().as_secs_f64()
    );
    bench_search(&core, &owner, &names, &mut rng).await;
    bench_slots(&core, &owner, branch, &rooms).await;
    bench_booking(&core, &owner, &rooms).await;
}
