//! Busy times read from someone's published calendar (the secret iCalendar
//! address Google Calendar, Apple iCloud and Outlook give out): every event
//! that makes them busy in a window, recurring ones expanded.
//!
//! What is read (RFC 5545): folded lines; VEVENTs (their VALARMs skipped);
//! `DTSTART`/`DTEND`/`DURATION` as UTC, with a `TZID` (IANA names, and the
//! Windows names Outlook writes for the common zones), floating (read in
//! the person's zone) or all-day dates (whole days in the person's zone);
//! `RRULE` with `FREQ` daily, weekly, monthly or yearly, `INTERVAL`,
//! `COUNT`, `UNTIL`, `BYDAY` (with ordinals for monthly, `2TU`, `-1FR`) and
//! `BYMONTHDAY`; `EXDATE`; moved or cancelled single instances
//! (`RECURRENCE-ID`). Events marked free (`TRANSP:TRANSPARENT`) or
//! cancelled make nobody busy. Nothing of an event but its times is kept:
//! titles and places stay in the person's own calendar.

use std::collections::HashSet;

use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::TimeZone;
use jiff::{Span, ToSpan, Zoned};

use crate::Timestamp;

/// A busy stretch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Busy {
    pub start: Timestamp,
    pub end: Timestamp,
}

/// Instances of one recurring event looked at, at most (a rule that would
/// run past it is cut there).
const MAX_STEPS: usize = 20_000;

/// A property: name, parameters, value.
struct Prop {
    name: String,
    params: Vec<(String, String)>,
    value: String,
}

impl Prop {
    fn param(&self, k: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.as_str())
    }
}

fn parse_prop(line: &str) -> Option<Prop> {
    // The value starts at the first ':' outside a quoted parameter value.
    let mut quoted = false;
    let mut split = None;
    for (i, ch) in line.char_indices() {
        match ch {
            '"' => quoted = !quoted,
            ':' if !quoted => {
                split = Some(i);
                break;
            }
            _ => {}
        }
    }
    let i = split?;
    let (head, value) = (&line[..i], &line[i + 1..]);
    let mut parts = head.split(';');
    let name = parts.next()?.trim().to_ascii_uppercase();
    let params = parts
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| {
            (
                k.trim().to_ascii_uppercase(),
                v.trim_matches('"').to_string(),
            )
        })
        .collect();
    Some(Prop {
        name,
        params,
        value: value.trim().to_string(),
    })
}

/// The lines of a calendar, unfolded (RFC 5545 3.1).
fn unfold(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for raw in text.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = line.strip_prefix([' ', '\t'])
            && let Some(last) = out.last_mut()
        {
            last.push_str(rest);
        } else if !line.is_empty() {
            out.push(line.to_string());
        }
    }
    out
}

/// Windows zone names Outlook writes as TZIDs, for the common zones.
const WINDOWS_ZONES: &[(&str, &str)] = &[
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("Mountain Standard Time", "America/Denver"),
    ("Central Standard Time", "America/Chicago"),
    ("Eastern Standard Time", "America/New_York"),
    ("GMT Standard Time", "Europe/London"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Romance Standard Time", "Europe/Paris"),
    ("Central European Standard Time", "Europe/Warsaw"),
    ("India Standard Time", "Asia/Kolkata"),
    ("Korea Standard Time", "Asia/Seoul"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
    ("China Standard Time", "Asia/Shanghai"),
    ("Singapore Standard Time", "Asia/Singapore"),
    ("AUS Eastern Standard Time", "Australia/Sydney"),
    ("UTC", "UTC"),
];

fn zone_named(name: &str, fallback: &TimeZone) -> TimeZone {
    let name = name.trim_start_matches('/');
    if let Ok(z) = TimeZone::get(name) {
        return z;
    }
    WINDOWS_ZONES
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(name))
        .and_then(|(_, iana)| TimeZone::get(iana).ok())
        .unwrap_or_else(|| fallback.clone())
}

/// A moment as written: a zoned date-time, or a whole day.
#[derive(Clone, Debug)]
enum When {
    At(Zoned),
    Day(Date, TimeZone),
}

impl When {
    fn zoned(&self) -> Zoned {
        match self {
            When::At(z) => z.clone(),
            When::Day(d, tz) => d
                .to_zoned(tz.clone())
                .unwrap_or_else(|_| Zoned::new(jiff::Timestamp::UNIX_EPOCH, tz.clone())),
        }
    }
}

fn parse_when(p: &Prop, zone: &TimeZone) -> Option<When> {
    parse_value(&p.value, p.param("VALUE"), p.param("TZID"), zone)
}

fn parse_value(v: &str, kind: Option<&str>, tzid: Option<&str>, zone: &TimeZone) -> Option<When> {
    let v = v.trim();
    if kind.is_some_and(|k| k.eq_ignore_ascii_case("DATE")) || v.len() == 8 {
        let d = Date::strptime("%Y%m%d", v).ok()?;
        return Some(When::Day(d, zone.clone()));
    }
    let (body, utc) = match v.strip_suffix('Z') {
        Some(b) => (b, true),
        None => (v, false),
    };
    let dt = DateTime::strptime("%Y%m%dT%H%M%S", body).ok()?;
    let tz = if utc {
        TimeZone::UTC
    } else {
        tzid.map(|t| zone_named(t, zone))
            .unwrap_or_else(|| zone.clone())
    };
    dt.to_zoned(tz).ok().map(When::At)
}

/// An RFC 5545 DURATION (`PT1H30M`, `P1D`, `-PT15M`).
fn parse_duration(v: &str) -> Option<Span> {
    let (neg, v) = match v.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, v.strip_prefix('+').unwrap_or(v)),
    };
    let v = v.strip_prefix('P')?;
    let (date, time) = v.split_once('T').unwrap_or((v, ""));
    let (mut days, mut secs) = (0i64, 0i64);
    let mut num = String::new();
    for (ch, in_time) in date
        .chars()
        .map(|c| (c, false))
        .chain(time.chars().map(|c| (c, true)))
    {
        if ch.is_ascii_digit() {
            num.push(ch);
            continue;
        }
        let n: i64 = num.parse().ok()?;
        num.clear();
        match (ch, in_time) {
            ('W', false) => days += n * 7,
            ('D', false) => days += n,
            ('H', true) => secs += n * 3600,
            ('M', true) => secs += n * 60,
            ('S', true) => secs += n,
            _ => return None,
        }
    }
    let sign = if neg { -1 } else { 1 };
    Span::new()
        .try_days(sign * days)
        .ok()?
        .try_seconds(sign * secs)
        .ok()
}

/// One VEVENT as read.
#[derive(Default)]
struct RawEvent {
    props: Vec<Prop>,
}

impl RawEvent {
    fn get(&self, name: &str) -> Option<&Prop> {
        self.props.iter().find(|p| p.name == name)
    }
    fn all(&self, name: &str) -> impl Iterator<Item = &Prop> {
        self.props.iter().filter(move |p| p.name == name)
    }
    fn makes_busy(&self) -> bool {
        let is = |k: &str, v: &str| self.get(k).is_some_and(|p| p.value.eq_ignore_ascii_case(v));
        !is("STATUS", "CANCELLED") && !is("TRANSP", "TRANSPARENT")
    }
}

fn events_of(text: &str) -> Result<Vec<RawEvent>, String> {
    let lines = unfold(text.trim_start_matches('\u{feff}'));
    if !lines
        .first()
        .is_some_and(|l| l.trim().eq_ignore_ascii_case("BEGIN:VCALENDAR"))
    {
        return Err(
            "this is not an iCalendar file (it does not start with BEGIN:VCALENDAR); use the calendar's secret address in iCal format".into(),
        );
    }
    let mut out = Vec::new();
    let mut cur: Option<RawEvent> = None;
    let mut depth_inside = 0usize;
    for line in &lines {
        let Some(p) = parse_prop(line) else { continue };
        match (p.name.as_str(), p.value.to_ascii_uppercase().as_str()) {
            ("BEGIN", "VEVENT") if cur.is_none() => cur = Some(RawEvent::default()),
            ("BEGIN", _) if cur.is_some() => depth_inside += 1,
            ("END", "VEVENT") if depth_inside == 0 => {
                if let Some(e) = cur.take() {
                    out.push(e);
                }
            }
            ("END", _) if cur.is_some() && depth_inside > 0 => depth_inside -= 1,
            _ => {
                if let Some(e) = cur.as_mut()
                    && depth_inside == 0
                {
                    e.props.push(p);
                }
            }
        }
    }
    Ok(out)
}

/// A recurrence rule, the parts this reader follows.
struct Rule {
    freq: String,
    interval: i64,
    count: Option<usize>,
    until: Option<jiff::Timestamp>,
    by_day: Vec<(Option<i8>, Weekday)>,
    by_month_day: Vec<i8>,
}

fn weekday(s: &str) -> Option<Weekday> {
    Some(match s {
        "MO" => Weekday::Monday,
        "TU" => Weekday::Tuesday,
        "WE" => Weekday::Wednesday,
        "TH" => Weekday::Thursday,
        "FR" => Weekday::Friday,
        "SA" => Weekday::Saturday,
        "SU" => Weekday::Sunday,
        _ => return None,
    })
}

fn parse_rule(v: &str, zone: &TimeZone) -> Option<Rule> {
    let mut r = Rule {
        freq: String::new(),
        interval: 1,
        count: None,
        until: None,
        by_day: Vec::new(),
        by_month_day: Vec::new(),
    };
    for part in v.split(';') {
        let (k, val) = part.split_once('=')?;
        match k.to_ascii_uppercase().as_str() {
            "FREQ" => r.freq = val.to_ascii_uppercase(),
            "INTERVAL" => r.interval = val.parse().ok().filter(|n: &i64| *n > 0)?,
            "COUNT" => r.count = val.parse().ok(),
            "UNTIL" => {
                r.until = parse_value(val, None, None, zone).map(|w| match w {
                    // A day-only UNTIL includes that whole day.
                    When::Day(d, tz) => d
                        .tomorrow()
                        .ok()
                        .and_then(|t| t.to_zoned(tz).ok())
                        .map(|z| z.timestamp())
                        .unwrap_or(jiff::Timestamp::MAX),
                    When::At(z) => z.timestamp(),
                })
            }
            "BYDAY" => {
                for d in val.split(',') {
                    let d = d.trim().to_ascii_uppercase();
                    let (n, w) = d.split_at(d.len().saturating_sub(2));
                    r.by_day.push((n.parse().ok(), weekday(w)?));
                }
            }
            "BYMONTHDAY" => {
                r.by_month_day = val
                    .split(',')
                    .filter_map(|d| d.trim().parse().ok())
                    .collect()
            }
            _ => {}
        }
    }
    matches!(r.freq.as_str(), "DAILY" | "WEEKLY" | "MONTHLY" | "YEARLY").then_some(r)
}

/// The days of the month `d` is in that `rule` picks.
fn month_days(rule: &Rule, d: Date) -> Vec<Date> {
    let first = d.first_of_month();
    let len = d.days_in_month();
    let mut days: Vec<Date> = Vec::new();
    for &md in &rule.by_month_day {
        let day = if md > 0 { md } else { len + md + 1 };
        if (1..=len).contains(&day)
            && let Ok(x) = first.with().day(day).build()
        {
            days.push(x);
        }
    }
    for &(n, w) in &rule.by_day {
        let all: Vec<Date> = (0..len)
            .filter_map(|i| first.checked_add(i64::from(i).days()).ok())
            .filter(|x| x.weekday() == w)
            .collect();
        match n {
            Some(n) if n > 0 => days.extend(all.get(n as usize - 1)),
            Some(n) if n < 0 => days.extend(
                all.len()
                    .checked_sub((-n) as usize)
                    .and_then(|i| all.get(i)),
            ),
            _ => days.extend(all),
        }
    }
    if days.is_empty() {
        days.extend(
            first
                .with()
                .day(d.day())
                .build()
                .ok()
                .filter(|_| d.day() <= len),
        );
    }
    days.sort();
    days.dedup();
    days
}

/// The starts of a recurring event from `start`, until `to` (or its end).
fn occurrences(start: &Zoned, rule: &Rule, to: jiff::Timestamp) -> Vec<Zoned> {
    let mut out = Vec::new();
    let time = start.datetime().time();
    let tz = start.time_zone().clone();
    let mut emitted = 0usize;
    let step: Span = match rule.freq.as_str() {
        "DAILY" => rule.interval.days(),
        "WEEKLY" => (rule.interval * 7).days(),
        "MONTHLY" => rule.interval.months(),
        _ => rule.interval.years(),
    };
    // Each period (a day, a week from the start's Monday, a month, a year)
    // gives its days; each day at the start's time of day.
    let d0 = start.date();
    let mut period = match rule.freq.as_str() {
        "WEEKLY" => d0
            .checked_sub(i64::from(d0.weekday().to_monday_zero_offset()).days())
            .unwrap_or(d0),
        "MONTHLY" => d0.first_of_month(),
        _ => d0,
    };
    for _ in 0..MAX_STEPS {
        let days: Vec<Date> = match rule.freq.as_str() {
            "WEEKLY" if !rule.by_day.is_empty() => {
                let mut v: Vec<Date> = rule
                    .by_day
                    .iter()
                    .filter_map(|(_, w)| {
                        period
                            .checked_add(i64::from(w.to_monday_zero_offset()).days())
                            .ok()
                    })
                    .collect();
                v.sort();
                v
            }
            "WEEKLY" => vec![
                period
                    .checked_add(i64::from(d0.weekday().to_monday_zero_offset()).days())
                    .unwrap_or(period),
            ],
            "MONTHLY" => month_days(rule, period),
            "YEARLY" => vec![period],
            _ => vec![period],
        };
        for day in days {
            if day < d0 {
                continue;
            }
            let Ok(z) = day.to_datetime(time).to_zoned(tz.clone()) else {
                continue;
            };
            if rule.until.is_some_and(|u| z.timestamp() > u) || z.timestamp() >= to {
                return out;
            }
            if rule.count.is_some_and(|c| emitted >= c) {
                return out;
            }
            emitted += 1;
            out.push(z);
        }
        match period.checked_add(step) {
            Ok(p) => period = p,
            Err(_) => break,
        }
    }
    out
}

/// Every busy stretch of the calendar `text` that overlaps `[from, to)`,
/// sorted. Floating times and all-day events are read in `zone` (the
/// person's). An error says what is wrong with the file.
pub fn busy_times(
    text: &str,
    from: Timestamp,
    to: Timestamp,
    zone: &str,
) -> Result<Vec<Busy>, String> {
    let tz = TimeZone::get(zone).unwrap_or(TimeZone::UTC);
    let events = events_of(text)?;
    let (from_j, to_j) = (ts(from), ts(to));
    // Single instances moved or cancelled: (UID, original start).
    let mut replaced: HashSet<(String, jiff::Timestamp)> = HashSet::new();
    for e in &events {
        if let (Some(uid), Some(rid)) = (e.get("UID"), e.get("RECURRENCE-ID"))
            && let Some(w) = parse_when(rid, &tz)
        {
            replaced.insert((uid.value.clone(), w.zoned().timestamp()));
        }
    }
    let mut out = Vec::new();
    for e in &events {
        let Some(start) = e.get("DTSTART").and_then(|p| parse_when(p, &tz)) else {
            continue;
        };
        let length = length_of(e, &start, &tz);
        let uid = e.get("UID").map(|p| p.value.clone()).unwrap_or_default();
        let is_override = e.get("RECURRENCE-ID").is_some();
        let mut excluded: HashSet<jiff::Timestamp> = HashSet::new();
        for ex in e.all("EXDATE") {
            for v in ex.value.split(',') {
                if let Some(w) = parse_value(v, ex.param("VALUE"), ex.param("TZID"), &tz) {
                    excluded.insert(w.zoned().timestamp());
                }
            }
        }
        let first = start.zoned();
        let starts = match e.get("RRULE").and_then(|r| parse_rule(&r.value, &tz)) {
            Some(rule) if !is_override => occurrences(&first, &rule, to_j),
            _ => vec![first],
        };
        if !e.makes_busy() {
            continue;
        }
        for s in starts {
            let at = s.timestamp();
            if excluded.contains(&at) || (!is_override && replaced.contains(&(uid.clone(), at))) {
                continue;
            }
            let Ok(end) = s.checked_add(length) else {
                continue;
            };
            let end = end.timestamp();
            if end > from_j && at < to_j && end > at {
                out.push(Busy {
                    start: Timestamp::from_micros(at.as_microsecond()),
                    end: Timestamp::from_micros(end.as_microsecond()),
                });
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn ts(t: Timestamp) -> jiff::Timestamp {
    jiff::Timestamp::from_microsecond(t.as_micros()).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// How long each instance lasts: to `DTEND`, for `DURATION`, or a day
/// (all-day events) or nothing (a moment) without either.
fn length_of(e: &RawEvent, start: &When, tz: &TimeZone) -> Span {
    if let Some(end) = e.get("DTEND").and_then(|p| parse_when(p, tz)) {
        let (s, en) = (start.zoned(), end.zoned());
        return match (start, &end) {
            // Whole days stay whole days across a clock change.
            (When::Day(a, _), When::Day(b, _)) => a
                .until(*b)
                .map(|sp| sp.days(sp.get_days()))
                .unwrap_or(1.day()),
            _ => (en.timestamp().as_second() - s.timestamp().as_second())
                .max(0)
                .seconds(),
        };
    }
    if let Some(d) = e.get("DURATION").and_then(|p| parse_duration(&p.value)) {
        return d;
    }
    match start {
        When::Day(..) => 1.day(),
        When::At(_) => Span::new(),
    }
}

#[cfg(test)]
mod tests;
