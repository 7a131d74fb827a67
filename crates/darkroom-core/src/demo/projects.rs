//! Demo projects: the job behind each demo gallery, for its client (or a
//! client named after it), with its people, a status along the way and
//! milestones reached on time or late.

use darkroom_domain::project::ProjectStatus;
use darkroom_domain::{ClientId, UserId};

use crate::kernel::error::CoreResult;
use crate::photos::gallery::{self, GalleryFilter};
use crate::projects::links::{self, Linked};
use crate::projects::milestones::{self, MilestoneInput};
use crate::projects::{self, ProjectInput};
use crate::{Core, Meta, Principal};

/// For each demo gallery: (kind, day, status, milestones reached, how late).
const JOBS: [(&str, &str, ProjectStatus, usize, i64); 3] = [
    ("wedding", "2026-11-14", ProjectStatus::ProofsReady, 3, 2),
    ("studio", "2026-11-22", ProjectStatus::Editing, 2, 0),
    ("family", "2026-10-30", ProjectStatus::Delivered, 4, 0),
];

pub(super) async fn demo_projects(
    core: &Core,
    owner: &Principal,
    meta: &Meta,
    photographer: Option<UserId>,
) -> CoreResult<()> {
    let mut galleries = gallery::list(core, owner, &GalleryFilter::default())
        .await?
        .items;
    galleries.sort_by_key(|g| g.created_at);
    for (g, (kind, day, status, reached, late)) in galleries.into_iter().zip(JOBS) {
        let client = match g.client_id {
            Some(c) => c,
            None => client_named(core, owner, meta, &g.name).await?,
        };
        let input = ProjectInput {
            client_id: Some(client),
            branch_id: Some(g.branch_id),
            name: Some(g.name.as_str().into()),
            kind: Some(kind.into()),
            starts_on: Some(day.into()),
            photographer_ids: photographer.map(|p| vec![p]),
            ..Default::default()
        };
        let p = projects::create(core, owner, meta, input).await?;
        links::link(core, owner, meta, p.id, Linked::Gallery(g.id)).await?;
        let moved = ProjectInput {
            version: Some(p.version),
            status: Some(status.name().into()),
            ..Default::default()
        };
        projects::update(core, owner, meta, p.id, moved).await?;
        for m in milestones::list(core, owner, p.id)
            .await?
            .into_iter()
            .take(reached)
        {
            let target = m.target_on.as_deref().unwrap_or(day);
            let done = darkroom_domain::field::day_of(target)
                .and_then(|d| d.checked_add(jiff::Span::new().days(late)).ok())
                .map_or_else(|| target.to_string(), |d| d.to_string());
            let input = MilestoneInput {
                version: Some(m.version),
                done_on: Some(done.into()),
                ..Default::default()
            };
            milestones::update(core, owner, meta, p.id, m.id, input).await?;
        }
    }
    Ok(())
}

/// A client for a gallery that has none: named as the gallery is, up to
/// the dash (`Kim Ji-woo — studio portraits` → `Kim Ji-woo`).
async fn client_named(
    core: &Core,
    owner: &Principal,
    meta: &Meta,
    gallery: &str,
) -> CoreResult<ClientId> {
    let name = gallery.split(" — ").next().unwrap_or(gallery).trim();
    let input = crate::crm::client::ClientInput {
        name: Some(name.into()),
        allow_duplicate: Some(true),
        ..Default::default()
    };
    Ok(crate::crm::client::create(core, owner, meta, input)
        .await?
        .0
        .id)
}
