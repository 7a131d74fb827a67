//! When a client is reminded of an invoice: three days before its due day,
//! the day after it, and a week after it, each once. The stage due on a day
//! is the latest one reached (a worker that missed a day sends that one,
//! not the ones it skipped).

/// The reminders, by days from the due day (negative: before it).
pub const STAGES: [(i64, &str); 3] = [(-3, "due_soon"), (1, "overdue"), (7, "still_overdue")];

/// The reminder due on `today` for an invoice due on `due`: days from the
/// due day and the reminder's key (`2026-12-17/overdue`, so a new due day
/// starts the reminders again). `None` before the first stage or for a
/// day that does not parse.
pub fn reminder_due(due: &str, today: &str) -> Option<(i64, String)> {
    let due_day = crate::field::day_of(due)?;
    let t = crate::field::day_of(today)?;
    let past = crate::document::days_between(due_day, t);
    let (_, stage) = STAGES.iter().rev().find(|(at, _)| past >= *at)?;
    Some((past, format!("{due}/{stage}")))
}

#[cfg(test)]
mod tests {
    use super::reminder_due;

    #[test]
    fn each_stage_from_its_day_on() {
        let due = "2026-12-17";
        for (today, want) in [
            ("2026-12-13", None),
            ("2026-12-14", Some((-3, "due_soon"))),
            ("2026-12-16", Some((-1, "due_soon"))),
            ("2026-12-17", Some((0, "due_soon"))),
            ("2026-12-18", Some((1, "overdue"))),
            ("2026-12-23", Some((6, "overdue"))),
            ("2026-12-24", Some((7, "still_overdue"))),
            ("2027-03-01", Some((74, "still_overdue"))),
        ] {
            let got = reminder_due(due, today);
            assert_eq!(
                got.as_ref()
                    .map(|(d, k)| (*d, k.rsplit('/').next().unwrap_or(""))),
                want,
                "{today}"
            );
            if let Some((_, k)) = got {
                assert!(k.starts_with("2026-12-17/"), "{k}");
            }
        }
        assert_eq!(reminder_due("soon", "2026-12-17"), None);
        assert_eq!(reminder_due(due, "yesterday"), None);
    }
}
