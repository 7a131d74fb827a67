//! The emails the studio context sends: invitations and password resets.

use std::time::Duration;

use crate::kernel::mail::Message;
use crate::kernel::mail::layout::{button, escape, human, wrap};
use crate::kernel::tenant::Branding;

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
