//! iCalendar (RFC 5545) feeds of bookings: stable UIDs, SEQUENCE bumped on
//! every change, STATUS:CANCELLED for cancellations, times in the place's
//! zone with a VTIMEZONE for every TZID (built from the bundled zone
//! database's own transitions, so any calendar shows the right hour).

use std::collections::BTreeSet;
use std::fmt::Write;

use jiff::tz::TimeZone;

use crate::Timestamp;

/// An event's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventStatus {
    Tentative,
    Confirmed,
    Cancelled,
}

/// One event of a feed.
#[derive(Clone, Debug)]
pub struct Event {
    /// Stable across changes: `bkg_…@host`.
    pub uid: String,
    pub sequence: i64,
    pub summary: String,
    pub description: Option<String>,
    pub location: Option<String>,
    pub start: Timestamp,
    pub end: Timestamp,
    /// The IANA zone of the place.
    pub zone: String,
    pub status: EventStatus,
    pub updated: Timestamp,
}

/// Escapes a TEXT value (RFC 5545 3.3.11).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets (never inside a UTF-8 character) and
/// ends it with CRLF.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for ch in content.chars() {
        let n = ch.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += n;
    }
    out.push_str("\r\n");
}

fn utc(t: Timestamp) -> String {
    jiff::Timestamp::from_microsecond(t.as_micros())
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string()
}

fn local(t: Timestamp, tz: &TimeZone) -> String {
    jiff::Timestamp::from_microsecond(t.as_micros())
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(tz.clone())
        .strftime("%Y%m%dT%H%M%S")
        .to_string()
}

fn offset(o: jiff::tz::Offset) -> String {
    let secs = o.seconds();
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.abs();
    if a % 60 == 0 {
        format!("{sign}{:02}{:02}", a / 3600, (a % 3600) / 60)
    } else {
        format!("{sign}{:02}{:02}{:02}", a / 3600, (a % 3600) / 60, a % 60)
    }
}

/// The VTIMEZONE of `name` covering `[from, to]`: every transition in it,
/// and the one before it (which sets the offset at `from`).
fn vtimezone(out: &mut String, name: &str, from: Timestamp, to: Timestamp) {
    let Ok(tz) = TimeZone::get(name) else { return };
    let j = |t: Timestamp| {
        jiff::Timestamp::from_microsecond(t.as_micros()).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
    };
    line(out, "BEGIN:VTIMEZONE");
    line(out, &format!("TZID:{name}"));
    let mut transitions: Vec<jiff::Timestamp> = tz
        .preceding(j(from))
        .take(1)
        .map(|t| t.timestamp())
        .collect();
    transitions.extend(
        tz.following(j(from))
            .take_while(|t| t.timestamp() <= j(to))
            .take(200)
            .map(|t| t.timestamp()),
    );
    if transitions.is_empty() {
        let o = tz.to_offset(j(from));
        let abbr = tz.to_offset_info(j(from)).abbreviation().to_string();
        line(out, "BEGIN:STANDARD");
        line(out, "DTSTART:19700101T000000");
        line(out, &format!("TZOFFSETFROM:{}", offset(o)));
        line(out, &format!("TZOFFSETTO:{}", offset(o)));
        line(out, &format!("TZNAME:{}", escape(&abbr)));
        line(out, "END:STANDARD");
    }
    for t in transitions {
        let before = tz.to_offset(t - jiff::SignedDuration::from_secs(1));
        let info = tz.to_offset_info(t);
        let after = info.offset();
        let kind = if info.dst().is_dst() {
            "DAYLIGHT"
        } else {
            "STANDARD"
        };
        // DTSTART is the wall-clock time of the change, in the offset before it.
        let start = t
            .to_zoned(TimeZone::fixed(before))
            .strftime("%Y%m%dT%H%M%S")
            .to_string();
        line(out, &format!("BEGIN:{kind}"));
        line(out, &format!("DTSTART:{start}"));
        line(out, &format!("TZOFFSETFROM:{}", offset(before)));
        line(out, &format!("TZOFFSETTO:{}", offset(after)));
        line(out, &format!("TZNAME:{}", escape(info.abbreviation())));
        line(out, &format!("END:{kind}"));
    }
    line(out, "END:VTIMEZONE");
}

/// A whole feed: `name` is shown by calendar apps as the calendar's name.
pub fn calendar(name: &str, events: &[Event], now: Timestamp) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//Darkroom//Bookings//EN");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    let zones: BTreeSet<&str> = events.iter().map(|e| e.zone.as_str()).collect();
    for z in zones {
        let of_zone = events.iter().filter(|e| e.zone == z);
        let from = of_zone.clone().map(|e| e.start).min().unwrap_or(now);
        let to = of_zone.map(|e| e.end).max().unwrap_or(now);
        vtimezone(&mut out, z, from, to);
    }
    for e in events {
        let tz = TimeZone::get(&e.zone).unwrap_or(TimeZone::UTC);
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}", escape(&e.uid)));
        line(&mut out, &format!("DTSTAMP:{}", utc(now)));
        line(&mut out, &format!("LAST-MODIFIED:{}", utc(e.updated)));
        line(&mut out, &format!("SEQUENCE:{}", e.sequence.max(0)));
        line(
            &mut out,
            &format!("DTSTART;TZID={}:{}", e.zone, local(e.start, &tz)),
        );
        line(
            &mut out,
            &format!("DTEND;TZID={}:{}", e.zone, local(e.end, &tz)),
        );
        line(&mut out, &format!("SUMMARY:{}", escape(&e.summary)));
        if let Some(l) = &e.location {
            line(&mut out, &format!("LOCATION:{}", escape(l)));
        }
        if let Some(d) = &e.description {
            line(&mut out, &format!("DESCRIPTION:{}", escape(d)));
        }
        let status = match e.status {
            EventStatus::Tentative => "TENTATIVE",
            EventStatus::Confirmed => "CONFIRMED",
            EventStatus::Cancelled => "CANCELLED",
        };
        line(&mut out, &format!("STATUS:{status}"));
        let _ = write!(out, "");
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).unwrap()
    }

    fn event(zone: &str, start: &str, end: &str) -> Event {
        Event {
            uid: "bkg_1@darkroom.test".into(),
            sequence: 2,
            summary: "Headshots; Asha, Min-jun".into(),
            description: Some("Line one\nline two".into()),
            location: None,
            start: at(start),
            end: at(end),
            zone: zone.into(),
            status: EventStatus::Cancelled,
            updated: at("2027-01-01T00:00:00Z"),
        }
    }

    #[test]
    fn events_are_in_the_place_zone_with_its_transitions() {
        let cal = calendar(
            "Asha",
            &[event(
                "America/New_York",
                "2027-03-14T13:00:00Z",
                "2027-03-14T14:00:00Z",
            )],
            at("2027-01-01T00:00:00Z"),
        );
        assert!(
            cal.contains("DTSTART;TZID=America/New_York:20270314T090000\r\n"),
            "{cal}"
        );
        assert!(cal.contains("BEGIN:DAYLIGHT\r\nDTSTART:20270314T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\n"), "{cal}");
        assert!(cal.contains("SEQUENCE:2\r\n") && cal.contains("STATUS:CANCELLED\r\n"));
        assert!(cal.contains("SUMMARY:Headshots\\; Asha\\, Min-jun\r\n"));
        assert!(cal.contains("DESCRIPTION:Line one\\nline two\r\n"));
    }

    #[test]
    fn zones_without_changes_get_one_standard_part() {
        let cal = calendar(
            "Seoul",
            &[event(
                "Asia/Seoul",
                "2027-03-14T00:00:00Z",
                "2027-03-14T01:00:00Z",
            )],
            at("2027-01-01T00:00:00Z"),
        );
        // Seoul last changed its clocks in 1988: that change sets today's offset.
        assert!(cal.contains("TZOFFSETTO:+0900\r\nTZNAME:KST\r\n"), "{cal}");
        assert_eq!(
            cal.matches("BEGIN:STANDARD").count() + cal.matches("BEGIN:DAYLIGHT").count(),
            1
        );
        let utc = calendar(
            "UTC",
            &[event("UTC", "2027-03-14T00:00:00Z", "2027-03-14T01:00:00Z")],
            at("2027-01-01T00:00:00Z"),
        );
        assert!(
            utc.contains("DTSTART:19700101T000000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\n"),
            "{utc}"
        );
        assert!(cal.contains("DTSTART;TZID=Asia/Seoul:20270314T090000"));
    }

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let mut e = event("UTC", "2027-03-14T00:00:00Z", "2027-03-14T01:00:00Z");
        e.summary = "한".repeat(60);
        let cal = calendar("x", &[e], at("2027-01-01T00:00:00Z"));
        for l in cal.split("\r\n") {
            assert!(l.len() <= 75, "{l}");
        }
        let unfolded = cal.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("SUMMARY:{}", "한".repeat(60))));
    }
}
