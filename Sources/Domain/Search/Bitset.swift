/// A fixed-size set of small non-negative integers (practitioner ids), one bit each.
public struct Bitset: Sendable, Equatable {
    public private(set) var words: [UInt64]
    public let capacity: Int

    public init(capacity: Int) {
        self.capacity = max(0, capacity)
        words = Array(repeating: 0, count: (self.capacity + 63) / 64)
    }

    public init<S: Sequence>(capacity: Int, members: S) where S.Element: BinaryInteger {
        self.init(capacity: capacity)
        for m in members { insert(Int(m)) }
    }

    /// Ignores values outside `0..<capacity`.
    public mutating func insert(_ i: Int) {
        guard i >= 0, i < capacity else { return }
        words[i >> 6] |= 1 << UInt64(i & 63)
    }

    public func contains(_ i: Int) -> Bool {
        guard i >= 0, i < capacity else { return false }
        return words[i >> 6] & (1 << UInt64(i & 63)) != 0
    }

    public mutating func formIntersection(_ other: Bitset) {
        for k in words.indices { words[k] &= k < other.words.count ? other.words[k] : 0 }
    }

    public var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    public func intersectionCount(_ other: Bitset) -> Int {
        var n = 0
        for k in 0..<min(words.count, other.words.count) { n += (words[k] & other.words[k]).nonzeroBitCount }
        return n
    }

    /// Calls `body` with every member, in increasing order.
    public func forEach(_ body: (Int) -> Void) {
        for (k, word) in words.enumerated() where word != 0 {
            var w = word
            while w != 0 {
                let bit = w.trailingZeroBitCount
                body(k << 6 | bit)
                w &= w - 1
            }
        }
    }
}
