//! Whole-gallery downloads for staff: every photo's current original (or
//! preview) in one ZIP, streamed from the media store as it is built
//! (`darkroom-zip`), with its exact length known before the first byte.
//! Recorded in the audit log as an export.

use darkroom_db::entity::{gallery, gallery_set, photo_version};
use darkroom_db::repo;
use darkroom_db::repo::photo::Place;
use darkroom_domain::audit::Severity;
use darkroom_domain::permission::Permission;
use darkroom_domain::{BranchId, GalleryId, PhotoId, StudioId, TypedId};
use darkroom_media::{Key, SharedStore};
use darkroom_zip::{DosTime, EntrySpec, Opener, Plan, Source};
use futures::{StreamExt, TryStreamExt};

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::{Core, Meta, Principal};

/// What a gallery download contains.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contents {
    /// The files as uploaded (current version of each photo).
    Originals,
    /// The 2048 px previews (no watermark), for sharing on screens.
    Previews,
    /// The watermarked proofs.
    Proofs,
}

impl Contents {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "originals" => Some(Self::Originals),
            "previews" => Some(Self::Previews),
            "proofs" => Some(Self::Proofs),
            _ => None,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Self::Originals => "originals",
            Self::Previews => "previews",
            Self::Proofs => "proofs",
        }
    }
}

/// A download ready to stream.
pub struct ZipDownload {
    /// The name to save it as, e.g. `Kim wedding - originals.zip`.
    pub filename: String,
    pub plan: Plan,
    pub opener: Opener,
}

/// "2008-05-30T15:56:01" (camera local time) as ZIP stores it.
fn dos_time(local: Option<&str>) -> DosTime {
    let Some(s) = local else {
        return DosTime::default();
    };
    let n = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u16>().ok());
    match (n(0..4), n(5..7), n(8..10), n(11..13), n(14..16), n(17..19)) {
        (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(se)) => {
            DosTime::new(i32::from(y), mo as u8, d as u8, h as u8, mi as u8, se as u8)
        }
        _ => DosTime::default(),
    }
}

/// Prepares a ZIP of a gallery's photos, in the gallery's order.
pub async fn gallery_zip(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: GalleryId,
    contents: Contents,
) -> CoreResult<ZipDownload> {
    let g = crate::photos::gallery::load(core.db().conn(), p, id, false).await?;
    core.authorize(
        p,
        Permission::GalleryView,
        crate::photos::gallery::target(&g),
    )?;
    let dl = zip_of(core, p.studio, &g, None, contents).await?;
    let tx = core.db().begin().await?;
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: Some(BranchId::from_uuid(g.branch_id)),
            who: Who::of(p),
            event_type: "gallery.exported",
            severity: Severity::Medium,
            target_type: "gallery",
            target_id: id.to_string(),
            payload: serde_json::json!({
                "contents": contents.name(),
                "photos": dl.plan.len(),
                "bytes": dl.plan.total_len(),
            }),
        },
    )
    .await?;
    crate::commit(tx).await?;
    Ok(dl)
}

/// Plans a ZIP of a gallery (or one of its sets) the caller has already
/// authorized, in the gallery's order.
pub(crate) async fn zip_of(
    core: &Core,
    studio: StudioId,
    g: &gallery::Model,
    set: Option<&gallery_set::Model>,
    contents: Contents,
) -> CoreResult<ZipDownload> {
    let place = set.map_or(Place::Gallery(g.id), |s| Place::Set {
        gallery: g.id,
        set: s.id,
    });
    let order = crate::photos::gallery::order_of(g);
    let store = core.store_of(studio).await?;

    let rows = current_versions_in(core, studio, place, order).await?;
    let mut names = Vec::new();
    let mut keys = Vec::new();
    let mut specs_partial = Vec::new();
    for (name, capture, v) in rows {
        let Some((key, size, crc)) = file_of(&store, &v, contents).await? else {
            continue; // not rendered (yet, or it failed): nothing to send
        };
        let name = match contents {
            Contents::Originals => name,
            Contents::Previews | Contents::Proofs => {
                let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
                format!("{stem}.jpg")
            }
        };
        names.push(name);
        keys.push(Key::new(key).map_err(|e| CoreError::Internal(e.into()))?);
        specs_partial.push((size, dos_time(capture.as_deref()), crc));
    }
    if keys.is_empty() {
        return Err(CoreError::conflict(
            "nothing_to_download",
            if set.is_some() {
                "this set has no photos to download yet"
            } else {
                "this gallery has no photos to download yet"
            },
        ));
    }
    let specs = darkroom_zip::safe_names(&names)
        .into_iter()
        .zip(specs_partial)
        .map(|(name, (size, modified, crc32))| EntrySpec {
            name,
            size,
            modified,
            crc32,
        })
        .collect();
    let plan = Plan::new(specs).map_err(|e| CoreError::Internal(anyhow::anyhow!("{e}")))?;

    let opener: Opener = Box::new(move |i| {
        let store = store.clone();
        let key = keys[i].clone();
        Box::pin(async move {
            let (_, stream) = store
                .get(&key)
                .await
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            Ok(stream
                .map_err(|e| std::io::Error::other(e.to_string()))
                .boxed() as Source)
        })
    });
    let base = match set {
        Some(s) => format!("{} - {} - {}", g.name, s.name, contents.name()),
        None => format!("{} - {}", g.name, contents.name()),
    };
    let base = darkroom_zip::safe_name(&base);
    Ok(ZipDownload {
        filename: format!("{base}.zip"),
        plan,
        opener,
    })
}

/// The current version of each photo in `place`, in `order`, with the
/// photo's name and local capture time.
async fn current_versions_in(
    core: &Core,
    studio: StudioId,
    place: Place,
    order: repo::photo::Order,
) -> CoreResult<Vec<(String, Option<String>, photo_version::Model)>> {
    let db = core.db().conn();
    let mut rows = Vec::new();
    let mut offset = 0;
    loop {
        let photos = repo::photo::list_in(db, studio, place, order, offset, 500).await?;
        if photos.is_empty() {
            break;
        }
        offset += photos.len() as u64;
        for ph in photos {
            let versions = repo::photo::versions_of(db, studio, PhotoId::from_uuid(ph.id)).await?;
            if let Some(v) = versions
                .into_iter()
                .find(|v| v.number == ph.current_version && v.purged_at.is_none())
            {
                rows.push((ph.original_name, ph.capture_local, v));
            }
        }
    }
    Ok(rows)
}

/// The stored file a version contributes (key, size, CRC-32 when known),
/// or `None` when that rendition is not there to send.
async fn file_of(
    store: &SharedStore,
    v: &photo_version::Model,
    contents: Contents,
) -> CoreResult<Option<(String, u64, Option<u32>)>> {
    let k = match contents {
        Contents::Originals => {
            let size = u64::try_from(v.size_bytes).unwrap_or(0);
            let crc = v.crc32.and_then(|c| u32::try_from(c).ok());
            return Ok(Some((v.original_key.clone(), size, crc)));
        }
        Contents::Proofs => v.proof_key.clone(),
        Contents::Previews => v.preview_key.clone(),
    };
    let Some(k) = k else {
        return Ok(None);
    };
    let key = Key::new(k.clone()).map_err(|e| CoreError::Internal(e.into()))?;
    let size = store
        .head(&key)
        .await
        .map_err(|e| CoreError::Unavailable(e.to_string()))?;
    Ok(size.map(|size| (k, size, None)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camera_times_become_zip_times() {
        assert_eq!(
            dos_time(Some("2008-05-30T15:56:01")),
            DosTime::new(2008, 5, 30, 15, 56, 1)
        );
        assert_eq!(dos_time(Some("garbage")), DosTime::default());
        assert_eq!(dos_time(None), DosTime::default());
    }
}
