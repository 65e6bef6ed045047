//! The resident details a service needs (its `required_fields`): what Loket already knows is used and not
//! asked again ("we don't ask for data we already have"); the rest is asked in the booking form, checked here
//! and kept with that one appointment (`appointment_detail`), never copied into the person's addresses.

use super::AppointmentsError;
use crate::notifications::addresses;
use crate::notifications::channels::Channel;
use crate::notifications::NotificationsError;
use crate::storage::Db;
use jiff::civil::Date;
use jiff::Timestamp;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Phone,
    Email,
    BirthDate,
    PostalAddress,
}

impl Field {
    pub const ALL: [Field; 4] = [
        Field::Phone,
        Field::Email,
        Field::BirthDate,
        Field::PostalAddress,
    ];

    /// The code in a service's `required_fields` (see [`super::spec::RESIDENT_FIELDS`]).
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Phone => "phone",
            Field::Email => "email",
            Field::BirthDate => "birth-date",
            Field::PostalAddress => "postal-address",
        }
    }

    pub fn parse(code: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.as_str() == code)
    }

    /// The fields of a service's list, in the list's order; unknown codes are skipped.
    pub fn list(codes: &[String]) -> Vec<Field> {
        codes.iter().filter_map(|c| Field::parse(c)).collect()
    }
}

/// What Loket knows of a person for these fields: the value as the resident reads it back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Known {
    pub phone: Option<String>,
    pub email: Option<String>,
    pub birth_date: Option<Date>,
    /// Her address as the BRP writes it on an envelope, in her own DigiD session only ([`FromRegister`]).
    pub postal_address: Option<String>,
}

/// What the BRP knows of her for a booking (`population::Task::BookingDetails`), asked in her own DigiD
/// session; used for this booking and kept nowhere.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FromRegister {
    pub birth_date: Option<Date>,
    pub postal_address: Option<String>,
}

impl Known {
    /// What Loket knows, completed with what the BRP knows (Loket's own values first).
    pub fn with_register(mut self, register: Option<&FromRegister>) -> Known {
        if let Some(register) = register {
            self.birth_date = self.birth_date.or(register.birth_date);
            self.postal_address = self
                .postal_address
                .or_else(|| register.postal_address.clone());
        }
        self
    }

    /// The known value of `field`, as text for the page; `None` means it has to be asked.
    pub fn shown(&self, field: Field) -> Option<String> {
        match field {
            Field::Phone => self.phone.clone(),
            Field::Email => self.email.clone(),
            Field::BirthDate => self
                .birth_date
                .map(|d| d.strftime("%-d-%-m-%Y").to_string()),
            // Only the BRP knows it (in her own DigiD session); otherwise it is asked.
            Field::PostalAddress => self.postal_address.clone(),
        }
    }
}

/// A confirmed phone number and e-mail address (the first usable of each), and the birth date.
pub async fn known(db: &Db, person_id: &str, now: Timestamp) -> Result<Known, AppointmentsError> {
    let list = addresses::list(db, person_id)
        .await
        .map_err(|error| match error {
            NotificationsError::Storage(error) => AppointmentsError::Storage(error),
            _ => AppointmentsError::NotFound,
        })?;
    let first = |channel: Channel| {
        list.iter()
            .find(|a| a.channel == channel && a.usable(now))
            .map(|a| a.value.clone())
    };
    let birth: Option<(Option<String>,)> =
        sqlx::query_as("SELECT birth_date FROM person WHERE id = $1")
            .bind(person_id)
            .fetch_optional(&db.pool)
            .await?;
    Ok(Known {
        phone: first(Channel::Sms),
        email: first(Channel::Email),
        birth_date: birth.and_then(|(date,)| date).and_then(|d| d.parse().ok()),
        postal_address: None,
    })
}

/// What the booking form sent for the asked fields, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Given {
    pub phone: String,
    pub email: String,
    pub birth_day: String,
    pub birth_month: String,
    pub birth_year: String,
    pub postcode: String,
    pub house_number: String,
}

fn invalid(field: &'static str, key: &'static str) -> AppointmentsError {
    AppointmentsError::Invalid { field, key }
}

/// The fields to keep with the appointment: every required field Loket does not know, checked and written
/// in one form (phone `+31612345678`, birth date `1979-11-05`, postal address `1234 AB 5a`). Known fields
/// are not stored again; fields the service does not need are ignored. The first unusable one is refused.
pub fn check(
    required: &[Field],
    known: &Known,
    given: &Given,
    today: Date,
) -> Result<Vec<(Field, String)>, AppointmentsError> {
    let mut keep = Vec::new();
    for &field in required {
        if known.shown(field).is_some() {
            continue;
        }
        let value = match field {
            Field::Phone => phone(&given.phone)
                .ok_or_else(|| invalid("telefoon", "appointment-refused-phone"))?,
            Field::Email => addresses::normalise_email(&given.email)
                .map_err(|_| invalid("email", "appointment-refused-email"))?,
            Field::BirthDate => birth_date(&given.birth_day, &given.birth_month, &given.birth_year)
                .filter(|d| *d <= today)
                .map(|d| d.to_string())
                .ok_or_else(|| invalid("geboortedag", "appointment-refused-birth-date"))?,
            Field::PostalAddress => {
                let code = postcode(&given.postcode)
                    .ok_or_else(|| invalid("postcode", "appointment-refused-postcode"))?;
                let number = house_number(&given.house_number)
                    .ok_or_else(|| invalid("huisnummer", "appointment-refused-house-number"))?;
                format!("{code} {number}")
            }
        };
        keep.push((field, value));
    }
    Ok(keep)
}

/// A date typed as day, month and year (three fields); years 1900–2100.
pub fn birth_date(day: &str, month: &str, year: &str) -> Option<Date> {
    let number = |text: &str| text.trim().parse::<i16>().ok();
    let (day, month, year) = (number(day)?, number(month)?, number(year)?);
    if !(1900..=2100).contains(&year) {
        return None;
    }
    Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

/// A Dutch (`06 12345678`, `020-1234567`) or international (`+32 470 12 34 56`) phone number as
/// `+<country><number>`, when libphonenumber knows it as a valid number. Landlines are fine here: this number
/// is for the desk to call, not for SMS.
pub fn phone(input: &str) -> Option<String> {
    addresses::written_number(input)
        .map(|number| number.format().mode(phonenumber::Mode::E164).to_string())
}

/// `1234ab`, `1234 AB` → `1234 AB` (Dutch postcodes never start with 0).
pub fn postcode(input: &str) -> Option<String> {
    let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = compact.as_bytes();
    let ok = bytes.len() == 6
        && bytes[0] != b'0'
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4..].iter().all(u8::is_ascii_alphabetic);
    ok.then(|| format!("{} {}", &compact[..4], compact[4..].to_ascii_uppercase()))
}

/// A house number (1–99999) with an optional addition of up to 4 letters or digits: `12`, `12 A` → `12a`,
/// `12-2` and `12 2` → `12-2` (a digit addition keeps its dash: `122` would be another house).
pub fn house_number(input: &str) -> Option<String> {
    let text = input.trim();
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    let number: u32 = digits.parse().ok()?;
    if !(1..=99_999).contains(&number) {
        return None;
    }
    let addition = text[digits.len()..].trim_start_matches([' ', '-']);
    if addition.len() > 4 || !addition.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    Some(match addition.chars().next() {
        None => number.to_string(),
        Some(first) if first.is_ascii_digit() => format!("{number}-{addition}"),
        Some(_) => format!("{number}{}", addition.to_ascii_lowercase()),
    })
}

/// Keeps `details` with appointment `appointment_id`, inside the booking's transaction.
pub async fn store(
    conn: &mut sqlx::AnyConnection,
    appointment_id: &str,
    details: &[(Field, String)],
) -> Result<(), AppointmentsError> {
    for (field, value) in details {
        sqlx::query(
            "INSERT INTO appointment_detail (appointment_id, field, value) VALUES ($1, $2, $3)",
        )
        .bind(appointment_id)
        .bind(field.as_str())
        .bind(value)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The details kept with an appointment, in the order of [`Field::ALL`].
pub async fn of(db: &Db, appointment_id: &str) -> Result<Vec<(Field, String)>, AppointmentsError> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT field, value FROM appointment_detail WHERE appointment_id = $1")
            .bind(appointment_id)
            .fetch_all(&db.pool)
            .await?;
    let mut details: Vec<(Field, String)> = rows
        .into_iter()
        .filter_map(|(field, value)| Field::parse(&field).map(|f| (f, value)))
        .collect();
    details.sort_by_key(|(field, _)| Field::ALL.iter().position(|f| f == field));
    Ok(details)
}

/// What was given for each of person `person_id`'s appointments, by appointment id (those with nothing
/// given are absent), each in the order of [`Field::ALL`]: one query for the whole card.
pub async fn for_person(
    db: &Db,
    person_id: &str,
) -> Result<HashMap<String, Vec<(Field, String)>>, AppointmentsError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT d.appointment_id, d.field, d.value FROM appointment_detail d
         JOIN appointment a ON a.id = d.appointment_id WHERE a.person_id = $1",
    )
    .bind(person_id)
    .fetch_all(&db.pool)
    .await?;
    let mut details: HashMap<String, Vec<(Field, String)>> = HashMap::new();
    for (appointment, field, value) in rows {
        if let Some(field) = Field::parse(&field) {
            details.entry(appointment).or_default().push((field, value));
        }
    }
    for given in details.values_mut() {
        given.sort_by_key(|(field, _)| Field::ALL.iter().position(|f| f == field));
    }
    Ok(details)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn phone_numbers_in_common_spellings_become_one_form_and_landlines_are_fine() {
        for (input, want) in [
            ("06 12345678", "+31612345678"),
            ("06-1234 5678", "+31612345678"),
            ("020-1234567", "+31201234567"),
            ("+31 (20) 1234567", "+31201234567"),
            ("0032 470 12 34 56", "+32470123456"),
            ("+32 470 12 34 56", "+32470123456"),
        ] {
            assert_eq!(phone(input).as_deref(), Some(want), "{input}");
        }
        for bad in [
            "",
            "12345",
            "06-1234567",
            "06-123456789",
            "06-1234567a",
            "+0612345678",
        ] {
            assert_eq!(phone(bad), None, "{bad}");
        }
    }

    #[test]
    fn postcodes_and_house_numbers_are_checked_and_written_one_way() {
        assert_eq!(postcode("1234ab").as_deref(), Some("1234 AB"));
        assert_eq!(postcode(" 3511 ce ").as_deref(), Some("3511 CE"));
        for bad in [
            "0123 AB", "123 AB", "1234 A", "1234 A1", "ABCD EF", "1234 ABC",
        ] {
            assert_eq!(postcode(bad), None, "{bad}");
        }
        assert_eq!(house_number("12").as_deref(), Some("12"));
        assert_eq!(house_number("12 A").as_deref(), Some("12a"));
        assert_eq!(house_number("12-2").as_deref(), Some("12-2"));
        assert_eq!(house_number("12 2").as_deref(), Some("12-2"));
        for bad in ["", "0", "a12", "100000", "12 toevoeging", "12/3"] {
            assert_eq!(house_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn known_details_are_not_asked_and_the_rest_must_be_usable() {
        let today = date(2026, 11, 23);
        let required = Field::list(&[
            "phone".into(),
            "email".into(),
            "birth-date".into(),
            "postal-address".into(),
            "shoe-size".into(),
        ]);
        assert_eq!(required.len(), 4);
        let known = Known {
            phone: None,
            email: Some("desiree@example.nl".into()),
            birth_date: Some(date(1986, 4, 12)),
            postal_address: None,
        };
        let mut given = Given {
            phone: "06 12345678".into(),
            email: "ignored, it is known".into(),
            postcode: "1234ab".into(),
            house_number: "5".into(),
            ..Given::default()
        };
        assert_eq!(
            check(&required, &known, &given, today).unwrap(),
            [
                (Field::Phone, "+31612345678".to_owned()),
                (Field::PostalAddress, "1234 AB 5".to_owned())
            ]
        );
        given.phone = String::from("bel me maar");
        match check(&required, &known, &given, today) {
            Err(AppointmentsError::Invalid { field, .. }) => assert_eq!(field, "telefoon"),
            other => panic!("{other:?}"),
        }
        // An unknown birth date must be a real day, and not in the future.
        let unknown = Known::default();
        let only_birth = [Field::BirthDate];
        for (d, m, y, ok) in [
            ("5", "11", "1979", true),
            ("31", "2", "1979", false),
            ("1", "1", "2027", false),
            ("", "", "", false),
        ] {
            let given = Given {
                birth_day: d.into(),
                birth_month: m.into(),
                birth_year: y.into(),
                ..Given::default()
            };
            assert_eq!(
                check(&only_birth, &unknown, &given, today).is_ok(),
                ok,
                "{d}-{m}-{y}"
            );
        }
        // A service that needs nothing keeps nothing.
        assert!(check(&[], &unknown, &Given::default(), today)
            .unwrap()
            .is_empty());
    }
}
