/// The image formats a patient may attach to a consultation request.
///
/// Kept to the three formats phones and cameras actually produce, so every accepted upload is one the
/// inspector knows how to clean.
public enum ImageFormat: String, Sendable, Codable {
    case jpeg, png, heic

    /// The media type to serve the stored file with; taken from the detected format, never from the client.
    public var mediaType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .heic: "image/heic"
        }
    }

    /// The extension to store the file under, so a stored name never carries the uploader's choice.
    public var fileExtension: String {
        switch self {
        case .jpeg: "jpg"
        case .png: "png"
        case .heic: "heic"
        }
    }
}

/// Why an upload was refused.
public enum ImageProblem: Error, Equatable, Sendable {
    /// No bytes at all.
    case empty
    /// More bytes than `limit`; checked first so an oversized upload costs nothing to refuse.
    case tooLarge(limit: Int)
    /// The bytes do not start like any accepted format.
    case notAnImage
    /// The bytes start like an accepted format but its structure cannot be walked safely, so its
    /// metadata cannot be removed with certainty.
    case malformed
}

/// An accepted upload, ready to store.
public struct InspectedImage: Sendable {
    public let format: ImageFormat
    /// The upload with location-bearing metadata removed (JPEG, PNG) or overwritten with zeros (HEIC).
    public let bytes: [UInt8]
    /// Whether anything was removed or zeroed; `false` means `bytes` equals the input.
    public let removedMetadata: Bool
}

/// Checks an uploaded photo by its bytes and removes metadata that can carry the patient's location.
///
/// Photos straight from a phone usually hold GPS coordinates in Exif or XMP; a patient sending a photo of
/// a condition should not also send where they live. The input is treated as hostile: every length read
/// from it is bounds-checked, no work grows faster than the input, and anything that cannot be walked
/// with certainty is refused as `.malformed` rather than passed through with its metadata intact.
public enum ImageInspector {
    /// Largest accepted upload (10 MiB).
    public static let maxBytes = 10 * 1024 * 1024

    /// Detects the format by magic bytes only (never by file name or declared type).
    ///
    /// Names and declared types are chosen by the client and prove nothing about the content.
    public static func detect(_ bytes: [UInt8]) -> ImageFormat? {
        if bytes.starts(with: jpegMagic) { return .jpeg }
        if bytes.starts(with: pngMagic) { return .png }
        if HEIF.isHEIC(bytes) { return .heic }
        return nil
    }

    /// Checks size and type, then returns the bytes with location-bearing metadata removed.
    ///
    /// - JPEG: every application segment but JFIF, ICC profiles and Adobe's, and comments, are dropped wherever they stand,
    ///   and so is everything after EOI (Multi-Picture images, motion-photo video).
    /// - PNG: eXIf, tEXt, zTXt, iTXt and tIME chunks are dropped, as is anything after IEND.
    /// - HEIC: the data of Exif items and XMP (`application/rdf+xml`) items is overwritten with zeros in
    ///   place, so every offset in the file stays valid; `udta` and `meta` boxes of a `moov` (image sequences,
    ///   live photos) become zeroed `free` boxes of the same size.
    public static func inspect(_ bytes: [UInt8], limit: Int = maxBytes) throws(ImageProblem) -> InspectedImage {
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= limit else { throw .tooLarge(limit: limit) }
        guard let format = detect(bytes) else { throw .notAnImage }
        let cleaned: (bytes: [UInt8], removed: Bool)
        switch format {
        case .jpeg: cleaned = try JPEG.scrub(bytes)
        case .png: cleaned = try PNG.scrub(bytes)
        case .heic: cleaned = try HEIF.scrub(bytes)
        }
        return InspectedImage(format: format, bytes: cleaned.bytes, removedMetadata: cleaned.removed)
    }

    static let jpegMagic: [UInt8] = [0xFF, 0xD8, 0xFF]
    static let pngMagic: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
}

// MARK: - Reading

/// A cursor over `bytes[pos..<end]` whose every read is bounds-checked, so a lying length field turns
/// into `.malformed` instead of a trap.
private struct ByteCursor {
    let bytes: [UInt8]
    private(set) var pos: Int
    let end: Int

    /// Callers pass box ranges they have already validated; clamping anyway keeps a mistake from trapping.
    init(_ bytes: [UInt8], from start: Int, to end: Int) {
        self.bytes = bytes
        self.end = max(0, min(end, bytes.count))
        self.pos = max(0, min(start, self.end))
    }

    var remaining: Int { end - pos }

    mutating func skip(_ n: Int) throws(ImageProblem) {
        guard n >= 0, n <= remaining else { throw .malformed }
        pos += n
    }

    mutating func u8() throws(ImageProblem) -> UInt8 {
        guard remaining >= 1 else { throw .malformed }
        defer { pos += 1 }
        return bytes[pos]
    }

    /// A big-endian unsigned integer of `width` bytes (0...8); width 0 reads as 0, as ISO-BMFF intends.
    mutating func uint(width: Int) throws(ImageProblem) -> UInt64 {
        guard width >= 0, width <= 8, width <= remaining else { throw .malformed }
        var value: UInt64 = 0
        for _ in 0..<width {
            value = value << 8 | UInt64(bytes[pos])
            pos += 1
        }
        return value
    }

    mutating func u16() throws(ImageProblem) -> UInt32 { UInt32(try uint(width: 2)) }
    mutating func u32() throws(ImageProblem) -> UInt32 { UInt32(try uint(width: 4)) }

    /// Bytes up to the next NUL, consuming it; without a NUL, the rest of the range with `terminated` false.
    mutating func cString() -> (text: ArraySlice<UInt8>, terminated: Bool) {
        let start = pos
        while pos < end {
            if bytes[pos] == 0 {
                pos += 1
                return (bytes[start..<(pos - 1)], true)
            }
            pos += 1
        }
        return (bytes[start..<end], false)
    }
}

/// Big-endian 32-bit value at `at`, or `nil` when it would run past the end.
private func readU32(_ bytes: [UInt8], _ at: Int) -> UInt32? {
    guard at >= 0, at <= bytes.count - 4 else { return nil }
    return UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
}

/// A four-character code as the big-endian integer it is stored as.
private func fourCC(_ code: String) -> UInt32 {
    precondition(code.utf8.count == 4, "a four-character code has four bytes")
    return code.utf8.reduce(0) { $0 << 8 | UInt32($1) }
}

// MARK: - JPEG

private enum JPEG {
    /// Application segments are dropped unless they are known to carry only how to draw the image: APP0 (JFIF),
    /// APP2 when it holds an ICC colour profile, APP14 (Adobe colour transform). Everything else (Exif, XMP, IPTC,
    /// the MPF index, GoPro GPS tracks in APP6, maker data in APP3…) goes, and so do comments.
    static func dropped(marker: UInt8, payload: ArraySlice<UInt8>) -> Bool {
        switch marker {
        case 0xE0, 0xEE: return false
        case 0xE2: return !payload.starts(with: Array("ICC_PROFILE".utf8) + [0])
        case 0xE1...0xEF, 0xFE: return true
        default: return false
        }
    }

    /// Walks every marker segment of the file, dropping metadata segments (see `dropped`) wherever they stand (before the first scan or between the scans of a progressive file),
    /// copies entropy-coded scan data unchanged, and stops at EOI: anything after it (the extra images of a
    /// Multi-Picture file, the video of a motion photo, appended data) is dropped. A file with no metadata and
    /// nothing after EOI comes back byte-identical; fill bytes stay with the marker they precede.
    static func scrub(_ b: [UInt8]) throws(ImageProblem) -> (bytes: [UInt8], removed: Bool) {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        out.append(contentsOf: b[0..<2])  // SOI
        var pos = 2
        var removed = false
        var inScan = false
        while true {
            if inScan {
                // Entropy-coded data: 0xFF is followed by 0x00 (a stuffed byte), RSTn, or more 0xFF fill before a marker.
                let dataStart = pos
                var markerAt: Int?
                var i = pos
                while i + 1 < b.count {
                    if b[i] == 0xFF {
                        let next = b[i + 1]
                        if next == 0x00 || (0xD0...0xD7).contains(next) { i += 2; continue }
                        if next == 0xFF { i += 1; continue }
                        markerAt = i
                        break
                    }
                    i += 1
                }
                guard let markerAt else {
                    // No marker after the scan data (a file cut short): everything left is image data.
                    out.append(contentsOf: b[dataStart...])
                    return (out, removed)
                }
                out.append(contentsOf: b[dataStart..<markerAt])
                pos = markerAt
                inScan = false
            }
            let segmentStart = pos
            guard pos < b.count, b[pos] == 0xFF else { throw .malformed }
            while pos < b.count, b[pos] == 0xFF { pos += 1 }
            guard pos < b.count else { throw .malformed }
            let marker = b[pos]
            pos += 1
            switch marker {
            case 0xD9:
                // EOI: the image ends here, and so does what we keep.
                guard out.count > 2 else { throw .malformed }
                out.append(contentsOf: b[segmentStart..<pos])
                return (out, removed || pos < b.count)
            case 0x00, 0xD8:
                // A stuffed zero or a second SOI outside scan data: not a structure we can trust.
                throw .malformed
            case 0x01, 0xD0...0xD7:
                // TEM and RSTn stand alone: no length follows.
                out.append(contentsOf: b[segmentStart..<pos])
                continue
            default:
                break
            }
            guard b.count - pos >= 2 else { throw .malformed }
            let length = Int(b[pos]) << 8 | Int(b[pos + 1])
            guard length >= 2, length <= b.count - pos else { throw .malformed }
            let segmentEnd = pos + length
            let payload = b[(pos + 2)..<segmentEnd]
            if Self.dropped(marker: marker, payload: payload) {
                removed = true
            } else {
                out.append(contentsOf: b[segmentStart..<segmentEnd])
            }
            pos = segmentEnd
            if marker == 0xDA { inScan = true }
        }
    }
}

// MARK: - PNG

private enum PNG {
    /// Chunks that carry Exif, free text (often XMP or GPS notes) or a timestamp.
    static let dropped: Set<UInt32> = [fourCC("eXIf"), fourCC("tEXt"), fourCC("zTXt"), fourCC("iTXt"), fourCC("tIME")]
    static let ihdr = fourCC("IHDR")
    static let iend = fourCC("IEND")

    /// Walks the chunks up to IEND, dropping the metadata ones.
    ///
    /// Bytes after IEND are dropped too: no decoder reads them, so they can only smuggle data along.
    /// CRCs are copied, not recomputed: kept chunks are copied whole.
    static func scrub(_ b: [UInt8]) throws(ImageProblem) -> (bytes: [UInt8], removed: Bool) {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        out.append(contentsOf: b[0..<8])
        var pos = 8
        var removed = false
        var first = true
        while true {
            guard b.count - pos >= 12, let rawLength = readU32(b, pos), let type = readU32(b, pos + 4) else {
                throw .malformed
            }
            // The format caps lengths at 2^31-1; anything above is a lie we need not follow.
            guard rawLength <= 0x7FFF_FFFF, Int(rawLength) <= b.count - pos - 12 else { throw .malformed }
            guard b[(pos + 4)..<(pos + 8)].allSatisfy(isASCIILetter) else { throw .malformed }
            // IHDR must come first and only once; anything else means the walk is off track.
            guard (type == ihdr) == first else { throw .malformed }
            first = false
            let end = pos + 12 + Int(rawLength)
            if dropped.contains(type) {
                removed = true
            } else {
                out.append(contentsOf: b[pos..<end])
            }
            pos = end
            if type == iend {
                if pos < b.count { removed = true }
                return (out, removed)
            }
        }
    }

    static func isASCIILetter(_ c: UInt8) -> Bool {
        (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c)
    }
}

// MARK: - HEIF

/// A box header that has been checked to fit inside its parent.
private struct Box {
    let type: UInt32
    let start: Int
    let contentStart: Int
    let end: Int

    var range: Range<Int> { start..<end }
}

/// Reads consecutive boxes filling `start..<end`; any box that does not fit makes the walk `.malformed`.
private struct BoxWalker {
    let bytes: [UInt8]
    var pos: Int
    let end: Int

    init(_ bytes: [UInt8], from start: Int, to end: Int) {
        self.bytes = bytes
        self.pos = start
        self.end = end
    }

    /// Always advances by at least 8 bytes, so the walk ends.
    mutating func next() throws(ImageProblem) -> Box? {
        guard pos < end else { return nil }
        var c = ByteCursor(bytes, from: pos, to: end)
        let size32 = try c.u32()
        let type = try c.u32()
        let size: UInt64
        switch size32 {
        case 0: size = UInt64(end - pos)  // to the end of the enclosing range
        case 1: size = try c.uint(width: 8)  // 64-bit size follows the type
        default: size = UInt64(size32)
        }
        if type == HEIF.uuid { try c.skip(16) }
        let headerLength = c.pos - pos
        guard size >= UInt64(headerLength), size <= UInt64(end - pos) else { throw .malformed }
        let box = Box(type: type, start: pos, contentStart: c.pos, end: pos + Int(size))
        pos = box.end
        return box
    }
}

private enum HEIF {
    static let ftyp = fourCC("ftyp")
    static let meta = fourCC("meta")
    static let iinf = fourCC("iinf")
    static let infe = fourCC("infe")
    static let iloc = fourCC("iloc")
    static let idat = fourCC("idat")
    static let uuid = fourCC("uuid")
    static let exif = fourCC("Exif")
    static let mime = fourCC("mime")

    /// Brands that make a file HEIC for us: the HEVC image brands plus the generic HEIF ones.
    static let heicBrands: Set<UInt32> = [
        fourCC("heic"), fourCC("heix"), fourCC("heim"), fourCC("heis"),
        fourCC("hevc"), fourCC("hevx"), fourCC("mif1"), fourCC("msf1"),
    ]
    /// The brands above that name HEVC itself, as opposed to any HEIF codec.
    static let hevcBrands: Set<UInt32> = [
        fourCC("heic"), fourCC("heix"), fourCC("heim"), fourCC("heis"), fourCC("hevc"), fourCC("hevx"),
    ]
    /// AVIF also lists `mif1`; these brands tell it apart so it is not served as image/heic.
    static let av1Brands: Set<UInt32> = [fourCC("avif"), fourCC("avis")]

    /// True when the file opens with an `ftyp` box naming an HEIC-family brand.
    ///
    /// Lenient about a box that runs past the end (the brands are read from what is there); `scrub` then
    /// refuses such a file as malformed rather than as "not an image".
    static func isHEIC(_ b: [UInt8]) -> Bool {
        guard let size32 = readU32(b, 0), readU32(b, 4) == ftyp else { return false }
        var headerLength = 8
        let boxEnd: Int
        switch size32 {
        case 0:
            boxEnd = b.count
        case 1:
            guard b.count >= 16 else { return false }
            let high = UInt64(readU32(b, 8) ?? 0), low = UInt64(readU32(b, 12) ?? 0)
            let size = high << 32 | low
            headerLength = 16
            boxEnd = size > UInt64(b.count) ? b.count : Int(size)
        default:
            boxEnd = UInt64(size32) > UInt64(b.count) ? b.count : Int(size32)
        }
        guard boxEnd - headerLength >= 4, let major = readU32(b, headerLength) else { return false }
        if av1Brands.contains(major) { return false }
        var anyHEIC = heicBrands.contains(major)
        var anyHEVC = hevcBrands.contains(major)
        var anyAV1 = false
        // Compatible brands follow the major brand and the 4-byte minor version.
        var at = headerLength + 8
        while at + 4 <= boxEnd, let brand = readU32(b, at) {
            anyHEIC = anyHEIC || heicBrands.contains(brand)
            anyHEVC = anyHEVC || hevcBrands.contains(brand)
            anyAV1 = anyAV1 || av1Brands.contains(brand)
            at += 4
        }
        return anyHEIC && (anyHEVC || !anyAV1)
    }

    /// Overwrites the data of Exif and XMP items with zeros, leaving every byte elsewhere untouched.
    ///
    /// Zeroing in place rather than removing keeps every offset in `iloc` valid, so the image still
    /// decodes without rewriting the file's layout. Any item whose bytes cannot be located for certain
    /// makes the file `.malformed`: passing it through could leak the location it holds.
    static func scrub(_ b: [UInt8]) throws(ImageProblem) -> (bytes: [UInt8], removed: Bool) {
        let items = try scrubItems(b)
        let movie = try scrubMovieMetadata(items.bytes)
        return (movie.bytes, items.removed || movie.removed)
    }

    static let moov = fourCC("moov")
    static let trak = fourCC("trak")
    static let udta = fourCC("udta")
    static let free = fourCC("free")

    /// Image sequences and live photos carry a `moov` box whose `udta` (user data: location `©xyz`, maker notes)
    /// and `meta` boxes, in the movie or in a track, can hold where the picture was taken. Each becomes a `free`
    /// box of the same size with its content zeroed: sizes and every offset stay as they were, and readers skip
    /// `free` boxes.
    static func scrubMovieMetadata(_ b: [UInt8]) throws(ImageProblem) -> (bytes: [UInt8], removed: Bool) {
        var targets: [Box] = []
        var top = BoxWalker(b, from: 0, to: b.count)
        while let box = try top.next() {
            guard box.type == moov else { continue }
            var inMovie = BoxWalker(b, from: box.contentStart, to: box.end)
            while let child = try inMovie.next() {
                if child.type == udta || child.type == meta { targets.append(child) }
                guard child.type == trak else { continue }
                var inTrack = BoxWalker(b, from: child.contentStart, to: child.end)
                while let grandchild = try inTrack.next() {
                    if grandchild.type == udta || grandchild.type == meta { targets.append(grandchild) }
                }
            }
        }
        guard !targets.isEmpty else { return (b, false) }
        var out = b
        for box in targets {
            // The type sits 4 bytes into the header (after a 32-bit size).
            let typeAt = box.start + 4
            out[typeAt] = 0x66; out[typeAt + 1] = 0x72; out[typeAt + 2] = 0x65; out[typeAt + 3] = 0x65 // "free"
            zero(&out, box.contentStart..<box.end)
        }
        return (out, true)
    }

    /// Exif and XMP items of the file-level `meta` box.
    static func scrubItems(_ b: [UInt8]) throws(ImageProblem) -> (bytes: [UInt8], removed: Bool) {
        var top = BoxWalker(b, from: 0, to: b.count)
        guard let first = try top.next(), first.type == ftyp else { throw .malformed }
        var metaBox: Box?
        while let box = try top.next() {
            guard box.type == meta else { continue }
            // A file has at most one file-level meta; a second could hide items from us.
            guard metaBox == nil else { throw .malformed }
            metaBox = box
        }
        guard let metaBox else { return (b, false) }

        var header = ByteCursor(b, from: metaBox.contentStart, to: metaBox.end)
        try header.skip(4)  // FullBox version and flags
        var iinfBox: Box?, ilocBox: Box?, idatBox: Box?
        var children = BoxWalker(b, from: header.pos, to: metaBox.end)
        while let child = try children.next() {
            switch child.type {
            case iinf:
                guard iinfBox == nil else { throw .malformed }
                iinfBox = child
            case iloc:
                guard ilocBox == nil else { throw .malformed }
                ilocBox = child
            case idat:
                guard idatBox == nil else { throw .malformed }
                idatBox = child
            default:
                break
            }
        }
        guard let iinfBox else { return (b, false) }
        let sensitive = try sensitiveItems(b, iinfBox)
        guard !sensitive.isEmpty else { return (b, false) }
        guard let ilocBox else { throw .malformed }
        let locations = try itemLocations(b, ilocBox, wanted: sensitive)

        var ranges: [Range<Int>] = []
        for id in sensitive {
            guard let location = locations[id] else { throw .malformed }
            // Data in another file (or referenced through it) cannot be checked here.
            guard location.dataReferenceIndex == 0 else { throw .malformed }
            let region: Range<Int>
            switch location.constructionMethod {
            case 0: region = 0..<b.count
            case 1:
                guard let idatBox else { throw .malformed }
                region = idatBox.contentStart..<idatBox.end
            default:
                // Method 2 builds the item from other items; we do not follow references.
                throw .malformed
            }
            let regionLength = UInt64(region.count)
            for extent in location.extents {
                let (start, overflow) = location.baseOffset.addingReportingOverflow(extent.offset)
                guard !overflow, start <= regionLength else { throw .malformed }
                // Length 0 means "to the end of the data source".
                let length = extent.length == 0 ? regionLength - start : extent.length
                guard length <= regionLength - start else { throw .malformed }
                let lower = region.lowerBound + Int(start)
                let range = lower..<(lower + Int(length))
                // Zeroing the file's own structure would break it; a real Exif item never lies there.
                if location.constructionMethod == 0, range.overlaps(first.range) || range.overlaps(metaBox.range) {
                    throw .malformed
                }
                if !range.isEmpty { ranges.append(range) }
            }
        }
        guard !ranges.isEmpty else { return (b, false) }

        // Merge first so hostile, heavily overlapping extents cost no more than one pass over the file.
        ranges.sort { $0.lowerBound < $1.lowerBound }
        var out = b
        var current = ranges[0]
        for range in ranges.dropFirst() {
            if range.lowerBound <= current.upperBound {
                current = current.lowerBound..<max(current.upperBound, range.upperBound)
            } else {
                zero(&out, current)
                current = range
            }
        }
        zero(&out, current)
        return (out, true)
    }

    private static func zero(_ out: inout [UInt8], _ range: Range<Int>) {
        for i in range { out[i] = 0 }
    }

    /// IDs of Exif items and XMP items, read from the `infe` entries of `iinf`.
    ///
    /// The entries are found by walking the child boxes rather than trusting `entry_count`, so an entry
    /// cannot be hidden behind a count that is too small.
    private static func sensitiveItems(_ b: [UInt8], _ box: Box) throws(ImageProblem) -> Set<UInt32> {
        var c = ByteCursor(b, from: box.contentStart, to: box.end)
        let version = try c.u8()
        try c.skip(3)
        try c.skip(version == 0 ? 2 : 4)  // entry_count
        var ids: Set<UInt32> = []
        var entries = BoxWalker(b, from: c.pos, to: box.end)
        while let entry = try entries.next() {
            guard entry.type == infe else { continue }
            var e = ByteCursor(b, from: entry.contentStart, to: entry.end)
            let version = try e.u8()
            try e.skip(3)
            switch version {
            case 0, 1:
                // Early entries have no item type; XMP is recognisable only by content type.
                let id = try e.u16()
                try e.skip(2)  // item_protection_index
                if isXMP(try contentType(&e)) { ids.insert(id) }
            case 2, 3:
                let id = try version == 2 ? e.u16() : e.u32()
                try e.skip(2)  // item_protection_index
                let type = try e.u32()
                if type == exif {
                    ids.insert(id)
                } else if type == mime, isXMP(try contentType(&e)) {
                    ids.insert(id)
                }
            default:
                // An unknown layout could describe an Exif item we would miss.
                throw .malformed
            }
        }
        return ids
    }

    /// Skips `item_name` and reads `content_type`; a missing terminator on the last string is tolerated.
    ///
    /// Without a terminated name there is no content type at all, and then XMP cannot be ruled out.
    private static func contentType(_ e: inout ByteCursor) throws(ImageProblem) -> ArraySlice<UInt8> {
        guard e.cString().terminated else { throw .malformed }
        return e.cString().text
    }

    /// Whether a content type names XMP; parameters, surrounding spaces and ASCII case are ignored.
    private static func isXMP(_ contentType: ArraySlice<UInt8>) -> Bool {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        let essence = contentType.prefix { $0 != UInt8(ascii: ";") }
        guard let first = essence.firstIndex(where: { !isSpace($0) }),
              let last = essence.lastIndex(where: { !isSpace($0) }) else { return false }
        let lowered = essence[first...last].map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
        return lowered.elementsEqual("application/rdf+xml".utf8)
    }

    struct Extent {
        let offset: UInt64
        let length: UInt64
    }

    struct Location {
        let constructionMethod: UInt8
        let dataReferenceIndex: UInt32
        let baseOffset: UInt64
        let extents: [Extent]
    }

    /// Reads `iloc` (versions 0–2) and returns the locations of the `wanted` items.
    private static func itemLocations(_ b: [UInt8], _ box: Box, wanted: Set<UInt32>) throws(ImageProblem) -> [UInt32: Location] {
        var c = ByteCursor(b, from: box.contentStart, to: box.end)
        let version = try c.u8()
        try c.skip(3)
        guard version <= 2 else { throw .malformed }
        let sizes = try c.u8()
        let moreSizes = try c.u8()
        let offsetSize = Int(sizes >> 4)
        let lengthSize = Int(sizes & 0x0F)
        let baseOffsetSize = Int(moreSizes >> 4)
        let indexSize = version == 0 ? 0 : Int(moreSizes & 0x0F)
        for size in [offsetSize, lengthSize, baseOffsetSize, indexSize] where ![0, 4, 8].contains(size) {
            throw .malformed
        }
        let itemCount = try version < 2 ? c.u16() : c.u32()
        let extentWidth = indexSize + offsetSize + lengthSize
        var locations: [UInt32: Location] = [:]
        // Every item reads at least six bytes, so a huge count stops at the end of the box.
        var remainingItems = itemCount
        while remainingItems > 0 {
            remainingItems -= 1
            let id = try version < 2 ? c.u16() : c.u32()
            let method = try version == 0 ? 0 : UInt8(c.u16() & 0x0F)
            let dataReferenceIndex = try c.u16()
            let baseOffset = try c.uint(width: baseOffsetSize)
            var extentCount = Int(try c.u16())
            // Zero-width extents read nothing and are all alike; one stands for all of them.
            if extentWidth == 0 { extentCount = min(extentCount, 1) }
            let isWanted = wanted.contains(id)
            var extents: [Extent] = []
            for _ in 0..<extentCount {
                try c.skip(indexSize)  // extent_index only matters for construction method 2
                let offset = try c.uint(width: offsetSize)
                let length = try c.uint(width: lengthSize)
                if isWanted { extents.append(Extent(offset: offset, length: length)) }
            }
            guard isWanted else { continue }
            // Two locations for one item leave us unsure which one holds the data.
            guard locations[id] == nil else { throw .malformed }
            locations[id] = Location(
                constructionMethod: method,
                dataReferenceIndex: dataReferenceIndex,
                baseOffset: baseOffset,
                extents: extents
            )
        }
        return locations
    }
}
