import Foundation
import Vapor
import SQLKit

enum HealthController {
    /// The process is alive.
    @Sendable static func healthz(req: Request) async throws -> Response {
        let response = Response(status: .ok, body: .init(staticString: "ok\n"))
        response.headers.contentType = .plainText
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    /// The database answers.
    @Sendable static func readyz(req: Request) async throws -> Response {
        let response: Response
        do {
            _ = try await (req.db as! any SQLDatabase).raw("SELECT 1 AS one").first()
            response = Response(status: .ok, body: .init(staticString: "ready\n"))
        } catch {
            req.logger.error("readiness check failed", metadata: ["error": "\(LogSafe.describe(error))"])
            response = Response(status: .serviceUnavailable, body: .init(staticString: "database unavailable\n"))
        }
        response.headers.contentType = .plainText
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    @Sendable static func robots(req: Request) async throws -> Response {
        let body = "User-agent: *\nDisallow: /api/\nSitemap: \(req.application.config.baseURL)\(SiteURL.sitemap.path)\n"
        let response = Response(status: .ok, body: .init(string: body))
        response.headers.contentType = .plainText
        return response
    }
}

/// Serves the one stylesheet from the bundle, with a long cache lifetime and an ETag.
enum StylesheetController {
    static let css: String = {
        guard let url = Bundle.module.url(forResource: "styles", withExtension: "css", subdirectory: "Resources/Public"),
              let text = try? String(contentsOf: url, encoding: .utf8) else { return "" }
        return text
    }()
    static let etag: String = RenderCache.etag(for: ByteBuffer(string: css))

    @Sendable static func show(req: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"])
        headers.replaceOrAdd(name: .eTag, value: etag)
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
        if req.headers.first(name: .ifNoneMatch) == etag { return Response(status: .notModified, headers: headers) }
        return Response(status: .ok, headers: headers, body: .init(string: css))
    }
}
