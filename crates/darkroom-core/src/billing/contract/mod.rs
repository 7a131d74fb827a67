//! Contracts (decision 0034): a proposal built as a draft invoice (the
//! project's package, add-ons, fees), a body from the studio's template
//! with its variables filled, and structured terms that drive money. Sent,
//! it is frozen as one document (its SHA-256 kept), signed by each of the
//! client's signers through their own link with an emailed code, then
//! countersigned by the studio; the signed PDF's hash goes into the audit
//! chain. Its payment schedule issues the deposit and balance invoices;
//! cancelling refunds what the refund schedule allows.

use darkroom_db::entity::{contract, contract_signer};
use darkroom_db::repo;
use darkroom_db::sea_orm::ConnectionTrait;
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::Target;
use darkroom_domain::billing::InvoiceStatus;
use darkroom_domain::billing::contract::{ContractStatus, SignatureKind, SignerRole, Terms};
use darkroom_domain::money::Currency;
use darkroom_domain::permission::Permission;
use darkroom_domain::{
    BranchId, ClientId, ContractId, InvoiceId, ProjectId, SignerId, StudioId, TemplateId,
    Timestamp, TypedId,
};
use serde::Serialize;

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::{Core, Meta, Principal};

pub mod countersign;
pub mod document;
pub mod draft;
pub mod end;
pub mod pdf;
pub mod reschedule;
pub mod schedule;
pub mod send;
pub mod sign;
pub mod template;
pub mod terms;
pub mod verify;

/// A signer and the evidence of their signing.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SignerView {
    pub id: SignerId,
    pub role: SignerRole,
    pub name: String,
    pub email: String,
    pub viewed_at: Option<Timestamp>,
    /// When they confirmed the emailed code.
    pub verified_at: Option<Timestamp>,
    pub consented_at: Option<Timestamp>,
    pub signed_at: Option<Timestamp>,
    pub signature_kind: Option<SignatureKind>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The SHA-256 of the document they signed.
    pub document_sha256: Option<String>,
}

/// One payment of the schedule.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ScheduleItem {
    /// `deposit` or `balance`.
    pub what: String,
    pub amount_minor: i64,
    pub amount: String,
    /// `YYYY-MM-DD`; the deposit's is the signing day (none before).
    pub due_on: Option<String>,
    pub invoice_id: Option<InvoiceId>,
    pub invoice_number: Option<String>,
    pub invoice_status: Option<InvoiceStatus>,
}

/// What the refund schedule gives back if the client cancels today.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RefundAllowance {
    /// Today, in the branch's zone.
    pub as_of: String,
    pub days_before: i64,
    /// Paid so far on the contract's invoices, less refunds.
    pub paid_minor: i64,
    pub paid: String,
    /// The schedule's share today (`50`, percent).
    pub rate: String,
    pub allowed_minor: i64,
    pub allowed: String,
}

/// A contract as staff see it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ContractView {
    pub id: ContractId,
    /// `BLR-C-2026-27/000001`; none while a draft.
    pub number: Option<String>,
    pub status: ContractStatus,
    pub title: String,
    pub body: String,
    pub client_id: ClientId,
    pub client_name: Option<String>,
    pub project_id: ProjectId,
    pub branch_id: BranchId,
    pub template_id: Option<TemplateId>,
    /// The proposal's draft invoice, while the contract is a draft.
    pub quote_id: Option<InvoiceId>,
    pub currency: String,
    pub event_on: Option<String>,
    pub total_minor: Option<i64>,
    pub total: Option<String>,
    pub terms: terms::TermsView,
    pub schedule: Vec<ScheduleItem>,
    pub document_sha256: Option<String>,
    pub signed_pdf_sha256: Option<String>,
    pub sent_at: Option<Timestamp>,
    /// When the client accepted the proposal.
    pub accepted_at: Option<Timestamp>,
    pub signed_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub cancel_reason: Option<String>,
    /// Why the schedule's invoices could not be issued yet.
    pub schedule_problem: Option<String>,
    pub signers: Vec<SignerView>,
    /// While it binds: what cancelling today would refund.
    pub refund: Option<RefundAllowance>,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

fn ts(v: Option<i64>) -> Option<Timestamp> {
    v.map(Timestamp::from_micros)
}

pub(crate) fn signer_view(s: &contract_signer::Model) -> SignerView {
    SignerView {
        id: SignerId::from_uuid(s.id),
        role: s.role,
        name: s.name.clone(),
        email: s.email.clone(),
        viewed_at: ts(s.viewed_at),
        verified_at: ts(s.verified_at),
        consented_at: ts(s.consented_at),
        signed_at: ts(s.signed_at),
        signature_kind: s.signature_kind,
        ip: s.ip.clone(),
        user_agent: s.user_agent.clone(),
        document_sha256: s.document_sha256.clone(),
    }
}

/// The stored terms of `m`.
pub(crate) fn terms_of(m: &contract::Model) -> Terms {
    serde_json::from_str(&m.terms).unwrap_or_default()
}

pub(crate) fn currency_of(m: &contract::Model) -> CoreResult<Currency> {
    Currency::parse(&m.currency).map_err(|e| CoreError::invalid("currency", e))
}

/// The bare row's view (no signers, schedule or refund), for conflicts.
pub(crate) fn bare_view(m: contract::Model) -> ContractView {
    let currency = Currency::parse(&m.currency).unwrap_or(Currency::USD);
    let terms = terms::view(&terms_of(&m), currency);
    ContractView {
        id: ContractId::from_uuid(m.id),
        number: m.number,
        status: m.status,
        title: m.title,
        body: m.body,
        client_id: ClientId::from_uuid(m.client_id),
        client_name: None,
        project_id: ProjectId::from_uuid(m.project_id),
        branch_id: BranchId::from_uuid(m.branch_id),
        template_id: m.template_id.map(TemplateId::from_uuid),
        quote_id: m.quote_id.map(InvoiceId::from_uuid),
        total: m.total_minor.map(|t| currency.format_minor(t)),
        currency: m.currency,
        event_on: m.event_on,
        total_minor: m.total_minor,
        terms,
        schedule: Vec::new(),
        document_sha256: m.document_sha256,
        signed_pdf_sha256: m.signed_pdf_sha256,
        sent_at: ts(m.sent_at),
        accepted_at: ts(m.accepted_at),
        signed_at: ts(m.signed_at),
        ended_at: ts(m.ended_at),
        cancel_reason: m.cancel_reason,
        schedule_problem: m.schedule_problem,
        signers: Vec::new(),
        refund: None,
        version: m.version,
        created_at: Timestamp::from_micros(m.created_at),
        updated_at: Timestamp::from_micros(m.updated_at),
    }
}

/// The full view of a stored contract.
pub(crate) async fn view_of(
    core: &Core,
    c: &impl ConnectionTrait,
    m: contract::Model,
) -> CoreResult<ContractView> {
    let studio = StudioId::from_uuid(m.studio_id);
    let signers = repo::contract::signers(c, studio, m.id).await?;
    let names = crate::crm::interface::client_names(c, studio, &[m.client_id]).await?;
    let schedule = schedule::items(c, &m).await?;
    let refund = schedule::allowance(core, c, &m).await?;
    let mut v = bare_view(m);
    v.client_name = names.into_iter().next().map(|(_, n)| n);
    v.signers = signers.iter().map(signer_view).collect();
    v.schedule = schedule;
    v.refund = refund;
    Ok(v)
}

/// Contract `id` of the caller's studio, if they may `action` on its branch.
pub(crate) async fn load(
    core: &Core,
    p: &Principal,
    id: ContractId,
    action: Permission,
) -> CoreResult<contract::Model> {
    let m = repo::contract::find(core.db().conn(), p.studio, id)
        .await?
        .ok_or(CoreError::not_found("contract"))?;
    core.authorize(p, action, Target::branch(BranchId::from_uuid(m.branch_id)))?;
    Ok(m)
}

/// One contract with its signers, schedule and refund allowance.
pub async fn detail(core: &Core, p: &Principal, id: ContractId) -> CoreResult<ContractView> {
    let m = load(core, p, id, Permission::InvoiceView).await?;
    view_of(core, core.db().conn(), m).await
}

/// What to list contracts by.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ContractFilter {
    pub client_id: Option<ClientId>,
    pub project_id: Option<ProjectId>,
    pub status: Option<darkroom_domain::field::ContractStatusName>,
}

/// The studio's contracts (newest first, up to 500) the caller may see.
pub async fn list(core: &Core, p: &Principal, f: &ContractFilter) -> CoreResult<Vec<ContractView>> {
    let c = core.db().conn();
    let status = match &f.status {
        Some(s) => Some(s.check().map_err(|e| CoreError::invalid("status", e))?),
        None => None,
    };
    let filter = repo::contract::Filter {
        client: f.client_id.map(|x| x.uuid()),
        project: f.project_id.map(|x| x.uuid()),
        status,
        sent: false,
    };
    let rows = repo::contract::list(c, p.studio, &filter, 500).await?;
    let ids: Vec<_> = rows.iter().map(|m| m.client_id).collect();
    let names = crate::crm::interface::client_names(c, p.studio, &ids).await?;
    let mut out = Vec::new();
    for m in rows {
        let branch = BranchId::from_uuid(m.branch_id);
        if core
            .authorize(p, Permission::InvoiceView, Target::branch(branch))
            .is_err()
        {
            continue;
        }
        let client = m.client_id;
        let mut v = bare_view(m);
        v.client_name = names
            .iter()
            .find(|(id, _)| *id == client)
            .map(|(_, n)| n.clone());
        out.push(v);
    }
    Ok(out)
}

/// Records a contract event in the audit chain.
pub(crate) async fn record(
    core: &Core,
    c: &impl ConnectionTrait,
    meta: &Meta,
    who: Who,
    m: &contract::Model,
    (event_type, severity): (&'static str, Severity),
    payload: serde_json::Value,
) -> CoreResult<()> {
    audit::record(
        core,
        c,
        meta,
        Event {
            studio: Some(StudioId::from_uuid(m.studio_id)),
            branch: Some(BranchId::from_uuid(m.branch_id)),
            who,
            event_type,
            severity,
            target_type: "contract",
            target_id: ContractId::from_uuid(m.id).to_string(),
            payload,
        },
    )
    .await
}

/// Who a staff member is, for the audit chain.
pub(crate) fn staff(p: &Principal) -> Who {
    Who::of(p)
}
