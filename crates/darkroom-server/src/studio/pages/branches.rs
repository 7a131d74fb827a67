//! Branch pages.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use darkroom_core::studio::branch::{
    self, AddressInput, BranchFilterParams, BranchPatch, NewBranch,
};
use darkroom_domain::BranchId;
use darkroom_domain::tax::TaxIdKind;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use crate::extract::path_id;
use crate::web::render::{PageCtx, PageForm, done, error_page, field_errors, flash_text};
use crate::web::{Params, field, opt_field, param};

fn tax_kinds() -> Vec<(&'static str, &'static str)> {
    TaxIdKind::ALL
        .iter()
        .map(|k| (k.key(), k.label()))
        .collect()
}

pub async fn list(ctx: PageCtx, q: Params) -> Response {
    let deleted = param(&q, "deleted") == Some("true");
    let f = BranchFilterParams {
        q: param(&q, "q").map(String::from),
        deleted: Some(deleted),
        cursor: param(&q, "cursor")
            .map(|c| darkroom_core::kernel::listing::IdCursor(c.to_string())),
        limit: Some(darkroom_core::kernel::listing::ListLimit::clamped(50)),
    };
    match branch::list(&ctx.state.core, &ctx.p, &f).await {
        Ok(l) => ctx.render(
            "branches.html",
            context! {
                title => if deleted { "Deleted branches" } else { "Branches" },
                list => l, q => f.q, deleted => deleted, flash => flash_text(param(&q, "flash")),
            },
        ),
        Err(e) => error_page(&ctx.state, &e),
    }
}

/// The branch form as posted (all text, as browsers send it).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct BranchForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    line1: String,
    #[serde(default)]
    line2: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    postal_code: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    tax_id_kind: String,
    #[serde(default)]
    tax_id: String,
    #[serde(default)]
    invoice_prefix: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    version: Option<i64>,
}

impl BranchForm {
    fn address(&self) -> AddressInput {
        AddressInput {
            line1: field(&self.line1),
            line2: field(&self.line2),
            city: field(&self.city),
            region: field(&self.region),
            postal_code: field(&self.postal_code),
            country: field(&self.country),
        }
    }
}

fn form_page(
    ctx: &PageCtx,
    status: StatusCode,
    title: &str,
    action: &str,
    form: &BranchForm,
    errors: Value,
) -> Response {
    ctx.render_status(status, "branch_form.html", context! {
        title => title, action => action, form => form, errors => errors, tax_kinds => tax_kinds(),
    })
}

pub async fn new_form(ctx: PageCtx) -> Response {
    let studio = match darkroom_core::studio::get(&ctx.state.core, &ctx.p).await {
        Ok(s) => s,
        Err(e) => return error_page(&ctx.state, &e),
    };
    if !ctx.can("branch.create") {
        return error_page(
            &ctx.state,
            &darkroom_core::CoreError::forbidden(
                "you do not have the `branch.create` permission; ask the studio owner if you need it",
            ),
        );
    }
    let form = BranchForm {
        time_zone: studio.time_zone,
        currency: studio.currency,
        ..Default::default()
    };
    form_page(
        &ctx,
        StatusCode::OK,
        "New branch",
        "/branches/new",
        &form,
        context! {},
    )
}

pub async fn create(ctx: PageCtx, PageForm(f): PageForm<BranchForm>) -> Response {
    let input = NewBranch {
        id: None,
        name: field(&f.name),
        address: f.address(),
        tax_id_kind: opt_field(&f.tax_id_kind),
        tax_id: opt_field(&f.tax_id),
        invoice_prefix: opt_field(&f.invoice_prefix),
        time_zone: opt_field(&f.time_zone),
        currency: opt_field(&f.currency),
        phone: opt_field(&f.phone),
        email: opt_field(&f.email),
    };
    match branch::create(&ctx.state.core, &ctx.p, &ctx.meta, input).await {
        Ok((b, _)) => done(&format!("/branches/{}", b.id), "branch_created"),
        Err(e) => match field_errors(&e) {
            Some(errs) => form_page(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                "New branch",
                "/branches/new",
                &f,
                Value::from_serialize(&errs),
            ),
            None => error_page(&ctx.state, &e),
        },
    }
}

pub async fn show(ctx: PageCtx, Path(id): Path<String>, q: Params) -> Response {
    let id: BranchId = match path_id(&id) {
        Ok(i) => i,
        Err(_) => return error_page(&ctx.state, &darkroom_core::CoreError::not_found("branch")),
    };
    match branch::get(&ctx.state.core, &ctx.p, id).await {
        Ok(b) => {
            let edit = ctx.state.core.can(
                &ctx.p,
                darkroom_domain::permission::Permission::BranchEdit,
                darkroom_domain::authz::Target::branch(id),
            );
            let delete = ctx.state.core.can(
                &ctx.p,
                darkroom_domain::permission::Permission::BranchDelete,
                darkroom_domain::authz::Target::branch(id),
            );
            let address = b.address.one_line();
            ctx.render("branch.html", context! { title => b.name.clone(), b => b, address => address, can_edit => edit, can_delete => delete, flash => flash_text(param(&q, "flash")) })
        }
        Err(e) => error_page(&ctx.state, &e),
    }
}

pub async fn edit_form(ctx: PageCtx, Path(id): Path<String>) -> Response {
    let Ok(id) = path_id::<BranchId>(&id) else {
        return error_page(&ctx.state, &darkroom_core::CoreError::not_found("branch"));
    };
    let b = match branch::get(&ctx.state.core, &ctx.p, id).await {
        Ok(b) => b,
        Err(e) => return error_page(&ctx.state, &e),
    };
    if let Err(e) = ctx.state.core.authorize(
        &ctx.p,
        darkroom_domain::permission::Permission::BranchEdit,
        darkroom_domain::authz::Target::branch(id),
    ) {
        return error_page(&ctx.state, &e);
    }
    let form = BranchForm {
        name: b.name.clone(),
        line1: b.address.line1.clone(),
        line2: b.address.line2.clone(),
        city: b.address.city.clone(),
        region: b.address.region.clone(),
        postal_code: b.address.postal_code.clone(),
        country: b.address.country.clone(),
        tax_id_kind: b.tax_id_kind.clone().unwrap_or_default(),
        tax_id: b.tax_id.clone().unwrap_or_default(),
        invoice_prefix: b.invoice_prefix.clone(),
        time_zone: b.time_zone.clone(),
        currency: b.currency.clone(),
        phone: b.phone.clone().unwrap_or_default(),
        email: b.email.clone().unwrap_or_default(),
        version: Some(b.version),
    };
    form_page(
        &ctx,
        StatusCode::OK,
        &format!("Edit {}", b.name),
        &format!("/branches/{id}/edit"),
        &form,
        context! {},
    )
}

pub async fn update(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<BranchForm>,
) -> Response {
    let Ok(id) = path_id::<BranchId>(&id) else {
        return error_page(&ctx.state, &darkroom_core::CoreError::not_found("branch"));
    };
    let patch = BranchPatch {
        version: f.version.unwrap_or(0),
        name: Some(field(&f.name)),
        address: Some(f.address()),
        tax_id_kind: Some(field(&f.tax_id_kind)),
        tax_id: Some(field(&f.tax_id)),
        invoice_prefix: Some(field(&f.invoice_prefix)),
        time_zone: Some(field(&f.time_zone)),
        currency: Some(field(&f.currency)),
        phone: Some(field(&f.phone)),
        email: Some(field(&f.email)),
    };
    match branch::update(&ctx.state.core, &ctx.p, &ctx.meta, id, patch).await {
        Ok(_) => done(&format!("/branches/{id}"), "branch_saved"),
        Err(e) => match field_errors(&e) {
            Some(errs) => form_page(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                "Edit branch",
                &format!("/branches/{id}/edit"),
                &f,
                Value::from_serialize(&errs),
            ),
            None => error_page(&ctx.state, &e),
        },
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
    let Ok(id) = path_id::<BranchId>(&id) else {
        return error_page(&ctx.state, &darkroom_core::CoreError::not_found("branch"));
    };
    match branch::set_deleted(&ctx.state.core, &ctx.p, &ctx.meta, id, f.version, false).await {
        Ok(_) => done("/branches", "branch_deleted"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

pub async fn restore(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<VersionForm>,
) -> Response {
    let Ok(id) = path_id::<BranchId>(&id) else {
        return error_page(&ctx.state, &darkroom_core::CoreError::not_found("branch"));
    };
    match branch::set_deleted(&ctx.state.core, &ctx.p, &ctx.meta, id, f.version, true).await {
        Ok(_) => done(&format!("/branches/{id}"), "branch_restored"),
        Err(e) => error_page(&ctx.state, &e),
    }
}
