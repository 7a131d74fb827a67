//! Studio settings: profile, branding, features and email.

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;
use axum::response::Response;
use darkroom_core::studio::{
    self, BrandingPatch, EmailSettingsInput, FeaturesPatch, RenderPatch, StudioPatch,
};
use darkroom_core::{CoreError, SmtpSecurity};
use minijinja::{Value, context};
use serde::Deserialize;

use crate::security;
use crate::web::render::{PageCtx, PageForm, done, error_page, field_errors, flash_text};
use crate::web::{Params, param};

/// The locales offered in the settings (others typed by hand still work
/// through the API): the studio's dates and client pages follow it.
const LOCALES: &[(&str, &str)] = &[
    ("en", "English"),
    ("en-IN", "English (India)"),
    ("en-GB", "English (United Kingdom)"),
    ("en-US", "English (United States)"),
    ("en-AU", "English (Australia)"),
    ("ko-KR", "한국어 (Korean)"),
    ("hi-IN", "हिन्दी (Hindi)"),
];

/// The offered locales, with `current` first added if it is another one
/// (a locale set through the API stays selectable).
fn locale_options(current: &str) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = LOCALES
        .iter()
        .map(|(k, n)| (k.to_string(), n.to_string()))
        .collect();
    if !current.is_empty() && !LOCALES.iter().any(|(k, _)| *k == current) {
        v.push((current.to_string(), current.to_string()));
    }
    v
}

/// Every IANA time zone this build knows, for the time-zone picker.
fn zones() -> Vec<String> {
    let mut z: Vec<String> = jiff::tz::db()
        .available()
        .map(|n| n.as_str().to_string())
        .filter(|n| {
            n.contains('/')
                && !n.starts_with("Etc/")
                && !n.starts_with("posix/")
                && !n.starts_with("right/")
        })
        .collect();
    z.sort();
    z.dedup();
    z
}

async fn page(ctx: &PageCtx, status: StatusCode, errors: Value, flash: Option<&str>) -> Response {
    typed_page(ctx, status, errors, flash, None).await
}

/// The settings page; after a refused save, `typed` is what was sent, shown
/// again as typed.
async fn typed_page(
    ctx: &PageCtx,
    status: StatusCode,
    errors: Value,
    flash: Option<&str>,
    typed: Option<&SettingsForm>,
) -> Response {
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
                can_edit => ctx.can("studio.settings.edit"), f => typed.map(Value::from_serialize),
                zones => zones(),
                locales => locale_options(typed.map_or(s.locale.as_str(), |f| f.locale.as_str())),
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

#[derive(Default, Deserialize, serde::Serialize)]
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
        name: Some(crate::web::field(&f.name)),
        currency: Some(crate::web::field(&f.currency)),
        time_zone: Some(crate::web::field(&f.time_zone)),
        locale: Some(crate::web::field(&f.locale)),
        branding: Some(BrandingPatch {
            accent_colour: Some(crate::web::field(&f.accent_colour)),
            logo_text: Some(crate::web::field(&f.logo_text)),
            email_footer: Some(crate::web::field(&f.email_footer)),
        }),
        features: Some(FeaturesPatch {
            api_tokens: Some(f.api_tokens.is_some()),
        }),
    };
    match studio::update(&ctx.state.core, &ctx.p, &ctx.meta, patch).await {
        Ok(_) => done("/settings", "settings_saved"),
        Err(e) => match field_errors(&e) {
            Some(errs) => {
                typed_page(
                    &ctx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Value::from_serialize(&errs),
                    None,
                    Some(&f),
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
            Ok(p) => darkroom_domain::field::Ranged(i64::from(p)),
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
            host: crate::web::field(&f.host),
            port,
            security,
            username: Some(crate::web::field(&f.username)),
            // An empty password field keeps the stored one.
            password: if f.password.is_empty() {
                None
            } else {
                Some(f.password)
            },
            from_address: crate::web::field(&f.from_address),
            from_name: crate::web::field(&f.from_name),
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

/// Sizes, quality and the watermark of rendered pictures.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct RenderForm {
    version: i64,
    thumb_edge: String,
    preview_edge: String,
    thumb_quality: String,
    preview_quality: String,
    proof_quality: String,
    watermark_enabled: Option<String>,
    watermark_text: String,
    watermark_position: String,
    watermark_opacity: String,
    watermark_scale: String,
}

pub async fn update_photos(ctx: PageCtx, PageForm(f): PageForm<RenderForm>) -> Response {
    let mut errors = serde_json::Map::new();
    let mut num = |field: &str, raw: &str| -> Option<i64> {
        match raw.trim().parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.insert(format!("render.{field}"), "enter a whole number".into());
                None
            }
        }
    };
    let thumb_edge = num("thumb_edge", &f.thumb_edge).map(darkroom_domain::field::Ranged);
    let preview_edge = num("preview_edge", &f.preview_edge).map(darkroom_domain::field::Ranged);
    let q = |n: Option<i64>| n.map(darkroom_domain::field::Ranged);
    let thumb_quality = q(num("thumb_quality", &f.thumb_quality));
    let preview_quality = q(num("preview_quality", &f.preview_quality));
    let proof_quality = q(num("proof_quality", &f.proof_quality));
    let watermark_opacity =
        num("watermark_opacity", &f.watermark_opacity).map(darkroom_domain::field::Ranged);
    let watermark_scale =
        num("watermark_scale", &f.watermark_scale).map(darkroom_domain::field::Ranged);
    if !errors.is_empty() {
        return page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            Value::from_serialize(&errors),
            None,
        )
        .await;
    }
    let patch = StudioPatch {
        version: f.version,
        render: Some(RenderPatch {
            thumb_edge,
            preview_edge,
            thumb_quality,
            preview_quality,
            proof_quality,
            watermark_enabled: Some(f.watermark_enabled.is_some()),
            watermark_text: Some(crate::web::field(&f.watermark_text)),
            watermark_position: Some(crate::web::field(&f.watermark_position)),
            watermark_opacity,
            watermark_scale,
        }),
        ..Default::default()
    };
    match studio::update(&ctx.state.core, &ctx.p, &ctx.meta, patch).await {
        Ok(_) => done("/settings", "photos_saved"),
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

/// The watermark image form: multipart with `_csrf`, `version` and `image`.
pub async fn upload_watermark(ctx: PageCtx, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    if !security::same_origin(&parts, &ctx.state) {
        return security::csrf_rejected();
    }
    let mut multipart =
        match Multipart::from_request(Request::from_parts(parts, body), &ctx.state).await {
            Ok(m) => m,
            Err(e) => {
                return error_page(
                    &ctx.state,
                    &CoreError::invalid(
                        "image",
                        format!("send the form as multipart/form-data ({e})"),
                    ),
                );
            }
        };
    let (csrf, version, image) = match watermark_form(&ctx, &mut multipart).await {
        Ok(f) => f,
        Err(e) => return error_page(&ctx.state, &e),
    };
    if !security::session_csrf_ok(&ctx.state, &ctx.p, &csrf) {
        return security::csrf_rejected();
    }
    let Some(image) = image.filter(|b| !b.is_empty()) else {
        return page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            context! { image => "choose a PNG file" },
            None,
        )
        .await;
    };
    match studio::set_watermark_image(&ctx.state.core, &ctx.p, &ctx.meta, version, Some(image))
        .await
    {
        Ok(_) => done("/settings", "watermark_saved"),
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

/// The watermark form's fields: its CSRF token, the studio version it was
/// made against, and the image's bytes.
async fn watermark_form(
    ctx: &PageCtx,
    multipart: &mut Multipart,
) -> Result<(String, i64, Option<bytes::Bytes>), CoreError> {
    let (mut csrf, mut version, mut image) = (String::new(), 0i64, None);
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                match name.as_str() {
                    "_csrf" => csrf = field.text().await.unwrap_or_default(),
                    "version" => {
                        version = field
                            .text()
                            .await
                            .ok()
                            .and_then(|v| v.trim().parse().ok())
                            .unwrap_or(0)
                    }
                    "image" => match field.bytes().await {
                        Ok(b) => image = Some(b),
                        Err(_) => {
                            return Err(CoreError::TooLarge {
                                code: "body_too_large",
                                message: format!(
                                    "the image is larger than the {} KB this form accepts; use a smaller PNG",
                                    ctx.state.config.http.max_body_bytes / 1024
                                ),
                            });
                        }
                    },
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(e) => {
                return Err(CoreError::invalid(
                    "image",
                    format!("the upload could not be read: {e}"),
                ));
            }
        }
    }
    Ok((csrf, version, image))
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct VersionOnly {
    version: i64,
}

pub async fn remove_watermark(ctx: PageCtx, PageForm(f): PageForm<VersionOnly>) -> Response {
    match studio::set_watermark_image(&ctx.state.core, &ctx.p, &ctx.meta, f.version, None).await {
        Ok(_) => done("/settings", "watermark_removed"),
        Err(e) => error_page(&ctx.state, &e),
    }
}
