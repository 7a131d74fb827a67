//! What a client sees when a link does not open, or a download is refused:
//! pages in the client pages' style, without the staff sign-in, saying
//! which case it is and how to reach the studio.

use axum::http::StatusCode;
use axum::response::Response;
use darkroom_core::sharing::share::{self, ClosedReason};
use minijinja::context;

use crate::state::AppState;
use crate::web::render::render_public;

/// A message of the core as a sentence: capital first letter, full stop.
pub(super) fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    let mut out = c
        .next()
        .map(|f| f.to_uppercase().collect::<String>())
        .unwrap_or_default();
    out.push_str(c.as_str());
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// A page for a client whose link does not open: in the client pages'
/// style, without the staff sign-in, and saying which case it is.
pub(super) fn client_message(
    state: &AppState,
    status: StatusCode,
    ctx: minijinja::Value,
) -> Response {
    let mut res = render_public(state, "client_message.html", ctx);
    *res.status_mut() = status;
    res
}

/// A link or a visit that matches nothing (mistyped, cut short, or a visit
/// that ended): one page for every such case, so a guess learns nothing.
pub(super) fn link_not_valid(state: &AppState, status: StatusCode) -> Response {
    client_message(
        state,
        status,
        context! {
            title => "Gallery not found",
            heading => "We could not find this gallery",
            body => "Open it again from the link the studio sent you, copied whole. If that link no longer works, ask the studio for a new one.",
        },
    )
}

/// A whole link token that no longer opens: whose it was, why, and how to
/// reach the studio. Anything else is a link that was never complete.
pub(super) async fn link_closed(state: &AppState, token: &str) -> Response {
    let closed = share::closed_link(&state.core, token).await.ok().flatten();
    let Some(c) = closed else {
        return link_not_valid(state, StatusCode::NOT_FOUND);
    };
    let t = super::texts::for_locale(&c.locale);
    let case = match c.reason {
        ClosedReason::Expired => "closed_expired",
        ClosedReason::Revoked => "closed_revoked",
        ClosedReason::Closed => "closed_closed",
    };
    let heading = t[&format!("{case}_h")].as_str();
    let body = t[&format!("{case}_b")].as_str();
    // The same status as a link that never existed: only the page's words,
    // read by the holder of the whole token, tell the cases apart.
    client_message(
        state,
        StatusCode::NOT_FOUND,
        context! {
            title => heading, heading => heading, body => body, studio => c.studio_name,
            accent => c.accent_colour, email => c.email, phone => c.phone, t => t,
        },
    )
}
