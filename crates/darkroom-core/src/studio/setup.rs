//! First run: the one-time link that lets a person create a studio and its
//! owner account.

use darkroom_db::entity::{branch, login, membership, one_time_token, studio, user};
use darkroom_db::repo;
use darkroom_db::sea_orm::{ConnectionTrait, Set};
use darkroom_domain::audit::Severity;
use darkroom_domain::money::Currency;
use darkroom_domain::people::StaffStatus;
use darkroom_domain::permission::BuiltinRole;
use darkroom_domain::time::check_time_zone;
use darkroom_domain::validate::{self, FieldErrors};
use darkroom_domain::{AssignmentId, BranchId, StudioId, TypedId, UserId};
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::secret::{hash_token, new_token};
use crate::kernel::write;
use crate::studio::StudioSettings;
use crate::studio::auth::{self, NewSession};
use crate::{Core, Meta, kernel::password};

pub const SETUP_PURPOSE: &str = "studio_setup";

/// A fresh set-up link if the instance has no studio yet (older links stop working).
pub async fn first_run_link(core: &Core) -> CoreResult<Option<String>> {
    if repo::studio::count(core.db().conn()).await? > 0 {
        return Ok(None);
    }
    Ok(Some(new_studio_link(core).await?))
}

/// A one-time link to create another studio on this instance (operators).
pub async fn new_studio_link(core: &Core) -> CoreResult<String> {
    let now = core.now();
    let token = new_token("");
    let tx = core.db().begin().await?;
    repo::signin::revoke_one_time_for(&tx, SETUP_PURPOSE, None, None, now.as_micros()).await?;
    repo::signin::insert_one_time(
        &tx,
        one_time_token::Model {
            id: darkroom_domain::InvitationId::new().uuid(),
            purpose: SETUP_PURPOSE.into(),
            token_hash: hash_token(&token),
            studio_id: None,
            user_id: None,
            login_id: None,
            created_by: None,
            created_at: now.as_micros(),
            expires_at: now.plus(core.settings().setup_ttl).as_micros(),
            used_at: None,
            revoked_at: None,
        },
    )
    .await?;
    crate::commit(tx).await?;
    Ok(core.settings().link(&format!("/setup/{token}")))
}

pub async fn setup_token_usable(core: &Core, token: &str) -> CoreResult<bool> {
    Ok(repo::signin::find_one_time_usable(
        core.db().conn(),
        SETUP_PURPOSE,
        &hash_token(token),
        core.now().as_micros(),
    )
    .await?
    .is_some())
}

/// What the owner enters on the set-up page.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupInput {
    pub studio_name: String,
    /// ISO 4217, e.g. `INR`.
    pub currency: String,
    /// IANA, e.g. `Asia/Kolkata`.
    pub time_zone: String,
    /// BCP 47, e.g. `en-IN`.
    pub locale: String,
    pub owner_name: String,
    pub email: String,
    pub password: String,
}

/// A checked [`SetupInput`].
pub(crate) struct CheckedSetup {
    pub studio_name: String,
    pub currency: Currency,
    pub time_zone: String,
    pub locale: String,
    pub owner_name: String,
    pub email: String,
}

pub(crate) fn check(input: &SetupInput) -> CoreResult<CheckedSetup> {
    let mut errs = FieldErrors::new();
    let studio_name = errs.check(
        "studio_name",
        validate::text(&input.studio_name, "the studio name", 200),
    );
    let currency = errs.check("currency", Currency::parse(&input.currency));
    let time_zone = errs.check(
        "time_zone",
        check_time_zone(&input.time_zone).map(|_| input.time_zone.clone()),
    );
    let locale = errs.check("locale", validate::locale(&input.locale));
    let owner_name = errs.check(
        "owner_name",
        validate::text(&input.owner_name, "your name", 200),
    );
    let email = errs.check("email", validate::email(&input.email));
    if let Some(e) = &email {
        errs.check("password", validate::password(&input.password, e));
    }
    errs.into_result()?;
    match (studio_name, currency, time_zone, locale, owner_name, email) {
        (
            Some(studio_name),
            Some(currency),
            Some(time_zone),
            Some(locale),
            Some(owner_name),
            Some(email),
        ) => Ok(CheckedSetup {
            studio_name,
            currency,
            time_zone,
            locale,
            owner_name,
            email,
        }),
        _ => Err(CoreError::Internal(anyhow::anyhow!(
            "validated fields missing"
        ))),
    }
}

/// Creates a studio with its built-in roles, a first branch and its owner.
pub(crate) async fn create_studio(
    core: &Core,
    c: &impl ConnectionTrait,
    s: &CheckedSetup,
    owner: UserId,
    meta: &Meta,
) -> CoreResult<(StudioId, BranchId)> {
    let now = core.now().as_micros();
    let studio_id = StudioId::new();
    write::insert::<studio::Entity>(core, c, studio_id, &studio_id, studio_row(s)).await?;
    let roles = crate::studio::access::seed_roles(core, c, studio_id).await?;
    let branch_id = BranchId::new();
    write::insert::<branch::Entity>(core, c, studio_id, &branch_id, main_branch(s, branch_id))
        .await?;
    write::insert::<membership::Entity>(
        core,
        c,
        studio_id,
        &owner,
        membership::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            user_id: Set(owner.uuid()),
            kind: Set("staff".into()),
            name: Set(s.owner_name.clone()),
            phone: Set(None),
            time_zone: Set(s.time_zone.clone()),
            status: Set(StaffStatus::Active),
            invited_by: Set(None),
            ..Default::default()
        },
    )
    .await?;
    let owner_role = roles
        .iter()
        .find(|r| r.builtin_key.as_deref() == Some(BuiltinRole::Owner.key()))
        .ok_or_else(|| CoreError::Internal(anyhow::anyhow!("owner role missing")))?;
    repo::access::insert_assignment(
        c,
        darkroom_db::entity::role_assignment::Model {
            id: AssignmentId::new().uuid(),
            studio_id: studio_id.uuid(),
            user_id: owner.uuid(),
            role_id: owner_role.id,
            branch_id: None,
            created_by: None,
            created_at: now,
        },
    )
    .await?;
    audit::record(
        core,
        c,
        meta,
        Event {
            studio: Some(studio_id),
            branch: None,
            who: Who {
                user: Some(owner),
                label: format!("{} <{}>", s.owner_name, s.email),
            },
            event_type: "studio.created",
            severity: Severity::High,
            target_type: "studio",
            target_id: studio_id.to_string(),
            payload: serde_json::json!({ "name": s.studio_name, "currency": s.currency.code(),
            "time_zone": s.time_zone, "locale": s.locale, "owner": s.email }),
        },
    )
    .await?;
    Ok((studio_id, branch_id))
}

/// The new studio's row.
fn studio_row(s: &CheckedSetup) -> studio::ActiveModel {
    studio::ActiveModel {
        name: Set(s.studio_name.clone()),
        currency: Set(s.currency.code()),
        time_zone: Set(s.time_zone.clone()),
        locale: Set(s.locale.clone()),
        plan_tier: Set("standard".into()),
        storage_quota_bytes: Set(None),
        media_store: Set(None),
        settings: Set(StudioSettings::default().to_json()),
        ..Default::default()
    }
}

/// The studio's first branch, "Main", in the studio's zone and currency.
fn main_branch(s: &CheckedSetup, id: BranchId) -> branch::ActiveModel {
    branch::ActiveModel {
        id: Set(id.uuid()),
        name: Set("Main".into()),
        address: Set("{}".into()),
        tax_id_kind: Set(None),
        tax_id: Set(None),
        invoice_prefix: Set("INV-".into()),
        time_zone: Set(s.time_zone.clone()),
        currency: Set(s.currency.code()),
        phone: Set(None),
        email: Set(None),
        ..Default::default()
    }
}

/// The owner as the new studio knows them, bound to their sign-in: an
/// existing sign-in (the person owns or works at another studio here) must
/// prove its password; otherwise one is created with this password.
pub(crate) async fn owner_identity(
    core: &Core,
    c: &impl ConnectionTrait,
    email: &str,
    password_in: &str,
) -> CoreResult<UserId> {
    let now = core.now().as_micros();
    let login = match repo::person::find_login_by_email(c, email).await? {
        Some(l) => {
            if !password::verify(password_in.to_string(), l.password_hash.clone()).await? {
                return Err(CoreError::invalid(
                    "password",
                    "this email already has a Darkroom account here; enter that account's password",
                ));
            }
            l.id
        }
        None => {
            let id = uuid::Uuid::now_v7();
            repo::person::insert_login(
                c,
                login::Model {
                    id,
                    email: email.to_string(),
                    password_hash: Some(password::hash(password_in.to_string()).await?),
                    password_changed_at: Some(now),
                    version: 1,
                    created_at: now,
                    updated_at: now,
                },
            )
            .await?;
            id
        }
    };
    let id = UserId::new();
    repo::person::insert_user(
        c,
        user::Model {
            id: id.uuid(),
            email: email.to_string(),
            login_id: Some(login),
            version: 1,
            created_at: now,
            updated_at: now,
        },
    )
    .await?;
    Ok(id)
}

/// Uses a set-up link: creates the studio and its owner, and signs them in.
pub async fn complete(
    core: &Core,
    token: &str,
    input: SetupInput,
    meta: &Meta,
) -> CoreResult<NewSession> {
    let checked = check(&input)?;
    let tx = core.db().begin().await?;
    let t = repo::signin::find_one_time_usable(&tx, SETUP_PURPOSE, &hash_token(token), core.now().as_micros())
        .await?
        .ok_or_else(|| CoreError::Unauthenticated {
            message: "this set-up link is not valid any more; restart `darkroom serve` (or run `darkroom studio new-link`) for a fresh one".into(),
        })?;
    let owner = owner_identity(core, &tx, &checked.email, &input.password).await?;
    if !repo::signin::use_one_time(&tx, t.id, core.now().as_micros()).await? {
        return Err(CoreError::conflict(
            "link_used",
            "this set-up link was just used",
        ));
    }
    let (studio, _) = create_studio(core, &tx, &checked, owner, meta).await?;
    let session = auth::start_session(core, &tx, owner, studio, meta).await?;
    crate::commit(tx).await?;
    Ok(session)
}

/// Whether any studio exists yet (the first page sends people to set-up).
pub async fn has_studio(core: &Core) -> CoreResult<bool> {
    Ok(repo::studio::count(core.db().conn()).await? > 0)
}
