//! Read models: what each page shows, built for a principal given as a parameter (never read from ambient
//! context), in a language, at a time. Each decides with [`crate::authorization`] and audits staff reads
//! before it builds the DTOs of the UI contract; the HTTP edge only delegates to them.

pub(crate) mod account;
pub(crate) mod admin;
pub(crate) mod appointments;
pub(crate) mod cases;
pub(crate) mod catalogue;
pub(crate) mod development;
pub(crate) mod documents;
pub(crate) mod staff;

use crate::authorization::{decide, staff_level, Action, DataKind, Level, Principal, Resource};
use crate::cases::{resident::Reader, Confidentiality};
use crate::notifications;
use crate::parties::Party;
use crate::services::Services;
use app::api::{MessageLine, Viewer};

/// Whose cases and contacts the visitor reads: their own, or the organisation's they act for — once
/// [`decide`] allowed it. `None` for anyone without a personal page (signed out, staff, appointment links).
pub(crate) struct PersonalScope {
    pub(crate) party: Party,
    pub(crate) person_id: String,
    pub(crate) acting_for: Option<String>,
    /// Set when a staff member previews her pages: what the role may know decides the redaction.
    pub(crate) preview_role: Option<crate::identity::accounts::StaffRole>,
    /// Whether this reader opens the party's BSN-linked records: cases, contact moments, documents.
    pub(crate) records: bool,
}

impl PersonalScope {
    /// Whether confidential contact moments show what they were about.
    pub(crate) fn sees_confidential_contacts(&self) -> bool {
        matches!(self.party, Party::Person(_))
            && self
                .preview_role
                .is_none_or(|role| staff_level(role, DataKind::ConfidentialContacts) == Level::What)
    }

    /// The reader of her cases: in a preview nothing is marked seen, and a role that may know only THAT of
    /// confidential cases sees none above `zaakvertrouwelijk`.
    pub(crate) fn reader(&self, municipality: &crate::tenancy::Municipality) -> Reader<'_> {
        let mut ceiling = municipality.resident_ceiling;
        if let Some(role) = self.preview_role {
            if staff_level(role, DataKind::ConfidentialCases) != Level::What {
                ceiling = ceiling.min(Confidentiality::Zaakvertrouwelijk);
            }
        }
        Reader {
            party: &self.party,
            person_id: &self.person_id,
            ceiling,
            see_confidential: self.sees_confidential_contacts(),
            marks_seen: self.preview_role.is_none(),
        }
    }
}

impl Services {
    /// A sent message as the resident's settings page and the staff card list it.
    pub(crate) fn message_line(
        &self,
        sent: notifications::outbox::SentLine,
        now: jiff::Timestamp,
    ) -> MessageLine {
        let (date, time) = self
            .date_and_time(jiff::Timestamp::from_millisecond(sent.created_at_ms).unwrap_or(now));
        MessageLine {
            date,
            time,
            kind: sent.kind,
            to_label: sent.to_label,
            status: sent.status,
        }
    }

    /// A stored instant as the page shows it: local date (`YYYY-MM-DD`) and time (`HH:MM`).
    pub(crate) fn date_and_time(&self, at: jiff::Timestamp) -> (String, String) {
        let local = at.to_zoned(self.municipality.time_zone.clone());
        (
            local.date().to_string(),
            local.strftime("%H:%M").to_string(),
        )
    }

    /// Whose pages `principal` reads (the organisation when the viewer acts for one), if any.
    pub(crate) fn personal_scope(
        &self,
        principal: &Principal,
        viewer: &Viewer,
    ) -> Option<PersonalScope> {
        let (person_id, municipality_id, preview_role) = match principal {
            Principal::Person {
                person_id,
                municipality_id,
                ..
            } => (person_id, municipality_id, None),
            // "Bekijk als inwoner": her own pages, as herself (never an organisation's).
            Principal::Preview {
                person_id,
                municipality_id,
                role,
                ..
            } => (person_id, municipality_id, Some(*role)),
            _ => return None,
        };
        let acting = viewer
            .signed_in
            .as_ref()
            .and_then(|s| s.acting_as.clone())
            .filter(|_| preview_role.is_none());
        let (party, resource) = match &acting {
            Some((organisation_id, _)) => (
                Party::Organisation(organisation_id.clone()),
                Resource::Organisation {
                    municipality_id,
                    organisation_id,
                },
            ),
            None => (
                Party::Person(person_id.clone()),
                Resource::Person {
                    municipality_id,
                    person_id,
                },
            ),
        };
        if !decide(principal, Action::Read, resource).allowed() {
            return None;
        }
        // An organisation's records open for its confirmed members (decided above); her own only in a
        // session that opens them.
        let records = acting.is_some()
            || decide(
                principal,
                Action::Read,
                Resource::Records {
                    municipality_id,
                    person_id,
                },
            )
            .allowed();
        Some(PersonalScope {
            party,
            person_id: person_id.clone(),
            acting_for: acting.map(|(_, name)| name),
            preview_role,
            records,
        })
    }
}

/// A recipient shortened to tell messages apart without spelling the address out: `de…@example.nl`,
/// `+316…78`.
pub(crate) fn shorten(to: &str) -> String {
    match to.split_once('@') {
        Some((local, domain)) => {
            let start: String = local.chars().take(2).collect();
            format!("{start}…@{domain}")
        }
        None => {
            let chars: Vec<char> = to.chars().collect();
            if chars.len() <= 6 {
                return String::from("…");
            }
            let start: String = chars[..4].iter().collect();
            let end: String = chars[chars.len() - 2..].iter().collect();
            format!("{start}…{end}")
        }
    }
}

/// A message as staff may read it on the files page: without its codes (six digits) and link tokens
/// (`/afspraak/{token}`), which together open a resident's appointment. Hand-written: two fixed patterns,
/// no need for a regex engine.
pub(crate) fn mask_secrets(text: &str) -> String {
    const LINK: &str = "/afspraak/";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(LINK) {
        out.push_str(&mask_codes(&rest[..at + LINK.len()]));
        let after = &rest[at + LINK.len()..];
        let token_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(after.len());
        if token_len > 0 {
            out.push('…');
        }
        rest = &after[token_len..];
    }
    out.push_str(&mask_codes(rest));
    out
}

/// Every run of exactly six digits becomes six dots.
fn mask_codes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.len() == 6 {
            out.push_str("••••••");
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::{mask_secrets, shorten};

    #[test]
    fn recipients_are_shortened_to_tell_messages_apart() {
        assert_eq!(shorten("desiree.devries@example.nl"), "de…@example.nl");
        assert_eq!(shorten("+31612345678"), "+316…78");
        assert_eq!(shorten("+316"), "…");
    }

    #[test]
    fn codes_and_link_tokens_are_masked_and_the_rest_stays() {
        assert_eq!(mask_secrets("Uw code: 123456"), "Uw code: ••••••");
        assert_eq!(
            mask_secrets(
                "Open https://x.nl/afspraak/AbC-d_9 of bel 14 020 op 03-03-2026 om 10:30."
            ),
            "Open https://x.nl/afspraak/… of bel 14 020 op 03-03-2026 om 10:30."
        );
        assert_eq!(mask_secrets("LK-1234567 en 2026"), "LK-1234567 en 2026");
        assert_eq!(mask_secrets("/afspraak/"), "/afspraak/");
    }
}
