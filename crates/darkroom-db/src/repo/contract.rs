//! Contracts' rows (decision 0034): templates, contracts, their signers.

use darkroom_domain::billing::contract::ContractStatus;
use darkroom_domain::{ContractId, SignerId, StudioId, TemplateId, TypedId};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::DbResult;
use crate::entity::{contract, contract_signer, contract_template, invoice};

/// A live template of the studio.
pub async fn template(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: TemplateId,
) -> DbResult<Option<contract_template::Model>> {
    Ok(contract_template::Entity::find_by_id(id.uuid())
        .filter(contract_template::Column::StudioId.eq(studio))
        .filter(contract_template::Column::DeletedAt.is_null())
        .one(c)
        .await?)
}

/// The studio's live templates by name.
pub async fn templates(
    c: &impl ConnectionTrait,
    studio: StudioId,
) -> DbResult<Vec<contract_template::Model>> {
    Ok(contract_template::Entity::find()
        .filter(contract_template::Column::StudioId.eq(studio))
        .filter(contract_template::Column::DeletedAt.is_null())
        .order_by_asc(contract_template::Column::Name)
        .all(c)
        .await?)
}

/// A contract of the studio.
pub async fn find(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: ContractId,
) -> DbResult<Option<contract::Model>> {
    Ok(contract::Entity::find_by_id(id.uuid())
        .filter(contract::Column::StudioId.eq(studio))
        .one(c)
        .await?)
}

/// What to list contracts by.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub client: Option<Uuid>,
    pub project: Option<Uuid>,
    pub status: Option<ContractStatus>,
    /// Only those sent (what a client may see).
    pub sent: bool,
}

/// The studio's contracts, newest first, at most `limit`.
pub async fn list(
    c: &impl ConnectionTrait,
    studio: StudioId,
    f: &Filter,
    limit: u64,
) -> DbResult<Vec<contract::Model>> {
    let mut q = contract::Entity::find().filter(contract::Column::StudioId.eq(studio));
    if let Some(x) = f.client {
        q = q.filter(contract::Column::ClientId.eq(x));
    }
    if let Some(x) = f.project {
        q = q.filter(contract::Column::ProjectId.eq(x));
    }
    if let Some(x) = f.status {
        q = q.filter(contract::Column::Status.eq(x));
    }
    if f.sent {
        q = q.filter(contract::Column::SentAt.is_not_null());
    }
    Ok(q.order_by_desc(contract::Column::Id)
        .limit(limit)
        .all(c)
        .await?)
}

/// A contract's signers in signing order.
pub async fn signers(
    c: &impl ConnectionTrait,
    studio: StudioId,
    contract: Uuid,
) -> DbResult<Vec<contract_signer::Model>> {
    Ok(contract_signer::Entity::find()
        .filter(contract_signer::Column::StudioId.eq(studio))
        .filter(contract_signer::Column::ContractId.eq(contract))
        .order_by_asc(contract_signer::Column::Position)
        .all(c)
        .await?)
}

/// A signer by their link's token hash (any studio: the link is the key).
pub async fn signer_by_token(
    c: &impl ConnectionTrait,
    token_hash: &str,
) -> DbResult<Option<contract_signer::Model>> {
    Ok(contract_signer::Entity::find()
        .filter(contract_signer::Column::TokenHash.eq(token_hash))
        .one(c)
        .await?)
}

/// One signer of the studio.
pub async fn signer(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: SignerId,
) -> DbResult<Option<contract_signer::Model>> {
    Ok(contract_signer::Entity::find_by_id(id.uuid())
        .filter(contract_signer::Column::StudioId.eq(studio))
        .one(c)
        .await?)
}

/// The live invoices a contract's schedule issued.
pub async fn invoices(
    c: &impl ConnectionTrait,
    studio: StudioId,
    contract: Uuid,
) -> DbResult<Vec<invoice::Model>> {
    Ok(invoice::Entity::find()
        .filter(invoice::Column::StudioId.eq(studio))
        .filter(invoice::Column::ContractId.eq(contract))
        .filter(invoice::Column::DeletedAt.is_null())
        .order_by_asc(invoice::Column::Id)
        .all(c)
        .await?)
}

/// Every contract with a signed PDF, in all studios (for `audit verify`),
/// after `after` (an id) in id order, at most `limit`.
pub async fn signed_after(
    c: &impl ConnectionTrait,
    after: Option<Uuid>,
    limit: u64,
) -> DbResult<Vec<contract::Model>> {
    let mut q = contract::Entity::find().filter(contract::Column::SignedPdfSha256.is_not_null());
    if let Some(a) = after {
        q = q.filter(contract::Column::Id.gt(a));
    }
    Ok(q.order_by_asc(contract::Column::Id)
        .limit(limit)
        .all(c)
        .await?)
}

/// The audit entries recording that a contract was signed.
pub async fn signed_events(
    c: &impl ConnectionTrait,
    studio: Uuid,
    target: &str,
) -> DbResult<Vec<crate::entity::audit_entry::Model>> {
    use crate::entity::audit_entry;
    Ok(audit_entry::Entity::find()
        .filter(audit_entry::Column::StudioId.eq(studio))
        .filter(audit_entry::Column::EventType.eq("contract.signed"))
        .filter(audit_entry::Column::TargetId.eq(target))
        .order_by_asc(audit_entry::Column::Seq)
        .all(c)
        .await?)
}
