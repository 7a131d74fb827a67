//! Client relations: the rules of a client's tags.
//!
//! A tag is a short label a studio gives its clients (`wedding`,
//! `corporate`, `repeat client`, `⭐ vip`). Tags are compared without regard
//! to case or spacing: they are kept trimmed, with inner white space
//! collapsed to one space, in lower case. A tag is up to [`MAX_TAG_CHARS`]
//! characters as sent, with no control characters and no `|` or `,` (a
//! comma separates tags where they are typed as one line); a client has at
//! most [`MAX_TAGS`].

use serde::{Deserialize, Serialize};

pub mod columns;
pub mod phone;
pub mod search;

use crate::field::has_control;
use crate::named_enum;

named_enum!(
    /// What a contact of a client does for it.
    ContactRole, "contact role" {
        Primary => "primary",
        Billing => "billing",
        Marketing => "marketing",
        Admin => "admin",
        /// The partner of a couple, the planner of a wedding, anyone else.
        Other => "other",
    }
);

named_enum!(
    /// What an address of a client is for.
    AddressKind, "address kind" {
        Home => "home",
        Billing => "billing",
        Delivery => "delivery",
        /// Where the wedding or event takes place.
        Venue => "venue",
        Office => "office",
        Other => "other",
    }
);

named_enum!(
    /// What reaching a pipeline stage means for a lead.
    StageKind, "stage kind" {
        /// Still being worked on.
        Open => "open",
        /// Booked: the lead became a client's job.
        Won => "won",
        /// Not going ahead (a reason is kept).
        Lost => "lost",
    }
);

named_enum!(
    /// How a client (or a lead) found the studio.
    Source, "source" {
        Website => "website",
        Referral => "referral",
        Instagram => "instagram",
        Facebook => "facebook",
        Google => "google",
        WalkIn => "walk_in",
        WeddingFair => "wedding_fair",
        Repeat => "repeat",
        Directory => "directory",
        Other => "other",
    }
);

pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_CHARS: usize = 40;

/// One tag, normalised; or why it cannot be one.
pub fn tag(raw: &str) -> Result<String, String> {
    let n = raw.chars().count();
    if n > MAX_TAG_CHARS {
        return Err(format!(
            "the tag `{}` is {n} characters; a tag has at most {MAX_TAG_CHARS}",
            crate::validate::clip(raw)
        ));
    }
    if has_control(raw) {
        return Err("a tag cannot hold control or text-direction characters".into());
    }
    if let Some(bad) = raw.chars().find(|c| matches!(c, '|' | ',')) {
        return Err(format!(
            "the tag `{}` has `{bad}`; a tag cannot hold `|` or `,` (a comma separates tags)",
            crate::validate::clip(raw)
        ));
    }
    let t = raw
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    if t.is_empty() {
        return Err("a tag cannot be empty".into());
    }
    Ok(t)
}

/// A client's tags: normalised, each once, in the order first given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Tags(Vec<String>);

impl Tags {
    /// Checks and normalises `raw` (the first error, naming the tag).
    pub fn parse<S: AsRef<str>>(raw: &[S]) -> Result<Self, String> {
        if raw.len() > MAX_TAGS {
            return Err(format!(
                "{} tags is too many; a client has at most {MAX_TAGS}",
                raw.len()
            ));
        }
        let mut out: Vec<String> = Vec::new();
        for r in raw {
            let t = tag(r.as_ref())?;
            if !out.contains(&t) {
                out.push(t);
            }
        }
        Ok(Self(out))
    }

    /// Tags typed as one line, separated by commas (`wedding, vip`).
    pub fn parse_line(line: &str) -> Result<Self, String> {
        let parts: Vec<&str> = line.split(',').filter(|p| !p.trim().is_empty()).collect();
        Self::parse(&parts)
    }

    /// How the tags are stored: `|a|b|`, or empty for none.
    pub fn stored(&self) -> String {
        if self.0.is_empty() {
            String::new()
        } else {
            format!("|{}|", self.0.join("|"))
        }
    }

    /// The tags from their stored form.
    pub fn from_stored(s: &str) -> Self {
        Self(
            s.split('|')
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
        )
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// One line for a form: `wedding, vip`.
    pub fn line(&self) -> String {
        self.0.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_normalised_once_each_and_round_trip() {
        let t = Tags::parse(&["  Wedding ", "VIP", "wedding", "repeat   client"]).unwrap();
        assert_eq!(t.as_slice(), ["wedding", "vip", "repeat client"]);
        assert_eq!(t.stored(), "|wedding|vip|repeat client|");
        assert_eq!(Tags::from_stored(&t.stored()), t);
        assert_eq!(Tags::from_stored(""), Tags::default());
        assert_eq!(Tags::parse_line("a, ,b,").unwrap().as_slice(), ["a", "b"]);
        assert_eq!(t.line(), "wedding, vip, repeat client");
    }

    #[test]
    fn bad_tags_are_refused_with_the_reason() {
        assert!(tag("a|b").unwrap_err().contains("`|`"));
        assert!(tag("a,b").unwrap_err().contains("`,`"));
        assert!(tag(" \u{3000} ").unwrap_err().contains("empty"));
        assert!(tag("a\u{202e}b").unwrap_err().contains("control"));
        assert!(tag(&"x".repeat(41)).unwrap_err().contains("40"));
        assert_eq!(tag("Café & Co.").unwrap(), "café & co.");
        assert_eq!(tag("50%  off_").unwrap(), "50% off_");
        let many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
        assert!(Tags::parse(&many).unwrap_err().contains("at most 20"));
    }
}
