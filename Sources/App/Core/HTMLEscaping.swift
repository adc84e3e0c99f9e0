/// Escaping for text placed in HTML and XML.
///
/// Plot escapes `<`, `>` and `&` in text nodes but writes attribute values verbatim, so every attribute
/// that carries data goes through `attribute(_:)` (see `Attr` in `HTML+Attributes.swift`).
public enum HTMLEscaping {
    /// Attribute values: `&`, `<`, `>` and both quotes.
    public static func attribute(_ text: String) -> String { escape(text, quotes: true) }

    /// Text content: `&`, `<` and `>` (quotes need no escaping between tags, and entities that a person typed stay
    /// visible as typed).
    public static func text(_ text: String) -> String { escape(text, quotes: false) }

    /// One linear pass over the scalars (Plot's own escaper copies its pending buffer for every letter after `&`).
    private static func escape(_ text: String, quotes: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where quotes: out += "&quot;"
            case "'" where quotes: out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// JSON placed inside `<script type="application/ld+json">`: `<` is escaped so `</script>` cannot close it.
    public static func jsonInScript(_ json: String) -> String {
        json.replacingOccurrences(of: "<", with: "\\u003c")
            .replacingOccurrences(of: ">", with: "\\u003e")
            .replacingOccurrences(of: "&", with: "\\u0026")
    }
}
