//! Demo scheduling: each branch's rooms and gear, a public session type per
//! branch, the photographers' weekly hours, and a week of bookings that
//! hold people, rooms and cameras (one tentative, one cancelled).

use darkroom_domain::booking::{calendar, instant_in};
use darkroom_domain::field::{Line, Ranged};
use darkroom_domain::{BranchId, ResourceId, UserId};

use crate::bookings::availability::{self, Hours, WeekHours};
use crate::bookings::change::{self, StatusChange};
use crate::bookings::holds::StaffPick;
use crate::bookings::new::{self, NewBooking};
use crate::bookings::resource::{self, NewResource};
use crate::bookings::session_type::{self, NewSessionType};
use crate::kernel::error::CoreResult;
use crate::{Core, Meta, Principal};

/// (kind, name, serial, units) per branch.
const GEAR: [&[(&str, &str, &str, i64)]; 3] = [
    &[
        ("room", "Studio A (cyclorama)", "", 1),
        ("room", "Studio B (daylight)", "", 1),
        ("camera", "Canon EOS R5 #1", "CR5-0141", 1),
        ("camera", "Canon EOS R5 #2", "CR5-0188", 1),
        ("lens", "RF 85mm f/1.2", "RF85-2207", 1),
        ("lighting", "Godox AD600 Pro", "", 3),
    ],
    &[
        ("room", "Bandra studio", "", 1),
        ("camera", "Sony A7 IV", "SA7-5521", 1),
        ("lighting", "Profoto B10", "", 2),
    ],
    &[
        ("room", "Hanok suite", "", 1),
        ("room", "Garden studio", "", 1),
        ("camera", "Nikon Z8", "NZ8-3090", 1),
        ("space", "Dressing room", "", 1),
    ],
];

const TYPES: [(&str, i64, i64); 3] = [
    ("Headshot session", 30, 15),
    ("Family hour", 60, 15),
    ("Hanbok pre-wedding", 120, 30),
];

/// Fills scheduling. `people` are in the order of `PEOPLE`; `owner` shoots in Seoul.
pub(super) async fn demo_bookings(
    core: &Core,
    owner: &Principal,
    meta: &Meta,
    branches: [BranchId; 3],
    people: &[UserId],
) -> CoreResult<()> {
    let mut gear: Vec<Vec<ResourceId>> = Vec::new();
    for (b, list) in branches.iter().zip(GEAR) {
        let mut ids = Vec::new();
        for (kind, name, serial, units) in list {
            let input = NewResource {
                id: None,
                branch_id: *b,
                kind: (*kind).into(),
                name: (*name).into(),
                serial_number: (!serial.is_empty()).then(|| (*serial).into()),
                quantity: Some(Ranged(*units)),
                status: None,
                notes: None,
            };
            ids.push(resource::create(core, owner, meta, input).await?.id);
        }
        gear.push(ids);
    }
    // Meera in Bengaluru, Kabir in Mumbai, the owner in Seoul; Rohan assists in Bengaluru.
    let shooters = [people[1], people[2], owner.user];
    for (i, (b, who)) in branches.iter().zip(shooters).enumerate() {
        let hours = (1..=6)
            .map(|d| Hours {
                branch_id: *b,
                weekday: d,
                from: "10:00".into(),
                to: "18:00".into(),
            })
            .collect();
        availability::set_hours(core, owner, meta, who, WeekHours { hours }).await?;
        let (name, minutes, buffer) = TYPES[i];
        let t = NewSessionType {
            id: None,
            branch_id: *b,
            name: Line::from(name),
            slug: None,
            kind: None,
            description: None,
            duration_minutes: Ranged(minutes),
            buffer_before_minutes: None,
            buffer_after_minutes: Some(Ranged(buffer)),
            min_notice_minutes: Some(Ranged(12 * 60)),
            horizon_days: Some(Ranged(60)),
            increment_minutes: Some(Ranged(30)),
            location_kind: None,
            capacity: None,
            public: Some(true),
            // One of them asks the studio to confirm each online booking.
            requires_approval: Some(i == TYPES.len() - 1),
            staff_ids: Some(vec![who]),
            resource_ids: Some(vec![gear[i][0]]),
        };
        session_type::create(core, owner, meta, t).await?;
    }
    // The assistant joins if their account is active (the demo suspends some).
    let active = availability::people(core, owner).await?;
    let assistant = active.iter().find(|p| p.id == people[4]).map(|p| p.id);
    week_of_bookings(core, owner, meta, branches, shooters, assistant, &gear).await
}

/// Session `slot` of branch `i`: its photographer (and the assistant in
/// Bengaluru's mornings), a room and a camera.
#[allow(clippy::too_many_arguments)]
fn demo_booking(
    i: usize,
    slot: usize,
    branch: BranchId,
    starts_at: darkroom_domain::Timestamp,
    tentative: bool,
    shooter: UserId,
    assistant: Option<UserId>,
    gear: &[ResourceId],
) -> NewBooking {
    const TITLES: [[&str; 2]; 3] = [
        [
            "Headshots: Infosys leadership team",
            "Newborn: the Menon family",
        ],
        ["Family hour: the Kapoors", "Portfolio: Ananya (model)"],
        [
            "Pre-wedding: Kim Min-jun & Lee Seo-yeon",
            "Hanbok portraits: the Parks",
        ],
    ];
    // Which of the branch's GEAR each session takes: (room, camera).
    const ROOM_AND_CAMERA: [[(usize, usize); 2]; 3] =
        [[(0, 2), (1, 3)], [(0, 1), (0, 1)], [(0, 2), (1, 2)]];
    let minutes = if i == 2 { 150 } else { 90 };
    let mut staff = vec![StaffPick {
        user_id: shooter,
        role: None,
    }];
    if let Some(a) = assistant.filter(|_| i == 0 && slot == 0) {
        staff.push(StaffPick {
            user_id: a,
            role: Some("assistant".into()),
        });
    }
    let (room, camera) = ROOM_AND_CAMERA[i][slot];
    NewBooking {
        id: None,
        branch_id: branch,
        client_id: None,
        session_type_id: None,
        kind: Some(if i == 2 { "pre_wedding" } else { "session" }.into()),
        status: Some(if tentative { "tentative" } else { "scheduled" }.into()),
        title: Line::from(TITLES[i][slot]),
        starts_at,
        ends_at: starts_at.plus(std::time::Duration::from_secs(minutes * 60)),
        time_zone: None,
        location: None,
        travel_minutes: None,
        buffer_before_minutes: None,
        buffer_after_minutes: Some(Ranged(15)),
        notes: None,
        staff: Some(staff),
        resource_ids: Some(vec![gear[room], gear[camera]]),
        package_id: None,
    }
}

/// A week from tomorrow: two sessions a day in each branch, in its own zone.
async fn week_of_bookings(
    core: &Core,
    owner: &Principal,
    meta: &Meta,
    branches: [BranchId; 3],
    shooters: [UserId; 3],
    assistant: Option<UserId>,
    gear: &[Vec<ResourceId>],
) -> CoreResult<()> {
    const ZONES: [&str; 3] = ["Asia/Kolkata", "Asia/Kolkata", "Asia/Seoul"];
    let today = calendar::today(core.now(), ZONES[0]);
    let mut made = Vec::new();
    for day in 1..=7i64 {
        let Ok(date) = today.checked_add(jiff::Span::new().days(day)) else {
            continue;
        };
        if date.weekday() == jiff::civil::Weekday::Sunday {
            continue;
        }
        for (i, b) in branches.iter().enumerate() {
            for (slot, start) in ["10:30", "14:00"].iter().enumerate() {
                let Ok(starts_at) = instant_in(ZONES[i], &date.to_string(), start) else {
                    continue;
                };
                let input = demo_booking(
                    i,
                    slot,
                    *b,
                    starts_at,
                    day == 7,
                    shooters[i],
                    assistant,
                    &gear[i],
                );
                made.push(new::create(core, owner, meta, input).await?);
            }
        }
    }
    // One cancellation, as studios have.
    if let Some(b) = made.get(3) {
        let change = StatusChange {
            version: b.version,
            status: "cancelled".into(),
            reason: Some("The client's flight was cancelled; they will rebook".into()),
        };
        change::set_status(core, owner, meta, b.id, change).await?;
    }
    Ok(())
}
