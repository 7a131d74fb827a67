//! Ending a contract: cancelled (a signed one refunds what its refund
//! schedule allows that day, each payment back the way it came, and
//! credits what is no longer owed), or completed.

use darkroom_db::entity::contract;
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::audit::Severity;
use darkroom_domain::billing::contract::ContractStatus;
use darkroom_domain::billing::{EntryKind, InvoiceKind, InvoiceStatus, PaymentMethod};
use darkroom_domain::field::{Amount, Line, PaymentMethodName};
use darkroom_domain::money::Currency;
use darkroom_domain::permission::Permission;
use darkroom_domain::{BranchId, ContractId, InvoiceId, TypedId};
use serde::{Deserialize, Serialize};

use super::schedule::{allowance, plain, set_problem};
use super::{ContractView, bare_view, load, record, staff};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// Cancelling a contract.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelInput {
    pub version: i64,
    /// Why (on the credit notes and in the audit log).
    pub reason: Line<500>,
    /// Give back what the refund schedule allows today, and credit what
    /// the client no longer owes (the default for a signed contract).
    pub refund: Option<bool>,
}

/// Marking a contract done.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionInput {
    pub version: i64,
}

/// Cancels a contract; a signed one refunds what the schedule allows.
pub async fn cancel(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: ContractId,
    input: CancelInput,
) -> CoreResult<ContractView> {
    let m = load(core, p, id, Permission::InvoiceManage).await?;
    if matches!(
        m.status,
        ContractStatus::Cancelled | ContractStatus::Completed
    ) {
        return Err(CoreError::conflict(
            "contract_ended",
            format!("the contract is {} already", m.status),
        ));
    }
    let reason = input
        .reason
        .check("the reason")
        .map_err(|e| CoreError::invalid("reason", e))?;
    let c = core.db().conn();
    let allowed = allowance(core, c, &m).await?;
    let refunding = m.status.is_binding() && input.refund != Some(false);
    if refunding
        && !core.can(
            p,
            Permission::PaymentRefund,
            darkroom_domain::authz::Target::branch(BranchId::from_uuid(m.branch_id)),
        )
    {
        return Err(CoreError::forbidden(
            "cancelling a signed contract refunds the client: it needs the permission to refund (payment.refund), or send `refund: false`",
        ));
    }
    let tx = core.db().begin().await?;
    let am = contract::ActiveModel {
        status: Set(ContractStatus::Cancelled),
        ended_at: Set(Some(core.now().as_micros())),
        cancel_reason: Set(Some(reason.clone())),
        ..Default::default()
    };
    write::update::<contract::Entity, _>(core, &tx, p.studio, m.id, input.version, am, bare_view)
        .await?;
    let payload = serde_json::json!({ "reason": reason, "was": m.status, "refund": allowed.as_ref().map(|a| a.allowed_minor) });
    record(
        core,
        &tx,
        meta,
        staff(p),
        &m,
        ("contract.cancelled", Severity::High),
        payload,
    )
    .await?;
    crate::commit(tx).await?;
    if m.status == ContractStatus::Draft
        && let Some(q) = m.quote_id
    {
        let _ = crate::billing::draft::delete(core, p, meta, InvoiceId::from_uuid(q), None).await;
    }
    if refunding {
        let left = allowed.map_or(0, |a| a.allowed_minor);
        if let Err(e) = settle_cancelled(core, p, meta, &m, left, &reason).await {
            set_problem(core, p, id, Some(format!("the contract is cancelled, but not all money was settled: {e}; finish it on the invoices"))).await?;
        }
    }
    super::detail(core, p, id).await
}

/// Refunds `left` across the contract's paid invoices (the deposit's
/// first), each by the way it was paid, then credits what is still owed.
async fn settle_cancelled(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    m: &contract::Model,
    mut left: i64,
    reason: &str,
) -> CoreResult<()> {
    let c = core.db().conn();
    let currency = Currency::parse(&m.currency).unwrap_or(Currency::USD);
    let mut invoices = repo::contract::invoices(c, p.studio, m.id).await?;
    invoices.sort_by_key(|i| i.kind != InvoiceKind::Deposit);
    for inv in &invoices {
        let entries = repo::billing::entries(c, p.studio, &[inv.id], None).await?;
        let sums = repo::billing::Sums::of(&entries);
        let refundable = sums.paid - sums.refunded;
        let take = left.min(refundable);
        if take > 0 {
            let method = entries
                .iter()
                .rev()
                .find(|e| e.kind == EntryKind::Payment)
                .and_then(|e| e.method)
                .filter(|m| *m != PaymentMethod::Credit)
                .unwrap_or(PaymentMethod::Cash);
            crate::billing::payment::refund(
                core,
                p,
                meta,
                InvoiceId::from_uuid(inv.id),
                crate::billing::payment::RefundInput {
                    id: None,
                    amount: Amount(plain(currency, take)),
                    method: PaymentMethodName(method.to_string()),
                    reason: Line(format!(
                        "Cancelled ({}): {reason}",
                        m.number.as_deref().unwrap_or("")
                    )),
                    reference: None,
                    credit: Some(true),
                },
            )
            .await?;
            left -= take;
        }
    }
    for inv in &invoices {
        let sums =
            repo::billing::Sums::of(&repo::billing::entries(c, p.studio, &[inv.id], None).await?);
        let owed = sums.owed();
        if owed > 0 && inv.status != InvoiceStatus::Draft {
            crate::billing::credit::credit_note(
                core,
                p,
                meta,
                InvoiceId::from_uuid(inv.id),
                crate::billing::credit::CreditNoteInput {
                    amount: Some(Amount(plain(currency, owed))),
                    reason: Line(format!(
                        "Contract {} cancelled: {reason}",
                        m.number.as_deref().unwrap_or("")
                    )),
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// Marks a signed contract completed (the work is done).
pub async fn complete(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: ContractId,
    input: VersionInput,
) -> CoreResult<ContractView> {
    let m = load(core, p, id, Permission::InvoiceManage).await?;
    if !m.status.is_binding() {
        return Err(CoreError::conflict(
            "not_signed",
            format!(
                "a {} contract cannot be completed; only a signed or active one",
                m.status
            ),
        ));
    }
    let tx = core.db().begin().await?;
    let am = contract::ActiveModel {
        status: Set(ContractStatus::Completed),
        ended_at: Set(Some(core.now().as_micros())),
        ..Default::default()
    };
    write::update::<contract::Entity, _>(core, &tx, p.studio, m.id, input.version, am, bare_view)
        .await?;
    record(
        core,
        &tx,
        meta,
        staff(p),
        &m,
        ("contract.completed", Severity::Medium),
        serde_json::json!({}),
    )
    .await?;
    crate::commit(tx).await?;
    super::detail(core, p, id).await
}
