//! Staff pages for arranging a gallery (sets, cover, order), the editing
//! queue, and physical deliverables (on the sharing page).

use axum::extract::Path;
use axum::response::Response;
use darkroom_core::CoreError;
use darkroom_core::kernel::listing::Offset;
use darkroom_core::photos::gallery::{self, GalleryPatch};
use darkroom_core::production::arrange::{self, NewSet, PhotoOrder, PlacePhotos, SetPatch};
use darkroom_core::production::delivery::{self, DeliverablePatch, NewDeliverable};
use darkroom_core::production::editing::{
    self, Assignee, NewTask, StatusList, TaskFilter, TaskPatch,
};
use darkroom_core::studio::staff::{self, StaffFilter};
use darkroom_domain::authz::Target;
use darkroom_domain::editing::{Priority, TaskStatus};
use darkroom_domain::permission::Permission;
use darkroom_domain::{
    DeliverableId, EditTaskId, GalleryId, GallerySetId, PhotoId, TypedId, UserId,
};
use minijinja::context;
use serde::Deserialize;

use crate::web::render::{PageCtx, PageForm, done, error_page, flash_text};
use crate::web::{Params, end_of_day, field, opt_field, page_id, param};

// Arranging -------------------------------------------------------------------------

/// The gallery page's arrange form: the ticked photos (`photo` repeated) and
/// what to do with them (`action`: place, cover, task), or the page's photos
/// in their new order (`order`, after dragging) with the page's `offset`.
pub async fn arrange(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    let id = match page_id::<GalleryId>(&ctx, &id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let form = ArrangeForm(pairs);
    let back = format!("/galleries/{id}");
    let result: Result<&str, CoreError> = async {
        // Another studio's gallery answers 404 before anything about the form.
        gallery::get(&ctx.state.core, &ctx.p, id).await?;
        match form.get("action").as_str() {
            "place" => place(&ctx, id, &form).await,
            "cover" => cover(&ctx, id, &form).await,
            "task" => task(&ctx, id, &form).await,
            "order" => order(&ctx, id, &form).await,
            _ => Err(CoreError::invalid(
                "action",
                "choose what to do with the ticked photos",
            )),
        }
    }
    .await;
    match result {
        Ok(flash) => done(&back, flash),
        Err(e) => error_page(&ctx.state, &e),
    }
}

/// The arrange form's fields, as posted.
struct ArrangeForm(Vec<(String, String)>);

impl ArrangeForm {
    fn get(&self, k: &str) -> String {
        self.0
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }

    /// The ticked photos.
    fn ticked(&self) -> Vec<PhotoId> {
        self.0
            .iter()
            .filter(|(k, _)| k == "photo")
            .filter_map(|(_, v)| PhotoId::parse(v).ok())
            .collect()
    }

    /// The ticked photos, or a field error saying to tick some to `what`.
    fn some_ticked(&self, what: &str) -> Result<Vec<PhotoId>, CoreError> {
        let ticked = self.ticked();
        if ticked.is_empty() {
            return Err(CoreError::invalid(
                "photo_ids",
                format!("tick the photos to {what} first"),
            ));
        }
        Ok(ticked)
    }
}

async fn place(
    ctx: &PageCtx,
    id: GalleryId,
    form: &ArrangeForm,
) -> Result<&'static str, CoreError> {
    let photo_ids = form.some_ticked("move")?;
    let set = form.get("set_id");
    let set_id = if set.is_empty() {
        None
    } else {
        Some(
            GallerySetId::parse(&set)
                .map_err(|_| CoreError::invalid("set_id", "choose one of the gallery's sets"))?,
        )
    };
    let input = PlacePhotos { photo_ids, set_id };
    arrange::place_photos(&ctx.state.core, &ctx.p, &ctx.meta, id, input).await?;
    Ok("photos_placed")
}

async fn cover(
    ctx: &PageCtx,
    id: GalleryId,
    form: &ArrangeForm,
) -> Result<&'static str, CoreError> {
    let [one] = form.ticked()[..] else {
        return Err(CoreError::invalid(
            "photo_ids",
            "tick exactly one photo to make it the cover",
        ));
    };
    let core = &ctx.state.core;
    let g = gallery::get(core, &ctx.p, id).await?;
    let patch = GalleryPatch {
        version: g.version,
        cover_photo_id: Some(one),
        ..Default::default()
    };
    gallery::update(core, &ctx.p, &ctx.meta, id, patch).await?;
    Ok("cover_set")
}

async fn task(ctx: &PageCtx, id: GalleryId, form: &ArrangeForm) -> Result<&'static str, CoreError> {
    let photo_ids = form.some_ticked("edit")?;
    let input = NewTask {
        id: None,
        gallery_id: id,
        title: field(&form.get("task_title")),
        notes: Some(field(&form.get("task_notes"))),
        photo_ids,
        assignee_id: None,
        priority: None,
        due_at: None,
    };
    editing::create(&ctx.state.core, &ctx.p, &ctx.meta, input).await?;
    Ok("task_created")
}

/// The page's photos in their dragged order, from the page's `offset`.
async fn order(
    ctx: &PageCtx,
    id: GalleryId,
    form: &ArrangeForm,
) -> Result<&'static str, CoreError> {
    let photo_ids: Vec<PhotoId> = form
        .get("order")
        .split(',')
        .filter_map(|s| PhotoId::parse(s.trim()).ok())
        .collect();
    let from = Offset::parse("offset", &form.get("offset"))?;
    let core = &ctx.state.core;
    let g = gallery::get(core, &ctx.p, id).await?;
    let order = PhotoOrder {
        version: g.version,
        photo_ids,
        from: Some(from),
    };
    arrange::reorder(core, &ctx.p, &ctx.meta, id, order).await?;
    Ok("order_saved")
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct SetForm {
    name: String,
    version: i64,
    position: String,
}

pub async fn create_set(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<SetForm>,
) -> Response {
    let id = match page_id::<GalleryId>(&ctx, &id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    match arrange::create_set(
        &ctx.state.core,
        &ctx.p,
        &ctx.meta,
        id,
        NewSet {
            id: None,
            name: field(&f.name),
        },
    )
    .await
    {
        Ok(_) => done(&format!("/galleries/{id}"), "set_created"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

pub async fn update_set(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<SetForm>,
) -> Response {
    let id: GallerySetId = match page_id(&ctx, &id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let position = match f.position.trim() {
        "" => None,
        p => match p.parse() {
            Ok(n) => Some(darkroom_domain::field::Ranged(n)),
            Err(_) => {
                return error_page(
                    &ctx.state,
                    &CoreError::invalid("position", "give a whole number"),
                );
            }
        },
    };
    let patch = SetPatch {
        version: f.version,
        name: opt_field(&f.name),
        position,
    };
    match arrange::update_set(&ctx.state.core, &ctx.p, &ctx.meta, id, patch).await {
        Ok(s) => done(&format!("/galleries/{}", s.gallery_id), "set_saved"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

pub async fn delete_set(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<Vec<(String, String)>>,
) -> Response {
    let id: GallerySetId = match page_id(&ctx, &id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let back = f
        .iter()
        .find(|(k, _)| k == "gallery_id")
        .and_then(|(_, v)| GalleryId::parse(v).ok())
        .map_or("/galleries".to_string(), |g| format!("/galleries/{g}"));
    match arrange::delete_set(&ctx.state.core, &ctx.p, &ctx.meta, id).await {
        Ok(()) => done(&back, "set_deleted"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

// The editing queue -------------------------------------------------------------

/// The tasks the queue shows for `who`. Opened without a choice and with
/// nothing of yours, it opens on everyone's work (a new selection is
/// nobody's yet).
async fn tasks_with_work(
    ctx: &PageCtx,
    filter: &impl Fn(&str) -> TaskFilter,
    who: String,
    chosen: bool,
) -> Result<(String, Vec<darkroom_core::production::editing::TaskView>), CoreError> {
    let core = &ctx.state.core;
    let tasks = editing::list(core, &ctx.p, &filter(&who)).await?;
    if tasks.is_empty() && !chosen && who == "me" {
        let all = editing::list(core, &ctx.p, &filter("all")).await?;
        if !all.is_empty() {
            return Ok(("all".to_string(), all));
        }
    }
    Ok((who, tasks))
}

/// `/editing`: your queue by default; `?who=all` for everyone's,
/// `?status=` (open by default, or `review`, `done`, `all`), `?gallery_id=`.
pub async fn queue(ctx: PageCtx, q: Params) -> Response {
    let core = &ctx.state.core;
    let who = param(&q, "who").unwrap_or("me").to_string();
    let status = param(&q, "status").unwrap_or("open").to_string();
    let gallery = param(&q, "gallery_id").map(str::to_string);
    let gallery_id = match gallery.as_deref().map(GalleryId::parse).transpose() {
        Ok(g) => g,
        Err(_) => return error_page(&ctx.state, &CoreError::not_found("gallery")),
    };
    let filter = |who: &str| TaskFilter {
        gallery_id,
        assignee: (who == "me").then(|| Assignee("me".to_string())),
        // `all` is the page's own choice of every status, not a status.
        status: match status.as_str() {
            "all" => None,
            one => Some(StatusList(one.to_string())),
        },
    };
    let (who, tasks) = match tasks_with_work(&ctx, &filter, who, param(&q, "who").is_some()).await {
        Ok(w) => w,
        Err(e) => return error_page(&ctx.state, &e),
    };
    // Per task: what this person may do with it.
    let mut rows = Vec::new();
    let mut any_manage = false;
    for t in &tasks {
        let target = Target::gallery(t.gallery_id, t.branch_id);
        let manage = core.can(&ctx.p, Permission::GalleryManage, target);
        any_manage |= manage;
        let mine = t.assignee_id == Some(ctx.p.user);
        let st = t.status;
        let works = manage || (mine && core.can(&ctx.p, Permission::PhotoUpload, target));
        let actions: Vec<(&str, &str)> = [
            (
                "start",
                "Start",
                works && matches!(st, TaskStatus::Queued | TaskStatus::Revision),
            ),
            ("send", "Send for review", works && st.is_open()),
            ("approve", "Approve", manage && st == TaskStatus::Review),
            (
                "revise",
                "Send back for revision",
                manage && matches!(st, TaskStatus::Review | TaskStatus::Done),
            ),
        ]
        .into_iter()
        .filter(|(_, _, ok)| *ok)
        .map(|(a, l, _)| (a, l))
        .collect();
        rows.push(
            context! { t => t, manage => manage, actions => actions, status_label => st.label() },
        );
    }
    let staff = if any_manage {
        staff::list(core, &ctx.p, &StaffFilter::default())
            .await
            .map(|l| l.items)
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    ctx.render(
        "editing.html",
        context! {
            title => "Editing queue", rows => rows, who => who, status => status, gallery => gallery,
            staff => staff, priorities => Priority::ALL.iter().map(|p| p.name()).collect::<Vec<_>>(),
            flash => flash_text(param(&q, "flash")),
        },
    )
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct TaskForm {
    version: i64,
    assignee_id: String,
    priority: String,
    due_on: String,
    back: String,
}

/// Only back to the queue page (never elsewhere).
fn back_to(raw: &str) -> String {
    if raw.starts_with("/editing") && !raw.starts_with("//") {
        raw.to_string()
    } else {
        "/editing".into()
    }
}

pub async fn update_task(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<TaskForm>,
) -> Response {
    let id: EditTaskId = match page_id(&ctx, &id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let result = async {
        let assignee = match f.assignee_id.trim() {
            "" => None,
            a => Some(
                UserId::parse(a)
                    .map_err(|_| CoreError::invalid("assignee_id", "choose a staff member"))?,
            ),
        };
        let patch = TaskPatch {
            version: f.version,
            assignee_id: Some(assignee),
            priority: opt_field(&f.priority),
            due_at: Some(end_of_day("due_on", &f.due_on)?),
            ..Default::default()
        };
        editing::update(&ctx.state.core, &ctx.p, &ctx.meta, id, patch).await
    }
    .await;
    match result {
        Ok(_) => done(&back_to(&f.back), "task_saved"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

pub async fn move_task(
    ctx: PageCtx,
    Path((id, action)): Path<(String, String)>,
    PageForm(f): PageForm<TaskForm>,
) -> Response {
    let id: EditTaskId = match page_id(&ctx, &id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let patch = TaskPatch {
        version: f.version,
        action: Some(field(&action)),
        ..Default::default()
    };
    match editing::update(&ctx.state.core, &ctx.p, &ctx.meta, id, patch).await {
        Ok(_) => done(&back_to(&f.back), "task_moved"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

// Deliverables ----------------------------------------------------------------------

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct DeliverableForm {
    version: i64,
    kind: String,
    description: String,
    quantity: String,
    recipient: String,
    address: String,
    status: String,
    carrier: String,
    tracking_number: String,
}

fn quantity<const A: i64, const B: i64>(
    raw: &str,
) -> Result<Option<darkroom_domain::field::Ranged<A, B>>, CoreError> {
    match raw.trim() {
        "" => Ok(None),
        q => q
            .parse()
            .map(|n| Some(darkroom_domain::field::Ranged(n)))
            .map_err(|_| CoreError::invalid("quantity", "give a whole number")),
    }
}

pub async fn create_deliverable(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<DeliverableForm>,
) -> Response {
    let id = match page_id::<GalleryId>(&ctx, &id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let result = async {
        let input = NewDeliverable {
            id: None,
            kind: field(&f.kind),
            description: field(&f.description),
            quantity: quantity(&f.quantity)?,
            recipient: Some(field(&f.recipient)),
            address: Some(field(&f.address)),
        };
        delivery::create(&ctx.state.core, &ctx.p, &ctx.meta, id, input).await
    }
    .await;
    match result {
        Ok(_) => done(&format!("/galleries/{id}/sharing"), "deliverable_created"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

pub async fn update_deliverable(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<DeliverableForm>,
) -> Response {
    let id: DeliverableId = match page_id(&ctx, &id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let patch = DeliverablePatch {
        version: f.version,
        status: opt_field(&f.status),
        carrier: Some(field(&f.carrier)),
        tracking_number: Some(field(&f.tracking_number)),
        ..Default::default()
    };
    match delivery::update(&ctx.state.core, &ctx.p, &ctx.meta, id, patch).await {
        Ok(u) => done(
            &format!("/galleries/{}/sharing", u.deliverable.gallery_id),
            if u.client_notified {
                "deliverable_notified"
            } else {
                "deliverable_saved"
            },
        ),
        Err(e) => error_page(&ctx.state, &e),
    }
}
