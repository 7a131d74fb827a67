//! Everything about one job in one place: the project, its client, the
//! people on it, its milestones, galleries and sessions.

use darkroom_db::repo;
use darkroom_domain::permission::Permission;
use darkroom_domain::project::{LinkKind, ProjectRole};
use darkroom_domain::{BookingId, GalleryId, ProjectId, TypedId, UserId};
use serde::Serialize;

use super::milestones::{self, MilestoneView};
use super::{ProjectView, load, view_of};
use crate::bookings::interface::BookingView;
use crate::crm::interface::ClientCard;
use crate::kernel::error::{CoreError, CoreResult};
use crate::photos::interface::GalleryView;
use crate::{Core, Principal};

/// A staff member on a project.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ProjectPerson {
    pub user_id: UserId,
    pub name: String,
    pub role: ProjectRole,
}

/// A project with everything that belongs to it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ProjectDetail {
    pub project: ProjectView,
    /// The client (absent if it has since been deleted).
    pub client: Option<ClientCard>,
    /// The package sold for it.
    pub package: Option<crate::bookings::interface::PackageView>,
    pub people: Vec<ProjectPerson>,
    pub milestones: Vec<MilestoneView>,
    /// Its galleries the viewer may see.
    pub galleries: Vec<GalleryView>,
    /// Its sessions the viewer may see, in time order.
    pub sessions: Vec<BookingView>,
}

fn gone(e: &CoreError) -> bool {
    matches!(e, CoreError::NotFound { .. } | CoreError::Forbidden { .. })
}

pub async fn detail(core: &Core, p: &Principal, id: ProjectId) -> CoreResult<ProjectDetail> {
    let m = load(core, p, id).await?;
    let c = core.db().conn();
    let client = crate::crm::interface::client_card(
        c,
        p.studio,
        darkroom_domain::ClientId::from_uuid(m.client_id),
    )
    .await?;
    let staff = repo::person::staff_names(c, p.studio).await?;
    let people = repo::project::people(c, p.studio, id)
        .await?
        .into_iter()
        .map(|x| ProjectPerson {
            user_id: UserId::from_uuid(x.user_id),
            name: staff
                .iter()
                .find(|(u, _)| u.uuid() == x.user_id)
                .map_or_else(|| "(former staff)".to_string(), |(_, n)| n.clone()),
            role: x.role,
        })
        .collect();
    let mut galleries = Vec::new();
    let mut sessions = Vec::new();
    for l in repo::project::links(c, p.studio, id).await? {
        if l.kind == LinkKind::Gallery {
            match gallery(core, p, GalleryId::from_uuid(l.target_id)).await {
                Ok(g) => galleries.push(g),
                Err(e) if gone(&e) => {}
                Err(e) => return Err(e),
            }
        } else {
            match crate::bookings::interface::get(core, p, BookingId::from_uuid(l.target_id)).await
            {
                Ok(b) => sessions.push(b),
                Err(e) if gone(&e) => {}
                Err(e) => return Err(e),
            }
        }
    }
    sessions.sort_by_key(|b| b.starts_at);
    let milestones = milestones::of(core, &m).await?;
    let package = match m.package_id {
        Some(id) => {
            let id = darkroom_domain::PackageId::from_uuid(id);
            crate::bookings::interface::package(c, p.studio, id, false).await?
        }
        None => None,
    };
    Ok(ProjectDetail {
        package,
        project: view_of(c, m).await?,
        client,
        people,
        milestones,
        galleries,
        sessions,
    })
}

async fn gallery(core: &Core, p: &Principal, id: GalleryId) -> CoreResult<GalleryView> {
    let c = core.db().conn();
    let m = crate::photos::interface::load(c, p, id, false).await?;
    if !core.can(
        p,
        Permission::GalleryView,
        crate::photos::interface::target(&m),
    ) {
        return Err(CoreError::not_found("gallery"));
    }
    crate::photos::interface::view(c, m).await
}
