//! The client page's portal section: send a link, revoke one.

use axum::extract::Path;
use axum::response::Response;
use darkroom_core::CoreError;
use darkroom_core::portal::{self, PortalLinkInput};
use darkroom_domain::{ClientId, PortalLinkId};
use serde::Deserialize;

use crate::extract::path_id;
use crate::web::render::{PageCtx, PageForm, done, error_page};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SendForm {
    /// `""` for the client's own email, else a contact's id.
    to: String,
    days: String,
}

pub async fn send(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<SendForm>,
) -> Response {
    let Ok(id) = path_id::<ClientId>(&id) else {
        return error_page(&ctx.state, &CoreError::not_found("client"));
    };
    let contact_id = match f.to.trim() {
        "" => None,
        other => match other.parse() {
            Ok(c) => Some(c),
            Err(_) => {
                return error_page(
                    &ctx.state,
                    &CoreError::invalid("to", "choose whom to send the link to from the list"),
                );
            }
        },
    };
    let input = PortalLinkInput {
        contact_id,
        days: f.days.trim().parse().ok(),
    };
    match portal::send(&ctx.state.core, &ctx.p, &ctx.meta, id, input).await {
        Ok(_) => done(&format!("/clients/{id}#portal"), "portal_link_sent"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

pub async fn revoke(ctx: PageCtx, Path((id, link)): Path<(String, String)>) -> Response {
    let (Ok(id), Ok(link)) = (path_id::<ClientId>(&id), path_id::<PortalLinkId>(&link)) else {
        return error_page(&ctx.state, &CoreError::not_found("portal link"));
    };
    match portal::revoke(&ctx.state.core, &ctx.p, &ctx.meta, id, link).await {
        Ok(_) => done(&format!("/clients/{id}#portal"), "portal_link_revoked"),
        Err(e) => error_page(&ctx.state, &e),
    }
}
