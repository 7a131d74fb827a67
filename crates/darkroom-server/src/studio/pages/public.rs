//! Pages for people who are not signed in: studio set-up, sign-in, password
//! reset and invitation acceptance.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use darkroom_core::studio::setup::{self, SetupInput};
use darkroom_core::{CoreError, studio::auth, studio::staff};
use minijinja::context;
use serde::Deserialize;

use crate::extract::ClientMeta;
use crate::state::AppState;
use crate::web::render::{
    PageForm, anon_csrf, clear_session, done, error_page, field_errors, flash_text, render_public,
    safe_next, session_cookie,
};
use crate::web::{Params, param};

fn with_jar(jar: CookieJar, res: Response) -> Response {
    (jar, res).into_response()
}

pub async fn setup_help(State(s): State<AppState>) -> Response {
    render_public(
        &s,
        "message.html",
        context! {
            title => "Set up Darkroom",
            heading => "Set up Darkroom",
            body => "Open the one-time set-up link that `darkroom serve` printed in its terminal. If you lost it, restart the server (a new link is printed while no studio exists) or run `darkroom studio new-link`.",
        },
    )
}

pub async fn setup_form(
    State(s): State<AppState>,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Response {
    match setup::setup_token_usable(&s.core, &token).await {
        Ok(true) => {}
        Ok(false) => return invalid_link(&s, "set-up"),
        Err(e) => return error_page(&s, &e),
    }
    let (jar, csrf) = anon_csrf(&s, jar);
    with_jar(
        jar,
        render_public(
            &s,
            "setup.html",
            context! {
                title => "Create your studio", csrf => csrf, form => SetupInput { currency: "USD".into(), time_zone: "UTC".into(), locale: "en".into(), ..Default::default() },
                errors => context! {},
            },
        ),
    )
}

fn invalid_link(s: &AppState, what: &str) -> Response {
    let mut res = render_public(
        s,
        "message.html",
        context! {
            title => "Link not valid",
            heading => "This link is not valid",
            body => format!("This {what} link has expired, was already used, or was replaced by a newer one. Ask for a new one."),
        },
    );
    *res.status_mut() = StatusCode::NOT_FOUND;
    res
}

pub async fn setup_submit(
    State(s): State<AppState>,
    jar: CookieJar,
    ClientMeta(m): ClientMeta,
    Path(token): Path<String>,
    PageForm(form): PageForm<SetupInput>,
) -> Response {
    match setup::complete(&s.core, &token, form.clone(), &m).await {
        Ok(session) => (
            jar.add(session_cookie(&s, &session)),
            done("/dashboard", "welcome"),
        )
            .into_response(),
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                let (jar, csrf) = anon_csrf(&s, jar);
                let mut res = render_public(
                    &s,
                    "setup.html",
                    context! { title => "Create your studio", csrf => csrf, form => SetupInput { password: String::new(), ..form }, errors => errors },
                );
                *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                with_jar(jar, res)
            }
            None => error_page(&s, &e),
        },
    }
}

pub async fn sign_in_form(State(s): State<AppState>, jar: CookieJar, q: Params) -> Response {
    let (jar, csrf) = anon_csrf(&s, jar);
    with_jar(
        jar,
        render_public(
            &s,
            "sign_in.html",
            context! {
                title => "Sign in", csrf => csrf, next => safe_next(param(&q, "next")), email => "",
                flash => flash_text(param(&q, "flash")),
            },
        ),
    )
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct SignInForm {
    email: String,
    password: String,
    next: Option<String>,
}

pub async fn sign_in_submit(
    State(s): State<AppState>,
    jar: CookieJar,
    ClientMeta(m): ClientMeta,
    PageForm(f): PageForm<SignInForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    match auth::sign_in(&s.core, &f.email, &f.password, &m).await {
        Ok(session) => {
            // A fresh session id at every sign-in; any earlier cookie is replaced.
            let jar = clear_session(&s, jar).add(session_cookie(&s, &session));
            (jar, Redirect::to(&next)).into_response()
        }
        Err(e @ (CoreError::Unauthenticated { .. } | CoreError::RateLimited { .. })) => {
            let status = if matches!(e, CoreError::RateLimited { .. }) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNAUTHORIZED
            };
            let (jar, csrf) = anon_csrf(&s, jar);
            let mut res = render_public(
                &s,
                "sign_in.html",
                context! {
                    title => "Sign in", csrf => csrf, next => next, email => f.email, error => e.to_string(),
                },
            );
            *res.status_mut() = status;
            if let CoreError::RateLimited { retry_after } = e
                && let Ok(v) = axum::http::HeaderValue::from_str(&retry_after.as_secs().to_string())
            {
                res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
            with_jar(jar, res)
        }
        Err(e) => error_page(&s, &e),
    }
}

pub async fn sign_out(
    State(s): State<AppState>,
    jar: CookieJar,
    PageForm(_f): PageForm<std::collections::HashMap<String, String>>,
) -> Response {
    if let Some(c) = jar.get(s.session_cookie())
        && let Err(e) = auth::sign_out(&s.core, c.value()).await
    {
        return error_page(&s, &e);
    }
    (clear_session(&s, jar), done("/sign-in", "signed_out")).into_response()
}

pub async fn reset_request_form(State(s): State<AppState>, jar: CookieJar) -> Response {
    let (jar, csrf) = anon_csrf(&s, jar);
    with_jar(
        jar,
        render_public(
            &s,
            "reset_request.html",
            context! { title => "Reset your password", csrf => csrf },
        ),
    )
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ResetRequestForm {
    email: String,
}

pub async fn reset_request_submit(
    State(s): State<AppState>,
    jar: CookieJar,
    ClientMeta(m): ClientMeta,
    PageForm(f): PageForm<ResetRequestForm>,
) -> Response {
    match auth::request_password_reset(&s.core, &f.email, &m).await {
        Ok(()) => render_public(
            &s,
            "message.html",
            context! {
                title => "Check your email",
                heading => "Check your email",
                body => "If that address belongs to a staff account, a link to choose a new password is on its way. It works once and expires in an hour. No email? Ask your studio's owner for a reset link.",
            },
        ),
        Err(e @ CoreError::RateLimited { .. }) => {
            let (jar, csrf) = anon_csrf(&s, jar);
            let mut res = render_public(
                &s,
                "reset_request.html",
                context! { title => "Reset your password", csrf => csrf, error => e.to_string() },
            );
            *res.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            with_jar(jar, res)
        }
        Err(e) => error_page(&s, &e),
    }
}

pub async fn reset_form(
    State(s): State<AppState>,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Response {
    match auth::reset_token_usable(&s.core, &token).await {
        Ok(true) => {}
        Ok(false) => return invalid_link(&s, "password reset"),
        Err(e) => return error_page(&s, &e),
    }
    let (jar, csrf) = anon_csrf(&s, jar);
    with_jar(
        jar,
        render_public(
            &s,
            "reset_form.html",
            context! { title => "Choose a new password", csrf => csrf, errors => context! {} },
        ),
    )
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct NewPasswordForm {
    password: String,
}

pub async fn reset_submit(
    State(s): State<AppState>,
    jar: CookieJar,
    ClientMeta(m): ClientMeta,
    Path(token): Path<String>,
    PageForm(f): PageForm<NewPasswordForm>,
) -> Response {
    match auth::complete_password_reset(&s.core, &token, &f.password, &m).await {
        Ok(()) => (clear_session(&s, jar), done("/sign-in", "password_reset")).into_response(),
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                let (jar, csrf) = anon_csrf(&s, jar);
                let mut res = render_public(
                    &s,
                    "reset_form.html",
                    context! { title => "Choose a new password", csrf => csrf, errors => errors },
                );
                *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                with_jar(jar, res)
            }
            None if matches!(e, CoreError::Unauthenticated { .. }) => {
                invalid_link(&s, "password reset")
            }
            None => error_page(&s, &e),
        },
    }
}

pub async fn invitation_form(
    State(s): State<AppState>,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Response {
    let info = match staff::invitation_info(&s.core, &token).await {
        Ok(i) => i,
        Err(CoreError::Unauthenticated { .. } | CoreError::NotFound { .. }) => {
            return invalid_link(&s, "invitation");
        }
        Err(e) => return error_page(&s, &e),
    };
    let (jar, csrf) = anon_csrf(&s, jar);
    with_jar(
        jar,
        render_public(
            &s,
            "invitation.html",
            context! {
                title => format!("Join {}", info.studio_name), csrf => csrf, studio_name => info.studio_name,
                name => info.name, email => info.email, errors => context! {},
            },
        ),
    )
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct AcceptForm {
    password: Option<String>,
}

pub async fn invitation_submit(
    State(s): State<AppState>,
    jar: CookieJar,
    ClientMeta(m): ClientMeta,
    Path(token): Path<String>,
    PageForm(f): PageForm<AcceptForm>,
) -> Response {
    match staff::accept_invitation(&s.core, &token, f.password.as_deref(), &m).await {
        Ok(session) => (
            clear_session(&s, jar).add(session_cookie(&s, &session)),
            done("/dashboard", "welcome"),
        )
            .into_response(),
        Err(e) => match (
            field_errors(&e),
            staff::invitation_info(&s.core, &token).await,
        ) {
            (Some(errors), Ok(info)) => {
                let (jar, csrf) = anon_csrf(&s, jar);
                let mut res = render_public(
                    &s,
                    "invitation.html",
                    context! {
                        title => format!("Join {}", info.studio_name), csrf => csrf, studio_name => info.studio_name,
                        name => info.name, email => info.email, errors => errors,
                    },
                );
                *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                with_jar(jar, res)
            }
            _ if matches!(e, CoreError::Unauthenticated { .. }) => invalid_link(&s, "invitation"),
            _ => error_page(&s, &e),
        },
    }
}
