//! Instellingen → Berichten: addresses, choices and what was sent; the embedded default's outbox files.

#[allow(unused_imports)]
use super::*;
use serde::{Deserialize, Serialize};

/// Instellingen → Berichten: the resident's addresses, where each kind of message goes, and what was sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageSettings {
    pub addresses: Vec<AddressLine>,
    /// Kind of message (`case-update`, `action-request`, `appointment-confirmation`, `reminder`) → chosen
    /// address id; `None` means the first confirmed address.
    pub choices: Vec<(String, Option<String>)>,
    pub recent: Vec<MessageLine>,
    /// The VAPID public key a browser subscribes with (base64url), for "notifications on this device".
    pub push_key: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressLine {
    pub id: String,
    /// `email`, `sms` or `push`.
    pub channel: String,
    pub value: String,
    pub label: String,
    /// `confirmed`, `waiting` (code sent, not typed yet), `reconfirm` (confirmed over a year ago) or `gone`
    /// (a device whose push subscription ended).
    pub state: String,
    /// The last message to it could not be delivered.
    pub failed: bool,
    /// She marked it as the address to try when the one chosen for a message does not work.
    pub fallback: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageLine {
    pub date: String,
    pub time: String,
    /// `case-status`, `action-request` or `address-verification`.
    pub kind: String,
    pub to_label: String,
    /// `queued`, `sending`, `sent`, `delivered` (the provider reported it delivered), `failed` or `dropped`.
    pub status: String,
}

/// What the files route of the embedded default wrote (Medewerkers → Berichten in bestanden).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxFiles {
    /// `false` when e-mail and SMS both go out for real (SMTP or the Notify API): there are no files.
    pub files_route: bool,
    /// Newest first.
    pub messages: Vec<OutboxFile>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxFile {
    pub date: String,
    pub time: String,
    /// `email` or `sms`.
    pub channel: String,
    /// The recipient, shortened (`de…@example.nl`, `+316…78`): enough to tell messages apart.
    pub to: String,
    pub subject: Option<String>,
    pub text: String,
}
