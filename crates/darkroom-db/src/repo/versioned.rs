//! The one versioned write of a studio's row (optimistic locking).
//!
//! Every mutable row carries `version`: a change names the version it was
//! made against, and lands only if the row still has it. [`update`] is that
//! compare-and-set for every table that implements [`Versioned`], and
//! [`insert`] its first write; the core's
//! `kernel::write` wraps it with the stale answer (409 with the current
//! state), the clock and the audit entry.

use darkroom_domain::StudioId;
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait,
    IntoActiveModel, QueryFilter, Value,
};
use uuid::Uuid;

use crate::DbResult;
use crate::entity::{
    availability_block, billing_profile, booking, branch, calendar_import, cash_receipt, client,
    client_address, client_contact, client_document, contract, contract_signer, contract_template,
    deliverable, editing_task, gallery, gallery_set, invoice, invoice_line, lead, lead_task,
    membership, package, payment_account, pipeline_stage, portal_link, project, project_milestone,
    resource, role, session_type, studio,
};

/// A table whose rows belong to one studio and carry a version.
pub trait Versioned: EntityTrait {
    /// What a row is, for "not found" messages (`branch`).
    const WHAT: &'static str;
    /// The row's key within its studio.
    fn key() -> Self::Column;
    /// The owning studio (for the studios table, its own id).
    fn owner() -> Self::Column;
    fn version() -> Self::Column;
    fn created_at() -> Self::Column;
    fn updated_at() -> Self::Column;
}

macro_rules! versioned {
    ($($m:ident $what:literal: $key:ident, $owner:ident;)*) => {$(
        impl Versioned for $m::Entity {
            const WHAT: &'static str = $what;
            fn key() -> $m::Column {
                $m::Column::$key
            }
            fn owner() -> $m::Column {
                $m::Column::$owner
            }
            fn version() -> $m::Column {
                $m::Column::Version
            }
            fn created_at() -> $m::Column {
                $m::Column::CreatedAt
            }
            fn updated_at() -> $m::Column {
                $m::Column::UpdatedAt
            }
        }
    )*};
}

versioned! {
    studio "studio": Id, Id;
    branch "branch": Id, StudioId;
    role "role": Id, StudioId;
    membership "staff account": UserId, StudioId;
    client "client": Id, StudioId;
    client_contact "contact": Id, StudioId;
    client_address "address": Id, StudioId;
    gallery "gallery": Id, StudioId;
    gallery_set "set": Id, StudioId;
    editing_task "task": Id, StudioId;
    deliverable "deliverable": Id, StudioId;
    resource "resource": Id, StudioId;
    booking "booking": Id, StudioId;
    session_type "session type": Id, StudioId;
    availability_block "block": Id, StudioId;
    pipeline_stage "stage": Id, StudioId;
    lead "lead": Id, StudioId;
    lead_task "task": Id, StudioId;
    project "project": Id, StudioId;
    portal_link "portal link": Id, StudioId;
    package "package": Id, StudioId;
    client_document "document": Id, StudioId;
    calendar_import "calendar import": Id, StudioId;
    billing_profile "billing profile": Id, StudioId;
    invoice "invoice": Id, StudioId;
    invoice_line "invoice line": Id, StudioId;
    cash_receipt "cash receipt": Id, StudioId;
    payment_account "payment account": Id, StudioId;
    project_milestone "milestone": Id, StudioId;
    contract_template "contract template": Id, StudioId;
    contract "contract": Id, StudioId;
    contract_signer "signer": Id, StudioId;
}

/// Inserts `row` as a new row of `studio`: its owner, version 1, and `now`
/// as both `created_at` and `updated_at` are set here, not by the caller.
pub async fn insert<E>(
    c: &impl ConnectionTrait,
    studio: StudioId,
    now: i64,
    mut row: E::ActiveModel,
) -> DbResult<E::Model>
where
    E: Versioned,
    E::Model: IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
{
    row.set(E::owner(), Value::from(studio));
    row.set(E::version(), Value::from(1_i64));
    row.set(E::created_at(), Value::from(now));
    row.set(E::updated_at(), Value::from(now));
    Ok(row.insert(c).await?)
}

/// Writes `changes`, the next version and `now` as `updated_at` to the row
/// `key` of `studio` if its stored version is still `expected` (live or
/// deleted rows alike, so a restore is versioned too). Returns whether the
/// row was written; `false` means it is missing or someone changed it first.
pub async fn update<E>(
    c: &impl ConnectionTrait,
    studio: StudioId,
    key: Uuid,
    expected: i64,
    now: i64,
    mut changes: E::ActiveModel,
) -> DbResult<bool>
where
    E: Versioned,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    // No stored row is at the largest version, so a caller sending it only
    // misses (and must not overflow the addition).
    changes.set(E::version(), Value::from(expected.saturating_add(1)));
    changes.set(E::updated_at(), Value::from(now));
    let res = E::update_many()
        .set(changes)
        .filter(E::key().eq(key))
        .filter(E::owner().eq(studio))
        .filter(E::version().eq(expected))
        .exec(c)
        .await?;
    Ok(res.rows_affected == 1)
}

/// The row `key` of `studio`, live or deleted.
pub async fn find<E: Versioned>(
    c: &impl ConnectionTrait,
    studio: StudioId,
    key: Uuid,
) -> DbResult<Option<E::Model>> {
    Ok(E::find()
        .filter(E::key().eq(key))
        .filter(E::owner().eq(studio))
        .one(c)
        .await?)
}
