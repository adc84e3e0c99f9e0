import Foundation

/// schema.org JSON-LD blocks, serialised by `JSONSerialization` and escaped for a `<script>` element.
public enum JSONLD {
    public static func script(_ object: [String: Any]) -> TrustedHTML {
        var document = object
        document["@context"] = "https://schema.org"
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        let json = HTMLEscaping.jsonInScript(String(decoding: data, as: UTF8.self))
        return TrustedHTML.make(sanitised: "<script type=\"application/ld+json\">\(json)</script>")
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
