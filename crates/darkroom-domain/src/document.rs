//! A client's documents (seed 000's organisation documents): certificates
//! of insurance, tax forms, contracts, terms, branding. What kind a file is
//! is decided from its bytes, never from the name it came with; where a
//! document stands is decided from its file and its expiry day.

use crate::named_enum;

named_enum!(
    /// What a client's document is.
    DocumentKind, "document kind" {
        /// A certificate of insurance (venues and corporate clients ask for it).
        Insurance => "insurance",
        /// A US W-9 (or another tax form).
        W9 => "w9",
        Contract => "contract",
        Terms => "terms",
        /// Logos and brand guides for corporate work.
        Branding => "branding",
        /// A model or property release.
        Release => "release",
        Other => "other",
    }
);

named_enum!(
    /// Where a document stands today.
    DocumentState, "document state" {
        /// Asked for, and no file yet.
        Missing => "missing",
        /// Its last valid day has passed.
        Expired => "expired",
        /// It runs out within [`EXPIRING_DAYS`] days.
        Expiring => "expiring",
        /// On file and valid.
        OnFile => "on_file",
    }
);

/// A document is "expiring" this many days before its last valid day.
pub const EXPIRING_DAYS: i64 = 30;

/// Reminders go out this many days before the last valid day, each once.
pub const REMIND_DAYS: [i64; 2] = [30, 7];

impl DocumentState {
    /// Where a document stands on `today` (days as `YYYY-MM-DD`), given
    /// whether it has a file and its last valid day.
    pub fn of(has_file: bool, expires: Option<&str>, today: &str) -> Self {
        let Some(last) = expires.and_then(crate::field::day_of) else {
            return if has_file {
                Self::OnFile
            } else {
                Self::Missing
            };
        };
        if !has_file {
            return Self::Missing;
        }
        match crate::field::day_of(today) {
            Some(t) if last < t => Self::Expired,
            Some(t) if days_between(t, last) <= EXPIRING_DAYS => Self::Expiring,
            _ => Self::OnFile,
        }
    }
}

/// Whole days from `a` to `b` (negative when `b` is earlier).
pub fn days_between(a: jiff::civil::Date, b: jiff::civil::Date) -> i64 {
    a.until((jiff::Unit::Day, b))
        .map(|s| i64::from(s.get_days()))
        .unwrap_or(0)
}

/// The reminder due on `today` for a document valid through `expires`:
/// the closest of [`REMIND_DAYS`] it has reached, as `(days, key)` where
/// the key names the expiry and the step, so each is sent once and a new
/// expiry day starts again.
pub fn reminder_due(expires: &str, today: &str) -> Option<(i64, String)> {
    let last = crate::field::day_of(expires)?;
    let t = crate::field::day_of(today)?;
    let left = days_between(t, last);
    if left < 0 {
        return None;
    }
    let step = REMIND_DAYS.iter().copied().filter(|d| left <= *d).min()?;
    Some((left, format!("{expires}/{step}")))
}

/// A file a client document may hold: the media type, from the bytes.
/// PDFs, JPEG, PNG, WebP, HEIC and the Office/OpenDocument formats are
/// taken; anything else (HTML, scripts, executables) is refused, since a
/// document is shown to staff and to clients.
pub fn sniff(head: &[u8], name: &str) -> Result<&'static str, String> {
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    if head.starts_with(b"%PDF-") {
        return Ok("application/pdf");
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok("image/jpeg");
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok("image/png");
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Ok("image/webp");
    }
    if head.len() >= 12
        && &head[4..8] == b"ftyp"
        && matches!(&head[8..12], b"heic" | b"heix" | b"mif1")
    {
        return Ok("image/heic");
    }
    if head.starts_with(b"PK\x03\x04") {
        return match ext {
            "docx" => Ok("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            "xlsx" => Ok("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            "pptx" => {
                Ok("application/vnd.openxmlformats-officedocument.presentationml.presentation")
            }
            "odt" => Ok("application/vnd.oasis.opendocument.text"),
            "ods" => Ok("application/vnd.oasis.opendocument.spreadsheet"),
            "zip" => Ok("application/zip"),
            _ => Err(format!(
                "`{name}` is a ZIP archive; documents are taken as PDF, JPEG, PNG, WebP, HEIC, DOCX, XLSX, PPTX, ODT, ODS or ZIP (name a ZIP file `.zip`)"
            )),
        };
    }
    Err(format!(
        "`{name}` is not a kind of file a document may be; upload a PDF, JPEG, PNG, WebP, HEIC, DOCX, XLSX, PPTX, ODT, ODS or ZIP (a scan saved as PDF is best)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_follow_the_file_and_the_day() {
        use DocumentState as S;
        let today = "2027-03-10";
        assert_eq!(S::of(false, None, today), S::Missing);
        assert_eq!(S::of(false, Some("2026-01-01"), today), S::Missing);
        assert_eq!(S::of(true, None, today), S::OnFile);
        assert_eq!(S::of(true, Some("2027-03-09"), today), S::Expired);
        assert_eq!(S::of(true, Some("2027-03-10"), today), S::Expiring);
        assert_eq!(S::of(true, Some("2027-04-09"), today), S::Expiring);
        assert_eq!(S::of(true, Some("2027-04-10"), today), S::OnFile);
    }

    #[test]
    fn reminders_come_thirty_and_seven_days_before_each_once() {
        assert_eq!(reminder_due("2027-04-30", "2027-03-10"), None);
        assert_eq!(
            reminder_due("2027-04-09", "2027-03-10"),
            Some((30, "2027-04-09/30".into()))
        );
        assert_eq!(
            reminder_due("2027-03-20", "2027-03-10"),
            Some((10, "2027-03-20/30".into()))
        );
        assert_eq!(
            reminder_due("2027-03-17", "2027-03-10"),
            Some((7, "2027-03-17/7".into()))
        );
        assert_eq!(
            reminder_due("2027-03-10", "2027-03-10"),
            Some((0, "2027-03-10/7".into()))
        );
        assert_eq!(reminder_due("2027-03-09", "2027-03-10"), None);
        assert_eq!(reminder_due("not a day", "2027-03-10"), None);
    }

    #[test]
    fn files_are_known_by_their_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n", "coi.pdf"), Ok("application/pdf"));
        assert_eq!(sniff(b"%PDF-1.4", "renamed.txt"), Ok("application/pdf"));
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE1], "scan.jpg"),
            Ok("image/jpeg")
        );
        assert!(sniff(b"<html><script>", "coi.pdf").is_err());
        assert!(sniff(b"MZ\x90\x00", "w9.pdf").is_err());
        assert!(
            sniff(b"PK\x03\x04", "terms.docx")
                .unwrap()
                .contains("wordprocessingml")
        );
        let e = sniff(b"PK\x03\x04", "setup.jar").unwrap_err();
        assert!(e.contains("setup.jar"), "{e}");
    }
}
