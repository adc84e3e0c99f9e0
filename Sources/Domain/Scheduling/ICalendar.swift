import Foundation

/// An appointment as an iCalendar object (RFC 5545) that calendar apps import: `METHOD:REQUEST` for a booking or a
/// reschedule (with a higher `SEQUENCE`), `METHOD:CANCEL` for a cancellation. Times are written in the provider's
/// IANA zone with a `VTIMEZONE` built from that zone's own transitions, so each side's calendar shows the right
/// local time on both sides of a daylight-saving change.
///
/// Written here because no package available to the project writes iCalendar; it is text with a few rules
/// (escaping, CRLF, folding at 75 octets) that the tests check.
public struct CalendarInvite: Sendable, Equatable {
    public enum Method: String, Sendable { case request = "REQUEST", cancel = "CANCEL" }

    public var uid: String
    public var sequence: Int
    public var method: Method
    public var start: Date
    public var end: Date
    /// The zone the times are written in (the provider's).
    public var timeZone: String
    public var summary: String
    public var description: String
    /// The appointment's page (the video link itself is shown there, to the two parties, shortly before the start).
    public var url: String
    public var organizer: (name: String, email: String)
    public var attendee: (name: String, email: String)

    public init(uid: String, sequence: Int, method: Method, start: Date, end: Date, timeZone: String, summary: String, description: String,
                url: String, organizer: (name: String, email: String), attendee: (name: String, email: String)) {
        self.uid = uid; self.sequence = sequence; self.method = method; self.start = start; self.end = end; self.timeZone = timeZone
        self.summary = summary; self.description = description; self.url = url; self.organizer = organizer; self.attendee = attendee
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.uid == b.uid && a.sequence == b.sequence && a.method == b.method && a.start == b.start && a.end == b.end
            && a.timeZone == b.timeZone && a.summary == b.summary && a.description == b.description && a.url == b.url
            && a.organizer == b.organizer && a.attendee == b.attendee
    }

    /// The `.ics` text, CRLF line endings, folded.
    public func render(stamp: Date) -> String {
        let zone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
        var lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//CareAbroad//Video consultations//EN", "CALSCALE:GREGORIAN",
            "METHOD:\(method.rawValue)",
        ]
        lines += ICalendarText.timeZone(zone, around: start)
        lines += [
            "BEGIN:VEVENT",
            "UID:\(ICalendarText.escape(uid))",
            "DTSTAMP:\(ICalendarText.utc(stamp))",
            "SEQUENCE:\(sequence)",
            "DTSTART;TZID=\(zone.identifier):\(ICalendarText.local(start, zone))",
            "DTEND;TZID=\(zone.identifier):\(ICalendarText.local(end, zone))",
            "SUMMARY:\(ICalendarText.escape(summary))",
            "DESCRIPTION:\(ICalendarText.escape(description))",
            "URL:\(url)",
            "ORGANIZER;CN=\(ICalendarText.parameter(organizer.name)):mailto:\(organizer.email)",
            "ATTENDEE;CN=\(ICalendarText.parameter(attendee.name));ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:\(attendee.email)",
            "STATUS:\(method == .cancel ? "CANCELLED" : "CONFIRMED")",
            "TRANSP:OPAQUE",
        ]
        if method == .request {
            lines += ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:\(ICalendarText.escape(summary))", "TRIGGER:-PT15M", "END:VALARM"]
        }
        lines += ["END:VEVENT", "END:VCALENDAR"]
        return lines.map(ICalendarText.fold).joined(separator: "\r\n") + "\r\n"
    }
}

/// The text rules of RFC 5545.
public enum ICalendarText {
    /// TEXT values: backslash, semicolon, comma and line breaks escaped (§3.3.11); other control characters dropped.
    public static func escape(_ text: String) -> String {
        var out = ""
        for ch in text.replacingOccurrences(of: "\r\n", with: "\n").unicodeScalars {
            switch ch {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n", "\r": out += "\\n"
            default:
                if ch.value < 0x20 || ch.value == 0x7F { continue }
                out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// A parameter value (a name in `CN=`): quoted, with the characters a quoted value cannot hold removed.
    public static func parameter(_ text: String) -> String {
        "\"" + String(text.unicodeScalars.filter { $0 != "\"" && $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init)) + "\""
    }

    /// Lines longer than 75 octets are folded: CRLF and one space, never inside a UTF-8 sequence (§3.1).
    public static func fold(_ line: String) -> String {
        var out = ""
        var count = 0
        for ch in line.unicodeScalars {
            let size = String(ch).utf8.count
            if count + size > 75 {
                out += "\r\n "
                count = 1
            }
            out.unicodeScalars.append(ch)
            count += size
        }
        return out
    }

    static func utc(_ date: Date) -> String { stamp(date, TimeZone(identifier: "UTC")!) + "Z" }
    static func local(_ date: Date, _ zone: TimeZone) -> String { stamp(date, zone) }

    private static func stamp(_ date: Date, _ zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    /// A `VTIMEZONE` with the zone's observances from a year before to a year after `instant`, each starting at the
    /// local time of its transition (in the offset it leaves), as §3.6.5 wants. A zone without changes has one.
    static func timeZone(_ zone: TimeZone, around instant: Date) -> [String] {
        var lines = ["BEGIN:VTIMEZONE", "TZID:\(zone.identifier)"]
        var transitions: [Date] = []
        var cursor = instant.addingTimeInterval(-366 * 86_400)
        let until = instant.addingTimeInterval(366 * 86_400)
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next < until, transitions.count < 8 {
            transitions.append(next)
            cursor = next
        }
        func offset(_ seconds: Int) -> String {
            let sign = seconds < 0 ? "-" : "+"
            let a = abs(seconds)
            return String(format: "%@%02d%02d", sign, a / 3600, (a % 3600) / 60)
        }
        if transitions.isEmpty {
            let o = offset(zone.secondsFromGMT(for: instant))
            lines += ["BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:\(o)", "TZOFFSETTO:\(o)", "END:STANDARD"]
        } else {
            for t in transitions {
                let from = zone.secondsFromGMT(for: t.addingTimeInterval(-1))
                let to = zone.secondsFromGMT(for: t)
                let kind = zone.isDaylightSavingTime(for: t) ? "DAYLIGHT" : "STANDARD"
                // The wall-clock time of the change in the offset it leaves: the instant plus the old offset, read as UTC.
                let onset = stamp(t.addingTimeInterval(TimeInterval(from)), TimeZone(identifier: "UTC")!)
                lines += ["BEGIN:\(kind)", "DTSTART:\(onset)", "TZOFFSETFROM:\(offset(from))", "TZOFFSETTO:\(offset(to))", "END:\(kind)"]
            }
        }
        lines.append("END:VTIMEZONE")
        return lines
    }
}
