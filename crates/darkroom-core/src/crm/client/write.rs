//! Adding, changing, deleting and restoring a client. Every write
//! re-indexes the client's search terms in the same transaction.

use darkroom_db::entity::client;
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::crm::phone;
use darkroom_domain::names::ClientKind;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{ClientId, TypedId};

use super::{ClientInput, ClientView, Context, authorize, record, reindex, view};
use crate::kernel::created::{self, Claim};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// Adds a client. Unless `allow_duplicate`, a live client with the same
/// email or phone number refuses it with 409 `duplicate_client`, naming
/// the existing ones (`current`), so staff open that record instead.
pub async fn create(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    input: ClientInput,
) -> CoreResult<(ClientView, bool)> {
    authorize(core, p)?;
    let cx = Context::load(core, p.studio).await?;
    let mut am = client::ActiveModel {
        kind: Set(ClientKind::Person),
        tags: Set(String::new()),
        tax_exempt: Set(0),
        po_required: Set(0),
        ..Default::default()
    };
    let applied = input.apply(&cx, None, &mut am);
    let mut errs = match applied {
        Ok(_) => FieldErrors::new(),
        Err(e) => e,
    };
    if input.name.is_none() {
        errs.add("name", "required", "give the client's name");
    }
    if input.version.is_some() {
        errs.add(
            "version",
            "not_allowed",
            "a new client has no version; leave it out",
        );
    }
    errs.into_result()?;
    let id = input.id.unwrap_or_default();
    am.id = Set(darkroom_domain::TypedId::uuid(&id));
    if input.allow_duplicate != Some(true) && !replayed(core, p, &input).await? {
        refuse_duplicates(core, p, &am).await?;
    }
    let tx = core.db().begin().await?;
    let now = core.now().as_micros();
    if input.id.is_some()
        && created::claim(&tx, p.studio, "client", id, &created::digest(&input), now).await?
            == Claim::Replay
    {
        let m = repo::client::find_any(&tx, p.studio, id)
            .await?
            .ok_or(CoreError::not_found("client"))?;
        return Ok((view(m), false));
    }
    let m = write::insert::<client::Entity>(core, &tx, p.studio, &id, am).await?;
    reindex(&tx, p.studio, id).await?;
    record(
        core,
        &tx,
        meta,
        p,
        id,
        "client.created",
        serde_json::json!({ "name": m.name }),
    )
    .await?;
    crate::commit(tx).await?;
    Ok((view(m), true))
}

/// Whether this exact request was already carried out (an offline app
/// sending it again): then no duplicate check applies.
async fn replayed(core: &Core, p: &Principal, input: &ClientInput) -> CoreResult<bool> {
    let Some(id) = input.id else { return Ok(false) };
    Ok(repo::client::find_any(core.db().conn(), p.studio, id)
        .await?
        .is_some())
}

/// Refuses a new client whose email or phone a live client already has.
async fn refuse_duplicates(core: &Core, p: &Principal, am: &client::ActiveModel) -> CoreResult<()> {
    let mut terms = Vec::new();
    if let Set(Some(e)) = &am.email {
        terms.push(format!("e:{e}"));
    }
    if let Set(Some(ph)) = &am.phone {
        // The whole number's digits, not its national part alone.
        terms.extend(
            phone::search_digits(ph)
                .into_iter()
                .take(1)
                .map(|d| format!("p:{d}")),
        );
    }
    let same = repo::client::by_terms(core.db().conn(), p.studio, &terms).await?;
    if same.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = same
        .iter()
        .map(|m| format!("{} ({})", m.name, ClientId::from_uuid(m.id)))
        .collect();
    Err(CoreError::Conflict {
        code: "duplicate_client",
        message: format!(
            "a client with this email or phone number exists: {}; open that client, or add this one anyway (allow_duplicate)",
            names.join(", ")
        ),
        current: serde_json::to_value(same.into_iter().map(view).collect::<Vec<_>>()).ok(),
    })
}

/// Changes a client: only the fields sent change.
pub async fn update(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: ClientId,
    input: ClientInput,
) -> CoreResult<ClientView> {
    let current = repo::client::find(core.db().conn(), p.studio, id)
        .await?
        .ok_or(CoreError::not_found("client"))?;
    authorize(core, p)?;
    let cx = Context::load(core, p.studio).await?;
    let mut am = client::ActiveModel::default();
    let mut errs = FieldErrors::new();
    let changed = match input.apply(&cx, Some(&current), &mut am) {
        Ok(c) => c,
        Err(e) => {
            errs = e;
            Vec::new()
        }
    };
    if input.id.is_some() || input.allow_duplicate.is_some() {
        errs.add(
            "id",
            "not_allowed",
            "`id` and `allow_duplicate` are for adding a client; leave them out",
        );
    }
    let Some(version) = input.version else {
        errs.add(
            "version",
            "required",
            "send the version you read (a number), so a change made meanwhile is not lost",
        );
        return Err(CoreError::Validation(errs));
    };
    errs.into_result()?;
    if current.version != version {
        return Err(CoreError::stale(view(current)));
    }
    let tx = core.db().begin().await?;
    write::update::<client::Entity, _>(core, &tx, p.studio, id.uuid(), version, am, view).await?;
    reindex(&tx, p.studio, id).await?;
    record(
        core,
        &tx,
        meta,
        p,
        id,
        "client.updated",
        serde_json::json!({ "fields": changed }),
    )
    .await?;
    let fresh = repo::client::find_any(&tx, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("client"))?;
    crate::commit(tx).await?;
    Ok(view(fresh))
}

/// Deletes a client (`restore = false`; it can be restored) or restores a
/// deleted one. Galleries made for the client keep it.
pub async fn set_deleted(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: ClientId,
    version: Option<i64>,
    restore: bool,
) -> CoreResult<ClientView> {
    let tx = core.db().begin().await?;
    let current = repo::client::find_any(&tx, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("client"))?;
    authorize(core, p)?;
    if restore != current.deleted_at.is_some() {
        return Err(CoreError::conflict(
            "invalid_state",
            if restore {
                "this client is not deleted"
            } else {
                "this client is already deleted"
            },
        ));
    }
    if restore && current.merged_into.is_some() {
        return Err(CoreError::conflict(
            "invalid_state",
            "this client was merged into another; undo the merge from that client instead",
        ));
    }
    if version.is_some_and(|v| v != current.version) {
        return Err(CoreError::stale(view(current)));
    }
    let now = core.now().as_micros();
    let am = client::ActiveModel {
        deleted_at: Set((!restore).then_some(now)),
        ..Default::default()
    };
    write::update::<client::Entity, _>(core, &tx, p.studio, id.uuid(), current.version, am, view)
        .await?;
    let event = if restore {
        "client.restored"
    } else {
        "client.deleted"
    };
    record(
        core,
        &tx,
        meta,
        p,
        id,
        event,
        serde_json::json!({ "name": current.name }),
    )
    .await?;
    let fresh = repo::client::find_any(&tx, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("client"))?;
    crate::commit(tx).await?;
    Ok(view(fresh))
}
