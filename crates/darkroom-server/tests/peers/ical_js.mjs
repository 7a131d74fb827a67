// Parses an iCalendar feed with ical.js (Mozilla's, an independent
// implementation) and prints one JSON line per event: uid, sequence,
// status, and start and end as UTC instants, resolved through the feed's
// own VTIMEZONE components.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(process.argv[2] + "/");
const ICAL = require("ical.js");
const text = readFileSync(process.argv[3], "utf8");
const comp = new ICAL.Component(ICAL.parse(text));
for (const vtz of comp.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(vtz));
}
const iso = (t) => new Date(t.toUnixTime() * 1000).toISOString().replace(".000Z", "Z");
for (const v of comp.getAllSubcomponents("vevent")) {
  const e = new ICAL.Event(v);
  const tzid = v.getFirstProperty("dtstart").getParameter("tzid");
  if (!ICAL.TimezoneService.has(tzid)) throw new Error(`no VTIMEZONE for ${tzid}`);
  const out = {
    dtend: iso(e.endDate),
    dtstart: iso(e.startDate),
    sequence: e.sequence,
    status: v.getFirstPropertyValue("status"),
    summary: e.summary,
    uid: e.uid,
  };
  console.log(JSON.stringify(out, Object.keys(out).sort()));
}
