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
use darkroom_domain::link::DownloadLevel;
use darkroom_domain::names::{LinkKind, LinkPurpose};
use darkroom_domain::permission::Permission;
use darkroom_domain::{BranchId, ClientId, GalleryId, ShareLinkId, StudioId, Timestamp, TypedId};
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::secret::{hash_token, new_token};
use crate::{Core, Meta, Principal};

mod guest;
pub use guest::*;

mod media;
pub use media::*;

mod terms;
use terms::*;

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
        kind: m.kind,
        purpose: m.purpose,
        label: m.label.clone(),
        email: m.email.clone(),
        rights: m
            .rights
            .split(',')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        download: m.download,
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

/// Emails a new link to the address given, when the studio can send
/// email: whether it was queued, or why no email went out.
async fn send_new_link(
    core: &Core,
    tx: &darkroom_db::Tx,
    studio: StudioId,
    g: &gallery::Model,
    (delivery, expires_at): (bool, Option<Timestamp>),
    invite: Option<LinkInvite<'_>>,
) -> CoreResult<(bool, Option<String>)> {
    let Some(invite) = invite else {
        return Ok((false, None));
    };
    if !crate::kernel::tenant::can_email(core, studio).await? {
        return Ok((
            false,
            Some(format!(
                "No email went to {}: no email server is set up. Send the link yourself, or set up email in Settings.",
                invite.to
            )),
        ));
    }
    email_link(core, tx, studio, g, delivery, expires_at, invite).await?;
    Ok((true, None))
}

/// The message that brings a new link of gallery `g` to `name`, in the
/// studio's language and date style.
async fn ready_message(
    core: &Core,
    studio: StudioId,
    g: &gallery::Model,
    (name, link, code): (&str, &str, Option<&str>),
    (delivery, expires_at): (bool, Option<Timestamp>),
) -> CoreResult<String> {
    // A proofing link asks for a choice by the deadline (else its expiry);
    // a delivery link says until when it works.
    let by = if delivery {
        expires_at
    } else {
        g.selection_deadline
            .map(Timestamp::from_micros)
            .or(expires_at)
    };
    let s = crate::kernel::tenant::load(core, studio).await?;
    Ok(crate::sharing::emails::ReadyMessage {
        studio: &s.name,
        locale: &s.locale,
        time_zone: &s.time_zone,
        name,
        gallery: &g.name,
        link,
        code,
        delivery,
        by,
    }
    .text())
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
    /// A message to paste into a chat or text: greeting, link, code and
    /// date, in the studio's language and date style.
    pub message: String,
    /// Why an address was given but no email went out (no email server is
    /// set up for the studio); the link must then be sent another way.
    pub email_not_sent: Option<String>,
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
    let now = core.now();
    let t = LinkTerms::check(&input, now)?;
    let id = input.id.unwrap_or_default();
    let token = new_token("");
    let code = (t.kind == LinkKind::General).then(new_code);
    let row = share_link::Model {
        token_hash: hash_token(&token),
        code_hash: code.as_deref().map(|c| code_hash(core, id, c)),
        created_by: Some(p.user.uuid()),
        ..t.row(id, p.studio, g.id, now)
    };
    let m = repo::share::insert_link(&tx, row)
        .await
        .map_err(|e| crate::kernel::created::on_insert_error(e, &id))?;
    let (kind, purpose, label) = (t.kind, t.purpose, t.label);
    let delivery = purpose == LinkPurpose::Delivery;
    let url = core.settings().link(&format!("/g/{token}"));
    let invite = t.email.as_deref().map(|to| LinkInvite {
        to,
        label: &label,
        url: &url,
        code: code.is_some(),
    });
    let (email_queued, email_not_sent) =
        send_new_link(core, &tx, p.studio, &g, (delivery, t.expires_at), invite).await?;
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
    let message = ready_message(
        core,
        p.studio,
        &g,
        (&label, &url, code.as_deref()),
        (delivery, t.expires_at),
    )
    .await?;
    Ok(CreatedLink {
        message,
        link: link_view(&m, &[]),
        url,
        code,
        email_queued,
        email_not_sent,
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
    let counts = repo::share::event_counts(c, p.studio, GalleryId::from_uuid(g.id)).await?;
    Ok(
        repo::share::links_of_gallery(c, p.studio, GalleryId::from_uuid(g.id))
            .await?
            .iter()
            .map(|m| link_view(m, &counts))
            .collect(),
    )
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
    let m = repo::share::find_link(&tx, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("share link"))?;
    let g = repo::gallery::find(&tx, p.studio, GalleryId::from_uuid(m.gallery_id), true)
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
    let fresh = repo::share::find_link(&tx, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("share link"))?;
    let counts = repo::share::event_counts(&tx, p.studio, GalleryId::from_uuid(g.id)).await?;
    crate::commit(tx).await?;
    Ok(link_view(&fresh, &counts))
}

// The client side --------------------------------------------------------------------

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
        if !repo::share::claim_reminder(&tx, GalleryId::from_uuid(g.id), now.as_micros()).await? {
            continue;
        }
        if crate::kernel::tenant::smtp_for(core, Some(studio))
            .await?
            .is_some()
        {
            let (studio_name, branding) = crate::kernel::tenant::header(core, studio).await?;
            let mut to: Vec<(String, String)> = Vec::new();
            for l in repo::share::links_of_gallery(
                &tx,
                StudioId::from_uuid(g.studio_id),
                GalleryId::from_uuid(g.id),
            )
            .await?
            {
                if l.revoked_at.is_none()
                    && l.expires_at.is_none_or(|e| e > now.as_micros())
                    && let Some(e) = l.email
                {
                    to.push((e, l.label));
                }
            }
            if let Some(cid) = g.client_id
                && let Some(c) = repo::client::find(
                    &tx,
                    StudioId::from_uuid(g.studio_id),
                    ClientId::from_uuid(cid),
                )
                .await?
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
