//! Client pages: the list (searched by name, email, phone or tag, filtered
//! by a tag), a client's page with its form, contacts, addresses and
//! merging, and deleting or restoring one.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use darkroom_core::CoreError;
use darkroom_core::crm::client::{self, ClientFilter, ClientInput, ClientView};
use darkroom_core::crm::contact;
use darkroom_domain::ClientId;
use darkroom_domain::field::Tag;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use crate::extract::path_id;
use crate::web::render::{PageCtx, PageForm, done, error_page, field_errors, flash_text};
use crate::web::{Params, field, param};

const KINDS: &[(&str, &str)] = &[
    ("person", "Person"),
    ("couple", "Couple"),
    ("organisation", "Organisation"),
];

const SOURCES: &[(&str, &str)] = &[
    ("website", "Website"),
    ("referral", "Referral"),
    ("instagram", "Instagram"),
    ("facebook", "Facebook"),
    ("google", "Google"),
    ("walk_in", "Walk-in"),
    ("wedding_fair", "Wedding fair"),
    ("repeat", "Repeat client"),
    ("directory", "Directory"),
    ("other", "Other"),
];

const TAX_KINDS: &[(&str, &str)] = &[
    ("gstin", "GSTIN (India)"),
    ("vat", "VAT number"),
    ("ein", "EIN (US)"),
    ("abn", "ABN (Australia)"),
    ("brn", "Business registration (Korea)"),
    ("other", "Other"),
];

pub async fn list(ctx: PageCtx, q: Params) -> Response {
    let deleted = param(&q, "deleted") == Some("true");
    let f = ClientFilter {
        q: param(&q, "q").map(field),
        deleted: Some(deleted),
        tag: param(&q, "tag").map(field),
        branch_id: None,
    };
    match client::list(&ctx.state.core, &ctx.p, &f).await {
        Ok(items) => ctx.render(
            "clients.html",
            context! {
                title => if deleted { "Deleted clients" } else { "Clients" },
                items => items, q => param(&q, "q"), deleted => deleted, tag => param(&q, "tag"),
                flash => flash_text(param(&q, "flash")),
            },
        ),
        Err(e) => error_page(&ctx.state, &e),
    }
}

/// The client form as posted.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ClientForm {
    kind: String,
    name: String,
    email: String,
    phone: String,
    partner_name: String,
    partner_email: String,
    partner_phone: String,
    branch_id: String,
    manager_id: String,
    source: String,
    marketing_consent: Option<String>,
    notes: String,
    /// Tags as typed, separated by commas.
    tags: String,
    tax_id_kind: String,
    tax_id: String,
    tax_exempt: Option<String>,
    /// Days as typed (`30`), or blank.
    payment_terms_days: String,
    vendor_number: String,
    po_required: Option<String>,
    /// Ticked to add a client although one with its email or phone exists.
    allow_duplicate: Option<String>,
    version: Option<i64>,
}

impl ClientForm {
    fn of(c: &ClientView) -> Self {
        Self {
            kind: c.kind.name().to_string(),
            name: c.name.clone(),
            email: c.email.clone().unwrap_or_default(),
            phone: c.phone.clone().unwrap_or_default(),
            partner_name: c.partner_name.clone().unwrap_or_default(),
            partner_email: c.partner_email.clone().unwrap_or_default(),
            partner_phone: c.partner_phone.clone().unwrap_or_default(),
            branch_id: c.branch_id.map(|b| b.to_string()).unwrap_or_default(),
            manager_id: c.manager_id.map(|u| u.to_string()).unwrap_or_default(),
            source: c.source.map(|s| s.name().to_string()).unwrap_or_default(),
            marketing_consent: c.marketing_consent_at.map(|_| "true".into()),
            notes: c.notes.clone().unwrap_or_default(),
            tags: c.tags.join(", "),
            tax_id_kind: c.billing.tax_id_kind.clone().unwrap_or_default(),
            tax_id: c.billing.tax_id.clone().unwrap_or_default(),
            tax_exempt: c.billing.tax_exempt.then(|| "true".into()),
            payment_terms_days: c
                .billing
                .payment_terms_days
                .map(|d| d.to_string())
                .unwrap_or_default(),
            vendor_number: c.billing.vendor_number.clone().unwrap_or_default(),
            po_required: c.billing.po_required.then(|| "true".into()),
            allow_duplicate: None,
            version: Some(c.version),
        }
    }

    /// The client as the core takes it; a payment term that is not a
    /// number is refused by name.
    fn input(&self, adding: bool) -> Result<ClientInput, CoreError> {
        let days = self.payment_terms_days.trim();
        let payment_terms_days = if days.is_empty() {
            None
        } else {
            Some(days.parse::<u16>().map_err(|_| {
                CoreError::invalid(
                    "payment_terms_days",
                    format!("`{days}` is not a number of days; write e.g. 30 for Net 30, or leave it blank"),
                )
            })?)
        };
        let ticked = |v: &Option<String>| Some(v.is_some());
        Ok(ClientInput {
            id: None,
            version: if adding {
                None
            } else {
                Some(self.version.unwrap_or(0))
            },
            allow_duplicate: adding.then(|| self.allow_duplicate.is_some()),
            kind: Some(field(&self.kind)),
            name: Some(field(&self.name)),
            email: Some(field(&self.email)),
            phone: Some(field(&self.phone)),
            partner_name: Some(field(&self.partner_name)),
            partner_email: Some(field(&self.partner_email)),
            partner_phone: Some(field(&self.partner_phone)),
            branch_id: Some(field(&self.branch_id)),
            manager_id: Some(field(&self.manager_id)),
            source: Some(field(&self.source)),
            marketing_consent: ticked(&self.marketing_consent),
            notes: Some(field(&self.notes)),
            tags: Some(self.tags()),
            tax_id_kind: Some(field(&self.tax_id_kind)),
            tax_id: Some(field(&self.tax_id)),
            tax_exempt: ticked(&self.tax_exempt),
            payment_terms_days,
            vendor_number: Some(field(&self.vendor_number)),
            po_required: ticked(&self.po_required),
        })
    }

    /// The tags typed in the form's one line.
    fn tags(&self) -> Vec<Tag> {
        self.tags
            .split(',')
            .filter(|t| !t.trim().is_empty())
            .map(Tag::from)
            .collect()
    }
}

async fn form_page(
    ctx: &PageCtx,
    status: StatusCode,
    client: Option<&ClientView>,
    form: &ClientForm,
    errors: Value,
    duplicates: Value,
) -> Response {
    let choices = match client::choices(&ctx.state.core, &ctx.p).await {
        Ok(c) => c,
        Err(e) => return error_page(&ctx.state, &e),
    };
    let (title, action) = match client {
        Some(c) => (c.name.clone(), format!("/clients/{}", c.id)),
        None => ("New client".to_string(), "/clients/new".to_string()),
    };
    ctx.render_status(
        status,
        "client.html",
        context! {
            title => title, action => action, c => client, form => form, errors => errors,
            kinds => KINDS, sources => SOURCES, tax_kinds => TAX_KINDS, choices => choices,
            duplicates => duplicates,
        },
    )
}

pub async fn new_form(ctx: PageCtx) -> Response {
    let form = ClientForm {
        kind: "person".into(),
        ..Default::default()
    };
    form_page(
        &ctx,
        StatusCode::OK,
        None,
        &form,
        context! {},
        Value::UNDEFINED,
    )
    .await
}

pub async fn create(ctx: PageCtx, PageForm(f): PageForm<ClientForm>) -> Response {
    let input = match f.input(true) {
        Ok(i) => i,
        Err(e) => return refused(&ctx, None, &f, e).await,
    };
    match client::create(&ctx.state.core, &ctx.p, &ctx.meta, input).await {
        Ok((c, _)) => done(&format!("/clients/{}", c.id), "client_added"),
        Err(e) => refused(&ctx, None, &f, e).await,
    }
}

async fn refused(ctx: &PageCtx, c: Option<&ClientView>, f: &ClientForm, e: CoreError) -> Response {
    if let CoreError::Conflict {
        code: "duplicate_client",
        current: Some(existing),
        ..
    } = &e
    {
        let dup = Value::from_serialize(existing);
        return form_page(ctx, StatusCode::CONFLICT, c, f, context! {}, dup).await;
    }
    match field_errors(&e) {
        Some(errs) => {
            let errs = Value::from_serialize(&errs);
            form_page(
                ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                c,
                f,
                errs,
                Value::UNDEFINED,
            )
            .await
        }
        None => error_page(&ctx.state, &e),
    }
}

pub(super) async fn load(ctx: &PageCtx, id: &str) -> Result<ClientView, Response> {
    let Ok(id) = path_id::<ClientId>(id) else {
        return Err(error_page(&ctx.state, &CoreError::not_found("client")));
    };
    client::get_any(&ctx.state.core, &ctx.p, id)
        .await
        .map_err(|e| error_page(&ctx.state, &e))
}

pub async fn show(ctx: PageCtx, Path(id): Path<String>, q: Params) -> Response {
    let c = match load(&ctx, &id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let form = ClientForm::of(&c);
    let core = &ctx.state.core;
    let (choices, parts) = match (
        client::choices(core, &ctx.p).await,
        contact::of_client(core, &ctx.p, c.id).await,
    ) {
        (Ok(ch), Ok(parts)) => (ch, parts),
        (Err(e), _) | (_, Err(e)) => return error_page(&ctx.state, &e),
    };
    let similar = super::parts::similar(&ctx, &c).await;
    let projects = darkroom_core::projects::interface::of_client(core, &ctx.p, c.id)
        .await
        .unwrap_or_default();
    let portal_links = darkroom_core::portal::list(core, &ctx.p, c.id)
        .await
        .unwrap_or_default();
    let documents = darkroom_core::crm::document::list(core, &ctx.p, c.id, false)
        .await
        .unwrap_or_default();
    let removed_documents = darkroom_core::crm::document::list(core, &ctx.p, c.id, true)
        .await
        .unwrap_or_default();
    let doc_summary = darkroom_core::crm::document::summary(&documents);
    let title = c.name.clone();
    ctx.render(
        "client.html",
        context! {
            title => title, action => format!("/clients/{}", c.id), c => c, form => form,
            errors => context! {}, kinds => KINDS, sources => SOURCES, tax_kinds => TAX_KINDS,
            choices => choices, contacts => parts.0, addresses => parts.1, similar => similar,
            roles => super::parts::ROLES, address_kinds => super::parts::ADDRESS_KINDS,
            projects => projects, portal_links => portal_links,
            documents => documents, removed_documents => removed_documents,
            doc_summary => doc_summary, doc_kinds => super::documents::KINDS,
            flash => flash_text(param(&q, "flash")),
        },
    )
}

pub async fn update(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<ClientForm>,
) -> Response {
    let c = match load(&ctx, &id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let patch = match f.input(false) {
        Ok(i) => i,
        Err(e) => return refused(&ctx, Some(&c), &f, e).await,
    };
    match client::update(&ctx.state.core, &ctx.p, &ctx.meta, c.id, patch).await {
        Ok(c) => done(&format!("/clients/{}", c.id), "client_saved"),
        Err(e) => refused(&ctx, Some(&c), &f, e).await,
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct VersionForm {
    version: Option<i64>,
}

pub async fn delete(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<VersionForm>,
) -> Response {
    set_deleted(ctx, id, f.version, false).await
}

pub async fn restore(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<VersionForm>,
) -> Response {
    set_deleted(ctx, id, f.version, true).await
}

async fn set_deleted(ctx: PageCtx, id: String, version: Option<i64>, restore: bool) -> Response {
    let Ok(id) = path_id::<ClientId>(&id) else {
        return error_page(&ctx.state, &CoreError::not_found("client"));
    };
    match client::set_deleted(&ctx.state.core, &ctx.p, &ctx.meta, id, version, restore).await {
        Ok(_) if restore => done(&format!("/clients/{id}"), "client_restored"),
        Ok(_) => done("/clients", "client_deleted"),
        Err(e) => error_page(&ctx.state, &e),
    }
}
