import Foundation

/// Why a request parameter was refused; the web layer turns it into a 400 that names the parameter.
public struct ParameterError: Error, Equatable, Sendable {
    public enum Problem: Equatable, Sendable {
        case notUTF8
        case malformed
        case notANumber
        case notAWholeNumber
        case negative
        case outOfRange(min: Int, max: Int)
        case tooLong(max: Int)
        case unknownCurrency
        case unsupportedCurrency
        case unknownValue
        case minAboveMax
        case repeated
    }

    public let parameter: String
    public let problem: Problem

    public init(_ parameter: String, _ problem: Problem) {
        self.parameter = parameter
        self.problem = problem
    }
}

/// The decoded query string of a request.
///
/// Written here rather than taken from the framework's decoder because a refusal must name the parameter
/// whose bytes are not UTF-8, and the framework's decoder reports such input without saying where.
public struct QueryParameters: Sendable {
    public private(set) var values: [String: [String]] = [:]

    /// Longest raw query accepted; anything longer is refused as a whole.
    public static let maxRawLength = 4096

    public init(values: [String: [String]]) {
        self.values = values
    }

    /// Parses an `application/x-www-form-urlencoded` query (`a=1&b=two+words`).
    public init(raw: String?, maxLength: Int = QueryParameters.maxRawLength) throws(ParameterError) {
        guard let raw, !raw.isEmpty else { return }
        guard raw.utf8.count <= maxLength else {
            let firstName = raw.split(separator: "&").first.map { String($0.split(separator: "=").first ?? "") } ?? "query"
            throw ParameterError(Self.decode(firstName) ?? "query", .tooLong(max: maxLength))
        }
        for pair in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(String(parts[0])) else {
                throw ParameterError("query", .notUTF8)
            }
            let rawValue = parts.count > 1 ? String(parts[1]) : ""
            guard let value = Self.decode(rawValue) else {
                throw ParameterError(name, .notUTF8)
            }
            values[name, default: []].append(value)
        }
    }

    private static func decode(_ text: String) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    /// The single value of a parameter, trimmed; empty values count as absent.
    public func single(_ name: String) throws(ParameterError) -> String? {
        guard let list = values[name] else { return nil }
        let nonEmpty = list.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        guard nonEmpty.count <= 1 else { throw ParameterError(name, .repeated) }
        return nonEmpty.first
    }

    /// A whole number within `range`, or `nil` when absent.
    public func integer(_ name: String, in range: ClosedRange<Int>) throws(ParameterError) -> Int? {
        guard let text = try single(name) else { return nil }
        guard text.count <= 12 else { throw ParameterError(name, .outOfRange(min: range.lowerBound, max: range.upperBound)) }
        guard let value = Int(text) else {
            throw ParameterError(name, Double(text) == nil ? .notANumber : .notAWholeNumber)
        }
        guard range.contains(value) else {
            throw ParameterError(name, .outOfRange(min: range.lowerBound, max: range.upperBound))
        }
        return value
    }

    /// A non-negative decimal amount, or `nil` when absent.
    public func amount(_ name: String) throws(ParameterError) -> Decimal? {
        guard let text = try single(name) else { return nil }
        guard let value = Money.parseAmount(text) else { throw ParameterError(name, .notANumber) }
        guard value >= 0 else { throw ParameterError(name, .negative) }
        guard value <= 100_000_000_000 else { throw ParameterError(name, .outOfRange(min: 0, max: 100_000_000_000)) }
        return value
    }

    /// Free text of at most `maxLength` characters, or `nil` when absent.
    public func text(_ name: String, maxLength: Int) throws(ParameterError) -> String? {
        guard let text = try single(name) else { return nil }
        guard text.count <= maxLength else { throw ParameterError(name, .tooLong(max: maxLength)) }
        return text
    }

    /// A country code (two ASCII letters, ISO 3166), upper-cased; anything else is refused.
    public func countryCode(_ name: String) throws(ParameterError) -> String? {
        guard let code = try text(name, maxLength: 2) else { return nil }
        guard code.count == 2, code.allSatisfy({ $0.isASCII && $0.isLetter }) else { throw ParameterError(name, .unknownValue) }
        return code.uppercased()
    }

    /// A language code (two or three ASCII letters, ISO 639), lower-cased; anything else is refused.
    public func languageCode(_ name: String) throws(ParameterError) -> String? {
        guard let code = try text(name, maxLength: 3) else { return nil }
        guard (2...3).contains(code.count), code.allSatisfy({ $0.isASCII && $0.isLetter }) else { throw ParameterError(name, .unknownValue) }
        return code.lowercased()
    }

    /// A boolean flag: `1`, `true`, `on`, `yes` are true; `0`, `false`, `off`, `no` are false.
    public func flag(_ name: String) throws(ParameterError) -> Bool {
        guard let text = try single(name)?.lowercased() else { return false }
        switch text {
        case "1", "true", "on", "yes": return true
        case "0", "false", "off", "no": return false
        default: throw ParameterError(name, .unknownValue)
        }
    }
}

/// Page number and size, validated.
public struct Paging: Equatable, Sendable {
    public var page: Int
    public var perPage: Int

    public static let maxPage = 10_000
    public static let maxPerPage = 100

    public init(page: Int = 1, perPage: Int = 20) {
        self.page = page
        self.perPage = perPage
    }

    public init(_ query: QueryParameters, defaultPerPage: Int = 20) throws(ParameterError) {
        page = try query.integer("page", in: 1...Self.maxPage) ?? 1
        perPage = try query.integer("limit", in: 1...Self.maxPerPage) ?? defaultPerPage
    }

    public var offset: Int { (page - 1) * perPage }

    public func pageCount(total: Int) -> Int { max(1, (total + perPage - 1) / perPage) }
}
