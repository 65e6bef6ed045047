//! The contact centre's read models: the card of one resident (what each role may know, each look audited),
//! the desk's day, and the report's figures.

use crate::appointments::booking::{self, Status};
use crate::appointments::catalogue;
use crate::authorization::{decide, Action, Principal, Resource};
use crate::contacts;
use crate::documents::drafts;
use crate::identity::audit::{self, ReadOf};
use crate::notifications;
use crate::notifications::addresses;
use crate::notifications::channels::Channel;
use crate::parties::{Party, PersonHeading};
use crate::services::Services;
use crate::staff::{card, report};
use app::api::{ApiError, Choice, StaffCase, StaffCaseWhat, StaffResident};
use app::i18n::{long_date, tr_args, Lang};
use jiff::{SignedDuration, Timestamp};

impl Services {
    /// The contact centre's card of person `id`: only for staff who serve residents, and every look is written
    /// to the audit log (and so to her activity log). What the role may know only THAT of is left out here,
    /// on the server.
    pub(crate) async fn staff_resident_for(
        &self,
        principal: &Principal,
        lang: Lang,
        id: &str,
        now: Timestamp,
    ) -> Result<Option<StaffResident>, ApiError> {
        let Some(heading) = self
            .staff_look(
                principal,
                id,
                Action::Read,
                "/medewerkers/inwoners/{id}",
                now,
            )
            .await?
        else {
            return Ok(None);
        };
        let PersonHeading {
            display_name: name,
            birth_date,
            postcode,
            house_number,
            unverified_since_ms,
        } = heading;
        let Principal::Staff { role, .. } = principal else {
            return Ok(None);
        };
        let sight = card::Sight::of(*role);
        let mut notices = Vec::new();
        // Recorded as she told it: say so first, so Karin checks who she is before anything personal.
        if unverified_since_ms.is_some() {
            notices.push(notice("staff-notice-unverified", &[]));
        }
        let all_addresses = addresses::list(&self.db, id).await?;
        let usable: Vec<_> = all_addresses.iter().filter(|a| a.usable(now)).collect();
        for address in &all_addresses {
            if address.failed_at_ms.is_some() {
                notices.push(notice("staff-notice-failing", &[("label", &address.label)]));
            }
        }
        // "Wants messages only on her alternative address": a choice for an address that is not the one
        // messages go to by default (her first confirmed address).
        let chosen = addresses::choices(&self.db, id).await?;
        let mut named = Vec::new();
        for (_, address_id) in &chosen {
            let first = usable.first().map(|a| a.id.as_str());
            if Some(address_id.as_str()) != first && !named.contains(address_id) {
                if let Some(address) = usable.iter().find(|a| &a.id == address_id) {
                    named.push(address_id.clone());
                    notices.push(notice("staff-notice-chosen", &[("label", &address.label)]));
                }
            }
        }
        let addresses = usable
            .iter()
            .map(|a| Choice {
                label: match a.channel {
                    Channel::Push => a.label.clone(),
                    Channel::Email | Channel::Sms => {
                        format!("{} ({})", a.label, crate::views::shorten(&a.value))
                    }
                },
                value: a.id.clone(),
            })
            .collect();
        // Everything she sent, read once and handed to the appointments and cases it was sent for (oldest
        // first, as on her own pages).
        let mut sent = drafts::for_person(&self.db, id).await?;
        sent.sort_by(|a, b| (a.created_at_ms, &a.id).cmp(&(b.created_at_ms, &b.id)));
        let sent_for = |appointment: Option<&str>,
                        case: Option<&str>|
         -> Vec<drafts::DocumentLine> {
            sent.iter()
                .filter(|line| match (appointment, case) {
                    (Some(appointment), _) => line.appointment_id.as_deref() == Some(appointment),
                    (None, case) => line.case_id.as_deref() == case,
                })
                .cloned()
                .collect()
        };
        let mut appointments = Vec::new();
        let mut appointment_details = Vec::new();
        let mut appointment_documents = Vec::new();
        if sight.appointments() {
            let coming: Vec<_> = booking::for_person(&self.db, id)
                .await?
                .into_iter()
                .filter(|a| a.status == Status::Booked && a.end > now)
                .collect();
            if !coming.is_empty() {
                let services = catalogue::services(&self.db, &self.municipality.id).await?;
                let locations = catalogue::locations(&self.db, &self.municipality.id).await?;
                let mut given = crate::appointments::details::for_person(&self.db, id).await?;
                for appointment in coming {
                    let line = self.line_of(&appointment, &services, &locations, lang, now)?;
                    if card::soon(appointment.start, now) {
                        notices.push(notice(
                            "staff-notice-appointment",
                            &[
                                ("service", &line.service),
                                ("date", &long_date(lang, &line.date)),
                                ("time", &line.time),
                            ],
                        ));
                    }
                    if let Some(given) = given.remove(&appointment.id) {
                        appointment_details.push((
                            appointment.id.clone(),
                            given
                                .into_iter()
                                .map(|(field, value)| (field.as_str().to_owned(), value))
                                .collect(),
                        ));
                    }
                    let documents = sent_for(Some(&appointment.id), None);
                    if !documents.is_empty() {
                        appointment_documents.push((
                            appointment.id.clone(),
                            self.document_views(documents, sight.opens_documents()),
                        ));
                    }
                    appointments.push((line, crate::identity::secrets::id()));
                }
            }
        }
        let count =
            contacts::count_since(&self.db, id, now - SignedDuration::from_hours(7 * 24)).await?;
        if let Some(card::Notice::ContactsThisWeek { count }) = card::contacts_notice(count) {
            notices.push(notice(
                "staff-notice-contacts",
                &[("count", &count.to_string())],
            ));
        }
        let mut cases = Vec::new();
        let mut contact_cases = Vec::new();
        for case in card::cases_of(&self.db, &self.municipality.id, id).await? {
            let Some(case_sight) = sight.case(case.confidential) else {
                continue;
            };
            let what = (case_sight == card::CaseSight::What).then(|| StaffCaseWhat {
                identifier: case.identifier.clone(),
                type_name: case.type_name.clone(),
                status: case.status.clone(),
            });
            // A contact may be linked to any of her cases: by its number for the employee who may know what
            // it is, as "a confidential case since …" for one who may not (the form sends Loket's own id).
            contact_cases.push(Choice {
                label: match &what {
                    Some(what) => format!("{} – {}", what.identifier, what.type_name),
                    None => tr_args(
                        lang,
                        "staff-contact-case-confidential",
                        &[("date", &long_date(lang, &case.start_date))],
                    ),
                },
                value: case.id.clone(),
            });
            let documents = if sight.case_documents(case_sight) {
                self.document_views(sent_for(None, Some(&case.id)), sight.opens_documents())
            } else {
                Vec::new()
            };
            cases.push(StaffCase {
                start_date: case.start_date,
                closed: case.closed,
                what,
                documents,
            });
        }
        let contacts = match sight.contacts() {
            None => Vec::new(),
            Some(seen) => {
                contacts::for_party(
                    &self.db,
                    &self.municipality,
                    &Party::Person(id.to_owned()),
                    seen.confidential,
                    seen.case_ceiling,
                    None,
                    20,
                )
                .await?
            }
        };
        let messages = if sight.messages() {
            notifications::outbox::recent(&self.db, id, 10)
                .await
                .map_err(notifications::NotificationsError::from)?
                .into_iter()
                .map(|m| self.message_line(m, now))
                .collect()
        } else {
            Vec::new()
        };
        let may_issue_code = decide(
            principal,
            Action::Change,
            Resource::ResidentActivation {
                municipality_id: &self.municipality.id,
            },
        )
        .allowed();
        // Whether a code she could still use is out (to revoke it), for whoever may issue one.
        let open_code = if may_issue_code {
            crate::identity::activation::open_code(
                &self.db,
                &crate::identity::activation::CodeTarget::Person {
                    person_id: id.to_owned(),
                },
                now,
            )
            .await?
            .map(|code| self.date_and_time(code.expires_at))
        } else {
            None
        };
        Ok(Some(StaffResident {
            id: id.to_owned(),
            name,
            birth_date,
            place: postcode.zip(house_number).map(|(p, n)| format!("{p} {n}")),
            addresses,
            appointments,
            appointment_details,
            appointment_documents,
            cases,
            contacts,
            messages,
            notices,
            contact_cases,
            new_cases: contacts::case_types(&self.db, &self.municipality.id)
                .await?
                .into_iter()
                .map(|(code, name_nl, name_en)| Choice {
                    value: format!("{}{code}", contacts::NEW_CASE),
                    label: match lang {
                        Lang::Nl => name_nl,
                        Lang::En => name_en,
                    },
                })
                .collect(),
            contact_key: crate::identity::secrets::id(),
            failing: all_addresses
                .iter()
                .filter(|a| a.failed_at_ms.is_some() && a.channel != Channel::Push)
                .map(|a| Choice {
                    label: format!("{} ({})", a.label, crate::views::shorten(&a.value)),
                    value: a.id.clone(),
                })
                .collect(),
            may_issue_code,
            open_code,
        }))
    }
}

fn notice(key: &str, args: &[(&str, &str)]) -> (String, Vec<(String, String)>) {
    (
        key.to_owned(),
        args.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    )
}

impl Services {
    /// The name of person `id` when the visitor is staff who may book for her; the look is audited (the booking
    /// steps show her name, and at the last step the details and addresses Loket has).
    pub(crate) async fn staff_may_book_for(
        &self,
        principal: &Principal,
        id: &str,
        now: Timestamp,
    ) -> Result<Option<String>, ApiError> {
        let heading = self
            .staff_look(
                principal,
                id,
                Action::Change,
                "/medewerkers/inwoners/{id}/afspraak-maken",
                now,
            )
            .await?;
        Ok(heading.map(|heading| heading.display_name))
    }

    /// Person `id` of this municipality as a staff member who serves residents may see her (`action` on her
    /// data), with the look written to the audit log for `route`; `None` for anyone else or an unknown id.
    async fn staff_look(
        &self,
        principal: &Principal,
        id: &str,
        action: Action,
        route: &str,
        now: Timestamp,
    ) -> Result<Option<PersonHeading>, ApiError> {
        let m = &self.municipality.id;
        let decision = decide(
            principal,
            action,
            Resource::Person {
                municipality_id: m,
                person_id: id,
            },
        );
        if !matches!(principal, Principal::Staff { .. }) || !decision.allowed() {
            return Ok(None);
        }
        let row = crate::parties::person_heading(&self.db, m, id)
            .await
            .map_err(|error| {
                tracing::error!(%error, "person could not be read");
                ApiError::Unavailable
            })?;
        if row.is_some() {
            audit::staff_read(
                &self.db,
                principal,
                decision,
                ReadOf::Person(id),
                "persoonsgegevens",
                route,
                now,
            )
            .await?;
        }
        Ok(row)
    }
}

impl Services {
    /// The desk's day: today's booked appointments everywhere, for staff who serve residents. Every person
    /// listed is a read of her name and appointment, written to her activity log before the list is shown.
    pub(crate) async fn staff_today_for(
        &self,
        principal: &Principal,
        lang: Lang,
        now: Timestamp,
    ) -> Result<Option<app::api::StaffToday>, ApiError> {
        let m = &self.municipality.id;
        let decision = decide(
            principal,
            Action::Read,
            Resource::Residents { municipality_id: m },
        );
        if !decision.allowed() {
            return Ok(None);
        }
        let zone = self.municipality.time_zone.clone();
        let today = now.to_zoned(zone.clone()).date();
        let bounds = today
            .to_zoned(zone.clone())
            .and_then(|start| Ok((start.timestamp(), start.tomorrow()?.timestamp())));
        let Ok((from, until)) = bounds else {
            tracing::error!("today's bounds");
            return Err(ApiError::Unavailable);
        };
        let day = crate::appointments::checkin::starting_between(&self.db, m, from, until).await?;
        let mut items = Vec::with_capacity(day.len());
        for entry in day {
            audit::staff_read(
                &self.db,
                principal,
                decision,
                ReadOf::Person(&entry.appointment.person_id),
                "afspraken-vandaag",
                "/medewerkers/vandaag",
                now,
            )
            .await
            .map_err(|error| {
                // No name is shown whose look could not be written down.
                tracing::error!(%error, "today's list could not be audited");
                ApiError::Unavailable
            })?;
            items.push(app::api::TodayItem {
                line: self.line(&entry.appointment, lang, now).await?,
                person_id: entry.appointment.person_id.clone(),
                name: entry.name,
                checked_in: entry.checked_in,
            });
        }
        Ok(Some(app::api::StaffToday {
            date: today.to_string(),
            items,
        }))
    }
}

/// How many weeks the report shows.
pub(crate) const REPORT_WEEKS: i64 = 8;

impl Services {
    /// The report's figures for the last [`REPORT_WEEKS`] weeks, for staff of this municipality.
    pub(crate) async fn staff_report_for(
        &self,
        principal: &Principal,
        now: Timestamp,
    ) -> Result<Option<app::api::StaffReport>, ApiError> {
        let m = &self.municipality.id;
        if !decide(
            principal,
            Action::Read,
            Resource::Reports { municipality_id: m },
        )
        .allowed()
        {
            return Ok(None);
        }
        let weeks =
            report::weeks(&self.municipality.time_zone, now, REPORT_WEEKS).map_err(|error| {
                tracing::error!(%error, "report weeks");
                ApiError::Unavailable
            })?;
        let figures = report::figures(&self.db, m, &weeks, now).await?;
        Ok(Some(pivot(&weeks, &figures)))
    }
}

/// The figures as rows (measure, category, detail) with a count per week.
fn pivot(weeks: &[report::Week], figures: &[report::Figure]) -> app::api::StaffReport {
    let mut rows: Vec<app::api::ReportRow> = Vec::new();
    let mut keys: Vec<(report::Measure, &str, &str)> = figures
        .iter()
        .map(|f| (f.measure, f.category.as_str(), f.detail.as_str()))
        .collect();
    keys.sort();
    keys.dedup();
    for (measure, category, detail) in keys {
        let counts = weeks
            .iter()
            .map(|week| {
                figures
                    .iter()
                    .filter(|f| {
                        f.week == week.monday
                            && f.measure == measure
                            && f.category == category
                            && f.detail == detail
                    })
                    .map(|f| f.count)
                    .sum()
            })
            .collect();
        rows.push(app::api::ReportRow {
            measure: measure.as_str().to_owned(),
            category: category.to_owned(),
            detail: detail.to_owned(),
            counts,
        });
    }
    app::api::StaffReport {
        weeks: weeks.iter().map(|w| w.monday.to_string()).collect(),
        rows,
    }
}
