//! Claiming people and resources for a booking, and what to say when the
//! database refuses: what conflicts, and the nearest free times.
//!
//! The database is the judge (decision 0024): a claim is inserted, and an
//! overlap with a live claim on the same holder's unit is refused there,
//! whatever the concurrency and however many app nodes. Nothing here checks
//! first and inserts second.

use std::collections::HashMap;
use std::time::Duration;

use darkroom_db::entity::booking_claim;
use darkroom_db::repo;
use darkroom_db::sea_orm::TransactionTrait;
use darkroom_db::{DbError, Tx};
use darkroom_domain::booking::{self, ClashKind, HolderKind, Span, minutes};
use darkroom_domain::permission::Permission;
use darkroom_domain::{BookingId, BranchId, ResourceId, StudioId, Timestamp, TypedId, UserId};
use serde::Serialize;
use uuid::Uuid;

use crate::kernel::error::{CoreError, CoreResult};
use crate::{Core, Principal};

/// One person or resource a booking will hold.
#[derive(Clone, Debug)]
pub struct Hold {
    pub kind: HolderKind,
    pub id: Uuid,
    pub role: String,
    /// Units of a resource (1 for a person).
    pub units: i64,
    /// How far before and after the session it is held.
    pub before: Duration,
    pub after: Duration,
}

impl Hold {
    pub fn range(&self, session: Span) -> Span {
        session.padded(self.before, self.after)
    }

    /// `usr_…` or `res_…`.
    pub fn shown_id(&self) -> String {
        shown(self.kind, self.id)
    }
}

pub fn shown(kind: HolderKind, id: Uuid) -> String {
    match kind {
        HolderKind::Staff => UserId::from_uuid(id).to_string(),
        HolderKind::Resource => ResourceId::from_uuid(id).to_string(),
    }
}

/// Why claiming stopped.
pub enum Refused {
    Clash,
    Db(DbError),
}

/// Inserts one claim for every hold. A person is one unit; a resource's
/// units are tried in turn (each in a savepoint, so a refused unit leaves
/// the transaction usable) until one is free. Holds are claimed in the
/// order of their ids, the same in every transaction, so two bookings of the
/// same people and things never wait for each other in a circle.
pub async fn claim_all(
    tx: &Tx,
    studio: StudioId,
    booking: BookingId,
    session: Span,
    holds: &[Hold],
    now: Timestamp,
) -> Result<(), Refused> {
    let mut ordered: Vec<&Hold> = holds.iter().collect();
    ordered.sort_by_key(|h| h.id);
    for h in ordered {
        let range = h.range(session);
        let taken: Vec<i64> = if h.units > 1 {
            repo::booking::live_claims_on(
                tx,
                studio,
                &[h.id],
                range.start.as_micros(),
                range.end.as_micros(),
            )
            .await
            .map_err(Refused::Db)?
            .into_iter()
            .map(|c| c.unit)
            .collect()
        } else {
            Vec::new()
        };
        let mut placed = false;
        for unit in (0..h.units.max(1)).filter(|u| !taken.contains(u)) {
            let row = booking_claim::Model {
                id: Uuid::now_v7(),
                studio_id: studio.uuid(),
                booking_id: booking.uuid(),
                holder_kind: h.kind,
                holder_id: h.id,
                unit,
                role: h.role.clone(),
                starts_at: range.start.as_micros(),
                ends_at: range.end.as_micros(),
                active: 1,
                created_at: now.as_micros(),
            };
            if claim_unit(tx, row).await? {
                placed = true;
                break;
            }
        }
        if !placed {
            return Err(Refused::Clash);
        }
    }
    Ok(())
}

/// How often a claim is tried again after PostgreSQL stopped a deadlock
/// on it. Each try waits for the other inserter, which by then holds its
/// claim alone, so the second try settles it; more are for bad luck.
const DEADLOCK_TRIES: usize = 5;

/// Inserts one claim in a savepoint: true if it is placed, false if the
/// unit is taken. Two transactions inserting overlapping claims at the same
/// instant can each find the other's row in the exclusion constraint's
/// check and wait for it; PostgreSQL fails one of them with a deadlock. That
/// one rolls back to its savepoint (its row is gone, the other goes on) and
/// tries again, now simply waiting for the other to commit or not.
async fn claim_unit(tx: &Tx, row: booking_claim::Model) -> Result<bool, Refused> {
    for _ in 0..DEADLOCK_TRIES {
        let sp = tx.begin().await.map_err(|e| Refused::Db(e.into()))?;
        match repo::booking::insert_claim(&sp, row.clone()).await {
            Ok(_) => {
                sp.commit().await.map_err(|e| Refused::Db(e.into()))?;
                return Ok(true);
            }
            Err(DbError::Overlap) => {
                metrics::counter!("darkroom_booking_overlaps_refused_total").increment(1);
                return Ok(false);
            }
            Err(DbError::Deadlock) => {
                metrics::counter!("darkroom_booking_claim_deadlocks_total").increment(1);
                tracing::debug!(
                    unit = row.unit,
                    "claim deadlocked with another; trying again"
                );
                sp.rollback().await.map_err(|e| Refused::Db(e.into()))?;
            }
            Err(e) => return Err(Refused::Db(e)),
        }
    }
    Err(Refused::Db(DbError::Deadlock))
}

/// One thing in the way of a booking.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Clash {
    /// The person (`usr_…`) or resource (`res_…`) that is taken.
    pub holder: String,
    pub name: String,
    /// `booking`, or the kind of time off (`time_off`, `block`, `external`).
    pub kind: ClashKind,
    /// The booking in the way, when the asker may see its branch.
    pub booking_id: Option<BookingId>,
    pub title: Option<String>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

/// A free time to offer instead.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Alternative {
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

/// The body of a refused booking (`current` of the 409).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Conflicts {
    pub conflicts: Vec<Clash>,
    /// The nearest start times (same length) at which everyone and
    /// everything asked for is free, nearest first.
    pub alternatives: Vec<Alternative>,
}

const SEARCH_REACH: Duration = Duration::from_secs(7 * 24 * 3600);

/// What is around a booking's time: the live claims and time off of its
/// holders, their names, and the bookings the claims belong to.
struct Around {
    claims: Vec<booking_claim::Model>,
    blocks: Vec<darkroom_db::entity::availability_block::Model>,
    names: HashMap<Uuid, String>,
    bookings: HashMap<Uuid, darkroom_db::entity::booking::Model>,
}

async fn around(core: &Core, studio: StudioId, area: Span, holds: &[Hold]) -> CoreResult<Around> {
    let c = core.db().conn();
    let ids: Vec<Uuid> = holds.iter().map(|h| h.id).collect();
    let (from, to) = (area.start.as_micros(), area.end.as_micros());
    let claims = repo::booking::live_claims_on(c, studio, &ids, from, to).await?;
    let staff: Vec<Uuid> = holds
        .iter()
        .filter(|h| h.kind == HolderKind::Staff)
        .map(|h| h.id)
        .collect();
    let blocks = repo::schedule::blocks_of(c, studio, &staff, from, to).await?;
    let names = repo::booking::holder_names(c, studio, &ids).await?;
    let booking_ids: Vec<Uuid> = claims.iter().map(|c| c.booking_id).collect();
    let bookings = repo::booking::by_ids(c, studio, &booking_ids)
        .await?
        .into_iter()
        .map(|b| (b.id, b))
        .collect();
    Ok(Around {
        claims,
        blocks,
        names,
        bookings,
    })
}

/// What stands in the way of `holds` at `session` (live claims of other
/// bookings, and staff time off), or an empty list.
pub async fn clashes(
    core: &Core,
    p: &Principal,
    session: Span,
    holds: &[Hold],
    except: Option<BookingId>,
) -> CoreResult<Vec<Clash>> {
    let a = around(core, p.studio, outer_range(session, holds), holds).await?;
    let visible = core.branch_filter(p, Permission::BookingView);
    let mut out = Vec::new();
    for h in holds {
        out.extend(clashes_of(&a, h, h.range(session), except, &visible));
    }
    Ok(out)
}

/// What is in the way of one hold over `range`.
fn clashes_of(
    a: &Around,
    h: &Hold,
    range: Span,
    except: Option<BookingId>,
    visible: &darkroom_domain::authz::BranchFilter,
) -> Vec<Clash> {
    let (from, to) = (range.start.as_micros(), range.end.as_micros());
    let name = a.names.get(&h.id).cloned().unwrap_or_default();
    let mine: Vec<&booking_claim::Model> = a
        .claims
        .iter()
        .filter(|c| c.holder_id == h.id && Some(c.booking_id) != except.map(|b| b.uuid()))
        .filter(|c| c.starts_at < to && from < c.ends_at)
        .collect();
    // A resource with units left is not in the way.
    let mut used: Vec<i64> = mine.iter().map(|c| c.unit).collect();
    used.sort();
    used.dedup();
    let units_left = i64::try_from(used.len()).unwrap_or(i64::MAX) < h.units;
    let mut out = Vec::new();
    for c in mine.into_iter().filter(|_| !units_left) {
        let b = a.bookings.get(&c.booking_id);
        // A booking of a branch the asker may not see is in the way, unnamed.
        let seen = b.filter(|b| visible.allows(BranchId::from_uuid(b.branch_id)));
        out.push(Clash {
            holder: h.shown_id(),
            name: name.clone(),
            kind: ClashKind::Booking,
            booking_id: seen.map(|b| BookingId::from_uuid(b.id)),
            title: seen.map(|b| b.title.clone()),
            starts_at: Timestamp::from_micros(c.starts_at),
            ends_at: Timestamp::from_micros(c.ends_at),
        });
    }
    for b in a
        .blocks
        .iter()
        .filter(|b| b.user_id == h.id && b.starts_at < to && from < b.ends_at)
    {
        out.push(Clash {
            holder: h.shown_id(),
            name: name.clone(),
            kind: b.kind.into(),
            booking_id: None,
            title: b.reason.clone(),
            starts_at: Timestamp::from_micros(b.starts_at),
            ends_at: Timestamp::from_micros(b.ends_at),
        });
    }
    out
}

fn outer_range(session: Span, holds: &[Hold]) -> Span {
    let before = holds.iter().map(|h| h.before).max().unwrap_or_default();
    let after = holds.iter().map(|h| h.after).max().unwrap_or_default();
    session.padded(before, after)
}

/// The nearest session starts (within a week either side, not in the past)
/// at which every hold is free.
pub async fn alternatives(
    core: &Core,
    studio: StudioId,
    session: Span,
    holds: &[Hold],
    except: Option<BookingId>,
) -> CoreResult<Vec<Alternative>> {
    let area = outer_range(session, holds).padded(SEARCH_REACH, SEARCH_REACH);
    let a = around(core, studio, area, holds).await?;
    let span_of = |s: i64, e: i64| Span {
        start: Timestamp::from_micros(s),
        end: Timestamp::from_micros(e),
    };
    // Each holder's busy time, moved into the session's frame: a session
    // `s` is free for holder `h` when `s` widened by h's padding meets none.
    let mut busy: Vec<Span> = Vec::new();
    for h in holds {
        let spans: Vec<Span> = a
            .claims
            .iter()
            .filter(|c| c.holder_id == h.id && Some(c.booking_id) != except.map(|b| b.uuid()))
            .map(|c| span_of(c.starts_at, c.ends_at))
            .chain(
                a.blocks
                    .iter()
                    .filter(|b| b.user_id == h.id)
                    .map(|b| span_of(b.starts_at, b.ends_at)),
            )
            .collect();
        let full = booking::saturated(&spans, usize::try_from(h.units.max(1)).unwrap_or(1));
        busy.extend(full.into_iter().map(|s| Span {
            start: s.start.minus(h.after),
            end: s.end.plus(h.before),
        }));
    }
    let found = booking::nearest_free(
        session,
        (Duration::ZERO, Duration::ZERO),
        &busy,
        minutes(15),
        SEARCH_REACH,
        core.now(),
        3,
    );
    Ok(found
        .into_iter()
        .map(|s| Alternative {
            starts_at: s.start,
            ends_at: s.end,
        })
        .collect())
}

/// The 409 of a refused booking: what is in the way, and where it would fit.
pub async fn refusal(
    core: &Core,
    p: &Principal,
    session: Span,
    holds: &[Hold],
    except: Option<BookingId>,
    zone: &str,
) -> CoreResult<CoreError> {
    let conflicts = clashes(core, p, session, holds, except).await?;
    let alternatives = alternatives(core, p.studio, session, holds, except).await?;
    Ok(conflict_error(
        Conflicts {
            conflicts,
            alternatives,
        },
        zone,
    ))
}

pub fn conflict_error(c: Conflicts, zone: &str) -> CoreError {
    let when = |t: Timestamp| t.date_time(zone, "en");
    let what: Vec<String> = c
        .conflicts
        .iter()
        .take(3)
        .map(|x| {
            let label = match (x.kind, &x.title) {
                (ClashKind::Booking, Some(t)) => format!("booked for “{t}”"),
                (ClashKind::Booking, None) => "booked".to_string(),
                (ClashKind::TimeOff, _) => "on time off".to_string(),
                (ClashKind::External, _) => "busy in their own calendar".to_string(),
                (ClashKind::Block, _) => "blocked".to_string(),
            };
            format!(
                "{} is {label} from {} to {}",
                x.name,
                when(x.starts_at),
                when(x.ends_at)
            )
        })
        .collect();
    let mut message = if what.is_empty() {
        "someone or something asked for is already booked at that time".to_string()
    } else {
        what.join("; ")
    };
    if c.alternatives.is_empty() {
        message.push_str("; no free time was found within a week: pick other people or resources");
    } else {
        let alts: Vec<String> = c.alternatives.iter().map(|a| when(a.starts_at)).collect();
        message.push_str(&format!("; free instead: {}", alts.join(", ")));
    }
    CoreError::Conflict {
        code: "booking_conflict",
        message,
        current: serde_json::to_value(&c).ok(),
    }
}
