//! A client's side of a share link: opening it (magic link or access code), the guest session, deciding each action against the link, and the events a visit leaves.

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::secret::{hash_token, new_token};
use crate::{Core, Meta};
use darkroom_db::entity::{gallery, share_link};
use darkroom_db::repo;
use darkroom_db::sea_orm::ConnectionTrait;
use darkroom_domain::audit::Severity;
use darkroom_domain::link::{self, Denial, LinkAction, LinkRights, LinkState};
use darkroom_domain::names::LinkPurpose;
use darkroom_domain::{BranchId, GalleryId, ShareLinkId, StudioId, Timestamp, TypedId, UserId};

use super::*;

/// A client, through one link, right now.
#[derive(Clone, Debug)]
pub struct Guest {
    pub studio: StudioId,
    pub link: share_link::Model,
    pub gallery: gallery::Model,
}

impl Guest {
    pub fn link_id(&self) -> ShareLinkId {
        ShareLinkId::from_uuid(self.link.id)
    }

    pub fn state(&self) -> LinkState {
        LinkState {
            rights: LinkRights::parse(&self.link.rights).unwrap_or_default(),
            download: self.link.download,
            expires_at: self.link.expires_at.map(Timestamp::from_micros),
            revoked: self.link.revoked_at.is_some(),
            submitted: self.link.submitted_at.is_some(),
            gallery_status: self.gallery.status,
            gallery_deleted: self.gallery.deleted_at.is_some(),
            gallery_expires_at: self.gallery.expires_at.map(Timestamp::from_micros),
            selection_deadline: self.gallery.selection_deadline.map(Timestamp::from_micros),
            delivery: self.link.purpose == LinkPurpose::Delivery,
        }
    }
}

/// Every client request's authorization: the link's rights and state, now.
pub fn authorize(core: &Core, g: &Guest, action: LinkAction) -> CoreResult<()> {
    match link::decide(&g.state(), action, core.now()) {
        Ok(()) => Ok(()),
        Err(Denial::Gone) => Err(CoreError::not_found("gallery link")),
        Err(Denial::NotAllowed(m)) => {
            metrics::counter!("darkroom_link_denied_total").increment(1);
            Err(CoreError::forbidden(m))
        }
        Err(Denial::Locked(m)) => Err(CoreError::conflict("selection_locked", m)),
    }
}

/// Takes this link's write lock inside `c`'s transaction (a row lock on
/// PostgreSQL, the write lock on SQLite) and decides `action` again on the
/// link and gallery as they are now. A client's write calls this before it
/// writes, so a submission, revocation or expiry committed by a request
/// running at the same moment is never missed; the returned rows are the
/// ones to use for the rest of the transaction.
pub(crate) async fn lock_and_decide(
    core: &Core,
    c: &impl ConnectionTrait,
    g: &Guest,
    action: LinkAction,
) -> CoreResult<Guest> {
    repo::share::touch_link(c, ShareLinkId::from_uuid(g.link.id), core.now().as_micros()).await?;
    let link = repo::share::find_link_any(c, ShareLinkId::from_uuid(g.link.id))
        .await?
        .ok_or(CoreError::not_found("gallery link"))?;
    let gallery = repo::gallery::find(
        c,
        StudioId::from_uuid(link.studio_id),
        GalleryId::from_uuid(link.gallery_id),
        true,
    )
    .await?
    .ok_or(CoreError::not_found("gallery link"))?;
    let fresh = Guest {
        studio: g.studio,
        link,
        gallery,
    };
    authorize(core, &fresh, action)?;
    Ok(fresh)
}

pub(super) async fn guest_of(core: &Core, link: share_link::Model) -> CoreResult<Guest> {
    let guest = guest_rows(core, link).await?;
    authorize(core, &guest, LinkAction::View)?;
    Ok(guest)
}

/// The link with its gallery, not yet decided on.
pub(super) async fn guest_rows(core: &Core, link: share_link::Model) -> CoreResult<Guest> {
    let g = repo::gallery::find(
        core.db().conn(),
        StudioId::from_uuid(link.studio_id),
        GalleryId::from_uuid(link.gallery_id),
        true,
    )
    .await?
    .ok_or(CoreError::not_found("gallery link"))?;
    Ok(Guest {
        studio: StudioId::from_uuid(link.studio_id),
        link,
        gallery: g,
    })
}

/// The client holding session `cookie` for link `id`. Anything else (no
/// such session, another link's session, an expired one, a revoked link) is
/// the same 404.
pub async fn guest(core: &Core, id: ShareLinkId, cookie: &str) -> CoreResult<Guest> {
    let now = core.now().as_micros();
    let hash = hash_token(cookie);
    // Cached rows, decided again now (see `crate::sharing::hot`).
    let hot = crate::sharing::hot::of(core);
    let cached = |hash: &String| -> Option<CoreResult<Guest>> {
        let (link, expires, g) = hot.sessions.get(hash)?;
        if link == id.uuid() && expires > now {
            Some(authorize(core, &g, LinkAction::View).map(|()| g))
        } else {
            Some(Err(CoreError::not_found("gallery link")))
        }
    };
    if let Some(r) = cached(&hash) {
        return r;
    }
    let _turn = hot.session_flights.enter(hash.clone()).await;
    if let Some(r) = cached(&hash) {
        return r;
    }
    let read_at = crate::sharing::hot::epoch();
    let db = core.db().conn();
    if let Some(s) = repo::share::find_session(db, &hash).await?
        && s.link_id == id.uuid()
        && s.expires_at > now
        && let Some(l) = repo::share::find_link_any(db, ShareLinkId::from_uuid(s.link_id)).await?
    {
        let g = guest_rows(core, l).await?;
        hot.sessions
            .put(hash, (s.link_id, s.expires_at, g.clone()), read_at);
        authorize(core, &g, LinkAction::View)?;
        return Ok(g);
    }
    Err(CoreError::not_found("gallery link"))
}

/// What opening a link led to.
#[derive(Clone, Debug)]
pub enum Opened {
    /// In: set this cookie (scoped to `/c/{link}`) and go to the gallery.
    Session {
        link: ShareLinkId,
        token: String,
        expires_at: Timestamp,
    },
    /// A general link: ask for the access code first.
    NeedsCode {
        studio_name: String,
        gallery_name: String,
        /// The studio's locale: the page's language.
        locale: String,
    },
    /// The access code sent was not right: ask again, saying so.
    WrongCode {
        studio_name: String,
        gallery_name: String,
        message: String,
        locale: String,
    },
}

/// Whether `token` has the shape of a link token (43 URL-safe base64
/// characters): anything else is answered without a lookup.
fn is_link_token(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub(super) async fn link_by_token(core: &Core, token: &str) -> CoreResult<Guest> {
    // Shape check first: anything that is not one of our tokens is the same 404.
    if !is_link_token(token) {
        return Err(CoreError::not_found("gallery link"));
    }
    let l = repo::share::find_link_by_token(core.db().conn(), &hash_token(token))
        .await?
        .ok_or(CoreError::not_found("gallery link"))?;
    guest_of(core, l).await
}

/// Why a link that was really given out no longer opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosedReason {
    /// The link's own end date, or the gallery's, has passed.
    Expired,
    /// The studio turned the link off.
    Revoked,
    /// The gallery was archived or removed.
    Closed,
}

/// A closed link as its holder sees it: the studio, how to reach it, and
/// what happened, in words.
#[derive(Clone, Debug, Serialize)]
pub struct ClosedLink {
    pub studio_name: String,
    pub accent_colour: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub reason: ClosedReason,
    /// The studio's locale: the page's language.
    pub locale: String,
}

/// For the holder of a whole link token that no longer opens: whose link it
/// was and why it is closed. A token that matches no link is `None`, like
/// any mistyped address (only the holder of the full token learns more).
pub async fn closed_link(core: &Core, token: &str) -> CoreResult<Option<ClosedLink>> {
    if !is_link_token(token) {
        return Ok(None);
    }
    let Some(l) = repo::share::find_link_by_token(core.db().conn(), &hash_token(token)).await?
    else {
        return Ok(None);
    };
    let g = match guest_rows(core, l).await {
        Ok(g) => g,
        Err(CoreError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let reason = match link::decide(&g.state(), LinkAction::View, core.now()) {
        Ok(()) => return Ok(None),
        Err(_) if g.link.revoked_at.is_some() => ClosedReason::Revoked,
        Err(_)
            if g.gallery.deleted_at.is_some()
                || g.gallery.status == darkroom_domain::names::GalleryStatus::Archived =>
        {
            ClosedReason::Closed
        }
        Err(_) => ClosedReason::Expired,
    };
    let h = crate::kernel::tenant::page_header(core, g.studio).await?;
    let (name, branding, locale) = (h.name, h.branding, h.locale);
    let branch = repo::branch::find(
        core.db().conn(),
        g.studio,
        BranchId::from_uuid(g.gallery.branch_id),
        true,
    )
    .await?;
    Ok(Some(ClosedLink {
        studio_name: branding.logo_text.unwrap_or(name),
        accent_colour: branding.accent_colour,
        email: branch.as_ref().and_then(|b| b.email.clone()),
        phone: branch.and_then(|b| b.phone),
        reason,
        locale,
    }))
}

pub(super) async fn start_session(core: &Core, g: &Guest, meta: &Meta) -> CoreResult<Opened> {
    let now = core.now();
    let expires = link::session_ends(&g.state(), now, SESSION_TTL);
    let token = new_token("");
    let tx = core.db().begin().await?;
    repo::share::insert_session(
        &tx,
        darkroom_db::entity::link_session::Model {
            id: uuid::Uuid::now_v7(),
            studio_id: g.studio.uuid(),
            link_id: g.link.id,
            token_hash: hash_token(&token),
            created_at: now.as_micros(),
            expires_at: expires.as_micros(),
        },
    )
    .await?;
    event(core, &tx, g, "open", None, Some(meta.ip.clone())).await?;
    crate::commit(tx).await?;
    Ok(Opened::Session {
        link: g.link_id(),
        token,
        expires_at: expires,
    })
}

/// Opens a link from its token.
pub async fn open(core: &Core, token: &str, meta: &Meta) -> CoreResult<Opened> {
    let g = link_by_token(core, token).await?;
    if g.link.code_hash.is_some() {
        let h = crate::kernel::tenant::page_header(core, g.studio).await?;
        return Ok(Opened::NeedsCode {
            studio_name: h.shown_name(),
            locale: h.locale,
            gallery_name: g.gallery.name,
        });
    }
    start_session(core, &g, meta).await
}

/// Opens a general link with its access code. Attempts are limited per link
/// and per address; repeated failures alert the studio.
pub async fn enter_code(core: &Core, token: &str, code: &str, meta: &Meta) -> CoreResult<Opened> {
    let g = link_by_token(core, token).await?;
    let Some(expected) = g.link.code_hash.clone() else {
        return start_session(core, &g, meta).await;
    };
    let since = core.now().minus(CODE_WINDOW).as_micros();
    let link_key = format!("code:link:{}", g.link.id);
    let ip_key = format!("code:ip:{}", meta.ip);
    let db = core.db().conn();
    if repo::signin::throttle_failures(db, &link_key, since).await? >= CODE_MAX_PER_LINK
        || repo::signin::throttle_failures(db, &ip_key, since).await? >= CODE_MAX_PER_IP
    {
        metrics::counter!("darkroom_link_code_throttled_total").increment(1);
        return Err(CoreError::RateLimited {
            retry_after: CODE_WINDOW,
        });
    }
    let sent = code_hash(core, g.link_id(), code);
    let ok: bool = {
        use subtle::ConstantTimeEq;
        sent.as_bytes().ct_eq(expected.as_bytes()).into()
    };
    if ok {
        repo::signin::throttle_clear(db, &link_key).await?;
        return start_session(core, &g, meta).await;
    }
    let now = core.now().as_micros();
    let tx = core.db().begin().await?;
    repo::signin::throttle_record_failure(&tx, &link_key, now, since).await?;
    repo::signin::throttle_record_failure(&tx, &ip_key, now, since).await?;
    let failed = repo::share::add_failed_code(&tx, ShareLinkId::from_uuid(g.link.id)).await?;
    event(core, &tx, &g, "code_failed", None, Some(meta.ip.clone())).await?;
    if failed % CODE_ALERT_EVERY == 0 {
        alert_code_failures(core, &tx, &g, failed, meta).await?;
    }
    crate::commit(tx).await?;
    core.wake_workers();
    let h = crate::kernel::tenant::page_header(core, g.studio).await?;
    Ok(Opened::WrongCode {
        studio_name: h.shown_name(),
        locale: h.locale,
        gallery_name: g.gallery.name,
        message: "that access code is not right; check it with the studio and type it again".into(),
    })
}

/// An audit entry of high severity, and an email to whoever shared the gallery.
pub(super) async fn alert_code_failures(
    core: &Core,
    c: &impl ConnectionTrait,
    g: &Guest,
    failed: i64,
    meta: &Meta,
) -> CoreResult<()> {
    audit::record(
        core,
        c,
        meta,
        Event {
            studio: Some(g.studio),
            branch: Some(BranchId::from_uuid(g.gallery.branch_id)),
            who: Who::system("client link"),
            event_type: "share_link.code_failures",
            severity: Severity::High,
            target_type: "share_link",
            target_id: g.link_id().to_string(),
            payload: serde_json::json!({ "failed": failed, "ip": meta.ip, "gallery": g.gallery.name }),
        },
    )
    .await?;
    notify_staff(core, c, g, |studio, branding| {
        crate::sharing::emails::code_failures(
            studio,
            &g.gallery.name,
            &g.link.label,
            failed,
            &meta.ip,
            branding,
        )
    })
    .await
}

/// Emails the staff member who shared the link (or created the gallery).
pub(crate) async fn notify_staff(
    core: &Core,
    c: &impl ConnectionTrait,
    g: &Guest,
    compose: impl FnOnce(&str, &crate::kernel::tenant::Branding) -> crate::kernel::mail::Message,
) -> CoreResult<()> {
    if crate::kernel::tenant::smtp_for(core, Some(g.studio))
        .await?
        .is_none()
    {
        return Ok(());
    }
    let who = g.link.created_by.or(g.gallery.created_by);
    let Some(user) = who else { return Ok(()) };
    let Some(u) = repo::person::find_user(c, UserId::from_uuid(user)).await? else {
        return Ok(());
    };
    let (studio_name, branding) = crate::kernel::tenant::header(core, g.studio).await?;
    let msg = compose(&studio_name, &branding);
    crate::kernel::mail::queue(core, c, Some(g.studio), "client_activity", &u.email, msg).await?;
    Ok(())
}

/// Records one thing a client did (for the studio's activity view).
pub(crate) async fn event(
    core: &Core,
    c: &impl ConnectionTrait,
    g: &Guest,
    kind: &str,
    photo: Option<uuid::Uuid>,
    detail: Option<String>,
) -> CoreResult<()> {
    let now = core.now().as_micros();
    repo::share::insert_event(
        c,
        darkroom_db::entity::gallery_event::Model {
            id: uuid::Uuid::now_v7(),
            studio_id: g.studio.uuid(),
            gallery_id: g.gallery.id,
            link_id: Some(g.link.id),
            photo_id: photo,
            kind: kind.into(),
            detail,
            at: now,
        },
    )
    .await?;
    repo::share::touch_link(c, ShareLinkId::from_uuid(g.link.id), now).await?;
    Ok(())
}
