//! The client's side: the emailed link signs the browser in (the link's
//! token in an HttpOnly cookie, so revoking the link signs it out too),
//! and `/portal` shows their page. Wrong tokens count against the
//! address's guessing limit, like gallery links.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use darkroom_core::CoreError;
use darkroom_core::portal;
use minijinja::context;

use crate::extract::ClientMeta;
use crate::security;
use crate::state::AppState;
use crate::web::render::{error_page, render_public};

fn gone(s: &AppState, status: StatusCode) -> Response {
    let mut res = render_public(
        s,
        "portal_gone.html",
        context! { title => "This link does not work" },
    );
    *res.status_mut() = status;
    res
}

fn cookie(s: &AppState, token: String, max_age_secs: i64) -> Cookie<'static> {
    Cookie::build((s.portal_cookie(), token))
        .path("/portal")
        .http_only(true)
        .secure(s.config.secure_cookies())
        .same_site(SameSite::Lax)
        .max_age(time::Duration::seconds(max_age_secs))
        .build()
}

/// Opens the emailed link: a working one signs this browser in and goes
/// to the page; the token leaves the address bar at once.
pub async fn open(
    State(s): State<AppState>,
    ClientMeta(m): ClientMeta,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Response {
    match portal::visitor(&s.core, &token).await {
        Ok(v) => {
            if let Err(e) = portal::opened(&s.core, &v).await {
                return error_page(&s, &e);
            }
            let mut res = (
                jar.add(cookie(&s, token, 90 * 86_400)),
                Redirect::to("/portal"),
            )
                .into_response();
            res.headers_mut().insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            );
            res
        }
        Err(CoreError::NotFound { .. }) => {
            let ip = m.ip.parse().unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]));
            if security::count_failed_auth(&s, ip).is_err() {
                return gone(&s, StatusCode::TOO_MANY_REQUESTS);
            }
            gone(&s, StatusCode::NOT_FOUND)
        }
        Err(e) => error_page(&s, &e),
    }
}

/// The client the browser's portal cookie signs in; without a working one,
/// the "ask for a new link" page.
async fn visitor_of(s: &AppState, jar: &CookieJar) -> Result<portal::Visitor, Box<Response>> {
    let Some(token) = jar.get(s.portal_cookie()).map(|c| c.value().to_string()) else {
        return Err(Box::new(gone(s, StatusCode::NOT_FOUND)));
    };
    match portal::visitor(&s.core, &token).await {
        Ok(v) => Ok(v),
        Err(CoreError::NotFound { .. }) => Err(Box::new(gone(s, StatusCode::NOT_FOUND))),
        Err(e) => Err(Box::new(error_page(s, &e))),
    }
}

/// The client's page, for the browser the link signed in.
pub async fn home(State(s): State<AppState>, jar: CookieJar) -> Response {
    let v = match visitor_of(&s, &jar).await {
        Ok(v) => v,
        Err(r) => return *r,
    };
    match portal::home(&s.core, &v).await {
        Ok(h) => {
            let (jar, csrf) = crate::web::render::anon_csrf(&s, jar);
            let mut res = render_public(
                &s,
                "portal.html",
                context! { title => h.studio.clone(), h => h, csrf => csrf },
            );
            res.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            (jar, res).into_response()
        }
        Err(CoreError::NotFound { .. }) => gone(&s, StatusCode::NOT_FOUND),
        Err(e) => error_page(&s, &e),
    }
}

/// A client-visible document's file, for the browser the link signed in;
/// any other document answers like one that does not exist.
pub async fn document(
    State(s): State<AppState>,
    jar: CookieJar,
    Path(id): Path<String>,
) -> Response {
    let v = match visitor_of(&s, &jar).await {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let Ok(id) = id.parse::<darkroom_domain::DocumentId>() else {
        return error_page(&s, &CoreError::not_found("document"));
    };
    match portal::document(&s.core, &v, id).await {
        Ok(b) => crate::web::bytes::document(b),
        Err(e) => error_page(&s, &e),
    }
}

/// Signs this browser out of the portal (the link itself keeps working).
pub async fn sign_out(State(s): State<AppState>, jar: CookieJar) -> Response {
    let jar = jar.remove(Cookie::build(s.portal_cookie()).path("/portal").build());
    (jar, Redirect::to("/portal")).into_response()
}

fn private(mut res: Response) -> Response {
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    res
}

/// The signed-in client and the invoice id in the path (a malformed id
/// answers like a missing invoice).
async fn visitor_and_invoice(
    s: &AppState,
    jar: &CookieJar,
    id: &str,
) -> Result<(portal::Visitor, darkroom_domain::InvoiceId), Box<Response>> {
    let v = visitor_of(s, jar).await?;
    match id.parse() {
        Ok(id) => Ok((v, id)),
        Err(_) => Err(Box::new(error_page(s, &CoreError::not_found("invoice")))),
    }
}

/// One of the client's invoices: its lines, what was paid, its PDF, and
/// paying the balance by card when the studio takes cards.
pub async fn invoice(
    State(s): State<AppState>,
    jar: CookieJar,
    Path(id): Path<String>,
    q: crate::web::Params,
) -> Response {
    let (v, id) = match visitor_and_invoice(&s, &jar, &id).await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    match portal::money::invoice(&s.core, &v, id).await {
        Ok(d) => private(render_public(
            &s,
            "portal_invoice.html",
            context! {
                title => format!("Invoice {}", d.invoice.number), d => d,
                paying => crate::web::param(&q, "paying").is_some(),
            },
        )),
        Err(e) => error_page(&s, &e),
    }
}

/// The PDF of one of the client's invoices.
pub async fn invoice_pdf(
    State(s): State<AppState>,
    jar: CookieJar,
    Path(id): Path<String>,
) -> Response {
    let (v, id) = match visitor_and_invoice(&s, &jar, &id).await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    match portal::money::invoice_pdf(&s.core, &v, id).await {
        Ok((name, bytes)) => private(crate::web::bytes::pdf(&name, bytes)),
        Err(e) => error_page(&s, &e),
    }
}

/// The receipt of a payment on one of the client's invoices.
pub async fn receipt_pdf(
    State(s): State<AppState>,
    jar: CookieJar,
    Path((id, entry)): Path<(String, String)>,
) -> Response {
    let (v, id) = match visitor_and_invoice(&s, &jar, &id).await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let Ok(entry) = entry.parse::<darkroom_domain::EntryId>() else {
        return error_page(&s, &CoreError::not_found("payment"));
    };
    match portal::money::receipt_pdf(&s.core, &v, id, entry).await {
        Ok((name, bytes)) => private(crate::web::bytes::pdf(&name, bytes)),
        Err(e) => error_page(&s, &e),
    }
}

/// Signing a sent contract from the portal: a fresh link for this
/// person, then the signing page (which still asks for the emailed code).
pub async fn sign_contract(
    State(s): State<AppState>,
    jar: CookieJar,
    Path(id): Path<String>,
    crate::web::render::PageForm(_): crate::web::render::PageForm<
        std::collections::HashMap<String, String>,
    >,
) -> Response {
    let v = match visitor_of(&s, &jar).await {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let Ok(id) = id.parse::<darkroom_domain::ContractId>() else {
        return error_page(&s, &CoreError::not_found("contract"));
    };
    match portal::money::sign_path(&s.core, &v, id).await {
        Ok(path) => private(Redirect::to(&path).into_response()),
        Err(e) => error_page(&s, &e),
    }
}

/// The PDF of one of the client's contracts (signed, with its
/// certificate, once everyone signed).
pub async fn contract_pdf(
    State(s): State<AppState>,
    jar: CookieJar,
    Path(id): Path<String>,
) -> Response {
    let v = match visitor_of(&s, &jar).await {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let Ok(id) = id.parse::<darkroom_domain::ContractId>() else {
        return error_page(&s, &CoreError::not_found("contract"));
    };
    match portal::money::contract_pdf(&s.core, &v, id).await {
        Ok((name, bytes)) => private(crate::web::bytes::pdf(&name, bytes)),
        Err(e) => error_page(&s, &e),
    }
}

/// The origin (`https://host:port`) of a configured address.
fn origin(u: &str) -> String {
    url::Url::parse(u).map_or_else(|_| String::new(), |u| u.origin().ascii_serialization())
}

/// Starts paying an invoice by card: the page with Stripe's card form. Its
/// policy lets Stripe.js (and only it) run, frame and call Stripe.
pub async fn pay(State(s): State<AppState>, jar: CookieJar, Path(id): Path<String>) -> Response {
    let (v, id) = match visitor_and_invoice(&s, &jar, &id).await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let pay = match portal::money::pay(&s.core, &v, id).await {
        Ok(p) => p,
        Err(e) => return error_page(&s, &e),
    };
    let studio = match darkroom_core::kernel::tenant::page_header(&s.core, v.studio).await {
        Ok(h) => h.shown_name(),
        Err(e) => return error_page(&s, &e),
    };
    let js = origin(&pay.js_url);
    let api = origin(&s.core.settings().payments.stripe_api_base);
    let policy = format!(
        "default-src 'self'; img-src 'self' data:; style-src 'self'; \
         script-src 'self' {js}; frame-src {js} https://hooks.stripe.com; connect-src 'self' {js} {api}; \
         font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    );
    let mut res = private(render_public(
        &s,
        "portal_pay.html",
        context! { title => format!("Pay invoice {}", pay.invoice_number), pay => pay, studio => studio },
    ));
    if let Ok(v) = HeaderValue::from_str(&policy) {
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    res
}
