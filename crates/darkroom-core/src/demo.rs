//! Demo data: fills an empty instance or studio with a realistic,
//! multi-branch studio so a newcomer sees a living system. Everything is made
//! through the same use cases people use, so it obeys the same rules and
//! leaves the same audit trail. Later features add their own demo data here.

use darkroom_db::entity::membership;
use darkroom_db::repo;
use darkroom_db::sea_orm::Set;
use darkroom_domain::permission::BuiltinRole;
use darkroom_domain::{BranchId, StudioId, TypedId, UserId};

use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::principal::{self, Principal, Via};
use crate::photos::photo::Destination;
use crate::studio::access::{self, NewAssignment, NewGrant, NewRole};
use crate::studio::branch::{self, AddressInput, BranchPatch, NewBranch};
use crate::studio::setup::{self, SetupInput};
use crate::studio::staff::{self, NewInvitation, Standing};
use crate::{Core, Meta, kernel::password};

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
        repo::access::find_builtin_role(core.db().conn(), studio.uuid(), BuiltinRole::Owner.key())
            .await?
            .ok_or_else(|| CoreError::Internal(anyhow::anyhow!("studio has no owner role")))?;
    let owner = repo::access::assignments_of_studio(core.db().conn(), studio.uuid())
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
    let studios = repo::studio::list_all(core.db().conn()).await?;
    let demo_password = format!("demo-{}", &crate::kernel::secret::new_token("")[..12]);
    let (studio, created_owner) = match studios.as_slice() {
        [] => {
            let input = SetupInput {
                studio_name: "Lumen & Loom Photography".into(),
                currency: "INR".into(),
                time_zone: "Asia/Kolkata".into(),
                locale: "en-IN".into(),
                owner_name: "Asha Rao".into(),
                email: format!("asha@{DEMO_DOMAIN}"),
                password: demo_password.clone(),
            };
            let checked = setup::check(&input)?;
            let tx = core.db().begin().await?;
            let owner = setup::owner_identity(core, &tx, &checked.email, &input.password).await?;
            let (s, _) = setup::create_studio(core, &tx, &checked, owner, &meta).await?;
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
    let owner = owner_of(core, studio).await?;
    let c = core.db().conn();
    let branches = repo::branch::list_names(c, studio.uuid()).await?;
    let members = repo::access::assignments_of_studio(c, studio.uuid()).await?;
    if branches.len() > 1 || members.len() > 1 {
        return Err(CoreError::conflict(
            "demo_refused",
            "this studio already has data (more than one branch or staff member); demo data only fills an empty studio",
        ));
    }

    // Branches: the first one becomes Bengaluru; add Mumbai and Seoul.
    let (first_id, _) = branches
        .first()
        .cloned()
        .ok_or_else(|| CoreError::Internal(anyhow::anyhow!("no branch")))?;
    let first = BranchId::from_uuid(first_id);
    let current = branch::get(core, &owner, first).await?;
    branch::update(
        core,
        &owner,
        &meta,
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
    let (mumbai, _) = branch::create(
        core,
        &owner,
        &meta,
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
        &owner,
        &meta,
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
    let branch_ids = [first, mumbai.id, seoul.id];

    // Staff in every role, active with the demo password.
    let roles = repo::access::list_roles(c, studio.uuid()).await?;
    let role_id = |r: BuiltinRole| {
        roles
            .iter()
            .find(|x| x.builtin_key.as_deref() == Some(r.key()))
            .map(|x| darkroom_domain::RoleId::from_uuid(x.id))
            .ok_or_else(|| CoreError::Internal(anyhow::anyhow!("missing role {}", r.key())))
    };
    let hash = password::hash(demo_password.clone()).await?;
    let mut accounts = Vec::new();
    if created_owner {
        accounts.push(("Owner".to_string(), format!("asha@{DEMO_DOMAIN}")));
    }
    let mut people = Vec::new();
    for person in PEOPLE {
        let email = format!("{}@{DEMO_DOMAIN}", person.email);
        let invited = staff::invite(
            core,
            &owner,
            &meta,
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
        let now = core.now().as_micros();
        let tx = core.db().begin().await?;
        let login = match repo::person::find_login_by_email(&tx, &email).await? {
            Some(l) => l.id,
            None => {
                let id = uuid::Uuid::now_v7();
                repo::person::insert_login(
                    &tx,
                    darkroom_db::entity::login::Model {
                        id,
                        email: email.clone(),
                        password_hash: Some(hash.clone()),
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
        repo::person::bind_login(&tx, user.uuid(), login, now).await?;
        let am = membership::ActiveModel {
            status: Set("active".into()),
            updated_at: Set(now),
            ..Default::default()
        };
        repo::person::update_membership_versioned(
            &tx,
            studio.uuid(),
            user.uuid(),
            invited.staff.version,
            am,
        )
        .await?;
        repo::signin::revoke_one_time_for(
            &tx,
            staff::INVITE_PURPOSE,
            Some(studio.uuid()),
            Some(user.uuid()),
            now,
        )
        .await?;
        crate::commit(tx).await?;
        accounts.push((person.role.display_name().to_string(), email));
        people.push(user);
    }

    // A studio-defined role, a branch-scoped extra role and an expiring grant.
    let (second_shooter, _) = access::create_role(
        core,
        &owner,
        &meta,
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
        &owner,
        &meta,
        people[2],
        NewAssignment {
            role_id: second_shooter.id,
            branch_id: Some(seoul.id),
        },
    )
    .await?;
    access::grant(
        core,
        &owner,
        &meta,
        people[1],
        NewGrant {
            permission: "branch.edit".into(),
            resource_type: "branch".into(),
            resource_id: access::GrantResource(mumbai.id.to_string()),
            expires_at: Some(darkroom_domain::field::Future(
                core.now().plus(std::time::Duration::from_secs(7 * 86_400)),
            )),
        },
    )
    .await?;

    // One invitation still pending, one colleague suspended.
    staff::invite(
        core,
        &owner,
        &meta,
        NewInvitation {
            email: format!("neha@{DEMO_DOMAIN}").into(),
            name: "Neha Kulkarni".into(),
            role_id: role_id(BuiltinRole::Photographer)?,
            branch_id: Some(mumbai.id),
            time_zone: None,
        },
    )
    .await?;
    staff::set_standing(core, &owner, &meta, people[4], None, Standing::Suspend).await?;

    // Galleries with photos (rendered by the workers), and a staging batch.
    let shoots: [(&str, BranchId, u32, (u32, u32)); 3] = [
        (
            "Priya & Arjun — wedding, Bengaluru",
            first,
            16,
            (1800, 1200),
        ),
        ("Kim Ji-woo — studio portraits", seoul.id, 8, (1200, 1800)),
        ("Mehta family — Diwali session", mumbai.id, 6, (1600, 1200)),
    ];
    let mut seed = 0;
    let mut first_gallery = None;
    for (name, branch_id, count, (w, h)) in shoots {
        let (g, _) = crate::photos::gallery::create(
            core,
            &owner,
            &meta,
            crate::photos::gallery::NewGallery {
                id: None,
                name: name.into(),
                branch_id,
            },
        )
        .await?;
        first_gallery.get_or_insert(g.clone());
        for _ in 0..count {
            seed += 1;
            demo_photo(
                core,
                &owner,
                Destination::Gallery(g.id),
                &format!("IMG_{:04}.JPG", 4000 + seed),
                w,
                h,
                seed,
            )
            .await?;
        }
    }
    let batch = darkroom_domain::BatchId::new();
    for i in 0..4 {
        seed += 1;
        demo_photo(
            core,
            &owner,
            Destination::Staging(batch),
            &format!("DSC{:05}.JPG", 12000 + i),
            1500,
            1000,
            seed,
        )
        .await?;
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

/// The wedding gallery shared with its couple: a client, proofing terms, a
/// link, and a client who has already chosen a few photos and asked for an
/// edit (so the sharing page has activity to show).
async fn share_demo_gallery(
    core: &Core,
    owner: &Principal,
    meta: &Meta,
    g: crate::photos::gallery::GalleryView,
) -> CoreResult<(String, String)> {
    let (client, _) = crate::crm::client::create(
        core,
        owner,
        meta,
        crate::crm::client::NewClient {
            name: "Priya Rao & Arjun Menon".into(),
            email: Some(format!("priya@{DEMO_DOMAIN}").into()),
            notes: Some("Prefers WhatsApp; album of 40 photos in the package.".into()),
            ..Default::default()
        },
    )
    .await?;
    let now = core.now();
    let g = crate::photos::gallery::set_terms(
        core,
        owner,
        meta,
        g.id,
        crate::photos::gallery::GalleryTerms {
            version: g.version,
            client_id: Some(client.id),
            expires_at: Some(now.plus(std::time::Duration::from_secs(60 * 86_400))),
            selection_limit: Some(darkroom_domain::field::Ranged(10)),
            selection_deadline: Some(now.plus(std::time::Duration::from_secs(14 * 86_400))),
            allow_extras: Some(true),
            download_limit: None,
        },
    )
    .await?;
    let created = crate::sharing::share::create_link(
        core,
        owner,
        meta,
        g.id,
        crate::sharing::share::NewLink {
            label: "Priya & Arjun".into(),
            rights: vec!["favourite".into(), "comment".into(), "edits".into()],
            download: Some("web".into()),
            ..Default::default()
        },
    )
    .await?;
    let token = created
        .url
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    if let crate::sharing::share::Opened::Session { link, token, .. } =
        crate::sharing::share::open(core, &token, meta).await?
    {
        let guest = crate::sharing::share::guest(core, link, &token).await?;
        // Chosen from the stored photos (the workers may still be rendering them).
        let photos = crate::photos::photo::list_in_gallery(
            core,
            owner,
            g.id,
            Default::default(),
            crate::kernel::listing::PhotoLimit::clamped(100),
        )
        .await?
        .items;
        for p in photos.iter().step_by(3).take(4) {
            crate::sharing::proofing::mark(
                core,
                &guest,
                p.id,
                crate::sharing::proofing::MarkInput {
                    favourite: Some(true),
                    rating: Some(5),
                    marketing: None,
                },
            )
            .await?;
        }
        if let Some(p) = photos.first() {
            crate::sharing::proofing::add_note(
                core,
                &guest,
                meta,
                p.id,
                crate::sharing::proofing::NoteInput {
                    kind: Some("edit_request".into()),
                    body: "Could you brighten our faces a little?".into(),
                },
            )
            .await?;
        }
    }
    arrange_demo_gallery(core, owner, meta, g.id).await?;
    Ok(("Priya & Arjun".into(), created.url))
}

/// Two sets splitting the wedding gallery, and the album the package includes.
async fn arrange_demo_gallery(
    core: &Core,
    owner: &Principal,
    meta: &Meta,
    g: darkroom_domain::GalleryId,
) -> CoreResult<()> {
    let photos = crate::photos::photo::list_in_gallery(
        core,
        owner,
        g,
        Default::default(),
        crate::kernel::listing::PhotoLimit::clamped(100),
    )
    .await?
    .items;
    let half = photos.len() / 2;
    for (name, part) in [
        ("Ceremony", &photos[..half]),
        ("Portraits", &photos[half..]),
    ] {
        if part.is_empty() {
            continue;
        }
        let (set, _) = crate::production::arrange::create_set(
            core,
            owner,
            meta,
            g,
            crate::production::arrange::NewSet {
                id: None,
                name: name.into(),
            },
        )
        .await?;
        crate::production::arrange::place_photos(
            core,
            owner,
            meta,
            g,
            crate::production::arrange::PlacePhotos {
                photo_ids: part.iter().map(|p| p.id).collect(),
                set_id: Some(set.id),
            },
        )
        .await?;
    }
    crate::production::delivery::create(
        core,
        owner,
        meta,
        g,
        crate::production::delivery::NewDeliverable {
            kind: "album".into(),
            description: "30x30 cm layflat album, 40 photos".into(),
            recipient: Some("Priya Rao & Arjun Menon".into()),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

/// One generated photo, ingested like an upload.
async fn demo_photo(
    core: &Core,
    p: &crate::Principal,
    dest: Destination,
    name: &str,
    w: u32,
    h: u32,
    seed: u32,
) -> CoreResult<()> {
    let bytes = core
        .cpu(move || darkroom_imaging::synthetic::landscape(w, h, seed))
        .await?
        .map_err(|e| CoreError::Internal(anyhow::anyhow!("demo photo: {e}")))?;
    let dir = &core.settings().media.uploads_dir;
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| CoreError::Internal(e.into()))?;
    let path = dir.join(format!("demo-{}.jpg", uuid::Uuid::now_v7().simple()));
    tokio::fs::write(&path, bytes)
        .await
        .map_err(|e| CoreError::Internal(e.into()))?;
    crate::photos::photo::ingest_file(core, p, dest, name, &path).await?;
    Ok(())
}
