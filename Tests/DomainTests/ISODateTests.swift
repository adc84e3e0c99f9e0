import Foundation
import Testing
import Domain

@Suite("ISO dates")
struct ISODateTests {
    @Test("Parses and formats calendar dates in UTC", arguments: ["2026-11-25", "2028-02-29", "1999-12-31", "2026-01-01"])
    func roundTrip(_ text: String) throws {
        let date = try #require(ISODate.parse(text))
        #expect(ISODate.format(date) == text)
        let c = ISODate.utcCalendar.dateComponents([.hour, .minute, .second], from: date)
        #expect(c.hour == 0 && c.minute == 0 && c.second == 0)
    }

    @Test("Refuses text that is not a YYYY-MM-DD date", arguments: ["", "2026", "2026-11", "2026-13-01", "2026-00-10", "2026-11-32", "2026-11-00",
                                                                    "26/11/2026", "2026-11-25T10:00:00Z", "abcd-ef-gh", "2026-11-25-01"])
    func malformed(_ text: String) {
        #expect(ISODate.parse(text) == nil)
    }

    @Test("Refuses days that do not exist in their month", arguments: ["2026-02-30", "2026-02-29", "2026-04-31", "2027-02-29", "2026-06-31"])
    func impossibleDays(_ text: String) {
        #expect(ISODate.parse(text) == nil, "\(text) was read as \(ISODate.parse(text).map(ISODate.format) ?? "-")")
    }

    @Test("Long and timestamp forms")
    func longForms() throws {
        let date = try #require(ISODate.parse("2026-10-14"))
        #expect(ISODate.long(date) == "14 October 2026")
        #expect(ISODate.timestamp(date) == "2026-10-14T00:00:00Z")
        #expect(ISODate.long(try #require(ISODate.parse("2026-01-02"))) == "2 January 2026")
    }

    @Test("Dates order chronologically")
    func ordering() throws {
        #expect(try #require(ISODate.parse("2025-09-09")) < #require(ISODate.parse("2026-11-25")))
        let a = try #require(ISODate.parse("2026-11-25"))
        #expect(a.timeIntervalSince1970 == 1_795_564_800)
    }

    @Test("The arithmetic calendar agrees with Foundation's from 1600 to 2370, before 1970 and at every second of a day")
    func civilMatchesCalendar() {
        let calendar = ISODate.utcCalendar
        // From 1600: Foundation's Gregorian calendar is Julian before the 1582 reform, ours is proleptic.
        var day = -134_000
        while day < 146_097 {
            for second in [0, 1, 3_599, 43_200, 86_399] {
                let date = Date(timeIntervalSince1970: Double(day * 86_400 + second) + 0.25)
                let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
                let mine = ISODate.civil(date)
                #expect(mine.year == c.year && mine.month == c.month && mine.day == c.day && mine.hour == c.hour && mine.minute == c.minute
                        && mine.second == c.second, "\(date)")
            }
            day += 37
        }
        #expect(ISODate.timestamp(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
        #expect(ISODate.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29")
    }
}
