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
        @inline(__always) func special(_ b: UInt8) -> Bool {
            b == UInt8(ascii: "&") || b == UInt8(ascii: "<") || b == UInt8(ascii: ">") || (quotes && (b == UInt8(ascii: "\"") || b == UInt8(ascii: "'")))
        }
        // Most text has nothing to escape: a plain loop over its bytes finds that before any copying.
        let clean = text.utf8.withContiguousStorageIfAvailable { bytes in !bytes.contains(where: special) }
        if clean == true { return text }
        let bytes = text.utf8
        var out = ""
        out.reserveCapacity(bytes.count + 16)
        var runStart = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let b = bytes[index]
            if special(b) {
                if runStart < index { out += text[runStart..<index] }
                switch b {
                case UInt8(ascii: "&"): out += "&amp;"
                case UInt8(ascii: "<"): out += "&lt;"
                case UInt8(ascii: ">"): out += "&gt;"
                case UInt8(ascii: "\""): out += "&quot;"
                default: out += "&#39;"
                }
                index = bytes.index(after: index)
                runStart = index
            } else {
                index = bytes.index(after: index)
            }
        }
        if runStart < bytes.endIndex { out += text[runStart..<bytes.endIndex] }
        return out
    }
}
