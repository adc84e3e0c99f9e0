import Foundation

/// Where a consultation case stands, from the request to aftercare. The patient sees every change on their case
/// page; the team sees it in the inbox.
public enum CaseStatus: String, Codable, Sendable, CaseIterable {
    /// Submitted by a guest whose email address is not verified yet: the provider does not see it.
    case awaitingVerification = "awaiting-verification"
    /// Sent to the provider, not opened yet.
    case submitted
    /// The provider's team is reviewing it.
    case inReview = "in-review"
    /// The provider asked the patient a question; waiting for the answer.
    case infoRequested = "info-requested"
    /// The patient answered; back with the provider.
    case answered
    /// The provider sent an itemised quote (a revision keeps the case here).
    case quoted
    /// The patient accepted one quote version, which is now locked.
    case accepted
    /// A video consultation is booked.
    case consultationScheduled = "consultation-scheduled"
    /// The treatment date is booked with the provider.
    case treatmentBooked = "treatment-booked"
    /// The provider recorded the treatment as done.
    case treated
    /// Follow-up after the patient is home.
    case aftercare
    /// Finished.
    case closed
    /// The provider declined, with a reason, or the patient declined the quote.
    case declined
    /// The patient withdrew consent: the health data of the case has been erased.
    case withdrawn
    /// Nothing happened for too long, or the quote ran out before it was accepted.
    case expired

    /// Whether the provider's inbox shows the case.
    public var visibleToProvider: Bool { self != .awaitingVerification }

    /// Whether the case can still change (other than by withdrawing consent, which is always possible).
    public var isOpen: Bool { ![.declined, .withdrawn, .closed, .expired].contains(self) }
}

/// Who acts on a case.
public enum CaseActor: String, Sendable, CaseIterable {
    case patient
    case providerStaff = "provider-staff"
    /// A facilitator acts only with the patient's consent, through a later capability; no transition is theirs yet.
    case facilitator
    /// The platform itself: email confirmation and expiry.
    case system
}

/// The things that can happen to a case; each is allowed only from some statuses, and only to some actors.
public enum CaseAction: String, Codable, Sendable, CaseIterable {
    case verify, markInReview = "mark-in-review", requestInfo = "request-info", answer, decline, withdraw
    case sendQuote = "send-quote", acceptQuote = "accept-quote", declineQuote = "decline-quote"
    case scheduleConsultation = "schedule-consultation", bookTreatment = "book-treatment", markTreated = "mark-treated"
    case startAftercare = "start-aftercare", close, expire

    /// Who may take this action.
    public var actors: Set<CaseActor> {
        switch self {
        case .verify: return [.patient, .system]
        case .answer, .acceptQuote, .declineQuote, .withdraw: return [.patient]
        case .markInReview, .requestInfo, .decline, .sendQuote, .bookTreatment, .markTreated, .startAftercare, .close: return [.providerStaff]
        case .scheduleConsultation: return [.patient, .providerStaff]
        case .expire: return [.system]
        }
    }

    /// The status after this action, or `nil` when the action is not allowed from `status` (whoever asks).
    public func apply(to status: CaseStatus) -> CaseStatus? {
        switch (self, status) {
        case (.verify, .awaitingVerification): return .submitted
        case (.markInReview, .submitted), (.markInReview, .answered): return .inReview
        case (.requestInfo, .submitted), (.requestInfo, .inReview), (.requestInfo, .answered), (.requestInfo, .infoRequested),
             (.requestInfo, .quoted): return .infoRequested
        case (.answer, .infoRequested): return .answered
        case (.decline, .submitted), (.decline, .inReview), (.decline, .infoRequested), (.decline, .answered), (.decline, .quoted): return .declined
        case (.sendQuote, .submitted), (.sendQuote, .inReview), (.sendQuote, .infoRequested), (.sendQuote, .answered),
             (.sendQuote, .quoted): return .quoted
        case (.acceptQuote, .quoted): return .accepted
        case (.declineQuote, .quoted): return .declined
        case (.scheduleConsultation, .accepted): return .consultationScheduled
        case (.bookTreatment, .accepted), (.bookTreatment, .consultationScheduled): return .treatmentBooked
        case (.markTreated, .treatmentBooked): return .treated
        case (.startAftercare, .treated): return .aftercare
        case (.close, .treated), (.close, .aftercare): return .closed
        case (.expire, .submitted), (.expire, .inReview), (.expire, .infoRequested), (.expire, .answered), (.expire, .quoted): return .expired
        // Consent can be withdrawn whatever happened before (the health data is erased at once).
        case (.withdraw, let s) where s != .withdrawn: return .withdrawn
        default: return nil
        }
    }

    /// The status after `actor` takes this action from `status`, or `nil` when the status or the actor does not allow it.
    public func apply(to status: CaseStatus, by actor: CaseActor) -> CaseStatus? {
        actors.contains(actor) ? apply(to: status) : nil
    }
}

/// Short case references people can read out on the phone: `CA-` and 8 characters of Crockford's base 32
/// (no I, L, O or U, so nothing looks like 1, 0 or V), in two groups of four. 40 random bits.
public enum CaseReference {
    public static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    /// A new reference from 40 random bits.
    public static func make<G: RandomNumberGenerator>(using generator: inout G) -> String {
        var value = UInt64.random(in: 0..<(1 << 40), using: &generator)
        var chars: [Character] = []
        for _ in 0..<8 {
            chars.append(alphabet[Int(value & 31)])
            value >>= 5
        }
        return "CA-" + String(chars[0..<4]) + "-" + String(chars[4..<8])
    }

    public static func make() -> String {
        var g = SystemRandomNumberGenerator()
        return make(using: &g)
    }

    /// Accepts what a person types: any case, with or without dashes, and the look-alikes O→0, I/L→1.
    public static func normalise(_ raw: String) -> String? {
        var text = raw.uppercased().filter { $0 != "-" && !$0.isWhitespace }
        // "CA" is the prefix only when it comes on top of the 8 characters (a body may start with CA too).
        if text.count == 10 && text.hasPrefix("CA") { text.removeFirst(2) }
        text = String(text.map { c -> Character in
            switch c {
            case "O": return "0"
            case "I", "L": return "1"
            default: return c
            }
        })
        guard text.count == 8, text.allSatisfy({ alphabet.contains($0) }) else { return nil }
        return "CA-" + text.prefix(4) + "-" + text.suffix(4)
    }
}
