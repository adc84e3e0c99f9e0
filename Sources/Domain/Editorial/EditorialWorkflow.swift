import Foundation

/// Where a revision of an article or procedure guide stands on its way to readers. Clinical pages are published
/// only after a medical reviewer approved the revision; the page readers see is always an approved one.
public enum EditorialStatus: String, Codable, Sendable, CaseIterable {
    /// Being written or revised.
    case draft
    /// Sent to medical review.
    case inReview = "in-review"
    /// The reviewer sent it back with comments.
    case returned
    /// The reviewer approved it; ready to publish or schedule.
    case approved
    /// Approved, with a publication time set.
    case scheduled
    /// Live for readers.
    case published
    /// Live, and changed since first published without a substantive edit (readers see "updated on …").
    case updated

    /// Whether readers can see the page in this status.
    public var isLive: Bool { self == .published || self == .updated }
}

/// Who acts in the editorial workspace.
public enum EditorialActor: String, Sendable, CaseIterable {
    case editor
    /// A person with a recorded clinical credential.
    case medicalReviewer = "medical-reviewer"
    /// The platform (scheduled publication).
    case system
}

/// What can happen to a page's revision, from which statuses and by whom.
public enum EditorialAction: String, Codable, Sendable, CaseIterable {
    case submitForReview = "submit-for-review"
    case returnWithComments = "return-with-comments"
    case approve
    case schedule
    case unschedule
    case publish
    /// An edit that changes no clinical content (a typo, the summary, the social card, categories).
    case minorEdit = "minor-edit"
    /// An edit that changes clinical content: back to review (a live page stays live on its approved revision).
    case substantiveEdit = "substantive-edit"

    public var actors: Set<EditorialActor> {
        switch self {
        case .submitForReview, .schedule, .unschedule, .minorEdit, .substantiveEdit: return [.editor]
        case .returnWithComments, .approve: return [.medicalReviewer]
        case .publish: return [.editor, .system]
        }
    }

    /// The status after this action, or nil when the action is not allowed from `status`.
    public func apply(to status: EditorialStatus) -> EditorialStatus? {
        switch (self, status) {
        case (.submitForReview, .draft), (.submitForReview, .returned): return .inReview
        case (.returnWithComments, .inReview): return .returned
        case (.approve, .inReview): return .approved
        case (.schedule, .approved): return .scheduled
        case (.unschedule, .scheduled): return .approved
        case (.publish, .approved), (.publish, .scheduled): return .published
        case (.minorEdit, .draft), (.minorEdit, .returned): return status
        case (.minorEdit, .approved), (.minorEdit, .scheduled): return status
        case (.minorEdit, .published), (.minorEdit, .updated): return .updated
        case (.substantiveEdit, .draft), (.substantiveEdit, .returned): return status
        case (.substantiveEdit, .approved), (.substantiveEdit, .scheduled), (.substantiveEdit, .published), (.substantiveEdit, .updated):
            return .inReview
        default: return nil
        }
    }

    /// The status after `actor` takes this action, or nil when the status or the actor does not allow it.
    public func apply(to status: EditorialStatus, by actor: EditorialActor) -> EditorialStatus? {
        actors.contains(actor) ? apply(to: status) : nil
    }

    /// Publishing by the system happens only at the scheduled time.
    public func isDue(_ status: EditorialStatus, scheduledAt: Date?, now: Date) -> Bool {
        self == .publish && status == .scheduled && (scheduledAt.map { $0 <= now } ?? false)
    }
}

/// When a clinical page must be reviewed again: twelve months after its last medical review by default.
public enum ReviewSchedule {
    public static let defaultMonths = 12

    public static func due(after reviewedAt: Date, months: Int = defaultMonths) -> Date {
        ISODate.utcCalendar.date(byAdding: .month, value: months, to: reviewedAt) ?? reviewedAt.addingTimeInterval(Double(months) * 30 * 86_400)
    }

    /// Whether a page reviewed at `reviewedAt` is due for review on `today` (or within `warningDays` of it).
    public static func isDue(reviewedAt: Date, months: Int = defaultMonths, today: Date, warningDays: Int = 0) -> Bool {
        due(after: reviewedAt, months: months) <= today.addingTimeInterval(Double(warningDays) * 86_400)
    }
}

/// Decides whether an edit is substantive: it changes clinical content, not only the wording around it.
/// Clinical fields are compared by their words and numbers, so a fixed typo in punctuation, spacing or case is not
/// substantive, while any changed, added or removed word or number is. Non-clinical fields (title, summary,
/// social card, categories) never make an edit substantive.
public enum EditClassifier {
    public static func isSubstantive(old: [String: String], new: [String: String], clinicalFields: Set<String>) -> Bool {
        for field in clinicalFields where normalized(old[field] ?? "") != normalized(new[field] ?? "") { return true }
        return false
    }

    /// Lower-cased words and numbers, in order (punctuation, Markdown marks and spacing dropped).
    public static func normalized(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for ch in text.lowercased() {
            if ch.isLetter || ch.isNumber || ch == "." && current.last?.isNumber == true || ch == "," && current.last?.isNumber == true {
                current.append(ch)
            } else if !current.isEmpty {
                words.append(trimmedNumber(current))
                current = ""
            }
        }
        if !current.isEmpty { words.append(trimmedNumber(current)) }
        return words
    }

    /// "12." at the end of a sentence is the number 12.
    static func trimmedNumber(_ word: String) -> String {
        var w = word
        while let last = w.last, last == "." || last == "," { w.removeLast() }
        return w
    }
}
