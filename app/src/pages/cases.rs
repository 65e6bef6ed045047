//! The personal pages about cases: the signed-in part of Overzicht, Zaken (open / closed, filter, sort),
//! Zaak detail with its timeline, and the contact history. All server-rendered; sorting, filtering and the
//! tabs are plain links and a GET form, so they work without JavaScript.

use super::appointments::AppointmentItem;
use super::documents::{upload_texts, DocumentList, DocumentUpload};
use super::{encode, error_notice, SignedOutPage};
use crate::api::{
    contact_subject, get_case, get_cases, get_contacts, ActionItem, CaseDetail, CaseList,
    CaseListItem, CaseMessages, CaseQuery, ContactLine, FormProblem, PersonalOverview,
    TimelineItem, TimelineKind,
};
use crate::i18n::{long_date, tr, tr_args, Lang};
use crate::pages::identity::use_viewer;
use crate::paths::Notice;
use crate::shell::{use_lang, CsrfField};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/zaken/{id}`: the case's opaque id, never its number (which can name the case type), made safe for a path.
fn case_href(id: &str) -> String {
    crate::paths::case(id)
}

/// The "what you need to do" items: the most important thing on the page, so they come first.
#[component]
fn ActionList(lang: Lang, actions: Vec<ActionItem>) -> impl IntoView {
    actions
        .into_iter()
        .map(|action| {
            let deadline = tr_args(
                lang,
                "action-deadline",
                &[("date", &long_date(lang, &action.deadline))],
            );
            let link = tr_args(
                lang,
                "action-open-case",
                &[("number", &action.case_identifier)],
            );
            view! {
                <div class="loket-action">
                    <p class="loket-action__case">{action.case_type_name}</p>
                    <p class="loket-action__text">{action.text}</p>
                    <p class="loket-action__deadline"><strong>{deadline}</strong></p>
                    <a class="utrecht-link" href=case_href(&action.case_id)>{link}</a>
                </div>
            }
        })
        .collect_view()
}

/// A case as a card: type, number, current status, last change, and the "new" badge.
#[component]
fn CaseCard(lang: Lang, case: CaseListItem) -> impl IntoView {
    let status = case
        .status_text
        .unwrap_or_else(|| tr(lang, "case-no-status"));
    let since = tr_args(
        lang,
        "case-since",
        &[("date", &long_date(lang, &case.last_change))],
    );
    let state = if case.closed {
        tr(lang, "case-closed")
    } else {
        tr(lang, "case-open")
    };
    // The number inside the link (hidden) tells same-type links apart; the name still starts with what is seen.
    view! {
        <li class="loket-case">
            <h3 class="loket-case__title">
                <a class="utrecht-link" href=case_href(&case.id)>
                    {case.type_name}
                    <span class="loket-visually-hidden">" " {case.identifier.clone()}</span>
                </a>
            </h3>
            <p class="loket-case__meta">
                <span class="loket-badge">{state}</span>
                {case.new.then(|| view! { " " <span class="loket-badge loket-badge--new">{tr(lang, "case-new")}</span> })}
                " "
                <span>{case.identifier}</span>
            </p>
            <p class="loket-case__status">
                <span class="loket-visually-hidden">{tr(lang, "case-status")} ": "</span>
                {status}
                " "
                <span class="loket-case__since">{since}</span>
            </p>
        </li>
    }
}

/// A contact moment; a confidential one the viewer may not read shows only that contact took place.
#[component]
fn ContactItem(lang: Lang, contact: ContactLine) -> impl IntoView {
    let channel = tr(lang, &format!("channel-{}", contact.channel));
    let when = tr_args(
        lang,
        "timeline-when",
        &[
            ("date", &long_date(lang, &contact.date)),
            ("time", &contact.time),
        ],
    );
    let subject =
        contact_subject(lang, &contact).unwrap_or_else(|| tr(lang, "contact-confidential"));
    view! {
        <li class="loket-moment">
            <p class="loket-moment__when">{when} " · " {tr_args(lang, "case-timeline-contact", &[("name", &channel)])}</p>
            <p class="loket-moment__subject">{subject}</p>
            {contact.text.map(|text| view! { <p class="utrecht-paragraph">{text}</p> })}
            {contact.case_id.zip(contact.case_identifier).map(|(id, number)| view! {
                <p><a class="utrecht-link" href=case_href(&id)>{tr_args(lang, "contact-about-case", &[("number", &number)])}</a></p>
            })}
            <p class="loket-moment__by">{tr_args(lang, "contact-registered-by", &[("name", &contact.registered_by)])}</p>
        </li>
    }
}

/// The signed-in resident's Overzicht: action first, then appointment, open cases, recent contacts.
#[component]
pub fn PersonalSection(lang: Lang, overview: PersonalOverview) -> impl IntoView {
    let actions = if overview.actions.is_empty() {
        view! { <p class="utrecht-paragraph">{tr(lang, "overview-actions-none")}</p> }.into_any()
    } else {
        view! { <ActionList lang actions=overview.actions /> }.into_any()
    };
    let cases = if overview.open_cases.is_empty() {
        view! { <p class="utrecht-paragraph">{tr(lang, "overview-cases-none")}</p> }.into_any()
    } else {
        view! {
            <ul class="loket-case-list">
                {overview.open_cases.into_iter().map(|case| view! { <CaseCard lang case /> }).collect_view()}
            </ul>
        }
        .into_any()
    };
    let contacts = if overview.recent_contacts.is_empty() {
        view! { <p class="utrecht-paragraph">{tr(lang, "overview-contacts-none")}</p> }.into_any()
    } else {
        view! {
            <ul class="loket-moment-list">
                {overview.recent_contacts.into_iter().map(|contact| view! { <ContactItem lang contact /> }).collect_view()}
            </ul>
        }
        .into_any()
    };
    let all_cases = tr_args(
        lang,
        "overview-cases-all",
        &[("count", &overview.open_case_count.to_string())],
    );
    let closed = use_viewer().signed_in.and_then(|s| s.records_closed);
    let head = view! {
        {overview.acting_for.map(|organisation| view! {
            <p class="loket-notice">{tr_args(lang, "overview-acting-for", &[("organisation", &organisation)])}</p>
        })}
        {overview.unreachable.into_iter().map(|label| view! {
            <p class="loket-notice" role="status">
                {tr_args(lang, "messages-unreachable", &[("label", &label)])}" "
                <a href=crate::paths::MESSAGE_SETTINGS>{tr(lang, "messages-check")}</a>
            </p>
        }).collect_view()}
    };
    let appointment = view! {
        <section class="loket-card" aria-labelledby="appointment-title">
            <h2 id="appointment-title" class="utrecht-heading-2">{tr(lang, "overview-appointment-title")}</h2>
            {match overview.next_appointment {
                Some(line) => view! { <ul class="loket-case-list"><AppointmentItem lang line /></ul> }.into_any(),
                None => view! { <p class="utrecht-paragraph">{tr(lang, "overview-appointment-none")}</p> }.into_any(),
            }}
            <p><a class="utrecht-link" href=crate::paths::APPOINTMENTS>{tr(lang, "overview-appointments-all")}</a></p>
        </section>
    };
    // A session that does not open her records: her appointment, and what opens the rest.
    if let Some(closed) = closed {
        return view! {
            {head}
            <super::RecordsClosedCard lang closed />
            {appointment}
        }
        .into_any();
    }
    view! {
        {head}
        <section class="loket-card loket-card--action" aria-labelledby="actions-title">
            <h2 id="actions-title" class="utrecht-heading-2">{tr(lang, "overview-actions-title")}</h2>
            {actions}
        </section>
        {appointment}
        <section class="loket-card" aria-labelledby="open-cases-title">
            <h2 id="open-cases-title" class="utrecht-heading-2">{tr(lang, "overview-cases-title")}</h2>
            {cases}
            <p><a class="utrecht-link" href=crate::paths::CASES>{all_cases}</a></p>
        </section>
        <section class="loket-card" aria-labelledby="contacts-title">
            <h2 id="contacts-title" class="utrecht-heading-2">{tr(lang, "overview-contacts-title")}</h2>
            {contacts}
            <p><a class="utrecht-link" href=crate::paths::CONTACTS>{tr(lang, "overview-contacts-all")}</a></p>
        </section>
    }
    .into_any()
}

/// The Zaken page's state, read from the query string (`status`, `sorteer`, `richting`, `zoek`).
fn case_query() -> CaseQuery {
    let query = use_query_map().get_untracked();
    CaseQuery {
        closed: query.get("status").as_deref() == Some("afgerond"),
        sort: query.get("sorteer").unwrap_or_default(),
        descending: match query.get("richting").as_deref() {
            Some("af") => Some(true),
            Some("op") => Some(false),
            _ => None,
        },
        filter: query
            .get("zoek")
            .unwrap_or_default()
            .chars()
            .take(100)
            .collect(),
    }
}

/// The link that shows `query` (tabs, sort headers, clearing the filter).
fn cases_href(query: &CaseQuery) -> String {
    let mut parts = Vec::new();
    if query.closed {
        parts.push(String::from("status=afgerond"));
    }
    if !query.sort.is_empty() {
        parts.push(format!("sorteer={}", encode(&query.sort)));
    }
    match query.descending {
        Some(true) => parts.push(String::from("richting=af")),
        Some(false) => parts.push(String::from("richting=op")),
        None => {}
    }
    if !query.filter.is_empty() {
        parts.push(format!("zoek={}", encode(&query.filter)));
    }
    if parts.is_empty() {
        String::from("/zaken")
    } else {
        format!("/zaken?{}", parts.join("&"))
    }
}

#[component]
pub fn CasesPage() -> impl IntoView {
    let lang = use_lang();
    if use_viewer().signed_in.is_none() {
        return view! { <SignedOutPage title_key="cases-title" text_key="cases-signed-out" /> }
            .into_any();
    }
    if let Some(page) = super::records_closed_page("cases-title") {
        return page;
    }
    let query = case_query();
    let list = Resource::new_blocking(
        {
            let query = query.clone();
            move || query.clone()
        },
        get_cases,
    );
    view! {
        <Title text=tr(lang, "cases-title") />
        <h1 class="utrecht-heading-1">{tr(lang, "cases-title")}</h1>
        <Suspense fallback=|| ()>
            {move || {
                let query = query.clone();
                list.get().map(move |result| match result {
                    Ok(list) => view! { <CaseListView lang list query /> }.into_any(),
                    Err(error) => error_notice(lang, &error),
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
fn CaseListView(lang: Lang, list: CaseList, query: CaseQuery) -> impl IntoView {
    let intro = match &list.acting_for {
        Some(organisation) => tr_args(
            lang,
            "cases-intro-organisation",
            &[("organisation", organisation)],
        ),
        None => tr(lang, "cases-intro"),
    };
    let tab = |closed: bool, key: &'static str, count: usize| {
        let target = CaseQuery {
            closed,
            ..CaseQuery::default()
        };
        let current = (query.closed == closed).then_some("page");
        view! {
            <li>
                <a class="loket-tab" href=cases_href(&target) aria-current=current>
                    {tr_args(lang, key, &[("count", &count.to_string())])}
                </a>
            </li>
        }
    };
    let empty_key = if !query.filter.is_empty() {
        "cases-none-found"
    } else if query.closed {
        "cases-none-closed"
    } else {
        "cases-none-open"
    };
    let cleared = CaseQuery {
        filter: String::new(),
        ..query.clone()
    };
    let body = if list.cases.is_empty() {
        view! { <p class="utrecht-paragraph">{tr(lang, empty_key)}</p> }.into_any()
    } else {
        view! { <CaseTable lang cases=list.cases query=query.clone() /> }.into_any()
    };
    view! {
        <p class="utrecht-paragraph loket-lead">{intro}</p>
        <nav aria-label=tr(lang, "cases-tabs")>
            <ul class="loket-tabs">
                {tab(false, "cases-tab-open", list.open_count)}
                {tab(true, "cases-tab-closed", list.closed_count)}
            </ul>
        </nav>
        <form class="loket-filter" method="get" action=crate::paths::CASES role="search">
            {query.closed.then(|| view! { <input type="hidden" name="status" value="afgerond" /> })}
            {(!query.sort.is_empty()).then(|| view! { <input type="hidden" name="sorteer" value=query.sort.clone() /> })}
            {query.descending.map(|d| view! { <input type="hidden" name="richting" value=if d { "af" } else { "op" } /> })}
            <label class="utrecht-form-label" for="zoek">{tr(lang, "cases-filter-label")}</label>
            <p class="utrecht-form-field-description" id="zoek-hint">{tr(lang, "cases-filter-hint")}</p>
            <div class="loket-filter__row">
                <input class="utrecht-textbox" type="search" id="zoek" name="zoek" value=query.filter.clone()
                    aria-describedby="zoek-hint" maxlength="100" />
                <button class="utrecht-button utrecht-button--secondary-action" type="submit">{tr(lang, "cases-filter-submit")}</button>
            </div>
            {(!query.filter.is_empty()).then(|| view! {
                <a class="utrecht-link" href=cases_href(&cleared)>{tr(lang, "cases-filter-clear")}</a>
            })}
        </form>
        {body}
    }
}

/// The case list as a table: sortable by its column headers (links), and stacked as cards on a phone.
#[component]
fn CaseTable(lang: Lang, cases: Vec<CaseListItem>, query: CaseQuery) -> impl IntoView {
    let default_sort = !matches!(query.sort.as_str(), "start" | "soort" | "nummer");
    let header = |key: &'static str, label_key: &'static str| {
        let active = query.sort == key || (key == "wijziging" && default_sort);
        let descending = query.descending.unwrap_or(key == "wijziging");
        let sort = active.then_some(if descending {
            "descending"
        } else {
            "ascending"
        });
        // A click on the sorted column turns the order around; another column starts in its natural order.
        let target = CaseQuery {
            sort: key.to_owned(),
            descending: active.then_some(!descending),
            ..query.clone()
        };
        let label = tr(lang, label_key);
        let hint = tr_args(lang, "cases-sort-by", &[("name", &label)]);
        view! {
            <th scope="col" aria-sort=sort>
                <a class="loket-sort" href=cases_href(&target) title=hint>{label}</a>
            </th>
        }
    };
    let rows = cases
        .into_iter()
        .map(|case| {
            let status = case.status_text.unwrap_or_else(|| tr(lang, "case-no-status"));
            view! {
                <tr>
                    <td data-label=tr(lang, "case-type")>
                        <a class="utrecht-link" href=case_href(&case.id)>
                            {case.type_name}
                            <span class="loket-visually-hidden">" " {case.identifier.clone()}</span>
                        </a>
                        {case.new.then(|| view! { " " <span class="loket-badge loket-badge--new">{tr(lang, "case-new")}</span> })}
                        <span class="loket-table__description">{case.description}</span>
                    </td>
                    <td data-label=tr(lang, "case-number")>{case.identifier}</td>
                    <td data-label=tr(lang, "case-status")>{status}</td>
                    <td data-label=tr(lang, "case-last-change")>{long_date(lang, &case.last_change)}</td>
                    <td data-label=tr(lang, "case-start")>{long_date(lang, &case.start_date)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="loket-table">
            <caption class="loket-visually-hidden">{tr(lang, "cases-table-caption")}</caption>
            <thead>
                <tr>
                    {header("soort", "case-type")}
                    {header("nummer", "case-number")}
                    <th scope="col">{tr(lang, "case-status")}</th>
                    {header("wijziging", "case-last-change")}
                    {header("start", "case-start")}
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[component]
pub fn CasePage() -> impl IntoView {
    let lang = use_lang();
    if use_viewer().signed_in.is_none() {
        return view! { <SignedOutPage title_key="cases-title" text_key="cases-signed-out" /> }
            .into_any();
    }
    if let Some(page) = super::records_closed_page("cases-title") {
        return page;
    }
    let id = use_params_map()
        .get_untracked()
        .get("id")
        .unwrap_or_default();
    let case = Resource::new_blocking(move || id.clone(), get_case);
    view! {
        <Suspense fallback=|| ()>
            {move || case.get().map(|result| match result {
                Ok(Some(detail)) => view! { <CaseDetailView lang detail /> }.into_any(),
                Ok(None) => view! { <CaseNotFound lang /> }.into_any(),
                Err(error) => error_notice(lang, &error),
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn CaseNotFound(lang: Lang) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=tr(lang, "case-not-found-title") />
        <h1 class="utrecht-heading-1">{tr(lang, "case-not-found-title")}</h1>
        <p class="utrecht-paragraph">{tr(lang, "case-not-found-text")}</p>
        <a class="utrecht-button-link utrecht-button-link--primary-action" href=crate::paths::CASES>{tr(lang, "case-detail-back")}</a>
    }
}

/// "Berichten over deze zaak": send everything about this case to one of the reader's confirmed addresses.
#[component]
fn CaseMessagesForm(lang: Lang, case_id: String, messages: CaseMessages) -> impl IntoView {
    let saved = super::notice() == Some(Notice::CaseMessages);
    let problem =
        use_context::<FormProblem>().filter(|p| p.form == crate::paths::FormId::CaseMessages);
    let action = format!("{}/berichten", case_href(&case_id));
    let body = if messages.addresses.is_empty() {
        view! {
            <p class="utrecht-paragraph">
                {tr(lang, "case-messages-none")}" "
                <a class="utrecht-link" href=crate::paths::MESSAGE_SETTINGS>{tr(lang, "messages-link")}</a>
            </p>
        }
        .into_any()
    } else {
        let chosen = messages.chosen.clone().unwrap_or_default();
        let options = messages
            .addresses
            .iter()
            .map(|(id, label)| {
                view! { <option value=id.clone() selected=*id == chosen>{label.clone()}</option> }
            })
            .collect_view();
        view! {
            <form method="post" action=action>
                <div class="utrecht-form-field">
                    <label class="utrecht-form-label" for="case-address">{tr(lang, "case-messages-label")}</label>
                    {problem.clone().map(|p| view! { <p class="utrecht-form-field-error-message" id="case-address-error">{p.message}</p> })}
                    <select class="utrecht-select" id="case-address" name="address"
                        aria-describedby=problem.is_some().then_some("case-address-error")
                        aria-invalid=problem.is_some().then_some("true")>
                        <option value="" selected=chosen.is_empty()>{tr(lang, "case-messages-default")}</option>
                        {options}
                    </select>
                </div>
                <CsrfField />
                <button class="utrecht-button utrecht-button--secondary-action" type="submit">{tr(lang, "case-messages-save")}</button>
            </form>
        }
        .into_any()
    };
    view! {
        <section class="loket-card" aria-labelledby="case-messages-title">
            <h2 id="case-messages-title" class="utrecht-heading-2">{tr(lang, "case-messages-title")}</h2>
            {saved.then(|| view! { <p class="loket-notice" role="status">{tr(lang, "case-messages-saved")}</p> })}
            <p class="utrecht-paragraph">{tr(lang, "case-messages-text")}</p>
            {body}
        </section>
    }
}

fn timeline_title(lang: Lang, item: &TimelineItem) -> String {
    match item.kind {
        TimelineKind::Started => tr(lang, "case-timeline-started"),
        TimelineKind::Result => tr(lang, "case-timeline-result"),
        TimelineKind::Contact if item.title.is_empty() => tr(lang, "contact-confidential"),
        TimelineKind::Status | TimelineKind::Contact => item.title.clone(),
        TimelineKind::Message => tr_args(lang, "case-timeline-message", &[("label", &item.title)]),
    }
}

#[component]
fn CaseDetailView(lang: Lang, detail: CaseDetail) -> impl IntoView {
    let status = detail
        .status_text
        .clone()
        .unwrap_or_else(|| tr(lang, "case-no-status"));
    let state = if detail.closed {
        tr(lang, "case-closed")
    } else {
        tr(lang, "case-open")
    };
    let timeline = detail
        .timeline
        .iter()
        .map(|item| {
            let when = tr_args(
                lang,
                "timeline-when",
                &[("date", &long_date(lang, &item.date)), ("time", &item.time)],
            );
            let kind = match item.kind {
                TimelineKind::Started => "started",
                TimelineKind::Status => "status",
                TimelineKind::Contact => "contact",
                TimelineKind::Result => "result",
                TimelineKind::Message => "message",
            };
            let extra = match item.kind {
                TimelineKind::Result => Some(item.title.clone()),
                TimelineKind::Message => item
                    .text
                    .as_ref()
                    .map(|status| tr(lang, &format!("messages-status-{status}"))),
                _ => item.text.clone(),
            };
            view! {
                <li class=format!("loket-timeline__item loket-timeline__item--{kind}")>
                    <p class="loket-timeline__when">{when}</p>
                    <p class="loket-timeline__title">{timeline_title(lang, item)}</p>
                    {extra.map(|text| view! { <p class="utrecht-paragraph">{text}</p> })}
                </li>
            }
        })
        .collect_view();
    let next = (!detail.closed).then(|| {
        let next_text = detail.next_step.clone();
        let planned = detail.planned_end_date.clone();
        view! {
            <section class="loket-card" aria-labelledby="next-title">
                <h2 id="next-title" class="utrecht-heading-2">{tr(lang, "case-next-title")}</h2>
                {next_text.map(|text| view! { <p class="utrecht-paragraph">{text}</p> })}
                {planned.map(|date| view! {
                    <p class="utrecht-paragraph">{tr_args(lang, "case-planned-end", &[("date", &long_date(lang, &date))])}</p>
                })}
            </section>
        }
    });
    view! {
        <Title text=format!("{} {}", detail.type_name, detail.identifier) />
        <p><a class="utrecht-link" href=crate::paths::CASES>{tr(lang, "case-detail-back")}</a></p>
        <h1 class="utrecht-heading-1">{detail.type_name.clone()}</h1>
        <p class="loket-case__meta">
            <span class="loket-badge">{state}</span>
            " "
            <span>{tr(lang, "case-number")} ": " {detail.identifier.clone()}</span>
        </p>
        <p class="utrecht-paragraph loket-lead">{detail.description.clone()}</p>
        {detail.action.clone().map(|action| view! {
            <section class="loket-card loket-card--action" aria-labelledby="case-action-title">
                <h2 id="case-action-title" class="utrecht-heading-2">{tr(lang, "case-action-title")}</h2>
                <p class="loket-action__text">{action.text}</p>
                <p class="loket-action__deadline">
                    <strong>{tr_args(lang, "action-deadline", &[("date", &long_date(lang, &action.deadline))])}</strong>
                </p>
                {detail.uploads_allowed.then(|| view! { <p class="utrecht-paragraph">{tr(lang, "case-uploads")}</p> })}
            </section>
        })}
        <section class="loket-card" aria-labelledby="status-title">
            <h2 id="status-title" class="utrecht-heading-2">{tr(lang, "case-status-title")}</h2>
            <p class="loket-case__status">{status}</p>
            {detail.result.clone().map(|result| view! {
                <h3 class="utrecht-heading-3">{tr(lang, "case-result-title")}</h3>
                <p class="utrecht-paragraph">{result}</p>
                {detail.result_explanation.clone().map(|text| view! { <p class="utrecht-paragraph">{text}</p> })}
            })}
        </section>
        {next}
        {(detail.uploads_open || !detail.documents.is_empty()).then(|| view! {
            <CaseDocuments lang detail=detail.clone() />
        })}
        <section class="loket-card" aria-labelledby="timeline-title">
            <h2 id="timeline-title" class="utrecht-heading-2">{tr(lang, "case-timeline-title")}</h2>
            <ol class="loket-timeline">{timeline}</ol>
        </section>
        {detail.messages.clone().map(|messages| view! {
            <CaseMessagesForm lang case_id=detail.id.clone() messages />
        })}
    }
}

/// Documenten voor deze zaak: what she sent for it, and (while the case takes them) the camera and files.
#[component]
fn CaseDocuments(lang: Lang, detail: CaseDetail) -> impl IntoView {
    let notice = super::notice().and_then(|done| match done {
        Notice::DocumentSent => Some("documents-done-sent"),
        Notice::DocumentRemoved => Some("documents-done-removed"),
        _ => None,
    });
    let page = case_href(&detail.id);
    view! {
        <section class="loket-card" id="documenten" aria-labelledby="case-documents">
            <h2 id="case-documents" class="utrecht-heading-2">{tr(lang, "documents-case-title")}</h2>
            {notice.map(|key| view! { <p class="loket-notice" role="status">{tr(lang, key)}</p> })}
            {if detail.documents.is_empty() {
                view! { <p class="utrecht-paragraph">{tr(lang, "documents-appointment-none")}</p> }.into_any()
            } else {
                view! { <DocumentList lang documents=detail.documents.clone() removable=detail.documents_removable /> }.into_any()
            }}
            {detail.uploads_open.then(|| view! {
                <p class="utrecht-paragraph">{tr(lang, "documents-case-intro")}</p>
                <DocumentUpload start=format!("{page}/documenten") done=format!("{}#documenten", Notice::DocumentSent.on(&page))
                    titles=Vec::new() max_bytes=detail.upload_max_bytes texts=upload_texts(lang, detail.upload_max_bytes) />
            })}
        </section>
    }
}

/// Contactmomenten: the viewer's contact history.
#[component]
pub fn ContactsPage() -> impl IntoView {
    let lang = use_lang();
    if use_viewer().signed_in.is_none() {
        return view! { <SignedOutPage title_key="contacts-title" text_key="contacts-signed-out" /> }.into_any();
    }
    if let Some(page) = super::records_closed_page("contacts-title") {
        return page;
    }
    let contacts = Resource::new_blocking(|| (), |_| get_contacts());
    view! {
        <Title text=tr(lang, "contacts-title") />
        <h1 class="utrecht-heading-1">{tr(lang, "contacts-title")}</h1>
        <p class="utrecht-paragraph loket-lead">{tr(lang, "contacts-intro")}</p>
        <Suspense fallback=|| ()>
            {move || contacts.get().map(|result| match result {
                Ok(lines) if lines.is_empty() => view! { <p class="utrecht-paragraph">{tr(lang, "contacts-none")}</p> }.into_any(),
                Ok(lines) => view! {
                    <ul class="loket-moment-list">
                        {lines.into_iter().map(|contact| view! { <ContactItem lang contact /> }).collect_view()}
                    </ul>
                }.into_any(),
                Err(error) => error_notice(lang, &error),
            })}
        </Suspense>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_links_and_queries_are_percent_encoded() {
        assert_eq!(
            case_href("demo-voorbeeld-zaak-1"),
            "/zaken/demo-voorbeeld-zaak-1"
        );
        assert_eq!(case_href("a/b c"), "/zaken/a%2Fb%20c");
        let query = CaseQuery {
            closed: true,
            sort: "start".into(),
            descending: Some(true),
            filter: "bijstand & meer".into(),
        };
        assert_eq!(
            cases_href(&query),
            "/zaken?status=afgerond&sorteer=start&richting=af&zoek=bijstand%20%26%20meer"
        );
        assert_eq!(cases_href(&CaseQuery::default()), "/zaken");
    }
}
