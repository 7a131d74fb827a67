//! Bookings: who and what is claimed for which time, and when a session can
//! be booked.
//!
//! A booking claims people (photographers, assistants) and resources
//! (cameras, lenses, lights, rooms) for a range of time. The range a claim
//! blocks is the session itself widened by travel and buffers. Whether two
//! claims overlap is decided by the database (decision 0024); this module
//! holds the rules that can be decided from values alone: what a valid
//! range is, which status may follow which, and which start times of a
//! session type are free, computed in the studio's zone so that a 09:00 slot
//! stays at 09:00 on the days clocks change.

use std::time::Duration;

use jiff::civil::{Time, Weekday};
use jiff::tz::TimeZone;

use crate::Timestamp;
use crate::named_enum;

pub mod calendar;

/// The longest single booking: two weeks (a destination wedding with travel).
pub const MAX_SPAN: Duration = Duration::from_secs(14 * 24 * 3600);
/// The longest travel or buffer on either side of a session.
pub const MAX_PADDING_MINUTES: i64 = 24 * 60;

named_enum!(
    /// Where a booking stands (seed 000's sessions).
    BookingStatus, "booking status" {
        /// Pencilled in: holds its people and resources like a scheduled one.
        Tentative => "tentative",
        Scheduled => "scheduled",
        Completed => "completed",
        /// Shot, photos being processed.
        Processing => "processing",
        Delivered => "delivered",
        /// Releases its people and resources.
        Cancelled => "cancelled",
    }
);

impl BookingStatus {
    /// Whether a booking with this status holds its people and resources.
    pub fn holds(self) -> bool {
        self != BookingStatus::Cancelled
    }

    /// Whether a booking may move from `self` to `to`: forward along
    /// tentative → scheduled → completed → processing → delivered, and to
    /// cancelled from tentative or scheduled only (a shot session is not
    /// cancelled). Staying put is not a move.
    pub fn may_become(self, to: BookingStatus) -> bool {
        use BookingStatus::*;
        matches!(
            (self, to),
            (Tentative, Scheduled | Cancelled)
                | (Scheduled, Completed | Cancelled)
                | (Completed, Processing | Delivered)
                | (Processing, Delivered)
        )
    }
}

named_enum!(
    /// What a booking is for (seed 003's shooting schedule, seed 000's sessions).
    BookingKind, "booking kind" {
        Session => "session",
        MainShoot => "main_shoot",
        PreWedding => "pre_wedding",
        Makeup => "makeup",
        Ceremony => "ceremony",
        Reception => "reception",
        Consultation => "consultation",
        Other => "other",
    }
);

named_enum!(
    /// Where a session happens.
    LocationKind, "location kind" {
        /// At the branch.
        Studio => "studio",
        /// At the client's place or a venue.
        OnLocation => "on_location",
        /// A video call (a consultation).
        Online => "online",
    }
);

named_enum!(
    /// What kind of thing a resource is (seed 001's assets).
    ResourceKind, "resource kind" {
        Camera => "camera",
        Lens => "lens",
        Lighting => "lighting",
        Room => "room",
        Space => "space",
        Other => "other",
    }
);

named_enum!(
    /// Whether a resource can be booked. Whether it is booked at a given
    /// time is not a status: its claims say so.
    ResourceStatus, "resource status" {
        Available => "available",
        /// Out for repair or service: cannot be booked.
        Maintenance => "maintenance",
        /// Lost or stolen: cannot be booked.
        Lost => "lost",
    }
);

named_enum!(
    /// Who or what a claim holds.
    HolderKind, "holder kind" {
        /// A staff member (photographer, assistant, editor).
        Staff => "staff",
        /// A camera, lens, light, room or space.
        Resource => "resource",
    }
);

named_enum!(
    /// Why someone is not available in a range of time.
    BlockKind, "block kind" {
        /// Leave, holiday, sick day.
        TimeOff => "time_off",
        /// A one-off block (a dentist's appointment, a school run).
        Block => "block",
        /// Busy in the person's own calendar (imported from its iCalendar feed).
        External => "external",
    }
);

named_enum!(
    /// What stands in the way of a booking.
    ClashKind, "clash kind" {
        /// Another booking holds the person or resource.
        Booking => "booking",
        TimeOff => "time_off",
        Block => "block",
        External => "external",
    }
);

impl From<BlockKind> for ClashKind {
    fn from(b: BlockKind) -> Self {
        match b {
            BlockKind::TimeOff => ClashKind::TimeOff,
            BlockKind::Block => ClashKind::Block,
            BlockKind::External => ClashKind::External,
        }
    }
}

named_enum!(
    /// Whose bookings a calendar feed shows.
    FeedScope, "feed scope" {
        Staff => "staff",
        Resource => "resource",
        Branch => "branch",
    }
);

/// A half-open range of time `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Span {
    /// A range that starts before it ends and lasts at most [`MAX_SPAN`].
    pub fn new(start: Timestamp, end: Timestamp) -> Result<Self, String> {
        if end <= start {
            return Err(format!(
                "the range ends ({end}) before or when it starts ({start}); give an end after the start"
            ));
        }
        if end.since(start) > MAX_SPAN {
            return Err(format!(
                "the range from {start} to {end} is longer than {} days; split it into several bookings",
                MAX_SPAN.as_secs() / 86_400
            ));
        }
        Ok(Self { start, end })
    }

    /// A range to look at (a calendar page, a search): `end` after `start`,
    /// at most `max_days` long.
    pub fn window(start: Timestamp, end: Timestamp, max_days: u64) -> Result<Self, String> {
        if end <= start {
            return Err(format!("`to` ({end}) must come after `from` ({start})"));
        }
        if end.since(start) > Duration::from_secs(max_days * 86_400) {
            return Err(format!("look at most {max_days} days at a time"));
        }
        Ok(Self { start, end })
    }

    pub fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// The range widened by `before` and `after`.
    pub fn padded(&self, before: Duration, after: Duration) -> Span {
        Span {
            start: self.start.minus(before),
            end: self.end.plus(after),
        }
    }

    pub fn length(&self) -> Duration {
        self.end.since(self.start)
    }

    /// The same length, starting at `start`.
    pub fn moved_to(&self, start: Timestamp) -> Span {
        Span {
            start,
            end: start.plus(self.length()),
        }
    }
}

pub use jiff::tz::TimeZone as Zone;

/// The zone named `name` (an IANA name checked when stored), UTC if unknown.
pub fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}

/// The instant of a date (`2027-03-14`) and a wall-clock time (`09:30`) in
/// `zone`; a time the clocks skip that day, or one they repeat, is refused
/// with what to do (a person typed it, and must mean one instant).
pub fn instant_in(zone_name: &str, date: &str, time: &str) -> Result<Timestamp, String> {
    let tz = TimeZone::get(zone_name).map_err(|_| {
        format!(
            "`{}` is not a time zone; use an IANA name such as `Asia/Kolkata`",
            crate::validate::clip(zone_name)
        )
    })?;
    let d: jiff::civil::Date = date.trim().parse().map_err(|_| {
        format!(
            "`{}` is not a date; use YYYY-MM-DD",
            crate::validate::clip(date)
        )
    })?;
    let minute = parse_hhmm(time)?;
    if minute >= 1440 {
        return Err("a start time is before 24:00; use 00:00 of the next day".into());
    }
    let t = Time::new(
        i8::try_from(minute / 60).unwrap_or(0),
        i8::try_from(minute % 60).unwrap_or(0),
        0,
        0,
    )
    .map_err(|e| e.to_string())?;
    let ambiguous = tz.to_ambiguous_zoned(d.to_datetime(t));
    if ambiguous.is_ambiguous() {
        let what = if matches!(ambiguous.offset(), jiff::tz::AmbiguousOffset::Gap { .. }) {
            "does not exist: the clocks move forward then"
        } else {
            "happens twice: the clocks move back then"
        };
        return Err(format!(
            "{time} on {date} in {zone_name} {what}; pick another time"
        ));
    }
    let z = ambiguous.unambiguous().map_err(|e| e.to_string())?;
    Ok(Timestamp::from_micros(z.timestamp().as_microsecond()))
}

/// A duration in whole minutes.
pub fn minutes(m: i64) -> Duration {
    Duration::from_secs(u64::try_from(m.max(0)).unwrap_or(0) * 60)
}

/// Hours of one weekday, in the studio's wall-clock time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DayHours {
    pub weekday: Weekday,
    /// Minutes after midnight, `0..1440`.
    pub from_minute: i64,
    /// Minutes after midnight, `from_minute < to_minute <= 1440`.
    pub to_minute: i64,
}

impl DayHours {
    pub fn new(weekday: i64, from_minute: i64, to_minute: i64) -> Result<Self, String> {
        let weekday = weekday_of(weekday)?;
        if !(0..1440).contains(&from_minute) || !(1..=1440).contains(&to_minute) {
            return Err("hours are minutes after midnight, from 0 to 1440".into());
        }
        if to_minute <= from_minute {
            return Err(format!(
                "the hours end ({}) before or when they start ({}); give an end after the start",
                hhmm(to_minute),
                hhmm(from_minute)
            ));
        }
        Ok(Self {
            weekday,
            from_minute,
            to_minute,
        })
    }
}

/// `1` Monday .. `7` Sunday (ISO 8601).
pub fn weekday_of(n: i64) -> Result<Weekday, String> {
    i8::try_from(n)
        .ok()
        .and_then(|n| Weekday::from_monday_one_offset(n).ok())
        .ok_or_else(|| format!("`{n}` is not a weekday; use 1 (Monday) to 7 (Sunday)"))
}

/// `09:30` for 570.
pub fn hhmm(minute: i64) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// Parses `09:30` (or `24:00`) into minutes after midnight.
pub fn parse_hhmm(s: &str) -> Result<i64, String> {
    let bad = || {
        format!(
            "`{}` is not a time of day; use e.g. `09:30`",
            crate::validate::clip(s)
        )
    };
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    let h: i64 = h.parse().map_err(|_| bad())?;
    let m: i64 = m.parse().map_err(|_| bad())?;
    if !(0..=59).contains(&m) || !(0..=24).contains(&h) || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// The rules of one session type that decide its start times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlotRules {
    pub duration: Duration,
    pub buffer_before: Duration,
    pub buffer_after: Duration,
    /// No start sooner than this after now.
    pub min_notice: Duration,
    /// No start later than this after now.
    pub horizon: Duration,
    /// Starts are this far apart, counted from the start of the hours.
    pub increment: Duration,
}

/// The instant of a wall-clock time on a day in `tz`. A time that does not
/// exist (skipped by spring-forward) moves later by the gap; a time that
/// exists twice (fall-back) is the earlier one.
fn instant_of(tz: &TimeZone, date: jiff::civil::Date, minute: i64) -> Option<Timestamp> {
    let ts = if minute >= 1440 {
        date.tomorrow().ok()?.to_zoned(tz.clone()).ok()?.timestamp()
    } else {
        let t = Time::new(
            i8::try_from(minute / 60).ok()?,
            i8::try_from(minute % 60).ok()?,
            0,
            0,
        )
        .ok()?;
        date.to_datetime(t).to_zoned(tz.clone()).ok()?.timestamp()
    };
    Some(Timestamp::from_micros(ts.as_microsecond()))
}

/// The start times of a session in `window` (and within the rules' notice
/// and horizon from `now`) when the person works (`hours`, in `tz`) and is
/// not `busy`. A session's padded range (buffers included) must not overlap
/// any busy range; the session itself lies within the hours.
pub fn free_starts(
    rules: &SlotRules,
    hours: &[DayHours],
    tz: &TimeZone,
    window: Span,
    now: Timestamp,
    busy: &[Span],
) -> Vec<Timestamp> {
    let earliest = now.plus(rules.min_notice).max(window.start);
    let latest = now.plus(rules.horizon).min(window.end);
    if latest < earliest || rules.increment.is_zero() || rules.duration.is_zero() {
        return Vec::new();
    }
    let mut busy: Vec<Span> = busy.to_vec();
    busy.sort();
    let first = to_jiff(earliest).to_zoned(tz.clone()).date();
    let last = to_jiff(latest).to_zoned(tz.clone()).date();
    let mut out = Vec::new();
    let mut day = first.yesterday().unwrap_or(first);
    while day <= last {
        for h in hours.iter().filter(|h| h.weekday == day.weekday()) {
            let (Some(open), Some(close)) = (
                instant_of(tz, day, h.from_minute),
                instant_of(tz, day, h.to_minute),
            ) else {
                continue;
            };
            let mut start = open;
            while start.plus(rules.duration) <= close && start <= latest {
                if start >= earliest {
                    let padded = Span {
                        start: start.minus(rules.buffer_before),
                        end: start.plus(rules.duration).plus(rules.buffer_after),
                    };
                    if !busy.iter().any(|b| b.overlaps(&padded)) {
                        out.push(start);
                    }
                }
                start = start.plus(rules.increment);
            }
        }
        day = match day.tomorrow() {
            Ok(d) => d,
            Err(_) => break,
        };
    }
    out.sort();
    out.dedup();
    out
}

/// The starts nearest to `wanted` (before or after it, in steps of `step`,
/// at most `reach` away, none before `not_before`) at which a range of the
/// same length, padded as `pad` says, overlaps none of `busy`: what to offer
/// when a booking is refused. At most `count`, nearest first.
pub fn nearest_free(
    wanted: Span,
    pad: (Duration, Duration),
    busy: &[Span],
    step: Duration,
    reach: Duration,
    not_before: Timestamp,
    count: usize,
) -> Vec<Span> {
    let mut out = Vec::new();
    if step.is_zero() {
        return out;
    }
    let free = |s: &Span| {
        let p = s.padded(pad.0, pad.1);
        !busy.iter().any(|b| b.overlaps(&p))
    };
    let mut k = 1u32;
    while out.len() < count && step * k <= reach {
        for start in [wanted.start.plus(step * k), wanted.start.minus(step * k)] {
            let s = wanted.moved_to(start);
            if start >= not_before && free(&s) && out.len() < count {
                out.push(s);
            }
        }
        k += 1;
    }
    out
}

/// Where at least `capacity` of `spans` overlap (every unit of a resource
/// with `capacity` units is taken), merged and in order.
pub fn saturated(spans: &[Span], capacity: usize) -> Vec<Span> {
    let mut edges: Vec<(Timestamp, i32)> = Vec::with_capacity(spans.len() * 2);
    for s in spans {
        edges.push((s.start, 1));
        edges.push((s.end, -1));
    }
    // Ends before starts at the same instant: half-open ranges that touch do not overlap.
    edges.sort();
    let mut out: Vec<Span> = Vec::new();
    let mut depth = 0usize;
    let mut open: Option<Timestamp> = None;
    for (t, d) in edges {
        if d > 0 {
            depth += 1;
            if depth == capacity.max(1) {
                open = Some(t);
            }
        } else {
            if depth == capacity.max(1)
                && let Some(start) = open.take()
                && start < t
            {
                match out.last_mut() {
                    Some(last) if last.end >= start => last.end = last.end.max(t),
                    _ => out.push(Span { start, end: t }),
                }
            }
            depth = depth.saturating_sub(1);
        }
    }
    out
}

fn to_jiff(t: Timestamp) -> jiff::Timestamp {
    jiff::Timestamp::from_microsecond(t.as_micros()).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

#[cfg(test)]
mod tests;
