//! The emails production sends: a deliverable's progress.

use crate::kernel::mail::Message;
use crate::kernel::mail::layout::{escape, wrap};
use crate::kernel::tenant::Branding;

/// A physical deliverable is ready, shipped or delivered.
pub fn deliverable_update(
    studio: &str,
    name: &str,
    what: &str,
    status: &str,
    carrier: Option<&str>,
    tracking: Option<&str>,
    branding: &Branding,
) -> Message {
    let (subject, line) = match status {
        "ready" => (
            format!("Your {what} is ready"),
            format!("Your {what} from {studio} is ready."),
        ),
        "shipped" => (
            format!("Your {what} is on its way"),
            format!("Your {what} from {studio} has been sent."),
        ),
        _ => (
            format!("Your {what} was delivered"),
            format!("Your {what} from {studio} was delivered. We hope you love it."),
        ),
    };
    let track = match (carrier, tracking) {
        (Some(c), Some(t)) => format!("Carrier: {c}. Tracking number: {t}."),
        (Some(c), None) => format!("Carrier: {c}."),
        (None, Some(t)) => format!("Tracking number: {t}."),
        (None, None) => String::new(),
    };
    let text = format!("Hello {name},\n\n{line}\n{track}\n");
    let html = wrap(
        studio,
        branding,
        &format!(
            "<p>Hello {},</p><p>{}</p><p>{}</p>",
            escape(name),
            escape(&line),
            escape(&track)
        ),
    );
    Message {
        subject,
        text,
        html,
    }
}
