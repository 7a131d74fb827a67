//! Money reports for a date range, every figure summed from the ledger and
//! the documents its entries point at: revenue by branch, month and
//! invoice kind (charges less credit notes), money received and given back
//! by method, what is still owed by age, and tax by rate; and the CSV files
//! an accountant asks for (a GSTR-1-like GST register, the ledger).

use std::collections::BTreeMap;

use darkroom_db::entity::{invoice, ledger_entry};
use darkroom_db::repo;
use darkroom_domain::billing::{EntryKind, PaymentMethod, TaxRegime, gst};
use darkroom_domain::crm::columns::safe_cell;
use darkroom_domain::field::DayOrBlank;
use darkroom_domain::permission::Permission;
use darkroom_domain::{BranchId, InvoiceId, TypedId};
use serde::{Deserialize, Serialize};

use crate::kernel::error::{CoreError, CoreResult};
use crate::{Core, Principal};

/// Which days a report covers (both included; this year so far unless said).
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportRange {
    /// `YYYY-MM-DD`; the first of January of this year when left out.
    pub from: Option<DayOrBlank>,
    /// `YYYY-MM-DD`; today when left out.
    pub to: Option<DayOrBlank>,
    pub branch_id: Option<BranchId>,
}

/// Invoiced less credited, for one branch, month and kind.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct RevenueRow {
    pub branch_id: BranchId,
    /// `YYYY-MM`.
    pub month: String,
    pub kind: String,
    pub currency: String,
    pub invoices: i64,
    pub credit_notes: i64,
    pub net_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
}

/// Money in and out by one method.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct MethodRow {
    pub method: String,
    pub currency: String,
    pub received_minor: i64,
    pub refunded_minor: i64,
    pub net_minor: i64,
}

/// What is owed on open invoices, by how late it is.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct AgeRow {
    pub currency: String,
    pub not_due_minor: i64,
    pub late_1_30_minor: i64,
    pub late_31_60_minor: i64,
    pub late_61_90_minor: i64,
    pub late_over_90_minor: i64,
    pub total_minor: i64,
    pub invoices: i64,
}

/// Tax at one rate (credit notes taken off).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TaxRow {
    pub regime: TaxRegime,
    pub currency: String,
    /// Thousandths of a percent.
    pub rate_mp: i64,
    pub rate: String,
    pub taxable_minor: i64,
    pub cgst_minor: i64,
    pub sgst_minor: i64,
    pub igst_minor: i64,
    pub vat_minor: i64,
}

/// The ledger's own sums over the range, which the rows above add up to.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct LedgerSums {
    pub currency: String,
    pub charged_minor: i64,
    pub credited_minor: i64,
    pub received_minor: i64,
    pub refunded_minor: i64,
}

/// A studio's money over a range of days.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct BillingReport {
    pub from: String,
    pub to: String,
    pub revenue: Vec<RevenueRow>,
    pub payments: Vec<MethodRow>,
    pub outstanding: Vec<AgeRow>,
    pub tax: Vec<TaxRow>,
    pub ledger: Vec<LedgerSums>,
}

/// The checked range: its first and last day.
pub(crate) fn days(core: &Core, r: &ReportRange) -> CoreResult<(String, String)> {
    // The latest today anywhere (UTC+14): every branch's today is in range.
    let today = darkroom_domain::booking::calendar::today(core.now(), "Pacific/Kiritimati");
    let pick = |v: &Option<DayOrBlank>, field: &str| -> CoreResult<Option<String>> {
        match v {
            Some(d) => Ok(Some(d.check().map_err(|e| CoreError::invalid(field, e))?)
                .filter(|d| !d.is_empty())),
            None => Ok(None),
        }
    };
    let from = pick(&r.from, "from")?.unwrap_or_else(|| format!("{}-01-01", today.year()));
    let to = pick(&r.to, "to")?.unwrap_or_else(|| today.to_string());
    if to < from {
        return Err(CoreError::invalid(
            "to",
            format!("the range ends ({to}) before it starts ({from})"),
        ));
    }
    Ok((from, to))
}

/// The entries of the range `p` may see, and the documents they point at.
struct Loaded {
    entries: Vec<ledger_entry::Model>,
    docs: BTreeMap<uuid::Uuid, invoice::Model>,
}

async fn load(
    core: &Core,
    p: &Principal,
    r: &ReportRange,
    from: &str,
    to: &str,
) -> CoreResult<Loaded> {
    let allowed = core.branch_filter(p, Permission::InvoiceView);
    if matches!(&allowed, darkroom_domain::authz::BranchFilter::Only(b) if b.is_empty()) {
        return Err(CoreError::forbidden(
            "you need the `invoice.view` permission to see money reports; ask the studio owner",
        ));
    }
    let c = core.db().conn();
    let entries: Vec<_> = repo::billing::entries_between(c, p.studio, from, to)
        .await?
        .into_iter()
        .filter(|e| allowed.allows(BranchId::from_uuid(e.branch_id)))
        .filter(|e| r.branch_id.is_none_or(|b| b.uuid() == e.branch_id))
        .collect();
    let mut docs = BTreeMap::new();
    for e in &entries {
        for id in [e.invoice_id, e.document_id].into_iter().flatten() {
            if !docs.contains_key(&id)
                && let Some(m) = repo::billing::find(c, p.studio, InvoiceId::from_uuid(id)).await?
            {
                docs.insert(id, m);
            }
        }
    }
    Ok(Loaded { entries, docs })
}

/// The document a revenue entry counts: the invoice of a charge, the
/// credit note of a credit (taken off).
fn counted<'a>(l: &'a Loaded, e: &ledger_entry::Model) -> Option<(&'a invoice::Model, i64)> {
    match e.kind {
        EntryKind::Charge => e.invoice_id.and_then(|i| l.docs.get(&i)).map(|m| (m, 1)),
        EntryKind::CreditNote => e.document_id.and_then(|i| l.docs.get(&i)).map(|m| (m, -1)),
        _ => None,
    }
}

fn revenue(l: &Loaded) -> Vec<RevenueRow> {
    let mut rows: BTreeMap<(uuid::Uuid, String, String, String), RevenueRow> = BTreeMap::new();
    for e in &l.entries {
        let Some((m, sign)) = counted(l, e) else {
            continue;
        };
        let month = e.occurred_on.get(..7).unwrap_or("").to_string();
        let key = (
            e.branch_id,
            month.clone(),
            m.kind.name().to_string(),
            e.currency.clone(),
        );
        let r = rows.entry(key).or_insert_with(|| RevenueRow {
            branch_id: BranchId::from_uuid(e.branch_id),
            month,
            kind: m.kind.name().to_string(),
            currency: e.currency.clone(),
            ..Default::default()
        });
        if sign > 0 {
            r.invoices += 1
        } else {
            r.credit_notes += 1
        }
        let t = super::totals_of(m);
        r.net_minor += sign * t.net_minor;
        r.tax_minor += sign * t.tax_minor;
        r.total_minor += sign * e.amount_minor;
    }
    rows.into_values().collect()
}

fn payments(l: &Loaded) -> Vec<MethodRow> {
    let mut rows: BTreeMap<(String, String), MethodRow> = BTreeMap::new();
    for e in &l.entries {
        let (Some(method), sign) = (
            e.method,
            match e.kind {
                EntryKind::Payment | EntryKind::Overpayment => 1,
                EntryKind::Refund => -1,
                _ => 0,
            },
        ) else {
            continue;
        };
        if sign == 0 || method == PaymentMethod::Credit {
            continue;
        }
        let r = rows
            .entry((method.name().to_string(), e.currency.clone()))
            .or_insert_with(|| MethodRow {
                method: method.name().to_string(),
                currency: e.currency.clone(),
                ..Default::default()
            });
        if sign > 0 {
            r.received_minor += e.amount_minor
        } else {
            r.refunded_minor += e.amount_minor
        }
        r.net_minor += sign * e.amount_minor;
    }
    rows.into_values().collect()
}

async fn tax(core: &Core, p: &Principal, l: &Loaded) -> CoreResult<Vec<TaxRow>> {
    let mut rows: BTreeMap<(String, String, i64), TaxRow> = BTreeMap::new();
    for e in &l.entries {
        let Some((m, sign)) = counted(l, e) else {
            continue;
        };
        for line in repo::billing::lines(core.db().conn(), p.studio, m.id).await? {
            let key = (
                m.tax_regime.name().to_string(),
                m.currency.clone(),
                line.tax_rate_mp,
            );
            let r = rows.entry(key).or_insert_with(|| TaxRow {
                regime: m.tax_regime,
                currency: m.currency.clone(),
                rate_mp: line.tax_rate_mp,
                rate: darkroom_domain::billing::lines::fmt_rate(line.tax_rate_mp),
                taxable_minor: 0,
                cgst_minor: 0,
                sgst_minor: 0,
                igst_minor: 0,
                vat_minor: 0,
            });
            r.taxable_minor += sign * line.net_minor;
            r.cgst_minor += sign * line.cgst_minor;
            r.sgst_minor += sign * line.sgst_minor;
            r.igst_minor += sign * line.igst_minor;
            r.vat_minor += sign * line.vat_minor;
        }
    }
    Ok(rows.into_values().collect())
}

fn ledger_sums(l: &Loaded) -> Vec<LedgerSums> {
    let mut rows: BTreeMap<String, LedgerSums> = BTreeMap::new();
    for e in &l.entries {
        let r = rows
            .entry(e.currency.clone())
            .or_insert_with(|| LedgerSums {
                currency: e.currency.clone(),
                ..Default::default()
            });
        match e.kind {
            EntryKind::Charge => r.charged_minor += e.amount_minor,
            EntryKind::CreditNote => r.credited_minor += e.amount_minor,
            EntryKind::Payment | EntryKind::Overpayment
                if e.method != Some(PaymentMethod::Credit) =>
            {
                r.received_minor += e.amount_minor;
            }
            EntryKind::Refund => r.refunded_minor += e.amount_minor,
            _ => {}
        }
    }
    rows.into_values().collect()
}

async fn outstanding(core: &Core, p: &Principal, r: &ReportRange) -> CoreResult<Vec<AgeRow>> {
    let f = super::list::InvoiceFilter {
        open: Some(true),
        credit_notes: Some(false),
        branch_id: r.branch_id,
        ..Default::default()
    };
    let today = darkroom_domain::booking::calendar::today(core.now(), "UTC");
    let mut rows: BTreeMap<String, AgeRow> = BTreeMap::new();
    for i in super::list::list(core, p, &f).await? {
        let late = i
            .due_on
            .as_deref()
            .and_then(|d| d.parse::<jiff::civil::Date>().ok())
            .map_or(0, |d| (today - d).get_days());
        let r = rows.entry(i.currency.clone()).or_insert_with(|| AgeRow {
            currency: i.currency.clone(),
            ..Default::default()
        });
        let bucket = match late {
            ..=0 => &mut r.not_due_minor,
            1..=30 => &mut r.late_1_30_minor,
            31..=60 => &mut r.late_31_60_minor,
            61..=90 => &mut r.late_61_90_minor,
            _ => &mut r.late_over_90_minor,
        };
        *bucket += i.owed_minor;
        r.total_minor += i.owed_minor;
        r.invoices += 1;
    }
    Ok(rows.into_values().collect())
}

/// The studio's money over a range.
pub async fn report(core: &Core, p: &Principal, r: &ReportRange) -> CoreResult<BillingReport> {
    let (from, to) = days(core, r)?;
    let l = load(core, p, r, &from, &to).await?;
    Ok(BillingReport {
        revenue: revenue(&l),
        payments: payments(&l),
        outstanding: outstanding(core, p, r).await?,
        tax: tax(core, p, &l).await?,
        ledger: ledger_sums(&l),
        from,
        to,
    })
}

/// A cell a spreadsheet will not run as a formula; a plain number (a
/// credit note's `-1180.00`) stays a number.
fn cell(s: &str) -> String {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (w, f) = digits.split_once('.').unwrap_or((digits, "0"));
    let number = !w.is_empty()
        && w.bytes().all(|b| b.is_ascii_digit())
        && f.bytes().all(|b| b.is_ascii_digit());
    if number { s.to_string() } else { safe_cell(s) }
}

pub(crate) fn csv_of(header: &[&str], rows: Vec<Vec<String>>) -> CoreResult<String> {
    let io = |e: csv::Error| CoreError::Internal(anyhow::anyhow!("writing the CSV: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).map_err(io)?;
    for r in rows {
        w.write_record(r.iter().map(|c| cell(c))).map_err(io)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| CoreError::Internal(anyhow::anyhow!("writing the CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| CoreError::Internal(anyhow::anyhow!(e)))
}

fn decimal(currency: &str, minor: i64) -> String {
    let shown = super::money(currency, minor).replace(',', "");
    shown.rsplit(' ').next().unwrap_or("").to_string()
}

/// GST invoices and credit notes of the range, a row per document and tax
/// rate, in GSTR-1's columns (credit notes negative).
pub async fn gst_csv(core: &Core, p: &Principal, r: &ReportRange) -> CoreResult<String> {
    let (from, to) = days(core, r)?;
    let l = load(core, p, r, &from, &to).await?;
    let mut rows = Vec::new();
    for e in &l.entries {
        let Some((m, sign)) = counted(&l, e) else {
            continue;
        };
        if m.tax_regime != TaxRegime::GstIn {
            continue;
        }
        let party: crate::crm::interface::BillingParty = m
            .bill_to
            .as_deref()
            .and_then(|b| serde_json::from_str(b).ok())
            .unwrap_or_default();
        let gstin = party
            .tax_id
            .filter(|_| party.tax_id_kind.as_deref() == Some("gstin"));
        let place = m.place_of_supply.as_deref().unwrap_or("");
        let mut by_rate: BTreeMap<i64, [i64; 4]> = BTreeMap::new();
        for line in repo::billing::lines(core.db().conn(), p.studio, m.id).await? {
            let v = by_rate.entry(line.tax_rate_mp).or_default();
            v[0] += line.net_minor;
            v[1] += line.igst_minor;
            v[2] += line.cgst_minor;
            v[3] += line.sgst_minor;
        }
        for (rate, v) in by_rate {
            let cur = m.currency.as_str();
            rows.push(vec![
                if sign > 0 { "Invoice" } else { "Credit note" }.to_string(),
                if gstin.is_some() { "B2B" } else { "B2C" }.to_string(),
                gstin.clone().unwrap_or_default(),
                party.name.clone(),
                m.number.clone().unwrap_or_default(),
                m.issued_on.clone().unwrap_or_default(),
                decimal(cur, sign * m.total_minor),
                format!("{place}-{}", gst::state_name(place).unwrap_or("")),
                "N".into(),
                darkroom_domain::billing::lines::fmt_rate(rate),
                decimal(cur, sign * v[0]),
                decimal(cur, sign * v[1]),
                decimal(cur, sign * v[2]),
                decimal(cur, sign * v[3]),
                "0.00".into(),
            ]);
        }
    }
    csv_of(
        &[
            "Document",
            "Type",
            "GSTIN/UIN of recipient",
            "Receiver name",
            "Number",
            "Date",
            "Document value",
            "Place of supply",
            "Reverse charge",
            "Rate",
            "Taxable value",
            "IGST",
            "CGST",
            "SGST/UTGST",
            "Cess",
        ],
        rows,
    )
}

/// Every ledger entry of the range.
pub async fn ledger_csv(core: &Core, p: &Principal, r: &ReportRange) -> CoreResult<String> {
    let (from, to) = days(core, r)?;
    let l = load(core, p, r, &from, &to).await?;
    let number = |id: Option<uuid::Uuid>| {
        id.and_then(|i| l.docs.get(&i))
            .and_then(|m| m.number.clone())
            .unwrap_or_default()
    };
    let rows = l
        .entries
        .iter()
        .map(|e| {
            vec![
                e.occurred_on.clone(),
                e.kind.name().to_string(),
                e.method.map(|m| m.name().to_string()).unwrap_or_default(),
                number(e.invoice_id),
                number(e.document_id),
                e.currency.clone(),
                decimal(&e.currency, e.amount_minor),
                e.reference.clone().unwrap_or_default(),
                e.note.clone().unwrap_or_default(),
                darkroom_domain::ClientId::from_uuid(e.client_id).to_string(),
                darkroom_domain::EntryId::from_uuid(e.id).to_string(),
            ]
        })
        .collect();
    csv_of(
        &[
            "Day",
            "Kind",
            "Method",
            "Invoice",
            "Credit note",
            "Currency",
            "Amount",
            "Reference",
            "Note",
            "Client",
            "Entry",
        ],
        rows,
    )
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn numbers_stay_numbers_and_formulas_are_defused() {
        assert_eq!(cell("-1180.00"), "-1180.00");
        assert_eq!(cell("42"), "42");
        assert_eq!(cell("-2+3"), "'-2+3");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("-"), "'-");
        assert_eq!(cell("Asha"), "Asha");
    }
}
