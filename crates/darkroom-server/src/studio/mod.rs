//! The studio's part of the server: setting up and signing in, the studio's
//! profile and settings, branches, staff, roles and grants, accounts and
//! API tokens.

use axum::routing::{get, post};

use crate::context::{Context, Pages};

mod api {
    pub mod access;
    pub mod branch;
    pub mod me;
    pub mod staff;
    pub mod studio;
    pub mod token;
}
mod pages {
    pub mod account;
    pub mod branches;
    pub mod home;
    pub mod public;
    pub mod roles;
    pub mod settings;
    pub mod staff;
}

pub fn context() -> Context {
    Context {
        tags: &[
            ("studio", "The studio's profile and settings"),
            ("branches", "Where the studio works from"),
            ("staff", "Staff accounts and invitations"),
            ("access", "Roles, permissions, role assignments and grants"),
            ("tokens", "Personal API tokens"),
        ],
        api: |r| {
            let r = api::me::routes(r);
            let r = api::studio::routes(r);
            let r = api::branch::routes(r);
            let r = api::staff::routes(r);
            let r = api::access::routes(r);
            api::token::routes(r)
        },
        pages,
        templates: TEMPLATES,
        notices: NOTICES,
        ..Context::named("studio")
    }
}

fn pages() -> Pages {
    use pages::*;
    vec![
        ("/", get(home::root)),
        ("/setup", get(public::setup_help)),
        (
            "/setup/{token}",
            get(public::setup_form).post(public::setup_submit),
        ),
        (
            "/sign-in",
            get(public::sign_in_form).post(public::sign_in_submit),
        ),
        ("/sign-out", post(public::sign_out)),
        (
            "/password-reset",
            get(public::reset_request_form).post(public::reset_request_submit),
        ),
        (
            "/password-reset/{token}",
            get(public::reset_form).post(public::reset_submit),
        ),
        (
            "/invitations/{token}",
            get(public::invitation_form).post(public::invitation_submit),
        ),
        ("/dashboard", get(home::dashboard)),
        ("/design", get(home::design)),
        ("/branches", get(branches::list)),
        (
            "/branches/new",
            get(branches::new_form).post(branches::create),
        ),
        ("/branches/{branch_id}", get(branches::show)),
        (
            "/branches/{branch_id}/edit",
            get(branches::edit_form).post(branches::update),
        ),
        ("/branches/{branch_id}/delete", post(branches::delete)),
        ("/branches/{branch_id}/restore", post(branches::restore)),
        ("/staff", get(staff::list)),
        ("/staff/invite", get(staff::invite_form).post(staff::invite)),
        ("/staff/{user_id}", get(staff::show).post(staff::update)),
        ("/staff/{user_id}/{action}", post(staff::action)),
        (
            "/staff/{user_id}/roles/{assignment_id}/delete",
            post(staff::unassign),
        ),
        (
            "/staff/{user_id}/grants/{grant_id}/delete",
            post(staff::revoke_grant),
        ),
        ("/roles", get(roles::list)),
        ("/roles/new", get(roles::new_form).post(roles::create)),
        (
            "/roles/{role_id}",
            get(roles::edit_form).post(roles::update),
        ),
        ("/roles/{role_id}/delete", post(roles::delete)),
        ("/settings", get(settings::show).post(settings::update)),
        ("/settings/email", post(settings::update_email)),
        ("/settings/photos", post(settings::update_photos)),
        ("/settings/watermark", post(settings::upload_watermark)),
        (
            "/settings/watermark/delete",
            post(settings::remove_watermark),
        ),
        ("/account", get(account::show)),
        ("/account/profile", post(account::update_profile)),
        ("/account/password", post(account::change_password)),
        ("/account/tokens", post(account::create_token)),
        (
            "/account/tokens/{token_id}/revoke",
            post(account::revoke_token),
        ),
        ("/account/studio", post(account::switch_studio)),
    ]
}

const TEMPLATES: &[(&str, &str)] = &[
    ("setup.html", include_str!("templates/setup.html")),
    ("sign_in.html", include_str!("templates/sign_in.html")),
    (
        "reset_request.html",
        include_str!("templates/reset_request.html"),
    ),
    ("reset_form.html", include_str!("templates/reset_form.html")),
    ("invitation.html", include_str!("templates/invitation.html")),
    ("dashboard.html", include_str!("templates/dashboard.html")),
    ("design.html", include_str!("templates/design.html")),
    ("branches.html", include_str!("templates/branches.html")),
    (
        "branch_form.html",
        include_str!("templates/branch_form.html"),
    ),
    ("branch.html", include_str!("templates/branch.html")),
    ("staff.html", include_str!("templates/staff.html")),
    (
        "staff_invite.html",
        include_str!("templates/staff_invite.html"),
    ),
    (
        "staff_detail.html",
        include_str!("templates/staff_detail.html"),
    ),
    ("roles.html", include_str!("templates/roles.html")),
    ("role_form.html", include_str!("templates/role_form.html")),
    ("settings.html", include_str!("templates/settings.html")),
    ("account.html", include_str!("templates/account.html")),
];

const NOTICES: &[(&str, &str)] = &[
    ("branch_created", "Branch created."),
    ("branch_saved", "Branch saved."),
    (
        "branch_deleted",
        "Branch deleted. You can restore it from the deleted branches list.",
    ),
    ("branch_restored", "Branch restored."),
    ("invited", "Invitation created."),
    (
        "resent",
        "A fresh invitation was created; the old link no longer works.",
    ),
    ("staff_saved", "Profile saved."),
    (
        "suspended",
        "Account suspended. Their sessions ended and API tokens were revoked.",
    ),
    ("reactivated", "Account reactivated."),
    (
        "staff_deleted",
        "Account deleted. Their sessions ended and API tokens were revoked.",
    ),
    ("staff_restored", "Account restored."),
    ("role_assigned", "Role given."),
    ("role_removed", "Role removed."),
    ("granted", "Permission granted."),
    ("grant_revoked", "Grant revoked."),
    ("role_created", "Role created."),
    ("role_saved", "Role saved."),
    ("role_deleted", "Role deleted."),
    ("settings_saved", "Settings saved."),
    ("email_saved", "Email settings saved."),
    (
        "photos_saved",
        "Photo settings saved. Proofs are being rendered again.",
    ),
    (
        "watermark_saved",
        "Watermark image saved. Proofs are being rendered again.",
    ),
    (
        "watermark_removed",
        "Watermark image removed. Proofs are being rendered again.",
    ),
    (
        "password_changed",
        "Password changed. Your other sessions were signed out.",
    ),
    ("token_revoked", "Token revoked."),
    ("switched", "Switched studio."),
    ("welcome", "Welcome to Darkroom."),
    ("signed_out", "You are signed out."),
    (
        "password_reset",
        "Your password was changed. Sign in with it now.",
    ),
];
