//! Days and times of day as people type them: `2027-02-14`, `14:30`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::validate;

ascii_field!(
    /// A calendar day `YYYY-MM-DD` (a real one: no 31 April, 29 February
    /// only in a leap year), or blank for none.
    DayOrBlank,
    "^(([0-9]{4}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8])))|(([0-9][0-9](0[48]|[2468][048]|[13579][26])|([02468][048]|[13579][26])00)-02-29))?$",
    "2027-02-14",
    "is not a day; write it as YYYY-MM-DD, e.g. 2027-02-14",
    |s| s.is_empty() || day_of(s).is_some()
);

/// The day `YYYY-MM-DD` says, if it is one.
pub fn day_of(s: &str) -> Option<jiff::civil::Date> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10
        || b[4] != b'-'
        || b[7] != b'-'
        || !digits(0..4)
        || !digits(5..7)
        || !digits(8..10)
    {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s[r].parse::<i16>().ok();
    jiff::civil::Date::new(n(0..4)?, n(5..7)? as i8, n(8..10)? as i8).ok()
}

/// The time of day `HH:MM` says, if it is one.
pub fn clock_of(s: &str) -> Option<jiff::civil::Time> {
    let b = s.as_bytes();
    if b.len() != 5 || b[2] != b':' || ![0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit()) {
        return None;
    }
    jiff::civil::Time::new(s[..2].parse().ok()?, s[3..].parse().ok()?, 0, 0).ok()
}

ascii_field!(
    /// A time of day `HH:MM` (24-hour), or blank for none.
    ClockOrBlank, "^(([01][0-9]|2[0-3]):[0-5][0-9])?$", "14:30",
    "is not a time of day; write it as HH:MM on a 24-hour clock, e.g. 14:30",
    |s| s.is_empty() || clock_of(s).is_some()
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_and_clock_patterns_say_what_the_checks_accept() {
        let day = regex::Regex::new(DayOrBlank::PATTERN).unwrap();
        for y in ["0000", "1900", "2000", "2024", "2027", "2100", "2400"] {
            for m in 0..=13 {
                for d in 0..=32 {
                    let s = format!("{y}-{m:02}-{d:02}");
                    assert_eq!(day.is_match(&s), day_of(&s).is_some(), "{s}");
                }
            }
        }
        assert!(day.is_match("") && DayOrBlank::from("").check().is_ok());
        assert!(DayOrBlank::from("2027-2-14").check().is_err());
        let clock = regex::Regex::new(ClockOrBlank::PATTERN).unwrap();
        for h in 0..=25 {
            for m in [0, 7, 30, 59, 60] {
                let s = format!("{h:02}:{m:02}");
                assert_eq!(clock.is_match(&s), clock_of(&s).is_some(), "{s}");
            }
        }
        assert!(clock_of("9:30").is_none() && clock_of("09:3x").is_none());
    }
}
