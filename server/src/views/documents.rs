//! Documenten: what she sent, grouped by what it was for, as each reader may see it.

use crate::authorization::{staff_level, DataKind, Level, Principal};
use crate::documents::drafts;
use crate::services::Services;
use jiff::Timestamp;

impl Services {
    /// Documenten: everything she sent, grouped by the appointment it was for. In a staff preview the pages
    /// open only for roles that see WHAT of documents, and nothing can be removed.
    pub(crate) async fn document_groups(
        &self,
        principal: &Principal,
        viewer: &app::api::Viewer,
        lang: app::i18n::Lang,
        now: Timestamp,
    ) -> Result<Option<Vec<app::api::DocumentGroup>>, app::api::ApiError> {
        let Some(scope) = self
            .personal_scope(principal, viewer)
            .filter(|scope| scope.records)
        else {
            return Ok(None);
        };
        let opens = scope
            .preview_role
            .is_none_or(|role| staff_level(role, DataKind::Documents) == Level::What);
        let lines = drafts::for_person(&self.db, &scope.person_id)
            .await
            .map_err(app::api::ApiError::from)?;
        // Grouped by what they were sent for: an appointment, a case, or (neither) the rest.
        type For = (Option<String>, Option<(String, String)>);
        let mut groups: Vec<(For, Vec<drafts::DocumentLine>)> = Vec::new();
        for line in lines {
            let case = line.case_id.clone().zip(line.case_identifier.clone());
            let target = (line.appointment_id.clone(), case);
            match groups.iter_mut().find(|(t, _)| *t == target) {
                Some((_, group)) => group.push(line),
                None => groups.push((target, vec![line])),
            }
        }
        let mut out = Vec::new();
        for ((appointment_id, case), lines) in groups {
            let (heading, link) = match (&appointment_id, &case) {
                (Some(id), _) => {
                    let appointment =
                        crate::appointments::booking::get(&self.db, &self.municipality.id, id)
                            .await?;
                    let line = self.line(&appointment, lang, now).await?;
                    let date = app::i18n::long_date(lang, &line.date);
                    (
                        app::i18n::tr_args(
                            lang,
                            "documents-for-appointment",
                            &[("service", &line.service), ("date", &date)],
                        ),
                        Some(app::paths::appointment(id)),
                    )
                }
                (None, Some((case_id, number))) => (
                    app::i18n::tr_args(lang, "documents-for-case", &[("case", number)]),
                    Some(app::paths::case(case_id)),
                ),
                (None, None) => (app::i18n::tr(lang, "documents-title"), None),
            };
            out.push(app::api::DocumentGroup {
                heading,
                link,
                removable: scope.preview_role.is_none(),
                documents: self.document_views(lines, opens),
            });
        }
        Ok(Some(out))
    }

    /// The lines as a page shows them; `opens` when the reader may open the pages.
    pub(crate) fn document_views(
        &self,
        lines: Vec<drafts::DocumentLine>,
        opens: bool,
    ) -> Vec<app::api::DocumentView> {
        let zone = self.municipality.time_zone.clone();
        lines
            .into_iter()
            .map(|line| {
                let sent = Timestamp::from_millisecond(line.created_at_ms)
                    .map(|at| {
                        at.to_zoned(zone.clone())
                            .strftime("%Y-%m-%d %H:%M")
                            .to_string()
                    })
                    .unwrap_or_default();
                app::api::DocumentView {
                    id: line.id,
                    title: line.title,
                    pages: line.pages,
                    sent,
                    removable: !line.taken,
                    openable: opens,
                }
            })
            .collect()
    }
}
