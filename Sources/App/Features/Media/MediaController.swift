import Foundation
import Fluent
import SQLKit
import Vapor
import Domain

/// `/media/{id}/{width}`: an image of the library at a width, cached for a year (immutable); `/studio/media`: the
/// editors' library with the upload form (alt text required).
enum MediaController {
    static let maxBody: ByteCount = "11mb"

    @Sendable static func serve(req: Request) async throws -> Response {
        let id = try req.attachmentID()
        guard let raw = req.parameters.get(SiteURL.widthKey), raw.count <= 4, let width = Int(raw), width > 0 else { throw Abort(.notFound) }
        guard let variant = try await MediaService.variant(id: id, width: width, app: req.application, on: req.db) else { throw Abort(.notFound) }
        let etag = "\"\(variant.key)\""
        if req.headers.first(name: .ifNoneMatch) == etag {
            let r = Response(status: .notModified)
            r.headers.replaceOrAdd(name: .eTag, value: etag)
            r.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=31536000, immutable")
            return r
        }
        let response = Response(status: .ok, body: .init(data: variant.data))
        response.headers.replaceOrAdd(name: .contentType, value: "image/jpeg")
        response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=31536000, immutable")
        response.headers.replaceOrAdd(name: .eTag, value: etag)
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        return response
    }

    /// Reads the upload form: one image file (`image`) and its alt text; problems at their fields, with the status
    /// the consultation photos answer (413 too large, 415 not an image, 422 otherwise).
    static func readUpload(_ form: FormBody) -> (bytes: [UInt8]?, alt: String?, caption: String?, credit: String?, problems: [FieldProblem]) {
        var r = FormReader(form.input)
        let alt = r.text("alt", max: MediaService.maxAlt, required: true)
        let caption = r.text("caption", max: 300)
        let credit = r.text("credit", max: 160)
        let file = form.files.first { $0.field == "image" && !$0.bytes.isEmpty }
        if file == nil { r.fail("image", .required) }
        return (file?.bytes, alt, caption, credit, r.problems)
    }

    static func status(for problem: MediaProblem) -> (HTTPStatus, FieldProblem) {
        switch problem {
        case .tooLarge: return (.payloadTooLarge, FieldProblem("image", .tooLong(max: ImageInspector.maxBytes / 1_048_576)))
        case .notAnImage: return (.unsupportedMediaType, FieldProblem("image", .unknownValue))
        case .tooManyPixels: return (.unprocessableEntity, FieldProblem("image", .outOfRange(min: 1, max: MediaService.maxPixels / 1_000_000)))
        }
    }

    @Sendable static func library(req: Request) async throws -> Response {
        _ = try req.requireUser(roles: [.editor])
        let uploaded = try req.queryParameters().single("uploaded")
        return .html(MediaPages.library(try await MediaService.assets(providerKey: nil, on: req.db), state: FormState(), uploaded: uploaded,
                                        csrf: req.csrfToken, req.pageContext))
    }

    @Sendable static func upload(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser(roles: [.editor])
        let read = readUpload(form)
        func refuse(_ problems: [FieldProblem], _ status: HTTPStatus) async throws -> Response {
            .html(MediaPages.library(try await MediaService.assets(providerKey: nil, on: req.db), state: FormState(form.input, problems: problems), uploaded: nil,
                                     csrf: req.csrfToken, req.pageContext), status: status)
        }
        guard read.problems.isEmpty, let bytes = read.bytes, let alt = read.alt else { return try await refuse(read.problems, .unprocessableEntity) }
        do {
            let id = try await MediaService.upload(bytes, alt: alt, caption: read.caption, credit: read.credit, providerKey: nil, user: user,
                                                   app: req.application, source: req.auditSource, on: req.db)
            return CaseController.redirect(SiteURL.studioMedia.path(query: [("uploaded", id)]))
        } catch let problem as MediaProblem {
            let (status, field) = status(for: problem)
            return try await refuse([field], status)
        }
    }
}
