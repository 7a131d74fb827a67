//! The shell of the server-rendered pages: what every context's pages share
//! (rendering, forms with CSRF, templates and their filters, photo and ZIP
//! responses, parameters) and the router built from every context's list.
//! Each page handler calls the same core function as its API twin and
//! renders a template; forms post back and redirect on success
//! (post/redirect/get).

pub mod bytes;
pub mod render;
pub mod templates;

use std::collections::HashMap;

use axum::Router;
use axum::response::Response;
use darkroom_core::CoreError;
use darkroom_domain::{Timestamp, TypedId};

use crate::context;
use crate::extract::path_id;
use crate::state::AppState;
use render::{PageCtx, error_page};

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

/// A path's id, or the not-found page naming what was asked for (an id
/// that does not parse answers exactly like one that does not exist).
pub fn page_id<T: TypedId>(ctx: &PageCtx, raw: &str) -> Result<T, Box<Response>> {
    path_id::<T>(raw).map_err(|_| Box::new(error_page(&ctx.state, &CoreError::not_found(T::NAME))))
}

/// `YYYY-MM-DD` from a date input: the end of that day, UTC.
pub fn end_of_day(field: &str, raw: &str) -> Result<Option<Timestamp>, CoreError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    Timestamp::parse_rfc3339(&format!("{raw}T23:59:59Z"))
        .map(Some)
        .map_err(|_| CoreError::invalid(field, "give a date as YYYY-MM-DD"))
}

/// Every context's pages (staff and guest), as one router.
pub fn routes() -> Router<AppState> {
    let mut r = Router::new();
    for c in context::all() {
        for (path, handler) in (c.pages)().into_iter().chain((c.guest_pages)()) {
            r = r.route(path, handler);
        }
    }
    r
}

/// Every staff page's path template, for the tests that must cover every
/// route (tenant isolation): a new page is covered without anyone
/// remembering.
pub fn page_paths() -> Vec<&'static str> {
    context::all()
        .iter()
        .flat_map(|c| (c.pages)().into_iter().map(|(p, _)| p))
        .collect()
}

/// Every page a client holding a link reaches, likewise.
pub fn guest_paths() -> Vec<&'static str> {
    context::all()
        .iter()
        .flat_map(|c| (c.guest_pages)().into_iter().map(|(p, _)| p))
        .collect()
}
