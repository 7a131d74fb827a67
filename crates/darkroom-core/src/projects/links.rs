//! The galleries and sessions that belong to a project. Each belongs to at
//! most one: linking it to another project moves it there.

use darkroom_db::entity::project_link;
use darkroom_db::repo;
use darkroom_domain::permission::Permission;
use darkroom_domain::project::LinkKind;
use darkroom_domain::{BookingId, GalleryId, ProjectId, TypedId};

use super::{authorize_write, load, record};
use crate::kernel::error::{CoreError, CoreResult};
use crate::{Core, Meta, Principal};

/// What a link points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Linked {
    Gallery(GalleryId),
    Session(BookingId),
}

impl Linked {
    fn kind(self) -> LinkKind {
        match self {
            Linked::Gallery(_) => LinkKind::Gallery,
            Linked::Session(_) => LinkKind::Booking,
        }
    }

    fn uuid(self) -> uuid::Uuid {
        match self {
            Linked::Gallery(g) => g.uuid(),
            Linked::Session(b) => b.uuid(),
        }
    }

    fn shown(self) -> String {
        match self {
            Linked::Gallery(g) => g.to_string(),
            Linked::Session(b) => b.to_string(),
        }
    }
}

/// The gallery or session exists in the studio and the principal sees it
/// (otherwise it answers like one that does not exist).
async fn check_visible(core: &Core, p: &Principal, target: Linked) -> CoreResult<()> {
    match target {
        Linked::Gallery(g) => {
            let m = crate::photos::interface::load(core.db().conn(), p, g, false).await?;
            if !core.can(
                p,
                Permission::GalleryView,
                crate::photos::interface::target(&m),
            ) {
                return Err(CoreError::not_found("gallery"));
            }
        }
        Linked::Session(b) => {
            crate::bookings::interface::get(core, p, b).await?;
        }
    }
    Ok(())
}

/// Makes a gallery or a session part of a project (moving it from the
/// project it was in).
pub async fn link(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    project: ProjectId,
    target: Linked,
) -> CoreResult<()> {
    let pm = load(core, p, project).await?;
    check_visible(core, p, target).await?;
    authorize_write(core, p)?;
    let tx = core.db().begin().await?;
    let before = repo::project::link_of(&tx, p.studio, target.uuid()).await?;
    if before.as_ref().is_some_and(|l| l.project_id == pm.id) {
        return crate::commit(tx).await;
    }
    let row = project_link::Model {
        target_id: target.uuid(),
        studio_id: p.studio.uuid(),
        project_id: pm.id,
        kind: target.kind(),
        created_at: core.now().as_micros(),
    };
    repo::project::link(&tx, row).await?;
    let limit = package_limit(core, &tx, p, &pm, target).await?;
    let payload = serde_json::json!({
        "linked": target.shown(),
        "from": before.map(|l| ProjectId::from_uuid(l.project_id).to_string()),
        "selection_limit": limit,
    });
    record(core, &tx, meta, p, &pm, "project.linked", payload).await?;
    crate::commit(tx).await
}

/// A gallery joining a project with a package takes the package's photos
/// included as its selection limit, unless it has one; returns the limit
/// it took.
async fn package_limit(
    core: &Core,
    tx: &darkroom_db::Tx,
    p: &Principal,
    pm: &darkroom_db::entity::project::Model,
    target: Linked,
) -> CoreResult<Option<i64>> {
    let (Linked::Gallery(g), Some(pkg)) = (target, pm.package_id) else {
        return Ok(None);
    };
    let pkg = darkroom_domain::PackageId::from_uuid(pkg);
    let Some(photos) = crate::bookings::interface::package(tx, p.studio, pkg, false)
        .await?
        .and_then(|k| k.photos_included)
    else {
        return Ok(None);
    };
    let changed = crate::photos::interface::follow_package_limit(
        core,
        tx,
        p.studio,
        g.uuid(),
        None,
        Some(photos),
    )
    .await?;
    Ok(changed.then_some(photos))
}

/// Takes a gallery or a session out of a project (it is not deleted).
pub async fn unlink(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    project: ProjectId,
    target: Linked,
) -> CoreResult<()> {
    let pm = load(core, p, project).await?;
    authorize_write(core, p)?;
    let tx = core.db().begin().await?;
    if !repo::project::unlink(&tx, p.studio, project, target.uuid()).await? {
        return Err(CoreError::not_found(match target {
            Linked::Gallery(_) => "gallery",
            Linked::Session(_) => "booking",
        }));
    }
    let payload = serde_json::json!({ "unlinked": target.shown() });
    record(core, &tx, meta, p, &pm, "project.unlinked", payload).await?;
    crate::commit(tx).await
}
