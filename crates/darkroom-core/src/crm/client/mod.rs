//! Clients: the people, couples and organisations a studio works for
//! (decision 0025). Staff see and change them; the notes are for staff and
//! never reach a client page.

use darkroom_db::entity::client;
use darkroom_db::repo;
use darkroom_domain::audit::Severity;
use darkroom_domain::crm::search::{MIN_SCORE, Query as SearchQuery, Searchable};
use darkroom_domain::crm::{Source, Tags};
use darkroom_domain::field::{Tag, Text};
use darkroom_domain::names::ClientKind;
use darkroom_domain::permission::Permission;
use darkroom_domain::{BranchId, ClientId, Timestamp, TypedId, UserId};
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::{Core, Meta, Principal};

pub(crate) mod input;
mod write;

pub(crate) use input::Context;
pub use input::{ClientChange, ClientInput, NewClient};
pub use write::{create, set_deleted, update};

/// How a client is invoiced.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Billing {
    /// `gstin`, `vat`, `ein`, `abn`, `brn` or `other`.
    pub tax_id_kind: Option<String>,
    pub tax_id: Option<String>,
    pub tax_exempt: bool,
    /// Days after issue an invoice is due (Net 30 is `30`).
    pub payment_terms_days: Option<i64>,
    pub vendor_number: Option<String>,
    pub po_required: bool,
}

/// A client as staff see it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ClientView {
    pub id: ClientId,
    /// `person`, `couple` or `organisation`.
    pub kind: ClientKind,
    pub name: String,
    pub email: Option<String>,
    /// E.164, e.g. `+919876543210`.
    pub phone: Option<String>,
    /// A couple's second partner.
    pub partner_name: Option<String>,
    pub partner_email: Option<String>,
    pub partner_phone: Option<String>,
    /// The branch the client belongs to (none: the whole studio).
    pub branch_id: Option<BranchId>,
    /// The staff member who looks after the client.
    pub manager_id: Option<UserId>,
    pub source: Option<Source>,
    /// When the client agreed to marketing mail (none: not agreed).
    pub marketing_consent_at: Option<Timestamp>,
    /// Internal: never shown to the client.
    pub notes: Option<String>,
    /// The studio's labels for this client, normalised (lower case).
    pub tags: Vec<String>,
    pub billing: Billing,
    /// Set when this client was merged into another.
    pub merged_into: Option<ClientId>,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Set when deleted; a deleted client can be restored.
    pub deleted_at: Option<Timestamp>,
}

pub(crate) fn view(m: client::Model) -> ClientView {
    ClientView {
        id: ClientId::from_uuid(m.id),
        kind: m.kind,
        name: m.name,
        email: m.email,
        phone: m.phone,
        partner_name: m.partner_name,
        partner_email: m.partner_email,
        partner_phone: m.partner_phone,
        branch_id: m.branch_id.map(BranchId::from_uuid),
        manager_id: m.manager_id.map(UserId::from_uuid),
        source: m.source,
        marketing_consent_at: m.marketing_consent_at.map(Timestamp::from_micros),
        notes: m.notes,
        tags: Tags::from_stored(&m.tags).as_slice().to_vec(),
        billing: Billing {
            tax_id_kind: m.tax_id_kind,
            tax_id: m.tax_id,
            tax_exempt: m.tax_exempt != 0,
            payment_terms_days: m.payment_terms_days,
            vendor_number: m.vendor_number,
            po_required: m.po_required != 0,
        },
        merged_into: m.merged_into.map(ClientId::from_uuid),
        version: m.version,
        created_at: Timestamp::from_micros(m.created_at),
        updated_at: Timestamp::from_micros(m.updated_at),
        deleted_at: m.deleted_at.map(Timestamp::from_micros),
    }
}

/// What a client is found by.
pub(crate) fn searchable<'a>(
    m: &'a client::Model,
    contacts: &'a [darkroom_db::entity::client_contact::Model],
) -> Searchable<'a> {
    let mut s = Searchable {
        names: vec![&m.name],
        emails: m.email.iter().map(String::as_str).collect(),
        phones: m.phone.iter().map(String::as_str).collect(),
        tags: m.tags.split('|').filter(|t| !t.is_empty()).collect(),
    };
    s.names.extend(m.partner_name.as_deref());
    s.emails.extend(m.partner_email.as_deref());
    s.phones.extend(m.partner_phone.as_deref());
    for c in contacts {
        s.names.push(&c.name);
        s.emails.extend(c.email.as_deref());
        s.phones.extend(c.phone.as_deref());
    }
    s
}

/// Writes the search terms of client `id` from what is stored now.
pub(crate) async fn reindex(
    tx: &darkroom_db::Tx,
    studio: darkroom_domain::StudioId,
    id: ClientId,
) -> CoreResult<()> {
    let Some(m) = repo::client::find_any(tx, studio, id).await? else {
        return Ok(());
    };
    let contacts = repo::client::contacts(tx, studio, id).await?;
    let terms = searchable(&m, &contacts).terms();
    repo::client::set_terms(tx, studio, id, &terms).await?;
    Ok(())
}

/// Rebuilds the search terms of every client of the studio (after a bulk
/// load, or a change of how terms are made); returns how many.
pub async fn reindex_all(core: &Core, studio: darkroom_domain::StudioId) -> CoreResult<usize> {
    let ids: Vec<uuid::Uuid> = repo::client::ids(core.db().conn(), studio).await?;
    for chunk in ids.chunks(500) {
        let tx = core.db().begin().await?;
        for id in chunk {
            reindex(&tx, studio, ClientId::from_uuid(*id)).await?;
        }
        crate::commit(tx).await?;
    }
    Ok(ids.len())
}

/// Clients are studio-wide: anyone who may manage galleries somewhere may
/// see and add them (to pick a gallery's client).
pub(crate) fn authorize_for(core: &Core, p: &Principal) -> CoreResult<()> {
    authorize(core, p)
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

/// Which clients to list.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ClientFilter {
    /// Part of a name (typos forgiven), the start of an email, digits of a
    /// phone number, or a tag.
    pub q: Option<Text<200>>,
    /// `true` lists the deleted clients (to restore one).
    pub deleted: Option<bool>,
    /// Only clients with this tag.
    pub tag: Option<Tag>,
    /// Only clients of this branch (`brn_...`).
    pub branch_id: Option<BranchId>,
}

/// The most clients a list shows (a search shows its best matches).
const LIST_LIMIT: u64 = 500;
const SEARCH_LIMIT: usize = 100;

pub async fn list(core: &Core, p: &Principal, f: &ClientFilter) -> CoreResult<Vec<ClientView>> {
    authorize(core, p)?;
    let q = match &f.q {
        Some(q) => q
            .check("the search")
            .map_err(|m| CoreError::invalid("q", m))?,
        None => None,
    };
    let q = q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let tag = match &f.tag {
        Some(t) => Some(t.check().map_err(|m| CoreError::invalid("tag", m))?),
        None => None,
    };
    let c = core.db().conn();
    let mut query = repo::client::Query {
        ids: None,
        tag: tag.as_deref(),
        deleted: f.deleted.unwrap_or(false),
        branch: f.branch_id.map(|b| b.uuid()),
        limit: LIST_LIMIT,
    };
    let Some(q) = q else {
        return Ok(repo::client::list(c, p.studio, &query)
            .await?
            .into_iter()
            .map(view)
            .collect());
    };
    let region = input::studio_region(c, p.studio).await?;
    let sq = SearchQuery::parse(q, region.as_deref());
    let ids = candidates(core, p.studio, &sq).await?;
    query.ids = Some(&ids);
    query.limit = ids.len() as u64;
    let rows = repo::client::list(c, p.studio, &query).await?;
    let found: Vec<ClientId> = rows.iter().map(|m| ClientId::from_uuid(m.id)).collect();
    let contacts = repo::client::contacts_of(c, p.studio, &found).await?;
    let mut scored: Vec<(f64, client::Model)> = rows
        .into_iter()
        .map(|m| {
            let mine: Vec<_> = contacts
                .iter()
                .filter(|k| k.client_id == m.id)
                .cloned()
                .collect();
            (searchable(&m, &mine).score(&sq), m)
        })
        .filter(|(s, _)| *s >= MIN_SCORE)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    Ok(scored
        .into_iter()
        .take(SEARCH_LIMIT)
        .map(|(_, m)| view(m))
        .collect())
}

/// The clients a search may mean: sharing trigrams with the typed words,
/// or with an email or phone number starting as typed.
async fn candidates(
    core: &Core,
    studio: darkroom_domain::StudioId,
    q: &SearchQuery,
) -> CoreResult<Vec<uuid::Uuid>> {
    let c = core.db().conn();
    let mut ids = repo::client::by_grams(c, studio, &q.grams, q.min_shared, 400).await?;
    if let Some(e) = &q.email_prefix {
        ids.extend(repo::client::by_prefix(c, studio, &format!("e:{e}"), 100).await?);
    }
    for d in &q.digits {
        ids.extend(repo::client::by_prefix(c, studio, &format!("p:{d}"), 100).await?);
    }
    if let Some(t) = &q.tag {
        ids.extend(repo::client::by_prefix(c, studio, &format!("t:{t}"), 400).await?);
    }
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// An audit entry of the CRM about any of its records.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record_about(
    core: &Core,
    tx: &darkroom_db::Tx,
    meta: &Meta,
    p: &Principal,
    target_type: &'static str,
    target_id: &str,
    event_type: &'static str,
    payload: serde_json::Value,
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
            target_type,
            target_id: target_id.to_string(),
            payload,
        },
    )
    .await
}

pub(crate) async fn record(
    core: &Core,
    tx: &darkroom_db::Tx,
    meta: &Meta,
    p: &Principal,
    id: ClientId,
    event_type: &'static str,
    payload: serde_json::Value,
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
            target_id: id.to_string(),
            payload,
        },
    )
    .await
}

/// A client, deleted or not (its page is where a deleted one is restored).
pub async fn get_any(core: &Core, p: &Principal, id: ClientId) -> CoreResult<ClientView> {
    let m = repo::client::find_any(core.db().conn(), p.studio, id)
        .await?
        .ok_or(CoreError::not_found("client"))?;
    authorize(core, p)?;
    Ok(view(m))
}

pub async fn get(core: &Core, p: &Principal, id: ClientId) -> CoreResult<ClientView> {
    let m = repo::client::find(core.db().conn(), p.studio, id)
        .await?
        .ok_or(CoreError::not_found("client"))?;
    authorize(core, p)?;
    Ok(view(m))
}

/// What a client form offers: the branches and the staff, as (id, name).
#[derive(Clone, Debug, Serialize)]
pub struct Choices {
    pub branches: Vec<(String, String)>,
    pub staff: Vec<(String, String)>,
}

pub async fn choices(core: &Core, p: &Principal) -> CoreResult<Choices> {
    authorize(core, p)?;
    let cx = Context::load(core, p.studio).await?;
    Ok(Choices {
        branches: cx
            .branches
            .into_iter()
            .map(|(id, _, name)| (id.to_string(), name))
            .collect(),
        staff: cx
            .staff
            .into_iter()
            .map(|(id, name)| (id.to_string(), name))
            .collect(),
    })
}
