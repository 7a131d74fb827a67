//! A signed contract's money: its payment schedule issues the deposit
//! invoice (due on signing) and the balance invoice (due the terms' days
//! before the event), each line's share taken exactly from the proposal's
//! line; the deposit paid makes the contract active; cancelling refunds
//! what the refund schedule allows on that day and credits what is no
//! longer owed.

use darkroom_db::entity::{contract, invoice};
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_db::sea_orm::ConnectionTrait;
use darkroom_domain::billing::contract::{ContractStatus, schedule_shares};
use darkroom_domain::billing::lines::fmt_rate;
use darkroom_domain::billing::{InvoiceKind, InvoiceStatus};
use darkroom_domain::field::{
    Amount, DayOrBlank, InvoiceKindName, Line, LineKindName, Percent, Text,
};
use darkroom_domain::money::Currency;
use darkroom_domain::permission::Permission;
use darkroom_domain::{BranchId, ContractId, InvoiceId, StudioId, TypedId};

use super::document::Document;
use super::{ContractView, RefundAllowance, ScheduleItem, bare_view, load, terms_of};
use crate::billing::draft::InvoiceInput;
use crate::billing::line::LineInput;
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// `minor` as people type it (`30000.50`).
pub(crate) fn plain(currency: Currency, minor: i64) -> String {
    let d = currency.minor_digits();
    if d == 0 {
        return minor.to_string();
    }
    let unit = 10_i64.pow(d);
    format!("{}.{:0w$}", minor / unit, minor % unit, w = d as usize)
}

fn document_of(m: &contract::Model) -> Option<Document> {
    m.document.as_deref().and_then(|j| Document::parse(j).ok())
}

/// Today in the branch's zone.
async fn today_of(
    c: &impl ConnectionTrait,
    m: &contract::Model,
    core: &Core,
) -> CoreResult<jiff::civil::Date> {
    let studio = StudioId::from_uuid(m.studio_id);
    let b = repo::branch::find(c, studio, BranchId::from_uuid(m.branch_id), true)
        .await?
        .ok_or(CoreError::not_found("branch"))?;
    Ok(crate::billing::issue::today_at(core, &b))
}

/// The schedule as shown.
pub(crate) async fn items(
    c: &impl ConnectionTrait,
    m: &contract::Model,
) -> CoreResult<Vec<ScheduleItem>> {
    let Some(d) = document_of(m) else {
        return Ok(Vec::new());
    };
    let studio = StudioId::from_uuid(m.studio_id);
    let signed_on = m.signed_at.map(|t| {
        darkroom_domain::Timestamp::from_micros(t)
            .to_rfc3339()
            .chars()
            .take(10)
            .collect::<String>()
    });
    let mut out = Vec::new();
    for (what, amount, due, inv) in [
        ("deposit", d.deposit_minor, signed_on, m.deposit_invoice_id),
        (
            "balance",
            d.balance_minor,
            Some(d.balance_due_on.clone()),
            m.balance_invoice_id,
        ),
    ] {
        if amount == 0 {
            continue;
        }
        let invoice = match inv {
            Some(i) => repo::billing::find(c, studio, InvoiceId::from_uuid(i)).await?,
            None => None,
        };
        out.push(ScheduleItem {
            what: what.into(),
            amount_minor: amount,
            amount: d.money(amount),
            due_on: invoice.as_ref().and_then(|i| i.due_on.clone()).or(due),
            invoice_id: invoice.as_ref().map(|i| InvoiceId::from_uuid(i.id)),
            invoice_number: invoice.as_ref().and_then(|i| i.number.clone()),
            invoice_status: invoice.as_ref().map(|i| i.status),
        });
    }
    Ok(out)
}

/// Paid on the contract's invoices, less refunds.
async fn paid_on(c: &impl ConnectionTrait, m: &contract::Model) -> CoreResult<i64> {
    let studio = StudioId::from_uuid(m.studio_id);
    let ids: Vec<_> = repo::contract::invoices(c, studio, m.id)
        .await?
        .iter()
        .map(|i| i.id)
        .collect();
    if ids.is_empty() {
        return Ok(0);
    }
    let sums = repo::billing::Sums::of(&repo::billing::entries(c, studio, &ids, None).await?);
    Ok(sums.paid - sums.refunded)
}

/// What cancelling today would refund, while the contract binds.
pub(crate) async fn allowance(
    core: &Core,
    c: &impl ConnectionTrait,
    m: &contract::Model,
) -> CoreResult<Option<RefundAllowance>> {
    if !m.status.is_binding() {
        return Ok(None);
    }
    let Some(event) = m
        .event_on
        .as_deref()
        .and_then(|d| d.parse::<jiff::civil::Date>().ok())
    else {
        return Ok(None);
    };
    let today = today_of(c, m, core).await?;
    let days = today
        .until(event)
        .map(|s| i64::from(s.get_days()))
        .unwrap_or(0);
    let t = terms_of(m);
    let paid = paid_on(c, m).await?;
    let allowed = t.refund_allowed(paid, days);
    let currency = Currency::parse(&m.currency).unwrap_or(Currency::USD);
    Ok(Some(RefundAllowance {
        as_of: today.to_string(),
        days_before: days,
        paid_minor: paid,
        paid: currency.format_minor(paid),
        rate: fmt_rate(t.refund_rate(days)),
        allowed_minor: allowed,
        allowed: currency.format_minor(allowed),
    }))
}

/// The deposit or balance invoice's lines: each proposal line's share.
fn lines_for(d: &Document, label: &str, shares: &[i64]) -> Vec<LineInput> {
    let c = d.currency();
    d.lines
        .iter()
        .zip(shares)
        .filter(|(_, s)| **s > 0)
        .map(|(l, s)| LineInput {
            kind: Some(LineKindName(l.kind.to_string())),
            description: Some(Line(format!("{label}: {}", l.description))),
            code: l.code.clone().map(Text),
            unit_price: Some(Amount(plain(c, *s))),
            tax_rate: Some(Percent(fmt_rate(l.tax_rate_mp))),
            ..Default::default()
        })
        .collect()
}

/// Drafts one invoice of the schedule and links it both ways.
async fn make(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    m: &contract::Model,
    d: &Document,
    kind: InvoiceKind,
    (label, due, shares): (&str, String, &[i64]),
) -> CoreResult<InvoiceId> {
    let made = crate::billing::draft::create(
        core,
        p,
        meta,
        InvoiceInput {
            client_id: Some(darkroom_domain::ClientId::from_uuid(m.client_id)),
            project_id: Some(darkroom_domain::ProjectId::from_uuid(m.project_id)),
            branch_id: Some(BranchId::from_uuid(m.branch_id)),
            kind: Some(InvoiceKindName(kind.to_string())),
            prices_include_tax: Some(true),
            due_on: Some(DayOrBlank(due)),
            notes: Some(Text(format!("{label} under contract {}", d.number))),
            lines: Some(lines_for(d, label, shares)),
            ..Default::default()
        },
    )
    .await?;
    let inv = &made.invoice;
    let tx = core.db().begin().await?;
    link_invoice(core, &tx, p.studio, m.id, inv.id, inv.version).await?;
    let mut am = contract::ActiveModel::default();
    if kind == InvoiceKind::Deposit {
        am.deposit_invoice_id = Set(Some(inv.id.uuid()));
    } else {
        am.balance_invoice_id = Set(Some(inv.id.uuid()));
    }
    write::update::<contract::Entity, _>(core, &tx, p.studio, m.id, m.version, am, bare_view)
        .await?;
    crate::commit(tx).await?;
    Ok(inv.id)
}

/// Makes (or finds) and issues one invoice of the schedule.
async fn one(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: ContractId,
    kind: InvoiceKind,
) -> CoreResult<()> {
    let c = core.db().conn();
    let m = load(core, p, id, Permission::InvoiceManage).await?;
    let Some(d) = document_of(&m) else {
        return Ok(());
    };
    let deposit = kind == InvoiceKind::Deposit;
    let totals: Vec<i64> = d.lines.iter().map(|l| l.total_minor).collect();
    let shares = schedule_shares(&totals, d.deposit_minor);
    let (amount, linked) = if deposit {
        (d.deposit_minor, m.deposit_invoice_id)
    } else {
        (d.balance_minor, m.balance_invoice_id)
    };
    if amount <= 0 {
        return Ok(());
    }
    let inv_id = match linked {
        Some(i) => InvoiceId::from_uuid(i),
        None => {
            let today = today_of(c, &m, core).await?;
            let (label, due, mine): (&str, String, Vec<i64>) = if deposit {
                (
                    "Deposit",
                    today.to_string(),
                    shares.iter().map(|s| s.0).collect(),
                )
            } else {
                let due = d.balance_due_on.clone().max(today.to_string());
                ("Balance", due, shares.iter().map(|s| s.1).collect())
            };
            make(core, p, meta, &m, &d, kind, (label, due, &mine)).await?
        }
    };
    let inv = repo::billing::find(c, p.studio, inv_id)
        .await?
        .ok_or(CoreError::not_found("invoice"))?;
    if inv.status == InvoiceStatus::Draft {
        crate::billing::issue::issue(
            core,
            p,
            meta,
            inv_id,
            crate::billing::issue::IssueInput {
                version: inv.version,
            },
        )
        .await?;
    }
    Ok(())
}

/// Issues what of the schedule is not issued yet.
async fn issue_all(core: &Core, p: &Principal, meta: &Meta, id: ContractId) -> CoreResult<()> {
    one(core, p, meta, id, InvoiceKind::Deposit).await?;
    one(core, p, meta, id, InvoiceKind::Balance).await
}

pub(crate) async fn set_problem(
    core: &Core,
    p: &Principal,
    id: ContractId,
    problem: Option<String>,
) -> CoreResult<()> {
    let m = load(core, p, id, Permission::InvoiceManage).await?;
    if m.schedule_problem == problem {
        return Ok(());
    }
    let am = contract::ActiveModel {
        schedule_problem: Set(problem),
        ..Default::default()
    };
    let tx = core.db().begin().await?;
    write::update::<contract::Entity, _>(core, &tx, p.studio, m.id, m.version, am, bare_view)
        .await?;
    crate::commit(tx).await
}

/// Right after signing: the schedule's invoices (a problem, such as a PO
/// number the client requires, is kept on the contract to fix and retry),
/// and a contract without a deposit is active at once.
pub(crate) async fn after_signing(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: ContractId,
) -> CoreResult<()> {
    let problem = match issue_all(core, p, meta, id).await {
        Ok(()) => None,
        Err(
            e @ (CoreError::Validation(_)
            | CoreError::Conflict { .. }
            | CoreError::MissingRef { .. }),
        ) => Some(e.to_string()),
        Err(e) => return Err(e),
    };
    set_problem(core, p, id, problem).await?;
    let m = load(core, p, id, Permission::InvoiceManage).await?;
    let no_deposit = document_of(&m).is_some_and(|d| d.deposit_minor == 0);
    if no_deposit && m.status == ContractStatus::Signed {
        activate(core, core.db().conn(), &m).await?;
    }
    Ok(())
}

/// Issues the schedule's invoices again (after fixing what stopped them).
pub async fn issue_schedule(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: ContractId,
) -> CoreResult<ContractView> {
    let m = load(core, p, id, Permission::InvoiceManage).await?;
    if !m.status.is_binding() {
        return Err(CoreError::conflict(
            "not_signed",
            "only a signed contract's payments are invoiced",
        ));
    }
    issue_all(core, p, meta, id).await?;
    set_problem(core, p, id, None).await?;
    super::detail(core, p, id).await
}

async fn activate(core: &Core, c: &impl ConnectionTrait, m: &contract::Model) -> CoreResult<()> {
    let am = contract::ActiveModel {
        status: Set(ContractStatus::Active),
        ..Default::default()
    };
    // Lost to a concurrent change: the next payment notice sets it again.
    let _ = write::try_update::<contract::Entity>(
        core,
        c,
        StudioId::from_uuid(m.studio_id),
        m.id,
        m.version,
        am,
    )
    .await?;
    Ok(())
}

/// Called when an invoice's status follows its ledger: a paid deposit
/// makes its signed contract active.
pub(crate) async fn settled(
    core: &Core,
    c: &impl ConnectionTrait,
    inv: &invoice::Model,
    status: InvoiceStatus,
) -> CoreResult<()> {
    let (Some(cid), InvoiceKind::Deposit, InvoiceStatus::Paid) =
        (inv.contract_id, inv.kind, status)
    else {
        return Ok(());
    };
    let studio = StudioId::from_uuid(inv.studio_id);
    if let Some(m) = repo::contract::find(c, studio, ContractId::from_uuid(cid)).await?
        && m.status == ContractStatus::Signed
    {
        activate(core, c, &m).await?;
    }
    Ok(())
}

/// Records that `invoice` (at `version`) bills contract `contract`.
pub(super) async fn link_invoice(
    core: &Core,
    tx: &impl ConnectionTrait,
    studio: StudioId,
    contract: uuid::Uuid,
    invoice: InvoiceId,
    version: i64,
) -> CoreResult<()> {
    let link = invoice::ActiveModel {
        contract_id: Set(Some(contract)),
        ..Default::default()
    };
    write::update::<invoice::Entity, _>(core, tx, studio, invoice.uuid(), version, link, |x| x.id)
        .await?;
    Ok(())
}
