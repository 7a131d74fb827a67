//! Lists of invoices and a client's account.

use darkroom_db::repo;
use darkroom_domain::authz::BranchFilter;
use darkroom_domain::billing::InvoiceStatus;
use darkroom_domain::field::InvoiceStatusName;
use darkroom_domain::permission::Permission;
use darkroom_domain::{BranchId, ClientId, ProjectId, TypedId};
use serde::{Deserialize, Serialize};

use super::{EntryView, InvoiceView, entry_view, view};
use crate::kernel::error::{CoreError, CoreResult};
use crate::{Core, Principal};

/// What to list invoices by.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InvoiceFilter {
    pub client_id: Option<ClientId>,
    pub project_id: Option<ProjectId>,
    pub branch_id: Option<BranchId>,
    pub status: Option<InvoiceStatusName>,
    /// `true`: credit notes only; `false`: invoices only.
    pub credit_notes: Option<bool>,
    /// Only those still owing (issued, partly paid, overdue).
    pub open: Option<bool>,
}

/// How many invoices a list shows at most.
const LIST_LIMIT: u64 = 500;

/// The views of `rows`, with their ledgers and clients' names read once.
pub(crate) async fn views(
    c: &impl darkroom_db::sea_orm::ConnectionTrait,
    studio: darkroom_domain::StudioId,
    rows: Vec<darkroom_db::entity::invoice::Model>,
) -> CoreResult<Vec<InvoiceView>> {
    let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
    let mut entries = Vec::new();
    for chunk in ids.chunks(300) {
        entries.extend(repo::billing::entries(c, studio, chunk, None).await?);
    }
    let clients: Vec<_> = rows.iter().map(|r| r.client_id).collect();
    let names = crate::crm::interface::client_names(c, studio, &clients).await?;
    Ok(rows
        .into_iter()
        .map(|m| {
            let sums =
                repo::billing::Sums::of(entries.iter().filter(|e| e.invoice_id == Some(m.id)));
            let name = names
                .iter()
                .find(|(id, _)| *id == m.client_id)
                .map(|(_, n)| n.clone());
            view(m, sums, name)
        })
        .collect())
}

/// A studio's invoices (those of the branches `p` may see), newest first.
pub async fn list(core: &Core, p: &Principal, f: &InvoiceFilter) -> CoreResult<Vec<InvoiceView>> {
    let allowed = core.branch_filter(p, Permission::InvoiceView);
    if matches!(&allowed, BranchFilter::Only(b) if b.is_empty()) {
        return Err(CoreError::forbidden(
            "you need the `invoice.view` permission to see invoices; ask the studio owner",
        ));
    }
    let status = match &f.status {
        Some(s) => Some(s.check().map_err(|e| CoreError::invalid("status", e))?),
        None => None,
    };
    let filter = repo::billing::Filter {
        client: f.client_id.map(|x| x.uuid()),
        project: f.project_id.map(|x| x.uuid()),
        branch: f.branch_id.map(|x| x.uuid()),
        status,
        credit_notes: f.credit_notes,
        statuses: f.open.filter(|o| *o).map(|_| {
            vec![
                InvoiceStatus::Issued,
                InvoiceStatus::PartlyPaid,
                InvoiceStatus::Overdue,
            ]
        }),
    };
    let c = core.db().conn();
    let rows = repo::billing::list(c, p.studio, &filter, LIST_LIMIT)
        .await?
        .into_iter()
        .filter(|m| allowed.allows(BranchId::from_uuid(m.branch_id)))
        .collect();
    views(c, p.studio, rows).await
}

/// A client's account: what they owe, their credit, and every entry.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Account {
    pub client_id: ClientId,
    /// Per currency: what the client owes on issued invoices.
    pub owed: Vec<(String, i64)>,
    /// Per currency: credit held from overpayments.
    pub credit: Vec<(String, i64)>,
    pub invoices: Vec<InvoiceView>,
    pub entries: Vec<EntryView>,
}

/// A client's account with the studio.
pub async fn account(core: &Core, p: &Principal, client: ClientId) -> CoreResult<Account> {
    let c = core.db().conn();
    crate::crm::interface::client_card(c, p.studio, client)
        .await?
        .ok_or(CoreError::not_found("client"))?;
    let f = InvoiceFilter {
        client_id: Some(client),
        ..Default::default()
    };
    let invoices = list(core, p, &f).await?;
    let entries = repo::billing::entries(c, p.studio, &[], Some(client.uuid())).await?;
    let allowed = core.branch_filter(p, Permission::InvoiceView);
    let entries: Vec<_> = entries
        .into_iter()
        .filter(|e| allowed.allows(BranchId::from_uuid(e.branch_id)))
        .collect();
    let mut owed: Vec<(String, i64)> = Vec::new();
    for i in invoices.iter().filter(|i| i.credit_note_of.is_none()) {
        add(&mut owed, &i.currency, i.owed_minor);
    }
    let mut credit: Vec<(String, i64)> = Vec::new();
    for e in &entries {
        let sign =
            if e.kind == darkroom_domain::billing::EntryKind::Refund && e.invoice_id.is_none() {
                -1
            } else {
                e.kind.credit_sign()
            };
        add(&mut credit, &e.currency, sign * e.amount_minor);
    }
    Ok(Account {
        client_id: client,
        owed,
        credit,
        invoices,
        entries: entries.into_iter().map(entry_view).collect(),
    })
}

fn add(list: &mut Vec<(String, i64)>, currency: &str, v: i64) {
    match list.iter_mut().find(|(c, _)| c == currency) {
        Some((_, x)) => *x += v,
        None => list.push((currency.to_string(), v)),
    }
}
