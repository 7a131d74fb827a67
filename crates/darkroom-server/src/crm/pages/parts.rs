//! A client page's parts: adding and removing contacts and addresses, and
//! merging a look-alike client into this one (or undoing that).

use axum::extract::Path;
use axum::response::Response;
use darkroom_core::crm::client::{self, ClientFilter, ClientView};
use darkroom_core::crm::contact::{ClientAddressInput, ContactInput};
use darkroom_core::crm::merge::{self, MergeInput};
use darkroom_core::crm::parts::{self as contact, Part};
use darkroom_domain::{AddressId, ClientId, ContactId};
use serde::Deserialize;

use super::clients::load;
use crate::extract::path_id;
use crate::web::field;
use crate::web::render::{PageCtx, PageForm, done, error_page};

pub const ROLES: &[(&str, &str)] = &[
    ("primary", "Primary"),
    ("billing", "Billing"),
    ("marketing", "Marketing"),
    ("admin", "Admin"),
    ("other", "Other"),
];

pub const ADDRESS_KINDS: &[(&str, &str)] = &[
    ("home", "Home"),
    ("billing", "Billing"),
    ("delivery", "Delivery"),
    ("venue", "Venue"),
    ("office", "Office"),
    ("other", "Other"),
];

/// Other live clients that look like `c` (by its name, email or phone):
/// the ones staff may want to merge into it.
pub async fn similar(ctx: &PageCtx, c: &ClientView) -> Vec<ClientView> {
    if c.deleted_at.is_some() {
        return Vec::new();
    }
    let mut out: Vec<ClientView> = Vec::new();
    let keys = [
        Some(c.name.as_str()),
        c.email.as_deref(),
        c.phone.as_deref(),
    ];
    for q in keys.into_iter().flatten() {
        let f = ClientFilter {
            q: Some(field(q)),
            ..Default::default()
        };
        if let Ok(found) = client::list(&ctx.state.core, &ctx.p, &f).await {
            for x in found {
                if x.id != c.id && !out.iter().any(|o| o.id == x.id) {
                    out.push(x);
                }
            }
        }
    }
    out.truncate(5);
    out
}

fn back(id: ClientId, notice: &str) -> Response {
    done(&format!("/clients/{id}"), notice)
}

/// A contact as the page's small form posts it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ContactForm {
    name: String,
    role: String,
    email: String,
    phone: String,
    primary: Option<String>,
}

pub async fn add_contact(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<ContactForm>,
) -> Response {
    let c = match load(&ctx, &id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let input = ContactInput {
        name: Some(field(&f.name)),
        role: Some(field(&f.role)),
        email: Some(field(&f.email)),
        phone: Some(field(&f.phone)),
        primary: Some(f.primary.is_some()),
        ..Default::default()
    };
    match contact::save_contact(&ctx.state.core, &ctx.p, &ctx.meta, c.id, None, input).await {
        Ok(_) => back(c.id, "contact_added"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

/// An address as the page's small form posts it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AddressForm {
    kind: String,
    label: String,
    line1: String,
    line2: String,
    city: String,
    region: String,
    postal_code: String,
    country: String,
    primary: Option<String>,
}

pub async fn add_address(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<AddressForm>,
) -> Response {
    let c = match load(&ctx, &id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let input = ClientAddressInput {
        kind: Some(field(&f.kind)),
        label: Some(field(&f.label)),
        line1: Some(field(&f.line1)),
        line2: Some(field(&f.line2)),
        city: Some(field(&f.city)),
        region: Some(field(&f.region)),
        postal_code: Some(field(&f.postal_code)),
        country: Some(field(&f.country)),
        primary: Some(f.primary.is_some()),
        ..Default::default()
    };
    match contact::save_address(&ctx.state.core, &ctx.p, &ctx.meta, c.id, None, input).await {
        Ok(_) => back(c.id, "address_added"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

pub async fn remove_contact(ctx: PageCtx, Path((id, part)): Path<(String, String)>) -> Response {
    remove(ctx, id, part, true).await
}

pub async fn remove_address(ctx: PageCtx, Path((id, part)): Path<(String, String)>) -> Response {
    remove(ctx, id, part, false).await
}

async fn remove(ctx: PageCtx, id: String, part: String, is_contact: bool) -> Response {
    let c = match load(&ctx, &id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let part = if is_contact {
        path_id::<ContactId>(&part).map(Part::Contact)
    } else {
        path_id::<AddressId>(&part).map(Part::Address)
    };
    let Ok(part) = part else {
        let what = if is_contact { "contact" } else { "address" };
        return error_page(&ctx.state, &darkroom_core::CoreError::not_found(what));
    };
    match contact::remove(&ctx.state.core, &ctx.p, &ctx.meta, c.id, part).await {
        Ok(()) => back(c.id, "part_removed"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

/// The merge form: which client goes into this one.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MergeForm {
    other: String,
    version: Option<i64>,
}

pub async fn merge(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<MergeForm>,
) -> Response {
    let c = match load(&ctx, &id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(other) = path_id::<ClientId>(f.other.trim()) else {
        let e = darkroom_core::CoreError::invalid(
            "other",
            format!(
                "`{}` is not a client id; pick a client from the list",
                f.other
            ),
        );
        return error_page(&ctx.state, &e);
    };
    let input = MergeInput {
        other,
        version: f.version.unwrap_or(0),
    };
    match merge::merge(&ctx.state.core, &ctx.p, &ctx.meta, c.id, input).await {
        Ok(_) => back(c.id, "client_merged"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

/// The undo form: which merged client comes back.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UnmergeForm {
    merged: String,
}

pub async fn unmerge(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<UnmergeForm>,
) -> Response {
    let Ok(survivor) = path_id::<ClientId>(&id) else {
        return error_page(&ctx.state, &darkroom_core::CoreError::not_found("client"));
    };
    let Ok(merged) = path_id::<ClientId>(f.merged.trim()) else {
        return error_page(&ctx.state, &darkroom_core::CoreError::not_found("client"));
    };
    match merge::unmerge(&ctx.state.core, &ctx.p, &ctx.meta, survivor, merged).await {
        Ok(_) => back(merged, "client_unmerged"),
        Err(e) => error_page(&ctx.state, &e),
    }
}
