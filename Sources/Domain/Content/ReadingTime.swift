/// Estimated minutes to read a text at an unhurried pace, never less than one.
public enum ReadingTime {
    public static let wordsPerMinute = 220

    public static func minutes(forWordCount words: Int) -> Int {
        max(1, Int((Double(words) / Double(wordsPerMinute)).rounded(.up)))
    }

    public static func minutes(for text: String) -> Int {
        minutes(forWordCount: text.split(whereSeparator: { $0.isWhitespace || $0.isNewline }).count)
    }
}
