//! The calendar file (RFC 5545) of an appointment. Times in UTC (the calendar shows them in the reader's own
//! zone, which for a resident is the municipality's), a UID that stays the same for the appointment's whole
//! life, SEQUENCE raised on every move and on cancelling, and `METHOD:CANCEL` for a cancelled one so an
//! imported event disappears. Nothing personal: the title names only the municipality (a calendar may be
//! shared with someone who should not learn that there is an appointment with the social team), the
//! location is the municipality's own office, and the description is the link to the card.
//!
//! Written by hand rather than with a crate: one event with a dozen properties, escaping and line folding;
//! the tests read it back with the `icalendar` crate's parser.

use super::booking::{Appointment, Status};
use super::catalogue::Location;
use jiff::Timestamp;

pub struct CalendarFields<'a> {
    pub municipality: &'a str,
    /// The municipality's contact address: the ORGANIZER that RFC 5546 requires for PUBLISH and CANCEL.
    pub organizer_email: &'a str,
    /// When this file is made (DTSTAMP); the appointment's last change is LAST-MODIFIED.
    pub now: Timestamp,
    /// The host of `LOKET_PUBLIC_URL`, for a globally unique UID.
    pub host: &'a str,
    pub link: &'a str,
    pub location: &'a Location,
}

/// `20260303T093000Z`.
pub fn utc(at: Timestamp) -> String {
    at.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets (never inside a UTF-8 character) and ends it with CRLF.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

pub fn calendar(appointment: &Appointment, fields: &CalendarFields<'_>) -> String {
    let cancelled = appointment.status == Status::Cancelled;
    let location = fields.location;
    let mut out = String::new();
    for content in [
        String::from("BEGIN:VCALENDAR"),
        String::from("VERSION:2.0"),
        String::from("PRODID:-//Loket//Afspraken//NL"),
        String::from("CALSCALE:GREGORIAN"),
        format!("METHOD:{}", if cancelled { "CANCEL" } else { "PUBLISH" }),
        String::from("BEGIN:VEVENT"),
        format!("UID:{}@{}", appointment.id, fields.host),
        format!("DTSTAMP:{}", utc(fields.now)),
        format!("LAST-MODIFIED:{}", utc(appointment.changed_at)),
        format!("SEQUENCE:{}", appointment.sequence),
        format!(
            "ORGANIZER;CN=\"{}\":mailto:{}",
            fields.municipality.replace(['"', '\r', '\n'], ""),
            fields.organizer_email
        ),
        format!("DTSTART:{}", utc(appointment.start)),
        format!("DTEND:{}", utc(appointment.end)),
        format!(
            "SUMMARY:{}",
            text(&format!("Afspraak bij {}", fields.municipality))
        ),
        format!(
            "LOCATION:{}",
            text(&format!(
                "{}, {}, {} {}",
                location.name, location.street, location.postcode, location.city
            ))
        ),
        format!("DESCRIPTION:{}", text(fields.link)),
        format!("URL:{}", fields.link),
        format!(
            "STATUS:{}",
            if cancelled { "CANCELLED" } else { "CONFIRMED" }
        ),
        String::from("END:VEVENT"),
        String::from("END:VCALENDAR"),
    ] {
        line(&mut out, &content);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::availability::Via;
    use super::*;

    fn appointment(status: Status, sequence: i64) -> Appointment {
        Appointment {
            id: String::from("0123456789abcdef0123456789abcdef"),
            service_id: String::from("paspoort"),
            resource_id: String::from("balie"),
            location_id: String::from("stadhuis"),
            seat: 1,
            start: "2026-03-03T09:30:00Z".parse().unwrap(),
            end: "2026-03-03T09:45:00Z".parse().unwrap(),
            person_id: String::from("p"),
            organisation_id: None,
            via: Via::Resident,
            status,
            sequence,
            reminders: Vec::new(),
            checkin_code: String::from("X"),
            changed_at: "2026-03-01T12:00:00Z".parse().unwrap(),
        }
    }

    fn location() -> Location {
        Location {
            id: String::from("stadhuis"),
            name: String::from("Stadhuis"),
            street: String::from("Markt 1"),
            postcode: String::from("1234 AB"),
            city: String::from("Voorbeeld"),
            route: String::new(),
            wheelchair: true,
            hearing_loop: true,
            quiet_room: false,
            map_url: None,
        }
    }

    #[test]
    fn the_calendar_file_has_utc_times_a_stable_uid_and_the_sequence() {
        let location = location();
        let fields = CalendarFields {
            municipality: "Gemeente Voorbeeld",
            organizer_email: "info@voorbeeld.nl",
            now: "2026-03-02T08:00:00Z".parse().unwrap(),
            host: "loket.voorbeeld.nl",
            link: "https://loket.voorbeeld.nl/afspraken/0123456789abcdef0123456789abcdef",
            location: &location,
        };
        let booked = calendar(&appointment(Status::Booked, 2), &fields);
        assert!(booked.contains("\r\nDTSTART:20260303T093000Z\r\n"));
        assert!(booked.contains("\r\nDTEND:20260303T094500Z\r\n"));
        assert!(booked.contains("\r\nUID:0123456789abcdef0123456789abcdef@loket.voorbeeld.nl\r\n"));
        assert!(booked.contains("\r\nSEQUENCE:2\r\n"));
        assert!(booked.contains("\r\nMETHOD:PUBLISH\r\n"));
        assert!(booked.contains("LOCATION:Stadhuis\\, Markt 1\\, 1234 AB Voorbeeld"));
        assert!(booked.lines().all(|l| l.len() <= 75));
        let cancelled = calendar(&appointment(Status::Cancelled, 3), &fields);
        assert!(cancelled.contains("\r\nMETHOD:CANCEL\r\n"));
        assert!(cancelled.contains("\r\nSTATUS:CANCELLED\r\n"));
        assert!(cancelled.contains("\r\nSEQUENCE:3\r\n"));
        // Unfolding gives the link back whole.
        assert!(cancelled.replace("\r\n ", "").contains(fields.link));
    }

    #[test]
    fn an_icalendar_parser_reads_the_file_with_every_field_rfc_5545_and_5546_require() {
        let location = location();
        let fields = CalendarFields {
            municipality: "Gemeente Súdwest-Fryslân",
            organizer_email: "info@voorbeeld.nl",
            now: "2026-03-02T08:00:00Z".parse().unwrap(),
            host: "loket.voorbeeld.nl",
            link: "https://loket.voorbeeld.nl/afspraken/0123456789abcdef0123456789abcdef",
            location: &location,
        };
        for (status, method) in [(Status::Booked, "PUBLISH"), (Status::Cancelled, "CANCEL")] {
            let file = calendar(&appointment(status, 1), &fields);
            let unfolded = icalendar::parser::unfold(&file);
            let parsed = icalendar::parser::read_calendar(&unfolded).unwrap();
            let value = |component: &icalendar::parser::Component<'_>, name: &str| {
                component
                    .properties
                    .iter()
                    .find(|p| p.name == name)
                    .map(|p| p.val.to_string())
            };
            let top = &parsed.properties;
            let top = |name: &str| {
                top.iter()
                    .find(|p| p.name == name)
                    .map(|p| p.val.to_string())
            };
            assert_eq!(top("VERSION").as_deref(), Some("2.0"));
            assert!(top("PRODID").is_some());
            assert_eq!(top("METHOD").as_deref(), Some(method));
            let event = parsed
                .components
                .iter()
                .find(|c| c.name == "VEVENT")
                .unwrap();
            // RFC 5545 §3.6.1: UID and DTSTAMP; RFC 5546 §3.2.1 and §3.2.5: ORGANIZER, SEQUENCE, DTSTART.
            for name in [
                "UID",
                "DTSTAMP",
                "DTSTART",
                "ORGANIZER",
                "SEQUENCE",
                "SUMMARY",
            ] {
                assert!(value(event, name).is_some(), "{name} missing in {file}");
            }
            assert_eq!(value(event, "DTSTAMP").as_deref(), Some("20260302T080000Z"));
            assert_eq!(
                value(event, "LAST-MODIFIED").as_deref(),
                Some("20260301T120000Z")
            );
            assert_eq!(
                value(event, "ORGANIZER").as_deref(),
                Some("mailto:info@voorbeeld.nl")
            );
        }
    }
}
