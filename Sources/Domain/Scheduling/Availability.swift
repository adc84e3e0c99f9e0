import Foundation

/// A time of day as a practice writes its hours: minutes after local midnight (`09:30` is 570).
public struct LocalTime: Sendable, Equatable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let minutes: Int

    public init?(minutes: Int) {
        guard (0...(24 * 60)).contains(minutes) else { return nil }
        self.minutes = minutes
    }

    /// `HH:MM`, 00:00 to 24:00.
    public init?(_ text: String) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
              (0...24).contains(h), (0...59).contains(m), h < 24 || m == 0 else { return nil }
        self.init(minutes: h * 60 + m)
    }

    public var hour: Int { minutes / 60 }
    public var minute: Int { minutes % 60 }
    public var description: String { String(format: "%02d:%02d", hour, minute) }
    public static func < (a: Self, b: Self) -> Bool { a.minutes < b.minutes }
}

/// Opening hours on one weekday (ISO: 1 is Monday, 7 is Sunday), in the practice's own time zone.
public struct WeeklyHours: Sendable, Equatable, Hashable, Codable {
    public let weekday: Int
    public let start: LocalTime
    public let end: LocalTime

    public init(weekday: Int, start: LocalTime, end: LocalTime) {
        self.weekday = weekday
        self.start = start
        self.end = end
    }
}

/// A change for one local date: closed all day (a holiday, a blocked day), or extra hours.
public struct AvailabilityException: Sendable, Equatable, Hashable, Codable {
    public enum Kind: Sendable, Equatable, Hashable, Codable {
        case closed
        case extra(start: LocalTime, end: LocalTime)
    }

    /// `YYYY-MM-DD` in the practice's time zone.
    public let date: String
    public let kind: Kind

    public init(date: String, kind: Kind) {
        self.date = date
        self.kind = kind
    }
}

/// A bookable interval, as instants (the same moment for both sides, whatever their time zones).
public struct Slot: Sendable, Equatable, Hashable, Comparable {
    public let start: Date
    public let end: Date
    public init(start: Date, end: Date) {
        self.start = start
        self.end = end
    }
    public static func < (a: Self, b: Self) -> Bool { a.start < b.start }
}

/// A practice's published availability for video consultations: weekly hours in its own IANA time zone, exceptions,
/// a slot length and a notice period. Slots are derived from it, never stored, so a change of hours applies at once;
/// a booking is what makes a slot taken (the database's unique constraint decides between two patients).
public struct Availability: Sendable, Equatable, Codable {
    public var timeZone: String
    public var weekly: [WeeklyHours]
    public var exceptions: [AvailabilityException]
    public var slotMinutes: Int
    public var noticeMinutes: Int

    public init(timeZone: String, weekly: [WeeklyHours], exceptions: [AvailabilityException] = [], slotMinutes: Int, noticeMinutes: Int) {
        self.timeZone = timeZone
        self.weekly = weekly
        self.exceptions = exceptions
        self.slotMinutes = slotMinutes
        self.noticeMinutes = noticeMinutes
    }

    public static let slotRange = 10...240
    public static let noticeRange = 0...(30 * 24 * 60)

    /// Problems at their fields: an unknown zone, a window that ends before it starts or overlaps another one of the
    /// same day, a bad slot length or notice, an exception on a date that does not exist.
    public func problems() -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if TimeZone(identifier: timeZone) == nil || timeZone.count > 64 { problems.append(FieldProblem("time_zone", .invalidTimeZone)) }
        if !Self.slotRange.contains(slotMinutes) {
            problems.append(FieldProblem("slot_minutes", .outOfRange(min: Self.slotRange.lowerBound, max: Self.slotRange.upperBound)))
        }
        if !Self.noticeRange.contains(noticeMinutes) {
            problems.append(FieldProblem("notice_minutes", .outOfRange(min: Self.noticeRange.lowerBound, max: Self.noticeRange.upperBound)))
        }
        for (i, w) in weekly.enumerated() {
            if !(1...7).contains(w.weekday) { problems.append(FieldProblem("weekly[\(i)].weekday", .unknownValue)) }
            if w.end <= w.start { problems.append(FieldProblem("weekly[\(i)].end", .endBeforeStart)) }
        }
        for day in 1...7 {
            let windows = weekly.enumerated().filter { $0.element.weekday == day && $0.element.start < $0.element.end }
                .sorted { $0.element.start < $1.element.start }
            for (a, b) in zip(windows, windows.dropFirst()) where b.element.start < a.element.end {
                problems.append(FieldProblem("weekly[\(b.offset)].start", .overlaps))
            }
        }
        for (i, e) in exceptions.enumerated() {
            guard let day = ISODate.parse(e.date) else { problems.append(FieldProblem("exceptions[\(i)].date", .invalidDate)); continue }
            guard case .extra(let s, let end) = e.kind else { continue }
            if end <= s { problems.append(FieldProblem("exceptions[\(i)].end", .endBeforeStart)); continue }
            // Extra hours may not overlap that day's weekly hours, nor other extra hours of the same date: two
            // windows that overlap would offer slots that overlap.
            let isoWeekday = ((ISODate.utcCalendar.component(.weekday, from: day)) + 5) % 7 + 1
            let closed = exceptions.contains { $0.date == e.date && $0.kind == .closed }
            let weeklyClash = !closed && weekly.contains { $0.weekday == isoWeekday && $0.start < end && s < $0.end }
            let extraClash = exceptions[..<i].contains { other in
                if other.date == e.date, case .extra(let os, let oe) = other.kind { return os < end && s < oe }
                return false
            }
            if weeklyClash || extraClash { problems.append(FieldProblem("exceptions[\(i)].start", .overlaps)) }
        }
        return problems
    }

    /// The free slots whose start lies in `from..<to`: never in the past or inside the notice period after `now`,
    /// never one in `taken`. A local time that a daylight-saving change skips has no slot; one it repeats has one.
    public func slots(from: Date, to: Date, now: Date, taken: Set<Date> = []) -> [Slot] {
        guard let zone = TimeZone(identifier: timeZone), Self.slotRange.contains(slotMinutes), from < to else { return [] }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let earliest = max(from, now.addingTimeInterval(TimeInterval(noticeMinutes * 60)))
        let exceptionsByDate = Dictionary(grouping: exceptions, by: \.date)
        var result: [Slot] = []
        var seen = Set<Date>()
        // Walk local dates from the day before `from` to the day after `to` (a slot's local date can differ from UTC's).
        guard var day = calendar.date(byAdding: .day, value: -1, to: calendar.startOfDay(for: from)) else { return [] }
        let lastDay = calendar.startOfDay(for: to.addingTimeInterval(86_400))
        var guardDays = 0
        while day <= lastDay && guardDays < 400 {
            guardDays += 1
            let c = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
            let key = String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
            let isoWeekday = ((c.weekday ?? 1) + 5) % 7 + 1 // Calendar: 1 is Sunday; ISO: 7 is Sunday
            let dayExceptions = exceptionsByDate[key] ?? []
            var windows: [(LocalTime, LocalTime)] = []
            if !dayExceptions.contains(where: { $0.kind == .closed }) {
                windows = weekly.filter { $0.weekday == isoWeekday }.map { ($0.start, $0.end) }
            }
            for e in dayExceptions { if case .extra(let s, let end) = e.kind { windows.append((s, end)) } }
            for (start, end) in windows {
                var m = start.minutes
                while m + slotMinutes <= end.minutes {
                    if let instant = Self.instant(year: c.year ?? 0, month: c.month ?? 0, day: c.day ?? 0, minutes: m, calendar: calendar),
                       instant >= earliest, instant < to, !taken.contains(instant), seen.insert(instant).inserted {
                        result.append(Slot(start: instant, end: instant.addingTimeInterval(TimeInterval(slotMinutes * 60))))
                    }
                    m += slotMinutes
                }
            }
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = next
        }
        return result.sorted()
    }

    /// The instant of a local wall-clock time, or nil when that time does not exist on that date (skipped by a
    /// daylight-saving change). For a repeated time the first occurrence is taken.
    static func instant(year: Int, month: Int, day: Int, minutes: Int, calendar: Calendar) -> Date? {
        var comps = DateComponents()
        comps.year = year; comps.month = month; comps.day = day
        comps.hour = minutes / 60; comps.minute = minutes % 60
        if minutes == 24 * 60 { comps.hour = 23; comps.minute = 59 } // a window may end at 24:00; a slot never starts there
        guard let date = calendar.date(from: comps) else { return nil }
        let back = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        guard back.year == year, back.month == month, back.day == day, back.hour == comps.hour, back.minute == comps.minute else { return nil }
        return date
    }
}

/// How a slot is shown to a patient: in their own zone, with the zone named, and the provider's local time beside it.
public enum SlotLabel {
    /// `Sat 28 Mar 2026, 05:00 (America/New_York) · 10:00 in Europe/Brussels`; the provider's date is added when it
    /// differs from the patient's.
    public static func text(_ slot: Slot, patientZone: String, providerZone: String) -> String {
        let patient = local(slot.start, patientZone)
        let provider = local(slot.start, providerZone)
        let providerPart = patient.date == provider.date ? provider.time : "\(provider.date), \(provider.time)"
        return "\(patient.date), \(patient.time) (\(patientZone)) · \(providerPart) in \(providerZone)"
    }

    public static func local(_ instant: Date, _ zoneID: String) -> (date: String, time: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zoneID) ?? TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: instant)
        let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let date = "\(weekdays[(c.weekday ?? 1) - 1]) \(c.day ?? 0) \(months[(c.month ?? 1) - 1]) \(c.year ?? 0)"
        return (date, String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0))
    }
}
