//! Message texts, from the Fluent catalogue (`message-*`, Dutch B1 and English). A template receives
//! [`SafeFields`] and nothing else: the municipality's name, one local date and time, a short reference that
//! identifies the message (not the person), the link into Loket and, for verification, the code. Names, case
//! types, subjects, free text, addresses and BSNs are not reachable from here, so no template can leak them.

use super::push::Payload;
use super::Kind;
use app::i18n::{tr, tr_args, Lang};
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

/// "di 3 maart om 10:30" / "Tue 3 March at 10:30" (Fluent `message-moment`, `weekday-short-*`, `month-*`).
pub fn local_moment(lang: Lang, when: &Zoned) -> String {
    let weekday = when.weekday().to_monday_one_offset();
    let time = format!("{:02}:{:02}", when.hour(), when.minute());
    tr_args(
        lang,
        "message-moment",
        &[
            ("weekday", &tr(lang, &format!("weekday-short-{weekday}"))),
            ("day", &when.day().to_string()),
            ("month", &tr(lang, &format!("month-{}", when.month()))),
            ("time", &time),
        ],
    )
}

struct Text {
    subject: String,
    lines: Vec<String>,
    sms: String,
}

/// The message's texts from the Fluent catalogue (`message-{kind}-subject`, `-line-1`, `-line-2`, `-sms`),
/// with the safe fields as its only variables.
fn text(kind: Kind, lang: Lang, f: &SafeFields<'_>) -> Text {
    let at = local_moment(lang, f.when);
    let args = [
        ("m", f.municipality),
        ("s", f.sms_name),
        ("at", at.as_str()),
        ("link", f.link),
        ("code", f.code.unwrap_or_default()),
    ];
    let part = |name: &str| tr_args(lang, &format!("message-{}-{name}", kind.as_str()), &args);
    Text {
        subject: part("subject"),
        lines: vec![part("line-1"), part("line-2")],
        sms: part("sms"),
    }
}

fn footer(lang: Lang, reference: &str) -> [String; 2] {
    [
        tr_args(lang, "message-reference", &[("reference", reference)]),
        tr(lang, "message-note"),
    ]
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
    // The reference too, so she can quote it on the phone, when it still fits one segment (start-up proves
    // the text without it always does).
    let with_reference = tr_args(
        lang,
        "message-sms-with-reference",
        &[("sms", &t.sms), ("reference", fields.reference)],
    );
    let sms = if sms_fit(&with_reference).fits() {
        with_reference
    } else {
        t.sms
    };
    Rendered {
        subject: t.subject,
        text: plain,
        html,
        sms,
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
                // With this name and host every text has room for its reference.
                assert!(out.sms.ends_with(" Ref: LK-7F3K2A"), "{}", out.sms);
                let push: serde_json::Value = serde_json::from_str(&out.push).unwrap();
                let fields: Vec<&String> = push.as_object().unwrap().keys().collect();
                assert_eq!(fields, ["body", "title", "url"]);
                assert!(out.push.len() <= MAX_PAYLOAD);
                assert!(out.push.contains(needle));
            }
        }
    }

    #[test]
    fn an_sms_names_its_reference_only_when_that_still_fits_one_segment() {
        let when: Zoned = "2026-09-30T10:30:00+02:00[Europe/Amsterdam]"
            .parse()
            .unwrap();
        let mut f = fields(&when, None);
        let short = render(Kind::CaseStatus, Lang::Nl, &f);
        assert!(short.sms.ends_with(" Ref: LK-7F3K2A"), "{}", short.sms);
        // A long host leaves no room: the text goes without it, still in one segment.
        let link = format!(
            "https://{}.example.nl/zaken/abcdefghijklmnopqrstuvwxyzab",
            "x".repeat(30)
        );
        f.link = &link;
        let long = render(Kind::CaseStatus, Lang::Nl, &f);
        assert!(
            !long.sms.contains("LK-7F3K2A") && sms_fit(&long.sms).fits(),
            "{}",
            long.sms
        );
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
