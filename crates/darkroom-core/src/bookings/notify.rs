//! What a guest who booked online is told: the confirmation (with the
//! invite) or, for a request, that it was received; then, when staff answer
//! a request, that it is confirmed or declined and why.

use darkroom_db::entity::booking;
use darkroom_domain::booking::BookingStatus;
use darkroom_domain::{ClientId, StudioId, Timestamp, TypedId};

use super::public::{PublicType, ics_of};
use crate::Core;
use crate::kernel::error::CoreResult;
use crate::kernel::tenant;

/// The email a guest gets right after booking online: the confirmation
/// with the invite, or, for a request, word that the studio will confirm.
/// `guest` is their email, name and time zone.
pub(crate) async fn confirm(
    core: &Core,
    tx: &darkroom_db::Tx,
    m: &booking::Model,
    t: &PublicType,
    (email, name, zone): (&str, &str, &str),
    manage: &str,
) -> CoreResult<()> {
    let studio = StudioId::from_uuid(m.studio_id);
    let host = core
        .settings()
        .public_url
        .host_str()
        .unwrap_or("darkroom.local")
        .to_string();
    let when = Timestamp::from_micros(m.starts_at).date_time(zone, &t.header.locale);
    if m.status == BookingStatus::Tentative {
        let msg = super::emails::booking_requested(
            &t.header.shown_name(),
            name,
            &t.name,
            &when,
            manage,
            &t.header.branding,
        );
        crate::kernel::mail::queue(core, tx, Some(studio), "booking_requested", email, msg).await?;
        return Ok(());
    }
    let msg = super::emails::booking_confirmed(
        &t.header.shown_name(),
        name,
        &t.name,
        &when,
        manage,
        &t.header.branding,
    );
    let ics = ics_of(m, &t.header.shown_name(), &host, core.now());
    crate::kernel::mail::queue_with_calendar(
        core,
        tx,
        Some(studio),
        "booking_confirmed",
        email,
        msg,
        Some(ics),
    )
    .await?;
    Ok(())
}

/// Tells the guest who asked for a session that the studio confirmed it
/// (with the invite) or declined it (with its reason). Nothing is sent for
/// a booking staff made, or without an email on the client.
pub(crate) async fn answer_request(
    core: &Core,
    tx: &darkroom_db::Tx,
    m: &booking::Model,
    reason: Option<&str>,
) -> CoreResult<()> {
    let studio = StudioId::from_uuid(m.studio_id);
    let Some(client) = m.client_id else {
        return Ok(());
    };
    let card = crate::crm::interface::client_card(tx, studio, ClientId::from_uuid(client)).await?;
    let Some((name, Some(email))) = card.map(|c| (c.name, c.email)) else {
        return Ok(());
    };
    if tenant::smtp_for(core, Some(studio)).await?.is_none() {
        return Ok(());
    }
    let header = tenant::page_header(core, studio).await?;
    let when = Timestamp::from_micros(m.starts_at).date_time(&m.time_zone, &header.locale);
    let what = m
        .title
        .split(':')
        .next()
        .unwrap_or(&m.title)
        .trim()
        .to_string();
    let shown = header.shown_name();
    if m.status == BookingStatus::Cancelled {
        let msg =
            super::emails::request_declined(&shown, &name, &what, &when, reason, &header.branding);
        crate::kernel::mail::queue(core, tx, Some(studio), "booking_declined", &email, msg).await?;
        return Ok(());
    }
    let host = core
        .settings()
        .public_url
        .host_str()
        .unwrap_or("darkroom.local")
        .to_string();
    let msg = super::emails::request_confirmed(&shown, &name, &what, &when, &header.branding);
    let ics = ics_of(m, &shown, &host, core.now());
    crate::kernel::mail::queue_with_calendar(
        core,
        tx,
        Some(studio),
        "booking_confirmed",
        &email,
        msg,
        Some(ics),
    )
    .await?;
    Ok(())
}
