//! The audit log page and its CSV export.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use darkroom_core::CoreError;
use darkroom_core::kernel::audit::{self, AuditExportFilter, AuditFilter};
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{BranchId, TypedId, UserId};
use minijinja::context;

use crate::web::render::{PageCtx, error_page, field_errors};
use crate::web::{Params, opt_field, param};

/// The page's filters; ids that do not parse are reported on their field.
fn filter_of(q: &std::collections::HashMap<String, String>) -> Result<AuditFilter, CoreError> {
    let mut errs = FieldErrors::new();
    let actor = param(q, "actor")
        .and_then(|v| errs.check("actor", UserId::parse(v).map_err(|e| e.to_string())));
    let branch = param(q, "branch")
        .and_then(|v| errs.check("branch", BranchId::parse(v).map_err(|e| e.to_string())));
    errs.into_result()?;
    Ok(AuditFilter {
        event_type: opt_field(param(q, "event_type").unwrap_or("")),
        severity: opt_field(param(q, "severity").unwrap_or("")),
        actor,
        branch,
        from: opt_field(param(q, "from").unwrap_or("")),
        to: opt_field(param(q, "to").unwrap_or("")),
        cursor: param(q, "cursor")
            .map(|c| darkroom_core::kernel::listing::SeqCursor(c.to_string())),
        limit: Some(darkroom_core::kernel::listing::ListLimit::clamped(50)),
    })
}

pub async fn list(ctx: PageCtx, q: Params) -> Response {
    let (f, bad) = match filter_of(&q) {
        Ok(f) => (f, None),
        Err(e) => (AuditFilter::default(), Some(e)),
    };
    let branches = darkroom_core::studio::branch::names(&ctx.state.core, &ctx.p)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(id, n)| (id.to_string(), n))
        .collect::<Vec<_>>();
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(
            q.iter()
                .filter(|(k, v)| *k != "cursor" && *k != "flash" && !v.is_empty()),
        )
        .finish();
    let listed = match bad {
        Some(e) => Err(e),
        None => audit::list(&ctx.state.core, &ctx.p, &f).await,
    };
    match listed {
        Ok(l) => ctx.render("audit.html", context! { title => "Audit log", list => l, f => f, branches => branches, query => query, errors => context! {} }),
        Err(e) => match field_errors(&e) {
            Some(errs) => ctx.render_status(StatusCode::UNPROCESSABLE_ENTITY, "audit.html", context! {
                title => "Audit log", f => f, branches => branches, query => query, errors => errs,
            }),
            None => error_page(&ctx.state, &e),
        },
    }
}

fn csv_field(s: &str) -> String {
    // Quote every field; neutralise spreadsheet formulas.
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

pub async fn export(ctx: PageCtx, q: Params) -> Response {
    let f = match filter_of(&q) {
        Ok(f) => AuditExportFilter {
            event_type: f.event_type,
            severity: f.severity,
            actor: f.actor,
            branch: f.branch,
            from: f.from,
            to: f.to,
        },
        Err(e) => return error_page(&ctx.state, &e),
    };
    match audit::export(&ctx.state.core, &ctx.p, &ctx.meta, &f).await {
        Ok(rows) => {
            let mut out = String::from(
                "seq,at,actor,event_type,severity,target_type,target_id,branch_id,ip,payload,hash\n",
            );
            for r in rows {
                let fields = [
                    r.seq.to_string(),
                    r.at.to_rfc3339(),
                    r.actor,
                    r.event_type,
                    r.severity.name().to_string(),
                    r.target_type,
                    r.target_id,
                    r.branch_id.map(|b| b.to_string()).unwrap_or_default(),
                    r.ip,
                    r.payload.to_string(),
                    r.hash,
                ];
                out.push_str(
                    &fields
                        .iter()
                        .map(|x| csv_field(x))
                        .collect::<Vec<_>>()
                        .join(","),
                );
                out.push('\n');
            }
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"audit-log.csv\"",
                    ),
                ],
                out,
            )
                .into_response()
        }
        Err(e) => error_page(&ctx.state, &e),
    }
}
