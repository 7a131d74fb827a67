//! Making and changing tasks by hand: new tasks with their photos, assignee and priority, and moving a task through its statuses.

use crate::kernel::audit::{self};
use crate::kernel::created::{self, Claim};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::photos::interface::target;
use crate::{Core, Meta, Principal};
use darkroom_db::entity::{editing_task, editing_task_photo, gallery, photo};
use darkroom_db::repo::{self};
use darkroom_db::sea_orm::{ConnectionTrait, Set};
use darkroom_domain::editing::{self as rules, Priority, TaskMove, TaskStatus};
use darkroom_domain::field::{Line, PriorityName, TaskActionName, Text};
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{EditTaskId, GalleryId, PhotoId, Timestamp, TypedId, UserId};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::HashSet;

use super::*;

/// A task added by staff.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTask {
    pub id: Option<EditTaskId>,
    pub gallery_id: GalleryId,
    /// What to do ("Colour-grade the ceremony").
    pub title: Line<200>,
    pub notes: Option<Text<5000>>,
    /// Photos of the gallery (a photo listed again is ignored).
    #[schema(min_items = 1, max_items = 20000)]
    pub photo_ids: Vec<PhotoId>,
    pub assignee_id: Option<UserId>,
    /// `normal` when absent.
    pub priority: Option<PriorityName>,
    pub due_at: Option<Timestamp>,
}

/// Absent stays as it is; `null` clears.
pub(super) fn double<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Changes to a task: any of its fields, and/or one move of its status.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskPatch {
    pub version: i64,
    pub title: Option<Line<200>>,
    /// `null` clears.
    #[serde(default, deserialize_with = "double")]
    pub notes: Option<Option<Text<5000>>>,
    /// `null` unassigns.
    #[serde(default, deserialize_with = "double")]
    pub assignee_id: Option<Option<UserId>>,
    pub priority: Option<PriorityName>,
    /// `null` clears.
    #[serde(default, deserialize_with = "double")]
    pub due_at: Option<Option<Timestamp>>,
    /// `start`, `send` (for review), `approve` or `revise` (send back).
    pub action: Option<TaskActionName>,
}

/// Checks an assignee: staff of the studio who may upload to the gallery.
pub(super) async fn check_assignee(
    core: &Core,
    c: &impl ConnectionTrait,
    p: &Principal,
    g: &gallery::Model,
    user: UserId,
    errs: &mut FieldErrors,
) -> CoreResult<()> {
    let them = crate::kernel::principal::load(c, p.studio, user, crate::Via::System, None).await?;
    match them {
        Some(them) if core.can(&them, Permission::PhotoUpload, target(g)) => {}
        Some(_) => errs.add(
            "assignee_id",
            "invalid",
            "this person may not upload to this gallery, so could not deliver the edits; give them a role that can",
        ),
        None => return Err(CoreError::missing("assignee_id", "active staff member", user)),
    }
    Ok(())
}

pub(super) fn check_priority(s: Option<&PriorityName>, errs: &mut FieldErrors) -> Option<Priority> {
    s.and_then(|s| errs.check("priority", s.check()))
}

/// A new task `id` of `studio` (through the versioned write path), with
/// the photos it covers at their current versions.
pub(super) async fn insert_task(
    core: &Core,
    c: &impl ConnectionTrait,
    studio: darkroom_domain::StudioId,
    id: EditTaskId,
    mut t: editing_task::ActiveModel,
    photos: &[photo::Model],
) -> CoreResult<editing_task::Model> {
    t.id = Set(id.uuid());
    let saved = write::insert::<editing_task::Entity>(core, c, studio, &id, t).await?;
    for ph in photos {
        repo::editing::insert_task_photo(
            c,
            editing_task_photo::Model {
                id: uuid::Uuid::now_v7(),
                studio_id: studio.uuid(),
                task_id: id.uuid(),
                photo_id: ph.id,
                base_version: ph.current_version,
                edited_version: None,
            },
        )
        .await?;
    }
    Ok(saved)
}

pub async fn create(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    input: NewTask,
) -> CoreResult<(TaskView, bool)> {
    let tx = core.db().begin().await?;
    let g = crate::photos::interface::load(&tx, p, input.gallery_id, false).await?;
    core.authorize(p, Permission::GalleryManage, target(&g))?;
    let id = input.id.unwrap_or_default();
    let now = core.now().as_micros();
    let digest = created::digest(&input);
    let kind = "editing_task";
    if input.id.is_some()
        && created::claim(&tx, p.studio, kind, id, &digest, now).await? == Claim::Replay
    {
        let (t, g) = load(core, &tx, p, id).await?;
        return Ok((one_view(core, &tx, p, t, g).await?, false));
    }
    let mut errs = FieldErrors::new();
    let title = errs.check("title", input.title.check("the title"));
    let notes = input
        .notes
        .as_ref()
        .and_then(|n| errs.check("notes", n.check("the notes")))
        .flatten();
    let priority = check_priority(input.priority.as_ref(), &mut errs).unwrap_or(Priority::Normal);
    if let Some(a) = input.assignee_id {
        check_assignee(core, &tx, p, &g, a, &mut errs).await?;
    }
    let photos = photos_of(&tx, p.studio, &g, &input.photo_ids, &mut errs).await?;
    errs.into_result()?;
    let t = insert_task(
        core,
        &tx,
        p.studio,
        id,
        editing_task::ActiveModel {
            studio_id: Set(p.studio.uuid()),
            gallery_id: Set(g.id),
            source: Set("staff".into()),
            link_id: Set(None),
            note_id: Set(None),
            title: Set(title.unwrap_or_default()),
            notes: Set(notes),
            assignee_id: Set(input.assignee_id.map(|a| a.uuid())),
            priority: Set(priority),
            due_at: Set(input.due_at.map(|d| d.as_micros())),
            status: Set(TaskStatus::Queued),
            revision_count: Set(0),
            started_at: Set(None),
            review_at: Set(None),
            completed_at: Set(None),
            created_by: Set(Some(p.user.uuid())),
            ..Default::default()
        },
        &photos,
    )
    .await?;
    audit::record(
        core,
        &tx,
        meta,
        crate::photos::interface::event_in(
            p,
            &g,
            "editing_task",
            "editing_task.created",
            id,
            serde_json::json!({ "photos": photos.len() }),
        ),
    )
    .await?;
    let v = one_view(core, &tx, p, t, g).await?;
    crate::commit(tx).await?;
    Ok((v, true))
}

/// The gallery's photos `ids` names, each once in its first place; an id
/// that is not one of the gallery's photos is a 404 naming its place.
pub(super) async fn photos_of(
    tx: &darkroom_db::Tx,
    studio: darkroom_domain::StudioId,
    g: &gallery::Model,
    ids: &[PhotoId],
    errs: &mut FieldErrors,
) -> CoreResult<Vec<photo::Model>> {
    if ids.is_empty() {
        errs.add("photo_ids", "required", "list the photos to edit");
    }
    let mut photos = Vec::new();
    let mut seen = HashSet::new();
    for (i, pid) in ids.iter().enumerate() {
        match repo::photo::find_photo(tx, studio, *pid).await? {
            Some(ph) if ph.gallery_id == Some(g.id) => {
                if seen.insert(ph.id) {
                    photos.push(ph);
                }
            }
            _ => {
                return Err(CoreError::missing(
                    &format!("photo_ids[{i}]"),
                    "photo of this gallery",
                    pid,
                ));
            }
        }
    }
    Ok(photos)
}

pub async fn update(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: EditTaskId,
    patch: TaskPatch,
) -> CoreResult<TaskView> {
    let tx = core.db().begin().await?;
    let (t, g) = load(core, &tx, p, id).await?;
    let manager = core.can(p, Permission::GalleryManage, target(&g));
    let is_assignee = t.assignee_id == Some(p.user.uuid());
    let mut errs = FieldErrors::new();
    let mut am = editing_task::ActiveModel::default();
    let edits_fields = patch.title.is_some()
        || patch.notes.is_some()
        || patch.assignee_id.is_some()
        || patch.priority.is_some()
        || patch.due_at.is_some();
    if edits_fields && !manager {
        core.authorize(p, Permission::GalleryManage, target(&g))?;
    }
    patch
        .put_fields(core, &tx, p, &g, &mut am, &mut errs)
        .await?;
    let now = core.now().as_micros();
    let mut moved = None;
    if let Some(a) = &patch.action
        && let Some(m) = errs.check("action", a.check())
    {
        may_move(core, p, &g, m, manager, is_assignee)?;
        let from = t.status;
        match rules::next(from, m) {
            Ok(to) => {
                apply_status(&mut am, &t, to, now);
                moved = Some((from, to));
            }
            Err(e) => {
                errs.into_result()?;
                return Err(CoreError::conflict("invalid_state", e));
            }
        }
    }
    errs.into_result()?;
    if t.version != patch.version {
        return Err(CoreError::stale(one_view(core, &tx, p, t, g).await?));
    }
    if write::try_update::<editing_task::Entity>(core, &tx, p.studio, t.id, patch.version, am)
        .await?
        .is_err()
    {
        let (fresh, g) = load(core, &tx, p, id).await?;
        return Err(CoreError::stale(one_view(core, &tx, p, fresh, g).await?));
    }
    if let Some((_, TaskStatus::Revision)) = moved {
        rebase_on_current(&tx, p.studio, t.id).await?;
    }
    audit::record(
        core,
        &tx,
        meta,
        crate::photos::interface::event_in(
            p,
            &g,
            "editing_task",
            "editing_task.updated",
            id,
            serde_json::json!({
                "action": patch.action, "from": moved.map(|m| m.0.name()), "to": moved.map(|m| m.1.name()),
                "assignee": patch.assignee_id.map(|a| a.map(|a| a.to_string())),
                "priority": patch.priority,
            }),
        ),
    )
    .await?;
    let (fresh, g) = load(core, &tx, p, id).await?;
    let v = one_view(core, &tx, p, fresh, g).await?;
    crate::commit(tx).await?;
    Ok(v)
}

impl TaskPatch {
    /// Puts the patch's plain fields (title, notes, assignee, priority, due
    /// date) into `am`; mistakes into `errs`.
    async fn put_fields(
        &self,
        core: &Core,
        tx: &darkroom_db::Tx,
        p: &Principal,
        g: &gallery::Model,
        am: &mut editing_task::ActiveModel,
        errs: &mut FieldErrors,
    ) -> CoreResult<()> {
        if let Some(tt) = &self.title
            && let Some(tt) = errs.check("title", tt.check("the title"))
        {
            am.title = Set(tt);
        }
        if let Some(n) = &self.notes {
            let n = match n {
                Some(n) => errs.check("notes", n.check("the notes")).flatten(),
                None => None,
            };
            am.notes = Set(n);
        }
        if let Some(a) = self.assignee_id {
            if let Some(a) = a {
                check_assignee(core, tx, p, g, a, errs).await?;
            }
            am.assignee_id = Set(a.map(|a| a.uuid()));
        }
        if let Some(pr) = check_priority(self.priority.as_ref(), errs) {
            am.priority = Set(pr);
        }
        if let Some(d) = self.due_at {
            am.due_at = Set(d.map(|d| d.as_micros()));
        }
        Ok(())
    }
}

/// Whether `p` may make move `m`: the assignee works the task (with the
/// upload permission); a manager reviews, and may stand in for the assignee.
fn may_move(
    core: &Core,
    p: &Principal,
    g: &gallery::Model,
    m: TaskMove,
    manager: bool,
    is_assignee: bool,
) -> CoreResult<()> {
    if m.is_review() || !is_assignee {
        if !manager {
            core.authorize(p, Permission::GalleryManage, target(g))?;
        }
        Ok(())
    } else {
        core.authorize(p, Permission::PhotoUpload, target(g))
    }
}

/// A task sent back for revision starts its next edit from what its photos
/// are now.
async fn rebase_on_current(
    tx: &darkroom_db::Tx,
    studio: darkroom_domain::StudioId,
    task: uuid::Uuid,
) -> CoreResult<()> {
    let rows = repo::editing::photos_of_tasks(tx, studio, &[task]).await?;
    let mut current = Vec::new();
    for r in rows {
        if let Some(ph) =
            repo::photo::find_photo(tx, studio, PhotoId::from_uuid(r.photo_id)).await?
        {
            current.push((ph.id, ph.current_version));
        }
    }
    repo::editing::rebase_task_photos(tx, studio, EditTaskId::from_uuid(task), &current).await?;
    Ok(())
}

/// Sets the status and its timestamps.
pub(super) fn apply_status(
    am: &mut editing_task::ActiveModel,
    t: &editing_task::Model,
    to: TaskStatus,
    now: i64,
) {
    am.status = Set(to);
    match to {
        TaskStatus::InProgress if t.started_at.is_none() => am.started_at = Set(Some(now)),
        TaskStatus::Review => am.review_at = Set(Some(now)),
        TaskStatus::Done => am.completed_at = Set(Some(now)),
        TaskStatus::Revision => {
            am.revision_count = Set(t.revision_count + 1);
            am.completed_at = Set(None);
        }
        _ => {}
    }
}
