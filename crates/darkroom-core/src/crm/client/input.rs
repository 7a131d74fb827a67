//! What a request may say about a client, checked into the columns it
//! changes. One shape serves adding (`name` required) and changing
//! (`version` required; only the fields sent change; `""` clears a text).

use darkroom_db::entity::client;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::crm::{Tags, phone};
use darkroom_domain::field::{
    ClientKindName, Line, OptEmail, SourceOrBlank, Tag, TaxIdKindOrBlank, Text,
};
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{BranchId, ClientId, TypedId, UserId};
use serde::{Deserialize, Serialize};

use crate::Core;
use crate::kernel::error::CoreResult;

/// A client as sent to add or change one.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientInput {
    /// When adding: the id to give the client (an offline app's own).
    pub id: Option<ClientId>,
    /// When changing: the version you read; a stale one gets 409 with the
    /// current client.
    pub version: Option<i64>,
    /// When adding: `true` adds the client even though one with the same
    /// email or phone exists (otherwise 409 `duplicate_client` names it).
    pub allow_duplicate: Option<bool>,
    /// `person` (default), `couple` or `organisation`.
    pub kind: Option<ClientKindName>,
    /// Required when adding. A couple's first partner; an organisation's name.
    pub name: Option<Line<200>>,
    /// `""` for none; kept in lower case.
    pub email: Option<OptEmail>,
    /// Kept in E.164; a number without `+` is read in the branch's country.
    pub phone: Option<Text<40>>,
    /// A couple's second partner.
    pub partner_name: Option<Text<200>>,
    pub partner_email: Option<OptEmail>,
    pub partner_phone: Option<Text<40>>,
    /// The branch the client belongs to; `""` for the whole studio.
    pub branch_id: Option<Text<40>>,
    /// The staff member who looks after the client (`usr_...`); `""` for none.
    pub manager_id: Option<Text<40>>,
    /// How the client found the studio; `""` for unknown.
    pub source: Option<SourceOrBlank>,
    /// Whether the client agreed to marketing mail (the time is kept).
    pub marketing_consent: Option<bool>,
    /// Internal: never shown to the client.
    pub notes: Option<Text<5000>>,
    /// Labels to find the client by (`wedding`, `vip`); at most 20.
    #[schema(max_items = 20)]
    pub tags: Option<Vec<Tag>>,
    /// The kind of the client's tax number; `""` with `tax_id` `""` for none.
    pub tax_id_kind: Option<TaxIdKindOrBlank>,
    pub tax_id: Option<Text<40>>,
    /// Invoices carry no tax.
    pub tax_exempt: Option<bool>,
    /// Days after issue an invoice is due (`30` for Net 30); `0` for on receipt.
    #[schema(maximum = 365)]
    pub payment_terms_days: Option<u16>,
    /// The studio's supplier number in the client's books.
    pub vendor_number: Option<Text<60>>,
    /// Invoices need the client's purchase order number.
    pub po_required: Option<bool>,
}

crate::bodies!(ClientInput, "a client":
    add NewClient requires ["name"] without ["version"];
    change ClientChange requires ["version"] without ["id", "allow_duplicate"]);

/// Where a client's phone numbers are read, and who may be named in it.
pub struct Context {
    /// The studio's live branches: id, country, name.
    pub branches: Vec<(BranchId, Option<String>, String)>,
    /// The country of the studio's first branch.
    pub studio_region: Option<String>,
    /// Staff of the studio, with their names.
    pub staff: Vec<(UserId, String)>,
    pub now: i64,
}

impl Context {
    pub async fn load(core: &Core, studio: darkroom_domain::StudioId) -> CoreResult<Self> {
        let c = core.db().conn();
        let branches: Vec<(BranchId, Option<String>, String)> =
            darkroom_db::repo::branch::live(c, studio)
                .await?
                .into_iter()
                .map(|b| (BranchId::from_uuid(b.id), country_of(&b.address), b.name))
                .collect();
        let studio_region = match branches.iter().find_map(|(_, r, _)| r.clone()) {
            Some(r) => Some(r),
            None => locale_region(c, studio).await?,
        };
        let staff = darkroom_db::repo::person::staff_names(c, studio).await?;
        Ok(Self {
            branches,
            studio_region,
            staff,
            now: core.now().as_micros(),
        })
    }

    /// The country numbers are read in for a client of `branch`.
    pub(crate) fn region(&self, branch: Option<uuid::Uuid>) -> Option<&str> {
        branch
            .and_then(|b| {
                self.branches
                    .iter()
                    .find(|(id, _, _)| id.uuid() == b)
                    .and_then(|(_, r, _)| r.as_deref())
            })
            .or(self.studio_region.as_deref())
    }
}

/// The country of a branch's stored address (JSON), if it has one.
pub fn country_of(address: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(address).ok()?;
    let c = v.get("country")?.as_str()?.trim().to_ascii_uppercase();
    (c.len() == 2).then_some(c)
}

fn text<const N: usize>(
    errs: &mut FieldErrors,
    field: &str,
    what: &str,
    v: &Option<Text<N>>,
) -> Option<Option<String>> {
    v.as_ref().and_then(|t| errs.check(field, t.check(what)))
}

fn email(errs: &mut FieldErrors, field: &str, v: &Option<OptEmail>) -> Option<Option<String>> {
    v.as_ref()
        .and_then(|e| errs.check(field, e.check()))
        .map(|e| e.map(|e| e.to_lowercase()))
}

fn id_of<T: TypedId>(
    errs: &mut FieldErrors,
    field: &str,
    v: &Option<Text<40>>,
    known: impl Fn(&T) -> bool,
    what: &str,
) -> Option<Option<uuid::Uuid>> {
    let raw = text(errs, field, what, v)?;
    let Some(raw) = raw else { return Some(None) };
    match T::parse(&raw) {
        Ok(id) if known(&id) => Some(Some(id.uuid())),
        _ => {
            errs.add(
                field,
                "not_found",
                format!(
                    "there is no {what} `{}` in this studio",
                    darkroom_domain::validate::clip(&raw)
                ),
            );
            None
        }
    }
}

impl ClientInput {
    /// Checks every field sent into `am` (only those sent), naming each
    /// problem; returns the names of the fields set. `current` is the
    /// client being changed (its branch reads phone numbers).
    pub(crate) fn apply(
        &self,
        cx: &Context,
        current: Option<&client::Model>,
        am: &mut client::ActiveModel,
    ) -> Result<Vec<&'static str>, FieldErrors> {
        let mut errs = FieldErrors::new();
        let mut set = Vec::new();
        let branch = id_of::<BranchId>(
            &mut errs,
            "branch_id",
            &self.branch_id,
            |b| cx.branches.iter().any(|(id, _, _)| id == b),
            "branch",
        );
        if let Some(b) = branch {
            am.branch_id = Set(b);
            set.push("branch_id");
        }
        let region = cx
            .region(branch.unwrap_or(current.and_then(|c| c.branch_id)))
            .map(str::to_string);
        let region = region.as_deref();
        self.identity(&mut errs, region, am, &mut set);
        if let Some(m) = id_of::<UserId>(
            &mut errs,
            "manager_id",
            &self.manager_id,
            |u| cx.staff.iter().any(|(id, _)| id == u),
            "staff member",
        ) {
            am.manager_id = Set(m);
            set.push("manager_id");
        }
        if let Some(s) = &self.source
            && let Some(s) = errs.check("source", s.check())
        {
            am.source = Set(s);
            set.push("source");
        }
        if let Some(agreed) = self.marketing_consent {
            let had = current.and_then(|c| c.marketing_consent_at);
            am.marketing_consent_at = Set(if agreed { had.or(Some(cx.now)) } else { None });
            set.push("marketing_consent");
        }
        if let Some(n) = text(&mut errs, "notes", "the notes", &self.notes) {
            am.notes = Set(n);
            set.push("notes");
        }
        if let Some(raw) = &self.tags
            && let Some(t) = errs.check("tags", Tags::parse(raw))
        {
            am.tags = Set(t.stored());
            set.push("tags");
        }
        self.billing(&mut errs, am, &mut set);
        errs.into_result().map(|()| set)
    }

    /// Who the client is: kind, names, emails and phones.
    fn identity(
        &self,
        errs: &mut FieldErrors,
        region: Option<&str>,
        am: &mut client::ActiveModel,
        set: &mut Vec<&'static str>,
    ) {
        if let Some(k) = &self.kind
            && let Some(k) = errs.check("kind", k.check())
        {
            am.kind = Set(k);
            set.push("kind");
        }
        if let Some(n) = &self.name
            && let Some(n) = errs.check("name", n.check("the name"))
        {
            am.name = Set(n);
            set.push("name");
        }
        if let Some(e) = email(errs, "email", &self.email) {
            am.email = Set(e);
            set.push("email");
        }
        if let Some(e) = email(errs, "partner_email", &self.partner_email) {
            am.partner_email = Set(e);
            set.push("partner_email");
        }
        for (field, v) in [
            ("phone", &self.phone),
            ("partner_phone", &self.partner_phone),
        ] {
            let Some(raw) = text(errs, field, "the phone number", v) else {
                continue;
            };
            let Some(p) = errs.check(field, phone::optional(raw.as_deref().unwrap_or(""), region))
            else {
                continue;
            };
            if field == "phone" {
                am.phone = Set(p);
            } else {
                am.partner_phone = Set(p);
            }
            set.push(field);
        }
        if let Some(n) = text(
            errs,
            "partner_name",
            "the partner's name",
            &self.partner_name,
        ) {
            am.partner_name = Set(n);
            set.push("partner_name");
        }
    }

    fn billing(
        &self,
        errs: &mut FieldErrors,
        am: &mut client::ActiveModel,
        set: &mut Vec<&'static str>,
    ) {
        if self.tax_id_kind.is_some() || self.tax_id.is_some() {
            let blank_kind = TaxIdKindOrBlank::default();
            let blank_id = Text::<40>::default();
            if let Some((k, v)) = darkroom_domain::tax::check_pair(
                Some(self.tax_id_kind.as_ref().unwrap_or(&blank_kind)),
                Some(self.tax_id.as_ref().unwrap_or(&blank_id)),
                errs,
            ) {
                am.tax_id_kind = Set(k);
                am.tax_id = Set(v);
                set.push("tax_id");
            }
        }
        if let Some(b) = self.tax_exempt {
            am.tax_exempt = Set(i64::from(b));
            set.push("tax_exempt");
        }
        if let Some(d) = self.payment_terms_days {
            if d > 365 {
                errs.add(
                    "payment_terms_days",
                    "out_of_range",
                    format!("{d} days is too long; payment terms run 0 (on receipt) to 365 days"),
                );
            } else {
                am.payment_terms_days = Set(Some(i64::from(d)));
                set.push("payment_terms_days");
            }
        }
        if let Some(v) = text(
            errs,
            "vendor_number",
            "the vendor number",
            &self.vendor_number,
        ) {
            am.vendor_number = Set(v);
            set.push("vendor_number");
        }
        if let Some(b) = self.po_required {
            am.po_required = Set(i64::from(b));
            set.push("po_required");
        }
    }
}

/// The country numbers without `+` are read in when no branch says: the
/// first of the studio's branches that has one in its address, else the
/// region of the studio's locale (`en-IN` → `IN`).
pub(crate) async fn studio_region(
    c: &impl darkroom_db::sea_orm::ConnectionTrait,
    studio: darkroom_domain::StudioId,
) -> CoreResult<Option<String>> {
    let branch = darkroom_db::repo::branch::live(c, studio)
        .await?
        .iter()
        .find_map(|b| country_of(&b.address));
    match branch {
        Some(r) => Ok(Some(r)),
        None => locale_region(c, studio).await,
    }
}

/// The region part of the studio's locale, if it names one.
async fn locale_region(
    c: &impl darkroom_db::sea_orm::ConnectionTrait,
    studio: darkroom_domain::StudioId,
) -> CoreResult<Option<String>> {
    let Some(s) = darkroom_db::repo::studio::find(c, studio).await? else {
        return Ok(None);
    };
    Ok(s.locale
        .split(['-', '_'])
        .skip(1)
        .find(|p| p.len() == 2 && p.chars().all(|ch| ch.is_ascii_alphabetic()))
        .map(str::to_ascii_uppercase))
}
