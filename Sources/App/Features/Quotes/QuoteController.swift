import Foundation
import Fluent
import SQLKit
import Vapor
import Domain

/// Quotes: the staff editor (`/inbox/{reference}/quotes/new`), the patient's comparison and decision, and the
/// agreement both sides keep. Someone else's case or quote answers 404 (audited as refused).
enum QuoteController {
    // MARK: helpers

    static func providerName(_ row: ConsultationCase, on db: any Database) async throws -> String {
        if let p = row.$practitioner.id, let practitioner = try await Practitioner.find(p, on: db) { return practitioner.displayName }
        if let o = row.$organization.id, let org = try await Organization.find(o, on: db) { return org.name }
        return ""
    }

    /// The quote of `row` named in the path, at the version asked for (`?version=`, the latest by default).
    static func shownQuote(_ req: Request, _ row: ConsultationCase, currency: CurrencyCode?) async throws -> (QuotePages.Shown, Quote?)? {
        let quoteID = try req.quoteID()
        guard let summary = try await QuoteService.summaries(caseIDs: [try row.requireID()], on: req.db).first(where: { $0.id == quoteID }) else {
            return nil
        }
        let version = try req.queryParameters().integer("version", in: 1...summary.latestVersion) ?? summary.latestVersion
        guard let quote = try await QuoteService.content(quoteID: quoteID, version: version, of: row, app: req.application, on: req.db) else { return nil }
        let previous = version > 1
            ? try await QuoteService.content(quoteID: quoteID, version: version - 1, of: row, app: req.application, on: req.db) : nil
        var converted: ConvertedMoney?
        if let currency, currency != quote.currency, let rates = try await RatesStore.latest(on: req.db) {
            converted = rates.exactConversion(quote.total, to: currency)
        }
        return (QuotePages.Shown(summary: summary, reference: row.reference, providerName: try await providerName(row, on: req.db), version: version,
                                 quote: quote, converted: converted), previous)
    }

    /// The quote of the path as one side reads it: the version asked for, the one before it (for the changes),
    /// and the patient's reason if they declined; the read is audited (404 and a refusal entry otherwise).
    static func viewedQuote(_ req: Request, _ user: SignedInUser, _ row: ConsultationCase, currency: CurrencyCode?) async throws
        -> (QuotePages.Shown, Quote?, String?) {
        guard let (shown, previous) = try await shownQuote(req, row, currency: currency) else {
            try await auditView(req, user, "quote.view", row.reference, outcome: .denied)
            throw Abort(.notFound)
        }
        let record = try await QuoteRecord.find(shown.summary.id, on: req.db)
        let decision = try await QuoteService.decisionNote(record?.decisionNote, quoteID: shown.summary.id, of: row, app: req.application, on: req.db)
        try await auditView(req, user, "quote.view", "\(row.reference)/\(shown.summary.id)/\(shown.version)")
        return (shown, previous, decision)
    }

    static func auditView(_ req: Request, _ user: SignedInUser, _ action: String, _ object: String, outcome: AuditEntry.Outcome = .success) async throws {
        try await AuditLog.record(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: action, objectType: "quote",
                                             objectID: object, source: req.auditSource, outcome: outcome), app: req.application)
    }

    static func patientCase(_ req: Request, _ user: SignedInUser) async throws -> ConsultationCase {
        let reference = try req.caseReference()
        guard let row = try await CaseService.forPatient(reference: reference, userID: user.id, on: req.db) else {
            try await CaseController.notFound(req, user, reference)
        }
        return row
    }

    static func staffCase(_ req: Request, _ user: SignedInUser) async throws -> ConsultationCase {
        let reference = try req.caseReference()
        guard let row = try await CaseService.forStaff(reference: reference, userID: user.id, on: req.db) else {
            try await CaseController.notFound(req, user, reference)
        }
        return row
    }

    /// The currency the patient compares in: `?currency=`, else the budget currency of the request, else euros.
    static func chosenCurrency(_ req: Request, _ row: ConsultationCase) async throws -> CurrencyCode {
        if let raw = try req.queryParameters().single("currency") {
            guard let code = CurrencyCode(raw.uppercased()) else { throw ParameterError("currency", .unknownCurrency) }
            return code
        }
        let detail = try await CaseService.detail(row, app: req.application, on: req.db)
        return detail.payload.flatMap { CurrencyCode($0.request.budgetCurrency) } ?? .eur
    }

    // MARK: patient

    @Sendable static func compare(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.patient])
        let row = try await patientCase(req, user)
        let currency = try await chosenCurrency(req, row)
        let rates = try await RatesStore.latest(on: req.db)
        let related = try await QuoteService.relatedCaseIDs(of: row, on: req.db)
        let caseIDs = [try row.requireID()] + related
        let summaries = try await QuoteService.summaries(caseIDs: caseIDs, on: req.db)
        var cases: [Int: ConsultationCase] = [try row.requireID(): row]
        for c in try await ConsultationCase.query(on: req.db).filter(\.$id ~~ related).filter(\.$patient.$id == user.id).all() { cases[try c.requireID()] = c }
        var names: [Int: String] = [:]
        var shown: [QuotePages.Shown] = []
        // This case's quotes first, then the related requests'; declined and closed ones stay out of the comparison.
        for s in summaries.sorted(by: { ($0.caseID == row.id ? 0 : 1, -$0.id) < ($1.caseID == row.id ? 0 : 1, -$1.id) })
        where s.status == .open || s.status == .accepted {
            guard let c = cases[s.caseID],
                  let quote = try await QuoteService.content(quoteID: s.id, version: s.latestVersion, of: c, app: req.application, on: req.db) else { continue }
            if names[s.caseID] == nil { names[s.caseID] = try await providerName(c, on: req.db) }
            let converted = quote.currency == currency ? ConvertedMoney(original: quote.total, converted: quote.total, rate: 1, rateDate: rates?.asOf ?? "")
                                                       : rates?.exactConversion(quote.total, to: currency)
            shown.append(QuotePages.Shown(summary: s, reference: c.reference, providerName: names[s.caseID] ?? "", version: s.latestVersion,
                                          quote: quote, converted: converted))
        }
        try await auditView(req, user, "quote.compare", row.reference)
        let currencies = (rates.map { Array($0.perEuro.keys) } ?? [.eur]).sorted()
        return .html(QuotePages.comparison(reference: row.reference, shown: shown, currency: currency,
                                           currencies: currencies.contains(currency) ? currencies : (currencies + [currency]).sorted(),
                                           today: QuoteService.today(req.application.clock.now()), req.pageContext))
    }

    @Sendable static func show(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.patient])
        let row = try await patientCase(req, user)
        return try await renderPatientQuote(req, user, row, state: FormState(), status: .ok)
    }

    static func renderPatientQuote(_ req: Request, _ user: SignedInUser, _ row: ConsultationCase, state: FormState, status: HTTPStatus) async throws -> Response {
        let (shown, previous, decision) = try await viewedQuote(req, user, row, currency: try await chosenCurrency(req, row))
        var related: [(reference: String, provider: String)] = []
        for other in try await QuoteService.relatedOpen(of: row, on: req.db) { related.append((other.reference, try await providerName(other, on: req.db))) }
        return .html(QuotePages.show(shown, previous: previous, viewer: .patient, csrf: req.csrfToken, state: state, decision: decision, related: related,
                                     today: QuoteService.today(req.application.clock.now()), req.pageContext), status: status)
    }

    @Sendable static func accept(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser(roles: [.patient])
        let row = try await patientCase(req, user)
        let quoteID = try req.quoteID()
        var reader = FormReader(form.input)
        let version = reader.integer("version", in: 1...100_000, required: true)
        let confirmed = reader.checked("confirm")
        guard let version, confirmed else {
            var problems = reader.problems
            if !confirmed { problems.append(FieldProblem("confirm", .consentMissing)) }
            return try await renderPatientQuote(req, user, row, state: FormState(form.input, problems: problems), status: .unprocessableEntity)
        }
        // The related requests the patient ticked (only their own, still waiting on a quote).
        let chosen = Set(form.input.all("close_related"))
        let related = try await QuoteService.relatedOpen(of: row, on: req.db).filter { chosen.contains($0.reference) }
        switch try await QuoteService.accept(quoteID: quoteID, version: version, of: row, patient: user, closingRelated: related, app: req.application,
                                             source: req.auditSource, on: req.db) {
        case .success:
            return CaseController.redirect(SiteURL.caseQuoteAgreement(case: .value(row.reference), quote: .value("\(quoteID)")).path)
        case .failure(let refusal):
            throw Abort(.conflict, reason: req.application.localizer(refusal.key))
        }
    }

    @Sendable static func decline(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser(roles: [.patient])
        let row = try await patientCase(req, user)
        let quoteID = try req.quoteID()
        var reader = FormReader(form.input)
        guard let reason = reader.text("reason", max: QuoteLimits.maxText, required: true) else {
            return try await renderPatientQuote(req, user, row, state: FormState(form.input, problems: reader.problems), status: .unprocessableEntity)
        }
        switch try await QuoteService.decline(quoteID: quoteID, reason: reason, of: row, patient: user, app: req.application,
                                              source: req.auditSource, on: req.db) {
        case .success:
            return CaseController.redirect(SiteURL.caseQuote(case: .value(row.reference), quote: .value("\(quoteID)")).path)
        case .failure(let refusal):
            throw Abort(.conflict, reason: req.application.localizer(refusal.key))
        }
    }

    @Sendable static func agreement(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.patient])
        return try await renderAgreement(req, user, try await patientCase(req, user))
    }

    /// The accepted version of a quote, printable; 404 until the quote is accepted.
    static func renderAgreement(_ req: Request, _ user: SignedInUser, _ row: ConsultationCase) async throws -> Response {
        let quoteID = try req.quoteID()
        guard let record = try await QuoteRecord.query(on: req.db).filter(\.$id == quoteID).filter(\.$consultation.$id == (try row.requireID())).first(),
              record.status == QuoteStatus.accepted.rawValue, let version = record.acceptedVersion,
              let summary = try await QuoteService.summaries(caseIDs: [try row.requireID()], on: req.db).first(where: { $0.id == quoteID }),
              let quote = try await QuoteService.content(quoteID: quoteID, version: version, of: row, app: req.application, on: req.db) else {
            try await auditView(req, user, "quote.agreement.view", row.reference, outcome: .denied)
            throw Abort(.notFound)
        }
        let detail = try await CaseService.detail(row, app: req.application, on: req.db)
        try await auditView(req, user, "quote.agreement.view", "\(row.reference)/\(quoteID)/\(version)")
        let shown = QuotePages.Shown(summary: summary, reference: row.reference, providerName: try await providerName(row, on: req.db),
                                     version: version, quote: quote, converted: nil)
        return .html(QuotePages.agreement(shown, patientName: detail.payload?.patientName ?? req.application.localizer("case.erasedName"),
                                          acceptedAt: record.decidedAt ?? record.updatedAt, req.pageContext))
    }

    // MARK: staff

    @Sendable static func staffShow(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.provider])
        let row = try await staffCase(req, user)
        let (shown, previous, decision) = try await viewedQuote(req, user, row, currency: nil)
        return .html(QuotePages.show(shown, previous: previous, viewer: .staff, csrf: req.csrfToken, state: FormState(), decision: decision,
                                     today: QuoteService.today(req.application.clock.now()), req.pageContext))
    }

    @Sendable static func staffAgreement(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.provider])
        return try await renderAgreement(req, user, try await staffCase(req, user))
    }

    /// The editor, empty or (`?revise=ID`) filled with the latest version of an open quote.
    @Sendable static func editorForm(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.provider])
        let row = try await staffCase(req, user)
        let detail = try await CaseService.detail(row, app: req.application, on: req.db)
        guard let status = CaseStatus(rawValue: row.status), CaseAction.sendQuote.apply(to: status, by: .providerStaff) != nil else {
            throw Abort(.conflict, reason: req.application.localizer("quote.editor.notAllowed"))
        }
        var revising: (id: Int, version: Int)?
        var input = FormInput()
        if let id = try req.queryParameters().integer("revise", in: 1...Int(Int32.max)) {
            guard let summary = try await QuoteService.summaries(caseIDs: [try row.requireID()], on: req.db).first(where: { $0.id == id }),
                  summary.status == .open,
                  let quote = try await QuoteService.content(quoteID: id, version: summary.latestVersion, of: row, app: req.application, on: req.db) else {
                throw Abort(.notFound)
            }
            revising = (id, summary.latestVersion)
            input = QuoteForm.input(from: quote)
        } else {
            input["currency"] = detail.payload.flatMap { CurrencyCode($0.request.budgetCurrency)?.code } ?? "EUR"
            let validity = req.application.clock.now().addingTimeInterval(30 * 86_400)
            input["valid_until"] = ISODate.format(validity)
            input["deposit_due_days"] = "14"
            input["scope_cap_kind"] = "percent"
        }
        try await CaseController.audit(req, user, "quote.editor.open", row.reference)
        return .html(QuotePages.editor(detail, revising: revising, state: FormState(input), preview: nil, req.pageContext, csrf: req.csrfToken))
    }

    @Sendable static func editorSubmit(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser(roles: [.provider])
        let row = try await staffCase(req, user)
        let detail = try await CaseService.detail(row, app: req.application, on: req.db)
        var reader = FormReader(form.input)
        let reviseID = reader.integer("revise", in: 1...Int(Int32.max))
        let expected = reader.integer("expected_version", in: 1...100_000)
        guard reader.problems.isEmpty, (reviseID == nil) == (expected == nil) else { throw Abort(.badRequest) }
        let revising = reviseID.flatMap { id in expected.map { (id: id, version: $0) } }
        let intent = form.input.text("intent") ?? "send"
        let today = QuoteService.today(req.application.clock.now())
        let result = Quote.read(form.input, today: today)
        if intent != "send" {
            let preview = try? result.get()
            let problems = intent == "preview" ? ((try? result.get()) == nil ? result.problems : []) : []
            return .html(QuotePages.editor(detail, revising: revising, state: FormState(form.input, problems: problems), preview: preview,
                                           req.pageContext, csrf: req.csrfToken))
        }
        let quote: Quote
        switch result {
        case .success(let q): quote = q
        case .failure(let error):
            return .html(QuotePages.editor(detail, revising: revising, state: FormState(form.input, problems: error.problems), preview: nil,
                                           req.pageContext, csrf: req.csrfToken), status: .unprocessableEntity)
        }
        switch try await QuoteService.sendOrStale(quote, for: row, revising: revising?.id, expectedVersion: revising?.version, actor: user,
                                                  app: req.application, source: req.auditSource, on: req.db) {
        case .sent(let id, _):
            return CaseController.redirect(SiteURL.inboxQuote(case: .value(row.reference), quote: .value("\(id)")).path)
        case .stale:
            throw Abort(.conflict, reason: req.application.localizer("quote.editor.stale"))
        case .notAllowed:
            throw Abort(.conflict, reason: req.application.localizer("quote.editor.notAllowed"))
        }
    }
}

/// The editor's fields for an existing quote (a revision starts from the latest version).
enum QuoteForm {
    static func input(from q: Quote) -> FormInput {
        var input = FormInput()
        input["currency"] = q.currency.code
        input["valid_until"] = ISODate.format(q.validUntil)
        input["deposit_amount"] = q.depositAmount == 0 ? "" : "\(q.depositAmount)"
        input["deposit_due_days"] = "\(q.depositDueDays)"
        input["cancellation"] = q.cancellation
        input["scope_findings"] = q.scopeChange.findings
        switch q.scopeChange.cap {
        case .amount(let a)?: input["scope_cap_kind"] = "amount"; input["scope_cap"] = "\(a)"
        case .percent(let p)?: input["scope_cap_kind"] = "percent"; input["scope_cap"] = "\(p)"
        case nil: input["scope_cap_kind"] = "none"
        }
        input.set("line_kind", q.lines.map(\.kind.rawValue))
        input.set("line_description", q.lines.map(\.description))
        input.set("line_quantity", q.lines.map { "\($0.quantity)" })
        input.set("line_unit_amount", q.lines.map { "\($0.unitAmount)" })
        input.set("line_included", q.lines.map(\.included))
        input.set("line_excluded", q.lines.map(\.excluded))
        return input
    }
}
