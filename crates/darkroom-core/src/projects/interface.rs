//! What the other contexts (and the server's pages of them) may ask of
//! projects: the jobs of a client, and the job a lead became.

use darkroom_db::repo;
use darkroom_domain::{ClientId, LeadId, TypedId};

pub use super::ProjectView;
use super::{authorize_read, views};
use crate::kernel::error::CoreResult;
use crate::{Core, Principal};

/// The live projects of a client, soonest first.
pub async fn of_client(
    core: &Core,
    p: &Principal,
    client: ClientId,
) -> CoreResult<Vec<ProjectView>> {
    authorize_read(core, p)?;
    let c = core.db().conn();
    let f = repo::project::Filter {
        client: Some(client.uuid()),
        ..Default::default()
    };
    views(
        c,
        p.studio,
        repo::project::list(c, p.studio, &f, 200).await?,
    )
    .await
}

/// The project a converted lead became, if any.
pub async fn of_lead(core: &Core, p: &Principal, lead: LeadId) -> CoreResult<Option<ProjectView>> {
    authorize_read(core, p)?;
    let c = core.db().conn();
    let f = repo::project::Filter {
        lead: Some(lead.uuid()),
        ..Default::default()
    };
    let rows = repo::project::list(c, p.studio, &f, 1).await?;
    Ok(views(c, p.studio, rows).await?.pop())
}

/// The live projects of a client, for the client's own portal (no staff
/// member asks: the caller has proven it is the client).
pub async fn of_client_for_client(
    c: &impl darkroom_db::sea_orm::ConnectionTrait,
    studio: darkroom_domain::StudioId,
    client: ClientId,
) -> CoreResult<Vec<ProjectView>> {
    let f = repo::project::Filter {
        client: Some(client.uuid()),
        ..Default::default()
    };
    views(c, studio, repo::project::list(c, studio, &f, 200).await?).await
}

/// The live project `id` of `studio`, for billing it (whoever asks is
/// checked by billing's own permissions).
pub async fn project_for_billing(
    c: &impl darkroom_db::sea_orm::ConnectionTrait,
    studio: darkroom_domain::StudioId,
    id: darkroom_domain::ProjectId,
) -> CoreResult<Option<ProjectView>> {
    match repo::project::find(c, studio, id).await? {
        Some(m) => Ok(Some(super::view_of(c, m).await?)),
        None => Ok(None),
    }
}

/// The galleries linked to a project (to bill photos chosen beyond its
/// package).
pub async fn galleries_of(
    c: &impl darkroom_db::sea_orm::ConnectionTrait,
    studio: darkroom_domain::StudioId,
    id: darkroom_domain::ProjectId,
) -> CoreResult<Vec<uuid::Uuid>> {
    Ok(repo::project::links(c, studio, id)
        .await?
        .into_iter()
        .filter(|l| l.kind == darkroom_domain::project::LinkKind::Gallery)
        .map(|l| l.target_id)
        .collect())
}
