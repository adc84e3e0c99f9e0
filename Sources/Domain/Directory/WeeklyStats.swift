import Foundation

/// Weeks (Monday to Sunday, UTC) for a practice's figures, and the median used for response times.
public enum Weeks {
    /// The Monday (00:00 UTC) of the week holding `date`.
    public static func start(of date: Date) -> Date {
        let cal = ISODate.utcCalendar
        let day = cal.startOfDay(for: date)
        let weekday = cal.component(.weekday, from: day) // 1 = Sunday
        let back = (weekday + 5) % 7
        return cal.date(byAdding: .day, value: -back, to: day) ?? day
    }

    /// The last `count` week starts up to and including the week of `now`, oldest first.
    public static func last(_ count: Int, now: Date) -> [Date] {
        let current = start(of: now)
        return (0..<count).reversed().map { current.addingTimeInterval(-Double($0) * 7 * 86_400) }
    }
}

public enum Median {
    /// The median of `values` (the mean of the middle two for an even count), or nil for none.
    public static func of(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
