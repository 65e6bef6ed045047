//! The municipality Loket serves: name, branding, contact details and time zone, from a TOML file.
//!
//! The file is checked strictly at start: an unknown or missing field, a colour that is not `#rrggbb`, too
//! little contrast between the brand colour and its text, or an unknown time zone stops the process with one
//! line naming the file and the field.

use crate::cases::Confidentiality;
use app::api::{MunicipalityView, OpeningLine};
use jiff::tz::TimeZone;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum TenancyError {
    #[error("cannot read the municipality file {path}: {reason}. Set LOKET_MUNICIPALITY_FILE to an existing file.")]
    Read { path: PathBuf, reason: String },
    #[error("{path} line {line}: {message}. Fix this field in the municipality file.")]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{path}: field `{field}` {problem}.")]
    Invalid {
        path: PathBuf,
        field: &'static str,
        problem: String,
    },
}

/// The municipality file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct MunicipalityFile {
    id: String,
    name: String,
    short_name: String,
    /// Optional: the name text messages use, when `name` makes them longer than one SMS.
    #[serde(default)]
    sms_name: Option<String>,
    logo: String,
    time_zone: String,
    brand: Brand,
    contact: Contact,
    /// Optional: which cases residents see.
    #[serde(default)]
    cases: CaseSettings,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseSettings {
    /// The most confidential level (ZGW vertrouwelijkheidaanduiding) a resident's case may have and still be
    /// shown on their pages; `vertrouwelijk` when absent.
    resident_ceiling: Option<String>,
}

/// Colour tokens; `theme.css` turns them into the CSS custom properties the style sheet uses.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Brand {
    /// Header, primary buttons, links.
    pub primary: String,
    /// Text on `primary`; must reach 4.5:1 contrast with it.
    pub primary_text: String,
    /// The focus ring; must reach 3:1 against white.
    pub focus: String,
    /// The page background of the app when installed (splash screen).
    pub background: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Contact {
    phone: String,
    email: String,
    street: String,
    postcode: String,
    city: String,
    opening_hours: WeekHours,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct WeekHours {
    monday: String,
    tuesday: String,
    wednesday: String,
    thursday: String,
    friday: String,
    saturday: String,
    sunday: String,
}

/// A validated municipality.
#[derive(Debug, Clone)]
pub struct Municipality {
    pub id: String,
    pub name: String,
    pub short_name: String,
    /// The name in text messages (`sms_name`, else `name`).
    pub sms_name: String,
    pub logo_url: String,
    pub time_zone: TimeZone,
    pub brand: Brand,
    pub phone: String,
    pub email: String,
    pub address: Vec<String>,
    pub opening_hours: Vec<OpeningLine>,
    /// Cases more confidential than this never reach a resident's page.
    pub resident_ceiling: Confidentiality,
}

impl Municipality {
    pub fn load(path: &Path) -> Result<Municipality, TenancyError> {
        let text = std::fs::read_to_string(path).map_err(|e| TenancyError::Read {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        Municipality::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Municipality, TenancyError> {
        let file: MunicipalityFile = toml::from_str(text).map_err(|e| TenancyError::Parse {
            path: path.to_owned(),
            line: e.span().map_or(1, |span| {
                text[..span.start.min(text.len())].lines().count().max(1)
            }),
            message: e.message().trim().replace('\n', " "),
        })?;
        let invalid = |field: &'static str, problem: String| TenancyError::Invalid {
            path: path.to_owned(),
            field,
            problem,
        };
        if file.id.is_empty()
            || !file
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(invalid(
                "id",
                String::from("must be lowercase letters, digits and '-' only"),
            ));
        }
        for (field, value) in [
            ("name", &file.name),
            ("short_name", &file.short_name),
            ("sms_name", file.sms_name.as_ref().unwrap_or(&file.name)),
            ("contact.phone", &file.contact.phone),
        ] {
            if value.trim().is_empty() {
                return Err(invalid(field, String::from("is empty")));
            }
        }
        if !file.logo.starts_with('/') {
            return Err(invalid(
                "logo",
                String::from("must be a path on this site, starting with '/'"),
            ));
        }
        let time_zone = TimeZone::get(&file.time_zone).map_err(|_| {
            invalid(
                "time_zone",
                format!(
                    "{:?} is not a known time zone, e.g. \"Europe/Amsterdam\"",
                    file.time_zone
                ),
            )
        })?;
        let brand = &file.brand;
        let colours = [
            ("brand.primary", &brand.primary),
            ("brand.primary_text", &brand.primary_text),
            ("brand.focus", &brand.focus),
            ("brand.background", &brand.background),
        ];
        let mut rgb = Vec::new();
        for (field, value) in colours {
            rgb.push(parse_hex(value).ok_or_else(|| {
                invalid(field, format!("{value:?} is not a colour like \"#00548a\""))
            })?);
        }
        let ratio = contrast(rgb[0], rgb[1]);
        if ratio < 4.5 {
            return Err(invalid(
                "brand.primary_text",
                format!("has a contrast of {ratio:.2}:1 with brand.primary; text needs at least 4.5:1 (WCAG 1.4.3)"),
            ));
        }
        // The brand colour is also text on the page's own surfaces: links, the outlined and subtle buttons,
        // the current item of the navigation (white and the light grey `--nl-surface-subtle` in main.css).
        for surface in [(255, 255, 255), SURFACE_SUBTLE] {
            let ratio = contrast(rgb[0], surface);
            if ratio < 4.5 {
                return Err(invalid(
                    "brand.primary",
                    format!("has a contrast of {ratio:.2}:1 with the page's light background; links and buttons in that colour need at least 4.5:1 (WCAG 1.4.3)"),
                ));
            }
        }
        let focus_ratio = contrast(rgb[2], (255, 255, 255));
        if focus_ratio < 3.0 {
            return Err(invalid(
                "brand.focus",
                format!("has a contrast of {focus_ratio:.2}:1 with white; a focus ring needs at least 3:1 (WCAG 1.4.11)"),
            ));
        }
        let hours = &file.contact.opening_hours;
        let days = [
            ("contact.opening_hours.monday", &hours.monday),
            ("contact.opening_hours.tuesday", &hours.tuesday),
            ("contact.opening_hours.wednesday", &hours.wednesday),
            ("contact.opening_hours.thursday", &hours.thursday),
            ("contact.opening_hours.friday", &hours.friday),
            ("contact.opening_hours.saturday", &hours.saturday),
            ("contact.opening_hours.sunday", &hours.sunday),
        ];
        let mut opening_hours = Vec::new();
        for (weekday, (field, value)) in (1u8..).zip(days) {
            let hours = parse_hours(value).map_err(|problem| invalid(field, problem))?;
            opening_hours.push(OpeningLine { weekday, hours });
        }
        let resident_ceiling = match file.cases.resident_ceiling.as_deref() {
            None => Confidentiality::Vertrouwelijk,
            Some(level) => Confidentiality::parse(level).ok_or_else(|| {
                invalid(
                    "cases.resident_ceiling",
                    String::from("must be one of openbaar, beperkt_openbaar, intern, zaakvertrouwelijk, vertrouwelijk, confidentieel, geheim, zeer_geheim"),
                )
            })?,
        };
        let contact = file.contact;
        Ok(Municipality {
            resident_ceiling,
            id: file.id,
            sms_name: file.sms_name.unwrap_or_else(|| file.name.clone()),
            name: file.name,
            short_name: file.short_name,
            logo_url: file.logo,
            time_zone,
            brand: file.brand,
            phone: contact.phone,
            email: contact.email,
            address: vec![
                contact.street,
                format!("{} {}", contact.postcode, contact.city),
            ],
            opening_hours,
        })
    }

    /// What the UI shows about the municipality.
    pub fn view(&self, demo: bool) -> MunicipalityView {
        MunicipalityView {
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            logo_url: self.logo_url.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            address: self.address.clone(),
            opening_hours: self.opening_hours.clone(),
            demo,
            doors: Vec::new(),
        }
    }

    /// The municipality's colour tokens as CSS custom properties (values were validated as `#rrggbb`).
    pub fn theme_css(&self) -> String {
        let b = &self.brand;
        format!(
            ":root{{--loket-brand:{};--loket-brand-text:{};--loket-focus:{};--loket-background:{};}}\n",
            b.primary, b.primary_text, b.focus, b.background
        )
    }
}

/// `"08:30-17:00"` → `Some("08:30–17:00")`; `"closed"`/`"gesloten"` → `None`.
fn parse_hours(value: &str) -> Result<Option<String>, String> {
    let value = value.trim();
    if value.eq_ignore_ascii_case("closed") || value.eq_ignore_ascii_case("gesloten") {
        return Ok(None);
    }
    let bad = || format!("{value:?} is not opening hours like \"08:30-17:00\" or \"closed\"");
    let (open, close) = value.split_once('-').ok_or_else(bad)?;
    let parse = |t: &str| jiff::civil::Time::strptime("%H:%M", t.trim()).map_err(|_| bad());
    let (open, close) = (parse(open)?, parse(close)?);
    if open >= close {
        return Err(format!("{value:?} closes before it opens"));
    }
    Ok(Some(format!(
        "{}–{}",
        open.strftime("%H:%M"),
        close.strftime("%H:%M")
    )))
}

fn parse_hex(value: &str) -> Option<(u8, u8, u8)> {
    let hex = value.strip_prefix('#')?;
    if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    Some((byte(0)?, byte(2)?, byte(4)?))
}

/// `--nl-surface-subtle` in style/main.css, the darkest surface brand-coloured text sits on.
const SURFACE_SUBTLE: (u8, u8, u8) = (0xf3, 0xf5, 0xf7);

/// WCAG 2.x contrast ratio between two sRGB colours.
fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    }
    let (la, lb) = (luminance(a), luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// Records the municipality in the database (other tables refer to it) and keeps its name current.
pub async fn register(
    db: &crate::storage::Db,
    municipality: &Municipality,
) -> Result<(), crate::storage::StorageError> {
    sqlx::query("INSERT INTO municipality (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = excluded.name")
        .bind(&municipality.id)
        .bind(&municipality.name)
        .execute(&db.pool)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &str = include_str!("../municipalities/voorbeeld.toml");

    fn parse(text: &str) -> Result<Municipality, TenancyError> {
        Municipality::parse(Path::new("gemeente.toml"), text)
    }

    #[test]
    fn the_demo_municipality_file_is_valid() {
        let m = parse(DEMO).unwrap();
        assert_eq!(m.name, "Gemeente Voorbeeld");
        assert_eq!(m.time_zone.iana_name(), Some("Europe/Amsterdam"));
        assert_eq!(m.opening_hours.len(), 7);
        assert!(m.phone.starts_with("14 0"));
    }

    #[test]
    fn an_unknown_key_names_the_key_the_file_and_the_line() {
        let text = DEMO.replace("[brand]", "[brand]\ncolour = \"#000000\"");
        let message = parse(&text).unwrap_err().to_string();
        assert!(message.starts_with("gemeente.toml line "), "{message}");
        assert!(message.contains("unknown field `colour`"), "{message}");
        assert!(!message.contains('\n'));
    }

    #[test]
    fn a_missing_field_is_named() {
        let text = DEMO.replace("short_name = \"Voorbeeld\"\n", "");
        let message = parse(&text).unwrap_err().to_string();
        assert!(message.contains("missing field `short_name`"), "{message}");
    }

    #[test]
    fn low_contrast_brand_colours_are_refused() {
        let text = DEMO.replace("primary_text = \"#ffffff\"", "primary_text = \"#7799aa\"");
        let message = parse(&text).unwrap_err().to_string();
        assert!(message.contains("brand.primary_text"), "{message}");
        assert!(message.contains("4.5:1"), "{message}");
    }

    #[test]
    fn a_brand_colour_too_light_for_text_on_white_is_refused() {
        // Light blue with black header text passes the header's check, yet is unreadable as a link on white.
        let text = DEMO
            .replace("primary = \"#00548a\"", "primary = \"#7fb2d9\"")
            .replace("primary_text = \"#ffffff\"", "primary_text = \"#000000\"");
        let message = parse(&text).unwrap_err().to_string();
        assert!(message.contains("brand.primary"), "{message}");
        assert!(message.contains("light background"), "{message}");
    }

    #[test]
    fn bad_colours_time_zones_and_hours_are_refused() {
        assert!(parse(&DEMO.replace("#00548a", "blue"))
            .unwrap_err()
            .to_string()
            .contains("brand.primary"));
        assert!(parse(&DEMO.replace("Europe/Amsterdam", "Europe/Atlantis"))
            .unwrap_err()
            .to_string()
            .contains("time_zone"));
        assert!(
            parse(&DEMO.replace("monday = \"08:30-17:00\"", "monday = \"17:00-08:30\""))
                .unwrap_err()
                .to_string()
                .contains("monday")
        );
    }

    #[test]
    fn theme_css_carries_the_brand_tokens() {
        let css = parse(DEMO).unwrap().theme_css();
        assert!(css.contains("--loket-brand:#00548a"), "{css}");
    }

    #[test]
    fn contrast_matches_wcag_reference_values() {
        assert!((contrast((0, 0, 0), (255, 255, 255)) - 21.0).abs() < 0.01);
        assert!((contrast((255, 255, 255), (255, 255, 255)) - 1.0).abs() < 0.01);
    }
}
