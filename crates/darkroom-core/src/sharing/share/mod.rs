//! Sharing a gallery with clients, who have no account.
//!
//! A studio creates share links on a gallery: one per person (a magic link
//! sent to them), or a general one whose visitors must also enter a
//! generated access code. A link's token has 256 random bits and only its
//! SHA-256 is stored. Opening it creates a link session (a second random
//! token, in a cookie scoped to `/c/{link}`) and the browser is redirected to
//! a URL without the token, so it never leaks through Referer or logs.
//!
//! Every client request is decided by [`darkroom_domain::link::decide`] on
//! the link's and gallery's rows as they are now: revoking a link, archiving
//! or expiring a gallery cuts access on the next request. A link id, a
//! session cookie of another link, or a link of a deleted gallery all answer
//! like an id that does not exist.

use std::time::Duration;

use darkroom_db::entity::{gallery, share_link};
use darkroom_db::repo;
use darkroom_db::sea_orm::{ConnectionTrait, Set};
use darkroom_domain::audit::Severity;
use darkroom_domain::field::{
    DownloadLevelName, Future, Line, LinkKindName, LinkPurposeName, LinkRightName, OptEmail, Ranged,
};
use darkroom_domain::link::{self, Denial, DownloadLevel, LinkAction, LinkRights, LinkState};
use darkroom_domain::names::{LinkKind, LinkPurpose};
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{BranchId, GalleryId, ShareLinkId, StudioId, Timestamp, TypedId};
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::secret::{hash_token, new_token};
use crate::{Core, Meta, Principal};

/// How long a browser stays in after opening a link (never past the link's expiry).
pub const SESSION_TTL: Duration = Duration::from_secs(30 * 24 * 3600);
/// Failed access codes allowed per link, and per address, in [`CODE_WINDOW`].
pub const CODE_MAX_PER_LINK: i64 = 10;
pub const CODE_MAX_PER_IP: i64 = 20;
pub const CODE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// The studio is alerted at this many failed codes on one link, and at each multiple.
pub const CODE_ALERT_EVERY: i64 = 5;
/// How long a signed media URL works.
pub const MEDIA_URL_TTL: Duration = Duration::from_secs(15 * 60);

/// The access-code alphabet: no 0/O, 1/I/L, so codes survive being read aloud.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A fresh access code, `XXXX-XXXX` (about 40 bits; attempts are throttled).
pub fn new_code() -> String {
    let mut rng = rand::rng();
    let mut s = String::with_capacity(9);
    for i in 0..8 {
        if i == 4 {
            s.push('-');
        }
        s.push(CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char);
    }
    s
}

/// The code as typed, normalised: upper case, without spaces or dashes.
fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The stored form of a code: a MAC under the instance key, bound to the
/// link, so a database leak does not let codes be tried offline.
fn code_hash(core: &Core, link: ShareLinkId, code: &str) -> String {
    core.keys().mac(
        "link-code",
        format!("{link}:{}", normalise_code(code)).as_bytes(),
    )
}

/// A share link as the studio sees it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LinkView {
    pub id: ShareLinkId,
    pub gallery_id: GalleryId,
    /// `person` (a magic link for one person) or `general` (needs the access code).
    pub kind: LinkKind,
    /// `proofing` (choose, comment, request edits) or `delivery` (final files).
    pub purpose: LinkPurpose,
    pub label: String,
    pub email: Option<String>,
    /// Any of `favourite`, `comment`, `edits`, `clean`.
    pub rights: Vec<String>,
    /// `none`, `proof`, `web` or `original`.
    pub download: DownloadLevel,
    pub download_limit: Option<i64>,
    pub downloads_used: i64,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub submitted_at: Option<Timestamp>,
    pub last_activity_at: Option<Timestamp>,
    /// Failed access-code attempts so far.
    pub failed_codes: i64,
    pub views: i64,
    pub favourites: i64,
    pub downloads: i64,
    pub comments: i64,
    pub version: i64,
    pub created_at: Timestamp,
}

fn link_view(m: &share_link::Model, counts: &[(Option<uuid::Uuid>, String, i64)]) -> LinkView {
    let n = |kind: &str| {
        counts
            .iter()
            .filter(|(l, k, _)| *l == Some(m.id) && k == kind)
            .map(|(_, _, n)| *n)
            .sum::<i64>()
    };
    LinkView {
        id: ShareLinkId::from_uuid(m.id),
        gallery_id: GalleryId::from_uuid(m.gallery_id),
        kind: m.kind.clone(),
        purpose: m.purpose.clone(),
        label: m.label.clone(),
        email: m.email.clone(),
        rights: m
            .rights
            .split(',')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        download: m.download.clone(),
        download_limit: m.download_limit,
        downloads_used: m.downloads_used,
        expires_at: m.expires_at.map(Timestamp::from_micros),
        revoked_at: m.revoked_at.map(Timestamp::from_micros),
        submitted_at: m.submitted_at.map(Timestamp::from_micros),
        last_activity_at: m.last_activity_at.map(Timestamp::from_micros),
        failed_codes: m.failed_codes,
        views: n("view"),
        favourites: n("favourite"),
        downloads: n("download"),
        comments: n("comment") + n("edit_request"),
        version: m.version,
        created_at: Timestamp::from_micros(m.created_at),
    }
}

/// A new share link.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLink {
    pub id: Option<ShareLinkId>,
    /// `person` (default) or `general`.
    pub kind: Option<LinkKindName>,
    /// `proofing` (default) or `delivery`: the final files, clean, with the
    /// link's own expiry and download cap (the gallery's proofing expiry and
    /// cap do not apply). A delivery link takes no proofing rights and
    /// downloads originals unless `download` says otherwise.
    pub purpose: Option<LinkPurposeName>,
    /// Who it is for ("Mina Park"), or what it is ("Guests").
    pub label: Line<200>,
    /// For a person link: where to email it (optional, `""` for none).
    pub email: Option<OptEmail>,
    /// Any of `favourite`, `comment`, `edits`, `clean` (unwatermarked previews).
    #[serde(default)]
    pub rights: Vec<LinkRightName>,
    /// `none` (default; `original` for delivery), `proof`, `web` or `original`.
    pub download: Option<DownloadLevelName>,
    /// At most this many downloads through this link.
    pub download_limit: Option<Ranged<1, 1_000_000>>,
    pub expires_at: Option<Future>,
}

/// A link just created: its URL (and code) are shown this once.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedLink {
    pub link: LinkView,
    /// The link to give the client. Only its hash is stored: it cannot be shown again.
    pub url: String,
    /// For a general link: the access code to give with it (also shown only now).
    pub code: Option<String>,
    /// Whether the link was emailed to `email`.
    pub email_queued: bool,
}

async fn gallery_for_staff(
    c: &impl ConnectionTrait,
    p: &Principal,
    id: GalleryId,
) -> CoreResult<gallery::Model> {
    crate::photos::interface::load(c, p, id, false).await
}

pub async fn create_link(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    gallery_id: GalleryId,
    input: NewLink,
) -> CoreResult<CreatedLink> {
    let tx = core.db().begin().await?;
    let g = gallery_for_staff(&tx, p, gallery_id).await?;
    core.authorize(
        p,
        Permission::GalleryManage,
        crate::photos::interface::target(&g),
    )?;
    let mut errs = FieldErrors::new();
    let kind = match &input.kind {
        Some(k) => errs.check("kind", k.check()).unwrap_or(LinkKind::Person),
        None => LinkKind::Person,
    };
    let purpose = match &input.purpose {
        Some(k) => errs
            .check("purpose", k.check())
            .unwrap_or(LinkPurpose::Proofing),
        None => LinkPurpose::Proofing,
    };
    let delivery = purpose == LinkPurpose::Delivery;
    let label = errs.check("label", input.label.check("the label"));
    let email = match &input.email {
        None => None,
        Some(e) => errs.check("email", e.check()).flatten(),
    };
    let names: Vec<&str> = input.rights.iter().map(|r| r.as_str()).collect();
    let mut rights = match LinkRights::parse(&names.join(",")) {
        Ok(r) => r,
        Err(e) => {
            errs.add("rights", "invalid", e);
            LinkRights::default()
        }
    };
    if delivery {
        if rights.favourite || rights.comment || rights.edits {
            errs.add(
                "rights",
                "invalid",
                "a delivery link carries no proofing rights; give only `clean`, or make a proofing link",
            );
        }
        rights = LinkRights {
            clean: true,
            ..LinkRights::default()
        };
    }
    let default_download = if delivery { "original" } else { "none" };
    let download = match DownloadLevel::parse(
        input
            .download
            .as_ref()
            .map_or(default_download, |d| d.as_str()),
    ) {
        Ok(d) => d,
        Err(e) => {
            errs.add("download", "invalid", e);
            DownloadLevel::None
        }
    };
    if delivery && download < DownloadLevel::Web {
        errs.add(
            "download",
            "invalid",
            "a delivery link is for downloading the final files: use web or original",
        );
    }
    let download_limit = input
        .download_limit
        .and_then(|n| errs.check("download_limit", n.check()));
    let now = core.now();
    let expires_at = input
        .expires_at
        .and_then(|e| errs.check("expires_at", e.check(now)));
    errs.into_result()?;
    let label = label.unwrap_or_default();
    let id = input.id.unwrap_or_default();
    let token = new_token("");
    let code = (kind == LinkKind::General).then(new_code);
    let m = repo::share::insert_link(
        &tx,
        share_link::Model {
            id: id.uuid(),
            studio_id: p.studio.uuid(),
            gallery_id: g.id,
            kind,
            purpose,
            label: label.clone(),
            email: email.clone(),
            token_hash: hash_token(&token),
            code_hash: code.as_deref().map(|c| code_hash(core, id, c)),
            rights: rights.encode(),
            download: download,
            download_limit,
            downloads_used: 0,
            expires_at: expires_at.map(|t| t.as_micros()),
            revoked_at: None,
            submitted_at: None,
            failed_codes: 0,
            last_activity_at: None,
            created_by: Some(p.user.uuid()),
            version: 1,
            created_at: now.as_micros(),
            updated_at: now.as_micros(),
        },
    )
    .await
    .map_err(|e| crate::kernel::created::on_insert_error(e, &id))?;
    let url = core.settings().link(&format!("/g/{token}"));
    let mut email_queued = false;
    if let Some(to) = &email
        && crate::kernel::tenant::smtp_for(core, Some(p.studio))
            .await?
            .is_some()
    {
        let (studio_name, branding) = crate::kernel::tenant::header(core, p.studio).await?;
        let (template, msg) = if delivery {
            (
                "gallery_delivered",
                crate::sharing::emails::gallery_delivered(
                    &studio_name,
                    &label,
                    &g.name,
                    &url,
                    code.is_some(),
                    expires_at,
                    &branding,
                ),
            )
        } else {
            (
                "gallery_shared",
                crate::sharing::emails::gallery_shared(
                    &studio_name,
                    &label,
                    &g.name,
                    &url,
                    code.is_some(),
                    &branding,
                ),
            )
        };
        crate::kernel::mail::queue(core, &tx, Some(p.studio), template, to, msg).await?;
        email_queued = true;
    }
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: Some(BranchId::from_uuid(g.branch_id)),
            who: Who::of(p),
            event_type: "share_link.created",
            severity: Severity::Medium,
            target_type: "share_link",
            target_id: id.to_string(),
            payload: serde_json::json!({
                "gallery": gallery_id.to_string(), "kind": kind, "purpose": purpose, "label": label,
                "rights": m.rights, "download": m.download.name(),
            }),
        },
    )
    .await?;
    crate::commit(tx).await?;
    if email_queued {
        core.wake_workers();
    }
    Ok(CreatedLink {
        link: link_view(&m, &[]),
        url,
        code,
        email_queued,
    })
}

/// A gallery's links with their activity counts, newest first.
pub async fn list_links(
    core: &Core,
    p: &Principal,
    gallery_id: GalleryId,
) -> CoreResult<Vec<LinkView>> {
    let c = core.db().conn();
    let g = gallery_for_staff(c, p, gallery_id).await?;
    core.authorize(
        p,
        Permission::GalleryView,
        crate::photos::interface::target(&g),
    )?;
    let counts = repo::share::event_counts(c, p.studio.uuid(), g.id).await?;
    Ok(repo::share::links_of_gallery(c, p.studio.uuid(), g.id)
        .await?
        .iter()
        .map(|m| link_view(m, &counts))
        .collect())
}

/// What the studio may do to a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkChange {
    /// Cut access now (open pages and media URLs stop working on their next request).
    Revoke,
    /// Unlock a submitted selection so the client can change it.
    Reopen,
}

pub async fn change_link(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: ShareLinkId,
    change: LinkChange,
) -> CoreResult<LinkView> {
    let tx = core.db().begin().await?;
    let m = repo::share::find_link(&tx, p.studio.uuid(), id.uuid())
        .await?
        .ok_or(CoreError::not_found("share link"))?;
    let g = repo::gallery::find(&tx, p.studio.uuid(), m.gallery_id, true)
        .await?
        .ok_or(CoreError::not_found("share link"))?;
    core.authorize(
        p,
        Permission::GalleryManage,
        crate::photos::interface::target(&g),
    )?;
    let now = core.now().as_micros();
    let mut am: share_link::ActiveModel = m.clone().into();
    let event = match change {
        LinkChange::Revoke => {
            if m.revoked_at.is_some() {
                return Err(CoreError::conflict(
                    "invalid_state",
                    "this link is already revoked",
                ));
            }
            am.revoked_at = Set(Some(now));
            "share_link.revoked"
        }
        LinkChange::Reopen => {
            if m.submitted_at.is_none() {
                return Err(CoreError::conflict(
                    "invalid_state",
                    "this link's selection is not submitted",
                ));
            }
            am.submitted_at = Set(None);
            "share_link.reopened"
        }
    };
    am.version = Set(m.version + 1);
    am.updated_at = Set(now);
    repo::share::update_link(&tx, am).await?;
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: Some(BranchId::from_uuid(g.branch_id)),
            who: Who::of(p),
            event_type: event,
            severity: Severity::Medium,
            target_type: "share_link",
            target_id: id.to_string(),
            payload: serde_json::json!({ "gallery": GalleryId::from_uuid(g.id).to_string(), "label": m.label }),
        },
    )
    .await?;
    let fresh = repo::share::find_link(&tx, p.studio.uuid(), id.uuid())
        .await?
        .ok_or(CoreError::not_found("share link"))?;
    let counts = repo::share::event_counts(&tx, p.studio.uuid(), g.id).await?;
    crate::commit(tx).await?;
    Ok(link_view(&fresh, &counts))
}

// The client side --------------------------------------------------------------------

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
            gallery_status: self.gallery.status.clone(),
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
    repo::share::touch_link(c, g.link.id, core.now().as_micros()).await?;
    let link = repo::share::find_link_any(c, g.link.id)
        .await?
        .ok_or(CoreError::not_found("gallery link"))?;
    let gallery = repo::gallery::find(c, link.studio_id, link.gallery_id, true)
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

async fn guest_of(core: &Core, link: share_link::Model) -> CoreResult<Guest> {
    let guest = guest_rows(core, link).await?;
    authorize(core, &guest, LinkAction::View)?;
    Ok(guest)
}

/// The link with its gallery, not yet decided on.
async fn guest_rows(core: &Core, link: share_link::Model) -> CoreResult<Guest> {
    let g = repo::gallery::find(core.db().conn(), link.studio_id, link.gallery_id, true)
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
    if let Some((link, expires, g)) = crate::sharing::hot::of(core).sessions.get(&hash) {
        if link == id.uuid() && expires > now {
            authorize(core, &g, LinkAction::View)?;
            return Ok(g);
        }
        return Err(CoreError::not_found("gallery link"));
    }
    let read_at = crate::sharing::hot::epoch();
    let db = core.db().conn();
    if let Some(s) = repo::share::find_session(db, &hash).await?
        && s.link_id == id.uuid()
        && s.expires_at > now
        && let Some(l) = repo::share::find_link_any(db, s.link_id).await?
    {
        let g = guest_rows(core, l).await?;
        crate::sharing::hot::of(core).sessions.put(
            hash,
            (s.link_id, s.expires_at, g.clone()),
            read_at,
        );
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
    },
    /// The access code sent was not right: ask again, saying so.
    WrongCode {
        studio_name: String,
        gallery_name: String,
        message: String,
    },
}

async fn link_by_token(core: &Core, token: &str) -> CoreResult<Guest> {
    // Shape check first: anything that is not one of our tokens is the same 404.
    if token.len() != 43
        || !token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(CoreError::not_found("gallery link"));
    }
    let l = repo::share::find_link_by_token(core.db().conn(), &hash_token(token))
        .await?
        .ok_or(CoreError::not_found("gallery link"))?;
    guest_of(core, l).await
}

async fn start_session(core: &Core, g: &Guest, meta: &Meta) -> CoreResult<Opened> {
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
        return Ok(Opened::NeedsCode {
            studio_name: shown_studio_name(core, &g).await?,
            gallery_name: g.gallery.name,
        });
    }
    start_session(core, &g, meta).await
}

/// The studio's name as its clients see it (the logo text when it has one).
async fn shown_studio_name(core: &Core, g: &Guest) -> CoreResult<String> {
    let (studio_name, branding) = crate::kernel::tenant::header(core, g.studio).await?;
    Ok(branding.logo_text.unwrap_or(studio_name))
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
    let failed = repo::share::add_failed_code(&tx, g.link.id).await?;
    event(core, &tx, &g, "code_failed", None, Some(meta.ip.clone())).await?;
    if failed % CODE_ALERT_EVERY == 0 {
        alert_code_failures(core, &tx, &g, failed, meta).await?;
    }
    crate::commit(tx).await?;
    core.wake_workers();
    Ok(Opened::WrongCode {
        studio_name: shown_studio_name(core, &g).await?,
        gallery_name: g.gallery.name,
        message: "that access code is not right; check it with the studio and type it again".into(),
    })
}

/// An audit entry of high severity, and an email to whoever shared the gallery.
async fn alert_code_failures(
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
    let Some(u) = repo::person::find_user(c, user).await? else {
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
    repo::share::touch_link(c, g.link.id, now).await?;
    Ok(())
}

/// The MAC input of a signed media URL: every parameter that selects bytes
/// (link, photo, rendition, version) and the expiry.
fn media_claim(link: ShareLinkId, photo: &str, what: &str, rev: &str, exp: i64) -> String {
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
    if let Some(g) = crate::sharing::hot::of(core).links.get(&link.uuid()) {
        authorize(core, &g, LinkAction::View)?;
        return Ok(g);
    }
    let read_at = crate::sharing::hot::epoch();
    let l = repo::share::find_link_any(core.db().conn(), link.uuid())
        .await?
        .ok_or(CoreError::not_found("gallery link"))?;
    let g = std::sync::Arc::new(guest_rows(core, l).await?);
    crate::sharing::hot::of(core)
        .links
        .put(link.uuid(), g.clone(), read_at);
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

/// Emails each open person link (and the gallery's client) of galleries
/// expiring within [`EXPIRY_REMINDER`], once per expiry date. Run by the
/// workers' housekeeping; returns the emails queued.
/// The chore form of [`remind_expiring`].
pub(crate) fn remind_chore(
    core: Core,
) -> crate::kernel::registry::BoxFuture<'static, CoreResult<()>> {
    Box::pin(async move { remind_expiring(&core).await.map(|_| ()) })
}

pub async fn remind_expiring(core: &Core) -> CoreResult<usize> {
    let now = core.now();
    let due = repo::share::galleries_expiring(
        core.db().conn(),
        now.as_micros(),
        now.plus(EXPIRY_REMINDER).as_micros(),
    )
    .await?;
    let mut queued = 0;
    for g in due {
        let studio = StudioId::from_uuid(g.studio_id);
        let tx = core.db().begin().await?;
        if !repo::share::claim_reminder(&tx, g.id, now.as_micros()).await? {
            continue;
        }
        if crate::kernel::tenant::smtp_for(core, Some(studio))
            .await?
            .is_some()
        {
            let (studio_name, branding) = crate::kernel::tenant::header(core, studio).await?;
            let mut to: Vec<(String, String)> = Vec::new();
            for l in repo::share::links_of_gallery(&tx, g.studio_id, g.id).await? {
                if l.revoked_at.is_none()
                    && l.expires_at.is_none_or(|e| e > now.as_micros())
                    && let Some(e) = l.email
                {
                    to.push((e, l.label));
                }
            }
            if let Some(cid) = g.client_id
                && let Some(c) = repo::share::find_client(&tx, g.studio_id, cid).await?
                && let Some(e) = c.email
            {
                to.push((e, c.name));
            }
            to.sort();
            to.dedup_by(|a, b| a.0.eq_ignore_ascii_case(&b.0));
            let expires = Timestamp::from_micros(g.expires_at.unwrap_or_default());
            for (email, name) in to {
                let msg = crate::sharing::emails::gallery_expiring(
                    &studio_name,
                    &name,
                    &g.name,
                    &expires.to_string()[..10],
                    &branding,
                );
                crate::kernel::mail::queue(
                    core,
                    &tx,
                    Some(studio),
                    "gallery_expiring",
                    &email,
                    msg,
                )
                .await?;
                queued += 1;
            }
        }
        crate::commit(tx).await?;
    }
    if queued > 0 {
        core.wake_workers();
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_use_the_unambiguous_alphabet_and_normalise() {
        for _ in 0..200 {
            let c = new_code();
            assert_eq!(c.len(), 9);
            assert_eq!(&c[4..5], "-");
            assert!(
                c.replace('-', "")
                    .bytes()
                    .all(|b| CODE_ALPHABET.contains(&b))
            );
        }
        assert_eq!(normalise_code(" k7mp-3qxd "), "K7MP3QXD");
    }
}
