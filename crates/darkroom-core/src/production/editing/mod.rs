//! The editing queue (seed 003's `editing_queue`): what to edit, for whom,
//! by when, and where it stands.
//!
//! A client's submitted selection becomes one task covering the chosen
//! photos; each edit request becomes a task for its photo, with the client's
//! words as its notes; staff can add tasks too. A task has an assignee, a
//! priority (low, normal, high, urgent), a due date and a status that moves
//! by [`darkroom_domain::editing::next`]. Uploading an edited (or final)
//! version of a photo records it on every open task covering the photo; a
//! task whose photos are all edited goes to review by itself. The client's
//! gallery shows a photo's current version, so the edit is what they see.
//!
//! Who may do what: anyone who sees a gallery sees its tasks; managing the
//! gallery (gallery.manage) is needed to add, assign, reschedule, approve or
//! send back a task; the assignee (or a manager) starts it and sends it for
//! review. An assignee must be staff who may upload to the gallery.

use std::collections::{HashMap, HashSet};

use darkroom_db::entity::{editing_task, gallery, photo};
use darkroom_db::repo::{self, editing::TaskQuery};
use darkroom_db::sea_orm::ConnectionTrait;
use darkroom_domain::editing::{Priority, TaskStatus};
use darkroom_domain::permission::Permission;
use darkroom_domain::{
    BranchId, EditTaskId, GalleryId, NoteId, PhotoId, ShareLinkId, Timestamp, TypedId, UserId,
};
use serde::{Deserialize, Serialize};

use crate::kernel::error::{CoreError, CoreResult};
use crate::photos::interface::target;
use crate::{Core, Principal};

mod intake;
pub(crate) use intake::*;

mod change;
pub use change::*;

/// Most tasks one listing returns.
pub const LIST_LIMIT: u64 = 500;

/// One photo of a task.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TaskPhoto {
    pub photo_id: PhotoId,
    pub name: String,
    pub thumb_url: String,
    /// The version the edit starts from.
    pub base_version: i64,
    /// The edited version uploaded for this task, once there is one.
    pub edited_version: Option<i64>,
}

/// A task as listed and shown.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TaskView {
    pub id: EditTaskId,
    pub gallery_id: GalleryId,
    pub gallery_name: String,
    /// The gallery's branch.
    pub branch_id: BranchId,
    /// `selection` (a client's submitted choice), `edit_request` or `staff`.
    pub source: String,
    pub link_id: Option<ShareLinkId>,
    pub note_id: Option<NoteId>,
    pub title: String,
    pub notes: Option<String>,
    pub assignee_id: Option<UserId>,
    pub assignee_name: Option<String>,
    /// `low`, `normal`, `high` or `urgent`.
    pub priority: Priority,
    pub due_at: Option<Timestamp>,
    /// Past its due date and not done.
    pub overdue: bool,
    /// `queued`, `in_progress`, `review`, `revision` or `done`.
    pub status: TaskStatus,
    pub revision_count: i64,
    pub photos: Vec<TaskPhoto>,
    /// Photos with their edited version uploaded.
    pub edited_count: usize,
    pub started_at: Option<Timestamp>,
    pub review_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

async fn views(
    core: &Core,
    c: &impl ConnectionTrait,
    studio: darkroom_domain::StudioId,
    tasks: Vec<editing_task::Model>,
    galleries: &HashMap<uuid::Uuid, gallery::Model>,
) -> CoreResult<Vec<TaskView>> {
    let ids: Vec<uuid::Uuid> = tasks.iter().map(|t| t.id).collect();
    let rows = repo::editing::photos_of_tasks(c, studio, &ids).await?;
    let mut names: HashMap<uuid::Uuid, photo::Model> = HashMap::new();
    for r in &rows {
        if !names.contains_key(&r.photo_id)
            && let Some(ph) =
                repo::photo::find_photo(c, studio, PhotoId::from_uuid(r.photo_id)).await?
        {
            names.insert(ph.id, ph);
        }
    }
    let people = assignee_names(c, studio, &tasks).await?;
    let now = core.now().as_micros();
    Ok(tasks
        .into_iter()
        .map(|t| {
            let photos: Vec<TaskPhoto> = rows
                .iter()
                .filter(|r| r.task_id == t.id)
                .filter_map(|r| {
                    let ph = names.get(&r.photo_id)?;
                    let id = PhotoId::from_uuid(ph.id);
                    Some(TaskPhoto {
                        photo_id: id,
                        name: ph.original_name.clone(),
                        thumb_url: format!("/media/photos/{id}/thumb?v={}", ph.current_version),
                        base_version: r.base_version,
                        edited_version: r.edited_version,
                    })
                })
                .collect();
            let status = t.status;
            let gallery = galleries.get(&t.gallery_id);
            TaskView {
                id: EditTaskId::from_uuid(t.id),
                gallery_id: GalleryId::from_uuid(t.gallery_id),
                gallery_name: gallery.map(|g| g.name.clone()).unwrap_or_default(),
                branch_id: BranchId::from_uuid(gallery.map(|g| g.branch_id).unwrap_or_default()),
                source: t.source,
                link_id: t.link_id.map(ShareLinkId::from_uuid),
                note_id: t.note_id.map(NoteId::from_uuid),
                title: t.title,
                notes: t.notes,
                assignee_id: t.assignee_id.map(UserId::from_uuid),
                assignee_name: t.assignee_id.and_then(|a| people.get(&a).cloned()),
                priority: t.priority,
                due_at: t.due_at.map(Timestamp::from_micros),
                overdue: status != TaskStatus::Done && t.due_at.is_some_and(|d| d < now),
                status: t.status,
                revision_count: t.revision_count,
                edited_count: photos.iter().filter(|p| p.edited_version.is_some()).count(),
                photos,
                started_at: t.started_at.map(Timestamp::from_micros),
                review_at: t.review_at.map(Timestamp::from_micros),
                completed_at: t.completed_at.map(Timestamp::from_micros),
                version: t.version,
                created_at: Timestamp::from_micros(t.created_at),
                updated_at: Timestamp::from_micros(t.updated_at),
            }
        })
        .collect())
}

/// The names of the tasks' assignees, by user.
async fn assignee_names(
    c: &impl ConnectionTrait,
    studio: darkroom_domain::StudioId,
    tasks: &[editing_task::Model],
) -> CoreResult<HashMap<uuid::Uuid, String>> {
    let mut people = HashMap::new();
    for a in tasks.iter().filter_map(|t| t.assignee_id) {
        if let std::collections::hash_map::Entry::Vacant(e) = people.entry(a)
            && let Some(m) =
                repo::person::find_membership(c, studio, UserId::from_uuid(a), true).await?
        {
            e.insert(m.name);
        }
    }
    Ok(people)
}

async fn one_view(
    core: &Core,
    c: &impl ConnectionTrait,
    p: &Principal,
    t: editing_task::Model,
    g: gallery::Model,
) -> CoreResult<TaskView> {
    let gs = HashMap::from([(g.id, g)]);
    views(core, c, p.studio, vec![t], &gs)
        .await?
        .pop()
        .ok_or(CoreError::not_found("editing task"))
}

/// A task of the principal's studio whose live gallery they may see (404 otherwise).
async fn load(
    core: &Core,
    c: &impl ConnectionTrait,
    p: &Principal,
    id: EditTaskId,
) -> CoreResult<(editing_task::Model, gallery::Model)> {
    let t = repo::editing::find_task(c, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("editing task"))?;
    let g = repo::gallery::find(c, p.studio, GalleryId::from_uuid(t.gallery_id), false)
        .await?
        .ok_or(CoreError::not_found("editing task"))?;
    core.authorize(p, Permission::GalleryView, target(&g))?;
    Ok((t, g))
}

/// What to list.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TaskFilter {
    /// Only this gallery's tasks.
    pub gallery_id: Option<GalleryId>,
    /// `me`, or a staff member's `usr_...` id.
    pub assignee: Option<Assignee>,
    /// Comma-separated statuses; `open` means queued, in progress and revision.
    pub status: Option<StatusList>,
}

/// `me`, or a staff member's id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Assignee(pub String);

impl utoipa::PartialSchema for Assignee {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(format!(
                "^me$|{}",
                darkroom_domain::id::pattern(UserId::PREFIX)
            )))
            .into()
    }
}
impl utoipa::ToSchema for Assignee {}

/// Task statuses separated by commas, `open` standing for the open ones.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StatusList(pub String);

impl StatusList {
    fn words() -> Vec<&'static str> {
        let mut w: Vec<&str> = TaskStatus::ALL.iter().map(|s| s.name()).collect();
        w.push("open");
        w
    }
}

impl utoipa::PartialSchema for StatusList {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let one = format!("({})", StatusList::words().join("|"));
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(format!("^({one}(,{one})*)?$")))
            .examples(["open", "review,done"])
            .into()
    }
}
impl utoipa::ToSchema for StatusList {}

/// Tasks the principal may see, soonest due first.
pub async fn list(core: &Core, p: &Principal, f: &TaskFilter) -> CoreResult<Vec<TaskView>> {
    let c = core.db().conn();
    let mut q = TaskQuery::default();
    if let Some(g) = f.gallery_id {
        q.gallery = Some(g.uuid());
    }
    match f.assignee.as_ref().map(|a| a.0.as_str()) {
        None => {}
        Some("me") => q.assignee = Some(p.user.uuid()),
        Some(a) => {
            let id: UserId = a.parse().map_err(|_| {
                CoreError::invalid("assignee", "give `me` or a staff member's id (`usr_...`)")
            })?;
            q.assignee = Some(id.uuid());
        }
    }
    let statuses = f.status.as_ref().map_or("", |s| s.0.as_str());
    for s in statuses.split(',').filter(|_| !statuses.is_empty()) {
        if s == "open" {
            q.statuses.extend(
                TaskStatus::ALL
                    .iter()
                    .filter(|t| t.is_open())
                    .map(|t| t.name().to_string()),
            );
        } else {
            let st = TaskStatus::parse(s).map_err(|e| CoreError::invalid("status", e))?;
            q.statuses.push(st.name().into());
        }
    }
    let tasks = repo::editing::list_tasks(c, p.studio, &q, LIST_LIMIT).await?;
    let mut galleries: HashMap<uuid::Uuid, gallery::Model> = HashMap::new();
    for gid in tasks.iter().map(|t| t.gallery_id).collect::<HashSet<_>>() {
        if let Some(g) = repo::gallery::find(c, p.studio, GalleryId::from_uuid(gid), false).await?
            && core.can(p, Permission::GalleryView, target(&g))
        {
            galleries.insert(gid, g);
        }
    }
    let visible: Vec<editing_task::Model> = tasks
        .into_iter()
        .filter(|t| galleries.contains_key(&t.gallery_id))
        .collect();
    let mut out = views(core, c, p.studio, visible, &galleries).await?;
    // Most urgent first; within a priority, soonest due (the query's order).
    out.sort_by_key(|t| std::cmp::Reverse(t.priority));
    Ok(out)
}

pub async fn get(core: &Core, p: &Principal, id: EditTaskId) -> CoreResult<TaskView> {
    let c = core.db().conn();
    let (t, g) = load(core, c, p, id).await?;
    one_view(core, c, p, t, g).await
}

/// Per status, the number of a gallery's tasks.
pub async fn counts(
    core: &Core,
    p: &Principal,
    gallery: GalleryId,
) -> CoreResult<Vec<(String, i64)>> {
    let c = core.db().conn();
    let g = crate::photos::interface::load(c, p, gallery, false).await?;
    core.authorize(p, Permission::GalleryView, target(&g))?;
    Ok(repo::editing::count_by_status(c, p.studio, GalleryId::from_uuid(g.id)).await?)
}
