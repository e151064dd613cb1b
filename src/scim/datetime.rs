//! SCIM date-times (RFC 7643 §2.3.5) as instants: one parser for every
//! place that compares them (the filter evaluator, the value rules, the
//! schema checks, the reference server), and one way to write an instant
//! at another time-zone offset (the cases' `at_offset` filter, the
//! generated filter expressions).

use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime, UtcOffset};

/// An RFC 3339 date-time as an instant; `None` for anything else
/// (including an xsd:dateTime without a zone, which names no instant).
pub fn instant(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

/// Why a date-time could not be moved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShiftError {
    #[error("`{0}` is not an RFC 3339 date-time")]
    NotADateTime(String),
    #[error("`{0}` is not an offset like +10:00")]
    NotAnOffset(String),
}

/// The date-time `text` moved by `by` and written at `offset` (`+10:00`,
/// `-05:30`; `+00:00` is written `Z`).
pub fn shifted(text: &str, by: Duration, offset: &str) -> Result<String, ShiftError> {
    let at = instant(text).ok_or_else(|| ShiftError::NotADateTime(text.to_string()))?;
    let zone = UtcOffset::parse(
        offset,
        time::macros::format_description!("[offset_hour sign:mandatory]:[offset_minute]"),
    )
    .map_err(|_| ShiftError::NotAnOffset(offset.to_string()))?;
    Ok((at + by)
        .to_offset(zone)
        .format(&Rfc3339)
        .expect("an instant in range formats as RFC 3339"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instant_moves_and_is_written_at_another_offset() {
        let t = "2026-12-03T16:47:47.469Z";
        assert_eq!(
            shifted(t, Duration::minutes(-60), "+10:00").unwrap(),
            "2026-12-04T01:47:47.469+10:00"
        );
        assert_eq!(
            shifted(t, Duration::hours(-1), "+00:00").unwrap(),
            "2026-12-03T15:47:47.469Z"
        );
        assert_eq!(
            instant("2026-12-04T02:47:47.469+10:00"),
            instant(t),
            "one instant, two zones"
        );
        assert!(
            instant("2026-12-03T16:47:47").is_none(),
            "no zone, no instant"
        );
        assert_eq!(
            shifted("yesterday", Duration::ZERO, "Z"),
            Err(ShiftError::NotADateTime("yesterday".into()))
        );
        assert_eq!(
            shifted(t, Duration::ZERO, "Z"),
            Err(ShiftError::NotAnOffset("Z".into()))
        );
    }
}
