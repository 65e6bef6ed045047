//! Who someone is, from the population register (the BRP), through Haal Centraal BRP Personen Bevragen 2.7
//! ([`haal_centraal`]). Each task asks only for the fields it needs (doelbinding, listed in [`Task::fields`]);
//! what comes back is read for the task and never passed on. `geheimhoudingPersoonsgegevens` (do not pass on
//! to third parties) and the `inOnderzoek` markers always come back and are shown to whoever reads them.

pub mod haal_centraal;

use jiff::civil::Date;

/// Why Loket asks the BRP something; each task has its own, fixed list of fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Task {
    /// The contact centre finds the caller: enough to pick the right person, nothing more.
    FindCaller,
    /// "Mijn gegevens": what the BRP knows of her, shown to her in her own DigiD session and kept nowhere.
    OwnDetails,
    /// At her first DigiD sign-in: her name and birth date, to find the record the contact centre made of
    /// her as she told it ("niet geverifieerd") and bind it to her BSN.
    BindCaller,
    /// Booking in her own DigiD session: the birth date and postal address a service needs, so the form does
    /// not ask what the BRP knows; shown to her, kept nowhere.
    BookingDetails,
}

impl Task {
    /// The fields this task may ask for. The BRP adds `geheimhoudingPersoonsgegevens` and `inOnderzoek`
    /// itself (asking for them is an error).
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Task::FindCaller => &[
                "burgerservicenummer",
                "naam.volledigeNaam",
                "geboorte.datum",
                "adressering.adresregel1",
                "adressering.adresregel2",
            ],
            Task::BindCaller => &[
                "burgerservicenummer",
                "naam.volledigeNaam",
                "geboorte.datum",
            ],
            Task::BookingDetails => &[
                "burgerservicenummer",
                "geboorte.datum",
                "adressering.adresregel1",
                "adressering.adresregel2",
            ],
            Task::OwnDetails => &[
                "burgerservicenummer",
                "naam.volledigeNaam",
                "geboorte.datum",
                "geboorte.plaats",
                "adressering.adresregel1",
                "adressering.adresregel2",
                "adressering.adresregel3",
            ],
        }
    }
}

/// What the BRP is asked to find.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Search {
    /// RaadpleegMetBurgerservicenummer.
    Bsn(String),
    /// ZoekMetPostcodeEnHuisnummer: `1234AB`, `5`, optionally a letter or an addition, and a birth date.
    Address {
        postcode: String,
        house_number: u32,
        house_letter: Option<char>,
        addition: Option<String>,
        birth_date: Option<Date>,
    },
    /// ZoekMetGeslachtsnaamEnGeboortedatum: the surname with its prefix split off (`de` + `Vries`).
    NameBorn {
        prefix: Option<String>,
        surname: String,
        birth_date: Date,
    },
}

/// One person as the BRP gave her for a task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resident {
    pub bsn: String,
    pub name: String,
    /// `YYYY-MM-DD` when the date is complete, else the BRP's own wording ("januari 1986").
    pub birth_date: Option<String>,
    /// The place of birth, as the BRP writes it.
    pub birth_place: Option<String>,
    /// The address as it is written on an envelope (adresregel 1 and 2).
    pub address: Vec<String>,
    /// `geheimhoudingPersoonsgegevens`: her data must not be passed on to third parties.
    pub secret: bool,
    /// The parts the BRP has under investigation (`naam`, `geboorte`, `adres`, `persoon`): to be read with
    /// care.
    pub in_research: Vec<&'static str>,
}

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// The register did not answer, or answered what Haal Centraal does not say.
    #[error("the population register is unavailable: {0}")]
    Unavailable(String),
    /// The register refused the question (a 4xx): Loket asked something it may not, or wrongly.
    #[error("the population register refused the question with status {0}")]
    Refused(u16),
}

/// The population register, as the domain needs it. The live adapter is [`haal_centraal::HaalCentraal`];
/// without one (the embedded default) Loket knows only the persons in its own database.
#[async_trait::async_trait]
pub trait Register: Send + Sync {
    async fn find(&self, task: Task, search: &Search) -> Result<Vec<Resident>, RegisterError>;
}

/// The person with `bsn`, as the BRP gives her for `task` (RaadpleegMetBurgerservicenummer); `None` when
/// the BRP does not know her.
pub async fn by_bsn(
    register: &dyn Register,
    task: Task,
    bsn: &str,
) -> Result<Option<Resident>, RegisterError> {
    let found = register.find(task, &Search::Bsn(bsn.to_owned())).await?;
    Ok(found.into_iter().find(|resident| resident.bsn == bsn))
}

/// The Dutch surname prefixes (voorvoegsels) the BRP splits off, longest first, so `van der Berg` searches
/// `Berg` with `van der`. Hand-written: a short fixed list from the BRP's own table.
const PREFIXES: [&str; 29] = [
    "van den", "van der", "van de", "in het", "in 't", "op de", "op den", "uit de", "uit den",
    "van", "de", "den", "der", "het", "'t", "te", "ten", "ter", "in", "op", "uit", "la", "le",
    "el", "al", "da", "di", "du", "von",
];

/// `de Vries` → (`de`, `Vries`); `Jansen` → (none, `Jansen`).
pub fn split_prefix(name: &str) -> (Option<String>, String) {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let lower = name.to_lowercase();
    for prefix in PREFIXES {
        if let Some(rest) = lower.strip_prefix(prefix) {
            if rest.starts_with(' ') && rest.trim().len() > 1 {
                let surname = name[prefix.len()..].trim().to_owned();
                return (Some(prefix.to_owned()), surname);
            }
        }
    }
    (None, name)
}

/// `5` → (5, none, none); `5a` → (5, `a`, none); `5-2` or `5 bis` → (5, none, `2` / `bis`).
pub fn split_house_number(text: &str) -> Option<(u32, Option<char>, Option<String>)> {
    let text = text.trim();
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    let number: u32 = digits.parse().ok().filter(|n| (1..=99_999).contains(n))?;
    let rest = text[digits.len()..].trim_start_matches(['-', ' ']);
    let mut chars = rest.chars();
    match (chars.next(), chars.next()) {
        (None, _) => Some((number, None, None)),
        (Some(letter), None) if letter.is_ascii_alphabetic() => Some((number, Some(letter), None)),
        _ if rest.len() <= 4
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-') =>
        {
            Some((number, None, Some(rest.to_owned())))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_surname_is_searched_without_its_prefix() {
        assert_eq!(
            split_prefix("de Vries"),
            (Some("de".into()), "Vries".into())
        );
        assert_eq!(
            split_prefix("Van der  Berg"),
            (Some("van der".into()), "Berg".into())
        );
        assert_eq!(split_prefix("Jansen"), (None, "Jansen".into()));
        assert_eq!(
            split_prefix("el Amrani"),
            (Some("el".into()), "Amrani".into())
        );
        // A name that only looks like a prefix stays whole.
        assert_eq!(split_prefix("Terpstra"), (None, "Terpstra".into()));
        assert_eq!(split_prefix("de"), (None, "de".into()));
    }

    #[test]
    fn a_house_number_splits_into_number_letter_and_addition() {
        assert_eq!(split_house_number("5"), Some((5, None, None)));
        assert_eq!(split_house_number("5a"), Some((5, Some('a'), None)));
        assert_eq!(
            split_house_number("12-2"),
            Some((12, None, Some("2".into())))
        );
        assert_eq!(split_house_number("0"), None);
        assert_eq!(split_house_number("a5"), None);
    }

    #[test]
    fn each_task_asks_only_for_its_own_fields_and_never_for_what_comes_by_itself() {
        for field in Task::FindCaller.fields() {
            assert!(!field.starts_with("geheimhouding") && !field.contains("inOnderzoek"));
        }
        assert!(!Task::FindCaller.fields().contains(&"partners"));
    }
}
