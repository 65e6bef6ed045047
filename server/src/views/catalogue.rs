//! The administrators' catalogue pages as read models: every service, location and resource with the values
//! its edit form starts from (the same texts the form's parser in `web/forms/catalogue.rs` reads back).

use crate::appointments::availability::{hhmm, Exception, Span};
use crate::appointments::catalogue::{self, BringItem, Location, Resource, Service};
use crate::authorization::{decide, Action, Principal};
use crate::services::Services;
use app::api::{ApiError, CatalogueAdmin, CatalogueItem};
use jiff::civil::{Date, Weekday};

/// The weekdays as the resource form names its hours fields (`hours_monday` …).
pub(crate) const WEEKDAYS: [(&str, Weekday); 7] = [
    ("monday", Weekday::Monday),
    ("tuesday", Weekday::Tuesday),
    ("wednesday", Weekday::Wednesday),
    ("thursday", Weekday::Thursday),
    ("friday", Weekday::Friday),
    ("saturday", Weekday::Saturday),
    ("sunday", Weekday::Sunday),
];

pub(crate) type Values = Vec<(String, String)>;

fn pair(name: &str, value: impl Into<String>) -> (String, String) {
    (name.to_owned(), value.into())
}

fn flag(name: &str, on: bool) -> Option<(String, String)> {
    on.then(|| pair(name, "1"))
}

fn service_values(service: &Service) -> Values {
    let mut values = vec![
        pair("id", &service.id),
        pair("name", &service.name),
        pair("name_en", &service.name_en),
        pair("duration_min", service.duration_min.to_string()),
        pair("bring", bring_lines(&service.bring)),
        pair("tips", &service.tips),
        pair("tips_en", &service.tips_en),
        pair("min_notice_min", service.min_notice_min.to_string()),
        pair("horizon_days", service.horizon_days.to_string()),
        pair("buffer_before_min", service.buffer_before_min.to_string()),
        pair("buffer_after_min", service.buffer_after_min.to_string()),
    ];
    values.extend(
        service
            .required_fields
            .iter()
            .map(|f| pair("required_fields", f)),
    );
    values.extend(
        service
            .reminders
            .iter()
            .map(|r| pair("reminders", r.as_str())),
    );
    values.extend(flag("resident_bookable", service.resident_bookable));
    values.extend(flag("account_required", service.account_required));
    values
}

fn location_values(location: &Location) -> Values {
    let mut values = vec![
        pair("id", &location.id),
        pair("name", &location.name),
        pair("street", &location.street),
        pair("postcode", &location.postcode),
        pair("city", &location.city),
        pair("route", &location.route),
        pair("map_url", location.map_url.clone().unwrap_or_default()),
    ];
    values.extend(flag("wheelchair", location.wheelchair));
    values.extend(flag("hearing_loop", location.hearing_loop));
    values.extend(flag("quiet_room", location.quiet_room));
    values
}

fn resource_values(resource: &Resource) -> Values {
    let staff_only = resource.seats.iter().filter(|s| **s).count();
    let mut values = vec![
        pair("id", &resource.id),
        pair("name", &resource.name),
        pair("location", &resource.location_id),
        pair("seats", resource.seats.len().to_string()),
        pair("contact_centre_seats", staff_only.to_string()),
    ];
    for (name, weekday) in WEEKDAYS {
        let spans: Vec<String> = resource
            .opening
            .week
            .iter()
            .filter(|rule| rule.weekday == weekday)
            .map(|rule| span_text(rule.span))
            .collect();
        values.push(pair(&format!("hours_{name}"), spans.join(", ")));
    }
    let exceptions: Vec<String> = resource
        .opening
        .exceptions
        .iter()
        .map(|exception| match exception {
            Exception::ClosedAllDay(date) => format!("{} dicht", dutch_date(*date)),
            Exception::Closed(date, span) => {
                format!("{} dicht {}", dutch_date(*date), span_text(*span))
            }
            Exception::Open(date, span) => {
                format!("{} open {}", dutch_date(*date), span_text(*span))
            }
        })
        .collect();
    values.push(pair("exceptions", exceptions.join("\n")));
    values.extend(resource.services.iter().map(|s| pair("services", s)));
    values
}

pub(crate) fn span_text(span: Span) -> String {
    format!("{}-{}", hhmm(span.from), hhmm(span.to))
}

pub(crate) fn dutch_date(date: Date) -> String {
    format!("{}-{}-{}", date.day(), date.month(), date.year())
}

/// What to bring, one item per line: `Dutch text | English text | /afbeeldingen/picture.svg`.
pub(crate) fn bring_lines(items: &[BringItem]) -> String {
    items
        .iter()
        .map(|item| {
            let mut parts = vec![item.text.clone()];
            if !item.text_en.is_empty() || item.picture.is_some() {
                parts.push(item.text_en.clone());
            }
            parts.extend(item.picture.clone());
            parts.join(" | ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

impl Services {
    /// The catalogue for an administrator of this municipality; `None` for anyone else.
    pub(crate) async fn catalogue_admin_for(
        &self,
        principal: &Principal,
    ) -> Result<Option<CatalogueAdmin>, ApiError> {
        let resource = crate::authorization::Resource::Catalogue {
            municipality_id: &self.municipality.id,
        };
        if !decide(principal, Action::Read, resource).allowed() {
            return Ok(None);
        }
        let m = &self.municipality.id;
        let item = |id: &str, name: &str, values: Values| CatalogueItem {
            id: id.to_owned(),
            name: name.to_owned(),
            values,
        };
        Ok(Some(CatalogueAdmin {
            services: catalogue::services(&self.db, m)
                .await?
                .iter()
                .map(|s| item(&s.id, &s.name, service_values(s)))
                .collect(),
            locations: catalogue::locations(&self.db, m)
                .await?
                .iter()
                .map(|l| item(&l.id, &l.name, location_values(l)))
                .collect(),
            resources: catalogue::resources(&self.db, m)
                .await?
                .iter()
                .map(|r| item(&r.id, &r.name, resource_values(r)))
                .collect(),
        }))
    }
}
