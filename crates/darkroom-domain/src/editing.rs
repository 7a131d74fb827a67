//! The editing queue's rules: priorities and how a task moves.
//!
//! ```text
//! queued ──start──> in_progress ──(all photos edited, or send)──> review ──approve──> done
//!    │                   ^                                          │  ^                 │
//!    └──────send─────────┼──────────────────────────────────────────┘  │                 │
//!                        └──start── revision <──ask for revision───────┴─────────────────┘
//! ```
//! Asking for a revision counts it; a revision goes back to review the same
//! way (uploading the edits again, or sending it).

/// How urgent a task is, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

impl Priority {
    pub const ALL: [Priority; 4] = [Self::Low, Self::Normal, Self::High, Self::Urgent];

    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "low" => Ok(Self::Low),
            "normal" => Ok(Self::Normal),
            "high" => Ok(Self::High),
            "urgent" => Ok(Self::Urgent),
            _ => Err(format!(
                "`{s}` is not a priority; use low, normal, high or urgent"
            )),
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Normal => "normal",
            Self::High => "high",
            Self::Urgent => "urgent",
        }
    }
}

/// Where a task is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskStatus {
    Queued,
    InProgress,
    Review,
    Done,
    Revision,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 5] = [
        Self::Queued,
        Self::InProgress,
        Self::Review,
        Self::Revision,
        Self::Done,
    ];

    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "queued" => Ok(Self::Queued),
            "in_progress" => Ok(Self::InProgress),
            "review" => Ok(Self::Review),
            "done" => Ok(Self::Done),
            "revision" => Ok(Self::Revision),
            _ => Err(format!(
                "`{s}` is not a task status; use queued, in_progress, review, revision or done"
            )),
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::InProgress => "in_progress",
            Self::Review => "review",
            Self::Done => "done",
            Self::Revision => "revision",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Queued => "Queued",
            Self::InProgress => "In progress",
            Self::Review => "In review",
            Self::Done => "Done",
            Self::Revision => "Revision",
        }
    }
    /// Whether an editor still has work to do on it.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Queued | Self::InProgress | Self::Revision)
    }
}

/// What someone does to a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskMove {
    /// The editor starts (or restarts, after a revision).
    Start,
    /// Send for review (also what uploading the last edited photo does).
    Send,
    /// The reviewer accepts the edits.
    Approve,
    /// The reviewer (or the client, through the studio) wants changes.
    Revise,
}

impl TaskMove {
    pub const ALL: &'static [TaskMove] = &[Self::Start, Self::Send, Self::Approve, Self::Revise];

    pub fn name(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::Send => "send",
            Self::Approve => "approve",
            Self::Revise => "revise",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "start" => Ok(Self::Start),
            "send" => Ok(Self::Send),
            "approve" => Ok(Self::Approve),
            "revise" => Ok(Self::Revise),
            _ => Err(format!(
                "`{s}` is not a task action; use start, send, approve or revise"
            )),
        }
    }
    /// Whether this move is the reviewer's (needs the right to manage the gallery).
    pub fn is_review(self) -> bool {
        matches!(self, Self::Approve | Self::Revise)
    }
}

/// The status after `m`, or why it cannot happen now.
pub fn next(from: TaskStatus, m: TaskMove) -> Result<TaskStatus, String> {
    use TaskStatus::*;
    match (from, m) {
        (Queued | Revision, TaskMove::Start) => Ok(InProgress),
        (Queued | InProgress | Revision, TaskMove::Send) => Ok(Review),
        (Review, TaskMove::Approve) => Ok(Done),
        (Review | Done, TaskMove::Revise) => Ok(Revision),
        (s, m) => Err(format!(
            "a task that is {} cannot be {}",
            s.label().to_lowercase(),
            match m {
                TaskMove::Start => "started",
                TaskMove::Send => "sent for review",
                TaskMove::Approve => "approved (it is not in review)",
                TaskMove::Revise => "sent back for revision (it is not in review or done)",
            }
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_happy_path_and_a_revision() {
        let s = next(TaskStatus::Queued, TaskMove::Start).unwrap();
        assert_eq!(s, TaskStatus::InProgress);
        let s = next(s, TaskMove::Send).unwrap();
        assert_eq!(s, TaskStatus::Review);
        let s = next(s, TaskMove::Revise).unwrap();
        assert_eq!(s, TaskStatus::Revision);
        let s = next(s, TaskMove::Start).unwrap();
        let s = next(s, TaskMove::Send).unwrap();
        assert_eq!(next(s, TaskMove::Approve).unwrap(), TaskStatus::Done);
    }

    #[test]
    fn moves_out_of_order_are_refused_with_a_reason() {
        assert!(next(TaskStatus::Queued, TaskMove::Approve).is_err());
        assert!(next(TaskStatus::Done, TaskMove::Start).is_err());
        assert!(next(TaskStatus::InProgress, TaskMove::Start).is_err());
        let e = next(TaskStatus::Queued, TaskMove::Revise).unwrap_err();
        assert!(e.contains("queued"), "{e}");
    }

    #[test]
    fn names_round_trip_and_priorities_order() {
        for s in TaskStatus::ALL {
            assert_eq!(TaskStatus::parse(s.name()), Ok(s));
        }
        for p in Priority::ALL {
            assert_eq!(Priority::parse(p.name()), Ok(p));
        }
        assert!(Priority::Urgent > Priority::High && Priority::Low < Priority::Normal);
        assert!(Priority::parse("asap").is_err());
    }
}
