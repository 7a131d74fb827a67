//! Billing over the API: invoices and their lines, issuing, payments,
//! refunds, credit notes, clients' accounts and branches' tax settings.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use darkroom_core::billing::credit::{self, CreditNoteInput};
use darkroom_core::billing::draft::{self, InvoiceChange, NewInvoice};
use darkroom_core::billing::issue::{self, IssueInput};
use darkroom_core::billing::line::{self, InvoiceLineChange, NewInvoiceLine};
use darkroom_core::billing::list::{self, Account, InvoiceFilter};
use darkroom_core::billing::payment::{self, PaymentInput, RefundInput};
use darkroom_core::billing::profile::{self, BillingSettings, BillingSettingsInput};
use darkroom_core::billing::receipt::{self, CashReceiptChange, CashReceiptView};
use darkroom_core::billing::report::{self, BillingReport, ReportRange};
use darkroom_core::billing::{self, InvoiceDetail, InvoiceView};
use darkroom_domain::{BranchId, ClientId, EntryId, InvoiceId, InvoiceLineId, ReceiptId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, Problem};
use crate::extract::{ApiAuth, ApiJson, ApiQuery, ClientMeta, VersionParam, path_id};
use crate::state::AppState;

/// The studio's invoices and credit notes, newest first.
#[utoipa::path(get, path = "/api/v1/invoices", tag = "billing", params(InvoiceFilter),
    responses((status = 200, body = Vec<InvoiceView>), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_invoices(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(f): ApiQuery<InvoiceFilter>,
) -> ApiResult<Json<Vec<InvoiceView>>> {
    Ok(Json(list::list(&s.core, &p, &f).await?))
}

/// Draft an invoice for a client (and a project), with lines if sent.
#[utoipa::path(post, path = "/api/v1/invoices", tag = "billing", request_body = NewInvoice,
    responses((status = 201, body = InvoiceDetail), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_invoice(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    ApiJson(NewInvoice(input)): ApiJson<NewInvoice>,
) -> ApiResult<(StatusCode, Json<InvoiceDetail>)> {
    Ok((
        StatusCode::CREATED,
        Json(draft::create(&s.core, &p, &m, input).await?),
    ))
}

/// An invoice or credit note with its lines, ledger and credit notes.
#[utoipa::path(get, path = "/api/v1/invoices/{invoice_id}", tag = "billing",
    params(("invoice_id" = InvoiceId, Path, description = "`inv_...`")),
    responses((status = 200, body = InvoiceDetail), (status = 404, body = Problem)))]
async fn get_invoice(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<InvoiceDetail>> {
    Ok(Json(billing::detail(&s.core, &p, path_id(&id)?).await?))
}

/// Change a draft (an issued invoice never changes: 409).
#[utoipa::path(patch, path = "/api/v1/invoices/{invoice_id}", tag = "billing", request_body = InvoiceChange,
    params(("invoice_id" = InvoiceId, Path, description = "`inv_...`")),
    responses((status = 200, body = InvoiceDetail), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_invoice(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(InvoiceChange(input)): ApiJson<InvoiceChange>,
) -> ApiResult<Json<InvoiceDetail>> {
    Ok(Json(
        draft::update(&s.core, &p, &m, path_id(&id)?, input).await?,
    ))
}

/// Delete a draft.
#[utoipa::path(delete, path = "/api/v1/invoices/{invoice_id}", tag = "billing",
    params(("invoice_id" = InvoiceId, Path, description = "`inv_...`"), VersionParam),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_invoice(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiQuery(v): ApiQuery<VersionParam>,
) -> ApiResult<StatusCode> {
    draft::delete(&s.core, &p, &m, path_id(&id)?, v.get()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add a line to a draft.
#[utoipa::path(post, path = "/api/v1/invoices/{invoice_id}/lines", tag = "billing", request_body = NewInvoiceLine,
    params(("invoice_id" = InvoiceId, Path, description = "`inv_...`")),
    responses((status = 201, body = InvoiceDetail), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn add_line(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(NewInvoiceLine(input)): ApiJson<NewInvoiceLine>,
) -> ApiResult<(StatusCode, Json<InvoiceDetail>)> {
    Ok((
        StatusCode::CREATED,
        Json(line::add(&s.core, &p, &m, path_id(&id)?, input).await?),
    ))
}

/// Change a draft's line.
#[utoipa::path(patch, path = "/api/v1/invoices/{invoice_id}/lines/{line_id}", tag = "billing", request_body = InvoiceLineChange,
    params(("invoice_id" = InvoiceId, Path, description = "`inv_...`"), ("line_id" = InvoiceLineId, Path, description = "`inl_...`")),
    responses((status = 200, body = InvoiceDetail), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn change_line(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path((id, line_id)): Path<(String, String)>,
    ApiJson(InvoiceLineChange(input)): ApiJson<InvoiceLineChange>,
) -> ApiResult<Json<InvoiceDetail>> {
    Ok(Json(
        line::change(&s.core, &p, &m, path_id(&id)?, path_id(&line_id)?, input).await?,
    ))
}

/// Remove a draft's line.
#[utoipa::path(delete, path = "/api/v1/invoices/{invoice_id}/lines/{line_id}", tag = "billing",
    params(("invoice_id" = InvoiceId, Path, description = "`inv_...`"), ("line_id" = InvoiceLineId, Path, description = "`inl_...`")),
    responses((status = 200, body = InvoiceDetail), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn remove_line(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path((id, line_id)): Path<(String, String)>,
) -> ApiResult<Json<InvoiceDetail>> {
    Ok(Json(
        line::remove(&s.core, &p, &m, path_id(&id)?, path_id(&line_id)?).await?,
    ))
}

/// Issue a draft: it gets its number (per branch and fiscal year), its
/// due day and the parties as they are now, and never changes again.
#[utoipa::path(post, path = "/api/v1/invoices/{invoice_id}/issue", tag = "billing", request_body = IssueInput,
    params(("invoice_id" = InvoiceId, Path, description = "`inv_...`")),
    responses((status = 200, body = InvoiceDetail), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn issue_invoice(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<IssueInput>,
) -> ApiResult<Json<InvoiceDetail>> {
    Ok(Json(
        issue::issue(&s.core, &p, &m, path_id(&id)?, input).await?,
    ))
}

/// Record a payment received (more than owed is held as the client's
/// credit; `method: credit` uses that credit).
#[utoipa::path(post, path = "/api/v1/invoices/{invoice_id}/payments", tag = "billing", request_body = PaymentInput,
    params(("invoice_id" = InvoiceId, Path, description = "`inv_...`")),
    responses((status = 201, body = InvoiceDetail), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn record_payment(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PaymentInput>,
) -> ApiResult<(StatusCode, Json<InvoiceDetail>)> {
    Ok((
        StatusCode::CREATED,
        Json(payment::pay(&s.core, &p, &m, path_id(&id)?, input).await?),
    ))
}

/// Give money back (never more than was paid), with a credit note for it
/// unless `credit` is `false`.
#[utoipa::path(post, path = "/api/v1/invoices/{invoice_id}/refunds", tag = "billing", request_body = RefundInput,
    params(("invoice_id" = InvoiceId, Path, description = "`inv_...`")),
    responses((status = 201, body = InvoiceDetail), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn record_refund(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<RefundInput>,
) -> ApiResult<(StatusCode, Json<InvoiceDetail>)> {
    Ok((
        StatusCode::CREATED,
        Json(payment::refund(&s.core, &p, &m, path_id(&id)?, input).await?),
    ))
}

/// Issue a credit note against an invoice (all that is not credited yet
/// unless `amount` says).
#[utoipa::path(post, path = "/api/v1/invoices/{invoice_id}/credit-notes", tag = "billing", request_body = CreditNoteInput,
    params(("invoice_id" = InvoiceId, Path, description = "`inv_...`")),
    responses((status = 201, body = InvoiceDetail), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn issue_credit_note(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<CreditNoteInput>,
) -> ApiResult<(StatusCode, Json<InvoiceDetail>)> {
    Ok((
        StatusCode::CREATED,
        Json(credit::credit_note(&s.core, &p, &m, path_id(&id)?, input).await?),
    ))
}

/// A client's account: what they owe, their credit, invoices and ledger.
#[utoipa::path(get, path = "/api/v1/clients/{client_id}/account", tag = "billing",
    params(("client_id" = ClientId, Path, description = "`cli_...`")),
    responses((status = 200, body = Account), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn client_account(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Account>> {
    Ok(Json(list::account(&s.core, &p, path_id(&id)?).await?))
}

/// A branch's billing settings (defaults from its tax number until saved).
#[utoipa::path(get, path = "/api/v1/branches/{branch_id}/billing", tag = "billing",
    params(("branch_id" = BranchId, Path, description = "`brn_...`")),
    responses((status = 200, body = BillingSettings), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_settings(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<BillingSettings>> {
    Ok(Json(profile::get(&s.core, &p, path_id(&id)?).await?))
}

/// Change a branch's billing settings (`version` 0 for the first save).
#[utoipa::path(put, path = "/api/v1/branches/{branch_id}/billing", tag = "billing", request_body = BillingSettingsInput,
    params(("branch_id" = BranchId, Path, description = "`brn_...`")),
    responses((status = 200, body = BillingSettings), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn put_settings(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<BillingSettingsInput>,
) -> ApiResult<Json<BillingSettings>> {
    Ok(Json(
        profile::update(&s.core, &p, &m, path_id(&id)?, input).await?,
    ))
}

/// An invoice or credit note as a PDF (a draft prints as a draft).
#[utoipa::path(get, path = "/api/v1/invoices/{invoice_id}/pdf", tag = "billing",
    params(("invoice_id" = InvoiceId, Path, description = "`inv_...`")),
    responses((status = 200, description = "The PDF, as an attachment", content_type = "application/pdf"), (status = 404, body = Problem)))]
async fn invoice_pdf(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<axum::response::Response> {
    let (name, bytes) = billing::pdf::invoice_pdf(&s.core, &p, path_id(&id)?).await?;
    Ok(crate::web::bytes::pdf(&name, bytes))
}

/// A payment's receipt as a PDF (numbered after its invoice: `…-R2`).
#[utoipa::path(get, path = "/api/v1/invoices/{invoice_id}/payments/{entry_id}/receipt", tag = "billing",
    params(("invoice_id" = InvoiceId, Path, description = "`inv_...`"), ("entry_id" = EntryId, Path, description = "`txn_...`: a payment of the invoice")),
    responses((status = 200, description = "The PDF, as an attachment", content_type = "application/pdf"), (status = 404, body = Problem)))]
async fn receipt_pdf(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path((id, entry)): Path<(String, String)>,
) -> ApiResult<axum::response::Response> {
    let (name, bytes) =
        billing::receipt_pdf::receipt_pdf(&s.core, &p, path_id(&id)?, path_id(&entry)?).await?;
    Ok(crate::web::bytes::pdf(&name, bytes))
}

/// The studio's money over a range: revenue by branch, month and kind,
/// money in and out by method, what is owed by age, tax by rate, and the
/// ledger's own sums they add up to.
#[utoipa::path(get, path = "/api/v1/reports/billing", tag = "billing", params(ReportRange),
    responses((status = 200, body = BillingReport), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn billing_report(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(r): ApiQuery<ReportRange>,
) -> ApiResult<Json<BillingReport>> {
    Ok(Json(report::report(&s.core, &p, &r).await?))
}

/// GST invoices and credit notes of a range in GSTR-1's columns (CSV).
#[utoipa::path(get, path = "/api/v1/reports/billing/gst.csv", tag = "billing", params(ReportRange),
    responses((status = 200, content_type = "text/csv", description = "A row per document and rate"), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn gst_csv(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(r): ApiQuery<ReportRange>,
) -> ApiResult<axum::response::Response> {
    let body = report::gst_csv(&s.core, &p, &r).await?;
    Ok(crate::web::bytes::csv("gst-register.csv", body))
}

/// Every ledger entry of a range (CSV), for the accountant.
#[utoipa::path(get, path = "/api/v1/reports/billing/ledger.csv", tag = "billing", params(ReportRange),
    responses((status = 200, content_type = "text/csv", description = "A row per entry"), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn ledger_csv(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(r): ApiQuery<ReportRange>,
) -> ApiResult<axum::response::Response> {
    let body = report::ledger_csv(&s.core, &p, &r).await?;
    Ok(crate::web::bytes::csv("ledger.csv", body))
}

/// The studio's Korean cash receipts (pending ones are yet to be filed).
#[utoipa::path(get, path = "/api/v1/cash-receipts", tag = "billing", params(ReceiptFilter),
    responses((status = 200, body = Vec<CashReceiptView>), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_receipts(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(f): ApiQuery<ReceiptFilter>,
) -> ApiResult<Json<Vec<CashReceiptView>>> {
    Ok(Json(receipt::list(&s.core, &p, f.status.as_ref()).await?))
}

/// Record a cash receipt's issue (the tax office's approval number) or its
/// cancellation.
#[utoipa::path(patch, path = "/api/v1/cash-receipts/{receipt_id}", tag = "billing", request_body = CashReceiptChange,
    params(("receipt_id" = ReceiptId, Path, description = "`crc_...`")),
    responses((status = 200, body = CashReceiptView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_receipt(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<CashReceiptChange>,
) -> ApiResult<Json<CashReceiptView>> {
    Ok(Json(
        receipt::update(&s.core, &p, &m, path_id(&id)?, input).await?,
    ))
}

/// Cash receipts of a range as CSV, for filing.
#[utoipa::path(get, path = "/api/v1/reports/billing/cash-receipts.csv", tag = "billing", params(ReportRange),
    responses((status = 200, content_type = "text/csv", description = "A row per receipt"), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn receipts_csv(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(r): ApiQuery<ReportRange>,
) -> ApiResult<axum::response::Response> {
    let body = receipt::receipts_csv(&s.core, &p, &r).await?;
    Ok(crate::web::bytes::csv("cash-receipts.csv", body))
}

/// Which cash receipts to list.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReceiptFilter {
    /// `pending`, `issued` or `cancelled`.
    pub status: Option<darkroom_domain::field::ReceiptStatusName>,
}

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_invoices, create_invoice))
        .routes(routes!(get_invoice, update_invoice, delete_invoice))
        .routes(routes!(add_line))
        .routes(routes!(change_line, remove_line))
        .routes(routes!(issue_invoice))
        .routes(routes!(invoice_pdf))
        .routes(routes!(receipt_pdf))
        .routes(routes!(record_payment))
        .routes(routes!(record_refund))
        .routes(routes!(issue_credit_note))
        .routes(routes!(client_account))
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(billing_report))
        .routes(routes!(gst_csv))
        .routes(routes!(ledger_csv))
        .routes(routes!(receipts_csv))
        .routes(routes!(list_receipts))
        .routes(routes!(update_receipt))
}
