//! The `status` check: an exact code, one of a list, or a class such as `2xx`.

use super::{CheckKind, Failure};
use crate::case::model::StatusRule;

/// Does the response status satisfy the rule?
pub fn status(rule: &StatusRule, actual: u16) -> Option<Failure> {
    (!rule.allows(actual)).then(|| {
        Failure::new(
            CheckKind::Status,
            format!("status {actual}, expected {rule}"),
        )
        .expected(rule.to_string())
        .actual(actual.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_list_and_class() {
        assert!(status(&StatusRule::Exact(201), 201).is_none());
        let failure = status(&StatusRule::Exact(201), 200).unwrap();
        assert_eq!(failure.message, "status 200, expected 201");
        assert!(status(&StatusRule::AnyOf(vec![200, 204]), 204).is_none());
        assert_eq!(
            status(&StatusRule::AnyOf(vec![200, 204]), 201)
                .unwrap()
                .message,
            "status 201, expected one of 200, 204"
        );
        assert!(status(&StatusRule::Class(2), 299).is_none());
        assert!(status(&StatusRule::Class(4), 500).is_some());
    }
}
