//! Staff pages: the list, invitations, a person's profile, roles and grants.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use darkroom_core::studio::access::{self, NewAssignment, NewGrant};
use darkroom_core::studio::staff::{self, NewInvitation, StaffFilter, StaffPatch, Standing};
use darkroom_core::{CoreError, studio::branch};
use darkroom_domain::permission::Permission;
use darkroom_domain::{AssignmentId, BranchId, GrantId, RoleId, Timestamp, UserId};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use crate::extract::path_id;
use crate::web::render::{PageCtx, PageForm, done, error_page, field_errors, flash_text};
use crate::web::{Params, param};

fn user_id(raw: &str) -> Result<UserId, CoreError> {
    path_id::<UserId>(raw).map_err(|_| CoreError::not_found("staff member"))
}

pub async fn list(ctx: PageCtx, q: Params) -> Response {
    let deleted = param(&q, "deleted") == Some("true");
    let f = StaffFilter {
        q: param(&q, "q").map(String::from),
        status: param(&q, "status").map(crate::web::field),
        deleted: Some(deleted),
        cursor: param(&q, "cursor")
            .map(|c| darkroom_core::kernel::listing::IdCursor(c.to_string())),
        limit: Some(darkroom_core::kernel::listing::ListLimit::clamped(50)),
    };
    match staff::list(&ctx.state.core, &ctx.p, &f).await {
        Ok(l) => ctx.render("staff.html", context! {
            title => if deleted { "Deleted staff" } else { "Staff" }, list => l, q => f.q, status => f.status,
            deleted => deleted, flash => flash_text(param(&q, "flash")),
        }),
        Err(e) => error_page(&ctx.state, &e),
    }
}

async fn pickers(ctx: &PageCtx) -> (Vec<(String, String)>, Vec<(String, String)>) {
    let roles = access::role_names(&ctx.state.core, &ctx.p)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|(_, _, owner)| !owner)
        .map(|(id, n, _)| (id.to_string(), n))
        .collect();
    let branches = branch::names(&ctx.state.core, &ctx.p)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(id, n)| (id.to_string(), n))
        .collect();
    (roles, branches)
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role_id: String,
    #[serde(default)]
    branch_id: String,
}

async fn invite_page(
    ctx: &PageCtx,
    status: StatusCode,
    form: &InviteForm,
    errors: Value,
    result: Value,
) -> Response {
    let (roles, branches) = pickers(ctx).await;
    ctx.render_status(status, "staff_invite.html", context! {
        title => "Invite staff", form => form, errors => errors, roles => roles, branches => branches, result => result,
    })
}

pub async fn invite_form(ctx: PageCtx) -> Response {
    if !ctx.can("staff.invite") {
        return error_page(
            &ctx.state,
            &CoreError::forbidden(
                "you do not have the `staff.invite` permission; ask the studio owner if you need it",
            ),
        );
    }
    invite_page(
        &ctx,
        StatusCode::OK,
        &InviteForm::default(),
        context! {},
        Value::from(()),
    )
    .await
}

fn parse_opt<T: darkroom_domain::TypedId>(raw: &str, field: &str) -> Result<Option<T>, CoreError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    T::parse(raw.trim())
        .map(Some)
        .map_err(|e| CoreError::invalid(field, e.to_string()))
}

pub async fn invite(ctx: PageCtx, PageForm(f): PageForm<InviteForm>) -> Response {
    let input = (|| -> Result<NewInvitation, CoreError> {
        Ok(NewInvitation {
            email: crate::web::field(&f.email),
            name: crate::web::field(&f.name),
            role_id: parse_opt::<RoleId>(&f.role_id, "role_id")?
                .ok_or_else(|| CoreError::invalid("role_id", "choose a role"))?,
            branch_id: parse_opt::<BranchId>(&f.branch_id, "branch_id")?,
            time_zone: None,
        })
    })();
    let result = match input {
        Ok(i) => staff::invite(&ctx.state.core, &ctx.p, &ctx.meta, i).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(inv) => {
            invite_page(
                &ctx,
                StatusCode::CREATED,
                &InviteForm::default(),
                context! {},
                Value::from_serialize(&inv),
            )
            .await
        }
        Err(e) => match field_errors(&e) {
            Some(errs) => {
                invite_page(
                    &ctx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &f,
                    Value::from_serialize(&errs),
                    Value::from(()),
                )
                .await
            }
            None if matches!(e, CoreError::Conflict { .. } | CoreError::Forbidden { .. }) => {
                let errs = context! { email => e.to_string() };
                invite_page(&ctx, StatusCode::CONFLICT, &f, errs, Value::from(())).await
            }
            None => error_page(&ctx.state, &e),
        },
    }
}

async fn detail(ctx: &PageCtx, id: UserId, status: StatusCode, extra: Value) -> Response {
    let core = &ctx.state.core;
    let v = match staff::get(core, &ctx.p, id).await {
        Ok(v) => v,
        Err(e) => return error_page(&ctx.state, &e),
    };
    let (roles, branches) = pickers(ctx).await;
    let is_self = ctx.p.user == id;
    let target = darkroom_domain::authz::Target::user(id);
    let can = |perm| core.can(&ctx.p, perm, target);
    ctx.render_status(
        status,
        "staff_detail.html",
        minijinja::context! {
            title => v.name.clone(),
            s => v,
            is_self => is_self,
            can_edit => is_self || can(Permission::StaffEdit),
            can_suspend => !is_self && can(Permission::StaffSuspend),
            can_delete => !is_self && can(Permission::StaffDelete),
            can_invite => can(Permission::StaffInvite),
            can_manage_roles => !is_self && can(Permission::RoleManage),
            can_reset => !is_self && can(Permission::StaffEdit),
            roles => roles,
            branches => branches,
            permissions => access::permissions(),
            ..extra
        },
    )
}

pub async fn show(ctx: PageCtx, Path(id): Path<String>, q: Params) -> Response {
    match user_id(&id) {
        Ok(id) => {
            detail(
                &ctx,
                id,
                StatusCode::OK,
                context! { flash => flash_text(param(&q, "flash")), errors => context! {} },
            )
            .await
        }
        Err(e) => error_page(&ctx.state, &e),
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    version: i64,
    name: String,
    #[serde(default)]
    phone: String,
    time_zone: String,
}

pub async fn update(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<ProfileForm>,
) -> Response {
    let id = match user_id(&id) {
        Ok(i) => i,
        Err(e) => return error_page(&ctx.state, &e),
    };
    let patch = StaffPatch {
        version: f.version,
        name: Some(crate::web::field(&f.name)),
        phone: Some(crate::web::field(&f.phone)),
        time_zone: Some(crate::web::field(&f.time_zone)),
    };
    match staff::update(&ctx.state.core, &ctx.p, &ctx.meta, id, patch).await {
        Ok(_) => done(&format!("/staff/{id}"), "staff_saved"),
        Err(e) => match field_errors(&e) {
            Some(errs) => {
                detail(
                    &ctx,
                    id,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    context! { errors => errs },
                )
                .await
            }
            None => error_page(&ctx.state, &e),
        },
    }
}

/// Every action form on the staff page posts here; fields depend on the action.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    version: Option<i64>,
    role_id: Option<String>,
    branch_id: Option<String>,
    permission: Option<String>,
    /// `branch` (default) or `gallery`.
    resource_type: Option<String>,
    resource_id: Option<String>,
    expires_at: Option<String>,
}

pub async fn action(
    ctx: PageCtx,
    Path((id, action)): Path<(String, String)>,
    PageForm(f): PageForm<ActionForm>,
) -> Response {
    let id = match user_id(&id) {
        Ok(i) => i,
        Err(e) => return error_page(&ctx.state, &e),
    };
    let core = &ctx.state.core;
    // Unknown (or another studio's) people are a 404 whatever the form holds.
    if let Err(e) = staff::get(core, &ctx.p, id).await {
        return error_page(&ctx.state, &e);
    }
    let back = format!("/staff/{id}");
    let standing = |c| staff::set_standing(core, &ctx.p, &ctx.meta, id, f.version, c);
    let outcome: Result<Response, CoreError> = match action.as_str() {
        "suspend" => standing(Standing::Suspend).await.map(|_| done(&back, "suspended")),
        "reactivate" => standing(Standing::Reactivate).await.map(|_| done(&back, "reactivated")),
        "delete" => standing(Standing::Delete).await.map(|_| done("/staff", "staff_deleted")),
        "restore" => standing(Standing::Restore).await.map(|_| done(&back, "staff_restored")),
        "resend" => match staff::resend_invitation(core, &ctx.p, &ctx.meta, id).await {
            Ok(inv) => Ok(detail(&ctx, id, StatusCode::OK, context! { flash => flash_text(Some("resent")), invite => inv, errors => context! {} }).await),
            Err(e) => Err(e),
        },
        "reset-link" => match staff::reset_link(core, &ctx.p, &ctx.meta, id).await {
            Ok(link) => Ok(detail(&ctx, id, StatusCode::OK, context! { reset_link => link, errors => context! {} }).await),
            Err(e) => Err(e),
        },
        "roles" => {
            let input = (|| -> Result<NewAssignment, CoreError> {
                Ok(NewAssignment {
                    role_id: parse_opt::<RoleId>(f.role_id.as_deref().unwrap_or(""), "role_id")?.ok_or_else(|| CoreError::invalid("role_id", "choose a role"))?,
                    branch_id: parse_opt::<BranchId>(f.branch_id.as_deref().unwrap_or(""), "branch_id")?,
                })
            })();
            match input {
                Ok(i) => access::assign_role(core, &ctx.p, &ctx.meta, id, i).await.map(|_| done(&back, "role_assigned")),
                Err(e) => Err(e),
            }
        }
        "grants" => {
            let expires = match f.expires_at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                // A datetime-local field has no zone: read it in the viewer's zone.
                Some(s) => parse_local(s, &ctx.nav.zone).map(Some).map_err(|m| CoreError::invalid("expires_at", m)),
            };
            match expires {
                Ok(expires_at) => access::grant(core, &ctx.p, &ctx.meta, id, NewGrant {
                    permission: crate::web::field(f.permission.as_deref().unwrap_or_default()),
                    resource_type: crate::web::field(f.resource_type.as_deref().unwrap_or("branch")),
                    resource_id: access::GrantResource(f.resource_id.clone().unwrap_or_default()),
                    expires_at: expires_at.map(darkroom_domain::field::Future),
                })
                .await
                .map(|_| done(&back, "granted")),
                Err(e) => Err(e),
            }
        }
        _ => Err(CoreError::not_found("action")),
    };
    match outcome {
        Ok(r) => r,
        Err(e) => match field_errors(&e) {
            Some(errs) => {
                detail(
                    &ctx,
                    id,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    context! { errors => errs },
                )
                .await
            }
            None => error_page(&ctx.state, &e),
        },
    }
}

/// Reads `2026-11-30T18:00` in `zone` (what a datetime-local input sends).
fn parse_local(s: &str, zone: &str) -> Result<Timestamp, String> {
    if let Ok(t) = Timestamp::parse_rfc3339(s) {
        return Ok(t);
    }
    let civil: jiff_civil::DateTime = s
        .parse()
        .map_err(|_| format!("`{s}` is not a date and time; use the picker or 2026-11-30T18:00"))?;
    let tz = jiff_tz::TimeZone::get(zone).unwrap_or(jiff_tz::TimeZone::UTC);
    let ts = civil.to_zoned(tz).map_err(|e| e.to_string())?.timestamp();
    Ok(Timestamp::from_micros(ts.as_microsecond()))
}

use jiff::civil as jiff_civil;
use jiff::tz as jiff_tz;

pub async fn unassign(
    ctx: PageCtx,
    Path((id, a)): Path<(String, String)>,
    PageForm(_f): PageForm<std::collections::HashMap<String, String>>,
) -> Response {
    let parsed = user_id(&id).and_then(|u| {
        path_id::<AssignmentId>(&a)
            .map(|a| (u, a))
            .map_err(|_| CoreError::not_found("role assignment"))
    });
    match parsed {
        Ok((u, a)) => match access::unassign_role(&ctx.state.core, &ctx.p, &ctx.meta, u, a).await {
            Ok(()) => done(&format!("/staff/{u}"), "role_removed"),
            Err(e) => error_page(&ctx.state, &e),
        },
        Err(e) => error_page(&ctx.state, &e),
    }
}

pub async fn revoke_grant(
    ctx: PageCtx,
    Path((id, g)): Path<(String, String)>,
    PageForm(_f): PageForm<std::collections::HashMap<String, String>>,
) -> Response {
    let parsed = user_id(&id).and_then(|u| {
        path_id::<GrantId>(&g)
            .map(|g| (u, g))
            .map_err(|_| CoreError::not_found("grant"))
    });
    match parsed {
        Ok((u, g)) => match access::revoke_grant(&ctx.state.core, &ctx.p, &ctx.meta, u, g).await {
            Ok(()) => done(&format!("/staff/{u}"), "grant_revoked"),
            Err(e) => error_page(&ctx.state, &e),
        },
        Err(e) => error_page(&ctx.state, &e),
    }
}
