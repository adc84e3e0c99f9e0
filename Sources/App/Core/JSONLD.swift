import Foundation

/// schema.org JSON-LD blocks, serialised with sorted keys and escaped for a `<script>` element.
public enum JSONLD {
    public static func script(_ object: [String: Any]) -> TrustedHTML {
        var document = object
        document["@context"] = "https://schema.org"
        var json = ""
        json.reserveCapacity(1024)
        write(document, into: &json)
        // `string` escapes `<`, `>` and `&` as it writes (they occur in strings only), so `</script>` cannot close it.
        return TrustedHTML.make(sanitised: "<script type=\"application/ld+json\">\(json)</script>")
    }

    /// A small JSON writer for the values pages put in JSON-LD (strings, numbers, booleans, arrays, objects with
    /// sorted keys). Written by hand because `JSONSerialization` (bridging through Foundation objects) was a
    /// tenth of an uncached article page's time; the output is the same JSON, slashes not escaped.
    ///
    /// A value's type is compared before it is cast: a conditional cast of a `[String: Any]` to `[String: String]`
    /// converts it element by element before failing, and those failed casts were half of this writer's time.
    static func write(_ value: Any, into out: inout String) {
        let type = Swift.type(of: value)
        if type == String.self {
            string(value as! String, into: &out)
        } else if type == [String: Any].self {
            object(value as! [String: Any], into: &out, write)
        } else if type == [String: String].self {
            // Collections of strings are matched as they are: casting them to `[Any]` or `[String: Any]` converts
            // (copies) them element by element.
            object(value as! [String: String], into: &out, string)
        } else if type == [String].self {
            list(value as! [String], into: &out, string)
        } else if type == [Any].self {
            list(value as! [Any], into: &out, write)
        } else if type == [[String: Any]].self {
            list(value as! [[String: Any]], into: &out) { write($0, into: &$1) }
        } else if let b = value as? Bool {
            out += b ? "true" : "false"
        } else if let i = value as? Int {
            out += String(i)
        } else if let d = value as? Double {
            out += d.isFinite ? (d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)) : "null"
        } else if let o = value as? [String: Any] {
            object(o, into: &out, write)
        } else if let l = value as? [Any] {
            list(l, into: &out, write)
        } else {
            out += "null"
        }
    }

    private static func object<V>(_ object: [String: V], into out: inout String, _ value: (V, inout String) -> Void) {
        out += "{"
        for (n, key) in object.keys.sorted().enumerated() {
            if n > 0 { out += "," }
            string(key, into: &out)
            out += ":"
            value(object[key]!, &out)
        }
        out += "}"
    }

    private static func list<V>(_ list: [V], into out: inout String, _ value: (V, inout String) -> Void) {
        out += "["
        for (n, item) in list.enumerated() {
            if n > 0 { out += "," }
            value(item, &out)
        }
        out += "]"
    }

    /// A JSON string: the runs between characters that need escaping (quote, backslash, controls, and `<`, `>`, `&`
    /// as `\u003c`, `\u003e`, `\u0026`, because the JSON goes into a script element; all ASCII, so every cut is on a
    /// scalar boundary) are copied whole.
    static func string(_ s: String, into out: inout String) {
        out += "\""
        let bytes = s.utf8
        var runStart = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let b = bytes[index]
            guard b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 || b == UInt8(ascii: "<") || b == UInt8(ascii: ">")
                    || b == UInt8(ascii: "&") else {
                index = bytes.index(after: index)
                continue
            }
            if runStart < index { out += s[runStart..<index] }
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
            index = bytes.index(after: index)
            runStart = index
        }
        if runStart < bytes.endIndex { out += s[runStart..<bytes.endIndex] }
        out += "\""
    }
}

extension JSONLD {
    /// The schema.org `MedicalSpecialty` value for a specialty as the directory writes it ("Plastic and
    /// reconstructive surgery" → `PlasticSurgery`), or nil when none fits.
    static func medicalSpecialty(_ text: String) -> String? {
        let t = text.lowercased()
        let table: [(String, String)] = [
            ("plastic", "PlasticSurgery"), ("oculoplastic", "PlasticSurgery"), ("aesthetic surgery", "PlasticSurgery"),
            ("dermatolog", "Dermatology"), ("hair", "Dermatology"), ("aesthetic medicine", "Dermatology"),
            ("dent", "Dentistry"), ("oral", "Dentistry"), ("implant", "Dentistry"),
            ("ophthalm", "Optometric"), ("refractive", "Optometric"),
            ("orthopaed", "Musculoskeletal"), ("orthoped", "Musculoskeletal"),
            ("reproductive", "Gynecologic"), ("ivf", "Gynecologic"), ("gyn", "Gynecologic"),
            ("cardio", "Cardiovascular"), ("oncolog", "Oncologic"), ("urolog", "Urologic"),
        ]
        return table.first { t.contains($0.0) }?.1
    }
}
