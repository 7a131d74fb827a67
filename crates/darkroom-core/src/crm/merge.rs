//! Merging two client records that turn out to be one person: everything
//! that points at the merged client (galleries, bookings, contacts,
//! addresses, and whatever else names a client) moves to the survivor, the
//! survivor's blank fields take the merged one's values, and the merged
//! client is deleted with a pointer to the survivor. The audit entry keeps
//! what moved, which is exactly what [`unmerge`] moves back.

use darkroom_db::entity::{client, client_address, client_contact};
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_db::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use darkroom_domain::crm::Tags;
use darkroom_domain::{ClientId, TypedId};
use serde::{Deserialize, Serialize};

use super::client::{ClientView, authorize_for, record, reindex, view};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// Which client to merge into this one.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeInput {
    /// The client that goes away (`cli_...`); what it has moves here.
    pub other: ClientId,
    /// The version you read of this client (the survivor).
    pub version: i64,
}

/// What a merge did, as its audit entry keeps it.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Evidence {
    survivor: String,
    merged: String,
    /// Table name and the ids of its rows that moved.
    moved: Vec<(String, Vec<uuid::Uuid>)>,
    /// Survivor fields that were blank and took the merged one's value.
    filled: Vec<String>,
    /// Moved contacts and addresses that lost their primary mark.
    unmarked: Vec<uuid::Uuid>,
}

/// Fills the survivor's blank fields from `other`; names the fields.
pub(crate) fn fill(
    survivor: &client::Model,
    other: &client::Model,
    am: &mut client::ActiveModel,
) -> Vec<String> {
    let mut filled = Vec::new();
    macro_rules! take {
        ($($f:ident),*) => {$(
            if survivor.$f.is_none() && other.$f.is_some() {
                am.$f = Set(other.$f.clone());
                filled.push(stringify!($f).to_string());
            }
        )*};
    }
    take!(
        email,
        phone,
        partner_name,
        partner_email,
        partner_phone,
        source,
        manager_id,
        marketing_consent_at,
        tax_id_kind,
        tax_id,
        payment_terms_days,
        vendor_number,
        branch_id
    );
    if survivor.notes.is_none() && other.notes.is_some() {
        am.notes = Set(other.notes.clone());
        filled.push("notes".into());
    }
    let mine = Tags::from_stored(&survivor.tags);
    let theirs = Tags::from_stored(&other.tags);
    let all: Vec<String> = mine
        .as_slice()
        .iter()
        .chain(theirs.as_slice())
        .cloned()
        .collect();
    if let Ok(t) = Tags::parse(&all)
        && t != mine
    {
        am.tags = Set(t.stored());
    }
    filled
}

/// The survivor and the client merged into it, checked.
async fn pair(
    core: &Core,
    p: &Principal,
    id: ClientId,
    input: &MergeInput,
) -> CoreResult<(client::Model, client::Model)> {
    let c = core.db().conn();
    let survivor = repo::client::find(c, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("client"))?;
    authorize_for(core, p)?;
    if input.other == id {
        return Err(CoreError::invalid(
            "other",
            "a client cannot be merged into itself; name the other record",
        ));
    }
    let other = repo::client::find(c, p.studio, input.other)
        .await?
        .ok_or_else(|| {
            CoreError::invalid(
                "other",
                format!(
                    "there is no client `{}` in this studio (or it is deleted)",
                    input.other
                ),
            )
        })?;
    if survivor.version != input.version {
        return Err(CoreError::stale(view(survivor)));
    }
    Ok((survivor, other))
}

/// Moves every row of `other` to `survivor`; a moved contact or address
/// loses its primary mark when the survivor has a primary of its own.
async fn move_over(
    core: &Core,
    tx: &darkroom_db::Tx,
    p: &Principal,
    survivor: &client::Model,
    other: &client::Model,
) -> CoreResult<(Vec<(String, Vec<uuid::Uuid>)>, Vec<uuid::Uuid>)> {
    let sid = ClientId::from_uuid(survivor.id);
    let c = core.db().conn();
    let has_contact = repo::client::contacts(c, p.studio, sid)
        .await?
        .iter()
        .any(|k| k.is_primary != 0);
    let has_address = repo::client::addresses(c, p.studio, sid)
        .await?
        .iter()
        .any(|k| k.is_primary != 0);
    let moved = repo::client::reassign(tx, p.studio, other.id, survivor.id).await?;
    let mut unmarked = Vec::new();
    for (table, ids) in &moved {
        let has = match *table {
            "client_contacts" => has_contact,
            "client_addresses" => has_address,
            _ => false,
        };
        if has && !ids.is_empty() {
            unmarked.extend(unmark(tx, table, ids).await?);
        }
    }
    let moved = moved
        .into_iter()
        .map(|(t, ids)| (t.to_string(), ids))
        .collect();
    Ok((moved, unmarked))
}

/// Merges `input.other` into client `id`.
pub async fn merge(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: ClientId,
    input: MergeInput,
) -> CoreResult<ClientView> {
    let (survivor, other) = pair(core, p, id, &input).await?;
    let tx = core.db().begin().await?;
    let (moved, unmarked) = move_over(core, &tx, p, &survivor, &other).await?;
    let mut am = client::ActiveModel::default();
    let filled = fill(&survivor, &other, &mut am);
    let (sv, ov) = (survivor.version, other.version);
    write::update::<client::Entity, _>(core, &tx, p.studio, survivor.id, sv, am, view).await?;
    let gone = client::ActiveModel {
        deleted_at: Set(Some(core.now().as_micros())),
        merged_into: Set(Some(survivor.id)),
        ..Default::default()
    };
    write::update::<client::Entity, _>(core, &tx, p.studio, other.id, ov, gone, view).await?;
    reindex(&tx, p.studio, id).await?;
    reindex(&tx, p.studio, input.other).await?;
    let evidence = Evidence {
        survivor: id.to_string(),
        merged: input.other.to_string(),
        moved,
        filled,
        unmarked,
    };
    let payload = serde_json::to_value(&evidence).unwrap_or_default();
    record(core, &tx, meta, p, input.other, "client.merged", payload).await?;
    let fresh = repo::client::find_any(&tx, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("client"))?;
    crate::commit(tx).await?;
    Ok(view(fresh))
}

/// Clears the primary mark of the moved contacts or addresses `ids`;
/// returns those that had it.
async fn unmark(
    tx: &darkroom_db::Tx,
    table: &str,
    ids: &[uuid::Uuid],
) -> CoreResult<Vec<uuid::Uuid>> {
    let db = darkroom_db::DbError::from;
    if table == "client_contacts" {
        let marked: Vec<uuid::Uuid> = client_contact::Entity::find()
            .filter(client_contact::Column::Id.is_in(ids.iter().copied()))
            .filter(client_contact::Column::IsPrimary.eq(1))
            .all(tx)
            .await
            .map_err(db)?
            .into_iter()
            .map(|m| m.id)
            .collect();
        client_contact::Entity::update_many()
            .col_expr(client_contact::Column::IsPrimary, 0.into())
            .filter(client_contact::Column::Id.is_in(marked.iter().copied()))
            .exec(tx)
            .await
            .map_err(db)?;
        return Ok(marked);
    }
    let marked: Vec<uuid::Uuid> = client_address::Entity::find()
        .filter(client_address::Column::Id.is_in(ids.iter().copied()))
        .filter(client_address::Column::IsPrimary.eq(1))
        .all(tx)
        .await
        .map_err(db)?
        .into_iter()
        .map(|m| m.id)
        .collect();
    client_address::Entity::update_many()
        .col_expr(client_address::Column::IsPrimary, 0.into())
        .filter(client_address::Column::Id.is_in(marked.iter().copied()))
        .exec(tx)
        .await
        .map_err(db)?;
    Ok(marked)
}

/// Undoes the merge of client `merged` into `id`, from the merge's audit
/// entry: the rows that moved go back, the fields the survivor took are
/// blanked again (if still the same), the merged client comes back.
pub async fn unmerge(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: ClientId,
    merged: ClientId,
) -> CoreResult<ClientView> {
    let (survivor, gone, ev) = evidence(core, p, id, merged).await?;
    let tx = core.db().begin().await?;
    for (table, ids) in &ev.moved {
        let Some(t) = repo::client::CLIENT_REFERENCES
            .iter()
            .find(|t| **t == table.as_str())
        else {
            continue;
        };
        let (from, to) = (survivor.id, gone.id);
        repo::client::move_rows(&tx, t, p.studio, "client_id", from, to, Some(ids)).await?;
    }
    restore_marks(&tx, &ev.unmarked).await?;
    let mut am = client::ActiveModel::default();
    blank_filled(&survivor, &gone, &ev.filled, &mut am);
    let (sv, gv) = (survivor.version, gone.version);
    write::update::<client::Entity, _>(core, &tx, p.studio, survivor.id, sv, am, view).await?;
    let back = client::ActiveModel {
        deleted_at: Set(None),
        merged_into: Set(None),
        ..Default::default()
    };
    write::update::<client::Entity, _>(core, &tx, p.studio, gone.id, gv, back, view).await?;
    reindex(&tx, p.studio, id).await?;
    reindex(&tx, p.studio, merged).await?;
    let payload = serde_json::json!({ "survivor": id.to_string() });
    record(core, &tx, meta, p, merged, "client.unmerged", payload).await?;
    let fresh = repo::client::find_any(&tx, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("client"))?;
    crate::commit(tx).await?;
    Ok(view(fresh))
}

/// The survivor, the merged client and what the merge's audit entry says
/// it did.
async fn evidence(
    core: &Core,
    p: &Principal,
    id: ClientId,
    merged: ClientId,
) -> CoreResult<(client::Model, client::Model, Evidence)> {
    let c = core.db().conn();
    let survivor = repo::client::find(c, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("client"))?;
    authorize_for(core, p)?;
    let gone = repo::client::find_any(c, p.studio, merged)
        .await?
        .filter(|m| m.merged_into == Some(survivor.id))
        .ok_or_else(|| {
            CoreError::invalid(
                "merged",
                format!("`{merged}` was not merged into this client"),
            )
        })?;
    let entry = darkroom_db::audit::latest_about(c, p.studio, "client.merged", &merged.to_string())
        .await?
        .ok_or_else(|| {
            CoreError::conflict(
                "invalid_state",
                "the audit trail holds no record of this merge, so it cannot be undone",
            )
        })?;
    let ev: Evidence = serde_json::from_str(&entry.payload)
        .map_err(|e| CoreError::Internal(anyhow::anyhow!("merge evidence unreadable: {e}")))?;
    Ok((survivor, gone, ev))
}

async fn restore_marks(tx: &darkroom_db::Tx, ids: &[uuid::Uuid]) -> CoreResult<()> {
    let db = darkroom_db::DbError::from;
    client_contact::Entity::update_many()
        .col_expr(client_contact::Column::IsPrimary, 1.into())
        .filter(client_contact::Column::Id.is_in(ids.iter().copied()))
        .exec(tx)
        .await
        .map_err(db)?;
    client_address::Entity::update_many()
        .col_expr(client_address::Column::IsPrimary, 1.into())
        .filter(client_address::Column::Id.is_in(ids.iter().copied()))
        .exec(tx)
        .await
        .map_err(db)?;
    Ok(())
}

/// Blanks the fields the survivor took in the merge, where they still hold
/// the merged client's value.
fn blank_filled(
    s: &client::Model,
    gone: &client::Model,
    filled: &[String],
    am: &mut client::ActiveModel,
) {
    macro_rules! back {
        ($($f:ident),*) => {$(
            if filled.iter().any(|f| f == stringify!($f)) && s.$f == gone.$f {
                am.$f = Set(None);
            }
        )*};
    }
    back!(
        email,
        phone,
        partner_name,
        partner_email,
        partner_phone,
        source,
        manager_id,
        marketing_consent_at,
        tax_id_kind,
        tax_id,
        payment_terms_days,
        vendor_number,
        branch_id,
        notes
    );
}
