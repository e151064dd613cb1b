//! The `status` check: an exact code, one of a list, or a class such as `2xx`.

use super::Failure;
use crate::case::model::StatusRule;

/// The first digit of a status class (`4xx` → 4), if the text is one.
pub fn status_class(text: &str) -> Option<u16> {
    let mut chars = text.chars();
    let digit = chars.next()?.to_digit(10)?;
    let rest: String = chars.collect();
    ((1..=5).contains(&digit) && rest.eq_ignore_ascii_case("xx")).then_some(digit as u16)
}

/// Does the response status satisfy the rule?
pub fn status(rule: &StatusRule, actual: u16) -> Option<Failure> {
    let (ok, expected) = match rule {
        StatusRule::Exact(code) => (actual == *code, code.to_string()),
        StatusRule::AnyOf(codes) => (
            codes.contains(&actual),
            format!(
                "one of {}",
                codes
                    .iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        StatusRule::Class(class) => (
            status_class(class).is_some_and(|digit| actual / 100 == digit),
            class.clone(),
        ),
    };
    (!ok).then(|| {
        Failure::new("status", format!("status {actual}, expected {expected}"))
            .expected(expected)
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
        assert!(status(&StatusRule::AnyOf(vec![200, 204]), 201).is_some());
        assert!(status(&StatusRule::Class("2xx".into()), 299).is_none());
        assert!(status(&StatusRule::Class("4xx".into()), 500).is_some());
        assert_eq!(status_class("9xx"), None);
        assert_eq!(status_class("2XX"), Some(2));
    }
}
