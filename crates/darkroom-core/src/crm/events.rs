//! What the CRM tells the others (see `Core::publish`).

use darkroom_db::entity::lead;
use darkroom_domain::ClientId;

use crate::{Meta, Principal};

/// Staff converted a lead: it now has a client. Published inside the
/// conversion's transaction, so what subscribers add commits with it.
#[derive(Clone, Debug)]
pub struct LeadConverted {
    pub principal: Principal,
    pub meta: Meta,
    /// The lead as it is after the conversion.
    pub lead: lead::Model,
    pub client: ClientId,
}
