//! Billing (decision 0032): invoices and credit notes numbered per branch
//! and fiscal year, their lines taxed under the branch's regime, and the
//! append-only ledger every balance is summed from: charges, payments,
//! overpayments held as credit, credit notes and refunds.

use darkroom_db::entity::{invoice, invoice_line, ledger_entry};
use darkroom_db::repo;
use darkroom_db::sea_orm::ConnectionTrait;
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::Target;
use darkroom_domain::billing::{
    EntryKind, FeeKind, InvoiceKind, InvoiceStatus, LineKind, PaymentMethod, TaxRegime, Totals,
};
use darkroom_domain::money::Currency;
use darkroom_domain::permission::Permission;
use darkroom_domain::{
    BranchId, ClientId, EntryId, InvoiceId, InvoiceLineId, ProjectId, StudioId, Timestamp, TypedId,
    UserId,
};
use serde::Serialize;

use crate::crm::interface::BillingParty;
use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::{Core, Meta, Principal};

pub mod contract;
pub mod credit;
pub mod draft;
pub(crate) mod extras;
pub mod interface;
pub mod issue;
pub mod line;
pub mod list;
pub mod overdue;
pub mod payment;
pub mod pdf;
pub mod profile;
pub mod receipt;
pub mod receipt_pdf;
pub mod remind;
pub mod report;
pub mod stripe;

pub(crate) fn register(r: &mut crate::kernel::registry::Registry) {
    r.chore("overdue invoices", overdue::overdue_chore);
    r.chore("payment reminders", remind::remind_chore);
}

/// The seller as an invoice printed it at issue.
#[derive(Clone, Debug, Default, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Seller {
    pub studio: String,
    pub branch: String,
    pub address: Vec<String>,
    pub tax_id_kind: Option<String>,
    pub tax_id: Option<String>,
    /// GST: the state the branch is registered in.
    pub state: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub payment_instructions: Option<String>,
    pub footer: Option<String>,
}

/// An invoice or credit note as staff see it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct InvoiceView {
    pub id: InvoiceId,
    /// `BLR-2026-27/000123`; none while a draft.
    pub number: Option<String>,
    pub kind: InvoiceKind,
    pub status: InvoiceStatus,
    /// Set on a credit note: the invoice it credits.
    pub credit_note_of: Option<InvoiceId>,
    /// The contract whose payment schedule issued it.
    pub contract_id: Option<darkroom_domain::ContractId>,
    pub branch_id: BranchId,
    pub client_id: ClientId,
    pub client_name: Option<String>,
    pub project_id: Option<ProjectId>,
    pub currency: String,
    pub tax_regime: TaxRegime,
    /// Line prices include the tax.
    pub prices_include_tax: bool,
    pub tax_exempt: bool,
    /// GST: the branch's state code.
    pub supplier_state: Option<String>,
    /// GST: the place of supply (state code).
    pub place_of_supply: Option<String>,
    pub fiscal_year: Option<String>,
    /// `YYYY-MM-DD`.
    pub issued_on: Option<String>,
    pub due_on: Option<String>,
    pub po_number: Option<String>,
    pub notes: Option<String>,
    /// A credit note's reason.
    pub reason: Option<String>,
    pub seller: Option<Seller>,
    pub bill_to: Option<BillingParty>,
    pub totals: Totals,
    /// From the ledger: paid less refunded.
    pub paid_minor: i64,
    /// From the ledger: credit notes against it.
    pub credited_minor: i64,
    pub refunded_minor: i64,
    /// What the client still owes (negative: the studio owes them).
    pub owed_minor: i64,
    /// `total` and `owed` as people read them (`INR 1,180.00`).
    pub total: String,
    pub owed: String,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A line as staff see it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LineView {
    pub id: InvoiceLineId,
    pub position: i64,
    pub kind: LineKind,
    pub fee_kind: Option<FeeKind>,
    pub description: String,
    /// SAC or HSN code.
    pub code: Option<String>,
    /// As typed: `1`, `42.5`.
    pub quantity: String,
    pub quantity_milli: i64,
    pub unit_minor: i64,
    /// Thousandths of a percent (`18000` = 18%).
    pub tax_rate_mp: i64,
    /// As read: `18`.
    pub tax_rate: String,
    pub amounts: darkroom_domain::billing::LineAmounts,
    pub package_id: Option<darkroom_domain::PackageId>,
    pub version: i64,
}

/// A ledger entry as staff see it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct EntryView {
    pub id: EntryId,
    pub kind: EntryKind,
    pub method: Option<PaymentMethod>,
    pub invoice_id: Option<InvoiceId>,
    /// The credit note a `credit_note` entry is.
    pub credit_note_id: Option<InvoiceId>,
    pub client_id: ClientId,
    pub amount_minor: i64,
    pub amount: String,
    pub currency: String,
    pub occurred_on: String,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub created_at: Timestamp,
}

/// An invoice with its lines, its ledger and its credit notes.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct InvoiceDetail {
    pub invoice: InvoiceView,
    pub lines: Vec<LineView>,
    pub entries: Vec<EntryView>,
    pub credit_notes: Vec<InvoiceView>,
    /// The client's credit (overpayments not yet used).
    pub client_credit_minor: i64,
}

pub(crate) fn money(currency: &str, minor: i64) -> String {
    Currency::parse(currency)
        .map_or_else(|_| format!("{currency} {minor}"), |c| c.format_minor(minor))
}

pub(crate) fn totals_of(m: &invoice::Model) -> Totals {
    Totals {
        gross_minor: m.gross_minor,
        discount_minor: m.discount_minor,
        net_minor: m.net_minor,
        cgst_minor: m.cgst_minor,
        sgst_minor: m.sgst_minor,
        igst_minor: m.igst_minor,
        vat_minor: m.vat_minor,
        tax_minor: m.cgst_minor + m.sgst_minor + m.igst_minor + m.vat_minor,
        total_minor: m.total_minor,
    }
}

pub(crate) fn view(
    m: invoice::Model,
    sums: repo::billing::Sums,
    client_name: Option<String>,
) -> InvoiceView {
    let totals = totals_of(&m);
    let paid = sums.paid - sums.refunded;
    let owed = if m.credit_note_of.is_some() || m.status == InvoiceStatus::Draft {
        0
    } else {
        sums.owed()
    };
    InvoiceView {
        id: InvoiceId::from_uuid(m.id),
        number: m.number,
        kind: m.kind,
        status: m.status,
        credit_note_of: m.credit_note_of.map(InvoiceId::from_uuid),
        contract_id: m.contract_id.map(darkroom_domain::ContractId::from_uuid),
        branch_id: BranchId::from_uuid(m.branch_id),
        client_id: ClientId::from_uuid(m.client_id),
        client_name,
        project_id: m.project_id.map(ProjectId::from_uuid),
        prices_include_tax: m.prices_include_tax != 0,
        tax_exempt: m.tax_exempt != 0,
        supplier_state: m.supplier_state,
        place_of_supply: m.place_of_supply,
        fiscal_year: m.fiscal_year,
        issued_on: m.issued_on,
        due_on: m.due_on,
        po_number: m.po_number,
        notes: m.notes,
        reason: m.reason,
        seller: m
            .seller
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok()),
        bill_to: m
            .bill_to
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok()),
        total: money(&m.currency, totals.total_minor),
        owed: money(&m.currency, owed),
        totals,
        paid_minor: paid,
        credited_minor: sums.credited,
        refunded_minor: sums.refunded,
        owed_minor: owed,
        currency: m.currency,
        tax_regime: m.tax_regime,
        version: m.version,
        created_at: Timestamp::from_micros(m.created_at),
        updated_at: Timestamp::from_micros(m.updated_at),
    }
}

pub(crate) fn line_view(l: invoice_line::Model) -> LineView {
    LineView {
        id: InvoiceLineId::from_uuid(l.id),
        position: l.position,
        kind: l.kind,
        fee_kind: l.fee_kind,
        description: l.description,
        code: l.code,
        quantity: darkroom_domain::billing::quantity::fmt_thousandths(l.quantity_milli),
        quantity_milli: l.quantity_milli,
        unit_minor: l.unit_minor,
        tax_rate_mp: l.tax_rate_mp,
        tax_rate: darkroom_domain::billing::lines::fmt_rate(l.tax_rate_mp),
        amounts: darkroom_domain::billing::LineAmounts {
            gross_minor: l.gross_minor,
            discount_minor: l.discount_minor,
            net_minor: l.net_minor,
            cgst_minor: l.cgst_minor,
            sgst_minor: l.sgst_minor,
            igst_minor: l.igst_minor,
            vat_minor: l.vat_minor,
            total_minor: l.total_minor,
        },
        package_id: l.package_id.map(darkroom_domain::PackageId::from_uuid),
        version: l.version,
    }
}

pub(crate) fn entry_view(e: ledger_entry::Model) -> EntryView {
    EntryView {
        id: EntryId::from_uuid(e.id),
        kind: e.kind,
        method: e.method,
        invoice_id: e.invoice_id.map(InvoiceId::from_uuid),
        credit_note_id: e.document_id.map(InvoiceId::from_uuid),
        client_id: ClientId::from_uuid(e.client_id),
        amount: money(&e.currency, e.amount_minor),
        amount_minor: e.amount_minor,
        currency: e.currency,
        occurred_on: e.occurred_on,
        reference: e.reference,
        note: e.note,
        created_at: Timestamp::from_micros(e.created_at),
    }
}

/// A live invoice of the principal's studio that `p` may `action` on (404
/// for another studio's, 403 for a branch they do not bill for).
pub(crate) async fn load(
    core: &Core,
    p: &Principal,
    id: InvoiceId,
    action: Permission,
) -> CoreResult<invoice::Model> {
    let m = repo::billing::find(core.db().conn(), p.studio, id)
        .await?
        .ok_or(CoreError::not_found("invoice"))?;
    core.authorize(p, action, Target::branch(BranchId::from_uuid(m.branch_id)))?;
    Ok(m)
}

/// The view of one stored invoice, with its ledger sums and client's name.
pub(crate) async fn view_of(
    c: &impl ConnectionTrait,
    m: invoice::Model,
) -> CoreResult<InvoiceView> {
    let studio = StudioId::from_uuid(m.studio_id);
    let entries = repo::billing::entries(c, studio, &[m.id], None).await?;
    let names = crate::crm::interface::client_names(c, studio, &[m.client_id]).await?;
    let name = names.into_iter().next().map(|(_, n)| n);
    Ok(view(m, repo::billing::Sums::of(&entries), name))
}

/// An invoice whole: lines, ledger, credit notes and the client's credit.
pub async fn detail(core: &Core, p: &Principal, id: InvoiceId) -> CoreResult<InvoiceDetail> {
    let m = load(core, p, id, Permission::InvoiceView).await?;
    detail_of(core.db().conn(), m).await
}

/// Invoice `m` whole, read without asking who wants it (callers check).
pub(crate) async fn detail_of(
    c: &impl ConnectionTrait,
    m: invoice::Model,
) -> CoreResult<InvoiceDetail> {
    let studio = StudioId::from_uuid(m.studio_id);
    let lines = repo::billing::lines(c, studio, m.id).await?;
    let entries = repo::billing::entries(c, studio, &[m.id], None).await?;
    let notes = repo::billing::credit_notes(c, studio, m.id).await?;
    let account = repo::billing::entries(c, studio, &[], Some(m.client_id)).await?;
    let mut credit_notes = Vec::with_capacity(notes.len());
    for n in notes {
        credit_notes.push(view_of(c, n).await?);
    }
    Ok(InvoiceDetail {
        invoice: view_of(c, m).await?,
        lines: lines.into_iter().map(line_view).collect(),
        entries: entries.into_iter().map(entry_view).collect(),
        credit_notes,
        client_credit_minor: repo::billing::credit_of(&account),
    })
}

pub(crate) async fn record(
    core: &Core,
    tx: &darkroom_db::Tx,
    meta: &Meta,
    p: &Principal,
    m: &invoice::Model,
    (event_type, severity): (&'static str, Severity),
    payload: serde_json::Value,
) -> CoreResult<()> {
    audit::record(
        core,
        tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: Some(BranchId::from_uuid(m.branch_id)),
            who: Who::of(p),
            event_type,
            severity,
            target_type: "invoice",
            target_id: InvoiceId::from_uuid(m.id).to_string(),
            payload,
        },
    )
    .await
}

/// The money columns of an invoice row.
pub(crate) fn totals_row(t: &Totals) -> invoice::ActiveModel {
    use darkroom_db::sea_orm::ActiveValue::Set;
    invoice::ActiveModel {
        gross_minor: Set(t.gross_minor),
        discount_minor: Set(t.discount_minor),
        net_minor: Set(t.net_minor),
        cgst_minor: Set(t.cgst_minor),
        sgst_minor: Set(t.sgst_minor),
        igst_minor: Set(t.igst_minor),
        vat_minor: Set(t.vat_minor),
        total_minor: Set(t.total_minor),
        ..Default::default()
    }
}

/// A ledger entry of `kind` for `amount` on invoice `m`, recorded by `p`
/// now, for money that moved on `day`.
pub(crate) fn ledger_row(
    core: &Core,
    p: &Principal,
    m: &invoice::Model,
    kind: EntryKind,
    amount: i64,
    day: &str,
) -> ledger_entry::Model {
    entry_row(core, Some(p.user), m, kind, amount, day)
}

/// A new ledger entry on invoice `m`, recorded by `by` (`None`: a
/// gateway's notice).
pub(crate) fn entry_row(
    core: &Core,
    by: Option<UserId>,
    m: &invoice::Model,
    kind: EntryKind,
    amount: i64,
    day: &str,
) -> ledger_entry::Model {
    ledger_entry::Model {
        id: uuid::Uuid::now_v7(),
        studio_id: m.studio_id,
        branch_id: m.branch_id,
        client_id: m.client_id,
        invoice_id: Some(m.id),
        document_id: None,
        kind,
        method: None,
        amount_minor: amount,
        currency: m.currency.clone(),
        occurred_on: day.to_string(),
        reference: None,
        note: None,
        external_id: None,
        recorded_by: by.map(|u| u.uuid()),
        created_at: core.now().as_micros(),
    }
}

/// Refuses a change to anything but a draft.
pub(crate) fn must_be_draft(m: &invoice::Model) -> CoreResult<()> {
    if m.status == InvoiceStatus::Draft {
        Ok(())
    } else {
        Err(CoreError::conflict(
            "invoice_issued",
            format!(
                "invoice {} is issued and never changes; to correct it, issue a credit note (POST /api/v1/invoices/{}/credit-notes) and a new invoice",
                m.number.as_deref().unwrap_or("?"),
                InvoiceId::from_uuid(m.id)
            ),
        ))
    }
}
