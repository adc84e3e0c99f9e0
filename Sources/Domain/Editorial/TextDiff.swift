/// Line-by-line differences between two revisions of a text, for an editor comparing any two revisions.
/// Myers' O((N+M)·D) algorithm: fast for the usual small edit, bounded for a rewrite (`maxEdits`, after which
/// the rest is shown as removed and added).
public enum TextDiff {
    public enum Line: Equatable, Sendable {
        case same(String)
        case removed(String)
        case added(String)
    }

    public static let maxEdits = 4_000

    public static func lines(old: String, new: String) -> [Line] {
        diff(split(old), split(new))
    }

    static func split(_ text: String) -> [String] {
        text.isEmpty ? [] : text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    public static func diff(_ a: [String], _ b: [String]) -> [Line] {
        // Common head and tail first: most edits touch a small part of a long text.
        var head = 0
        while head < a.count, head < b.count, a[head] == b[head] { head += 1 }
        var tail = 0
        while tail < a.count - head, tail < b.count - head, a[a.count - 1 - tail] == b[b.count - 1 - tail] { tail += 1 }
        let x = Array(a[head..<(a.count - tail)]), y = Array(b[head..<(b.count - tail)])
        let middle = myers(x, y)
        return a[..<head].map { .same($0) } + middle + a[(a.count - tail)...].map { .same($0) }
    }

    /// Myers' greedy algorithm with the trace kept for the path back.
    static func myers(_ a: [String], _ b: [String]) -> [Line] {
        let n = a.count, m = b.count
        if n == 0 { return b.map { .added($0) } }
        if m == 0 { return a.map { .removed($0) } }
        let maxD = min(n + m, maxEdits)
        let offset = maxD + 1
        var v = [Int](repeating: 0, count: 2 * maxD + 3)
        var trace: [[Int]] = []
        var found = false
        outer: for d in 0...maxD {
            trace.append(v)
            for k in stride(from: -d, through: d, by: 2) {
                var x: Int
                if k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) { x = v[offset + k + 1] } else { x = v[offset + k - 1] + 1 }
                var y = x - k
                while x < n, y < m, a[x] == b[y] { x += 1; y += 1 }
                v[offset + k] = x
                if x >= n && y >= m { found = true; break outer }
            }
        }
        guard found else { return a.map { .removed($0) } + b.map { .added($0) } }
        // Walk back through the trace.
        var result: [Line] = []
        var x = n, y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let vd = trace[d]
            let k = x - y
            let prevK = (k == -d || (k != d && vd[offset + k - 1] < vd[offset + k + 1])) ? k + 1 : k - 1
            let prevX = d == 0 ? 0 : vd[offset + prevK]
            let prevY = prevX - prevK
            while x > prevX && y > prevY { x -= 1; y -= 1; result.append(.same(a[x])) }
            if d > 0 {
                if x == prevX { y -= 1; result.append(.added(b[y])) } else { x -= 1; result.append(.removed(a[x])) }
            }
        }
        while x > 0 && y > 0 { x -= 1; y -= 1; result.append(.same(a[x])) }
        return result.reversed()
    }
}
