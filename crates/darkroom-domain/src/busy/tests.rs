use super::*;

fn at(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).unwrap()
}

fn spans(v: &[Busy]) -> Vec<(String, String)> {
    v.iter()
        .map(|b| (b.start.to_rfc3339(), b.end.to_rfc3339()))
        .collect()
}

/// The shape Google Calendar publishes (CRLF, folding, a VTIMEZONE, alarms).
const FEED: &str = "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:America/New_York\r\nBEGIN:STANDARD\r\nDTSTART:19701101T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n\
BEGIN:VEVENT\r\nDTSTART;TZID=America/New_York:20270310T090000\r\nDTEND;TZID=America/New_York:20270310T100000\r\nUID:one@google.com\r\nSUMMARY:Dentist with a very long title that Google folds across\r\n  two lines\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-P0DT0H30M0S\r\nEND:VALARM\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART:20270301T170000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4\r\nEXDATE:20270303T170000Z\r\nUID:gym@google.com\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART:20270308T190000Z\r\nDTEND:20270308T200000Z\r\nRECURRENCE-ID:20270308T170000Z\r\nUID:gym@google.com\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART:20270311T090000Z\r\nDTEND:20270311T100000Z\r\nTRANSP:TRANSPARENT\r\nUID:free@google.com\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART:20270311T110000Z\r\nDTEND:20270311T120000Z\r\nSTATUS:CANCELLED\r\nUID:off@google.com\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270312\r\nDTEND;VALUE=DATE:20270313\r\nUID:allday@google.com\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART:20270326T100000Z\r\nDTEND:20270326T110000Z\r\nRRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=2\r\nUID:review@google.com\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

#[test]
fn reads_a_google_feed_with_rules_exceptions_and_whole_days() {
    let busy = busy_times(
        FEED,
        at("2027-03-01T00:00:00Z"),
        at("2027-06-01T00:00:00Z"),
        "Asia/Kolkata",
    )
    .unwrap();
    let got = spans(&busy);
    let want: Vec<(String, String)> = [
        // Weekly Mondays and Wednesdays, the 3rd excluded, the 8th moved.
        ("2027-03-01T17:00:00Z", "2027-03-01T18:00:00Z"),
        ("2027-03-08T19:00:00Z", "2027-03-08T20:00:00Z"),
        ("2027-03-10T14:00:00Z", "2027-03-10T15:00:00Z"),
        ("2027-03-10T17:00:00Z", "2027-03-10T18:00:00Z"),
        // A whole day where the person is (India).
        ("2027-03-11T18:30:00Z", "2027-03-12T18:30:00Z"),
        // The last Friday of March and of April.
        ("2027-03-26T10:00:00Z", "2027-03-26T11:00:00Z"),
        ("2027-04-30T10:00:00Z", "2027-04-30T11:00:00Z"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn a_window_cuts_endless_rules_and_zones_follow_daylight_saving() {
    let feed = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;TZID=Pacific Standard Time:20270301T090000\nDTEND;TZID=Pacific Standard Time:20270301T093000\nRRULE:FREQ=DAILY;INTERVAL=7\nUID:x\nEND:VEVENT\nEND:VCALENDAR\n";
    let busy = busy_times(
        feed,
        at("2027-03-01T00:00:00Z"),
        at("2027-03-20T00:00:00Z"),
        "UTC",
    )
    .unwrap();
    // 9:00 in Los Angeles: 17:00Z before the switch on 14 March, 16:00Z after.
    assert_eq!(
        spans(&busy).into_iter().map(|(a, _)| a).collect::<Vec<_>>(),
        vec![
            "2027-03-01T17:00:00Z",
            "2027-03-08T17:00:00Z",
            "2027-03-15T16:00:00Z"
        ]
    );
}

#[test]
fn until_and_monthly_days_and_bad_files() {
    let feed = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20270115T080000Z\nDTEND:20270115T090000Z\nRRULE:FREQ=MONTHLY;BYMONTHDAY=15,-1;UNTIL=20270301\nUID:m\nEND:VEVENT\nEND:VCALENDAR\n";
    let busy = busy_times(
        feed,
        at("2027-01-01T00:00:00Z"),
        at("2028-01-01T00:00:00Z"),
        "UTC",
    )
    .unwrap();
    assert_eq!(
        spans(&busy).into_iter().map(|(a, _)| a).collect::<Vec<_>>(),
        vec![
            "2027-01-15T08:00:00Z",
            "2027-01-31T08:00:00Z",
            "2027-02-15T08:00:00Z",
            "2027-02-28T08:00:00Z"
        ]
    );
    let e = busy_times(
        "<html>login</html>",
        at("2027-01-01T00:00:00Z"),
        at("2027-02-01T00:00:00Z"),
        "UTC",
    )
    .unwrap_err();
    assert!(e.contains("BEGIN:VCALENDAR"), "{e}");
    let d = parse_duration("P1DT2H").unwrap();
    assert_eq!((d.get_days(), d.get_seconds()), (1, 7200));
    assert_eq!(
        parse_duration("-PT15M").map(|s| s.get_seconds()),
        Some(-900)
    );
}
