import Foundation

/// Calendar dates (`YYYY-MM-DD`) read and written in UTC.
public enum ISODate {
    public static func parse(_ text: String) -> Date? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        var components = DateComponents()
        components.year = y
        components.month = m
        components.day = d
        // The calendar would roll 30 February over into March; a date must name a real day.
        guard let date = utcCalendar.date(from: components), format(date) == pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) else { return nil }
        return date
    }

    public static func format(_ date: Date) -> String {
        let c = civil(date)
        return pad(c.year, 4) + "-" + pad(c.month, 2) + "-" + pad(c.day, 2)
    }

    /// RFC 3339 timestamp in UTC, as feeds and sitemaps want it.
    public static func timestamp(_ date: Date) -> String {
        let c = civil(date)
        return pad(c.year, 4) + "-" + pad(c.month, 2) + "-" + pad(c.day, 2) + "T" + pad(c.hour, 2) + ":" + pad(c.minute, 2) + ":" + pad(c.second, 2) + "Z"
    }

    /// The UTC calendar date and time of a moment, by arithmetic on the proleptic Gregorian calendar (the
    /// days-to-civil algorithm of H. Hinnant's `chrono` date library, public domain). Pages format several dates
    /// each; going through `Calendar` (a new calendar and its components per call) was a noticeable share of an
    /// uncached page. Tested against `Calendar` over four centuries of days.
    public static func civil(_ date: Date) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day, secondOfDay / 3_600, secondOfDay % 3_600 / 60, secondOfDay % 60)
    }

    private static func pad(_ n: Int, _ width: Int) -> String {
        let digits = String(n)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// "14 October 2026": unambiguous for readers in every country.
    public static func long(_ date: Date) -> String {
        let c = civil(date)
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        return "\(c.day) \(months[c.month - 1]) \(c.year)"
    }

    public static var utcCalendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }
}
