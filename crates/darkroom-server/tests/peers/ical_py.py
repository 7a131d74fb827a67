"""Parses an iCalendar feed with Python's `icalendar` (an independent
implementation) and prints one JSON line per event: uid, sequence, status,
and start and end as UTC instants (resolved through the feed's own
VTIMEZONE for each TZID)."""
import json
import sys
from datetime import timezone

import icalendar

cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
zones = {str(tz["TZID"]): tz.to_tz() for tz in cal.walk("VTIMEZONE")}
for ev in cal.walk("VEVENT"):
    out = {}
    for key in ("DTSTART", "DTEND"):
        prop = ev[key]
        dt = prop.dt
        tzid = prop.params.get("TZID")
        assert tzid in zones, f"{key} names TZID {tzid} with no VTIMEZONE"
        # Resolve through the feed's own VTIMEZONE, not the system's database
        # (`to_tz` gives a pytz-style zone, which places a wall time with `localize`).
        tz = zones[tzid]
        local = dt.replace(tzinfo=None)
        aware = tz.localize(local) if hasattr(tz, "localize") else local.replace(tzinfo=tz)
        out[key.lower()] = aware.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    out["uid"] = str(ev["UID"])
    out["sequence"] = int(ev["SEQUENCE"])
    out["status"] = str(ev["STATUS"])
    out["summary"] = str(ev["SUMMARY"])
    print(json.dumps(out, sort_keys=True))
