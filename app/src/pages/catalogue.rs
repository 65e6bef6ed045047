//! `/beheer/afspraken`: the administrators' appointment catalogue. The overview lists services, locations and
//! agendas (desks, consultants); each has an edit page with one plain form (works without JavaScript). A
//! refused form comes back with a summary of every problem, each linking to its field, and what was typed.

use super::admin::not_an_administrator;
use super::{encode, error_notice, NotFoundPage};
use crate::api::{
    first_value, get_catalogue_admin, CatalogueAdmin, CatalogueItem, CatalogueKind as Kind,
    FormProblems,
};
use crate::i18n::{tr, tr_args, weekday_name, Lang};
use crate::paths::Notice;
use crate::shell::{use_lang, CsrfField};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

const PAGE: &str = "/beheer/afspraken";
const RESIDENT_FIELDS: [&str; 4] = ["phone", "email", "birth-date", "postal-address"];
const REMINDERS: [&str; 4] = ["evening-before", "morning", "2h", "1h"];
const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// What each kind of item brings to its pages besides its form and path segment.
impl Kind {
    fn new_key(self) -> &'static str {
        match self {
            Kind::Service => "catalogue-new-service",
            Kind::Location => "catalogue-new-location",
            Kind::Resource => "catalogue-new-resource",
        }
    }

    fn items(self, catalogue: &CatalogueAdmin) -> &[CatalogueItem] {
        match self {
            Kind::Service => &catalogue.services,
            Kind::Location => &catalogue.locations,
            Kind::Resource => &catalogue.resources,
        }
    }

    /// What a new item starts with.
    fn defaults(self) -> Vec<(String, String)> {
        let pairs: &[(&str, &str)] = match self {
            Kind::Service => &[
                ("duration_min", "15"),
                ("min_notice_min", "60"),
                ("horizon_days", "60"),
                ("buffer_before_min", "0"),
                ("buffer_after_min", "0"),
                ("reminders", "evening-before"),
                ("reminders", "2h"),
                ("resident_bookable", "1"),
            ],
            Kind::Location => &[],
            Kind::Resource => &[("seats", "1"), ("contact_centre_seats", "0")],
        };
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }
}

/// `/beheer/afspraken`: the three lists, each with a link to add one.
#[component]
pub fn AdminCataloguePage() -> impl IntoView {
    let lang = use_lang();
    if let Some(refusal) = not_an_administrator(lang, "catalogue-title") {
        return refusal;
    }
    let catalogue = Resource::new_blocking(|| (), |_| get_catalogue_admin());
    let saved = super::notice()
        .filter(|done| [Notice::Services, Notice::Locations, Notice::Agendas].contains(done))
        .map(Notice::as_str);
    view! {
        <Title text=tr(lang, "catalogue-title") />
        <h1 class="utrecht-heading-1">{tr(lang, "catalogue-title")}</h1>
        <p class="utrecht-paragraph loket-lead">{tr(lang, "catalogue-intro")}</p>
        {saved.map(|kind| view! { <p class="loket-notice" role="status">{tr(lang, &format!("catalogue-saved-{kind}"))}</p> })}
        <Suspense fallback=|| ()>
            {move || catalogue.get().map(|result| match result {
                Ok(Some(catalogue)) => view! { <Lists lang catalogue /> }.into_any(),
                Ok(None) => view! { <p class="utrecht-paragraph">{tr(lang, "admin-only")}</p> }.into_any(),
                Err(error) => error_notice(lang, &error),
            })}
        </Suspense>
        <p class="utrecht-paragraph"><a class="utrecht-link" href=crate::paths::ADMIN_STAFF>{tr(lang, "admin-staff-title")}</a></p>
    }
    .into_any()
}

#[component]
fn Lists(lang: Lang, catalogue: CatalogueAdmin) -> impl IntoView {
    let location_name = |id: &str| {
        catalogue
            .locations
            .iter()
            .find(|l| l.id == id)
            .map_or_else(|| id.to_owned(), |l| l.name.clone())
    };
    let meta = |kind: Kind, item: &CatalogueItem| -> String {
        match kind {
            Kind::Service => {
                let who = if item.value("resident_bookable").is_empty() {
                    "catalogue-staff-only"
                } else {
                    "catalogue-self-bookable"
                };
                format!(
                    "{} · {}",
                    tr_args(
                        lang,
                        "catalogue-minutes",
                        &[("minutes", &item.value("duration_min"))]
                    ),
                    tr(lang, who)
                )
            }
            Kind::Location => format!(
                "{}, {} {}",
                item.value("street"),
                item.value("postcode"),
                item.value("city")
            ),
            Kind::Resource => format!(
                "{} · {}",
                location_name(&item.value("location")),
                tr_args(lang, "catalogue-seats", &[("count", &item.value("seats"))])
            ),
        }
    };
    [
        (Kind::Service, "catalogue-services"),
        (Kind::Location, "catalogue-locations"),
        (Kind::Resource, "catalogue-resources"),
    ]
    .into_iter()
    .map(|(kind, title)| {
        let heading = format!("catalogue-{}", kind.segment());
        let items = kind.items(&catalogue);
        let list = if items.is_empty() {
            view! { <p class="utrecht-paragraph">{tr(lang, "catalogue-none")}</p> }.into_any()
        } else {
            view! {
                <ul class="loket-case-list">
                    {items.iter().map(|item| view! {
                        <li class="loket-case">
                            <h3 class="loket-case__title">
                                <a class="utrecht-link" href=format!("{PAGE}/{}/{}", kind.segment(), encode(&item.id))>{item.name.clone()}</a>
                            </h3>
                            <p class="loket-case__meta">{meta(kind, item)}</p>
                        </li>
                    }).collect_view()}
                </ul>
            }
            .into_any()
        };
        let labelled_by = heading.clone();
        view! {
            <section class="loket-card" aria-labelledby=labelled_by>
                <h2 class="utrecht-heading-2" id=heading>{tr(lang, title)}</h2>
                {list}
                <p class="utrecht-paragraph">
                    <a class="utrecht-link" href=format!("{PAGE}/{}/nieuw", kind.segment())>{tr(lang, kind.new_key())}</a>
                </p>
            </section>
        }
    })
    .collect_view()
}

#[component]
pub fn AdminServicePage() -> impl IntoView {
    view! { <Editor kind=Kind::Service /> }
}

#[component]
pub fn AdminLocationPage() -> impl IntoView {
    view! { <Editor kind=Kind::Location /> }
}

#[component]
pub fn AdminResourcePage() -> impl IntoView {
    view! { <Editor kind=Kind::Resource /> }
}

/// The edit page of one item (`…/nieuw` for a new one).
#[component]
fn Editor(kind: Kind) -> impl IntoView {
    let lang = use_lang();
    let title_key = kind.new_key();
    if let Some(refusal) = not_an_administrator(lang, title_key) {
        return refusal;
    }
    let id = use_params_map()
        .get_untracked()
        .get("id")
        .unwrap_or_default();
    let catalogue = Resource::new_blocking(|| (), |_| get_catalogue_admin());
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let id = id.clone();
                catalogue.get().map(move |result| match result {
                    Ok(Some(catalogue)) => {
                        let creating = id == "nieuw";
                        let item = kind.items(&catalogue).iter().find(|item| item.id == id).cloned();
                        if !creating && item.is_none() {
                            return view! { <NotFoundPage /> }.into_any();
                        }
                        view! { <EditForm lang kind item catalogue /> }.into_any()
                    }
                    Ok(None) => view! { <p class="utrecht-paragraph">{tr(lang, "admin-only")}</p> }.into_any(),
                    Err(error) => error_notice(lang, &error),
                })
            }}
        </Suspense>
    }
    .into_any()
}

/// The form's values (what was typed after a refusal, else the item's) and its problems.
#[derive(Clone)]
struct Form {
    values: Vec<(String, String)>,
    problems: Vec<(String, String)>,
}

impl Form {
    fn value(&self, name: &str) -> String {
        first_value(&self.values, name)
    }

    fn has(&self, name: &str, value: &str) -> bool {
        self.values.iter().any(|(k, v)| k == name && v == value)
    }

    fn error(&self, name: &str) -> Option<String> {
        let messages: Vec<&str> = self
            .problems
            .iter()
            .filter(|(field, _)| field == name)
            .map(|(_, message)| message.as_str())
            .collect();
        (!messages.is_empty()).then(|| messages.join(" "))
    }
}

/// How a text field is typed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Input {
    Text,
    Number,
    Url,
    Area,
}

/// A labelled field with its hint and error, described by both.
fn text_field(
    lang: Lang,
    form: &Form,
    name: &'static str,
    label: &'static str,
    hint: Option<&'static str>,
    input: Input,
) -> AnyView {
    let id = format!("f-{name}");
    let error = form.error(name);
    let hint_id = hint.map(|_| format!("{id}-hint"));
    let error_id = error.as_ref().map(|_| format!("{id}-error"));
    let described: Vec<String> = hint_id.iter().chain(error_id.iter()).cloned().collect();
    let described = (!described.is_empty()).then(|| described.join(" "));
    let invalid = error.is_some().then_some("true");
    let value = form.value(name);
    let control = match input {
        Input::Area => view! {
            <textarea class="utrecht-textarea" id=id.clone() name=name rows="4"
                aria-describedby=described aria-invalid=invalid>{super::textarea_text(&value)}</textarea>
        }
        .into_any(),
        other => {
            let (kind, mode) = match other {
                Input::Number => ("text", Some("numeric")),
                Input::Url => ("url", None),
                _ => ("text", None),
            };
            view! {
                <input class="utrecht-textbox" id=id.clone() name=name type=kind inputmode=mode value=value
                    aria-describedby=described aria-invalid=invalid />
            }
            .into_any()
        }
    };
    view! {
        <div class="utrecht-form-field">
            <label class="utrecht-form-label" for=id.clone()>{tr(lang, label)}</label>
            {hint.map(|key| view! { <p class="utrecht-form-field-description" id=format!("{id}-hint")>{tr(lang, key)}</p> })}
            {error.map(|message| view! { <p class="utrecht-form-field-error-message" id=format!("{id}-error")>{message}</p> })}
            {control}
        </div>
    }
    .into_any()
}

/// One checkbox (`value="1"`) with its label text.
fn check(form: &Form, name: &'static str, label: String) -> AnyView {
    let id = format!("f-{name}");
    view! {
        <div class="utrecht-form-field utrecht-form-field--checkbox">
            <input class="utrecht-checkbox" type="checkbox" id=id.clone() name=name value="1" checked=form.has(name, "1") />
            <label class="utrecht-form-label utrecht-form-label--checkbox" for=id>{label}</label>
        </div>
    }
    .into_any()
}

/// A group of checkboxes sharing `name`, each with its own label text.
fn checks(
    lang: Lang,
    form: &Form,
    name: &'static str,
    legend: &'static str,
    options: Vec<(String, String)>,
) -> AnyView {
    let error = form.error(name);
    let error_id = format!("f-{name}-error");
    let described = error.as_ref().map(|_| error_id.clone());
    view! {
        <fieldset class="utrecht-form-fieldset" id=format!("f-{name}") aria-describedby=described>
            <legend class="utrecht-form-fieldset__legend">{tr(lang, legend)}</legend>
            {error.map(|message| view! { <p class="utrecht-form-field-error-message" id=error_id.clone()>{message}</p> })}
            {options.into_iter().map(|(value, label)| {
                let id = format!("f-{name}-{value}");
                view! {
                    <div class="utrecht-form-field utrecht-form-field--checkbox">
                        <input class="utrecht-checkbox" type="checkbox" id=id.clone() name=name value=value.clone()
                            checked=form.has(name, &value) />
                        <label class="utrecht-form-label utrecht-form-label--checkbox" for=id>{label}</label>
                    </div>
                }
            }).collect_view()}
        </fieldset>
    }
    .into_any()
}

#[component]
fn EditForm(
    lang: Lang,
    kind: Kind,
    item: Option<CatalogueItem>,
    catalogue: CatalogueAdmin,
) -> impl IntoView {
    let problems =
        use_context::<FormProblems>().filter(|p| p.form == crate::paths::FormId::Catalogue(kind));
    let form = match (&problems, &item) {
        (Some(p), _) => Form {
            values: p.values.clone(),
            problems: p.problems.clone(),
        },
        (None, Some(item)) => Form {
            values: item.values.clone(),
            problems: Vec::new(),
        },
        (None, None) => Form {
            values: kind.defaults(),
            problems: Vec::new(),
        },
    };
    let title = match &item {
        Some(item) => tr_args(lang, "catalogue-edit-title", &[("name", &item.name)]),
        None => tr(lang, kind.new_key()),
    };
    let summary = (!form.problems.is_empty()).then(|| {
        view! {
            <div class="loket-notice" role="alert">
                <h2 class="utrecht-heading-2">{tr(lang, "catalogue-check")}</h2>
                <ul>
                    {form.problems.iter().map(|(field, message)| view! {
                        <li><a class="utrecht-link" href=format!("#f-{field}")>{message.clone()}</a></li>
                    }).collect_view()}
                </ul>
            </div>
        }
    });
    let identity = match &item {
        Some(item) => view! {
            <p class="utrecht-paragraph">{tr(lang, "catalogue-id")}": "<code>{item.id.clone()}</code></p>
            <input type="hidden" name="id" value=item.id.clone() />
        }
        .into_any(),
        None => view! {
            {text_field(lang, &form, "id", "catalogue-id", Some("catalogue-id-hint"), Input::Text)}
            <input type="hidden" name="new" value="1" />
        }
        .into_any(),
    };
    let fields = match kind {
        Kind::Service => service_fields(lang, &form),
        Kind::Location => location_fields(lang, &form),
        Kind::Resource => resource_fields(lang, &form, &catalogue),
    };
    view! {
        <Title text=title.clone() />
        <h1 class="utrecht-heading-1">{title}</h1>
        {summary}
        <form method="post" action=format!("{PAGE}/{}", kind.segment())>
            {identity}
            {fields}
            <CsrfField />
            <button class="utrecht-button utrecht-button--primary-action" type="submit">{tr(lang, "catalogue-save")}</button>
        </form>
        <p class="utrecht-paragraph"><a class="utrecht-link" href=PAGE>{tr(lang, "catalogue-back")}</a></p>
    }
}

fn service_fields(lang: Lang, form: &Form) -> AnyView {
    let fields = RESIDENT_FIELDS
        .iter()
        .map(|f| ((*f).to_owned(), tr(lang, &format!("booking-detail-{f}"))))
        .collect();
    let reminders = REMINDERS
        .iter()
        .map(|r| ((*r).to_owned(), tr(lang, &format!("reminder-{r}"))))
        .collect();
    view! {
        {text_field(lang, form, "name", "catalogue-name", None, Input::Text)}
        {text_field(lang, form, "name_en", "catalogue-name-en", None, Input::Text)}
        {text_field(lang, form, "duration_min", "catalogue-duration", None, Input::Number)}
        {check(form, "resident_bookable", tr(lang, "catalogue-resident-bookable"))}
        {check(form, "account_required", tr(lang, "catalogue-account-required"))}
        {text_field(lang, form, "bring", "catalogue-bring", Some("catalogue-bring-hint"), Input::Area)}
        {text_field(lang, form, "tips", "catalogue-tips", None, Input::Area)}
        {text_field(lang, form, "tips_en", "catalogue-tips-en", None, Input::Area)}
        {checks(lang, form, "required_fields", "catalogue-fields", fields)}
        {text_field(lang, form, "min_notice_min", "catalogue-notice", None, Input::Number)}
        {text_field(lang, form, "horizon_days", "catalogue-horizon", None, Input::Number)}
        {text_field(lang, form, "buffer_before_min", "catalogue-buffer-before", None, Input::Number)}
        {text_field(lang, form, "buffer_after_min", "catalogue-buffer-after", None, Input::Number)}
        {checks(lang, form, "reminders", "catalogue-reminders", reminders)}
    }
    .into_any()
}

fn location_fields(lang: Lang, form: &Form) -> AnyView {
    let access = ["wheelchair", "hearing_loop", "quiet_room"]
        .into_iter()
        .map(|name| {
            check(
                form,
                name,
                tr(lang, &format!("place-{}", name.replace('_', "-"))),
            )
        })
        .collect_view();
    view! {
        {text_field(lang, form, "name", "catalogue-location-name", None, Input::Text)}
        {text_field(lang, form, "street", "catalogue-street", None, Input::Text)}
        {text_field(lang, form, "postcode", "booking-detail-postcode", Some("booking-detail-postcode-hint"), Input::Text)}
        {text_field(lang, form, "city", "catalogue-city", None, Input::Text)}
        {text_field(lang, form, "route", "catalogue-route", Some("catalogue-route-hint"), Input::Area)}
        <fieldset class="utrecht-form-fieldset">
            <legend class="utrecht-form-fieldset__legend">{tr(lang, "catalogue-access")}</legend>
            {access}
        </fieldset>
        {text_field(lang, form, "map_url", "catalogue-map", Some("catalogue-map-hint"), Input::Url)}
    }
    .into_any()
}

fn resource_fields(lang: Lang, form: &Form, catalogue: &CatalogueAdmin) -> AnyView {
    let chosen = form.value("location");
    let location_error = form.error("location");
    let locations = catalogue
        .locations
        .iter()
        .map(|l| view! { <option value=l.id.clone() selected=chosen == l.id>{l.name.clone()}</option> })
        .collect_view();
    let services = catalogue
        .services
        .iter()
        .map(|s| (s.id.clone(), s.name.clone()))
        .collect();
    let hours = WEEKDAYS
        .iter()
        .zip(1u8..)
        .map(|(day, n)| {
            let name = format!("hours_{day}");
            let id = format!("f-{name}");
            let error = form.error(&name);
            let described = match &error {
                Some(_) => format!("f-hours-hint {id}-error"),
                None => String::from("f-hours-hint"),
            };
            view! {
                <div class="utrecht-form-field">
                    <label class="utrecht-form-label" for=id.clone()>{weekday_name(lang, n)}</label>
                    {error.clone().map(|message| view! { <p class="utrecht-form-field-error-message" id=format!("{id}-error")>{message}</p> })}
                    <input class="utrecht-textbox" id=id.clone() name=name.clone() type="text" value=form.value(&name)
                        aria-describedby=described aria-invalid=error.is_some().then_some("true") />
                </div>
            }
        })
        .collect_view();
    view! {
        {text_field(lang, form, "name", "catalogue-resource-name", None, Input::Text)}
        <div class="utrecht-form-field">
            <label class="utrecht-form-label" for="f-location">{tr(lang, "catalogue-location")}</label>
            {location_error.clone().map(|message| view! { <p class="utrecht-form-field-error-message" id="f-location-error">{message}</p> })}
            <select class="utrecht-select" id="f-location" name="location"
                aria-describedby=location_error.is_some().then_some("f-location-error")
                aria-invalid=location_error.is_some().then_some("true")>
                {locations}
            </select>
        </div>
        {text_field(lang, form, "seats", "catalogue-seats-label", None, Input::Number)}
        {text_field(lang, form, "contact_centre_seats", "catalogue-cc-seats", Some("catalogue-cc-seats-hint"), Input::Number)}
        {checks(lang, form, "services", "catalogue-services-given", services)}
        <fieldset class="utrecht-form-fieldset" aria-describedby="f-hours-hint">
            <legend class="utrecht-form-fieldset__legend">{tr(lang, "catalogue-hours")}</legend>
            <p class="utrecht-form-field-description" id="f-hours-hint">{tr(lang, "catalogue-hours-hint")}</p>
            {hours}
        </fieldset>
        {text_field(lang, form, "exceptions", "catalogue-exceptions", Some("catalogue-exceptions-hint"), Input::Area)}
    }
    .into_any()
}
