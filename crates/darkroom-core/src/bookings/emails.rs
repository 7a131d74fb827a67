//! The emails the bookings context sends: the reminder before a session.

use crate::kernel::mail::Message;
use crate::kernel::mail::layout::{escape, wrap};
use crate::kernel::tenant::Branding;

/// What a reminder says about the session.
pub struct Session<'a> {
    pub title: &'a str,
    /// When, in the place's zone, as the studio writes dates.
    pub when: &'a str,
    pub place: Option<&'a str>,
    /// Who from the studio will be there.
    pub people: &'a [String],
}

pub fn session_reminder(studio: &str, name: &str, s: &Session<'_>, branding: &Branding) -> Message {
    let subject = format!("Reminder: {} on {}", s.title, s.when);
    let place = s.place.map(|p| format!("Where: {p}\n")).unwrap_or_default();
    let people = if s.people.is_empty() {
        String::new()
    } else {
        format!("With: {}\n", s.people.join(", "))
    };
    let text = format!(
        "Hello {name},\n\nThis is a reminder of \"{}\" with {studio}.\n\nWhen: {}\n{place}{people}\nSee you then.\n",
        s.title, s.when
    );
    let mut facts = format!("<p><strong>When:</strong> {}</p>", escape(s.when));
    if let Some(p) = s.place {
        facts.push_str(&format!("<p><strong>Where:</strong> {}</p>", escape(p)));
    }
    if !s.people.is_empty() {
        facts.push_str(&format!(
            "<p><strong>With:</strong> {}</p>",
            escape(&s.people.join(", "))
        ));
    }
    let html = wrap(
        studio,
        branding,
        &format!(
            "<p>Hello {},</p><p>This is a reminder of <strong>{}</strong> with {}.</p>{facts}<p>See you then.</p>",
            escape(name),
            escape(s.title),
            escape(studio)
        ),
    );
    Message {
        subject,
        text,
        html,
    }
}

/// A session booked online: when, and the private link to change it.
pub fn booking_confirmed(
    studio: &str,
    name: &str,
    what: &str,
    when: &str,
    manage: &str,
    branding: &Branding,
) -> Message {
    let subject = format!("Booked: {what} on {when}");
    let text = format!(
        "Hello {name},\n\nYour {what} with {studio} is booked for {when}. The attached invite adds it to your calendar.\n\nTo move or cancel it, use your private link:\n{manage}\n\nKeep this link to yourself: anyone who has it can change the booking.\n"
    );
    let html = wrap(
        studio,
        branding,
        &format!(
            "<p>Hello {},</p><p>Your <strong>{}</strong> with {} is booked for <strong>{}</strong>. The attached invite adds it to your calendar.</p>{}<p>Keep this link to yourself: anyone who has it can change the booking.</p>",
            escape(name),
            escape(what),
            escape(studio),
            escape(when),
            crate::kernel::mail::layout::button(manage, "Move or cancel", branding),
        ),
    );
    Message {
        subject,
        text,
        html,
    }
}

/// A booking request received (the session type asks the studio to confirm).
pub fn booking_requested(
    studio: &str,
    name: &str,
    what: &str,
    when: &str,
    manage: &str,
    branding: &Branding,
) -> Message {
    let subject = format!("Requested: {what} on {when}");
    let text = format!(
        "Hello {name},\n\nThank you: {studio} has your request for a {what} on {when}. The time is held for you while the studio confirms it; you will get an email either way.\n\nTo withdraw the request, use your private link:\n{manage}\n"
    );
    let html = wrap(
        studio,
        branding,
        &format!(
            "<p>Hello {},</p><p>Thank you: {} has your request for a <strong>{}</strong> on <strong>{}</strong>. The time is held for you while the studio confirms it; you will get an email either way.</p>{}",
            escape(name),
            escape(studio),
            escape(what),
            escape(when),
            crate::kernel::mail::layout::button(manage, "Withdraw the request", branding),
        ),
    );
    Message {
        subject,
        text,
        html,
    }
}

/// The studio confirmed a request: the invite is attached.
pub fn request_confirmed(
    studio: &str,
    name: &str,
    what: &str,
    when: &str,
    branding: &Branding,
) -> Message {
    let subject = format!("Confirmed: {what} on {when}");
    let text = format!(
        "Hello {name},\n\n{studio} confirmed your {what} on {when}. The attached invite adds it to your calendar. To move or cancel it, use the private link from the email of your request.\n"
    );
    let html = wrap(
        studio,
        branding,
        &format!(
            "<p>Hello {},</p><p>{} confirmed your <strong>{}</strong> on <strong>{}</strong>. The attached invite adds it to your calendar. To move or cancel it, use the private link from the email of your request.</p>",
            escape(name),
            escape(studio),
            escape(what),
            escape(when),
        ),
    );
    Message {
        subject,
        text,
        html,
    }
}

/// The studio declined a request, with its reason.
pub fn request_declined(
    studio: &str,
    name: &str,
    what: &str,
    when: &str,
    reason: Option<&str>,
    branding: &Branding,
) -> Message {
    let subject = format!("Not available: {what} on {when}");
    let why = reason
        .map(|r| format!(" Their note: {r}"))
        .unwrap_or_default();
    let text = format!(
        "Hello {name},\n\nSorry: {studio} cannot take your {what} on {when}.{why}\n\nPlease pick another time on their booking page, or reply to them.\n"
    );
    let html = wrap(
        studio,
        branding,
        &format!(
            "<p>Hello {},</p><p>Sorry: {} cannot take your <strong>{}</strong> on <strong>{}</strong>.{}</p><p>Please pick another time on their booking page, or reply to them.</p>",
            escape(name),
            escape(studio),
            escape(what),
            escape(when),
            escape(&why),
        ),
    );
    Message {
        subject,
        text,
        html,
    }
}
