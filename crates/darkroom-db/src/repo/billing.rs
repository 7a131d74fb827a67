//! Billing's rows: branches' tax settings, invoices with their lines, and
//! the ledger (decision 0032). The ledger is only ever added to.

use darkroom_domain::billing::{EntryKind, InvoiceStatus};
use darkroom_domain::{InvoiceId, StudioId, TypedId};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::DbResult;
use crate::entity::{
    billing_profile, cash_receipt, invoice, invoice_line, ledger_entry, payment_account,
};

/// A branch's tax settings, if staff saved any.
pub async fn profile(
    c: &impl ConnectionTrait,
    studio: StudioId,
    branch: Uuid,
) -> DbResult<Option<billing_profile::Model>> {
    Ok(billing_profile::Entity::find()
        .filter(billing_profile::Column::StudioId.eq(studio))
        .filter(billing_profile::Column::BranchId.eq(branch))
        .one(c)
        .await?)
}

/// A live invoice or credit note of a studio.
pub async fn find(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: InvoiceId,
) -> DbResult<Option<invoice::Model>> {
    Ok(invoice::Entity::find_by_id(id.uuid())
        .filter(invoice::Column::StudioId.eq(studio))
        .filter(invoice::Column::DeletedAt.is_null())
        .one(c)
        .await?)
}

/// What to list invoices by.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub client: Option<Uuid>,
    pub project: Option<Uuid>,
    pub branch: Option<Uuid>,
    pub status: Option<InvoiceStatus>,
    /// `Some(true)`: credit notes only; `Some(false)`: invoices only.
    pub credit_notes: Option<bool>,
    /// Only these statuses (open invoices).
    pub statuses: Option<Vec<InvoiceStatus>>,
}

/// A studio's live invoices, newest first, at most `limit`.
pub async fn list(
    c: &impl ConnectionTrait,
    studio: StudioId,
    f: &Filter,
    limit: u64,
) -> DbResult<Vec<invoice::Model>> {
    let mut q = invoice::Entity::find()
        .filter(invoice::Column::StudioId.eq(studio))
        .filter(invoice::Column::DeletedAt.is_null());
    if let Some(v) = f.client {
        q = q.filter(invoice::Column::ClientId.eq(v));
    }
    if let Some(v) = f.project {
        q = q.filter(invoice::Column::ProjectId.eq(v));
    }
    if let Some(v) = f.branch {
        q = q.filter(invoice::Column::BranchId.eq(v));
    }
    if let Some(s) = f.status {
        q = q.filter(invoice::Column::Status.eq(s));
    }
    if let Some(list) = &f.statuses {
        q = q.filter(invoice::Column::Status.is_in(list.iter().copied()));
    }
    match f.credit_notes {
        Some(true) => q = q.filter(invoice::Column::CreditNoteOf.is_not_null()),
        Some(false) => q = q.filter(invoice::Column::CreditNoteOf.is_null()),
        None => {}
    }
    Ok(q.order_by_desc(invoice::Column::CreatedAt)
        .order_by_desc(invoice::Column::Id)
        .limit(limit)
        .all(c)
        .await?)
}

/// The credit notes of an invoice.
pub async fn credit_notes(
    c: &impl ConnectionTrait,
    studio: StudioId,
    of: Uuid,
) -> DbResult<Vec<invoice::Model>> {
    Ok(invoice::Entity::find()
        .filter(invoice::Column::StudioId.eq(studio))
        .filter(invoice::Column::CreditNoteOf.eq(of))
        .filter(invoice::Column::DeletedAt.is_null())
        .order_by_asc(invoice::Column::CreatedAt)
        .all(c)
        .await?)
}

/// An invoice's lines in order.
pub async fn lines(
    c: &impl ConnectionTrait,
    studio: StudioId,
    invoice: Uuid,
) -> DbResult<Vec<invoice_line::Model>> {
    Ok(invoice_line::Entity::find()
        .filter(invoice_line::Column::StudioId.eq(studio))
        .filter(invoice_line::Column::InvoiceId.eq(invoice))
        .order_by_asc(invoice_line::Column::Position)
        .order_by_asc(invoice_line::Column::CreatedAt)
        .all(c)
        .await?)
}

/// How many lines an invoice has.
pub async fn line_count(
    c: &impl ConnectionTrait,
    studio: StudioId,
    invoice: Uuid,
) -> DbResult<u64> {
    Ok(invoice_line::Entity::find()
        .filter(invoice_line::Column::StudioId.eq(studio))
        .filter(invoice_line::Column::InvoiceId.eq(invoice))
        .count(c)
        .await?)
}

/// Removes a draft's line.
pub async fn delete_line(c: &impl ConnectionTrait, studio: StudioId, id: Uuid) -> DbResult<()> {
    invoice_line::Entity::delete_many()
        .filter(invoice_line::Column::StudioId.eq(studio))
        .filter(invoice_line::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}

/// Adds a ledger entry. There is no update and no delete.
pub async fn append(c: &impl ConnectionTrait, row: ledger_entry::Model) -> DbResult<()> {
    use sea_orm::IntoActiveModel;
    ledger_entry::Entity::insert(row.into_active_model())
        .exec(c)
        .await?;
    Ok(())
}

/// A ledger entry by its id, in any studio (to tell a reused id).
pub async fn entry_by_id(
    c: &impl ConnectionTrait,
    id: Uuid,
) -> DbResult<Option<ledger_entry::Model>> {
    Ok(ledger_entry::Entity::find_by_id(id).one(c).await?)
}

/// The entry a gateway's id was taken as, if it was.
pub async fn entry_by_external(
    c: &impl ConnectionTrait,
    studio: StudioId,
    external: &str,
) -> DbResult<Option<ledger_entry::Model>> {
    Ok(ledger_entry::Entity::find()
        .filter(ledger_entry::Column::StudioId.eq(studio))
        .filter(ledger_entry::Column::ExternalId.eq(external))
        .one(c)
        .await?)
}

/// The ledger entries of some invoices (all of them when `invoices` is
/// empty and `client` is set: a client's whole account).
pub async fn entries(
    c: &impl ConnectionTrait,
    studio: StudioId,
    invoices: &[Uuid],
    client: Option<Uuid>,
) -> DbResult<Vec<ledger_entry::Model>> {
    let mut q = ledger_entry::Entity::find().filter(ledger_entry::Column::StudioId.eq(studio));
    if !invoices.is_empty() {
        q = q.filter(ledger_entry::Column::InvoiceId.is_in(invoices.iter().copied()));
    } else if let Some(cl) = client {
        q = q.filter(ledger_entry::Column::ClientId.eq(cl));
    } else {
        return Ok(Vec::new());
    }
    Ok(q.order_by_asc(ledger_entry::Column::CreatedAt)
        .order_by_asc(ledger_entry::Column::Id)
        .all(c)
        .await?)
}

/// A studio's ledger between two days (inclusive), in order.
pub async fn entries_between(
    c: &impl ConnectionTrait,
    studio: StudioId,
    from: &str,
    to: &str,
) -> DbResult<Vec<ledger_entry::Model>> {
    Ok(ledger_entry::Entity::find()
        .filter(ledger_entry::Column::StudioId.eq(studio))
        .filter(ledger_entry::Column::OccurredOn.gte(from))
        .filter(ledger_entry::Column::OccurredOn.lte(to))
        .order_by_asc(ledger_entry::Column::CreatedAt)
        .order_by_asc(ledger_entry::Column::Id)
        .all(c)
        .await?)
}

/// What an invoice's entries add up to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sums {
    pub charged: i64,
    pub paid: i64,
    pub credited: i64,
    pub refunded: i64,
}

impl Sums {
    pub fn of<'a>(entries: impl IntoIterator<Item = &'a ledger_entry::Model>) -> Sums {
        let mut s = Sums::default();
        for e in entries {
            match e.kind {
                EntryKind::Charge => s.charged += e.amount_minor,
                EntryKind::Payment | EntryKind::CreditApplied => s.paid += e.amount_minor,
                EntryKind::CreditNote => s.credited += e.amount_minor,
                EntryKind::Refund => s.refunded += e.amount_minor,
                EntryKind::Overpayment => {}
            }
        }
        s
    }

    /// What the client still owes (negative: the studio owes them).
    pub fn owed(&self) -> i64 {
        self.charged - self.credited - (self.paid - self.refunded)
    }
}

/// A client's credit: overpayments held, less what was used or given
/// back.
pub fn credit_of<'a>(entries: impl IntoIterator<Item = &'a ledger_entry::Model>) -> i64 {
    entries
        .into_iter()
        .map(|e| {
            if e.kind == EntryKind::Refund && e.invoice_id.is_none() {
                -e.amount_minor
            } else {
                e.kind.credit_sign() * e.amount_minor
            }
        })
        .sum()
}

/// Open invoices of every studio due before `day` (the overdue chore).
pub async fn past_due_all(
    c: &impl ConnectionTrait,
    day: &str,
    limit: u64,
) -> DbResult<Vec<invoice::Model>> {
    Ok(invoice::Entity::find()
        .filter(invoice::Column::DeletedAt.is_null())
        .filter(invoice::Column::Status.is_in([InvoiceStatus::Issued, InvoiceStatus::PartlyPaid]))
        .filter(invoice::Column::DueOn.lt(day))
        .order_by_asc(invoice::Column::DueOn)
        .limit(limit)
        .all(c)
        .await?)
}

/// A studio's cash receipts, oldest payment first: of one status, or in a
/// range of payment days.
pub async fn cash_receipts(
    c: &impl ConnectionTrait,
    studio: StudioId,
    status: Option<darkroom_domain::billing::ReceiptStatus>,
    from: Option<&str>,
    to: Option<&str>,
) -> DbResult<Vec<cash_receipt::Model>> {
    let mut q = cash_receipt::Entity::find().filter(cash_receipt::Column::StudioId.eq(studio));
    if let Some(s) = status {
        q = q.filter(cash_receipt::Column::Status.eq(s));
    }
    if let Some(f) = from {
        q = q.filter(cash_receipt::Column::PaidOn.gte(f));
    }
    if let Some(t) = to {
        q = q.filter(cash_receipt::Column::PaidOn.lte(t));
    }
    Ok(q.order_by_asc(cash_receipt::Column::PaidOn)
        .order_by_asc(cash_receipt::Column::CreatedAt)
        .limit(5000)
        .all(c)
        .await?)
}

/// A studio's cash receipt.
pub async fn cash_receipt(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: Uuid,
) -> DbResult<Option<cash_receipt::Model>> {
    Ok(cash_receipt::Entity::find_by_id(id)
        .filter(cash_receipt::Column::StudioId.eq(studio))
        .one(c)
        .await?)
}

/// The studio's account with an online payment provider, if it set one.
pub async fn payment_account(
    c: &impl ConnectionTrait,
    studio: StudioId,
    provider: &str,
) -> DbResult<Option<payment_account::Model>> {
    Ok(payment_account::Entity::find()
        .filter(payment_account::Column::StudioId.eq(studio))
        .filter(payment_account::Column::Provider.eq(provider))
        .one(c)
        .await?)
}

/// Removes the studio's account with a provider.
pub async fn delete_payment_account(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: Uuid,
) -> DbResult<()> {
    payment_account::Entity::delete_many()
        .filter(payment_account::Column::StudioId.eq(studio))
        .filter(payment_account::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}

/// Open invoices (not credit notes) of every studio due between two days,
/// for the payment reminders.
pub async fn due_between_all(
    c: &impl ConnectionTrait,
    from: &str,
    to: &str,
    limit: u64,
) -> DbResult<Vec<invoice::Model>> {
    Ok(invoice::Entity::find()
        .filter(invoice::Column::DeletedAt.is_null())
        .filter(invoice::Column::CreditNoteOf.is_null())
        .filter(invoice::Column::Status.is_in([
            InvoiceStatus::Issued,
            InvoiceStatus::PartlyPaid,
            InvoiceStatus::Overdue,
        ]))
        .filter(invoice::Column::DueOn.gte(from))
        .filter(invoice::Column::DueOn.lte(to))
        .order_by_asc(invoice::Column::DueOn)
        .limit(limit)
        .all(c)
        .await?)
}

/// Claims reminder `key` of invoice `id`: true for the one caller that
/// sends it (the version is not bumped: a reminder changes no money).
pub async fn claim_reminder(c: &impl ConnectionTrait, id: Uuid, key: &str) -> DbResult<bool> {
    use sea_orm::Condition;
    use sea_orm::sea_query::Expr;
    let r = invoice::Entity::update_many()
        .col_expr(invoice::Column::RemindedKey, Expr::value(key.to_string()))
        .filter(invoice::Column::Id.eq(id))
        .filter(
            Condition::any()
                .add(invoice::Column::RemindedKey.is_null())
                .add(invoice::Column::RemindedKey.ne(key)),
        )
        .exec(c)
        .await?;
    Ok(r.rows_affected == 1)
}
