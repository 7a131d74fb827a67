//! A gallery's sharing page for staff: its client and terms (expiry,
//! proofing maximum and deadline, extras, download cap), its share links
//! (create, revoke, reopen a submitted selection) and what clients did.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use darkroom_core::crm::client::{self, ClientInput};
use darkroom_core::photos::gallery::{self, GalleryTerms};
use darkroom_core::sharing::activity;
use darkroom_core::sharing::share::{self, CreatedLink, LinkChange, NewLink};
use darkroom_domain::authz::Target;
use darkroom_domain::names::LinkPurpose;
use darkroom_domain::permission::Permission;
use darkroom_domain::{ClientId, GalleryId, ShareLinkId};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use crate::extract::path_id;
use crate::web::render::{PageCtx, PageForm, done, error_page, field_errors, flash_text};
use crate::web::{Params, end_of_day, page_id, param};

fn number<const A: i64, const B: i64>(
    field: &str,
    raw: &str,
) -> Result<Option<darkroom_domain::field::Ranged<A, B>>, darkroom_core::CoreError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse()
        .map(|n| Some(darkroom_domain::field::Ranged(n)))
        .map_err(|_| {
            darkroom_core::CoreError::invalid(field, "give a whole number, or leave it empty")
        })
}

/// What one of the page's forms sent back with its errors, so the page
/// shows it again as typed with the bad fields marked (each form keeps its
/// own errors: the terms' banner never speaks for the link form).
#[derive(Default)]
struct Refill {
    terms: Option<(Value, Value)>,
    link: Option<(Value, Value)>,
}

impl Refill {
    fn terms(form: &TermsForm, e: &darkroom_core::CoreError) -> Option<Self> {
        let errors = form_field_errors(e)?;
        Some(Self {
            terms: Some((Value::from_serialize(form), errors)),
            link: None,
        })
    }

    fn link(form: &LinkForm, e: &darkroom_core::CoreError) -> Option<Self> {
        let errors = form_field_errors(e)?;
        Some(Self {
            terms: None,
            link: Some((Value::from_serialize(form), errors)),
        })
    }
}

/// The core's field errors under the names this page's fields carry (the
/// forms take a day, `expires_on`, where the API takes an instant).
fn form_field_errors(e: &darkroom_core::CoreError) -> Option<Value> {
    let mut errors = field_errors(e)?;
    if let Some(m) = errors.remove("expires_at") {
        errors.insert("expires_on".to_string(), m);
    }
    Some(Value::from_serialize(&errors))
}

async fn render(
    ctx: &PageCtx,
    id: GalleryId,
    created: Option<CreatedLink>,
    refill: Refill,
    status: StatusCode,
    flash: Option<&str>,
) -> Response {
    let core = &ctx.state.core;
    let g = match gallery::get(core, &ctx.p, id).await {
        Ok(g) => g,
        Err(e) => return error_page(&ctx.state, &e),
    };
    let act = match activity::of_gallery(core, &ctx.p, id).await {
        Ok(a) => a,
        Err(e) => return error_page(&ctx.state, &e),
    };
    // People who may only look see the links and activity, not the forms.
    let can_manage = core.can(
        &ctx.p,
        Permission::GalleryManage,
        Target::gallery(g.id, g.branch_id),
    ) && g.deleted_at.is_none();
    let clients = if can_manage {
        match client::list(core, &ctx.p, &Default::default()).await {
            Ok(c) => c,
            Err(e) => return error_page(&ctx.state, &e),
        }
    } else {
        Vec::new()
    };
    let deliverables = match darkroom_core::production::delivery::list(core, &ctx.p, id).await {
        Ok(d) => d,
        Err(e) => return error_page(&ctx.state, &e),
    };
    ctx.render_status(
        status,
        "sharing.html",
        context! {
            title => format!("Sharing and delivery · {}", g.name), g => g, a => act, clients => clients,
            created => created, flash => flash, can_manage => can_manage,
            tf => refill.terms.as_ref().map(|t| t.0.clone()),
            terms_errors => refill.terms.map_or_else(|| context! {}, |t| t.1),
            lf => refill.link.as_ref().map(|l| l.0.clone()),
            link_errors => refill.link.map_or_else(|| context! {}, |l| l.1),
            deliverables => deliverables, kinds => darkroom_domain::delivery::KINDS,
            delivery_statuses => darkroom_domain::delivery::STATUSES,
        },
    )
}

pub async fn show(ctx: PageCtx, Path(id): Path<String>, q: Params) -> Response {
    let id = match page_id::<GalleryId>(&ctx, &id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    render(
        &ctx,
        id,
        None,
        Refill::default(),
        StatusCode::OK,
        flash_text(param(&q, "flash")),
    )
    .await
}

#[derive(Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TermsForm {
    version: i64,
    client_id: String,
    new_client_name: String,
    new_client_email: String,
    expires_on: String,
    selection_limit: String,
    selection_deadline: String,
    allow_extras: Option<String>,
    download_limit: String,
}

pub async fn set_terms(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<TermsForm>,
) -> Response {
    let id = match page_id::<GalleryId>(&ctx, &id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let core = &ctx.state.core;
    let result = async {
        let client_id = if !f.new_client_name.trim().is_empty() {
            let made = client::create(
                core,
                &ctx.p,
                &ctx.meta,
                ClientInput {
                    name: Some(crate::web::field(&f.new_client_name)),
                    email: Some(crate::web::field(&f.new_client_email)),
                    ..Default::default()
                },
            )
            .await;
            match made {
                Ok((c, _)) => Some(c.id),
                // The client is already on file (same email): use that record.
                Err(darkroom_core::CoreError::Conflict {
                    code: "duplicate_client",
                    current: Some(existing),
                    ..
                }) => existing[0]["id"]
                    .as_str()
                    .and_then(|i| i.parse::<ClientId>().ok()),
                Err(e) => return Err(e),
            }
        } else if f.client_id.is_empty() {
            None
        } else {
            Some(f.client_id.parse::<ClientId>().map_err(|_| {
                darkroom_core::CoreError::invalid("client_id", "choose a client from the list")
            })?)
        };
        let terms = GalleryTerms {
            version: f.version,
            client_id,
            expires_at: end_of_day("expires_on", &f.expires_on)?,
            selection_limit: number("selection_limit", &f.selection_limit)?,
            selection_deadline: end_of_day("selection_deadline", &f.selection_deadline)?,
            allow_extras: Some(f.allow_extras.is_some()),
            download_limit: number("download_limit", &f.download_limit)?,
        };
        gallery::set_terms(core, &ctx.p, &ctx.meta, id, terms).await
    }
    .await;
    match result {
        Ok(_) => done(&format!("/galleries/{id}/sharing"), "terms_saved"),
        Err(e) => match Refill::terms(&f, &e) {
            Some(refill) => {
                render(
                    &ctx,
                    id,
                    None,
                    refill,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    None,
                )
                .await
            }
            None => error_page(&ctx.state, &e),
        },
    }
}

#[derive(Default, Deserialize, Serialize)]
#[serde(default)]
pub struct LinkForm {
    kind: String,
    purpose: String,
    label: String,
    email: String,
    favourite: Option<String>,
    comment: Option<String>,
    edits: Option<String>,
    clean: Option<String>,
    download: String,
    download_limit: String,
    expires_on: String,
}

impl LinkForm {
    /// The new link the form describes.
    fn input(&self) -> Result<NewLink, darkroom_core::CoreError> {
        let f = self;
        // The form offers the purposes; anything else is the core's field error.
        let purpose = if f.purpose.is_empty() {
            "proofing"
        } else {
            f.purpose.as_str()
        };
        let delivery = LinkPurpose::parse(purpose) == Ok(LinkPurpose::Delivery);
        let mut rights = Vec::new();
        for (on, name) in [
            (&f.favourite, "favourite"),
            (&f.comment, "comment"),
            (&f.edits, "edits"),
            (&f.clean, "clean"),
        ] {
            // A delivery link takes no proofing rights: the form's boxes are ignored.
            if on.is_some() && (!delivery || name == "clean") {
                rights.push(name.to_string());
            }
        }
        Ok(NewLink {
            id: None,
            kind: Some(if f.kind.is_empty() {
                "person".into()
            } else {
                crate::web::field(&f.kind)
            }),
            purpose: Some(crate::web::field(purpose)),
            label: crate::web::field(&f.label),
            email: Some(crate::web::field(&f.email)),
            rights: rights.iter().map(|r| crate::web::field(r)).collect(),
            download: Some(match (f.download.as_str(), delivery) {
                ("" | "none", true) => "original".into(),
                ("", false) => "none".into(),
                (d, _) => crate::web::field(d),
            }),
            download_limit: number("download_limit", &f.download_limit)?,
            expires_at: end_of_day("expires_on", &f.expires_on)?
                .map(darkroom_domain::field::Future),
        })
    }
}

pub async fn create_link(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<LinkForm>,
) -> Response {
    let id = match page_id::<GalleryId>(&ctx, &id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let core = &ctx.state.core;
    let result = async {
        let input = f.input()?;
        share::create_link(core, &ctx.p, &ctx.meta, id, input).await
    }
    .await;
    match result {
        // Shown once, on this response: only the hash is kept.
        Ok(created) => {
            render(
                &ctx,
                id,
                Some(created),
                Refill::default(),
                StatusCode::CREATED,
                None,
            )
            .await
        }
        Err(e) => match Refill::link(&f, &e) {
            Some(refill) => {
                render(
                    &ctx,
                    id,
                    None,
                    refill,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    None,
                )
                .await
            }
            None => error_page(&ctx.state, &e),
        },
    }
}

async fn change(ctx: PageCtx, raw: &str, c: LinkChange, flash: &str) -> Response {
    let id: ShareLinkId = match path_id(raw) {
        Ok(i) => i,
        Err(_) => {
            return error_page(
                &ctx.state,
                &darkroom_core::CoreError::not_found("share link"),
            );
        }
    };
    match share::change_link(&ctx.state.core, &ctx.p, &ctx.meta, id, c).await {
        Ok(l) => done(&format!("/galleries/{}/sharing", l.gallery_id), flash),
        Err(e) => error_page(&ctx.state, &e),
    }
}

pub async fn revoke(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(_f): PageForm<Empty>,
) -> Response {
    change(ctx, &id, LinkChange::Revoke, "link_revoked").await
}

pub async fn reopen(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(_f): PageForm<Empty>,
) -> Response {
    change(ctx, &id, LinkChange::Reopen, "selection_reopened").await
}

/// A form with nothing but its CSRF token.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct Empty {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_the_end_of_that_day_and_bad_ones_are_named() {
        let t = end_of_day("expires_on", "2027-01-31").unwrap().unwrap();
        assert_eq!(t.to_rfc3339(), "2027-01-31T23:59:59Z");
        assert_eq!(end_of_day("x", " ").unwrap(), None);
        assert!(end_of_day("expires_on", "31/01/2027").is_err());
        assert_eq!(
            number::<1, 100>("n", "12").unwrap(),
            Some(darkroom_domain::field::Ranged(12))
        );
        assert!(number::<1, 100>("n", "twelve").is_err());
    }
}
