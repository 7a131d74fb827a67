//! The signing pages (decision 0034): a signer's own link, no account.
//! The page shows the whole document (proposal, terms, schedule, text and
//! its SHA-256); the client accepts the proposal, asks for a code by
//! email, confirms it, consents, and types or draws a signature. Unknown
//! links count against the address's guessing limit, like gallery links.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use darkroom_core::CoreError;
use darkroom_core::billing::contract::sign::{self, SignInput, Signing};
use darkroom_domain::billing::contract::SignerRole;
use minijinja::{Value, context};
use serde::Deserialize;

use crate::extract::ClientMeta;
use crate::security;
use crate::state::AppState;
use crate::web::render::{PageForm, anon_csrf, error_page, field_errors, render_public};
use crate::web::{field, opt_field};

fn private(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    // The token is in the address: it never goes to another site (and the
    // page's forms keep their origin, which "no-referrer" would blank).
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    res
}

fn gone(s: &AppState, status: StatusCode) -> Response {
    let mut res = render_public(
        s,
        "sign_gone.html",
        context! { title => "This signing link does not work" },
    );
    *res.status_mut() = status;
    private(res)
}

/// The signer of `token`, or the answer for a link that does not work.
async fn signing_of(s: &AppState, ip: &str, token: &str) -> Result<Signing, Box<Response>> {
    match sign::signing(&s.core, token).await {
        Ok(g) => Ok(g),
        Err(CoreError::NotFound { .. }) => {
            let ip = ip.parse().unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]));
            if security::count_failed_auth(s, ip).is_err() {
                return Err(Box::new(gone(s, StatusCode::TOO_MANY_REQUESTS)));
            }
            Err(Box::new(gone(s, StatusCode::NOT_FOUND)))
        }
        Err(e) => Err(Box::new(error_page(s, &e))),
    }
}

fn page(
    s: &AppState,
    jar: CookieJar,
    g: &Signing,
    token: &str,
    status: StatusCode,
    errors: Value,
    notice: Option<&str>,
) -> Response {
    let sha = g.contract.document_sha256.clone().unwrap_or_default();
    let (doc, _) = darkroom_core::billing::contract::pdf::data(&g.document, None, &sha);
    let now = s.core.now().as_micros();
    let others: Vec<Value> = g
        .others
        .iter()
        .filter(|o| o.role == SignerRole::Client)
        .map(|o| context! { name => o.name, signed => o.signed_at.is_some(), me => o.id == g.signer.id })
        .collect();
    let (jar, csrf) = anon_csrf(s, jar);
    let mut res = render_public(
        s,
        "sign.html",
        context! {
            title => format!("{} {}", g.document.title, g.document.number),
            studio => g.header.shown_name(), doc => doc, sha => sha,
            signer => context! { name => g.signer.name, email => g.signer.email, signed => sign::is_signed(g) },
            status => g.contract.status.to_string(), accepted => g.contract.accepted_at.is_some(),
            code_pending => g.code_pending(now), others => others, clients_done => g.clients_done(),
            csrf => csrf, errors => errors, notice => notice, token => token,
        },
    );
    *res.status_mut() = status;
    private((jar, res).into_response())
}

/// A signer's page.
pub async fn show(
    State(s): State<AppState>,
    ClientMeta(m): ClientMeta,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Response {
    let g = match signing_of(&s, &m.ip, &token).await {
        Ok(g) => g,
        Err(r) => return *r,
    };
    if let Err(e) = sign::viewed(&s.core, &g).await {
        return error_page(&s, &e);
    }
    page(&s, jar, &g, &token, StatusCode::OK, context! {}, None)
}

/// Answers a step: the page again, with its notice or the fields marked.
async fn after(
    s: &AppState,
    ip: &str,
    jar: CookieJar,
    token: &str,
    r: Result<&str, CoreError>,
) -> Response {
    let g = match signing_of(s, ip, token).await {
        Ok(g) => g,
        Err(r) => return *r,
    };
    match r {
        Ok(notice) => page(s, jar, &g, token, StatusCode::OK, context! {}, Some(notice)),
        Err(e) => match field_errors(&e) {
            Some(errs) => page(
                s,
                jar,
                &g,
                token,
                StatusCode::UNPROCESSABLE_ENTITY,
                Value::from_serialize(&errs),
                None,
            ),
            None => match e {
                CoreError::Conflict { message, .. } => page(
                    s,
                    jar,
                    &g,
                    token,
                    StatusCode::CONFLICT,
                    context! {},
                    Some(&message),
                ),
                CoreError::RateLimited { .. } => page(
                    s,
                    jar,
                    &g,
                    token,
                    StatusCode::TOO_MANY_REQUESTS,
                    context! {},
                    Some("Too many codes were asked for; wait an hour, or ask the studio."),
                ),
                e => error_page(s, &e),
            },
        },
    }
}

/// The client accepts the proposal.
pub async fn accept(
    State(s): State<AppState>,
    ClientMeta(m): ClientMeta,
    jar: CookieJar,
    Path(token): Path<String>,
    PageForm(_): PageForm<Empty>,
) -> Response {
    let r = sign::accept(&s.core, &m, &token).await;
    after(
        &s,
        &m.ip,
        jar,
        &token,
        r.map(|()| "Proposal accepted. Now ask for your code to sign."),
    )
    .await
}

/// Emails the signer a code.
pub async fn code(
    State(s): State<AppState>,
    ClientMeta(m): ClientMeta,
    jar: CookieJar,
    Path(token): Path<String>,
    PageForm(_): PageForm<Empty>,
) -> Response {
    let r = sign::send_code(&s.core, &token).await;
    after(
        &s,
        &m.ip,
        jar,
        &token,
        r.map(|()| "We emailed you a six-digit code. It works for 15 minutes."),
    )
    .await
}

/// Nothing but the CSRF token.
#[derive(Debug, Default, Deserialize)]
pub struct Empty {}

/// The signature form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignForm {
    code: String,
    consent: Option<String>,
    kind: String,
    typed: String,
    drawn: String,
}

/// Signs.
pub async fn sign_it(
    State(s): State<AppState>,
    ClientMeta(m): ClientMeta,
    jar: CookieJar,
    Path(token): Path<String>,
    PageForm(f): PageForm<SignForm>,
) -> Response {
    let input = SignInput {
        code: f.code.trim().to_string(),
        consent: f.consent.is_some(),
        kind: field(if f.kind.is_empty() { "typed" } else { &f.kind }),
        typed: opt_field(&f.typed),
        drawn: Some(f.drawn.trim().to_string()).filter(|d| !d.is_empty()),
    };
    let r = sign::sign(&s.core, &m, &token, input).await;
    after(&s, &m.ip, jar, &token, r.map(|()| "Signed. Thank you. The studio countersigns next; you will get an email when the contract is complete.")).await
}

/// The contract's PDF (signed, with its certificate, once complete).
pub async fn pdf(
    State(s): State<AppState>,
    ClientMeta(m): ClientMeta,
    Path(token): Path<String>,
) -> Response {
    if let Err(r) = signing_of(&s, &m.ip, &token).await {
        return *r;
    }
    match darkroom_core::billing::contract::pdf::signer_pdf(&s.core, &token).await {
        Ok((name, bytes)) => private(crate::web::bytes::pdf(&name, bytes)),
        Err(e) => error_page(&s, &e),
    }
}
