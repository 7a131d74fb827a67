//! A converted lead becomes a project: the job the client asked about,
//! with the lead's day, venue and message.

use darkroom_db::entity::project;
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::project::{ProjectKind, ProjectStatus};
use darkroom_domain::{ProjectId, StudioId, TypedId};

use super::write::{default_name, insert};
use crate::Core;
use crate::crm::events::LeadConverted;
use crate::kernel::error::CoreResult;
use crate::kernel::registry::BoxFuture;

pub(crate) fn on_converted<'a>(
    core: &'a Core,
    tx: &'a darkroom_db::Tx,
    e: &'a LeadConverted,
) -> BoxFuture<'a, CoreResult<()>> {
    Box::pin(make(core, tx, e))
}

/// Makes the project of a converted lead, once: converting it again (after
/// it went back to an open stage) keeps the project it already has.
async fn make(core: &Core, tx: &darkroom_db::Tx, e: &LeadConverted) -> CoreResult<()> {
    let studio = StudioId::from_uuid(e.lead.studio_id);
    let existing = repo::project::Filter {
        lead: Some(e.lead.id),
        ..Default::default()
    };
    if !repo::project::list(tx, studio, &existing, 1)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let kind = e
        .lead
        .event_type
        .as_deref()
        .and_then(ProjectKind::guess)
        .unwrap_or(ProjectKind::Other);
    let branch = match e.lead.branch_id {
        Some(b) => {
            repo::branch::find(tx, studio, darkroom_domain::BranchId::from_uuid(b), false).await?
        }
        None => None,
    };
    let zone = match &branch {
        Some(b) => b.time_zone.clone(),
        None => repo::studio::find(tx, studio)
            .await?
            .map_or_else(|| "UTC".to_string(), |s| s.time_zone),
    };
    let am = project::ActiveModel {
        client_id: Set(e.client.uuid()),
        lead_id: Set(Some(e.lead.id)),
        name: Set(default_name(&e.lead.name, kind)),
        kind: Set(kind),
        status: Set(ProjectStatus::Scheduled),
        starts_on: Set(e.lead.event_date.clone()),
        time_zone: Set(zone),
        venue: Set(e.lead.venue.clone()),
        requests: Set(e.lead.message.clone()),
        ..Default::default()
    };
    insert(
        core,
        tx,
        &e.principal,
        &e.meta,
        ProjectId::new(),
        branch.as_ref(),
        am,
    )
    .await?;
    Ok(())
}
