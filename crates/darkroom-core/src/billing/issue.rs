//! Issuing: the draft gets its number (per branch and fiscal year, with the
//! branch's prefix: gapless, because the counter moves in the same
//! transaction as the invoice and goes back with it), its day and due day,
//! the seller and client as they are now; the client owes its total from
//! then on (a `charge` in the ledger). Nothing of it changes again.

use darkroom_db::entity::{branch, invoice};
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_db::sea_orm::ConnectionTrait;
use darkroom_domain::audit::Severity;
use darkroom_domain::billing::numbering::{FiscalYear, Series};
use darkroom_domain::billing::{EntryKind, InvoiceStatus, TaxRegime, gst};
use darkroom_domain::permission::Permission;
use darkroom_domain::{ClientId, InvoiceId, StudioId, TypedId};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::profile::{BillingSettings, branch_settings};
use super::{InvoiceDetail, Seller, detail, must_be_draft, record};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// Issuing a draft.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueInput {
    /// The version you last read.
    pub version: i64,
}

/// Today in the branch's zone.
pub(crate) fn today_at(core: &Core, b: &branch::Model) -> Date {
    darkroom_domain::booking::calendar::today(core.now(), &b.time_zone)
}

/// The branch as printed on what it issues.
pub(crate) async fn seller_of(
    c: &impl ConnectionTrait,
    studio: StudioId,
    b: &branch::Model,
    s: &BillingSettings,
) -> CoreResult<Seller> {
    let studio_name = repo::studio::find(c, studio)
        .await?
        .map(|x| x.name)
        .unwrap_or_default();
    let a: serde_json::Value = serde_json::from_str(&b.address).unwrap_or_default();
    let part = |k: &str| {
        a.get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let city = [part("city"), part("region"), part("postal_code")]
        .into_iter()
        .filter(|x| !x.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let address = [part("line1"), part("line2"), city, part("country")]
        .into_iter()
        .filter(|x| !x.is_empty())
        .collect();
    Ok(Seller {
        studio: studio_name,
        branch: b.name.clone(),
        address,
        tax_id_kind: b.tax_id_kind.clone(),
        tax_id: b.tax_id.clone(),
        state: s
            .supplier_state
            .as_deref()
            .and_then(gst::state_name)
            .map(str::to_string),
        phone: b.phone.clone(),
        email: b.email.clone(),
        payment_instructions: s.payment_instructions.clone(),
        footer: s.footer.clone(),
    })
}

/// Takes the next number of `series` for branch `b` in the fiscal year of
/// `day`, inside `tx`.
pub(crate) async fn take_number(
    c: &impl ConnectionTrait,
    studio: StudioId,
    b: &branch::Model,
    s: &BillingSettings,
    series: Series,
    day: Date,
) -> CoreResult<(String, String, i64)> {
    let fy = FiscalYear::of(day, u8::try_from(s.fiscal_year_start).unwrap_or(1));
    let seq = repo::project::next_number(c, studio, &series.scope(&b.id.to_string(), fy)).await?;
    Ok((series.number(&b.invoice_prefix, fy, seq), fy.label(), seq))
}

/// What must hold before a draft is issued.
fn check_issuable(
    m: &invoice::Model,
    s: &BillingSettings,
    client: &crate::crm::interface::BillingParty,
    lines: usize,
) -> CoreResult<()> {
    let mut errs = darkroom_domain::validate::FieldErrors::new();
    if lines == 0 {
        errs.add("lines", "empty", "add at least one line before issuing");
    }
    if client.po_required && m.po_number.is_none() {
        errs.add(
            "po_number",
            "required",
            "this client requires a purchase order number on every invoice; set `po_number` first",
        );
    }
    if m.tax_regime == TaxRegime::GstIn && s.supplier_state.is_none() {
        errs.add(
            "tax_regime",
            "needs_gstin",
            "a GST invoice needs the branch's GSTIN; set the branch's tax number (kind gstin)",
        );
    }
    if m.total_minor < 0 {
        errs.add(
            "lines",
            "negative",
            "an invoice's total cannot be below zero",
        );
    }
    errs.into_result().map_err(CoreError::Validation)
}

/// The client of draft `m`, as it bills them now.
async fn client_of(
    tx: &darkroom_db::Tx,
    m: &invoice::Model,
) -> CoreResult<crate::crm::interface::BillingParty> {
    let studio = StudioId::from_uuid(m.studio_id);
    crate::crm::interface::billing_party(tx, studio, ClientId::from_uuid(m.client_id))
        .await?
        .ok_or_else(|| {
            CoreError::conflict(
                "client_gone",
                "the invoice's client was deleted; restore the client or delete the draft",
            )
        })
}

/// What issuing writes on draft `m`: its number, days and the parties.
fn issued_row(
    m: &invoice::Model,
    s: &BillingSettings,
    client: &crate::crm::interface::BillingParty,
    seller: &Seller,
    day: Date,
    (number, fy, seq): (String, String, i64),
) -> invoice::ActiveModel {
    let terms = client.payment_terms_days.unwrap_or(s.payment_terms_days);
    let due = m.due_on.clone().unwrap_or_else(|| {
        day.checked_add(jiff::Span::new().days(terms))
            .unwrap_or(day)
            .to_string()
    });
    invoice::ActiveModel {
        status: Set(InvoiceStatus::Issued),
        number: Set(Some(number)),
        fiscal_year: Set(Some(fy)),
        seq: Set(Some(seq)),
        issued_on: Set(Some(day.to_string())),
        due_on: Set(Some(due)),
        seller: Set(serde_json::to_string(seller).ok()),
        bill_to: Set(serde_json::to_string(client).ok()),
        tax_exempt: Set(i64::from(client.tax_exempt)),
        ..Default::default()
    }
}

/// Issues a draft.
pub async fn issue(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: InvoiceId,
    input: IssueInput,
) -> CoreResult<InvoiceDetail> {
    let m = super::load(core, p, id, Permission::InvoiceManage).await?;
    must_be_draft(&m)?;
    if m.credit_note_of.is_some() {
        return Err(CoreError::conflict(
            "credit_note",
            "a credit note is issued when it is made",
        ));
    }
    let tx = core.db().begin().await?;
    let (b, s) = branch_settings(
        &tx,
        p.studio,
        darkroom_domain::BranchId::from_uuid(m.branch_id),
    )
    .await?
    .ok_or(CoreError::not_found("branch"))?;
    let client = client_of(&tx, &m).await?;
    let lines = repo::billing::lines(&tx, p.studio, m.id).await?;
    check_issuable(&m, &s, &client, lines.len())?;
    let day = today_at(core, &b);
    let (number, fy, seq) = take_number(&tx, p.studio, &b, &s, Series::Invoice, day).await?;
    let seller = seller_of(&tx, p.studio, &b, &s).await?;
    let mut am = issued_row(&m, &s, &client, &seller, day, (number.clone(), fy, seq));
    am.issued_at = Set(Some(core.now().as_micros()));
    // The totals are worked out once more from the lines as they are.
    let m = super::draft::save(core, &tx, &m, input.version, am).await?;
    let mut charge = super::ledger_row(
        core,
        p,
        &m,
        EntryKind::Charge,
        m.total_minor,
        &day.to_string(),
    );
    charge.reference = Some(number.clone());
    repo::billing::append(&tx, charge).await?;
    let payload = serde_json::json!({
        "number": number, "total": m.total_minor, "tax": m.cgst_minor + m.sgst_minor + m.igst_minor + m.vat_minor,
        "currency": m.currency, "client": ClientId::from_uuid(m.client_id),
    });
    record(
        core,
        &tx,
        meta,
        p,
        &m,
        ("invoice.issued", Severity::Medium),
        payload,
    )
    .await?;
    crate::commit(tx).await?;
    detail(core, p, id).await
}

/// Sets the status of issued invoice `m` (read in `c` at `version`) from
/// its ledger, always writing it: two money movements on one invoice at
/// once cannot both pass their checks, the second is told to try again.
pub(crate) async fn settle(
    core: &Core,
    c: &impl ConnectionTrait,
    m: &invoice::Model,
    today: &str,
) -> CoreResult<InvoiceStatus> {
    let studio = StudioId::from_uuid(m.studio_id);
    let entries = repo::billing::entries(c, studio, &[m.id], None).await?;
    let sums = repo::billing::Sums::of(&entries);
    let past_due = m.due_on.as_deref().is_some_and(|d| d < today);
    let status = InvoiceStatus::from_ledger(
        m.total_minor - sums.credited,
        sums.paid - sums.refunded,
        past_due,
    );
    let am = invoice::ActiveModel {
        status: Set(status),
        ..Default::default()
    };
    let done = write::try_update::<invoice::Entity>(core, c, studio, m.id, m.version, am).await?;
    if done.is_err() {
        return Err(CoreError::conflict(
            "invoice_busy",
            "the invoice changed while this was being recorded (another payment?); look at it again and retry",
        ));
    }
    super::contract::schedule::settled(core, c, m, status).await?;
    Ok(status)
}
