//! The billing pages: the invoice list, a new draft (from a client or a
//! project), an invoice's page (its lines while a draft; payments, refunds
//! and credit notes once issued) and a branch's billing settings.

use std::collections::HashMap;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use darkroom_core::CoreError;
use darkroom_core::billing::credit::{self, CreditNoteInput};
use darkroom_core::billing::draft::{self, InvoiceInput};
use darkroom_core::billing::issue::{self, IssueInput};
use darkroom_core::billing::line::{self, LineInput};
use darkroom_core::billing::list::{self, InvoiceFilter};
use darkroom_core::billing::payment::{self, PaymentInput, RefundInput};
use darkroom_core::billing::profile::{self, BillingSettingsInput};
use darkroom_domain::billing::{
    FeeKind, InvoiceKind, InvoiceStatus, PaymentMethod, TaxRegime, gst,
};
use darkroom_domain::names::Named;
use darkroom_domain::{BranchId, InvoiceId, InvoiceLineId};
use minijinja::{Value, context};

use crate::extract::path_id;
use crate::web::render::{PageCtx, PageForm, done, error_page, field_errors, flash_text};
use crate::web::{Params, field, opt_field, param};

type Form = PageForm<HashMap<String, String>>;

fn names<E: Named>() -> Vec<(String, String)> {
    E::all()
        .iter()
        .map(|k| (k.name().to_string(), k.name().replace('_', " ")))
        .collect()
}

fn not_found() -> CoreError {
    CoreError::not_found("invoice")
}

fn get<'a>(f: &'a HashMap<String, String>, k: &str) -> &'a str {
    f.get(k).map_or("", String::as_str)
}

pub async fn list(ctx: PageCtx, q: Params) -> Response {
    let f = InvoiceFilter {
        status: param(&q, "status").map(field),
        open: (param(&q, "open") == Some("true")).then_some(true),
        credit_notes: param(&q, "credit_notes").map(|v| v == "true"),
        client_id: param(&q, "client_id").and_then(|c| c.parse().ok()),
        project_id: param(&q, "project_id").and_then(|c| c.parse().ok()),
        ..Default::default()
    };
    match list::list(&ctx.state.core, &ctx.p, &f).await {
        Ok(rows) => ctx.render(
            "invoices.html",
            context! {
                title => "Invoices", invoices => rows, statuses => names::<InvoiceStatus>(),
                status => param(&q, "status").unwrap_or(""), open => f.open.is_some(),
                flash => flash_text(param(&q, "flash")),
            },
        ),
        Err(e) => error_page(&ctx.state, &e),
    }
}

/// A line from form fields named `<prefix>description`, ….
fn line_of(f: &HashMap<String, String>, prefix: &str) -> LineInput {
    let g = |k: &str| get(f, &format!("{prefix}{k}"));
    LineInput {
        version: g("version").parse().ok(),
        description: opt_field(g("description")),
        fee_kind: Some(field(g("fee_kind")))
            .filter(|_: &darkroom_domain::field::FeeKindOrBlank| !g("fee_kind").is_empty()),
        code: opt_field(g("code")),
        quantity: opt_field(g("quantity")),
        unit_price: opt_field(g("unit_price")),
        discount: Some(field(g("discount"))),
        tax_rate: opt_field(g("tax_rate")),
        package_id: g("package_id").parse().ok(),
        ..Default::default()
    }
}

fn wants_line(f: &HashMap<String, String>) -> bool {
    [
        "line_description",
        "line_package_id",
        "line_fee_kind",
        "line_unit_price",
    ]
    .iter()
    .any(|k| !get(f, k).trim().is_empty())
}

async fn new_page(
    ctx: &PageCtx,
    q: &HashMap<String, String>,
    status: StatusCode,
    errors: Value,
) -> Response {
    let core = &ctx.state.core;
    let choices = match darkroom_core::crm::client::choices(core, &ctx.p).await {
        Ok(c) => c,
        Err(e) => return error_page(&ctx.state, &e),
    };
    let client = match q.get("client_id").and_then(|c| c.parse().ok()) {
        Some(c) => darkroom_core::crm::interface::client_card(core.db().conn(), ctx.p.studio, c)
            .await
            .ok()
            .flatten(),
        None => None,
    };
    let packages: Vec<_> = darkroom_core::bookings::package::list(core, &ctx.p)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|x| (x.id.to_string(), format!("{} ({})", x.name, x.price)))
        .collect();
    ctx.render_status(
        status,
        "invoice_new.html",
        context! {
            title => "New invoice", form => Value::from_serialize(q), errors => errors,
            client => client, branches => choices.branches, packages => packages,
            kinds => names::<InvoiceKind>(), fees => names::<FeeKind>(), places => places(),
        },
    )
}

fn places() -> Vec<(String, String)> {
    gst::places()
        .map(|(c, n)| (c.to_string(), format!("{c} {n}")))
        .collect()
}

pub async fn new_form(ctx: PageCtx, q: Params) -> Response {
    new_page(&ctx, &q.0, StatusCode::OK, context! {}).await
}

pub async fn create(ctx: PageCtx, PageForm(f): Form) -> Response {
    let input = InvoiceInput {
        client_id: get(&f, "client_id").parse().ok(),
        project_id: get(&f, "project_id").parse().ok(),
        branch_id: get(&f, "branch_id").parse().ok(),
        kind: Some(field(get(&f, "kind")))
            .filter(|_: &darkroom_domain::field::InvoiceKindName| !get(&f, "kind").is_empty()),
        po_number: Some(field(get(&f, "po_number"))),
        notes: Some(field(get(&f, "notes"))),
        place_of_supply: Some(field(get(&f, "place_of_supply"))),
        lines: wants_line(&f).then(|| vec![line_of(&f, "line_")]),
        ..Default::default()
    };
    if input.client_id.is_none() {
        let errs = context! { client_id => "choose the client the invoice bills" };
        return new_page(&ctx, &f, StatusCode::UNPROCESSABLE_ENTITY, errs).await;
    }
    match draft::create(&ctx.state.core, &ctx.p, &ctx.meta, input).await {
        Ok(d) => done(&format!("/invoices/{}", d.invoice.id), "invoice_drafted"),
        Err(e) => match field_errors(&e) {
            Some(errs) => {
                new_page(
                    &ctx,
                    &f,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Value::from_serialize(&errs),
                )
                .await
            }
            None => error_page(&ctx.state, &e),
        },
    }
}

async fn show_page(
    ctx: &PageCtx,
    id: InvoiceId,
    status: StatusCode,
    errors: Value,
    flash: Option<&str>,
) -> Response {
    let core = &ctx.state.core;
    let d = match darkroom_core::billing::detail(core, &ctx.p, id).await {
        Ok(d) => d,
        Err(e) => return error_page(&ctx.state, &e),
    };
    let packages: Vec<_> = darkroom_core::bookings::package::list(core, &ctx.p)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|x| x.currency == d.invoice.currency)
        .map(|x| (x.id.to_string(), format!("{} ({})", x.name, x.price)))
        .collect();
    let methods: Vec<_> = PaymentMethod::MANUAL
        .iter()
        .map(|m| (m.name().to_string(), m.label().to_string()))
        .collect();
    let title = d
        .invoice
        .number
        .clone()
        .unwrap_or_else(|| "Draft invoice".into());
    // On a contract's invoice, what its refund schedule allows today.
    let contract = match d.invoice.contract_id {
        Some(id) => darkroom_core::billing::contract::detail(core, &ctx.p, id)
            .await
            .ok(),
        None => None,
    };
    ctx.render_status(
        status,
        "invoice.html",
        context! {
            title => title, d => d, errors => errors, flash => flash_text(flash), contract => contract,
            packages => packages, fees => names::<FeeKind>(), methods => methods,
            by_card => d.entries.iter().any(|e| e.method == Some(PaymentMethod::Stripe)),
            kinds => names::<InvoiceKind>(), places => places(),
            gst => d.invoice.tax_regime == TaxRegime::GstIn,
            ut => d.invoice.supplier_state.as_deref().is_some_and(gst::is_union_territory),
        },
    )
}

pub async fn show(ctx: PageCtx, Path(id): Path<String>, q: Params) -> Response {
    match path_id::<InvoiceId>(&id) {
        Ok(id) => show_page(&ctx, id, StatusCode::OK, context! {}, param(&q, "flash")).await,
        Err(_) => error_page(&ctx.state, &not_found()),
    }
}

/// Answers a refused change on the invoice's page, with the fields marked.
async fn answer(
    ctx: &PageCtx,
    id: InvoiceId,
    r: Result<&str, CoreError>,
    anchor: &str,
) -> Response {
    match r {
        Ok(flash) => done(&format!("/invoices/{id}{anchor}"), flash),
        Err(e) => match field_errors(&e) {
            Some(errs) => {
                show_page(
                    ctx,
                    id,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Value::from_serialize(&errs),
                    None,
                )
                .await
            }
            None => error_page(&ctx.state, &e),
        },
    }
}

fn ids(id: &str, line: Option<&str>) -> Option<(InvoiceId, Option<InvoiceLineId>)> {
    let id = path_id::<InvoiceId>(id).ok()?;
    match line {
        Some(l) => Some((id, Some(path_id(l).ok()?))),
        None => Some((id, None)),
    }
}

pub async fn update(ctx: PageCtx, Path(id): Path<String>, PageForm(f): Form) -> Response {
    let Some((id, _)) = ids(&id, None) else {
        return error_page(&ctx.state, &not_found());
    };
    let input = InvoiceInput {
        version: Some(get(&f, "version").parse().unwrap_or(0)),
        kind: Some(field(get(&f, "kind"))),
        po_number: Some(field(get(&f, "po_number"))),
        notes: Some(field(get(&f, "notes"))),
        place_of_supply: f.get("place_of_supply").map(|v| field(v)),
        due_on: Some(field(get(&f, "due_on"))),
        prices_include_tax: Some(f.contains_key("prices_include_tax")),
        ..Default::default()
    };
    let r = draft::update(&ctx.state.core, &ctx.p, &ctx.meta, id, input).await;
    answer(&ctx, id, r.map(|_| "invoice_drafted"), "").await
}

pub async fn add_line(ctx: PageCtx, Path(id): Path<String>, PageForm(f): Form) -> Response {
    let Some((id, _)) = ids(&id, None) else {
        return error_page(&ctx.state, &not_found());
    };
    let r = line::add(&ctx.state.core, &ctx.p, &ctx.meta, id, line_of(&f, "")).await;
    answer(&ctx, id, r.map(|_| "invoice_line_added"), "#lines").await
}

pub async fn change_line(
    ctx: PageCtx,
    Path((id, l)): Path<(String, String)>,
    PageForm(f): Form,
) -> Response {
    let Some((id, Some(l))) = ids(&id, Some(&l)) else {
        return error_page(&ctx.state, &not_found());
    };
    let r = line::change(&ctx.state.core, &ctx.p, &ctx.meta, id, l, line_of(&f, "")).await;
    answer(&ctx, id, r.map(|_| "invoice_line_saved"), "#lines").await
}

pub async fn remove_line(
    ctx: PageCtx,
    Path((id, l)): Path<(String, String)>,
    PageForm(_): Form,
) -> Response {
    let Some((id, Some(l))) = ids(&id, Some(&l)) else {
        return error_page(&ctx.state, &not_found());
    };
    let r = line::remove(&ctx.state.core, &ctx.p, &ctx.meta, id, l).await;
    answer(&ctx, id, r.map(|_| "invoice_line_removed"), "#lines").await
}

pub async fn issue(ctx: PageCtx, Path(id): Path<String>, PageForm(f): Form) -> Response {
    let Some((id, _)) = ids(&id, None) else {
        return error_page(&ctx.state, &not_found());
    };
    let input = IssueInput {
        version: get(&f, "version").parse().unwrap_or(0),
    };
    let r = issue::issue(&ctx.state.core, &ctx.p, &ctx.meta, id, input).await;
    answer(&ctx, id, r.map(|_| "invoice_issued"), "").await
}

pub async fn delete(ctx: PageCtx, Path(id): Path<String>, PageForm(f): Form) -> Response {
    let Some((id, _)) = ids(&id, None) else {
        return error_page(&ctx.state, &not_found());
    };
    let version = get(&f, "version").parse().ok();
    match draft::delete(&ctx.state.core, &ctx.p, &ctx.meta, id, version).await {
        Ok(()) => done("/invoices", "invoice_draft_deleted"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

pub async fn pay(ctx: PageCtx, Path(id): Path<String>, PageForm(f): Form) -> Response {
    let Some((id, _)) = ids(&id, None) else {
        return error_page(&ctx.state, &not_found());
    };
    let input = PaymentInput {
        id: get(&f, "id").parse().ok(),
        amount: field(get(&f, "amount")),
        method: field(get(&f, "method")),
        received_on: opt_field(get(&f, "received_on")),
        reference: opt_field(get(&f, "reference")),
        note: opt_field(get(&f, "note")),
        cash_receipt: (!get(&f, "receipt_identity").trim().is_empty()).then(|| {
            darkroom_core::billing::receipt::CashReceiptInput {
                identity_kind: field(get(&f, "receipt_kind")),
                identity: field(get(&f, "receipt_identity")),
                purpose: None,
            }
        }),
    };
    let r = payment::pay(&ctx.state.core, &ctx.p, &ctx.meta, id, input).await;
    answer(&ctx, id, r.map(|_| "payment_recorded"), "#money").await
}

pub async fn refund(ctx: PageCtx, Path(id): Path<String>, PageForm(f): Form) -> Response {
    let Some((id, _)) = ids(&id, None) else {
        return error_page(&ctx.state, &not_found());
    };
    let input = RefundInput {
        id: get(&f, "id").parse().ok(),
        amount: field(get(&f, "refund_amount")),
        method: field(get(&f, "refund_method")),
        reason: field(get(&f, "refund_reason")),
        reference: opt_field(get(&f, "refund_reference")),
        credit: Some(f.contains_key("refund_credit")),
    };
    let r = payment::refund(&ctx.state.core, &ctx.p, &ctx.meta, id, input).await;
    answer(&ctx, id, r.map(|_| "refund_recorded"), "#money").await
}

pub async fn credit_note(ctx: PageCtx, Path(id): Path<String>, PageForm(f): Form) -> Response {
    let Some((id, _)) = ids(&id, None) else {
        return error_page(&ctx.state, &not_found());
    };
    let input = CreditNoteInput {
        amount: opt_field(get(&f, "credit_amount")),
        reason: field(get(&f, "credit_reason")),
    };
    let r = credit::credit_note(&ctx.state.core, &ctx.p, &ctx.meta, id, input).await;
    answer(&ctx, id, r.map(|_| "credit_note_issued"), "#credit").await
}

async fn settings_page(
    ctx: &PageCtx,
    id: BranchId,
    status: StatusCode,
    errors: Value,
    flash: Option<&str>,
) -> Response {
    match profile::get(&ctx.state.core, &ctx.p, id).await {
        Ok(s) => ctx.render_status(
            status,
            "billing_settings.html",
            context! {
                title => "Billing settings", s => s, errors => errors, flash => flash_text(flash),
                regimes => TaxRegime::ALL.iter().map(|r| (r.name(), r.label())).collect::<Vec<_>>(),
                months => (1..=12).map(|m| (m.to_string(), month(m))).collect::<Vec<_>>(),
            },
        ),
        Err(e) => error_page(&ctx.state, &e),
    }
}

fn month(m: u8) -> &'static str {
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ][usize::from(m.clamp(1, 12) - 1)]
}

pub async fn settings(ctx: PageCtx, Path(id): Path<String>, q: Params) -> Response {
    match path_id::<BranchId>(&id) {
        Ok(id) => settings_page(&ctx, id, StatusCode::OK, context! {}, param(&q, "flash")).await,
        Err(_) => error_page(&ctx.state, &CoreError::not_found("branch")),
    }
}

pub async fn save_settings(ctx: PageCtx, Path(id): Path<String>, PageForm(f): Form) -> Response {
    let Ok(id) = path_id::<BranchId>(&id) else {
        return error_page(&ctx.state, &CoreError::not_found("branch"));
    };
    let input = BillingSettingsInput {
        version: get(&f, "version").parse().unwrap_or(0),
        tax_regime: Some(field(get(&f, "tax_regime"))),
        fiscal_year_start: get(&f, "fiscal_year_start").parse().ok(),
        prices_include_tax: Some(f.contains_key("prices_include_tax")),
        payment_terms_days: get(&f, "payment_terms_days").parse().ok(),
        service_code: Some(field(get(&f, "service_code"))),
        mileage_rate: Some(field(if get(&f, "mileage_rate").trim().is_empty() {
            "0"
        } else {
            get(&f, "mileage_rate")
        })),
        distance_unit: Some(field(get(&f, "distance_unit"))),
        payment_instructions: Some(field(get(&f, "payment_instructions"))),
        footer: Some(field(get(&f, "footer"))),
    };
    match profile::update(&ctx.state.core, &ctx.p, &ctx.meta, id, input).await {
        Ok(_) => done(&format!("/branches/{id}/billing"), "billing_saved"),
        Err(e) => match field_errors(&e) {
            Some(errs) => {
                settings_page(
                    &ctx,
                    id,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Value::from_serialize(&errs),
                    None,
                )
                .await
            }
            None => error_page(&ctx.state, &e),
        },
    }
}

pub async fn pdf(ctx: PageCtx, Path(id): Path<String>) -> Response {
    let Some((id, _)) = ids(&id, None) else {
        return error_page(&ctx.state, &not_found());
    };
    match darkroom_core::billing::pdf::invoice_pdf(&ctx.state.core, &ctx.p, id).await {
        Ok((name, bytes)) => crate::web::bytes::pdf(&name, bytes),
        Err(e) => error_page(&ctx.state, &e),
    }
}

pub async fn receipt(ctx: PageCtx, Path((id, entry)): Path<(String, String)>) -> Response {
    let (Some((id, _)), Ok(entry)) = (ids(&id, None), path_id::<darkroom_domain::EntryId>(&entry))
    else {
        return error_page(&ctx.state, &not_found());
    };
    match darkroom_core::billing::receipt_pdf::receipt_pdf(&ctx.state.core, &ctx.p, id, entry).await
    {
        Ok((name, bytes)) => crate::web::bytes::pdf(&name, bytes),
        Err(e) => error_page(&ctx.state, &e),
    }
}

fn range_of(q: &HashMap<String, String>) -> darkroom_core::billing::report::ReportRange {
    darkroom_core::billing::report::ReportRange {
        from: param(q, "from").map(field),
        to: param(q, "to").map(field),
        branch_id: param(q, "branch_id").and_then(|b| b.parse().ok()),
    }
}

pub async fn reports(ctx: PageCtx, q: Params) -> Response {
    let r = range_of(&q.0);
    match darkroom_core::billing::report::report(&ctx.state.core, &ctx.p, &r).await {
        Ok(rep) => {
            let query = format!("from={}&to={}", rep.from, rep.to);
            ctx.render(
                "billing_report.html",
                context! { title => "Money", r => rep, query => query },
            )
        }
        Err(e) => error_page(&ctx.state, &e),
    }
}

pub async fn report_csv(ctx: PageCtx, Path(name): Path<String>, q: Params) -> Response {
    let r = range_of(&q.0);
    let core = &ctx.state.core;
    let body = match name.as_str() {
        "gst.csv" => darkroom_core::billing::report::gst_csv(core, &ctx.p, &r).await,
        "ledger.csv" => darkroom_core::billing::report::ledger_csv(core, &ctx.p, &r).await,
        "cash-receipts.csv" => {
            darkroom_core::billing::receipt::receipts_csv(core, &ctx.p, &r).await
        }
        _ => Err(CoreError::not_found("report")),
    };
    match body {
        Ok(b) => crate::web::bytes::csv(&name, b),
        Err(e) => error_page(&ctx.state, &e),
    }
}
