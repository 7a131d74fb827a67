//! The signed-in person's own account: profile, password, API tokens and
//! which studio they are working in.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use darkroom_core::studio::staff::{self, StaffPatch};
use darkroom_core::studio::token::{self, NewToken};
use darkroom_core::{CoreError, studio::auth};
use darkroom_domain::{StudioId, TokenId};
use minijinja::{Value, context};
use serde::Deserialize;

use crate::extract::path_id;
use crate::web::render::{PageCtx, PageForm, done, error_page, field_errors, flash_text};
use crate::web::{Params, param};

async fn page(ctx: &PageCtx, status: StatusCode, extra: Value) -> Response {
    let core = &ctx.state.core;
    let me = match staff::get(core, &ctx.p, ctx.p.user).await {
        Ok(m) => m,
        Err(e) => return error_page(&ctx.state, &e),
    };
    let tokens = token::list(core, &ctx.p).await.unwrap_or_default();
    let scopes: Vec<&str> = ctx.nav.perms.clone();
    ctx.render_status(
        status,
        "account.html",
        context! { title => "Your account", me => me, tokens => tokens, scopes => scopes, ..extra },
    )
}

pub async fn show(ctx: PageCtx, q: Params) -> Response {
    page(
        &ctx,
        StatusCode::OK,
        context! { flash => flash_text(param(&q, "flash")), errors => context! {} },
    )
    .await
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    version: i64,
    name: String,
    #[serde(default)]
    phone: String,
    time_zone: String,
}

pub async fn update_profile(ctx: PageCtx, PageForm(f): PageForm<ProfileForm>) -> Response {
    let patch = StaffPatch {
        version: f.version,
        name: Some(crate::web::field(&f.name)),
        phone: Some(crate::web::field(&f.phone)),
        time_zone: Some(crate::web::field(&f.time_zone)),
    };
    match staff::update(&ctx.state.core, &ctx.p, &ctx.meta, ctx.p.user, patch).await {
        Ok(_) => done("/account", "staff_saved"),
        Err(e) => match field_errors(&e) {
            Some(errs) => {
                page(
                    &ctx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    context! { errors => errs },
                )
                .await
            }
            None => error_page(&ctx.state, &e),
        },
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
}

pub async fn change_password(ctx: PageCtx, PageForm(f): PageForm<PasswordForm>) -> Response {
    match auth::change_password(
        &ctx.state.core,
        &ctx.p,
        &ctx.meta,
        &f.current_password,
        &f.new_password,
    )
    .await
    {
        Ok(()) => done("/account", "password_changed"),
        Err(e) => match field_errors(&e) {
            Some(errs) => {
                page(
                    &ctx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    context! { errors => errs },
                )
                .await
            }
            None => error_page(&ctx.state, &e),
        },
    }
}

pub async fn create_token(
    ctx: PageCtx,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    let mut name = String::new();
    let mut scopes = Vec::new();
    let mut days = None;
    for (k, v) in pairs {
        match k.as_str() {
            "name" => name = v,
            "scopes" => scopes.push(v),
            "expires_in_days" => days = v.trim().parse().ok().map(darkroom_domain::field::Ranged),
            _ => {}
        }
    }
    match token::create(
        &ctx.state.core,
        &ctx.p,
        &ctx.meta,
        NewToken {
            name: crate::web::field(&name),
            scopes: scopes.iter().map(|s| crate::web::field(s)).collect(),
            expires_in_days: days,
        },
    )
    .await
    {
        Ok(created) => {
            page(
                &ctx,
                StatusCode::CREATED,
                context! { created => created, errors => context! {} },
            )
            .await
        }
        Err(e) => match field_errors(&e) {
            Some(errs) => {
                page(
                    &ctx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    context! { errors => errs },
                )
                .await
            }
            None => error_page(&ctx.state, &e),
        },
    }
}

pub async fn revoke_token(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(_f): PageForm<Vec<(String, String)>>,
) -> Response {
    let Ok(id) = path_id::<TokenId>(&id) else {
        return error_page(&ctx.state, &CoreError::not_found("API token"));
    };
    match token::revoke(&ctx.state.core, &ctx.p, &ctx.meta, id).await {
        Ok(()) => done("/account", "token_revoked"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct SwitchForm {
    studio_id: String,
}

pub async fn switch_studio(ctx: PageCtx, PageForm(f): PageForm<SwitchForm>) -> Response {
    let Ok(id) = path_id::<StudioId>(&f.studio_id) else {
        return error_page(&ctx.state, &CoreError::not_found("studio"));
    };
    match auth::switch_studio(&ctx.state.core, &ctx.p, id).await {
        Ok(()) => done("/dashboard", "switched"),
        Err(e) => error_page(&ctx.state, &e),
    }
}
