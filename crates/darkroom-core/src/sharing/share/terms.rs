//! A new link's terms checked from the request (every mistake under its field), its row, and the email that brings it to its person.

use crate::Core;
use crate::kernel::error::CoreResult;
use darkroom_db::entity::{gallery, share_link};
use darkroom_domain::link::{DownloadLevel, LinkRights};
use darkroom_domain::names::{LinkKind, LinkPurpose};
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{ShareLinkId, StudioId, Timestamp, TypedId};

use super::*;

/// What a new link will be, checked: every mistake in the request is
/// collected, each under its field.
pub(super) struct LinkTerms {
    pub(super) kind: LinkKind,
    pub(super) purpose: LinkPurpose,
    pub(super) label: String,
    pub(super) email: Option<String>,
    pub(super) rights: LinkRights,
    pub(super) download: DownloadLevel,
    pub(super) download_limit: Option<i64>,
    pub(super) expires_at: Option<Timestamp>,
}

impl LinkTerms {
    /// The new link's row, without its secrets and author.
    pub(super) fn row(
        &self,
        id: ShareLinkId,
        studio: StudioId,
        gallery: uuid::Uuid,
        now: Timestamp,
    ) -> share_link::Model {
        share_link::Model {
            id: id.uuid(),
            studio_id: studio.uuid(),
            gallery_id: gallery,
            kind: self.kind,
            purpose: self.purpose,
            label: self.label.clone(),
            email: self.email.clone(),
            token_hash: String::new(),
            code_hash: None,
            rights: self.rights.encode(),
            download: self.download,
            download_limit: self.download_limit,
            downloads_used: 0,
            expires_at: self.expires_at.map(|t| t.as_micros()),
            revoked_at: None,
            submitted_at: None,
            failed_codes: 0,
            last_activity_at: None,
            created_by: None,
            version: 1,
            created_at: now.as_micros(),
            updated_at: now.as_micros(),
        }
    }

    pub(super) fn check(input: &NewLink, now: Timestamp) -> CoreResult<Self> {
        let mut errs = FieldErrors::new();
        let kind = match &input.kind {
            Some(k) => errs.check("kind", k.check()).unwrap_or(LinkKind::Person),
            None => LinkKind::Person,
        };
        let purpose = match &input.purpose {
            Some(k) => errs
                .check("purpose", k.check())
                .unwrap_or(LinkPurpose::Proofing),
            None => LinkPurpose::Proofing,
        };
        let delivery = purpose == LinkPurpose::Delivery;
        let label = errs.check(
            "label",
            input.label.check("the name or group the link is for"),
        );
        let email = match &input.email {
            None => None,
            Some(e) => errs.check("email", e.check()).flatten(),
        };
        let names: Vec<&str> = input.rights.iter().map(|r| r.as_str()).collect();
        let mut rights = match LinkRights::parse(&names.join(",")) {
            Ok(r) => r,
            Err(e) => {
                errs.add("rights", "invalid", e);
                LinkRights::default()
            }
        };
        if delivery {
            if rights.favourite || rights.comment || rights.edits {
                errs.add(
                    "rights",
                    "invalid",
                    "a delivery link carries no proofing rights; give only `clean`, or make a proofing link",
                );
            }
            rights = LinkRights {
                clean: true,
                ..LinkRights::default()
            };
        }
        let default_download = if delivery { "original" } else { "none" };
        let download = match DownloadLevel::parse(
            input
                .download
                .as_ref()
                .map_or(default_download, |d| d.as_str()),
        ) {
            Ok(d) => d,
            Err(e) => {
                errs.add("download", "invalid", e);
                DownloadLevel::None
            }
        };
        if delivery && download < DownloadLevel::Web {
            errs.add(
                "download",
                "invalid",
                "a delivery link is for downloading the final files: use web or original",
            );
        }
        let download_limit = input
            .download_limit
            .and_then(|n| errs.check("download_limit", n.check()));
        let expires_at = input
            .expires_at
            .and_then(|e| errs.check("expires_at", e.check(now)));
        errs.into_result()?;
        Ok(Self {
            kind,
            purpose,
            label: label.unwrap_or_default(),
            email,
            rights,
            download,
            download_limit,
            expires_at,
        })
    }
}

/// Whom a new link is emailed to, and what the email says of it.
pub(super) struct LinkInvite<'a> {
    pub(super) to: &'a str,
    pub(super) label: &'a str,
    pub(super) url: &'a str,
    pub(super) code: bool,
}

/// Queues the email that brings a new link to its person; the caller has
/// checked that the studio can send email
/// ([`crate::kernel::tenant::can_email`]).
pub(super) async fn email_link(
    core: &Core,
    tx: &darkroom_db::Tx,
    studio: StudioId,
    g: &gallery::Model,
    delivery: bool,
    expires_at: Option<Timestamp>,
    i: LinkInvite<'_>,
) -> CoreResult<()> {
    let (studio_name, branding) = crate::kernel::tenant::header(core, studio).await?;
    let (template, msg) = if delivery {
        let msg = crate::sharing::emails::gallery_delivered(
            &studio_name,
            i.label,
            &g.name,
            i.url,
            i.code,
            expires_at,
            &branding,
        );
        ("gallery_delivered", msg)
    } else {
        let msg = crate::sharing::emails::gallery_shared(
            &studio_name,
            i.label,
            &g.name,
            i.url,
            i.code,
            &branding,
        );
        ("gallery_shared", msg)
    };
    crate::kernel::mail::queue(core, tx, Some(studio), template, i.to, msg).await?;
    Ok(())
}
