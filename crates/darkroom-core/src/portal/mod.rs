//! The client portal (decision 0028): a client, or one of its contacts,
//! opens through an emailed sign-in link (no password) a page with their
//! projects, sessions and galleries. Links follow the galleries' rules:
//! only the token's hash is kept, each expires, and staff revoke them.

use darkroom_db::entity::portal_link;
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::audit::Severity;
use darkroom_domain::permission::Permission;
use darkroom_domain::{ClientId, ContactId, PortalLinkId, StudioId, Timestamp, TypedId, UserId};
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::mail::Message;
use crate::kernel::mail::layout::{escape, wrap};
use crate::kernel::{secret, tenant, write};
use crate::{Core, Meta, Principal};

pub mod home;
pub mod money;

pub use home::{PortalHome, home};

/// How long a sign-in link works unless said otherwise.
pub const DEFAULT_DAYS: u16 = 30;
/// The longest a sign-in link may work.
pub const MAX_DAYS: u16 = 90;

/// A sign-in link as staff see it (never its token, except in `url` once,
/// right after it is made).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PortalLinkView {
    pub id: PortalLinkId,
    pub client_id: ClientId,
    pub contact_id: Option<ContactId>,
    /// Where it was sent.
    pub email: String,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    pub last_opened_at: Option<Timestamp>,
    /// Works now: neither revoked nor expired.
    pub active: bool,
    /// The link itself: only in the answer that made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub version: i64,
    pub created_at: Timestamp,
}

fn view(core: &Core, m: portal_link::Model, url: Option<String>) -> PortalLinkView {
    PortalLinkView {
        id: PortalLinkId::from_uuid(m.id),
        client_id: ClientId::from_uuid(m.client_id),
        contact_id: m.contact_id.map(ContactId::from_uuid),
        active: m.revoked_at.is_none() && m.expires_at > core.now().as_micros(),
        email: m.email,
        expires_at: Timestamp::from_micros(m.expires_at),
        revoked_at: m.revoked_at.map(Timestamp::from_micros),
        last_opened_at: m.last_opened_at.map(Timestamp::from_micros),
        url,
        version: m.version,
        created_at: Timestamp::from_micros(m.created_at),
    }
}

fn authorize(core: &Core, p: &Principal) -> CoreResult<()> {
    if core
        .permissions_anywhere(p)
        .contains(&Permission::GalleryManage)
    {
        Ok(())
    } else {
        Err(CoreError::forbidden(
            "you do not have the `gallery.manage` permission; ask the studio owner if you need it",
        ))
    }
}

/// Whom to send a sign-in link to, and for how long.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalLinkInput {
    /// One of the client's contacts (`ctc_...`); the client's own email
    /// when left out.
    pub contact_id: Option<ContactId>,
    /// Days the link works, 1 to 90 (30 when left out).
    #[schema(minimum = 1, maximum = 90)]
    pub days: Option<u16>,
}

/// Makes a sign-in link for a client (or one of its contacts) and emails
/// it; the answer carries the link once, for staff to pass on another way.
pub async fn send(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    client: ClientId,
    input: PortalLinkInput,
) -> CoreResult<PortalLinkView> {
    let c = core.db().conn();
    let (name, email) = crate::crm::interface::recipient(c, p.studio, client, input.contact_id)
        .await?
        .ok_or_else(|| match input.contact_id {
            Some(ct) => CoreError::missing("contact_id", "contact of this client", ct),
            None => CoreError::not_found("client"),
        })?;
    authorize(core, p)?;
    let days = input.days.unwrap_or(DEFAULT_DAYS);
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(CoreError::invalid(
            "days",
            format!("a link works 1 to {MAX_DAYS} days; {days} is not"),
        ));
    }
    // The request is fine; the record is not ready for it: a conflict with
    // its state, answered with what to do.
    let Some(email) = email.filter(|e| !e.is_empty()) else {
        let whose = if input.contact_id.is_some() {
            "this contact"
        } else {
            "this client"
        };
        return Err(CoreError::conflict(
            "no_email",
            format!("{whose} has no email address; add one first, then send the link"),
        ));
    };
    let token = secret::new_token("ptl_");
    let url = format!(
        "{}/portal/open/{token}",
        core.settings().public_url.as_str().trim_end_matches('/')
    );
    let now = core.now();
    let id = PortalLinkId::new();
    let am = portal_link::ActiveModel {
        id: Set(id.uuid()),
        client_id: Set(client.uuid()),
        contact_id: Set(input.contact_id.map(|c| c.uuid())),
        email: Set(email.clone()),
        token_hash: Set(secret::hash_token(&token)),
        created_by: Set(Some(p.user.uuid())),
        expires_at: Set(now.as_micros() + i64::from(days) * 86_400_000_000),
        ..Default::default()
    };
    let header = tenant::page_header(core, p.studio).await?;
    let tx = core.db().begin().await?;
    let m = write::insert::<portal_link::Entity>(core, &tx, p.studio, &id, am).await?;
    let msg = message(&header.shown_name(), &header.branding, &name, &url, days);
    crate::kernel::mail::queue(core, &tx, Some(p.studio), "portal_link", &email, msg).await?;
    record(core, &tx, meta, p, &m, "portal.link_sent").await?;
    crate::commit(tx).await?;
    core.wake_workers();
    Ok(view(core, m, Some(url)))
}

fn message(
    studio: &str,
    branding: &crate::kernel::tenant::Branding,
    name: &str,
    url: &str,
    days: u16,
) -> Message {
    Message {
        subject: format!("Your page at {studio}"),
        text: format!(
            "Hello {name},\n\nYour projects, sessions and galleries with {studio} are on one page:\n\n{url}\n\nThe link works for {days} days and only for you: please do not forward it.\n\n{studio}\n"
        ),
        html: wrap(
            studio,
            branding,
            &format!(
                "<p>Hello {},</p><p>Your projects, sessions and galleries with {} are on one page:</p><p><a href=\"{}\">Open your page</a></p><p>The link works for {days} days and only for you: please do not forward it.</p>",
                escape(name),
                escape(studio),
                escape(url)
            ),
        ),
    }
}

async fn record(
    core: &Core,
    tx: &darkroom_db::Tx,
    meta: &Meta,
    p: &Principal,
    m: &portal_link::Model,
    event_type: &'static str,
) -> CoreResult<()> {
    audit::record(
        core,
        tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: None,
            who: Who::of(p),
            event_type,
            severity: Severity::Low,
            target_type: "client",
            target_id: ClientId::from_uuid(m.client_id).to_string(),
            payload: serde_json::json!({
                "link": PortalLinkId::from_uuid(m.id).to_string(), "email": m.email,
            }),
        },
    )
    .await
}

/// A client's sign-in links, newest first.
pub async fn list(core: &Core, p: &Principal, client: ClientId) -> CoreResult<Vec<PortalLinkView>> {
    let c = core.db().conn();
    crate::crm::interface::client_card(c, p.studio, client)
        .await?
        .ok_or(CoreError::not_found("client"))?;
    authorize(core, p)?;
    let rows = repo::portal::of_client(c, p.studio, client.uuid()).await?;
    Ok(rows.into_iter().map(|m| view(core, m, None)).collect())
}

/// Revokes a sign-in link: it stops working at once.
pub async fn revoke(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    client: ClientId,
    id: PortalLinkId,
) -> CoreResult<PortalLinkView> {
    let current = repo::portal::find(core.db().conn(), p.studio, client.uuid(), id.uuid())
        .await?
        .ok_or(CoreError::not_found("portal link"))?;
    authorize(core, p)?;
    if current.revoked_at.is_some() {
        return Ok(view(core, current, None));
    }
    let am = portal_link::ActiveModel {
        revoked_at: Set(Some(core.now().as_micros())),
        ..Default::default()
    };
    let tx = core.db().begin().await?;
    write::update::<portal_link::Entity, _>(
        core,
        &tx,
        p.studio,
        id.uuid(),
        current.version,
        am,
        |m| view(core, m, None),
    )
    .await?;
    record(core, &tx, meta, p, &current, "portal.link_revoked").await?;
    let fresh = repo::portal::find(&tx, p.studio, client.uuid(), id.uuid())
        .await?
        .ok_or(CoreError::not_found("portal link"))?;
    crate::commit(tx).await?;
    Ok(view(core, fresh, None))
}

/// Who opened the portal: the client (or contact) a live link was sent to.
#[derive(Clone, Debug)]
pub struct Visitor {
    pub studio: StudioId,
    pub client: ClientId,
    pub link: PortalLinkId,
    pub sent_by: Option<UserId>,
}

/// The visitor a token belongs to, if its link still works: a wrong,
/// expired or revoked token answers "not found", the same for each.
pub async fn visitor(core: &Core, token: &str) -> CoreResult<Visitor> {
    if !token.starts_with("ptl_") || token.len() > 100 {
        return Err(CoreError::not_found("portal link"));
    }
    let c = core.db().conn();
    let m = repo::portal::by_hash(c, &secret::hash_token(token))
        .await?
        .filter(|m| m.revoked_at.is_none() && m.expires_at > core.now().as_micros())
        .ok_or(CoreError::not_found("portal link"))?;
    Ok(Visitor {
        studio: StudioId::from_uuid(m.studio_id),
        client: ClientId::from_uuid(m.client_id),
        link: PortalLinkId::from_uuid(m.id),
        sent_by: m.created_by.map(UserId::from_uuid),
    })
}

/// Notes that a link was opened (shown to staff beside it).
pub async fn opened(core: &Core, v: &Visitor) -> CoreResult<()> {
    repo::portal::opened(core.db().conn(), v.link.uuid(), core.now().as_micros()).await?;
    Ok(())
}

/// A client-visible document's file, for the client the link was sent to.
pub async fn document(
    core: &Core,
    v: &Visitor,
    id: darkroom_domain::DocumentId,
) -> CoreResult<crate::crm::interface::DocumentBytes> {
    crate::crm::interface::document_for_client(core, v.studio, v.client, id).await
}
