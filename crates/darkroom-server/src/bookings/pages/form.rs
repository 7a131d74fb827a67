//! The booking form as typed: a date and a time of day in the place's zone,
//! a length, the people and resources ticked; turned into the API's
//! instants, and the core's field names mapped back onto the form's.

use darkroom_domain::Timestamp;
use darkroom_domain::booking::instant_in;
use serde::Serialize;

/// What the booking form sent (repeated `staff` and `resources` keys).
#[derive(Clone, Debug, Default, Serialize)]
pub struct BookingForm {
    pub branch_id: String,
    pub title: String,
    pub kind: String,
    pub status: String,
    pub client_id: String,
    pub date: String,
    pub start: String,
    pub duration: String,
    pub time_zone: String,
    pub location: String,
    pub travel: String,
    pub buffer_before: String,
    pub buffer_after: String,
    pub notes: String,
    pub staff: Vec<String>,
    pub resources: Vec<String>,
    /// A package whose rooms, gear and people the booking holds too.
    pub package_id: String,
    /// A free time offered after a refusal (RFC 3339), chosen with its button.
    pub use_start: String,
    pub version: String,
    pub reason: String,
}

impl BookingForm {
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            let slot = match k.as_str() {
                "staff" => {
                    f.staff.push(v);
                    continue;
                }
                "resources" => {
                    f.resources.push(v);
                    continue;
                }
                "branch_id" => &mut f.branch_id,
                "title" => &mut f.title,
                "kind" => &mut f.kind,
                "status" => &mut f.status,
                "client_id" => &mut f.client_id,
                "date" => &mut f.date,
                "start" => &mut f.start,
                "duration" => &mut f.duration,
                "time_zone" => &mut f.time_zone,
                "location" => &mut f.location,
                "travel" => &mut f.travel,
                "buffer_before" => &mut f.buffer_before,
                "buffer_after" => &mut f.buffer_after,
                "notes" => &mut f.notes,
                "use_start" => &mut f.use_start,
                "version" => &mut f.version,
                "reason" => &mut f.reason,
                "package_id" => &mut f.package_id,
                _ => continue,
            };
            *slot = v;
        }
        f
    }

    /// Minutes typed in `field` (`""` is `default`).
    pub fn minutes(raw: &str, default: i64) -> Result<i64, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(default);
        }
        raw.parse::<i64>()
            .ok()
            .filter(|m| (0..=14 * 24 * 60).contains(m))
            .ok_or_else(|| {
                format!("`{raw}` is not a number of minutes; give a whole number, e.g. 60")
            })
    }

    /// The start and end the form means, in `zone`: a chosen free time
    /// wins over the typed date and time.
    pub fn range(&self, zone: &str) -> Result<(Timestamp, Timestamp), (&'static str, String)> {
        let start = if self.use_start.trim().is_empty() {
            instant_in(zone, &self.date, &self.start).map_err(|m| {
                if m.contains("date") {
                    ("date", m)
                } else {
                    ("start", m)
                }
            })?
        } else {
            Timestamp::parse_rfc3339(self.use_start.trim()).map_err(|m| ("start", m))?
        };
        let length = Self::minutes(&self.duration, 60).map_err(|m| ("duration", m))?;
        if length == 0 {
            return Err(("duration", "a booking lasts at least a minute".into()));
        }
        Ok((
            start,
            start.plus(std::time::Duration::from_secs(
                u64::try_from(length).unwrap_or(0) * 60,
            )),
        ))
    }
}

/// The form's field for a field the core named.
pub fn form_field(core_field: &str) -> &str {
    match core_field {
        "starts_at" => "start",
        "ends_at" => "duration",
        "travel_minutes" => "travel",
        "buffer_before_minutes" => "buffer_before",
        "buffer_after_minutes" => "buffer_after",
        f if f.starts_with("staff") => "staff",
        f if f.starts_with("resource_ids") => "resources",
        f => f,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_collect_and_the_range_is_read_in_the_zone() {
        let f = BookingForm::from_pairs(vec![
            ("staff".into(), "usr_a".into()),
            ("staff".into(), "usr_b".into()),
            ("date".into(), "2027-03-14".into()),
            ("start".into(), "09:00".into()),
            ("duration".into(), "90".into()),
        ]);
        assert_eq!(f.staff, ["usr_a", "usr_b"]);
        let (s, e) = f.range("America/New_York").unwrap();
        assert_eq!(
            (s.to_rfc3339(), e.to_rfc3339()),
            ("2027-03-14T13:00:00Z".into(), "2027-03-14T14:30:00Z".into())
        );
        let mut gap = f.clone();
        gap.start = "02:30".into();
        assert_eq!(gap.range("America/New_York").unwrap_err().0, "start");
        let mut bad = f;
        bad.duration = "ninety".into();
        assert_eq!(bad.range("UTC").unwrap_err().0, "duration");
    }
}
