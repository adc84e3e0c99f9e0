import Testing
import Domain

@Suite("Reading time")
struct ReadingTimeTests {
    @Test("Minutes at 220 words a minute, rounded up, never below one", arguments: [
        (0, 1), (1, 1), (219, 1), (220, 1), (221, 2), (440, 2), (441, 3), (1_540, 7), (1_541, 8),
    ])
    func wordCounts(_ words: Int, _ minutes: Int) {
        #expect(ReadingTime.minutes(forWordCount: words) == minutes)
    }

    @Test("Words are split on any whitespace")
    func text() {
        #expect(ReadingTime.minutes(for: "") == 1)
        let text = Array(repeating: "word", count: 221).joined(separator: " \n\t")
        #expect(ReadingTime.minutes(for: text) == 2)
        let exactly = Array(repeating: "word", count: 660).joined(separator: "\n\n")
        #expect(ReadingTime.minutes(for: exactly) == 3)
    }
}
