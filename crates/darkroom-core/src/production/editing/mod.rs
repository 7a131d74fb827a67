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

use darkroom_db::entity::{editing_task, editing_task_photo, gallery, photo};
use darkroom_db::repo::{self, editing::TaskQuery};
use darkroom_db::sea_orm::{ConnectionTrait, Set};
use darkroom_domain::editing::{self as rules, Priority, TaskStatus};
use darkroom_domain::field::{Line, PriorityName, TaskActionName, Text};
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{
    BranchId, EditTaskId, GalleryId, NoteId, PhotoId, ShareLinkId, Timestamp, TypedId, UserId,
};
use serde::{Deserialize, Deserializer, Serialize};

use crate::kernel::audit::{self};
use crate::kernel::created::{self, Claim};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::registry::BoxFuture;
use crate::photos::events::EditedVersionAdded;
use crate::photos::interface::target;
use crate::sharing::events::{EditRequested, SelectionSubmitted};
use crate::{Core, Meta, Principal};

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
    let rows = repo::editing::photos_of_tasks(c, studio.uuid(), &ids).await?;
    let mut names: HashMap<uuid::Uuid, photo::Model> = HashMap::new();
    for r in &rows {
        if !names.contains_key(&r.photo_id)
            && let Some(ph) = repo::photo::find_photo(c, studio.uuid(), r.photo_id).await?
        {
            names.insert(ph.id, ph);
        }
    }
    let mut people: HashMap<uuid::Uuid, String> = HashMap::new();
    for a in tasks.iter().filter_map(|t| t.assignee_id) {
        if let std::collections::hash_map::Entry::Vacant(e) = people.entry(a)
            && let Some(m) = repo::person::find_membership(c, studio.uuid(), a, true).await?
        {
            e.insert(m.name);
        }
    }
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
            TaskView {
                id: EditTaskId::from_uuid(t.id),
                gallery_id: GalleryId::from_uuid(t.gallery_id),
                gallery_name: galleries
                    .get(&t.gallery_id)
                    .map(|g| g.name.clone())
                    .unwrap_or_default(),
                branch_id: BranchId::from_uuid(
                    galleries
                        .get(&t.gallery_id)
                        .map(|g| g.branch_id)
                        .unwrap_or_default(),
                ),
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
    let t = repo::editing::find_task(c, p.studio.uuid(), id.uuid())
        .await?
        .ok_or(CoreError::not_found("editing task"))?;
    let g = repo::gallery::find(c, p.studio.uuid(), t.gallery_id, false)
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
    let tasks = repo::editing::list_tasks(c, p.studio.uuid(), &q, LIST_LIMIT).await?;
    let mut galleries: HashMap<uuid::Uuid, gallery::Model> = HashMap::new();
    for gid in tasks.iter().map(|t| t.gallery_id).collect::<HashSet<_>>() {
        if let Some(g) = repo::gallery::find(c, p.studio.uuid(), gid, false).await?
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
fn double<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
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
async fn check_assignee(
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

fn check_priority(s: Option<&PriorityName>, errs: &mut FieldErrors) -> Option<Priority> {
    s.and_then(|s| errs.check("priority", s.check()))
}

async fn insert_task(
    c: &impl ConnectionTrait,
    t: editing_task::Model,
    photos: &[photo::Model],
) -> darkroom_db::DbResult<editing_task::Model> {
    let studio = t.studio_id;
    let task = t.id;
    let saved = repo::editing::insert_task(c, t).await?;
    for ph in photos {
        repo::editing::insert_task_photo(
            c,
            editing_task_photo::Model {
                id: uuid::Uuid::now_v7(),
                studio_id: studio,
                task_id: task,
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
    if input.id.is_some()
        && created::claim(
            &tx,
            p.studio,
            "editing_task",
            id,
            &created::digest(&input),
            now,
        )
        .await?
            == Claim::Replay
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
    let mut photos = Vec::new();
    if input.photo_ids.is_empty() {
        errs.add("photo_ids", "required", "list the photos to edit");
    }
    let mut seen = HashSet::new();
    for (i, pid) in input.photo_ids.iter().enumerate() {
        match repo::photo::find_photo(&tx, p.studio.uuid(), pid.uuid()).await? {
            Some(ph) if ph.gallery_id == Some(g.id) => {
                // A photo listed again keeps its first place.
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
    errs.into_result()?;
    let t = insert_task(
        &tx,
        editing_task::Model {
            id: id.uuid(),
            studio_id: p.studio.uuid(),
            gallery_id: g.id,
            source: "staff".into(),
            link_id: None,
            note_id: None,
            title: title.unwrap_or_default(),
            notes,
            assignee_id: input.assignee_id.map(|a| a.uuid()),
            priority: priority,
            due_at: input.due_at.map(|d| d.as_micros()),
            status: TaskStatus::Queued,
            revision_count: 0,
            started_at: None,
            review_at: None,
            completed_at: None,
            created_by: Some(p.user.uuid()),
            version: 1,
            created_at: now,
            updated_at: now,
        },
        &photos,
    )
    .await
    .map_err(|e| created::on_insert_error(e, &id))?;
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
    if let Some(tt) = &patch.title
        && let Some(tt) = errs.check("title", tt.check("the title"))
    {
        am.title = Set(tt);
    }
    if let Some(n) = &patch.notes {
        let n = match n {
            Some(n) => errs.check("notes", n.check("the notes")).flatten(),
            None => None,
        };
        am.notes = Set(n);
    }
    if let Some(a) = patch.assignee_id {
        if let Some(a) = a {
            check_assignee(core, &tx, p, &g, a, &mut errs).await?;
        }
        am.assignee_id = Set(a.map(|a| a.uuid()));
    }
    if let Some(pr) = check_priority(patch.priority.as_ref(), &mut errs) {
        am.priority = Set(pr);
    }
    if let Some(d) = patch.due_at {
        am.due_at = Set(d.map(|d| d.as_micros()));
    }
    let now = core.now().as_micros();
    let mut moved = None;
    if let Some(a) = &patch.action
        && let Some(m) = errs.check("action", a.check())
    {
        if m.is_review() || !is_assignee {
            if !manager {
                // The assignee works the task; a manager reviews (and may stand in).
                core.authorize(p, Permission::GalleryManage, target(&g))?;
            }
        } else {
            core.authorize(p, Permission::PhotoUpload, target(&g))?;
        }
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
    am.updated_at = Set(now);
    if !repo::editing::update_task_versioned(&tx, p.studio.uuid(), t.id, patch.version, am).await? {
        let (fresh, g) = load(core, &tx, p, id).await?;
        return Err(CoreError::stale(one_view(core, &tx, p, fresh, g).await?));
    }
    if let Some((_, TaskStatus::Revision)) = moved {
        // The next edit starts from what the photos are now.
        let rows = repo::editing::photos_of_tasks(&tx, p.studio.uuid(), &[t.id]).await?;
        let mut current = Vec::new();
        for r in rows {
            if let Some(ph) = repo::photo::find_photo(&tx, p.studio.uuid(), r.photo_id).await? {
                current.push((ph.id, ph.current_version));
            }
        }
        repo::editing::rebase_task_photos(&tx, p.studio.uuid(), t.id, &current).await?;
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

/// Sets the status and its timestamps.
fn apply_status(
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

/// A client's submitted selection becomes a task (or joins the open task
/// of an earlier submission through the same link).
/// A submitted selection becomes a task (see [`from_selection`]).
pub(crate) fn on_selection<'a>(
    core: &'a Core,
    tx: &'a darkroom_db::Tx,
    e: &'a SelectionSubmitted,
) -> BoxFuture<'a, CoreResult<()>> {
    let _ = core;
    Box::pin(from_selection(tx, e.studio, &e.link, &e.gallery, e.at))
}

/// An edit request becomes a task (see [`from_edit_request`]).
pub(crate) fn on_edit_request<'a>(
    core: &'a Core,
    tx: &'a darkroom_db::Tx,
    e: &'a EditRequested,
) -> BoxFuture<'a, CoreResult<()>> {
    let _ = core;
    Box::pin(from_edit_request(
        tx, &e.link, &e.photo, e.note, &e.body, e.at,
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

pub(crate) async fn from_selection(
    c: &impl ConnectionTrait,
    studio: darkroom_domain::StudioId,
    link: &darkroom_db::entity::share_link::Model,
    g: &gallery::Model,
    now: i64,
) -> CoreResult<()> {
    let marks = repo::share::marks_of_link(c, link.id).await?;
    let mut photos = Vec::new();
    for m in marks.iter().filter(|m| m.favourite != 0) {
        if let Some(ph) = repo::photo::find_photo(c, studio.uuid(), m.photo_id).await?
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
        studio.uuid(),
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
        let have: HashSet<uuid::Uuid> = repo::editing::photos_of_tasks(c, studio.uuid(), &[t.id])
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
        return Ok(());
    }
    insert_task(
        c,
        editing_task::Model {
            id: EditTaskId::new().uuid(),
            studio_id: studio.uuid(),
            gallery_id: g.id,
            source: "selection".into(),
            link_id: Some(link.id),
            note_id: None,
            title: format!("Selection of {} ({} photos)", link.label, photos.len()),
            notes: None,
            assignee_id: None,
            priority: Priority::Normal,
            due_at: None,
            status: TaskStatus::Queued,
            revision_count: 0,
            started_at: None,
            review_at: None,
            completed_at: None,
            created_by: None,
            version: 1,
            created_at: now,
            updated_at: now,
        },
        &photos,
    )
    .await?;
    Ok(())
}

/// An edit request becomes a task for its photo, the client's words as notes.
pub(crate) async fn from_edit_request(
    c: &impl ConnectionTrait,
    link: &darkroom_db::entity::share_link::Model,
    ph: &photo::Model,
    note: NoteId,
    body: &str,
    now: i64,
) -> CoreResult<()> {
    insert_task(
        c,
        editing_task::Model {
            id: EditTaskId::new().uuid(),
            studio_id: ph.studio_id,
            gallery_id: ph.gallery_id.unwrap_or_default(),
            source: "edit_request".into(),
            link_id: Some(link.id),
            note_id: Some(note.uuid()),
            title: format!("Edit request from {}: {}", link.label, ph.original_name),
            notes: Some(body.to_string()),
            assignee_id: None,
            priority: Priority::Normal,
            due_at: None,
            status: TaskStatus::Queued,
            revision_count: 0,
            started_at: None,
            review_at: None,
            completed_at: None,
            created_by: None,
            version: 1,
            created_at: now,
            updated_at: now,
        },
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
    for row in repo::editing::task_photos_of_photo(c, studio.uuid(), photo).await? {
        let Some(t) = repo::editing::find_task(c, studio.uuid(), row.task_id).await? else {
            continue;
        };
        let from = t.status;
        if !from.is_open() || number <= row.base_version {
            continue;
        }
        repo::editing::mark_edited(c, row.id, Some(number)).await?;
        let all = repo::editing::photos_of_tasks(c, studio.uuid(), &[t.id]).await?;
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
            am.updated_at = Set(now);
            repo::editing::update_task_versioned(c, studio.uuid(), t.id, t.version, am).await?;
            if let Some(g) = repo::gallery::find(c, studio.uuid(), t.gallery_id, true).await? {
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

/// Per status, the number of a gallery's tasks.
pub async fn counts(
    core: &Core,
    p: &Principal,
    gallery: GalleryId,
) -> CoreResult<Vec<(String, i64)>> {
    let c = core.db().conn();
    let g = crate::photos::interface::load(c, p, gallery, false).await?;
    core.authorize(p, Permission::GalleryView, target(&g))?;
    Ok(repo::editing::count_by_status(c, p.studio.uuid(), g.id).await?)
}
