//! The administrators' catalogue pages (`/beheer/afspraken`): services, locations and resources (desks,
//! consultants) with their hours, edited in plain forms. A form becomes the same document the back-office API
//! takes (`appointments::spec`), so both are checked by one set of rules; a refused form shows every problem
//! at its field with what was typed, and stores nothing.

use super::super::extract::{Administrator, Catalogue, Fields, PageForm};
use super::super::reply::{q, see_other, PageError};
use super::super::AppState;
use crate::appointments::catalogue::{self, BringItem};
use crate::appointments::spec::{
    self, ExceptionSpec, HoursSpec, LocationSpec, ResourceSpec, ServiceSpec,
};
use crate::appointments::AppointmentsError;
use crate::services::Services;
use crate::views::catalogue::WEEKDAYS;
use app::api::{CatalogueKind as Kind, FormProblems};
use app::paths::FormId;
use axum::extract::State;
use axum::response::Response;
use http::StatusCode;
use jiff::civil::Date;

pub const PAGE: &str = app::paths::ADMIN_CATALOGUE;
const NUMBER: &str = "Vul een heel getal in.";

fn parse_bring(text: &str) -> Vec<BringItem> {
    let owned = |p: Option<&&str>| p.filter(|p| !p.is_empty()).map(|p| (*p).to_owned());
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let parts: Vec<&str> = line.split('|').map(str::trim).collect();
            // Two parts: the second is the picture when it looks like a path or a link, else the English text.
            let second_is_picture = parts.len() == 2
                && parts
                    .get(1)
                    .is_some_and(|p| p.starts_with('/') || p.contains("://"));
            let (text_en, picture) = if second_is_picture {
                (None, owned(parts.get(1)))
            } else {
                (owned(parts.get(1)), owned(parts.get(2)))
            };
            BringItem {
                text: parts.first().map(|p| (*p).to_owned()).unwrap_or_default(),
                text_en: text_en.unwrap_or_default(),
                picture,
            }
        })
        .collect()
}

/// A day as typed: `25-12-2026` or `2026-12-25`.
fn parse_date(text: &str) -> Option<Date> {
    let parts: Vec<&str> = text.split('-').collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let (year, month, day) = if a.len() == 4 { (a, b, c) } else { (c, b, a) };
    Date::new(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?).ok()
}

/// `8:30-12:30` → ("08:30", "12:30").
fn parse_span(text: &str) -> Option<(String, String)> {
    let (opens, closes) = text.split_once('-')?;
    let time = |t: &str| {
        let (h, m) = t.trim().split_once(':')?;
        let (h, m): (u8, u8) = (h.parse().ok()?, m.parse().ok()?);
        Some(format!("{h:02}:{m:02}"))
    };
    Some((time(opens)?, time(closes)?))
}

/// The first value of field `name`, or empty.
fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// The form's problems so far; spec problems are added under the form's field names.
#[derive(Default)]
struct Problems(Vec<(String, String)>);

impl Problems {
    fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push((field.to_owned(), message.into()));
    }
}

fn number<T: std::str::FromStr + Default>(
    fields: &[(String, String)],
    name: &str,
    problems: &mut Problems,
) -> T {
    match field(fields, name).trim().parse() {
        Ok(value) => value,
        Err(_) => {
            problems.add(name, NUMBER);
            T::default()
        }
    }
}

fn all(fields: &[(String, String)], name: &str) -> Vec<String> {
    fields
        .iter()
        .filter(|(key, _)| key == name)
        .map(|(_, value)| value.clone())
        .collect()
}

fn checked(fields: &[(String, String)], name: &str) -> bool {
    !field(fields, name).is_empty()
}

fn text(fields: &[(String, String)], name: &str) -> String {
    field(fields, name).trim().to_owned()
}

fn service_spec(fields: &[(String, String)], problems: &mut Problems) -> ServiceSpec {
    ServiceSpec {
        name: text(fields, "name"),
        name_en: text(fields, "name_en"),
        duration_min: number(fields, "duration_min", problems),
        bring: parse_bring(field(fields, "bring")),
        tips: text(fields, "tips"),
        tips_en: text(fields, "tips_en"),
        required_fields: all(fields, "required_fields"),
        min_notice_min: number(fields, "min_notice_min", problems),
        horizon_days: number(fields, "horizon_days", problems),
        buffer_before_min: number(fields, "buffer_before_min", problems),
        buffer_after_min: number(fields, "buffer_after_min", problems),
        reminders: all(fields, "reminders"),
        resident_bookable: checked(fields, "resident_bookable"),
        account_required: checked(fields, "account_required"),
        position: 0,
    }
}

fn location_spec(fields: &[(String, String)]) -> LocationSpec {
    let map_url = text(fields, "map_url");
    LocationSpec {
        name: text(fields, "name"),
        street: text(fields, "street"),
        postcode: text(fields, "postcode"),
        city: text(fields, "city"),
        route: text(fields, "route"),
        wheelchair: checked(fields, "wheelchair"),
        hearing_loop: checked(fields, "hearing_loop"),
        quiet_room: checked(fields, "quiet_room"),
        map_url: (!map_url.is_empty()).then_some(map_url),
        position: 0,
    }
}

/// The resource document, and for each of its hours the form field it came from (spec problems name the
/// index; the form shows them at the weekday).
fn resource_spec(
    fields: &[(String, String)],
    problems: &mut Problems,
) -> (ResourceSpec, Vec<String>) {
    let mut hours = Vec::new();
    let mut hours_fields = Vec::new();
    for (name, _) in WEEKDAYS {
        let field_name = format!("hours_{name}");
        for part in field(fields, &field_name)
            .split([',', ';'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            match parse_span(part) {
                Some((opens, closes)) => {
                    hours.push(HoursSpec {
                        weekday: name.to_owned(),
                        opens,
                        closes,
                    });
                    hours_fields.push(field_name.clone());
                }
                None => problems.add(
                    &field_name,
                    format!("‘{part}’ is geen tijd. Schrijf tijden als 08:30-12:30, meerdere met een komma ertussen."),
                ),
            }
        }
    }
    let mut exceptions = Vec::new();
    for (n, line) in field(fields, "exceptions")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let words: Vec<&str> = line.split_whitespace().collect();
        let parsed = match words.as_slice() {
            [date, kind] | [date, kind, _] => parse_date(date).and_then(|date| {
                let kind = match *kind {
                    "dicht" | "gesloten" => "closed",
                    "open" => "open",
                    _ => return None,
                };
                let span = match words.get(2) {
                    Some(span) => Some(parse_span(span)?),
                    None => None,
                };
                Some(ExceptionSpec {
                    date: date.to_string(),
                    kind: kind.to_owned(),
                    opens: span.as_ref().map(|s| s.0.clone()),
                    closes: span.map(|s| s.1),
                })
            }),
            _ => None,
        };
        match parsed {
            Some(exception) => exceptions.push(exception),
            None => problems.add(
                "exceptions",
                format!(
                    "Regel {}: schrijf bijvoorbeeld ‘25-12-2026 dicht’, ‘24-12-2026 dicht 12:00-17:00’ of ‘27-12-2026 open 10:00-14:00’.",
                    n + 1
                ),
            ),
        }
    }
    let spec = ResourceSpec {
        location: text(fields, "location"),
        name: text(fields, "name"),
        seats: number(fields, "seats", problems),
        contact_centre_seats: number(fields, "contact_centre_seats", problems),
        services: all(fields, "services"),
        hours,
        exceptions,
    };
    (spec, hours_fields)
}

/// Spec problems (`bring[2].picture`, `hours[4]`) under the form's field names, with the line where it helps.
fn add_spec_problems(
    problems: &mut Problems,
    error: AppointmentsError,
    hours_fields: &[String],
) -> Result<(), AppointmentsError> {
    // The catalogue's reasons (like its "Regel 3:") are in Dutch: the administrators' pages are.
    let found: Vec<(String, String)> = match error {
        AppointmentsError::Rejected(found) => found
            .into_iter()
            .map(|(path, reason)| (path, reason.to_owned()))
            .collect(),
        AppointmentsError::Invalid { field, key } => {
            vec![(field.to_owned(), app::i18n::tr(app::i18n::Lang::Nl, key))]
        }
        // Seats that appointments still hold cannot be taken away (the API answers 409).
        error if error.still_in_use() => {
            vec![(
                String::from("seats"),
                String::from(
                    "Er staan nog afspraken op plaatsen die u weghaalt. Er is niets veranderd.",
                ),
            )]
        }
        other => return Err(other),
    };
    for (path, message) in found {
        let base = path.split(['[', '.']).next().unwrap_or_default();
        // A number that could not be read is already named; its stand-in 0 need not be refused too.
        if problems.0.iter().any(|(field, _)| field == base) && !path.contains('[') {
            continue;
        }
        let index: Option<usize> = path
            .split_once('[')
            .and_then(|(_, rest)| rest.split(']').next())
            .and_then(|n| n.parse().ok());
        match (base, index) {
            ("hours", Some(n)) => {
                let name = hours_fields.get(n).map_or("hours_monday", String::as_str);
                problems.add(name, message);
            }
            ("bring" | "exceptions", Some(n)) => {
                problems.add(base, format!("Regel {}: {message}", n + 1));
            }
            _ => problems.add(base, message),
        }
    }
    Ok(())
}

/// POST /beheer/afspraken/diensten: creates (`new=1`) or replaces a service.
pub async fn save_service(
    state: State<AppState>,
    admin: Administrator<Catalogue>,
    form: PageForm<Fields>,
) -> Result<Response, PageError> {
    save(state, admin, form, Kind::Service).await
}

/// POST /beheer/afspraken/locaties: creates or replaces a location.
pub async fn save_location(
    state: State<AppState>,
    admin: Administrator<Catalogue>,
    form: PageForm<Fields>,
) -> Result<Response, PageError> {
    save(state, admin, form, Kind::Location).await
}

/// POST /beheer/afspraken/agendas: creates or replaces a resource with its seats, hours and exceptions.
pub async fn save_resource(
    state: State<AppState>,
    admin: Administrator<Catalogue>,
    form: PageForm<Fields>,
) -> Result<Response, PageError> {
    save(state, admin, form, Kind::Resource).await
}

async fn save(
    State(state): State<AppState>,
    admin: Administrator<Catalogue>,
    PageForm(Fields(fields)): PageForm<Fields>,
    kind: Kind,
) -> Result<Response, PageError> {
    let services = &state.services;
    let id = text(&fields, "id");
    let creating = checked(&fields, "new");
    match store(services, kind, &id, creating, &fields).await {
        Ok(Ok(())) => {
            let staff = &admin.staff_id;
            tracing::info!(%staff, kind = ?kind, id = %id, "catalogue item saved");
            Ok(see_other(format!("{PAGE}?gelukt={}", kind.segment())))
        }
        Ok(Err(problems)) => {
            let page = if creating {
                format!("{PAGE}/{}/nieuw", kind.segment())
            } else {
                format!("{PAGE}/{}/{}", kind.segment(), q(&id))
            };
            let values = fields
                .iter()
                .map(|(k, v)| (k.clone(), v.chars().take(2000).collect()))
                .collect();
            let problem = FormProblems {
                form: FormId::Catalogue(kind),
                problems: problems.0,
                values,
            };
            Err(PageError::render(
                Some(page),
                StatusCode::UNPROCESSABLE_ENTITY,
                problem,
            ))
        }
        Err(AppointmentsError::NotFound) => Err(PageError::Said(
            StatusCode::NOT_FOUND,
            "catalogue-refused-gone",
        )),
        Err(error) => {
            tracing::error!(%error, "catalogue item could not be saved");
            Err(PageError::Said(
                StatusCode::SERVICE_UNAVAILABLE,
                "page-refused-not-now",
            ))
        }
    }
}

/// Checks the form and, when every field is usable, writes the item. `Ok(Err(..))` names the problems.
async fn store(
    services: &Services,
    kind: Kind,
    id: &str,
    creating: bool,
    fields: &[(String, String)],
) -> Result<Result<(), Problems>, AppointmentsError> {
    let (db, m) = (&services.db, services.municipality.id.as_str());
    let mut problems = Problems::default();
    // Whether the id is taken, and where the item stands in its list (kept on an edit; a new one goes last).
    // Resources are listed by id, so they need no position, only the check.
    let (known, position) = match kind {
        Kind::Service | Kind::Location => {
            let ids: Vec<String> = if kind == Kind::Service {
                catalogue::services(db, m)
                    .await?
                    .into_iter()
                    .map(|s| s.id)
                    .collect()
            } else {
                catalogue::locations(db, m)
                    .await?
                    .into_iter()
                    .map(|l| l.id)
                    .collect()
            };
            let at = ids.iter().position(|known| known == id);
            (
                at.is_some(),
                i64::try_from(at.unwrap_or(ids.len())).unwrap_or(i64::MAX),
            )
        }
        Kind::Resource => (catalogue::resource_exists(db, m, id).await?, 0),
    };
    if creating && known {
        problems.add(
            "id",
            "Deze id bestaat al. Kies een andere id, of pas het bestaande item aan.",
        );
    }
    if !creating && !known {
        return Err(AppointmentsError::NotFound);
    }
    match kind {
        Kind::Service => {
            let spec = service_spec(fields, &mut problems);
            match spec::service(id, &spec) {
                Ok(service) if problems.0.is_empty() => {
                    if let Err(error) = catalogue::put_service(db, m, &service, position).await {
                        add_spec_problems(&mut problems, error, &[])?;
                    }
                }
                Ok(_) => {}
                Err(error) => add_spec_problems(&mut problems, error, &[])?,
            }
        }
        Kind::Location => match spec::location(id, &location_spec(fields)) {
            Ok(location) if problems.0.is_empty() => {
                if let Err(error) = catalogue::put_location(db, m, &location, position).await {
                    add_spec_problems(&mut problems, error, &[])?;
                }
            }
            Ok(_) => {}
            Err(error) => add_spec_problems(&mut problems, error, &[])?,
        },
        Kind::Resource => {
            let (spec, hours_fields) = resource_spec(fields, &mut problems);
            match spec::resource(db, m, id, &spec).await {
                Ok(resource) if problems.0.is_empty() => {
                    if let Err(error) = catalogue::put_resource(db, m, &resource).await {
                        add_spec_problems(&mut problems, error, &hours_fields)?;
                    }
                }
                Ok(_) => {}
                Err(error) => add_spec_problems(&mut problems, error, &hours_fields)?,
            }
        }
    }
    Ok(if problems.0.is_empty() {
        Ok(())
    } else {
        Err(problems)
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::views::catalogue::{bring_lines, Values};

    fn form(pairs: &[(&str, &str)]) -> Values {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn what_to_bring_reads_one_item_per_line_with_optional_english_and_picture() {
        let items = parse_bring("ID-kaart | ID card | /afbeeldingen/id.svg\n\nPasfoto | /afbeeldingen/foto.svg\nUittreksel");
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].text_en, "ID card");
        assert_eq!(items[1].text_en, "");
        assert_eq!(items[1].picture.as_deref(), Some("/afbeeldingen/foto.svg"));
        assert_eq!(items[2].picture, None);
        assert_eq!(parse_bring(&bring_lines(&items)), items);
        // A picture from elsewhere is kept, so the check can refuse it, not dropped.
        let elsewhere = parse_bring("Tekening | Drawing | https://elders.example/x.png");
        assert_eq!(
            elsewhere[0].picture.as_deref(),
            Some("https://elders.example/x.png")
        );
    }

    #[test]
    fn hours_and_exceptions_read_the_way_people_write_them() {
        let mut problems = Problems::default();
        let (spec, fields) = resource_spec(
            &form(&[
                ("hours_monday", "8:30-12:30, 13:00 - 17:00"),
                ("hours_friday", "09:00-12:00"),
                (
                    "exceptions",
                    "25-12-2026 dicht\n2026-12-24 dicht 12:00-17:00\n27-12-2026 open 10:00-14:00",
                ),
                ("seats", "2"),
                ("contact_centre_seats", "0"),
            ]),
            &mut problems,
        );
        assert!(problems.0.is_empty(), "{:?}", problems.0);
        assert_eq!(spec.hours.len(), 3);
        assert_eq!(
            (spec.hours[0].opens.as_str(), spec.hours[0].closes.as_str()),
            ("08:30", "12:30")
        );
        assert_eq!(fields, ["hours_monday", "hours_monday", "hours_friday"]);
        assert_eq!(spec.exceptions[0].date, "2026-12-25");
        assert_eq!(spec.exceptions[0].kind, "closed");
        assert_eq!(spec.exceptions[1].opens.as_deref(), Some("12:00"));
        assert_eq!(spec.exceptions[2].kind, "open");
    }

    #[test]
    fn unreadable_hours_exceptions_and_numbers_are_named_at_their_field() {
        let mut problems = Problems::default();
        resource_spec(
            &form(&[
                ("hours_tuesday", "morgens"),
                ("exceptions", "25-12-2026 dicht\nkerst"),
                ("seats", "twee"),
                ("contact_centre_seats", "0"),
            ]),
            &mut problems,
        );
        let fields: Vec<&str> = problems.0.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["hours_tuesday", "exceptions", "seats"]);
        assert!(problems.0[1].1.starts_with("Regel 2:"));
    }

    #[test]
    fn spec_problems_land_at_the_form_field_with_their_line() {
        let mut problems = Problems::default();
        let error = AppointmentsError::Rejected(vec![
            (String::from("hours[1]"), "fout"),
            (String::from("bring[0].picture"), "plaatje"),
            (String::from("name"), "naam"),
        ]);
        add_spec_problems(
            &mut problems,
            error,
            &[String::from("hours_monday"), String::from("hours_friday")],
        )
        .unwrap();
        assert_eq!(
            problems.0,
            [
                (String::from("hours_friday"), String::from("fout")),
                (String::from("bring"), String::from("Regel 1: plaatje")),
                (String::from("name"), String::from("naam")),
            ]
        );
    }
}
