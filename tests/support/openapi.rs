//! An official OpenAPI 3.1 file as a validator: a request or response body is checked against one of its
//! component schemas by the `jsonschema` crate (OpenAPI 3.1 schemas are JSON Schema 2020-12), with the whole
//! document as the root, so every `#/components/...` reference resolves as written.

use jsonschema::Validator;
use serde_json::{json, Value};
use std::collections::HashMap;

pub struct Spec {
    validators: HashMap<String, Validator>,
}

impl Spec {
    /// The file at `path` (relative to the repository), with validators for the schemas `names`.
    pub fn load(path: &str, names: &[&str]) -> Spec {
        let text = std::fs::read_to_string(crate::repo_root().join(path)).unwrap();
        let document: Value = yaml_serde::from_str(&text).unwrap();
        let validators = names
            .iter()
            .map(|name| {
                let mut root = document.clone();
                let object = root.as_object_mut().unwrap();
                object.insert(
                    "$schema".into(),
                    json!("https://json-schema.org/draft/2020-12/schema"),
                );
                object.insert("$ref".into(), json!(format!("#/components/schemas/{name}")));
                let validator = jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft202012)
                    .should_validate_formats(true)
                    .build(&root)
                    .unwrap_or_else(|e| panic!("{path}: {name} is not a schema: {e}"));
                ((*name).to_owned(), validator)
            })
            .collect();
        Spec { validators }
    }

    /// What is wrong with `instance` as a `name`, empty when nothing is.
    pub fn problems(&self, name: &str, instance: &Value) -> Vec<String> {
        match self.validators.get(name) {
            None => vec![format!("no schema {name} was loaded")],
            Some(validator) => validator
                .iter_errors(instance)
                .map(|e| format!("{name} at {}: {e}", e.instance_path))
                .collect(),
        }
    }
}
