//! Projects: one job for a client (a wedding, a headshot day, an event),
//! with its kind, where it stands, and who works on it.

use crate::named_enum;

named_enum!(
    /// What kind of job a project is.
    ProjectKind, "project kind" {
        Wedding => "wedding",
        PreWedding => "pre_wedding",
        Studio => "studio",
        Outdoor => "outdoor",
        Family => "family",
        Headshot => "headshot",
        Event => "event",
        Corporate => "corporate",
        Other => "other",
    }
);

impl ProjectKind {
    /// The kind a lead's free-text "kind of shoot" names, if any: the
    /// words are read without case, spaces or dashes (`Pre-wedding`,
    /// `pre wedding`, `prewedding` are one kind).
    pub fn guess(text: &str) -> Option<Self> {
        let squashed: String = text
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        <Self as crate::names::Named>::all()
            .iter()
            .copied()
            .find(|k| k.name().replace('_', "") == squashed)
            .or(match squashed.as_str() {
                "engagement" | "prewed" => Some(Self::PreWedding),
                "portrait" | "headshots" | "portraits" => Some(Self::Headshot),
                "party" | "birthday" | "conference" => Some(Self::Event),
                "commercial" | "business" => Some(Self::Corporate),
                _ => None,
            })
    }
}

named_enum!(
    /// Where a project stands, in the order a job goes (seed 003).
    ProjectStatus, "project status" {
        Scheduled => "scheduled",
        InProgress => "in_progress",
        ProofsReady => "proofs_ready",
        Editing => "editing",
        Completed => "completed",
        Delivered => "delivered",
        Archived => "archived",
    }
);

named_enum!(
    /// What a staff member does on a project.
    ProjectRole, "project role" {
        Photographer => "photographer",
        Assistant => "assistant",
        Editor => "editor",
    }
);

named_enum!(
    /// What a project's link points at.
    LinkKind, "link kind" {
        Gallery => "gallery",
        Booking => "booking",
    }
);

named_enum!(
    /// Where a milestone stands against its target day.
    MilestoneState, "milestone state" {
        /// Not reached, and its day has not passed (or it has none).
        Open => "open",
        /// Not reached, and its day has passed.
        Overdue => "overdue",
        /// Reached on or before its day (or it had none).
        OnTime => "on_time",
        /// Reached after its day.
        Late => "late",
    }
);

impl MilestoneState {
    /// Where a milestone with `target` and `done` stands on `today`
    /// (all `YYYY-MM-DD`, which compare as text).
    pub fn of(target: Option<&str>, done: Option<&str>, today: &str) -> Self {
        match (target, done) {
            (Some(t), Some(d)) if d > t => Self::Late,
            (_, Some(_)) => Self::OnTime,
            (Some(t), None) if t < today => Self::Overdue,
            _ => Self::Open,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guesses_kinds_from_what_people_type() {
        assert_eq!(ProjectKind::guess("Wedding"), Some(ProjectKind::Wedding));
        assert_eq!(
            ProjectKind::guess("Pre-wedding"),
            Some(ProjectKind::PreWedding)
        );
        assert_eq!(
            ProjectKind::guess("pre wedding"),
            Some(ProjectKind::PreWedding)
        );
        assert_eq!(
            ProjectKind::guess("Engagement"),
            Some(ProjectKind::PreWedding)
        );
        assert_eq!(ProjectKind::guess("headshots"), Some(ProjectKind::Headshot));
        assert_eq!(ProjectKind::guess("boudoir"), None);
        assert_eq!(ProjectKind::guess(""), None);
    }

    #[test]
    fn milestones_are_on_time_late_or_overdue() {
        use MilestoneState as M;
        let today = "2027-03-10";
        assert_eq!(
            M::of(Some("2027-03-09"), Some("2027-03-09"), today),
            M::OnTime
        );
        assert_eq!(
            M::of(Some("2027-03-09"), Some("2027-03-10"), today),
            M::Late
        );
        assert_eq!(M::of(Some("2027-03-09"), None, today), M::Overdue);
        assert_eq!(M::of(Some("2027-03-10"), None, today), M::Open);
        assert_eq!(M::of(None, None, today), M::Open);
        assert_eq!(M::of(None, Some("2027-01-01"), today), M::OnTime);
    }
}
