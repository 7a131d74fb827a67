//! What other contexts may ask of the CRM: the client record of a guest
//! who books or writes in, found by email or added (and indexed for search).

use darkroom_db::entity::client;
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::crm::phone;
use darkroom_domain::names::ClientKind;
use darkroom_domain::{ClientId, StudioId, TypedId};

use super::client::{input::studio_region, reindex};
use crate::Core;
use crate::kernel::error::CoreResult;
use crate::kernel::write;

/// A guest as they wrote themselves in.
pub struct Guest<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub phone: Option<&'a str>,
    /// A tag the new record gets (`booked online`, `inquiry`).
    pub tag: &'a str,
}

/// The live client with the guest's email, or a new one, inside `tx`.
/// The phone is kept in E.164 when it reads as one in the studio's
/// country, else as typed.
pub async fn client_for_guest(
    core: &Core,
    tx: &darkroom_db::Tx,
    studio: StudioId,
    g: Guest<'_>,
) -> CoreResult<ClientId> {
    let email = g.email.trim().to_lowercase();
    if let Some(c) = repo::client::find_by_email(tx, studio, &email).await? {
        return Ok(ClientId::from_uuid(c.id));
    }
    let region = studio_region(tx, studio).await?;
    let phone = g
        .phone
        .map(|p| phone::e164(p, region.as_deref()).unwrap_or_else(|_| p.to_string()));
    let id = ClientId::new();
    let am = client::ActiveModel {
        id: Set(id.uuid()),
        kind: Set(ClientKind::Person),
        name: Set(g.name.to_string()),
        email: Set(Some(email)),
        phone: Set(phone),
        tags: Set(format!("|{}|", g.tag)),
        tax_exempt: Set(0),
        po_required: Set(0),
        ..Default::default()
    };
    write::insert::<client::Entity>(core, tx, studio, &id, am).await?;
    reindex(tx, studio, id).await?;
    Ok(id)
}

/// The client a converted lead becomes: the live client with its email,
/// or a new one from its name, email and phone, tagged `lead`.
pub(crate) async fn client_for_lead(
    core: &Core,
    tx: &darkroom_db::Tx,
    studio: StudioId,
    lead: &darkroom_db::entity::lead::Model,
) -> CoreResult<ClientId> {
    if let Some(email) = &lead.email
        && let Some(c) = repo::client::find_by_email(tx, studio, email).await?
    {
        return Ok(ClientId::from_uuid(c.id));
    }
    let id = ClientId::new();
    let am = client::ActiveModel {
        id: Set(id.uuid()),
        kind: Set(ClientKind::Person),
        name: Set(lead.name.clone()),
        email: Set(lead.email.clone()),
        phone: Set(lead.phone.clone()),
        source: Set(lead.source),
        branch_id: Set(lead.branch_id),
        tags: Set("|lead|".into()),
        tax_exempt: Set(0),
        po_required: Set(0),
        ..Default::default()
    };
    write::insert::<client::Entity>(core, tx, studio, &id, am).await?;
    reindex(tx, studio, id).await?;
    Ok(id)
}
