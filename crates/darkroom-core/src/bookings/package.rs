//! Packages (seed 001): what a branch sells. An exact price in the
//! branch's currency, a tax rate, the length or number of sessions, the
//! photos the client chooses, what is and is not included, and resource
//! hooks: the rooms, gear and people every booking of the package holds.

use darkroom_db::entity::package;
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::audit::Severity;
use darkroom_domain::field::{Line, Text};
use darkroom_domain::money::Currency;
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{BranchId, PackageId, ResourceId, StudioId, Timestamp, TypedId, UserId};
use serde::{Deserialize, Serialize};

use super::session_type::{ids_of, stored_ids};
use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// A package as staff see it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PackageView {
    pub id: PackageId,
    pub branch_id: BranchId,
    pub name: String,
    pub description: Option<String>,
    /// The price before tax, in minor units of `currency` (paise, cents, won).
    pub price_minor: i64,
    pub currency: String,
    /// The price as people read it: `INR 45,000.00`.
    pub price: String,
    /// Tax in basis points: 1800 is 18%.
    pub tax_rate_bp: i64,
    pub duration_minutes: Option<i64>,
    pub quantity: Option<i64>,
    /// Photos the client chooses (the gallery's selection limit).
    pub photos_included: Option<i64>,
    /// Each photo chosen beyond those, in minor units (billed on the
    /// project's invoice).
    pub extra_photo_price_minor: Option<i64>,
    pub extra_photo_price: Option<String>,
    pub inclusions: Vec<String>,
    pub exclusions: Vec<String>,
    /// Held by every booking of the package.
    pub resource_ids: Vec<ResourceId>,
    pub staff_ids: Vec<UserId>,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::to_string)
        .filter(|l| !l.is_empty())
        .collect()
}

pub(crate) fn view(m: package::Model) -> PackageView {
    let price = Currency::parse(&m.currency)
        .map(|c| c.format_minor(m.price_minor))
        .unwrap_or_else(|_| format!("{} {}", m.currency, m.price_minor));
    let extra_photo_price = m.extra_photo_price_minor.map(|x| {
        Currency::parse(&m.currency)
            .map(|c| c.format_minor(x))
            .unwrap_or_else(|_| format!("{} {x}", m.currency))
    });
    PackageView {
        id: PackageId::from_uuid(m.id),
        branch_id: BranchId::from_uuid(m.branch_id),
        name: m.name,
        description: m.description,
        price_minor: m.price_minor,
        currency: m.currency,
        price,
        tax_rate_bp: m.tax_rate_bp,
        duration_minutes: m.duration_minutes,
        quantity: m.quantity,
        photos_included: m.photos_included,
        extra_photo_price,
        extra_photo_price_minor: m.extra_photo_price_minor,
        inclusions: lines(&m.inclusions),
        exclusions: lines(&m.exclusions),
        resource_ids: ids_of(&m.resource_ids)
            .into_iter()
            .map(ResourceId::from_uuid)
            .collect(),
        staff_ids: ids_of(&m.staff_ids)
            .into_iter()
            .map(UserId::from_uuid)
            .collect(),
        version: m.version,
        created_at: Timestamp::from_micros(m.created_at),
        updated_at: Timestamp::from_micros(m.updated_at),
    }
}

/// A package as sent: `branch_id`, `name` and `price` when adding;
/// `version` when changing; only the fields sent change.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PackageInput {
    pub id: Option<PackageId>,
    pub version: Option<i64>,
    /// Its branch (its currency is the branch's). Set when adding.
    pub branch_id: Option<BranchId>,
    pub name: Option<Line<120>>,
    pub description: Option<Text<2000>>,
    /// The price before tax as people write it: `45000`, `45000.50` (no
    /// more decimals than the branch's currency has).
    pub price: Option<darkroom_domain::field::Amount>,
    /// Tax in basis points, 0 to 10000 (1800 = 18%).
    #[schema(minimum = 0, maximum = 10000)]
    pub tax_rate_bp: Option<u16>,
    #[schema(minimum = 1, maximum = 10080)]
    pub duration_minutes: Option<u16>,
    #[schema(minimum = 1, maximum = 1000)]
    pub quantity: Option<u16>,
    #[schema(minimum = 1, maximum = 100000)]
    pub photos_included: Option<u32>,
    /// The price of each photo chosen beyond `photos_included`, before
    /// tax, like `price`; `0` for none.
    pub extra_photo_price: Option<darkroom_domain::field::Amount>,
    /// One item each.
    #[schema(max_items = 50)]
    pub inclusions: Option<Vec<Line<200>>>,
    #[schema(max_items = 50)]
    pub exclusions: Option<Vec<Line<200>>>,
    /// Rooms and gear every booking of it holds (exactly these).
    #[schema(max_items = 20)]
    pub resource_ids: Option<Vec<ResourceId>>,
    /// People every booking of it holds (exactly these).
    #[schema(max_items = 20)]
    pub staff_ids: Option<Vec<UserId>>,
}

crate::bodies!(PackageInput, "a package":
    add NewPackage requires ["branch_id", "name", "price"] without ["version"];
    change PackageChange requires ["version"] without ["id", "branch_id"]);

fn ranged(errs: &mut FieldErrors, field: &str, v: Option<i64>, max: i64) -> Option<Option<i64>> {
    match v {
        None => None,
        Some(n) if (1..=max).contains(&n) => Some(Some(n)),
        Some(_) => {
            errs.add(
                field,
                "out_of_range",
                format!("give a number from 1 to {max}"),
            );
            None
        }
    }
}

fn items(errs: &mut FieldErrors, field: &str, v: &[Line<200>]) -> String {
    let mut out = Vec::new();
    for (i, l) in v.iter().enumerate() {
        if let Some(l) = errs.check(&format!("{field}[{i}]"), l.check("an item")) {
            out.push(l);
        }
    }
    out.join("\n")
}

impl PackageInput {
    fn apply(&self, currency: Currency, am: &mut package::ActiveModel, errs: &mut FieldErrors) {
        if let Some(n) = &self.name
            && let Some(n) = errs.check("name", n.check("the name"))
        {
            am.name = Set(n);
        }
        if let Some(d) = &self.description
            && let Some(d) = errs.check("description", d.check("the description"))
        {
            am.description = Set(d);
        }
        if let Some(p) = &self.price
            && let Some(p) = errs.check("price", p.check())
            && let Some(minor) = errs.check("price", currency.parse_amount(&p))
        {
            am.price_minor = Set(minor);
        }
        if let Some(t) = self.tax_rate_bp {
            if t > 10_000 {
                errs.add(
                    "tax_rate_bp",
                    "out_of_range",
                    "tax is 0 to 10000 basis points (100%)",
                );
            } else {
                am.tax_rate_bp = Set(i64::from(t));
            }
        }
        if let Some(v) = ranged(
            errs,
            "duration_minutes",
            self.duration_minutes.map(i64::from),
            10_080,
        ) {
            am.duration_minutes = Set(v);
        }
        if let Some(v) = ranged(errs, "quantity", self.quantity.map(i64::from), 1000) {
            am.quantity = Set(v);
        }
        if let Some(v) = ranged(
            errs,
            "photos_included",
            self.photos_included.map(i64::from),
            100_000,
        ) {
            am.photos_included = Set(v);
        }
        if let Some(p) = &self.extra_photo_price
            && let Some(p) = errs.check("extra_photo_price", p.check())
            && let Some(minor) = errs.check("extra_photo_price", currency.parse_amount(&p))
        {
            am.extra_photo_price_minor = Set(Some(minor).filter(|m| *m > 0));
        }
        if let Some(v) = &self.inclusions {
            am.inclusions = Set(items(errs, "inclusions", v));
        }
        if let Some(v) = &self.exclusions {
            am.exclusions = Set(items(errs, "exclusions", v));
        }
        for (field, n) in [
            ("inclusions", self.inclusions.as_ref().map_or(0, Vec::len)),
            ("exclusions", self.exclusions.as_ref().map_or(0, Vec::len)),
        ] {
            if n > 50 {
                errs.add(field, "too_many", "list at most 50 items");
            }
        }
    }
}

fn authorize(core: &Core, p: &Principal, branch: BranchId, action: Permission) -> CoreResult<()> {
    core.authorize(p, action, darkroom_domain::authz::Target::branch(branch))
}

/// Checks that the people and resources named are the studio's; stores them.
async fn hooks(
    core: &Core,
    p: &Principal,
    input: &PackageInput,
    am: &mut package::ActiveModel,
) -> CoreResult<()> {
    let c = core.db().conn();
    if let Some(ids) = &input.resource_ids {
        for (i, r) in ids.iter().enumerate() {
            if repo::schedule::find_resource(c, p.studio, *r, false)
                .await?
                .is_none()
            {
                return Err(CoreError::missing(
                    &format!("resource_ids[{i}]"),
                    "resource",
                    r,
                ));
            }
        }
        am.resource_ids = Set(stored_ids(ids.iter().map(|r| r.uuid())));
    }
    if let Some(ids) = &input.staff_ids {
        let staff = repo::person::staff_names(c, p.studio).await?;
        for (i, u) in ids.iter().enumerate() {
            if !staff.iter().any(|(s, _)| s == u) {
                return Err(CoreError::missing(
                    &format!("staff_ids[{i}]"),
                    "staff member",
                    u,
                ));
            }
        }
        am.staff_ids = Set(stored_ids(ids.iter().map(|u| u.uuid())));
    }
    Ok(())
}

async fn find(core: &Core, studio: StudioId, id: PackageId) -> CoreResult<package::Model> {
    repo::package::find(core.db().conn(), studio, id, false)
        .await?
        .ok_or(CoreError::not_found("package"))
}

async fn record(
    core: &Core,
    tx: &darkroom_db::Tx,
    meta: &Meta,
    p: &Principal,
    m: &package::Model,
    event_type: &'static str,
) -> CoreResult<()> {
    let event = Event {
        studio: Some(p.studio),
        branch: Some(BranchId::from_uuid(m.branch_id)),
        who: Who::of(p),
        event_type,
        severity: Severity::Low,
        target_type: "package",
        target_id: PackageId::from_uuid(m.id).to_string(),
        payload: serde_json::json!({ "name": m.name, "price_minor": m.price_minor }),
    };
    audit::record(core, tx, meta, event).await
}

/// A live package of the principal's studio they may see.
pub async fn get(core: &Core, p: &Principal, id: PackageId) -> CoreResult<PackageView> {
    let m = find(core, p.studio, id).await?;
    if !core.can(
        p,
        Permission::BookingView,
        darkroom_domain::authz::Target::branch(BranchId::from_uuid(m.branch_id)),
    ) {
        return Err(CoreError::not_found("package"));
    }
    Ok(view(m))
}

/// The packages of the branches the principal sees, by name.
pub async fn list(core: &Core, p: &Principal) -> CoreResult<Vec<PackageView>> {
    let rows = repo::package::list(core.db().conn(), p.studio).await?;
    Ok(rows
        .into_iter()
        .filter(|m| {
            core.can(
                p,
                Permission::BookingView,
                darkroom_domain::authz::Target::branch(BranchId::from_uuid(m.branch_id)),
            )
        })
        .map(view)
        .collect())
}

pub async fn create(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    input: PackageInput,
) -> CoreResult<PackageView> {
    let Some(branch_id) = input.branch_id else {
        return Err(CoreError::invalid(
            "branch_id",
            "name the branch that sells it (`brn_...`)",
        ));
    };
    let branch =
        super::branch_for(core, p, "branch_id", branch_id, Permission::BookingManage).await?;
    let currency =
        Currency::parse(&branch.currency).map_err(|e| CoreError::invalid("branch_id", e))?;
    let mut errs = FieldErrors::new();
    let mut am = package::ActiveModel {
        branch_id: Set(branch.id),
        currency: Set(currency.code()),
        tax_rate_bp: Set(0),
        inclusions: Set(String::new()),
        exclusions: Set(String::new()),
        resource_ids: Set(String::new()),
        staff_ids: Set(String::new()),
        ..Default::default()
    };
    input.apply(currency, &mut am, &mut errs);
    for (field, missing) in [
        ("name", input.name.is_none()),
        ("price", input.price.is_none()),
    ] {
        if missing {
            errs.add(field, "required", format!("give the package's {field}"));
        }
    }
    if input.version.is_some() {
        errs.add(
            "version",
            "not_allowed",
            "a new package has no version; leave it out",
        );
    }
    errs.into_result()?;
    hooks(core, p, &input, &mut am).await?;
    let id = input.id.unwrap_or_default();
    am.id = Set(id.uuid());
    let tx = core.db().begin().await?;
    let m = write::insert::<package::Entity>(core, &tx, p.studio, &id, am).await?;
    record(core, &tx, meta, p, &m, "package.created").await?;
    crate::commit(tx).await?;
    Ok(view(m))
}

pub async fn update(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: PackageId,
    input: PackageInput,
) -> CoreResult<PackageView> {
    let current = find(core, p.studio, id).await?;
    authorize(
        core,
        p,
        BranchId::from_uuid(current.branch_id),
        Permission::BookingManage,
    )?;
    let currency =
        Currency::parse(&current.currency).map_err(|e| CoreError::invalid("price", e))?;
    let mut errs = FieldErrors::new();
    let mut am = package::ActiveModel::default();
    input.apply(currency, &mut am, &mut errs);
    if input
        .branch_id
        .is_some_and(|b| b.uuid() != current.branch_id)
    {
        errs.add(
            "branch_id",
            "not_allowed",
            "a package stays in its branch; add it to the other branch instead",
        );
    }
    let Some(version) = input.version else {
        errs.add(
            "version",
            "required",
            "send the version you read, so a change made meanwhile is not lost",
        );
        return Err(CoreError::Validation(errs));
    };
    errs.into_result()?;
    hooks(core, p, &input, &mut am).await?;
    let tx = core.db().begin().await?;
    write::update::<package::Entity, _>(core, &tx, p.studio, id.uuid(), version, am, view).await?;
    record(core, &tx, meta, p, &current, "package.updated").await?;
    crate::commit(tx).await?;
    get(core, p, id).await
}

/// Withdraws a package (projects that name it keep it).
pub async fn delete(core: &Core, p: &Principal, meta: &Meta, id: PackageId) -> CoreResult<()> {
    let current = find(core, p.studio, id).await?;
    authorize(
        core,
        p,
        BranchId::from_uuid(current.branch_id),
        Permission::BookingManage,
    )?;
    let am = package::ActiveModel {
        deleted_at: Set(Some(core.now().as_micros())),
        ..Default::default()
    };
    let tx = core.db().begin().await?;
    write::update::<package::Entity, _>(core, &tx, p.studio, id.uuid(), current.version, am, view)
        .await?;
    record(core, &tx, meta, p, &current, "package.deleted").await?;
    crate::commit(tx).await
}

/// The live package `id` of the studio, for a booking that names it.
pub(crate) async fn live(
    core: &Core,
    studio: StudioId,
    id: PackageId,
) -> CoreResult<package::Model> {
    find(core, studio, id).await
}
