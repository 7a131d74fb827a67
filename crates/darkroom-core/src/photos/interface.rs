//! What the other contexts may use of the photos context (the one door in,
//! checked by `.ci/contexts.py`): galleries as a principal may see them, in
//! their order, with their events; the bytes of a photo's renditions; a
//! gallery's photos as one ZIP.

pub(crate) use super::download::{Contents, ZipDownload, zip_of};
pub(crate) use super::gallery::{GalleryView, event_in, load, order_of, target, view};
pub(crate) use super::media::{MediaObject, Rendition, locate, open_for};

/// A client's live galleries with their photo counts, for the client's
/// own portal.
pub(crate) async fn galleries_of_client(
    c: &impl darkroom_db::sea_orm::ConnectionTrait,
    studio: darkroom_domain::StudioId,
    client: darkroom_domain::ClientId,
) -> crate::kernel::error::CoreResult<Vec<GalleryView>> {
    use darkroom_domain::TypedId;
    let mut out = Vec::new();
    for m in darkroom_db::repo::gallery::of_client(c, studio, client.uuid()).await? {
        out.push(view(c, m).await?);
    }
    Ok(out)
}

/// Plain files (clients' documents) sent through the resumable upload
/// path, for the document that takes one.
pub(crate) use super::upload::{FileRef, MAX_FILE_BYTES, keep_file, uploaded_file};

/// A package's photos become a gallery's selection limit: set where the
/// gallery has none or still has the previous package's `from` (a limit
/// staff chose stays). Returns whether it changed.
pub(crate) async fn follow_package_limit(
    core: &crate::Core,
    c: &impl darkroom_db::sea_orm::ConnectionTrait,
    studio: darkroom_domain::StudioId,
    gallery: uuid::Uuid,
    from: Option<i64>,
    to: Option<i64>,
) -> crate::kernel::error::CoreResult<bool> {
    let now = core.now().as_micros();
    Ok(darkroom_db::repo::gallery::follow_limit(c, studio, gallery, from, to, now).await?)
}
