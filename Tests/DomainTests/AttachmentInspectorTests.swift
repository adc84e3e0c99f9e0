import Testing
@testable import Domain

@Suite("Message attachments")
struct AttachmentInspectorTests {
    static let pdf = Array("%PDF-1.7\n1 0 obj << /Type /Catalog /Metadata (JSON) /JSONData 3 >> endobj\n%%EOF\n".utf8)

    @Test("A PDF is recognised by its header and end marker, whatever its name")
    func pdf() throws {
        let a = try AttachmentInspector.inspect(Self.pdf, name: "blood test.png")
        #expect(a.kind == .pdf)
        #expect(a.name == "blood test.pdf")
        #expect(a.bytes == Self.pdf)
    }

    @Test("Active PDF content is refused; names that only start like one are not")
    func active() {
        for name in ["JavaScript", "JS", "Launch", "EmbeddedFile", "RichMedia", "XFA", "SubmitForm"] {
            let bytes = Array("%PDF-1.4\n<< /\(name) (x) >>\n%%EOF".utf8)
            #expect(throws: AttachmentProblem.activeContent, "\(name)") { try AttachmentInspector.inspect(bytes, name: "a.pdf") }
            let atEnd = Array("%PDF-1.4\n<< /\(name)".utf8) + Array("/x >>\n%%EOF".utf8)
            #expect(throws: AttachmentProblem.activeContent, "\(name) before a slash") { try AttachmentInspector.inspect(atEnd, name: "a.pdf") }
        }
        #expect(AttachmentInspector.namesActiveContent(Self.pdf) == false)
    }

    @Test("Not a PDF, a truncated PDF, empty or too large")
    func refused() {
        #expect(throws: AttachmentProblem.notAllowed) { try AttachmentInspector.inspect(Array("%PDF-x.7 hello %%EOF".utf8), name: "a.pdf") }
        #expect(throws: AttachmentProblem.notAllowed) { try AttachmentInspector.inspect(Array("GIF89a....".utf8), name: "a.gif") }
        #expect(throws: AttachmentProblem.malformed) { try AttachmentInspector.inspect(Array(Self.pdf.dropLast(7)), name: "a.pdf") }
        #expect(throws: AttachmentProblem.empty) { try AttachmentInspector.inspect([], name: "a.pdf") }
        #expect(throws: AttachmentProblem.tooLarge(limit: 10)) { try AttachmentInspector.inspect(Self.pdf, name: "a.pdf", limit: 10) }
    }

    @Test("Display names lose folders, control and direction characters, combining marks and the uploader's extension")
    func names() {
        #expect(AttachmentInspector.displayName("C:\\Users\\me\\scan.PDF", kind: .pdf) == "scan.pdf")
        #expect(AttachmentInspector.displayName("../../x\u{202E}fdp.exe", kind: .pdf) == "xfdp.pdf")
        #expect(AttachmentInspector.displayName("a\u{0}b\u{7}c.jpg", kind: .jpeg) == "abc.jpg")
        #expect(AttachmentInspector.displayName("", kind: .png) == "attachment.png")
        #expect(AttachmentInspector.displayName("...", kind: .png) == "attachment.png")
        #expect(AttachmentInspector.displayName("e" + String(repeating: "\u{301}", count: 10_000) + ".pdf", kind: .pdf) == "e.pdf")
        let long = AttachmentInspector.displayName(String(repeating: "x", count: 500) + ".pdf", kind: .pdf)
        #expect(long.count <= AttachmentInspector.maxNameCharacters)
    }

    @Test("Escaped names are read as the reader reads them: /J#61vaScript is /JavaScript")
    func escapedNames() {
        #expect(AttachmentInspector.namesActiveContent(Array("<< /J#61vaScript (x) >>".utf8)))
        #expect(AttachmentInspector.namesActiveContent(Array("<< /#4A#53 (x) >>".utf8)))
        #expect(!AttachmentInspector.namesActiveContent(Array("<< /J#61vaScriptX (x) /Type#20 >>".utf8)))
    }

    @Test("A display name is at most 200 bytes, and stacking or invisible characters are dropped")
    func nameBytes() {
        let family = String(repeating: "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}", count: 200)
        let name = AttachmentInspector.displayName(family + ".pdf", kind: .pdf)
        #expect(name.utf8.count <= AttachmentInspector.maxNameBytes + 4)
        #expect(!name.unicodeScalars.contains("\u{200D}"))
        #expect(AttachmentInspector.displayName("scan" + String(repeating: "\u{20DD}", count: 5_000) + ".png", kind: .png) == "scan.png")
    }
}
