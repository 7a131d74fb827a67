//! What `darkroom ingest` needs beyond the use cases: acting as a person of
//! a studio from the machine's terminal, finding a gallery by id or name,
//! and knowing when the renders are done.

use darkroom_db::repo;
use darkroom_domain::permission::BuiltinRole;
use darkroom_domain::{GalleryId, StudioId, TypedId, UserId};

use crate::kernel::error::{CoreError, CoreResult};
use crate::photos::gallery::{self, GalleryFilter, GalleryView};
use crate::photos::photo::Destination;
use crate::{Core, Principal, Via};

/// The studio (by id or exact name; the only one if there is one) and the
/// person the import is recorded as (by email; the owner by default).
pub async fn operator(
    core: &Core,
    studio: Option<&str>,
    email: Option<&str>,
) -> CoreResult<Principal> {
    let c = core.db().conn();
    let studios = repo::studio::list_all(c).await?;
    let s = match studio {
        Some(r) => {
            let by_id = StudioId::parse(r).ok();
            studios
                .iter()
                .find(|s| Some(s.id) == by_id.map(|i| i.uuid()) || s.name == r)
                .ok_or_else(|| {
                    CoreError::invalid(
                        "studio",
                        format!(
                            "no studio `{r}` on this instance; use its id (`std_...`) or exact name"
                        ),
                    )
                })?
        }
        None => match studios.as_slice() {
            [one] => one,
            [] => {
                return Err(CoreError::invalid(
                    "studio",
                    "this instance has no studio yet; run `darkroom serve` and create one first",
                ));
            }
            _ => {
                let names: Vec<_> = studios.iter().map(|s| s.name.as_str()).collect();
                return Err(CoreError::invalid(
                    "studio",
                    format!(
                        "this instance has several studios ({}); choose one with --studio",
                        names.join(", ")
                    ),
                ));
            }
        },
    };
    let sid = StudioId::from_uuid(s.id);
    let user = match email {
        Some(e) => {
            let email = e.trim().to_lowercase();
            let (_, u) = repo::person::find_user_in_studio_by_email(c, sid, &email)
                .await?
                .filter(|(m, _)| m.deleted_at.is_none())
                .ok_or_else(|| {
                    CoreError::invalid(
                        "as",
                        format!("no staff account with the email {e} in {}", s.name),
                    )
                })?;
            UserId::from_uuid(u.id)
        }
        None => {
            let owner_role = repo::access::find_builtin_role(c, sid, BuiltinRole::Owner.key())
                .await?
                .ok_or(CoreError::not_found("owner role"))?;
            let assignments = repo::access::assignments_of_studio(c, sid).await?;
            let a = assignments
                .iter()
                .find(|a| a.role_id == owner_role.id)
                .ok_or_else(|| {
                    CoreError::invalid("as", "the studio has no owner; choose a person with --as")
                })?;
            UserId::from_uuid(a.user_id)
        }
    };
    crate::kernel::principal::load(c, sid, user, Via::System, None)
        .await?
        .ok_or_else(|| {
            CoreError::invalid(
                "as",
                format!("that person has no active staff account in {}", s.name),
            )
        })
}

/// A gallery by id (`gal_...`) or exact name (live galleries only).
pub async fn gallery_by_ref(core: &Core, p: &Principal, r: &str) -> CoreResult<GalleryView> {
    if let Ok(id) = GalleryId::parse(r) {
        return gallery::get(core, p, id).await;
    }
    one_named(r, named(core, p, r).await?)?.ok_or_else(|| {
        CoreError::invalid(
            "gallery",
            format!(
                "no gallery named `{r}`; use its id (`gal_...`) or exact name, or add --create to make it"
            ),
        )
    })
}

/// The galleries named exactly `r`.
async fn named(core: &Core, p: &Principal, r: &str) -> CoreResult<Vec<GalleryView>> {
    let found = gallery::list(
        core,
        p,
        &GalleryFilter {
            q: Some(r.to_string()),
            limit: Some(crate::kernel::listing::ListLimit::clamped(100)),
            ..Default::default()
        },
    )
    .await?;
    Ok(found.items.into_iter().filter(|g| g.name == r).collect())
}

/// The one gallery of `found`, none, or an error when the name is ambiguous.
fn one_named(r: &str, found: Vec<GalleryView>) -> CoreResult<Option<GalleryView>> {
    if found.len() > 1 {
        return Err(CoreError::invalid(
            "gallery",
            format!(
                "{} galleries are named `{r}`; use the id (`gal_...`) of the one you mean",
                found.len()
            ),
        ));
    }
    Ok(found.into_iter().next())
}

/// The gallery named `r`, made first in `branch` (an id or exact name; the
/// only branch when there is one) when there is none by that name yet.
/// Whether it was made is returned with it.
pub async fn gallery_or_create(
    core: &Core,
    p: &Principal,
    r: &str,
    branch: Option<&str>,
) -> CoreResult<(GalleryView, bool)> {
    if GalleryId::parse(r).is_ok() {
        return Ok((gallery_by_ref(core, p, r).await?, false));
    }
    if let Some(g) = one_named(r, named(core, p, r).await?)? {
        return Ok((g, false));
    }
    let branches = repo::branch::list_names(core.db().conn(), p.studio).await?;
    let branch_named = |b: &str| {
        let id = darkroom_domain::BranchId::parse(b).ok().map(|i| i.uuid());
        branches
            .iter()
            .find(|(bid, name)| Some(*bid) == id || name == b)
    };
    let all = || {
        branches
            .iter()
            .map(|(_, n)| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (branch_id, _) = match (branch, branches.as_slice()) {
        (Some(b), _) => branch_named(b).ok_or_else(|| {
            CoreError::invalid(
                "branch",
                format!("no branch `{b}`; the branches are {}", all()),
            )
        })?,
        (None, [one]) => one,
        (None, _) => {
            return Err(CoreError::invalid(
                "branch",
                format!(
                    "this studio has several branches; choose the new gallery's with --branch ({})",
                    all()
                ),
            ));
        }
    };
    gallery::create(
        core,
        p,
        &crate::Meta::system(),
        gallery::NewGallery {
            id: None,
            name: r.into(),
            branch_id: darkroom_domain::BranchId::from_uuid(*branch_id),
        },
    )
    .await
}

/// Photos of a gallery or staging batch still waiting for their renders.
pub async fn rendering_in(core: &Core, p: &Principal, dest: Destination) -> CoreResult<u64> {
    let place = match dest {
        Destination::Gallery(g) => repo::photo::Place::Gallery(g.uuid()),
        Destination::Staging(b) => repo::photo::Place::Batch(b.uuid()),
        Destination::NewVersion { .. } => return Ok(0),
    };
    Ok(repo::photo::count_status_in(core.db().conn(), p.studio, place, "processing").await?)
}
