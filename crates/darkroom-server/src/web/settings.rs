//! Studio settings: profile, branding, features and email.

use axum::http::StatusCode;
use axum::response::Response;
use darkroom_core::SmtpSecurity;
use darkroom_core::studio::{self, BrandingPatch, EmailSettingsInput, FeaturesPatch, StudioPatch};
use minijinja::{Value, context};
use serde::Deserialize;

use super::render::{PageCtx, PageForm, done, error_page, field_errors, flash_text};
use super::{Params, param};

async fn page(ctx: &PageCtx, status: StatusCode, errors: Value, flash: Option<&str>) -> Response {
    match studio::get(&ctx.state.core, &ctx.p).await {
        Ok(s) => {
            let instance_smtp = ctx
                .state
                .core
                .settings()
                .smtp
                .as_ref()
                .map(|m| format!("{}:{}", m.host, m.port));
            ctx.render_status(status, "settings.html", context! {
                title => "Studio settings", s => s, errors => errors, flash => flash, instance_smtp => instance_smtp,
                can_edit => ctx.can("studio.settings.edit"),
            })
        }
        Err(e) => error_page(&ctx.state, &e),
    }
}

pub async fn show(ctx: PageCtx, q: Params) -> Response {
    page(
        &ctx,
        StatusCode::OK,
        context! {},
        flash_text(param(&q, "flash")),
    )
    .await
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    version: i64,
    name: String,
    currency: String,
    time_zone: String,
    locale: String,
    accent_colour: String,
    #[serde(default)]
    logo_text: String,
    #[serde(default)]
    email_footer: String,
    api_tokens: Option<String>,
}

pub async fn update(ctx: PageCtx, PageForm(f): PageForm<SettingsForm>) -> Response {
    let patch = StudioPatch {
        render: None,
        version: f.version,
        name: Some(f.name),
        currency: Some(f.currency),
        time_zone: Some(f.time_zone),
        locale: Some(f.locale),
        branding: Some(BrandingPatch {
            accent_colour: Some(f.accent_colour),
            logo_text: Some(f.logo_text),
            email_footer: Some(f.email_footer),
        }),
        features: Some(FeaturesPatch {
            api_tokens: Some(f.api_tokens.is_some()),
        }),
    };
    match studio::update(&ctx.state.core, &ctx.p, &ctx.meta, patch).await {
        Ok(_) => done("/settings", "settings_saved"),
        Err(e) => match field_errors(&e) {
            Some(errs) => {
                page(
                    &ctx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Value::from_serialize(&errs),
                    None,
                )
                .await
            }
            None => error_page(&ctx.state, &e),
        },
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct EmailForm {
    version: i64,
    #[serde(default)]
    host: String,
    #[serde(default)]
    port: String,
    #[serde(default)]
    security: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    from_address: String,
    #[serde(default)]
    from_name: String,
    remove: Option<String>,
}

pub async fn update_email(ctx: PageCtx, PageForm(f): PageForm<EmailForm>) -> Response {
    let input = if f.remove.is_some() {
        None
    } else {
        let port = match f.port.trim().parse::<u16>() {
            Ok(p) => p,
            Err(_) => {
                return page(
                    &ctx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    context! { port => "enter a port number, e.g. 587" },
                    None,
                )
                .await;
            }
        };
        let security = match SmtpSecurity::parse(&f.security) {
            Ok(s) => s,
            Err(m) => {
                return page(
                    &ctx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    context! { security => m },
                    None,
                )
                .await;
            }
        };
        Some(EmailSettingsInput {
            version: f.version,
            host: f.host,
            port,
            security,
            username: Some(f.username),
            // An empty password field keeps the stored one.
            password: if f.password.is_empty() {
                None
            } else {
                Some(f.password)
            },
            from_address: f.from_address,
            from_name: f.from_name,
        })
    };
    match studio::set_email(&ctx.state.core, &ctx.p, &ctx.meta, f.version, input).await {
        Ok(_) => done("/settings", "email_saved"),
        Err(e) => match field_errors(&e) {
            Some(errs) => {
                page(
                    &ctx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Value::from_serialize(&errs),
                    None,
                )
                .await
            }
            None => error_page(&ctx.state, &e),
        },
    }
}
