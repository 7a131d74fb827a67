//! Server-rendered pages for staff. Each handler calls the same core
//! function as its API twin and renders a template; forms post back with a
//! CSRF token and redirect on success (post/redirect/get).

mod account;
mod audit;
mod branches;
mod home;
mod ops;
mod public;
pub mod render;
mod roles;
mod settings;
mod staff;
pub mod templates;

use std::collections::HashMap;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

/// Query parameters as a map (pages tolerate extra ones such as `flash`).
pub type Params = axum::extract::Query<HashMap<String, String>>;

/// The non-empty value of a query parameter.
pub fn param<'a>(q: &'a HashMap<String, String>, k: &str) -> Option<&'a str> {
    q.get(k).map(|s| s.as_str()).filter(|s| !s.is_empty())
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::root))
        .route("/setup", get(public::setup_help))
        .route(
            "/setup/{token}",
            get(public::setup_form).post(public::setup_submit),
        )
        .route(
            "/sign-in",
            get(public::sign_in_form).post(public::sign_in_submit),
        )
        .route("/sign-out", post(public::sign_out))
        .route(
            "/password-reset",
            get(public::reset_request_form).post(public::reset_request_submit),
        )
        .route(
            "/password-reset/{token}",
            get(public::reset_form).post(public::reset_submit),
        )
        .route(
            "/invitations/{token}",
            get(public::invitation_form).post(public::invitation_submit),
        )
        .route("/dashboard", get(home::dashboard))
        .route("/branches", get(branches::list))
        .route(
            "/branches/new",
            get(branches::new_form).post(branches::create),
        )
        .route("/branches/{branch_id}", get(branches::show))
        .route(
            "/branches/{branch_id}/edit",
            get(branches::edit_form).post(branches::update),
        )
        .route("/branches/{branch_id}/delete", post(branches::delete))
        .route("/branches/{branch_id}/restore", post(branches::restore))
        .route("/staff", get(staff::list))
        .route("/staff/invite", get(staff::invite_form).post(staff::invite))
        .route("/staff/{user_id}", get(staff::show).post(staff::update))
        .route("/staff/{user_id}/{action}", post(staff::action))
        .route(
            "/staff/{user_id}/roles/{assignment_id}/delete",
            post(staff::unassign),
        )
        .route(
            "/staff/{user_id}/grants/{grant_id}/delete",
            post(staff::revoke_grant),
        )
        .route("/roles", get(roles::list))
        .route("/roles/new", get(roles::new_form).post(roles::create))
        .route(
            "/roles/{role_id}",
            get(roles::edit_form).post(roles::update),
        )
        .route("/roles/{role_id}/delete", post(roles::delete))
        .route("/settings", get(settings::show).post(settings::update))
        .route("/settings/email", post(settings::update_email))
        .route("/audit", get(audit::list))
        .route("/audit/export", get(audit::export))
        .route("/operations", get(ops::show))
        .route("/operations/jobs/{job_id}/retry", post(ops::retry_job))
        .route(
            "/operations/emails/{email_id}/resend",
            post(ops::resend_email),
        )
        .route("/account", get(account::show))
        .route("/account/profile", post(account::update_profile))
        .route("/account/password", post(account::change_password))
        .route("/account/tokens", post(account::create_token))
        .route(
            "/account/tokens/{token_id}/revoke",
            post(account::revoke_token),
        )
        .route("/account/studio", post(account::switch_studio))
}
