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
