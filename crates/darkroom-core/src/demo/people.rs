//! The demo studio's branches, staff, roles and grants.

use darkroom_db::entity::membership;
use darkroom_db::repo;
use darkroom_db::sea_orm::Set;
use darkroom_domain::people::StaffStatus;
use darkroom_domain::permission::BuiltinRole;
use darkroom_domain::{BranchId, LoginId, RoleId, StudioId, TypedId, UserId};

use super::{DEMO_DOMAIN, PEOPLE};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::principal::Principal;
use crate::studio::access::{self, NewAssignment, NewGrant, NewRole};
use crate::studio::branch::{self, AddressInput, BranchPatch, NewBranch};
use crate::studio::staff::{self, NewInvitation, Standing};
use crate::{Core, Meta, kernel::password};

/// The studio's first branch made into Bengaluru.
async fn bengaluru(core: &Core, owner: &Principal, meta: &Meta, first: BranchId) -> CoreResult<()> {
    let current = branch::get(core, owner, first).await?;
    branch::update(
        core,
        owner,
        meta,
        first,
        BranchPatch {
            version: current.version,
            name: Some("Bengaluru · Indiranagar".into()),
            address: Some(AddressInput {
                line1: "412, 12th Main Road".into(),
                line2: "HAL 2nd Stage, Indiranagar".into(),
                city: "Bengaluru".into(),
                region: "Karnataka".into(),
                postal_code: "560038".into(),
                country: "IN".into(),
            }),
            tax_id_kind: Some("gstin".into()),
            tax_id: Some("29AAPFU0939F1ZR".into()),
            invoice_prefix: Some("BLR-".into()),
            phone: Some("+91 80 4123 5678".into()),
            email: Some(format!("bengaluru@{DEMO_DOMAIN}").into()),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

/// Branches: the first one becomes Bengaluru; Mumbai and Seoul are added.
pub(super) async fn demo_branches(
    core: &Core,
    owner: &Principal,
    meta: &Meta,
    first_id: uuid::Uuid,
) -> CoreResult<[BranchId; 3]> {
    let first = BranchId::from_uuid(first_id);
    bengaluru(core, owner, meta, first).await?;
    let (mumbai, _) = branch::create(
        core,
        owner,
        meta,
        NewBranch {
            name: "Mumbai · Bandra West".into(),
            address: AddressInput {
                line1: "7 Chapel Road".into(),
                line2: "Bandra West".into(),
                city: "Mumbai".into(),
                region: "Maharashtra".into(),
                postal_code: "400050".into(),
                country: "IN".into(),
            },
            tax_id_kind: Some("gstin".into()),
            tax_id: Some("27AAPFU0939F1ZV".into()),
            invoice_prefix: Some("MUM-".into()),
            phone: Some("+91 22 2640 1122".into()),
            email: Some(format!("mumbai@{DEMO_DOMAIN}").into()),
            ..Default::default()
        },
    )
    .await?;
    let (seoul, _) = branch::create(
        core,
        owner,
        meta,
        NewBranch {
            name: "Seoul · Gangnam wedding studio".into(),
            address: AddressInput {
                line1: "14 Apgujeong-ro 60-gil".into(),
                city: "Seoul".into(),
                region: "Gangnam-gu".into(),
                postal_code: "06014".into(),
                country: "KR".into(),
                ..Default::default()
            },
            tax_id_kind: Some("brn".into()),
            tax_id: Some("211-87-45678".into()),
            invoice_prefix: Some("SEL-".into()),
            time_zone: Some("Asia/Seoul".into()),
            currency: Some("KRW".into()),
            phone: Some("+82 2 545 0101".into()),
            ..Default::default()
        },
    )
    .await?;
    Ok([first, mumbai.id, seoul.id])
}

/// Staff in every role, active with the demo password: the accounts to
/// print and the people, in the order of `PEOPLE`.
pub(super) async fn demo_staff(
    core: &Core,
    owner: &Principal,
    meta: &Meta,
    studio: StudioId,
    branch_ids: [BranchId; 3],
    demo_password: &str,
) -> CoreResult<Vec<UserId>> {
    let c = core.db().conn();
    let roles = repo::access::list_roles(c, studio).await?;
    let role_id = |r: BuiltinRole| {
        roles
            .iter()
            .find(|x| x.builtin_key.as_deref() == Some(r.key()))
            .map(|x| RoleId::from_uuid(x.id))
            .ok_or_else(|| CoreError::Internal(anyhow::anyhow!("missing role {}", r.key())))
    };
    let hash = password::hash(demo_password.to_string()).await?;
    let mut people = Vec::new();
    for person in PEOPLE {
        let email = format!("{}@{DEMO_DOMAIN}", person.email);
        let invited = staff::invite(
            core,
            owner,
            meta,
            NewInvitation {
                email: email.clone().into(),
                name: person.name.into(),
                role_id: role_id(person.role)?,
                branch_id: person.branch.map(|i| branch_ids[i]),
                time_zone: Some(
                    if person.role == BuiltinRole::Editor {
                        "Asia/Seoul"
                    } else {
                        "Asia/Kolkata"
                    }
                    .into(),
                ),
            },
        )
        .await?;
        let user = invited.staff.id;
        activate(core, studio, user, invited.staff.version, &email, &hash).await?;
        people.push(user);
    }

    Ok(people)
}

/// An invited colleague made active with the demo password, as if they had
/// accepted their invitation.
async fn activate(
    core: &Core,
    studio: StudioId,
    user: UserId,
    version: i64,
    email: &str,
    hash: &str,
) -> CoreResult<()> {
    let now = core.now().as_micros();
    let tx = core.db().begin().await?;
    let login = match repo::person::find_login_by_email(&tx, email).await? {
        Some(l) => l.id,
        None => {
            let id = uuid::Uuid::now_v7();
            repo::person::insert_login(
                &tx,
                darkroom_db::entity::login::Model {
                    id,
                    email: email.to_string(),
                    password_hash: Some(hash.to_string()),
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
    repo::person::bind_login(&tx, user, LoginId::from_uuid(login), now).await?;
    let am = membership::ActiveModel {
        status: Set(StaffStatus::Active),
        ..Default::default()
    };
    if crate::kernel::write::try_update::<membership::Entity>(
        core,
        &tx,
        studio,
        user.uuid(),
        version,
        am,
    )
    .await?
    .is_err()
    {
        return Err(CoreError::Internal(anyhow::anyhow!(
            "the demo's staff account changed under it"
        )));
    }
    repo::signin::revoke_one_time_for(
        &tx,
        staff::INVITE_PURPOSE,
        Some(studio.uuid()),
        Some(user.uuid()),
        now,
    )
    .await?;
    crate::commit(tx).await?;
    Ok(())
}

/// A studio-defined role, a branch-scoped extra role and an expiring grant;
/// one invitation still pending and one colleague suspended.
pub(super) async fn demo_access(
    core: &Core,
    owner: &Principal,
    meta: &Meta,
    studio: StudioId,
    [_, mumbai, seoul]: [BranchId; 3],
    people: &[UserId],
) -> CoreResult<()> {
    let roles = repo::access::list_roles(core.db().conn(), studio).await?;
    let role_id = |r: BuiltinRole| {
        roles
            .iter()
            .find(|x| x.builtin_key.as_deref() == Some(r.key()))
            .map(|x| RoleId::from_uuid(x.id))
            .ok_or_else(|| CoreError::Internal(anyhow::anyhow!("missing role {}", r.key())))
    };
    // A studio-defined role, a branch-scoped extra role and an expiring grant.
    let (second_shooter, _) = access::create_role(
        core,
        owner,
        meta,
        NewRole {
            id: None,
            name: "Second shooter".into(),
            description: "Freelancers who assist at weddings".into(),
            permissions: vec!["studio.view".into(), "branch.view".into()],
        },
    )
    .await?;
    access::assign_role(
        core,
        owner,
        meta,
        people[2],
        NewAssignment {
            role_id: second_shooter.id,
            branch_id: Some(seoul),
        },
    )
    .await?;
    access::grant(
        core,
        owner,
        meta,
        people[1],
        NewGrant {
            permission: "branch.edit".into(),
            resource_type: "branch".into(),
            resource_id: access::GrantResource(mumbai.to_string()),
            expires_at: Some(darkroom_domain::field::Future(
                core.now().plus(std::time::Duration::from_secs(7 * 86_400)),
            )),
        },
    )
    .await?;

    // One invitation still pending, one colleague suspended.
    staff::invite(
        core,
        owner,
        meta,
        NewInvitation {
            email: format!("neha@{DEMO_DOMAIN}").into(),
            name: "Neha Kulkarni".into(),
            role_id: role_id(BuiltinRole::Photographer)?,
            branch_id: Some(mumbai),
            time_zone: None,
        },
    )
    .await?;
    staff::set_standing(core, owner, meta, people[4], None, Standing::Suspend).await?;

    Ok(())
}
