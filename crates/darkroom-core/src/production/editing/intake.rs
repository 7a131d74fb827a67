//! Tasks made by what happens elsewhere: a client's submitted selection or edit request becomes a task, and an edited upload moves its task along.

use crate::kernel::audit::{self};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::registry::BoxFuture;
use crate::kernel::write;
use crate::photos::events::EditedVersionAdded;
use crate::sharing::events::{EditRequested, SelectionSubmitted};
use crate::{Core, Meta, Principal};
use darkroom_db::entity::{editing_task, editing_task_photo, gallery, photo};
use darkroom_db::repo::{self, editing::TaskQuery};
use darkroom_db::sea_orm::{ConnectionTrait, Set};
use darkroom_domain::editing::{Priority, TaskStatus};
use darkroom_domain::{EditTaskId, GalleryId, NoteId, PhotoId, ShareLinkId, StudioId, TypedId};
use std::collections::HashSet;

use super::*;

/// A client's submitted selection becomes a task (or joins the open task
/// of an earlier submission through the same link).
/// A submitted selection becomes a task (see [`from_selection`]).
pub(crate) fn on_selection<'a>(
    core: &'a Core,
    tx: &'a darkroom_db::Tx,
    e: &'a SelectionSubmitted,
) -> BoxFuture<'a, CoreResult<()>> {
    Box::pin(from_selection(core, tx, e.studio, &e.link, &e.gallery))
}

/// An edit request becomes a task (see [`from_edit_request`]).
pub(crate) fn on_edit_request<'a>(
    core: &'a Core,
    tx: &'a darkroom_db::Tx,
    e: &'a EditRequested,
) -> BoxFuture<'a, CoreResult<()>> {
    Box::pin(from_edit_request(
        core, tx, &e.link, &e.photo, e.note, &e.body,
    ))
}

/// An edited upload counts on the tasks covering its photo (see
/// [`on_edited_version`]).
pub(crate) fn on_edited_upload<'a>(
    core: &'a Core,
    tx: &'a darkroom_db::Tx,
    e: &'a EditedVersionAdded,
) -> BoxFuture<'a, CoreResult<()>> {
    Box::pin(on_edited_version(
        core,
        tx,
        &e.by,
        e.photo.uuid(),
        e.number,
        e.at,
    ))
}

/// A queued, unassigned task that a client's action made: from `source`
/// (`selection` or `edit_request`) through `(link, note)`.
fn client_task(
    gallery: uuid::Uuid,
    source: &str,
    (link, note): (uuid::Uuid, Option<uuid::Uuid>),
    title: String,
    notes: Option<String>,
) -> editing_task::ActiveModel {
    editing_task::ActiveModel {
        gallery_id: Set(gallery),
        source: Set(source.into()),
        link_id: Set(Some(link)),
        note_id: Set(note),
        title: Set(title),
        notes: Set(notes),
        assignee_id: Set(None),
        priority: Set(Priority::Normal),
        due_at: Set(None),
        status: Set(TaskStatus::Queued),
        revision_count: Set(0),
        started_at: Set(None),
        review_at: Set(None),
        completed_at: Set(None),
        created_by: Set(None),
        ..Default::default()
    }
}

pub(crate) async fn from_selection(
    core: &Core,
    c: &impl ConnectionTrait,
    studio: darkroom_domain::StudioId,
    link: &darkroom_db::entity::share_link::Model,
    g: &gallery::Model,
) -> CoreResult<()> {
    let marks = repo::share::marks_of_link(c, ShareLinkId::from_uuid(link.id)).await?;
    let mut photos = Vec::new();
    for m in marks.iter().filter(|m| m.favourite != 0) {
        if let Some(ph) = repo::photo::find_photo(c, studio, PhotoId::from_uuid(m.photo_id)).await?
            && ph.gallery_id == Some(g.id)
        {
            photos.push(ph);
        }
    }
    if photos.is_empty() {
        return Ok(());
    }
    let open = repo::editing::list_tasks(
        c,
        studio,
        &TaskQuery {
            gallery: Some(g.id),
            statuses: TaskStatus::ALL
                .iter()
                .filter(|s| s.is_open())
                .map(|s| s.name().to_string())
                .collect(),
            ..Default::default()
        },
        LIST_LIMIT,
    )
    .await?
    .into_iter()
    .find(|t| t.source == "selection" && t.link_id == Some(link.id));
    if let Some(t) = open {
        return add_photos(c, studio, &t, &photos).await;
    }
    insert_task(
        core,
        c,
        studio,
        EditTaskId::new(),
        client_task(
            g.id,
            "selection",
            (link.id, None),
            format!("Selection of {} ({} photos)", link.label, photos.len()),
            None,
        ),
        &photos,
    )
    .await?;
    Ok(())
}

/// Adds to a task the photos it does not hold yet, each from its current
/// version.
async fn add_photos(
    c: &impl ConnectionTrait,
    studio: darkroom_domain::StudioId,
    t: &editing_task::Model,
    photos: &[photo::Model],
) -> CoreResult<()> {
    let have: HashSet<uuid::Uuid> = repo::editing::photos_of_tasks(c, studio, &[t.id])
        .await?
        .into_iter()
        .map(|r| r.photo_id)
        .collect();
    for ph in photos.iter().filter(|ph| !have.contains(&ph.id)) {
        repo::editing::insert_task_photo(
            c,
            editing_task_photo::Model {
                id: uuid::Uuid::now_v7(),
                studio_id: studio.uuid(),
                task_id: t.id,
                photo_id: ph.id,
                base_version: ph.current_version,
                edited_version: None,
            },
        )
        .await?;
    }
    Ok(())
}

/// An edit request becomes a task for its photo, the client's words as notes.
pub(crate) async fn from_edit_request(
    core: &Core,
    c: &impl ConnectionTrait,
    link: &darkroom_db::entity::share_link::Model,
    ph: &photo::Model,
    note: NoteId,
    body: &str,
) -> CoreResult<()> {
    insert_task(
        core,
        c,
        StudioId::from_uuid(ph.studio_id),
        EditTaskId::new(),
        client_task(
            ph.gallery_id.unwrap_or_default(),
            "edit_request",
            (link.id, Some(note.uuid())),
            format!("Edit request from {}: {}", link.label, ph.original_name),
            Some(body.to_string()),
        ),
        std::slice::from_ref(ph),
    )
    .await?;
    Ok(())
}

/// An edited (or final) version of a photo was stored: record it on every
/// open task covering the photo, and send each task whose photos are now
/// all edited to review.
pub(crate) async fn on_edited_version(
    core: &Core,
    c: &impl ConnectionTrait,
    p: &Principal,
    photo: uuid::Uuid,
    number: i64,
    now: i64,
) -> CoreResult<()> {
    let studio = p.studio;
    for row in repo::editing::task_photos_of_photo(c, studio, PhotoId::from_uuid(photo)).await? {
        let Some(t) =
            repo::editing::find_task(c, studio, EditTaskId::from_uuid(row.task_id)).await?
        else {
            continue;
        };
        let from = t.status;
        if !from.is_open() || number <= row.base_version {
            continue;
        }
        repo::editing::mark_edited(c, row.id, Some(number)).await?;
        let all = repo::editing::photos_of_tasks(c, studio, &[t.id]).await?;
        let mut am = editing_task::ActiveModel::default();
        let to = if all
            .iter()
            .all(|r| r.id == row.id || r.edited_version.is_some())
        {
            Some(TaskStatus::Review)
        } else if from == TaskStatus::Queued || from == TaskStatus::Revision {
            Some(TaskStatus::InProgress)
        } else {
            None
        };
        if let Some(to) = to {
            apply_status(&mut am, &t, to, now);
            // Read under the same transaction: the version cannot have moved.
            if write::try_update::<editing_task::Entity>(core, c, studio, t.id, t.version, am)
                .await?
                .is_err()
            {
                return Err(CoreError::Internal(anyhow::anyhow!(
                    "task {} changed under its own transaction",
                    t.id
                )));
            }
            if let Some(g) =
                repo::gallery::find(c, studio, GalleryId::from_uuid(t.gallery_id), true).await?
            {
                audit::record(
                    core,
                    c,
                    &Meta::system(),
                    crate::photos::interface::event_in(
                        p,
                        &g,
                        "editing_task",
                        "editing_task.moved_by_upload",
                        EditTaskId::from_uuid(t.id),
                        serde_json::json!({
                            "from": from.name(), "to": to.name(),
                            "photo": PhotoId::from_uuid(photo).to_string(), "version": number,
                        }),
                    ),
                )
                .await?;
            }
        }
    }
    Ok(())
}
