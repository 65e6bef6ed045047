//! What can be booked: services (appointment types), locations, and resources (desks, consultants) with their
//! seats, weekly hours and exceptions. Read by the engine and the pages; written by the demo seed and the
//! municipality's configuration.

use super::availability::{Exception, Held, Opening, ResourcePlan, SeatDiary, Span, WeekRule};
use super::{AppointmentsError, Reminder};
use crate::storage::{Backend, Db};
use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};

/// One thing to bring, with an optional picture of the document (a path under `/afbeeldingen/`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BringItem {
    pub text: String,
    pub text_en: String,
    #[serde(default)]
    pub picture: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub name_en: String,
    pub duration_min: i32,
    pub bring: Vec<BringItem>,
    pub tips: String,
    pub tips_en: String,
    pub required_fields: Vec<String>,
    pub min_notice_min: i64,
    pub horizon_days: i64,
    pub buffer_before_min: i32,
    pub buffer_after_min: i32,
    pub reminders: Vec<Reminder>,
    pub resident_bookable: bool,
    pub account_required: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub id: String,
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub route: String,
    pub wheelchair: bool,
    pub hearing_loop: bool,
    pub quiet_room: bool,
    pub map_url: Option<String>,
}

/// A resource as configured: where it is, its seats (`true` = kept for the contact centre), hours and
/// exceptions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resource {
    pub id: String,
    pub location_id: String,
    pub name: String,
    pub seats: Vec<bool>,
    pub opening: Opening,
    pub services: Vec<String>,
}

type ServiceRow = (
    String,
    String,
    String,
    i64,
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    i64,
    String,
    i64,
    i64,
);

const SERVICE_COLUMNS: &str = "id, name, name_en, duration_min, bring, tips, tips_en, required_fields, min_notice_min,
    horizon_days, buffer_before_min, buffer_after_min, reminders, resident_bookable, account_required";

fn service_from(row: ServiceRow) -> Service {
    let int = |v: i64| i32::try_from(v).unwrap_or(0);
    Service {
        id: row.0,
        name: row.1,
        name_en: row.2,
        duration_min: int(row.3),
        bring: serde_json::from_str(&row.4).unwrap_or_default(),
        tips: row.5,
        tips_en: row.6,
        required_fields: row
            .7
            .split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(str::to_owned)
            .collect(),
        min_notice_min: row.8,
        horizon_days: row.9,
        buffer_before_min: int(row.10),
        buffer_after_min: int(row.11),
        reminders: Reminder::parse_list(&row.12),
        resident_bookable: row.13 == 1,
        account_required: row.14 == 1,
    }
}

/// The municipality's services, in their configured order.
pub async fn services(db: &Db, municipality_id: &str) -> Result<Vec<Service>, AppointmentsError> {
    let rows: Vec<ServiceRow> = sqlx::query_as(&format!(
        "SELECT {SERVICE_COLUMNS} FROM appointment_service WHERE municipality_id = $1 ORDER BY position, name"
    ))
    .bind(municipality_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(service_from).collect())
}

pub async fn service(
    db: &Db,
    municipality_id: &str,
    service_id: &str,
) -> Result<Service, AppointmentsError> {
    let row: Option<ServiceRow> = sqlx::query_as(&format!(
        "SELECT {SERVICE_COLUMNS} FROM appointment_service WHERE municipality_id = $1 AND id = $2"
    ))
    .bind(municipality_id)
    .bind(service_id)
    .fetch_optional(&db.pool)
    .await?;
    row.map(service_from).ok_or(AppointmentsError::NotFound)
}

type LocationRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    Option<String>,
);

fn location_from(row: LocationRow) -> Location {
    Location {
        id: row.0,
        name: row.1,
        street: row.2,
        postcode: row.3,
        city: row.4,
        route: row.5,
        wheelchair: row.6 == 1,
        hearing_loop: row.7 == 1,
        quiet_room: row.8 == 1,
        map_url: row.9,
    }
}

const LOCATION_COLUMNS: &str =
    "l.id, l.name, l.street, l.postcode, l.city, l.route, l.wheelchair, l.hearing_loop, l.quiet_room, l.map_url";

/// The locations where a service can be booked (those with a resource that gives it).
pub async fn locations_for(db: &Db, service_id: &str) -> Result<Vec<Location>, AppointmentsError> {
    let rows: Vec<LocationRow> = sqlx::query_as(&format!(
        "SELECT {LOCATION_COLUMNS} FROM appointment_location l
         WHERE EXISTS (SELECT 1 FROM appointment_resource r
                       JOIN appointment_service_resource sr ON sr.resource_id = r.id
                       WHERE r.location_id = l.id AND sr.service_id = $1)
         ORDER BY l.position, l.name"
    ))
    .bind(service_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(location_from).collect())
}

/// Every location of the municipality, in their configured order (the administrators' pages).
pub async fn locations(db: &Db, municipality_id: &str) -> Result<Vec<Location>, AppointmentsError> {
    let rows: Vec<LocationRow> = sqlx::query_as(&format!(
        "SELECT {LOCATION_COLUMNS} FROM appointment_location l WHERE l.municipality_id = $1
         ORDER BY l.position, l.name"
    ))
    .bind(municipality_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(location_from).collect())
}

pub async fn location(
    db: &Db,
    municipality_id: &str,
    location_id: &str,
) -> Result<Location, AppointmentsError> {
    let row: Option<LocationRow> = sqlx::query_as(&format!(
        "SELECT {LOCATION_COLUMNS} FROM appointment_location l WHERE l.municipality_id = $1 AND l.id = $2"
    ))
    .bind(municipality_id)
    .bind(location_id)
    .fetch_optional(&db.pool)
    .await?;
    row.map(location_from).ok_or(AppointmentsError::NotFound)
}

fn weekday(iso: i64) -> Option<Weekday> {
    Weekday::from_monday_one_offset(i8::try_from(iso).ok()?).ok()
}

/// (resource, date, kind, opens, closes)
type ExceptionRow = (String, String, String, Option<String>, Option<String>);

/// The resources at `location_id` that give `service_id`, each with its hours, exceptions, seats and the
/// live bookings that hold those seats within `[from_ms, until_ms)`. In resource id order, so "the first
/// resource with a free seat" is stable.
pub async fn plans(
    db: &Db,
    service_id: &str,
    location_id: &str,
    from_ms: i64,
    until_ms: i64,
) -> Result<Vec<ResourcePlan>, AppointmentsError> {
    let ids: Vec<(String,)> = sqlx::query_as(
        "SELECT r.id FROM appointment_resource r
         JOIN appointment_service_resource sr ON sr.resource_id = r.id
         WHERE sr.service_id = $1 AND r.location_id = $2 ORDER BY r.id",
    )
    .bind(service_id)
    .bind(location_id)
    .fetch_all(&db.pool)
    .await?;
    let mut plans: Vec<ResourcePlan> = ids
        .into_iter()
        .map(|(id,)| ResourcePlan {
            id,
            opening: Opening::default(),
            seats: Vec::new(),
        })
        .collect();
    if plans.is_empty() {
        return Ok(plans);
    }
    // Four queries for all resources together, not four per resource.
    let filter = "resource_id IN (SELECT r.id FROM appointment_resource r
                   JOIN appointment_service_resource sr ON sr.resource_id = r.id
                   WHERE sr.service_id = $1 AND r.location_id = $2)";
    let hours: Vec<HoursRow> = sqlx::query_as(&format!(
        "SELECT resource_id, weekday, opens, closes FROM appointment_hours WHERE {filter}"
    ))
    .bind(service_id)
    .bind(location_id)
    .fetch_all(&db.pool)
    .await?;
    let exceptions: Vec<ExceptionRow> =
        sqlx::query_as(&format!(
            "SELECT resource_id, on_date, kind, opens, closes FROM appointment_exception WHERE {filter}"
        ))
        .bind(service_id)
        .bind(location_id)
        .fetch_all(&db.pool)
        .await?;
    let seats: Vec<(String, i64, i64)> = sqlx::query_as(&format!(
        "SELECT resource_id, seat, staff_only FROM appointment_seat WHERE {filter} ORDER BY seat"
    ))
    .bind(service_id)
    .bind(location_id)
    .fetch_all(&db.pool)
    .await?;
    // One row per seat with its busy intervals as text ("from:until,…"), not one row per appointment: over a
    // 60-day horizon that is thousands of rows, and decoding rows is what availability spent most time on.
    let aggregate = match db.backend {
        Backend::Sqlite => "group_concat",
        Backend::Postgres => "string_agg",
    };
    let held_rows: Vec<(String, i64, String)> = sqlx::query_as(&format!(
        "SELECT resource_id, seat,
                {aggregate}(CAST(busy_from_ms AS TEXT) || ':' || CAST(busy_until_ms AS TEXT), ',')
         FROM appointment
         WHERE {filter} AND status = 'booked' AND busy_until_ms > $3 AND busy_from_ms < $4
         GROUP BY resource_id, seat"
    ))
    .bind(service_id)
    .bind(location_id)
    .bind(from_ms)
    .bind(until_ms)
    .fetch_all(&db.pool)
    .await?;
    let held: Vec<(String, i64, Vec<Held>)> = held_rows
        .into_iter()
        .map(|(resource, seat, list)| (resource, seat, parse_held(&list)))
        .collect();
    for plan in &mut plans {
        plan.opening = opening_of(&plan.id, &hours, &exceptions);
        for (_, seat, staff_only) in seats.iter().filter(|s| s.0 == plan.id) {
            plan.seats.push(SeatDiary {
                seat: *seat,
                staff_only: *staff_only == 1,
                held: held
                    .iter()
                    .find(|h| h.0 == plan.id && h.1 == *seat)
                    .map(|h| h.2.clone())
                    .unwrap_or_default(),
            });
        }
    }
    Ok(plans)
}

/// (resource, weekday 1–7, opens, closes)
type HoursRow = (String, i64, String, String);

/// The weekly hours and exceptions of `resource` among rows read for several resources at once.
fn opening_of(resource: &str, hours: &[HoursRow], exceptions: &[ExceptionRow]) -> Opening {
    let mut opening = Opening::default();
    for (_, day, opens, closes) in hours.iter().filter(|h| h.0 == resource) {
        if let (Some(weekday), Some(span)) = (weekday(*day), Span::parse(opens, closes)) {
            opening.week.push(WeekRule { weekday, span });
        }
    }
    for (_, on, kind, opens, closes) in exceptions.iter().filter(|e| e.0 == resource) {
        let Ok(date) = on.parse::<Date>() else {
            continue;
        };
        let span = opens
            .as_deref()
            .zip(closes.as_deref())
            .and_then(|(o, c)| Span::parse(o, c));
        opening.exceptions.push(match (kind.as_str(), span) {
            ("open", Some(span)) => Exception::Open(date, span),
            ("closed", Some(span)) => Exception::Closed(date, span),
            _ => Exception::ClosedAllDay(date),
        });
    }
    opening
}

/// Every resource of the municipality as configured (the administrators' pages), in id order.
pub async fn resources(db: &Db, municipality_id: &str) -> Result<Vec<Resource>, AppointmentsError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT id, location_id, name FROM appointment_resource WHERE municipality_id = $1 ORDER BY id",
    )
    .bind(municipality_id)
    .fetch_all(&db.pool)
    .await?;
    let filter = "resource_id IN (SELECT id FROM appointment_resource WHERE municipality_id = $1)";
    let mut hours: Vec<HoursRow> = sqlx::query_as(&format!(
        "SELECT resource_id, weekday, opens, closes FROM appointment_hours WHERE {filter}"
    ))
    .bind(municipality_id)
    .fetch_all(&db.pool)
    .await?;
    hours.sort_by(|a, b| (a.1, &a.2).cmp(&(b.1, &b.2)));
    let mut exceptions: Vec<ExceptionRow> = sqlx::query_as(&format!(
        "SELECT resource_id, on_date, kind, opens, closes FROM appointment_exception WHERE {filter}"
    ))
    .bind(municipality_id)
    .fetch_all(&db.pool)
    .await?;
    exceptions.sort_by(|a, b| (&a.1, &a.3).cmp(&(&b.1, &b.3)));
    let seats: Vec<(String, i64, i64)> = sqlx::query_as(&format!(
        "SELECT resource_id, seat, staff_only FROM appointment_seat WHERE {filter} ORDER BY seat"
    ))
    .bind(municipality_id)
    .fetch_all(&db.pool)
    .await?;
    let services: Vec<(String, String)> = sqlx::query_as(&format!(
        "SELECT sr.resource_id, sr.service_id FROM appointment_service_resource sr
         JOIN appointment_service s ON s.id = sr.service_id
         WHERE {filter} ORDER BY s.position, s.name"
    ))
    .bind(municipality_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, location_id, name)| Resource {
            opening: opening_of(&id, &hours, &exceptions),
            seats: seats
                .iter()
                .filter(|s| s.0 == id)
                .map(|s| s.2 == 1)
                .collect(),
            services: services
                .iter()
                .filter(|s| s.0 == id)
                .map(|s| s.1.clone())
                .collect(),
            id,
            location_id,
            name,
        })
        .collect())
}

/// Busy intervals written as `from:until,from:until` (milliseconds), in order of start.
fn parse_held(list: &str) -> Vec<Held> {
    let mut held: Vec<Held> = list
        .split(',')
        .filter_map(|pair| {
            let (from, until) = pair.split_once(':')?;
            Some(Held {
                from_ms: from.parse().ok()?,
                until_ms: until.parse().ok()?,
            })
        })
        .collect();
    held.sort_unstable_by_key(|h| h.from_ms);
    held
}

/// Whether the resource exists in this municipality.
pub async fn resource_exists(
    db: &Db,
    municipality_id: &str,
    resource_id: &str,
) -> Result<bool, AppointmentsError> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM appointment_resource WHERE municipality_id = $1 AND id = $2",
    )
    .bind(municipality_id)
    .bind(resource_id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.is_some())
}

/// Creates or replaces a service.
pub async fn put_service(
    db: &Db,
    municipality_id: &str,
    service: &Service,
    position: i64,
) -> Result<(), AppointmentsError> {
    if !(5..=480).contains(&service.duration_min) {
        return Err(AppointmentsError::Invalid {
            field: "duration_min",
            key: "appointment-refused-duration",
        });
    }
    let bring = serde_json::to_string(&service.bring).unwrap_or_else(|_| String::from("[]"));
    let written = sqlx::query(
        "INSERT INTO appointment_service (id, municipality_id, name, name_en, duration_min, bring, tips, tips_en,
             required_fields, min_notice_min, horizon_days, buffer_before_min, buffer_after_min, reminders,
             resident_bookable, account_required, position)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
         ON CONFLICT (id) DO UPDATE SET name = $3, name_en = $4, duration_min = $5, bring = $6, tips = $7,
             tips_en = $8, required_fields = $9, min_notice_min = $10, horizon_days = $11,
             buffer_before_min = $12, buffer_after_min = $13, reminders = $14, resident_bookable = $15,
             account_required = $16, position = $17
         WHERE appointment_service.municipality_id = $2",
    )
    .bind(&service.id)
    .bind(municipality_id)
    .bind(&service.name)
    .bind(&service.name_en)
    .bind(i64::from(service.duration_min))
    .bind(bring)
    .bind(&service.tips)
    .bind(&service.tips_en)
    .bind(service.required_fields.join(","))
    .bind(service.min_notice_min)
    .bind(service.horizon_days)
    .bind(i64::from(service.buffer_before_min))
    .bind(i64::from(service.buffer_after_min))
    .bind(Reminder::join(&service.reminders))
    .bind(i64::from(service.resident_bookable))
    .bind(i64::from(service.account_required))
    .bind(position)
    .execute(&db.pool)
    .await?;
    taken_elsewhere(written.rows_affected())
}

/// Ids are unique across municipalities: an upsert that wrote nothing met another municipality's row.
fn taken_elsewhere(rows: u64) -> Result<(), AppointmentsError> {
    if rows == 0 {
        return Err(AppointmentsError::Invalid {
            field: "id",
            key: "appointment-refused-id-taken",
        });
    }
    Ok(())
}

/// Creates or replaces a location.
pub async fn put_location(
    db: &Db,
    municipality_id: &str,
    location: &Location,
    position: i64,
) -> Result<(), AppointmentsError> {
    let written = sqlx::query(
        "INSERT INTO appointment_location (id, municipality_id, name, street, postcode, city, route, wheelchair,
             hearing_loop, quiet_room, map_url, position)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (id) DO UPDATE SET name = $3, street = $4, postcode = $5, city = $6, route = $7,
             wheelchair = $8, hearing_loop = $9, quiet_room = $10, map_url = $11, position = $12
         WHERE appointment_location.municipality_id = $2",
    )
    .bind(&location.id)
    .bind(municipality_id)
    .bind(&location.name)
    .bind(&location.street)
    .bind(&location.postcode)
    .bind(&location.city)
    .bind(&location.route)
    .bind(i64::from(location.wheelchair))
    .bind(i64::from(location.hearing_loop))
    .bind(i64::from(location.quiet_room))
    .bind(&location.map_url)
    .bind(position)
    .execute(&db.pool)
    .await?;
    taken_elsewhere(written.rows_affected())
}

/// Creates or replaces a resource with its seats, hours, exceptions and services, in one transaction. Seats
/// can only be removed while no booking holds them (the foreign key refuses otherwise).
pub async fn put_resource(
    db: &Db,
    municipality_id: &str,
    resource: &Resource,
) -> Result<(), AppointmentsError> {
    if resource.seats.is_empty() || resource.seats.len() > 50 {
        return Err(AppointmentsError::Invalid {
            field: "seats",
            key: "appointment-refused-seats",
        });
    }
    let mut tx = db.write().await?;
    let written = sqlx::query(
        "INSERT INTO appointment_resource (id, municipality_id, location_id, name) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET location_id = $3, name = $4
         WHERE appointment_resource.municipality_id = $2",
    )
    .bind(&resource.id)
    .bind(municipality_id)
    .bind(&resource.location_id)
    .bind(&resource.name)
    .execute(&mut *tx)
    .await?;
    // Before touching its seats: this must be our own resource.
    taken_elsewhere(written.rows_affected())?;
    let count = i64::try_from(resource.seats.len()).unwrap_or(50);
    sqlx::query("DELETE FROM appointment_seat WHERE resource_id = $1 AND seat > $2")
        .bind(&resource.id)
        .bind(count)
        .execute(&mut *tx)
        .await?;
    for (seat, staff_only) in (1_i64..).zip(&resource.seats) {
        sqlx::query(
            "INSERT INTO appointment_seat (resource_id, seat, staff_only) VALUES ($1, $2, $3)
             ON CONFLICT (resource_id, seat) DO UPDATE SET staff_only = $3",
        )
        .bind(&resource.id)
        .bind(seat)
        .bind(i64::from(*staff_only))
        .execute(&mut *tx)
        .await?;
    }
    for table in [
        "appointment_hours",
        "appointment_exception",
        "appointment_service_resource",
    ] {
        sqlx::query(&format!("DELETE FROM {table} WHERE resource_id = $1"))
            .bind(&resource.id)
            .execute(&mut *tx)
            .await?;
    }
    let time = |m: i32| super::availability::hhmm(m);
    for rule in &resource.opening.week {
        sqlx::query(
            "INSERT INTO appointment_hours (resource_id, weekday, opens, closes) VALUES ($1, $2, $3, $4)",
        )
        .bind(&resource.id)
        .bind(i64::from(rule.weekday.to_monday_one_offset()))
        .bind(time(rule.span.from))
        .bind(time(rule.span.to))
        .execute(&mut *tx)
        .await?;
    }
    for exception in &resource.opening.exceptions {
        let (date, kind, span) = match exception {
            Exception::ClosedAllDay(date) => (date, "closed", None),
            Exception::Closed(date, span) => (date, "closed", Some(span)),
            Exception::Open(date, span) => (date, "open", Some(span)),
        };
        sqlx::query(
            "INSERT INTO appointment_exception (id, resource_id, on_date, kind, opens, closes)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(crate::identity::secrets::id())
        .bind(&resource.id)
        .bind(date.to_string())
        .bind(kind)
        .bind(span.map(|s| time(s.from)))
        .bind(span.map(|s| time(s.to)))
        .execute(&mut *tx)
        .await?;
    }
    for service in &resource.services {
        sqlx::query(
            "INSERT INTO appointment_service_resource (service_id, resource_id) VALUES ($1, $2)",
        )
        .bind(service)
        .bind(&resource.id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_intervals_read_from_one_text_come_out_in_order_and_skip_garbage() {
        let held = parse_held("3000:4000,1000:2000,bad,5000:x");
        assert_eq!(
            held,
            [
                Held {
                    from_ms: 1000,
                    until_ms: 2000
                },
                Held {
                    from_ms: 3000,
                    until_ms: 4000
                }
            ]
        );
        assert!(parse_held("").is_empty());
    }
}
