//! The administrators' pages: the appointment catalogue and the municipality's employees.

#[allow(unused_imports)]
use super::*;
use serde::{Deserialize, Serialize};

/// The kinds of item on the administrators' catalogue pages: the path segment
/// of its pages (`/beheer/afspraken/{segment}/…`), which the handlers that save them share.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CatalogueKind {
    Service,
    Location,
    Resource,
}

impl CatalogueKind {
    pub fn segment(self) -> &'static str {
        match self {
            CatalogueKind::Service => "diensten",
            CatalogueKind::Location => "locaties",
            CatalogueKind::Resource => "agendas",
        }
    }
}

/// The appointment catalogue on the administrators' pages (`/beheer/afspraken`). Each item carries its values
/// as its edit form holds them (field name → text; a group of checkboxes repeats its name), so a refused form
/// shows what was typed in exactly the same way.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueAdmin {
    pub services: Vec<CatalogueItem>,
    pub locations: Vec<CatalogueItem>,
    pub resources: Vec<CatalogueItem>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueItem {
    pub id: String,
    pub name: String,
    pub values: Vec<(String, String)>,
}

impl CatalogueItem {
    /// The first value of field `name`; empty when it has none.
    pub fn value(&self, name: &str) -> String {
        first_value(&self.values, name)
    }
}

/// One employee on the administrators' page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMemberView {
    pub id: String,
    pub name: String,
    /// `kcc`, `backoffice` or `admin`.
    pub role: String,
    /// Passkeys on their account: 0 means they cannot sign in until they use a code.
    pub passkeys: i64,
    /// A code they could still use is out: until when (local date `YYYY-MM-DD`, time `HH:MM`).
    pub open_code: Option<(String, String)>,
    /// They left (no sign-in, no new codes).
    pub left: bool,
}
