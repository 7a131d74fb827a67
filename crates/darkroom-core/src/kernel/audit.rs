//! Recording and reading the audit log.
//!
//! [`record`] is called inside the transaction of the change it describes, so
//! the entry exists if and only if the change does.

use darkroom_db::audit::{self as store, AuditQuery, ChainFault, NewEntry, PLATFORM_CHAIN};
use darkroom_db::entity::audit_entry;
use darkroom_db::sea_orm::ConnectionTrait;
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::Target;
use darkroom_domain::field::{DateOrInstant, SeverityName, Text};
use darkroom_domain::permission::Permission;
use darkroom_domain::{AuditId, BranchId, StudioId, Timestamp, TypedId, UserId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::listing::{self, Listing};
use crate::{Core, Meta, Principal};

/// Who did it, as the log records it.
#[derive(Clone, Debug)]
pub struct Who {
    pub user: Option<UserId>,
    pub label: String,
}

impl Who {
    pub fn of(p: &Principal) -> Self {
        Self {
            user: Some(p.user),
            label: p.label(),
        }
    }

    pub fn system(label: &str) -> Self {
        Self {
            user: None,
            label: label.into(),
        }
    }
}

/// One event to record.
#[derive(Clone, Debug)]
pub struct Event {
    /// `None`: the platform chain (events that belong to no studio).
    pub studio: Option<StudioId>,
    pub branch: Option<BranchId>,
    pub who: Who,
    /// Dotted, past tense: `branch.deleted`.
    pub event_type: &'static str,
    pub severity: Severity,
    pub target_type: &'static str,
    pub target_id: String,
    pub payload: serde_json::Value,
}

/// Appends `ev` inside the caller's transaction.
pub async fn record(
    core: &Core,
    c: &impl ConnectionTrait,
    meta: &Meta,
    ev: Event,
) -> CoreResult<()> {
    let chain = ev
        .studio
        .map(|s| s.uuid().to_string())
        .unwrap_or_else(|| PLATFORM_CHAIN.to_string());
    let payload = serde_json::to_string(&ev.payload).map_err(|e| CoreError::Internal(e.into()))?;
    store::append(
        c,
        NewEntry {
            id: AuditId::new().uuid(),
            chain,
            studio_id: ev.studio.map(|s| s.uuid()),
            branch_id: ev.branch.map(|b| b.uuid()),
            actor_user_id: ev.who.user.map(|u| u.uuid()),
            actor_label: ev.who.label,
            event_type: ev.event_type.into(),
            severity: ev.severity,
            target_type: ev.target_type.into(),
            target_id: ev.target_id,
            ip: meta.ip.clone(),
            payload,
            created_at: core.now().as_micros(),
        },
    )
    .await?;
    metrics::counter!("darkroom_audit_events_total", "event" => ev.event_type).increment(1);
    Ok(())
}

/// An audit entry as people read it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEntryView {
    pub id: AuditId,
    /// Position in the studio's chain, from 1.
    pub seq: i64,
    pub at: Timestamp,
    pub actor_id: Option<UserId>,
    pub actor: String,
    pub branch_id: Option<BranchId>,
    pub event_type: String,
    pub severity: Severity,
    pub target_type: String,
    pub target_id: String,
    pub ip: String,
    pub payload: serde_json::Value,
    /// This entry's hash; each entry's hash covers the previous one's.
    pub hash: String,
}

impl From<audit_entry::Model> for AuditEntryView {
    fn from(m: audit_entry::Model) -> Self {
        Self {
            id: AuditId::from_uuid(m.id),
            seq: m.seq,
            at: Timestamp::from_micros(m.created_at),
            actor_id: m.actor_user_id.map(UserId::from_uuid),
            actor: m.actor_label,
            branch_id: m.branch_id.map(BranchId::from_uuid),
            event_type: m.event_type,
            severity: m.severity,
            target_type: m.target_type,
            target_id: m.target_id,
            ip: m.ip,
            payload: serde_json::from_str(&m.payload).unwrap_or(serde_json::Value::Null),
            hash: m.hash,
        }
    }
}

/// Which entries of the audit log, as the API and the page send it.
macro_rules! audit_filter {
    ($(#[$m:meta])* $name:ident { $($extra:tt)* }) => {
        $(#[$m])*
        #[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::IntoParams)]
        #[serde(deny_unknown_fields)]
        #[into_params(parameter_in = Query)]
        pub struct $name {
            /// An event type (`branch.deleted`) or a prefix ending in a dot (`staff.`).
            pub event_type: Option<Text<100>>,
            /// Only entries of at least this severity.
            pub severity: Option<SeverityName>,
            /// Only entries by this staff member.
            pub actor: Option<UserId>,
            /// Only entries about this branch.
            pub branch: Option<BranchId>,
            /// From this date or instant (inclusive), e.g. `2026-11-01`.
            pub from: Option<DateOrInstant>,
            /// Before this date or instant (exclusive).
            pub to: Option<DateOrInstant>,
            $($extra)*
        }

        impl $name {
            fn to_query(&self) -> CoreResult<AuditQuery> {
                query(
                    &self.event_type,
                    &self.severity,
                    self.actor,
                    self.branch,
                    &self.from,
                    &self.to,
                )
            }
        }
    };
}

audit_filter!(
    /// Filters and paging for the audit log.
    AuditFilter {
        pub cursor: Option<crate::kernel::listing::SeqCursor>,
        /// Rows per page (default 50).
        pub limit: Option<crate::kernel::listing::ListLimit>,
    }
);

audit_filter!(
    /// Filters for an export (which holds every matching entry).
    AuditExportFilter {}
);

fn query(
    event_type: &Option<Text<100>>,
    severity: &Option<SeverityName>,
    actor: Option<UserId>,
    branch: Option<BranchId>,
    from: &Option<DateOrInstant>,
    to: &Option<DateOrInstant>,
) -> CoreResult<AuditQuery> {
    let mut errs = darkroom_domain::validate::FieldErrors::new();
    let event_type = event_type
        .as_ref()
        .and_then(|e| errs.check("event_type", e.check("the event type")))
        .flatten();
    let min_severity = severity.as_ref().and_then(|s| {
        errs.check("severity", s.check()).map(|min| {
            Severity::ALL
                .iter()
                .filter(|s| **s >= min)
                .copied()
                .collect()
        })
    });
    let from = from.as_ref().and_then(|f| errs.check("from", f.check()));
    let to = to.as_ref().and_then(|t| errs.check("to", t.check()));
    errs.into_result()?;
    Ok(AuditQuery {
        event_type,
        min_severity,
        actor: actor.map(|u| u.uuid()),
        branch: branch.map(|b| b.uuid()),
        from: from.map(Timestamp::as_micros),
        to: to.map(Timestamp::as_micros),
    })
}

/// A page of the studio's log, newest first.
pub async fn list(
    core: &Core,
    p: &Principal,
    f: &AuditFilter,
) -> CoreResult<Listing<AuditEntryView>> {
    core.authorize(p, Permission::AuditView, Target::STUDIO)?;
    let q = f.to_query()?;
    let page = listing::by_seq(f.cursor.as_deref(), f.limit)?;
    let rows = store::list(core.db().conn(), p.studio, &q, &page).await?;
    Ok(Listing {
        next_cursor: rows.next.map(listing::encode_seq),
        items: rows.items.into_iter().map(Into::into).collect(),
    })
}

/// Every matching entry, oldest first, for an export; the export is itself audited.
pub async fn export(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    f: &AuditExportFilter,
) -> CoreResult<Vec<AuditEntryView>> {
    core.authorize(p, Permission::AuditExport, Target::STUDIO)?;
    let q = f.to_query()?;
    let mut out = Vec::new();
    let mut page = darkroom_db::page::PageRequest::first(200);
    loop {
        let rows = store::list(core.db().conn(), p.studio, &q, &page).await?;
        out.extend(rows.items.into_iter().map(AuditEntryView::from));
        match rows.next {
            Some(n) => page.after = Some(n),
            None => break,
        }
        if out.len() > 1_000_000 {
            return Err(CoreError::invalid(
                "from",
                "more than a million entries match; narrow the dates",
            ));
        }
    }
    out.reverse();
    let tx = core.db().begin().await?;
    record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: None,
            who: Who::of(p),
            event_type: "audit.exported",
            severity: Severity::High,
            target_type: "audit_log",
            target_id: p.studio.to_string(),
            payload: serde_json::json!({ "entries": out.len(), "filter": {
                "event_type": f.event_type, "severity": f.severity, "actor": f.actor,
                "branch": f.branch, "from": f.from, "to": f.to } }),
        },
    )
    .await?;
    crate::commit(tx).await?;
    Ok(out)
}

/// The result of checking every chain.
#[derive(Clone, Debug)]
pub struct VerifyReport {
    pub chains: usize,
    pub entries: u64,
    pub faults: Vec<ChainFault>,
}

/// Re-computes every hash in every chain (for `darkroom audit verify`).
pub async fn verify_all(
    core: &Core,
    mut progress: impl FnMut(&str, u64),
) -> CoreResult<VerifyReport> {
    let chains = store::chains(core.db().conn()).await?;
    let mut report = VerifyReport {
        chains: chains.len(),
        entries: 0,
        faults: Vec::new(),
    };
    for chain in chains {
        let (n, faults) =
            store::verify_chain(core.db().conn(), &chain, |k| progress(&chain, k)).await?;
        report.entries += n;
        report.faults.extend(faults);
    }
    Ok(report)
}

/// The display name of a chain (a studio id, or `platform`).
pub fn chain_label(chain: &str) -> String {
    match Uuid::parse_str(chain) {
        Ok(u) => StudioId::from_uuid(u).to_string(),
        Err(_) => chain.to_string(),
    }
}
