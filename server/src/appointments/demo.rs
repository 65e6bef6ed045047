//! The demo municipality's appointment catalogue: the town hall and a community centre, passport and
//! driving-licence desks residents book themselves, and two social-team consultants only the contact centre
//! books — plus the appointment Karin made for Desiree with the social team. Seeded once (a marker row);
//! the catalogue rows are upserts with fixed ids, so a repeated run is harmless.

use super::availability::{Exception, Opening, Span, Via, WeekRule};
use super::booking::{self, BookRequest, Booker};
use super::catalogue::{self, BringItem, Location, Resource, Service};
use super::{AppointmentsError, Reminder};
use crate::storage::Db;
use crate::tenancy::Municipality;
use jiff::civil::{date, Weekday};
use jiff::{SignedDuration, Timestamp};

const MARKER: &str = "demo_appointments_seeded_at";

fn bring(text: &str, text_en: &str, picture: Option<&str>) -> BringItem {
    BringItem {
        text: text.to_owned(),
        text_en: text_en.to_owned(),
        picture: picture.map(|p| format!("/afbeeldingen/{p}.svg")),
    }
}

fn services() -> Vec<Service> {
    let base = Service {
        id: String::new(),
        name: String::new(),
        name_en: String::new(),
        duration_min: 15,
        bring: Vec::new(),
        tips: String::new(),
        tips_en: String::new(),
        required_fields: Vec::new(),
        min_notice_min: 60,
        horizon_days: 60,
        buffer_before_min: 0,
        buffer_after_min: 0,
        reminders: vec![Reminder::EveningBefore, Reminder::TwoHours],
        resident_bookable: true,
        account_required: false,
    };
    vec![
        Service {
            id: String::from("paspoort"),
            name: String::from("Paspoort of ID-kaart aanvragen"),
            name_en: String::from("Apply for a passport or ID card"),
            bring: vec![
                bring(
                    "Uw huidige paspoort of ID-kaart (ook als die verlopen is)",
                    "Your current passport or ID card (also if it has expired)",
                    Some("id-kaart-voorkant"),
                ),
                bring(
                    "Eén pasfoto van minder dan 6 maanden oud",
                    "One passport photo, less than 6 months old",
                    Some("pasfoto"),
                ),
                bring(
                    "Uw bankpas: u betaalt aan de balie",
                    "Your bank card: you pay at the desk",
                    Some("bankpas"),
                ),
            ],
            tips: String::from(
                "Kom 5 minuten voor uw afspraak. Vraagt u een paspoort aan voor een kind? Neem het kind dan mee.",
            ),
            tips_en: String::from(
                "Come 5 minutes before your appointment. Applying for a child's passport? Bring the child.",
            ),
            ..base.clone()
        },
        Service {
            id: String::from("rijbewijs"),
            name: String::from("Rijbewijs verlengen"),
            name_en: String::from("Renew a driving licence"),
            duration_min: 10,
            bring: vec![
                bring(
                    "Uw huidige rijbewijs",
                    "Your current driving licence",
                    Some("rijbewijs"),
                ),
                bring(
                    "Eén pasfoto van minder dan 6 maanden oud",
                    "One passport photo, less than 6 months old",
                    Some("pasfoto"),
                ),
            ],
            tips: String::from("Bent u 75 jaar of ouder? Regel dan eerst een gezondheidsverklaring."),
            tips_en: String::from("Aged 75 or over? Arrange a health declaration first."),
            // The desk checks the birth date against the licence, and calls if the health declaration is missing.
            required_fields: vec![String::from("phone"), String::from("birth-date")],
            ..base.clone()
        },
        Service {
            id: String::from("sociaal-team"),
            name: String::from("Gesprek met het sociaal team"),
            name_en: String::from("Talk with the social team"),
            duration_min: 45,
            buffer_after_min: 15,
            min_notice_min: 0,
            bring: vec![
                bring(
                    "Uw ID-kaart of paspoort",
                    "Your ID card or passport",
                    Some("id-kaart-voorkant"),
                ),
                bring(
                    "Brieven over rekeningen of schulden die u heeft gekregen",
                    "Letters about bills or debts you received",
                    Some("brieven"),
                ),
                bring(
                    "Uw laatste loonstrook of uitkeringsspecificatie",
                    "Your latest payslip or benefit statement",
                    None,
                ),
            ],
            tips: String::from(
                "U hoeft niets voor te bereiden. Schrijf op wat u wilt vragen. U mag iemand meenemen die u vertrouwt.",
            ),
            tips_en: String::from(
                "You do not need to prepare anything. Write down what you want to ask. You may bring someone you trust.",
            ),
            resident_bookable: false,
            ..base
        },
    ]
}

fn locations() -> Vec<Location> {
    vec![
        Location {
            id: String::from("stadhuis"),
            name: String::from("Stadhuis"),
            street: String::from("Markt 1"),
            postcode: String::from("1234 AB"),
            city: String::from("Voorbeeld"),
            route: String::from(
                "Bus 12 of 14 tot halte Markt. De ingang is aan de Markt; de balies zijn op de begane grond. Parkeren kan in garage Centrum (betaald).",
            ),
            wheelchair: true,
            hearing_loop: true,
            quiet_room: true,
            map_url: Some(String::from(
                "https://www.openstreetmap.org/search?query=Markt%201%2C%20Voorbeeld",
            )),
        },
        Location {
            id: String::from("wijkcentrum"),
            name: String::from("Wijkcentrum De Kern"),
            street: String::from("Kerkstraat 20"),
            postcode: String::from("1234 CD"),
            city: String::from("Voorbeeld"),
            route: String::from(
                "Bus 3 tot halte Kerkstraat, dan 2 minuten lopen. Meld u bij de receptie; u wordt opgehaald.",
            ),
            wheelchair: true,
            hearing_loop: false,
            quiet_room: true,
            map_url: Some(String::from(
                "https://www.openstreetmap.org/search?query=Kerkstraat%2020%2C%20Voorbeeld",
            )),
        },
    ]
}

fn weekdays(spans: &[(&str, &str)], days: &[Weekday]) -> Vec<WeekRule> {
    days.iter()
        .flat_map(|weekday| {
            spans.iter().filter_map(move |(o, c)| {
                Span::parse(o, c).map(|span| WeekRule {
                    weekday: *weekday,
                    span,
                })
            })
        })
        .collect()
}

/// Public holidays the desks are closed (Christmas, New Year, King's Day) this year and next.
fn holidays(now: Timestamp, municipality: &Municipality) -> Vec<Exception> {
    let year = now.to_zoned(municipality.time_zone.clone()).year();
    [year, year + 1]
        .into_iter()
        .flat_map(|y| [(1, 1), (4, 27), (12, 25), (12, 26)].map(|(m, d)| date(y, m, d)))
        .map(Exception::ClosedAllDay)
        .collect()
}

fn resources(now: Timestamp, municipality: &Municipality) -> Vec<Resource> {
    use Weekday::{Friday, Monday, Thursday, Tuesday, Wednesday};
    let workdays = [Monday, Tuesday, Wednesday, Thursday, Friday];
    let mut town_hall = weekdays(&[("09:00", "12:30"), ("13:30", "17:00")], &workdays);
    // Thursday evening for people who work during the day.
    town_hall.extend(weekdays(&[("18:00", "20:00")], &[Thursday]));
    let consultant = weekdays(&[("09:00", "12:00"), ("13:00", "16:00")], &workdays);
    let closed = holidays(now, municipality);
    let resource = |id: &str,
                    location: &str,
                    name: &str,
                    seats: Vec<bool>,
                    week: Vec<WeekRule>,
                    services: &[&str]| {
        Resource {
            id: id.to_owned(),
            location_id: location.to_owned(),
            name: name.to_owned(),
            seats,
            opening: Opening {
                week,
                exceptions: closed.clone(),
            },
            services: services.iter().map(|s| (*s).to_owned()).collect(),
        }
    };
    vec![
        // Three desks; the third is kept for appointments the contact centre makes.
        resource(
            "balie-stadhuis",
            "stadhuis",
            "Publieksbalie stadhuis",
            vec![false, false, true],
            town_hall,
            &["paspoort", "rijbewijs"],
        ),
        resource(
            "balie-wijkcentrum",
            "wijkcentrum",
            "Balie wijkcentrum",
            vec![false],
            weekdays(&[("09:00", "12:00")], &[Tuesday, Thursday]),
            &["paspoort"],
        ),
        resource(
            "consulent-1",
            "wijkcentrum",
            "Consulent sociaal team 1",
            vec![false],
            consultant.clone(),
            &["sociaal-team"],
        ),
        resource(
            "consulent-2",
            "wijkcentrum",
            "Consulent sociaal team 2",
            vec![false],
            consultant,
            &["sociaal-team"],
        ),
    ]
}

/// Seeds the catalogue and Desiree's appointment unless done before; returns whether it seeded now.
pub async fn seed(
    db: &Db,
    municipality: &Municipality,
    now: Timestamp,
) -> Result<bool, AppointmentsError> {
    let done: Option<(String,)> = sqlx::query_as("SELECT value FROM app_meta WHERE key = $1")
        .bind(MARKER)
        .fetch_optional(&db.pool)
        .await?;
    if done.is_some() {
        return Ok(false);
    }
    let m = municipality.id.as_str();
    for (position, service) in (0..).zip(services()) {
        catalogue::put_service(db, m, &service, position).await?;
    }
    for (position, location) in (0..).zip(locations()) {
        catalogue::put_location(db, m, &location, position).await?;
    }
    for resource in resources(now, municipality) {
        catalogue::put_resource(db, m, &resource).await?;
    }
    let desiree = format!("demo-{m}-desiree");
    let karin = format!("demo-{m}-karin");
    // Karin booked Desiree's talk with the social team on the phone: the first free morning time from two
    // days ahead.
    let talk = DemoBooking {
        service: "sociaal-team",
        location: "wijkcentrum",
        person: &desiree,
        staff: Some(&karin),
        days_ahead: 2,
        key: &format!("demo-{m}-appointment-desiree"),
    };
    book_first_morning(db, municipality, &talk, now).await?;
    // And she booked a new passport herself, a few days after that talk: the appointment she sends the photos
    // of her papers for in the demo.
    let passport = DemoBooking {
        service: "paspoort",
        location: "stadhuis",
        person: &desiree,
        staff: None,
        days_ahead: 5,
        key: &format!("demo-{m}-appointment-desiree-passport"),
    };
    book_first_morning(db, municipality, &passport, now).await?;
    sqlx::query("INSERT INTO app_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
        .bind(MARKER)
        .bind(now.to_string())
        .execute(&db.pool)
        .await?;
    Ok(true)
}

/// A demo appointment: by the contact centre when `staff` is given, else by the resident herself.
struct DemoBooking<'a> {
    service: &'a str,
    location: &'a str,
    person: &'a str,
    staff: Option<&'a str>,
    days_ahead: i64,
    key: &'a str,
}

/// Books `booking` at the first free time from 10:00 on, from `days_ahead` days until three weeks ahead
/// (nothing when there is none).
async fn book_first_morning(
    db: &Db,
    municipality: &Municipality,
    booking: &DemoBooking<'_>,
    now: Timestamp,
) -> Result<(), AppointmentsError> {
    let service = catalogue::service(db, &municipality.id, booking.service).await?;
    let tz = &municipality.time_zone;
    let from = tz
        .to_datetime(now + SignedDuration::from_hours(24 * booking.days_ahead))
        .date();
    let to = tz
        .to_datetime(now + SignedDuration::from_hours(24 * 21))
        .date();
    let via = if booking.staff.is_some() {
        Via::Staff
    } else {
        Via::Resident
    };
    let offers = booking::free_times(
        db,
        municipality,
        &service,
        booking.location,
        via,
        from..=to,
        now,
    )
    .await?;
    if let Some(offer) = offers.iter().find(|o| o.slot.local.hour() >= 10) {
        booking::book(
            db,
            municipality,
            &BookRequest {
                service_id: booking.service,
                location_id: booking.location,
                start: offer.slot.start,
                booker: Booker {
                    person_id: booking.person,
                    organisation_id: None,
                    via,
                    staff_id: booking.staff,
                },
                idempotency_key: booking.key,
                address_id: None,
                reminders: None,
                details: None,
                from_register: None,
                new_address: None,
            },
            now,
        )
        .await?;
    }
    Ok(())
}
