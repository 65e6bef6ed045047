//! Message texts, Dutch (B1) and English. A template receives [`SafeFields`] and nothing else: the
//! municipality's name, one local date and time, a short reference that identifies the message (not the
//! person), the link into Loket and, for verification, the code. Names, case types, subjects, free text,
//! addresses and BSNs are not reachable from here, so no template can leak them.

use super::push::Payload;
use super::Kind;
use app::i18n::Lang;
use jiff::Zoned;

pub struct SafeFields<'a> {
    pub municipality: &'a str,
    /// The name text messages use (the municipality file's `sms_name`, else its name).
    pub sms_name: &'a str,
    /// When the change happened (case messages), when the code was sent, or when the appointment is.
    pub when: &'a Zoned,
    /// A short reference derived from the message id, e.g. `LK-7F3K2A`.
    pub reference: &'a str,
    /// A Loket page that needs sign-in; never content itself.
    pub link: &'a str,
    /// Only for the kinds that carry a code ([`Kind::carries_code`]).
    pub code: Option<&'a str>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// One SMS segment: start-up proves it for this municipality and public URL (`outbox::prove_one_sms`).
    pub sms: String,
    /// The web push payload: JSON with only a title, one sentence and the link (at most 3,993 bytes).
    pub push: String,
}

/// Letters people read out without doubt (no vowels, so no words; no I, L, O, U): a reference made of them
/// alone cannot look like a postcode (`1234 AB`) or a BSN (nine digits) to a mail filter or a privacy scan.
const REFERENCE_ALPHABET: &[u8; 18] = b"BCDFGHJKMNPQRSTVXZ";

/// The reference residents can quote: `LK-` and six letters derived from the message id (18⁶, some 34
/// million, so two messages of one resident are told apart).
pub fn reference(message_id: &str) -> String {
    let digest = crate::identity::secrets::hash(message_id);
    let letters: String = digest
        .as_bytes()
        .chunks(2)
        .take(6)
        .map(|pair| {
            let byte =
                u8::from_str_radix(std::str::from_utf8(pair).unwrap_or("00"), 16).unwrap_or(0);
            char::from(REFERENCE_ALPHABET[usize::from(byte) % REFERENCE_ALPHABET.len()])
        })
        .collect();
    format!("LK-{letters}")
}

/// "di 3 maart om 10:30" / "Tue 3 March at 10:30".
pub fn local_moment(lang: Lang, when: &Zoned) -> String {
    const DAYS_NL: [&str; 7] = ["ma", "di", "wo", "do", "vr", "za", "zo"];
    const DAYS_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS_NL: [&str; 12] = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ];
    const MONTHS_EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let day = usize::try_from(when.weekday().to_monday_zero_offset()).unwrap_or(0) % 7;
    let month = usize::try_from(when.month() - 1).unwrap_or(0) % 12;
    let time = format!("{:02}:{:02}", when.hour(), when.minute());
    match lang {
        Lang::Nl => format!(
            "{} {} {} om {time}",
            DAYS_NL[day],
            when.day(),
            MONTHS_NL[month]
        ),
        Lang::En => format!(
            "{} {} {} at {time}",
            DAYS_EN[day],
            when.day(),
            MONTHS_EN[month]
        ),
    }
}

struct Text {
    subject: String,
    lines: Vec<String>,
    sms: String,
}

fn text(kind: Kind, lang: Lang, f: &SafeFields<'_>) -> Text {
    let m = f.municipality;
    let s = f.sms_name;
    let at = local_moment(lang, f.when);
    let link = f.link;
    let code = f.code.unwrap_or_default();
    match (kind, lang) {
        (Kind::CaseStatus, Lang::Nl) => Text {
            subject: format!("Nieuws over uw zaak bij {m}"),
            lines: vec![
                format!("Er is nieuws over een zaak die u bij {m} heeft lopen (bijgewerkt op {at})."),
                String::from("Log in bij Loket om te lezen wat er is veranderd:"),
            ],
            sms: format!("{s}: er is nieuws over uw zaak. Log in om het te lezen: {link}"),
        },
        (Kind::CaseStatus, Lang::En) => Text {
            subject: format!("News about your case with {m}"),
            lines: vec![
                format!("There is news about a case you have with {m} (updated {at})."),
                String::from("Sign in to Loket to read what changed:"),
            ],
            sms: format!("{s}: there is news about your case. Sign in to read it: {link}"),
        },
        (Kind::ActionRequest, Lang::Nl) => Text {
            subject: format!("{m} vraagt iets van u"),
            lines: vec![
                format!("{m} heeft iets van u nodig om verder te kunnen (gevraagd op {at})."),
                String::from("Log in bij Loket om te zien wat en voor wanneer:"),
            ],
            sms: format!("{s} heeft iets van u nodig. Log in om te zien wat: {link}"),
        },
        (Kind::ActionRequest, Lang::En) => Text {
            subject: format!("{m} needs something from you"),
            lines: vec![
                format!("{m} needs something from you to continue (asked {at})."),
                String::from("Sign in to Loket to see what and by when:"),
            ],
            sms: format!("{s} needs something from you. Sign in to see what: {link}"),
        },
        (Kind::AppointmentBooked, Lang::Nl) => Text {
            subject: format!("Uw afspraak bij {m}"),
            lines: vec![
                format!("U heeft een afspraak bij {m} op {at}."),
                String::from("Bekijk waar het is en wat u meeneemt. U kunt de afspraak daar ook verzetten of annuleren:"),
            ],
            sms: format!("{s}: afspraak op {at}. Details: {link}"),
        },
        (Kind::AppointmentBooked, Lang::En) => Text {
            subject: format!("Your appointment with {m}"),
            lines: vec![
                format!("You have an appointment with {m} on {at}."),
                String::from("See where it is and what to bring. You can also move or cancel it there:"),
            ],
            sms: format!("{s}: appointment on {at}. Details: {link}"),
        },
        (Kind::AppointmentMoved, Lang::Nl) => Text {
            subject: format!("Uw afspraak bij {m} is verzet"),
            lines: vec![
                format!("Uw afspraak bij {m} is verzet. De nieuwe tijd is {at}."),
                String::from("Bekijk de afspraak:"),
            ],
            sms: format!("{s}: afspraak verzet naar {at}. Details: {link}"),
        },
        (Kind::AppointmentMoved, Lang::En) => Text {
            subject: format!("Your appointment with {m} was moved"),
            lines: vec![
                format!("Your appointment with {m} was moved. The new time is {at}."),
                String::from("See the appointment:"),
            ],
            sms: format!("{s}: appointment moved to {at}. Details: {link}"),
        },
        (Kind::AppointmentCancelled, Lang::Nl) => Text {
            subject: format!("Uw afspraak bij {m} is geannuleerd"),
            lines: vec![
                format!("Uw afspraak bij {m} op {at} is geannuleerd."),
                String::from("Wilt u toch een afspraak? Maak een nieuwe afspraak in Loket:"),
            ],
            sms: format!("{s}: afspraak op {at} geannuleerd. Meer: {link}"),
        },
        (Kind::AppointmentCancelled, Lang::En) => Text {
            subject: format!("Your appointment with {m} was cancelled"),
            lines: vec![
                format!("Your appointment with {m} on {at} was cancelled."),
                String::from("Still need an appointment? Make a new one in Loket:"),
            ],
            sms: format!("{s}: appointment on {at} cancelled. More: {link}"),
        },
        (Kind::AppointmentReminder, Lang::Nl) => Text {
            subject: format!("Herinnering: uw afspraak bij {m}"),
            lines: vec![
                format!("U heeft een afspraak bij {m} op {at}."),
                String::from("Bekijk waar het is en wat u meeneemt:"),
            ],
            sms: format!("Herinnering {s}: afspraak op {at}. Details: {link}"),
        },
        (Kind::AppointmentReminder, Lang::En) => Text {
            subject: format!("Reminder: your appointment with {m}"),
            lines: vec![
                format!("You have an appointment with {m} on {at}."),
                String::from("See where it is and what to bring:"),
            ],
            sms: format!("Reminder {s}: appointment on {at}. Details: {link}"),
        },
        (Kind::AddressVerification, Lang::Nl) => Text {
            subject: format!("Uw code: {code}"),
            lines: vec![
                format!("Uw code om dit adres te bevestigen bij {m} is {code}."),
                String::from("De code is 15 minuten geldig. Vul hem in op de pagina waar u het adres toevoegde:"),
            ],
            sms: format!("Uw code voor {s} is {code}. De code is 15 minuten geldig. Niet gevraagd? Negeer dit bericht."),
        },
        (Kind::AddressVerification, Lang::En) => Text {
            subject: format!("Your code: {code}"),
            lines: vec![
                format!("Your code to confirm this address with {m} is {code}."),
                String::from("The code is valid for 15 minutes. Enter it on the page where you added the address:"),
            ],
            sms: format!("Your code for {s} is {code}. It is valid for 15 minutes. Did not ask for it? Ignore this message."),
        },
        (Kind::AppointmentLinkCode, Lang::Nl) => Text {
            subject: format!("Uw code: {code}"),
            lines: vec![
                format!("Uw code om uw afspraak bij {m} te openen is {code}."),
                String::from("De code is 15 minuten geldig en werkt één keer. Vul hem in op de pagina waar u om de code vroeg. Niet gevraagd? Dan kunt u dit bericht negeren."),
            ],
            sms: format!("Uw code om uw afspraak bij {s} te openen is {code}. 15 minuten geldig. Niet gevraagd? Negeer dit bericht."),
        },
        (Kind::AppointmentLinkCode, Lang::En) => Text {
            subject: format!("Your code: {code}"),
            lines: vec![
                format!("Your code to open your appointment with {m} is {code}."),
                String::from("The code is valid for 15 minutes and works once. Enter it on the page where you asked for it. Did not ask for it? You can ignore this message."),
            ],
            sms: format!("Your code to open your appointment with {s} is {code}. Valid 15 minutes. Did not ask? Ignore this message."),
        },
        (Kind::AccountCodeIssued, Lang::Nl) => Text {
            subject: format!("Nieuwe activeringscode voor uw account bij {m}"),
            lines: vec![
                format!("{m} heeft op {at} een activeringscode voor uw account gemaakt. Met die code kan iemand een passkey aan uw account koppelen."),
                String::from("Heeft u daar niet om gevraagd? Bel ons dan meteen. Op deze pagina ziet u wie het deed:"),
            ],
            sms: format!("{s}: er is een activeringscode voor uw account gemaakt. Was u dat niet? Bel ons. Zie: {link}"),
        },
        (Kind::AccountCodeIssued, Lang::En) => Text {
            subject: format!("New activation code for your account with {m}"),
            lines: vec![
                format!("{m} made an activation code for your account on {at}. With it, someone can add a passkey to your account."),
                String::from("Did you not ask for it? Call us straight away. This page shows who did it:"),
            ],
            sms: format!("{s}: an activation code was made for your account. Not you? Call us. See: {link}"),
        },
    }
}

fn footer(lang: Lang, reference: &str) -> [String; 2] {
    match lang {
        Lang::Nl => [
            format!("Referentie: {reference}"),
            String::from("Wij zetten nooit persoonlijke gegevens in een e-mail of sms. Heeft u dit bericht niet verwacht? Dan kunt u het negeren."),
        ],
        Lang::En => [
            format!("Reference: {reference}"),
            String::from("We never put personal details in an e-mail or text message. Did not expect this message? You can ignore it."),
        ],
    }
}

fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub fn render(kind: Kind, lang: Lang, fields: &SafeFields<'_>) -> Rendered {
    let t = text(kind, lang, fields);
    let [reference_line, note] = footer(lang, fields.reference);
    let mut plain = t.lines.join("\n");
    plain.push_str(&format!(
        "\n\n{}\n\n{reference_line}\n{note}\n",
        fields.link
    ));
    let html_lang = match lang {
        Lang::Nl => "nl",
        Lang::En => "en",
    };
    let paragraphs: String = t
        .lines
        .iter()
        .map(|line| format!("<p>{}</p>", escape(line)))
        .collect();
    let link = escape(fields.link);
    let html = format!(
        "<!DOCTYPE html><html lang=\"{html_lang}\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body style=\"font-family:sans-serif;font-size:16px;line-height:1.5\">{paragraphs}\
         <p><a href=\"{link}\">{link}</a></p><p>{}<br>{}</p></body></html>",
        escape(&t.subject),
        escape(&reference_line),
        escape(&note)
    );
    let push = serde_json::to_string(&Payload {
        title: &t.subject,
        body: t.lines.first().map_or("", String::as_str),
        url: fields.link,
    })
    .unwrap_or_default();
    Rendered {
        subject: t.subject,
        text: plain,
        html,
        sms: t.sms,
        push,
    }
}

/// How a text message is encoded and whether it fits one segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SmsFit {
    /// GSM 03.38 7-bit; otherwise UCS-2.
    pub gsm7: bool,
    /// Septets (GSM-7, the extension table's characters count two) or UTF-16 code units (UCS-2).
    pub length: usize,
    /// What one segment holds in this encoding: 160 septets or 70 code units.
    pub limit: usize,
}

impl SmsFit {
    pub fn fits(self) -> bool {
        self.length <= self.limit
    }

    pub fn unit(self) -> &'static str {
        if self.gsm7 {
            "GSM-7 characters"
        } else {
            "UCS-2 characters"
        }
    }
}

/// The encoding an SMS centre picks for `text` (GSM 03.38 when every character is in its basic set or
/// extension table, else UCS-2) and its length in that encoding. Hand-written: the crates that split SMS
/// into parts do so for sending, not to measure a text against one segment.
pub fn sms_fit(text: &str) -> SmsFit {
    const BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    const EXTENSION: &str = "\u{c}^{}\\[~]|€";
    let septets = text.chars().try_fold(0usize, |n, c| {
        if BASIC.contains(c) {
            Some(n + 1)
        } else if EXTENSION.contains(c) {
            Some(n + 2)
        } else {
            None
        }
    });
    match septets {
        Some(length) => SmsFit {
            gsm7: true,
            length,
            limit: 160,
        },
        None => SmsFit {
            gsm7: false,
            length: text.encode_utf16().count(),
            limit: 70,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::push::MAX_PAYLOAD;
    use super::*;

    fn fields<'a>(when: &'a Zoned, code: Option<&'a str>) -> SafeFields<'a> {
        SafeFields {
            municipality: "Gemeente Voorbeeld",
            sms_name: "Gemeente Voorbeeld",
            when,
            reference: "LK-7F3K2A",
            link: "https://loket.voorbeeld.nl/zaken/abcdefghijklmnopqrstuvwxyzab",
            code,
        }
    }

    #[test]
    fn every_template_fits_one_gsm7_sms_and_names_the_link_or_code() {
        // The longest day and month names there are.
        let when: Zoned = "2026-09-30T10:30:00+02:00[Europe/Amsterdam]"
            .parse()
            .unwrap();
        let id = "abcdefghijklmnopqrstuvwxyzab";
        for kind in Kind::ALL {
            // An appointment's card (id) and an appointment link (token, for bookings by the contact centre).
            let links: Vec<String> = [None, Some("AbCdEfGhIjKlMnOpQrStUv")]
                .into_iter()
                .map(|token| {
                    super::super::outbox::link(
                        "https://loket.voorbeeld.nl",
                        kind,
                        super::super::outbox::LinkTarget {
                            appointment_id: Some(id),
                            token,
                            case_id: Some(id),
                        },
                    )
                })
                .collect();
            for (lang, link) in [Lang::Nl, Lang::En]
                .into_iter()
                .flat_map(|lang| links.iter().map(move |link| (lang, link.as_str())))
            {
                let mut f = fields(&when, Some("123456"));
                f.link = link;
                let out = render(kind, lang, &f);
                let fit = sms_fit(&out.sms);
                assert!(fit.gsm7 && fit.fits(), "{kind:?} {lang:?}: {}", out.sms);
                let needle = if kind.carries_code() {
                    "123456"
                } else {
                    f.link
                };
                assert!(out.sms.contains(needle) && out.text.contains(needle));
                assert!(out.html.contains(needle));
                assert!(out.text.contains("LK-7F3K2A"));
                let push: serde_json::Value = serde_json::from_str(&out.push).unwrap();
                let fields: Vec<&String> = push.as_object().unwrap().keys().collect();
                assert_eq!(fields, ["body", "title", "url"]);
                assert!(out.push.len() <= MAX_PAYLOAD);
                assert!(out.push.contains(needle));
            }
        }
    }

    #[test]
    fn an_sms_is_measured_in_its_own_encoding() {
        assert_eq!(
            sms_fit("Gemeente Voorbeeld"),
            SmsFit {
                gsm7: true,
                length: 18,
                limit: 160
            }
        );
        // The euro sign and brackets are two septets each.
        assert_eq!(sms_fit("€ [1]").length, 8);
        assert!(sms_fit(&"a".repeat(160)).fits());
        assert!(!sms_fit(&"a".repeat(161)).fits());
        // One letter outside GSM-7 makes the whole text UCS-2: 70 to a segment.
        let frisian = sms_fit("Gemeente Súdwest-Fryslân");
        assert_eq!(
            (frisian.gsm7, frisian.length, frisian.limit),
            (false, 24, 70)
        );
        assert!(!sms_fit(&format!("â{}", "a".repeat(70))).fits());
        // Outside the basic plane a character is two UTF-16 units.
        assert_eq!(sms_fit("😀").length, 2);
    }

    #[test]
    fn local_moment_reads_like_a_dutch_sentence() {
        let when: Zoned = "2026-03-03T10:30:00+01:00[Europe/Amsterdam]"
            .parse()
            .unwrap();
        assert_eq!(local_moment(Lang::Nl, &when), "di 3 maart om 10:30");
        assert_eq!(local_moment(Lang::En, &when), "Tue 3 March at 10:30");
    }

    #[test]
    fn html_escapes_what_it_is_given() {
        let when: Zoned = "2026-03-03T10:30:00+01:00[Europe/Amsterdam]"
            .parse()
            .unwrap();
        let mut f = fields(&when, None);
        f.municipality = "Gemeente <Test> & Co";
        let out = render(Kind::CaseStatus, Lang::Nl, &f);
        assert!(out.html.contains("Gemeente &lt;Test&gt; &amp; Co"));
        assert!(!out.html.contains("<Test>"));
    }

    #[test]
    fn the_reference_is_short_derived_from_the_message_id_and_never_a_postcode_or_bsn() {
        assert_eq!(reference("7f3k2a9b1c"), reference("7f3k2a9b1c"));
        assert_ne!(reference("7f3k2a9b1c"), reference("7f3k2a9b1d"));
        for n in 0..2000 {
            let r = reference(&format!("{n:032x}"));
            assert_eq!(r.len(), 9);
            assert!(
                r[3..].bytes().all(|b| REFERENCE_ALPHABET.contains(&b)),
                "{r}"
            );
        }
    }
}
