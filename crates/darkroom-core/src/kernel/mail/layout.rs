//! What every email shares: the studio's header and colours, buttons,
//! escaping. Each context writes its own emails with these.

use std::time::Duration;

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

pub(crate) fn human(d: Duration) -> String {
    let h = d.as_secs() / 3600;
    if h >= 48 {
        format!("{} days", h / 24)
    } else if h >= 1 {
        format!("{h} hour{}", if h == 1 { "" } else { "s" })
    } else {
        format!("{} minutes", d.as_secs() / 60)
    }
}

pub(crate) fn wrap(studio: &str, branding: &Branding, body_html: &str) -> String {
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

pub(crate) fn button(link: &str, label: &str, branding: &Branding) -> String {
    format!(
        "<p><a href=\"{}\" style=\"display:inline-block;background:{};color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none\">{}</a></p>\
         <p style=\"font-size:13px;color:#666\">Or paste this link into your browser:<br>{}</p>",
        escape(link),
        escape(&branding.accent_colour),
        escape(label),
        escape(link)
    )
}
