//! Credit notes: the only way an issued invoice is reduced or voided. A
//! credit note is numbered in its own series per branch and fiscal year;
//! its lines are the invoice's, in full or in proportion to the amount
//! credited, with the tax split the same way.

use darkroom_db::entity::{invoice, invoice_line, ledger_entry};
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::audit::Severity;
use darkroom_domain::billing::numbering::Series;
use darkroom_domain::billing::{EntryKind, InvoiceStatus, LineKind, LinePrice, Totals, lines, split};
use darkroom_domain::field::{Amount, Line};
use darkroom_domain::money::Currency;
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{BranchId, InvoiceId, StudioId, TypedId};
use serde::{Deserialize, Serialize};

use super::profile::branch_settings;
use super::{InvoiceDetail, detail, money, record};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// A credit note against an issued invoice.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditNoteInput {
    /// What to credit, tax included; all that is not credited yet when
    /// left out (which voids an unpaid invoice).
    pub amount: Option<Amount>,
    /// Why (printed on the credit note).
    pub reason: Line<500>,
}

/// The lines of a credit note for `amount` of invoice `m`: a copy of its
/// lines when all of it is credited at once, else each line's share of
/// `amount` (by its total), taxed at its rate with the tax inside.
fn credit_lines(
    m: &invoice::Model,
    originals: &[invoice_line::Model],
    amount: i64,
) -> CoreResult<Vec<(invoice_line::Model, darkroom_domain::billing::LineAmounts)>> {
    let whole = amount == m.total_minor;
    let mode = super::draft::mode_of(m);
    let weights: Vec<i64> = originals.iter().map(|l| l.total_minor).collect();
    let shares = split::by_weight(amount, &weights);
    let mut out = Vec::new();
    for (l, share) in originals.iter().zip(shares) {
        if share == 0 {
            continue;
        }
        let a = if whole {
            super::line_view(l.clone()).amounts
        } else {
            let mut inside = mode;
            inside.inclusive = true;
            lines::line(
                LinePrice { quantity_milli: 1000, unit_minor: share, discount_minor: 0, tax_rate_mp: l.tax_rate_mp },
                inside,
            )
            .map_err(|e| CoreError::Internal(anyhow::anyhow!(e)))?
        };
        out.push((l.clone(), a));
    }
    Ok(out)
}

/// Issues a credit note for `amount` of issued invoice `m` inside `tx`,
/// with its ledger entry; gives the credit note.
pub(crate) async fn credit_in(
    core: &Core,
    tx: &darkroom_db::Tx,
    p: &Principal,
    meta: &Meta,
    m: &invoice::Model,
    amount: i64,
    reason: &str,
) -> CoreResult<invoice::Model> {
    let studio = StudioId::from_uuid(m.studio_id);
    let (b, s) = branch_settings(tx, studio, BranchId::from_uuid(m.branch_id))
        .await?
        .ok_or(CoreError::not_found("branch"))?;
    let originals = repo::billing::lines(tx, studio, m.id).await?;
    let parts = credit_lines(m, &originals, amount)?;
    let totals = Totals::of(parts.iter().map(|(_, a)| a));
    let day = super::issue::today_at(core, &b);
    let (number, fy, seq) = super::issue::take_number(tx, studio, &b, &s, Series::CreditNote, day).await?;
    let id = InvoiceId::new();
    let am = invoice::ActiveModel {
        id: Set(id.uuid()),
        branch_id: Set(m.branch_id),
        client_id: Set(m.client_id),
        project_id: Set(m.project_id),
        credit_note_of: Set(Some(m.id)),
        kind: Set(m.kind),
        status: Set(InvoiceStatus::Issued),
        currency: Set(m.currency.clone()),
        tax_regime: Set(m.tax_regime),
        prices_include_tax: Set(i64::from(amount != m.total_minor || m.prices_include_tax != 0)),
        tax_exempt: Set(m.tax_exempt),
        supplier_state: Set(m.supplier_state.clone()),
        place_of_supply: Set(m.place_of_supply.clone()),
        number: Set(Some(number.clone())),
        fiscal_year: Set(Some(fy)),
        seq: Set(Some(seq)),
        issued_on: Set(Some(day.to_string())),
        due_on: Set(None),
        issued_at: Set(Some(core.now().as_micros())),
        po_number: Set(m.po_number.clone()),
        notes: Set(m.number.as_ref().map(|n| format!("Credit note against invoice {n}"))),
        reason: Set(Some(reason.to_string())),
        seller: Set(m.seller.clone()),
        bill_to: Set(m.bill_to.clone()),
        gross_minor: Set(totals.gross_minor),
        discount_minor: Set(totals.discount_minor),
        net_minor: Set(totals.net_minor),
        cgst_minor: Set(totals.cgst_minor),
        sgst_minor: Set(totals.sgst_minor),
        igst_minor: Set(totals.igst_minor),
        vat_minor: Set(totals.vat_minor),
        total_minor: Set(totals.total_minor),
        created_by: Set(Some(p.user.uuid())),
        ..Default::default()
    };
    let note = write::insert::<invoice::Entity>(core, tx, studio, &id, am).await?;
    for (i, (l, a)) in parts.iter().enumerate() {
        let line_id = darkroom_domain::InvoiceLineId::new();
        let mut row = super::line::amounts_row(*a);
        row.id = Set(line_id.uuid());
        row.invoice_id = Set(note.id);
        row.position = Set(i64::try_from(i).unwrap_or(0));
        row.kind = Set(if l.kind == LineKind::Discount { LineKind::Discount } else { l.kind });
        row.fee_kind = Set(l.fee_kind);
        row.description = Set(l.description.clone());
        row.code = Set(l.code.clone());
        row.quantity_milli = Set(if amount == m.total_minor { l.quantity_milli } else { 1000 });
        row.unit_minor = Set(if amount == m.total_minor { l.unit_minor } else { a.gross_minor });
        row.tax_rate_mp = Set(l.tax_rate_mp);
        row.package_id = Set(l.package_id);
        write::insert::<invoice_line::Entity>(core, tx, studio, &line_id, row).await?;
    }
    repo::billing::append(
        tx,
        ledger_entry::Model {
            id: uuid::Uuid::now_v7(),
            studio_id: studio.uuid(),
            branch_id: m.branch_id,
            client_id: m.client_id,
            invoice_id: Some(m.id),
            document_id: Some(note.id),
            kind: EntryKind::CreditNote,
            method: None,
            amount_minor: totals.total_minor,
            currency: m.currency.clone(),
            occurred_on: day.to_string(),
            reference: Some(number.clone()),
            note: Some(reason.to_string()),
            external_id: None,
            recorded_by: Some(p.user.uuid()),
            created_at: core.now().as_micros(),
        },
    )
    .await?;
    let payload = serde_json::json!({
        "number": number, "invoice": m.number, "amount": totals.total_minor,
        "tax": totals.tax_minor, "currency": m.currency, "reason": reason,
    });
    record(core, tx, meta, p, &note, "invoice.credited", Severity::High, payload).await?;
    Ok(note)
}

/// Issues a credit note against an invoice.
pub async fn credit_note(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: InvoiceId,
    input: CreditNoteInput,
) -> CoreResult<InvoiceDetail> {
    let m = super::load(core, p, id, Permission::InvoiceManage).await?;
    if m.status == InvoiceStatus::Draft {
        return Err(CoreError::conflict("invoice_draft", "a draft is changed or deleted, not credited"));
    }
    if m.credit_note_of.is_some() {
        return Err(CoreError::conflict("credit_note", "a credit note is not credited; issue a new invoice instead"));
    }
    let mut errs = FieldErrors::new();
    let reason = errs.check("reason", input.reason.check("the reason"));
    let currency = Currency::parse(&m.currency).map_err(|e| CoreError::invalid("amount", e))?;
    let asked = match &input.amount {
        Some(a) => errs.check("amount", a.check().and_then(|a| currency.parse_amount(&a))),
        None => None,
    };
    errs.into_result()?;
    let tx = core.db().begin().await?;
    let m = repo::billing::find(&tx, p.studio, id).await?.ok_or(CoreError::not_found("invoice"))?;
    let sums = repo::billing::Sums::of(&repo::billing::entries(&tx, p.studio, &[m.id], None).await?);
    let left = m.total_minor - sums.credited;
    let amount = asked.unwrap_or(left);
    if amount <= 0 || amount > left {
        return Err(CoreError::invalid(
            "amount",
            format!(
                "credit between 0 and what is not credited yet ({}); invoice {} is {} with {} credited",
                money(&m.currency, left),
                m.number.as_deref().unwrap_or(""),
                money(&m.currency, m.total_minor),
                money(&m.currency, sums.credited)
            ),
        ));
    }
    let (b, _) = branch_settings(&tx, p.studio, BranchId::from_uuid(m.branch_id))
        .await?
        .ok_or(CoreError::not_found("branch"))?;
    credit_in(core, &tx, p, meta, &m, amount, reason.as_deref().unwrap_or("")).await?;
    let today = super::issue::today_at(core, &b).to_string();
    super::issue::settle(core, &tx, &m, &today).await?;
    crate::commit(tx).await?;
    detail(core, p, id).await
}
