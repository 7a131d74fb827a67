//! Importing clients from a CSV file on a page: choose the file, see what
//! each row would do, then import; and the export as a download.

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;
use axum::response::Response;
use darkroom_core::CoreError;
use darkroom_core::crm::import::{self, ImportInput, ImportReport};
use minijinja::context;

use crate::security;
use crate::web::render::{PageCtx, error_page};

pub async fn form(ctx: PageCtx) -> Response {
    page(&ctx, StatusCode::OK, None, "", None)
}

fn page(
    ctx: &PageCtx,
    status: StatusCode,
    report: Option<&ImportReport>,
    csv: &str,
    error: Option<String>,
) -> Response {
    ctx.render_status(
        status,
        "clients_import.html",
        context! {
            title => "Import clients", report => report, csv => csv, error => error,
            max_rows => import::MAX_IMPORT_ROWS,
        },
    )
}

pub async fn export(ctx: PageCtx) -> Response {
    match import::export(&ctx.state.core, &ctx.p).await {
        Ok(body) => crate::crm::api::transfer::csv_response(body),
        Err(e) => error_page(&ctx.state, &e),
    }
}

/// The import form as posted (multipart): the file or the text of a
/// checked file, and whether to import for real.
struct Posted {
    csrf: String,
    csv: String,
    dry_run: bool,
}

async fn read(multipart: &mut Multipart) -> Result<Posted, CoreError> {
    let mut p = Posted {
        csrf: String::new(),
        csv: String::new(),
        dry_run: true,
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return Err(CoreError::invalid(
                    "file",
                    format!(
                        "the form could not be read ({e}); a file of at most 1 MB is taken here"
                    ),
                ));
            }
        };
        let name = field.name().unwrap_or("").to_string();
        let text = field.bytes().await.map_err(|e| {
            CoreError::invalid(
                "file",
                format!("the file could not be read ({e}); try a smaller file"),
            )
        })?;
        let text = String::from_utf8(text.to_vec()).map_err(|_| {
            CoreError::invalid(
                "file",
                "the file is not UTF-8 text; save it from your spreadsheet as “CSV UTF-8”",
            )
        })?;
        match name.as_str() {
            "_csrf" => p.csrf = text,
            "file" | "csv_text" if !text.trim().is_empty() => p.csv = text,
            "confirm" => p.dry_run = false,
            _ => {}
        }
    }
    Ok(p)
}

pub async fn check_or_import(ctx: PageCtx, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    if !security::same_origin(&parts, &ctx.state) {
        return security::csrf_rejected();
    }
    let mut multipart =
        match Multipart::from_request(Request::from_parts(parts, body), &ctx.state).await {
            Ok(m) => m,
            Err(e) => {
                let msg = format!("send the form as multipart/form-data ({e})");
                return page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, None, "", Some(msg));
            }
        };
    let posted = match read(&mut multipart).await {
        Ok(p) => p,
        Err(e) => {
            return page(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                "",
                Some(e.to_string()),
            );
        }
    };
    if !security::session_csrf_ok(&ctx.state, &ctx.p, &posted.csrf) {
        return security::csrf_rejected();
    }
    if posted.csv.trim().is_empty() {
        let msg = "choose a CSV file to import".to_string();
        return page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, None, "", Some(msg));
    }
    let input = ImportInput {
        csv: posted.csv.clone(),
        mapping: None,
        dry_run: Some(posted.dry_run),
    };
    match import::import(&ctx.state.core, &ctx.p, &ctx.meta, input).await {
        Ok(r) => page(&ctx, StatusCode::OK, Some(&r), &posted.csv, None),
        Err(e @ (CoreError::Validation(_) | CoreError::TooLarge { .. })) => page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            "",
            Some(e.to_string()),
        ),
        Err(e) => error_page(&ctx.state, &e),
    }
}
