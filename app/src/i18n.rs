//! Dutch (B1, the default) and English texts, as Project Fluent resources in `app/locales/`.
//!
//! Texts are rendered on the server; islands receive the strings they need as props, so the Fluent runtime
//! never has to ship in the WASM.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// The name of the cookie that remembers the chosen language.
pub const LANG_COOKIE: &str = "loket_lang";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Nl,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Nl, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim() {
            "nl" => Some(Lang::Nl),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    fn source(self) -> &'static str {
        match self {
            Lang::Nl => include_str!("../locales/nl.ftl"),
            Lang::En => include_str!("../locales/en.ftl"),
        }
    }

    fn index(self) -> usize {
        match self {
            Lang::Nl => 0,
            Lang::En => 1,
        }
    }
}

/// Every text in every language; the service worker's cache version includes it, so a precached page (the
/// offline page) is refreshed when its text changes.
pub fn catalogue_sources() -> impl Iterator<Item = &'static str> {
    Lang::ALL.into_iter().map(Lang::source)
}

struct Catalog {
    bundles: Vec<FluentBundle<FluentResource>>,
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| Catalog {
    bundles: Lang::ALL.iter().map(|lang| bundle(*lang)).collect(),
});

fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    // A syntax error keeps the entries that did parse; the unit tests below fail on any error.
    let resource =
        FluentResource::try_new(lang.source().to_owned()).unwrap_or_else(|(partial, _)| partial);
    let langid = match lang {
        Lang::Nl => unic_langid::langid!("nl-NL"),
        Lang::En => unic_langid::langid!("en-GB"),
    };
    let mut bundle = FluentBundle::new_concurrent(vec![langid]);
    // Unicode isolation marks would end up inside HTML attributes and plain-text messages.
    bundle.set_use_isolating(false);
    // Duplicate ids are reported by the tests; keep the first.
    let _ = bundle.add_resource(resource);
    bundle
}

/// Whether the catalogue of `lang` has message `key`.
pub fn has(lang: Lang, key: &str) -> bool {
    CATALOG
        .bundles
        .get(lang.index())
        .is_some_and(|bundle| bundle.has_message(key))
}

/// The text for `key` in `lang`, or the key itself when it is missing (the tests make sure none is).
pub fn tr(lang: Lang, key: &str) -> String {
    tr_args(lang, key, &[])
}

/// The text for `key` with named arguments, e.g. `tr_args(lang, "case-since", &[("date", "3 maart")])`.
pub fn tr_args(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let Some(bundle) = CATALOG.bundles.get(lang.index()) else {
        return key.to_owned();
    };
    let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
        return key.to_owned();
    };
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        fluent_args.set(*name, FluentValue::from(*value));
    }
    let mut errors = Vec::new();
    bundle
        .format_pattern(
            pattern,
            (!args.is_empty()).then_some(&fluent_args),
            &mut errors,
        )
        .into_owned()
}

/// Name of an ISO weekday (1 = Monday).
pub fn weekday_name(lang: Lang, weekday: u8) -> String {
    tr(lang, &format!("weekday-{weekday}"))
}

/// Formats a `YYYY-MM-DD` date as residents read it ("3 maart 2026" / "3 March 2026").
pub fn long_date(lang: Lang, iso: &str) -> String {
    let mut parts = iso.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return iso.to_owned();
    };
    let (Ok(month), Ok(day)) = (m.parse::<u8>(), d.parse::<u8>()) else {
        return iso.to_owned();
    };
    if !(1..=12).contains(&month) {
        return iso.to_owned();
    }
    format!("{day} {} {y}", tr(lang, &format!("month-{month}")))
}

/// Formats a local `YYYY-MM-DD HH:MM` as residents read it ("1 december 2026, 20:25").
pub fn long_date_time(lang: Lang, local: &str) -> String {
    match local.split_once(' ') {
        Some((date, time)) => format!("{}, {time}", long_date(lang, date)),
        None => long_date(lang, local),
    }
}

/// "dinsdag 10 maart 2026": the weekday helps residents pick the right day.
pub fn long_date_with_weekday(lang: Lang, iso: &str) -> String {
    let mut parts = iso.splitn(3, '-');
    let (Some(Ok(y)), Some(Ok(m)), Some(Ok(d))) = (
        parts.next().map(str::parse::<i32>),
        parts.next().map(str::parse::<usize>),
        parts.next().map(str::parse::<i32>),
    ) else {
        return iso.to_owned();
    };
    if !(1..=12).contains(&m) {
        return iso.to_owned();
    }
    // Sakamoto's method: 0 = Sunday.
    const T: [i32; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let year = if m < 3 { y - 1 } else { y };
    let sunday_zero = (year + year / 4 - year / 100 + year / 400 + T[m - 1] + d).rem_euclid(7);
    let iso_weekday = if sunday_zero == 0 { 7 } else { sunday_zero };
    format!(
        "{} {}",
        weekday_name(lang, u8::try_from(iso_weekday).unwrap_or(1)),
        long_date(lang, iso)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Every message id of `lang`'s catalogue, in file order (duplicates kept).
    fn all_ids(lang: Lang) -> Vec<String> {
        let resource = match FluentResource::try_new(lang.source().to_owned()) {
            Ok(r) => r,
            Err((_, errors)) => panic!("{lang:?} has Fluent syntax errors: {errors:?}"),
        };
        resource
            .entries()
            .filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    fn ids(lang: Lang) -> BTreeSet<String> {
        all_ids(lang).into_iter().collect()
    }

    #[test]
    fn no_message_is_defined_twice() {
        for lang in Lang::ALL {
            let mut seen = BTreeSet::new();
            let twice: Vec<String> = all_ids(lang)
                .into_iter()
                .filter(|id| !seen.insert(id.clone()))
                .collect();
            // A second definition silently replaces the first: the page that used it says the other thing.
            assert!(twice.is_empty(), "defined twice in {lang:?}: {twice:?}");
        }
    }

    #[test]
    fn english_is_complete_and_has_nothing_dutch_lacks() {
        let nl = ids(Lang::Nl);
        let en = ids(Lang::En);
        let missing_en: Vec<_> = nl.difference(&en).collect();
        let missing_nl: Vec<_> = en.difference(&nl).collect();
        assert!(missing_en.is_empty(), "missing in en.ftl: {missing_en:?}");
        assert!(missing_nl.is_empty(), "missing in nl.ftl: {missing_nl:?}");
        assert!(
            nl.len() > 40,
            "expected the full catalogue, found {}",
            nl.len()
        );
    }

    #[test]
    fn every_message_formats_without_errors() {
        for lang in Lang::ALL {
            let bundle = bundle(lang);
            for id in ids(lang) {
                let Some(pattern) = bundle.get_message(&id).and_then(|m| m.value()) else {
                    panic!("{id} has no value in {lang:?}");
                };
                let mut args = FluentArgs::new();
                for name in [
                    "date",
                    "name",
                    "count",
                    "phone",
                    "time",
                    "role",
                    "data",
                    "number",
                    "created",
                    "used",
                    "organisation",
                    "label",
                    "kind",
                    "end",
                    "code",
                    "service",
                    "when",
                    "what",
                    "value",
                    "title",
                    "n",
                    "percent",
                    "done",
                    "total",
                    "location",
                    "mb",
                    "case",
                    "minutes",
                    "max",
                    "m",
                    "s",
                    "at",
                    "link",
                    "reference",
                    "weekday",
                    "sms",
                    "day",
                    "month",
                    "type",
                    "municipality",
                    "level",
                    "parts",
                ] {
                    args.set(name, FluentValue::from("x"));
                }
                let mut errors = Vec::new();
                let _ = bundle.format_pattern(pattern, Some(&args), &mut errors);
                assert!(errors.is_empty(), "{id} in {lang:?}: {errors:?}");
            }
        }
    }

    #[test]
    fn dates_are_written_out_in_the_residents_language() {
        assert_eq!(long_date(Lang::Nl, "2026-03-03"), "3 maart 2026");
        assert_eq!(long_date(Lang::En, "2026-03-03"), "3 March 2026");
        assert_eq!(long_date(Lang::Nl, "not a date"), "not a date");
        assert_eq!(
            long_date_time(Lang::Nl, "2026-12-01 20:25"),
            "1 december 2026, 20:25"
        );
        assert_eq!(
            long_date_time(Lang::En, "2026-12-01 20:25"),
            "1 December 2026, 20:25"
        );
        assert_eq!(
            long_date_with_weekday(Lang::Nl, "2026-03-10"),
            "dinsdag 10 maart 2026"
        );
        assert_eq!(
            long_date_with_weekday(Lang::En, "2028-02-29"),
            "Tuesday 29 February 2028"
        );
        assert_eq!(
            long_date_with_weekday(Lang::Nl, "2026-11-22"),
            "zondag 22 november 2026"
        );
    }
}
