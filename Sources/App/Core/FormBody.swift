import Foundation
import Vapor
import MultipartKit
import Domain

/// A file sent with a multipart form.
struct UploadedFile: Sendable {
    let field: String
    let filename: String
    let bytes: [UInt8]
}

/// A submitted form: its text fields and its files.
struct FormBody: Sendable {
    var input: FormInput
    var files: [UploadedFile]
}

/// Limits of every submitted form, whatever the route.
enum FormLimits {
    /// No single text field is longer than this, in UTF-8 bytes.
    static let maxFieldBytes = TextLimits.maxFieldBytes
    /// All text fields of one form together.
    static let maxTextBytes = 256 * 1024
    /// Parts of one multipart body (the longest form has fewer than a hundred fields and six photos).
    static let maxParts = 200
    /// Headers of one multipart part, in bytes.
    static let maxPartHeaderBytes = 4 * 1024
    /// RFC 2046: a boundary has 1 to 70 characters from a small set.
    static let maxBoundaryLength = 70
}

/// The route's own body limit, recorded when the route is registered (see `GuardedRoutes`).
enum RouteBodyLimit {
    static let key = "careabroad.maxBody"
}

extension Request {
    private struct FormBodyKey: StorageKey { typealias Value = FormBody }

    /// The largest body this route takes: its own limit, or the application's default.
    var bodyLimit: Int {
        (route?.userInfo[RouteBodyLimit.key] as? Int) ?? application.routes.defaultMaxBodySize.value
    }

    /// Reads an `application/x-www-form-urlencoded` or `multipart/form-data` body once (later calls get the same
    /// value). Other content types are refused with 415, bodies over the route's limit with 413 before they are
    /// read, and anything malformed (a bad boundary, truncated parts, text that is not UTF-8, a field over
    /// `FormLimits.maxFieldBytes`) with a 4xx that names the problem. Repeated fields keep every value.
    func formBody() async throws -> FormBody {
        if let cached = storage[FormBodyKey.self] { return cached }
        let kind = try checkFormHeaders()
        let limit = bodyLimit
        let buffer: ByteBuffer
        if let data = body.data {
            buffer = data
        } else {
            buffer = try await body.collect(max: limit).get() ?? ByteBuffer()
        }
        let parsed: FormBody
        switch kind {
        case .multipart(let boundary):
            parsed = try Self.parseMultipart(buffer, boundary: boundary)
        case .urlEncoded:
            parsed = try Self.parseURLEncoded(buffer)
        }
        storage[FormBodyKey.self] = parsed
        return parsed
    }

    /// What the headers alone tell about a form body: its kind (415 or 400 otherwise) and a declared size over the
    /// route's limit (413). Nothing is read.
    @discardableResult
    func checkFormHeaders() throws -> FormKind {
        let kind = try Self.formKind(headers.contentType)
        if let declared = headers.first(name: .contentLength).flatMap(Int.init), declared > bodyLimit {
            throw Abort(.payloadTooLarge)
        }
        return kind
    }

    enum FormKind: Equatable { case urlEncoded, multipart(boundary: String) }

    /// The kind of form a content type announces; 415 for anything else, 400 for a multipart body without a usable
    /// boundary (the multipart parser must never see an empty one: it stops the process).
    static func formKind(_ contentType: HTTPMediaType?) throws -> FormKind {
        guard let contentType else { throw Abort(.unsupportedMediaType) }
        switch (contentType.type.lowercased(), contentType.subType.lowercased()) {
        case ("application", "x-www-form-urlencoded"):
            return .urlEncoded
        case ("multipart", "form-data"):
            guard let boundary = contentType.parameters["boundary"], isValidBoundary(boundary) else {
                throw Abort(.badRequest, reason: "The form could not be read.")
            }
            return .multipart(boundary: boundary)
        default:
            throw Abort(.unsupportedMediaType)
        }
    }

    /// RFC 2046 §5.1.1: 1–70 characters of `bchars`, not ending in a space.
    static func isValidBoundary(_ boundary: String) -> Bool {
        let allowed = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ".utf8)
        let bytes = Array(boundary.utf8)
        return (1...FormLimits.maxBoundaryLength).contains(bytes.count) && bytes.allSatisfy(allowed.contains) && bytes.last != UInt8(ascii: " ")
    }

    private static func parseURLEncoded(_ buffer: ByteBuffer) throws -> FormBody {
        guard buffer.readableBytes <= FormLimits.maxTextBytes else { throw Abort(.payloadTooLarge) }
        let bytes = buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes) ?? []
        guard let raw = String(validating: bytes, as: UTF8.self) else { throw ParameterError("form", .notUTF8) }
        let parsed = try QueryParameters(raw: raw, maxLength: FormLimits.maxTextBytes)
        for (name, values) in parsed.values where values.contains(where: { $0.utf8.count > FormLimits.maxFieldBytes }) {
            throw ParameterError(name, .tooLong(max: FormLimits.maxFieldBytes))
        }
        return FormBody(input: FormInput(parsed.values), files: [])
    }

    private static func parseMultipart(_ buffer: ByteBuffer, boundary: String) throws -> FormBody {
        struct Part { var headers: [String: String] = [:]; var headerBytes = 0; var body: [UInt8] = [] }
        struct TooManyParts: Error {}
        struct HeadersTooLong: Error {}
        var parts: [Part] = []
        var current = Part()
        var overflow: (any Error)?
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in
            current.headerBytes += name.utf8.count + value.utf8.count
            if current.headerBytes > FormLimits.maxPartHeaderBytes { overflow = overflow ?? HeadersTooLong(); return }
            current.headers[name.lowercased()] = value
        }
        parser.onBody = { chunk in current.body.append(contentsOf: chunk.readableBytesView) }
        parser.onPartComplete = {
            if parts.count >= FormLimits.maxParts { overflow = overflow ?? TooManyParts(); return }
            parts.append(current)
            current = Part()
        }
        do { try parser.execute(buffer) } catch { throw Abort(.badRequest, reason: "The form could not be read.") }
        if overflow is TooManyParts { throw Abort(.payloadTooLarge, reason: "The form has too many parts.") }
        if overflow != nil { throw Abort(.badRequest, reason: "The form could not be read.") }
        // A body cut short ends without the closing delimiter; its last part would be lost without a word.
        guard Self.endsWithCloseDelimiter(buffer, boundary: boundary) else { throw Abort(.badRequest, reason: "The form could not be read.") }

        var values: [String: [String]] = [:]
        var files: [UploadedFile] = []
        var textBytes = 0
        for part in parts {
            guard let disposition = part.headers["content-disposition"], let name = Self.dispositionParameter("name", in: disposition) else { continue }
            if let filename = Self.dispositionParameter("filename", in: disposition) {
                if filename.isEmpty && part.body.isEmpty { continue } // an empty file input
                files.append(UploadedFile(field: name, filename: String(filename.prefix(255)), bytes: part.body))
            } else {
                guard part.body.count <= FormLimits.maxFieldBytes else { throw ParameterError(name, .tooLong(max: FormLimits.maxFieldBytes)) }
                textBytes += part.body.count
                guard textBytes <= FormLimits.maxTextBytes else { throw Abort(.payloadTooLarge) }
                guard let text = String(validating: part.body, as: UTF8.self) else { throw ParameterError(name, .notUTF8) }
                values[name, default: []].append(text)
            }
        }
        return FormBody(input: FormInput(values), files: files)
    }

    /// Whether `--boundary--` appears in the body (after which only the epilogue may follow).
    private static func endsWithCloseDelimiter(_ buffer: ByteBuffer, boundary: String) -> Bool {
        let close = Array("--\(boundary)--".utf8)
        let view = buffer.readableBytesView
        guard view.count >= close.count else { return false }
        // The epilogue is usually empty or a line break: look in the last 1 KB, then everywhere.
        let tailStart = view.index(view.endIndex, offsetBy: -min(view.count, close.count + 1024))
        return view[tailStart...].firstRange(of: close) != nil || view.firstRange(of: close) != nil
    }

    /// `name="value"` from a Content-Disposition header.
    static func dispositionParameter(_ key: String, in header: String) -> String? {
        for piece in header.split(separator: ";") {
            let trimmed = piece.trimmingCharacters(in: .whitespaces)
            guard trimmed.lowercased().hasPrefix(key + "=") else { continue }
            var value = String(trimmed.dropFirst(key.count + 1))
            if value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }
}
