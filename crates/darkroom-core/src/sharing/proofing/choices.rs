//! A client's choices on a proofing link: hearts and ratings, notes and edit requests, and submitting the selection.

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::sharing::events::{EditRequested, SelectionSubmitted};
use crate::sharing::share::{self, Guest};
use crate::{Core, Meta};
use darkroom_db::entity::{photo_note, proof_mark};
use darkroom_db::repo;
use darkroom_domain::audit::Severity;
use darkroom_domain::link::LinkAction;
use darkroom_domain::names::NoteKind;
use darkroom_domain::validate::{self, FieldErrors};
use darkroom_domain::{BranchId, NoteId, PhotoId, ShareLinkId, Timestamp, TypedId};
use serde::{Deserialize, Serialize};

use super::*;

/// A change to the client's marks on one photo; absent fields stay.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkInput {
    pub favourite: Option<bool>,
    /// 0 clears, 1-5 stars.
    pub rating: Option<i64>,
    pub marketing: Option<bool>,
}

/// The marks after a change, with the selection's new state.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MarkView {
    pub favourite: bool,
    pub rating: i64,
    pub marketing: bool,
    pub selection: SelectionView,
}

pub async fn mark(
    core: &Core,
    g: &Guest,
    photo: PhotoId,
    input: MarkInput,
) -> CoreResult<MarkView> {
    input.check(core, g)?;
    let p = photo_of(core, g, photo).await?;
    let tx = core.db().begin().await?;
    let now = core.now().as_micros();
    // Locking the link first serialises this link's marks, so two hearts
    // clicked at once cannot both pass the package's maximum, and deciding
    // again under the lock means no heart lands after a submission.
    let g = &share::lock_and_decide(core, &tx, g, LinkAction::View).await?;
    input.authorize(core, g)?;
    let existing = repo::share::find_mark(
        &tx,
        ShareLinkId::from_uuid(g.link.id),
        PhotoId::from_uuid(p.id),
    )
    .await?;
    let was_favourite = existing.as_ref().is_some_and(|m| m.favourite != 0);
    let mut m = existing.clone().unwrap_or(proof_mark::Model {
        id: uuid::Uuid::now_v7(),
        studio_id: g.studio.uuid(),
        gallery_id: g.gallery.id,
        link_id: g.link.id,
        photo_id: p.id,
        favourite: 0,
        rating: 0,
        marketing: 0,
        created_at: now,
        updated_at: now,
    });
    if let Some(f) = input.favourite {
        m.favourite = i64::from(f);
    }
    if let Some(r) = input.rating {
        m.rating = r;
    }
    if let Some(k) = input.marketing {
        m.marketing = i64::from(k);
    }
    m.updated_at = now;
    if input.favourite == Some(true) && !was_favourite {
        check_room(&tx, g).await?;
    }
    if existing.is_some() {
        repo::share::update_mark(&tx, m.clone()).await?;
    } else {
        repo::share::insert_mark(&tx, m.clone()).await?;
    }
    if input.favourite.is_some_and(|f| f != was_favourite) {
        share::event(
            core,
            &tx,
            g,
            if m.favourite != 0 {
                "favourite"
            } else {
                "unfavourite"
            },
            Some(p.id),
            None,
        )
        .await?;
    }
    crate::commit(tx).await?;
    Ok(MarkView {
        favourite: m.favourite != 0,
        rating: m.rating,
        marketing: m.marketing != 0,
        selection: selection(core, g).await?,
    })
}

impl MarkInput {
    /// What the link allows of this mark, before anything is read.
    fn check(&self, core: &Core, g: &Guest) -> CoreResult<()> {
        self.authorize(core, g)?;
        if let Some(r) = self.rating
            && !(0..=5).contains(&r)
        {
            return Err(CoreError::invalid(
                "rating",
                "give 1 to 5 stars, or 0 to clear",
            ));
        }
        Ok(())
    }

    /// The link's rights for each part of the mark asked for.
    fn authorize(&self, core: &Core, g: &Guest) -> CoreResult<()> {
        for (asked, action) in [
            (self.favourite.is_some(), LinkAction::Favourite),
            (self.rating.is_some(), LinkAction::Rate),
            (self.marketing.is_some(), LinkAction::Consent),
        ] {
            if asked {
                share::authorize(core, g, action)?;
            }
        }
        Ok(())
    }
}

/// Refuses one more heart past the package's maximum, unless the gallery
/// allows extras.
async fn check_room(tx: &darkroom_db::Tx, g: &Guest) -> CoreResult<()> {
    let count = repo::share::count_favourites(tx, ShareLinkId::from_uuid(g.link.id)).await?;
    if let Some(limit) = g.gallery.selection_limit
        && g.gallery.allow_extras == 0
        && count >= u64::try_from(limit).unwrap_or(0)
    {
        return Err(CoreError::conflict(
            "selection_full",
            format!(
                "you have chosen {count} of {limit}, the most your package includes; remove one to choose this photo"
            ),
        ));
    }
    Ok(())
}

/// A comment or an edit request.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    /// `comment` (default) or `edit_request`.
    pub kind: Option<String>,
    pub body: String,
}

pub async fn add_note(
    core: &Core,
    g: &Guest,
    meta: &Meta,
    photo: PhotoId,
    input: NoteInput,
) -> CoreResult<ClientNote> {
    let kind = match input.kind.as_deref() {
        None => NoteKind::Comment,
        Some(k) => NoteKind::parse(k).map_err(|e| CoreError::invalid("kind", e))?,
    };
    let action = match kind {
        NoteKind::Comment => LinkAction::Comment,
        NoteKind::EditRequest => LinkAction::RequestEdit,
    };
    share::authorize(core, g, action)?;
    let mut errs = FieldErrors::new();
    let body = errs.check("body", validate::text(&input.body, "the note", 2000));
    errs.into_result()?;
    let body = body.unwrap_or_default();
    let p = photo_of(core, g, photo).await?;
    let now = core.now().as_micros();
    let id = NoteId::new();
    let tx = core.db().begin().await?;
    let g = &share::lock_and_decide(core, &tx, g, action).await?;
    repo::share::insert_note(
        &tx,
        photo_note::Model {
            id: id.uuid(),
            studio_id: g.studio.uuid(),
            gallery_id: g.gallery.id,
            photo_id: p.id,
            link_id: Some(g.link.id),
            user_id: None,
            kind,
            body: body.clone(),
            created_at: now,
        },
    )
    .await?;
    share::event(core, &tx, g, kind.name(), Some(p.id), None).await?;
    if kind == NoteKind::EditRequest {
        let e = EditRequested {
            link: g.link.clone(),
            photo: p.clone(),
            note: id,
            body: body.clone(),
        };
        core.publish(&tx, &e).await?;
        let ev = Event {
            studio: Some(g.studio),
            branch: Some(BranchId::from_uuid(g.gallery.branch_id)),
            who: Who::system(&format!("client: {}", g.link.label)),
            event_type: "photo.edit_requested",
            severity: Severity::Low,
            target_type: "photo",
            target_id: photo.to_string(),
            payload: serde_json::json!({ "link": g.link_id().to_string() }),
        };
        audit::record(core, &tx, meta, ev).await?;
    }
    crate::commit(tx).await?;
    Ok(ClientNote {
        id,
        kind,
        body,
        created_at: Timestamp::from_micros(now),
    })
}

/// Submits the selection: locks it and tells the studio.
pub async fn submit(core: &Core, g: &Guest, meta: &Meta) -> CoreResult<SelectionView> {
    share::authorize(core, g, LinkAction::Submit)?;
    let now = core.now().as_micros();
    let tx = core.db().begin().await?;
    // Under the link's lock: the selection counted here is exactly what the
    // editing task gets, and no heart can land after it.
    let g = &share::lock_and_decide(core, &tx, g, LinkAction::Submit).await?;
    let before = selection_in(&tx, g).await?;
    if before.count == 0 {
        return Err(CoreError::conflict(
            "nothing_chosen",
            "choose at least one photo before submitting",
        ));
    }
    let mut am: darkroom_db::entity::share_link::ActiveModel = g.link.clone().into();
    am.submitted_at = darkroom_db::sea_orm::Set(Some(now));
    am.updated_at = darkroom_db::sea_orm::Set(now);
    am.version = darkroom_db::sea_orm::Set(g.link.version + 1);
    repo::share::update_link(&tx, am).await?;
    share::event(
        core,
        &tx,
        g,
        "submit",
        None,
        Some(format!("{} chosen, {} extra", before.count, before.extras)),
    )
    .await?;
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(g.studio),
            branch: Some(BranchId::from_uuid(g.gallery.branch_id)),
            who: Who::system(&format!("client: {}", g.link.label)),
            event_type: "selection.submitted",
            severity: Severity::Medium,
            target_type: "share_link",
            target_id: g.link_id().to_string(),
            payload: serde_json::json!({
                "gallery": g.gallery.name, "chosen": before.count,
                "included": before.limit, "extras": before.extras,
            }),
        },
    )
    .await?;
    let e = SelectionSubmitted {
        studio: g.studio,
        link: g.link.clone(),
        gallery: g.gallery.clone(),
    };
    core.publish(&tx, &e).await?;
    let (count, extras) = (before.count, before.extras);
    share::notify_staff(core, &tx, g, |studio, branding| {
        crate::sharing::emails::selection_submitted(
            studio,
            &g.gallery.name,
            &g.link.label,
            count,
            extras,
            branding,
        )
    })
    .await?;
    crate::commit(tx).await?;
    core.wake_workers();
    Ok(SelectionView {
        submitted_at: Some(Timestamp::from_micros(now)),
        ..before
    })
}
