//! The bookings context's part of the server: bookings that never
//! double-book, resources, session types and free times, staff hours and
//! time off, calendar feeds, and the staff calendar.

use axum::routing::get;

use crate::context::{Context, Pages};

mod api {
    pub mod bookings;
    pub mod resources;
    pub mod schedule;
}
mod feeds;

pub fn context() -> Context {
    Context {
        tags: &[(
            "bookings",
            "Bookings that hold people and resources (never double-booked), resources, session types and their free times, staff hours and time off, calendar feeds",
        )],
        api: |r| api::schedule::routes(api::resources::routes(api::bookings::routes(r))),
        guest_pages,
        ..Context::named("bookings")
    }
}

/// Pages reached without a staff session: the calendar feeds, by secret URL.
fn guest_pages() -> Pages {
    vec![("/calendar/{token}", get(feeds::ics))]
}
