import Foundation

/// Why a proposed password was refused.
public enum PasswordProblem: Error, Equatable, Sendable {
    /// Fewer characters than `minimum`.
    case tooShort(minimum: Int)
    /// More characters than `maximum`.
    case tooLong(maximum: Int)
    /// Found in the list of commonly chosen passwords (also with digits or punctuation
    /// tacked on), a straight keyboard/alphabet/digit sequence, or contains the site name.
    case common
    /// Contains the local part of the account's e-mail address.
    case containsEmail
    /// One character repeated, or made of three or fewer distinct characters.
    case repetitive
}

/// The rules a new account password must meet, following NIST SP 800-63B:
/// a length range, a check against commonly chosen and easily guessed passwords,
/// and no composition rules ("must contain a digit" and the like).
///
/// Lengths are counted in `Character`s (grapheme clusters), i.e. as the user sees them:
/// every printable character is allowed, including spaces and emoji.
///
/// - Important: bcrypt only uses the first 72 *bytes* of its input, and a 128-character
///   password can be far longer than that in UTF-8. Callers must pre-hash passwords longer
///   than 72 bytes (e.g. SHA-256, then encode) before handing them to bcrypt; the App does
///   that, this type only decides whether a password is acceptable.
public struct PasswordPolicy: Sendable {
    /// Fewest characters (grapheme clusters, `String.count`) allowed.
    public static let minimumLength = 12
    /// Most characters (grapheme clusters, `String.count`) allowed.
    public static let maximumLength = 128

    /// Commonly chosen passwords, lowercased.
    public let commonPasswords: Set<String>

    /// The site's own name, refused anywhere in a password (ignoring case, spaces and punctuation).
    static let siteName = "careabroad"
    /// A base left after stripping a trailing suffix must be at least this long to count as common.
    static let minimumStrippedLength = 8
    /// Shortest run that counts as a piece of a keyboard/alphabet/digit sequence.
    static let minimumSequenceRun = 4
    /// Shortest e-mail local part that is refused inside a password.
    static let minimumEmailLocalPartLength = 4

    /// Straight sequences, followed cyclically and in both directions.
    static let sequences: [[Character]] = {
        let forward = [
            "abcdefghijklmnopqrstuvwxyz",
            "0123456789",
            "qwertyuiopasdfghjklzxcvbnm",   // keyboard rows, row after row
            "qwertzuiopasdfghjklyxcvbnm",   // German layout
            "azertyuiopqsdfghjklmwxcvbn",   // French layout
            "1234567890-=",                 // top row with its tail
            "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",  // keyboard columns
            "1q2w3e4r5t6y7u8i9o0p",
            "q1w2e3r4t5y6u7i8o9p0",
            "qazwsxedcrfvtgbyhnujmikolp",
            "zaq1xsw2cde3vfr4bgt5nhy6mju7,ki8.lo9/;p0",
        ]
        return forward.flatMap { [Array($0), Array($0.reversed())] }
    }()

    public init(commonPasswords: Set<String>) {
        self.commonPasswords = Set(commonPasswords.map { $0.lowercased() })
    }

    /// Loads a newline-separated list (lines starting with # are comments, blank lines ignored), lowercasing entries.
    ///
    /// Leading and trailing whitespace (including a `\r` from CRLF files) is trimmed from each line.
    public static func parseList(_ text: String) -> Set<String> {
        var result = Set<String>()
        for line in text.split(whereSeparator: \.isNewline) {
            let entry = line.trimmingCharacters(in: .whitespaces)
            if entry.isEmpty || entry.hasPrefix("#") { continue }
            result.insert(entry.lowercased())
        }
        return result
    }

    /// Returns every problem (empty when acceptable). `email` is the account's address: its local part (when 4+ chars) inside the password is refused.
    ///
    /// Problems come in a fixed order — length, `.common`, `.containsEmail`, `.repetitive` — each at most once.
    public func problems(password: String, email: String?) -> [PasswordProblem] {
        var found: [PasswordProblem] = []
        let length = password.count
        if length < Self.minimumLength {
            found.append(.tooShort(minimum: Self.minimumLength))
        } else if length > Self.maximumLength {
            found.append(.tooLong(maximum: Self.maximumLength))
        }
        guard !password.isEmpty else { return found }

        let lowered = password.lowercased()
        // The password and every form of it with trailing digits/punctuation removed,
        // down to `minimumStrippedLength` characters ("password123456!" -> "password123456", ..., "password").
        let candidates = Self.trailingStrippedForms(of: lowered)

        if isCommon(lowered, strippedForms: candidates) {
            found.append(.common)
        }
        if let email, Self.containsEmailLocalPart(lowered, email: email) {
            found.append(.containsEmail)
        }
        if candidates.contains(where: Self.isRepetitive) {
            found.append(.repetitive)
        }
        return found
    }

    // MARK: - Checks

    private func isCommon(_ lowered: String, strippedForms: [String]) -> Bool {
        if commonPasswords.contains(lowered) { return true }
        // Stripped forms (all but the first, which is the password itself) count when 8+ characters.
        for form in strippedForms.dropFirst() where commonPasswords.contains(form) {
            return true
        }
        if Self.containsSiteName(lowered) { return true }
        return strippedForms.contains(where: Self.isSequence)
    }

    /// `lowered` first, then each shorter form obtained by removing one trailing digit,
    /// punctuation mark, symbol or space at a time, as long as it keeps `minimumStrippedLength` characters.
    static func trailingStrippedForms(of lowered: String) -> [String] {
        var forms = [lowered]
        var current = Substring(lowered)
        while let last = current.last, isSuffixCharacter(last) {
            current = current.dropLast()
            guard current.count >= minimumStrippedLength else { break }
            forms.append(String(current))
        }
        return forms
    }

    static func isSuffixCharacter(_ c: Character) -> Bool {
        c.isNumber || c.isPunctuation || c.isSymbol || c.isWhitespace
    }

    /// The site name anywhere, ignoring case and anything that is not a letter or digit ("Care-Abroad 2025").
    static func containsSiteName(_ lowered: String) -> Bool {
        let squeezed = String(lowered.filter { $0.isLetter || $0.isNumber })
        return squeezed.contains(siteName)
    }

    /// One character repeated, or three or fewer distinct characters ("aaaaaaaaaaaa", "abcabcabcabc", "ababab121212").
    static func isRepetitive(_ lowered: String) -> Bool {
        var distinct = Set<Character>()
        for c in lowered {
            distinct.insert(c)
            if distinct.count > 3 { return false }
        }
        return !distinct.isEmpty
    }

    /// The whole string is made of straight runs of at least `minimumSequenceRun` characters taken from
    /// the keyboard, the alphabet or the digits, either direction ("123456789012", "qwertyuiopas", "abcdef123456").
    static func isSequence(_ lowered: String) -> Bool {
        let chars = Array(lowered)
        let n = chars.count
        guard n >= minimumSequenceRun else { return false }
        // reachable[i]: chars[0..<i] can be split into sequence runs.
        var reachable = [Bool](repeating: false, count: n + 1)
        reachable[0] = true
        for start in 0..<n where reachable[start] {
            for sequence in sequences {
                let m = sequence.count
                for offset in 0..<m where sequence[offset] == chars[start] {
                    var end = start + 1
                    while end < n, chars[end] == sequence[(offset + end - start) % m] {
                        end += 1
                    }
                    guard end - start >= minimumSequenceRun else { continue }
                    for stop in (start + minimumSequenceRun)...end {
                        reachable[stop] = true
                    }
                    if reachable[n] { return true }
                }
            }
        }
        return reachable[n]
    }

    /// The e-mail's local part (before the last "@"; also without any "+tag") inside the password, when 4+ characters.
    static func containsEmailLocalPart(_ lowered: String, email: String) -> Bool {
        let address = email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let local: Substring
        if let at = address.lastIndex(of: "@") {
            local = address[..<at]
        } else {
            local = Substring(address)
        }
        var parts = [String(local)]
        if let plus = local.firstIndex(of: "+") {
            parts.append(String(local[..<plus]))
        }
        return parts.contains { $0.count >= minimumEmailLocalPartLength && lowered.contains($0) }
    }
}
