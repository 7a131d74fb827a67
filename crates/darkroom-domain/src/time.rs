//! Instants and clocks.
//!
//! Instants are stored as UTC microseconds since the Unix epoch: exact,
//! sortable and identical on every database engine. The IANA zone a person
//! cares about is stored beside them where it matters (studios, branches,
//! users, bookings). The clock is injected so that expiry rules are tested
//! without sleeping.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A UTC instant with microsecond precision.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_micros(micros: i64) -> Self {
        Self(micros)
    }

    pub const fn as_micros(self) -> i64 {
        self.0
    }

    /// The system's current time.
    pub fn now_system() -> Self {
        let micros = jiff::Timestamp::now().as_microsecond();
        Self(micros)
    }

    pub fn plus(self, d: Duration) -> Self {
        Self(
            self.0
                .saturating_add(i64::try_from(d.as_micros()).unwrap_or(i64::MAX)),
        )
    }

    pub fn minus(self, d: Duration) -> Self {
        Self(
            self.0
                .saturating_sub(i64::try_from(d.as_micros()).unwrap_or(i64::MAX)),
        )
    }

    /// Time from `earlier` to `self`, zero if `earlier` is later.
    pub fn since(self, earlier: Timestamp) -> Duration {
        Duration::from_micros(u64::try_from(self.0.saturating_sub(earlier.0)).unwrap_or(0))
    }

    /// The HTTP date of this instant (RFC 9110's IMF-fixdate), whole seconds:
    /// `Sun, 06 Nov 1994 08:49:37 GMT`.
    pub fn http_date(self) -> String {
        let secs = jiff::Timestamp::from_second(self.0.div_euclid(1_000_000))
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        jiff::fmt::rfc2822::DateTimePrinter::new()
            .timestamp_to_rfc9110_string(&secs)
            .unwrap_or_default()
    }

    fn to_jiff(self) -> jiff::Timestamp {
        jiff::Timestamp::from_microsecond(self.0).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
    }

    /// RFC 3339 in UTC, e.g. `2026-11-23T13:21:27.123456Z`.
    pub fn to_rfc3339(self) -> String {
        self.to_jiff().to_string()
    }

    /// Parses an RFC 3339 instant (any offset).
    pub fn parse_rfc3339(s: &str) -> Result<Self, String> {
        let ts: jiff::Timestamp = s.parse().map_err(|_| {
            format!("`{s}` is not an RFC 3339 date-time; use e.g. `2026-11-23T09:30:00Z`")
        })?;
        Ok(Self(ts.as_microsecond()))
    }

    /// Parses a date (`2026-11-23`) as midnight UTC, or a full RFC 3339 instant.
    pub fn parse_date_or_datetime(s: &str) -> Result<Self, String> {
        if let Ok(date) = s.parse::<jiff::civil::Date>()
            && s.len() == 10
        {
            let ts = date
                .to_zoned(jiff::tz::TimeZone::UTC)
                .map_err(|e| e.to_string())?
                .timestamp();
            return Ok(Self(ts.as_microsecond()));
        }
        Self::parse_rfc3339(s)
    }

    /// Formats for people: `2026-11-23 18:51` in the given IANA zone.
    pub fn format_in_zone(self, zone: &str) -> String {
        let tz = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
        let zoned = self.to_jiff().to_zoned(tz);
        zoned.strftime("%Y-%m-%d %H:%M %Z").to_string()
    }

    /// Day and time as people of `locale` write them, in the given IANA
    /// zone, with the zone's abbreviation: `23 Nov 2026, 09:30 IST` (en,
    /// en-IN, en-GB, ...), `Nov 23, 2026, 9:30 AM EST` (en-US),
    /// `2026년 11월 23일 09:30 KST` (ko).
    pub fn date_time(self, zone: &str, locale: &str) -> String {
        let tz = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
        let z = self.to_jiff().to_zoned(tz);
        let lang = locale.split(['-', '_']).next().unwrap_or("en");
        let pattern = match (lang, locale) {
            ("ko", _) => "%Y년 %-m월 %-d일 %H:%M %Z",
            (_, "en-US" | "en_US") => "%b %-d, %Y, %-I:%M %p %Z",
            _ => "%-d %b %Y, %H:%M %Z",
        };
        z.strftime(pattern).to_string()
    }

    /// The day as people of `locale` write it, in the given IANA zone:
    /// `30 January 2027` (en, en-IN, en-GB, ...), `January 30, 2027`
    /// (en-US), `2027년 1월 30일` (ko).
    pub fn long_date(self, zone: &str, locale: &str) -> String {
        let tz = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
        let d = self.to_jiff().to_zoned(tz).date();
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let month = MONTHS[usize::try_from(d.month() - 1).unwrap_or(0)];
        let lang = locale.split(['-', '_']).next().unwrap_or("en");
        match (lang, locale) {
            ("ko", _) => format!("{}년 {}월 {}일", d.year(), d.month(), d.day()),
            (_, "en-US" | "en_US") => format!("{month} {}, {}", d.day(), d.year()),
            _ => format!("{} {month} {}", d.day(), d.year()),
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Timestamp::parse_rfc3339(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Timestamp {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .examples(["2026-11-23T09:30:00Z"])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Timestamp {}

/// Where "now" comes from. Production uses the system clock; tests move a
/// manual clock forward to exercise expiry.
pub trait Clock: Send + Sync + fmt::Debug {
    fn now(&self) -> Timestamp;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now_system()
    }
}

/// A clock that starts at the system time plus an offset the test controls.
#[derive(Debug, Default, Clone)]
pub struct OffsetClock {
    offset_micros: Arc<AtomicI64>,
}

impl OffsetClock {
    /// Moves this clock (and every clone of it) forward.
    pub fn advance(&self, d: Duration) {
        let micros = i64::try_from(d.as_micros()).unwrap_or(i64::MAX);
        self.offset_micros.fetch_add(micros, Ordering::SeqCst);
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_micros(
            Timestamp::now_system().as_micros() + self.offset_micros.load(Ordering::SeqCst),
        )
    }
}

/// Checks an IANA time-zone name such as `Asia/Kolkata`.
pub fn check_time_zone(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a time zone is required, e.g. `Europe/London` or `Asia/Kolkata`".into());
    }
    jiff::tz::TimeZone::get(name).map(|_| ()).map_err(|_| {
        format!(
            "`{name}` is not a known IANA time zone; use a name such as `Europe/London`, \
             `America/New_York` or `Asia/Kolkata`"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_dates_follow_the_locale_and_the_zone() {
        // 23:59 UTC on 30 January is already 31 January in Seoul and Kolkata.
        let t = Timestamp::parse_rfc3339("2027-01-30T23:59:59Z").unwrap();
        assert_eq!(t.long_date("UTC", "en-IN"), "30 January 2027");
        assert_eq!(t.long_date("Asia/Kolkata", "en-IN"), "31 January 2027");
        assert_eq!(t.long_date("UTC", "en-US"), "January 30, 2027");
        assert_eq!(t.long_date("Asia/Seoul", "ko-KR"), "2027년 1월 31일");
        assert_eq!(t.long_date("Nowhere/Zone", "xx"), "30 January 2027");
    }

    #[test]
    fn rfc3339_round_trip() {
        let t = Timestamp::parse_rfc3339("2026-11-23T09:30:00.123456+05:30").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-23T04:00:00.123456Z");
        assert_eq!(Timestamp::parse_rfc3339(&t.to_rfc3339()), Ok(t));
    }

    #[test]
    fn date_only_is_midnight_utc() {
        let t = Timestamp::parse_date_or_datetime("2026-01-02").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-01-02T00:00:00Z");
        assert!(Timestamp::parse_date_or_datetime("yesterday").is_err());
    }

    #[test]
    fn time_zones() {
        assert!(check_time_zone("Asia/Kolkata").is_ok());
        assert!(check_time_zone("Asia/Seoul").is_ok());
        assert!(check_time_zone("Mars/Olympus").is_err());
        assert!(check_time_zone("").is_err());
    }

    #[test]
    fn offset_clock_moves_all_clones() {
        let c = OffsetClock::default();
        let c2 = c.clone();
        let before = c2.now();
        c.advance(Duration::from_secs(3600));
        assert!(c2.now().since(before) >= Duration::from_secs(3600));
    }

    #[test]
    fn formats_in_zone() {
        let t = Timestamp::parse_rfc3339("2026-11-23T04:00:00Z").unwrap();
        assert_eq!(t.format_in_zone("Asia/Kolkata"), "2026-11-23 09:30 IST");
    }

    #[test]
    fn writes_day_and_time_as_the_locale_does() {
        let t = Timestamp::parse_rfc3339("2026-11-23T04:00:00Z").unwrap();
        assert_eq!(
            t.date_time("Asia/Kolkata", "en-IN"),
            "23 Nov 2026, 09:30 IST"
        );
        assert_eq!(
            t.date_time("America/New_York", "en-US"),
            "Nov 22, 2026, 11:00 PM EST"
        );
        assert_eq!(
            t.date_time("Asia/Seoul", "ko-KR"),
            "2026년 11월 23일 13:00 KST"
        );
        assert_eq!(t.date_time("Not/AZone", "xx"), "23 Nov 2026, 04:00 UTC");
    }
}
