//! The demo studio's galleries and photos, and the wedding gallery shared
//! with its couple.

use darkroom_domain::BranchId;

use super::DEMO_DOMAIN;
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::principal::Principal;
use crate::photos::photo::Destination;
use crate::{Core, Meta};

/// Galleries with photos (rendered by the workers) and a staging batch; the
/// first gallery is returned to be shared.
pub(super) async fn demo_galleries(
    core: &Core,
    owner: &Principal,
    meta: &Meta,
    [first, mumbai, seoul]: [BranchId; 3],
) -> CoreResult<Option<crate::photos::gallery::GalleryView>> {
    let shoots: [(&str, BranchId, u32, (u32, u32)); 3] = [
        (
            "Priya & Arjun — wedding, Bengaluru",
            first,
            16,
            (1800, 1200),
        ),
        ("Kim Ji-woo — studio portraits", seoul, 8, (1200, 1800)),
        ("Mehta family — Diwali session", mumbai, 6, (1600, 1200)),
    ];
    let mut seed = 0;
    let mut first_gallery = None;
    for (name, branch_id, count, (w, h)) in shoots {
        let (g, _) = crate::photos::gallery::create(
            core,
            owner,
            meta,
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
                owner,
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
            owner,
            Destination::Staging(batch),
            &format!("DSC{:05}.JPG", 12000 + i),
            1500,
            1000,
            seed,
        )
        .await?;
    }
    Ok(first_gallery)
}

/// The wedding gallery shared with its couple: a client, proofing terms, a
/// link, and a client who has already chosen a few photos and asked for an
/// edit (so the sharing page has activity to show).
pub(super) async fn share_demo_gallery(
    core: &Core,
    owner: &Principal,
    meta: &Meta,
    g: crate::photos::gallery::GalleryView,
) -> CoreResult<(String, String)> {
    let (client, _) = crate::crm::client::create(
        core,
        owner,
        meta,
        crate::crm::client::ClientInput {
            kind: Some(darkroom_domain::names::ClientKind::Couple.into()),
            name: Some("Priya Rao".into()),
            partner_name: Some("Arjun Menon".into()),
            email: Some(format!("priya@{DEMO_DOMAIN}").into()),
            tags: Some(vec!["wedding".into()]),
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
    choose_as_the_couple(core, owner, meta, g.id, &token).await?;
    arrange_demo_gallery(core, owner, meta, g.id).await?;
    Ok(("Priya & Arjun".into(), created.url))
}

/// Opens the link as the couple would and hearts, rates and asks for an edit.
async fn choose_as_the_couple(
    core: &Core,
    owner: &Principal,
    meta: &Meta,
    gallery: darkroom_domain::GalleryId,
    token: &str,
) -> CoreResult<()> {
    if let crate::sharing::share::Opened::Session { link, token, .. } =
        crate::sharing::share::open(core, token, meta).await?
    {
        let guest = crate::sharing::share::guest(core, link, &token).await?;
        // Chosen from the stored photos (the workers may still be rendering them).
        let photos = crate::photos::photo::list_in_gallery(
            core,
            owner,
            gallery,
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
    Ok(())
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
