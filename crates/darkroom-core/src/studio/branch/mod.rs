//! Branches: where a studio works from. Each has an address, a tax identity,
//! an invoice-number prefix, a time zone and a currency.

use darkroom_db::entity::branch;
use darkroom_db::repo::{self, branch::BranchQuery};
use darkroom_db::sea_orm::{ConnectionTrait, Set};
use darkroom_domain::StudioId;
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::{BranchFilter, Target};
use darkroom_domain::field::{
    CurrencyCode, InvoicePrefix, Line, OptEmail, Phone, TaxIdKindOrBlank, Text, Zone,
};
use darkroom_domain::money::Currency;
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{BranchId, Timestamp, TypedId};
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::created::{self, Claim};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::listing::{self, Listing};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

mod address;
pub use address::*;

/// A branch as the API and pages show it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct BranchView {
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
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Set when the branch is deleted; it can be restored.
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
    pub id: Option<BranchId>,
    pub name: Line<200>,
    #[serde(default)]
    pub address: AddressInput,
    pub tax_id_kind: Option<TaxIdKindOrBlank>,
    pub tax_id: Option<Text<40>>,
    /// Defaults to the first three letters of the name and a dash.
    pub invoice_prefix: Option<InvoicePrefix>,
    pub time_zone: Option<Zone>,
    pub currency: Option<CurrencyCode>,
    pub phone: Option<Phone>,
    pub email: Option<OptEmail>,
}

/// Changes to a branch; absent fields stay as they are, `""` clears optional ones.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BranchPatch {
    /// The version you last read; a stale one gets 409 with the current state.
    pub version: i64,
    pub name: Option<Line<200>>,
    pub address: Option<AddressInput>,
    pub tax_id_kind: Option<TaxIdKindOrBlank>,
    pub tax_id: Option<Text<40>>,
    pub invoice_prefix: Option<InvoicePrefix>,
    pub time_zone: Option<Zone>,
    pub currency: Option<CurrencyCode>,
    pub phone: Option<Phone>,
    pub email: Option<OptEmail>,
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
    pub cursor: Option<crate::kernel::listing::IdCursor>,
    /// Rows per page, 1 to 200 (default 50).
    pub limit: Option<crate::kernel::listing::ListLimit>,
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
        StudioId::from_uuid(studio),
        &BranchQuery::default(),
        &darkroom_db::page::PageRequest::first(200),
    )
    .await?;
    if let Some(other) = all
        .items
        .iter()
        .find(|b| b.invoice_prefix == prefix && Some(b.id) != except)
    {
        return Err(CoreError::taken(
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
    let f = input.checked(&studio)?;
    let tx = core.db().begin().await?;
    let now = core.now().as_micros();
    let id = input.id.unwrap_or_default();
    if input.id.is_some()
        && created::claim(&tx, p.studio, "branch", id, &created::digest(&input), now).await?
            == Claim::Replay
    {
        let existing = repo::branch::find(&tx, p.studio, id, true)
            .await?
            .ok_or(CoreError::not_found("branch"))?;
        return Ok((view(existing), false));
    }
    check_prefix_free(&tx, p.studio.uuid(), &f.prefix, None).await?;
    let saved = write::insert::<branch::Entity>(core, &tx, p.studio, &id, f.row(id)).await?;
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

/// A new branch's fields, checked.
struct BranchFields {
    name: String,
    address: Address,
    tax_kind: Option<String>,
    tax_id: Option<String>,
    prefix: String,
    zone: String,
    currency: Currency,
    phone: Option<String>,
    email: Option<String>,
}

impl NewBranch {
    /// Every field checked (mistakes reported together); what the studio
    /// has stands in for a time zone or currency not given.
    fn checked(&self, studio: &darkroom_db::entity::studio::Model) -> CoreResult<BranchFields> {
        let mut errs = FieldErrors::new();
        let name = errs.check("name", self.name.check("the branch name"));
        let address = self.address.checked(&mut errs);
        let tax = darkroom_domain::tax::check_pair(
            self.tax_id_kind.as_ref(),
            self.tax_id.as_ref(),
            &mut errs,
        );
        let prefix = match &self.invoice_prefix {
            Some(p) => errs.check("invoice_prefix", p.check().map(|p| p.to_ascii_uppercase())),
            None => Some(default_prefix(name.as_deref().unwrap_or(""))),
        };
        let zone = match &self.time_zone {
            Some(z) => errs.check("time_zone", z.check()),
            None => Some(studio.time_zone.clone()),
        };
        let currency = match &self.currency {
            Some(c) => errs.check("currency", c.check().and_then(|c| Currency::parse(&c))),
            None => errs.check("currency", Currency::parse(&studio.currency)),
        };
        let phone = match &self.phone {
            Some(p) => errs.check("phone", p.check()).flatten(),
            None => None,
        };
        let email = match &self.email {
            Some(e) => errs.check("email", e.check()).flatten(),
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
        Ok(BranchFields {
            name,
            address,
            tax_kind,
            tax_id,
            prefix,
            zone,
            currency,
            phone,
            email,
        })
    }
}

impl BranchFields {
    fn row(self, id: BranchId) -> branch::ActiveModel {
        branch::ActiveModel {
            id: Set(id.uuid()),
            name: Set(self.name),
            address: Set(serde_json::to_string(&self.address).unwrap_or_else(|_| "{}".into())),
            tax_id_kind: Set(self.tax_kind),
            tax_id: Set(self.tax_id),
            invoice_prefix: Set(self.prefix),
            time_zone: Set(self.zone),
            currency: Set(self.currency.code()),
            phone: Set(self.phone),
            email: Set(self.email),
            ..Default::default()
        }
    }
}

async fn load(
    core: &Core,
    c: &impl ConnectionTrait,
    p: &Principal,
    id: BranchId,
    deleted: bool,
) -> CoreResult<branch::Model> {
    let _ = core;
    repo::branch::find(c, p.studio, id, deleted)
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
    let rows = repo::branch::list(core.db().conn(), p.studio, &q, &page).await?;
    Ok(Listing {
        next_cursor: rows.next.map(listing::encode_id),
        items: rows.items.into_iter().map(view).collect(),
    })
}

/// Live branches as (id, name), for pickers.
pub async fn names(core: &Core, p: &Principal) -> CoreResult<Vec<(BranchId, String)>> {
    let filter = core.branch_filter(p, Permission::BranchView);
    let all = repo::branch::list_names(core.db().conn(), p.studio).await?;
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
    let (am, changed, new_prefix) = patch.changes(&current)?;
    if current.version != patch.version {
        return Err(CoreError::stale(view(current)));
    }
    if let Some(pf) = &new_prefix {
        check_prefix_free(&tx, p.studio.uuid(), pf, Some(current.id)).await?;
    }
    if write::try_update::<branch::Entity>(core, &tx, p.studio, id.uuid(), patch.version, am)
        .await?
        .is_err()
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

impl BranchPatch {
    /// The columns the patch changes over `current`, the names of the fields
    /// changed (for the audit log), and a new invoice prefix to check is free.
    fn changes(
        &self,
        current: &branch::Model,
    ) -> CoreResult<(branch::ActiveModel, Vec<&'static str>, Option<String>)> {
        let mut errs = FieldErrors::new();
        let mut am = branch::ActiveModel::default();
        let mut changed = Vec::new();
        if let Some(n) = &self.name
            && let Some(n) = errs.check("name", n.check("the branch name"))
        {
            changed.push("name");
            am.name = Set(n);
        }
        if let Some(a) = &self.address {
            let a = a.checked(&mut errs);
            changed.push("address");
            am.address = Set(serde_json::to_string(&a).unwrap_or_else(|_| "{}".into()));
        }
        if self.tax_id_kind.is_some() || self.tax_id.is_some() {
            let kind = self
                .tax_id_kind
                .clone()
                .or(current.tax_id_kind.clone().map(TaxIdKindOrBlank::from));
            let tid = self
                .tax_id
                .clone()
                .or(current.tax_id.clone().map(Text::from));
            if let Some((k, v)) =
                darkroom_domain::tax::check_pair(kind.as_ref(), tid.as_ref(), &mut errs)
            {
                changed.push("tax_id");
                am.tax_id_kind = Set(k);
                am.tax_id = Set(v);
            }
        }
        let mut new_prefix = None;
        if let Some(pf) = &self.invoice_prefix
            && let Some(pf) =
                errs.check("invoice_prefix", pf.check().map(|p| p.to_ascii_uppercase()))
        {
            changed.push("invoice_prefix");
            new_prefix = Some(pf.clone());
            am.invoice_prefix = Set(pf);
        }
        if let Some(z) = &self.time_zone
            && let Some(z) = errs.check("time_zone", z.check())
        {
            changed.push("time_zone");
            am.time_zone = Set(z);
        }
        if let Some(c) = &self.currency
            && let Some(c) = errs.check("currency", c.check().and_then(|c| Currency::parse(&c)))
        {
            changed.push("currency");
            am.currency = Set(c.code());
        }
        if let Some(ph) = &self.phone
            && let Some(ph) = errs.check("phone", ph.check())
        {
            changed.push("phone");
            am.phone = Set(ph);
        }
        if let Some(e) = &self.email
            && let Some(v) = errs.check("email", e.check())
        {
            changed.push("email");
            am.email = Set(v);
        }
        errs.into_result()?;
        Ok((am, changed, new_prefix))
    }
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
        let live = repo::branch::list_names(&tx, p.studio).await?;
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
    if write::try_update::<branch::Entity>(core, &tx, p.studio, id.uuid(), current.version, am)
        .await?
        .is_err()
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
