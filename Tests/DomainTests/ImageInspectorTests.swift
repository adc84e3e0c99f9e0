import Testing
@testable import Domain

// MARK: - Byte helpers

private func ascii(_ s: String) -> [UInt8] { Array(s.utf8) }
private func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
private func be32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(v >> (24 - 8 * $0) & 0xFF) } }
private func be64(_ v: Int) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * $0)) } }

/// Big-endian unsigned integer of `width` bytes.
private func beInt(_ v: Int, width: Int) -> [UInt8] {
    (0..<width).map { UInt8(truncatingIfNeeded: v >> (8 * (width - 1 - $0))) }
}

/// Where `needle` first occurs in `haystack`.
private func range(of needle: [UInt8], in haystack: [UInt8]) -> Range<Int>? {
    guard !needle.isEmpty, needle.count <= haystack.count else { return nil }
    for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
        return start..<(start + needle.count)
    }
    return nil
}

private func contains(_ haystack: [UInt8], _ text: String) -> Bool { range(of: ascii(text), in: haystack) != nil }

/// The location canaries planted in the fixtures; none may survive inspection.
private let exifCanary = "GPSLatitude 48.8566"
private let xmpCanary = "exif:GPSLongitude 2.3522"

private let exifPayload: [UInt8] = ascii("MM") + [0x00, 0x2A, 0x00, 0x00, 0x00, 0x08] + ascii(exifCanary) + [0x00]
private let xmpPayload: [UInt8] = ascii("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:Description \(xmpCanary)/></x:xmpmeta>")

// MARK: - JPEG fixtures

private struct JPEGOptions {
    var exif = true
    var xmp = false
    var iptc = false
    var comment = false
    var fillBytes = false
    var standalone = false
}

private let jpegScan: [UInt8] = [0x12, 0x34, 0xFF, 0x00, 0x56, 0xA5, 0xFF, 0xD0, 0x78, 0x9A, 0xBC, 0xFF, 0x00, 0xDE, 0xFF, 0xD9]

private func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
    [0xFF, marker] + be16(payload.count + 2) + payload
}

/// SOI, APP0 JFIF, [APP1 Exif], [APP1 XMP], APP2 ICC, [APP13], [COM], DQT, SOF0, DHT, SOS, scan data + EOI.
private func makeJPEG(_ o: JPEGOptions = .init()) -> [UInt8] {
    var b: [UInt8] = [0xFF, 0xD8]
    b += segment(0xE0, ascii("JFIF") + [0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00])
    if o.standalone { b += [0xFF, 0x01, 0xFF, 0xD3] }  // TEM and RST3
    if o.exif {
        if o.fillBytes { b += [0xFF, 0xFF, 0xFF] }
        b += segment(0xE1, ascii("Exif") + [0x00, 0x00] + exifPayload)
    }
    if o.xmp { b += segment(0xE1, ascii("http://ns.adobe.com/xap/1.0/") + [0x00] + xmpPayload) }
    b += segment(0xE2, ascii("ICC_PROFILE") + [0x00, 0x01, 0x01] + [UInt8](repeating: 0x42, count: 20))
    if o.iptc { b += segment(0xED, ascii("Photoshop 3.0") + [0x00] + ascii("8BIM") + ascii("City: Paris")) }
    if o.comment { b += segment(0xFE, ascii("taken at home, 12 Rue de Rivoli")) }
    if o.fillBytes { b += [0xFF, 0xFF] }
    b += segment(0xDB, [0x00] + (1...64).map { UInt8($0) })
    b += segment(0xC0, [0x08, 0x00, 0x10, 0x00, 0x10, 0x01, 0x01, 0x11, 0x00])
    b += segment(0xC4, [0x00] + [UInt8](repeating: 0, count: 15) + [0x01] + [0x00])
    b += segment(0xDA, [0x01, 0x01, 0x00, 0x00, 0x3F, 0x00])
    b += jpegScan
    return b
}

// MARK: - PNG fixtures

private let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
}

private func crc32(_ bytes: [UInt8]) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for byte in bytes { c = crcTable[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
    return c ^ 0xFFFF_FFFF
}

private func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    be32(data.count) + ascii(type) + data + be32(Int(crc32(ascii(type) + data)))
}

/// A 1×1 RGB image as a stored (uncompressed) zlib stream.
private let pngIDAT: [UInt8] = [0x78, 0x01, 0x01, 0x04, 0x00, 0xFB, 0xFF, 0x00, 0xFF, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00]
private let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

private func makePNG(text: Bool = true, exif: Bool = true, time: Bool = false, itxt: Bool = false, trailing: [UInt8] = []) -> [UInt8] {
    var b = pngSignature
    b += chunk("IHDR", be32(1) + be32(1) + [0x08, 0x02, 0x00, 0x00, 0x00])
    b += chunk("gAMA", be32(45455))
    if text { b += chunk("tEXt", ascii("Comment") + [0x00] + ascii(exifCanary)) }
    if itxt { b += chunk("iTXt", ascii("XML:com.adobe.xmp") + [0, 0, 0, 0] + xmpPayload) }
    if exif { b += chunk("eXIf", exifPayload) }
    if time { b += chunk("tIME", [0x07, 0xEA, 0x0B, 0x19, 0x0A, 0x00, 0x00]) }
    b += chunk("IDAT", pngIDAT)
    b += chunk("IEND", [])
    return b + trailing
}

/// Checks every chunk's CRC; returns the chunk types in order.
private func pngChunks(_ b: [UInt8]) -> (types: [String], crcsValid: Bool) {
    var pos = 8, types: [String] = [], valid = true
    while pos + 12 <= b.count {
        let length = b[pos..<(pos + 4)].reduce(0) { $0 << 8 | Int($1) }
        guard pos + 12 + length <= b.count else { return (types, false) }
        let typeAndData = Array(b[(pos + 4)..<(pos + 8 + length)])
        let stored = b[(pos + 8 + length)..<(pos + 12 + length)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        valid = valid && stored == crc32(typeAndData)
        types.append(String(decoding: typeAndData.prefix(4), as: UTF8.self))
        pos += 12 + length
    }
    return (types, valid && pos == b.count)
}

// MARK: - HEIC fixtures

private enum ExifPlacement: Sendable { case none, mdat, idat, viaReference, outOfBounds, externalFile, overMeta }
private enum MdatSize: Sendable { case normal, large, toEnd }

private struct HEICOptions: Sendable, CustomTestStringConvertible {
    var exif: ExifPlacement = .mdat
    var xmp = true
    var ilocVersion = 1
    var infeVersion = 2
    var iinfVersion = 0
    var baseOffsetSize = 0
    var offsetSize = 4
    var mdatSize: MdatSize = .normal
    var major = "heic"
    var compatible = ["mif1", "heic"]

    var testDescription: String {
        "iloc v\(ilocVersion), infe v\(infeVersion), iinf v\(iinfVersion), base \(baseOffsetSize), offset \(offsetSize), mdat \(mdatSize)"
    }
}

private struct HEICFixture {
    var bytes: [UInt8]
    var hvc: Range<Int>
}

private let hvcPayload: [UInt8] = [0x00, 0x00, 0x00, 0x1C, 0x26, 0x01, 0xAF, 0x13] + (0..<24).map { UInt8(0x80 | $0) }

private func box(_ type: String, _ payload: [UInt8]) -> [UInt8] { be32(8 + payload.count) + ascii(type) + payload }
private func fullBox(_ type: String, version: Int, _ payload: [UInt8]) -> [UInt8] { box(type, [UInt8(version), 0, 0, 0] + payload) }

/// ftyp + meta(hdlr, pitm, iinf, iloc, [idat]) + mdat(hvc1 tile, [Exif], [XMP]).
private func makeHEIC(_ o: HEICOptions = .init()) -> HEICFixture {
    let ftyp = box("ftyp", ascii(o.major) + be32(0) + o.compatible.flatMap(ascii))
    let exifInMdat = [.mdat, .viaReference, .outOfBounds, .externalFile, .overMeta].contains(o.exif)
    // The Exif item payload starts with a 4-byte offset to the TIFF header.
    let exifItem: [UInt8] = be32(0) + exifPayload
    var mdatPayload = hvcPayload
    if exifInMdat { mdatPayload += exifItem }
    if o.xmp { mdatPayload += xmpPayload }

    func itemID(_ id: Int) -> [UInt8] { o.ilocVersion < 2 ? be16(id) : be32(id) }
    func infe(_ id: Int, _ type: String, contentType: String? = nil) -> [UInt8] {
        let idBytes = o.infeVersion == 2 ? be16(id) : be32(id)
        var payload = idBytes + be16(0) + ascii(type) + [0x00]  // empty item_name
        if let contentType { payload += ascii(contentType) + [0x00] }
        return fullBox("infe", version: o.infeVersion, payload)
    }
    func ilocEntry(_ id: Int, method: Int, dataReference: Int = 0, base: Int, offset: Int, length: Int) -> [UInt8] {
        var e = itemID(id)
        if o.ilocVersion >= 1 { e += be16(method) }
        e += be16(dataReference) + beInt(base, width: o.baseOffsetSize) + be16(1)
        e += beInt(offset, width: o.offsetSize) + be32(length)
        return e
    }

    func meta(dataStart: Int, metaStart: Int) -> [UInt8] {
        var infes = infe(1, "hvc1")
        var entries = 1
        if o.exif != .none { infes += infe(2, "Exif"); entries += 1 }
        if o.xmp { infes += infe(3, "mime", contentType: "application/rdf+xml"); entries += 1 }
        let iinf = fullBox("iinf", version: o.iinfVersion, (o.iinfVersion == 0 ? be16(entries) : be32(entries)) + infes)

        // With a base offset, extents are relative to the start of mdat's data.
        let base = o.baseOffsetSize > 0 ? dataStart : 0
        var items = ilocEntry(1, method: 0, base: base, offset: dataStart - base, length: hvcPayload.count)
        var cursor = dataStart + hvcPayload.count
        switch o.exif {
        case .none: break
        case .idat: items += ilocEntry(2, method: 1, base: 0, offset: 0, length: exifItem.count)
        case .mdat: items += ilocEntry(2, method: 0, base: base, offset: cursor - base, length: exifItem.count)
        case .viaReference: items += ilocEntry(2, method: 2, base: base, offset: cursor - base, length: exifItem.count)
        case .outOfBounds: items += ilocEntry(2, method: 0, base: base, offset: 0x7FFF_FF00, length: exifItem.count)
        case .externalFile: items += ilocEntry(2, method: 0, dataReference: 1, base: base, offset: cursor - base, length: exifItem.count)
        case .overMeta: items += ilocEntry(2, method: 0, base: 0, offset: metaStart, length: exifItem.count)
        }
        if exifInMdat { cursor += exifItem.count }
        if o.xmp { items += ilocEntry(3, method: 0, base: base, offset: cursor - base, length: xmpPayload.count) }
        let count = 1 + (o.exif == .none ? 0 : 1) + (o.xmp ? 1 : 0)
        let sizes = [UInt8(o.offsetSize << 4 | 4), UInt8(o.baseOffsetSize << 4)]
        let iloc = fullBox("iloc", version: o.ilocVersion, sizes + (o.ilocVersion < 2 ? be16(count) : be32(count)) + items)

        let hdlr = fullBox("hdlr", version: 0, be32(0) + ascii("pict") + [UInt8](repeating: 0, count: 12) + [0x00])
        let pitm = fullBox("pitm", version: 0, be16(1))
        var children = hdlr + pitm + iinf + iloc
        if o.exif == .idat { children += box("idat", exifItem) }
        return fullBox("meta", version: 0, children)
    }

    let mdatHeader: [UInt8]
    switch o.mdatSize {
    case .normal: mdatHeader = be32(8 + mdatPayload.count) + ascii("mdat")
    case .large: mdatHeader = be32(1) + ascii("mdat") + be64(16 + mdatPayload.count)
    case .toEnd: mdatHeader = be32(0) + ascii("mdat")
    }
    // The meta box's size does not depend on the offsets it holds, so one dry run gives the layout.
    let metaLength = meta(dataStart: 0, metaStart: 0).count
    let dataStart = ftyp.count + metaLength + mdatHeader.count
    let bytes = ftyp + meta(dataStart: dataStart, metaStart: ftyp.count) + mdatHeader + mdatPayload
    return HEICFixture(bytes: bytes, hvc: dataStart..<(dataStart + hvcPayload.count))
}

// MARK: - Deterministic randomness


/// Runs the inspector on hostile input and checks the only outcomes allowed for input under the limit.
private func checkSurvives(_ bytes: [UInt8], _ label: @autoclosure () -> String) {
    do {
        let result = try ImageInspector.inspect(bytes)
        #expect(result.format == ImageInspector.detect(bytes), "\(label())")
        if result.format == .heic {
            #expect(result.bytes.count == bytes.count, "\(label())")
        } else {
            #expect(result.bytes.count <= bytes.count, "\(label())")
        }
        if !result.removedMetadata { #expect(result.bytes == bytes, "\(label())") }
    } catch {
        switch error {
        case .empty: #expect(bytes.isEmpty, "\(label())")
        case .notAnImage: #expect(ImageInspector.detect(bytes) == nil, "\(label())")
        case .malformed: #expect(ImageInspector.detect(bytes) != nil, "\(label())")
        case .tooLarge: Issue.record("tooLarge under the limit: \(label())")
        }
    }
}

// MARK: - Tests

@Suite("Image inspector")
struct ImageInspectorTests {
    // MARK: Detection

    @Test("Formats carry the media type and extension to store them under")
    func formatNames() {
        #expect(ImageFormat.jpeg.mediaType == "image/jpeg")
        #expect(ImageFormat.png.mediaType == "image/png")
        #expect(ImageFormat.heic.mediaType == "image/heic")
        #expect(ImageFormat.jpeg.fileExtension == "jpg")
        #expect(ImageFormat.png.fileExtension == "png")
        #expect(ImageFormat.heic.fileExtension == "heic")
    }

    @Test("Detects each format by its magic bytes")
    func detectsFormats() {
        #expect(ImageInspector.detect(makeJPEG()) == .jpeg)
        #expect(ImageInspector.detect(makePNG()) == .png)
        #expect(ImageInspector.detect(makeHEIC().bytes) == .heic)
        #expect(ImageInspector.detect([0xFF, 0xD8]) == nil)
        #expect(ImageInspector.detect(Array(pngSignature.prefix(7))) == nil)
        #expect(ImageInspector.detect([]) == nil)
    }

    @Test("HEIC brands: HEVC and generic HEIF brands count, AVIF does not",
          arguments: [
              (["heic"], true), (["heix"], true), (["heim"], true), (["heis"], true), (["hevc"], true), (["hevx"], true),
              (["mif1"], true), (["msf1"], true), (["mif1", "heic"], true), (["isom", "heic"], true),
              (["avif", "mif1"], false), (["mif1", "avif", "miaf"], false), (["avis", "msf1"], false),
              (["mif1", "avif", "heic"], true), (["isom"], false), (["mp41", "isom"], false), (["qt  "], false),
          ])
    func heicBrands(brands: [String], isHEIC: Bool) {
        let ftyp = box("ftyp", ascii(brands[0]) + be32(0) + brands.dropFirst().flatMap(ascii))
        #expect((ImageInspector.detect(ftyp + box("free", [])) == .heic) == isHEIC)
    }

    @Test("Other files are not images", arguments: [
        ("GIF", ascii("GIF89a") + [0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x3B]),
        ("PDF", ascii("%PDF-1.7\n%\u{E2}\u{E3}\n1 0 obj\n<<>>\nendobj\n%%EOF")),
        ("ZIP", [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00] + [UInt8](repeating: 0, count: 22)),
        ("text", ascii("GPSLatitude 48.8566, this is just a note")),
        ("JPEG without the third byte", [0xFF, 0xD8, 0x00, 0x10]),
        ("MP4", box("ftyp", ascii("isom") + be32(512) + ascii("isom") + ascii("mp41"))),
        ("AVIF", box("ftyp", ascii("avif") + be32(0) + ascii("mif1") + ascii("miaf"))),
    ])
    func notImages(name: String, bytes: [UInt8]) {
        #expect(ImageInspector.detect(bytes) == nil, "\(name)")
        #expect(throws: ImageProblem.notAnImage) { try ImageInspector.inspect(bytes) }
    }

    @Test("A PNG sent with a .jpg name and image/jpeg type is still a PNG: only the bytes count")
    func pngCalledJPEG() throws {
        // The inspector never sees the name or the declared type; the bytes alone decide.
        let upload = (name: "holiday.jpg", declaredType: "image/jpeg", bytes: makePNG())
        let result = try ImageInspector.inspect(upload.bytes)
        #expect(result.format == .png)
        #expect(result.format.mediaType == "image/png")
        #expect(result.format.fileExtension == "png")
    }

    // MARK: Size

    @Test("Empty input is refused as empty")
    func empty() {
        #expect(throws: ImageProblem.empty) { try ImageInspector.inspect([]) }
    }

    @Test("Size is checked before anything else")
    func tooLarge() throws {
        let jpeg = makeJPEG()
        #expect(throws: ImageProblem.tooLarge(limit: 100)) { try ImageInspector.inspect(jpeg, limit: 100) }
        // Junk over the limit is refused for its size, without being looked at.
        #expect(throws: ImageProblem.tooLarge(limit: 10)) { try ImageInspector.inspect(ascii("not an image at all"), limit: 10) }
        #expect(throws: ImageProblem.tooLarge(limit: 10)) { try ImageInspector.inspect([0xFF, 0xD8, 0xFF] + [UInt8](repeating: 0, count: 8), limit: 10) }
        // Exactly at the limit is fine.
        #expect(try ImageInspector.inspect(jpeg, limit: jpeg.count).format == .jpeg)
    }

    @Test("The default limit is 10 MiB")
    func defaultLimit() throws {
        #expect(ImageInspector.maxBytes == 10_485_760)
        let big = makeJPEG() + [UInt8](repeating: 0x55, count: ImageInspector.maxBytes - makeJPEG().count + 1)
        #expect(throws: ImageProblem.tooLarge(limit: ImageInspector.maxBytes)) { try ImageInspector.inspect(big) }
        let atLimit = Array(big.dropLast())
        let result = try ImageInspector.inspect(atLimit)
        #expect(result.removedMetadata)
        #expect(!contains(result.bytes, exifCanary))
    }

    // MARK: JPEG

    @Test("JPEG: the Exif segment is dropped and everything else is kept byte for byte")
    func jpegExif() throws {
        let input = makeJPEG()
        #expect(contains(input, exifCanary))
        let result = try ImageInspector.inspect(input)
        #expect(result.format == .jpeg)
        #expect(result.removedMetadata)
        #expect(!contains(result.bytes, exifCanary))
        #expect(!contains(result.bytes, "Exif"))
        #expect(result.bytes == makeJPEG(.init(exif: false)))
        #expect(contains(result.bytes, "JFIF"))
        #expect(contains(result.bytes, "ICC_PROFILE"))
        // From SOS to the end, the scan is unchanged.
        let sos = segment(0xDA, [0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]) + jpegScan
        #expect(Array(result.bytes.suffix(sos.count)) == sos)
    }

    @Test("JPEG: XMP, Photoshop/IPTC and comments are dropped too")
    func jpegOtherMetadata() throws {
        let input = makeJPEG(.init(exif: true, xmp: true, iptc: true, comment: true))
        let result = try ImageInspector.inspect(input)
        #expect(result.removedMetadata)
        for text in [exifCanary, xmpCanary, "Photoshop", "Paris", "Rivoli"] {
            #expect(!contains(result.bytes, text), "\(text)")
        }
        #expect(result.bytes == makeJPEG(.init(exif: false)))
    }

    @Test("JPEG: fill bytes and standalone markers are walked past and kept")
    func jpegFillAndStandalone() throws {
        let input = makeJPEG(.init(exif: true, fillBytes: true, standalone: true))
        let result = try ImageInspector.inspect(input)
        #expect(result.removedMetadata)
        #expect(!contains(result.bytes, exifCanary))
        // The fill before the dropped segment goes with it; the fill before DQT and TEM/RST3 stay.
        #expect(result.bytes == makeJPEG(.init(exif: false, fillBytes: true, standalone: true)))
    }

    @Test("JPEG without metadata comes back unchanged")
    func jpegClean() throws {
        for options in [JPEGOptions(exif: false), JPEGOptions(exif: false, fillBytes: true, standalone: true)] {
            let input = makeJPEG(options)
            let result = try ImageInspector.inspect(input)
            #expect(!result.removedMetadata)
            #expect(result.bytes == input)
        }
    }

    @Test("JPEG: the scan data is copied unchanged, and a byte after EOI is dropped")
    func jpegAfterScan() throws {
        let input = makeJPEG(.init(exif: false))
        let result = try ImageInspector.inspect(input + [0x00])
        #expect(result.bytes == input)
        #expect(result.removedMetadata)
    }

    @Test("JPEG whose header cannot be walked is malformed", arguments: [
        ("segment runs past the end", [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x40, 0x4A, 0x46]),
        ("length below two", [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01, 0xFF, 0xDA, 0x00, 0x02]),
        ("stuffed zero as a marker", [0xFF, 0xD8, 0xFF, 0x00, 0xFF, 0xDA, 0x00, 0x02]),
        ("EOI before any scan", [0xFF, 0xD8, 0xFF, 0xD9]),
        ("second SOI", [0xFF, 0xD8, 0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02]),
        ("garbage between segments", [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x02, 0x00, 0xFF, 0xDA, 0x00, 0x02]),
        ("only fill bytes", [0xFF, 0xD8, 0xFF, 0xFF, 0xFF, 0xFF]),
        ("no scan at all", [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x02]),
    ] as [(String, [UInt8])])
    func jpegMalformed(name: String, bytes: [UInt8]) {
        #expect(throws: ImageProblem.malformed, "\(name)") { try ImageInspector.inspect(bytes) }
    }

    // MARK: PNG

    @Test("PNG: text, Exif and time chunks are dropped; the rest is kept with valid CRCs")
    func pngStrip() throws {
        let input = makePNG(text: true, exif: true, time: true, itxt: true)
        #expect(pngChunks(input).crcsValid)
        let result = try ImageInspector.inspect(input)
        #expect(result.format == .png)
        #expect(result.removedMetadata)
        #expect(!contains(result.bytes, exifCanary))
        #expect(!contains(result.bytes, xmpCanary))
        let chunks = pngChunks(result.bytes)
        #expect(chunks.types == ["IHDR", "gAMA", "IDAT", "IEND"])
        #expect(chunks.crcsValid)
        #expect(result.bytes == makePNG(text: false, exif: false))
        let idat = chunk("IDAT", pngIDAT)
        #expect(range(of: idat, in: result.bytes) != nil)
    }

    @Test("PNG without metadata comes back unchanged")
    func pngClean() throws {
        let input = makePNG(text: false, exif: false)
        let result = try ImageInspector.inspect(input)
        #expect(!result.removedMetadata)
        #expect(result.bytes == input)
    }

    @Test("PNG: bytes after IEND are dropped")
    func pngTrailing() throws {
        let result = try ImageInspector.inspect(makePNG(text: false, exif: false, trailing: ascii(exifCanary)))
        #expect(result.removedMetadata)
        #expect(result.bytes == makePNG(text: false, exif: false))
    }

    @Test("PNG whose chunks cannot be walked is malformed")
    func pngMalformed() {
        let ihdr = chunk("IHDR", be32(1) + be32(1) + [0x08, 0x02, 0x00, 0x00, 0x00])
        let iend = chunk("IEND", [])
        let cases: [(String, [UInt8])] = [
            ("IHDR not first", pngSignature + chunk("tEXt", ascii("a\0b")) + ihdr + iend),
            ("IHDR twice", pngSignature + ihdr + ihdr + iend),
            ("length past the end", pngSignature + ihdr + be32(1000) + ascii("IDAT") + [1, 2, 3] + iend),
            ("length over 2^31-1", pngSignature + ihdr + [0x80, 0, 0, 0] + ascii("IDAT") + [0, 0, 0, 0] + iend),
            ("no IEND", pngSignature + ihdr + chunk("IDAT", pngIDAT)),
            ("non-letter chunk type", pngSignature + ihdr + chunk("ID@T", pngIDAT) + iend),
            ("signature only", pngSignature),
        ]
        for (name, bytes) in cases {
            #expect(throws: ImageProblem.malformed, "\(name)") { try ImageInspector.inspect(bytes) }
        }
    }

    // MARK: HEIC

    @Test("HEIC: Exif and XMP item data is zeroed in place; size and all other bytes stay the same")
    func heicZeroes() throws {
        let fixture = makeHEIC()
        let input = fixture.bytes
        #expect(contains(input, exifCanary) && contains(input, xmpCanary))
        let result = try ImageInspector.inspect(input)
        #expect(result.format == .heic)
        #expect(result.removedMetadata)
        #expect(result.bytes.count == input.count)
        #expect(!contains(result.bytes, exifCanary))
        #expect(!contains(result.bytes, xmpCanary))
        #expect(Array(result.bytes[fixture.hvc]) == hvcPayload)
        // Only the Exif item (4-byte header + payload) and the XMP item changed, and only to zeros.
        let changed = input.indices.filter { input[$0] != result.bytes[$0] }
        #expect(changed.allSatisfy { result.bytes[$0] == 0 })
        let exifRange = try #require(range(of: be32(0) + exifPayload, in: input))
        let xmpRange = try #require(range(of: xmpPayload, in: input))
        #expect(changed.allSatisfy { exifRange.contains($0) || xmpRange.contains($0) })
        #expect(result.bytes[exifRange].allSatisfy { $0 == 0 })
        #expect(result.bytes[xmpRange].allSatisfy { $0 == 0 })
        #expect(Array(result.bytes[..<fixture.hvc.upperBound]) == Array(input[..<fixture.hvc.upperBound]))
    }

    @Test("HEIC: each iloc/infe/iinf version, base offsets, 64-bit offsets and box sizes are read", arguments: [
        HEICOptions(ilocVersion: 0),
        HEICOptions(ilocVersion: 1),
        HEICOptions(ilocVersion: 2),
        HEICOptions(infeVersion: 3),
        HEICOptions(ilocVersion: 2, infeVersion: 3, iinfVersion: 1),
        HEICOptions(baseOffsetSize: 4),
        HEICOptions(ilocVersion: 2, baseOffsetSize: 8, offsetSize: 8),
        HEICOptions(offsetSize: 8),
        HEICOptions(mdatSize: .large),
        HEICOptions(mdatSize: .toEnd),
        HEICOptions(major: "mif1", compatible: ["mif1", "heic", "miaf"]),
    ])
    fileprivate func heicVariants(_ options: HEICOptions) throws {
        let fixture = makeHEIC(options)
        let result = try ImageInspector.inspect(fixture.bytes)
        #expect(result.format == .heic)
        #expect(result.removedMetadata)
        #expect(result.bytes.count == fixture.bytes.count)
        #expect(!contains(result.bytes, exifCanary))
        #expect(!contains(result.bytes, xmpCanary))
        #expect(Array(result.bytes[fixture.hvc]) == hvcPayload)
    }

    @Test("HEIC: an Exif item stored in idat is zeroed inside idat")
    func heicIdat() throws {
        let fixture = makeHEIC(.init(exif: .idat))
        let input = fixture.bytes
        let exifRange = try #require(range(of: be32(0) + exifPayload, in: input))
        #expect(exifRange.upperBound < fixture.hvc.lowerBound)  // inside meta, not mdat
        let result = try ImageInspector.inspect(input)
        #expect(result.removedMetadata)
        #expect(result.bytes.count == input.count)
        #expect(!contains(result.bytes, exifCanary))
        #expect(!contains(result.bytes, xmpCanary))
        #expect(result.bytes[exifRange].allSatisfy { $0 == 0 })
        #expect(Array(result.bytes[..<exifRange.lowerBound]) == Array(input[..<exifRange.lowerBound]))
        #expect(Array(result.bytes[fixture.hvc]) == hvcPayload)
    }

    @Test("HEIC: an XMP-only file has just its XMP zeroed")
    func heicXMPOnly() throws {
        let fixture = makeHEIC(.init(exif: .none, xmp: true))
        let result = try ImageInspector.inspect(fixture.bytes)
        #expect(result.removedMetadata)
        #expect(!contains(result.bytes, xmpCanary))
        #expect(result.bytes.count == fixture.bytes.count)
    }

    @Test("HEIC without metadata items comes back unchanged")
    func heicClean() throws {
        for size in [MdatSize.normal, .large, .toEnd] {
            let input = makeHEIC(.init(exif: .none, xmp: false, mdatSize: size)).bytes
            let result = try ImageInspector.inspect(input)
            #expect(!result.removedMetadata)
            #expect(result.bytes == input)
        }
        // No meta box at all: nothing to remove.
        let bare = box("ftyp", ascii("heic") + be32(0) + ascii("mif1")) + box("mdat", hvcPayload)
        let result = try ImageInspector.inspect(bare)
        #expect(result.format == .heic && !result.removedMetadata && result.bytes == bare)
    }

    @Test("HEIC: Exif that cannot be located for certain is refused, not passed through", arguments: [
        ExifPlacement.viaReference, .outOfBounds, .externalFile, .overMeta,
    ])
    fileprivate func heicUnlocatable(_ placement: ExifPlacement) {
        let input = makeHEIC(.init(exif: placement)).bytes
        #expect(throws: ImageProblem.malformed) { try ImageInspector.inspect(input) }
    }

    @Test("HEIC whose boxes cannot be walked is malformed")
    func heicMalformed() {
        func metaWithEntry(version: Int, _ payload: [UInt8]) -> [UInt8] {
            fullBox("meta", version: 0, fullBox("iinf", version: 0, be16(1) + fullBox("infe", version: version, payload)))
        }
        let ftyp = box("ftyp", ascii("heic") + be32(0) + ascii("mif1"))
        let good = makeHEIC().bytes
        var lyingMdat = good
        // Make the last box claim more bytes than there are.
        let mdatAt = range(of: ascii("mdat"), in: good)!.lowerBound - 4
        lyingMdat.replaceSubrange(mdatAt..<(mdatAt + 4), with: be32(good.count))
        let cases: [(String, [UInt8])] = [
            ("ftyp claims past the end", be32(400) + ascii("ftyp") + ascii("heic") + be32(0)),
            ("box smaller than its header", ftyp + be32(4) + ascii("free")),
            ("trailing partial header", ftyp + [0x00, 0x00, 0x01]),
            ("64-bit size past the end", ftyp + be32(1) + ascii("mdat") + be64(1 << 40)),
            ("64-bit size below the header", ftyp + be32(1) + ascii("mdat") + be64(8)),
            ("last box runs past the end", lyingMdat),
            ("two top-level meta boxes", ftyp + fullBox("meta", version: 0, []) + fullBox("meta", version: 0, [])),
            ("Exif item with no iloc", ftyp + metaWithEntry(version: 2, be16(2) + be16(0) + ascii("Exif") + [0])),
            ("unknown infe version", ftyp + metaWithEntry(version: 9, be16(2) + be16(0) + ascii("Exif") + [0])),
            ("mime item without a content type", ftyp + metaWithEntry(version: 2, be16(3) + be16(0) + ascii("mime") + ascii("name"))),
        ]
        for (name, bytes) in cases {
            #expect(ImageInspector.detect(bytes) == .heic, "\(name)")
            #expect(throws: ImageProblem.malformed, "\(name)") { try ImageInspector.inspect(bytes) }
        }
    }

    @Test("HEIC: an unsupported iloc version with an Exif item is malformed")
    func heicBadIloc() {
        var options = HEICOptions()
        options.ilocVersion = 1
        var bytes = makeHEIC(options).bytes
        let at = range(of: ascii("iloc"), in: bytes)!.upperBound
        bytes[at] = 3
        #expect(throws: ImageProblem.malformed) { try ImageInspector.inspect(bytes) }
    }

    // MARK: Idempotence

    @Test("Inspecting a cleaned file again removes nothing more")
    func idempotent() throws {
        for input in [makeJPEG(.init(exif: true, xmp: true, iptc: true, comment: true, fillBytes: true, standalone: true)),
                      makePNG(text: true, exif: true, time: true, itxt: true), makeHEIC().bytes, makeHEIC(.init(exif: .idat)).bytes] {
            let once = try ImageInspector.inspect(input)
            let twice = try ImageInspector.inspect(once.bytes)
            #expect(twice.bytes == once.bytes)
            // HEIC items are still listed after zeroing, so only JPEG and PNG report nothing left.
            if once.format != .heic { #expect(!twice.removedMetadata) }
        }
    }

    // MARK: Hostile input

    private var fixtures: [(String, [UInt8])] {
        [
            ("jpeg", makeJPEG(.init(exif: true, xmp: true, iptc: true, comment: true, fillBytes: true, standalone: true))),
            ("png", makePNG(text: true, exif: true, time: true, itxt: true, trailing: [1, 2, 3])),
            ("heic", makeHEIC().bytes),
            ("heic idat", makeHEIC(.init(exif: .idat)).bytes),
            ("heic v2/v3 large", makeHEIC(.init(ilocVersion: 2, infeVersion: 3, iinfVersion: 1, baseOffsetSize: 8, offsetSize: 8, mdatSize: .large)).bytes),
        ]
    }

    @Test("Every truncation of every fixture ends in a result or a listed error")
    func truncations() {
        for (name, bytes) in fixtures {
            for length in 0...bytes.count {
                checkSurvives(Array(bytes.prefix(length)), "\(name) cut to \(length)")
            }
        }
    }

    @Test("Truncated fixtures never leak their canaries")
    func truncationsDoNotLeak() {
        for (name, bytes) in fixtures {
            for length in 0...bytes.count {
                guard let result = try? ImageInspector.inspect(Array(bytes.prefix(length))) else { continue }
                #expect(!contains(result.bytes, exifCanary), "\(name) cut to \(length)")
                #expect(!contains(result.bytes, xmpCanary), "\(name) cut to \(length)")
            }
        }
    }

    @Test("2,000 random byte arrays, many behind a real magic number, never crash")
    func randomBytes() {
        var rng = SplitMix64(state: 0xC0FFEE)
        let prefixes: [[UInt8]] = [[], [0xFF, 0xD8, 0xFF], pngSignature, pngSignature + be32(13) + ascii("IHDR"),
                                   box("ftyp", ascii("heic") + be32(0) + ascii("mif1")),
                                   box("ftyp", ascii("heic") + be32(0)) + be32(0) + ascii("meta") + [0, 0, 0, 0]]
        for round in 0..<2_000 {
            let length = Int.random(in: 0...600, using: &rng)
            let noise = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let bytes = prefixes[round % prefixes.count] + noise
            checkSurvives(bytes, "random round \(round)")
        }
    }

    @Test("2,000 mutated fixtures (random bytes overwritten) never crash or loop")
    func mutations() {
        var rng = SplitMix64(state: 0x5EED)
        let sources = fixtures.map(\.1)
        for round in 0..<2_000 {
            var bytes = sources[round % sources.count]
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                // Favour values that make lengths and counts extreme.
                bytes[at] = [0x00, 0x01, 0xFF, 0x7F, 0x80, UInt8.random(in: 0...255, using: &rng)].randomElement(using: &rng)!
            }
            checkSurvives(bytes, "mutation round \(round)")
        }
    }

    @Test("Huge counts and zero-width extents finish quickly")
    func hostileCounts() throws {
        let ftyp = box("ftyp", ascii("heic") + be32(0) + ascii("mif1"))
        let iinf = fullBox("iinf", version: 0, be16(1) + fullBox("infe", version: 2, be16(2) + be16(0) + ascii("Exif") + [0]))
        // iloc v2 with zero-width extents: 2,000 items each claiming 65,535 extents that read no bytes.
        var entries: [UInt8] = []
        for id in 0..<2_000 { entries += be32(id) + be16(0) + be16(0) + be16(0xFFFF) }
        let iloc = fullBox("iloc", version: 2, [0x00, 0x00] + be32(2_000) + entries)
        let bytes = ftyp + fullBox("meta", version: 0, iinf + iloc) + box("mdat", ascii(exifCanary))
        // Item 2's extent is offset 0, length 0: "the whole file", which would wipe ftyp and meta.
        // Looping over every claimed extent would take 131 million steps; it must take next to none.
        let elapsed = ContinuousClock().measure {
            #expect(throws: ImageProblem.malformed) { try ImageInspector.inspect(bytes) }
        }
        #expect(elapsed < .seconds(3))
        // A count of 2^32-1 items stops where the box ends.
        let hugeCount = fullBox("iloc", version: 2, [0x00, 0x00] + be32(0xFFFF_FFFF) + entries)
        #expect(throws: ImageProblem.malformed) {
            try ImageInspector.inspect(ftyp + fullBox("meta", version: 0, iinf + hugeCount) + box("mdat", ascii(exifCanary)))
        }

        // 20,000 extents over the same Exif bytes, each "to the end of the file", are merged before zeroing.
        let mdatData = ascii(exifCanary) + [UInt8](repeating: 7, count: 5_000)
        let extentCount = 20_000
        func build(offset: Int) -> [UInt8] {
            var e: [UInt8] = []
            for _ in 0..<extentCount { e += be32(offset) + be32(0) }
            let iloc = fullBox("iloc", version: 1, [0x44, 0x00] + be16(1) + be16(2) + be16(0) + be16(0) + be16(extentCount) + e)
            return ftyp + fullBox("meta", version: 0, iinf + iloc) + box("mdat", mdatData)
        }
        let dry = build(offset: 0)
        let dataStart = dry.count - mdatData.count
        let many = build(offset: dataStart)
        var inspected: InspectedImage?
        let mergeTime = try ContinuousClock().measure { inspected = try ImageInspector.inspect(many) }
        #expect(mergeTime < .seconds(3))
        let result = try #require(inspected)
        #expect(result.removedMetadata)
        #expect(!contains(result.bytes, exifCanary))
        #expect(result.bytes.count == many.count)
        #expect(result.bytes[dataStart...].allSatisfy { $0 == 0 })
    }
}

// MARK: - Trailers and movie metadata

@Suite("Image cleaning: what follows the image, and movie metadata")
struct ImageTrailerTests {
    static let motionCanary = "motion-photo GPS 48.8566,2.3522"

    @Test("Bytes after EOI (a second image of a Multi-Picture file, a motion photo's video) are dropped, with the MPF index")
    func afterEndOfImage() throws {
        var first = makeJPEG(.init(exif: false))
        // An MPF index in the header, as cameras write it, pointing at the trailing image.
        let sosAt = try #require(range(of: [0xFF, 0xDA], in: first)).lowerBound
        let mpf = segment(0xE2, ascii("MPF") + [0x00] + ascii("MM") + [0, 0x2A, 0, 0, 0, 8])
        first.insert(contentsOf: mpf, at: sosAt)
        let second = makeJPEG(.init(exif: true))
        let video = ascii("\0\0\0\u{18}ftypmp42") + ascii(Self.motionCanary)
        for trailer in [second, video, second + video] {
            let result = try ImageInspector.inspect(first + trailer)
            #expect(result.removedMetadata)
            #expect(!contains(result.bytes, exifCanary))
            #expect(!contains(result.bytes, Self.motionCanary))
            #expect(!contains(result.bytes, "MPF"))
            #expect(Array(result.bytes.suffix(2)) == [0xFF, 0xD9])
            // The image itself is untouched: the cleaned file is the first image without its MPF segment.
            #expect(result.bytes.count == first.count - mpf.count)
        }
    }

    @Test("Metadata segments between the scans of a progressive JPEG are dropped; both scans are kept")
    func betweenScans() throws {
        var b = makeJPEG(.init(exif: false))
        b.removeLast(2) // EOI
        b += segment(0xE1, ascii("Exif") + [0, 0] + exifPayload)
        b += segment(0xFE, ascii("taken at home"))
        b += segment(0xC4, [0x10] + [UInt8](repeating: 0, count: 15) + [0x01] + [0x00])
        b += segment(0xDA, [0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]) + [0x11, 0x22, 0xFF, 0x00, 0x33, 0xFF, 0xD9]
        let result = try ImageInspector.inspect(b)
        #expect(result.removedMetadata)
        #expect(!contains(result.bytes, exifCanary))
        #expect(!contains(result.bytes, "taken at home"))
        #expect(range(of: [0x11, 0x22, 0xFF, 0x00, 0x33, 0xFF, 0xD9], in: result.bytes) != nil)
        #expect(result.bytes.filter { $0 == 0xDA }.count >= 2)
    }

    @Test("A JPEG with no metadata and nothing after EOI comes back byte-identical")
    func untouched() throws {
        let clean = makeJPEG(.init(exif: false))
        let result = try ImageInspector.inspect(clean)
        #expect(result.bytes == clean)
        #expect(!result.removedMetadata)
    }

    @Test("HEIC movie metadata (moov and track udta and meta) becomes zeroed free boxes of the same size")
    func movieMetadata() throws {
        let still = makeHEIC(.init(exif: .none, xmp: false)).bytes
        let locationBox = box("\u{A9}xyz", ascii("+48.8566+002.3522/"))
        let moov = box("moov", box("mvhd", [UInt8](repeating: 0, count: 20)) + box("udta", locationBox)
                       + box("trak", box("tkhd", [UInt8](repeating: 0, count: 12)) + box("meta", ascii("GPS 48.8566 in track meta"))))
        let file = still + moov
        let result = try ImageInspector.inspect(file)
        #expect(result.removedMetadata)
        #expect(result.bytes.count == file.count)
        #expect(!contains(result.bytes, "48.8566"))
        #expect(!contains(result.bytes, "udta"))
        #expect(contains(result.bytes, "mvhd") && contains(result.bytes, "tkhd"))
        #expect(Array(result.bytes[..<still.count]) == still)
    }
}

@Suite("Image cleaning: an allow-list of JPEG segments")
struct JPEGAllowListTests {
    @Test("Only JFIF, ICC profiles and Adobe's segment are kept; GoPro GPS tracks (APP6), APP3 maker data and any other APPn go")
    func allowList() throws {
        var b = makeJPEG(.init(exif: false))
        let sosAt = try #require(range(of: [0xFF, 0xDA], in: b)).lowerBound
        let extra = segment(0xE6, ascii("GoPro") + [0] + ascii("GPS5 48.8566 2.3522")) + segment(0xE3, ascii("META") + [0] + ascii("GPS 48.8566"))
            + segment(0xEE, ascii("Adobe") + [0, 100, 0, 0, 0, 0, 1]) + segment(0xE2, ascii("Other") + [0] + ascii("48.8566"))
        b.insert(contentsOf: extra, at: sosAt)
        let result = try ImageInspector.inspect(b)
        #expect(result.removedMetadata)
        #expect(!contains(result.bytes, "48.8566"))
        #expect(contains(result.bytes, "JFIF") && contains(result.bytes, "ICC_PROFILE") && contains(result.bytes, "Adobe"))
    }
}
