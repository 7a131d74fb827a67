//! Physical deliverables of a gallery: USB sticks, albums, prints. Each has
//! a status (preparing, ready, shipped, delivered, or cancelled; see
//! [`darkroom_domain::delivery`]), a carrier and tracking number once
//! shipped, and `delivered_at`. When one becomes ready, is shipped or is
//! delivered, the gallery's client is emailed (through the outbox).
//!
//! The digital delivery is a share link with the `delivery` purpose
//! ([`crate::sharing::share`]): the final files, with the link's own expiry and cap.

use darkroom_db::entity::{deliverable, gallery};
use darkroom_db::repo;
use darkroom_db::sea_orm::{ConnectionTrait, Set};
use darkroom_domain::delivery as rules;
use darkroom_domain::field::{DeliverableKindName, DeliverableStatusName, Line, Ranged, Text};
use darkroom_domain::names::{DeliverableKind, DeliverableStatus};
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{ClientId, DeliverableId, GalleryId, Timestamp, TypedId};
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self};
use crate::kernel::created::{self, Claim};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::photos::interface::target;
use crate::{Core, Meta, Principal};

/// A deliverable as shown.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DeliverableView {
    pub id: DeliverableId,
    pub gallery_id: GalleryId,
    /// `usb`, `album`, `prints` or `other`.
    pub kind: DeliverableKind,
    pub description: String,
    pub quantity: i64,
    /// `preparing`, `ready`, `shipped`, `delivered` or `cancelled`.
    pub status: DeliverableStatus,
    pub recipient: Option<String>,
    pub address: Option<String>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub shipped_at: Option<Timestamp>,
    pub delivered_at: Option<Timestamp>,
    /// When the client was last emailed about it.
    pub notified_at: Option<Timestamp>,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

fn view(m: deliverable::Model) -> DeliverableView {
    DeliverableView {
        id: DeliverableId::from_uuid(m.id),
        gallery_id: GalleryId::from_uuid(m.gallery_id),
        kind: m.kind,
        description: m.description,
        quantity: m.quantity,
        status: m.status,
        recipient: m.recipient,
        address: m.address,
        carrier: m.carrier,
        tracking_number: m.tracking_number,
        shipped_at: m.shipped_at.map(Timestamp::from_micros),
        delivered_at: m.delivered_at.map(Timestamp::from_micros),
        notified_at: m.notified_at.map(Timestamp::from_micros),
        version: m.version,
        created_at: Timestamp::from_micros(m.created_at),
        updated_at: Timestamp::from_micros(m.updated_at),
    }
}

/// A new deliverable.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDeliverable {
    pub id: Option<DeliverableId>,
    pub kind: DeliverableKindName,
    /// "30x30 cm layflat album, 40 pages".
    pub description: Line<500>,
    /// Default 1.
    pub quantity: Option<Ranged<1, 10_000>>,
    pub recipient: Option<Text<200>>,
    pub address: Option<Text<1000>>,
}

/// Changes to a deliverable. Moving to `shipped` needs a carrier.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliverablePatch {
    pub version: i64,
    pub description: Option<Line<500>>,
    pub quantity: Option<Ranged<1, 10_000>>,
    pub recipient: Option<Text<200>>,
    pub address: Option<Text<1000>>,
    pub carrier: Option<Text<100>>,
    pub tracking_number: Option<Text<100>>,
    /// Forward only (or `cancelled`); `shipped` needs a carrier.
    pub status: Option<DeliverableStatusName>,
}

fn opt_text<const N: usize>(
    errs: &mut FieldErrors,
    field: &str,
    v: Option<&Text<N>>,
    what: &str,
) -> Option<String> {
    v.and_then(|v| errs.check(field, v.check(what))).flatten()
}

fn check_quantity(errs: &mut FieldErrors, q: Option<Ranged<1, 10_000>>) -> i64 {
    q.map_or(Some(1), |q| errs.check("quantity", q.check()))
        .unwrap_or(1)
}

/// A gallery's deliverables, oldest first.
pub async fn list(
    core: &Core,
    p: &Principal,
    gallery: GalleryId,
) -> CoreResult<Vec<DeliverableView>> {
    let c = core.db().conn();
    let g = crate::photos::interface::load(c, p, gallery, false).await?;
    core.authorize(p, Permission::GalleryView, target(&g))?;
    Ok(
        repo::delivery::of_gallery(c, p.studio, GalleryId::from_uuid(g.id))
            .await?
            .into_iter()
            .map(view)
            .collect(),
    )
}

pub async fn create(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    gallery: GalleryId,
    input: NewDeliverable,
) -> CoreResult<(DeliverableView, bool)> {
    let tx = core.db().begin().await?;
    let g = crate::photos::interface::load(&tx, p, gallery, false).await?;
    core.authorize(p, Permission::GalleryManage, target(&g))?;
    let mut errs = FieldErrors::new();
    let kind = errs.check("kind", input.kind.check());
    let description = errs.check("description", input.description.check("the description"));
    let quantity = check_quantity(&mut errs, input.quantity);
    let recipient = input.recipient.as_ref();
    let recipient = opt_text(&mut errs, "recipient", recipient, "the recipient");
    let address = opt_text(&mut errs, "address", input.address.as_ref(), "the address");
    errs.into_result()?;
    let id = input.id.unwrap_or_default();
    let now = core.now().as_micros();
    let digest = created::digest(&input);
    if input.id.is_some()
        && created::claim(&tx, p.studio, "deliverable", id, &digest, now).await? == Claim::Replay
    {
        let m = repo::delivery::find(&tx, p.studio, id)
            .await?
            .ok_or(CoreError::not_found("deliverable"))?;
        return Ok((view(m), false));
    }
    let m = write::insert::<deliverable::Entity>(
        core,
        &tx,
        p.studio,
        &id,
        deliverable::ActiveModel {
            id: Set(id.uuid()),
            gallery_id: Set(g.id),
            kind: Set(kind.unwrap_or(DeliverableKind::Other)),
            description: Set(description.unwrap_or_default()),
            quantity: Set(quantity),
            status: Set(DeliverableStatus::Preparing),
            recipient: Set(recipient),
            address: Set(address),
            carrier: Set(None),
            tracking_number: Set(None),
            shipped_at: Set(None),
            delivered_at: Set(None),
            notified_at: Set(None),
            created_by: Set(Some(p.user.uuid())),
            ..Default::default()
        },
    )
    .await?;
    audit::record(
        core,
        &tx,
        meta,
        crate::photos::interface::event_in(
            p,
            &g,
            "deliverable",
            "deliverable.created",
            id,
            serde_json::json!({ "kind": m.kind, "description": m.description }),
        ),
    )
    .await?;
    crate::commit(tx).await?;
    Ok((view(m), true))
}

/// Loads a deliverable with its live gallery (404 otherwise).
async fn load(
    c: &impl ConnectionTrait,
    p: &Principal,
    id: DeliverableId,
) -> CoreResult<(deliverable::Model, gallery::Model)> {
    let m = repo::delivery::find(c, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("deliverable"))?;
    let g = repo::gallery::find(c, p.studio, GalleryId::from_uuid(m.gallery_id), false)
        .await?
        .ok_or(CoreError::not_found("deliverable"))?;
    Ok((m, g))
}

pub async fn get(core: &Core, p: &Principal, id: DeliverableId) -> CoreResult<DeliverableView> {
    let (m, g) = load(core.db().conn(), p, id).await?;
    core.authorize(p, Permission::GalleryView, target(&g))?;
    Ok(view(m))
}

/// What changed, and whether the client was emailed.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DeliverableUpdated {
    pub deliverable: DeliverableView,
    /// The client was emailed about the new status.
    pub client_notified: bool,
}

pub async fn update(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: DeliverableId,
    patch: DeliverablePatch,
) -> CoreResult<DeliverableUpdated> {
    let tx = core.db().begin().await?;
    let (m, g) = load(&tx, p, id).await?;
    core.authorize(p, Permission::GalleryManage, target(&g))?;
    let mut errs = FieldErrors::new();
    let mut am = deliverable::ActiveModel::default();
    let (carrier, tracking) = patch.fields(&m, &mut errs, &mut am);
    let now = core.now().as_micros();
    let status = patch
        .status
        .as_ref()
        .and_then(|s| errs.check("status", s.check()));
    let new_status = match status {
        // Field mistakes are reported before a refused move.
        Some(s) if s != m.status => match move_to(&m, s, carrier.is_some(), now, &mut am) {
            Ok(s) => Some(s),
            Err(e) => {
                errs.into_result()?;
                return Err(e);
            }
        },
        _ => None,
    };
    errs.into_result()?;
    if m.version != patch.version {
        return Err(CoreError::stale(view(m)));
    }
    // Tell the client, when the gallery has one with an email.
    let shipping = (carrier.as_deref(), tracking.as_deref());
    let client_notified = match new_status.filter(|s| rules::notifies(*s)) {
        Some(s) => tell_client(core, &tx, p.studio, &g, &m, s, shipping).await?,
        None => false,
    };
    if client_notified {
        am.notified_at = Set(Some(now));
    }
    if write::try_update::<deliverable::Entity>(core, &tx, p.studio, m.id, patch.version, am)
        .await?
        .is_err()
    {
        let (fresh, _) = load(&tx, p, id).await?;
        return Err(CoreError::stale(view(fresh)));
    }
    audit::record(
        core,
        &tx,
        meta,
        crate::photos::interface::event_in(
            p,
            &g,
            "deliverable",
            "deliverable.updated",
            id,
            serde_json::json!({ "status": new_status, "carrier": patch.carrier, "tracking_number": patch.tracking_number, "client_notified": client_notified }),
        ),
    )
    .await?;
    let (fresh, _) = load(&tx, p, id).await?;
    crate::commit(tx).await?;
    if client_notified {
        core.wake_workers();
    }
    Ok(DeliverableUpdated {
        deliverable: view(fresh),
        client_notified,
    })
}

impl DeliverablePatch {
    /// Puts the patch's plain fields into `am` (mistakes into `errs`); the
    /// carrier and tracking number the deliverable will have.
    fn fields(
        &self,
        m: &deliverable::Model,
        errs: &mut FieldErrors,
        am: &mut deliverable::ActiveModel,
    ) -> (Option<String>, Option<String>) {
        if let Some(d) = &self.description
            && let Some(d) = errs.check("description", d.check("the description"))
        {
            am.description = Set(d);
        }
        if self.quantity.is_some() {
            am.quantity = Set(check_quantity(errs, self.quantity));
        }
        if self.recipient.is_some() {
            am.recipient = Set(opt_text(
                errs,
                "recipient",
                self.recipient.as_ref(),
                "the recipient",
            ));
        }
        if self.address.is_some() {
            am.address = Set(opt_text(
                errs,
                "address",
                self.address.as_ref(),
                "the address",
            ));
        }
        let carrier = match &self.carrier {
            Some(c) => opt_text(errs, "carrier", Some(c), "the carrier"),
            None => m.carrier.clone(),
        };
        if self.carrier.is_some() {
            am.carrier = Set(carrier.clone());
        }
        let tracking = match &self.tracking_number {
            Some(t) => opt_text(errs, "tracking_number", Some(t), "the tracking number"),
            None => m.tracking_number.clone(),
        };
        if self.tracking_number.is_some() {
            am.tracking_number = Set(tracking.clone());
        }
        (carrier, tracking)
    }
}

/// Moves a deliverable to `to` in `am` (with its shipped and delivered
/// times), or says why it may not go there.
fn move_to(
    m: &deliverable::Model,
    to: DeliverableStatus,
    has_carrier: bool,
    now: i64,
    am: &mut deliverable::ActiveModel,
) -> CoreResult<DeliverableStatus> {
    rules::can_move(m.status, to).map_err(|e| CoreError::conflict("invalid_state", e))?;
    if to == DeliverableStatus::Shipped && !has_carrier {
        return Err(CoreError::conflict(
            "carrier_required",
            "say who carries it (a courier's name, or \"hand delivery\") before marking it shipped",
        ));
    }
    am.status = Set(to);
    match to {
        DeliverableStatus::Shipped => am.shipped_at = Set(Some(now)),
        DeliverableStatus::Delivered => {
            am.delivered_at = Set(Some(now));
            if m.shipped_at.is_none() && has_carrier {
                am.shipped_at = Set(Some(now));
            }
        }
        _ => {}
    }
    Ok(to)
}

/// Emails the gallery's client that a deliverable reached `status`, when
/// the gallery has a client with an email; whether one was queued.
async fn tell_client(
    core: &Core,
    tx: &darkroom_db::Tx,
    studio: darkroom_domain::StudioId,
    g: &gallery::Model,
    m: &deliverable::Model,
    status: DeliverableStatus,
    (carrier, tracking): (Option<&str>, Option<&str>),
) -> CoreResult<bool> {
    let Some(cid) = g.client_id else {
        return Ok(false);
    };
    let Some(client) = repo::client::find(tx, studio, ClientId::from_uuid(cid)).await? else {
        return Ok(false);
    };
    let Some(email) = client.email.as_deref() else {
        return Ok(false);
    };
    let (studio_name, branding) = crate::kernel::tenant::header(core, studio).await?;
    let what = match m.kind {
        DeliverableKind::Usb => "USB stick".to_string(),
        DeliverableKind::Album => "album".to_string(),
        DeliverableKind::Prints => "prints".to_string(),
        DeliverableKind::Other => m.description.clone(),
    };
    let msg = crate::production::emails::deliverable_update(
        &studio_name,
        &client.name,
        &what,
        status.name(),
        carrier,
        tracking,
        &branding,
    );
    crate::kernel::mail::queue(core, tx, Some(studio), "deliverable_update", email, msg).await?;
    Ok(true)
}
