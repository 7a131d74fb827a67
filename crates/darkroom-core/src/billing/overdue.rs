//! The worker's part: invoices whose due day has passed in their branch's
//! zone become overdue.

use std::collections::HashMap;

use darkroom_db::entity::invoice;
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::billing::InvoiceStatus;
use darkroom_domain::{BranchId, StudioId, TypedId};

use crate::Core;
use crate::kernel::error::CoreResult;
use crate::kernel::registry::BoxFuture;
use crate::kernel::write;

pub(crate) fn overdue_chore(core: Core) -> BoxFuture<'static, CoreResult<()>> {
    Box::pin(async move { mark_overdue(&core).await.map(|_| ()) })
}

/// Marks the invoices past their due day; returns how many.
pub async fn mark_overdue(core: &Core) -> CoreResult<usize> {
    let c = core.db().conn();
    // A day ahead of UTC covers every zone's today.
    let utc = darkroom_domain::booking::calendar::today(core.now(), "UTC");
    let horizon = utc.tomorrow().unwrap_or(utc).to_string();
    let mut zones: HashMap<uuid::Uuid, String> = HashMap::new();
    let mut marked = 0;
    for m in repo::billing::past_due_all(c, &horizon, 1000).await? {
        let studio = StudioId::from_uuid(m.studio_id);
        let zone = match zones.get(&m.branch_id) {
            Some(z) => z.clone(),
            None => {
                let z = repo::branch::find(c, studio, BranchId::from_uuid(m.branch_id), true)
                    .await?
                    .map_or_else(|| "UTC".to_string(), |b| b.time_zone);
                zones.insert(m.branch_id, z.clone());
                z
            }
        };
        let today = darkroom_domain::booking::calendar::today(core.now(), &zone).to_string();
        if m.due_on.as_deref().is_none_or(|d| d >= today.as_str()) {
            continue;
        }
        let am = invoice::ActiveModel {
            status: Set(InvoiceStatus::Overdue),
            ..Default::default()
        };
        // A payment landing meanwhile wins; the next round looks again.
        if write::try_update::<invoice::Entity>(core, c, studio, m.id, m.version, am)
            .await?
            .is_ok()
        {
            marked += 1;
        }
    }
    Ok(marked)
}
