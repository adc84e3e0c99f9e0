import Foundation

/// Why one form field was refused; the web layer shows the message next to the field.
public struct FieldProblem: Equatable, Sendable, Hashable {
    public enum Code: Equatable, Sendable, Hashable {
        case required
        case tooLong(max: Int)
        case tooShort(min: Int)
        case outOfRange(min: Int, max: Int)
        case notANumber
        case unknownValue
        case unknownCurrency
        case invalidEmail
        case invalidDate
        case dateInPast
        case endBeforeStart
        case minAboveMax
        case tooMany(max: Int)
        case consentMissing
        case passwordCommon
        case passwordContainsEmail
        case mismatch
        case invalidTimeZone
        case invalidPhone
        /// A time window that overlaps another one.
        case overlaps
        /// The address has an account whose email address is not confirmed yet.
        case unconfirmedAccount
        /// The same entry given twice (one procedure at one location, say).
        case duplicate
    }

    public let field: String
    public let code: Code

    public init(_ field: String, _ code: Code) {
        self.field = field
        self.code = code
    }
}

/// A refused form: every problem found, so the page can show them all at once.
public struct FormError: Error, Equatable, Sendable {
    public var problems: [FieldProblem]

    public init(_ problems: [FieldProblem]) { self.problems = problems }

    public func problems(for field: String) -> [FieldProblem] { problems.filter { $0.field == field } }
    public var fields: Set<String> { Set(problems.map(\.field)) }
}

/// The fields of a submitted form as strings, with typed readers that collect problems instead of throwing,
/// so one pass reports everything that needs fixing.
public struct FormInput: Sendable, Equatable {
    public private(set) var values: [String: [String]]

    public init(_ values: [String: [String]] = [:]) { self.values = values }

    public subscript(name: String) -> String? {
        get { values[name]?.first }
        set { values[name] = newValue.map { [$0] } }
    }

    public func all(_ name: String) -> [String] { values[name] ?? [] }

    public mutating func set(_ name: String, _ list: [String]) { values[name] = list }

    /// A trimmed text value; empty counts as absent.
    public func text(_ name: String) -> String? {
        guard let raw = values[name]?.first else { return nil }
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }
}

/// Limits that hold for every text a person can send, whatever the field.
public enum TextLimits {
    /// No single text field is longer than this many UTF-8 bytes, anywhere.
    public static let maxFieldBytes = 64 * 1024

    /// The byte limit that goes with a limit in characters: four bytes per character (the longest UTF-8 scalar,
    /// and room for a few accents), never above `maxFieldBytes`.
    public static func maxBytes(forCharacters characters: Int) -> Int {
        min(characters.multipliedReportingOverflow(by: 4).overflow ? maxFieldBytes : characters * 4, maxFieldBytes)
    }
}

extension Result where Failure == FormError {
    /// The problems of a refused form (none when it was read).
    public var problems: [FieldProblem] {
        if case .failure(let e) = self { return e.problems }
        return []
    }
}

/// Collects problems while reading a `FormInput`.
public struct FormReader {
    public let input: FormInput
    public private(set) var problems: [FieldProblem] = []

    public init(_ input: FormInput) { self.input = input }

    public mutating func fail(_ field: String, _ code: FieldProblem.Code) { problems.append(FieldProblem(field, code)) }

    /// Free text up to `max` characters and `TextLimits.maxBytes(forCharacters: max)` UTF-8 bytes (line breaks
    /// normalised to `\n`). Bytes are checked first: one "character" can carry thousands of combining marks.
    public mutating func text(_ name: String, max: Int, required: Bool = false) -> String? {
        guard let raw = input.text(name) else {
            if required { fail(name, .required) }
            return nil
        }
        guard raw.utf8.count <= TextLimits.maxBytes(forCharacters: max) else { fail(name, .tooLong(max: max)); return nil }
        let value = raw.replacingOccurrences(of: "\r\n", with: "\n")
        guard value.count <= max else { fail(name, .tooLong(max: max)); return nil }
        guard !value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" }) else {
            fail(name, .unknownValue); return nil
        }
        return value
    }

    /// One value out of a fixed set of choices.
    public mutating func choice<T: RawRepresentable>(_ name: String, _ type: T.Type, required: Bool = false) -> T? where T.RawValue == String {
        guard let raw = input.text(name) else {
            if required { fail(name, .required) }
            return nil
        }
        guard let value = T(rawValue: raw) else { fail(name, .unknownValue); return nil }
        return value
    }

    /// A whole number within `range`.
    public mutating func integer(_ name: String, in range: ClosedRange<Int>, required: Bool = false) -> Int? {
        guard let raw = input.text(name) else {
            if required { fail(name, .required) }
            return nil
        }
        guard raw.count <= 12, let value = Int(raw) else { fail(name, .notANumber); return nil }
        guard range.contains(value) else { fail(name, .outOfRange(min: range.lowerBound, max: range.upperBound)); return nil }
        return value
    }

    /// A calendar date `YYYY-MM-DD`.
    public mutating func date(_ name: String, required: Bool = false) -> Date? {
        guard let raw = input.text(name) else {
            if required { fail(name, .required) }
            return nil
        }
        guard let value = ISODate.parse(raw) else { fail(name, .invalidDate); return nil }
        return value
    }

    /// A checkbox: present with any value means ticked.
    public func checked(_ name: String) -> Bool {
        guard let raw = input.text(name) else { return false }
        return ["on", "yes", "true", "1"].contains(raw.lowercased())
    }

    /// An email address: one `@`, a dot in the domain, no spaces, at most 254 characters. Lowercased.
    public mutating func email(_ name: String, required: Bool = true) -> String? {
        guard let raw = input.text(name) else {
            if required { fail(name, .required) }
            return nil
        }
        guard let value = EmailAddress.normalise(raw) else { fail(name, .invalidEmail); return nil }
        return value
    }
}

/// Email addresses as accounts use them.
public enum EmailAddress {
    public static let maxLength = 254

    /// Lowercased address, or `nil` when it cannot be an address we can write to.
    public static func normalise(_ raw: String) -> String? {
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard value.count <= maxLength, value.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else { return nil }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return nil }
        let domain = parts[1]
        guard domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains(".."),
              !value.contains("<"), !value.contains(">"), !value.contains(","), !value.contains(";") else { return nil }
        return value
    }
}
