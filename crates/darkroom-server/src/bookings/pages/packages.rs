//! The packages page: what each branch sells, added and withdrawn here.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use darkroom_core::CoreError;
use darkroom_core::bookings::package::{self, PackageInput};
use darkroom_core::bookings::{self as core_bookings, resource};
use darkroom_domain::PackageId;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use crate::extract::path_id;
use crate::web::render::{PageCtx, PageForm, done, error_page, field_errors, flash_text};
use crate::web::{Params, field, opt_field, param};

/// The add form, as typed. Lists are one item per line.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PackageForm {
    branch_id: String,
    name: String,
    price: String,
    tax_percent: String,
    photos_included: String,
    extra_photo_price: String,
    duration: String,
    inclusions: String,
    exclusions: String,
    resource_id: String,
}

async fn page(
    ctx: &PageCtx,
    status: StatusCode,
    form: &PackageForm,
    errors: Value,
    flash: Option<&str>,
) -> Response {
    let core = &ctx.state.core;
    let (branches, items, resources) = match (
        core_bookings::branches(core, &ctx.p).await,
        package::list(core, &ctx.p).await,
        resource::list(core, &ctx.p, None, false).await,
    ) {
        (Ok(b), Ok(i), Ok(r)) => (b, i, r),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return error_page(&ctx.state, &e),
    };
    ctx.render_status(
        status,
        "packages.html",
        context! {
            title => "Packages", items => items, branches => branches, resources => resources,
            form => form, errors => errors, flash => flash,
        },
    )
}

pub async fn list(ctx: PageCtx, q: Params) -> Response {
    let flash = flash_text(param(&q, "flash"));
    page(
        &ctx,
        StatusCode::OK,
        &PackageForm::default(),
        context! {},
        flash,
    )
    .await
}

/// Tax typed as a percent (`18`, `12.5`) in basis points.
fn basis_points(raw: &str) -> Result<Option<u16>, CoreError> {
    let t = raw.trim().trim_end_matches('%');
    if t.is_empty() {
        return Ok(None);
    }
    let bad = || {
        CoreError::invalid(
            "tax_rate_bp",
            "write the tax as a percent from 0 to 100, e.g. 18 or 12.5",
        )
    };
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let whole: u16 = whole.parse().map_err(|_| bad())?;
    let frac: u16 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(frac))
        .filter(|v| *v <= 10_000)
        .map(Some)
        .ok_or_else(bad)
}

fn input_of(f: &PackageForm) -> Result<PackageInput, CoreError> {
    let items = |s: &str| -> Option<Vec<darkroom_domain::field::Line<200>>> {
        Some(
            s.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(field)
                .collect(),
        )
    };
    let number = |raw: &str, name: &str| -> Result<Option<u32>, CoreError> {
        match raw.trim() {
            "" => Ok(None),
            t => t
                .parse()
                .map(Some)
                .map_err(|_| CoreError::invalid(name, "write a whole number")),
        }
    };
    Ok(PackageInput {
        branch_id: Some(
            f.branch_id
                .parse()
                .map_err(|_| CoreError::invalid("branch_id", "pick a branch"))?,
        ),
        name: Some(field(&f.name)),
        price: Some(field(&f.price)),
        tax_rate_bp: basis_points(&f.tax_percent)?,
        photos_included: number(&f.photos_included, "photos_included")?,
        extra_photo_price: opt_field(&f.extra_photo_price),
        duration_minutes: number(&f.duration, "duration_minutes")?
            .map(|v| v.min(u32::from(u16::MAX)) as u16),
        inclusions: items(&f.inclusions),
        exclusions: items(&f.exclusions),
        resource_ids: opt_field::<String>(&f.resource_id)
            .map(|r| {
                r.parse().map(|r| vec![r]).map_err(|_| {
                    CoreError::invalid("resource_ids", "pick a room or gear from the list")
                })
            })
            .transpose()?,
        ..Default::default()
    })
}

pub async fn create(ctx: PageCtx, PageForm(f): PageForm<PackageForm>) -> Response {
    let result = match input_of(&f) {
        Ok(input) => package::create(&ctx.state.core, &ctx.p, &ctx.meta, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => done("/packages", "package_added"),
        Err(e) => match field_errors(&e) {
            Some(errs) => {
                page(
                    &ctx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &f,
                    Value::from_serialize(&errs),
                    None,
                )
                .await
            }
            None => error_page(&ctx.state, &e),
        },
    }
}

pub async fn withdraw(ctx: PageCtx, Path(id): Path<String>) -> Response {
    let Ok(id) = path_id::<PackageId>(&id) else {
        return error_page(&ctx.state, &CoreError::not_found("package"));
    };
    match package::delete(&ctx.state.core, &ctx.p, &ctx.meta, id).await {
        Ok(()) => done("/packages", "package_withdrawn"),
        Err(e) => error_page(&ctx.state, &e),
    }
}
