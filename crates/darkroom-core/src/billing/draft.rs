//! Drafting an invoice: who it bills, for which job, under which branch's
//! tax, with what notes; its lines (see `line`) can be added with it. A
//! draft changes freely and can be deleted; its totals are worked out
//! again from its lines on every change.

use darkroom_db::entity::{invoice, invoice_line};
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_db::sea_orm::ConnectionTrait;
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::Target;
use darkroom_domain::billing::{InvoiceKind, InvoiceStatus, TaxMode, TaxRegime, Totals, gst};
use darkroom_domain::field::{DayOrBlank, InvoiceKindName, Text};
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{BranchId, ClientId, InvoiceId, ProjectId, StudioId, TypedId};
use serde::{Deserialize, Serialize};

use super::line::{LineInput, insert_line};
use super::profile::{BillingSettings, branch_settings};
use super::{InvoiceDetail, detail, must_be_draft, record, totals_of};
use crate::crm::interface::BillingParty;
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// The most lines one invoice has.
pub const MAX_LINES: usize = 200;

/// An invoice as staff send it: `client_id` is required when adding,
/// `version` when changing; only the fields sent change.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceInput {
    /// Optional client-chosen UUIDv7 (`inv_...`).
    pub id: Option<InvoiceId>,
    pub version: Option<i64>,
    pub client_id: Option<ClientId>,
    /// The job it bills.
    pub project_id: Option<ProjectId>,
    /// The branch that bills (its numbers, tax and currency); defaults to
    /// the project's, then the client's, then the studio's first.
    pub branch_id: Option<BranchId>,
    /// `booking` unless said.
    pub kind: Option<InvoiceKindName>,
    /// The client's purchase order number.
    pub po_number: Option<Text<60>>,
    /// Printed on the invoice.
    pub notes: Option<Text<2000>>,
    /// GST: the state code where the service is supplied (`29`), for a
    /// client without a GSTIN; `""` for the branch's own state.
    pub place_of_supply: Option<Text<40>>,
    /// Whether line prices include tax (the branch's setting unless said).
    pub prices_include_tax: Option<bool>,
    /// The due day, instead of the payment terms (`""`: from the terms).
    pub due_on: Option<DayOrBlank>,
    /// Lines to add with a new draft. A project's draft sent without
    /// `lines` starts with the project's package.
    #[schema(max_items = 200)]
    pub lines: Option<Vec<LineInput>>,
}

crate::bodies!(InvoiceInput, "an invoice":
    add NewInvoice requires ["client_id"] without ["version"];
    change InvoiceChange requires ["version"] without ["id", "client_id", "project_id", "branch_id", "lines"]);

/// How the lines of `m` are taxed.
pub(crate) fn mode_of(m: &invoice::Model) -> TaxMode {
    let supplier = m.supplier_state.as_deref().unwrap_or("");
    let place = m.place_of_supply.as_deref().unwrap_or(supplier);
    TaxMode {
        regime: m.tax_regime,
        inclusive: m.prices_include_tax != 0,
        intra_state: gst::is_intra_state(supplier, place),
        exempt: m.tax_exempt != 0,
    }
}

/// Works every line of `m` out again and gives the sums (lines whose
/// money changed are saved).
pub(crate) async fn recompute(
    core: &Core,
    c: &impl ConnectionTrait,
    m: &invoice::Model,
) -> CoreResult<Totals> {
    let studio = StudioId::from_uuid(m.studio_id);
    let mode = mode_of(m);
    let mut amounts = Vec::new();
    for l in repo::billing::lines(c, studio, m.id).await? {
        let a = super::line::amounts_of(&l, mode)?;
        if a != super::line_view(l.clone()).amounts {
            let am = super::line::amounts_row(a);
            write::update::<invoice_line::Entity, _>(core, c, studio, l.id, l.version, am, |x| {
                super::line_view(x)
            })
            .await?;
        }
        amounts.push(a);
    }
    Ok(Totals::of(&amounts))
}

/// Writes the header `am` of draft `m` (at `version`) with the totals of
/// its lines.
pub(crate) async fn save(
    core: &Core,
    c: &impl ConnectionTrait,
    m: &invoice::Model,
    version: i64,
    mut am: invoice::ActiveModel,
) -> CoreResult<invoice::Model> {
    let studio = StudioId::from_uuid(m.studio_id);
    let mut next = m.clone();
    apply_active(&mut next, &am);
    let t = super::totals_row(&recompute(core, c, &next).await?);
    am.gross_minor = t.gross_minor;
    am.discount_minor = t.discount_minor;
    am.net_minor = t.net_minor;
    am.cgst_minor = t.cgst_minor;
    am.sgst_minor = t.sgst_minor;
    am.igst_minor = t.igst_minor;
    am.vat_minor = t.vat_minor;
    am.total_minor = t.total_minor;
    let view = |x: invoice::Model| super::view(x, repo::billing::Sums::default(), None);
    write::update::<invoice::Entity, _>(core, c, studio, m.id, version, am, view).await?;
    repo::billing::find(c, studio, InvoiceId::from_uuid(m.id))
        .await?
        .ok_or(CoreError::not_found("invoice"))
}

/// `m` with the tax-deciding fields `am` sets.
fn apply_active(m: &mut invoice::Model, am: &invoice::ActiveModel) {
    if let Set(v) = &am.place_of_supply {
        m.place_of_supply.clone_from(v);
    }
    if let Set(v) = &am.prices_include_tax {
        m.prices_include_tax = *v;
    }
    if let Set(v) = &am.tax_exempt {
        m.tax_exempt = *v;
    }
    if let Set(v) = &am.tax_regime {
        m.tax_regime = *v;
    }
}

/// The branch a new invoice bills from.
async fn billing_branch(
    c: &impl ConnectionTrait,
    studio: StudioId,
    input: &InvoiceInput,
    project: Option<&crate::projects::interface::ProjectView>,
    client: &BillingParty,
) -> CoreResult<(darkroom_db::entity::branch::Model, BillingSettings)> {
    let chosen = input
        .branch_id
        .or(project.and_then(|p| p.branch_id))
        .or(client.branch_id);
    if let Some(id) = chosen {
        return branch_settings(c, studio, id)
            .await?
            .ok_or_else(|| CoreError::missing("branch_id", "branch", id));
    }
    let first = repo::branch::live(c, studio)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| {
            CoreError::invalid(
                "branch_id",
                "the studio has no branch to bill from; add one",
            )
        })?;
    branch_settings(c, studio, BranchId::from_uuid(first.id))
        .await?
        .ok_or(CoreError::not_found("branch"))
}

/// The place of supply of a GST invoice, checked against the client's
/// registration.
pub(crate) fn place_for(
    s: &BillingSettings,
    client: &BillingParty,
    chosen: Option<&str>,
    errs: &mut FieldErrors,
) -> Option<String> {
    if s.tax_regime != TaxRegime::GstIn {
        return None;
    }
    let chosen = match chosen.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => errs.check("place_of_supply", gst::check_place(c))?.into(),
        None => None,
    };
    let registered = client
        .tax_id
        .as_deref()
        .filter(|_| client.tax_id_kind.as_deref() == Some("gstin"))
        .and_then(gst::state_of_gstin);
    if let (Some(r), Some(c)) = (registered, chosen.as_deref())
        && r != c
    {
        errs.add(
            "place_of_supply",
            "registered_client",
            format!(
                "the client is registered for GST in {} ({r}); a registered client's place of supply is their state, so leave it empty",
                gst::state_name(r).unwrap_or(r)
            ),
        );
        return None;
    }
    let supplier = s.supplier_state.clone().unwrap_or_default();
    Some(gst::place_of_supply(registered, chosen.as_deref(), &supplier).to_string())
}

/// The project a new invoice bills, checked to be the client's.
async fn project_of(
    c: &impl ConnectionTrait,
    studio: StudioId,
    input: &InvoiceInput,
    client: ClientId,
    errs: &mut FieldErrors,
) -> CoreResult<Option<crate::projects::interface::ProjectView>> {
    let Some(id) = input.project_id else {
        return Ok(None);
    };
    let pr = crate::projects::interface::project_for_billing(c, studio, id)
        .await?
        .ok_or_else(|| CoreError::missing("project_id", "project", id))?;
    if pr.client_id != client {
        errs.add(
            "project_id",
            "other_client",
            "that project is another client's; bill the project's client",
        );
    }
    Ok(Some(pr))
}

/// A new draft's row: the client's, billed by `branch` under its settings.
fn new_row(
    input: &InvoiceInput,
    branch: &darkroom_db::entity::branch::Model,
    s: &BillingSettings,
    client: &BillingParty,
    place: Option<String>,
) -> invoice::ActiveModel {
    invoice::ActiveModel {
        branch_id: Set(branch.id),
        client_id: Set(input.client_id.map(|c| c.uuid()).unwrap_or_default()),
        project_id: Set(input.project_id.map(|x| x.uuid())),
        credit_note_of: Set(None),
        status: Set(InvoiceStatus::Draft),
        currency: Set(branch.currency.clone()),
        tax_regime: Set(s.tax_regime),
        prices_include_tax: Set(i64::from(
            input.prices_include_tax.unwrap_or(s.prices_include_tax),
        )),
        tax_exempt: Set(i64::from(client.tax_exempt)),
        supplier_state: Set(s.supplier_state.clone()),
        place_of_supply: Set(place),
        ..Default::default()
    }
}

/// Adds a draft invoice (with any lines sent).
pub async fn create(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    input: InvoiceInput,
) -> CoreResult<InvoiceDetail> {
    let c = core.db().conn();
    let mut errs = FieldErrors::new();
    if input.version.is_some() {
        errs.add(
            "version",
            "not_allowed",
            "a new invoice has no version yet; leave it out",
        );
    }
    let client_id = input.client_id.ok_or_else(|| {
        CoreError::invalid(
            "client_id",
            "say which client the invoice bills (`cli_...`)",
        )
    })?;
    let client = crate::crm::interface::billing_party(c, p.studio, client_id)
        .await?
        .ok_or_else(|| CoreError::missing("client_id", "client", client_id))?;
    let project = project_of(c, p.studio, &input, client_id, &mut errs).await?;
    let (branch, s) = billing_branch(c, p.studio, &input, project.as_ref(), &client).await?;
    core.authorize(p, Permission::InvoiceManage, Target::branch(s.branch_id))?;
    let kind = match &input.kind {
        Some(k) => errs.check("kind", k.check()),
        None => Some(InvoiceKind::Booking),
    };
    let place = place_for(
        &s,
        &client,
        input.place_of_supply.as_ref().map(|t| t.0.as_str()),
        &mut errs,
    );
    let id = input.id.unwrap_or_default();
    let mut am = new_row(&input, &branch, &s, &client, place);
    am.id = Set(id.uuid());
    am.kind = Set(kind.unwrap_or(InvoiceKind::Booking));
    am.created_by = Set(Some(p.user.uuid()));
    header_fields(&input, &mut am, &mut errs);
    let lines = input.lines.clone().unwrap_or_default();
    if lines.len() > MAX_LINES {
        errs.add(
            "lines",
            "too_many",
            format!("an invoice has at most {MAX_LINES} lines"),
        );
    }
    errs.into_result()?;
    let tx = core.db().begin().await?;
    let m = write::insert::<invoice::Entity>(core, &tx, p.studio, &id, am).await?;
    add_lines(core, &tx, &m, &s, &lines).await?;
    if input.lines.is_none() {
        package_line(core, &tx, &m, &s, project.as_ref()).await?;
    }
    let m = save(core, &tx, &m, m.version, invoice::ActiveModel::default()).await?;
    let payload = serde_json::json!({ "client": client_id, "kind": m.kind, "lines": lines.len() });
    record(
        core,
        &tx,
        meta,
        p,
        &m,
        ("invoice.drafted", Severity::Low),
        payload,
    )
    .await?;
    crate::commit(tx).await?;
    detail(core, p, id).await
}

/// The lines sent with a new draft, each error named by its place.
async fn add_lines(
    core: &Core,
    tx: &darkroom_db::Tx,
    m: &invoice::Model,
    s: &BillingSettings,
    lines: &[LineInput],
) -> CoreResult<()> {
    let mode = mode_of(m);
    for (i, l) in lines.iter().enumerate() {
        insert_line(core, tx, m, s, mode, l, i64::try_from(i).unwrap_or(0))
            .await
            .map_err(|e| e.nested(&format!("lines[{i}]")))?;
    }
    Ok(())
}

/// A draft for a project, sent without lines, starts with the project's
/// package (when it is priced in the invoice's currency at a rate the
/// branch's tax allows; otherwise staff add the lines).
async fn package_line(
    core: &Core,
    tx: &darkroom_db::Tx,
    m: &invoice::Model,
    s: &BillingSettings,
    project: Option<&crate::projects::interface::ProjectView>,
) -> CoreResult<()> {
    let Some(pkg) = project.and_then(|p| p.package_id) else {
        return Ok(());
    };
    let line = LineInput {
        package_id: Some(pkg),
        ..Default::default()
    };
    match insert_line(core, tx, m, s, mode_of(m), &line, 0).await {
        Ok(_) | Err(CoreError::Validation(_)) => {}
        Err(e) => return Err(e),
    }
    let studio = darkroom_domain::StudioId::from_uuid(m.studio_id);
    let Some(pkg) = crate::bookings::interface::package(tx, studio, pkg, false).await? else {
        return Ok(());
    };
    if let (Some(project), Some(price)) = (project, pkg.extra_photo_price_minor) {
        let terms = super::extras::Terms {
            price,
            included: pkg.photos_included,
            tax_rate_bp: pkg.tax_rate_bp,
        };
        super::extras::lines(core, tx, (m, s), project.id, &terms).await?;
    }
    Ok(())
}

/// The header fields every draft change may send.
fn header_fields(input: &InvoiceInput, am: &mut invoice::ActiveModel, errs: &mut FieldErrors) {
    if let Some(t) = &input.po_number
        && let Some(t) = errs.check("po_number", t.check("the PO number"))
    {
        am.po_number = Set(t);
    }
    if let Some(t) = &input.notes
        && let Some(t) = errs.check("notes", t.check("the notes"))
    {
        am.notes = Set(t);
    }
    if let Some(d) = &input.due_on
        && let Some(d) = errs.check("due_on", d.check())
    {
        am.due_on = Set(Some(d).filter(|d| !d.is_empty()));
    }
}

/// Changes a draft's header.
pub async fn update(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: InvoiceId,
    input: InvoiceInput,
) -> CoreResult<InvoiceDetail> {
    let m = super::load(core, p, id, Permission::InvoiceManage).await?;
    let mut errs = FieldErrors::new();
    let version = match input.version {
        Some(v) => v,
        None => {
            errs.add("version", "required", "send the version you last read");
            0
        }
    };
    for (field, sent) in [
        ("client_id", input.client_id.is_some()),
        ("project_id", input.project_id.is_some()),
        ("branch_id", input.branch_id.is_some()),
        ("lines", input.lines.is_some()),
    ] {
        if sent {
            errs.add(field, "not_allowed", format!("`{field}` is set when the invoice is added; start a new draft to change it (lines have their own routes)"));
        }
    }
    must_be_draft(&m)?;
    let c = core.db().conn();
    let mut am = invoice::ActiveModel::default();
    if let Some(k) = &input.kind
        && let Some(k) = errs.check("kind", k.check())
    {
        am.kind = Set(k);
    }
    if let Some(v) = input.prices_include_tax {
        am.prices_include_tax = Set(i64::from(v));
    }
    if let Some(place) = &input.place_of_supply {
        let (_, s) = branch_settings(c, p.studio, BranchId::from_uuid(m.branch_id))
            .await?
            .ok_or(CoreError::not_found("branch"))?;
        let client =
            crate::crm::interface::billing_party(c, p.studio, ClientId::from_uuid(m.client_id))
                .await?
                .unwrap_or_default();
        am.place_of_supply = Set(place_for(&s, &client, Some(&place.0), &mut errs));
    }
    header_fields(&input, &mut am, &mut errs);
    errs.into_result()?;
    let tx = core.db().begin().await?;
    let saved = save(core, &tx, &m, version, am).await?;
    let payload = serde_json::to_value(&input).unwrap_or_default();
    record(
        core,
        &tx,
        meta,
        p,
        &saved,
        ("invoice.changed", Severity::Low),
        payload,
    )
    .await?;
    crate::commit(tx).await?;
    detail(core, p, id).await
}

/// Deletes a draft (an issued invoice is credited instead).
pub async fn delete(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: InvoiceId,
    version: Option<i64>,
) -> CoreResult<()> {
    let m = super::load(core, p, id, Permission::InvoiceManage).await?;
    must_be_draft(&m)?;
    let tx = core.db().begin().await?;
    let am = invoice::ActiveModel {
        deleted_at: Set(Some(core.now().as_micros())),
        ..Default::default()
    };
    let view = |x: invoice::Model| super::view(x, repo::billing::Sums::default(), None);
    let version = version.unwrap_or(m.version);
    write::update::<invoice::Entity, _>(core, &tx, p.studio, m.id, version, am, view).await?;
    let payload = serde_json::json!({ "total": totals_of(&m).total_minor });
    record(
        core,
        &tx,
        meta,
        p,
        &m,
        ("invoice.draft_deleted", Severity::Low),
        payload,
    )
    .await?;
    crate::commit(tx).await
}
