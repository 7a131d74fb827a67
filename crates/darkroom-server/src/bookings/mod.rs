//! The bookings context's part of the server: bookings that never
//! double-book, resources, session types and free times, staff hours and
//! time off, calendar feeds, and the staff calendar.

use axum::routing::{get, post};

use crate::context::{Context, Pages};

mod api {
    pub mod bookings;
    pub mod imports;
    pub mod packages;
    pub mod resources;
    pub mod schedule;
}
mod feeds;
mod public;
mod pages {
    pub mod availability;
    pub mod booking;
    pub mod calendar;
    pub mod form;
    pub mod imports;
    pub mod packages;
    pub mod resources;
}

/// The notices shown after the bookings pages' forms.
const NOTICES: &[(&str, &str)] = &[
    (
        "calendar_import_added",
        "Calendar added: its busy times keep this person unbookable, read again every 15 minutes.",
    ),
    ("calendar_import_read", "Calendar read again."),
    (
        "calendar_import_failed",
        "The calendar could not be read; its busy times from the last good read stay. See why below.",
    ),
    (
        "calendar_import_removed",
        "Calendar removed: its busy times are gone.",
    ),
    (
        "booking_added",
        "Booked. Everyone and everything on it is held for that time.",
    ),
    ("booking_moved", "Booking moved."),
    ("package_added", "Package added."),
    (
        "package_withdrawn",
        "Package withdrawn. Projects sold with it keep it.",
    ),
    (
        "requested",
        "Request sent: the time is held for you, and the studio will confirm it by email.",
    ),
    (
        "booking_cancelled",
        "Booking cancelled: its people, rooms and gear are free again.",
    ),
    ("booking_status", "Status changed."),
    ("resource_added", "Added."),
    ("resource_saved", "Saved."),
    ("session_type_added", "Session type added."),
    ("hours_saved", "Hours saved."),
    ("time_off_added", "Time off added."),
    ("time_off_removed", "Time off removed."),
    (
        "feed_made",
        "Feed made: copy its address now, it is not shown again.",
    ),
    (
        "feed_revoked",
        "Feed revoked: calendars subscribed to it stop updating.",
    ),
    (
        "booked",
        "Booked. A confirmation with a calendar invite is on its way to your email; keep this page's address to move or cancel.",
    ),
    (
        "slot_taken",
        "Sorry, that time was just taken. Please pick another.",
    ),
    ("booking_cancelled_by_client", "Your booking is cancelled."),
    (
        "booking_moved_by_client",
        "Your booking is moved to the new time.",
    ),
];

pub fn context() -> Context {
    Context {
        tags: &[(
            "bookings",
            "Bookings that hold people and resources (never double-booked), resources, session types and their free times, staff hours and time off, busy times read from staff calendars, calendar feeds",
        )],
        api: |r| {
            let r = api::resources::routes(api::bookings::routes(r));
            api::imports::routes(api::packages::routes(api::schedule::routes(r)))
        },
        pages,
        guest_pages,
        templates: &[
            ("calendar.html", include_str!("templates/calendar.html")),
            (
                "booking_form.html",
                include_str!("templates/booking_form.html"),
            ),
            ("booking.html", include_str!("templates/booking.html")),
            ("resources.html", include_str!("templates/resources.html")),
            ("packages.html", include_str!("templates/packages.html")),
            (
                "availability.html",
                include_str!("templates/availability.html"),
            ),
            ("book.html", include_str!("templates/book.html")),
            (
                "book_details.html",
                include_str!("templates/book_details.html"),
            ),
            (
                "book_manage.html",
                include_str!("templates/book_manage.html"),
            ),
        ],
        notices: NOTICES,
        ..Context::named("bookings")
    }
}

fn pages() -> Pages {
    use pages::*;
    vec![
        ("/calendar", get(calendar::show)),
        (
            "/bookings/new",
            get(booking::new_form).post(booking::create),
        ),
        ("/bookings/{booking_id}", get(booking::show)),
        ("/bookings/{booking_id}/move", post(booking::reschedule)),
        ("/bookings/{booking_id}/status", post(booking::set_status)),
        ("/resources", get(resources::list).post(resources::create)),
        ("/packages", get(packages::list).post(packages::create)),
        ("/packages/{package_id}/withdraw", post(packages::withdraw)),
        ("/resources/session-types", post(resources::create_type)),
        (
            "/resources/{resource_id}/status",
            post(resources::set_status),
        ),
        ("/availability", get(availability::show)),
        (
            "/availability/{user_id}/hours",
            post(availability::set_hours),
        ),
        (
            "/availability/{user_id}/time-off",
            post(availability::add_block),
        ),
        (
            "/availability/{user_id}/time-off/{block_id}/remove",
            post(availability::remove_block),
        ),
        (
            "/availability/{user_id}/calendar-imports",
            post(imports::add),
        ),
        (
            "/availability/{user_id}/calendar-imports/{calendar_import_id}/refresh",
            post(imports::refresh),
        ),
        (
            "/availability/{user_id}/calendar-imports/{calendar_import_id}/remove",
            post(imports::remove),
        ),
        (
            "/availability/{user_id}/feeds",
            post(availability::create_feed),
        ),
        (
            "/availability/{user_id}/feeds/{feed_id}/revoke",
            post(availability::revoke_feed),
        ),
    ]
}

/// Pages reached without a staff session: the calendar feeds, by secret URL.
fn guest_pages() -> Pages {
    vec![
        ("/calendar/{token}", get(feeds::ics)),
        ("/book/{session_type_id}", get(public::show)),
        (
            "/book/{session_type_id}/details",
            get(public::details_form).post(public::book),
        ),
        ("/book/manage/{token}", get(public::manage)),
        ("/book/manage/{token}/cancel", post(public::cancel)),
        ("/book/manage/{token}/move", post(public::reschedule)),
    ]
}
