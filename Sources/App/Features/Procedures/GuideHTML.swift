import Foundation
import Fluent
import SQLKit

/// A guide's sections as HTML sanitised once (when the guide is published or seeded), and the plain text of the
/// two sections JSON-LD quotes: a guide page never parses Markdown per request.
enum GuideHTML {
    static let sections = ["what_it_is", "suits", "not_suits", "preparation", "how_performed", "recovery", "risks", "alternatives"]

    /// JSON `{section: html, …, "preparation_text": …, "how_performed_text": …}` from the Markdown of each section.
    static func render(_ markdown: [String: String]) -> String {
        var out: [String: String] = [:]
        for key in sections { out[key] = HTMLSanitizer.render(markdown: markdown[key] ?? "").string }
        for key in ["preparation", "how_performed"] {
            out[key + "_text"] = HTMLSanitizer.plainText(markdown: markdown[key] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(out)) ?? Data("{}".utf8), as: UTF8.self)
    }

    static func decode(_ json: String?) -> [String: String]? {
        guard let json else { return nil }
        if let map = stringMap(json) { return map }
        return try? JSONDecoder().decode([String: String].self, from: Data(json.utf8))
    }

    /// A JSON object whose values are all strings, read in one pass over its bytes; nil for anything else (the caller
    /// then uses `JSONDecoder`). Written by hand because `JSONDecoder` was a twentieth of an uncached guide page, which
    /// reads its stored sections this way on every request.
    static func stringMap(_ json: String) -> [String: String]? {
        var json = json
        return json.withUTF8 { bytes in
            var reader = FlatJSONReader(bytes: bytes)
            return reader.object()
        }
    }

    static func markdown(of p: Procedure) -> [String: String] {
        ["what_it_is": p.whatItIs, "suits": p.suits, "not_suits": p.notSuits, "preparation": p.preparation, "how_performed": p.howPerformed,
         "recovery": p.recovery, "risks": p.risks, "alternatives": p.alternatives]
    }

    /// Writes the stored HTML of every guide that has none yet (guides seeded or published before it existed).
    static func backfill(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        // Reading the table's columns refreshes a pooled SQLite connection's view of the schema (see migration 003).
        if sql.dialect.name == "sqlite" { _ = try await sql.raw("SELECT name FROM pragma_table_info('procedures')").all() }
        struct Row: Decodable {
            let id: Int; let what_it_is: String; let suits: String; let not_suits: String; let preparation: String; let how_performed: String
            let recovery: String; let risks: String; let alternatives: String
        }
        let rows = try await sql.select().columns("id", "what_it_is", "suits", "not_suits", "preparation", "how_performed", "recovery", "risks", "alternatives")
            .from("procedures").where("sections_html", .is, SQLLiteral.null).all(decoding: Row.self)
        for r in rows {
            let html = render(["what_it_is": r.what_it_is, "suits": r.suits, "not_suits": r.not_suits, "preparation": r.preparation,
                               "how_performed": r.how_performed, "recovery": r.recovery, "risks": r.risks, "alternatives": r.alternatives])
            try await sql.update("procedures").set("sections_html", to: SQLBind(html)).where("id", .equal, SQLBind(r.id)).run()
        }
    }
}

/// Reads a JSON object of strings from UTF-8 bytes (see `GuideHTML.stringMap`).
struct FlatJSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func next() -> UInt8? {
        guard i < bytes.count else { return nil }
        defer { i += 1 }
        return bytes[i]
    }

    mutating func nextSkippingSpace() -> UInt8? {
        while let b = next() {
            if b != 0x20 && b != 0x0A && b != 0x0D && b != 0x09 { return b }
        }
        return nil
    }

    mutating func hex4() -> UInt32? {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let b = next() else { return nil }
            switch b {
            case 0x30...0x39: v = v << 4 | UInt32(b - 0x30)
            case 0x41...0x46: v = v << 4 | UInt32(b - 0x41 + 10)
            case 0x61...0x66: v = v << 4 | UInt32(b - 0x61 + 10)
            default: return nil
            }
        }
        return v
    }

    /// The rest of a string whose opening quote was read: runs without escapes are copied whole.
    mutating func string() -> String? {
        // Bytes gathered and decoded once: stored HTML has an escape on every line (`\n`, `\"`), and a string made
        // and appended per run cost more than the reading.
        var out: [UInt8] = []
        var runStart = i
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                if out.isEmpty {
                    let whole = String(decoding: UnsafeBufferPointer(rebasing: bytes[runStart..<i]), as: UTF8.self)
                    i += 1
                    return whole
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            guard b >= 0x20 else { return nil }
            guard b == UInt8(ascii: "\\") else { i += 1; continue }
            if out.isEmpty { out.reserveCapacity(bytes.count - runStart) }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
            i += 1
            guard let e = next() else { return nil }
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4() else { return nil }
                if (0xD800...0xDBFF).contains(scalar) {
                    guard next() == UInt8(ascii: "\\"), next() == UInt8(ascii: "u"), let low = hex4(), (0xDC00...0xDFFF).contains(low) else { return nil }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let u = Unicode.Scalar(scalar) else { return nil }
                out.append(contentsOf: UTF8.encode(u)!)
            default: return nil
            }
            runStart = i
        }
        return nil
    }

    mutating func object() -> [String: String]? {
        var result: [String: String] = [:]
        guard nextSkippingSpace() == UInt8(ascii: "{") else { return nil }
        var first = true
        while true {
            guard let b = nextSkippingSpace() else { return nil }
            if b == UInt8(ascii: "}") && first { break }
            guard b == UInt8(ascii: "\""), let key = string(), nextSkippingSpace() == UInt8(ascii: ":"),
                  nextSkippingSpace() == UInt8(ascii: "\""), let value = string() else { return nil }
            result[key] = value
            first = false
            guard let separator = nextSkippingSpace() else { return nil }
            if separator == UInt8(ascii: "}") { break }
            guard separator == UInt8(ascii: ",") else { return nil }
        }
        guard nextSkippingSpace() == nil else { return nil }
        return result
    }
}
