//! The scheduling engine: which start times a resource offers, computed in the municipality's time zone.
//!
//! Opening hours are local wall-clock times. A day's open spans are the week's hours for that weekday, plus
//! extra hours, minus closures ([`Opening::spans`]). Slots follow each other from the start of a span, each
//! taking the buffer before, the appointment and the buffer after, and must end (with the buffer after) within
//! the span. Every slot is turned into an instant with the time zone's rules:
//!
//! - **Spring forward** (the clock jumps from 02:00 to 03:00): a wall time in the gap does not exist; no slot.
//! - **Autumn** (02:00–03:00 happens twice): a wall time that occurs twice is offered once, at its **first**
//!   occurrence (still summer time). A slot during which the clock changes (its wall-clock length would differ
//!   from its real length) is not offered at all, so what the resident reads on the card is what happens.
//!
//! All instants are UTC [`Timestamp`]s; the local time is kept alongside only to show it.

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp};

/// Minutes since local midnight, `[from, to)`; `to` may be 1440 (midnight at the end of the day).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    pub from: i32,
    pub to: i32,
}

impl Span {
    /// Parses `"HH:MM"`–`"HH:MM"`; `None` unless both are valid and the span is not empty.
    pub fn parse(opens: &str, closes: &str) -> Option<Span> {
        let span = Span {
            from: minutes(opens)?,
            to: minutes(closes)?,
        };
        (span.from < span.to).then_some(span)
    }
}

/// `"HH:MM"` → minutes since midnight (`"24:00"` allowed as an end).
pub fn minutes(value: &str) -> Option<i32> {
    let (h, m) = value.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    let total = h * 60 + m;
    ((0..24).contains(&h) && (0..60).contains(&m) || total == 1440).then_some(total)
}

/// Minutes since midnight → `"HH:MM"`.
pub fn hhmm(minutes: i32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeekRule {
    pub weekday: Weekday,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exception {
    /// Closed the whole day (a holiday): the week's hours do not apply; extra hours on that date still do.
    ClosedAllDay(Date),
    /// Closed for part of the day.
    Closed(Date, Span),
    /// Open beyond the week's hours.
    Open(Date, Span),
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Opening {
    pub week: Vec<WeekRule>,
    pub exceptions: Vec<Exception>,
}

impl Opening {
    /// The open spans of one local date: sorted, merged, with closures cut out.
    pub fn spans(&self, date: Date) -> Vec<Span> {
        let closed_all_day = self
            .exceptions
            .iter()
            .any(|e| matches!(e, Exception::ClosedAllDay(d) if *d == date));
        let mut spans: Vec<Span> = self
            .week
            .iter()
            .filter(|rule| !closed_all_day && rule.weekday == date.weekday())
            .map(|rule| rule.span)
            .chain(self.exceptions.iter().filter_map(|e| match e {
                Exception::Open(d, span) if *d == date => Some(*span),
                _ => None,
            }))
            .collect();
        spans.sort();
        let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
        for span in spans {
            match merged.last_mut() {
                Some(last) if span.from <= last.to => last.to = last.to.max(span.to),
                _ => merged.push(span),
            }
        }
        for closed in self.exceptions.iter().filter_map(|e| match e {
            Exception::Closed(d, span) if *d == date => Some(*span),
            _ => None,
        }) {
            merged = merged
                .into_iter()
                .flat_map(|open| {
                    let before = Span {
                        from: open.from,
                        to: open.to.min(closed.from),
                    };
                    let after = Span {
                        from: open.from.max(closed.to),
                        to: open.to,
                    };
                    [before, after].into_iter().filter(|s| s.from < s.to)
                })
                .collect();
        }
        merged
    }
}

/// How a service divides a span: minutes of buffer before, of appointment, and of buffer after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlotShape {
    pub buffer_before: i32,
    pub duration: i32,
    pub buffer_after: i32,
}

impl SlotShape {
    fn step(self) -> i32 {
        (self.buffer_before + self.duration + self.buffer_after).max(1)
    }
}

/// One offered appointment time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    pub start: Timestamp,
    pub end: Timestamp,
    /// What the resident reads: the local date and time of `start`.
    pub local: DateTime,
    /// The time the resource is taken, buffers included.
    pub busy_from: Timestamp,
    pub busy_until: Timestamp,
}

/// The slots of one local date, in order.
pub fn day_slots(tz: &TimeZone, opening: &Opening, date: Date, shape: SlotShape) -> Vec<Slot> {
    slots_in(tz, &opening.spans(date), date, shape)
}

/// The slots of `date` within `spans` (the open spans of that day).
fn slots_in(tz: &TimeZone, spans: &[Span], date: Date, shape: SlotShape) -> Vec<Slot> {
    let mut slots = Vec::new();
    for &span in spans {
        let mut at = span.from;
        while at + shape.step() <= span.to {
            if let Some(slot) = slot_at(tz, date, at + shape.buffer_before, shape) {
                slots.push(slot);
            }
            at += shape.step();
        }
    }
    slots
}

/// The slot starting at `minute` of `date`, if the time zone allows it (see the module's rules).
fn slot_at(tz: &TimeZone, date: Date, minute: i32, shape: SlotShape) -> Option<Slot> {
    let time = Time::new(
        i8::try_from(minute / 60).ok()?,
        i8::try_from(minute % 60).ok()?,
        0,
        0,
    )
    .ok()?;
    let local = date.to_datetime(time);
    let offset = match tz.to_ambiguous_timestamp(local).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset,
        AmbiguousOffset::Fold { before, .. } => before,
        AmbiguousOffset::Gap { .. } => return None,
    };
    let start = offset.to_timestamp(local).ok()?;
    let mins = |m: i32| SignedDuration::from_mins(i64::from(m));
    let end = start.checked_add(mins(shape.duration)).ok()?;
    let busy_from = start.checked_sub(mins(shape.buffer_before)).ok()?;
    let busy_until = end.checked_add(mins(shape.buffer_after)).ok()?;
    // The wall clock must move exactly as long as real time does, for the buffers too.
    let wall = |ts: Timestamp| tz.to_datetime(ts);
    let expected = |m: i32| local.checked_add(mins(m)).ok();
    if Some(wall(end)) != expected(shape.duration)
        || Some(wall(busy_from)) != expected(-shape.buffer_before)
        || Some(wall(busy_until)) != expected(shape.duration + shape.buffer_after)
    {
        return None;
    }
    Some(Slot {
        start,
        end,
        local,
        busy_from,
        busy_until,
    })
}

/// A booking that holds a seat: `[from_ms, until_ms)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Held {
    pub from_ms: i64,
    pub until_ms: i64,
}

/// One seat of a resource with the bookings that hold it, sorted by start.
#[derive(Clone, Debug, Default)]
pub struct SeatDiary {
    pub seat: i64,
    pub staff_only: bool,
    pub held: Vec<Held>,
}

impl SeatDiary {
    /// Whether `[from_ms, until_ms)` overlaps none of the bookings (binary search: bookings of one seat never
    /// overlap each other, so they are sorted by end as well as by start).
    pub fn free(&self, from_ms: i64, until_ms: i64) -> bool {
        let first_ending_after = self.held.partition_point(|h| h.until_ms <= from_ms);
        self.held
            .get(first_ending_after)
            .is_none_or(|h| h.from_ms >= until_ms)
    }
}

/// Who is booking: the contact centre may use seats kept for it; residents may not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    Resident,
    Staff,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Resident => "resident",
            Via::Staff => "staff",
        }
    }

    /// The seats this channel may take, in the order to try them: staff fill their own seats first, so the
    /// seats residents can book stay free for residents as long as possible.
    pub fn seats(self, diaries: &[SeatDiary]) -> Vec<&SeatDiary> {
        let mut seats: Vec<&SeatDiary> = diaries
            .iter()
            .filter(|d| self == Via::Staff || !d.staff_only)
            .collect();
        seats.sort_by_key(|d| (!d.staff_only, d.seat));
        seats
    }
}

/// A resource as the engine sees it.
#[derive(Clone, Debug)]
pub struct ResourcePlan {
    pub id: String,
    pub opening: Opening,
    pub seats: Vec<SeatDiary>,
}

/// A free time and the resource (first in order) that can take it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    pub slot: Slot,
    pub resource_id: String,
}

/// What the engine needs besides the resources: the zone, the service's shape and the bookable window.
#[derive(Clone, Debug)]
pub struct Window {
    pub tz: TimeZone,
    pub shape: SlotShape,
    /// No slot starts before this (now + minimum notice) …
    pub earliest: Timestamp,
    /// … or after this (now + horizon).
    pub latest: Timestamp,
    pub via: Via,
}

/// The free times of `dates`, over all resources: a time is offered once, with the first resource in order
/// that has it on its grid and a free seat for it.
pub fn offers(window: &Window, resources: &[ResourcePlan], dates: &[Date]) -> Vec<Offer> {
    // The seats each resource gives this channel, in the order to try them: once, not once a day.
    let seats: Vec<Vec<&SeatDiary>> = resources
        .iter()
        .map(|resource| window.via.seats(&resource.seats))
        .collect();
    let mut offers: Vec<Offer> = Vec::new();
    for date in dates {
        // Desks mostly share their hours: slots (and their time-zone arithmetic) once per distinct set of
        // spans; `set_of[r]` is resource r's set.
        let mut span_sets: Vec<Vec<Span>> = Vec::new();
        let mut set_of: Vec<usize> = Vec::with_capacity(resources.len());
        for resource in resources {
            let spans = resource.opening.spans(*date);
            let index = match span_sets.iter().position(|known| *known == spans) {
                Some(index) => index,
                None => {
                    span_sets.push(spans);
                    span_sets.len() - 1
                }
            };
            set_of.push(index);
        }
        let grids: Vec<Vec<Slot>> = span_sets
            .iter()
            .map(|spans| {
                let mut grid: Vec<Slot> = slots_in(&window.tz, spans, *date, window.shape)
                    .into_iter()
                    .filter(|slot| slot.start >= window.earliest && slot.start <= window.latest)
                    .collect();
                grid.sort_by_key(|slot| slot.start);
                grid
            })
            .collect();
        // Every distinct start of the day, in order; for each, the resources in order until one has a seat.
        let mut starts: Vec<Timestamp> = grids
            .iter()
            .flat_map(|grid| grid.iter().map(|slot| slot.start))
            .collect();
        starts.sort_unstable();
        starts.dedup();
        for start in starts {
            for (r, resource) in resources.iter().enumerate() {
                let grid = &grids[set_of[r]];
                let Ok(at) = grid.binary_search_by_key(&start, |slot| slot.start) else {
                    continue;
                };
                let slot = &grid[at];
                let (from, until) = (
                    slot.busy_from.as_millisecond(),
                    slot.busy_until.as_millisecond(),
                );
                if seats[r].iter().any(|seat| seat.free(from, until)) {
                    offers.push(Offer {
                        slot: slot.clone(),
                        resource_id: resource.id.clone(),
                    });
                    break;
                }
            }
        }
    }
    offers
}

/// The local dates from `from` to `to` (inclusive).
pub fn dates_between(from: Date, to: Date) -> Vec<Date> {
    let mut dates = Vec::new();
    let mut date = from;
    while date <= to {
        dates.push(date);
        match date.tomorrow() {
            Ok(next) => date = next,
            Err(_) => break,
        }
    }
    dates
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn amsterdam() -> TimeZone {
        TimeZone::get("Europe/Amsterdam").unwrap()
    }

    fn span(opens: &str, closes: &str) -> Span {
        Span::parse(opens, closes).unwrap()
    }

    fn weekdays(spans: &[(&str, &str)]) -> Opening {
        let mut week = Vec::new();
        for weekday in [
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
            Weekday::Saturday,
            Weekday::Sunday,
        ] {
            for (o, c) in spans {
                week.push(WeekRule {
                    weekday,
                    span: span(o, c),
                });
            }
        }
        Opening {
            week,
            exceptions: Vec::new(),
        }
    }

    /// Every slot from 2024 to 2035 against the opening rules, for shapes and hours that touch both DST
    /// changes: the local start lies in an open span, the slot (with buffers) ends inside it on the wall clock,
    /// the wall clock and real time agree on its length, no start lies in a gap, and a wall time that occurs
    /// twice is offered once, at its first occurrence.
    #[test]
    fn every_slot_from_2024_to_2035_matches_the_opening_rules_in_amsterdam() {
        let tz = amsterdam();
        let cases = [
            (
                weekdays(&[("08:30", "12:00"), ("13:00", "17:00")]),
                SlotShape {
                    buffer_before: 0,
                    duration: 15,
                    buffer_after: 0,
                },
            ),
            (
                weekdays(&[("00:00", "24:00")]),
                SlotShape {
                    buffer_before: 5,
                    duration: 20,
                    buffer_after: 5,
                },
            ),
            (
                weekdays(&[("01:15", "03:45")]),
                SlotShape {
                    buffer_before: 0,
                    duration: 30,
                    buffer_after: 0,
                },
            ),
        ];
        let dates = dates_between(date(2024, 1, 1), date(2035, 12, 31));
        let mut gaps_seen = 0;
        let mut folds_seen = 0;
        for (opening, shape) in &cases {
            for day in &dates {
                let slots = day_slots(&tz, opening, *day, *shape);
                let mut seen = std::collections::HashSet::new();
                for slot in &slots {
                    assert_eq!(slot.local.date(), *day);
                    assert_eq!(tz.to_datetime(slot.start), slot.local, "{slot:?}");
                    let start_min =
                        i32::from(slot.local.hour()) * 60 + i32::from(slot.local.minute());
                    assert!(
                        opening
                            .spans(*day)
                            .iter()
                            .any(|s| start_min - shape.buffer_before >= s.from
                                && start_min + shape.duration + shape.buffer_after <= s.to),
                        "{slot:?} outside the opening hours"
                    );
                    assert_eq!(
                        slot.start.duration_until(slot.end).as_mins(),
                        i64::from(shape.duration)
                    );
                    assert!(
                        seen.insert(slot.local),
                        "{:?} offered twice on {day}",
                        slot.local
                    );
                    if let AmbiguousOffset::Fold { before, .. } =
                        tz.to_ambiguous_timestamp(slot.local).offset()
                    {
                        folds_seen += 1;
                        assert_eq!(before.to_timestamp(slot.local).unwrap(), slot.start);
                    }
                }
                // No wall time in the gap is ever offered, and the day is otherwise complete: every grid time
                // that is not in the gap and does not straddle a clock change is there.
                let grid = opening.spans(*day).into_iter().flat_map(|s| {
                    let step = shape.buffer_before + shape.duration + shape.buffer_after;
                    (0..)
                        .map(move |k| s.from + k * step)
                        .take_while(move |m| m + step <= s.to)
                        .map(move |m| m + shape.buffer_before)
                });
                for minute in grid {
                    let local = day.to_datetime(
                        Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0).unwrap(),
                    );
                    let offered = slots.iter().any(|s| s.local == local);
                    match tz.to_ambiguous_timestamp(local).offset() {
                        AmbiguousOffset::Gap { .. } => {
                            gaps_seen += 1;
                            assert!(!offered, "{local} lies in the spring-forward gap");
                        }
                        _ => {
                            let start = tz.to_ambiguous_timestamp(local).compatible().unwrap();
                            let straddles = tz.to_datetime(
                                start
                                    + SignedDuration::from_mins(i64::from(
                                        shape.duration + shape.buffer_after,
                                    )),
                            ) != local
                                .checked_add(SignedDuration::from_mins(i64::from(
                                    shape.duration + shape.buffer_after,
                                )))
                                .unwrap()
                                || tz.to_datetime(
                                    start
                                        - SignedDuration::from_mins(i64::from(shape.buffer_before)),
                                ) != local
                                    .checked_sub(SignedDuration::from_mins(i64::from(
                                        shape.buffer_before,
                                    )))
                                    .unwrap();
                            assert_eq!(offered, !straddles, "{local}");
                        }
                    }
                }
            }
        }
        // The night hours really crossed both changes in every year.
        assert!(gaps_seen >= 12 * 2, "gaps seen: {gaps_seen}");
        assert!(folds_seen >= 12 * 2, "folds seen: {folds_seen}");
    }

    #[test]
    fn the_autumn_hour_is_offered_once_at_its_first_occurrence() {
        let tz = amsterdam();
        // 25 October 2026: 03:00 CEST becomes 02:00 CET.
        let opening = weekdays(&[("01:00", "04:00")]);
        let shape = SlotShape {
            buffer_before: 0,
            duration: 30,
            buffer_after: 0,
        };
        let slots = day_slots(&tz, &opening, date(2026, 10, 25), shape);
        let times: Vec<String> = slots
            .iter()
            .map(|s| format!("{} {}", s.local.time(), s.start))
            .collect();
        assert_eq!(
            times,
            [
                "01:00:00 2026-10-24T23:00:00Z",
                "01:30:00 2026-10-24T23:30:00Z",
                "02:00:00 2026-10-25T00:00:00Z",
                // 02:30 CEST would end at 03:00 CEST = 02:00 CET: the clock changes during it.
                "03:00:00 2026-10-25T02:00:00Z",
                "03:30:00 2026-10-25T02:30:00Z",
            ]
        );
    }

    #[test]
    fn the_spring_gap_offers_nothing() {
        let tz = amsterdam();
        let opening = weekdays(&[("01:00", "04:00")]);
        let shape = SlotShape {
            buffer_before: 0,
            duration: 30,
            buffer_after: 0,
        };
        let locals: Vec<String> = day_slots(&tz, &opening, date(2026, 3, 29), shape)
            .iter()
            .map(|s| s.local.time().to_string())
            .collect();
        assert_eq!(locals, ["01:00:00", "03:00:00", "03:30:00"]);
    }

    #[test]
    fn exceptions_close_days_cut_hours_and_add_hours() {
        let mut opening = weekdays(&[("09:00", "12:00"), ("13:00", "17:00")]);
        let day = date(2026, 12, 24);
        opening
            .exceptions
            .push(Exception::Closed(day, span("11:00", "14:00")));
        opening
            .exceptions
            .push(Exception::Open(day, span("18:00", "20:00")));
        assert_eq!(
            opening.spans(day),
            [
                span("09:00", "11:00"),
                span("14:00", "17:00"),
                span("18:00", "20:00")
            ]
        );
        let christmas = date(2026, 12, 25);
        opening.exceptions.push(Exception::ClosedAllDay(christmas));
        assert!(opening.spans(christmas).is_empty());
        opening
            .exceptions
            .push(Exception::Open(christmas, span("10:00", "11:00")));
        assert_eq!(opening.spans(christmas), [span("10:00", "11:00")]);
        // Overlapping hours merge.
        opening
            .exceptions
            .push(Exception::Open(date(2026, 12, 28), span("11:30", "13:30")));
        assert_eq!(opening.spans(date(2026, 12, 28)), [span("09:00", "17:00")]);
    }

    #[test]
    fn buffers_space_the_slots_and_stay_inside_the_hours() {
        let tz = amsterdam();
        let opening = weekdays(&[("09:00", "10:00")]);
        let shape = SlotShape {
            buffer_before: 5,
            duration: 15,
            buffer_after: 10,
        };
        let slots = day_slots(&tz, &opening, date(2026, 3, 3), shape);
        let shown: Vec<String> = slots
            .iter()
            .map(|s| {
                format!(
                    "{} {}-{}",
                    s.local.time(),
                    tz.to_datetime(s.busy_from).time(),
                    tz.to_datetime(s.busy_until).time()
                )
            })
            .collect();
        assert_eq!(
            shown,
            ["09:05:00 09:00:00-09:30:00", "09:35:00 09:30:00-10:00:00"]
        );
    }

    #[test]
    fn a_seat_is_free_only_between_its_bookings() {
        let diary = SeatDiary {
            seat: 1,
            staff_only: false,
            held: vec![
                Held {
                    from_ms: 100,
                    until_ms: 200,
                },
                Held {
                    from_ms: 300,
                    until_ms: 400,
                },
            ],
        };
        assert!(diary.free(0, 100));
        assert!(diary.free(200, 300));
        assert!(!diary.free(150, 250));
        assert!(!diary.free(250, 301));
        assert!(!diary.free(0, 1000));
        assert!(diary.free(400, 500));
    }

    #[test]
    fn residents_never_get_a_staff_seat_and_staff_fill_their_own_first() {
        let seats = vec![
            SeatDiary {
                seat: 1,
                staff_only: false,
                held: vec![],
            },
            SeatDiary {
                seat: 2,
                staff_only: true,
                held: vec![],
            },
        ];
        let resident: Vec<i64> = Via::Resident.seats(&seats).iter().map(|s| s.seat).collect();
        let staff: Vec<i64> = Via::Staff.seats(&seats).iter().map(|s| s.seat).collect();
        assert_eq!(resident, [1]);
        assert_eq!(staff, [2, 1]);
    }

    #[test]
    fn a_time_is_offered_once_by_the_first_resource_with_it_on_its_grid_and_a_free_seat() {
        let tz = amsterdam();
        let day = date(2026, 3, 10);
        let shape = SlotShape {
            buffer_before: 0,
            duration: 30,
            buffer_after: 0,
        };
        let at = |hhmm: &str| {
            let minute = minutes(hhmm).unwrap();
            slot_at(&tz, day, minute, shape).unwrap()
        };
        let desk = |id: &str, opens: &str, closes: &str, held: Vec<Held>| ResourcePlan {
            id: id.to_owned(),
            opening: weekdays(&[(opens, closes)]),
            seats: vec![SeatDiary {
                seat: 1,
                staff_only: false,
                held,
            }],
        };
        let nine = at("09:00");
        let booked_at_nine = vec![Held {
            from_ms: nine.busy_from.as_millisecond(),
            until_ms: nine.busy_until.as_millisecond(),
        }];
        // A is full at 09:00 and open until 10:00; B (later in order) opens at 09:00 until 11:00.
        let resources = [
            desk("a", "08:00", "10:00", booked_at_nine),
            desk("b", "09:00", "11:00", Vec::new()),
        ];
        let window = Window {
            tz: tz.clone(),
            shape,
            earliest: at("08:30").start,
            latest: at("10:30").start,
            via: Via::Resident,
        };
        let got: Vec<(String, String)> = offers(&window, &resources, &[day])
            .into_iter()
            .map(|o| {
                (
                    o.slot.local.time().to_string()[..5].to_owned(),
                    o.resource_id,
                )
            })
            .collect();
        let want: Vec<(String, String)> = [
            ("08:30", "a"),
            ("09:00", "b"),
            ("09:30", "a"),
            ("10:00", "b"),
            ("10:30", "b"),
        ]
        .iter()
        .map(|(t, r)| ((*t).to_owned(), (*r).to_owned()))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn times_parse_strictly() {
        assert_eq!(minutes("08:30"), Some(510));
        assert_eq!(minutes("24:00"), Some(1440));
        assert_eq!(minutes("24:30"), None);
        assert_eq!(minutes("8:30"), None);
        assert_eq!(minutes("12:60"), None);
        assert_eq!(Span::parse("12:00", "12:00"), None);
        assert_eq!(hhmm(510), "08:30");
    }
}
