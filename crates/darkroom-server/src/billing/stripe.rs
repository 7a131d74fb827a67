//! The studio's Stripe account (API and settings page) and Stripe's signed
//! notices (`POST /hooks/stripe/{studio_id}`), which record card payments
//! and refunds.

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use darkroom_core::CoreError;
use darkroom_core::billing::stripe::webhook::{self, Outcome};
use darkroom_core::billing::stripe::{self, StripeAccountInput, StripeAccountView};
use darkroom_domain::StudioId;
use minijinja::{Value, context};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiAuth, ApiJson, ApiQuery, ClientMeta, VersionParam, client_ip};
use crate::state::AppState;
use crate::web::render::{PageCtx, PageForm, done, error_page, field_errors, flash_text};
use crate::web::{Params, param};

/// The studio's Stripe account (never its secrets).
#[utoipa::path(get, path = "/api/v1/settings/payments/stripe", tag = "billing",
    responses((status = 200, body = StripeAccountView), (status = 403, body = Problem)))]
async fn get_stripe(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
) -> ApiResult<Json<StripeAccountView>> {
    Ok(Json(stripe::get(&s.core, &p).await?))
}

/// Connect (or change) the studio's Stripe account; a new secret key is
/// tried against Stripe first.
#[utoipa::path(put, path = "/api/v1/settings/payments/stripe", tag = "billing", request_body = StripeAccountInput,
    responses((status = 200, body = StripeAccountView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 503, body = Problem)))]
async fn put_stripe(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    ApiJson(input): ApiJson<StripeAccountInput>,
) -> ApiResult<Json<StripeAccountView>> {
    Ok(Json(stripe::set(&s.core, &p, &m, input).await?))
}

/// Disconnect the studio's Stripe account (recorded money stays).
#[utoipa::path(delete, path = "/api/v1/settings/payments/stripe", tag = "billing", params(VersionParam),
    responses((status = 200, body = StripeAccountView), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn delete_stripe(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    ApiQuery(v): ApiQuery<VersionParam>,
) -> ApiResult<Json<StripeAccountView>> {
    Ok(Json(stripe::remove(&s.core, &p, &m, v.get()).await?))
}

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(get_stripe, put_stripe, delete_stripe))
}

/// Stripe's signed notice for a studio. A bad signature answers 401 and
/// counts against the address's guessing limit.
pub async fn hook(
    State(s): State<AppState>,
    Path(studio): Path<String>,
    headers: HeaderMap,
    req: axum::extract::Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(studio) = studio.parse::<StudioId>() else {
        return ApiError::from(CoreError::not_found("Stripe endpoint")).into_response();
    };
    let body: Bytes = match axum::body::to_bytes(body, 1024 * 1024).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError::from(CoreError::invalid(
                "body",
                "the notice is larger than 1 MB or was cut off",
            ))
            .into_response();
        }
    };
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    match webhook::receive(&s.core, studio, signature, &body).await {
        Ok(outcome) => (StatusCode::OK, Json::<Outcome>(outcome)).into_response(),
        Err(e) => {
            if matches!(
                e,
                CoreError::Unauthenticated { .. } | CoreError::NotFound { .. }
            ) {
                let ip = client_ip(&parts, &s);
                if let Err(limited) = crate::security::count_failed_auth(&s, ip) {
                    return limited.into_response();
                }
            }
            ApiError::from(e).into_response()
        }
    }
}

type Form = PageForm<HashMap<String, String>>;

async fn page(ctx: &PageCtx, status: StatusCode, errors: Value, flash: Option<&str>) -> Response {
    match stripe::get(&ctx.state.core, &ctx.p).await {
        Ok(a) => ctx.render_status(
            status,
            "payments_settings.html",
            context! { title => "Online payments", a => a, errors => errors, flash => flash_text(flash) },
        ),
        Err(e) => error_page(&ctx.state, &e),
    }
}

pub async fn settings(ctx: PageCtx, q: Params) -> Response {
    page(&ctx, StatusCode::OK, context! {}, param(&q, "flash")).await
}

fn text(f: &HashMap<String, String>, k: &str) -> Option<String> {
    f.get(k)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

pub async fn save(ctx: PageCtx, PageForm(f): Form) -> Response {
    let input = StripeAccountInput {
        version: f.get("version").and_then(|v| v.parse().ok()).unwrap_or(0),
        secret_key: text(&f, "secret_key"),
        publishable_key: text(&f, "publishable_key").unwrap_or_default(),
        webhook_secret: text(&f, "webhook_secret"),
    };
    match stripe::set(&ctx.state.core, &ctx.p, &ctx.meta, input).await {
        Ok(_) => done("/settings/payments", "stripe_saved"),
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

pub async fn disconnect(ctx: PageCtx, PageForm(f): Form) -> Response {
    let version = f.get("version").and_then(|v| v.parse().ok());
    match stripe::remove(&ctx.state.core, &ctx.p, &ctx.meta, version).await {
        Ok(_) => done("/settings/payments", "stripe_removed"),
        Err(e) => error_page(&ctx.state, &e),
    }
}
