import Foundation

/// The Flesch–Kincaid grade level of English text: 0.39 × words per sentence + 11.8 × syllables per word − 15.59.
/// US grades 6–9 correspond to readers of about 12 to 14. Syllables are counted with the usual vowel-group
/// estimate (a silent final "e" dropped), which is what readability tools do; it is an estimate, not a
/// dictionary count.
public enum Readability {
    public struct Score: Sendable, Equatable {
        public let grade: Double
        public let words: Int
        public let sentences: Int
    }

    public static func syllables(_ word: String) -> Int {
        let letters = word.lowercased().filter { $0.isLetter && $0.isASCII }
        guard !letters.isEmpty else { return 0 }
        var groups = 0
        var inVowel = false
        for ch in letters {
            let vowel = "aeiouy".contains(ch)
            if vowel && !inVowel { groups += 1 }
            inVowel = vowel
        }
        if letters.hasSuffix("e") && !letters.hasSuffix("le") && !letters.hasSuffix("ee") && groups > 1 { groups -= 1 }
        return max(1, groups)
    }

    public static func score(_ texts: [String]) -> Score {
        var words = 0, sentences = 0, syllableCount = 0
        for text in texts {
            let parts = text.split(whereSeparator: { ".!?;:".contains($0) }).filter { $0.contains(where: \.isLetter) }
            sentences += max(1, parts.count)
            let tokens = text.split(whereSeparator: { !$0.isLetter && $0 != "'" && $0 != "’" && $0 != "-" }).filter { $0.first?.isLetter == true }
            words += tokens.count
            syllableCount += tokens.reduce(0) { $0 + syllables(String($1)) }
        }
        guard words > 0, sentences > 0 else { return Score(grade: 0, words: 0, sentences: 0) }
        let grade = 0.39 * Double(words) / Double(sentences) + 11.8 * Double(syllableCount) / Double(words) - 15.59
        return Score(grade: (grade * 10).rounded() / 10, words: words, sentences: sentences)
    }
}

extension DecisionAid {
    /// The texts a person reads as sentences: summary, prompts and help, option texts, reasons and cautions.
    public var proseTexts: [String] {
        [summary] + questions.map(\.prompt) + questions.compactMap(\.help)
            + options.flatMap { o in [o.summary, o.expectations.how, o.expectations.recovery, o.expectations.resultsShow,
                                       o.expectations.lasts, o.expectations.cannotDo] }
            + rules.map(\.reason) + cautions.map(\.text)
    }
}
