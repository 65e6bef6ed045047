//! The resident's appointment pages as read models: her list, the card, the booking and moving steps. Each
//! takes the principal it reads for; [`openable`] is the one place that decides whether she may open one.

use super::PersonalScope;
use crate::appointments::availability::Via;
use crate::appointments::booking::{self, Appointment, Status};
use crate::appointments::catalogue::{self, Service};
use crate::appointments::details;
use crate::appointments::{AppointmentsError, Reminder};
use crate::authorization::{decide, Action, Decision, Principal, Resource};
use crate::identity::secrets;
use crate::notifications::addresses;
use crate::notifications::channels::Channel;
use crate::services::Services;
use app::api::{
    ApiError, AppointmentCard, AppointmentLine, BookingQuery, BookingStep, BringView, Choice,
    DetailStep, LinkCheck, PlaceView, Viewer,
};
use app::i18n::Lang;
use jiff::Timestamp;

fn service_name(service: &Service, lang: Lang) -> String {
    match lang {
        Lang::Nl => service.name.clone(),
        Lang::En => service.name_en.clone(),
    }
}

/// The QR code of the check-in code, as SVG markup for the card.
fn qr_svg(code: &str) -> String {
    match qrcode::QrCode::new(code.as_bytes()) {
        Ok(qr) => {
            let svg = qr
                .render::<qrcode::render::svg::Color>()
                .min_dimensions(160, 160)
                .quiet_zone(true)
                .build();
            // The XML declaration is not allowed inside HTML.
            svg.find("<svg")
                .map_or(svg.clone(), |at| svg[at..].to_owned())
        }
        Err(_) => String::new(),
    }
}

impl Services {
    pub(crate) async fn line(
        &self,
        appointment: &Appointment,
        lang: Lang,
        now: Timestamp,
    ) -> Result<AppointmentLine, AppointmentsError> {
        let service =
            catalogue::service(&self.db, &self.municipality.id, &appointment.service_id).await?;
        let location =
            catalogue::location(&self.db, &self.municipality.id, &appointment.location_id).await?;
        Ok(self.line_with(appointment, &service, &location.name, lang, now))
    }

    /// [`Services::line`] for many appointments: the municipality's services and locations read once, by
    /// the caller.
    pub(crate) fn line_of(
        &self,
        appointment: &Appointment,
        services: &[Service],
        locations: &[catalogue::Location],
        lang: Lang,
        now: Timestamp,
    ) -> Result<AppointmentLine, AppointmentsError> {
        let service = services
            .iter()
            .find(|s| s.id == appointment.service_id)
            .ok_or(AppointmentsError::NotFound)?;
        let location = locations
            .iter()
            .find(|l| l.id == appointment.location_id)
            .ok_or(AppointmentsError::NotFound)?;
        Ok(self.line_with(appointment, service, &location.name, lang, now))
    }

    fn line_with(
        &self,
        appointment: &Appointment,
        service: &Service,
        location: &str,
        lang: Lang,
        now: Timestamp,
    ) -> AppointmentLine {
        let (date, time) = self.date_and_time(appointment.start);
        let (_, end_time) = self.date_and_time(appointment.end);
        AppointmentLine {
            id: appointment.id.clone(),
            service: service_name(service, lang),
            date,
            time,
            end_time,
            location: location.to_owned(),
            cancelled: appointment.status == Status::Cancelled,
            past: appointment.start <= now,
        }
    }

    /// The appointment if `principal` may open it on the resident pages.
    async fn own_appointment(
        &self,
        principal: &Principal,
        id: &str,
    ) -> Result<Option<Appointment>, AppointmentsError> {
        openable(self, principal, Action::Read, id).await
    }

    /// Whether an appointment link still works, and what its second check asks.
    pub(crate) async fn appointment_link_for(
        &self,
        token: &str,
        now: Timestamp,
    ) -> Result<Option<LinkCheck>, ApiError> {
        let state = crate::identity::links::state(&self.db, token, now).await?;
        Ok(state.map(|state| LinkCheck {
            birth_date: state.birth_date_known,
            code_waiting: state.code_waiting,
        }))
    }

    pub(crate) async fn appointment_list(
        &self,
        principal: &Principal,
        viewer: &Viewer,
        lang: Lang,
        now: Timestamp,
    ) -> Result<Option<Vec<AppointmentLine>>, ApiError> {
        let Some(scope) = self.personal_scope(principal, viewer) else {
            return Ok(None);
        };
        let mut lines = Vec::new();
        for appointment in self.appointments_in(&scope).await? {
            lines.push(self.line(&appointment, lang, now).await?);
        }
        Ok(Some(lines))
    }

    /// Her appointments as the scope reads them: acting for an organisation, only those she made for it (her
    /// own appointment with the social team is not the company's business); as herself, all of hers.
    async fn appointments_in(
        &self,
        scope: &PersonalScope,
    ) -> Result<Vec<Appointment>, AppointmentsError> {
        let all = booking::for_person(&self.db, &scope.person_id).await?;
        Ok(match &scope.party {
            crate::parties::Party::Organisation(organisation) => all
                .into_iter()
                .filter(|a| a.organisation_id.as_ref() == Some(organisation))
                .collect(),
            crate::parties::Party::Person(_) => all,
        })
    }

    /// Overzicht's "your next appointment": the first booked one in the scope that is not over yet.
    pub(crate) async fn next_appointment(
        &self,
        scope: &PersonalScope,
        lang: Lang,
        now: Timestamp,
    ) -> Result<Option<AppointmentLine>, AppointmentsError> {
        let next = self
            .appointments_in(scope)
            .await?
            .into_iter()
            .find(|a| a.status == Status::Booked && a.end > now);
        match next {
            Some(appointment) => Ok(Some(self.line(&appointment, lang, now).await?)),
            None => Ok(None),
        }
    }

    pub(crate) async fn appointment_card(
        &self,
        reader: &Principal,
        lang: Lang,
        id: String,
        now: Timestamp,
    ) -> Result<Option<AppointmentCard>, ApiError> {
        let Some(appointment) = self.own_appointment(reader, &id).await? else {
            return Ok(None);
        };
        let documents =
            crate::documents::drafts::for_appointment(&self.db, &appointment.id).await?;
        let previewing = matches!(reader, crate::authorization::Principal::Preview { .. });
        // An appointment link's session sees the titles, and sends more, but opens and removes none.
        let by_link = matches!(
            reader,
            crate::authorization::Principal::AppointmentLink { .. }
        );
        let m = &self.municipality.id;
        let service = catalogue::service(&self.db, m, &appointment.service_id).await?;
        let location = catalogue::location(&self.db, m, &appointment.location_id).await?;
        let bring = service
            .bring
            .iter()
            .map(|item| BringView {
                text: match lang {
                    Lang::Nl => item.text.clone(),
                    Lang::En => item.text_en.clone(),
                },
                picture: item.picture.clone(),
            })
            .collect();
        Ok(Some(AppointmentCard {
            line: self.line(&appointment, lang, now).await?,
            sequence: appointment.sequence,
            place: PlaceView {
                name: location.name,
                street: location.street,
                postcode_city: format!("{} {}", location.postcode, location.city),
                route: location.route,
                wheelchair: location.wheelchair,
                hearing_loop: location.hearing_loop,
                quiet_room: location.quiet_room,
                map_url: location.map_url,
            },
            bring,
            tips: match lang {
                Lang::Nl => service.tips,
                Lang::En => service.tips_en,
            },
            reminders: Reminder::ALL
                .iter()
                .map(|r| (r.as_str().to_owned(), appointment.reminders.contains(r)))
                .collect(),
            checkin_qr: qr_svg(&appointment.checkin_code),
            checkin_code: appointment.checkin_code,
            by_contact_centre: appointment.via == Via::Staff,
            key: secrets::id(),
            documents: self.document_views(documents, !by_link),
            upload_max_bytes: self.documents.limits.max_file_bytes as u64,
            uploads_open: appointment.status == Status::Booked
                && appointment.end > now
                && !previewing,
            documents_removable: appointment.status == Status::Booked
                && appointment.end > now
                && !previewing
                && !by_link,
        }))
    }

    pub(crate) async fn booking_step_for(
        &self,
        principal: &Principal,
        viewer: &Viewer,
        lang: Lang,
        query: BookingQuery,
        now: Timestamp,
    ) -> Result<Option<BookingStep>, ApiError> {
        // A new booking is for the signed-in person, or for `query.person` when the contact centre books;
        // moving needs only access to that appointment (an appointment link is enough).
        // The contact centre books or moves for `query.person` (a move only of her own appointment).
        let staff_for = match &query.person {
            Some(id) => match self.staff_may_book_for(principal, id, now).await? {
                Some(name) => Some((id.clone(), name)),
                None => return Ok(None),
            },
            None => None,
        };
        let scope = self.personal_scope(principal, viewer);
        if query.appointment.is_none() && scope.is_none() && staff_for.is_none() {
            return Ok(None);
        }
        let via = if staff_for.is_some() {
            Via::Staff
        } else {
            Via::Resident
        };
        let m = &self.municipality.id;
        let mut step = BookingStep {
            key: secrets::id(),
            for_person: staff_for.clone(),
            ..BookingStep::default()
        };
        // Moving: service and location are those of the appointment.
        let (mut service_id, mut location_id) = (query.service, query.location);
        if let Some(id) = &query.appointment {
            let appointment = match &staff_for {
                Some((person, _)) => match booking::get(&self.db, m, id).await {
                    Ok(appointment) if &appointment.person_id == person => Some(appointment),
                    Ok(_) | Err(AppointmentsError::NotFound) => None,
                    Err(error) => return Err(error.into()),
                },
                None => self.own_appointment(principal, id).await?,
            };
            let Some(appointment) = appointment else {
                return Ok(None);
            };
            if appointment.status == Status::Cancelled || appointment.start <= now {
                return Ok(None);
            }
            step.moving = Some(self.line(&appointment, lang, now).await?);
            step.sequence = appointment.sequence;
            service_id = Some(appointment.service_id.clone());
            location_id = Some(appointment.location_id.clone());
        }
        let services = catalogue::services(&self.db, m).await?;
        step.services = services
            .iter()
            .filter(|s| s.resident_bookable || via == Via::Staff)
            .map(|s| Choice {
                value: s.id.clone(),
                label: service_name(s, lang),
            })
            .collect();
        let Some(service) = service_id
            .and_then(|id| services.into_iter().find(|s| s.id == id))
            .filter(|s| s.resident_bookable || step.moving.is_some() || via == Via::Staff)
        else {
            return Ok(Some(step));
        };
        step.service = Some(Choice {
            value: service.id.clone(),
            label: service_name(&service, lang),
        });
        let locations = catalogue::locations_for(&self.db, &service.id).await?;
        step.locations = locations
            .iter()
            .map(|l| Choice {
                value: l.id.clone(),
                label: format!("{}, {}", l.name, l.street),
            })
            .collect();
        let location = match location_id {
            Some(id) => locations.into_iter().find(|l| l.id == id),
            // One place only: nothing to choose.
            None if locations.len() == 1 => locations.into_iter().next(),
            None => None,
        };
        let Some(location) = location else {
            return Ok(Some(step));
        };
        step.location = Some(Choice {
            value: location.id.clone(),
            label: format!("{}, {}", location.name, location.street),
        });
        let tz = &self.municipality.time_zone;
        let today = tz.to_datetime(now).date();
        let last = tz
            .to_datetime(now + jiff::SignedDuration::from_hours(service.horizon_days * 24))
            .date();
        let offers = booking::free_times(
            &self.db,
            &self.municipality,
            &service,
            &location.id,
            via,
            today..=last,
            now,
        )
        .await?;
        let moving_from = step
            .moving
            .as_ref()
            .map(|m| (m.date.clone(), m.time.clone()));
        for offer in &offers {
            let date = offer.slot.local.date();
            if step.days.last() != Some(&date.to_string()) {
                step.days.push(date.to_string());
                let monday = date
                    .checked_sub(jiff::Span::new().days(date.weekday().to_monday_zero_offset()))
                    .unwrap_or(date)
                    .to_string();
                match step.weeks.last_mut() {
                    Some((start, days)) if *start == monday => days.push(date.to_string()),
                    _ => step.weeks.push((monday, vec![date.to_string()])),
                }
            }
        }
        step.day = query.day.filter(|d| step.days.contains(d));
        if let Some(day) = &step.day {
            step.times = offers
                .iter()
                .filter(|o| &o.slot.local.date().to_string() == day)
                .map(|o| Choice {
                    value: o.slot.start.as_millisecond().to_string(),
                    label: o.slot.local.strftime("%H:%M").to_string(),
                })
                // The current time of an appointment being moved is no choice.
                .filter(|c| moving_from.as_ref() != Some(&(day.clone(), c.label.clone())))
                .collect();
            let person = match (&staff_for, &scope) {
                (Some((id, _)), _) => Some(id.as_str()),
                (None, Some(scope)) if step.moving.is_none() => Some(scope.person_id.as_str()),
                _ => None,
            };
            if let Some(person) = person {
                // Her own booking: what the BRP knows is not asked (the contact centre asks on the phone).
                let principal = staff_for.is_none().then_some(principal);
                self.confirm_step(&mut step, &service, person, principal, now)
                    .await?;
            }
        }
        Ok(Some(step))
    }

    /// What the BRP knows of the signed-in resident for `required` (birth date, postal address), in a session
    /// that opens her own records (DigiD at the records level): a booking does not ask for it again. Nothing
    /// without a BRP, without her BSN, for a representative, or when the BRP does not answer (then the form
    /// asks, as it would without a BRP).
    pub(crate) async fn known_in_register(
        &self,
        principal: &Principal,
        required: &[details::Field],
    ) -> Option<details::FromRegister> {
        use crate::population::Task;
        let wanted = required
            .iter()
            .any(|f| matches!(f, details::Field::BirthDate | details::Field::PostalAddress));
        let register = self.population.as_ref().filter(|_| wanted)?;
        let Principal::Person {
            person_id,
            municipality_id,
            representative: None,
            ..
        } = principal
        else {
            return None;
        };
        let records = Resource::Records {
            municipality_id,
            person_id,
        };
        if !decide(principal, Action::Read, records).allowed() {
            return None;
        }
        let bsn = crate::parties::person_bsn(&self.db, municipality_id, person_id)
            .await
            .ok()??;
        let resident =
            match crate::population::by_bsn(register.as_ref(), Task::BookingDetails, &bsn).await {
                Ok(resident) => resident?,
                Err(error) => {
                    tracing::warn!(%error, "the BRP could not be asked for the booking's details");
                    return None;
                }
            };
        let address: Vec<String> = resident
            .address
            .iter()
            .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|line| !line.is_empty())
            .collect();
        Some(details::FromRegister {
            birth_date: resident.birth_date.and_then(|d| d.parse().ok()),
            postal_address: (!address.is_empty()).then(|| address.join(", ")),
        })
    }

    /// The last step of a new booking: the details the service needs (known ones shown, the rest asked)
    /// and the addresses the confirmation can go to.
    async fn confirm_step(
        &self,
        step: &mut BookingStep,
        service: &Service,
        person_id: &str,
        resident: Option<&Principal>,
        now: Timestamp,
    ) -> Result<(), ApiError> {
        let required = details::Field::list(&service.required_fields);
        if !required.is_empty() {
            let register = match resident {
                Some(principal) => self.known_in_register(principal, &required).await,
                None => None,
            };
            let known = details::known(&self.db, person_id, now)
                .await?
                .with_register(register.as_ref());
            step.details = required
                .into_iter()
                .map(|field| DetailStep {
                    field: field.as_str().to_owned(),
                    known: known.shown(field),
                })
                .collect();
        }
        step.channels = addresses::list(&self.db, person_id)
            .await
            .map_err(|_| ApiError::Unavailable)?
            .into_iter()
            .filter(|a| a.usable(now))
            .map(|a| Choice {
                label: match a.channel {
                    // A push endpoint is a capability URL of the device: not shown.
                    Channel::Push => a.label,
                    // The contact centre reads the address shortened: enough to say "the one ending in 78".
                    Channel::Email | Channel::Sms if step.for_person.is_some() => {
                        format!("{} ({})", a.label, super::shorten(&a.value))
                    }
                    Channel::Email | Channel::Sms => format!("{} ({})", a.label, a.value),
                },
                value: a.id,
            })
            .collect();
        Ok(())
    }
}

/// The appointment `id` if `principal` may open it on the resident pages: the person it is for, a member of
/// the organisation it is for, or an appointment-link session for exactly this one. (Staff see appointments
/// in their own workspace, where each look is audited; here they are refused like anyone else.)
pub(crate) async fn openable(
    services: &Services,
    principal: &Principal,
    action: Action,
    id: &str,
) -> Result<Option<Appointment>, AppointmentsError> {
    let appointment = match booking::get(&services.db, &services.municipality.id, id).await {
        Ok(appointment) => appointment,
        Err(AppointmentsError::NotFound) => return Ok(None),
        Err(error) => return Err(error),
    };
    let resource = Resource::Appointment {
        municipality_id: &services.municipality.id,
        appointment_id: &appointment.id,
        person_id: Some(&appointment.person_id),
        organisation_id: appointment.organisation_id.as_deref(),
    };
    Ok((decide(principal, action, resource) == Decision::Allow).then_some(appointment))
}
