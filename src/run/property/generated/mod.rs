//! Generated checks: requests derived from what the target declares (its
//! `/Schemas`, `/ResourceTypes`, `ServiceProviderConfig`) or from a fixed
//! plan (large and concurrent groups, Bulk limits), each judged once —
//! no proptest search, no shrinking. One file per area.

pub mod bulk;
pub mod discovery;
pub mod groups;
pub mod schema;
