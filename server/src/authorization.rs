//! Authorization: the one module that decides who may read or change what. Every handler and server function
//! turns its session into a [`Principal`], names the [`Resource`] it touches and asks [`decide`]; nothing else
//! compares ids or roles. Staff reads of a resident's or organisation's data are allowed only as
//! [`Decision::AllowAudited`]: the caller must write the audit entry before it answers.

use crate::identity::accounts::{Account, Holder, StaffRole};

/// Who is asking, as established by the session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    Anonymous,
    /// A signed-in person; `memberships` are the organisations they are a confirmed member of. `records`:
    /// the session opens her BSN-linked records (cases, contact moments, documents) — a DigiD session at the
    /// configured level, or any session on the embedded default without a broker (the demo door).
    /// `representative`: DigiD Machtigen — the signed-in person (the account's holder) acts for person
    /// `person_id`; she reads that person's pages, each read audited for both, and changes nothing.
    Person {
        account_id: String,
        person_id: String,
        municipality_id: String,
        memberships: Vec<String>,
        records: bool,
        representative: Option<String>,
    },
    Staff {
        account_id: String,
        staff_id: String,
        municipality_id: String,
        role: StaffRole,
    },
    /// A staff member looking at person `person_id`'s own pages ("Bekijk als inwoner"): reads of her data
    /// only, each audited; every change is refused (here, and at the edge for every state-changing request).
    Preview {
        account_id: String,
        staff_id: String,
        municipality_id: String,
        role: StaffRole,
        person_id: String,
    },
    /// Someone who opened an appointment link and passed the second check: that one appointment only.
    AppointmentLink {
        appointment_id: String,
        municipality_id: String,
    },
}

impl Principal {
    /// The principal of a signed-in account; `memberships` are the person's confirmed organisation ids,
    /// `records` whether the session opens her BSN-linked records (see [`Principal::Person`]).
    pub fn of(account: &Account, memberships: Vec<String>, records: bool) -> Principal {
        match &account.holder {
            Holder::Person { person_id } => Principal::Person {
                account_id: account.id.clone(),
                person_id: person_id.clone(),
                municipality_id: account.municipality_id.clone(),
                memberships,
                records,
                representative: None,
            },
            Holder::Staff { staff_id, role } => Principal::Staff {
                account_id: account.id.clone(),
                staff_id: staff_id.clone(),
                municipality_id: account.municipality_id.clone(),
                role: *role,
            },
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Read,
    Change,
}

/// What is being touched. Each kind names the ids the decision needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource<'a> {
    /// A person's data: profile, preferences, appointments overview.
    Person {
        municipality_id: &'a str,
        person_id: &'a str,
    },
    /// A person's BSN-linked records: her cases, contact moments and documents. She reads them only in a
    /// session that opens them (a passkey of her own is not a recognised means); staff as for [`Resource::Person`].
    Records {
        municipality_id: &'a str,
        person_id: &'a str,
    },
    /// An organisation's data, for its confirmed members.
    Organisation {
        municipality_id: &'a str,
        organisation_id: &'a str,
    },
    /// A person's activity log (the audit entries about them). Only they read it; nobody changes it.
    Activity {
        municipality_id: &'a str,
        person_id: &'a str,
    },
    /// An account's passkeys: only the account holder.
    Passkeys { account_id: &'a str },
    /// Activation codes for a person or membership (`Change` = issue or revoke).
    ResidentActivation { municipality_id: &'a str },
    /// Finding residents and companies of a municipality (the contact centre's search).
    Residents { municipality_id: &'a str },
    /// Staff accounts and their activation codes.
    StaffAccounts { municipality_id: &'a str },
    /// The appointment catalogue: services, locations, resources with their hours (administrators' pages;
    /// the back-office API has its own scope).
    Catalogue { municipality_id: &'a str },
    /// The messages the embedded default wrote to files (the staff development page).
    OutboxFiles { municipality_id: &'a str },
    /// The report: counts per week, no personal data; for every staff role of the municipality.
    Reports { municipality_id: &'a str },
    /// One appointment, booked for a person and/or organisation.
    Appointment {
        municipality_id: &'a str,
        appointment_id: &'a str,
        person_id: Option<&'a str>,
        organisation_id: Option<&'a str>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Allowed, and the read must be written to the audit log (a staff member looked at resident data).
    AllowAudited,
    Deny,
}

impl Decision {
    pub fn allowed(self) -> bool {
        !matches!(self, Decision::Deny)
    }
}

/// Which staff roles may touch residents' and organisations' data.
fn staff_serves_residents(role: StaffRole) -> bool {
    matches!(role, StaffRole::Kcc | StaffRole::Backoffice)
}

/// A preview reads the one person it shows, audited, if the role serves residents; it never changes anything.
fn previews(action: Action, role: StaffRole, hers: bool) -> Decision {
    if action == Action::Read && hers && staff_serves_residents(role) {
        Decision::AllowAudited
    } else {
        Decision::Deny
    }
}

/// DigiD Machtigen: the represented person's own data and records, read only and audited; never her activity
/// log, her passkeys or an organisation's pages (a machtiging is between two persons).
fn on_behalf(principal: &Principal, action: Action, resource: Resource<'_>) -> Decision {
    let readable = matches!(
        resource,
        Resource::Person { .. } | Resource::Records { .. } | Resource::Appointment { .. }
    );
    if action != Action::Read || !readable {
        return Decision::Deny;
    }
    let Principal::Person {
        account_id,
        person_id,
        municipality_id,
        records,
        ..
    } = principal
    else {
        return Decision::Deny;
    };
    let herself = Principal::Person {
        account_id: account_id.clone(),
        person_id: person_id.clone(),
        municipality_id: municipality_id.clone(),
        memberships: Vec::new(),
        records: *records,
        representative: None,
    };
    if decide(&herself, action, resource).allowed() {
        Decision::AllowAudited
    } else {
        Decision::Deny
    }
}

pub fn decide(principal: &Principal, action: Action, resource: Resource<'_>) -> Decision {
    use Decision::{Allow, AllowAudited, Deny};
    if let Principal::Person {
        representative: Some(_),
        ..
    } = principal
    {
        return on_behalf(principal, action, resource);
    }
    let allow_if = |condition: bool| if condition { Allow } else { Deny };
    let staff_reads = |role: StaffRole, municipality: &str, staff_municipality: &str| {
        if municipality == staff_municipality && staff_serves_residents(role) {
            AllowAudited
        } else {
            Deny
        }
    };
    match (principal, resource) {
        (Principal::Anonymous, _) => Deny,

        (
            Principal::Person {
                person_id,
                municipality_id: own,
                ..
            },
            Resource::Person {
                municipality_id,
                person_id: p,
            },
        ) => allow_if(p == person_id && municipality_id == own),
        (
            Principal::Person {
                person_id,
                municipality_id: own,
                records,
                ..
            },
            Resource::Records {
                municipality_id,
                person_id: p,
            },
        ) => allow_if(*records && p == person_id && municipality_id == own),
        (
            Principal::Staff {
                role,
                municipality_id: own,
                ..
            },
            Resource::Person {
                municipality_id, ..
            }
            | Resource::Records {
                municipality_id, ..
            },
        ) => staff_reads(*role, municipality_id, own),

        (
            Principal::Person {
                memberships,
                municipality_id: own,
                ..
            },
            Resource::Organisation {
                municipality_id,
                organisation_id,
            },
        ) => allow_if(municipality_id == own && memberships.iter().any(|m| m == organisation_id)),
        (
            Principal::Staff {
                role,
                municipality_id: own,
                ..
            },
            Resource::Organisation {
                municipality_id, ..
            },
        ) => staff_reads(*role, municipality_id, own),

        (
            Principal::Staff {
                role,
                municipality_id: own,
                ..
            },
            Resource::Residents { municipality_id },
        ) => staff_reads(*role, municipality_id, own),

        (
            Principal::Person {
                person_id,
                municipality_id: own,
                ..
            },
            Resource::Activity {
                municipality_id,
                person_id: p,
            },
        ) => allow_if(action == Action::Read && p == person_id && municipality_id == own),

        (
            Principal::Person { account_id, .. } | Principal::Staff { account_id, .. },
            Resource::Passkeys { account_id: owner },
        ) => allow_if(account_id == owner),

        (
            Principal::Staff {
                role,
                municipality_id: own,
                ..
            },
            Resource::ResidentActivation { municipality_id },
        ) => allow_if(own == municipality_id && matches!(role, StaffRole::Kcc | StaffRole::Admin)),
        (
            Principal::Staff {
                role,
                municipality_id: own,
                ..
            },
            Resource::StaffAccounts { municipality_id } | Resource::Catalogue { municipality_id },
        ) => allow_if(own == municipality_id && *role == StaffRole::Admin),

        (
            Principal::Person {
                person_id,
                memberships,
                municipality_id: own,
                ..
            },
            Resource::Appointment {
                municipality_id,
                person_id: for_person,
                organisation_id: for_org,
                ..
            },
        ) => allow_if(
            municipality_id == own
                && (for_person == Some(person_id.as_str())
                    || for_org.is_some_and(|org| memberships.iter().any(|m| m == org))),
        ),
        (
            Principal::Staff {
                role,
                municipality_id: own,
                ..
            },
            Resource::Appointment {
                municipality_id, ..
            },
        ) => staff_reads(*role, municipality_id, own),
        (
            Principal::AppointmentLink {
                appointment_id,
                municipality_id: own,
            },
            Resource::Appointment {
                municipality_id,
                appointment_id: a,
                ..
            },
        ) => allow_if(a == appointment_id && municipality_id == own),

        (
            Principal::Staff {
                municipality_id: own,
                ..
            },
            Resource::Reports { municipality_id },
        ) => allow_if(action == Action::Read && own == municipality_id),

        (
            Principal::Preview {
                role,
                municipality_id: own,
                person_id,
                ..
            },
            Resource::Person {
                municipality_id,
                person_id: p,
            }
            | Resource::Records {
                municipality_id,
                person_id: p,
            },
        ) => previews(action, *role, municipality_id == own && p == person_id),
        (
            Principal::Preview {
                role,
                municipality_id: own,
                person_id,
                ..
            },
            Resource::Appointment {
                municipality_id,
                person_id: p,
                ..
            },
        ) => previews(
            action,
            *role,
            municipality_id == own && p == Some(person_id.as_str()),
        ),

        // Any staff role of the municipality; each resident whose message is shown is audited.
        (
            Principal::Staff {
                municipality_id: own,
                ..
            },
            Resource::OutboxFiles { municipality_id },
        ) => {
            if own == municipality_id {
                AllowAudited
            } else {
                Deny
            }
        }

        _ => Deny,
    }
}

/// How much of one kind of a resident's data a staff member sees: nothing, THAT it exists ("contact on 3 March,
/// confidential"), or WHAT it says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Nothing,
    That,
    What,
}

/// The kinds of a resident's data a staff screen shows, for [`staff_level`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataKind {
    /// Name, birth date, address, confirmed digital addresses and channel choices.
    Profile,
    Appointments,
    /// Messages sent to her: kind, channel, delivery status (never their content, which is only a link).
    Messages,
    Contacts,
    /// Contact moments marked confidential.
    ConfidentialContacts,
    /// Cases up to `zaakvertrouwelijk` and not of an internal type: status, dates, type.
    Cases,
    /// Cases above `zaakvertrouwelijk` or of an internal type (the social domain, debt signals).
    ConfidentialCases,
    /// Documents she uploaded (photos of papers, PDFs): their content.
    Documents,
}

impl DataKind {
    pub const ALL: [DataKind; 8] = [
        DataKind::Profile,
        DataKind::Appointments,
        DataKind::Messages,
        DataKind::Contacts,
        DataKind::ConfidentialContacts,
        DataKind::Cases,
        DataKind::ConfidentialCases,
        DataKind::Documents,
    ];
}

/// The role matrix: the contact centre serves everyone and sees THAT, not WHAT, of confidential contacts and
/// cases; the back office works on cases and sees what they say; administrators configure Loket and see no
/// resident data at all. Documents are opened by the back office (the case worker, the appointment's
/// consultant); the contact centre sees THAT they were sent (title, date), not their pages. Callers that were allowed to read a person (see [`decide`]) redact with this.
pub fn staff_level(role: StaffRole, kind: DataKind) -> Level {
    match (role, kind) {
        (StaffRole::Admin, _) => Level::Nothing,
        (
            StaffRole::Kcc,
            DataKind::ConfidentialContacts | DataKind::ConfidentialCases | DataKind::Documents,
        ) => Level::That,
        (StaffRole::Kcc | StaffRole::Backoffice, _) => Level::What,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: &str, orgs: &[&str]) -> Principal {
        Principal::Person {
            account_id: format!("acc-{id}"),
            person_id: id.to_owned(),
            municipality_id: String::from("m"),
            memberships: orgs.iter().map(|o| (*o).to_owned()).collect(),
            records: true,
            representative: None,
        }
    }

    fn staff(role: StaffRole, municipality: &str) -> Principal {
        Principal::Staff {
            account_id: String::from("acc-staff"),
            staff_id: String::from("s"),
            municipality_id: municipality.to_owned(),
            role,
        }
    }

    const DESIREE: Resource<'static> = Resource::Person {
        municipality_id: "m",
        person_id: "desiree",
    };

    #[test]
    fn a_person_reads_and_changes_only_their_own_data() {
        assert_eq!(
            decide(&person("desiree", &[]), Action::Read, DESIREE),
            Decision::Allow
        );
        assert_eq!(
            decide(&person("desiree", &[]), Action::Change, DESIREE),
            Decision::Allow
        );
        assert_eq!(
            decide(&person("jan", &[]), Action::Read, DESIREE),
            Decision::Deny
        );
        assert_eq!(
            decide(&Principal::Anonymous, Action::Read, DESIREE),
            Decision::Deny
        );
    }

    #[test]
    fn her_records_open_only_in_a_session_that_opens_them() {
        let records = Resource::Records {
            municipality_id: "m",
            person_id: "desiree",
        };
        let passkey_only = Principal::Person {
            account_id: String::from("acc-desiree"),
            person_id: String::from("desiree"),
            municipality_id: String::from("m"),
            memberships: Vec::new(),
            records: false,
            representative: None,
        };
        assert_eq!(
            decide(&person("desiree", &[]), Action::Read, records),
            Decision::Allow
        );
        assert_eq!(decide(&passkey_only, Action::Read, records), Decision::Deny);
        // What needs no BSN-linked data stays hers in that session.
        assert_eq!(
            decide(&passkey_only, Action::Read, DESIREE),
            Decision::Allow
        );
        assert_eq!(
            decide(&person("jan", &[]), Action::Read, records),
            Decision::Deny
        );
        assert_eq!(
            decide(&staff(StaffRole::Kcc, "m"), Action::Read, records),
            Decision::AllowAudited
        );
        assert_eq!(
            decide(&staff(StaffRole::Admin, "m"), Action::Read, records),
            Decision::Deny
        );
    }

    #[test]
    fn a_representative_reads_what_she_may_read_audited_and_changes_nothing() {
        let records = Resource::Records {
            municipality_id: "m",
            person_id: "desiree",
        };
        let for_desiree = |records| Principal::Person {
            account_id: String::from("acc-jan"),
            person_id: String::from("desiree"),
            municipality_id: String::from("m"),
            memberships: Vec::new(),
            records,
            representative: Some(String::from("jan")),
        };
        let jan = for_desiree(true);
        assert_eq!(decide(&jan, Action::Read, DESIREE), Decision::AllowAudited);
        assert_eq!(decide(&jan, Action::Read, records), Decision::AllowAudited);
        assert_eq!(
            decide(&for_desiree(false), Action::Read, records),
            Decision::Deny
        );
        assert_eq!(decide(&jan, Action::Change, DESIREE), Decision::Deny);
        let activity = Resource::Activity {
            municipality_id: "m",
            person_id: "desiree",
        };
        assert_eq!(decide(&jan, Action::Read, activity), Decision::Deny);
        let passkeys = Resource::Passkeys {
            account_id: "acc-jan",
        };
        assert_eq!(decide(&jan, Action::Read, passkeys), Decision::Deny);
        let someone_else = Resource::Person {
            municipality_id: "m",
            person_id: "fatima",
        };
        assert_eq!(decide(&jan, Action::Read, someone_else), Decision::Deny);
    }

    #[test]
    fn staff_reads_of_resident_data_are_audited_and_stay_in_their_municipality() {
        assert_eq!(
            decide(&staff(StaffRole::Kcc, "m"), Action::Read, DESIREE),
            Decision::AllowAudited
        );
        assert_eq!(
            decide(&staff(StaffRole::Backoffice, "m"), Action::Read, DESIREE),
            Decision::AllowAudited
        );
        assert_eq!(
            decide(&staff(StaffRole::Admin, "m"), Action::Read, DESIREE),
            Decision::Deny
        );
        assert_eq!(
            decide(&staff(StaffRole::Kcc, "other"), Action::Read, DESIREE),
            Decision::Deny
        );
    }

    #[test]
    fn only_staff_who_serve_residents_search_them_and_each_search_is_audited() {
        let residents = Resource::Residents {
            municipality_id: "m",
        };
        for (principal, want) in [
            (staff(StaffRole::Kcc, "m"), Decision::AllowAudited),
            (staff(StaffRole::Backoffice, "m"), Decision::AllowAudited),
            (staff(StaffRole::Admin, "m"), Decision::Deny),
            (staff(StaffRole::Kcc, "other"), Decision::Deny),
            (person("desiree", &[]), Decision::Deny),
            (Principal::Anonymous, Decision::Deny),
        ] {
            assert_eq!(
                decide(&principal, Action::Read, residents),
                want,
                "{principal:?}"
            );
        }
    }

    #[test]
    fn organisation_data_is_for_confirmed_members() {
        let org = Resource::Organisation {
            municipality_id: "m",
            organisation_id: "bakkerij",
        };
        assert!(decide(&person("desiree", &["bakkerij"]), Action::Read, org).allowed());
        assert!(!decide(&person("jan", &["andere"]), Action::Read, org).allowed());
    }

    #[test]
    fn the_activity_log_is_read_only_and_private() {
        let log = Resource::Activity {
            municipality_id: "m",
            person_id: "desiree",
        };
        assert!(decide(&person("desiree", &[]), Action::Read, log).allowed());
        assert!(!decide(&person("desiree", &[]), Action::Change, log).allowed());
        assert!(!decide(&staff(StaffRole::Kcc, "m"), Action::Read, log).allowed());
    }

    #[test]
    fn only_admins_manage_staff_and_the_catalogue_and_kcc_or_admin_issue_resident_codes() {
        let staff_accounts = Resource::StaffAccounts {
            municipality_id: "m",
        };
        let codes = Resource::ResidentActivation {
            municipality_id: "m",
        };
        assert!(decide(
            &staff(StaffRole::Admin, "m"),
            Action::Change,
            staff_accounts
        )
        .allowed());
        assert!(!decide(&staff(StaffRole::Kcc, "m"), Action::Change, staff_accounts).allowed());
        let catalogue = Resource::Catalogue {
            municipality_id: "m",
        };
        assert!(decide(&staff(StaffRole::Admin, "m"), Action::Change, catalogue).allowed());
        assert!(!decide(&staff(StaffRole::Admin, "other"), Action::Read, catalogue).allowed());
        assert!(!decide(&staff(StaffRole::Kcc, "m"), Action::Change, catalogue).allowed());
        assert!(!decide(
            &staff(StaffRole::Backoffice, "m"),
            Action::Change,
            catalogue
        )
        .allowed());
        assert!(!decide(&person("p", &[]), Action::Read, catalogue).allowed());
        assert!(decide(&staff(StaffRole::Kcc, "m"), Action::Change, codes).allowed());
        assert!(!decide(&staff(StaffRole::Backoffice, "m"), Action::Change, codes).allowed());
        let files = Resource::OutboxFiles {
            municipality_id: "m",
        };
        assert_eq!(
            decide(&staff(StaffRole::Kcc, "m"), Action::Read, files),
            Decision::AllowAudited
        );
        assert!(!decide(&staff(StaffRole::Admin, "other"), Action::Read, files).allowed());
        assert!(!decide(&person("p", &[]), Action::Read, files).allowed());
        assert!(!decide(&person("desiree", &[]), Action::Change, codes).allowed());
    }

    #[test]
    fn a_preview_reads_only_the_person_it_shows_and_changes_nothing() {
        let preview = |role| Principal::Preview {
            account_id: String::from("acc-staff"),
            staff_id: String::from("s"),
            municipality_id: String::from("m"),
            role,
            person_id: String::from("desiree"),
        };
        let kcc = preview(StaffRole::Kcc);
        assert_eq!(decide(&kcc, Action::Read, DESIREE), Decision::AllowAudited);
        assert!(!decide(&kcc, Action::Change, DESIREE).allowed());
        let jan = Resource::Person {
            municipality_id: "m",
            person_id: "jan",
        };
        assert!(!decide(&kcc, Action::Read, jan).allowed());
        let hers = Resource::Appointment {
            municipality_id: "m",
            appointment_id: "a1",
            person_id: Some("desiree"),
            organisation_id: None,
        };
        assert_eq!(decide(&kcc, Action::Read, hers), Decision::AllowAudited);
        assert!(!decide(&kcc, Action::Change, hers).allowed());
        assert!(!decide(&preview(StaffRole::Admin), Action::Read, DESIREE).allowed());
        for resource in [
            Resource::Activity {
                municipality_id: "m",
                person_id: "desiree",
            },
            Resource::Passkeys {
                account_id: "acc-staff",
            },
            Resource::Residents {
                municipality_id: "m",
            },
            Resource::Reports {
                municipality_id: "m",
            },
        ] {
            assert!(
                !decide(&kcc, Action::Read, resource).allowed(),
                "{resource:?}"
            );
        }
    }

    #[test]
    fn every_staff_role_reads_the_report_and_nobody_else_or_elsewhere() {
        let report = Resource::Reports {
            municipality_id: "m",
        };
        for role in [StaffRole::Kcc, StaffRole::Backoffice, StaffRole::Admin] {
            assert_eq!(
                decide(&staff(role, "m"), Action::Read, report),
                Decision::Allow
            );
            assert!(!decide(&staff(role, "m"), Action::Change, report).allowed());
            assert!(!decide(&staff(role, "other"), Action::Read, report).allowed());
        }
        assert!(!decide(&person("desiree", &[]), Action::Read, report).allowed());
        assert!(!decide(&Principal::Anonymous, Action::Read, report).allowed());
    }

    #[test]
    fn an_appointment_link_opens_exactly_one_appointment() {
        let link = Principal::AppointmentLink {
            appointment_id: String::from("a1"),
            municipality_id: String::from("m"),
        };
        let appointment = |id| Resource::Appointment {
            municipality_id: "m",
            appointment_id: id,
            person_id: Some("desiree"),
            organisation_id: None,
        };
        assert!(decide(&link, Action::Change, appointment("a1")).allowed());
        assert!(!decide(&link, Action::Read, appointment("a2")).allowed());
        assert!(!decide(&link, Action::Read, DESIREE).allowed());
        assert!(decide(&person("desiree", &[]), Action::Read, appointment("a2")).allowed());
    }

    #[test]
    fn each_staff_role_sees_exactly_its_level_of_each_kind_of_resident_data() {
        use DataKind::*;
        use Level::*;
        // The matrix as the municipality agreed it; a change to `staff_level` must change this table too.
        let expected: [(StaffRole, [Level; 8]); 3] = [
            (
                StaffRole::Kcc,
                [What, What, What, What, That, What, That, That],
            ),
            (StaffRole::Backoffice, [What; 8]),
            (StaffRole::Admin, [Nothing; 8]),
        ];
        assert_eq!(
            DataKind::ALL,
            [
                Profile,
                Appointments,
                Messages,
                Contacts,
                ConfidentialContacts,
                Cases,
                ConfidentialCases,
                Documents
            ]
        );
        for (role, levels) in expected {
            for (kind, level) in DataKind::ALL.into_iter().zip(levels) {
                assert_eq!(staff_level(role, kind), level, "{role:?} × {kind:?}");
            }
            // Whoever sees anything may open the person; whoever sees nothing may not.
            let sees_anything = levels.iter().any(|l| *l > Nothing);
            assert_eq!(
                decide(&staff(role, "m"), Action::Read, DESIREE).allowed(),
                sees_anything,
                "{role:?}"
            );
        }
    }
}
