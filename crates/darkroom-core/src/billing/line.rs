//! A draft's lines: a package, an add-on, a custom fee (mileage from a
//! distance and the branch's rate), photos chosen beyond the package, any
//! item; each with a quantity, a unit price, a discount and a tax rate the
//! branch's regime allows.

use darkroom_db::entity::{invoice, invoice_line};
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_db::sea_orm::ConnectionTrait;
use darkroom_domain::audit::Severity;
use darkroom_domain::billing::{
    FeeKind, LineAmounts, LineKind, LinePrice, TaxMode, TaxRegime, lines, quantity,
};
use darkroom_domain::field::{
    Amount, Discount, FeeKindOrBlank, Line, LineKindName, Percent, Quantity, Text,
};
use darkroom_domain::money::Currency;
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{InvoiceId, InvoiceLineId, PackageId, StudioId, TypedId};
use serde::{Deserialize, Serialize};

use super::profile::{BillingSettings, branch_settings};
use super::{InvoiceDetail, detail, must_be_draft, record};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// A line as staff send it. Adding needs a description, unless the line
/// is a package (its name) or mileage (the distance); changing needs
/// `version`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    pub id: Option<InvoiceLineId>,
    pub version: Option<i64>,
    /// `item` unless said (`package` when `package_id` is sent, `fee`
    /// when `fee_kind` is).
    pub kind: Option<LineKindName>,
    pub fee_kind: Option<FeeKindOrBlank>,
    pub description: Option<Line<300>>,
    /// SAC or HSN code (GST); the branch's service code when left out.
    pub code: Option<Text<8>>,
    /// `1` unless said; for mileage, the distance.
    pub quantity: Option<Quantity>,
    /// The price of one; the package's price or the branch's mileage rate
    /// when left out for those.
    pub unit_price: Option<Amount>,
    /// An amount (`500`) or a percentage of the line (`10%`).
    pub discount: Option<Discount>,
    /// A percentage (`18`); the package's, else the regime's usual rate.
    pub tax_rate: Option<Percent>,
    /// The package the line sells (`pkg_...`).
    pub package_id: Option<PackageId>,
    /// Where it goes among the lines (0 first).
    #[schema(maximum = 1000)]
    pub position: Option<u16>,
}

crate::bodies!(LineInput, "an invoice line":
    add NewInvoiceLine requires [] without ["version"];
    change InvoiceLineChange requires ["version"] without ["id", "package_id"]);

/// The money of a stored line under `mode`.
pub(crate) fn amounts_of(l: &invoice_line::Model, mode: TaxMode) -> CoreResult<LineAmounts> {
    lines::line(
        LinePrice {
            quantity_milli: l.quantity_milli,
            unit_minor: l.unit_minor,
            discount_minor: l.discount_minor,
            tax_rate_mp: l.tax_rate_mp,
        },
        mode,
    )
    .map_err(|e| CoreError::invalid("discount", e))
}

/// The money columns of a line.
pub(crate) fn amounts_row(a: LineAmounts) -> invoice_line::ActiveModel {
    invoice_line::ActiveModel {
        gross_minor: Set(a.gross_minor),
        discount_minor: Set(a.discount_minor),
        net_minor: Set(a.net_minor),
        cgst_minor: Set(a.cgst_minor),
        sgst_minor: Set(a.sgst_minor),
        igst_minor: Set(a.igst_minor),
        vat_minor: Set(a.vat_minor),
        total_minor: Set(a.total_minor),
        ..Default::default()
    }
}

/// What a line's fields come to once checked (from what is stored, for a
/// change, and what was sent).
struct Fields {
    kind: LineKind,
    fee: Option<FeeKind>,
    description: Option<String>,
    code: Option<String>,
    qty: i64,
    unit: Option<i64>,
    discount: Option<String>,
    rate: Option<i64>,
}

fn read(input: &LineInput, cur: Fields, currency: Currency, errs: &mut FieldErrors) -> Fields {
    let mut f = cur;
    if let Some(k) = &input.fee_kind
        && let Some(k) = errs.check("fee_kind", k.check())
    {
        f.fee = k;
        if k.is_some() {
            f.kind = LineKind::Fee;
        }
    }
    if let Some(k) = &input.kind
        && let Some(k) = errs.check("kind", k.check())
    {
        f.kind = k;
    }
    if let Some(d) = &input.description
        && let Some(d) = errs.check("description", d.check("the description"))
    {
        f.description = Some(d);
    }
    if let Some(c) = &input.code
        && let Some(c) = errs.check("code", c.check("the code"))
    {
        if c.as_deref()
            .is_some_and(|c| c.len() < 4 || !c.bytes().all(|b| b.is_ascii_digit()))
        {
            errs.add(
                "code",
                "not_a_code",
                "a SAC or HSN code is 4 to 8 digits, e.g. 998386",
            );
        }
        f.code = c;
    }
    if let Some(q) = &input.quantity
        && let Some(q) = errs.check("quantity", quantity::parse_quantity(&q.0))
    {
        f.qty = q;
    }
    if let Some(u) = &input.unit_price {
        let neg = u.0.trim().starts_with('-');
        let parsed = if neg {
            Err(
                "a unit price cannot be negative; take money off with a discount or a credit note"
                    .to_string(),
            )
        } else {
            currency.parse_amount(&u.0)
        };
        if let Some(u) = errs.check("unit_price", parsed) {
            f.unit = Some(u);
        }
    }
    if let Some(d) = &input.discount {
        f.discount = Some(d.0.clone());
    }
    if let Some(r) = &input.tax_rate
        && let Some(r) = errs.check("tax_rate", quantity::parse_percent(&r.0))
    {
        f.rate = Some(r);
    }
    f
}

/// Fills what a package or mileage line leaves out, from the package and
/// the branch's settings.
async fn complete(
    c: &impl ConnectionTrait,
    studio: StudioId,
    input: &LineInput,
    s: &BillingSettings,
    currency: Currency,
    f: &mut Fields,
    errs: &mut FieldErrors,
) -> CoreResult<()> {
    if let Some(pid) = input.package_id {
        let pkg = crate::bookings::interface::package(c, studio, pid, true)
            .await?
            .ok_or_else(|| CoreError::missing("package_id", "package", pid))?;
        if pkg.currency != currency.code() {
            errs.add(
                "package_id",
                "other_currency",
                format!("the package is priced in {}, the invoice in {currency}; give `unit_price` in {currency}", pkg.currency),
            );
        }
        if input.kind.is_none() {
            f.kind = LineKind::Package;
        }
        f.description.get_or_insert(pkg.name);
        f.unit.get_or_insert(pkg.price_minor);
        f.rate.get_or_insert(pkg.tax_rate_bp * 10);
    }
    if f.fee == Some(FeeKind::Mileage) && f.unit.is_none() {
        match s.mileage_rate_minor {
            Some(r) => f.unit = Some(r),
            None => errs.add(
                "unit_price",
                "required",
                "set the branch's mileage rate (billing settings) or give the rate as `unit_price`",
            ),
        }
    }
    if f.description.is_none() {
        if let Some(fee) = f.fee {
            let what = if fee == FeeKind::Mileage {
                format!(
                    "Mileage — {} {}",
                    quantity::fmt_thousandths(f.qty),
                    s.distance_unit
                )
            } else {
                fee.label().to_string()
            };
            f.description = Some(what);
        } else {
            errs.add("description", "required", "say what the line is for");
        }
    }
    if f.unit.is_none() && !errs.0.iter().any(|e| e.field == "unit_price") {
        errs.add(
            "unit_price",
            "required",
            "give the price of one (`unit_price`)",
        );
    }
    Ok(())
}

/// Checks a line's rate against the regime and works out its money.
fn priced(
    f: &Fields,
    regime: TaxRegime,
    mode: TaxMode,
    currency: Currency,
    errs: &mut FieldErrors,
) -> Option<(i64, i64, LineAmounts)> {
    let unit = f.unit?;
    let rate = f.rate.unwrap_or_else(|| regime.usual_rate_bp() * 10);
    errs.check("tax_rate", lines::check_rate(regime, rate))?;
    let gross = lines::line(
        LinePrice {
            quantity_milli: f.qty,
            unit_minor: unit,
            discount_minor: 0,
            tax_rate_mp: 0,
        },
        mode,
    )
    .ok()?
    .gross_minor;
    let discount = errs.check(
        "discount",
        lines::discount_of(f.discount.as_deref().unwrap_or(""), gross, currency),
    )?;
    let price = LinePrice {
        quantity_milli: f.qty,
        unit_minor: unit,
        discount_minor: discount,
        tax_rate_mp: rate,
    };
    let a = errs.check("discount", lines::line(price, mode))?;
    Some((rate, discount, a))
}

/// Adds a line to draft `m` inside `tx`.
pub(crate) async fn insert_line(
    core: &Core,
    tx: &impl ConnectionTrait,
    m: &invoice::Model,
    s: &BillingSettings,
    mode: TaxMode,
    input: &LineInput,
    default_position: i64,
) -> CoreResult<invoice_line::Model> {
    let studio = StudioId::from_uuid(m.studio_id);
    let currency = Currency::parse(&m.currency).map_err(|e| CoreError::invalid("currency", e))?;
    let mut errs = FieldErrors::new();
    if input.version.is_some() {
        errs.add(
            "version",
            "not_allowed",
            "a new line has no version yet; leave it out",
        );
    }
    let start = Fields {
        kind: LineKind::Item,
        fee: None,
        description: None,
        code: None,
        qty: 1000,
        unit: None,
        discount: None,
        rate: None,
    };
    let mut f = read(input, start, currency, &mut errs);
    complete(tx, studio, input, s, currency, &mut f, &mut errs).await?;
    let priced = priced(&f, m.tax_regime, mode, currency, &mut errs);
    errs.into_result()?;
    let Some((rate, discount, a)) = priced else {
        return Err(CoreError::invalid(
            "unit_price",
            "give the price of one (`unit_price`)",
        ));
    };
    let id = input.id.unwrap_or_default();
    f.code = f.code.or_else(|| {
        (m.tax_regime == TaxRegime::GstIn).then(|| {
            s.service_code
                .clone()
                .unwrap_or_else(|| super::profile::PHOTOGRAPHY_SAC.into())
        })
    });
    let mut am = line_row(f, rate, discount, a);
    am.id = Set(id.uuid());
    am.invoice_id = Set(m.id);
    am.position = Set(input.position.map_or(default_position, i64::from));
    am.package_id = Set(input.package_id.map(|x| x.uuid()));
    write::insert::<invoice_line::Entity>(core, tx, studio, &id, am).await
}

/// The draft `id` and its branch's settings, for a line change.
async fn draft_of(
    core: &Core,
    p: &Principal,
    id: InvoiceId,
) -> CoreResult<(invoice::Model, BillingSettings)> {
    let m = super::load(core, p, id, Permission::InvoiceManage).await?;
    must_be_draft(&m)?;
    let (_, s) = branch_settings(
        core.db().conn(),
        p.studio,
        darkroom_domain::BranchId::from_uuid(m.branch_id),
    )
    .await?
    .ok_or(CoreError::not_found("branch"))?;
    Ok((m, s))
}

/// Adds a line to a draft.
pub async fn add(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: InvoiceId,
    input: LineInput,
) -> CoreResult<InvoiceDetail> {
    let (m, s) = draft_of(core, p, id).await?;
    let count = repo::billing::line_count(core.db().conn(), p.studio, m.id).await?;
    if count >= super::draft::MAX_LINES as u64 {
        return Err(CoreError::invalid(
            "lines",
            format!("an invoice has at most {} lines", super::draft::MAX_LINES),
        ));
    }
    let tx = core.db().begin().await?;
    let mode = super::draft::mode_of(&m);
    let l = insert_line(
        core,
        &tx,
        &m,
        &s,
        mode,
        &input,
        i64::try_from(count).unwrap_or(0),
    )
    .await?;
    let saved =
        super::draft::save(core, &tx, &m, m.version, invoice::ActiveModel::default()).await?;
    let payload = serde_json::json!({ "line": InvoiceLineId::from_uuid(l.id), "description": l.description, "total": l.total_minor });
    record(
        core,
        &tx,
        meta,
        p,
        &saved,
        ("invoice.line_added", Severity::Low),
        payload,
    )
    .await?;
    crate::commit(tx).await?;
    detail(core, p, id).await
}

/// The line `line` of invoice `m`.
async fn line_of(
    c: &impl ConnectionTrait,
    m: &invoice::Model,
    line: InvoiceLineId,
) -> CoreResult<invoice_line::Model> {
    repo::billing::lines(c, StudioId::from_uuid(m.studio_id), m.id)
        .await?
        .into_iter()
        .find(|l| l.id == line.uuid())
        .ok_or(CoreError::not_found("invoice line"))
}

/// Changes a draft's line.
pub async fn change(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: InvoiceId,
    line: InvoiceLineId,
    input: LineInput,
) -> CoreResult<InvoiceDetail> {
    let (m, _) = draft_of(core, p, id).await?;
    let l = line_of(core.db().conn(), &m, line).await?;
    let currency = Currency::parse(&m.currency).map_err(|e| CoreError::invalid("currency", e))?;
    let mut errs = FieldErrors::new();
    let Some(version) = input.version else {
        return Err(CoreError::invalid(
            "version",
            "send the line's version you last read",
        ));
    };
    if input.package_id.is_some() {
        errs.add(
            "package_id",
            "not_allowed",
            "a line's package is set when it is added; add a new line instead",
        );
    }
    let f = read(&input, fields_of(&l, currency), currency, &mut errs);
    let priced = priced(
        &f,
        m.tax_regime,
        super::draft::mode_of(&m),
        currency,
        &mut errs,
    );
    errs.into_result()?;
    let Some((rate, discount, a)) = priced else {
        return Err(CoreError::invalid(
            "unit_price",
            "give the price of one (`unit_price`)",
        ));
    };
    let mut am = line_row(f, rate, discount, a);
    if let Some(pos) = input.position {
        am.position = Set(i64::from(pos));
    }
    let tx = core.db().begin().await?;
    write::update::<invoice_line::Entity, _>(
        core,
        &tx,
        p.studio,
        l.id,
        version,
        am,
        super::line_view,
    )
    .await?;
    let saved =
        super::draft::save(core, &tx, &m, m.version, invoice::ActiveModel::default()).await?;
    let payload = serde_json::to_value(&input).unwrap_or_default();
    record(
        core,
        &tx,
        meta,
        p,
        &saved,
        ("invoice.line_changed", Severity::Low),
        payload,
    )
    .await?;
    crate::commit(tx).await?;
    detail(core, p, id).await
}

/// A stored line's fields, as a change starts from them.
fn fields_of(l: &invoice_line::Model, currency: Currency) -> Fields {
    Fields {
        kind: l.kind,
        fee: l.fee_kind,
        description: Some(l.description.clone()),
        code: l.code.clone(),
        qty: l.quantity_milli,
        unit: Some(l.unit_minor),
        discount: Some(currency_text(currency, l.discount_minor)),
        rate: Some(l.tax_rate_mp),
    }
}

/// The columns a line's checked fields and money fill.
fn line_row(f: Fields, rate: i64, discount: i64, a: LineAmounts) -> invoice_line::ActiveModel {
    let mut am = amounts_row(a);
    am.kind = Set(f.kind);
    am.fee_kind = Set(f.fee);
    am.description = Set(f.description.unwrap_or_default());
    am.code = Set(f.code);
    am.quantity_milli = Set(f.qty);
    am.unit_minor = Set(f.unit.unwrap_or(0));
    am.discount_minor = Set(discount);
    am.tax_rate_mp = Set(rate);
    am
}

/// A stored discount as an amount the currency reads back.
fn currency_text(c: Currency, minor: i64) -> String {
    let digits = c.minor_digits();
    if digits == 0 {
        return minor.to_string();
    }
    let scale = 10i64.pow(digits);
    format!(
        "{}.{:0width$}",
        minor / scale,
        minor % scale,
        width = digits as usize
    )
}

/// Removes a draft's line.
pub async fn remove(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: InvoiceId,
    line: InvoiceLineId,
) -> CoreResult<InvoiceDetail> {
    let (m, _) = draft_of(core, p, id).await?;
    let l = line_of(core.db().conn(), &m, line).await?;
    let tx = core.db().begin().await?;
    repo::billing::delete_line(&tx, p.studio, l.id).await?;
    let saved =
        super::draft::save(core, &tx, &m, m.version, invoice::ActiveModel::default()).await?;
    let payload = serde_json::json!({ "line": line, "description": l.description });
    record(
        core,
        &tx,
        meta,
        p,
        &saved,
        ("invoice.line_removed", Severity::Low),
        payload,
    )
    .await?;
    crate::commit(tx).await?;
    detail(core, p, id).await
}
