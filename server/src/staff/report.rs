//! The contact centre's report: counts per local week (Monday to Sunday in the municipality's time zone) of
//! contacts per reason and channel, appointments booked per channel, messages per channel and outcome, and
//! documents residents sent per service.
//! Only counts leave this module: no name, id, address or text, so the page and its CSV carry no personal data.

use super::search::StaffError;
use crate::storage::Db;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// What is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Measure {
    /// Category: the reason code (`zonder-reden` for contacts a case system registered); detail: the channel.
    Contacts,
    /// Category: `resident` (booked herself) or `staff` (the contact centre); detail: the service.
    Bookings,
    /// Category: the channel; detail: `delivered`, `sent`, `failed`, `dropped` or `pending`.
    Messages,
    /// Category: `appointment` or `case` (what it was sent for); detail: the service or case type. Documents
    /// the resident removed again are not counted.
    Uploads,
    /// Booked appointments that ended, by the week they took place in. Category: the service; detail:
    /// `checked-in` or `not-checked-in` (the no-shows, where the desk checks in).
    Attendance,
}

impl Measure {
    pub const ALL: [Measure; 5] = [
        Measure::Contacts,
        Measure::Bookings,
        Measure::Messages,
        Measure::Uploads,
        Measure::Attendance,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Contacts => "contacten",
            Measure::Bookings => "afspraken",
            Measure::Messages => "berichten",
            Measure::Uploads => "documenten",
            Measure::Attendance => "opkomst",
        }
    }
}

/// One local week: its Monday and the instants it spans.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Week {
    pub monday: Date,
    pub from: Timestamp,
    pub until: Timestamp,
}

/// The `count` weeks up to and including the one `now` falls in, oldest first. Each starts at Monday 00:00
/// local time, so a week with a clock change is 167 or 169 hours long.
pub fn weeks(tz: &TimeZone, now: Timestamp, count: i64) -> Result<Vec<Week>, jiff::Error> {
    let today = now.to_zoned(tz.clone()).date();
    let this_monday =
        today.checked_sub(i64::from(today.weekday().to_monday_zero_offset()).days())?;
    let mut out = Vec::new();
    for back in (0..count).rev() {
        let monday = this_monday.checked_sub((back * 7).days())?;
        let next = monday.checked_add(7.days())?;
        out.push(Week {
            monday,
            from: monday.to_zoned(tz.clone())?.timestamp(),
            until: next.to_zoned(tz.clone())?.timestamp(),
        });
    }
    debug_assert!(out.iter().all(|w| w.monday.weekday() == Weekday::Monday));
    Ok(out)
}

/// One figure of the report.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Figure {
    pub week: Date,
    pub measure: Measure,
    pub category: String,
    pub detail: String,
    pub count: i64,
}

/// The figures for `weeks` in municipality `m`, by week, then measure, then category and detail. `now`
/// decides which appointments have ended (attendance counts only those).
pub async fn figures(
    db: &Db,
    m: &str,
    weeks: &[Week],
    now: Timestamp,
) -> Result<Vec<Figure>, StaffError> {
    let mut out = Vec::new();
    for week in weeks {
        let (from, until) = (week.from.as_millisecond(), week.until.as_millisecond());
        let queries: [(Measure, &str); 5] = [
            (
                Measure::Contacts,
                "SELECT COALESCE(reason, 'zonder-reden'), channel, COUNT(*) FROM contact_moment
                 WHERE municipality_id = $1 AND occurred_at_ms >= $2 AND occurred_at_ms < $3
                 GROUP BY COALESCE(reason, 'zonder-reden'), channel",
            ),
            (
                Measure::Bookings,
                "SELECT booked_via, service_id, COUNT(*) FROM appointment
                 WHERE municipality_id = $1 AND created_at_ms >= $2 AND created_at_ms < $3
                 GROUP BY booked_via, service_id",
            ),
            (
                Measure::Messages,
                "SELECT channel, outcome, COUNT(*) FROM (
                     SELECT channel,
                            CASE WHEN delivered_at_ms IS NOT NULL THEN 'delivered'
                                 WHEN status IN ('queued', 'sending') THEN 'pending'
                                 ELSE status END AS outcome
                     FROM notification_message
                     WHERE municipality_id = $1 AND created_at_ms >= $2 AND created_at_ms < $3) m
                 GROUP BY channel, outcome",
            ),
            (
                Measure::Uploads,
                "SELECT target, service, COUNT(*) FROM (
                     SELECT CASE WHEN appointment_id IS NOT NULL THEN 'appointment' ELSE 'case' END AS target, service
                     FROM document
                     WHERE municipality_id = $1 AND created_at_ms >= $2 AND created_at_ms < $3) d
                 GROUP BY target, service",
            ),
            (
                Measure::Attendance,
                "SELECT service_id, attended, COUNT(*) FROM (
                     SELECT service_id,
                            CASE WHEN checked_in_at_ms IS NULL THEN 'not-checked-in' ELSE 'checked-in' END AS attended
                     FROM appointment
                     WHERE municipality_id = $1 AND start_ms >= $2 AND start_ms < $3 AND status = 'booked'
                       AND end_ms <= $4) a
                 GROUP BY service_id, attended",
            ),
        ];
        for (measure, sql) in queries {
            let query = sqlx::query_as(sql).bind(m).bind(from).bind(until);
            // Only the attendance query asks when "now" is (PostgreSQL refuses a parameter it cannot type).
            let query = if measure == Measure::Attendance {
                query.bind(now.as_millisecond())
            } else {
                query
            };
            let rows: Vec<(String, String, i64)> = query.fetch_all(&db.pool).await?;
            out.extend(rows.into_iter().map(|(category, detail, count)| Figure {
                week: week.monday,
                measure,
                category,
                detail,
                count,
            }));
        }
    }
    out.sort();
    Ok(out)
}

/// The figures as CSV (RFC 4180: a header line; a value with a comma, quote or line break is quoted).
pub fn csv(figures: &[Figure]) -> String {
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    // Writing into memory fails only on a broken `Write`, which a Vec is not; a failed row is left out.
    let _ = out.write_record(["week", "maat", "categorie", "detail", "aantal"]);
    for f in figures {
        let week = f.week.to_string();
        let count = f.count.to_string();
        let _ = out.write_record([
            week.as_str(),
            f.measure.as_str(),
            f.category.as_str(),
            f.detail.as_str(),
            count.as_str(),
        ]);
    }
    out.into_inner()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_run_monday_to_monday_local_time_even_across_a_clock_change() {
        let tz = TimeZone::get("Europe/Amsterdam").unwrap();
        // Wednesday 1 April 2026; summer time began on Sunday 29 March.
        let now: Timestamp = "2026-04-01T10:00:00Z".parse().unwrap();
        let weeks = weeks(&tz, now, 2).unwrap();
        assert_eq!(weeks[0].monday.to_string(), "2026-03-23");
        assert_eq!(weeks[1].monday.to_string(), "2026-03-30");
        assert_eq!(weeks[0].from.to_string(), "2026-03-22T23:00:00Z");
        // The week with the clock change is an hour short, and the next begins where it ends.
        assert_eq!(weeks[0].until, weeks[1].from);
        assert_eq!(weeks[1].from.to_string(), "2026-03-29T22:00:00Z");
        assert_eq!(weeks[0].until.duration_since(weeks[0].from).as_hours(), 167);
    }

    #[test]
    fn csv_quotes_only_what_needs_it() {
        let figures = [Figure {
            week: "2026-03-30".parse().unwrap(),
            measure: Measure::Contacts,
            category: String::from("overig"),
            detail: String::from("a,b"),
            count: 3,
        }];
        assert_eq!(
            csv(&figures),
            "week,maat,categorie,detail,aantal\r\n2026-03-30,contacten,overig,\"a,b\",3\r\n"
        );
    }
}
