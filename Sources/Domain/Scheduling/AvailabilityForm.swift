import Foundation

/// What a practice publishes besides its hours: how far ahead patients may book, and the link of its meeting
/// service (`{appointment}` in it becomes the appointment's id, so each call can have its own room).
public struct PublishedAvailability: Sendable, Equatable {
    public var availability: Availability
    public var horizonDays: Int
    public var videoLinkTemplate: String

    public init(availability: Availability, horizonDays: Int, videoLinkTemplate: String) {
        self.availability = availability
        self.horizonDays = horizonDays
        self.videoLinkTemplate = videoLinkTemplate
    }

    public static let horizonRange = 1...180
    public static let maxLinkLength = 300
    public static let placeholder = "{appointment}"

    /// The meeting link of one appointment.
    public func videoLink(appointmentID: String) -> String {
        videoLinkTemplate.replacingOccurrences(of: Self.placeholder, with: appointmentID)
    }

    /// An `https` address with a host, no spaces or quotes, at most 300 characters.
    public static func isValidLink(_ text: String) -> Bool {
        guard text.count <= maxLinkLength, text.hasPrefix("https://"),
              !text.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "'" || $0 == "<" || $0 == ">" || $0 == "\\" }),
              let url = URL(string: text.replacingOccurrences(of: placeholder, with: "x")), let host = url.host, !host.isEmpty, host.contains(".")
        else { return false }
        return true
    }
}

extension PublishedAvailability {
    /// Reads the availability editor (works without JavaScript): the zone, slot length, notice in hours, horizon,
    /// meeting link, weekly rows (`weekly_day`, `weekly_start`, `weekly_end`) and exception rows (`exception_date`,
    /// `exception_kind` closed or extra, `exception_start`, `exception_end`). Empty rows are skipped. Problems are
    /// named at their field and row (`weekly[2].end`).
    public static func read(_ input: FormInput) -> Result<PublishedAvailability, FormError> {
        var r = FormReader(input)
        let zone = input.text("time_zone")
        if zone == nil { r.fail("time_zone", .required) }
        let slot = r.integer("slot_minutes", in: Availability.slotRange, required: true)
        let noticeHours = r.integer("notice_hours", in: 0...(Availability.noticeRange.upperBound / 60), required: true)
        let horizon = r.integer("horizon_days", in: horizonRange, required: true)
        let link = input.text("video_link") ?? ""
        if link.isEmpty { r.fail("video_link", .required) } else if !isValidLink(link) { r.fail("video_link", .unknownValue) }

        func cell(_ name: String, _ i: Int) -> String {
            let list = input.all(name)
            return i < list.count ? list[i].trimmingCharacters(in: .whitespaces) : ""
        }
        var problems: [FieldProblem] = []
        var weekly: [WeeklyHours] = []
        let weeklyRows = max(input.all("weekly_day").count, input.all("weekly_start").count, input.all("weekly_end").count)
        if weeklyRows > 70 { problems.append(FieldProblem("weekly", .tooMany(max: 70))) }
        for i in 0..<min(weeklyRows, 70) {
            let start = cell("weekly_start", i), end = cell("weekly_end", i)
            if start.isEmpty && end.isEmpty { continue }
            let at = "weekly[\(weekly.count)]"
            guard let day = Int(cell("weekly_day", i)), (1...7).contains(day) else { problems.append(FieldProblem("\(at).weekday", .unknownValue)); continue }
            guard let s = LocalTime(start) else { problems.append(FieldProblem("\(at).start", start.isEmpty ? .required : .unknownValue)); continue }
            guard let e = LocalTime(end) else { problems.append(FieldProblem("\(at).end", end.isEmpty ? .required : .unknownValue)); continue }
            weekly.append(WeeklyHours(weekday: day, start: s, end: e))
        }
        var exceptions: [AvailabilityException] = []
        let exceptionRows = max(input.all("exception_date").count, input.all("exception_kind").count)
        if exceptionRows > 200 { problems.append(FieldProblem("exceptions", .tooMany(max: 200))) }
        for i in 0..<min(exceptionRows, 200) {
            let date = cell("exception_date", i)
            if date.isEmpty { continue }
            let at = "exceptions[\(exceptions.count)]"
            switch cell("exception_kind", i) {
            case "closed", "":
                exceptions.append(AvailabilityException(date: date, kind: .closed))
            case "extra":
                guard let s = LocalTime(cell("exception_start", i)) else { problems.append(FieldProblem("\(at).start", .unknownValue)); continue }
                guard let e = LocalTime(cell("exception_end", i)) else { problems.append(FieldProblem("\(at).end", .unknownValue)); continue }
                exceptions.append(AvailabilityException(date: date, kind: .extra(start: s, end: e)))
            default:
                problems.append(FieldProblem("\(at).kind", .unknownValue))
            }
        }
        problems = r.problems + problems
        guard let zone, let slot, let noticeHours, let horizon else { return .failure(FormError(problems)) }
        let availability = Availability(timeZone: zone, weekly: weekly, exceptions: exceptions, slotMinutes: slot, noticeMinutes: noticeHours * 60)
        let fieldNames = ["notice_minutes": "notice_hours"]
        problems += availability.problems().map { FieldProblem(fieldNames[$0.field] ?? $0.field, $0.code) }
            .filter { p in !problems.contains { $0.field == p.field } }
        if weekly.isEmpty && !exceptions.contains(where: { if case .extra = $0.kind { return true } else { return false } }) {
            problems.append(FieldProblem("weekly", .required))
        }
        return problems.isEmpty ? .success(PublishedAvailability(availability: availability, horizonDays: horizon, videoLinkTemplate: link))
                                : .failure(FormError(problems))
    }

    /// The editor's fields for a published availability (to edit it again).
    public var formInput: FormInput {
        var input = FormInput()
        input["time_zone"] = availability.timeZone
        input["slot_minutes"] = "\(availability.slotMinutes)"
        input["notice_hours"] = "\(availability.noticeMinutes / 60)"
        input["horizon_days"] = "\(horizonDays)"
        input["video_link"] = videoLinkTemplate
        let weekly = availability.weekly.sorted { ($0.weekday, $0.start) < ($1.weekday, $1.start) }
        input.set("weekly_day", weekly.map { "\($0.weekday)" })
        input.set("weekly_start", weekly.map(\.start.description))
        input.set("weekly_end", weekly.map(\.end.description))
        let exceptions = availability.exceptions.sorted { $0.date < $1.date }
        input.set("exception_date", exceptions.map(\.date))
        input.set("exception_kind", exceptions.map { if case .extra = $0.kind { return "extra" } else { return "closed" } })
        input.set("exception_start", exceptions.map { if case .extra(let s, _) = $0.kind { return s.description } else { return "" } })
        input.set("exception_end", exceptions.map { if case .extra(_, let e) = $0.kind { return e.description } else { return "" } })
        return input
    }
}
