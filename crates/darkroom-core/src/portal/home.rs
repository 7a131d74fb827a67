//! The portal's page: what a client sees of their own work with the
//! studio. Only what is theirs and meant for them (no internal notes, no
//! staff ids), read for the client the link was sent to.

use darkroom_domain::Timestamp;
use darkroom_domain::booking::BookingStatus;
use darkroom_domain::project::{ProjectKind, ProjectStatus};
use serde::Serialize;

use super::Visitor;
use crate::Core;
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::tenant;

/// A project as its client sees it.
#[derive(Clone, Debug, Serialize)]
pub struct PortalProject {
    pub number: String,
    pub name: String,
    pub kind: ProjectKind,
    pub status: ProjectStatus,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub start_time: Option<String>,
    pub time_zone: String,
    pub venue: Option<String>,
}

/// A session as its client sees it.
#[derive(Clone, Debug, Serialize)]
pub struct PortalSession {
    pub title: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub time_zone: String,
    pub location: Option<String>,
    pub status: BookingStatus,
}

/// A gallery as its client sees it here (it opens through its own link).
#[derive(Clone, Debug, Serialize)]
pub struct PortalGallery {
    pub name: String,
    pub photo_count: u64,
    pub expires_at: Option<Timestamp>,
}

/// A document as its client sees it: downloadable once on file.
#[derive(Clone, Debug, Serialize)]
pub struct PortalDocument {
    pub id: darkroom_domain::DocumentId,
    pub title: String,
    pub state: darkroom_domain::document::DocumentState,
    pub expires_on: Option<String>,
    pub has_file: bool,
    pub file_name: Option<String>,
}

/// Everything the portal page shows.
#[derive(Clone, Debug, Serialize)]
pub struct PortalHome {
    pub studio: String,
    pub client: String,
    /// The studio's zone, for times.
    pub time_zone: String,
    pub locale: String,
    pub projects: Vec<PortalProject>,
    /// Upcoming ones, and those of the last 90 days.
    pub sessions: Vec<PortalSession>,
    pub galleries: Vec<PortalGallery>,
    pub documents: Vec<PortalDocument>,
    /// Their invoices, what they owe and their credit.
    pub account: crate::billing::interface::ClientAccount,
    /// Their contracts (sent ones).
    pub contracts: Vec<crate::billing::interface::ClientContract>,
}

pub async fn home(core: &Core, v: &Visitor) -> CoreResult<PortalHome> {
    let c = core.db().conn();
    let card = crate::crm::interface::client_card(c, v.studio, v.client)
        .await?
        .ok_or(CoreError::not_found("portal link"))?;
    let header = tenant::page_header(core, v.studio).await?;
    let projects = crate::projects::interface::of_client_for_client(c, v.studio, v.client)
        .await?
        .into_iter()
        .filter(|p| p.status != ProjectStatus::Archived)
        .map(|p| PortalProject {
            number: p.number,
            name: p.name,
            kind: p.kind,
            status: p.status,
            starts_on: p.starts_on,
            ends_on: p.ends_on,
            start_time: p.start_time,
            time_zone: p.time_zone,
            venue: p.venue,
        })
        .collect();
    let since = core
        .now()
        .minus(std::time::Duration::from_secs(90 * 86_400));
    let sessions = crate::bookings::interface::sessions_of_client(c, v.studio, v.client, since)
        .await?
        .into_iter()
        .map(|b| PortalSession {
            title: b.title,
            starts_at: Timestamp::from_micros(b.starts_at),
            ends_at: Timestamp::from_micros(b.ends_at),
            time_zone: b.time_zone,
            location: b.location,
            status: b.status,
        })
        .collect();
    let galleries = crate::photos::interface::galleries_of_client(c, v.studio, v.client)
        .await?
        .into_iter()
        .map(|g| PortalGallery {
            name: g.name,
            photo_count: g.photo_count,
            expires_at: g.expires_at,
        })
        .collect();
    let documents = crate::crm::interface::documents_for_client(core, v.studio, v.client)
        .await?
        .into_iter()
        .map(|d| PortalDocument {
            id: d.id,
            title: d.title,
            state: d.state,
            expires_on: d.expires_on,
            has_file: d.file.is_some(),
            file_name: d.file.map(|f| f.name),
        })
        .collect();
    let account = crate::billing::interface::client_account(core, v.studio, v.client).await?;
    let contracts = crate::billing::interface::client_contracts(core, v.studio, v.client).await?;
    Ok(PortalHome {
        account,
        contracts,
        studio: header.shown_name(),
        client: card.name,
        time_zone: header.time_zone,
        locale: header.locale,
        projects,
        sessions,
        galleries,
        documents,
    })
}
