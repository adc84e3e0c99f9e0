import Foundation

/// How a provider pays a facilitator for a patient the facilitator brought.
public enum CommissionKind: String, Codable, Sendable, CaseIterable {
    /// A share of the accepted quote's total, in the quote's currency.
    case percent
    /// An amount per procedure on the accepted quote, in the agreement's currency.
    case fixed
}

/// The terms of an agreement between a facilitator and a provider, validated.
public struct CommissionTerms: Equatable, Sendable {
    public static let maxPercent: Decimal = 50
    public static let maxPercentDecimals = 2
    public static let paymentTermsRange = 0...180

    public let kind: CommissionKind
    /// For `percent`: more than 0 and at most 50, with at most two decimals.
    public let percent: Decimal?
    /// For `fixed`: more than 0, with no more decimals than the currency has.
    public let fixedAmount: Decimal?
    public let currency: CurrencyCode
    /// Days after treatment within which the commission is due.
    public let paymentTermsDays: Int

    public init?(kind: CommissionKind, percent: Decimal?, fixedAmount: Decimal?, currency: CurrencyCode, paymentTermsDays: Int) {
        guard Self.paymentTermsRange.contains(paymentTermsDays) else { return nil }
        switch kind {
        case .percent:
            guard let percent, fixedAmount == nil, percent > 0, percent <= Self.maxPercent,
                  percent == percent.rounded(Self.maxPercentDecimals) else { return nil }
        case .fixed:
            guard let fixedAmount, percent == nil, fixedAmount > 0, fixedAmount < 1_000_000,
                  fixedAmount == fixedAmount.rounded(currency.minorUnits) else { return nil }
        }
        self.kind = kind
        self.percent = percent
        self.fixedAmount = fixedAmount
        self.currency = currency
        self.paymentTermsDays = paymentTermsDays
    }

    /// From stored text (an agreement row, the demo data): `nil` when anything is not valid.
    public init?(kind: String, percent: String?, fixedAmount: String?, currency: String, paymentTermsDays: Int) {
        guard let kind = CommissionKind(rawValue: kind), let currency = CurrencyCode(currency) else { return nil }
        let p = percent.flatMap(Money.parseAmount)
        let f = fixedAmount.flatMap(Money.parseAmount)
        if percent != nil && p == nil { return nil }
        if fixedAmount != nil && f == nil { return nil }
        self.init(kind: kind, percent: p, fixedAmount: f, currency: currency, paymentTermsDays: paymentTermsDays)
    }

    /// The commission on an accepted quote whose total is `quoteTotal` and which lists `procedureCount` procedures:
    /// the exact product, rounded once to the currency's minor units, half away from zero.
    public func commission(quoteTotal: Money, procedureCount: Int) -> Money {
        switch kind {
        case .percent:
            let exact = quoteTotal.amount * (percent ?? 0) / 100
            return Money(exact, quoteTotal.currency).rounded()
        case .fixed:
            return Money((fixedAmount ?? 0) * Decimal(max(procedureCount, 1)), currency).rounded()
        }
    }

    /// The date the commission is due: the treatment date plus the payment terms.
    public func dueDate(treatedOn: Date) -> Date {
        treatedOn.addingTimeInterval(TimeInterval(paymentTermsDays) * 86_400)
    }

    /// The percentage as people write it ("7.5"), or the amount with its currency.
    public var percentText: String? { percent.map { "\($0)" } }
}
