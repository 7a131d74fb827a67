//! A branch's tax settings for billing: the regime, when its fiscal year
//! starts, whether prices include tax, default payment terms, GST's service
//! code, the mileage rate, and what invoices print. A branch nobody set up
//! gets settings from its tax number's kind (a GSTIN bills GST from April,
//! a Korean business number Korea's VAT, a VAT number VAT).

use darkroom_db::entity::{billing_profile, branch};
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_db::sea_orm::ConnectionTrait;
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::Target;
use darkroom_domain::billing::TaxRegime;
use darkroom_domain::field::{Amount, Line, TaxRegimeName, Text};
use darkroom_domain::money::Currency;
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{BranchId, StudioId, TypedId};
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// SAC 998386: photography and videography services (GST).
pub const PHOTOGRAPHY_SAC: &str = "998386";

/// A branch's billing settings as in force (saved or from defaults).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct BillingSettings {
    pub branch_id: BranchId,
    pub tax_regime: TaxRegime,
    /// The month (1 to 12) the fiscal year starts.
    pub fiscal_year_start: i64,
    pub prices_include_tax: bool,
    /// Days after issue an invoice is due, unless the client's own terms say.
    pub payment_terms_days: i64,
    /// GST: the SAC or HSN code lines get unless they say.
    pub service_code: Option<String>,
    /// What a mile or kilometre of travel costs, in minor units.
    pub mileage_rate_minor: Option<i64>,
    /// `mi` or `km`.
    pub distance_unit: String,
    pub payment_instructions: Option<String>,
    pub footer: Option<String>,
    pub currency: String,
    /// GST: the branch's state code (from its GSTIN).
    pub supplier_state: Option<String>,
    /// Whether staff saved these (`false`: defaults from the branch).
    pub saved: bool,
    /// Send it back when changing; `0` before the first save.
    pub version: i64,
}

/// Changes to a branch's billing settings; absent fields stay.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BillingSettingsInput {
    /// The version you last read (`0` before the first save).
    pub version: i64,
    pub tax_regime: Option<TaxRegimeName>,
    #[schema(minimum = 1, maximum = 12)]
    pub fiscal_year_start: Option<u8>,
    pub prices_include_tax: Option<bool>,
    #[schema(maximum = 365)]
    pub payment_terms_days: Option<u16>,
    /// `""` clears it.
    pub service_code: Option<Text<16>>,
    /// `0` clears it.
    pub mileage_rate: Option<Amount>,
    /// `mi` or `km`.
    pub distance_unit: Option<Line<2>>,
    pub payment_instructions: Option<Text<2000>>,
    pub footer: Option<Text<1000>>,
}

/// What a branch's tax number says about how it bills, when nobody said.
fn default_regime(b: &branch::Model) -> TaxRegime {
    match b.tax_id_kind.as_deref() {
        Some("gstin") => TaxRegime::GstIn,
        Some("brn") => TaxRegime::VatKr,
        Some("vat") | Some("abn") => TaxRegime::Vat,
        _ => TaxRegime::None,
    }
}

/// The settings of `b` in force.
pub(crate) fn settings_of(
    b: &branch::Model,
    saved: Option<billing_profile::Model>,
) -> BillingSettings {
    let supplier_state = match b.tax_id_kind.as_deref() {
        Some("gstin") => b
            .tax_id
            .as_deref()
            .and_then(darkroom_domain::billing::gst::state_of_gstin)
            .map(str::to_string),
        _ => None,
    };
    match saved {
        Some(s) => BillingSettings {
            branch_id: BranchId::from_uuid(b.id),
            tax_regime: s.tax_regime,
            fiscal_year_start: s.fiscal_year_start,
            prices_include_tax: s.prices_include_tax != 0,
            payment_terms_days: s.payment_terms_days,
            service_code: s.service_code,
            mileage_rate_minor: s.mileage_rate_minor,
            distance_unit: s.distance_unit.unwrap_or_else(|| "mi".into()),
            payment_instructions: s.payment_instructions,
            footer: s.footer,
            currency: b.currency.clone(),
            supplier_state,
            saved: true,
            version: s.version,
        },
        None => {
            let regime = default_regime(b);
            BillingSettings {
                branch_id: BranchId::from_uuid(b.id),
                tax_regime: regime,
                fiscal_year_start: i64::from(regime.usual_fiscal_start()),
                prices_include_tax: regime == TaxRegime::VatKr,
                payment_terms_days: 14,
                service_code: (regime == TaxRegime::GstIn).then(|| PHOTOGRAPHY_SAC.to_string()),
                mileage_rate_minor: None,
                distance_unit: if b.currency == "USD" || b.currency == "GBP" {
                    "mi"
                } else {
                    "km"
                }
                .into(),
                payment_instructions: None,
                footer: None,
                currency: b.currency.clone(),
                supplier_state,
                saved: false,
                version: 0,
            }
        }
    }
}

/// The live branch `id` and its settings in force.
pub(crate) async fn branch_settings(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: BranchId,
) -> CoreResult<Option<(branch::Model, BillingSettings)>> {
    let Some(b) = repo::branch::find(c, studio, id, false).await? else {
        return Ok(None);
    };
    let saved = repo::billing::profile(c, studio, b.id).await?;
    let s = settings_of(&b, saved);
    Ok(Some((b, s)))
}

/// A branch's billing settings.
pub async fn get(core: &Core, p: &Principal, id: BranchId) -> CoreResult<BillingSettings> {
    let (_, s) = branch_settings(core.db().conn(), p.studio, id)
        .await?
        .ok_or(CoreError::not_found("branch"))?;
    core.authorize(p, Permission::InvoiceView, Target::branch(id))?;
    Ok(s)
}

/// Checks the fields sent into `am`.
fn apply(
    input: &BillingSettingsInput,
    b: &branch::Model,
    am: &mut billing_profile::ActiveModel,
    errs: &mut FieldErrors,
) {
    if let Some(r) = &input.tax_regime
        && let Some(r) = errs.check("tax_regime", r.check())
    {
        if r == TaxRegime::GstIn && b.tax_id_kind.as_deref() != Some("gstin") {
            errs.add(
                "tax_regime",
                "needs_gstin",
                "GST needs the branch's GSTIN: set the branch's tax number (kind gstin) first",
            );
        }
        am.tax_regime = Set(r);
    }
    if let Some(m) = input.fiscal_year_start {
        if (1..=12).contains(&m) {
            am.fiscal_year_start = Set(i64::from(m));
        } else {
            errs.add(
                "fiscal_year_start",
                "out_of_range",
                "the month a fiscal year starts is 1 (January) to 12 (December); India's is 4",
            );
        }
    }
    if let Some(v) = input.prices_include_tax {
        am.prices_include_tax = Set(i64::from(v));
    }
    if let Some(d) = input.payment_terms_days {
        if d <= 365 {
            am.payment_terms_days = Set(i64::from(d));
        } else {
            errs.add(
                "payment_terms_days",
                "out_of_range",
                "payment terms are 0 to 365 days",
            );
        }
    }
    apply_codes(input, b, am, errs);
}

/// The service code, mileage and printed texts sent, checked into `am`.
fn apply_codes(
    input: &BillingSettingsInput,
    b: &branch::Model,
    am: &mut billing_profile::ActiveModel,
    errs: &mut FieldErrors,
) {
    if let Some(t) = &input.service_code
        && let Some(t) = errs.check("service_code", t.check("the service code"))
    {
        if t.as_deref()
            .is_some_and(|t| !t.bytes().all(|b| b.is_ascii_digit()) || t.len() < 4)
        {
            errs.add(
                "service_code",
                "not_a_code",
                "a SAC or HSN code is 4 to 8 digits, e.g. 998386 for photography",
            );
        }
        am.service_code = Set(t);
    }
    if let Some(a) = &input.mileage_rate {
        let rate =
            Currency::parse(&b.currency).and_then(|c| a.check().and_then(|s| c.parse_amount(&s)));
        if let Some(r) = errs.check("mileage_rate", rate) {
            am.mileage_rate_minor = Set(Some(r).filter(|r| *r > 0));
        }
    }
    if let Some(u) = &input.distance_unit
        && let Some(u) = errs.check("distance_unit", u.check("the distance unit"))
    {
        if u == "mi" || u == "km" {
            am.distance_unit = Set(Some(u));
        } else {
            errs.add(
                "distance_unit",
                "unknown",
                "the distance unit is `mi` or `km`",
            );
        }
    }
    if let Some(t) = &input.payment_instructions
        && let Some(t) = errs.check("payment_instructions", t.check("the payment instructions"))
    {
        am.payment_instructions = Set(t);
    }
    if let Some(t) = &input.footer
        && let Some(t) = errs.check("footer", t.check("the footer"))
    {
        am.footer = Set(t);
    }
}

/// Saves a branch's billing settings (the first save makes them).
pub async fn update(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: BranchId,
    input: BillingSettingsInput,
) -> CoreResult<BillingSettings> {
    let tx = core.db().begin().await?;
    let (b, current) = branch_settings(&tx, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("branch"))?;
    core.authorize(p, Permission::InvoiceManage, Target::branch(id))?;
    if input.version != current.version {
        return Err(CoreError::stale(current));
    }
    let mut errs = FieldErrors::new();
    let saved = repo::billing::profile(&tx, p.studio, b.id).await?;
    if let Some(s) = saved {
        let mut am = billing_profile::ActiveModel::default();
        apply(&input, &b, &mut am, &mut errs);
        errs.into_result()?;
        let settings = |m: billing_profile::Model| settings_of(&b, Some(m));
        write::update::<billing_profile::Entity, _>(
            core, &tx, p.studio, s.id, s.version, am, settings,
        )
        .await?;
    } else {
        let mut am = billing_profile::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            branch_id: Set(b.id),
            tax_regime: Set(current.tax_regime),
            fiscal_year_start: Set(current.fiscal_year_start),
            prices_include_tax: Set(i64::from(current.prices_include_tax)),
            payment_terms_days: Set(current.payment_terms_days),
            service_code: Set(current.service_code.clone()),
            mileage_rate_minor: Set(None),
            distance_unit: Set(Some(current.distance_unit.clone())),
            payment_instructions: Set(None),
            footer: Set(None),
            ..Default::default()
        };
        apply(&input, &b, &mut am, &mut errs);
        errs.into_result()?;
        write::insert::<billing_profile::Entity>(core, &tx, p.studio, &id, am).await?;
    }
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: Some(id),
            who: Who::of(p),
            event_type: "billing.settings_changed",
            severity: Severity::Medium,
            target_type: "branch",
            target_id: id.to_string(),
            payload: serde_json::to_value(&input).unwrap_or_default(),
        },
    )
    .await?;
    let out = branch_settings(&tx, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("branch"))?
        .1;
    crate::commit(tx).await?;
    Ok(out)
}
