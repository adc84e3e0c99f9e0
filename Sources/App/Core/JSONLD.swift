import Foundation

/// schema.org JSON-LD blocks, serialised with sorted keys and escaped for a `<script>` element.
public enum JSONLD {
    public static func script(_ object: [String: Any]) -> TrustedHTML {
        var document = object
        document["@context"] = "https://schema.org"
        var json = ""
        json.reserveCapacity(1024)
        write(document, into: &json)
        return TrustedHTML.make(sanitised: "<script type=\"application/ld+json\">\(HTMLEscaping.jsonInScript(json))</script>")
    }

    /// A small JSON writer for the values pages put in JSON-LD (strings, numbers, booleans, arrays, objects with
    /// sorted keys). Written by hand because `JSONSerialization` (bridging through Foundation objects) was a
    /// tenth of an uncached article page's time; the output is the same JSON, slashes not escaped.
    static func write(_ value: Any, into out: inout String) {
        switch value {
        case let s as String: string(s, into: &out)
        case let b as Bool: out += b ? "true" : "false"
        case let i as Int: out += String(i)
        case let d as Double: out += d.isFinite ? (d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)) : "null"
        case let list as [Any]:
            out += "["
            for (n, item) in list.enumerated() {
                if n > 0 { out += "," }
                write(item, into: &out)
            }
            out += "]"
        case let object as [String: Any]:
            out += "{"
            for (n, key) in object.keys.sorted().enumerated() {
                if n > 0 { out += "," }
                string(key, into: &out)
                out += ":"
                write(object[key]!, into: &out)
            }
            out += "}"
        default: out += "null"
        }
    }

    static func string(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
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
