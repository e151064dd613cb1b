//! Properties explored with proptest: seeded, generated inputs tried
//! against the live target, shrunk to the smallest that breaks the rule
//! (see [`super::explore`]). One file per rule family.

pub mod etag;
pub mod expressions;
pub mod filter;
pub mod max_results;
pub mod membership;
pub mod paging;
pub mod projection;
pub mod search;
pub mod sort;
