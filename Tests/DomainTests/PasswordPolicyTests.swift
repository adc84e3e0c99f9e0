import Foundation
import Testing
@testable import Domain

@Suite("Password policy")
struct PasswordPolicyTests {
    let policy = PasswordPolicy(commonPasswords: PasswordPolicy.parseList("""
        # a small stand-in for the bundled list
        password
        password1234
        iloveyou1234
        summer2024
        trustno1trustno1
        """))

    /// A password of `count` characters with nothing else wrong: varied, not a sequence, no common words.
    func varied(_ count: Int) -> String {
        let pattern = Array("violet harbour lantern 42 moss ferry quill ")
        return String((0..<count).map { pattern[$0 % pattern.count] })
    }

    @Test("11 characters are too short, 12 are enough")
    func minimumLength() {
        #expect(policy.problems(password: varied(11), email: nil) == [.tooShort(minimum: 12)])
        #expect(policy.problems(password: varied(12), email: nil) == [])
    }

    @Test("128 characters are accepted, 129 are too long, 64 are fine")
    func maximumLength() {
        #expect(policy.problems(password: varied(128), email: nil) == [])
        #expect(policy.problems(password: varied(129), email: nil) == [.tooLong(maximum: 128)])
        #expect(policy.problems(password: varied(64), email: nil) == [])
    }

    @Test("Emoji and spaces count as one character each")
    func emojiAndSpaces() {
        // 11 visible characters, though far more bytes and scalars: too short.
        let eleven = "🏝️ 👨‍👩‍👧 é ok! 🇯🇵"
        #expect(eleven.count == 11)
        #expect(eleven.utf8.count > 12)
        #expect(policy.problems(password: eleven, email: nil) == [.tooShort(minimum: 12)])
        // One more emoji makes 12: accepted, no composition rules.
        let twelve = eleven + "🦜"
        #expect(twelve.count == 12)
        #expect(policy.problems(password: twelve, email: nil) == [])
        // Spaces are ordinary characters.
        #expect(policy.problems(password: "sea  breeze  ", email: nil) == [])
        #expect(policy.problems(password: "sea breeze ", email: nil) == [.tooShort(minimum: 12)])
    }

    @Test("A common password is refused whatever its case")
    func commonCaseInsensitive() {
        #expect(policy.problems(password: "password1234", email: nil) == [.common])
        #expect(policy.problems(password: "PassWord1234", email: nil) == [.common])
        #expect(policy.problems(password: "ILOVEYOU1234", email: nil) == [.common])
        #expect(policy.problems(password: "TrustNo1TrustNo1", email: nil) == [.common])
    }

    @Test("A common password with digits or punctuation tacked on is refused")
    func commonWithSuffix() {
        #expect(policy.problems(password: "password123456!", email: nil) == [.common])
        #expect(policy.problems(password: "Password!!!!", email: nil) == [.common])
        #expect(policy.problems(password: "Summer2024!!", email: nil) == [.common])
        #expect(policy.problems(password: "password1234 ?", email: nil) == [.common])
        // A short stripped form does not count: "iloveyou12" is not listed and
        // stripping stops before fewer than 8 characters.
        let small = PasswordPolicy(commonPasswords: ["cat"])
        #expect(small.problems(password: "cat123456789", email: nil) == [])
    }

    @Test("The site's name is refused anywhere in a password")
    func siteName() {
        #expect(policy.problems(password: "myCareAbroadLogin", email: nil) == [.common])
        #expect(policy.problems(password: "care-abroad rocks", email: nil) == [.common])
    }

    @Test("Keyboard, alphabet and digit sequences are refused as common", arguments: [
        "123456789012", "abcdefghijkl", "qwertyuiopas", "ABCDEFGHIJKL", "210987654321",
        "lkjihgfedcba", "asdfghjklzxc", "1q2w3e4r5t6y", "1qaz2wsx3edc", "abcdef123456",
        "qwerty123456", "xyzabcdefghi", "qwertyuiop!!",
    ])
    func sequences(password: String) {
        let empty = PasswordPolicy(commonPasswords: [])
        #expect(empty.problems(password: password, email: nil) == [.common])
    }

    @Test("One character repeated, or three distinct characters, is repetitive")
    func repetitive() {
        let empty = PasswordPolicy(commonPasswords: [])
        #expect(empty.problems(password: "aaaaaaaaaaaa", email: nil) == [.repetitive])
        #expect(empty.problems(password: "AaAaAaAaAaAa", email: nil) == [.repetitive])
        #expect(empty.problems(password: "xyxyxyzzzyxy", email: nil) == [.repetitive])
        #expect(empty.problems(password: "🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂", email: nil) == [.repetitive])
        #expect(empty.problems(password: "zzzzzzzzzz1!", email: nil) == [.repetitive])
        #expect(empty.problems(password: "aaa", email: nil) == [.tooShort(minimum: 12), .repetitive])
        // Four distinct characters that are no sequence pass.
        #expect(empty.problems(password: "mxmqmxmqqmxp", email: nil) == [])
    }

    @Test("The e-mail's local part inside the password is refused")
    func emailLocalPart() {
        let email = "Maria.Lopez@example.com"
        #expect(policy.problems(password: "maria.lopez rocks 99", email: email) == [.containsEmail])
        #expect(policy.problems(password: "Hola MARIA.LOPEZ!!!", email: email) == [.containsEmail])
        // "+tags" are ignored too.
        #expect(policy.problems(password: "my name is jdoe ok", email: "jdoe+travel@example.org") == [.containsEmail])
        // Local parts under four characters are not checked.
        #expect(policy.problems(password: "amy went sailing", email: "amy@example.com") == [])
        // Unrelated address: fine.
        #expect(policy.problems(password: "violet harbour lantern 42", email: "maria@example.com") == [])
    }

    @Test("Every problem is reported")
    func severalProblems() {
        let empty = PasswordPolicy(commonPasswords: [])
        #expect(empty.problems(password: "abcd", email: "abcd@example.com")
            == [.tooShort(minimum: 12), .common, .containsEmail])
        #expect(policy.problems(password: "", email: nil) == [.tooShort(minimum: 12)])
    }

    @Test("A good passphrase is accepted")
    func goodPassphrase() {
        #expect(policy.problems(password: "violet harbour lantern 42", email: "traveller@example.com") == [])
        #expect(policy.problems(password: "Violet Harbour Lantern 42", email: nil) == [])
        // No composition rules: all lowercase letters, no digits.
        #expect(policy.problems(password: "gentle otters negotiate", email: nil) == [])
    }

    @Test("parseList skips comments and blank lines and lowercases entries")
    func parseList() {
        let text = "# comment\n\nPassword1234\r\n  # indented comment\n   \nLetMeIn12345  \nletmein12345\n"
        #expect(PasswordPolicy.parseList(text) == ["password1234", "letmein12345"])
        #expect(PasswordPolicy.parseList("") == [])
    }

    @Test("The bundled list loads, is big enough, is lowercase and refuses password1234")
    func bundledList() throws {
        let text = try String(contentsOf: Self.bundledListURL(), encoding: .utf8)
        let entries = PasswordPolicy.parseList(text)
        #expect(entries.count >= 1500)
        let raw = text.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("#") }
        #expect(raw.allSatisfy { $0 == $0.lowercased() })
        let bundled = PasswordPolicy(commonPasswords: entries)
        #expect(bundled.problems(password: "password1234", email: nil) == [.common])
        #expect(bundled.problems(password: "Football2024!", email: nil) == [.common])
        #expect(bundled.problems(password: "violet harbour lantern 42", email: nil) == [])
    }

    /// `Sources/App/Resources/Security/common-passwords.txt`, found relative to this file; when the test
    /// file is reached through a symlink (a scratch package), relative to its real location instead.
    static func bundledListURL(filePath: String = #filePath) throws -> URL {
        let relative = "../../Sources/App/Resources/Security/common-passwords.txt"
        let here = URL(fileURLWithPath: filePath)
        let candidates = [here, here.resolvingSymlinksInPath()].map {
            $0.deletingLastPathComponent().appendingPathComponent(relative).standardizedFileURL
        }
        let found = candidates.first { FileManager.default.fileExists(atPath: $0.path) }
        return try #require(found, "common-passwords.txt not found from \(filePath)")
    }
}
