/// What a message may carry: the photo formats of a consultation request, and PDF documents (reports, scans).
public enum AttachmentKind: String, Sendable, Codable, CaseIterable {
    case jpeg, png, heic, pdf

    public var mediaType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .heic: "image/heic"
        case .pdf: "application/pdf"
        }
    }

    public var fileExtension: String {
        switch self {
        case .jpeg: "jpg"
        case .png: "png"
        case .heic: "heic"
        case .pdf: "pdf"
        }
    }

    /// Images a browser can show inline (HEIC is offered as a download).
    public var isInlineImage: Bool { self == .jpeg || self == .png }
}

/// Why an attachment was refused.
public enum AttachmentProblem: Error, Equatable, Sendable {
    case empty
    case tooLarge(limit: Int)
    /// The bytes are not an image or a PDF, whatever the name or declared type says.
    case notAllowed
    /// An image or PDF whose structure cannot be checked.
    case malformed
    /// A PDF that names active content (scripts, launch actions, embedded files, forms that run code).
    case activeContent
}

/// An accepted attachment: its kind (from its bytes), its bytes (images without their metadata) and a name that
/// is safe to show and to offer as a download.
public struct InspectedAttachment: Sendable {
    public let kind: AttachmentKind
    public let bytes: [UInt8]
    public let name: String
}

/// Checks a message attachment by its bytes. Images go through `ImageInspector` (metadata removed); a PDF must
/// start with a PDF header, end with an end-of-file marker, and name none of the actions that make a reader run
/// something. Written here because no package of this platform checks PDFs without rendering them; the check is
/// one linear pass over the bytes. It reads names as they stand in the file (escapes decoded); names inside
/// compressed object streams are not inflated, so PDFs are also only ever served as sandboxed downloads.
public enum AttachmentInspector {
    public static let maxBytes = 10 * 1024 * 1024
    public static let maxPerMessage = 5
    public static let maxNameCharacters = 100
    public static let maxNameBytes = 200

    public static func inspect(_ bytes: [UInt8], name: String, limit: Int = maxBytes) throws(AttachmentProblem) -> InspectedAttachment {
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= limit else { throw .tooLarge(limit: limit) }
        if ImageInspector.detect(bytes) != nil {
            do {
                let image = try ImageInspector.inspect(bytes, limit: limit)
                let kind: AttachmentKind = switch image.format {
                case .jpeg: .jpeg
                case .png: .png
                case .heic: .heic
                }
                return InspectedAttachment(kind: kind, bytes: image.bytes, name: displayName(name, kind: kind))
            } catch .tooLarge(let l) {
                throw .tooLarge(limit: l)
            } catch {
                throw .malformed
            }
        }
        guard isPDF(bytes) else { throw .notAllowed }
        guard hasEndMarker(bytes) else { throw .malformed }
        if namesActiveContent(bytes) { throw .activeContent }
        return InspectedAttachment(kind: .pdf, bytes: bytes, name: displayName(name, kind: .pdf))
    }

    /// `%PDF-` and a version such as `1.7` or `2.0`.
    static func isPDF(_ b: [UInt8]) -> Bool {
        let magic: [UInt8] = Array("%PDF-".utf8)
        guard b.count >= 8, b.starts(with: magic) else { return false }
        return (0x31...0x32).contains(b[5]) && b[6] == 0x2E && (0x30...0x39).contains(b[7])
    }

    /// `%%EOF` within the last 1,024 bytes (a truncated upload has none).
    static func hasEndMarker(_ b: [UInt8]) -> Bool {
        let marker: [UInt8] = Array("%%EOF".utf8)
        let start = max(0, b.count - 1_024)
        var i = b.count - marker.count
        while i >= start {
            if b[i] == 0x25 && Array(b[i..<(i + marker.count)]) == marker { return true }
            i -= 1
        }
        return false
    }

    /// Names of PDF dictionary keys that start code or open other files. A name ends at a delimiter, so
    /// `/JSON` is not `/JS`.
    static let activeNames: [[UInt8]] = ["JavaScript", "JS", "Launch", "EmbeddedFile", "EmbeddedFiles", "RichMedia", "XFA", "SubmitForm",
                                         "ImportData", "GoToE"].map { Array($0.utf8) }

    /// Longest active name, in bytes.
    static let longestName = activeNames.map(\.count).max() ?? 0

    static func namesActiveContent(_ b: [UInt8]) -> Bool {
        // One pass: at every `/`, read the name that follows up to a delimiter (at most a few bytes past the longest
        // active name), decoding `#xx` escapes, since `/J#61vaScript` names `/JavaScript` too.
        var i = 0
        let n = b.count
        while i < n {
            if b[i] == 0x2F {
                var name: [UInt8] = []
                var j = i + 1
                while j < n, !isDelimiter(b[j]), name.count <= longestName {
                    if b[j] == 0x23, j + 2 < n, let high = hexValue(b[j + 1]), let low = hexValue(b[j + 2]) {
                        name.append(high << 4 | low)
                        j += 3
                    } else {
                        name.append(b[j])
                        j += 1
                    }
                }
                if activeNames.contains(name) { return true }
                // Continue right after the slash: a name never contains another slash, so this stays linear.
            }
            i += 1
        }
        return false
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    static func isDelimiter(_ c: UInt8) -> Bool {
        // White space and the PDF delimiters ( ) < > [ ] { } / %
        [0x00, 0x09, 0x0A, 0x0C, 0x0D, 0x20, 0x28, 0x29, 0x3C, 0x3E, 0x5B, 0x5D, 0x7B, 0x7D, 0x2F, 0x25].contains(c)
    }

    /// The file's name as people will see it: no folders, no control or direction-changing characters, at most
    /// 100 characters, and the extension of what the bytes are (never the uploader's).
    public static func displayName(_ raw: String, kind: AttachmentKind) -> String {
        let lastComponent = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var cleaned = String(String.UnicodeScalarView(lastComponent.unicodeScalars.filter { scalar in
            let v = scalar.value
            if v < 0x20 || (0x7F...0x9F).contains(v) { return false }
            if (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F || v == 0x061C { return false }
            // Marks, format characters (joiners, invisible operators) and private-use characters hide or stack.
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .enclosingMark, .spacingMark, .format, .privateUse, .surrogate, .unassigned: return false
            default: break
            }
            return true
        })).trimmingWhitespace()
        if let dot = cleaned.lastIndex(of: "."), dot != cleaned.startIndex { cleaned = String(cleaned[..<dot]) }
        cleaned = String(cleaned.prefix(maxNameCharacters - 5)).trimmingWhitespace()
        // At most 200 bytes as UTF-8, cut on a character boundary.
        while cleaned.utf8.count > maxNameBytes { cleaned.removeLast() }
        if cleaned.isEmpty || cleaned.allSatisfy({ $0 == "." }) { cleaned = "attachment" }
        return cleaned + "." + kind.fileExtension
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
