import Foundation

/// What a line of a travel plan is.
public enum TravelItemKind: String, Codable, Sendable, CaseIterable {
    case flight, stay, transfer, appointment, other
}

/// A wall-clock date and time without a zone, as an HTML `datetime-local` control sends it (`2027-03-01T14:05`).
public struct LocalDateTime: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    public let year: Int, month: Int, day: Int, hour: Int, minute: Int

    public init?(_ text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        let parts = t.split(separator: "T", omittingEmptySubsequences: false)
        guard parts.count == 2, let date = ISODate.parse(String(parts[0])), ISODate.format(date) == String(parts[0]) else { return nil }
        let hm = parts[1].split(separator: ":", omittingEmptySubsequences: false)
        guard hm.count == 2 || hm.count == 3, hm[0].count == 2, hm[1].count == 2, let h = Int(hm[0]), let m = Int(hm[1]),
              (0...23).contains(h), (0...59).contains(m) else { return nil }
        if hm.count == 3 { guard hm[2] == "00" else { return nil } }
        let ymd = parts[0].split(separator: "-").compactMap { Int($0) }
        guard ymd.count == 3 else { return nil }
        (year, month, day, hour, minute) = (ymd[0], ymd[1], ymd[2], h, m)
    }

    /// `2027-03-01T14:05`.
    public var description: String { String(format: "%04d-%02d-%02dT%02d:%02d", year, month, day, hour, minute) }

    /// The instant this wall-clock time is in `zone`, or nil when it does not exist there (skipped by a
    /// daylight-saving change). A repeated time takes its first occurrence.
    public func instant(in zone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        var comps = DateComponents()
        (comps.year, comps.month, comps.day, comps.hour, comps.minute) = (year, month, day, hour, minute)
        guard let date = calendar.date(from: comps) else { return nil }
        let back = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        guard back.year == year, back.month == month, back.day == day, back.hour == hour, back.minute == minute else { return nil }
        return date
    }
}

/// One line of a patient's travel plan, checked: a flight, a stay, a transfer or an appointment, each with its local
/// start (and end) in its own zone; a flight may end in another zone than it starts.
public struct TravelItem: Sendable, Equatable {
    public static let maxTitle = 200
    public static let maxLocation = 200
    public static let maxDetails = 2_000
    public static let maxReference = 60

    public var kind: TravelItemKind
    public var title: String
    public var start: LocalDateTime
    public var startZone: String
    public var end: LocalDateTime?
    public var endZone: String?
    public var location: String
    public var details: String
    public var bookingReference: String

    public init(kind: TravelItemKind, title: String, start: LocalDateTime, startZone: String, end: LocalDateTime?, endZone: String?,
                location: String, details: String, bookingReference: String) {
        self.kind = kind
        self.title = title
        self.start = start
        self.startZone = startZone
        self.end = end
        self.endZone = endZone
        self.location = location
        self.details = details
        self.bookingReference = bookingReference
    }

    /// The instant it starts.
    public var startsAt: Date { start.instant(in: TimeZone(identifier: startZone)!)! }
    /// The instant it ends (its start when it has no end).
    public var endsAt: Date { end.flatMap { e in TimeZone(identifier: endZone ?? startZone).flatMap { e.instant(in: $0) } } ?? startsAt }

    /// Reads a submitted line; every problem is reported at its field.
    public static func read(_ input: FormInput) -> Result<TravelItem, FormError> {
        var reader = FormReader(input)
        let kind = reader.choice("kind", TravelItemKind.self, required: true)
        let title = reader.text("title", max: maxTitle, required: true)
        let location = reader.text("location", max: maxLocation) ?? ""
        let details = reader.text("details", max: maxDetails) ?? ""
        let bookingReference = reader.text("booking_reference", max: maxReference) ?? ""
        var problems = reader.problems
        func zone(_ name: String, required: Bool) -> String? {
            guard let raw = input[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
                if required { problems.append(FieldProblem(name, .required)) }
                return nil
            }
            guard raw.utf8.count <= 64, TimeZone(identifier: raw) != nil else { problems.append(FieldProblem(name, .invalidTimeZone)); return nil }
            return raw
        }
        func moment(_ name: String, required: Bool) -> LocalDateTime? {
            guard let raw = input[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
                if required { problems.append(FieldProblem(name, .required)) }
                return nil
            }
            guard raw.utf8.count <= 25, let value = LocalDateTime(raw) else { problems.append(FieldProblem(name, .invalidDate)); return nil }
            return value
        }
        let start = moment("start", required: true)
        let startZone = zone("start_zone", required: true)
        let end = moment("end", required: false)
        let endZone = zone("end_zone", required: false)
        if let start, let startZone, start.instant(in: TimeZone(identifier: startZone)!) == nil {
            problems.append(FieldProblem("start", .invalidDate))
        }
        if let end, let zoneID = endZone ?? startZone, let z = TimeZone(identifier: zoneID) {
            if let endInstant = end.instant(in: z) {
                if let start, let startZone, let s = start.instant(in: TimeZone(identifier: startZone)!), endInstant < s {
                    problems.append(FieldProblem("end", .endBeforeStart))
                }
            } else {
                problems.append(FieldProblem("end", .invalidDate))
            }
        }
        guard problems.isEmpty, let kind, let title, let start, let startZone else { return .failure(FormError(problems)) }
        return .success(TravelItem(kind: kind, title: title, start: start, startZone: startZone, end: end, endZone: end == nil ? nil : (endZone ?? startZone),
                                   location: location, details: details, bookingReference: bookingReference))
    }
}

/// A travel plan as one iCalendar file (`METHOD:PUBLISH`): an event per line, each in its own zone(s), with the
/// zones' definitions.
public struct TravelCalendar: Sendable {
    public struct Event: Sendable {
        public let uid: String
        public let item: TravelItem
        public let sequence: Int
        public init(uid: String, item: TravelItem, sequence: Int) {
            self.uid = uid
            self.item = item
            self.sequence = sequence
        }
    }

    public let name: String
    public let events: [Event]
    public let url: String

    public init(name: String, events: [Event], url: String) {
        self.name = name
        self.events = events
        self.url = url
    }

    public func render(stamp: Date) -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//CareAbroad//Travel plan//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
                     "X-WR-CALNAME:\(ICalendarText.escape(name))"]
        var zones: [String: Date] = [:]
        for e in events {
            zones[e.item.startZone] = zones[e.item.startZone] ?? e.item.startsAt
            if let z = e.item.endZone { zones[z] = zones[z] ?? e.item.endsAt }
        }
        for (id, instant) in zones.sorted(by: { $0.key < $1.key }) {
            lines += ICalendarText.timeZone(TimeZone(identifier: id)!, around: instant)
        }
        for e in events {
            let item = e.item
            let startZone = TimeZone(identifier: item.startZone)!
            let endZone = TimeZone(identifier: item.endZone ?? item.startZone)!
            lines += [
                "BEGIN:VEVENT",
                "UID:\(ICalendarText.escape(e.uid))",
                "DTSTAMP:\(ICalendarText.utc(stamp))",
                "SEQUENCE:\(e.sequence)",
                "DTSTART;TZID=\(startZone.identifier):\(ICalendarText.local(item.startsAt, startZone))",
                "DTEND;TZID=\(endZone.identifier):\(ICalendarText.local(item.end == nil ? item.startsAt.addingTimeInterval(3_600) : item.endsAt, endZone))",
                "SUMMARY:\(ICalendarText.escape(item.title))",
            ]
            if !item.location.isEmpty { lines.append("LOCATION:\(ICalendarText.escape(item.location))") }
            let description = [item.details, item.bookingReference.isEmpty ? "" : "Booking reference: \(item.bookingReference)"]
                .filter { !$0.isEmpty }.joined(separator: "\n")
            if !description.isEmpty { lines.append("DESCRIPTION:\(ICalendarText.escape(description))") }
            lines += ["CATEGORIES:\(item.kind.rawValue.uppercased())", "URL:\(url)", "TRANSP:\(item.kind == .stay ? "TRANSPARENT" : "OPAQUE")", "END:VEVENT"]
        }
        lines.append("END:VCALENDAR")
        return lines.map(ICalendarText.fold).joined(separator: "\r\n") + "\r\n"
    }
}
