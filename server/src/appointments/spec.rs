//! The catalogue as a municipality configures it through the back-office API (`PUT /api/v1/appointment-…`):
//! plain JSON documents, checked field by field into the engine's [`Service`], [`Location`] and [`Resource`].
//! Every problem is named with its field and a Dutch sentence; nothing is written unless all fields are usable.

use super::availability::{Exception, Opening, Span, WeekRule};
use super::catalogue::{self, BringItem, Location, Resource, Service};
use super::{AppointmentsError, Reminder};
use crate::storage::Db;
use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The resident fields a service may ask for (the booking form asks only for those Loket does not know yet).
pub const RESIDENT_FIELDS: [&str; 4] = ["phone", "email", "birth-date", "postal-address"];

/// An appointment type.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    /// The name residents see (Dutch).
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    /// 5 to 480 minutes.
    pub duration_min: i32,
    /// What to bring, each with an optional picture under `/afbeeldingen/`.
    #[serde(default)]
    pub bring: Vec<BringItem>,
    #[serde(default)]
    pub tips: String,
    #[serde(default)]
    pub tips_en: String,
    /// Any of `phone`, `email`, `birth-date`, `postal-address`.
    #[serde(default)]
    pub required_fields: Vec<String>,
    /// How long before the start a resident can still book (minutes).
    #[serde(default)]
    pub min_notice_min: i64,
    /// How far ahead residents can book (days, 1 to 366).
    #[serde(default = "default_horizon")]
    pub horizon_days: i64,
    #[serde(default)]
    pub buffer_before_min: i32,
    #[serde(default)]
    pub buffer_after_min: i32,
    /// Any of `evening-before`, `morning`, `2h`, `1h`; the resident can change them per appointment.
    #[serde(default = "default_reminders")]
    pub reminders: Vec<String>,
    /// `false`: only the contact centre books it (for example the social team).
    pub resident_bookable: bool,
    #[serde(default)]
    pub account_required: bool,
    /// Order in lists (lowest first).
    #[serde(default)]
    pub position: i64,
}

fn default_horizon() -> i64 {
    60
}

fn default_reminders() -> Vec<String> {
    vec![String::from("evening-before"), String::from("2h")]
}

/// A place where appointments are.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationSpec {
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    /// How to get there (public transport, parking, which entrance).
    #[serde(default)]
    pub route: String,
    #[serde(default)]
    pub wheelchair: bool,
    #[serde(default)]
    pub hearing_loop: bool,
    #[serde(default)]
    pub quiet_room: bool,
    /// An `https://` link to a map.
    #[serde(default)]
    pub map_url: Option<String>,
    #[serde(default)]
    pub position: i64,
}

/// A desk or consultant: where, how many at once, which services, when.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceSpec {
    /// The id of a location configured before.
    pub location: String,
    pub name: String,
    /// How many residents can be seen at once (1 to 50).
    pub seats: u32,
    /// How many of those seats only the contact centre can book.
    #[serde(default)]
    pub contact_centre_seats: u32,
    /// Ids of services configured before.
    pub services: Vec<String>,
    pub hours: Vec<HoursSpec>,
    #[serde(default)]
    pub exceptions: Vec<ExceptionSpec>,
}

/// Weekly hours: `{"weekday": "monday", "opens": "08:30", "closes": "12:30"}`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoursSpec {
    /// `monday` … `sunday`.
    pub weekday: String,
    pub opens: String,
    pub closes: String,
}

/// A date with other hours: `closed` (all day without times, or part of the day) or `open` (extra hours).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExceptionSpec {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `closed` or `open`.
    pub kind: String,
    #[serde(default)]
    pub opens: Option<String>,
    #[serde(default)]
    pub closes: Option<String>,
}

/// Collects the problems of one document: (field path, Dutch reason).
#[derive(Default)]
struct Problems(Vec<(String, &'static str)>);

impl Problems {
    fn check(&mut self, ok: bool, field: impl Into<String>, reason: &'static str) {
        if !ok {
            self.0.push((field.into(), reason));
        }
    }

    fn done<T>(self, value: T) -> Result<T, AppointmentsError> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(AppointmentsError::Rejected(self.0))
        }
    }
}

/// Ids are what appear in URLs and forms: lowercase letters, digits and hyphens.
fn usable_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn text(value: &str, max: usize) -> bool {
    !value.trim().is_empty() && value.chars().count() <= max
}

const ID: &str = "Gebruik 1 tot 64 tekens: kleine letters, cijfers en streepjes.";
const NAME: &str = "Vul een naam in van hoogstens 120 tekens.";

pub fn service(id: &str, spec: &ServiceSpec) -> Result<Service, AppointmentsError> {
    let mut problems = Problems::default();
    problems.check(usable_id(id), "id", ID);
    problems.check(text(&spec.name, 120), "name", NAME);
    problems.check(
        spec.name_en.chars().count() <= 120,
        "name_en",
        "Gebruik hoogstens 120 tekens.",
    );
    problems.check(
        (5..=480).contains(&spec.duration_min),
        "duration_min",
        "Een afspraak duurt tussen 5 minuten en 8 uur.",
    );
    for (n, item) in spec.bring.iter().enumerate() {
        problems.check(
            text(&item.text, 200),
            format!("bring[{n}].text"),
            "Zeg in hoogstens 200 tekens wat de inwoner meeneemt.",
        );
        problems.check(
            item.picture.as_deref().is_none_or(|p| {
                p.starts_with("/afbeeldingen/") && !p.contains("..") && !p.contains("//")
            }),
            format!("bring[{n}].picture"),
            "Een afbeelding staat onder /afbeeldingen/ van deze Loket.",
        );
    }
    for (n, field) in spec.required_fields.iter().enumerate() {
        problems.check(
            RESIDENT_FIELDS.contains(&field.as_str()),
            format!("required_fields[{n}]"),
            "Kies uit phone, email, birth-date en postal-address.",
        );
    }
    problems.check(
        (0..=60 * 24 * 30).contains(&spec.min_notice_min),
        "min_notice_min",
        "Gebruik 0 tot 43200 minuten (30 dagen).",
    );
    problems.check(
        (1..=366).contains(&spec.horizon_days),
        "horizon_days",
        "Gebruik 1 tot 366 dagen.",
    );
    for (field, value) in [
        ("buffer_before_min", spec.buffer_before_min),
        ("buffer_after_min", spec.buffer_after_min),
    ] {
        problems.check(
            (0..=120).contains(&value),
            field,
            "Gebruik 0 tot 120 minuten.",
        );
    }
    let mut reminders = Vec::new();
    for (n, code) in spec.reminders.iter().enumerate() {
        match Reminder::parse(code) {
            Some(reminder) => reminders.push(reminder),
            None => problems.check(
                false,
                format!("reminders[{n}]"),
                "Kies uit evening-before, morning, 2h en 1h.",
            ),
        }
    }
    reminders.sort();
    reminders.dedup();
    problems.done(Service {
        id: id.to_owned(),
        name: spec.name.trim().to_owned(),
        name_en: spec.name_en.trim().to_owned(),
        duration_min: spec.duration_min,
        bring: spec.bring.clone(),
        tips: spec.tips.clone(),
        tips_en: spec.tips_en.clone(),
        required_fields: spec.required_fields.clone(),
        min_notice_min: spec.min_notice_min,
        horizon_days: spec.horizon_days,
        buffer_before_min: spec.buffer_before_min,
        buffer_after_min: spec.buffer_after_min,
        reminders,
        resident_bookable: spec.resident_bookable,
        account_required: spec.account_required,
    })
}

pub fn location(id: &str, spec: &LocationSpec) -> Result<Location, AppointmentsError> {
    let mut problems = Problems::default();
    problems.check(usable_id(id), "id", ID);
    problems.check(text(&spec.name, 120), "name", NAME);
    problems.check(
        text(&spec.street, 120),
        "street",
        "Vul straat en huisnummer in.",
    );
    let postcode: String = spec.postcode.chars().filter(|c| *c != ' ').collect();
    problems.check(
        postcode.len() == 6
            && postcode[..4].bytes().all(|b| b.is_ascii_digit())
            && !postcode.starts_with('0')
            && postcode[4..].bytes().all(|b| b.is_ascii_alphabetic()),
        "postcode",
        "Vul een postcode in zoals 1234 AB.",
    );
    problems.check(text(&spec.city, 80), "city", "Vul de plaats in.");
    problems.check(
        spec.route.chars().count() <= 1000,
        "route",
        "Gebruik hoogstens 1000 tekens.",
    );
    problems.check(
        spec.map_url.as_deref().is_none_or(|u| {
            u.starts_with("https://") && u.len() <= 500 && !u.contains(char::is_whitespace)
        }),
        "map_url",
        "Een kaartlink begint met https:// en heeft geen spaties.",
    );
    let postcode = if postcode.len() == 6 && postcode.is_ascii() {
        format!("{} {}", &postcode[..4], postcode[4..].to_uppercase())
    } else {
        spec.postcode.clone()
    };
    problems.done(Location {
        id: id.to_owned(),
        name: spec.name.trim().to_owned(),
        street: spec.street.trim().to_owned(),
        postcode,
        city: spec.city.trim().to_owned(),
        route: spec.route.clone(),
        wheelchair: spec.wheelchair,
        hearing_loop: spec.hearing_loop,
        quiet_room: spec.quiet_room,
        map_url: spec.map_url.clone(),
    })
}

fn weekday(name: &str) -> Option<Weekday> {
    Some(match name {
        "monday" => Weekday::Monday,
        "tuesday" => Weekday::Tuesday,
        "wednesday" => Weekday::Wednesday,
        "thursday" => Weekday::Thursday,
        "friday" => Weekday::Friday,
        "saturday" => Weekday::Saturday,
        "sunday" => Weekday::Sunday,
        _ => return None,
    })
}

const SPAN: &str = "Gebruik tijden als 08:30 en 17:00; de sluitingstijd komt na de openingstijd.";

/// Checks a resource against the catalogue (its location and services must exist in this municipality).
pub async fn resource(
    db: &Db,
    municipality_id: &str,
    id: &str,
    spec: &ResourceSpec,
) -> Result<Resource, AppointmentsError> {
    let mut problems = Problems::default();
    problems.check(usable_id(id), "id", ID);
    problems.check(text(&spec.name, 120), "name", NAME);
    let known_location = match catalogue::location(db, municipality_id, &spec.location).await {
        Ok(_) => true,
        Err(AppointmentsError::NotFound) => false,
        Err(error) => return Err(error),
    };
    problems.check(
        known_location,
        "location",
        "Deze locatie bestaat niet. Maak eerst de locatie.",
    );
    problems.check(
        (1..=50).contains(&spec.seats),
        "seats",
        "Een agenda heeft 1 tot 50 plaatsen.",
    );
    problems.check(
        spec.contact_centre_seats <= spec.seats,
        "contact_centre_seats",
        "Dit kunnen niet meer plaatsen zijn dan er zijn.",
    );
    problems.check(
        !spec.services.is_empty(),
        "services",
        "Kies minstens één dienst.",
    );
    for (n, service) in spec.services.iter().enumerate() {
        let known = match catalogue::service(db, municipality_id, service).await {
            Ok(_) => true,
            Err(AppointmentsError::NotFound) => false,
            Err(error) => return Err(error),
        };
        problems.check(
            known,
            format!("services[{n}]"),
            "Deze dienst bestaat niet. Maak eerst de dienst.",
        );
    }
    let mut week = Vec::new();
    for (n, hours) in spec.hours.iter().enumerate() {
        let day = weekday(&hours.weekday);
        problems.check(
            day.is_some(),
            format!("hours[{n}].weekday"),
            "Kies monday, tuesday, wednesday, thursday, friday, saturday of sunday.",
        );
        let span = Span::parse(&hours.opens, &hours.closes);
        problems.check(span.is_some(), format!("hours[{n}]"), SPAN);
        if let (Some(weekday), Some(span)) = (day, span) {
            week.push(WeekRule { weekday, span });
        }
    }
    let mut exceptions = Vec::new();
    for (n, exception) in spec.exceptions.iter().enumerate() {
        let date = exception.date.parse::<Date>().ok();
        problems.check(
            date.is_some(),
            format!("exceptions[{n}].date"),
            "Vul een datum in als 2026-12-25.",
        );
        let span = match (&exception.opens, &exception.closes) {
            (None, None) => None,
            (Some(opens), Some(closes)) => {
                let span = Span::parse(opens, closes);
                problems.check(span.is_some(), format!("exceptions[{n}]"), SPAN);
                span
            }
            _ => {
                problems.check(
                    false,
                    format!("exceptions[{n}]"),
                    "Vul openings- én sluitingstijd in, of geen van beide.",
                );
                None
            }
        };
        let parsed = match (exception.kind.as_str(), span) {
            ("closed", None) => date.map(Exception::ClosedAllDay),
            ("closed", Some(span)) => date.map(|d| Exception::Closed(d, span)),
            ("open", Some(span)) => date.map(|d| Exception::Open(d, span)),
            ("open", None) => {
                problems.check(
                    false,
                    format!("exceptions[{n}]"),
                    "Extra openingstijden hebben een openings- en sluitingstijd.",
                );
                None
            }
            _ => {
                problems.check(
                    false,
                    format!("exceptions[{n}].kind"),
                    "Kies closed of open.",
                );
                None
            }
        };
        exceptions.extend(parsed);
    }
    let seats = (0..spec.seats.min(50))
        .map(|n| n >= spec.seats.saturating_sub(spec.contact_centre_seats))
        .collect();
    problems.done(Resource {
        id: id.to_owned(),
        location_id: spec.location.clone(),
        name: spec.name.trim().to_owned(),
        seats,
        opening: Opening { week, exceptions },
        services: spec.services.clone(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn fields(error: AppointmentsError) -> Vec<String> {
        match error {
            AppointmentsError::Rejected(problems) => problems.into_iter().map(|(f, _)| f).collect(),
            other => panic!("{other:?}"),
        }
    }

    fn passport() -> ServiceSpec {
        serde_json::from_value(serde_json::json!({
            "name": "Paspoort aanvragen", "duration_min": 15, "resident_bookable": true
        }))
        .unwrap()
    }

    #[test]
    fn a_service_takes_defaults_for_what_it_does_not_say() {
        let service = service("paspoort", &passport()).unwrap();
        assert_eq!(service.horizon_days, 60);
        assert_eq!(
            service.reminders,
            [Reminder::EveningBefore, Reminder::TwoHours]
        );
    }

    #[test]
    fn every_unusable_service_field_is_named() {
        let mut spec = passport();
        spec.name = String::from("  ");
        spec.duration_min = 2;
        spec.reminders = vec![String::from("weekly")];
        spec.required_fields = vec![String::from("bsn")];
        spec.bring = vec![BringItem {
            text: String::from("ID-kaart"),
            text_en: String::new(),
            picture: Some(String::from("https://elders.example/x.png")),
        }];
        assert_eq!(
            fields(service("Paspoort!", &spec).unwrap_err()),
            [
                "id",
                "name",
                "duration_min",
                "bring[0].picture",
                "required_fields[0]",
                "reminders[0]"
            ]
        );
    }

    #[test]
    fn a_location_postcode_is_written_the_dutch_way() {
        let spec: LocationSpec = serde_json::from_value(serde_json::json!({
            "name": "Stadhuis", "street": "Markt 1", "postcode": "1234ab", "city": "Voorbeeld"
        }))
        .unwrap();
        assert_eq!(location("stadhuis", &spec).unwrap().postcode, "1234 AB");
        let bad = LocationSpec {
            postcode: String::from("0123 AB"),
            map_url: Some(String::from("javascript:alert(1)")),
            ..spec
        };
        assert_eq!(
            fields(location("stadhuis", &bad).unwrap_err()),
            ["postcode", "map_url"]
        );
    }
}
