import Foundation
import Crypto
import Fluent
import SQLKit
import Vapor
import Domain

/// What is sealed in `quote_versions.body`: the quote with every amount as decimal text, so that nothing passes
/// through binary floating point on its way to the database and back.
struct StoredQuote: Codable, Sendable {
    struct Line: Codable, Sendable {
        let kind: String
        let description: String
        let quantity: String
        let unitAmount: String
        let included: String
        let excluded: String
    }
    let currency: String
    let lines: [Line]
    let validUntil: String
    let depositAmount: String
    let depositDueDays: Int
    let cancellation: String
    let scopeFindings: String
    let capKind: String
    let cap: String?

    init(_ q: Quote) {
        currency = q.currency.code
        lines = q.lines.map { Line(kind: $0.kind.rawValue, description: $0.description, quantity: "\($0.quantity)", unitAmount: "\($0.unitAmount)",
                                   included: $0.included, excluded: $0.excluded) }
        validUntil = ISODate.format(q.validUntil)
        depositAmount = "\(q.depositAmount)"
        depositDueDays = q.depositDueDays
        cancellation = q.cancellation
        scopeFindings = q.scopeChange.findings
        switch q.scopeChange.cap {
        case .amount(let a)?: capKind = "amount"; cap = "\(a)"
        case .percent(let p)?: capKind = "percent"; cap = "\(p)"
        case nil: capKind = "none"; cap = nil
        }
    }

    func quote() throws -> Quote {
        func decimal(_ s: String) throws -> Decimal {
            guard let d = Decimal(string: s, locale: Locale(identifier: "en_US_POSIX")) else { throw Vault.Failure.corrupt }
            return d
        }
        guard let code = CurrencyCode(currency), let until = ISODate.parse(validUntil) else { throw Vault.Failure.corrupt }
        let capValue: ScopeChangePolicy.Cap?
        switch capKind {
        case "amount": capValue = .amount(try decimal(cap ?? ""))
        case "percent": capValue = .percent(try decimal(cap ?? ""))
        default: capValue = nil
        }
        return Quote(currency: code, lines: try lines.map { l in
            guard let kind = QuoteLine.Kind(rawValue: l.kind) else { throw Vault.Failure.corrupt }
            return QuoteLine(kind: kind, description: l.description, quantity: try decimal(l.quantity), unitAmount: try decimal(l.unitAmount),
                             included: l.included, excluded: l.excluded)
        }, validUntil: until, depositAmount: try decimal(depositAmount), depositDueDays: depositDueDays, cancellation: cancellation,
                     scopeChange: ScopeChangePolicy(findings: scopeFindings, cap: capValue))
    }
}

/// Where a quote stands.
enum QuoteStatus: String, Sendable, CaseIterable {
    /// Sent and waiting for the patient (it may still run out: see `QuoteSummary.isExpired`).
    case open
    case accepted
    case declined
    /// The patient accepted another quote of the case.
    case closed
}

/// A quote as a list shows it, with its versions (plain figures only).
struct QuoteSummary: Sendable {
    struct Version: Sendable {
        let version: Int
        let currency: CurrencyCode
        let total: Money
        let binding: Bool
        let validUntil: Date
        let createdAt: Date
    }
    let id: Int
    let caseID: Int
    let status: QuoteStatus
    let latestVersion: Int
    let acceptedVersion: Int?
    let createdAt: Date
    let updatedAt: Date
    let decidedAt: Date?
    let versions: [Version]

    var latest: Version? { versions.first { $0.version == latestVersion } }

    /// An open quote whose last day has passed can no longer be accepted.
    func isExpired(today: Date) -> Bool { status == .open && (latest.map { $0.validUntil < today } ?? false) }
}

/// Why an acceptance or a decline was refused (answered with 409 and the reason).
enum QuoteRefusal: Error, Equatable {
    case superseded(latest: Int)
    case expired
    case notOpen(QuoteStatus)
    case caseNotQuoted

    var key: String {
        switch self {
        case .superseded: return "quote.refused.superseded"
        case .expired: return "quote.refused.expired"
        case .notOpen: return "quote.refused.notOpen"
        case .caseNotQuoted: return "quote.refused.caseNotQuoted"
        }
    }
}

enum QuoteService {
    static func context(reference: String, quoteID: Int, version: Int) -> String { "case:\(reference):quote:\(quoteID):\(version)" }

    /// Today's date as a calendar day (UTC midnight), the way validity dates are stored.
    static func today(_ now: Date) -> Date { ISODate.parse(ISODate.format(now)) ?? now }

    /// Every quote of the given cases, newest first, with their versions.
    static func summaries(caseIDs: [Int], on db: any Database) async throws -> [QuoteSummary] {
        guard !caseIDs.isEmpty else { return [] }
        let sql = db as! any SQLDatabase
        struct QuoteRow: Decodable {
            let id: Int; let case_id: Int; let status: String; let latest_version: Int; let accepted_version: Int?
            let created_at: Date; let updated_at: Date; let decided_at: Date?
        }
        struct VersionRow: Decodable {
            let quote_id: Int; let version: Int; let currency: String; let total: String; let binding: Bool; let valid_until: String; let created_at: Date
        }
        let quotes = try await sql.select().columns("id", "case_id", "status", "latest_version", "accepted_version", "created_at", "updated_at", "decided_at")
            .from("quotes").where("case_id", .in, SQLBind.group(caseIDs)).orderBy("id", .descending).all(decoding: QuoteRow.self)
        guard !quotes.isEmpty else { return [] }
        let versions = try await sql.select().columns("quote_id", "version", "currency", "total", "binding", "valid_until", "created_at")
            .from("quote_versions").where("quote_id", .in, SQLBind.group(quotes.map(\.id))).orderBy("version", .descending)
            .all(decoding: VersionRow.self)
        let byQuote = Dictionary(grouping: versions, by: \.quote_id)
        return quotes.map { q in
            QuoteSummary(id: q.id, caseID: q.case_id, status: QuoteStatus(rawValue: q.status) ?? .open, latestVersion: q.latest_version,
                         acceptedVersion: q.accepted_version, createdAt: q.created_at, updatedAt: q.updated_at, decidedAt: q.decided_at,
                         versions: (byQuote[q.id] ?? []).compactMap { v in
                             guard let code = CurrencyCode(v.currency), let total = Decimal(string: v.total, locale: Locale(identifier: "en_US_POSIX")),
                                   let until = ISODate.parse(v.valid_until) else { return nil }
                             return QuoteSummary.Version(version: v.version, currency: code, total: Money(total, code), binding: v.binding,
                                                         validUntil: until, createdAt: v.created_at)
                         })
        }
    }

    /// One version's content, opened with the patient's data key (`nil` when the quote has no such version).
    static func content(quoteID: Int, version: Int, of row: ConsultationCase, app: Application, on db: any Database) async throws -> Quote? {
        guard let stored = try await QuoteVersion.query(on: db).filter(\.$quote.$id == quoteID).filter(\.$version == version)
            .filter(\.$caseID == (try row.requireID())).first() else { return nil }
        let key = try await app.vault.dataKey(id: row.dataKeyID, on: db)
        let plain = try Vault.open(stored.body, key: key, context: context(reference: row.reference, quoteID: quoteID, version: version))
        return try JSONDecoder().decode(StoredQuote.self, from: plain).quote()
    }

    /// The patient's reason for declining a quote, opened.
    static func decisionNote(_ sealed: Data?, quoteID: Int, of row: ConsultationCase, app: Application, on db: any Database) async throws -> String? {
        guard let sealed else { return nil }
        let key = try await app.vault.dataKey(id: row.dataKeyID, on: db)
        return String(decoding: try Vault.open(sealed, key: key, context: "case:\(row.reference):quote:\(quoteID):decision"), as: UTF8.self)
    }

    enum SendOutcome: Equatable {
        case sent(quoteID: Int, version: Int)
        /// The quote changed since the editor opened it (revised by someone else, accepted or declined).
        case stale
        /// The case does not take quotes in its status.
        case notAllowed
    }

    /// Sends a new quote, or a revision of `revising` (which must still be open at version `expectedVersion`).
    /// The revision is decided by one conditional write on the quote's version number, and the case moves to
    /// "quoted" by one conditional write on its status; either failing rolls the whole send back.
    static func send(_ quote: Quote, for row: ConsultationCase, revising: Int?, expectedVersion: Int?, actor: SignedInUser,
                     app: Application, source: String, on db: any Database) async throws -> SendOutcome {
        let now = app.clock.now()
        let caseID = try row.requireID()
        let reference = row.reference
        let key = try await app.vault.dataKey(id: row.dataKeyID, on: db)
        let t = app.localizer
        return try await app.writes.transaction(on: db) { tx -> SendOutcome in
            let sql = tx as! any SQLDatabase
            // Locks the case row (PostgreSQL) so quote changes of one case run one after the other.
            guard try await CaseService.touch(caseID: caseID, allowed: CaseStatus.allCases, now: now, on: tx) else { return .notAllowed }
            guard let current = try await ConsultationCase.find(caseID, on: tx), let status = CaseStatus(rawValue: current.status),
                  let next = CaseAction.sendQuote.apply(to: status, by: .providerStaff) else { return .notAllowed }
            let quoteID: Int
            let version: Int
            if let revising, let expectedVersion {
                struct Changed: Decodable { let id: Int }
                let changed = try await sql.update("quotes").set("latest_version", to: SQLBind(expectedVersion + 1)).set("updated_at", to: SQLBind(now))
                    .where("id", .equal, SQLBind(revising)).where("case_id", .equal, SQLBind(caseID))
                    .where("status", .equal, SQLBind(QuoteStatus.open.rawValue)).where("latest_version", .equal, SQLBind(expectedVersion))
                    .returning("id").all(decoding: Changed.self)
                guard changed.count == 1 else { throw StaleQuote() }
                quoteID = revising
                version = expectedVersion + 1
            } else {
                let record = QuoteRecord()
                record.$consultation.id = caseID
                record.status = QuoteStatus.open.rawValue
                record.latestVersion = 1
                record.createdBy = actor.id
                record.createdAt = now
                record.updatedAt = now
                try await record.create(on: tx)
                quoteID = try record.requireID()
                version = 1
            }
            let stored = QuoteVersion()
            stored.$quote.id = quoteID
            stored.caseID = caseID
            stored.version = version
            stored.currency = quote.currency.code
            stored.total = "\(quote.total.amount)"
            stored.binding = quote.isBinding
            stored.validUntil = ISODate.format(quote.validUntil)
            stored.body = try Vault.seal(try JSONEncoder().encode(StoredQuote(quote)), key: key,
                                         context: context(reference: reference, quoteID: quoteID, version: version))
            stored.createdBy = actor.id
            stored.createdAt = now
            try await stored.create(on: tx)
            guard try await CaseService.transition(caseID: caseID, from: status, to: next, now: now, on: tx) else { throw StaleQuote() }
            let kind = version == 1 ? CaseAction.sendQuote.rawValue : "revise-quote"
            try await CaseService.addEvent(caseID: caseID, kind: kind, status: next, actor: actor.id, note: nil, reference: reference,
                                           key: key, now: now, on: tx)
            try await AuditLog.append(AuditEntry(actorUserID: actor.id, actorRole: actor.role.rawValue, action: version == 1 ? "quote.send" : "quote.revise",
                                                 objectType: "quote", objectID: "\(reference)/\(quoteID)/\(version)", source: source), at: now, app: app, on: tx)
            if let patient = try await User.find(current.$patient.id, on: tx) {
                let link = app.config.baseURL + SiteURL.caseQuote(case: .value(reference), quote: .value("\(quoteID)")).path
                let mailKey = version == 1 ? "mail.quoteSent" : "mail.quoteRevised"
                try await Outbox.enqueue(app, kind: version == 1 ? "quote-sent" : "quote-revised", to: patient.email,
                                         subject: t("\(mailKey).subject", ["reference": reference]),
                                         body: t("\(mailKey).body", ["name": patient.displayName, "reference": reference, "link": link]), now: now, on: tx)
            }
            return .sent(quoteID: quoteID, version: version)
        }
    }

    struct StaleQuote: Error {}

    /// Sends, answering a lost race with `.stale` (the transaction was rolled back).
    static func sendOrStale(_ quote: Quote, for row: ConsultationCase, revising: Int?, expectedVersion: Int?, actor: SignedInUser,
                            app: Application, source: String, on db: any Database) async throws -> SendOutcome {
        do {
            return try await send(quote, for: row, revising: revising, expectedVersion: expectedVersion, actor: actor, app: app, source: source, on: db)
        } catch is StaleQuote {
            return .stale
        }
    }

    /// The patient accepts version `version` of a quote. One conditional write decides it (the quote must be open
    /// and still at that version), a second moves the case from "quoted" to "accepted"; the case's other open
    /// quotes are closed and their providers told politely. Refusals name their reason.
    static func accept(quoteID: Int, version: Int, of row: ConsultationCase, patient: SignedInUser, closingRelated related: [ConsultationCase] = [],
                       app: Application, source: String, on db: any Database) async throws -> Result<Void, QuoteRefusal> {
        let now = app.clock.now()
        let caseID = try row.requireID()
        let reference = row.reference
        let key = try await app.vault.dataKey(id: row.dataKeyID, on: db)
        do {
            try await app.writes.transaction(on: db) { tx in
                let sql = tx as! any SQLDatabase
                _ = try await CaseService.touch(caseID: caseID, allowed: CaseStatus.allCases, now: now, on: tx)
                guard let quote = try await QuoteRecord.query(on: tx).filter(\.$id == quoteID).filter(\.$consultation.$id == caseID).first() else {
                    throw QuoteRefusal.notOpen(.closed)
                }
                let status = QuoteStatus(rawValue: quote.status) ?? .closed
                guard status == .open else { throw QuoteRefusal.notOpen(status) }
                guard quote.latestVersion == version else { throw QuoteRefusal.superseded(latest: quote.latestVersion) }
                guard let stored = try await QuoteVersion.query(on: tx).filter(\.$quote.$id == quoteID).filter(\.$version == version).first(),
                      let until = ISODate.parse(stored.validUntil) else { throw QuoteRefusal.notOpen(.closed) }
                guard today(now) <= until else { throw QuoteRefusal.expired }
                struct Changed: Decodable { let id: Int }
                let changed = try await sql.update("quotes").set("status", to: SQLBind(QuoteStatus.accepted.rawValue))
                    .set("accepted_version", to: SQLBind(version)).set("decided_at", to: SQLBind(now)).set("updated_at", to: SQLBind(now))
                    .where("id", .equal, SQLBind(quoteID)).where("status", .equal, SQLBind(QuoteStatus.open.rawValue))
                    .where("latest_version", .equal, SQLBind(version)).returning("id").all(decoding: Changed.self)
                guard changed.count == 1 else { throw QuoteRefusal.superseded(latest: version) }
                guard let next = CaseAction.acceptQuote.apply(to: .quoted, by: .patient),
                      try await CaseService.transition(caseID: caseID, from: .quoted, to: next, now: now, on: tx) else {
                    throw QuoteRefusal.caseNotQuoted
                }
                let others = try await sql.update("quotes").set("status", to: SQLBind(QuoteStatus.closed.rawValue)).set("decided_at", to: SQLBind(now))
                    .set("updated_at", to: SQLBind(now)).where("case_id", .equal, SQLBind(caseID)).where("status", .equal, SQLBind(QuoteStatus.open.rawValue))
                    .returning("id").all(decoding: Changed.self)
                try await CaseService.addEvent(caseID: caseID, kind: CaseAction.acceptQuote.rawValue, status: next, actor: patient.id, note: nil,
                                               reference: reference, key: key, now: now, on: tx)
                try await AuditLog.append(AuditEntry(actorUserID: patient.id, actorRole: patient.role.rawValue, action: "quote.accept",
                                                     objectType: "quote", objectID: "\(reference)/\(quoteID)/\(version)", source: source),
                                          at: now, app: app, on: tx)
                let agreement = app.config.baseURL + SiteURL.inboxQuoteAgreement(case: .value(reference), quote: .value("\(quoteID)")).path
                let inbox = app.config.baseURL + SiteURL.inboxCase(.value(reference)).path
                try await CaseService.tellTeam(of: row, kind: "quote-accepted", mail: "mail.quoteAccepted",
                                               values: ["reference": reference, "link": agreement], app: app, now: now, on: tx)
                if !others.isEmpty {
                    try await CaseService.tellTeam(of: row, kind: "quote-closed", mail: "mail.quoteClosed", values: ["reference": reference, "link": inbox],
                                                   app: app, now: now, on: tx)
                }
                // The patient's other requests for the same treatment that they chose to close: their open quotes
                // close, the request is declined by the patient, and each team is thanked.
                for other in related where other.$patient.id == patient.id && other.id != row.id {
                    try await closeRelated(other, patient: patient, app: app, source: source, now: now, on: tx)
                }
            }
            return .success(())
        } catch let refusal as QuoteRefusal {
            return .failure(refusal)
        }
    }

    /// Closes the open quotes of another request of the patient's and declines it (one conditional transition
    /// from "quoted"; a request that moved on meanwhile is left as it is).
    static func closeRelated(_ other: ConsultationCase, patient: SignedInUser, app: Application, source: String, now: Date, on tx: any Database) async throws {
        let otherID = try other.requireID()
        guard let next = CaseAction.declineQuote.apply(to: .quoted, by: .patient),
              try await CaseService.transition(caseID: otherID, from: .quoted, to: next, now: now, on: tx) else { return }
        try await (tx as! any SQLDatabase).update("quotes").set("status", to: SQLBind(QuoteStatus.closed.rawValue)).set("decided_at", to: SQLBind(now))
            .set("updated_at", to: SQLBind(now)).where("case_id", .equal, SQLBind(otherID)).where("status", .equal, SQLBind(QuoteStatus.open.rawValue)).run()
        let key = try await app.vault.dataKey(id: other.dataKeyID, on: tx)
        try await CaseService.addEvent(caseID: otherID, kind: "closed-for-other", status: next, actor: patient.id, note: nil, reference: other.reference,
                                       key: key, now: now, on: tx)
        try await AuditLog.append(AuditEntry(actorUserID: patient.id, actorRole: patient.role.rawValue, action: "quote.close-for-other",
                                             objectType: "case", objectID: other.reference, source: source), at: now, app: app, on: tx)
        try await CaseService.tellTeam(of: other, kind: "quote-closed", mail: "mail.quoteClosed",
                                       values: ["reference": other.reference, "link": app.config.baseURL + SiteURL.inboxCase(.value(other.reference)).path],
                                       app: app, now: now, on: tx)
    }

    /// The patient's related requests that still wait for a decision on a quote (offered for closing on acceptance).
    static func relatedOpen(of row: ConsultationCase, on db: any Database) async throws -> [ConsultationCase] {
        let ids = try await relatedCaseIDs(of: row, on: db)
        guard !ids.isEmpty else { return [] }
        return try await ConsultationCase.query(on: db).filter(\.$id ~~ ids).filter(\.$patient.$id == row.$patient.id)
            .filter(\.$status == CaseStatus.quoted.rawValue).sort(\.$id).all()
    }

    /// The patient declines one quote with a reason (sealed). When no open quote is left on a quoted case, the case
    /// is declined too. The provider's team is told that a reason is waiting on the case page, never the reason.
    static func decline(quoteID: Int, reason: String, of row: ConsultationCase, patient: SignedInUser, app: Application, source: String,
                        on db: any Database) async throws -> Result<Void, QuoteRefusal> {
        let now = app.clock.now()
        let caseID = try row.requireID()
        let reference = row.reference
        let key = try await app.vault.dataKey(id: row.dataKeyID, on: db)
        do {
            try await app.writes.transaction(on: db) { tx in
                let sql = tx as! any SQLDatabase
                // Locks the case row first: of two declines at once, the second sees the first's and can decline the case.
                _ = try await CaseService.touch(caseID: caseID, allowed: CaseStatus.allCases, now: now, on: tx)
                let sealed = try Vault.seal(Data(reason.utf8), key: key, context: "case:\(reference):quote:\(quoteID):decision")
                struct Changed: Decodable { let id: Int }
                let changed = try await sql.update("quotes").set("status", to: SQLBind(QuoteStatus.declined.rawValue))
                    .set("decision_note", to: SQLBind(sealed)).set("decided_at", to: SQLBind(now)).set("updated_at", to: SQLBind(now))
                    .where("id", .equal, SQLBind(quoteID)).where("case_id", .equal, SQLBind(caseID))
                    .where("status", .equal, SQLBind(QuoteStatus.open.rawValue)).returning("id").all(decoding: Changed.self)
                guard changed.count == 1 else {
                    let status = try await QuoteRecord.find(quoteID, on: tx).flatMap { QuoteStatus(rawValue: $0.status) } ?? .closed
                    throw QuoteRefusal.notOpen(status)
                }
                let stillOpen = try await QuoteRecord.query(on: tx).filter(\.$consultation.$id == caseID)
                    .filter(\.$status == QuoteStatus.open.rawValue).count()
                var status = CaseStatus(rawValue: (try await ConsultationCase.find(caseID, on: tx))?.status ?? "") ?? .quoted
                if stillOpen == 0, status == .quoted, let next = CaseAction.declineQuote.apply(to: .quoted, by: .patient),
                   try await CaseService.transition(caseID: caseID, from: .quoted, to: next, now: now, on: tx) {
                    status = next
                }
                try await CaseService.addEvent(caseID: caseID, kind: CaseAction.declineQuote.rawValue, status: status, actor: patient.id,
                                               note: reason, reference: reference, key: key, now: now, on: tx)
                try await AuditLog.append(AuditEntry(actorUserID: patient.id, actorRole: patient.role.rawValue, action: "quote.decline",
                                                     objectType: "quote", objectID: "\(reference)/\(quoteID)", source: source), at: now, app: app, on: tx)
                let inbox = app.config.baseURL + SiteURL.inboxCase(.value(reference)).path
                try await CaseService.tellTeam(of: row, kind: "quote-declined", mail: "mail.quoteDeclined", values: ["reference": reference, "link": inbox],
                                               app: app, now: now, on: tx)
            }
            return .success(())
        } catch let refusal as QuoteRefusal {
            return .failure(refusal)
        }
    }

    /// The patient's other cases that ask about at least one of the same procedures and have quotes: the
    /// comparison shows their quotes beside this case's (a patient who wrote to several providers compares them).
    static func relatedCaseIDs(of row: ConsultationCase, on db: any Database) async throws -> [Int] {
        let sql = db as! any SQLDatabase
        let caseID = try row.requireID()
        struct IDRow: Decodable { let case_id: Int }
        let procedures = try await sql.select().column("procedure_id").from("case_procedures").where("case_id", .equal, SQLBind(caseID))
            .all(decoding: ProcedureID.self).map(\.procedure_id)
        guard !procedures.isEmpty else { return [] }
        let rows = try await sql.select().distinct().column(SQLColumn("case_id", table: "case_procedures")).from("case_procedures")
            .join("cases", on: SQLColumn("id", table: "cases"), .equal, SQLColumn("case_id", table: "case_procedures"))
            .where(SQLColumn("patient_id", table: "cases"), .equal, SQLBind(row.$patient.id))
            .where(SQLColumn("procedure_id", table: "case_procedures"), .in, SQLBind.group(procedures))
            .where(SQLColumn("case_id", table: "case_procedures"), .notEqual, SQLBind(caseID))
            .all(decoding: IDRow.self)
        return rows.map(\.case_id).sorted()
    }

    private struct ProcedureID: Decodable { let procedure_id: Int }

    /// The cases that wait for a quote, with how long: opened (or answered) and no quote sent yet.
    static let waitingStatuses: [CaseStatus] = [.submitted, .inReview, .answered]
}
