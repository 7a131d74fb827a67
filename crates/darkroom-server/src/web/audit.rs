//! The audit log page and its CSV export.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use darkroom_core::audit::{self, AuditFilter};
use minijinja::context;

use super::render::{PageCtx, error_page, field_errors};
use super::{Params, param};

fn filter_of(q: &std::collections::HashMap<String, String>) -> AuditFilter {
    AuditFilter {
        event_type: param(q, "event_type").map(String::from),
        severity: param(q, "severity").map(String::from),
        actor: param(q, "actor").map(String::from),
        branch: param(q, "branch").map(String::from),
        from: param(q, "from").map(String::from),
        to: param(q, "to").map(String::from),
        cursor: param(q, "cursor").map(String::from),
        limit: Some(50),
    }
}

pub async fn list(ctx: PageCtx, q: Params) -> Response {
    let f = filter_of(&q);
    let branches = darkroom_core::branch::names(&ctx.state.core, &ctx.p)
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
    match audit::list(&ctx.state.core, &ctx.p, &f).await {
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
    let mut f = filter_of(&q);
    f.cursor = None;
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
                    r.severity,
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
