//! Appointments: Loket's own scheduling engine.
//!
//! - [`catalogue`]: what can be booked (services), where (locations), and the resources (desks, consultants)
//!   with their seats, weekly hours and exceptions.
//! - [`availability`]: which times are free, in the municipality's time zone (the DST rules live there).
//! - [`booking`]: book, move and cancel — by the resident or by the contact centre — each in one transaction
//!   with its confirmation and reminders in the outbox. The database refuses double bookings itself.
//! - [`details`]: the resident details a service needs: known ones used, the rest asked and checked.
//! - [`ics`]: the calendar file of an appointment.
//! - [`spec`]: the catalogue as the back-office API writes it, checked field by field.
//! - [`demo`]: the demo municipality's catalogue and Desiree's appointment.

pub mod availability;
pub mod booking;
pub mod catalogue;
pub mod checkin;
pub mod demo;
pub mod details;
pub mod ics;
pub mod spec;

use jiff::civil::time;
use jiff::{SignedDuration, Timestamp, Zoned};

#[derive(Debug, thiserror::Error)]
pub enum AppointmentsError {
    #[error("database error: {0}")]
    Storage(#[from] sqlx::Error),
    /// The service, location or appointment does not exist, or not for this person.
    #[error("not found")]
    NotFound,
    /// Only the contact centre books this service.
    #[error("staff only")]
    StaffOnly,
    /// The time is not one the engine offers (outside the hours, too soon, too far ahead, not on the grid).
    #[error("time not offered")]
    NotOffered,
    /// Someone else took the time first.
    #[error("time taken")]
    Taken,
    /// The appointment was cancelled; it cannot be moved or changed any more.
    #[error("appointment cancelled")]
    Cancelled,
    /// The appointment has started or passed.
    #[error("appointment past")]
    Past,
    /// The appointment changed since the page was loaded (moved in another tab, or by the contact centre).
    #[error("appointment changed meanwhile")]
    Changed,
    /// The idempotency key was used before for another request.
    #[error("key used for another request")]
    KeyReused,
    /// A field that is not usable; `key` is the Fluent message that says why.
    #[error("{field}: {key}")]
    Invalid {
        field: &'static str,
        key: &'static str,
    },
    /// A configuration document with unusable fields: (field path, Dutch reason) for each.
    #[error("{} unusable fields", .0.len())]
    Rejected(Vec<(String, &'static str)>),
}

impl AppointmentsError {
    /// Whether a change was refused because appointments still hold what it would remove (a seat).
    pub fn still_in_use(&self) -> bool {
        matches!(self, AppointmentsError::Storage(sqlx::Error::Database(e)) if e.is_foreign_key_violation())
    }

    /// What the resident reads, in her language (B1); the web edge shows it next to the form.
    pub fn resident_message(&self, lang: app::i18n::Lang) -> String {
        app::i18n::tr(lang, self.resident_message_key())
    }

    /// The Fluent message of [`Self::resident_message`].
    fn resident_message_key(&self) -> &'static str {
        match self {
            AppointmentsError::Storage(_) => "appointment-refused-storage",
            AppointmentsError::NotFound => "appointment-refused-not-found",
            AppointmentsError::StaffOnly => "appointment-refused-staff-only",
            AppointmentsError::NotOffered => "appointment-refused-not-offered",
            AppointmentsError::Taken => "appointment-refused-taken",
            AppointmentsError::Cancelled => "appointment-refused-cancelled",
            AppointmentsError::Past => "appointment-refused-past",
            AppointmentsError::Changed => "appointment-refused-changed",
            AppointmentsError::KeyReused => "appointment-refused-key-reused",
            AppointmentsError::Invalid { key, .. } => key,
            AppointmentsError::Rejected(_) => "appointment-refused-rejected",
        }
    }
}

/// The reminders a resident can keep per appointment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reminder {
    /// The evening before, at 18:00 local time.
    EveningBefore,
    /// The morning of the day itself, at 08:00 local time.
    Morning,
    /// Two hours before.
    TwoHours,
    /// One hour before.
    OneHour,
}

impl Reminder {
    pub const ALL: [Reminder; 4] = [
        Reminder::EveningBefore,
        Reminder::Morning,
        Reminder::TwoHours,
        Reminder::OneHour,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reminder::EveningBefore => "evening-before",
            Reminder::Morning => "morning",
            Reminder::TwoHours => "2h",
            Reminder::OneHour => "1h",
        }
    }

    pub fn parse(value: &str) -> Option<Reminder> {
        Reminder::ALL.into_iter().find(|r| r.as_str() == value)
    }

    /// A stored list (`"evening-before,2h"`); unknown codes are skipped.
    pub fn parse_list(value: &str) -> Vec<Reminder> {
        let mut list: Vec<Reminder> = value
            .split(',')
            .filter_map(|v| Reminder::parse(v.trim()))
            .collect();
        list.sort();
        list.dedup();
        list
    }

    pub fn join(list: &[Reminder]) -> String {
        list.iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// When this reminder goes for an appointment starting at `start` (local), if it comes before the start.
    pub fn due(self, start: &Zoned) -> Option<Timestamp> {
        let local = |date: jiff::civil::Date, at: jiff::civil::Time| {
            date.to_datetime(at)
                .to_zoned(start.time_zone().clone())
                .ok()
                .map(|z| z.timestamp())
        };
        let due = match self {
            Reminder::EveningBefore => local(start.date().yesterday().ok()?, time(18, 0, 0, 0))?,
            Reminder::Morning => local(start.date(), time(8, 0, 0, 0))?,
            Reminder::TwoHours => start.timestamp() - SignedDuration::from_hours(2),
            Reminder::OneHour => start.timestamp() - SignedDuration::from_hours(1),
        };
        (due < start.timestamp()).then_some(due)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminders_fall_at_local_times_even_across_a_clock_change() {
        // Monday 26 October 2026, 10:30, the day after summer time ended.
        let start: Zoned = "2026-10-26T10:30:00[Europe/Amsterdam]".parse().unwrap();
        let due = |r: Reminder| {
            r.due(&start)
                .map(|t| t.to_zoned(start.time_zone().clone()).to_string())
        };
        assert_eq!(
            due(Reminder::EveningBefore).as_deref(),
            Some("2026-10-25T18:00:00+01:00[Europe/Amsterdam]")
        );
        assert_eq!(
            due(Reminder::Morning).as_deref(),
            Some("2026-10-26T08:00:00+01:00[Europe/Amsterdam]")
        );
        assert_eq!(
            due(Reminder::TwoHours).as_deref(),
            Some("2026-10-26T08:30:00+01:00[Europe/Amsterdam]")
        );
        // An appointment at 07:30 has no "morning" reminder after it.
        let early: Zoned = "2026-10-26T07:30:00[Europe/Amsterdam]".parse().unwrap();
        assert_eq!(Reminder::Morning.due(&early), None);
    }

    #[test]
    fn reminder_lists_round_trip_and_skip_unknown_codes() {
        let list = Reminder::parse_list("2h, evening-before,bogus,2h");
        assert_eq!(list, [Reminder::EveningBefore, Reminder::TwoHours]);
        assert_eq!(Reminder::join(&list), "evening-before,2h");
    }
}
