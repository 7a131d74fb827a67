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

/// A client as another context shows it: its name and how to reach it.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ClientCard {
    pub id: ClientId,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub branch_id: Option<darkroom_domain::BranchId>,
}

/// The live client `id` of `studio`, if there is one.
pub async fn client_card(
    c: &impl darkroom_db::sea_orm::ConnectionTrait,
    studio: StudioId,
    id: ClientId,
) -> CoreResult<Option<ClientCard>> {
    Ok(repo::client::find(c, studio, id)
        .await?
        .map(|m| ClientCard {
            id,
            name: m.name,
            email: m.email,
            phone: m.phone,
            branch_id: m.branch_id.map(darkroom_domain::BranchId::from_uuid),
        }))
}

/// The names of the clients `ids` of `studio` (deleted ones too: a list
/// of old jobs still names their client).
pub async fn client_names(
    c: &impl darkroom_db::sea_orm::ConnectionTrait,
    studio: StudioId,
    ids: &[uuid::Uuid],
) -> CoreResult<Vec<(uuid::Uuid, String)>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        for deleted in [false, true] {
            let q = repo::client::Query {
                ids: Some(chunk),
                deleted,
                limit: chunk.len() as u64,
                ..Default::default()
            };
            out.extend(
                repo::client::list(c, studio, &q)
                    .await?
                    .into_iter()
                    .map(|m| (m.id, m.name)),
            );
        }
    }
    Ok(out)
}

/// Who a message to a client (or one of its contacts) goes to: their name
/// and email, if the live client (and contact) exist and have an email.
pub async fn recipient(
    c: &impl darkroom_db::sea_orm::ConnectionTrait,
    studio: StudioId,
    client: ClientId,
    contact: Option<darkroom_domain::ContactId>,
) -> CoreResult<Option<(String, Option<String>)>> {
    let Some(m) = repo::client::find(c, studio, client).await? else {
        return Ok(None);
    };
    let Some(contact) = contact else {
        return Ok(Some((m.name, m.email)));
    };
    Ok(repo::client::contacts(c, studio, client)
        .await?
        .into_iter()
        .find(|x| x.id == contact.uuid())
        .map(|x| (x.name, x.email)))
}

/// A client's documents as the client sees them on their portal: the live,
/// client-visible ones (those still asked for, too).
pub async fn documents_for_client(
    core: &Core,
    studio: StudioId,
    id: ClientId,
) -> CoreResult<Vec<super::document::DocumentView>> {
    let c = core.db().conn();
    let Some(m) = repo::client::find(c, studio, id).await? else {
        return Ok(Vec::new());
    };
    let today = super::document::today_of(core, &m).await?;
    Ok(repo::document::of_client(c, studio, id.uuid(), false)
        .await?
        .into_iter()
        .filter(|d| d.client_visible != 0)
        .map(|d| super::document::view(d, &today))
        .collect())
}

/// The file of a live, client-visible document of the client; any other
/// answers like a document that does not exist.
pub async fn document_for_client(
    core: &Core,
    studio: StudioId,
    client: ClientId,
    id: darkroom_domain::DocumentId,
) -> CoreResult<super::document::DocumentBytes> {
    let d = repo::document::find(core.db().conn(), studio, client.uuid(), id.uuid())
        .await?
        .filter(|d| d.deleted_at.is_none() && d.client_visible != 0)
        .ok_or(crate::kernel::error::CoreError::not_found("document"))?;
    super::document::bytes_of(core, d).await
}

pub use super::document::DocumentBytes;

/// A client as an invoice bills it: the name, partner, billing address
/// (the billing one, else the primary), tax identity and terms.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct BillingParty {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub partner_name: Option<String>,
    pub partner_email: Option<String>,
    /// The address as printed, one line each.
    pub address: Vec<String>,
    /// ISO country code of the address, if it has one.
    pub country: Option<String>,
    /// State or region of the address.
    pub region: Option<String>,
    pub tax_id_kind: Option<String>,
    pub tax_id: Option<String>,
    pub tax_exempt: bool,
    pub payment_terms_days: Option<i64>,
    pub po_required: bool,
    pub vendor_number: Option<String>,
    pub branch_id: Option<darkroom_domain::BranchId>,
}

/// The live client `id` as an invoice bills it.
pub async fn billing_party(
    c: &impl darkroom_db::sea_orm::ConnectionTrait,
    studio: StudioId,
    id: ClientId,
) -> CoreResult<Option<BillingParty>> {
    let Some(m) = repo::client::find(c, studio, id).await? else {
        return Ok(None);
    };
    let addresses = repo::client::addresses(c, studio, id).await?;
    let addr = addresses
        .iter()
        .find(|a| a.kind == darkroom_domain::crm::AddressKind::Billing)
        .or_else(|| addresses.first());
    let lines = addr.map_or_else(Vec::new, |a| {
        let city = [a.city.as_str(), a.region.as_str(), a.postal_code.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        [a.line1.clone(), a.line2.clone(), city, a.country.clone()]
            .into_iter()
            .filter(|s| !s.trim().is_empty())
            .collect()
    });
    let nonempty = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
    Ok(Some(BillingParty {
        name: m.name,
        email: m.email,
        phone: m.phone,
        partner_name: m.partner_name,
        partner_email: m.partner_email,
        address: lines,
        country: addr.and_then(|a| nonempty(&a.country)),
        region: addr.and_then(|a| nonempty(&a.region)),
        tax_id_kind: m.tax_id_kind,
        tax_id: m.tax_id,
        tax_exempt: m.tax_exempt != 0,
        payment_terms_days: m.payment_terms_days,
        po_required: m.po_required != 0,
        vendor_number: m.vendor_number,
        branch_id: m.branch_id.map(darkroom_domain::BranchId::from_uuid),
    }))
}
