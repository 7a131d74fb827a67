use super::*;

fn at(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).unwrap()
}

fn tz(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap()
}

fn rules(duration: i64, increment: i64) -> SlotRules {
    SlotRules {
        duration: minutes(duration),
        buffer_before: minutes(0),
        buffer_after: minutes(0),
        min_notice: minutes(0),
        horizon: minutes(400 * 24 * 60),
        increment: minutes(increment),
    }
}

/// Every start on one local day (the whole day, seen from a long way back).
fn day(zone: &str, from: &str, to: &str, hours: &[DayHours], r: &SlotRules) -> Vec<String> {
    let w = Span::new(at(from), at(to)).unwrap();
    free_starts(r, hours, &tz(zone), w, at("2026-12-01T00:00:00Z"), &[])
        .into_iter()
        .map(|t| t.to_rfc3339())
        .collect()
}

fn sunday(from: &str, to: &str) -> Vec<DayHours> {
    vec![DayHours::new(7, parse_hhmm(from).unwrap(), parse_hhmm(to).unwrap()).unwrap()]
}

#[test]
fn new_york_keeps_nine_oclock_across_spring_forward() {
    let hours = vec![
        DayHours::new(6, 9 * 60, 10 * 60).unwrap(),
        DayHours::new(7, 9 * 60, 10 * 60).unwrap(),
    ];
    // 2027-03-14: clocks go from 02:00 EST to 03:00 EDT.
    let got = day(
        "America/New_York",
        "2027-03-13T00:00:00Z",
        "2027-03-15T00:00:00Z",
        &hours,
        &rules(30, 30),
    );
    assert_eq!(
        got,
        [
            "2027-03-13T14:00:00Z",
            "2027-03-13T14:30:00Z",
            "2027-03-14T13:00:00Z",
            "2027-03-14T13:30:00Z"
        ]
    );
}

#[test]
fn new_york_hours_across_the_skipped_and_repeated_hour() {
    // Spring forward: 01:00 EST (06:00Z) to 04:00 EDT (08:00Z) is two hours.
    let got = day(
        "America/New_York",
        "2027-03-14T00:00:00Z",
        "2027-03-15T00:00:00Z",
        &sunday("01:00", "04:00"),
        &rules(60, 30),
    );
    assert_eq!(
        got,
        [
            "2027-03-14T06:00:00Z",
            "2027-03-14T06:30:00Z",
            "2027-03-14T07:00:00Z"
        ]
    );
    // Fall back (2027-11-07): 01:00 EDT (05:00Z) to 04:00 EST (09:00Z) is four hours.
    let got = day(
        "America/New_York",
        "2027-11-07T00:00:00Z",
        "2027-11-08T00:00:00Z",
        &sunday("01:00", "04:00"),
        &rules(60, 60),
    );
    assert_eq!(
        got,
        [
            "2027-11-07T05:00:00Z",
            "2027-11-07T06:00:00Z",
            "2027-11-07T07:00:00Z",
            "2027-11-07T08:00:00Z"
        ]
    );
}

#[test]
fn berlin_spring_forward_and_fall_back() {
    // 2027-03-28: 02:00 CET becomes 03:00 CEST. 09:00 is 07:00Z after, 08:00Z the Sunday before.
    let r = rules(60, 60);
    let before = day(
        "Europe/Berlin",
        "2027-03-21T00:00:00Z",
        "2027-03-22T00:00:00Z",
        &sunday("09:00", "10:00"),
        &r,
    );
    let after = day(
        "Europe/Berlin",
        "2027-03-28T00:00:00Z",
        "2027-03-29T00:00:00Z",
        &sunday("09:00", "10:00"),
        &r,
    );
    assert_eq!(before, ["2027-03-21T08:00:00Z"]);
    assert_eq!(after, ["2027-03-28T07:00:00Z"]);
    // A window that starts in the skipped hour (02:30 does not exist) opens at 03:30 CEST.
    let skipped = day(
        "Europe/Berlin",
        "2027-03-28T00:00:00Z",
        "2027-03-29T00:00:00Z",
        &sunday("02:30", "04:30"),
        &r,
    );
    assert_eq!(skipped, ["2027-03-28T01:30:00Z"]);
    // 2027-10-31: 03:00 CEST becomes 02:00 CET; 02:00-04:00 holds three hours.
    let back = day(
        "Europe/Berlin",
        "2027-10-31T00:00:00Z",
        "2027-11-01T00:00:00Z",
        &sunday("02:00", "04:00"),
        &r,
    );
    assert_eq!(
        back,
        [
            "2027-10-31T00:00:00Z",
            "2027-10-31T01:00:00Z",
            "2027-10-31T02:00:00Z"
        ]
    );
}

#[test]
fn seoul_and_kolkata_have_no_clock_changes() {
    let r = rules(60, 60);
    for (date, next) in [("2027-03-14", "2027-03-15"), ("2027-11-07", "2027-11-08")] {
        let from = format!("{date}T00:00:00Z");
        let to = format!("{next}T00:00:00Z");
        let seoul = day("Asia/Seoul", &from, &to, &sunday("09:00", "10:00"), &r);
        let kolkata = day("Asia/Kolkata", &from, &to, &sunday("09:00", "10:00"), &r);
        // The window is a UTC day: Seoul's 09:00 of that Sunday is its 00:00Z.
        assert_eq!(seoul, [format!("{date}T00:00:00Z")]);
        assert_eq!(kolkata, [format!("{date}T03:30:00Z")]);
    }
}

#[test]
fn busy_times_buffers_notice_and_horizon_remove_starts() {
    let hours = sunday("09:00", "12:00");
    let utc = tz("UTC");
    let w = Span::new(at("2027-03-14T00:00:00Z"), at("2027-03-15T00:00:00Z")).unwrap();
    let mut r = rules(60, 60);
    let now = at("2027-03-01T00:00:00Z");
    let all = free_starts(&r, &hours, &utc, w, now, &[]);
    assert_eq!(all.len(), 3);
    // Busy 10:00-10:30: only 09:00 would touch it... it overlaps 09:00-10:00? No: 10:00 is the end.
    let busy = [Span::new(at("2027-03-14T10:00:00Z"), at("2027-03-14T10:30:00Z")).unwrap()];
    let got = free_starts(&r, &hours, &utc, w, now, &busy);
    assert_eq!(
        got,
        [at("2027-03-14T09:00:00Z"), at("2027-03-14T11:00:00Z")]
    );
    // A 15-minute buffer after each session: 09:00 now runs into the busy range.
    r.buffer_after = minutes(15);
    let got = free_starts(&r, &hours, &utc, w, now, &busy);
    assert_eq!(got, [at("2027-03-14T11:00:00Z")]);
    // Minimum notice: booking at 08:30 with two hours' notice leaves 11:00 only.
    r.buffer_after = minutes(0);
    r.min_notice = minutes(120);
    let got = free_starts(&r, &hours, &utc, w, at("2027-03-14T08:30:00Z"), &[]);
    assert_eq!(got, [at("2027-03-14T11:00:00Z")]);
    // Horizon: a week ahead at most.
    r.min_notice = minutes(0);
    r.horizon = minutes(7 * 24 * 60);
    assert!(free_starts(&r, &hours, &utc, w, now, &[]).is_empty());
}

#[test]
fn nearest_free_offers_the_closest_starts_on_both_sides() {
    let wanted = Span::new(at("2027-03-14T10:00:00Z"), at("2027-03-14T11:00:00Z")).unwrap();
    let busy = [Span::new(at("2027-03-14T09:30:00Z"), at("2027-03-14T11:30:00Z")).unwrap()];
    let got = nearest_free(
        wanted,
        (minutes(0), minutes(0)),
        &busy,
        minutes(30),
        minutes(24 * 60),
        at("2027-03-01T00:00:00Z"),
        2,
    );
    assert_eq!(
        got.iter().map(|s| s.start).collect::<Vec<_>>(),
        // As near either side: the later one first.
        [at("2027-03-14T11:30:00Z"), at("2027-03-14T08:30:00Z")]
    );
    assert!(got.iter().all(|s| s.length() == wanted.length()));
    // Nothing before `not_before`.
    let got = nearest_free(
        wanted,
        (minutes(0), minutes(0)),
        &busy,
        minutes(30),
        minutes(600),
        at("2027-03-14T10:00:00Z"),
        1,
    );
    assert_eq!(got[0].start, at("2027-03-14T11:30:00Z"));
}

#[test]
fn ranges_must_start_before_they_end_and_not_run_for_weeks() {
    let a = at("2027-03-14T10:00:00Z");
    assert!(
        Span::new(a, a)
            .unwrap_err()
            .contains("before or when it starts")
    );
    assert!(Span::new(a, a.minus(minutes(1))).is_err());
    assert!(
        Span::new(a, a.plus(minutes(15 * 24 * 60)))
            .unwrap_err()
            .contains("14 days")
    );
    let s = Span::new(a, a.plus(minutes(60))).unwrap();
    assert!(s.overlaps(&s));
    assert!(!s.overlaps(&s.moved_to(a.plus(minutes(60)))));
}

#[test]
fn statuses_move_forward_and_only_early_ones_cancel() {
    use BookingStatus::*;
    assert!(Tentative.may_become(Scheduled));
    assert!(Scheduled.may_become(Cancelled));
    assert!(!Completed.may_become(Cancelled));
    assert!(!Cancelled.may_become(Scheduled));
    assert!(!Delivered.may_become(Processing));
    assert!(!Cancelled.holds() && Tentative.holds());
}

#[test]
fn hours_and_times_of_day_are_checked() {
    assert_eq!(parse_hhmm("09:30"), Ok(570));
    assert_eq!(parse_hhmm("24:00"), Ok(1440));
    assert!(parse_hhmm("24:30").is_err());
    assert!(parse_hhmm("9h").unwrap_err().contains("not a time of day"));
    assert!(DayHours::new(8, 0, 60).unwrap_err().contains("weekday"));
    assert!(
        DayHours::new(1, 600, 540)
            .unwrap_err()
            .contains("before or when")
    );
}

#[test]
fn saturated_ranges_are_where_every_unit_is_taken() {
    let s = |a: &str, b: &str| Span::new(at(a), at(b)).unwrap();
    let spans = [
        s("2027-01-01T09:00:00Z", "2027-01-01T11:00:00Z"),
        s("2027-01-01T10:00:00Z", "2027-01-01T12:00:00Z"),
        s("2027-01-01T11:00:00Z", "2027-01-01T13:00:00Z"),
    ];
    assert_eq!(
        saturated(&spans, 2),
        [s("2027-01-01T10:00:00Z", "2027-01-01T12:00:00Z")]
    );
    assert_eq!(
        saturated(&spans, 1),
        [s("2027-01-01T09:00:00Z", "2027-01-01T13:00:00Z")]
    );
    assert!(saturated(&spans, 3).is_empty());
}

#[test]
fn typed_local_times_become_one_instant_or_a_clear_refusal() {
    assert_eq!(
        instant_in("America/New_York", "2027-03-14", "09:00"),
        Ok(at("2027-03-14T13:00:00Z"))
    );
    assert_eq!(
        instant_in("Asia/Kolkata", "2027-03-14", "09:00"),
        Ok(at("2027-03-14T03:30:00Z"))
    );
    let gap = instant_in("America/New_York", "2027-03-14", "02:30").unwrap_err();
    assert!(gap.contains("does not exist"), "{gap}");
    let fold = instant_in("Europe/Berlin", "2027-10-31", "02:30").unwrap_err();
    assert!(fold.contains("happens twice"), "{fold}");
    assert!(
        instant_in("Mars/Base", "2027-03-14", "09:00")
            .unwrap_err()
            .contains("time zone")
    );
    assert!(
        instant_in("UTC", "14/03/2027", "09:00")
            .unwrap_err()
            .contains("YYYY-MM-DD")
    );
}
