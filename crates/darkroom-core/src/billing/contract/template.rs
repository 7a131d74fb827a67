//! The studio's contract templates: a name, the contract's title, a body
//! with `{{ variables }}` (checked when saved: an unknown name is an error
//! with its line) and default terms, kept as written (amounts are read in
//! each contract's currency when it is made).

use darkroom_db::entity::contract_template;
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::Target;
use darkroom_domain::billing::contract::{self as rules, Terms};
use darkroom_domain::field::{Line, Prose};
use darkroom_domain::money::Currency;
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{StudioId, TemplateId, Timestamp, TypedId};
use serde::{Deserialize, Serialize};

use super::terms::{self, TermsInput, TermsView};
use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// The longest body a template or contract has.
pub const BODY_MAX: usize = 50_000;

/// A template as staff send it.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    /// Optional client-chosen UUIDv7 (`tpl_...`).
    pub id: Option<TemplateId>,
    pub version: Option<i64>,
    /// What staff call it (`Wedding, full day`).
    pub name: Option<Line<100>>,
    /// The contract's title (`Wedding photography agreement`).
    pub title: Option<Line<200>>,
    /// Paragraphs separated by blank lines; `{{ client.name }}` and the
    /// other variables are filled when the contract is sent.
    pub body: Option<Prose<50000>>,
    pub terms: Option<TermsInput>,
}

crate::bodies!(TemplateInput, "a contract template":
    add NewTemplate requires ["name", "body"] without ["version"];
    change TemplateChange requires ["version"] without ["id"]);

/// A template as staff see it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TemplateView {
    pub id: TemplateId,
    pub name: String,
    pub title: String,
    pub body: String,
    /// As written (amounts without a currency).
    pub terms: TermsView,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The variables a body may use, with what each stands for.
pub fn variables() -> &'static [(&'static str, &'static str)] {
    rules::VARIABLES
}

/// A template's terms: what it keeps is the `Terms` read with the
/// widest currency rules (3 decimals).
fn read_terms(m: Option<&contract_template::Model>) -> Terms {
    m.and_then(|m| serde_json::from_str(&m.terms).ok())
        .unwrap_or_default()
}

/// The template's amounts are written with up to three decimals and read
/// again in each contract's currency.
fn template_currency() -> Currency {
    Currency::parse("BHD").unwrap_or(Currency::USD)
}

pub(crate) fn view(m: contract_template::Model) -> TemplateView {
    let t = read_terms(Some(&m));
    TemplateView {
        id: TemplateId::from_uuid(m.id),
        terms: terms::view(&t, template_currency()),
        name: m.name,
        title: m.title,
        body: m.body,
        version: m.version,
        created_at: Timestamp::from_micros(m.created_at),
        updated_at: Timestamp::from_micros(m.updated_at),
    }
}

/// A template's terms (amounts in thousandths of a unit) in `currency`'s
/// minor units; an amount finer than the currency allows is an error.
pub(crate) fn in_currency(t: &Terms, currency: Currency) -> Result<Terms, (String, String)> {
    let scale = 10_i64.pow(3_u32.saturating_sub(currency.minor_digits()));
    let conv = |field: &str, v: i64| {
        if v % scale == 0 {
            Ok(v / scale)
        } else {
            Err((
                format!("terms.{field}"),
                format!(
                    "the template's {} has more decimals than {} allows; change the template or send the terms",
                    field.replace('_', " "),
                    currency.code()
                ),
            ))
        }
    };
    let mut out = t.clone();
    if let rules::Deposit::Amount { minor } = t.deposit {
        out.deposit = rules::Deposit::Amount {
            minor: conv("deposit", minor)?,
        };
    }
    out.cancellation_fee_minor = conv("cancellation_fee", t.cancellation_fee_minor)?;
    out.reschedule_fee_minor = conv("reschedule_fee", t.reschedule_fee_minor)?;
    Ok(out)
}

/// The body a contract gets when the studio has no template.
pub const DEFAULT_BODY: &str = "This agreement is between {{ studio.name }} (the studio) and {{ client.name }} (the client) for {{ project.name }} on {{ event.date }} at {{ event.venue }}.\n\nThe studio will provide the services listed in the proposal above for {{ total }}. A deposit of {{ deposit }} is due when this agreement is signed and holds the date; the balance of {{ balance }} is due on {{ balance.due }}.\n\nCancellation: {{ refund.schedule }} Moving the event to another day costs {{ reschedule.fee }}.\n\nThe studio keeps the copyright in the photographs and grants the client a licence for personal use. The studio may not be able to perform for reasons beyond its control; it then refunds everything paid.";

fn fields(
    input: &TemplateInput,
    cur: Option<&contract_template::Model>,
    errs: &mut FieldErrors,
) -> contract_template::ActiveModel {
    let mut am = contract_template::ActiveModel::default();
    if let Some(n) = &input.name
        && let Some(n) = errs.check("name", n.check("the name"))
    {
        am.name = Set(n);
    }
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
    if let Some(t) = &input.terms {
        let next = terms::apply(&read_terms(cur), t, template_currency(), None, errs);
        if let Ok(json) = serde_json::to_string(&next) {
            am.terms = Set(json);
        }
    }
    am
}

async fn record(
    core: &Core,
    tx: &darkroom_db::Tx,
    meta: &Meta,
    p: &Principal,
    id: TemplateId,
    event_type: &'static str,
) -> CoreResult<()> {
    audit::record(
        core,
        tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: None,
            who: Who::of(p),
            event_type,
            severity: Severity::Low,
            target_type: "contract_template",
            target_id: id.to_string(),
            payload: serde_json::json!({}),
        },
    )
    .await
}

/// The studio's templates.
pub async fn list(core: &Core, p: &Principal) -> CoreResult<Vec<TemplateView>> {
    core.authorize(p, Permission::InvoiceView, Target::STUDIO)?;
    Ok(repo::contract::templates(core.db().conn(), p.studio)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// One template.
pub async fn get(core: &Core, p: &Principal, id: TemplateId) -> CoreResult<TemplateView> {
    core.authorize(p, Permission::InvoiceView, Target::STUDIO)?;
    repo::contract::template(core.db().conn(), p.studio, id)
        .await?
        .map(view)
        .ok_or(CoreError::not_found("contract template"))
}

/// Adds a template.
pub async fn create(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    input: TemplateInput,
) -> CoreResult<TemplateView> {
    core.authorize(p, Permission::InvoiceManage, Target::STUDIO)?;
    let mut errs = FieldErrors::new();
    if input.version.is_some() {
        errs.add(
            "version",
            "not_allowed",
            "a new template has no version yet; leave it out",
        );
    }
    let mut am = fields(&input, None, &mut errs);
    if input.name.is_none() {
        errs.add("name", "required", "name the template");
    }
    if input.body.is_none() {
        errs.add("body", "required", "write the contract's text");
    }
    errs.into_result()?;
    let id = input.id.unwrap_or_default();
    am.id = Set(id.uuid());
    if input.title.is_none() {
        am.title = am.name.clone();
    }
    if input.terms.is_none() {
        am.terms = Set(serde_json::to_string(&Terms::default()).unwrap_or_default());
    }
    let tx = core.db().begin().await?;
    let m = write::insert::<contract_template::Entity>(core, &tx, p.studio, &id, am).await?;
    record(core, &tx, meta, p, id, "contract_template.created").await?;
    crate::commit(tx).await?;
    Ok(view(m))
}

/// Changes a template (contracts made from it keep their copy).
pub async fn update(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: TemplateId,
    input: TemplateInput,
) -> CoreResult<TemplateView> {
    core.authorize(p, Permission::InvoiceManage, Target::STUDIO)?;
    let cur = repo::contract::template(core.db().conn(), p.studio, id)
        .await?
        .ok_or(CoreError::not_found("contract template"))?;
    let mut errs = FieldErrors::new();
    let Some(version) = input.version else {
        return Err(CoreError::invalid(
            "version",
            "send the version you last read",
        ));
    };
    let am = fields(&input, Some(&cur), &mut errs);
    errs.into_result()?;
    let tx = core.db().begin().await?;
    write::update::<contract_template::Entity, _>(
        core,
        &tx,
        p.studio,
        id.uuid(),
        version,
        am,
        view,
    )
    .await?;
    record(core, &tx, meta, p, id, "contract_template.changed").await?;
    crate::commit(tx).await?;
    get(core, p, id).await
}

/// Deletes a template (contracts made from it keep their copy).
pub async fn delete(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: TemplateId,
    version: Option<i64>,
) -> CoreResult<()> {
    core.authorize(p, Permission::InvoiceManage, Target::STUDIO)?;
    let cur = repo::contract::template(core.db().conn(), p.studio, id)
        .await?
        .ok_or(CoreError::not_found("contract template"))?;
    let am = contract_template::ActiveModel {
        deleted_at: Set(Some(core.now().as_micros())),
        ..Default::default()
    };
    let tx = core.db().begin().await?;
    let v = version.unwrap_or(cur.version);
    write::update::<contract_template::Entity, _>(core, &tx, p.studio, id.uuid(), v, am, view)
        .await?;
    record(core, &tx, meta, p, id, "contract_template.deleted").await?;
    crate::commit(tx).await
}

/// The template a new contract starts from: the one asked for, else the
/// studio's first, else the built-in text and terms.
pub(crate) async fn starting_point(
    core: &Core,
    studio: StudioId,
    id: Option<TemplateId>,
) -> CoreResult<(Option<TemplateId>, String, String, Terms)> {
    let c = core.db().conn();
    let m = match id {
        Some(id) => Some(
            repo::contract::template(c, studio, id)
                .await?
                .ok_or_else(|| CoreError::missing("template_id", "contract template", id))?,
        ),
        None => repo::contract::templates(c, studio)
            .await?
            .into_iter()
            .next(),
    };
    Ok(match m {
        Some(m) => (
            Some(TemplateId::from_uuid(m.id)),
            m.title.clone(),
            m.body.clone(),
            read_terms(Some(&m)),
        ),
        None => (
            None,
            "Photography agreement".into(),
            DEFAULT_BODY.into(),
            Terms::default(),
        ),
    })
}
