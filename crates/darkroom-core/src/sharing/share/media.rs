//! Signed media URLs for a guest session, and the session's CSRF token.

use crate::Core;
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::secret::hash_token;
use darkroom_db::repo;
use darkroom_domain::link::LinkAction;
use darkroom_domain::{ShareLinkId, TypedId};
use std::time::Duration;

use super::*;

/// The MAC input of a signed media URL: every parameter that selects bytes
/// (link, photo, rendition, version) and the expiry.
pub(super) fn media_claim(
    link: ShareLinkId,
    photo: &str,
    what: &str,
    rev: &str,
    exp: i64,
) -> String {
    format!("{link}:{photo}:{what}:{rev}:{exp}")
}

/// A media URL for a client: signed, working for [`MEDIA_URL_TTL`] at least.
/// Expiry is rounded up to five minutes so pages reloaded soon after reuse
/// the same URLs (and the browser's cache).
pub fn media_url(core: &Core, link: ShareLinkId, photo: &str, what: &str, rev: &str) -> String {
    const STEP: i64 = 300;
    let now = core.now().as_micros() / 1_000_000;
    let exp = (now + MEDIA_URL_TTL.as_secs() as i64 + STEP - 1) / STEP * STEP;
    let sig = core.keys().mac(
        "link-media",
        media_claim(link, photo, what, rev, exp).as_bytes(),
    );
    format!("/c/{link}/media/{photo}/{what}?v={rev}&exp={exp}&sig={sig}")
}

/// The client behind a signed media URL: the signature must be good and
/// unexpired, and the link must still be open (checked now, not when signed).
pub async fn guest_for_media(
    core: &Core,
    link: ShareLinkId,
    photo: &str,
    what: &str,
    rev: &str,
    exp: i64,
    sig: &str,
) -> CoreResult<std::sync::Arc<Guest>> {
    let now = core.now().as_micros() / 1_000_000;
    if exp < now
        || !core.keys().verify_mac(
            "link-media",
            media_claim(link, photo, what, rev, exp).as_bytes(),
            sig,
        )
    {
        return Err(CoreError::not_found("picture"));
    }
    let hot = crate::sharing::hot::of(core);
    if let Some(g) = hot.links.get(&link.uuid()) {
        authorize(core, &g, LinkAction::View)?;
        return Ok(g);
    }
    let _turn = hot.link_flights.enter(link.uuid()).await;
    if let Some(g) = hot.links.get(&link.uuid()) {
        authorize(core, &g, LinkAction::View)?;
        return Ok(g);
    }
    let read_at = crate::sharing::hot::epoch();
    let l = repo::share::find_link_any(core.db().conn(), link)
        .await?
        .ok_or(CoreError::not_found("gallery link"))?;
    let g = std::sync::Arc::new(guest_rows(core, l).await?);
    hot.links.put(link.uuid(), g.clone(), read_at);
    authorize(core, &g, LinkAction::View)?;
    Ok(g)
}

/// The CSRF token of a link session (sent back by the client page's script).
pub fn session_csrf(core: &Core, cookie: &str) -> String {
    core.keys().mac("link-csrf", hash_token(cookie).as_bytes())
}

pub fn session_csrf_ok(core: &Core, cookie: &str, sent: &str) -> bool {
    !sent.is_empty()
        && core
            .keys()
            .verify_mac("link-csrf", hash_token(cookie).as_bytes(), sent)
}

/// How long before a gallery expires its client is reminded.
pub const EXPIRY_REMINDER: Duration = Duration::from_secs(7 * 24 * 3600);
