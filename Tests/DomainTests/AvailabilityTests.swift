import Foundation
import Testing
@testable import Domain

private func t(_ s: String) -> LocalTime { LocalTime(s)! }

/// An instant from a local wall-clock time in `zone` (the test's own conversion, through Foundation).
private func at(_ zone: String, _ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int) -> Date {
    var c = Calendar(identifier: .gregorian)
    c.timeZone = TimeZone(identifier: zone)!
    return c.date(from: DateComponents(year: y, month: mo, day: d, hour: h, minute: mi))!
}

private func localTimes(_ slots: [Slot], _ zone: String) -> [String] {
    var c = Calendar(identifier: .gregorian)
    c.timeZone = TimeZone(identifier: zone)!
    return slots.map { s in
        let x = c.dateComponents([.hour, .minute], from: s.start)
        return String(format: "%02d:%02d", x.hour!, x.minute!)
    }
}

private let everyDay = (1...7).map { WeeklyHours(weekday: $0, start: t("09:00"), end: t("12:00")) }
private let longAgo = Date(timeIntervalSince1970: 0)

@Suite("Availability and slots across time zones")
struct AvailabilityTests {
    /// The spring and autumn changes of 2026 in three zones, and a zone that has none.
    static let changes: [(zone: String, spring: (Int, Int, Int), autumn: (Int, Int, Int))] = [
        ("Europe/Brussels", (2026, 3, 29), (2026, 10, 25)),
        ("America/New_York", (2026, 3, 8), (2026, 11, 1)),
        ("Australia/Sydney", (2026, 10, 4), (2026, 4, 5)),  // southern hemisphere: spring in October
        ("Asia/Tokyo", (2026, 3, 29), (2026, 10, 25)),        // no daylight saving: the same dates as a control
    ]

    @Test("Office hours give the same wall-clock slots on the day before, of and after each change", arguments: changes.map(\.zone))
    func wallClockStable(_ zone: String) throws {
        let change = try #require(Self.changes.first { $0.zone == zone })
        let a = Availability(timeZone: zone, weekly: everyDay, slotMinutes: 30, noticeMinutes: 0)
        for (y, m, d) in [change.spring, change.autumn] {
            for offset in -1...1 {
                let dayStart = at(zone, y, m, d + offset, 0, 0)
                let slots = a.slots(from: dayStart, to: dayStart.addingTimeInterval(20 * 3600), now: longAgo)
                #expect(localTimes(slots, zone) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"], "\(zone) \(y)-\(m)-\(d + offset)")
                #expect(slots.allSatisfy { $0.end.timeIntervalSince($0.start) == 1_800 })
            }
        }
    }

    @Test("Hours across the change itself: a skipped local time has no slot, a repeated one has exactly one")
    func acrossTheChange() {
        let zone = "Europe/Brussels"
        let night = [WeeklyHours(weekday: 7, start: t("01:00"), end: t("04:00"))] // both changes fall on a Sunday
        let a = Availability(timeZone: zone, weekly: night, slotMinutes: 30, noticeMinutes: 0)
        let spring = a.slots(from: at(zone, 2026, 3, 29, 0, 0), to: at(zone, 2026, 3, 29, 12, 0), now: longAgo)
        #expect(localTimes(spring, zone) == ["01:00", "01:30", "03:00", "03:30"]) // 02:00–03:00 does not exist that night
        let autumn = a.slots(from: at(zone, 2026, 10, 25, 0, 0), to: at(zone, 2026, 10, 25, 12, 0), now: longAgo)
        #expect(localTimes(autumn, zone) == ["01:00", "01:30", "02:00", "02:30", "03:00", "03:30"])
        #expect(Set(autumn.map(\.start)).count == autumn.count)
        #expect(autumn == autumn.sorted())
    }

    @Test("The patient sees the slot in their own zone, named, with the provider's time beside it, through both sides' changes")
    func patientView() {
        // 28 March 2026: New York is already on summer time, Brussels not yet: 5 hours apart instead of 6.
        let a = Availability(timeZone: "Europe/Brussels", weekly: everyDay, slotMinutes: 60, noticeMinutes: 0)
        let before = a.slots(from: at("Europe/Brussels", 2026, 3, 28, 0, 0), to: at("Europe/Brussels", 2026, 3, 29, 0, 0), now: longAgo)
        #expect(SlotLabel.text(before[1], patientZone: "America/New_York", providerZone: "Europe/Brussels")
                == "Sat 28 Mar 2026, 05:00 (America/New_York) · 10:00 in Europe/Brussels")
        // 30 March: both on summer time, 6 hours apart again.
        let after = a.slots(from: at("Europe/Brussels", 2026, 3, 30, 0, 0), to: at("Europe/Brussels", 2026, 3, 31, 0, 0), now: longAgo)
        #expect(SlotLabel.text(after[1], patientZone: "America/New_York", providerZone: "Europe/Brussels")
                == "Mon 30 Mar 2026, 04:00 (America/New_York) · 10:00 in Europe/Brussels")
        // Sydney is on another date: the provider's date is named too.
        #expect(SlotLabel.text(after[0], patientZone: "Australia/Sydney", providerZone: "Europe/Brussels")
                == "Mon 30 Mar 2026, 18:00 (Australia/Sydney) · 09:00 in Europe/Brussels")
        #expect(SlotLabel.text(after[0], patientZone: "Pacific/Honolulu", providerZone: "Europe/Brussels")
                == "Sun 29 Mar 2026, 21:00 (Pacific/Honolulu) · Mon 30 Mar 2026, 09:00 in Europe/Brussels")
    }

    @Test("No slot in the past, inside the notice period, or already taken; exceptions close days and add hours")
    func filters() {
        let zone = "Europe/Brussels"
        var a = Availability(timeZone: zone, weekly: everyDay, slotMinutes: 30, noticeMinutes: 24 * 60)
        let now = at(zone, 2026, 6, 1, 10, 10) // Monday
        let week = a.slots(from: at(zone, 2026, 6, 1, 0, 0), to: at(zone, 2026, 6, 4, 0, 0), now: now)
        // Monday is past or inside 24 h; Tuesday from 10:30 on; all of Wednesday.
        #expect(week.first?.start == at(zone, 2026, 6, 2, 10, 30))
        #expect(week.count == 3 + 6)
        let taken: Set<Date> = [at(zone, 2026, 6, 3, 9, 0)]
        #expect(a.slots(from: at(zone, 2026, 6, 3, 0, 0), to: at(zone, 2026, 6, 4, 0, 0), now: now, taken: taken).count == 5)
        a.exceptions = [AvailabilityException(date: "2026-06-03", kind: .closed),
                        AvailabilityException(date: "2026-06-06", kind: .extra(start: t("14:00"), end: t("15:00")))]
        #expect(a.slots(from: at(zone, 2026, 6, 3, 0, 0), to: at(zone, 2026, 6, 4, 0, 0), now: now).isEmpty)
        #expect(localTimes(a.slots(from: at(zone, 2026, 6, 6, 0, 0), to: at(zone, 2026, 6, 7, 0, 0), now: now), zone)
                == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "14:00", "14:30"])
    }

    @Test("Availability that overlaps itself, names an unknown zone or has impossible values is refused at the field")
    func validation() {
        func fields(_ a: Availability) -> Set<String> { Set(a.problems().map(\.field)) }
        #expect(fields(Availability(timeZone: "Europe/Brussels", weekly: everyDay, slotMinutes: 30, noticeMinutes: 60)).isEmpty)
        #expect(fields(Availability(timeZone: "Europe/Atlantis", weekly: everyDay, slotMinutes: 30, noticeMinutes: 60)) == ["time_zone"])
        let overlapping = [WeeklyHours(weekday: 1, start: t("09:00"), end: t("12:00")), WeeklyHours(weekday: 1, start: t("11:30"), end: t("13:00")),
                           WeeklyHours(weekday: 2, start: t("12:00"), end: t("13:00")), WeeklyHours(weekday: 2, start: t("09:00"), end: t("12:00"))]
        let problems = Availability(timeZone: "UTC", weekly: overlapping, slotMinutes: 30, noticeMinutes: 0).problems()
        #expect(problems == [FieldProblem("weekly[1].start", .overlaps)]) // touching windows (12:00–12:00) do not overlap
        #expect(fields(Availability(timeZone: "UTC", weekly: [WeeklyHours(weekday: 8, start: t("10:00"), end: t("09:00"))], slotMinutes: 5,
                                    noticeMinutes: -1)) == ["weekly[0].weekday", "weekly[0].end", "slot_minutes", "notice_minutes"])
        #expect(fields(Availability(timeZone: "UTC", weekly: [], exceptions: [AvailabilityException(date: "2026-02-30", kind: .closed)],
                                    slotMinutes: 30, noticeMinutes: 0)) == ["exceptions[0].date"])
        #expect(LocalTime("24:00")?.minutes == 1_440 && LocalTime("24:30") == nil && LocalTime("9:00") == nil)
    }

    @Test("Extra hours may not overlap the day's weekly hours or other extra hours of that date; on a closed day they may")
    func extraHoursOverlap() {
        // 2026-12-07 is a Monday.
        let monday = [WeeklyHours(weekday: 1, start: t("09:00"), end: t("12:00"))]
        func problems(_ e: [AvailabilityException]) -> [FieldProblem] {
            Availability(timeZone: "UTC", weekly: monday, exceptions: e, slotMinutes: 30, noticeMinutes: 0).problems()
        }
        #expect(problems([AvailabilityException(date: "2026-12-07", kind: .extra(start: t("09:15"), end: t("10:15")))])
                == [FieldProblem("exceptions[0].start", .overlaps)])
        #expect(problems([AvailabilityException(date: "2026-12-07", kind: .extra(start: t("12:00"), end: t("13:00")))]).isEmpty)
        #expect(problems([AvailabilityException(date: "2026-12-08", kind: .extra(start: t("09:15"), end: t("10:15")))]).isEmpty)
        #expect(problems([AvailabilityException(date: "2026-12-07", kind: .closed),
                          AvailabilityException(date: "2026-12-07", kind: .extra(start: t("09:15"), end: t("10:15")))]).isEmpty)
        #expect(problems([AvailabilityException(date: "2026-12-08", kind: .extra(start: t("14:00"), end: t("16:00"))),
                          AvailabilityException(date: "2026-12-08", kind: .extra(start: t("15:00"), end: t("17:00")))])
                == [FieldProblem("exceptions[1].start", .overlaps)])
    }
}
