//! A refused page form, as the page shows it again: which form, which field, why, and what was typed.

#[allow(unused_imports)]
use super::*;
use serde::{Deserialize, Serialize};

/// A form on a page that the server refused: which form, which field, why (Dutch B1 from the domain), and
/// what the visitor typed, so the page shows it again and nothing is lost.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormProblem {
    pub form: crate::paths::FormId,
    pub field: String,
    pub message: String,
    pub values: Vec<(String, String)>,
}

impl FormProblem {
    pub fn value(&self, name: &str) -> Option<String> {
        self.values
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    }
}

/// The first value of field `name` among form values; empty when it has none.
pub fn first_value(values: &[(String, String)], name: &str) -> String {
    values
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.clone())
        .unwrap_or_default()
}

/// A form the server refused with several problems at once (the catalogue forms): every field with its reason
/// (Dutch B1), and everything that was typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormProblems {
    pub form: crate::paths::FormId,
    pub problems: Vec<(String, String)>,
    pub values: Vec<(String, String)>,
}
