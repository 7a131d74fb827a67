//! Adding, changing and removing a client's contacts and addresses. Each
//! client has at most one primary of each: marking one primary unmarks the
//! others in the same transaction. Contacts are searched with their
//! client, so a contact change re-indexes it.

use darkroom_db::entity::{client_address, client_contact};
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_db::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use darkroom_domain::crm::ContactRole;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{AddressId, ClientId, ContactId, TypedId};

use super::client::{Context, authorize_for, record, reindex};
use super::contact::{
    AddressView, ClientAddressInput, ContactInput, ContactView, address_view, contact_view,
};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// A contact or an address of a client.
#[derive(Clone, Copy, Debug)]
pub enum Part {
    Contact(ContactId),
    Address(AddressId),
}

/// The live client `id` and the country its numbers are read in.
async fn client_region(core: &Core, p: &Principal, id: ClientId) -> CoreResult<Option<String>> {
    let m = repo::client::find(core.db().conn(), p.studio, id)
        .await?
        .ok_or(CoreError::not_found("client"))?;
    authorize_for(core, p)?;
    let cx = Context::load(core, p.studio).await?;
    Ok(cx.region(m.branch_id).map(str::to_string))
}

/// `version` must be absent when adding and present when changing; `id`
/// is only for adding.
fn check_meta(errs: &mut FieldErrors, adding: bool, version: Option<i64>, id: bool) {
    match (adding, version) {
        (true, Some(_)) => errs.add(
            "version",
            "not_allowed",
            "a new entry has no version; leave it out",
        ),
        (false, None) => errs.add(
            "version",
            "required",
            "send the version you read, so a change made meanwhile is not lost",
        ),
        _ => {}
    }
    if !adding && id {
        errs.add("id", "not_allowed", "`id` is for adding; leave it out");
    }
}

async fn find_contact(
    core: &Core,
    p: &Principal,
    client: ClientId,
    id: ContactId,
) -> CoreResult<client_contact::Model> {
    repo::client::contacts(core.db().conn(), p.studio, client)
        .await?
        .into_iter()
        .find(|c| c.id == id.uuid())
        .ok_or(CoreError::not_found("contact"))
}

async fn find_address(
    core: &Core,
    p: &Principal,
    client: ClientId,
    id: AddressId,
) -> CoreResult<client_address::Model> {
    repo::client::addresses(core.db().conn(), p.studio, client)
        .await?
        .into_iter()
        .find(|c| c.id == id.uuid())
        .ok_or(CoreError::not_found("address"))
}

fn db(e: darkroom_db::sea_orm::DbErr) -> CoreError {
    darkroom_db::DbError::from(e).into()
}

/// The checked changes of a contact (a new one of `client` when `current`
/// is none).
fn contact_changes(
    input: &ContactInput,
    region: Option<&str>,
    current: Option<&client_contact::Model>,
    client: ClientId,
) -> CoreResult<client_contact::ActiveModel> {
    let adding = current.is_none();
    let mut am = client_contact::ActiveModel::default();
    if adding {
        am.id = Set(input.id.unwrap_or_default().uuid());
        am.client_id = Set(client.uuid());
        am.role = Set(ContactRole::Other);
        am.is_primary = Set(0);
    }
    let mut errs = input
        .apply(region, adding, &mut am)
        .err()
        .unwrap_or_default();
    check_meta(&mut errs, adding, input.version, input.id.is_some());
    errs.into_result()?;
    if let Some(c) = current
        && input.version != Some(c.version)
    {
        return Err(CoreError::stale(contact_view(c.clone())));
    }
    Ok(am)
}

/// Adds a contact to a client, or (with `contact`) changes one.
pub async fn save_contact(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    client: ClientId,
    contact: Option<ContactId>,
    input: ContactInput,
) -> CoreResult<ContactView> {
    let region = client_region(core, p, client).await?;
    let current = match contact {
        Some(cid) => Some(find_contact(core, p, client, cid).await?),
        None => None,
    };
    let am = contact_changes(&input, region.as_deref(), current.as_ref(), client)?;
    let primary = matches!(am.is_primary, Set(1));
    let tx = core.db().begin().await?;
    let id = match &current {
        Some(c) => {
            write::update::<client_contact::Entity, _>(
                core,
                &tx,
                p.studio,
                c.id,
                c.version,
                am,
                contact_view,
            )
            .await?;
            ContactId::from_uuid(c.id)
        }
        None => {
            let id = input.id.unwrap_or_else(|| match &am.id {
                Set(u) => ContactId::from_uuid(*u),
                _ => ContactId::new(),
            });
            write::insert::<client_contact::Entity>(core, &tx, p.studio, &id, am).await?;
            id
        }
    };
    if primary {
        client_contact::Entity::update_many()
            .col_expr(client_contact::Column::IsPrimary, 0.into())
            .filter(client_contact::Column::ClientId.eq(client.uuid()))
            .filter(client_contact::Column::Id.ne(id.uuid()))
            .exec(&tx)
            .await
            .map_err(db)?;
    }
    reindex(&tx, p.studio, client).await?;
    let event = if current.is_none() {
        "client.contact_added"
    } else {
        "client.contact_changed"
    };
    record(
        core,
        &tx,
        meta,
        p,
        client,
        event,
        serde_json::json!({ "contact": id.to_string() }),
    )
    .await?;
    let m = client_contact::Entity::find_by_id(id.uuid())
        .one(&tx)
        .await
        .map_err(db)?
        .ok_or(CoreError::not_found("contact"))?;
    crate::commit(tx).await?;
    Ok(contact_view(m))
}

/// The checked changes of an address (a new one of `client` when
/// `current` is none).
fn address_changes(
    input: &ClientAddressInput,
    region: Option<&str>,
    current: Option<&client_address::Model>,
    client: ClientId,
) -> CoreResult<client_address::ActiveModel> {
    let adding = current.is_none();
    let mut am = client_address::ActiveModel::default();
    if adding {
        am.id = Set(input.id.unwrap_or_default().uuid());
        am.client_id = Set(client.uuid());
        am.is_primary = Set(0);
    }
    let mut errs = input
        .apply(region, adding, &mut am)
        .err()
        .unwrap_or_default();
    check_meta(&mut errs, adding, input.version, input.id.is_some());
    errs.into_result()?;
    if let Some(a) = current
        && input.version != Some(a.version)
    {
        return Err(CoreError::stale(address_view(a.clone())));
    }
    Ok(am)
}

/// Adds an address to a client, or (with `address`) changes one.
pub async fn save_address(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    client: ClientId,
    address: Option<AddressId>,
    input: ClientAddressInput,
) -> CoreResult<AddressView> {
    let region = client_region(core, p, client).await?;
    let current = match address {
        Some(aid) => Some(find_address(core, p, client, aid).await?),
        None => None,
    };
    let am = address_changes(&input, region.as_deref(), current.as_ref(), client)?;
    let primary = matches!(am.is_primary, Set(1));
    let tx = core.db().begin().await?;
    let id = match &current {
        Some(a) => {
            write::update::<client_address::Entity, _>(
                core,
                &tx,
                p.studio,
                a.id,
                a.version,
                am,
                address_view,
            )
            .await?;
            AddressId::from_uuid(a.id)
        }
        None => {
            let id = match &am.id {
                Set(u) => AddressId::from_uuid(*u),
                _ => AddressId::new(),
            };
            write::insert::<client_address::Entity>(core, &tx, p.studio, &id, am).await?;
            id
        }
    };
    if primary {
        client_address::Entity::update_many()
            .col_expr(client_address::Column::IsPrimary, 0.into())
            .filter(client_address::Column::ClientId.eq(client.uuid()))
            .filter(client_address::Column::Id.ne(id.uuid()))
            .exec(&tx)
            .await
            .map_err(db)?;
    }
    let event = if current.is_none() {
        "client.address_added"
    } else {
        "client.address_changed"
    };
    record(
        core,
        &tx,
        meta,
        p,
        client,
        event,
        serde_json::json!({ "address": id.to_string() }),
    )
    .await?;
    let m = client_address::Entity::find_by_id(id.uuid())
        .one(&tx)
        .await
        .map_err(db)?
        .ok_or(CoreError::not_found("address"))?;
    crate::commit(tx).await?;
    Ok(address_view(m))
}

/// Removes a contact or an address of a client (the audit keeps what it was).
pub async fn remove(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    client: ClientId,
    what: Part,
) -> CoreResult<()> {
    client_region(core, p, client).await?;
    let (event, payload) = match what {
        Part::Contact(id) => {
            let m = find_contact(core, p, client, id).await?;
            (
                "client.contact_removed",
                serde_json::to_value(contact_view(m)).unwrap_or_default(),
            )
        }
        Part::Address(id) => {
            let m = find_address(core, p, client, id).await?;
            (
                "client.address_removed",
                serde_json::to_value(address_view(m)).unwrap_or_default(),
            )
        }
    };
    let tx = core.db().begin().await?;
    match what {
        Part::Contact(id) => {
            client_contact::Entity::delete_by_id(id.uuid())
                .exec(&tx)
                .await
                .map_err(db)?;
            reindex(&tx, p.studio, client).await?;
        }
        Part::Address(id) => {
            client_address::Entity::delete_by_id(id.uuid())
                .exec(&tx)
                .await
                .map_err(db)?;
        }
    }
    record(core, &tx, meta, p, client, event, payload).await?;
    crate::commit(tx).await
}
