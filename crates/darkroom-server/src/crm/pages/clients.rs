//! Client pages: the list (searched by name, email or phone, filtered by a
//! tag), a client's page with its form, and deleting or restoring one.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use darkroom_core::CoreError;
use darkroom_core::crm::client::{self, ClientFilter, ClientPatch, ClientView, NewClient};
use darkroom_domain::ClientId;
use darkroom_domain::field::Tag;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use crate::extract::path_id;
use crate::web::render::{PageCtx, PageForm, done, error_page, field_errors, flash_text};
use crate::web::{Params, field, param};

const KINDS: &[(&str, &str)] = &[("person", "Person"), ("organisation", "Organisation")];

pub async fn list(ctx: PageCtx, q: Params) -> Response {
    let deleted = param(&q, "deleted") == Some("true");
    let f = ClientFilter {
        q: param(&q, "q").map(field),
        deleted: Some(deleted),
        tag: param(&q, "tag").map(field),
    };
    match client::list(&ctx.state.core, &ctx.p, &f).await {
        Ok(items) => ctx.render(
            "clients.html",
            context! {
                title => if deleted { "Deleted clients" } else { "Clients" },
                items => items, q => param(&q, "q"), deleted => deleted, tag => param(&q, "tag"),
                flash => flash_text(param(&q, "flash")),
            },
        ),
        Err(e) => error_page(&ctx.state, &e),
    }
}

/// The client form as posted.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ClientForm {
    kind: String,
    name: String,
    email: String,
    phone: String,
    notes: String,
    /// Tags as typed, separated by commas.
    tags: String,
    version: Option<i64>,
}

impl ClientForm {
    fn of(c: &ClientView) -> Self {
        Self {
            kind: c.kind.name().to_string(),
            name: c.name.clone(),
            email: c.email.clone().unwrap_or_default(),
            phone: c.phone.clone().unwrap_or_default(),
            notes: c.notes.clone().unwrap_or_default(),
            tags: c.tags.join(", "),
            version: Some(c.version),
        }
    }

    /// The tags typed in the form's one line.
    fn tags(&self) -> Vec<Tag> {
        self.tags
            .split(',')
            .filter(|t| !t.trim().is_empty())
            .map(Tag::from)
            .collect()
    }
}

fn form_page(
    ctx: &PageCtx,
    status: StatusCode,
    client: Option<&ClientView>,
    form: &ClientForm,
    errors: Value,
) -> Response {
    let (title, action) = match client {
        Some(c) => (c.name.clone(), format!("/clients/{}", c.id)),
        None => ("New client".to_string(), "/clients/new".to_string()),
    };
    ctx.render_status(
        status,
        "client.html",
        context! {
            title => title, action => action, c => client, form => form, errors => errors,
            kinds => KINDS,
        },
    )
}

pub async fn new_form(ctx: PageCtx) -> Response {
    let form = ClientForm {
        kind: "person".into(),
        ..Default::default()
    };
    form_page(&ctx, StatusCode::OK, None, &form, context! {})
}

pub async fn create(ctx: PageCtx, PageForm(f): PageForm<ClientForm>) -> Response {
    let input = NewClient {
        id: None,
        kind: Some(field(&f.kind)),
        name: field(&f.name),
        email: Some(field(&f.email)),
        phone: Some(field(&f.phone)),
        notes: Some(field(&f.notes)),
        tags: Some(f.tags()),
    };
    match client::create(&ctx.state.core, &ctx.p, &ctx.meta, input).await {
        Ok((c, _)) => done(&format!("/clients/{}", c.id), "client_added"),
        Err(e) => refused(&ctx, None, &f, e),
    }
}

fn refused(ctx: &PageCtx, c: Option<&ClientView>, f: &ClientForm, e: CoreError) -> Response {
    match field_errors(&e) {
        Some(errs) => form_page(
            ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            c,
            f,
            Value::from_serialize(&errs),
        ),
        None => error_page(&ctx.state, &e),
    }
}

async fn load(ctx: &PageCtx, id: &str) -> Result<ClientView, Response> {
    let Ok(id) = path_id::<ClientId>(id) else {
        return Err(error_page(&ctx.state, &CoreError::not_found("client")));
    };
    client::get_any(&ctx.state.core, &ctx.p, id)
        .await
        .map_err(|e| error_page(&ctx.state, &e))
}

pub async fn show(ctx: PageCtx, Path(id): Path<String>, q: Params) -> Response {
    let c = match load(&ctx, &id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let form = ClientForm::of(&c);
    let title = c.name.clone();
    ctx.render(
        "client.html",
        context! {
            title => title, action => format!("/clients/{}", c.id), c => c, form => form,
            errors => context! {}, kinds => KINDS, flash => flash_text(param(&q, "flash")),
        },
    )
}

pub async fn update(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<ClientForm>,
) -> Response {
    let c = match load(&ctx, &id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let patch = ClientPatch {
        version: f.version.unwrap_or(0),
        kind: Some(field(&f.kind)),
        name: Some(field(&f.name)),
        email: Some(field(&f.email)),
        phone: Some(field(&f.phone)),
        notes: Some(field(&f.notes)),
        tags: Some(f.tags()),
    };
    match client::update(&ctx.state.core, &ctx.p, &ctx.meta, c.id, patch).await {
        Ok(c) => done(&format!("/clients/{}", c.id), "client_saved"),
        Err(e) => refused(&ctx, Some(&c), &f, e),
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct VersionForm {
    version: Option<i64>,
}

pub async fn delete(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<VersionForm>,
) -> Response {
    set_deleted(ctx, id, f.version, false).await
}

pub async fn restore(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<VersionForm>,
) -> Response {
    set_deleted(ctx, id, f.version, true).await
}

async fn set_deleted(ctx: PageCtx, id: String, version: Option<i64>, restore: bool) -> Response {
    let Ok(id) = path_id::<ClientId>(&id) else {
        return error_page(&ctx.state, &CoreError::not_found("client"));
    };
    match client::set_deleted(&ctx.state.core, &ctx.p, &ctx.meta, id, version, restore).await {
        Ok(_) if restore => done(&format!("/clients/{id}"), "client_restored"),
        Ok(_) => done("/clients", "client_deleted"),
        Err(e) => error_page(&ctx.state, &e),
    }
}
