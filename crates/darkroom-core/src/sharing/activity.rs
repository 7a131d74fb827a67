//! What clients did in a gallery, for the studio: per link (views,
//! favourites, downloads, comments, last activity), per photo (chosen by
//! how many, notes, marketing consent), and the latest events.

use darkroom_domain::names::NoteKind;
use std::collections::HashMap;

use darkroom_db::repo;
use darkroom_db::repo::photo::Place;
use darkroom_domain::permission::Permission;
use darkroom_domain::{GalleryId, NoteId, PhotoId, ShareLinkId, Timestamp, TypedId};
use serde::Serialize;

use crate::kernel::error::CoreResult;
use crate::sharing::share::{self, LinkView};
use crate::{Core, Principal};

/// One photo's marks across the gallery's links.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PhotoActivity {
    pub photo_id: PhotoId,
    pub name: String,
    /// Links that chose it.
    pub favourites: u64,
    /// Labels of the links that chose it.
    pub chosen_by: Vec<String>,
    pub best_rating: i64,
    pub marketing: bool,
    pub notes: u64,
}

/// A comment or edit request, for the studio.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct NoteView {
    pub id: NoteId,
    pub photo_id: PhotoId,
    pub photo_name: String,
    /// Who wrote it (the link's label).
    pub author: String,
    /// `comment` or `edit_request`.
    pub kind: NoteKind,
    pub body: String,
    pub created_at: Timestamp,
}

/// One event.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct EventView {
    /// `open`, `view`, `favourite`, `unfavourite`, `comment`, `edit_request`,
    /// `submit`, `download`, `code_failed`.
    pub kind: String,
    pub link_id: Option<ShareLinkId>,
    pub who: Option<String>,
    pub photo_name: Option<String>,
    pub detail: Option<String>,
    pub at: Timestamp,
}

/// A gallery's client activity.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ActivityView {
    pub links: Vec<LinkView>,
    /// Photos any link marked or commented on, most chosen first.
    pub photos: Vec<PhotoActivity>,
    pub notes: Vec<NoteView>,
    /// The latest 100 events, newest first.
    pub recent: Vec<EventView>,
}

pub async fn of_gallery(core: &Core, p: &Principal, id: GalleryId) -> CoreResult<ActivityView> {
    let c = core.db().conn();
    let g = crate::photos::interface::load(c, p, id, false).await?;
    core.authorize(
        p,
        Permission::GalleryView,
        crate::photos::interface::target(&g),
    )?;
    let links = share::list_links(core, p, id).await?;
    let label: HashMap<uuid::Uuid, String> = links
        .iter()
        .map(|l| (l.id.uuid(), l.label.clone()))
        .collect();
    let photos = repo::photo::list_in(
        c,
        p.studio,
        Place::Gallery(g.id),
        crate::photos::interface::order_of(&g),
        0,
        100_000,
    )
    .await?;
    let name: HashMap<uuid::Uuid, String> = photos
        .iter()
        .map(|p| (p.id, p.original_name.clone()))
        .collect();
    let marks = repo::share::marks_of_gallery(c, p.studio, GalleryId::from_uuid(g.id)).await?;
    let notes =
        repo::share::notes_of_gallery(c, p.studio, GalleryId::from_uuid(g.id), None, None, 1000)
            .await?;
    let photo_list = per_photo(&marks, &notes, &name, &label);
    let events =
        repo::share::events_of_gallery(c, p.studio, GalleryId::from_uuid(g.id), 100).await?;
    Ok(ActivityView {
        photos: photo_list,
        notes: notes
            .into_iter()
            .map(|n| NoteView {
                id: NoteId::from_uuid(n.id),
                photo_id: PhotoId::from_uuid(n.photo_id),
                photo_name: name.get(&n.photo_id).cloned().unwrap_or_default(),
                author: n
                    .link_id
                    .and_then(|l| label.get(&l).cloned())
                    .unwrap_or_else(|| "staff".into()),
                kind: n.kind,
                body: n.body,
                created_at: Timestamp::from_micros(n.created_at),
            })
            .collect(),
        recent: events
            .into_iter()
            .map(|e| EventView {
                kind: e.kind,
                link_id: e.link_id.map(ShareLinkId::from_uuid),
                who: e.link_id.and_then(|l| label.get(&l).cloned()),
                photo_name: e.photo_id.and_then(|id| name.get(&id).cloned()),
                detail: e.detail,
                at: Timestamp::from_micros(e.at),
            })
            .collect(),
        links,
    })
}

/// What clients did on each photo (hearts and by whom, best rating,
/// marketing consent, notes), most chosen first.
fn per_photo(
    marks: &[darkroom_db::entity::proof_mark::Model],
    notes: &[darkroom_db::entity::photo_note::Model],
    name: &HashMap<uuid::Uuid, String>,
    label: &HashMap<uuid::Uuid, String>,
) -> Vec<PhotoActivity> {
    let mut per: HashMap<uuid::Uuid, PhotoActivity> = HashMap::new();
    let entry = |per: &mut HashMap<uuid::Uuid, PhotoActivity>, id: uuid::Uuid| {
        per.entry(id)
            .or_insert_with(|| PhotoActivity {
                photo_id: PhotoId::from_uuid(id),
                name: name.get(&id).cloned().unwrap_or_default(),
                favourites: 0,
                chosen_by: Vec::new(),
                best_rating: 0,
                marketing: false,
                notes: 0,
            })
            .photo_id
    };
    for m in marks {
        if m.favourite == 0 && m.rating == 0 && m.marketing == 0 {
            continue;
        }
        entry(&mut per, m.photo_id);
        if let Some(a) = per.get_mut(&m.photo_id) {
            if m.favourite != 0 {
                a.favourites += 1;
                a.chosen_by
                    .push(label.get(&m.link_id).cloned().unwrap_or_default());
            }
            a.best_rating = a.best_rating.max(m.rating);
            a.marketing |= m.marketing != 0;
        }
    }
    for n in notes {
        entry(&mut per, n.photo_id);
        if let Some(a) = per.get_mut(&n.photo_id) {
            a.notes += 1;
        }
    }
    let mut photo_list: Vec<PhotoActivity> = per.into_values().collect();
    photo_list.sort_by(|a, b| b.favourites.cmp(&a.favourites).then(a.name.cmp(&b.name)));
    photo_list
}

/// What a client did, anywhere in the studio, for the staff home page.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct StudioEventView {
    /// `submit`, `comment`, `edit_request`, `download` or `favourite`.
    pub kind: String,
    pub gallery_id: GalleryId,
    pub gallery_name: String,
    /// The link's label: who did it.
    pub who: Option<String>,
    pub photo_name: Option<String>,
    pub at: Timestamp,
}

/// The studio's latest client activity that means something to the staff
/// (selections sent, notes, edit requests, downloads, hearts), in the
/// galleries this person may see, newest first.
pub async fn recent_in_studio(
    core: &Core,
    p: &Principal,
    limit: u64,
) -> CoreResult<Vec<StudioEventView>> {
    let c = core.db().conn();
    let kinds = ["submit", "comment", "edit_request", "download", "favourite"];
    let events = repo::share::recent_events(c, p.studio, &kinds, limit * 4).await?;
    let mut galleries = HashMap::new();
    let mut labels: HashMap<uuid::Uuid, Option<String>> = HashMap::new();
    let mut out = Vec::new();
    for e in events {
        if out.len() as u64 >= limit {
            break;
        }
        let id = GalleryId::from_uuid(e.gallery_id);
        if let std::collections::hash_map::Entry::Vacant(v) = galleries.entry(e.gallery_id) {
            let seen = match crate::photos::interface::load(c, p, id, true).await {
                Ok(g) => core
                    .can(
                        p,
                        Permission::GalleryView,
                        crate::photos::interface::target(&g),
                    )
                    .then_some(g.name),
                Err(_) => None,
            };
            v.insert(seen);
        }
        let Some(Some(gallery_name)) = galleries.get(&e.gallery_id).cloned() else {
            continue;
        };
        let who = match e.link_id {
            Some(l) => {
                if let std::collections::hash_map::Entry::Vacant(v) = labels.entry(l) {
                    let label = repo::share::find_link_any(c, ShareLinkId::from_uuid(l))
                        .await?
                        .map(|m| m.label);
                    v.insert(label);
                }
                labels.get(&l).cloned().flatten()
            }
            None => None,
        };
        let photo_name = match e.photo_id {
            Some(ph) => repo::photo::find_photo(c, p.studio, PhotoId::from_uuid(ph))
                .await?
                .map(|m| m.original_name),
            None => None,
        };
        out.push(StudioEventView {
            kind: e.kind,
            gallery_id: id,
            gallery_name,
            who,
            photo_name,
            at: Timestamp::from_micros(e.at),
        });
    }
    Ok(out)
}

/// One link's marks on a photo, for the staff's photo page.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LinkMarks {
    /// The link's label: who.
    pub who: String,
    pub favourite: bool,
    /// 0 (none) to 5.
    pub rating: i64,
    pub marketing: bool,
}

/// What the clients said about one photo: each link's marks and the notes
/// (comments and edit requests), newest first.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PhotoFeedback {
    pub marks: Vec<LinkMarks>,
    pub notes: Vec<NoteView>,
}

/// The clients' hearts, ratings and notes on a photo of a gallery the
/// principal may see (another studio's ids answer as unknown).
pub async fn of_photo(
    core: &Core,
    p: &Principal,
    gallery: GalleryId,
    photo: PhotoId,
) -> CoreResult<PhotoFeedback> {
    let c = core.db().conn();
    let g = crate::photos::interface::load(c, p, gallery, false).await?;
    core.authorize(
        p,
        Permission::GalleryView,
        crate::photos::interface::target(&g),
    )?;
    let links = share::list_links(core, p, gallery).await?;
    let label = |id: uuid::Uuid| {
        links
            .iter()
            .find(|l| l.id.uuid() == id)
            .map_or_else(|| "a link".to_string(), |l| l.label.clone())
    };
    let mut marks: Vec<LinkMarks> = repo::share::marks_of_photo(c, p.studio, gallery, photo)
        .await?
        .into_iter()
        .filter(|m| m.favourite != 0 || m.rating != 0 || m.marketing != 0)
        .map(|m| LinkMarks {
            who: label(m.link_id),
            favourite: m.favourite != 0,
            rating: m.rating,
            marketing: m.marketing != 0,
        })
        .collect();
    marks.sort_by(|a, b| a.who.cmp(&b.who));
    let notes = repo::share::notes_of_gallery(c, p.studio, gallery, None, Some(photo.uuid()), 200)
        .await?
        .into_iter()
        .map(|n| NoteView {
            id: NoteId::from_uuid(n.id),
            photo_id: photo,
            photo_name: String::new(),
            author: n.link_id.map_or_else(|| "staff".into(), label),
            kind: n.kind,
            body: n.body,
            created_at: Timestamp::from_micros(n.created_at),
        })
        .collect();
    Ok(PhotoFeedback { marks, notes })
}
