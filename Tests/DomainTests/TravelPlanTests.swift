import Foundation
import Testing
@testable import Domain

@Suite("Travel plan")
struct TravelPlanTests {
    static func input(_ pairs: [(String, String)]) -> FormInput {
        var values: [String: [String]] = [:]
        for (k, v) in pairs { values[k, default: []].append(v) }
        return FormInput(values)
    }

    @Test("Local date-times: what a datetime-local control sends, nothing else")
    func localDateTime() throws {
        #expect(LocalDateTime("2027-03-01T10:15")?.description == "2027-03-01T10:15")
        #expect(LocalDateTime("2027-03-01T10:15:00")?.description == "2027-03-01T10:15")
        for bad in ["2027-03-01", "2027-02-30T10:00", "2027-03-01T24:00", "2027-03-01T10:60", "2027-3-1T10:15", "2027-03-01 10:15", "T10:15", ""] {
            #expect(LocalDateTime(bad) == nil, "\(bad)")
        }
        let london = try #require(TimeZone(identifier: "Europe/London"))
        #expect(LocalDateTime("2027-03-28T01:30")?.instant(in: london) == nil, "skipped by the change to summer time")
        #expect(LocalDateTime("2027-03-28T02:30")?.instant(in: london) != nil)
    }

    @Test("A flight keeps its two zones; the end must not come before the start, counted in instants")
    func flightAcrossZones() throws {
        let ok = TravelItem.read(Self.input([("kind", "flight"), ("title", "TK 1980"), ("start", "2027-03-01T10:15"), ("start_zone", "Europe/London"),
                                             ("end", "2027-03-01T16:20"), ("end_zone", "Europe/Istanbul")]))
        let item = try ok.get()
        #expect(item.endsAt.timeIntervalSince(item.startsAt) == 3 * 3_600 + 5 * 60)
        // 12:00 in Istanbul is 09:00 in London: before a 10:15 departure, though the wall clock reads later.
        let early = TravelItem.read(Self.input([("kind", "flight"), ("title", "TK 1980"), ("start", "2027-03-01T10:15"), ("start_zone", "Europe/London"),
                                                ("end", "2027-03-01T12:00"), ("end_zone", "Europe/Istanbul")]))
        guard case .failure(let e) = early else { Issue.record("accepted an end before the start"); return }
        #expect(e.fields == ["end"])
        let bad = TravelItem.read(Self.input([("kind", "boat"), ("start", "x"), ("start_zone", "Nowhere/City")]))
        guard case .failure(let all) = bad else { Issue.record("accepted nonsense"); return }
        #expect(all.fields == ["kind", "title", "start", "start_zone"])
    }

    @Test("The calendar file: an event per line, each zone defined once, text escaped and lines folded")
    func calendar() throws {
        let flight = try TravelItem.read(Self.input([("kind", "flight"), ("title", "Flight; London, Istanbul"), ("start", "2027-03-01T10:15"),
                                                     ("start_zone", "Europe/London"), ("end", "2027-03-01T16:20"), ("end_zone", "Europe/Istanbul"),
                                                     ("details", String(repeating: "long note ", count: 20))])).get()
        let stay = try TravelItem.read(Self.input([("kind", "stay"), ("title", "Hotel"), ("start", "2027-03-01T18:00"), ("start_zone", "Europe/Istanbul")])).get()
        let text = TravelCalendar(name: "Travel plan", events: [.init(uid: "a", item: flight, sequence: 0), .init(uid: "b", item: stay, sequence: 0)],
                                  url: "https://careabroad.test/x").render(stamp: Date(timeIntervalSince1970: 0))
        #expect(text.components(separatedBy: "TZID:Europe/Istanbul\r\n").count == 2)
        #expect(text.contains("SUMMARY:Flight\\; London\\, Istanbul\r\n"))
        #expect(text.contains("DTEND;TZID=Europe/Istanbul:20270301T190000"), "a line without an end lasts an hour")
        #expect(text.split(separator: "\r\n").allSatisfy { $0.utf8.count <= 75 })
        #expect(text.hasSuffix("END:VCALENDAR\r\n"))
    }
}
