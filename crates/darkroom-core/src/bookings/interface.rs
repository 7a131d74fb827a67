//! What the other contexts may use of scheduling (the one door in, checked
//! by `.ci/contexts.py`): a booking as a principal may see it.

pub(crate) use super::booking::{BookingView, get};
pub(crate) use super::package::PackageView;

/// A client's live sessions that have not ended before `since`, for the
/// client's own portal.
pub(crate) async fn sessions_of_client(
    c: &impl darkroom_db::sea_orm::ConnectionTrait,
    studio: darkroom_domain::StudioId,
    client: darkroom_domain::ClientId,
    since: darkroom_domain::Timestamp,
) -> crate::kernel::error::CoreResult<Vec<darkroom_db::entity::booking::Model>> {
    use darkroom_domain::TypedId;
    Ok(
        darkroom_db::repo::booking::of_client(c, studio, client.uuid(), since.as_micros(), 50)
            .await?,
    )
}

/// The package `id` of the studio (withdrawn ones too, unless `live_only`),
/// for a project that names it.
pub(crate) async fn package(
    c: &impl darkroom_db::sea_orm::ConnectionTrait,
    studio: darkroom_domain::StudioId,
    id: darkroom_domain::PackageId,
    live_only: bool,
) -> crate::kernel::error::CoreResult<Option<super::package::PackageView>> {
    Ok(darkroom_db::repo::package::find(c, studio, id, !live_only)
        .await?
        .map(super::package::view))
}
