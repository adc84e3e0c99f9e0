import Foundation
import Ink

/// Renders editor Markdown with Ink and keeps only an allow-list of tags and safe links.
///
/// Written here because no HTML sanitiser is among the packages we build with. It is small because its
/// input is narrow: raw HTML in the Markdown is escaped before Ink sees it, so the only tags left to check
/// are Ink's own; the allow-list then drops every attribute but a checked `href`.
public enum HTMLSanitizer {
    static let allowedTags: Set<String> = [
        "p", "h2", "h3", "h4", "h5", "ul", "ol", "li", "strong", "em", "b", "i", "a", "blockquote", "code",
        "pre", "br", "hr", "table", "thead", "tbody", "tr", "th", "td", "del", "sup", "sub",
    ]
    static let voidTags: Set<String> = ["br", "hr"]

    /// Markdown to safe HTML. `# h1` headings are lowered to `h2`: the page owns its only `h1`.
    public static func render(markdown: String) -> TrustedHTML {
        let escapedSource = markdown
            .replacingOccurrences(of: "&", with: "&amp;")
            .replacingOccurrences(of: "<", with: "&lt;")
        let html = MarkdownParser().html(from: escapedSource)
        return sanitise(html)
    }

    /// Keeps allowed tags (attributes dropped, `href` kept when safe) and escapes everything else. Scans UTF-8
    /// bytes and copies text between tags in runs (walking `Character`s, with their grapheme breaking, made this a
    /// tenth of an article page's time; `<` and `>` are ASCII, so every cut falls on a character boundary).
    /// HTML that is already in its sanitised form (what is stored when a page is published, checked again on every
    /// uncached view) comes back as it is: the output is only written from the first change on.
    public static func sanitise(_ html: String) -> TrustedHTML {
        if let result = html.utf8.withContiguousStorageIfAvailable({ sanitise(html, bytes: $0) }) { return result }
        var native = html
        native.makeContiguousUTF8()
        return native.utf8.withContiguousStorageIfAvailable { sanitise(native, bytes: $0) }!
    }

    /// `sanitise` over the bytes of `html`, by offset (a `String.Index` is made only where text is cut).
    private static func sanitise(_ html: String, bytes: UnsafeBufferPointer<UInt8>) -> TrustedHTML {
        var out = ""
        var unchanged = true
        let count = bytes.count
        var runStart = 0
        var i = 0
        func index(_ offset: Int) -> String.Index { html.utf8.index(html.utf8.startIndex, offsetBy: offset) }
        func flush(_ end: Int) {
            if !unchanged && runStart < end { out += html[index(runStart)..<index(end)] }
        }
        /// Writes `replacement` for the input's bytes `from..<to`; while the output is still the input, an equal
        /// replacement writes nothing.
        func replace(_ from: Int, _ to: Int, with replacement: String) {
            if unchanged {
                if replacement.utf8.count == to - from && replacement.utf8.elementsEqual(UnsafeBufferPointer(rebasing: bytes[from..<to])) { return }
                unchanged = false
                out.reserveCapacity(count + count / 8)
                out += html[..<index(from)]
            }
            out += replacement
        }
        while i < count {
            let b = bytes[i]
            if b == UInt8(ascii: "<") {
                flush(i)
                var close = i + 1
                while close < count && bytes[close] != UInt8(ascii: ">") { close += 1 }
                if close < count {
                    let replacement: String
                    if let plain = plainTag(UnsafeBufferPointer(rebasing: bytes[(i + 1)..<close])) {
                        replacement = plain
                    } else {
                        let inner = String(html[index(i + 1)..<index(close)])
                        replacement = rewriteTag(inner) ?? HTMLEscaping.text("<" + inner + ">")
                    }
                    replace(i, close + 1, with: replacement)
                    i = close + 1
                } else {
                    replace(i, i + 1, with: "&lt;")
                    i += 1
                }
                runStart = i
            } else if b == UInt8(ascii: ">") {
                flush(i)
                replace(i, i + 1, with: "&gt;")
                i += 1
                runStart = i
            } else {
                i += 1
            }
        }
        if unchanged { return TrustedHTML.make(sanitised: html) }
        flush(count)
        return TrustedHTML.make(sanitised: out)
    }

    /// `plainTags` for a tag's inner text of at most seven bytes, looked up by those bytes: the same answers without
    /// making a string of each tag (most tags of stored HTML are these).
    private static func plainTag(_ inner: UnsafeBufferPointer<UInt8>) -> String? {
        guard !inner.isEmpty, inner.count <= 7 else { return nil }
        return plainTagsByBytes[packed(inner)]
    }

    /// Up to seven bytes and their count in one number (the count keeps "p" and "\0p" apart).
    private static func packed(_ bytes: some Collection<UInt8>) -> UInt64 {
        var key = UInt64(bytes.count) << 56
        for (n, b) in bytes.enumerated() { key |= UInt64(b) << (8 * UInt64(n)) }
        return key
    }

    private static let plainTagsByBytes: [UInt64: String] = {
        var table: [UInt64: String] = [:]
        for (inner, tag) in plainTags where inner.utf8.count <= 7 { table[packed(Array(inner.utf8))] = tag }
        return table
    }()

    /// Allowed tags exactly as Ink writes them (no attributes): answered by one lookup.
    private static let plainTags: [String: String] = {
        var table: [String: String] = [:]
        for tag in allowedTags where tag != "a" {
            table[tag] = "<\(tag)>"
            table["/" + tag] = voidTags.contains(tag) ? "" : "</\(tag)>"
            if voidTags.contains(tag) { table[tag + "/"] = "<\(tag)>" }
        }
        table["h1"] = "<h2>"; table["/h1"] = "</h2>"; table["h6"] = "<h5>"; table["/h6"] = "</h5>"; table["/a"] = "</a>"
        return table
    }()

    private static func rewriteTag(_ inner: String) -> String? {
        if let plain = plainTags[inner] { return plain }
        // Foundation's trimming (a fortieth of a guide page, through NSString) is needed only when an end could be
        // white space: a printable ASCII byte at each end is not.
        let printable: ClosedRange<UInt8> = 0x21...0x7E
        var body = printable.contains(inner.utf8.first ?? 0) && printable.contains(inner.utf8.last ?? 0) ? inner : inner.trimmingCharacters(in: .whitespaces)
        let closing = body.hasPrefix("/")
        if closing { body.removeFirst() }
        if body.hasSuffix("/") { body.removeLast() }
        let name = String(body.prefix { $0.isLetter || $0.isNumber }).lowercased()
        var tag = name == "h1" ? "h2" : name
        if name == "h6" { tag = "h5" }
        // An image from anywhere but the library is dropped (not shown as text).
        if tag == "img" && !closing { return image(String(body.dropFirst(name.count))) ?? "" }
        guard allowedTags.contains(tag) else { return nil }
        if closing { return voidTags.contains(tag) ? "" : "</\(tag)>" }
        if tag == "a" {
            guard let href = attributeValue("href", in: String(body.dropFirst(name.count))), let safe = safeURL(href) else {
                return "<a>"
            }
            let external = safe.hasPrefix("http")
            return "<a href=\"\(HTMLEscaping.attribute(safe))\"\(external ? " rel=\"nofollow noopener\"" : "")>"
        }
        return "<\(tag)>"
    }

    /// Images of our own media library only (`/media/{id}/{width}`), written as a responsive image: the widths the
    /// library keeps, lazily loaded, with the editor's alt text. Any other image source is dropped.
    private static func image(_ attributes: String) -> String? {
        guard let src = attributeValue("src", in: attributes), let id = mediaID(src) else { return nil }
        let alt = attributeValue("alt", in: attributes) ?? ""
        let srcset = [320, 640, 1024, 1600].map { "/media/\(id)/\($0) \($0)w" }.joined(separator: ", ")
        return "<img src=\"/media/\(id)/1024\" srcset=\"\(srcset)\" sizes=\"(max-width: 760px) 100vw, 720px\" alt=\"\(HTMLEscaping.attribute(alt))\" loading=\"lazy\" decoding=\"async\">"
    }

    /// The image id of a library address (`/media/{uuid}/{width}`), or nil.
    public static func mediaID(_ src: String) -> String? {
        let parts = src.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].isEmpty, parts[1] == "media", UUID(uuidString: String(parts[2])) != nil,
              parts[2] == parts[2].lowercased(), !parts[3].isEmpty, parts[3].count <= 4, parts[3].allSatisfy(\.isNumber) else { return nil }
        return String(parts[2])
    }

    /// The library images a Markdown text refers to.
    public static func mediaReferences(markdown: String) -> Set<String> {
        var found: Set<String> = []
        var rest = Substring(markdown)
        while let open = rest.range(of: "](/media/") {
            let after = rest[open.upperBound...]
            let end = after.firstIndex(where: { $0 == ")" || $0 == " " || $0 == "\n" }) ?? after.endIndex
            if let id = mediaID("/media/" + after[..<end]) { found.insert(id) }
            rest = after[end...]
        }
        return found
    }

    /// The value of `name="…"` in a tag's attribute text, entities decoded. Searched in the UTF-8 bytes (Foundation's
    /// `range(of:)` made re-checking stored HTML a twentieth of a guide page).
    private static func attributeValue(_ name: String, in attributes: String) -> String? {
        let needle = Array(name.utf8) + [UInt8(ascii: "="), UInt8(ascii: "\"")]
        let bytes = attributes.utf8
        var start = bytes.startIndex
        while start < bytes.endIndex {
            guard let first = bytes[start...].firstIndex(of: needle[0]) else { return nil }
            var i = first, k = 0
            while k < needle.count, i < bytes.endIndex, bytes[i] == needle[k] { i = bytes.index(after: i); k += 1 }
            if k == needle.count {
                guard let end = bytes[i...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
                return decodeEntities(String(attributes[i..<end]))
            }
            start = bytes.index(after: first)
        }
        return nil
    }

    static func decodeEntities(_ s: String) -> String {
        guard s.utf8.contains(UInt8(ascii: "&")) else { return s }
        // The five entities the escaper writes, in one pass; any other `&` stays as it is.
        let entities: [(String, String)] = [("&amp;", "&"), ("&quot;", "\""), ("&lt;", "<"), ("&gt;", ">"), ("&#39;", "'")]
        var out = ""
        out.reserveCapacity(s.utf8.count)
        var rest = Substring(s)
        while let amp = rest.utf8.firstIndex(of: UInt8(ascii: "&")) {
            out += rest[..<amp]
            let tail = rest[amp...]
            if let (entity, char) = entities.first(where: { tail.hasPrefix($0.0) }) {
                out += char
                rest = tail.dropFirst(entity.count)
            } else {
                out += "&"
                rest = tail.dropFirst()
            }
        }
        out += rest
        return out
    }

    /// The former decoder, kept for the test that compares the two.
    static func decodeEntitiesByReplacing(_ s: String) -> String {
        s.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// http, https and mailto links, and site-relative paths; nothing else (no `javascript:`, no `data:`).
    static func safeURL(_ raw: String) -> String? {
        // Foundation's trimming bridges through NSString: skipped when neither end is white space.
        let edges = [raw.unicodeScalars.first, raw.unicodeScalars.last].compactMap { $0 }
        let trimmed = edges.contains(where: { CharacterSet.whitespacesAndNewlines.contains($0) }) ? raw.trimmingCharacters(in: .whitespacesAndNewlines) : raw
        guard !trimmed.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == "\"" || $0 == "<" || $0 == ">" || $0 == "\\" }) else { return nil }
        if trimmed.hasPrefix("/") && !trimmed.hasPrefix("//") { return trimmed }
        if trimmed.hasPrefix("#") { return trimmed }
        let lower = trimmed.lowercased()
        if lower.hasPrefix("https://") || lower.hasPrefix("http://") || lower.hasPrefix("mailto:") { return trimmed }
        return nil
    }

    /// Plain text of Markdown (for search documents, summaries and word counts).
    public static func plainText(markdown: String) -> String {
        var text = ""
        var inTag = false
        for ch in MarkdownParser().html(from: markdown.replacingOccurrences(of: "<", with: " ")) {
            if ch == "<" { inTag = true; text.append(" ") } else if ch == ">" { inTag = false } else if !inTag { text.append(ch) }
        }
        return text.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
    }
}
