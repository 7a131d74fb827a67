//! Server-rendered pages for staff. Each handler calls the same core
//! function as its API twin and renders a template; forms post back with a
//! CSRF token and redirect on success (post/redirect/get).

mod account;
mod audit;
mod branches;
mod editing;
mod galleries;
mod home;
pub mod media;
mod ops;
mod photos;
mod public;
pub mod render;
mod roles;
mod settings;
mod sharing;
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

/// A form field as a request field: trimmed (browsers send what was typed).
pub fn field<T: From<String>>(s: &str) -> T {
    T::from(s.trim().to_string())
}

/// A form field that may be left empty.
pub fn opt_field<T: From<String>>(s: &str) -> Option<T> {
    let s = s.trim();
    (!s.is_empty()).then(|| T::from(s.to_string()))
}

/// The `offset` of a paged list (0 when absent); out of range is a 422
/// naming the parameter and its range, never a query the database refuses.
pub fn offset_param(
    q: &HashMap<String, String>,
) -> Result<darkroom_core::kernel::listing::Offset, darkroom_core::CoreError> {
    match param(q, "offset") {
        None => Ok(darkroom_core::kernel::listing::Offset::default()),
        Some(raw) => darkroom_core::kernel::listing::Offset::parse("offset", raw),
    }
}

/// Declares the page routes once: the router is built from this table, and
/// `PAGE_ROUTES` lists the same paths for tests that must cover every route
/// (tenant isolation), so a new page is covered without anyone remembering.
macro_rules! page_routes {
    ($($path:literal => $handler:expr;)*) => {
        /// Every page route's path template.
        pub const PAGE_ROUTES: &[&str] = &[$($path),*];

        pub fn routes() -> Router<AppState> {
            Router::new()$(.route($path, $handler))*
        }
    };
}

page_routes! {
    "/" => get(home::root);
    "/setup" => get(public::setup_help);
    "/setup/{token}" => get(public::setup_form).post(public::setup_submit);
    "/sign-in" => get(public::sign_in_form).post(public::sign_in_submit);
    "/sign-out" => post(public::sign_out);
    "/password-reset" => get(public::reset_request_form).post(public::reset_request_submit);
    "/password-reset/{token}" => get(public::reset_form).post(public::reset_submit);
    "/invitations/{token}" => get(public::invitation_form).post(public::invitation_submit);
    "/dashboard" => get(home::dashboard);
    "/branches" => get(branches::list);
    "/branches/new" => get(branches::new_form).post(branches::create);
    "/branches/{branch_id}" => get(branches::show);
    "/branches/{branch_id}/edit" => get(branches::edit_form).post(branches::update);
    "/branches/{branch_id}/delete" => post(branches::delete);
    "/branches/{branch_id}/restore" => post(branches::restore);
    "/staff" => get(staff::list);
    "/staff/invite" => get(staff::invite_form).post(staff::invite);
    "/staff/{user_id}" => get(staff::show).post(staff::update);
    "/staff/{user_id}/{action}" => post(staff::action);
    "/staff/{user_id}/roles/{assignment_id}/delete" => post(staff::unassign);
    "/staff/{user_id}/grants/{grant_id}/delete" => post(staff::revoke_grant);
    "/roles" => get(roles::list);
    "/roles/new" => get(roles::new_form).post(roles::create);
    "/roles/{role_id}" => get(roles::edit_form).post(roles::update);
    "/roles/{role_id}/delete" => post(roles::delete);
    "/settings" => get(settings::show).post(settings::update);
    "/settings/email" => post(settings::update_email);
    "/settings/photos" => post(settings::update_photos);
    "/settings/watermark" => post(settings::upload_watermark);
    "/settings/watermark/delete" => post(settings::remove_watermark);
    "/galleries" => get(galleries::list);
    "/galleries/new" => get(galleries::new_form).post(galleries::create);
    "/galleries/{gallery_id}" => get(galleries::show);
    "/galleries/{gallery_id}/edit" => post(galleries::update);
    "/galleries/{gallery_id}/delete" => post(galleries::delete);
    "/galleries/{gallery_id}/restore" => post(galleries::restore);
    "/galleries/{gallery_id}/download" => get(media::gallery_zip);
    "/galleries/{gallery_id}/arrange" => post(editing::arrange);
    "/galleries/{gallery_id}/sets" => post(editing::create_set);
    "/sets/{set_id}/edit" => post(editing::update_set);
    "/sets/{set_id}/delete" => post(editing::delete_set);
    "/galleries/{gallery_id}/deliverables" => post(editing::create_deliverable);
    "/deliverables/{deliverable_id}" => post(editing::update_deliverable);
    "/editing" => get(editing::queue);
    "/editing/{task_id}" => post(editing::update_task);
    "/editing/{task_id}/{action}" => post(editing::move_task);
    "/galleries/{gallery_id}/sharing" => get(sharing::show);
    "/galleries/{gallery_id}/sharing/terms" => post(sharing::set_terms);
    "/galleries/{gallery_id}/sharing/links" => post(sharing::create_link);
    "/links/{link_id}/revoke" => post(sharing::revoke);
    "/links/{link_id}/reopen" => post(sharing::reopen);
    "/photos/{photo_id}" => get(photos::show);
    "/photos/{photo_id}/delete" => post(photos::delete);
    "/photos/{photo_id}/purge" => post(photos::purge);
    "/staging" => get(photos::staging);
    "/staging/assign" => post(photos::assign);
    "/media/photos/{photo_id}/{rendition}" => get(media::photo);
    "/audit" => get(audit::list);
    "/audit/export" => get(audit::export);
    "/operations" => get(ops::show);
    "/operations/jobs/{job_id}/retry" => post(ops::retry_job);
    "/operations/emails/{email_id}/resend" => post(ops::resend_email);
    "/account" => get(account::show);
    "/account/profile" => post(account::update_profile);
    "/account/password" => post(account::change_password);
    "/account/tokens" => post(account::create_token);
    "/account/tokens/{token_id}/revoke" => post(account::revoke_token);
    "/account/studio" => post(account::switch_studio);
}
