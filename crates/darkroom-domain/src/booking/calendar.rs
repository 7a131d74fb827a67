//! The days a calendar page shows: a day, a week (Monday first) or a month
//! padded to whole weeks, in the viewer's zone; and an instant's local date
//! and time of day there.

use jiff::civil::Date;

use super::zone;
use crate::Timestamp;

/// What a calendar page spans.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Day,
    Week,
    Month,
}

impl View {
    pub fn parse(s: Option<&str>) -> Self {
        match s {
            Some("day") => View::Day,
            Some("month") => View::Month,
            _ => View::Week,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            View::Day => "day",
            View::Week => "week",
            View::Month => "month",
        }
    }
}

/// The days shown and the instants they run between.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    pub days: Vec<Date>,
    pub from: Timestamp,
    pub to: Timestamp,
    /// The dates of the previous and next page.
    pub prev: Date,
    pub next: Date,
}

fn start_of(d: Date, zone_name: &str) -> Timestamp {
    let ts = d
        .to_zoned(zone(zone_name))
        .map(|z| z.timestamp())
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    Timestamp::from_micros(ts.as_microsecond())
}

/// The page of `view` holding `date`, in `zone_name`.
pub fn page(view: View, date: Date, zone_name: &str) -> Page {
    let monday = |d: Date| {
        d.checked_sub(jiff::Span::new().days(i64::from(d.weekday().to_monday_zero_offset())))
            .unwrap_or(d)
    };
    let add = |d: Date, n: i64| d.checked_add(jiff::Span::new().days(n)).unwrap_or(d);
    let (first, count, prev, next) = match view {
        View::Day => (date, 1, add(date, -1), add(date, 1)),
        View::Week => {
            let m = monday(date);
            (m, 7, add(m, -7), add(m, 7))
        }
        View::Month => {
            let first_of = date.first_of_month();
            let last_of = date.last_of_month();
            let start = monday(first_of);
            let end = add(monday(last_of), 7);
            let n = (end - start).get_days().into();
            let prev = first_of
                .checked_sub(jiff::Span::new().months(1))
                .unwrap_or(first_of);
            (start, n, prev, add(last_of, 1))
        }
    };
    let days: Vec<Date> = (0..count).map(|i| add(first, i)).collect();
    let last = *days.last().unwrap_or(&first);
    Page {
        from: start_of(first, zone_name),
        to: start_of(add(last, 1), zone_name),
        days,
        prev,
        next,
    }
}

/// An instant's date and `HH:MM` in `zone_name`.
pub fn local(t: Timestamp, zone_name: &str) -> (Date, String) {
    let z = jiff::Timestamp::from_microsecond(t.as_micros())
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(zone(zone_name));
    (z.date(), z.strftime("%H:%M").to_string())
}

/// Today in `zone_name`.
pub fn today(now: Timestamp, zone_name: &str) -> Date {
    local(now, zone_name).0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn weeks_start_on_monday_and_months_fill_whole_weeks() {
        let w = page(View::Week, d("2027-03-17"), "Europe/Berlin");
        assert_eq!(w.days.first(), Some(&d("2027-03-15")));
        assert_eq!(w.days.len(), 7);
        assert_eq!((w.prev, w.next), (d("2027-03-08"), d("2027-03-22")));
        assert_eq!(w.from.to_rfc3339(), "2027-03-14T23:00:00Z");
        // The week of the spring change ends an hour early in UTC.
        let change = page(View::Week, d("2027-03-28"), "Europe/Berlin");
        assert_eq!(change.to.to_rfc3339(), "2027-03-28T22:00:00Z");
        let m = page(View::Month, d("2027-02-10"), "UTC");
        assert_eq!(m.days.first(), Some(&d("2027-02-01")));
        assert_eq!(m.days.len(), 28);
        assert_eq!((m.prev, m.next), (d("2027-01-01"), d("2027-03-01")));
        let m = page(View::Month, d("2027-03-10"), "UTC");
        assert_eq!((m.days.first(), m.days.len()), (Some(&d("2027-03-01")), 35));
        let day = page(View::Day, d("2027-03-14"), "America/New_York");
        assert_eq!(day.to.since(day.from).as_secs(), 23 * 3600);
    }

    #[test]
    fn local_parts_follow_the_zone() {
        let t = Timestamp::parse_rfc3339("2027-03-14T03:30:00Z").unwrap();
        assert_eq!(
            local(t, "Asia/Kolkata"),
            (d("2027-03-14"), "09:00".to_string())
        );
        assert_eq!(
            local(t, "America/New_York"),
            (d("2027-03-13"), "22:30".to_string())
        );
    }
}
