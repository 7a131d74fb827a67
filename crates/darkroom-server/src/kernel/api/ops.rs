//! Background jobs and outgoing email.

use axum::Json;
use axum::extract::{Path, State};
use darkroom_core::kernel::jobs::{self, JobFilter, JobView};
use darkroom_core::kernel::listing::Listing;
use darkroom_core::kernel::mail::{self, EmailFilter, EmailView};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, Problem};
use crate::extract::{ApiAuth, ApiQuery, ClientMeta, path_id};
use crate::state::AppState;

/// The studio's background jobs, newest first; failures show their last error.
#[utoipa::path(get, path = "/api/v1/jobs", tag = "operations", params(JobFilter),
    responses((status = 200, body = Listing<JobView>), (status = 403, body = Problem)))]
async fn list_jobs(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(f): ApiQuery<JobFilter>,
) -> ApiResult<Json<Listing<JobView>>> {
    Ok(Json(jobs::list(&s.core, &p, &f).await?))
}

/// Run a failed job again.
#[utoipa::path(post, path = "/api/v1/jobs/{job_id}/retry", tag = "operations",
    params(("job_id" = darkroom_domain::JobId, Path, description = "`job_...`")),
    responses((status = 200, body = JobView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn retry_job(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
) -> ApiResult<Json<JobView>> {
    Ok(Json(jobs::retry(&s.core, &p, &m, path_id(&id)?).await?))
}

/// The studio's outgoing email, newest first.
#[utoipa::path(get, path = "/api/v1/emails", tag = "operations", params(EmailFilter),
    responses((status = 200, body = Listing<EmailView>), (status = 403, body = Problem)))]
async fn list_emails(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(f): ApiQuery<EmailFilter>,
) -> ApiResult<Json<Listing<EmailView>>> {
    Ok(Json(mail::list(&s.core, &p, &f).await?))
}

/// Send a failed or uncertain email again.
#[utoipa::path(post, path = "/api/v1/emails/{email_id}/resend", tag = "operations",
    params(("email_id" = darkroom_domain::EmailId, Path, description = "`eml_...`")),
    responses((status = 200, body = EmailView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn resend_email(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
) -> ApiResult<Json<EmailView>> {
    Ok(Json(mail::resend(&s.core, &p, &m, path_id(&id)?).await?))
}

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_jobs))
        .routes(routes!(retry_job))
        .routes(routes!(list_emails))
        .routes(routes!(resend_email))
}
