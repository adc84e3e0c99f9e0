import Foundation
import Testing
@testable import Domain

private func at(_ zone: String, _ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int) -> Date {
    var c = Calendar(identifier: .gregorian)
    c.timeZone = TimeZone(identifier: zone)!
    return c.date(from: DateComponents(year: y, month: mo, day: d, hour: h, minute: mi))!
}

private func invite(_ method: CalendarInvite.Method = .request, sequence: Int = 0, zone: String = "Europe/Brussels",
                    summary: String = "Video consultation with Dr. Sample") -> CalendarInvite {
    CalendarInvite(uid: "appt-42@careabroad.test", sequence: sequence, method: method,
                   start: at(zone, 2026, 3, 30, 9, 0), end: at(zone, 2026, 3, 30, 9, 30), timeZone: zone, summary: summary,
                   description: "Reference CA-1234-5678.\nThe link opens 15 minutes before the start.", url: "https://careabroad.test/appointments/42",
                   organizer: (name: "Sample Clinic team", email: "team@clinic.example"), attendee: (name: "Alex Sample", email: "alex@example.org"))
}

/// Unfolds RFC 5545 lines (CRLF followed by a space continues the line).
private func unfold(_ text: String) -> [String] {
    text.replacingOccurrences(of: "\r\n ", with: "").components(separatedBy: "\r\n").filter { !$0.isEmpty }
}

@Suite("iCalendar invitations")
struct ICalendarTests {
    @Test("A booking is a REQUEST with UID, DTSTAMP, SEQUENCE and local times in the provider's zone, with its VTIMEZONE")
    func request() {
        let text = invite().render(stamp: Date(timeIntervalSince1970: 1_796_000_000))
        let lines = unfold(text)
        #expect(lines.first == "BEGIN:VCALENDAR" && lines.last == "END:VCALENDAR")
        #expect(text.hasSuffix("\r\n") && !text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        for wanted in ["VERSION:2.0", "METHOD:REQUEST", "UID:appt-42@careabroad.test", "SEQUENCE:0", "STATUS:CONFIRMED",
                       "DTSTART;TZID=Europe/Brussels:20260330T090000", "DTEND;TZID=Europe/Brussels:20260330T093000",
                       "TZID:Europe/Brussels", "ATTENDEE;CN=\"Alex Sample\";ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:alex@example.org"] {
            #expect(lines.contains(wanted), "missing \(wanted)")
        }
        #expect(lines.contains { $0.hasPrefix("DTSTAMP:") && $0.hasSuffix("Z") && $0.count == "DTSTAMP:20261130T000000Z".count })
        // The zone's own changes around the date: summer time from 02:00 on 29 March, winter time from 03:00 on 25 October.
        let zone = lines.drop { $0 != "BEGIN:VTIMEZONE" }.prefix { $0 != "END:VTIMEZONE" }.joined(separator: "|")
        #expect(zone.contains("BEGIN:DAYLIGHT|DTSTART:20260329T020000|TZOFFSETFROM:+0100|TZOFFSETTO:+0200|END:DAYLIGHT"))
        #expect(zone.contains("BEGIN:STANDARD|DTSTART:20261025T030000|TZOFFSETFROM:+0200|TZOFFSETTO:+0100|END:STANDARD"))
    }

    @Test("A zone without daylight saving has one observance; New York and Sydney carry their own changes")
    func zones() {
        let tokyo = unfold(invite(zone: "Asia/Tokyo").render(stamp: Date()))
        #expect(tokyo.contains("TZOFFSETTO:+0900") && !tokyo.contains("BEGIN:DAYLIGHT"))
        let ny = unfold(invite(zone: "America/New_York").render(stamp: Date())).joined(separator: "|")
        #expect(ny.contains("BEGIN:DAYLIGHT|DTSTART:20260308T020000|TZOFFSETFROM:-0500|TZOFFSETTO:-0400"))
        let sydney = unfold(invite(zone: "Australia/Sydney").render(stamp: Date())).joined(separator: "|")
        #expect(sydney.contains("BEGIN:STANDARD|DTSTART:20260405T030000|TZOFFSETFROM:+1100|TZOFFSETTO:+1000"))
    }

    @Test("A reschedule raises SEQUENCE; a cancellation is METHOD:CANCEL with STATUS:CANCELLED and the same UID")
    func cancelAndReschedule() {
        let moved = unfold(invite(sequence: 1).render(stamp: Date()))
        #expect(moved.contains("SEQUENCE:1") && moved.contains("METHOD:REQUEST"))
        let cancelled = unfold(invite(.cancel, sequence: 2).render(stamp: Date()))
        #expect(cancelled.contains("METHOD:CANCEL") && cancelled.contains("STATUS:CANCELLED") && cancelled.contains("SEQUENCE:2"))
        #expect(cancelled.contains("UID:appt-42@careabroad.test"))
        #expect(!cancelled.contains("BEGIN:VALARM"))
    }

    @Test("Text is escaped, hostile names cannot add properties, and every line is folded at 75 octets without splitting a character")
    func escapingAndFolding() {
        let hostile = "Consult; with, commas\\ and\nSTATUS:CANCELLED\r\nATTENDEE:mailto:evil@example.org " + String(repeating: "é漢", count: 60)
        let text = invite(summary: hostile).render(stamp: Date())
        for physical in text.components(separatedBy: "\r\n") { #expect(physical.utf8.count <= 75, "\(physical)") }
        let lines = unfold(text)
        #expect(lines.filter { $0.hasPrefix("STATUS:") } == ["STATUS:CONFIRMED"])
        #expect(lines.filter { $0.hasPrefix("ATTENDEE") }.count == 1)
        let summary = lines.first { $0.hasPrefix("SUMMARY:") } ?? ""
        #expect(summary.hasPrefix("SUMMARY:Consult\\; with\\, commas\\\\ and\\nSTATUS:CANCELLED\\nATTENDEE:mailto:evil@example.org é漢"))
        #expect(summary.hasSuffix(String(repeating: "é漢", count: 3)))
        #expect(ICalendarText.parameter("Dr. \"Quote\" Sample") == "\"Dr. Quote Sample\"")
    }
}
