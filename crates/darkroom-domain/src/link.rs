//! What a client may do through a share link, decided in one place.
//!
//! Clients are not staff: they hold no roles. A link carries its own rights
//! (favourite, comment, request edits, a download level) and its own limits
//! (expiry, revocation, a download cap). Every client-facing route asks
//! [`decide`] with the link's current row and its gallery's state, read
//! fresh on each request, so revoking a link or archiving a gallery cuts
//! access on the very next request.

use crate::Timestamp;

/// How large a file a link may download.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DownloadLevel {
    None,
    /// The watermarked proofs.
    Proof,
    /// Clean 2048 px JPEGs for screens and social media.
    Web,
    /// The files as delivered (current version of each photo).
    Original,
}

impl DownloadLevel {
    pub const ALL: &'static [DownloadLevel] = &[Self::None, Self::Proof, Self::Web, Self::Original];

    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "none" => Ok(Self::None),
            "proof" => Ok(Self::Proof),
            "web" => Ok(Self::Web),
            "original" => Ok(Self::Original),
            _ => Err(format!(
                "`{s}` is not a download level; use none, proof, web or original"
            )),
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Proof => "proof",
            Self::Web => "web",
            Self::Original => "original",
        }
    }
}

/// The rights a link grants beyond viewing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkRights {
    pub favourite: bool,
    pub comment: bool,
    pub edits: bool,
    /// Clean (unwatermarked) previews: a delivery link rather than proofing.
    pub clean: bool,
}

impl LinkRights {
    pub const NAMES: &'static [&'static str] = &["favourite", "comment", "edits", "clean"];

    /// From the stored form: a comma-separated list of [`Self::NAMES`].
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut r = Self::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part {
                "favourite" => r.favourite = true,
                "comment" => r.comment = true,
                "edits" => r.edits = true,
                "clean" => r.clean = true,
                other => {
                    return Err(format!(
                        "`{other}` is not a link right; use favourite, comment, edits or clean"
                    ));
                }
            }
        }
        Ok(r)
    }

    pub fn encode(self) -> String {
        let mut v = Vec::new();
        if self.favourite {
            v.push("favourite");
        }
        if self.comment {
            v.push("comment");
        }
        if self.edits {
            v.push("edits");
        }
        if self.clean {
            v.push("clean");
        }
        v.join(",")
    }
}

/// A link as the decision needs it.
#[derive(Clone, Debug)]
pub struct LinkState {
    pub rights: LinkRights,
    pub download: DownloadLevel,
    pub expires_at: Option<Timestamp>,
    pub revoked: bool,
    /// The selection was submitted: marks are locked.
    pub submitted: bool,
    /// The gallery's status (`active`, `completed`, `archived`) and whether it was deleted.
    pub gallery_status: crate::names::GalleryStatus,
    pub gallery_deleted: bool,
    pub gallery_expires_at: Option<Timestamp>,
    /// The proofing deadline, if any.
    pub selection_deadline: Option<Timestamp>,
    /// A delivery link: final files only, with its own expiry and cap (the
    /// gallery's proofing expiry does not apply); no proofing actions.
    pub delivery: bool,
}

/// What a client asks to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkAction {
    View,
    Favourite,
    Rate,
    Comment,
    RequestEdit,
    /// Consent to the studio using a photo in its marketing.
    Consent,
    Submit,
    Download(DownloadLevel),
}

/// Why not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Denial {
    /// The link is revoked or expired, or its gallery archived, expired or
    /// deleted: the link answers like one that never existed.
    Gone,
    /// The link does not carry this right.
    NotAllowed(&'static str),
    /// The selection is locked (submitted, or the deadline passed).
    Locked(&'static str),
}

/// The decision. `Ok(())` means allowed.
pub fn decide(link: &LinkState, action: LinkAction, now: Timestamp) -> Result<(), Denial> {
    if link.revoked
        || link.gallery_deleted
        || link.gallery_status == crate::names::GalleryStatus::Archived
        || link.expires_at.is_some_and(|e| e <= now)
        || (!link.delivery && link.gallery_expires_at.is_some_and(|e| e <= now))
    {
        return Err(Denial::Gone);
    }
    if link.delivery && !matches!(action, LinkAction::View | LinkAction::Download(_)) {
        return Err(Denial::NotAllowed(
            "this is a delivery link: the photos are final; ask the studio for a proofing link to choose or comment",
        ));
    }
    let r = link.rights;
    let marks = |allowed: bool, what: &'static str| -> Result<(), Denial> {
        if !allowed {
            return Err(Denial::NotAllowed(what));
        }
        if link.submitted {
            return Err(Denial::Locked(
                "this selection was submitted and is locked; ask the studio to reopen it",
            ));
        }
        if link.selection_deadline.is_some_and(|d| d <= now) {
            return Err(Denial::Locked(
                "the deadline for choosing has passed; ask the studio to extend it",
            ));
        }
        Ok(())
    };
    match action {
        LinkAction::View => Ok(()),
        LinkAction::Favourite | LinkAction::Rate | LinkAction::Submit => {
            marks(r.favourite, "this link does not allow choosing favourites")
        }
        LinkAction::Consent => marks(r.favourite, "this link does not allow choosing photos"),
        LinkAction::Comment => {
            if r.comment {
                Ok(())
            } else {
                Err(Denial::NotAllowed("this link does not allow comments"))
            }
        }
        LinkAction::RequestEdit => marks(r.edits, "this link does not allow edit requests"),
        LinkAction::Download(level) => {
            if level == DownloadLevel::None || level > link.download {
                Err(Denial::NotAllowed(match link.download {
                    DownloadLevel::None => "this link does not allow downloads",
                    DownloadLevel::Proof => "this link allows downloading proofs only",
                    DownloadLevel::Web => "this link allows web-size downloads only",
                    DownloadLevel::Original => "this download size is not offered",
                }))
            } else {
                Ok(())
            }
        }
    }
}

/// The file a download through a link serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DownloadFile {
    /// The watermarked proof.
    Proof,
    /// The clean 2048 px preview.
    Preview,
    /// The file as delivered (the current version), clean.
    Original,
}

impl LinkState {
    /// Whether this link hands out clean (unwatermarked) files: a delivery
    /// link always does; a proofing link only with the `clean` right.
    pub fn clean_files(&self) -> bool {
        self.delivery || self.rights.clean
    }
}

/// What a download at `level` serves through `link`: without clean files
/// every size is the watermarked proof, so a proofing link can never leak
/// a clean photo whatever its download size says.
pub fn download_file(link: &LinkState, level: DownloadLevel) -> DownloadFile {
    if !link.clean_files() {
        return DownloadFile::Proof;
    }
    match level {
        DownloadLevel::Original => DownloadFile::Original,
        DownloadLevel::Web => DownloadFile::Preview,
        DownloadLevel::Proof | DownloadLevel::None => DownloadFile::Proof,
    }
}

/// When a browser session opened on a link now ends: after `ttl`, never
/// past the link's own expiry, and for a proofing link never past the
/// gallery's closing date (a delivery link has its own expiry only, so it
/// keeps working after proofing closes).
pub fn session_ends(link: &LinkState, now: Timestamp, ttl: std::time::Duration) -> Timestamp {
    let mut ends = now.plus(ttl);
    let gallery = link.gallery_expires_at.filter(|_| !link.delivery);
    for limit in [link.expires_at, gallery].into_iter().flatten() {
        ends = ends.min(limit);
    }
    ends
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_delivery_session_outlives_the_proofing_date_but_not_its_own_expiry() {
        let day = Duration::from_secs(86_400);
        let mut l = link();
        l.gallery_expires_at = Some(now().plus(Duration::from_secs(60)));
        assert_eq!(
            session_ends(&l, now(), day),
            now().plus(Duration::from_secs(60)),
            "a proofing session ends with the gallery"
        );
        l.delivery = true;
        assert_eq!(session_ends(&l, now(), day), now().plus(day));
        l.gallery_expires_at = Some(now().minus(day));
        assert_eq!(session_ends(&l, now(), day), now().plus(day));
        l.expires_at = Some(now().plus(Duration::from_secs(5)));
        assert_eq!(
            session_ends(&l, now(), day),
            now().plus(Duration::from_secs(5))
        );
    }

    fn now() -> Timestamp {
        Timestamp::from_micros(1_800_000_000_000_000)
    }

    fn link() -> LinkState {
        LinkState {
            rights: LinkRights::parse("favourite,comment,edits").unwrap(),
            download: DownloadLevel::Web,
            expires_at: None,
            revoked: false,
            submitted: false,
            gallery_status: crate::names::GalleryStatus::Active,
            gallery_deleted: false,
            gallery_expires_at: None,
            selection_deadline: None,
            delivery: false,
        }
    }

    #[test]
    fn a_proofing_link_without_clean_files_downloads_only_proofs() {
        let mut l = link();
        for level in DownloadLevel::ALL {
            assert_eq!(download_file(&l, *level), DownloadFile::Proof, "{level:?}");
        }
        l.rights.clean = true;
        assert_eq!(download_file(&l, DownloadLevel::Proof), DownloadFile::Proof);
        assert_eq!(download_file(&l, DownloadLevel::Web), DownloadFile::Preview);
        assert_eq!(
            download_file(&l, DownloadLevel::Original),
            DownloadFile::Original
        );
        let mut d = link();
        d.delivery = true;
        assert_eq!(download_file(&d, DownloadLevel::Web), DownloadFile::Preview);
        assert_eq!(
            download_file(&d, DownloadLevel::Original),
            DownloadFile::Original
        );
    }

    #[test]
    fn revoked_expired_archived_and_deleted_are_gone() {
        let mut l = link();
        assert_eq!(decide(&l, LinkAction::View, now()), Ok(()));
        l.revoked = true;
        assert_eq!(decide(&l, LinkAction::View, now()), Err(Denial::Gone));
        let mut l = link();
        l.expires_at = Some(now());
        assert_eq!(decide(&l, LinkAction::View, now()), Err(Denial::Gone));
        let mut l = link();
        l.gallery_status = crate::names::GalleryStatus::Archived;
        assert_eq!(decide(&l, LinkAction::View, now()), Err(Denial::Gone));
        let mut l = link();
        l.gallery_deleted = true;
        assert_eq!(decide(&l, LinkAction::View, now()), Err(Denial::Gone));
        let mut l = link();
        l.gallery_expires_at = Some(now().minus(Duration::from_secs(1)));
        assert_eq!(decide(&l, LinkAction::View, now()), Err(Denial::Gone));
        l.gallery_expires_at = Some(now().plus(Duration::from_secs(1)));
        assert_eq!(decide(&l, LinkAction::View, now()), Ok(()));
    }

    #[test]
    fn a_delivery_link_outlives_the_proofing_expiry_but_allows_no_proofing() {
        let mut l = link();
        l.delivery = true;
        l.download = DownloadLevel::Original;
        l.gallery_expires_at = Some(now().minus(Duration::from_secs(1)));
        assert_eq!(decide(&l, LinkAction::View, now()), Ok(()));
        assert!(decide(&l, LinkAction::Download(DownloadLevel::Original), now()).is_ok());
        for a in [
            LinkAction::Favourite,
            LinkAction::Comment,
            LinkAction::Submit,
        ] {
            assert!(matches!(decide(&l, a, now()), Err(Denial::NotAllowed(_))));
        }
        l.expires_at = Some(now());
        assert_eq!(decide(&l, LinkAction::View, now()), Err(Denial::Gone));
    }

    #[test]
    fn download_levels_are_ordered() {
        let l = link();
        assert!(decide(&l, LinkAction::Download(DownloadLevel::Proof), now()).is_ok());
        assert!(decide(&l, LinkAction::Download(DownloadLevel::Web), now()).is_ok());
        assert!(decide(&l, LinkAction::Download(DownloadLevel::Original), now()).is_err());
        assert!(decide(&l, LinkAction::Download(DownloadLevel::None), now()).is_err());
    }

    #[test]
    fn submission_and_deadline_lock_marks_but_not_viewing_or_comments() {
        let mut l = link();
        l.submitted = true;
        assert!(matches!(
            decide(&l, LinkAction::Favourite, now()),
            Err(Denial::Locked(_))
        ));
        assert!(decide(&l, LinkAction::Comment, now()).is_ok());
        assert!(decide(&l, LinkAction::View, now()).is_ok());
        let mut l = link();
        l.selection_deadline = Some(now());
        assert!(matches!(
            decide(&l, LinkAction::Submit, now()),
            Err(Denial::Locked(_))
        ));
    }

    #[test]
    fn rights_round_trip_and_reject_unknown_words() {
        let r = LinkRights::parse("edits, favourite").unwrap();
        assert_eq!(r.encode(), "favourite,edits");
        assert!(LinkRights::parse("admin").is_err());
        let none = LinkRights::parse("").unwrap();
        let mut l = link();
        l.rights = none;
        assert!(matches!(
            decide(&l, LinkAction::Favourite, now()),
            Err(Denial::NotAllowed(_))
        ));
    }
}
