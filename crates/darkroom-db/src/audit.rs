//! The append-only audit log.
//!
//! Rows are only ever inserted: this module has no update or delete. Each
//! entry is hash-chained to the previous entry of its chain (one chain per
//! studio, plus `platform` for events that belong to no studio). Appends to a
//! chain are serialised: SQLite's write transactions already are (`BEGIN
//! IMMEDIATE`), and on PostgreSQL a transaction-scoped advisory lock on the
//! chain is taken first.

use darkroom_domain::audit::Severity;
use darkroom_domain::audit::{ChainFields, GENESIS_HASH, entry_hash};
use darkroom_domain::{StudioId, TypedId};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};
use uuid::Uuid;

use crate::DbResult;
use crate::entity::audit_entry::{ActiveModel, Column, Entity, Model};
use crate::page::{Page, PageRequest};

/// The chain for events that belong to no studio.
pub const PLATFORM_CHAIN: &str = "platform";

/// An entry to append; `seq`, `prev_hash` and `hash` are computed here.
#[derive(Clone, Debug)]
pub struct NewEntry {
    pub id: Uuid,
    pub chain: String,
    pub studio_id: Option<Uuid>,
    pub branch_id: Option<Uuid>,
    pub actor_user_id: Option<Uuid>,
    pub actor_label: String,
    pub event_type: String,
    pub severity: Severity,
    pub target_type: String,
    pub target_id: String,
    pub ip: String,
    /// Canonical JSON text; stored and hashed exactly as given.
    pub payload: String,
    pub created_at: i64,
}

/// Computes the hash a row should carry given its predecessor's hash.
pub fn expected_hash(m: &Model) -> String {
    let id = m.id.to_string();
    let actor = m.actor_user_id.map(|u| u.to_string()).unwrap_or_default();
    let branch = m.branch_id.map(|b| b.to_string()).unwrap_or_default();
    entry_hash(&ChainFields {
        chain: &m.chain,
        seq: m.seq,
        id: &id,
        created_at_micros: m.created_at,
        actor: &actor,
        actor_label: &m.actor_label,
        branch: &branch,
        event_type: &m.event_type,
        severity: m.severity.name(),
        target_type: &m.target_type,
        target_id: &m.target_id,
        ip: &m.ip,
        payload: &m.payload,
        prev_hash: &m.prev_hash,
    })
}

/// Appends an entry to its chain, inside the caller's transaction.
pub async fn append(c: &impl ConnectionTrait, e: NewEntry) -> DbResult<Model> {
    if c.get_database_backend() == DbBackend::Postgres {
        c.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtext($1))",
            [format!("audit:{}", e.chain).into()],
        ))
        .await?;
    }
    let last = Entity::find()
        .filter(Column::Chain.eq(e.chain.clone()))
        .order_by_desc(Column::Seq)
        .limit(1)
        .one(c)
        .await?;
    let (seq, prev_hash) = match last {
        Some(l) => (l.seq + 1, l.hash),
        None => (1, GENESIS_HASH.to_string()),
    };
    let mut row = Model {
        id: e.id,
        chain: e.chain,
        seq,
        studio_id: e.studio_id,
        branch_id: e.branch_id,
        actor_user_id: e.actor_user_id,
        actor_label: e.actor_label,
        event_type: e.event_type,
        severity: e.severity,
        target_type: e.target_type,
        target_id: e.target_id,
        ip: e.ip,
        payload: e.payload,
        created_at: e.created_at,
        prev_hash,
        hash: String::new(),
    };
    row.hash = expected_hash(&row);
    Ok(ActiveModel::from(row).insert(c).await?)
}

/// Filters for reading a studio's log.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    /// Exact event type, or a prefix ending in `.` (`staff.`).
    pub event_type: Option<String>,
    pub min_severity: Option<Vec<Severity>>,
    pub actor: Option<Uuid>,
    pub branch: Option<Uuid>,
    pub from: Option<i64>,
    pub to: Option<i64>,
}

/// Newest first; the cursor is the last `seq` seen.
pub async fn list(
    c: &impl ConnectionTrait,
    studio: StudioId,
    q: &AuditQuery,
    page: &PageRequest<i64>,
) -> DbResult<Page<Model, i64>> {
    let mut cond = Condition::all().add(Column::Chain.eq(studio.uuid().to_string()));
    if let Some(t) = &q.event_type {
        if let Some(prefix) = t.strip_suffix('.') {
            cond =
                cond.add(Column::EventType.like(format!("{}.%", prefix.replace(['%', '_'], ""))));
        } else {
            cond = cond.add(Column::EventType.eq(t.clone()));
        }
    }
    if let Some(s) = &q.min_severity {
        cond = cond.add(Column::Severity.is_in(s.clone()));
    }
    if let Some(a) = q.actor {
        cond = cond.add(Column::ActorUserId.eq(a));
    }
    if let Some(b) = q.branch {
        cond = cond.add(Column::BranchId.eq(b));
    }
    if let Some(f) = q.from {
        cond = cond.add(Column::CreatedAt.gte(f));
    }
    if let Some(t) = q.to {
        cond = cond.add(Column::CreatedAt.lt(t));
    }
    if let Some(after) = page.after {
        cond = cond.add(Column::Seq.lt(after));
    }
    let rows = Entity::find()
        .filter(cond)
        .order_by_desc(Column::Seq)
        .limit(page.probe_limit())
        .all(c)
        .await?;
    Ok(Page::from_probe(rows, page, |m| m.seq))
}

/// Every chain that has entries.
pub async fn chains(c: &impl ConnectionTrait) -> DbResult<Vec<String>> {
    let rows: Vec<String> = Entity::find()
        .select_only()
        .column(Column::Chain)
        .distinct()
        .into_tuple()
        .all(c)
        .await?;
    Ok(rows)
}

/// Reads a chain in order, `batch` rows at a time, after `after_seq`.
pub async fn chain_batch(
    c: &impl ConnectionTrait,
    chain: &str,
    after_seq: i64,
    batch: u64,
) -> DbResult<Vec<Model>> {
    Ok(Entity::find()
        .filter(Column::Chain.eq(chain))
        .filter(Column::Seq.gt(after_seq))
        .order_by_asc(Column::Seq)
        .limit(batch)
        .all(c)
        .await?)
}

/// How many entries of `event_type` a studio's chain holds (for tests and reports).
pub async fn count_events(
    c: &impl ConnectionTrait,
    studio: StudioId,
    event_type: &str,
) -> DbResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(Entity::find()
        .filter(Column::Chain.eq(studio.uuid().to_string()))
        .filter(Column::EventType.eq(event_type))
        .count(c)
        .await?)
}

/// A problem found by [`verify_chain`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainFault {
    pub chain: String,
    pub seq: i64,
    pub id: Uuid,
    pub problem: String,
}

/// Walks one chain from its start and reports every entry whose hash, link
/// or sequence number is not what an untouched log would hold.
pub async fn verify_chain(
    c: &impl ConnectionTrait,
    chain: &str,
    mut progress: impl FnMut(u64),
) -> DbResult<(u64, Vec<ChainFault>)> {
    let mut faults = Vec::new();
    let mut prev_hash = GENESIS_HASH.to_string();
    let mut expected_seq = 1;
    let mut checked = 0u64;
    let mut after = 0;
    loop {
        let rows = chain_batch(c, chain, after, 1000).await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            if r.seq != expected_seq {
                faults.push(ChainFault {
                    chain: chain.into(),
                    seq: r.seq,
                    id: r.id,
                    problem: format!(
                        "sequence jumps from {} to {}: entries were deleted",
                        expected_seq - 1,
                        r.seq
                    ),
                });
            }
            if r.prev_hash != prev_hash {
                faults.push(ChainFault {
                    chain: chain.into(),
                    seq: r.seq,
                    id: r.id,
                    problem: "does not link to the previous entry's hash".into(),
                });
            }
            if expected_hash(r) != r.hash {
                faults.push(ChainFault {
                    chain: chain.into(),
                    seq: r.seq,
                    id: r.id,
                    problem: "content does not match its hash: the row was edited".into(),
                });
            }
            prev_hash = r.hash.clone();
            expected_seq = r.seq + 1;
            after = r.seq;
            checked += 1;
        }
        progress(checked);
    }
    Ok((checked, faults))
}

/// The newest entry of `event_type` about `target_id` in a studio's chain.
pub async fn latest_about(
    c: &impl ConnectionTrait,
    studio: StudioId,
    event_type: &str,
    target_id: &str,
) -> DbResult<Option<Model>> {
    Ok(Entity::find()
        .filter(Column::Chain.eq(studio.uuid().to_string()))
        .filter(Column::EventType.eq(event_type))
        .filter(Column::TargetId.eq(target_id))
        .order_by_desc(Column::Seq)
        .one(c)
        .await?)
}
