//! What clients reach through a share link: opening the link (and entering
//! the access code), the gallery page, its JSON, marks, notes, submission,
//! media and downloads.
//!
//! `/g/{token}` swaps the token for a cookie scoped to `/c/{link}` and
//! redirects there, so the token never stays in the address bar, history,
//! Referer or logs. Every `/c/{link}/...` route finds its [`Guest`] through
//! the cookie (media through a short-lived signed URL instead), and each
//! core call decides on the link's rights as they are now. [`pages`]
//! lists every route for the tests that must cover them all.

use axum::Json;
use axum::body::Body;
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use darkroom_core::CoreError;
use darkroom_core::sharing::proofing::{
    self, ClientNote, ClientPhotoDetail, MarkInput, MarkView, NoteInput, SelectionView,
};
use darkroom_core::sharing::share::{self, Guest, Opened};

use super::closed::{capitalized, client_message, link_closed, link_not_valid};
use super::grid;
use darkroom_domain::link::DownloadLevel;
use darkroom_domain::{GallerySetId, PhotoId, ShareLinkId};
use minijinja::context;
use serde::Deserialize;

use crate::context::Pages;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, ClientMeta, client_ip, path_id};
use crate::security;
use crate::state::AppState;
use crate::web::Params;
use crate::web::bytes;
use crate::web::render::{error_page, render_public};

/// The pages a client holding a link reaches (registered by the sharing
/// context; tests walk them all through `web::guest_paths`).
pub fn pages() -> Pages {
    vec![
        ("/g/{token}", get(open).post(enter_code)),
        ("/c/{link_id}", get(page)),
        ("/c/{link_id}/gallery.json", get(gallery_json)),
        ("/c/{link_id}/photos/{photo_id}", get(photo_json)),
        ("/c/{link_id}/photos/{photo_id}/mark", post(mark)),
        ("/c/{link_id}/photos/{photo_id}/notes", post(add_note)),
        (
            "/c/{link_id}/photos/{photo_id}/download",
            get(download_photo),
        ),
        ("/c/{link_id}/submit", post(submit)),
        ("/c/{link_id}/download", get(download_zip)),
        ("/c/{link_id}/media/{photo_id}/{what}", get(media)),
    ]
}

/// A failed link lookup counts against the address's token-guessing limit,
/// so ids and tokens cannot be tried quickly: 404s, then 429.
/// The address `ClientMeta` recorded (written from `client_ip`, so it parses).
fn ip_of(m: &darkroom_core::Meta) -> std::net::IpAddr {
    m.ip.parse().unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]))
}

fn guess_failed(state: &AppState, parts_ip: std::net::IpAddr, e: CoreError) -> ApiError {
    if matches!(e, CoreError::NotFound { .. })
        && let Err(limited) = security::count_failed_auth(state, parts_ip)
    {
        return limited;
    }
    ApiError::from(e)
}

/// The client of a `/c/{link_id}/...` request, from its cookie; checks the
/// CSRF header on anything but GET.
pub struct GuestAuth {
    pub guest: Guest,
    pub cookie: String,
}

impl FromRequestParts<AppState> for GuestAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ip = client_ip(parts, state);
        let raw = parts
            .uri
            .path()
            .strip_prefix("/c/")
            .and_then(|p| p.split('/').next())
            .unwrap_or("");
        let not_found = || CoreError::not_found("gallery link");
        let id: ShareLinkId = match raw.parse() {
            Ok(id) => id,
            Err(_) => return Err(guess_failed(state, ip, not_found())),
        };
        let name = state.link_cookie();
        let values: Vec<&str> = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v)
            // A browser sends one per link path; a pile of them is not worth a lookup each.
            .take(4)
            .collect();
        let mut found = None;
        for v in &values {
            match share::guest(&state.core, id, v).await {
                Ok(g) => {
                    found = Some((g, (*v).to_string()));
                    break;
                }
                Err(CoreError::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let Some((guest, cookie)) = found else {
            return Err(guess_failed(state, ip, not_found()));
        };
        if parts.method != axum::http::Method::GET && parts.method != axum::http::Method::HEAD {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !security::same_origin(parts, state)
                || !share::session_csrf_ok(&state.core, &cookie, sent)
            {
                return Err(ApiError::of(Problem::new(
                    StatusCode::FORBIDDEN,
                    "csrf_failed",
                    "this request did not come from the gallery page; reload the page and try again",
                )));
            }
        }
        Ok(GuestAuth { guest, cookie })
    }
}

fn link_cookie(
    state: &AppState,
    link: ShareLinkId,
    token: String,
    expires: darkroom_domain::Timestamp,
) -> Cookie<'static> {
    let secs = expires.since(state.core.now()).as_secs();
    Cookie::build((state.link_cookie(), token))
        .path(format!("/c/{link}"))
        .http_only(true)
        .secure(state.config.secure_cookies())
        .same_site(SameSite::Lax)
        .max_age(time::Duration::seconds(
            i64::try_from(secs).unwrap_or(i64::MAX),
        ))
        .build()
}

/// The access-code page, in the studio's language; `wrong` after a code
/// that was not right.
fn code_form(
    state: &AppState,
    (studio, gallery, locale): (&str, &str, &str),
    wrong: bool,
    status: StatusCode,
) -> Response {
    let t = super::texts::for_locale(locale);
    let error = wrong.then(|| t["wrong_code"].as_str());
    let mut res = render_public(
        state,
        "client_code.html",
        context! { title => gallery, studio => studio, gallery => gallery, error => error, t => t },
    );
    *res.status_mut() = status;
    // The token is in this page's URL: keep it out of any Referer.
    res.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}

fn opened(state: &AppState, jar: CookieJar, o: Opened) -> Response {
    match o {
        Opened::Session {
            link,
            token,
            expires_at,
        } => (
            jar.add(link_cookie(state, link, token, expires_at)),
            Redirect::to(&format!("/c/{link}")),
        )
            .into_response(),
        Opened::NeedsCode {
            studio_name,
            gallery_name,
            locale,
        } => code_form(
            state,
            (&studio_name, &gallery_name, &locale),
            false,
            StatusCode::OK,
        ),
        // The core's message is the API's; the page says it in its language.
        Opened::WrongCode {
            studio_name,
            gallery_name,
            locale,
            ..
        } => code_form(
            state,
            (&studio_name, &gallery_name, &locale),
            true,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    }
}

async fn open_failed(
    state: &AppState,
    ip: std::net::IpAddr,
    token: &str,
    e: CoreError,
) -> Response {
    match e {
        CoreError::NotFound { .. } => match security::count_failed_auth(state, ip) {
            Ok(()) => link_closed(state, token).await,
            Err(limited) => limited.into_response(),
        },
        other => error_page(state, &other),
    }
}

async fn open(
    State(s): State<AppState>,
    jar: CookieJar,
    ClientMeta(m): ClientMeta,
    Path(token): Path<String>,
) -> Response {
    let ip = ip_of(&m);
    match share::open(&s.core, &token, &m).await {
        Ok(o) => opened(&s, jar, o),
        Err(e) => open_failed(&s, ip, &token, e).await,
    }
}

#[derive(Deserialize)]
struct CodeForm {
    code: String,
}

async fn enter_code(
    State(s): State<AppState>,
    jar: CookieJar,
    ClientMeta(m): ClientMeta,
    Path(token): Path<String>,
    axum::Form(form): axum::Form<CodeForm>,
) -> Response {
    let ip = ip_of(&m);
    match share::enter_code(&s.core, &token, &form.code, &m).await {
        Ok(o) => opened(&s, jar, o),
        Err(e) => open_failed(&s, ip, &token, e).await,
    }
}

async fn page(State(s): State<AppState>, auth: Result<GuestAuth, ApiError>) -> Response {
    let auth = match auth {
        Ok(a) => a,
        Err(e) => {
            let status = e.0.status();
            if status == StatusCode::NOT_FOUND {
                return link_not_valid(&s, status);
            }
            return e.into_response();
        }
    };
    if let Err(e) = proofing::record_view(&s.core, &auth.guest).await {
        return error_page(&s, &e);
    }
    let g = match proofing::gallery(&s.core, &auth.guest).await {
        Ok(g) => g,
        Err(e) => return error_page(&s, &e),
    };
    let groups = grid::sections(&g);
    let cover = g
        .cover_photo_id
        .and_then(|c| g.photos.iter().find(|p| p.id == c))
        .map(|p| context! { p => p, class => grid::ratio_class(p.width, p.height), srcset => grid::hero_srcset(p), sizes => grid::hero_sizes(p) });
    let csrf = share::session_csrf(&s.core, &auth.cookie);
    let base = format!("/c/{}", auth.guest.link_id());
    let texts = super::texts::for_locale(&g.locale);
    // What the page's script says, in the same language.
    let js_texts: std::collections::BTreeMap<&str, &str> = texts
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("js_").map(|k| (k, v.as_str())))
        .collect();
    render_public(
        &s,
        "client_gallery.html",
        context! {
            title => g.gallery_name.clone(), g => g, groups => groups, cover => cover, csrf => csrf, base => base,
            t => texts, js_texts => js_texts,
        },
    )
}

/// The listing, gzipped once and kept (not compressed again per request)
/// for a client that takes gzip.
async fn gallery_json(
    State(s): State<AppState>,
    headers: HeaderMap,
    auth: GuestAuth,
) -> ApiResult<Response> {
    let listing = proofing::gallery_json(&s.core, &auth.guest).await?;
    let gzip = accepts_gzip(&headers);
    let mut res = Response::new(Body::from(if gzip { listing.gzip() } else { listing.json }));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if gzip {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    Ok(res)
}

/// Whether `Accept-Encoding` takes gzip (RFC 9110 12.5.3): `gzip` or
/// `x-gzip` with a weight above zero, or, when neither is named, `*` with
/// one (`gzip;q=0, *` refuses gzip).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    let (mut named, mut any) = (None, None);
    for item in headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
    {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim();
        let weight = parts
            .filter_map(|p| {
                let (k, v) = p.split_once('=')?;
                k.trim().eq_ignore_ascii_case("q").then(|| v.trim())
            })
            .find_map(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") {
            named = Some(named.unwrap_or(0.0_f32).max(weight));
        } else if name == "*" {
            any = Some(weight);
        }
    }
    named.or(any).is_some_and(|w| w > 0.0)
}

async fn photo_json(
    State(s): State<AppState>,
    auth: GuestAuth,
    Path((_, photo)): Path<(String, String)>,
) -> ApiResult<Json<ClientPhotoDetail>> {
    let photo: PhotoId = path_id(&photo)?;
    Ok(Json(proofing::photo(&s.core, &auth.guest, photo).await?))
}

async fn mark(
    State(s): State<AppState>,
    auth: GuestAuth,
    Path((_, photo)): Path<(String, String)>,
    ApiJson(input): ApiJson<MarkInput>,
) -> ApiResult<Json<MarkView>> {
    let photo: PhotoId = path_id(&photo)?;
    Ok(Json(
        proofing::mark(&s.core, &auth.guest, photo, input).await?,
    ))
}

async fn add_note(
    State(s): State<AppState>,
    auth: GuestAuth,
    ClientMeta(m): ClientMeta,
    Path((_, photo)): Path<(String, String)>,
    ApiJson(input): ApiJson<NoteInput>,
) -> ApiResult<(StatusCode, Json<ClientNote>)> {
    let photo: PhotoId = path_id(&photo)?;
    Ok((
        StatusCode::CREATED,
        Json(proofing::add_note(&s.core, &auth.guest, &m, photo, input).await?),
    ))
}

async fn submit(
    State(s): State<AppState>,
    auth: GuestAuth,
    ClientMeta(m): ClientMeta,
) -> ApiResult<Json<SelectionView>> {
    Ok(Json(proofing::submit(&s.core, &auth.guest, &m).await?))
}

fn size_param(q: &Params, g: &Guest) -> ApiResult<DownloadLevel> {
    let raw = q
        .get("size")
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or(g.link.download.name());
    DownloadLevel::parse(raw).map_err(|e| {
        ApiError::of(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_query",
            format!("query `size`: {e}"),
        ))
    })
}

/// Downloads are opened by navigation from the page: a refusal is a page
/// (with the same status) for a browser, a problem document otherwise.
fn for_browser(s: &AppState, headers: &HeaderMap, r: ApiResult<Response>) -> Response {
    match r {
        Ok(res) => res,
        Err(e) => {
            let html = headers
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|a| a.contains("text/html"));
            if !html {
                return e.into_response();
            }
            let p = &e.0;
            let body = capitalized(&p.detail);
            client_message(
                s,
                p.status(),
                context! { title => "Download not available", heading => "This download is not available", body => body },
            )
        }
    }
}

async fn download_photo(
    State(s): State<AppState>,
    headers: HeaderMap,
    auth: Result<GuestAuth, ApiError>,
    Path((_, photo)): Path<(String, String)>,
    q: Params,
) -> Response {
    let r = async { download_photo_inner(&s, auth?, &photo, &q).await }.await;
    for_browser(&s, &headers, r)
}

async fn download_photo_inner(
    s: &AppState,
    auth: GuestAuth,
    photo: &str,
    q: &Params,
) -> ApiResult<Response> {
    let photo: PhotoId = path_id(photo)?;
    let level = size_param(q, &auth.guest)?;
    let obj = proofing::download_photo(&s.core, &auth.guest, photo, level).await?;
    Ok(bytes::media(
        obj,
        "private, no-store",
        true,
        &HeaderMap::new(),
    ))
}

async fn download_zip(
    State(s): State<AppState>,
    headers: HeaderMap,
    auth: Result<GuestAuth, ApiError>,
    q: Params,
) -> Response {
    let r = async { download_zip_inner(&s, auth?, &q).await }.await;
    for_browser(&s, &headers, r)
}

async fn download_zip_inner(s: &AppState, auth: GuestAuth, q: &Params) -> ApiResult<Response> {
    let level = size_param(q, &auth.guest)?;
    let set = match q.get("set").map(String::as_str).filter(|s| !s.is_empty()) {
        None => None,
        Some(id) => Some(
            id.parse::<GallerySetId>()
                .map_err(|_| CoreError::not_found("set"))?,
        ),
    };
    Ok(bytes::zip(
        proofing::download_zip(&s.core, &auth.guest, level, set).await?,
    ))
}

/// Thumbnails and proofs (or clean previews) for the page, by signed URL.
async fn media(
    State(s): State<AppState>,
    Path((link, photo, what)): Path<(String, String, String)>,
    q: Params,
    req: Request,
) -> ApiResult<Response> {
    // The hottest route of all (a gallery page asks for a thousand of
    // these): the request's own parts, not copies of its headers.
    let (parts, _) = req.into_parts();
    let ip = client_ip(&parts, &s);
    let fail = |e: CoreError| guess_failed(&s, ip, e);
    let link: ShareLinkId = link
        .parse()
        .map_err(|_| fail(CoreError::not_found("picture")))?;
    let photo_id: PhotoId = photo
        .parse()
        .map_err(|_| fail(CoreError::not_found("picture")))?;
    let exp: i64 = q.get("exp").and_then(|e| e.parse().ok()).unwrap_or(0);
    let sig = q.get("sig").map(String::as_str).unwrap_or("");
    let rev = q.get("v").map(String::as_str).unwrap_or("");
    let g = share::guest_for_media(&s.core, link, &photo, &what, rev, exp, sig)
        .await
        .map_err(fail)?;
    let version = rev.split('.').next().and_then(|n| n.parse().ok());
    let obj = proofing::media(&s.core, &g, photo_id, &what, version).await?;
    // Cacheable by the browser only, and no longer than the URL lives.
    Ok(bytes::media(
        obj,
        "private, max-age=600",
        false,
        &parts.headers,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_taken_as_accept_encoding_weighs_it() {
        for (sent, takes) in [
            (vec![], false),
            (vec!["gzip, deflate, br, zstd"], true),
            (vec!["br;q=1.0, GZIP;Q=0.5"], true),
            (vec!["x-gzip"], true),
            (vec!["gzip;q=0, identity"], false),
            (vec!["gzip;q=0.000"], false),
            (vec!["identity"], false),
            (vec!["*"], true),
            (vec!["gzip;q=0, *"], false),
            (vec!["*;q=0"], false),
            (vec!["br", "gzip"], true),
        ] {
            let mut h = HeaderMap::new();
            for v in &sent {
                h.append(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            }
            assert_eq!(accepts_gzip(&h), takes, "{sent:?}");
        }
    }
}
