//! Branches: where a studio works from. Each has an address, a tax identity,
//! an invoice-number prefix, a time zone and a currency.

use darkroom_db::entity::branch;
use darkroom_db::repo::{self, branch::BranchQuery};
use darkroom_db::sea_orm::{ConnectionTrait, Set};
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::{BranchFilter, Target};
use darkroom_domain::money::Currency;
use darkroom_domain::permission::Permission;
use darkroom_domain::tax::{TaxIdKind, check_tax_id};
use darkroom_domain::time::check_time_zone;
use darkroom_domain::validate::{self, FieldErrors};
use darkroom_domain::{BranchId, Timestamp, TypedId};
use serde::{Deserialize, Serialize};

use crate::audit::{self, Event, Who};
use crate::created::{self, Claim};
use crate::error::{CoreError, CoreResult};
use crate::listing::{self, Listing};
use crate::{Core, Meta, Principal};

/// A postal address.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Address {
    #[serde(default)]
    pub line1: String,
    #[serde(default)]
    pub line2: String,
    #[serde(default)]
    pub city: String,
    /// State, province or region.
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub postal_code: String,
    /// ISO 3166-1 alpha-2 country code, e.g. `IN`, `GB`, `KR`.
    #[serde(default)]
    pub country: String,
}

impl Address {
    fn checked(&self, errs: &mut FieldErrors) -> Address {
        let mut field = |name: &str, v: &str, max: usize| {
            errs.check(
                &format!("address.{name}"),
                validate::optional_text(v, &format!("address {name}"), max),
            )
            .flatten()
            .unwrap_or_default()
        };
        let out = Address {
            line1: field("line1", &self.line1, 200),
            line2: field("line2", &self.line2, 200),
            city: field("city", &self.city, 100),
            region: field("region", &self.region, 100),
            postal_code: field("postal_code", &self.postal_code, 20),
            country: field("country", &self.country, 2).to_ascii_uppercase(),
        };
        let country_ok = out.country.is_empty()
            || (out.country.len() == 2 && out.country.bytes().all(|b| b.is_ascii_uppercase()));
        if !country_ok {
            errs.add(
                "address.country",
                "invalid",
                "use a two-letter ISO country code, e.g. IN, GB, US, KR",
            );
        }
        out
    }

    /// One line for lists.
    pub fn one_line(&self) -> String {
        [
            &self.line1,
            &self.line2,
            &self.city,
            &self.region,
            &self.postal_code,
            &self.country,
        ]
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// A branch as the API and pages show it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct BranchView {
    #[schema(value_type = String, example = "brn_0193b0c4e5f67a8b9c0d1e2f3a4b5c6d")]
    pub id: BranchId,
    pub name: String,
    pub address: Address,
    /// `gstin`, `vat`, `ein`, `abn`, `brn` or `other`.
    pub tax_id_kind: Option<String>,
    pub tax_id: Option<String>,
    /// Prefix of this branch's invoice numbers, e.g. `BLR-`.
    pub invoice_prefix: String,
    pub time_zone: String,
    pub currency: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub version: i64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    /// Set when the branch is deleted; it can be restored.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub deleted_at: Option<Timestamp>,
}

fn view(m: branch::Model) -> BranchView {
    BranchView {
        id: BranchId::from_uuid(m.id),
        name: m.name,
        address: serde_json::from_str(&m.address).unwrap_or_default(),
        tax_id_kind: m.tax_id_kind,
        tax_id: m.tax_id,
        invoice_prefix: m.invoice_prefix,
        time_zone: m.time_zone,
        currency: m.currency,
        phone: m.phone,
        email: m.email,
        version: m.version,
        created_at: Timestamp::from_micros(m.created_at),
        updated_at: Timestamp::from_micros(m.updated_at),
        deleted_at: m.deleted_at.map(Timestamp::from_micros),
    }
}

/// A new branch. `time_zone` and `currency` default to the studio's.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBranch {
    /// Optional client-chosen UUIDv7 (`brn_...`); replaying the same body is idempotent.
    #[schema(value_type = Option<String>)]
    pub id: Option<BranchId>,
    pub name: String,
    #[serde(default)]
    pub address: Address,
    pub tax_id_kind: Option<String>,
    pub tax_id: Option<String>,
    /// Defaults to the first three letters of the name and a dash.
    pub invoice_prefix: Option<String>,
    pub time_zone: Option<String>,
    pub currency: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// Changes to a branch; absent fields stay as they are, `""` clears optional ones.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BranchPatch {
    /// The version you last read; a stale one gets 409 with the current state.
    pub version: i64,
    pub name: Option<String>,
    pub address: Option<Address>,
    pub tax_id_kind: Option<String>,
    pub tax_id: Option<String>,
    pub invoice_prefix: Option<String>,
    pub time_zone: Option<String>,
    pub currency: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// List filters.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BranchFilterParams {
    /// Only names containing this text (any case).
    pub q: Option<String>,
    /// `true` lists deleted branches (to restore them).
    pub deleted: Option<bool>,
    pub cursor: Option<String>,
    /// Rows per page, 1 to 200 (default 50).
    pub limit: Option<u64>,
}

fn check_tax(
    kind: Option<&str>,
    id: Option<&str>,
    errs: &mut FieldErrors,
) -> Option<(Option<String>, Option<String>)> {
    let kind = kind.map(str::trim).filter(|s| !s.is_empty());
    let id = id.map(str::trim).filter(|s| !s.is_empty());
    match (kind, id) {
        (None, None) => Some((None, None)),
        (Some(k), None) => {
            errs.check("tax_id_kind", TaxIdKind::parse(k))?;
            errs.add(
                "tax_id",
                "required",
                "enter the tax number, or leave the kind empty",
            );
            None
        }
        (None, Some(_)) => {
            errs.add(
                "tax_id_kind",
                "required",
                "say which kind of tax number this is (gstin, vat, ein, abn, brn, other)",
            );
            None
        }
        (Some(k), Some(v)) => {
            let kind = errs.check("tax_id_kind", TaxIdKind::parse(k))?;
            let v = errs.check("tax_id", check_tax_id(kind, v))?;
            Some((Some(kind.key().to_string()), Some(v)))
        }
    }
}

fn default_prefix(name: &str) -> String {
    let letters: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(3)
        .collect();
    if letters.is_empty() {
        "INV-".into()
    } else {
        format!("{}-", letters.to_ascii_uppercase())
    }
}

async fn check_prefix_free(
    c: &impl ConnectionTrait,
    studio: uuid::Uuid,
    prefix: &str,
    except: Option<uuid::Uuid>,
) -> CoreResult<()> {
    let all = repo::branch::list(
        c,
        studio,
        &BranchQuery::default(),
        &darkroom_db::page::PageRequest::first(200),
    )
    .await?;
    if let Some(other) = all
        .items
        .iter()
        .find(|b| b.invoice_prefix == prefix && Some(b.id) != except)
    {
        return Err(CoreError::invalid(
            "invoice_prefix",
            format!(
                "`{prefix}` is already the invoice prefix of branch `{}`; invoice numbers must not collide, so pick another",
                other.name
            ),
        ));
    }
    Ok(())
}

/// Creates a branch.
pub async fn create(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    input: NewBranch,
) -> CoreResult<(BranchView, bool)> {
    core.authorize(p, Permission::BranchCreate, Target::STUDIO)?;
    let studio = crate::studio::load(core, p.studio).await?;
    let mut errs = FieldErrors::new();
    let name = errs.check("name", validate::text(&input.name, "the branch name", 200));
    let address = input.address.checked(&mut errs);
    let tax = check_tax(
        input.tax_id_kind.as_deref(),
        input.tax_id.as_deref(),
        &mut errs,
    );
    let prefix_in = input
        .invoice_prefix
        .clone()
        .unwrap_or_else(|| default_prefix(name.as_deref().unwrap_or("")));
    let prefix = errs.check("invoice_prefix", validate::invoice_prefix(&prefix_in));
    let zone = input.time_zone.clone().unwrap_or(studio.time_zone.clone());
    let zone = errs.check("time_zone", check_time_zone(&zone).map(|_| zone));
    let currency = errs.check(
        "currency",
        Currency::parse(input.currency.as_deref().unwrap_or(&studio.currency)),
    );
    let phone = errs
        .check(
            "phone",
            validate::phone(input.phone.as_deref().unwrap_or("")),
        )
        .flatten();
    let email = match input
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        Some(e) => errs.check("email", validate::email(e)),
        None => None,
    };
    errs.into_result()?;
    let (Some(name), Some((tax_kind, tax_id)), Some(prefix), Some(zone), Some(currency)) =
        (name, tax, prefix, zone, currency)
    else {
        return Err(CoreError::Internal(anyhow::anyhow!(
            "validated fields missing"
        )));
    };

    let tx = core.db().begin().await?;
    let now = core.now().as_micros();
    let id = input.id.unwrap_or_default();
    if input.id.is_some()
        && created::claim(&tx, p.studio, "branch", id, &created::digest(&input), now).await?
            == Claim::Replay
    {
        let existing = repo::branch::find(&tx, p.studio.uuid(), id.uuid(), true)
            .await?
            .ok_or(CoreError::not_found("branch"))?;
        return Ok((view(existing), false));
    }
    check_prefix_free(&tx, p.studio.uuid(), &prefix, None).await?;
    let row = branch::Model {
        id: id.uuid(),
        studio_id: p.studio.uuid(),
        name,
        address: serde_json::to_string(&address).unwrap_or_else(|_| "{}".into()),
        tax_id_kind: tax_kind,
        tax_id,
        invoice_prefix: prefix,
        time_zone: zone,
        currency: currency.code(),
        phone,
        email,
        version: 1,
        created_at: now,
        updated_at: now,
        deleted_at: None,
    };
    let saved = repo::branch::insert(&tx, row)
        .await
        .map_err(|e| created::on_insert_error(e, &id))?;
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: Some(id),
            who: Who::of(p),
            event_type: "branch.created",
            severity: Severity::Medium,
            target_type: "branch",
            target_id: id.to_string(),
            payload: serde_json::json!({ "name": saved.name, "invoice_prefix": saved.invoice_prefix }),
        },
    )
    .await?;
    crate::commit(tx).await?;
    Ok((view(saved), true))
}

async fn load(
    core: &Core,
    c: &impl ConnectionTrait,
    p: &Principal,
    id: BranchId,
    deleted: bool,
) -> CoreResult<branch::Model> {
    let _ = core;
    repo::branch::find(c, p.studio.uuid(), id.uuid(), deleted)
        .await?
        .ok_or(CoreError::not_found("branch"))
}

/// One branch (live, or deleted for those who may restore it).
pub async fn get(core: &Core, p: &Principal, id: BranchId) -> CoreResult<BranchView> {
    let m = load(core, core.db().conn(), p, id, true).await?;
    core.authorize(p, Permission::BranchView, Target::branch(id))?;
    if m.deleted_at.is_some() {
        core.authorize(p, Permission::BranchDelete, Target::branch(id))?;
    }
    Ok(view(m))
}

/// Branches the principal may see.
pub async fn list(
    core: &Core,
    p: &Principal,
    f: &BranchFilterParams,
) -> CoreResult<Listing<BranchView>> {
    let deleted = f.deleted.unwrap_or(false);
    let perm = if deleted {
        Permission::BranchDelete
    } else {
        Permission::BranchView
    };
    let only = match core.branch_filter(p, perm) {
        BranchFilter::All => None,
        BranchFilter::Only(list) => Some(list.into_iter().map(|b| b.uuid()).collect()),
    };
    let page = listing::by_id(f.cursor.as_deref(), f.limit)?;
    let search =
        f.q.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
    let q = BranchQuery {
        only,
        deleted,
        search,
    };
    let rows = repo::branch::list(core.db().conn(), p.studio.uuid(), &q, &page).await?;
    Ok(Listing {
        next_cursor: rows.next.map(listing::encode_id),
        items: rows.items.into_iter().map(view).collect(),
    })
}

/// Live branches as (id, name), for pickers.
pub async fn names(core: &Core, p: &Principal) -> CoreResult<Vec<(BranchId, String)>> {
    let filter = core.branch_filter(p, Permission::BranchView);
    let all = repo::branch::list_names(core.db().conn(), p.studio.uuid()).await?;
    Ok(all
        .into_iter()
        .map(|(id, n)| (BranchId::from_uuid(id), n))
        .filter(|(id, _)| filter.allows(*id))
        .collect())
}

/// Updates a branch.
pub async fn update(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: BranchId,
    patch: BranchPatch,
) -> CoreResult<BranchView> {
    let tx = core.db().begin().await?;
    let current = load(core, &tx, p, id, false).await?;
    core.authorize(p, Permission::BranchEdit, Target::branch(id))?;
    let mut errs = FieldErrors::new();
    let mut am = branch::ActiveModel::default();
    let mut changed = Vec::new();
    if let Some(n) = &patch.name
        && let Some(n) = errs.check("name", validate::text(n, "the branch name", 200))
    {
        changed.push("name");
        am.name = Set(n);
    }
    if let Some(a) = &patch.address {
        let a = a.checked(&mut errs);
        changed.push("address");
        am.address = Set(serde_json::to_string(&a).unwrap_or_else(|_| "{}".into()));
    }
    if patch.tax_id_kind.is_some() || patch.tax_id.is_some() {
        let kind = patch.tax_id_kind.clone().or(current.tax_id_kind.clone());
        let tid = patch.tax_id.clone().or(current.tax_id.clone());
        if let Some((k, v)) = check_tax(kind.as_deref(), tid.as_deref(), &mut errs) {
            changed.push("tax_id");
            am.tax_id_kind = Set(k);
            am.tax_id = Set(v);
        }
    }
    let mut new_prefix = None;
    if let Some(pf) = &patch.invoice_prefix
        && let Some(pf) = errs.check("invoice_prefix", validate::invoice_prefix(pf))
    {
        changed.push("invoice_prefix");
        new_prefix = Some(pf.clone());
        am.invoice_prefix = Set(pf);
    }
    if let Some(z) = &patch.time_zone
        && errs.check("time_zone", check_time_zone(z)).is_some()
    {
        changed.push("time_zone");
        am.time_zone = Set(z.clone());
    }
    if let Some(c) = &patch.currency
        && let Some(c) = errs.check("currency", Currency::parse(c))
    {
        changed.push("currency");
        am.currency = Set(c.code());
    }
    if let Some(ph) = &patch.phone
        && let Some(ph) = errs.check("phone", validate::phone(ph))
    {
        changed.push("phone");
        am.phone = Set(ph);
    }
    if let Some(e) = &patch.email {
        let e = e.trim();
        let v = if e.is_empty() {
            Some(None)
        } else {
            errs.check("email", validate::email(e)).map(Some)
        };
        if let Some(v) = v {
            changed.push("email");
            am.email = Set(v);
        }
    }
    errs.into_result()?;
    if current.version != patch.version {
        return Err(CoreError::stale(view(current)));
    }
    if let Some(pf) = &new_prefix {
        check_prefix_free(&tx, p.studio.uuid(), pf, Some(current.id)).await?;
    }
    am.updated_at = Set(core.now().as_micros());
    if !repo::branch::update_versioned(&tx, p.studio.uuid(), id.uuid(), patch.version, am).await? {
        let fresh = load(core, &tx, p, id, true).await?;
        return Err(CoreError::stale(view(fresh)));
    }
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: Some(id),
            who: Who::of(p),
            event_type: "branch.updated",
            severity: Severity::Low,
            target_type: "branch",
            target_id: id.to_string(),
            payload: serde_json::json!({ "fields": changed }),
        },
    )
    .await?;
    let fresh = load(core, &tx, p, id, true).await?;
    crate::commit(tx).await?;
    Ok(view(fresh))
}

/// Soft-deletes (`restore = false`) or restores a branch.
pub async fn set_deleted(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: BranchId,
    version: Option<i64>,
    restore: bool,
) -> CoreResult<BranchView> {
    let tx = core.db().begin().await?;
    let current = load(core, &tx, p, id, true).await?;
    core.authorize(p, Permission::BranchDelete, Target::branch(id))?;
    if restore != current.deleted_at.is_some() {
        return Err(CoreError::conflict(
            "invalid_state",
            if restore {
                "this branch is not deleted"
            } else {
                "this branch is already deleted"
            },
        ));
    }
    if let Some(v) = version
        && v != current.version
    {
        return Err(CoreError::stale(view(current)));
    }
    if !restore {
        let live = repo::branch::list_names(&tx, p.studio.uuid()).await?;
        if live.len() <= 1 {
            return Err(CoreError::conflict(
                "last_branch",
                "a studio needs at least one branch; create another before deleting this one",
            ));
        }
    }
    let now = core.now().as_micros();
    let am = branch::ActiveModel {
        deleted_at: Set(if restore { None } else { Some(now) }),
        updated_at: Set(now),
        ..Default::default()
    };
    if !repo::branch::update_versioned(&tx, p.studio.uuid(), id.uuid(), current.version, am).await?
    {
        let fresh = load(core, &tx, p, id, true).await?;
        return Err(CoreError::stale(view(fresh)));
    }
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: Some(id),
            who: Who::of(p),
            event_type: if restore {
                "branch.restored"
            } else {
                "branch.deleted"
            },
            severity: Severity::High,
            target_type: "branch",
            target_id: id.to_string(),
            payload: serde_json::json!({ "name": current.name }),
        },
    )
    .await?;
    let fresh = load(core, &tx, p, id, true).await?;
    crate::commit(tx).await?;
    Ok(view(fresh))
}
