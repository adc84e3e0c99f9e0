import Foundation

/// One line of an itemised quote: what is charged, how many, at what unit price, and what it covers.
public struct QuoteLine: Sendable, Equatable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case procedure, surgeonFee = "surgeon-fee", anaesthesia, facility, clinicNights = "clinic-nights"
        case hotelNights = "hotel-nights", transfers, aftercareVisits = "aftercare-visits", medication, garments, other
    }

    public var kind: Kind
    public var description: String
    public var quantity: Decimal
    public var unitAmount: Decimal
    public var included: String
    public var excluded: String

    public init(kind: Kind, description: String, quantity: Decimal, unitAmount: Decimal, included: String = "", excluded: String = "") {
        self.kind = kind
        self.description = description
        self.quantity = quantity
        self.unitAmount = unitAmount
        self.included = included
        self.excluded = excluded
    }

    /// Quantity × unit amount, exact (not rounded: a quote rounds once, at its total).
    public var exactTotal: Decimal { quantity * unitAmount }
}

/// The clinic's written rule for a change of scope on arrival: which findings may change the price, and the
/// largest change they may make. Without a cap the quote is not binding, and is labelled so.
public struct ScopeChangePolicy: Sendable, Equatable, Hashable, Codable {
    public enum Cap: Sendable, Equatable, Hashable, Codable {
        case amount(Decimal)
        case percent(Decimal)
    }

    public var findings: String
    public var cap: Cap?

    public init(findings: String, cap: Cap?) {
        self.findings = findings
        self.cap = cap
    }
}

/// An itemised quote (treatment plan) in one currency.
public struct Quote: Sendable, Equatable, Hashable, Codable {
    public var currency: CurrencyCode
    public var lines: [QuoteLine]
    /// The last day the quote can be accepted (a calendar date, UTC midnight).
    public var validUntil: Date
    public var depositAmount: Decimal
    /// Days before the treatment date by which the deposit is due.
    public var depositDueDays: Int
    public var cancellation: String
    public var scopeChange: ScopeChangePolicy

    public init(currency: CurrencyCode, lines: [QuoteLine], validUntil: Date, depositAmount: Decimal, depositDueDays: Int,
                cancellation: String, scopeChange: ScopeChangePolicy) {
        self.currency = currency
        self.lines = lines
        self.validUntil = validUntil
        self.depositAmount = depositAmount
        self.depositDueDays = depositDueDays
        self.cancellation = cancellation
        self.scopeChange = scopeChange
    }

    /// The sum of the exact line totals, rounded once to the currency's minor units.
    public var total: Money { Money(lines.reduce(Decimal(0)) { $0 + $1.exactTotal }, currency).rounded() }

    /// Binding only with a cap on what a change of scope may add.
    public var isBinding: Bool { scopeChange.cap != nil }

    /// The most the patient can be asked to pay: the total plus the cap (nil when there is no cap).
    public var ceiling: Money? {
        guard let cap = scopeChange.cap else { return nil }
        let exact = lines.reduce(Decimal(0)) { $0 + $1.exactTotal }
        switch cap {
        case .amount(let a): return Money(exact + a, currency).rounded()
        case .percent(let p): return Money(exact + exact * p / 100, currency).rounded()
        }
    }

    /// Whether it can still be accepted on `today` (a UTC calendar date).
    public func isValid(on today: Date) -> Bool { today <= validUntil }
}

/// Limits that the quote editor, the API and the tests share.
public enum QuoteLimits {
    public static let maxLines = 60
    /// The largest amount on a line or a total (a billion in any currency): larger is a typing mistake or an attack.
    public static let maxAmount = Decimal(1_000_000_000)
    public static let maxQuantity = Decimal(1_000)
    public static let maxText = 2_000
    public static let maxDepositDays = 365
}

extension Quote {
    /// Checks a quote as a provider submits it; every problem is named at its field (`lines[3].unit_amount`).
    public func problems(today: Date) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if lines.isEmpty { problems.append(FieldProblem("lines", .required)) }
        if lines.count > QuoteLimits.maxLines { problems.append(FieldProblem("lines", .tooMany(max: QuoteLimits.maxLines))) }
        for (i, line) in lines.enumerated() {
            let field = "lines[\(i)]"
            if line.description.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problems.append(FieldProblem("\(field).description", .required)) }
            if line.quantity <= 0 || line.quantity > QuoteLimits.maxQuantity {
                problems.append(FieldProblem("\(field).quantity", .outOfRange(min: 1, max: 1_000)))
            }
            if line.unitAmount < 0 || line.unitAmount > QuoteLimits.maxAmount {
                problems.append(FieldProblem("\(field).unit_amount", .outOfRange(min: 0, max: 1_000_000_000)))
            }
            for (name, text) in [("description", line.description), ("included", line.included), ("excluded", line.excluded)]
            where text.utf8.count > TextLimits.maxBytes(forCharacters: QuoteLimits.maxText) || text.count > QuoteLimits.maxText {
                problems.append(FieldProblem("\(field).\(name)", .tooLong(max: QuoteLimits.maxText)))
            }
        }
        let exact = lines.reduce(Decimal(0)) { $0 + $1.exactTotal }
        if exact > QuoteLimits.maxAmount { problems.append(FieldProblem("lines", .outOfRange(min: 0, max: 1_000_000_000))) }
        if validUntil < today { problems.append(FieldProblem("valid_until", .dateInPast)) }
        if depositAmount < 0 || depositAmount > max(exact, 0) {
            // The most a deposit can be is the total (named in whole units of the currency).
            var total = min(max(exact, 0), QuoteLimits.maxAmount), whole = Decimal()
            NSDecimalRound(&whole, &total, 0, .down)
            let most = NSDecimalNumber(decimal: whole).intValue
            problems.append(FieldProblem("deposit_amount", .outOfRange(min: 0, max: most)))
        }
        if !(0...QuoteLimits.maxDepositDays).contains(depositDueDays) {
            problems.append(FieldProblem("deposit_due_days", .outOfRange(min: 0, max: QuoteLimits.maxDepositDays)))
        }
        switch scopeChange.cap {
        case .amount(let a) where a < 0 || a > QuoteLimits.maxAmount:
            problems.append(FieldProblem("scope_cap", .outOfRange(min: 0, max: 1_000_000_000)))
        case .percent(let p) where p < 0 || p > 100:
            problems.append(FieldProblem("scope_cap", .outOfRange(min: 0, max: 100)))
        default: break
        }
        return problems
    }
}

/// How one version of a quote differs from the one before, line by line (lines are matched by kind and
/// description, so a changed price shows as a change, not as a removal and an addition).
public enum QuoteLineChange: Sendable, Equatable {
    case unchanged(QuoteLine)
    case changed(old: QuoteLine, new: QuoteLine)
    case added(QuoteLine)
    case removed(QuoteLine)

    public static func diff(old: [QuoteLine], new: [QuoteLine]) -> [QuoteLineChange] {
        func key(_ l: QuoteLine) -> String { l.kind.rawValue + "|" + l.description.lowercased().trimmingCharacters(in: .whitespaces) }
        var remaining = old
        var changes: [QuoteLineChange] = []
        for line in new {
            if let i = remaining.firstIndex(where: { key($0) == key(line) }) {
                let before = remaining.remove(at: i)
                changes.append(before == line ? .unchanged(line) : .changed(old: before, new: line))
            } else {
                changes.append(.added(line))
            }
        }
        changes += remaining.map { .removed($0) }
        return changes
    }
}

/// An amount shown in another currency: the converted value, the rate used and the date of that rate.
public struct ConvertedMoney: Sendable, Equatable {
    public let original: Money
    public let converted: Money
    /// Units of the target currency for one unit of the original.
    public let rate: Decimal
    public let rateDate: String

    public init(original: Money, converted: Money, rate: Decimal, rateDate: String) {
        self.original = original
        self.converted = converted
        self.rate = rate
        self.rateDate = rateDate
    }
}

extension ExchangeRates {
    /// Converts `money` with exact decimal arithmetic through the euro rates, rounding once at the end.
    public func exactConversion(_ money: Money, to currency: CurrencyCode) -> ConvertedMoney? {
        guard let from = perEuro[money.currency], from > 0, let to = perEuro[currency] else { return nil }
        let rate = to / from
        return ConvertedMoney(original: money, converted: Money(money.amount * to / from, currency).rounded(), rate: rate, rateDate: asOf)
    }
}

extension Quote {
    /// Reads the quote editor's form (it works without JavaScript): the quote's fields, and the lines as parallel
    /// repeated fields in form order (`line_kind`, `line_description`, `line_quantity`, `line_unit_amount`,
    /// `line_included`, `line_excluded`). Rows left entirely empty are skipped, so the editor can offer spare rows.
    /// Every problem is reported at its field; a quote is returned only when there is none.
    public static func read(_ input: FormInput, today: Date) -> Result<Quote, FormError> {
        var r = FormReader(input)
        let currency: CurrencyCode? = {
            guard let raw = input.text("currency") else { r.fail("currency", .required); return nil }
            guard let code = CurrencyCode(raw) else { r.fail("currency", .unknownCurrency); return nil }
            return code
        }()
        let validUntil = r.date("valid_until", required: true)
        func amount(_ name: String, required: Bool) -> Decimal? {
            guard let raw = input.text(name) else { if required { r.fail(name, .required) }; return nil }
            guard let value = Money.parseAmount(raw) else { r.fail(name, .notANumber); return nil }
            return value
        }
        let deposit = amount("deposit_amount", required: false) ?? 0
        let depositDays = r.integer("deposit_due_days", in: 0...QuoteLimits.maxDepositDays) ?? 0
        let cancellation = r.text("cancellation", max: QuoteLimits.maxText, required: true)
        let findings = r.text("scope_findings", max: QuoteLimits.maxText)
        var cap: ScopeChangePolicy.Cap?
        switch input.text("scope_cap_kind") {
        case nil, "none": cap = nil
        case "amount": cap = amount("scope_cap", required: true).map { .amount($0) }
        case "percent": cap = amount("scope_cap", required: true).map { .percent($0) }
        default: r.fail("scope_cap_kind", .unknownValue)
        }

        let kinds = input.all("line_kind"), descriptions = input.all("line_description"), quantities = input.all("line_quantity")
        let units = input.all("line_unit_amount"), included = input.all("line_included"), excluded = input.all("line_excluded")
        let rows = max(kinds.count, descriptions.count, quantities.count, units.count)
        var lines: [QuoteLine] = []
        var problems: [FieldProblem] = []
        func cell(_ list: [String], _ i: Int) -> String { i < list.count ? list[i].trimmingCharacters(in: .whitespacesAndNewlines) : "" }
        if rows > QuoteLimits.maxLines * 2 { problems.append(FieldProblem("lines", .tooMany(max: QuoteLimits.maxLines))) }
        else {
            for i in 0..<rows {
                let description = cell(descriptions, i), quantity = cell(quantities, i), unit = cell(units, i)
                if description.isEmpty && quantity.isEmpty && unit.isEmpty && cell(included, i).isEmpty && cell(excluded, i).isEmpty { continue }
                let at = "lines[\(lines.count)]"
                guard let kind = QuoteLine.Kind(rawValue: cell(kinds, i)) else { problems.append(FieldProblem("\(at).kind", .unknownValue)); continue }
                guard let q = Money.parseAmount(quantity.isEmpty ? "1" : quantity) else { problems.append(FieldProblem("\(at).quantity", .notANumber)); continue }
                guard let u = Money.parseAmount(unit) else { problems.append(FieldProblem("\(at).unit_amount", unit.isEmpty ? .required : .notANumber)); continue }
                lines.append(QuoteLine(kind: kind, description: description, quantity: q, unitAmount: u,
                                       included: cell(included, i), excluded: cell(excluded, i)))
            }
        }
        problems = r.problems + problems
        guard let currency, let validUntil, let cancellation else { return .failure(FormError(problems)) }
        let quote = Quote(currency: currency, lines: lines, validUntil: validUntil, depositAmount: deposit, depositDueDays: depositDays,
                          cancellation: cancellation, scopeChange: ScopeChangePolicy(findings: findings ?? "", cap: cap))
        // A deposit above the total only means something once every line was read and is in range.
        let quoteProblems = quote.problems(today: today)
        let linesInDoubt = lines.isEmpty || (problems + quoteProblems).contains { $0.field.hasPrefix("lines") }
        problems += quoteProblems.filter { p in
            !problems.contains { $0.field == p.field } && !(linesInDoubt && p.field == "deposit_amount")
        }
        return problems.isEmpty ? .success(quote) : .failure(FormError(problems))
    }
}
