//! Moving a signed contract's event to another day: the contract's day
//! changes (the refund schedule counts from it), the rescheduling fee of
//! its terms is invoiced (issued at once, the tax of the proposal's first
//! line, included), and the move is in the audit chain. Issued invoices
//! keep their due days.

use darkroom_db::entity::contract;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::audit::Severity;
use darkroom_domain::billing::lines::fmt_rate;
use darkroom_domain::field::{
    Amount, DayOrBlank, InvoiceKindName, Line, LineKindName, Percent, Text,
};
use darkroom_domain::permission::Permission;
use darkroom_domain::{BranchId, ContractId, InvoiceId, TypedId};
use serde::{Deserialize, Serialize};

use super::document::Document;
use super::schedule::plain;
use super::{ContractView, bare_view, currency_of, load, record, staff, terms_of};
use crate::billing::draft::InvoiceInput;
use crate::billing::line::LineInput;
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// Moving the event.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleInput {
    pub version: i64,
    /// The new day (`YYYY-MM-DD`), not before today.
    pub event_on: DayOrBlank,
    /// Why (in the audit log and on the fee's invoice).
    pub reason: Line<500>,
}

/// Moves a signed contract's event; invoices its rescheduling fee.
pub async fn reschedule(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: ContractId,
    input: RescheduleInput,
) -> CoreResult<ContractView> {
    let m = load(core, p, id, Permission::InvoiceManage).await?;
    if !m.status.is_binding() {
        return Err(CoreError::conflict(
            "not_signed",
            format!(
                "a {} contract is not moved; only a signed or active one",
                m.status
            ),
        ));
    }
    let reason = input
        .reason
        .check("the reason")
        .map_err(|e| CoreError::invalid("reason", e))?;
    let day = input
        .event_on
        .check()
        .ok()
        .and_then(|d| darkroom_domain::field::day_of(&d))
        .ok_or_else(|| CoreError::invalid("event_on", "give the new day as YYYY-MM-DD"))?;
    let b = darkroom_db::repo::branch::find(
        core.db().conn(),
        p.studio,
        BranchId::from_uuid(m.branch_id),
        true,
    )
    .await?
    .ok_or(CoreError::not_found("branch"))?;
    let today = crate::billing::issue::today_at(core, &b);
    if day < today {
        return Err(CoreError::invalid(
            "event_on",
            format!("{day} has passed; choose today ({today}) or later"),
        ));
    }
    let before = m.event_on.clone().unwrap_or_default();
    if before == day.to_string() {
        return Err(CoreError::invalid(
            "event_on",
            "that is the event's day already",
        ));
    }
    let tx = core.db().begin().await?;
    let am = contract::ActiveModel {
        event_on: Set(Some(day.to_string())),
        ..Default::default()
    };
    write::update::<contract::Entity, _>(core, &tx, p.studio, m.id, input.version, am, bare_view)
        .await?;
    let fee = terms_of(&m).reschedule_fee_minor;
    let payload =
        serde_json::json!({ "from": before, "to": day.to_string(), "reason": reason, "fee": fee });
    record(
        core,
        &tx,
        meta,
        staff(p),
        &m,
        ("contract.rescheduled", Severity::Medium),
        payload,
    )
    .await?;
    crate::commit(tx).await?;
    if fee > 0 {
        fee_invoice(core, p, meta, &m, fee, (&before, &day.to_string())).await?;
    }
    super::detail(core, p, id).await
}

/// Issues the rescheduling fee's invoice, linked to the contract.
async fn fee_invoice(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    m: &contract::Model,
    fee: i64,
    (from, to): (&str, &str),
) -> CoreResult<InvoiceId> {
    let d = m.document.as_deref().map(Document::parse).transpose()?;
    let rate = d
        .as_ref()
        .and_then(|d| d.lines.first().map(|l| l.tax_rate_mp))
        .unwrap_or(0);
    let number = m.number.clone().unwrap_or_default();
    let line = LineInput {
        kind: Some(LineKindName("fee".into())),
        description: Some(Line(format!("Rescheduling fee ({number}: {from} to {to})"))),
        unit_price: Some(Amount(plain(currency_of(m)?, fee))),
        tax_rate: Some(Percent(fmt_rate(rate))),
        ..Default::default()
    };
    let made = crate::billing::draft::create(
        core,
        p,
        meta,
        InvoiceInput {
            client_id: Some(darkroom_domain::ClientId::from_uuid(m.client_id)),
            project_id: Some(darkroom_domain::ProjectId::from_uuid(m.project_id)),
            branch_id: Some(BranchId::from_uuid(m.branch_id)),
            kind: Some(InvoiceKindName("booking".into())),
            prices_include_tax: Some(true),
            notes: Some(Text(format!("Rescheduling under contract {number}"))),
            lines: Some(vec![line]),
            ..Default::default()
        },
    )
    .await?;
    let inv = &made.invoice;
    let tx = core.db().begin().await?;
    super::schedule::link_invoice(core, &tx, p.studio, m.id, inv.id, inv.version).await?;
    crate::commit(tx).await?;
    crate::billing::issue::issue(
        core,
        p,
        meta,
        inv.id,
        crate::billing::issue::IssueInput {
            version: inv.version + 1,
        },
    )
    .await?;
    Ok(inv.id)
}
