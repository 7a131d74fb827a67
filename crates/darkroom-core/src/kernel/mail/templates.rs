//! The emails Darkroom sends, as plain text and HTML.

use std::time::Duration;

use super::Message;
use crate::kernel::tenant::Branding;

/// Escapes text for HTML bodies and attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn human(d: Duration) -> String {
    let h = d.as_secs() / 3600;
    if h >= 48 {
        format!("{} days", h / 24)
    } else if h >= 1 {
        format!("{h} hour{}", if h == 1 { "" } else { "s" })
    } else {
        format!("{} minutes", d.as_secs() / 60)
    }
}

fn wrap(studio: &str, branding: &Branding, body_html: &str) -> String {
    let footer = branding
        .email_footer
        .as_deref()
        .map(|f| format!("<p style=\"color:#666;font-size:13px\">{}</p>", escape(f)))
        .unwrap_or_default();
    format!(
        "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;max-width:560px;margin:auto;padding:24px;color:#222\">\
         <h2 style=\"color:{accent}\">{studio}</h2>{body_html}{footer}</body></html>",
        accent = escape(&branding.accent_colour),
        studio = escape(branding.logo_text.as_deref().unwrap_or(studio)),
    )
}

fn button(link: &str, label: &str, branding: &Branding) -> String {
    format!(
        "<p><a href=\"{}\" style=\"display:inline-block;background:{};color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none\">{}</a></p>\
         <p style=\"font-size:13px;color:#666\">Or paste this link into your browser:<br>{}</p>",
        escape(link),
        escape(&branding.accent_colour),
        escape(label),
        escape(link)
    )
}

pub fn invitation(
    studio: &str,
    inviter: &str,
    name: &str,
    role: &str,
    link: &str,
    ttl: Duration,
    branding: &Branding,
) -> Message {
    let subject = format!("{inviter} invited you to {studio} on Darkroom");
    let text = format!(
        "Hello {name},\n\n{inviter} invited you to join {studio} as {role}.\n\nAccept the invitation and choose your password here:\n{link}\n\nThe link works once and expires in {}.\nIf you did not expect this, ignore this email.\n",
        human(ttl)
    );
    let html = wrap(
        studio,
        branding,
        &format!(
            "<p>Hello {},</p><p>{} invited you to join <strong>{}</strong> as {}.</p>{}<p>The link works once and expires in {}. If you did not expect this, ignore this email.</p>",
            escape(name),
            escape(inviter),
            escape(studio),
            escape(role),
            button(link, "Accept the invitation", branding),
            human(ttl)
        ),
    );
    Message {
        subject,
        text,
        html,
    }
}

pub fn password_reset(
    studio: &str,
    name: &str,
    link: &str,
    ttl: Duration,
    ip: &str,
    branding: &Branding,
) -> Message {
    let subject = "Reset your Darkroom password".to_string();
    let text = format!(
        "Hello {name},\n\nSomeone (from {ip}) asked to reset your password. To choose a new one, open:\n{link}\n\nThe link works once and expires in {}. If it was not you, ignore this email; your password stays as it is.\n",
        human(ttl)
    );
    let html = wrap(
        studio,
        branding,
        &format!(
            "<p>Hello {},</p><p>Someone (from {}) asked to reset your password.</p>{}<p>The link works once and expires in {}. If it was not you, ignore this email; your password stays as it is.</p>",
            escape(name),
            escape(ip),
            button(link, "Choose a new password", branding),
            human(ttl)
        ),
    );
    Message {
        subject,
        text,
        html,
    }
}

pub fn gallery_shared(
    studio: &str,
    name: &str,
    gallery: &str,
    link: &str,
    needs_code: bool,
    branding: &Branding,
) -> Message {
    let subject = format!("{studio} shared your photos: {gallery}");
    let code_line = if needs_code {
        "The studio will give you the access code separately.\n"
    } else {
        ""
    };
    let text = format!(
        "Hello {name},\n\n{studio} shared the gallery \"{gallery}\" with you. Open it here:\n{link}\n\n{code_line}Keep this link to yourself: anyone who has it can see the photos.\n"
    );
    let html = wrap(
        studio,
        branding,
        &format!(
            "<p>Hello {},</p><p>{} shared the gallery <strong>{}</strong> with you.</p>{}{}<p>Keep this link to yourself: anyone who has it can see the photos.</p>",
            escape(name),
            escape(studio),
            escape(gallery),
            button(link, "Open the gallery", branding),
            if needs_code {
                "<p>The studio will give you the access code separately.</p>"
            } else {
                ""
            },
        ),
    );
    Message {
        subject,
        text,
        html,
    }
}

pub fn selection_submitted(
    studio: &str,
    gallery: &str,
    who: &str,
    chosen: u64,
    extras: u64,
    branding: &Branding,
) -> Message {
    let subject = format!("{who} submitted their selection: {gallery}");
    let extra = if extras > 0 {
        format!(" ({extras} beyond the package, to bill as extras)")
    } else {
        String::new()
    };
    let text = format!(
        "{who} submitted their selection in \"{gallery}\": {chosen} photos{extra}.\nThe selection is locked; you can reopen it from the gallery's sharing panel.\n"
    );
    let html = wrap(
        studio,
        branding,
        &format!(
            "<p>{} submitted their selection in <strong>{}</strong>: {} photos{}.</p><p>The selection is locked; you can reopen it from the gallery's sharing panel.</p>",
            escape(who),
            escape(gallery),
            chosen,
            escape(&extra),
        ),
    );
    Message {
        subject,
        text,
        html,
    }
}

pub fn code_failures(
    studio: &str,
    gallery: &str,
    link: &str,
    failed: i64,
    ip: &str,
    branding: &Branding,
) -> Message {
    let subject = format!("Repeated wrong access codes on \"{gallery}\"");
    let text = format!(
        "The link \"{link}\" of the gallery \"{gallery}\" has had {failed} wrong access codes (the latest from {ip}).\nIf this is not your client, revoke the link and share a new one.\n"
    );
    let html = wrap(
        studio,
        branding,
        &format!(
            "<p>The link <strong>{}</strong> of the gallery <strong>{}</strong> has had {} wrong access codes (the latest from {}).</p><p>If this is not your client, revoke the link and share a new one.</p>",
            escape(link),
            escape(gallery),
            failed,
            escape(ip),
        ),
    );
    Message {
        subject,
        text,
        html,
    }
}

pub fn gallery_expiring(
    studio: &str,
    name: &str,
    gallery: &str,
    date: &str,
    branding: &Branding,
) -> Message {
    let subject = format!("Your gallery \"{gallery}\" closes on {date}");
    let text = format!(
        "Hello {name},\n\nThe gallery \"{gallery}\" from {studio} closes on {date} (UTC). Open it with the link you received before then to choose, comment on or download your photos.\n"
    );
    let html = wrap(
        studio,
        branding,
        &format!(
            "<p>Hello {},</p><p>The gallery <strong>{}</strong> from {} closes on <strong>{}</strong> (UTC).</p><p>Open it with the link you received before then to choose, comment on or download your photos.</p>",
            escape(name),
            escape(gallery),
            escape(studio),
            escape(date),
        ),
    );
    Message {
        subject,
        text,
        html,
    }
}

/// The final files are ready: a delivery link.
pub fn gallery_delivered(
    studio: &str,
    name: &str,
    gallery: &str,
    link: &str,
    needs_code: bool,
    until: Option<darkroom_domain::Timestamp>,
    branding: &Branding,
) -> Message {
    let subject = format!("Your photos are ready: {gallery}");
    let until_line = until
        .map(|t| format!("The link works until {} (UTC).", &t.to_string()[..10]))
        .unwrap_or_default();
    let code_line = if needs_code {
        "The studio will give you the access code separately."
    } else {
        ""
    };
    let text = format!(
        "Hello {name},\n\nThe final photos of \"{gallery}\" from {studio} are ready to download:\n{link}\n\n{until_line}\n{code_line}\nKeep this link to yourself: anyone who has it can download the photos.\n"
    );
    let html = wrap(
        studio,
        branding,
        &format!(
            "<p>Hello {},</p><p>The final photos of <strong>{}</strong> from {} are ready to download.</p>{}<p>{}</p><p>{}</p><p>Keep this link to yourself: anyone who has it can download the photos.</p>",
            escape(name),
            escape(gallery),
            escape(studio),
            button(link, "Download your photos", branding),
            escape(&until_line),
            code_line,
        ),
    );
    Message {
        subject,
        text,
        html,
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped() {
        let m = invitation(
            "A&B <Studio>",
            "Asha",
            "<script>",
            "Editor",
            "https://x/i/abc",
            Duration::from_secs(86400 * 7),
            &Branding::default(),
        );
        assert!(m.html.contains("A&amp;B &lt;Studio&gt;"));
        assert!(!m.html.contains("<script>"));
        assert!(m.text.contains("https://x/i/abc"));
        assert!(m.text.contains("7 days"));
    }
}
