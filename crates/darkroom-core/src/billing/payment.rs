//! Money in and out by staff's hand: payments (cash, transfer, card
//! terminal, cheque, UPI), partial or more than owed (the rest is held as
//! the client's credit), the client's credit used on an invoice, and
//! refunds, never more than was paid. Each is a ledger entry; the
//! invoice's status follows.

use darkroom_db::entity::{invoice, ledger_entry};
use darkroom_db::repo;
use darkroom_domain::audit::Severity;
use darkroom_domain::billing::{EntryKind, InvoiceStatus, PaymentMethod};
use darkroom_domain::field::{Amount, DayOrBlank, Line, PaymentMethodName, Text};
use darkroom_domain::money::Currency;
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{BranchId, EntryId, InvoiceId, TypedId};
use serde::{Deserialize, Serialize};

use super::profile::branch_settings;
use super::{InvoiceDetail, detail, money, record};
use crate::kernel::error::{CoreError, CoreResult};
use crate::{Core, Meta, Principal};

/// A payment staff record.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentInput {
    /// Optional client-chosen UUIDv7 (`txn_...`): sending the same payment
    /// again records it once.
    pub id: Option<EntryId>,
    /// In the invoice's currency, e.g. `5000` or `5000.50`.
    pub amount: Amount,
    /// `cash`, `bank_transfer`, `card_terminal`, `cheque`, `upi`, or
    /// `credit` (the client's credit with the studio).
    pub method: PaymentMethodName,
    /// When the money came (`YYYY-MM-DD`, today unless said; not later).
    pub received_on: Option<DayOrBlank>,
    /// A bank reference, cheque number or terminal slip.
    pub reference: Option<Text<100>>,
    pub note: Option<Text<500>>,
    /// Korea: a cash receipt (현금영수증) for a cash or transfer payment.
    pub cash_receipt: Option<super::receipt::CashReceiptInput>,
}

/// Money given back.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundInput {
    pub id: Option<EntryId>,
    pub amount: Amount,
    /// How it goes back: `cash`, `bank_transfer`, `card_terminal`,
    /// `cheque`, `upi`.
    pub method: PaymentMethodName,
    /// Why (printed on the credit note).
    pub reason: Line<500>,
    pub reference: Option<Text<100>>,
    /// Whether the client no longer owes what is refunded: a credit note
    /// for it is issued with the refund (the default). `false` gives money
    /// back that the client then owes again.
    pub credit: Option<bool>,
}

/// The money moving: an issued invoice of the studio, its amount checked
/// in its currency.
struct Movement {
    m: invoice::Model,
    amount: i64,
    day: String,
    today: String,
    sums: repo::billing::Sums,
}

async fn movement(
    core: &Core,
    tx: &darkroom_db::Tx,
    p: &Principal,
    id: InvoiceId,
    amount: &Amount,
    day: Option<&DayOrBlank>,
    errs: &mut FieldErrors,
) -> CoreResult<Option<Movement>> {
    let m = repo::billing::find(tx, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("invoice"))?;
    if m.status == InvoiceStatus::Draft {
        return Err(CoreError::conflict(
            "invoice_draft",
            "issue the invoice before recording money against it",
        ));
    }
    if m.credit_note_of.is_some() {
        return Err(CoreError::conflict(
            "credit_note",
            "money is recorded against the invoice, not its credit note",
        ));
    }
    let (b, _) = branch_settings(tx, p.studio, BranchId::from_uuid(m.branch_id))
        .await?
        .ok_or(CoreError::not_found("branch"))?;
    let today = super::issue::today_at(core, &b).to_string();
    let currency = Currency::parse(&m.currency).map_err(|e| CoreError::invalid("amount", e))?;
    let amount = errs.check(
        "amount",
        amount.check().and_then(|a| currency.parse_amount(&a)),
    );
    if amount == Some(0) {
        errs.add("amount", "zero", "the amount is more than zero");
    }
    let day = match day {
        Some(d) => errs
            .check("received_on", d.check())
            .filter(|d| !d.is_empty()),
        None => None,
    }
    .unwrap_or_else(|| today.clone());
    if day > today {
        errs.add(
            "received_on",
            "future",
            format!("{day} is after today ({today}); record money when it has moved"),
        );
    }
    let entries = repo::billing::entries(tx, p.studio, &[m.id], None).await?;
    let sums = repo::billing::Sums::of(&entries);
    Ok(amount.map(|amount| Movement {
        m,
        amount,
        day,
        today,
        sums,
    }))
}

fn entry(
    core: &Core,
    p: &Principal,
    mv: &Movement,
    kind: EntryKind,
    method: PaymentMethod,
    amount: i64,
) -> ledger_entry::Model {
    let mut e = super::ledger_row(core, p, &mv.m, kind, amount, &mv.day);
    e.method = Some(method);
    e
}

/// Whether entry `id` was recorded already (the same request sent again).
async fn replayed(
    core: &Core,
    p: &Principal,
    id: Option<EntryId>,
    invoice: InvoiceId,
) -> CoreResult<bool> {
    let Some(id) = id else { return Ok(false) };
    let c = core.db().conn();
    let all = repo::billing::entries(c, p.studio, &[invoice.uuid()], None).await?;
    if all.iter().any(|e| e.id == id.uuid()) {
        return Ok(true);
    }
    if repo::billing::entry_by_id(c, id.uuid()).await?.is_some() {
        return Err(crate::kernel::created::id_in_use(&id));
    }
    Ok(false)
}

/// The entries a payment of `mv` by `method` makes: the client's credit
/// used, or a payment with what is beyond `owed` held as credit.
async fn payment_rows(
    core: &Core,
    tx: &darkroom_db::Tx,
    p: &Principal,
    mv: &Movement,
    method: PaymentMethod,
    owed: i64,
) -> CoreResult<Vec<ledger_entry::Model>> {
    if method == PaymentMethod::Credit {
        let account = repo::billing::entries(tx, p.studio, &[], Some(mv.m.client_id)).await?;
        let credit = repo::billing::credit_of(&account);
        if mv.amount > credit.min(owed) {
            return Err(CoreError::invalid(
                "amount",
                format!(
                    "the client's credit is {} and the invoice owes {}; use at most the smaller",
                    money(&mv.m.currency, credit),
                    money(&mv.m.currency, owed)
                ),
            ));
        }
        return Ok(vec![entry(
            core,
            p,
            mv,
            EntryKind::CreditApplied,
            method,
            mv.amount,
        )]);
    }
    let applied = mv.amount.min(owed);
    let mut rows = vec![entry(core, p, mv, EntryKind::Payment, method, applied)];
    if mv.amount > applied {
        rows.push(entry(
            core,
            p,
            mv,
            EntryKind::Overpayment,
            method,
            mv.amount - applied,
        ));
    }
    Ok(rows)
}

/// The method of a payment staff record by hand.
fn manual_method(m: &PaymentMethodName, errs: &mut FieldErrors) -> Option<PaymentMethod> {
    let method = errs.check("method", m.check());
    if method == Some(PaymentMethod::Stripe) {
        errs.add(
            "method",
            "online",
            "card payments through Stripe are recorded by Stripe's own notice, not by hand",
        );
    }
    method
}

/// Records a payment on an invoice.
pub async fn pay(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: InvoiceId,
    input: PaymentInput,
) -> CoreResult<InvoiceDetail> {
    let m = super::load(core, p, id, Permission::PaymentRecord).await?;
    if replayed(core, p, input.id, id).await? {
        return detail(core, p, id).await;
    }
    let mut errs = FieldErrors::new();
    let method = manual_method(&input.method, &mut errs);
    let tx = core.db().begin().await?;
    let mv = movement(
        core,
        &tx,
        p,
        id,
        &input.amount,
        input.received_on.as_ref(),
        &mut errs,
    )
    .await?;
    let reference = input
        .reference
        .as_ref()
        .and_then(|r| errs.check("reference", r.check("the reference")).flatten());
    let note = input
        .note
        .as_ref()
        .and_then(|r| errs.check("note", r.check("the note")).flatten());
    let receipt = match (&input.cash_receipt, &mv) {
        (Some(r), Some(mv)) => super::receipt::check(r, &mv.m, method, &mut errs),
        _ => None,
    };
    errs.into_result()?;
    let (Some(mv), Some(method)) = (mv, method) else {
        return Err(CoreError::invalid("amount", "the amount is missing"));
    };
    let owed = mv.sums.owed();
    if owed <= 0 {
        return Err(CoreError::conflict(
            "nothing_owed",
            format!(
                "nothing is owed on invoice {}; to hold money as the client's credit, record it on an open invoice",
                m.number.as_deref().unwrap_or("")
            ),
        ));
    }
    let mut rows = payment_rows(core, &tx, p, &mv, method, owed).await?;
    if let (Some(first), Some(id)) = (rows.first_mut(), input.id) {
        first.id = id.uuid();
    }
    if let (Some(first), Some(r)) = (rows.first(), receipt) {
        super::receipt::record(core, &tx, first, mv.amount, r).await?;
    }
    for mut r in rows {
        r.reference.clone_from(&reference);
        r.note.clone_from(&note);
        repo::billing::append(&tx, r).await?;
    }
    let status = super::issue::settle(core, &tx, &mv.m, &mv.today).await?;
    let payload = serde_json::json!({
        "amount": mv.amount, "method": method, "currency": mv.m.currency, "received_on": mv.day,
        "status": status, "held_as_credit": (mv.amount - owed).max(0),
    });
    record(
        core,
        &tx,
        meta,
        p,
        &mv.m,
        ("payment.recorded", Severity::Medium),
        payload,
    )
    .await?;
    crate::commit(tx).await?;
    detail(core, p, id).await
}

/// The credit note a refund comes with (unless told not to): for what is
/// given back beyond what the client had overpaid. Returns its amount.
async fn credit_back(
    core: &Core,
    tx: &darkroom_db::Tx,
    (p, meta): (&Principal, &Meta),
    mv: &Movement,
    credit: Option<bool>,
    reason: &str,
) -> CoreResult<i64> {
    let owed_back = (-mv.sums.owed()).max(0);
    let to_credit = (mv.amount - owed_back).max(0);
    if credit.unwrap_or(true) && to_credit > 0 {
        super::credit::credit_in(core, tx, p, meta, &mv.m, to_credit, reason).await?;
    }
    Ok(to_credit)
}

/// Gives money back on an invoice (with a credit note for it, unless told
/// not to).
pub async fn refund(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: InvoiceId,
    input: RefundInput,
) -> CoreResult<InvoiceDetail> {
    let m = super::load(core, p, id, Permission::PaymentRefund).await?;
    if replayed(core, p, input.id, id).await? {
        return detail(core, p, id).await;
    }
    let mut errs = FieldErrors::new();
    let method = errs.check("method", input.method.check());
    if method == Some(PaymentMethod::Credit) {
        errs.add(
            "method",
            "not_money",
            "give money back by cash, bank transfer, card terminal, cheque, UPI, or through Stripe for a card payment",
        );
    }
    let reason = errs.check("reason", input.reason.check("the reason"));
    let reference = input
        .reference
        .as_ref()
        .and_then(|r| errs.check("reference", r.check("the reference")).flatten());
    let tx = core.db().begin().await?;
    let mv = movement(core, &tx, p, id, &input.amount, None, &mut errs).await?;
    errs.into_result()?;
    let (Some(mv), Some(method), Some(reason)) = (mv, method, reason) else {
        return Err(CoreError::invalid("amount", "the amount is missing"));
    };
    let refundable = mv.sums.paid - mv.sums.refunded;
    if mv.amount > refundable {
        return Err(CoreError::invalid(
            "amount",
            format!(
                "at most {} was paid on invoice {} and not given back; refund no more than that",
                money(&mv.m.currency, refundable),
                m.number.as_deref().unwrap_or("")
            ),
        ));
    }
    let mut r = entry(core, p, &mv, EntryKind::Refund, method, mv.amount);
    if let Some(id) = input.id {
        r.id = id.uuid();
    }
    r.reference = reference;
    if method == PaymentMethod::Stripe {
        // Before anything is written: a refusal from Stripe changes nothing.
        let back = super::stripe::online::refund(core, &tx, &mv.m, mv.amount, r.id).await?;
        r.reference = back.payment_intent;
        r.external_id = Some(back.id);
    }
    let to_credit = credit_back(core, &tx, (p, meta), &mv, input.credit, &reason).await?;
    r.note = Some(reason.clone());
    repo::billing::append(&tx, r).await?;
    let fresh = repo::billing::find(&tx, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("invoice"))?;
    let status = super::issue::settle(core, &tx, &fresh, &mv.today).await?;
    let payload = serde_json::json!({
        "amount": mv.amount, "method": method, "currency": mv.m.currency, "reason": reason,
        "credited": input.credit.unwrap_or(true).then_some(to_credit), "status": status,
    });
    record(
        core,
        &tx,
        meta,
        p,
        &mv.m,
        ("payment.refunded", Severity::High),
        payload,
    )
    .await?;
    crate::commit(tx).await?;
    detail(core, p, id).await
}
