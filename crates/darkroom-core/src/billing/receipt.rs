//! Korea's cash receipts (현금영수증): a cash or transfer payment to a
//! branch billing Korea's VAT can carry the client's phone (income
//! deduction) or business number (proof of expense). The receipt is kept
//! pending until staff enter the tax office's approval number; pending ones
//! are listed and exported for filing.

use darkroom_db::entity::{cash_receipt, invoice, ledger_entry};
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::audit::Severity;
use darkroom_domain::billing::{
    PaymentMethod, ReceiptIdentity, ReceiptPurpose, ReceiptStatus, TaxRegime, kr_split,
};
use darkroom_domain::field::{
    Line, ReceiptIdentityName, ReceiptPurposeName, ReceiptStatusName, Text,
};
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{BranchId, ClientId, EntryId, InvoiceId, ReceiptId, Timestamp, TypedId};
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// A cash receipt asked for with a payment.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CashReceiptInput {
    /// `phone`, `business_number` or `card`.
    pub identity_kind: ReceiptIdentityName,
    /// The number as the client gives it (`010-1234-5678`).
    pub identity: Line<30>,
    /// `income_deduction` (a person; the default for a phone) or
    /// `expense_proof` (a business; the default for a business number).
    pub purpose: Option<ReceiptPurposeName>,
}

/// A cash receipt's issue recorded by staff.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CashReceiptChange {
    pub version: i64,
    /// `issued` (with `approval_number`) or `cancelled`.
    pub status: ReceiptStatusName,
    /// The tax office's approval number (승인번호).
    pub approval_number: Option<Text<40>>,
}

/// A cash receipt as staff see it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CashReceiptView {
    pub id: ReceiptId,
    pub invoice_id: InvoiceId,
    pub entry_id: EntryId,
    pub client_id: ClientId,
    pub branch_id: BranchId,
    pub purpose: ReceiptPurpose,
    pub identity_kind: ReceiptIdentity,
    /// Masked but for the last four digits.
    pub identity: String,
    pub amount_minor: i64,
    pub supply_minor: i64,
    pub vat_minor: i64,
    pub paid_on: String,
    pub status: ReceiptStatus,
    pub approval_number: Option<String>,
    pub issued_on: Option<String>,
    pub version: i64,
    pub created_at: Timestamp,
}

fn masked(s: &str) -> String {
    let keep = s.len().saturating_sub(4);
    format!("{}{}", "*".repeat(keep), s.get(keep..).unwrap_or(""))
}

pub(crate) fn view(m: cash_receipt::Model) -> CashReceiptView {
    CashReceiptView {
        id: ReceiptId::from_uuid(m.id),
        invoice_id: InvoiceId::from_uuid(m.invoice_id),
        entry_id: EntryId::from_uuid(m.entry_id),
        client_id: ClientId::from_uuid(m.client_id),
        branch_id: BranchId::from_uuid(m.branch_id),
        purpose: m.purpose,
        identity_kind: m.identity_kind,
        identity: masked(&m.identity),
        amount_minor: m.amount_minor,
        supply_minor: m.supply_minor,
        vat_minor: m.vat_minor,
        paid_on: m.paid_on,
        status: m.status,
        approval_number: m.approval_number,
        issued_on: m.issued_on,
        version: m.version,
        created_at: Timestamp::from_micros(m.created_at),
    }
}

/// Checks a receipt asked for with a payment by `method` on invoice `m`.
pub(crate) fn check(
    input: &CashReceiptInput,
    m: &invoice::Model,
    method: Option<PaymentMethod>,
    errs: &mut FieldErrors,
) -> Option<(ReceiptIdentity, String, ReceiptPurpose)> {
    if m.tax_regime != TaxRegime::VatKr {
        errs.add(
            "cash_receipt",
            "not_korea",
            "cash receipts (현금영수증) are for branches that bill Korea's VAT",
        );
        return None;
    }
    if method.is_some_and(|x| !x.takes_cash_receipt()) {
        errs.add(
            "cash_receipt",
            "not_cash",
            "a cash receipt is for cash and transfers, not card or credit payments",
        );
        return None;
    }
    let kind = errs.check("cash_receipt.identity_kind", input.identity_kind.check())?;
    let raw = errs.check("cash_receipt.identity", input.identity.check("the number"))?;
    let identity = errs.check("cash_receipt.identity", kind.check(&raw))?;
    let purpose = match &input.purpose {
        Some(p) => errs.check("cash_receipt.purpose", p.check())?,
        None if kind == ReceiptIdentity::BusinessNumber => ReceiptPurpose::ExpenseProof,
        None => ReceiptPurpose::IncomeDeduction,
    };
    Some((kind, identity, purpose))
}

/// Records the pending receipt of payment `e` inside `tx`.
pub(crate) async fn record(
    core: &Core,
    tx: &darkroom_db::Tx,
    e: &ledger_entry::Model,
    amount: i64,
    (kind, identity, purpose): (ReceiptIdentity, String, ReceiptPurpose),
) -> CoreResult<()> {
    let (supply, vat) = kr_split(amount);
    let id = ReceiptId::new();
    let am = cash_receipt::ActiveModel {
        id: Set(id.uuid()),
        branch_id: Set(e.branch_id),
        client_id: Set(e.client_id),
        invoice_id: Set(e.invoice_id.unwrap_or_default()),
        entry_id: Set(e.id),
        purpose: Set(purpose),
        identity_kind: Set(kind),
        identity: Set(identity),
        amount_minor: Set(amount),
        supply_minor: Set(supply),
        vat_minor: Set(vat),
        paid_on: Set(e.occurred_on.clone()),
        status: Set(ReceiptStatus::Pending),
        approval_number: Set(None),
        issued_on: Set(None),
        ..Default::default()
    };
    let studio = darkroom_domain::StudioId::from_uuid(e.studio_id);
    write::insert::<cash_receipt::Entity>(core, tx, studio, &id, am).await?;
    Ok(())
}

/// The studio's cash receipts (pending ones first to file).
pub async fn list(
    core: &Core,
    p: &Principal,
    status: Option<&ReceiptStatusName>,
) -> CoreResult<Vec<CashReceiptView>> {
    authorize(core, p)?;
    let status = match status {
        Some(s) => Some(s.check().map_err(|e| CoreError::invalid("status", e))?),
        None => None,
    };
    let rows = repo::billing::cash_receipts(core.db().conn(), p.studio, status, None, None).await?;
    Ok(rows.into_iter().map(view).collect())
}

fn authorize(core: &Core, p: &Principal) -> CoreResult<()> {
    if core
        .permissions_anywhere(p)
        .contains(&Permission::InvoiceView)
    {
        Ok(())
    } else {
        Err(CoreError::forbidden(
            "you need the `invoice.view` permission to see cash receipts; ask the studio owner",
        ))
    }
}

/// Records a receipt's issue (its approval number) or its cancellation.
pub async fn update(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: ReceiptId,
    input: CashReceiptChange,
) -> CoreResult<CashReceiptView> {
    let m = repo::billing::cash_receipt(core.db().conn(), p.studio, id.uuid())
        .await?
        .ok_or(CoreError::not_found("cash receipt"))?;
    core.authorize(
        p,
        Permission::PaymentRecord,
        darkroom_domain::authz::Target::branch(BranchId::from_uuid(m.branch_id)),
    )?;
    let mut errs = FieldErrors::new();
    let status = errs.check("status", input.status.check());
    let approval = input.approval_number.as_ref().and_then(|a| {
        errs.check("approval_number", a.check("the approval number"))
            .flatten()
    });
    if status == Some(ReceiptStatus::Issued) && approval.is_none() {
        errs.add(
            "approval_number",
            "required",
            "an issued cash receipt has the tax office's approval number (승인번호)",
        );
    }
    if status == Some(ReceiptStatus::Pending) {
        errs.add(
            "status",
            "not_allowed",
            "a receipt goes from pending to issued or cancelled",
        );
    }
    errs.into_result()?;
    let status = status.unwrap_or(ReceiptStatus::Pending);
    let today = darkroom_domain::booking::calendar::today(core.now(), "Asia/Seoul").to_string();
    let am = cash_receipt::ActiveModel {
        status: Set(status),
        approval_number: Set(approval.clone()),
        issued_on: Set((status == ReceiptStatus::Issued).then_some(today)),
        ..Default::default()
    };
    let tx = core.db().begin().await?;
    write::update::<cash_receipt::Entity, _>(core, &tx, p.studio, m.id, input.version, am, view)
        .await?;
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: Some(BranchId::from_uuid(m.branch_id)),
            who: Who::of(p),
            event_type: "cash_receipt.changed",
            severity: Severity::Medium,
            target_type: "cash_receipt",
            target_id: id.to_string(),
            payload: serde_json::json!({ "status": status, "approval_number": approval }),
        },
    )
    .await?;
    let fresh = repo::billing::cash_receipt(&tx, p.studio, id.uuid())
        .await?
        .ok_or(CoreError::not_found("cash receipt"))?;
    crate::commit(tx).await?;
    Ok(view(fresh))
}

/// The cash receipts of a range of payment days as CSV, for filing with
/// the tax office (full numbers: the filing needs them).
pub async fn receipts_csv(
    core: &Core,
    p: &Principal,
    r: &super::report::ReportRange,
) -> CoreResult<String> {
    authorize(core, p)?;
    let (from, to) = super::report::days(core, r)?;
    let rows =
        repo::billing::cash_receipts(core.db().conn(), p.studio, None, Some(&from), Some(&to))
            .await?;
    let rows = rows
        .into_iter()
        .filter(|m| r.branch_id.is_none_or(|b| b.uuid() == m.branch_id))
        .map(|m| {
            vec![
                m.paid_on.clone(),
                m.purpose.name().to_string(),
                m.identity_kind.name().to_string(),
                m.identity.clone(),
                m.amount_minor.to_string(),
                m.supply_minor.to_string(),
                m.vat_minor.to_string(),
                m.status.name().to_string(),
                m.approval_number.clone().unwrap_or_default(),
                m.issued_on.clone().unwrap_or_default(),
                ReceiptId::from_uuid(m.id).to_string(),
            ]
        })
        .collect();
    super::report::csv_of(
        &[
            "Paid on",
            "Purpose",
            "Identity kind",
            "Identity",
            "Amount (KRW)",
            "Supply value",
            "VAT",
            "Status",
            "Approval number",
            "Issued on",
            "Receipt",
        ],
        rows,
    )
}
