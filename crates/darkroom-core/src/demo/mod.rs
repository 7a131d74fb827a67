//! Demo data: fills an empty instance or studio with a realistic,
//! multi-branch studio so a newcomer sees a living system. Everything is made
//! through the same use cases people use, so it obeys the same rules and
//! leaves the same audit trail. Later features add their own demo data here.

use darkroom_db::repo;
use darkroom_domain::permission::BuiltinRole;
use darkroom_domain::{StudioId, TypedId, UserId};

use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::principal::{self, Principal, Via};
use crate::studio::setup::{self, SetupInput};
use crate::{Core, Meta};

mod billing;
mod bookings;
mod clients;
mod documents;
mod galleries;
mod people;
mod projects;

use galleries::{demo_galleries, share_demo_gallery};
use people::{demo_access, demo_branches, demo_staff};

/// What was created, for the command line to print.
#[derive(Clone, Debug)]
pub struct DemoReport {
    pub studio: StudioId,
    pub studio_name: String,
    /// The password of every demo staff account (and of the owner, if the demo created it).
    pub password: String,
    pub accounts: Vec<(String, String)>,
    /// Share links made for demo clients: (who, URL).
    pub shared: Vec<(String, String)>,
}

const DEMO_DOMAIN: &str = "demo.darkroom.test";

struct Person {
    name: &'static str,
    email: &'static str,
    role: BuiltinRole,
    branch: Option<usize>,
}

const PEOPLE: &[Person] = &[
    Person {
        name: "Vikram Shah",
        email: "vikram",
        role: BuiltinRole::Manager,
        branch: None,
    },
    Person {
        name: "Meera Iyer",
        email: "meera",
        role: BuiltinRole::Photographer,
        branch: Some(0),
    },
    Person {
        name: "Kabir Khan",
        email: "kabir",
        role: BuiltinRole::Photographer,
        branch: Some(1),
    },
    Person {
        name: "Park Ji-woo",
        email: "jiwoo",
        role: BuiltinRole::Editor,
        branch: None,
    },
    Person {
        name: "Rohan Das",
        email: "rohan",
        role: BuiltinRole::Assistant,
        branch: Some(0),
    },
    Person {
        name: "Fatima Sheikh",
        email: "fatima",
        role: BuiltinRole::Accountant,
        branch: None,
    },
];

async fn owner_of(core: &Core, studio: StudioId) -> CoreResult<Principal> {
    let owner_role =
        repo::access::find_builtin_role(core.db().conn(), studio, BuiltinRole::Owner.key())
            .await?
            .ok_or_else(|| CoreError::Internal(anyhow::anyhow!("studio has no owner role")))?;
    let owner = repo::access::assignments_of_studio(core.db().conn(), studio)
        .await?
        .into_iter()
        .find(|a| a.role_id == owner_role.id)
        .ok_or_else(|| CoreError::Internal(anyhow::anyhow!("studio has no owner")))?;
    principal::load(
        core.db().conn(),
        studio,
        UserId::from_uuid(owner.user_id),
        Via::System,
        None,
    )
    .await?
    .ok_or_else(|| CoreError::Internal(anyhow::anyhow!("owner account is not active")))
}

/// Fills the only studio (or creates one) with demo data. Refuses to touch a
/// studio that already has more than its first branch and owner.
pub async fn fill(core: &Core) -> CoreResult<DemoReport> {
    let meta = Meta {
        ip: "demo".into(),
        user_agent: None,
    };
    let demo_password = format!("demo-{}", &crate::kernel::secret::new_token("")[..12]);
    let (studio, created_owner) = demo_studio(core, &meta, &demo_password).await?;
    let owner = owner_of(core, studio).await?;
    let c = core.db().conn();
    let branches = repo::branch::list_names(c, studio).await?;
    let members = repo::access::assignments_of_studio(c, studio).await?;
    if branches.len() > 1 || members.len() > 1 {
        return Err(CoreError::conflict(
            "demo_refused",
            "this studio already has data (more than one branch or staff member); demo data only fills an empty studio",
        ));
    }
    let (first_id, _) = branches
        .first()
        .cloned()
        .ok_or_else(|| CoreError::Internal(anyhow::anyhow!("no branch")))?;
    let branch_ids = demo_branches(core, &owner, &meta, first_id).await?;
    let people = demo_staff(core, &owner, &meta, studio, branch_ids, &demo_password).await?;
    demo_access(core, &owner, &meta, studio, branch_ids, &people).await?;
    clients::demo_clients(core, &owner, &meta).await?;
    clients::demo_leads(core, &owner, &meta).await?;
    documents::demo_documents(core, &owner, &meta).await?;
    let first_gallery = demo_galleries(core, &owner, &meta, branch_ids).await?;
    bookings::demo_bookings(core, &owner, &meta, branch_ids, &people).await?;
    projects::demo_projects(core, &owner, &meta, people.get(1).copied()).await?;
    billing::demo_billing(core, &owner, &meta).await?;

    let mut accounts = Vec::new();
    if created_owner {
        accounts.push(("Owner".to_string(), format!("asha@{DEMO_DOMAIN}")));
    }
    for person in PEOPLE {
        accounts.push((
            person.role.display_name().to_string(),
            format!("{}@{DEMO_DOMAIN}", person.email),
        ));
    }
    let mut shared = Vec::new();
    if let Some(g) = first_gallery {
        shared.push(share_demo_gallery(core, &owner, &meta, g).await?);
    }

    let studio_name = crate::kernel::tenant::header(core, studio).await?.0;
    Ok(DemoReport {
        studio,
        studio_name,
        password: demo_password,
        accounts,
        shared,
    })
}

/// The studio the demo fills: a new one on an empty instance, or the only
/// one; and whether its owner was made here (with the demo password).
async fn demo_studio(
    core: &Core,
    meta: &Meta,
    demo_password: &str,
) -> CoreResult<(StudioId, bool)> {
    let studios = repo::studio::list_all(core.db().conn()).await?;
    let found = match studios.as_slice() {
        [] => {
            let input = SetupInput {
                studio_name: "Lumen & Loom Photography".into(),
                currency: "INR".into(),
                time_zone: "Asia/Kolkata".into(),
                locale: "en-IN".into(),
                owner_name: "Asha Rao".into(),
                email: format!("asha@{DEMO_DOMAIN}"),
                password: demo_password.to_string(),
            };
            let checked = setup::check(&input)?;
            let tx = core.db().begin().await?;
            let owner = setup::owner_identity(core, &tx, &checked.email, &input.password).await?;
            let (s, _) = setup::create_studio(core, &tx, &checked, owner, meta).await?;
            crate::commit(tx).await?;
            (s, true)
        }
        [one] => (StudioId::from_uuid(one.id), false),
        _ => {
            return Err(CoreError::conflict(
                "demo_refused",
                "this instance has several studios; demo data goes only into a fresh instance or its single empty studio",
            ));
        }
    };
    Ok(found)
}
