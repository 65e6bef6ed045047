//! The bridge from the UI contract (`app::api::Backend`) to the domain modules, and the one place where
//! domain errors become resident-facing API errors.

use super::session::Visitor;
use crate::authorization::{decide, staff_level, Action, DataKind, Level, Principal, Resource};
use crate::cases::resident::{self, Reader};
use crate::cases::{self, CasesError};
use crate::contacts;
use crate::identity::passkeys::Passkeys;
use crate::identity::{accounts, audit, passkeys, IdentityError};
use crate::notifications;
use crate::notifications::channels::Channel;
use crate::notifications::push::PushServices;
use crate::parties::Party;
use crate::storage::Db;
use crate::tenancy::Municipality;
use app::api::{
    ActivityLine, AddressLine, ApiError, AppointmentCard, AppointmentLine, Backend, BookingQuery,
    BookingStep, CaseDetail, CaseList, CaseMessages, CaseQuery, CatalogueAdmin, ContactLine,
    LinkCheck, MessageLine, MessageSettings, OutboxFile, OutboxFiles, Overview, PasskeyLine,
    StaffResident, TimelineItem, TimelineKind, Viewer,
};
use app::i18n::Lang;
use std::sync::Arc;

/// Everything a request may need, shared by all requests.
pub struct Services {
    pub db: Db,
    pub municipality: Arc<Municipality>,
    pub demo: bool,
    pub passkeys: Passkeys,
    pub push: WebPush,
    /// Where the files route writes e-mail and SMS (empty when both really go out).
    pub outbox_dirs: Vec<std::path::PathBuf>,
    /// Uploads: store, malware scanner, limits.
    pub documents: crate::documents::Documents,
}

/// What the web side needs for web push: the key browsers subscribe with and the push services allowed.
#[derive(Clone)]
pub struct WebPush {
    pub public_key: String,
    pub services: PushServices,
}

impl From<CasesError> for ApiError {
    fn from(error: CasesError) -> Self {
        // The log line carries the technical cause, never the resident's data.
        tracing::error!(error = %error, "cases query failed");
        ApiError::Unavailable
    }
}

impl From<crate::notifications::NotificationsError> for ApiError {
    fn from(error: crate::notifications::NotificationsError) -> Self {
        tracing::error!(error = %error, "notifications query failed");
        ApiError::Unavailable
    }
}

/// How many messages the staff development page shows.
const OUTBOX_FILES_SHOWN: usize = 50;

/// A recipient shortened to tell messages apart without spelling the address out: `de…@example.nl`,
/// `+316…78`.
pub(super) fn shorten(to: &str) -> String {
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

/// The signed-in person themself (never the organisation they act for): the owner of addresses and choices.
fn own_person() -> Option<String> {
    visitor().person_id()
}

impl From<IdentityError> for ApiError {
    fn from(error: IdentityError) -> Self {
        tracing::error!(error = %error, "identity query failed");
        ApiError::Unavailable
    }
}

/// Whose cases and contacts the visitor reads: their own, or the organisation's they act for — once
/// [`decide`] allowed it. `None` for anyone without a personal page (signed out, staff, appointment links).
pub(super) struct PersonalScope {
    pub(super) party: Party,
    pub(super) person_id: String,
    pub(super) acting_for: Option<String>,
    /// Set when a staff member previews her pages: what the role may know decides the redaction.
    pub(super) preview_role: Option<crate::identity::accounts::StaffRole>,
}

impl PersonalScope {
    /// Whether confidential contact moments show what they were about.
    pub(super) fn sees_confidential_contacts(&self) -> bool {
        matches!(self.party, Party::Person(_))
            && self
                .preview_role
                .is_none_or(|role| staff_level(role, DataKind::ConfidentialContacts) == Level::What)
    }

    /// The reader of her cases: in a preview nothing is marked seen, and a role that may know only THAT of
    /// confidential cases sees none above `zaakvertrouwelijk`.
    pub(super) fn reader(&self, municipality: &crate::tenancy::Municipality) -> Reader<'_> {
        let mut ceiling = municipality.resident_ceiling;
        if let Some(role) = self.preview_role {
            if staff_level(role, DataKind::ConfidentialCases) != Level::What {
                ceiling = ceiling.min(cases::Confidentiality::Zaakvertrouwelijk);
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

/// The visitor of the current request. Called before the first `.await` of a server function's work, while
/// the request's Leptos context is current (the router provides the visitor there).
pub(super) fn visitor() -> Visitor {
    leptos::prelude::use_context::<Visitor>().unwrap_or_default()
}

impl Services {
    /// A sent message as the resident's settings page and the staff card list it.
    pub(super) fn message_line(
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
    pub(super) fn date_and_time(&self, at: jiff::Timestamp) -> (String, String) {
        let local = at.to_zoned(self.municipality.time_zone.clone());
        (
            local.date().to_string(),
            local.strftime("%H:%M").to_string(),
        )
    }

    /// The reader's own part of a case page: the messages Loket sent them about it (in the timeline) and
    /// where such messages go.
    async fn add_messages(
        &self,
        detail: &mut CaseDetail,
        person_id: &str,
        now: jiff::Timestamp,
    ) -> Result<(), ApiError> {
        let storage = notifications::NotificationsError::from;
        let sent =
            notifications::outbox::for_case(&self.db, &self.municipality.id, person_id, &detail.id)
                .await
                .map_err(storage)?;
        for line in sent {
            let (date, time) = self.date_and_time(
                jiff::Timestamp::from_millisecond(line.created_at_ms).unwrap_or(now),
            );
            detail.timeline.push(TimelineItem {
                date,
                time,
                kind: TimelineKind::Message,
                title: line.to_label,
                text: Some(line.status),
            });
        }
        // Dates and times are ISO text, so this orders by time; the sort is stable for equal minutes.
        detail
            .timeline
            .sort_by(|a, b| (&a.date, &a.time).cmp(&(&b.date, &b.time)));
        let addresses = notifications::addresses::list(&self.db, person_id)
            .await?
            .into_iter()
            .filter(|a| a.usable(now))
            .map(|a| (a.id, a.label))
            .collect();
        let chosen = notifications::addresses::case_choice(
            &self.db,
            &self.municipality.id,
            person_id,
            &detail.id,
        )
        .await?;
        detail.messages = Some(CaseMessages { addresses, chosen });
        Ok(())
    }

    pub(super) fn personal_scope(
        &self,
        visitor: &Visitor,
        viewer: &Viewer,
    ) -> Option<PersonalScope> {
        let (principal, _) = visitor.identity();
        let (person_id, municipality_id, preview_role) = match &principal {
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
        decide(&principal, Action::Read, resource)
            .allowed()
            .then(|| PersonalScope {
                party,
                person_id: person_id.clone(),
                acting_for: acting.map(|(_, name)| name),
                preview_role,
            })
    }
}

#[async_trait::async_trait]
impl Backend for Services {
    async fn appointments(
        &self,
        viewer: &Viewer,
        lang: Lang,
    ) -> Result<Option<Vec<AppointmentLine>>, ApiError> {
        self.appointment_list(viewer, lang).await
    }

    async fn appointment(
        &self,
        // Access follows the session's principal (an appointment link has no signed-in viewer).
        _viewer: &Viewer,
        lang: Lang,
        id: String,
    ) -> Result<Option<AppointmentCard>, ApiError> {
        self.appointment_card(lang, id).await
    }

    async fn appointment_link(&self, token: String) -> Result<Option<LinkCheck>, ApiError> {
        let state = crate::identity::links::state(&self.db, &token, jiff::Timestamp::now()).await?;
        Ok(state.map(|state| LinkCheck {
            birth_date: state.birth_date_known,
            code_waiting: state.code_waiting,
        }))
    }

    async fn catalogue_admin(&self, _viewer: &Viewer) -> Result<Option<CatalogueAdmin>, ApiError> {
        self.catalogue_admin_for().await
    }

    async fn booking_step(
        &self,
        viewer: &Viewer,
        lang: Lang,
        query: BookingQuery,
    ) -> Result<Option<BookingStep>, ApiError> {
        self.booking_step_for(viewer, lang, query).await
    }

    async fn documents(
        &self,
        viewer: &Viewer,
        lang: Lang,
    ) -> Result<Option<Vec<app::api::DocumentGroup>>, ApiError> {
        self.document_groups(viewer, lang).await
    }

    async fn activity(&self, viewer: &Viewer) -> Result<Vec<ActivityLine>, ApiError> {
        let Some(signed_in) = &viewer.signed_in else {
            return Ok(Vec::new());
        };
        let account = accounts::by_id(&self.db, &signed_in.account_id)
            .await?
            .ok_or(ApiError::Unavailable)?;
        let Some(person_id) = account.person_id() else {
            return Ok(Vec::new());
        };
        let resource = Resource::Activity {
            municipality_id: &account.municipality_id,
            person_id,
        };
        // The activity log does not depend on memberships, so none are loaded for this decision.
        let principal = Principal::of(&account, Vec::new());
        if !decide(&principal, Action::Read, resource).allowed() {
            return Ok(Vec::new());
        }
        let zone = self.municipality.time_zone.clone();
        Ok(
            audit::for_person(&self.db, person_id, Some(&account.id), 200)
                .await?
                .into_iter()
                .map(|entry| {
                    let local = entry.at.to_zoned(zone.clone());
                    let (staff_name, staff_role) = entry.staff.unzip();
                    ActivityLine {
                        date: local.date().to_string(),
                        time: local.strftime("%H:%M").to_string(),
                        event: entry.event.as_str().to_owned(),
                        staff_name,
                        staff_role,
                        data_kind: entry.data_kind,
                    }
                })
                .collect(),
        )
    }

    async fn passkeys(&self, viewer: &Viewer) -> Result<Vec<PasskeyLine>, ApiError> {
        // In a preview the signed-in account is the staff member's: their passkeys are not hers to show.
        let Some(signed_in) = viewer
            .signed_in
            .as_ref()
            .filter(|_| viewer.preview.is_none())
        else {
            return Ok(Vec::new());
        };
        let zone = self.municipality.time_zone.clone();
        let date = |at: jiff::Timestamp| at.to_zoned(zone.clone()).date().to_string();
        Ok(passkeys::list(&self.db, &signed_in.account_id)
            .await?
            .into_iter()
            .map(|p| PasskeyLine {
                id: p.id,
                name: p.name,
                created: date(p.created_at),
                last_used: p.last_used_at.map(date),
            })
            .collect())
    }

    async fn staff_resident(
        &self,
        viewer: &Viewer,
        lang: Lang,
        id: String,
    ) -> Result<Option<StaffResident>, ApiError> {
        let _ = viewer;
        self.staff_resident_for(lang, &id).await
    }

    async fn staff_report(
        &self,
        viewer: &Viewer,
    ) -> Result<Option<app::api::StaffReport>, ApiError> {
        let _ = viewer;
        self.staff_report_for(jiff::Timestamp::now()).await
    }

    async fn staff_today(
        &self,
        _viewer: &Viewer,
        lang: Lang,
    ) -> Result<Option<app::api::StaffToday>, ApiError> {
        self.staff_today_for(&visitor().identity().0, lang, jiff::Timestamp::now())
            .await
    }

    async fn staff_members(
        &self,
        viewer: &Viewer,
    ) -> Result<Option<Vec<app::api::StaffMemberView>>, ApiError> {
        let _ = viewer;
        self.staff_members_for(jiff::Timestamp::now()).await
    }

    async fn outbox_files(&self, viewer: &Viewer) -> Result<Option<OutboxFiles>, ApiError> {
        let _ = viewer;
        let (principal, _) = visitor().identity();
        let resource = Resource::OutboxFiles {
            municipality_id: &self.municipality.id,
        };
        let decision = decide(&principal, Action::Read, resource);
        if !decision.allowed() {
            return Ok(None);
        }
        // Outside demo mode these files hold real residents' messages: they are for the operator, not staff.
        if self.outbox_dirs.is_empty() || !self.demo {
            return Ok(Some(OutboxFiles {
                files_route: false,
                messages: Vec::new(),
            }));
        }
        let dirs = self.outbox_dirs.clone();
        let files = tokio::task::spawn_blocking(move || {
            notifications::channels::read_files(&dirs, OUTBOX_FILES_SHOWN)
        })
        .await
        .unwrap_or_default();
        let now = jiff::Timestamp::now();
        // Each resident whose message is on the page gets an entry in their activity log.
        let ids: Vec<String> = files.iter().map(|f| f.id.clone()).collect();
        let persons = notifications::outbox::recipients_of(&self.db, &ids)
            .await
            .map_err(notifications::NotificationsError::from)?;
        for person in &persons {
            audit::staff_read(
                &self.db,
                &principal,
                decision,
                audit::ReadOf::Person(person),
                "messages",
                "/medewerkers/berichten",
                now,
            )
            .await?;
        }
        let messages = files
            .into_iter()
            .map(|file| {
                let (date, time) =
                    self.date_and_time(jiff::Timestamp::try_from(file.written_at).unwrap_or(now));
                OutboxFile {
                    date,
                    time,
                    channel: file.channel.as_str().to_owned(),
                    to: shorten(&file.to),
                    subject: file.subject.as_deref().map(mask_secrets),
                    text: mask_secrets(&file.text),
                }
            })
            .collect();
        Ok(Some(OutboxFiles {
            files_route: true,
            messages,
        }))
    }

    async fn message_settings(&self, viewer: &Viewer) -> Result<Option<MessageSettings>, ApiError> {
        let _ = viewer;
        let Some(person_id) = own_person() else {
            return Ok(None);
        };
        let now = jiff::Timestamp::now();
        let addresses = notifications::addresses::list(&self.db, &person_id).await?;
        let chosen = notifications::addresses::choices(&self.db, &person_id).await?;
        let choices = notifications::MessageKind::ALL
            .into_iter()
            .map(|kind| {
                let address = chosen
                    .iter()
                    .find(|(k, _)| *k == kind)
                    .map(|(_, a)| a.clone());
                (kind.as_str().to_owned(), address)
            })
            .collect();
        let recent = notifications::outbox::recent(&self.db, &person_id, 20)
            .await
            .map_err(notifications::NotificationsError::from)?
            .into_iter()
            .map(|m| self.message_line(m, now))
            .collect();
        Ok(Some(MessageSettings {
            addresses: addresses
                .into_iter()
                .map(|a| AddressLine {
                    state: if a.channel == Channel::Push && a.value.starts_with("gone:") {
                        "gone"
                    } else if a.usable(now) {
                        "confirmed"
                    } else if a.needs_reverification(now) {
                        "reconfirm"
                    } else {
                        "waiting"
                    }
                    .to_owned(),
                    failed: a.failed_at_ms.is_some(),
                    fallback: a.fallback,
                    id: a.id,
                    channel: a.channel.as_str().to_owned(),
                    // A push endpoint is a capability URL of the device: not shown, not even to its owner.
                    value: if a.channel == Channel::Push {
                        String::new()
                    } else {
                        a.value
                    },
                    label: a.label,
                })
                .collect(),
            choices,
            recent,
            push_key: self.push.public_key.clone(),
        }))
    }

    async fn overview(&self, viewer: &Viewer, lang: Lang) -> Result<Overview, ApiError> {
        let scope = self.personal_scope(&visitor(), viewer);
        if let Some(scope) = scope {
            let reader = scope.reader(&self.municipality);
            let mut personal = resident::overview(
                &self.db,
                &self.municipality,
                &reader,
                lang,
                scope.acting_for.clone(),
            )
            .await?;
            personal.unreachable = notifications::addresses::list(&self.db, &scope.person_id)
                .await?
                .into_iter()
                .filter(|a| a.failed_at_ms.is_some())
                .map(|a| a.label)
                .collect();
            personal.next_appointment = self.next_appointment(&scope, lang).await?;
            return Ok(Overview {
                personal: Some(personal),
                demo: None,
            });
        }
        let demo = if self.demo && viewer.signed_in.is_none() {
            cases::demo_overview(&self.db, &self.municipality, lang).await?
        } else {
            None
        };
        Ok(Overview {
            personal: None,
            demo,
        })
    }

    async fn cases(
        &self,
        viewer: &Viewer,
        lang: Lang,
        query: CaseQuery,
    ) -> Result<CaseList, ApiError> {
        let Some(scope) = self.personal_scope(&visitor(), viewer) else {
            return Ok(CaseList {
                acting_for: None,
                cases: Vec::new(),
                open_count: 0,
                closed_count: 0,
            });
        };
        let reader = scope.reader(&self.municipality);
        Ok(resident::cases(
            &self.db,
            &self.municipality,
            &reader,
            lang,
            &query,
            scope.acting_for.clone(),
        )
        .await?)
    }

    async fn case(
        &self,
        viewer: &Viewer,
        lang: Lang,
        id: String,
    ) -> Result<Option<CaseDetail>, ApiError> {
        let Some(scope) = self.personal_scope(&visitor(), viewer) else {
            return Ok(None);
        };
        let reader = scope.reader(&self.municipality);
        let now = jiff::Timestamp::now();
        let Some(mut detail) =
            resident::detail(&self.db, &self.municipality, &reader, lang, &id, now).await?
        else {
            return Ok(None);
        };
        self.add_messages(&mut detail, &scope.person_id, now)
            .await?;
        let opens = scope
            .preview_role
            .is_none_or(|role| staff_level(role, DataKind::Documents) == Level::What);
        let documents = crate::documents::drafts::for_case(
            &self.db,
            &self.municipality.id,
            &id,
            &scope.person_id,
        )
        .await
        .map_err(|error| super::documents::unavailable(&error))?;
        detail.documents = self.document_views(documents, opens);
        detail.documents_removable = scope.preview_role.is_none();
        detail.uploads_open =
            detail.uploads_allowed && !detail.closed && scope.preview_role.is_none();
        detail.upload_max_bytes = self.documents.limits.max_file_bytes as u64;
        Ok(Some(detail))
    }

    async fn contacts(&self, viewer: &Viewer) -> Result<Vec<ContactLine>, ApiError> {
        let Some(scope) = self.personal_scope(&visitor(), viewer) else {
            return Ok(Vec::new());
        };
        // The person sees the content of their own confidential contacts; an organisation's members do not.
        let see_confidential = scope.sees_confidential_contacts();
        Ok(contacts::for_party(
            &self.db,
            &self.municipality,
            &scope.party,
            see_confidential,
            Some(scope.reader(&self.municipality).ceiling),
            None,
            500,
        )
        .await?)
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
