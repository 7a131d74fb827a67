//! What the other contexts may use of scheduling (the one door in, checked
//! by `.ci/contexts.py`): a booking as a principal may see it.

pub(crate) use super::booking::{BookingView, get};
