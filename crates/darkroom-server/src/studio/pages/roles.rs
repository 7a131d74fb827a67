//! Role pages: the permission matrix, creating and editing roles.

use std::collections::BTreeMap;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use darkroom_core::CoreError;
use darkroom_core::studio::access::{self, NewRole, RolePatch};
use darkroom_domain::RoleId;
use minijinja::{Value, context};

use crate::extract::path_id;
use crate::web::render::{PageCtx, PageForm, done, error_page, field_errors, flash_text};
use crate::web::{Params, param};

/// Permissions grouped by area, for the matrix and the checkboxes.
fn areas() -> Vec<(String, Vec<access::PermissionView>)> {
    let mut m: BTreeMap<String, Vec<access::PermissionView>> = BTreeMap::new();
    let order: Vec<&str> = access::permissions().iter().map(|p| p.area).collect();
    for p in access::permissions() {
        m.entry(p.area.to_string()).or_default().push(p);
    }
    let mut out: Vec<_> = m.into_iter().collect();
    out.sort_by_key(|(a, _)| order.iter().position(|o| o == a).unwrap_or(usize::MAX));
    out
}

pub async fn list(ctx: PageCtx, q: Params) -> Response {
    match access::list_roles(&ctx.state.core, &ctx.p).await {
        Ok(roles) => ctx.render("roles.html", context! {
            title => "Roles and permissions", roles => roles, areas => areas(), flash => flash_text(param(&q, "flash")),
        }),
        Err(e) => error_page(&ctx.state, &e),
    }
}

fn form_page(
    ctx: &PageCtx,
    status: StatusCode,
    title: &str,
    action: &str,
    form: Value,
    errors: Value,
) -> Response {
    ctx.render_status(status, "role_form.html", context! { title => title, action => action, form => form, areas => areas(), errors => errors })
}

pub async fn new_form(ctx: PageCtx) -> Response {
    if !ctx.can("role.manage") {
        return error_page(
            &ctx.state,
            &CoreError::forbidden(
                "you do not have the `role.manage` permission; ask the studio owner if you need it",
            ),
        );
    }
    form_page(
        &ctx,
        StatusCode::OK,
        "New role",
        "/roles/new",
        context! { permissions => Vec::<String>::new() },
        context! {},
    )
}

/// A role form: repeated `permissions` checkboxes, so it is read by hand.
struct RoleForm {
    name: String,
    description: String,
    permissions: Vec<String>,
    version: Option<i64>,
}

fn read_role_form(pairs: Vec<(String, String)>) -> RoleForm {
    let mut f = RoleForm {
        name: String::new(),
        description: String::new(),
        permissions: Vec::new(),
        version: None,
    };
    for (k, v) in pairs {
        match k.as_str() {
            "name" => f.name = v,
            "description" => f.description = v,
            "permissions" => f.permissions.push(v),
            "version" => f.version = v.parse().ok(),
            _ => {}
        }
    }
    f
}

pub async fn create(ctx: PageCtx, PageForm(pairs): PageForm<Vec<(String, String)>>) -> Response {
    let f = read_role_form(pairs);
    let input = NewRole {
        id: None,
        name: crate::web::field(&f.name),
        description: crate::web::field(&f.description),
        permissions: f.permissions.iter().map(|p| crate::web::field(p)).collect(),
    };
    match access::create_role(&ctx.state.core, &ctx.p, &ctx.meta, input).await {
        Ok(_) => done("/roles", "role_created"),
        Err(e) => match field_errors(&e) {
            Some(errs) => form_page(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                "New role",
                "/roles/new",
                context! { name => f.name, description => f.description, permissions => f.permissions },
                Value::from_serialize(&errs),
            ),
            None => error_page(&ctx.state, &e),
        },
    }
}

pub async fn edit_form(ctx: PageCtx, Path(id): Path<String>) -> Response {
    let Ok(id) = path_id::<RoleId>(&id) else {
        return error_page(&ctx.state, &CoreError::not_found("role"));
    };
    match access::get_role(&ctx.state.core, &ctx.p, id).await {
        Ok(r) => {
            let title = format!("Role: {}", r.name);
            form_page(
                &ctx,
                StatusCode::OK,
                &title,
                &format!("/roles/{id}"),
                Value::from_serialize(&r),
                context! {},
            )
        }
        Err(e) => error_page(&ctx.state, &e),
    }
}

pub async fn update(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    let Ok(id) = path_id::<RoleId>(&id) else {
        return error_page(&ctx.state, &CoreError::not_found("role"));
    };
    let f = read_role_form(pairs);
    let patch = RolePatch {
        version: f.version.unwrap_or(0),
        name: Some(crate::web::field(&f.name)),
        description: Some(crate::web::field(&f.description)),
        permissions: Some(f.permissions.iter().map(|p| crate::web::field(p)).collect()),
    };
    match access::update_role(&ctx.state.core, &ctx.p, &ctx.meta, id, patch).await {
        Ok(_) => done("/roles", "role_saved"),
        Err(e) => match field_errors(&e) {
            Some(errs) => form_page(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                "Edit role",
                &format!("/roles/{id}"),
                context! { id => id.to_string(), name => f.name, description => f.description, permissions => f.permissions, version => f.version, editable => true },
                Value::from_serialize(&errs),
            ),
            None => error_page(&ctx.state, &e),
        },
    }
}

pub async fn delete(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(_f): PageForm<Vec<(String, String)>>,
) -> Response {
    let Ok(id) = path_id::<RoleId>(&id) else {
        return error_page(&ctx.state, &CoreError::not_found("role"));
    };
    match access::delete_role(&ctx.state.core, &ctx.p, &ctx.meta, id).await {
        Ok(()) => done("/roles", "role_deleted"),
        Err(e) => error_page(&ctx.state, &e),
    }
}
