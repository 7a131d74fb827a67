//! The public inquiry form of a branch. It may be shown inside a frame on
//! the studio's own site, so its posts carry no CSRF token: an anonymous
//! inquiry acts for nobody and only adds a lead; per-address rate limits
//! and a trap field hold back floods and robots.

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use darkroom_core::CoreError;
use darkroom_core::crm::lead::inquiry::{self, FormPage, Inquiry};
use darkroom_domain::BranchId;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use crate::extract::{ClientMeta, path_id};
use crate::state::AppState;
use crate::web::render::{done, error_page, field_errors, render_public};
use crate::web::{field, opt_field};

/// The form as posted.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct InquiryForm {
    name: String,
    email: String,
    phone: String,
    event_type: String,
    event_date: String,
    venue: String,
    message: String,
    website: String,
}

fn page(
    s: &AppState,
    status: StatusCode,
    f: &FormPage,
    form: &InquiryForm,
    errors: Value,
) -> Response {
    let mut res = render_public(
        s,
        "inquire.html",
        context! {
            title => format!("Write to {}", f.header.shown_name()), f => f, studio => f.header.shown_name(),
            form => form, errors => errors,
        },
    );
    *res.status_mut() = status;
    res
}

async fn load(s: &AppState, id: &str) -> Result<FormPage, Response> {
    let Ok(id) = path_id::<BranchId>(id) else {
        return Err(error_page(s, &CoreError::not_found("inquiry form")));
    };
    inquiry::form(&s.core, id)
        .await
        .map_err(|e| error_page(s, &e))
}

pub async fn show(State(s): State<AppState>, Path(id): Path<String>) -> Response {
    match load(&s, &id).await {
        Ok(f) => page(&s, StatusCode::OK, &f, &InquiryForm::default(), context! {}),
        Err(r) => r,
    }
}

pub async fn send(
    State(s): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Path(id): Path<String>,
    Form(form): Form<InquiryForm>,
) -> Response {
    let f = match load(&s, &id).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let input = Inquiry {
        name: field(&form.name),
        email: field(&form.email),
        phone: opt_field(&form.phone),
        event_type: opt_field(&form.event_type),
        event_date: opt_field(&form.event_date),
        venue: opt_field(&form.venue),
        message: opt_field(&form.message),
        source: None,
        website: Some(form.website.clone()),
    };
    match inquiry::submit(&s.core, &meta, f.branch_id, input).await {
        Ok(_) => done(&format!("/inquire/{}/thanks", f.branch_id), "inquiry_sent"),
        Err(e) => match field_errors(&e) {
            Some(errs) => page(
                &s,
                StatusCode::UNPROCESSABLE_ENTITY,
                &f,
                &form,
                Value::from_serialize(&errs),
            ),
            None => error_page(&s, &e),
        },
    }
}

pub async fn thanks(State(s): State<AppState>, Path(id): Path<String>) -> Response {
    match load(&s, &id).await {
        Ok(f) => render_public(
            &s,
            "inquire_thanks.html",
            context! { title => "Thank you", studio => f.header.shown_name(), f => f },
        ),
        Err(r) => r,
    }
}
