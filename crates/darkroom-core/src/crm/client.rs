//! Clients: the people and organisations galleries are for. A minimal
//! record (name, email, phone, internal notes) until the CRM arrives; the
//! notes are for staff and never reach a client page.

use darkroom_db::entity::client;
use darkroom_db::repo;
use darkroom_db::sea_orm::Set;
use darkroom_domain::audit::Severity;
use darkroom_domain::crm::Tags;
use darkroom_domain::field::{ClientKindName, Line, OptEmail, Tag, Text};
use darkroom_domain::names::ClientKind;
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{ClientId, Timestamp, TypedId};
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::created::{self, Claim};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// A client as staff see it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ClientView {
    pub id: ClientId,
    /// `person` or `organisation`.
    pub kind: ClientKind,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Internal: never shown to the client.
    pub notes: Option<String>,
    /// The studio's labels for this client, normalised (lower case).
    pub tags: Vec<String>,
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
        notes: m.notes,
        tags: Tags::from_stored(&m.tags).as_slice().to_vec(),
        version: m.version,
        created_at: Timestamp::from_micros(m.created_at),
        updated_at: Timestamp::from_micros(m.updated_at),
        deleted_at: m.deleted_at.map(Timestamp::from_micros),
    }
}

/// A new client.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClient {
    pub id: Option<ClientId>,
    /// `person` (default) or `organisation`.
    pub kind: Option<ClientKindName>,
    pub name: Line<200>,
    /// `""` for none.
    pub email: Option<OptEmail>,
    pub phone: Option<Text<40>>,
    pub notes: Option<Text<5000>>,
    /// Labels to find the client by (`wedding`, `vip`); at most 20.
    #[schema(max_items = 20)]
    pub tags: Option<Vec<Tag>>,
}

/// The tags given for `field`, checked into `errs`.
fn check_tags(tags: &Option<Vec<Tag>>, errs: &mut FieldErrors) -> Option<Tags> {
    let raw = tags.as_ref()?;
    errs.check("tags", Tags::parse(raw))
}

/// Clients are studio-wide: anyone who may manage galleries somewhere may
/// see and add them (to pick a gallery's client).
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

pub async fn create(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    input: NewClient,
) -> CoreResult<(ClientView, bool)> {
    authorize(core, p)?;
    let mut errs = FieldErrors::new();
    let kind = match &input.kind {
        Some(k) => errs.check("kind", k.check()),
        None => Some(ClientKind::Person),
    }
    .unwrap_or(ClientKind::Person);
    let name = errs.check("name", input.name.check("the name"));
    let email = match &input.email {
        None => None,
        Some(e) => errs.check("email", e.check()).flatten(),
    };
    let phone = input
        .phone
        .as_ref()
        .and_then(|p| errs.check("phone", p.check("the phone number")))
        .flatten();
    let notes = input
        .notes
        .as_ref()
        .and_then(|n| errs.check("notes", n.check("the notes")))
        .flatten();
    let tags = check_tags(&input.tags, &mut errs).unwrap_or_default();
    errs.into_result()?;
    let tx = core.db().begin().await?;
    let id = input.id.unwrap_or_default();
    let now = core.now().as_micros();
    if input.id.is_some()
        && created::claim(&tx, p.studio, "client", id, &created::digest(&input), now).await?
            == Claim::Replay
    {
        let m = repo::client::find(&tx, p.studio, id)
            .await?
            .ok_or(CoreError::not_found("client"))?;
        return Ok((view(m), false));
    }
    let m = write::insert::<client::Entity>(
        core,
        &tx,
        p.studio,
        &id,
        client::ActiveModel {
            id: Set(id.uuid()),
            kind: Set(kind),
            name: Set(name.unwrap_or_default()),
            email: Set(email),
            phone: Set(phone),
            notes: Set(notes),
            tags: Set(tags.stored()),
            ..Default::default()
        },
    )
    .await?;
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: None,
            who: Who::of(p),
            event_type: "client.created",
            severity: Severity::Low,
            target_type: "client",
            target_id: id.to_string(),
            payload: serde_json::json!({ "name": m.name }),
        },
    )
    .await?;
    crate::commit(tx).await?;
    Ok((view(m), true))
}

/// Which clients to list.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ClientFilter {
    /// Part of the name or the email, or digits of the phone number.
    pub q: Option<Text<200>>,
    /// `true` lists the deleted clients (to restore one).
    pub deleted: Option<bool>,
    /// Only clients with this tag.
    pub tag: Option<Tag>,
}

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
    let query = repo::client::Query {
        search: q,
        tag: tag.as_deref(),
        deleted: f.deleted.unwrap_or(false),
        limit: 500,
    };
    Ok(repo::client::list(core.db().conn(), p.studio, &query)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// Changes to a client: only the fields sent change; `""` clears the email,
/// phone or notes.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientPatch {
    /// The version you read: a stale one gets 409 with the current client.
    pub version: i64,
    pub kind: Option<ClientKindName>,
    pub name: Option<Line<200>>,
    pub email: Option<OptEmail>,
    pub phone: Option<Text<40>>,
    pub notes: Option<Text<5000>>,
    /// The whole new list of tags (`[]` removes them all); at most 20.
    #[schema(max_items = 20)]
    pub tags: Option<Vec<Tag>>,
}

pub async fn update(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: ClientId,
    patch: ClientPatch,
) -> CoreResult<ClientView> {
    use darkroom_db::sea_orm::ActiveValue::Set;
    let tx = core.db().begin().await?;
    let current = repo::client::find(&tx, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("client"))?;
    authorize(core, p)?;
    let mut errs = FieldErrors::new();
    let mut am = client::ActiveModel::default();
    let mut changed = Vec::new();
    if let Some(k) = &patch.kind
        && let Some(k) = errs.check("kind", k.check())
    {
        changed.push("kind");
        am.kind = Set(k);
    }
    if let Some(n) = &patch.name
        && let Some(n) = errs.check("name", n.check("the name"))
    {
        changed.push("name");
        am.name = Set(n);
    }
    if let Some(e) = &patch.email
        && let Some(e) = errs.check("email", e.check())
    {
        changed.push("email");
        am.email = Set(e);
    }
    if let Some(ph) = &patch.phone
        && let Some(ph) = errs.check("phone", ph.check("the phone number"))
    {
        changed.push("phone");
        am.phone = Set(ph);
    }
    if let Some(n) = &patch.notes
        && let Some(n) = errs.check("notes", n.check("the notes"))
    {
        changed.push("notes");
        am.notes = Set(n);
    }
    if let Some(t) = check_tags(&patch.tags, &mut errs) {
        changed.push("tags");
        am.tags = Set(t.stored());
    }
    errs.into_result()?;
    if current.version != patch.version {
        return Err(CoreError::stale(view(current)));
    }
    write::update::<client::Entity, _>(core, &tx, p.studio, id.uuid(), patch.version, am, view)
        .await?;
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
    use darkroom_db::sea_orm::ActiveValue::Set;
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

async fn record(
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
