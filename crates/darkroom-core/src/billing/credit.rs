//! Credit notes: the only way an issued invoice is reduced or voided. A
//! credit note is numbered in its own series per branch and fiscal year;
//! its lines are the invoice's, in full or in proportion to the amount
//! credited, with the tax split the same way.

use darkroom_db::entity::{invoice, invoice_line};
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::audit::Severity;
use darkroom_domain::billing::numbering::Series;
use darkroom_domain::billing::{EntryKind, InvoiceStatus, LinePrice, Totals, lines, split};
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
                LinePrice {
                    quantity_milli: 1000,
                    unit_minor: share,
                    discount_minor: 0,
                    tax_rate_mp: l.tax_rate_mp,
                },
                inside,
            )
            .map_err(|e| CoreError::Internal(anyhow::anyhow!(e)))?
        };
        out.push((l.clone(), a));
    }
    Ok(out)
}

/// The numbered credit note's row for `parts` of invoice `m`.
fn note_row(
    m: &invoice::Model,
    totals: &Totals,
    whole: bool,
    (number, fy, seq): (String, String, i64),
    day: &str,
    reason: &str,
) -> invoice::ActiveModel {
    let mut am = super::totals_row(totals);
    am.branch_id = Set(m.branch_id);
    am.client_id = Set(m.client_id);
    am.project_id = Set(m.project_id);
    am.credit_note_of = Set(Some(m.id));
    am.kind = Set(m.kind);
    am.status = Set(InvoiceStatus::Issued);
    am.currency = Set(m.currency.clone());
    am.tax_regime = Set(m.tax_regime);
    am.prices_include_tax = Set(i64::from(!whole || m.prices_include_tax != 0));
    am.tax_exempt = Set(m.tax_exempt);
    am.supplier_state = Set(m.supplier_state.clone());
    am.place_of_supply = Set(m.place_of_supply.clone());
    am.number = Set(Some(number));
    am.fiscal_year = Set(Some(fy));
    am.seq = Set(Some(seq));
    am.issued_on = Set(Some(day.to_string()));
    am.due_on = Set(None);
    am.po_number = Set(m.po_number.clone());
    am.notes = Set(m
        .number
        .as_ref()
        .map(|n| format!("Credit note against invoice {n}")));
    am.reason = Set(Some(reason.to_string()));
    am.seller = Set(m.seller.clone());
    am.bill_to = Set(m.bill_to.clone());
    am
}

/// The credit note's lines: the invoice's, with the money credited.
async fn insert_lines(
    core: &Core,
    tx: &darkroom_db::Tx,
    note: &invoice::Model,
    parts: &[(invoice_line::Model, darkroom_domain::billing::LineAmounts)],
    whole: bool,
) -> CoreResult<()> {
    let studio = StudioId::from_uuid(note.studio_id);
    for (i, (l, a)) in parts.iter().enumerate() {
        let line_id = darkroom_domain::InvoiceLineId::new();
        let mut row = super::line::amounts_row(*a);
        row.id = Set(line_id.uuid());
        row.invoice_id = Set(note.id);
        row.position = Set(i64::try_from(i).unwrap_or(0));
        row.kind = Set(l.kind);
        row.fee_kind = Set(l.fee_kind);
        row.description = Set(l.description.clone());
        row.code = Set(l.code.clone());
        row.quantity_milli = Set(if whole { l.quantity_milli } else { 1000 });
        row.unit_minor = Set(if whole { l.unit_minor } else { a.gross_minor });
        row.tax_rate_mp = Set(l.tax_rate_mp);
        row.package_id = Set(l.package_id);
        write::insert::<invoice_line::Entity>(core, tx, studio, &line_id, row).await?;
    }
    Ok(())
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
    let whole = amount == m.total_minor;
    let parts = credit_lines(m, &originals, amount)?;
    let totals = Totals::of(parts.iter().map(|(_, a)| a));
    let day = super::issue::today_at(core, &b);
    let numbered = super::issue::take_number(tx, studio, &b, &s, Series::CreditNote, day).await?;
    let number = numbered.0.clone();
    let id = InvoiceId::new();
    let mut am = note_row(m, &totals, whole, numbered, &day.to_string(), reason);
    am.id = Set(id.uuid());
    am.issued_at = Set(Some(core.now().as_micros()));
    am.created_by = Set(Some(p.user.uuid()));
    let note = write::insert::<invoice::Entity>(core, tx, studio, &id, am).await?;
    insert_lines(core, tx, &note, &parts, whole).await?;
    let mut e = super::ledger_row(
        core,
        p,
        m,
        EntryKind::CreditNote,
        totals.total_minor,
        &day.to_string(),
    );
    e.document_id = Some(note.id);
    e.reference = Some(number.clone());
    e.note = Some(reason.to_string());
    repo::billing::append(tx, e).await?;
    let payload = serde_json::json!({
        "number": number, "invoice": m.number, "amount": totals.total_minor,
        "tax": totals.tax_minor, "currency": m.currency, "reason": reason,
    });
    record(
        core,
        tx,
        meta,
        p,
        &note,
        ("invoice.credited", Severity::High),
        payload,
    )
    .await?;
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
        return Err(CoreError::conflict(
            "invoice_draft",
            "a draft is changed or deleted, not credited",
        ));
    }
    if m.credit_note_of.is_some() {
        return Err(CoreError::conflict(
            "credit_note",
            "a credit note is not credited; issue a new invoice instead",
        ));
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
    let m = repo::billing::find(&tx, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("invoice"))?;
    let sums =
        repo::billing::Sums::of(&repo::billing::entries(&tx, p.studio, &[m.id], None).await?);
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
    credit_in(
        core,
        &tx,
        p,
        meta,
        &m,
        amount,
        reason.as_deref().unwrap_or(""),
    )
    .await?;
    let today = super::issue::today_at(core, &b).to_string();
    super::issue::settle(core, &tx, &m, &today).await?;
    crate::commit(tx).await?;
    detail(core, p, id).await
}
