//! The emails the sharing context sends: a shared or delivered gallery,
//! its closing date, a submitted selection, wrong access codes.

use crate::kernel::mail::Message;
use crate::kernel::mail::layout::{button, escape, wrap};
use crate::kernel::tenant::Branding;

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

/// What a new link says, ready to paste into a chat or a text message: a
/// greeting, the link, the code (a general link's), and the date to choose
/// by or the date the link ends, in the studio's language (English, or
/// Korean for a `ko` locale) and its way of writing dates.
pub struct ReadyMessage<'a> {
    pub studio: &'a str,
    pub locale: &'a str,
    pub time_zone: &'a str,
    pub name: &'a str,
    pub gallery: &'a str,
    pub link: &'a str,
    pub code: Option<&'a str>,
    pub delivery: bool,
    /// Choose by (proofing) or available until (delivery).
    pub by: Option<darkroom_domain::Timestamp>,
}

impl ReadyMessage<'_> {
    pub fn text(&self) -> String {
        let date = self.by.map(|t| t.long_date(self.time_zone, self.locale));
        if self.locale.starts_with("ko") {
            let mut s = format!("{}님, 안녕하세요.\n", self.name);
            s.push_str(&if self.delivery {
                format!(
                    "{}에서 \"{}\" 최종 사진이 준비되었습니다. 아래 링크에서 내려받으세요.\n{}\n",
                    self.studio, self.gallery, self.link
                )
            } else {
                format!(
                    "{}에서 \"{}\" 갤러리를 보내드립니다. 마음에 드는 사진을 골라 주세요.\n{}\n",
                    self.studio, self.gallery, self.link
                )
            });
            if let Some(code) = self.code {
                s.push_str(&format!("접근 코드: {code}\n"));
            }
            if let Some(d) = date {
                s.push_str(&if self.delivery {
                    format!("{d}까지 내려받을 수 있습니다.\n")
                } else {
                    format!("{d}까지 선택해 주세요.\n")
                });
            }
            s.push_str(&format!("감사합니다.\n{}", self.studio));
            return s;
        }
        let mut s = format!("Hello {},\n", self.name);
        s.push_str(&if self.delivery {
            format!(
                "your final photos from \"{}\" are ready to download:\n{}\n",
                self.gallery, self.link
            )
        } else {
            format!(
                "your photos from \"{}\" are ready for you to choose your favourites:\n{}\n",
                self.gallery, self.link
            )
        });
        if let Some(code) = self.code {
            s.push_str(&format!("Access code: {code}\n"));
        }
        if let Some(d) = date {
            s.push_str(&if self.delivery {
                format!("The link works until {d}.\n")
            } else {
                format!("Please choose by {d}.\n")
            });
        }
        s.push_str(&format!("With thanks,\n{}", self.studio));
        s
    }
}
