//! Physical deliverables of a gallery: USB sticks, albums, prints. Each has
//! a status (preparing, ready, shipped, delivered, or cancelled; see
//! [`darkroom_domain::delivery`]), a carrier and tracking number once
//! shipped, and `delivered_at`. When one becomes ready, is shipped or is
//! delivered, the gallery's client is emailed (through the outbox).
//!
//! The digital delivery is a share link with the `delivery` purpose
//! ([`crate::share`]): the final files, with the link's own expiry and cap.

use darkroom_db::entity::{deliverable, gallery};
use darkroom_db::repo;
use darkroom_db::sea_orm::{ConnectionTrait, Set};
use darkroom_domain::delivery::{self as rules, KINDS};
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::{self, FieldErrors};
use darkroom_domain::{DeliverableId, GalleryId, Timestamp, TypedId};
use serde::{Deserialize, Serialize};

use crate::audit::{self};
use crate::created::{self, Claim};
use crate::error::{CoreError, CoreResult};
use crate::gallery::target;
use crate::{Core, Meta, Principal};

/// A deliverable as shown.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DeliverableView {
    #[schema(value_type = String, example = "dlv_0193b0c4e5f67a8b9c0d1e2f3a4b5c6d")]
    pub id: DeliverableId,
    #[schema(value_type = String)]
    pub gallery_id: GalleryId,
    /// `usb`, `album`, `prints` or `other`.
    pub kind: String,
    pub description: String,
    pub quantity: i64,
    /// `preparing`, `ready`, `shipped`, `delivered` or `cancelled`.
    pub status: String,
    pub recipient: Option<String>,
    pub address: Option<String>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub shipped_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub delivered_at: Option<Timestamp>,
    /// When the client was last emailed about it.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub notified_at: Option<Timestamp>,
    pub version: i64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
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
    #[schema(value_type = Option<String>)]
    pub id: Option<DeliverableId>,
    /// `usb`, `album`, `prints` or `other`.
    pub kind: String,
    /// "30x30 cm layflat album, 40 pages".
    pub description: String,
    /// Default 1.
    pub quantity: Option<i64>,
    pub recipient: Option<String>,
    pub address: Option<String>,
}

/// Changes to a deliverable. Moving to `shipped` needs a carrier.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliverablePatch {
    pub version: i64,
    pub description: Option<String>,
    pub quantity: Option<i64>,
    pub recipient: Option<String>,
    pub address: Option<String>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    /// `preparing`, `ready`, `shipped`, `delivered` or `cancelled`.
    pub status: Option<String>,
}

fn opt_text(
    errs: &mut FieldErrors,
    field: &str,
    v: Option<&str>,
    what: &str,
    max: usize,
) -> Option<String> {
    errs.check(field, validate::optional_text(v.unwrap_or(""), what, max))
        .flatten()
}

fn check_quantity(errs: &mut FieldErrors, q: Option<i64>) -> i64 {
    let q = q.unwrap_or(1);
    if !(1..=10_000).contains(&q) {
        errs.add("quantity", "invalid", "give a quantity from 1 to 10000");
    }
    q
}

/// A gallery's deliverables, oldest first.
pub async fn list(
    core: &Core,
    p: &Principal,
    gallery: GalleryId,
) -> CoreResult<Vec<DeliverableView>> {
    let c = core.db().conn();
    let g = crate::gallery::load(c, p, gallery, false).await?;
    core.authorize(p, Permission::GalleryView, target(&g))?;
    Ok(repo::delivery::of_gallery(c, p.studio.uuid(), g.id)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

pub async fn create(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    gallery: GalleryId,
    input: NewDeliverable,
) -> CoreResult<(DeliverableView, bool)> {
    let tx = core.db().begin().await?;
    let g = crate::gallery::load(&tx, p, gallery, false).await?;
    core.authorize(p, Permission::GalleryManage, target(&g))?;
    let mut errs = FieldErrors::new();
    if !KINDS.contains(&input.kind.as_str()) {
        errs.add("kind", "invalid", "use usb, album, prints or other");
    }
    let description = errs.check(
        "description",
        validate::text(&input.description, "the description", 500),
    );
    let quantity = check_quantity(&mut errs, input.quantity);
    let recipient = opt_text(
        &mut errs,
        "recipient",
        input.recipient.as_deref(),
        "the recipient",
        200,
    );
    let address = opt_text(
        &mut errs,
        "address",
        input.address.as_deref(),
        "the address",
        1000,
    );
    errs.into_result()?;
    let id = input.id.unwrap_or_default();
    let now = core.now().as_micros();
    if input.id.is_some()
        && created::claim(
            &tx,
            p.studio,
            "deliverable",
            id,
            &created::digest(&input),
            now,
        )
        .await?
            == Claim::Replay
    {
        let m = repo::delivery::find(&tx, p.studio.uuid(), id.uuid())
            .await?
            .ok_or(CoreError::not_found("deliverable"))?;
        return Ok((view(m), false));
    }
    let m = repo::delivery::insert(
        &tx,
        deliverable::Model {
            id: id.uuid(),
            studio_id: p.studio.uuid(),
            gallery_id: g.id,
            kind: input.kind.clone(),
            description: description.unwrap_or_default(),
            quantity,
            status: "preparing".into(),
            recipient,
            address,
            carrier: None,
            tracking_number: None,
            shipped_at: None,
            delivered_at: None,
            notified_at: None,
            created_by: Some(p.user.uuid()),
            version: 1,
            created_at: now,
            updated_at: now,
        },
    )
    .await
    .map_err(|e| created::on_insert_error(e, &id))?;
    audit::record(
        core,
        &tx,
        meta,
        crate::gallery::event_in(
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
    let m = repo::delivery::find(c, p.studio.uuid(), id.uuid())
        .await?
        .ok_or(CoreError::not_found("deliverable"))?;
    let g = repo::gallery::find(c, p.studio.uuid(), m.gallery_id, false)
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
    if let Some(d) = &patch.description
        && let Some(d) = errs.check("description", validate::text(d, "the description", 500))
    {
        am.description = Set(d);
    }
    if patch.quantity.is_some() {
        am.quantity = Set(check_quantity(&mut errs, patch.quantity));
    }
    if patch.recipient.is_some() {
        am.recipient = Set(opt_text(
            &mut errs,
            "recipient",
            patch.recipient.as_deref(),
            "the recipient",
            200,
        ));
    }
    if patch.address.is_some() {
        am.address = Set(opt_text(
            &mut errs,
            "address",
            patch.address.as_deref(),
            "the address",
            1000,
        ));
    }
    let carrier = match &patch.carrier {
        Some(c) => opt_text(&mut errs, "carrier", Some(c), "the carrier", 100),
        None => m.carrier.clone(),
    };
    if patch.carrier.is_some() {
        am.carrier = Set(carrier.clone());
    }
    let tracking = match &patch.tracking_number {
        Some(t) => opt_text(
            &mut errs,
            "tracking_number",
            Some(t),
            "the tracking number",
            100,
        ),
        None => m.tracking_number.clone(),
    };
    if patch.tracking_number.is_some() {
        am.tracking_number = Set(tracking.clone());
    }
    let now = core.now().as_micros();
    let mut new_status = None;
    if let Some(s) = &patch.status
        && s != &m.status
    {
        match rules::can_move(&m.status, s) {
            Err(e) if !rules::STATUSES.contains(&s.as_str()) => errs.add("status", "invalid", e),
            Err(e) => {
                errs.into_result()?;
                return Err(CoreError::conflict("invalid_state", e));
            }
            Ok(()) => {
                if s == "shipped" && carrier.is_none() {
                    errs.add(
                        "carrier",
                        "required",
                        "say who carries it (a courier's name, or \"hand delivery\") before marking it shipped",
                    );
                }
                am.status = Set(s.clone());
                match s.as_str() {
                    "shipped" => am.shipped_at = Set(Some(now)),
                    "delivered" => {
                        am.delivered_at = Set(Some(now));
                        if m.shipped_at.is_none() && carrier.is_some() {
                            am.shipped_at = Set(Some(now));
                        }
                    }
                    _ => {}
                }
                new_status = Some(s.clone());
            }
        }
    }
    errs.into_result()?;
    if m.version != patch.version {
        return Err(CoreError::stale(view(m)));
    }
    // Tell the client, when the gallery has one with an email.
    let mut client_notified = false;
    if let Some(s) = new_status.as_deref().filter(|s| rules::notifies(s))
        && let Some(cid) = g.client_id
        && let Some(client) = repo::share::find_client(&tx, p.studio.uuid(), cid).await?
        && let Some(email) = client.email.as_deref()
    {
        let (studio_name, branding) = crate::studio::header(core, p.studio).await?;
        let what = match m.kind.as_str() {
            "usb" => "USB stick".to_string(),
            "album" => "album".to_string(),
            "prints" => "prints".to_string(),
            _ => m.description.clone(),
        };
        let msg = crate::mail::templates::deliverable_update(
            &studio_name,
            &client.name,
            &what,
            s,
            carrier.as_deref(),
            tracking.as_deref(),
            &branding,
        );
        crate::mail::queue(core, &tx, Some(p.studio), "deliverable_update", email, msg).await?;
        am.notified_at = Set(Some(now));
        client_notified = true;
    }
    am.updated_at = Set(now);
    if !repo::delivery::update_versioned(&tx, p.studio.uuid(), m.id, patch.version, am).await? {
        let (fresh, _) = load(&tx, p, id).await?;
        return Err(CoreError::stale(view(fresh)));
    }
    audit::record(
        core,
        &tx,
        meta,
        crate::gallery::event_in(
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
