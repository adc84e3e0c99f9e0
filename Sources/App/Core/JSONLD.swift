import Foundation

/// A JSON value as the pages build their structured data: typed, so that writing it needs no dynamic casts.
public indirect enum JSONValue: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByStringInterpolation, ExpressibleByBooleanLiteral,
                                ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    case string(String)
    case bool(Bool)
    case int(Int)
    case double(Double)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last })) }

    /// A list of strings.
    public static func strings(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }
}

/// schema.org JSON-LD blocks, serialised with sorted keys and escaped for a `<script>` element.
public enum JSONLD {
    public static func script(_ object: [String: JSONValue]) -> TrustedHTML {
        var document = object
        document["@context"] = "https://schema.org"
        var json = ""
        json.reserveCapacity(1024)
        write(.object(document), into: &json)
        // `string` escapes `<`, `>` and `&` as it writes (they occur in strings only), so `</script>` cannot close it.
        return TrustedHTML.make(sanitised: "<script type=\"application/ld+json\">\(json)</script>")
    }

    /// A small JSON writer for the values pages put in JSON-LD (strings, numbers, booleans, arrays, objects with
    /// sorted keys). Written by hand because `JSONSerialization` (bridging through Foundation objects) was a
    /// tenth of an uncached article page's time, and the values are typed (`JSONValue`) because casting `Any` to each
    /// possible type in turn was still most of this writer's time; the output is the same JSON, slashes not escaped.
    static func write(_ value: JSONValue, into out: inout String) {
        switch value {
        case .string(let s): string(s, into: &out)
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += d.isFinite ? (d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)) : "null"
        case .array(let list):
            out += "["
            for (n, item) in list.enumerated() {
                if n > 0 { out += "," }
                write(item, into: &out)
            }
            out += "]"
        case .object(let object):
            out += "{"
            for (n, key) in object.keys.sorted().enumerated() {
                if n > 0 { out += "," }
                string(key, into: &out)
                out += ":"
                write(object[key]!, into: &out)
            }
            out += "}"
        }
    }

    /// A JSON string: the runs between characters that need escaping (quote, backslash, controls, and `<`, `>`, `&`
    /// as `\u003c`, `\u003e`, `\u0026`, because the JSON goes into a script element; all ASCII, so every cut is on a
    /// scalar boundary) are copied whole.
    static func string(_ s: String, into out: inout String) {
        out += "\""
        // Scanned as contiguous bytes where the string has them (every native string): walking `String.UTF8View`
        // indices was most of this writer's time on a page whose structured data carries a guide's long texts.
        let scanned: Void? = s.utf8.withContiguousStorageIfAvailable { bytes in
            func index(_ offset: Int) -> String.Index { s.utf8.index(s.utf8.startIndex, offsetBy: offset) }
            var runStart = 0
            for i in 0..<bytes.count where needsEscape(bytes[i]) {
                if runStart < i { out += s[index(runStart)..<index(i)] }
                escape(bytes[i], into: &out)
                runStart = i + 1
            }
            if runStart < bytes.count { out += s[index(runStart)...] }
        }
        if scanned == nil {
            let bytes = s.utf8
            var runStart = bytes.startIndex
            var index = bytes.startIndex
            while index < bytes.endIndex {
                let b = bytes[index]
                guard needsEscape(b) else {
                    index = bytes.index(after: index)
                    continue
                }
                if runStart < index { out += s[runStart..<index] }
                escape(b, into: &out)
                index = bytes.index(after: index)
                runStart = index
            }
            if runStart < bytes.endIndex { out += s[runStart..<bytes.endIndex] }
        }
        out += "\""
    }

    @inline(__always) private static func needsEscape(_ b: UInt8) -> Bool {
        b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 || b == UInt8(ascii: "<") || b == UInt8(ascii: ">") || b == UInt8(ascii: "&")
    }

    private static func escape(_ b: UInt8, into out: inout String) {
        switch b {
        case UInt8(ascii: "\""): out += "\\\""
        case UInt8(ascii: "\\"): out += "\\\\"
        case 0x0A: out += "\\n"
        case 0x0D: out += "\\r"
        case 0x09: out += "\\t"
        case UInt8(ascii: "<"): out += "\\u003c"
        case UInt8(ascii: ">"): out += "\\u003e"
        case UInt8(ascii: "&"): out += "\\u0026"
        default:
            let hex = Array("0123456789abcdef")
            out += "\\u00" + String(hex[Int(b >> 4)]) + String(hex[Int(b & 0x0F)])
        }
    }
}

extension JSONLD {
    /// The schema.org `MedicalSpecialty` value for a specialty as the directory writes it ("Plastic and
    /// reconstructive surgery" → `PlasticSurgery`), or nil when none fits.
    static func medicalSpecialty(_ text: String) -> String? {
        let t = Array(text.lowercased().utf8)
        return specialtyTable.first { contains(t, $0.0) }?.1
    }

    private static let specialtyTable: [(String, String)] = [
        ("plastic", "PlasticSurgery"), ("oculoplastic", "PlasticSurgery"), ("aesthetic surgery", "PlasticSurgery"),
        ("dermatolog", "Dermatology"), ("hair", "Dermatology"), ("aesthetic medicine", "Dermatology"),
        ("dent", "Dentistry"), ("oral", "Dentistry"), ("implant", "Dentistry"),
        ("ophthalm", "Optometric"), ("refractive", "Optometric"),
        ("orthopaed", "Musculoskeletal"), ("orthoped", "Musculoskeletal"),
        ("reproductive", "Gynecologic"), ("ivf", "Gynecologic"), ("gyn", "Gynecologic"),
        ("cardio", "Cardiovascular"), ("oncolog", "Oncologic"), ("urolog", "Urologic"),
    ]

    /// Whether `text` contains `part`, compared as bytes (`String.contains` goes through Foundation here, and this runs
    /// for every uncached profile).
    private static func contains(_ t: [UInt8], _ part: String) -> Bool {
        let p = Array(part.utf8)
        guard p.count <= t.count else { return false }
        return (0...(t.count - p.count)).contains { start in t[start..<(start + p.count)].elementsEqual(p) }
    }
}
