//! Making a contract for a project: its proposal starts as a draft invoice
//! with the project's package (staff add add-ons and fees on it), its
//! title, body and terms come from a template; all change freely until
//! it is sent.

use darkroom_db::entity::contract;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::audit::Severity;
use darkroom_domain::billing::contract::{self as rules, ContractStatus};
use darkroom_domain::field::{Line, Prose, Text};
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{ContractId, InvoiceId, ProjectId, TemplateId, TypedId};
use serde::{Deserialize, Serialize};

use super::template;
use super::terms::{self, TermsInput};
use super::{ContractView, bare_view, currency_of, load, record, staff, terms_of};
use crate::billing::draft::InvoiceInput;
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// A contract as staff send it.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractInput {
    /// Optional client-chosen UUIDv7 (`con_...`).
    pub id: Option<ContractId>,
    pub version: Option<i64>,
    /// The project it is for (its client, branch and day).
    pub project_id: Option<ProjectId>,
    /// The template to start from; the studio's first when left out.
    pub template_id: Option<TemplateId>,
    pub title: Option<Line<200>>,
    pub body: Option<Prose<50000>>,
    pub terms: Option<TermsInput>,
}

crate::bodies!(ContractInput, "a contract":
    add NewContract requires ["project_id"] without ["version"];
    change ContractChange requires ["version"] without ["id", "project_id", "template_id"]);

/// The title and body sent, checked.
fn text_fields(input: &ContractInput, am: &mut contract::ActiveModel, errs: &mut FieldErrors) {
    if let Some(t) = &input.title
        && let Some(t) = errs.check("title", t.check("the title"))
    {
        am.title = Set(t);
    }
    if let Some(b) = &input.body
        && let Some(b) = errs.check("body", b.check("the body"))
    {
        match b {
            Some(b) => {
                if errs.check("body", rules::check_body(&b)).is_some() {
                    am.body = Set(b);
                }
            }
            None => errs.add("body", "required", "write the contract's text"),
        }
    }
}

/// Adds a draft contract for a project, with its proposal's draft invoice.
pub async fn create(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    input: ContractInput,
) -> CoreResult<ContractView> {
    let c = core.db().conn();
    let mut errs = FieldErrors::new();
    if input.version.is_some() {
        errs.add(
            "version",
            "not_allowed",
            "a new contract has no version yet; leave it out",
        );
    }
    let project_id = input.project_id.ok_or_else(|| {
        CoreError::invalid(
            "project_id",
            "say which project the contract is for (`prj_...`)",
        )
    })?;
    let project = crate::projects::interface::project_for_billing(c, p.studio, project_id)
        .await?
        .ok_or_else(|| CoreError::missing("project_id", "project", project_id))?;
    let (template_id, title, body, base) =
        template::starting_point(core, p.studio, input.template_id).await?;
    let mut am = contract::ActiveModel {
        title: Set(title),
        body: Set(body),
        ..Default::default()
    };
    text_fields(&input, &mut am, &mut errs);
    errs.into_result()?;
    let quote = crate::billing::draft::create(
        core,
        p,
        meta,
        InvoiceInput {
            client_id: Some(project.client_id),
            project_id: Some(project.id),
            notes: Some(Text(format!("Proposal for {}", project.name))),
            ..Default::default()
        },
    )
    .await?;
    let q = &quote.invoice;
    let made = finish(core, p, meta, &input, am, (template_id, base), &project, q).await;
    if made.is_err() {
        let _ = crate::billing::draft::delete(core, p, meta, q.id, None).await;
    }
    made
}

/// The contract row for the proposal `q` just drafted.
#[allow(clippy::too_many_arguments)]
async fn finish(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    input: &ContractInput,
    mut am: contract::ActiveModel,
    (template_id, base): (Option<TemplateId>, rules::Terms),
    project: &crate::projects::interface::ProjectView,
    q: &crate::billing::InvoiceView,
) -> CoreResult<ContractView> {
    let mut errs = FieldErrors::new();
    let currency = darkroom_domain::money::Currency::parse(&q.currency)
        .map_err(|e| CoreError::invalid("currency", e))?;
    let base = match template::in_currency(&base, currency) {
        Ok(t) => t,
        Err((field, message)) => {
            errs.add(&field, "invalid", message);
            base
        }
    };
    let t = match &input.terms {
        Some(ti) => terms::apply(&base, ti, currency, None, &mut errs),
        None => base,
    };
    errs.into_result()?;
    let id = input.id.unwrap_or_default();
    am.id = Set(id.uuid());
    am.branch_id = Set(q.branch_id.uuid());
    am.client_id = Set(project.client_id.uuid());
    am.project_id = Set(project.id.uuid());
    am.template_id = Set(template_id.map(|x| x.uuid()));
    am.quote_id = Set(Some(q.id.uuid()));
    am.status = Set(ContractStatus::Draft);
    am.currency = Set(q.currency.clone());
    am.terms = Set(serde_json::to_string(&t).map_err(|e| CoreError::Internal(e.into()))?);
    am.event_on = Set(project.starts_on.clone());
    am.created_by = Set(Some(p.user.uuid()));
    let tx = core.db().begin().await?;
    let m = write::insert::<contract::Entity>(core, &tx, p.studio, &id, am).await?;
    let payload = serde_json::json!({ "project": project.id, "quote": q.id });
    record(
        core,
        &tx,
        meta,
        staff(p),
        &m,
        ("contract.drafted", Severity::Low),
        payload,
    )
    .await?;
    crate::commit(tx).await?;
    super::detail(core, p, id).await
}

/// Changes a draft's title, body or terms.
pub async fn update(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: ContractId,
    input: ContractInput,
) -> CoreResult<ContractView> {
    let m = load(core, p, id, Permission::InvoiceManage).await?;
    must_be_draft(&m)?;
    let Some(version) = input.version else {
        return Err(CoreError::invalid(
            "version",
            "send the version you last read",
        ));
    };
    let mut errs = FieldErrors::new();
    let mut am = contract::ActiveModel::default();
    text_fields(&input, &mut am, &mut errs);
    if let Some(ti) = &input.terms {
        let t = terms::apply(&terms_of(&m), ti, currency_of(&m)?, None, &mut errs);
        am.terms = Set(serde_json::to_string(&t).map_err(|e| CoreError::Internal(e.into()))?);
    }
    errs.into_result()?;
    let tx = core.db().begin().await?;
    write::update::<contract::Entity, _>(core, &tx, p.studio, m.id, version, am, bare_view).await?;
    record(
        core,
        &tx,
        meta,
        staff(p),
        &m,
        ("contract.changed", Severity::Low),
        serde_json::json!({}),
    )
    .await?;
    crate::commit(tx).await?;
    super::detail(core, p, id).await
}

/// A sent contract never changes.
pub(crate) fn must_be_draft(m: &contract::Model) -> CoreResult<()> {
    if m.status.is_editable() {
        Ok(())
    } else {
        Err(CoreError::conflict(
            "contract_sent",
            format!(
                "contract {} was sent and no longer changes; cancel it and make a new one to change it",
                m.number.as_deref().unwrap_or("")
            ),
        ))
    }
}

/// The proposal's draft invoice of a draft contract.
pub(crate) fn quote_of(m: &contract::Model) -> Option<InvoiceId> {
    m.quote_id.map(InvoiceId::from_uuid)
}
