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

extension Request {
    /// Reads an `application/x-www-form-urlencoded` or `multipart/form-data` body. Text that is not UTF-8 is
    /// refused with 400 naming the field. Repeated fields keep every value.
    func formBody(maxTextLength: Int = 64 * 1024) async throws -> FormBody {
        let contentType = headers.contentType
        let buffer: ByteBuffer = try await body.collect(upTo: Int.max)
        if contentType?.type == "multipart", contentType?.subType == "form-data", let boundary = contentType?.parameters["boundary"] {
            return try Self.parseMultipart(buffer, boundary: boundary, maxTextLength: maxTextLength)
        }
        let bytes = buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes) ?? []
        guard let raw = String(validating: bytes, as: UTF8.self) else { throw ParameterError("form", .notUTF8) }
        let parsed = try QueryParameters(raw: raw, maxLength: maxTextLength)
        return FormBody(input: FormInput(parsed.values), files: [])
    }

    private static func parseMultipart(_ buffer: ByteBuffer, boundary: String, maxTextLength: Int) throws -> FormBody {
        struct Part { var headers: [String: String] = [:]; var body: [UInt8] = [] }
        var parts: [Part] = []
        var current = Part()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in current.headers[name.lowercased()] = value }
        parser.onBody = { chunk in current.body.append(contentsOf: chunk.readableBytesView) }
        parser.onPartComplete = {
            parts.append(current)
            current = Part()
        }
        do { try parser.execute(buffer) } catch { throw Abort(.badRequest, reason: "The form could not be read.") }

        var values: [String: [String]] = [:]
        var files: [UploadedFile] = []
        var textBytes = 0
        for part in parts {
            guard let disposition = part.headers["content-disposition"], let name = Self.dispositionParameter("name", in: disposition) else { continue }
            if let filename = Self.dispositionParameter("filename", in: disposition) {
                if filename.isEmpty && part.body.isEmpty { continue } // an empty file input
                files.append(UploadedFile(field: name, filename: filename, bytes: part.body))
            } else {
                textBytes += part.body.count
                guard textBytes <= maxTextLength else { throw ParameterError(name, .tooLong(max: maxTextLength)) }
                guard let text = String(validating: part.body, as: UTF8.self) else { throw ParameterError(name, .notUTF8) }
                values[name, default: []].append(text)
            }
        }
        return FormBody(input: FormInput(values), files: files)
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

    /// Checks the CSRF token of a parsed form.
    func verifyCSRF(_ form: FormBody) throws {
        try application.csrf.verify(self, submitted: form.input[CSRFProtection.field])
    }
}
