//! What the other contexts may use of sharing: how many photos a gallery's
//! clients chose in proofing, against the gallery's selection limit (for
//! billing the photos chosen beyond a package).

use darkroom_db::repo;
use darkroom_domain::{GalleryId, StudioId, TypedId};

use crate::kernel::error::CoreResult;

/// A gallery's choices: distinct photos marked as favourites through any of
/// its links, and its selection limit.
#[derive(Clone, Debug)]
pub(crate) struct Chosen {
    pub gallery: String,
    pub chosen: i64,
    pub limit: Option<i64>,
}

/// What was chosen in gallery `id` of `studio` (`None`: no such gallery).
pub(crate) async fn chosen_in(
    c: &impl darkroom_db::sea_orm::ConnectionTrait,
    studio: StudioId,
    id: uuid::Uuid,
) -> CoreResult<Option<Chosen>> {
    let gallery = GalleryId::from_uuid(id);
    let Some(g) = repo::gallery::find(c, studio, gallery, false).await? else {
        return Ok(None);
    };
    let marks = repo::share::marks_of_gallery(c, studio, gallery).await?;
    let chosen: std::collections::HashSet<_> = marks
        .iter()
        .filter(|m| m.favourite != 0)
        .map(|m| m.photo_id)
        .collect();
    Ok(Some(Chosen {
        gallery: g.name,
        chosen: i64::try_from(chosen.len()).unwrap_or(i64::MAX),
        limit: g.selection_limit,
    }))
}
