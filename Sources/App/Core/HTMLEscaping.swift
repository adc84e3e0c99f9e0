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

    /// One linear pass over the UTF-8 bytes, copying the runs between special characters (all ASCII, so every
    /// cut is on a character boundary); text without any is returned as it is (Plot's own escaper copies its
    /// pending buffer for every letter after `&`).
    private static func escape(_ text: String, quotes: Bool) -> String {
        // Most text has nothing to escape: a plain loop over its bytes finds that before any copying.
        let clean = text.utf8.withContiguousStorageIfAvailable { bytes in
            for b in bytes where b == UInt8(ascii: "&") || b == UInt8(ascii: "<") || b == UInt8(ascii: ">")
                || (quotes && (b == UInt8(ascii: "\"") || b == UInt8(ascii: "'"))) { return false }
            return true
        }
        if clean == true { return text }
        return replacing(text) { b in
            switch b {
            case UInt8(ascii: "&"): return "&amp;"
            case UInt8(ascii: "<"): return "&lt;"
            case UInt8(ascii: ">"): return "&gt;"
            case UInt8(ascii: "\""): return quotes ? "&quot;" : nil
            case UInt8(ascii: "'"): return quotes ? "&#39;" : nil
            default: return nil
            }
        }
    }

    /// `text` with each ASCII byte that `replacement` maps replaced; unchanged text is returned without copying.
    @inline(__always)
    static func replacing(_ text: String, _ replacement: (UInt8) -> String?) -> String {
        let bytes = text.utf8
        guard bytes.contains(where: { replacement($0) != nil }) else { return text }
        var out = ""
        out.reserveCapacity(bytes.count + 16)
        var runStart = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if let r = replacement(bytes[index]) {
                if runStart < index { out += text[runStart..<index] }
                out += r
                index = bytes.index(after: index)
                runStart = index
            } else {
                index = bytes.index(after: index)
            }
        }
        if runStart < bytes.endIndex { out += text[runStart..<bytes.endIndex] }
        return out
    }

    /// JSON placed inside `<script type="application/ld+json">`: `<` is escaped so `</script>` cannot close it.
    public static func jsonInScript(_ json: String) -> String {
        replacing(json) { b in
            switch b {
            case UInt8(ascii: "<"): return "\\u003c"
            case UInt8(ascii: ">"): return "\\u003e"
            case UInt8(ascii: "&"): return "\\u0026"
            default: return nil
            }
        }
    }
}
