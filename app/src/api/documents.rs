//! Documents a resident sent, as lists show them.

#[allow(unused_imports)]
use super::*;
use serde::{Deserialize, Serialize};

/// A document the resident sent (always one PDF, however many photos it was made of).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentView {
    pub id: String,
    pub title: String,
    pub pages: i64,
    /// Local date and time it arrived, `YYYY-MM-DD HH:MM`.
    pub sent: String,
    /// The municipality has not taken it into processing yet: the resident may still remove it (and the back
    /// office may take it).
    pub removable: bool,
    /// The reader may open its pages (the resident; staff whose role sees WHAT of documents).
    pub openable: bool,
}

/// Documents sent for one appointment (or case), for the Documenten page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentGroup {
    pub heading: String,
    /// The page of what they were sent for.
    pub link: Option<String>,
    /// The visitor may remove them (she herself; never a staff preview).
    pub removable: bool,
    pub documents: Vec<DocumentView>,
}
