//! Rendering pages, the signed-in page context, CSRF-checked forms, and
//! error pages.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use darkroom_core::{CoreError, Principal};
use minijinja::Value;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::problem_of;
use crate::extract::{meta_of, read_body};
use crate::security;
use crate::state::AppState;

/// Everything the layout needs about the signed-in person.
#[derive(Clone, Debug, Serialize)]
pub struct Nav {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub studio_id: String,
    pub studio_name: String,
    pub accent: String,
    pub zone: String,
    /// The studio's locale: how dates are written (`en-IN`, `ko-KR`).
    pub locale: String,
    pub is_owner: bool,
    pub perms: Vec<&'static str>,
    pub studios: Vec<(String, String)>,
    /// The section of the site this page is in (`/galleries` for a gallery's
    /// sharing page): its menu item is marked as the current page.
    pub here: String,
}

/// A signed-in page request.
pub struct PageCtx {
    pub p: Principal,
    pub nav: Nav,
    pub csrf: String,
    pub meta: darkroom_core::Meta,
    pub state: AppState,
}

impl PageCtx {
    /// Renders `template` inside the signed-in layout.
    pub fn render(&self, template: &str, ctx: Value) -> Response {
        self.render_status(StatusCode::OK, template, ctx)
    }

    pub fn render_status(&self, status: StatusCode, template: &str, ctx: Value) -> Response {
        let full = minijinja::context! { nav => self.nav, csrf => self.csrf, ..ctx };
        let mut res = render_value(&self.state, template, full);
        *res.status_mut() = status;
        res
    }

    pub fn can(&self, perm: &str) -> bool {
        self.nav.perms.contains(&perm)
    }
}

/// Where to go after signing in: only local paths.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.contains("://") =>
        {
            n.to_string()
        }
        _ => "/dashboard".into(),
    }
}

fn sign_in_redirect(parts: &Parts) -> Response {
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
    Redirect::to(&format!("/sign-in?next={next}")).into_response()
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(p) = crate::extract::session_of(parts) else {
            return Err(sign_in_redirect(parts));
        };
        let nav = nav_for(state, &p, parts.uri.path())
            .await
            .map_err(|e| error_page(state, &e))?;
        let csrf = security::session_csrf(state, &p);
        Ok(PageCtx {
            meta: meta_of(parts, state),
            p,
            nav,
            csrf,
            state: state.clone(),
        })
    }
}

async fn nav_for(state: &AppState, p: &Principal, path: &str) -> Result<Nav, CoreError> {
    let core = &state.core;
    let header = darkroom_core::kernel::tenant::page_header(core, p.studio).await?;
    let (studio_name, branding) = (header.name, header.branding);
    let studios = darkroom_core::studio::studios_of(core, p.user).await?;
    Ok(Nav {
        user_id: p.user.to_string(),
        name: p.name.clone(),
        email: p.email.clone(),
        studio_id: p.studio.to_string(),
        studio_name,
        accent: branding.accent_colour,
        zone: p.time_zone.clone(),
        locale: header.locale,
        is_owner: p.is_owner(),
        perms: core
            .permissions_anywhere(p)
            .iter()
            .map(|x| x.name())
            .collect(),
        studios: studios
            .into_iter()
            .map(|(id, n)| (id.to_string(), n))
            .collect(),
        here: format!(
            "/{}",
            path.trim_start_matches('/').split('/').next().unwrap_or("")
        ),
    })
}

fn render_value(state: &AppState, template: &str, ctx: Value) -> Response {
    let html = state
        .templates
        .env
        .get_template(template)
        .and_then(|t| t.render(ctx));
    match html {
        Ok(h) => Html(h).into_response(),
        Err(e) => {
            tracing::error!(template, error = ?e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, Html("<h1>Something went wrong</h1><p>The page could not be shown; it has been logged.</p>")).into_response()
        }
    }
}

/// Renders a page for people who are not signed in.
pub fn render_public(state: &AppState, template: &str, ctx: Value) -> Response {
    render_value(state, template, ctx)
}

/// An error as a page, with the status the API would use.
pub fn error_page(state: &AppState, e: &CoreError) -> Response {
    let p = problem_of(e);
    let status = p.status();
    let mut res = render_value(
        state,
        "error.html",
        minijinja::context! {
            title => p.title, status => p.status, detail => p.detail, code => p.code,
        },
    );
    *res.status_mut() = status;
    if let Some(s) = p.retry_after
        && let Ok(v) = HeaderValue::from_str(&s.to_string())
    {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

/// A redirect after a successful form, with a short notice shown on arrival.
/// A `#fragment` of `to` stays at the end, after the notice's parameter.
pub fn done(to: &str, flash: &str) -> Response {
    let (path, fragment) = match to.split_once('#') {
        Some((p, f)) => (p, format!("#{f}")),
        None => (to, String::new()),
    };
    let sep = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{path}{sep}flash={flash}{fragment}")).into_response()
}

/// The notice for a `flash` code, from the contexts' lists (codes only, so
/// nothing can be injected).
pub fn flash_text(code: Option<&str>) -> Option<&'static str> {
    let code = code?;
    crate::context::all()
        .iter()
        .flat_map(|c| c.notices.iter())
        .find(|(c, _)| *c == code)
        .map(|(_, text)| *text)
}

/// A form post checked against CSRF (session token, or the pre-sign-in
/// cookie) and the request's origin. `_csrf` is removed before decoding.
pub struct PageForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for PageForm<T> {
    type Rejection = Response;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        if !security::same_origin(&parts, state) {
            tracing::info!(origin = ?parts.headers.get(header::ORIGIN), fetch_site = ?parts.headers.get("sec-fetch-site"), "form refused: not from this site");
            return Err(security::csrf_rejected());
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let session = crate::extract::session_of(&parts);
        let anon = jar
            .get(state.csrf_cookie())
            .map(|c| c.value().to_string())
            .unwrap_or_default();
        let _ = &mut parts;
        let bytes = read_body(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let mut pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| {
                (
                    StatusCode::BAD_REQUEST,
                    Html("<h1>The form could not be read</h1>"),
                )
                    .into_response()
            })?;
        let sent = pairs
            .iter()
            .position(|(k, _)| k == "_csrf")
            .map(|i| pairs.remove(i).1)
            .unwrap_or_default();
        let ok = match &session {
            Some(p) => {
                security::session_csrf_ok(state, p, &sent)
                    || security::anon_csrf_ok(state, &anon, &sent)
            }
            None => security::anon_csrf_ok(state, &anon, &sent),
        };
        if !ok {
            tracing::info!(
                has_cookie = !anon.is_empty(),
                has_session = session.is_some(),
                sent = !sent.is_empty(),
                "form refused: CSRF token missing or wrong"
            );
            return Err(security::csrf_rejected());
        }
        let encoded = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        serde_urlencoded::from_str(&encoded)
            .map(PageForm)
            .map_err(|e| {
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Html(format!(
                        "<h1>The form is not valid</h1><p>{}</p>",
                        darkroom_core::kernel::mail::layout::escape(&e.to_string())
                    )),
                )
                    .into_response()
            })
    }
}

/// A CSRF token and cookie for forms shown before sign-in.
pub fn anon_csrf(state: &AppState, jar: CookieJar) -> (CookieJar, String) {
    let existing = jar.get(state.csrf_cookie()).map(|c| c.value().to_string());
    let value = existing.unwrap_or_else(|| darkroom_core::kernel::secret::new_token(""));
    let token = security::anon_csrf(state, &value);
    let cookie = Cookie::build((state.csrf_cookie(), value))
        .path("/")
        .http_only(true)
        .secure(state.config.secure_cookies())
        .same_site(SameSite::Strict)
        .build();
    (jar.add(cookie), token)
}

/// The session cookie for a new session.
pub fn session_cookie(
    state: &AppState,
    s: &darkroom_core::studio::auth::NewSession,
) -> Cookie<'static> {
    let max_age = s.expires_at.since(state.core.now());
    Cookie::build((state.session_cookie(), s.token.clone()))
        .path("/")
        .http_only(true)
        .secure(state.config.secure_cookies())
        .same_site(SameSite::Lax)
        .max_age(time_duration(max_age))
        .build()
}

fn time_duration(d: std::time::Duration) -> time::Duration {
    time::Duration::seconds(i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Removes the session cookie.
pub fn clear_session(state: &AppState, jar: CookieJar) -> CookieJar {
    jar.remove(Cookie::build(state.session_cookie()).path("/").build())
}

/// Field errors of a validation failure, by field name, for re-showing a form.
pub fn field_errors(e: &CoreError) -> Option<serde_json::Map<String, serde_json::Value>> {
    match e {
        CoreError::Validation(errs) => Some(
            errs.0
                .iter()
                .map(|f| {
                    (
                        f.field.clone(),
                        serde_json::Value::String(f.message.clone()),
                    )
                })
                .collect(),
        ),
        CoreError::Taken { field, message } | CoreError::MissingRef { field, message } => Some(
            [(field.clone(), serde_json::Value::String(message.clone()))]
                .into_iter()
                .collect(),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_notice_goes_before_the_fragment() {
        let at = |to: &str| {
            super::done(to, "saved").headers()["location"]
                .to_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(
            at("/projects/p#milestones"),
            "/projects/p?flash=saved#milestones"
        );
        assert_eq!(at("/clients?q=a"), "/clients?q=a&flash=saved");
        assert_eq!(at("/leads"), "/leads?flash=saved");
    }
}
