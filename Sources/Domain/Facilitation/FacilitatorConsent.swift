import Foundation

/// What a patient lets a facilitator organisation see of a case. Consent names each part; nothing else is shared.
public enum FacilitatorScope: String, Codable, Sendable, CaseIterable, Comparable {
    /// The request: procedures, history, questionnaire answers and the timeline.
    case request
    /// The photos sent with the request.
    case photos
    /// The providers' quotes and their versions.
    case quotes
    /// The case conversation; the facilitator can write in it too.
    case messages

    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The stored form of a set of scopes: their names in a fixed order, comma-separated.
    public static func encode(_ scopes: Set<FacilitatorScope>) -> String {
        scopes.sorted().map(\.rawValue).joined(separator: ",")
    }

    /// The scopes of a stored list; unknown names are dropped (a scope is never widened by reading).
    public static func decode(_ text: String) -> Set<FacilitatorScope> {
        Set(text.split(separator: ",").compactMap { FacilitatorScope(rawValue: String($0)) })
    }
}

/// Where a facilitator's access to a case stands.
public enum FacilitatorAccessStatus: String, Codable, Sendable, CaseIterable {
    /// A facilitator started the request on the patient's behalf; nothing is shared with anyone until the patient
    /// confirms through the emailed link.
    case awaitingPatient = "awaiting-patient"
    /// The patient consented: the facilitator sees what the scopes name.
    case active
    /// The patient withdrew consent (or the case was withdrawn): access ended at once.
    case withdrawn
    /// The patient refused a facilitator's request, or did not confirm it in time.
    case declined

    /// Whether the grant still holds the case's one facilitator place (waiting or active).
    public var isOpen: Bool { self == .awaitingPatient || self == .active }
}

/// The stages of a facilitator's pipeline, in the order of a journey.
public enum PipelineStage: String, Codable, Sendable, CaseIterable, Comparable {
    case new
    case sent
    case quoted
    case accepted
    case travelling
    case treated
    case aftercare
    case closed

    public var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }

    /// The stage the cases of one request have reached by themselves: the furthest any of them went, closed only
    /// when every one has stopped. "Travelling" is never derived: the facilitator sets it.
    public static func derived(from statuses: [CaseStatus]) -> PipelineStage {
        guard !statuses.isEmpty else { return .new }
        if statuses.allSatisfy({ !$0.isOpen }) { return .closed }
        var best = PipelineStage.new
        for status in statuses {
            let stage: PipelineStage
            switch status {
            case .awaitingVerification: stage = .new
            case .submitted, .inReview, .infoRequested, .answered: stage = .sent
            case .quoted: stage = .quoted
            case .accepted, .consultationScheduled, .treatmentBooked: stage = .accepted
            case .treated: stage = .treated
            case .aftercare: stage = .aftercare
            case .closed, .declined, .withdrawn, .expired: stage = .new
            }
            best = max(best, stage)
        }
        return best
    }

    /// The stage after the cases changed: automatic changes only move forward, so a stage the facilitator set
    /// (travelling, say) is kept until the cases go past it.
    public static func advanced(from current: PipelineStage, statuses: [CaseStatus]) -> PipelineStage {
        max(current, derived(from: statuses))
    }
}
