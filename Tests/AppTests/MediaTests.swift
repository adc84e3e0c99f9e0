import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
import CImaging
@testable import App
import Domain

/// Real, decodable JPEGs for the media library's tests.
enum TestPhotos {
    /// A `width`×`height` gradient JPEG; with `exif` an APP1 block carrying a location canary after the SOI.
    static func jpeg(width: Int, height: Int, exif: Bool = false) -> [UInt8] {
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height { for x in 0..<width {
            let i = (y * width + x) * 3
            rgb[i] = UInt8(x * 255 / max(width - 1, 1)); rgb[i + 1] = UInt8(y * 255 / max(height - 1, 1)); rgb[i + 2] = 128
        } }
        var pointer: UnsafeMutablePointer<UInt8>?
        var length = 0
        _ = rgb.withUnsafeBufferPointer { ca_encode_rgb_jpeg($0.baseAddress, Int32(width), Int32(height), 90, &pointer, &length) }
        var bytes = Array(UnsafeBufferPointer(start: pointer!, count: length))
        ca_free(pointer)
        if exif {
            let payload = Array("Exif".utf8) + [0, 0] + Array(TestImages.canary.utf8)
            let segment: [UInt8] = [0xFF, 0xE1, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
            bytes.insert(contentsOf: segment, at: 2)
        }
        return bytes
    }
}

@Suite("Media library")
struct MediaTests {
    static func upload(_ editor: Browser, _ bytes: [UInt8], alt: String, name: String = "photo.jpg") async throws -> TestingHTTPResponse {
        let token = try #require(Browser.csrf(in: try await editor.get("/studio/media").text))
        return try await editor.postMultipart("/studio/media", [("csrf", token), ("alt", alt), ("caption", "Sample image"), ("credit", "CareAbroad (sample)")],
                                              files: [.init(field: "image", filename: name, contentType: "image/jpeg", bytes: bytes)])
    }

    @Test("An editor uploads an image with alt text: metadata removed, scaled to the library's widths, served by width with a year-long cache; an article shows it as a responsive image")
    func uploadAndServe() async throws {
        try await withTestApp { app in
            let editor = try await staffBrowser(app, StudioTests.editor.email, StudioTests.editor.password)
            let noAlt = try await Self.upload(editor, TestPhotos.jpeg(width: 1200, height: 800), alt: "")
            #expect(noAlt.status == .unprocessableEntity)
            #expect(noAlt.text.contains("href=\"#alt\""))
            let sent = try await Self.upload(editor, TestPhotos.jpeg(width: 1200, height: 800, exif: true), alt: "Lips before treatment, front view")
            #expect(sent.status == .seeOther)
            let id = try #require(sent.headers.first(name: .location)?.split(separator: "=").last.map(String.init))
            let widths = try await (app.db as! any SQLDatabase).select().column("width").from("media_variants").where("asset_id", .equal, SQLBind(id))
                .orderBy("width").all().map { try $0.decode(column: "width", as: Int.self) }
            #expect(widths == [320, 640, 1024])
            let served = try await Browser(app).get("/media/\(id)/640")
            #expect(served.status == .ok)
            #expect(served.headers.first(name: .contentType) == "image/jpeg")
            #expect(served.headers.first(name: .cacheControl) == "public, max-age=31536000, immutable")
            #expect(!served.body.string.contains(TestImages.canary))
            // Wider than the original: the widest variant there is.
            let etag = try #require(try await Browser(app).get("/media/\(id)/1600").headers.first(name: .eTag))
            #expect(etag.contains("/1024.jpg"))
            #expect(try await app.testing().sendRequest(.GET, "/media/\(id)/1600", headers: ["If-None-Match": etag]).status == .notModified)
            #expect(try await Browser(app).get("/media/\(UUID().uuidString.lowercased())/640").status == .notFound)

            // In an article: a responsive image with its alt text; an image from elsewhere is refused at the field.
            let category = try #require(try await Category.query(on: app.db).first()?.slug)
            let foreign = try await editor.submit("/studio/articles/new", StudioTests.form(category, body: "Text\n\n![x](/media/\(UUID().uuidString.lowercased())/1024)"))
            #expect(foreign.status == .unprocessableEntity)
            #expect(foreign.text.contains("href=\"#body\""))
            let preview = try await editor.submit("/studio/articles/new", StudioTests.form(category, body: "Text\n\n![Lips before treatment](/media/\(id)/1024)\n\n![evil](https://evil.example/x.png)")
                .map { $0.0 == "intent" ? ("intent", "preview") : $0 })
            #expect(preview.text.contains("srcset=\"/media/\(id)/320 320w"))
            #expect(preview.text.contains("alt=\"Lips before treatment\""))
            #expect(!preview.text.contains("src=\"https://evil.example"))
        }
    }

    @Test("Files that are not JPEG or PNG images are refused by their bytes, large ones before they are decoded; nothing is stored")
    func refusals() async throws {
        try await withTestApp { app in
            let editor = try await staffBrowser(app, StudioTests.editor.email, StudioTests.editor.password)
            #expect(try await Self.upload(editor, Array("<svg onload=alert(1)>".utf8), alt: "x", name: "x.jpg").status == .unsupportedMediaType)
            #expect(try await Self.upload(editor, TestPDFs.plain(), alt: "x").status == .unsupportedMediaType)
            // A JPEG header claiming 60,000 × 60,000 pixels: refused without decoding it.
            var bomb = TestPhotos.jpeg(width: 16, height: 16)
            if let sof = (0..<(bomb.count - 9)).first(where: { bomb[$0] == 0xFF && bomb[$0 + 1] == 0xC0 }) {
                bomb[sof + 5] = 0xEA; bomb[sof + 6] = 0x60; bomb[sof + 7] = 0xEA; bomb[sof + 8] = 0x60
            }
            #expect(try await Self.upload(editor, bomb, alt: "x").status == .unprocessableEntity)
            #expect(try await (app.db as! any SQLDatabase).select().column("id").from("media_assets").all().isEmpty)
            // Only editors use the library.
            let staff = try await staffBrowser(app)
            #expect(try await staff.get("/studio/media").status == .forbidden)
        }
    }
}

@Suite("Practice photos")
struct PracticePhotoTests {
    @Test("A practice adds a photo with alt text; it shows on its public page in responsive sizes; another practice cannot remove it")
    func photos() async throws {
        try await withTestApp { app in
            let staff = try await staffBrowser(app)
            let token = try #require(Browser.csrf(in: try await staff.get("/practice/photos").text))
            let added = try await staff.postMultipart("/practice/photos", [("csrf", token), ("action", "add"), ("alt", "The consulting room in Ghent")],
                                                      files: [.init(field: "image", filename: "room.jpg", contentType: "image/jpeg", bytes: TestPhotos.jpeg(width: 800, height: 600))])
            #expect(added.status == .seeOther)
            let page = try await Browser(app).get("/providers/\(DemoAccounts.featuredSurgeonSlug)").text
            #expect(page.contains("alt=\"The consulting room in Ghent\"") && page.contains(" 320w, "))
            let id = try #require(try await (app.db as! any SQLDatabase).select().column("id").from("media_assets").first()?.decode(column: "id", as: String.self))
            let other = try await staffBrowser(app, Demo.lale.email, Demo.lale.password)
            let otherToken = try #require(Browser.csrf(in: try await other.get("/practice/photos").text))
            #expect(try await other.post("/practice/photos", [("csrf", otherToken), ("action", "remove"), ("photo", id)]).status == .notFound)
            #expect(try await staff.submit("/practice/photos", [("action", "remove"), ("photo", id)]).status == .seeOther)
            #expect(!(try await Browser(app).get("/providers/\(DemoAccounts.featuredSurgeonSlug)").text.contains("The consulting room in Ghent")))
            #expect(try await (app.db as! any SQLDatabase).select().column("key").from("blobs").all().isEmpty)
        }
    }

    /// Alt text is data typed by a practice: it stays inside its attribute on the public profile and in the workspace.
    @Test func altTextCannotLeaveItsAttribute() async throws {
        try await withTestApp { app in
            let staff = try await staffBrowser(app)
            let token = try #require(Browser.csrf(in: try await staff.get("/practice/photos").text))
            let alt = "Room \" onerror=\"alert(1)\" data-x=\"<b>"
            let added = try await staff.postMultipart("/practice/photos", [("csrf", token), ("action", "add"), ("alt", alt)],
                                                      files: [.init(field: "image", filename: "room.jpg", contentType: "image/jpeg", bytes: TestPhotos.jpeg(width: 400, height: 300))])
            #expect(added.status == .seeOther)
            for page in [try await Browser(app).get("/providers/\(DemoAccounts.featuredSurgeonSlug)").text, try await staff.get("/practice/photos").text] {
                // No tag gains an attribute: every `<img …>` has its alt escaped (the text may show it, escaped as text).
                let images = page.components(separatedBy: "<img ").dropFirst().map { $0.prefix { $0 != ">" } }
                #expect(!images.isEmpty)
                #expect(images.allSatisfy { !$0.contains("onerror=\"") && !$0.contains("data-x=\"") })
                #expect(!page.contains("data-x=\"<b>"))
                #expect(page.contains("alt=\"Room &quot; onerror=&quot;alert(1)&quot; data-x=&quot;&lt;b&gt;\""))
            }
        }
    }
}
