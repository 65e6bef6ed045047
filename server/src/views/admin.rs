//! The administrators' read models: the municipality's employees.

use crate::authorization::{decide, Action, Principal, Resource};
use crate::services::Services;
use app::api::{ApiError, StaffMemberView};
use jiff::Timestamp;

impl Services {
    /// The employees, for an administrator of this municipality; `None` for anyone else.
    pub(crate) async fn staff_members_for(
        &self,
        principal: &Principal,
        now: Timestamp,
    ) -> Result<Option<Vec<StaffMemberView>>, ApiError> {
        let resource = Resource::StaffAccounts {
            municipality_id: &self.municipality.id,
        };
        if !decide(principal, Action::Read, resource).allowed() {
            return Ok(None);
        }
        let members = crate::staff::members(&self.db, &self.municipality.id, now).await?;
        Ok(Some(
            members
                .into_iter()
                .map(|member| StaffMemberView {
                    id: member.id,
                    name: member.name,
                    role: member.role.as_str().to_owned(),
                    passkeys: member.passkeys,
                    open_code: member
                        .open_code
                        .map(|code| self.date_and_time(code.expires_at)),
                    left: member.left,
                })
                .collect(),
        ))
    }
}
