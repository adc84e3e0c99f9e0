import Foundation
import Vapor
import Fluent
import Plot
import Domain

/// Answers every error: an HTML page for the site, RFC 9457 problem+json under `/api`.
/// Server errors never show internals; they are logged with the request id.
struct SiteErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch let redirect as Redirect {
            let response = Response(status: .seeOther)
            response.headers.replaceOrAdd(name: .location, value: redirect.to)
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
            return response
        } catch {
            return render(error, for: request)
        }
    }

    func render(_ error: any Error, for request: Request) -> Response {
        let t = request.application.localizer
        let status: HTTPResponseStatus
        let detail: String
        var headers = HTTPHeaders()
        switch error {
        case let error as ParameterError:
            status = .badRequest
            detail = t.message(for: error)
        case let error as any AbortError:
            status = error.status
            headers = error.headers
            detail = status.code >= 500 ? t("error.500.detail") : Self.detail(for: error, status: status, t)
        default:
            status = .internalServerError
            detail = t("error.500.detail")
        }
        if status.code >= 500 {
            request.logger.error("request failed", metadata: ["error": "\(LogSafe.describe(error))", "path": "\(request.url.path)"])
        }

        let isAPI = request.url.path.hasPrefix("/api/")
        if isAPI {
            let problem = Problem(type: "about:blank", title: status.reasonPhrase, status: Int(status.code), detail: detail, instance: request.url.path)
            let response = Response(status: status, headers: headers)
            response.headers.contentType = HTTPMediaType(type: "application", subType: "problem+json", parameters: ["charset": "utf-8"])
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            response.body = .init(data: (try? encoder.encode(problem)) ?? Data())
            return response
        }
        let response = Response(status: status, headers: headers)
        response.headers.contentType = .html
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        response.body = .init(string: ErrorPage.render(status: status, detail: detail, ctx: request.pageContext))
        return response
    }

    private static func detail(for error: any AbortError, status: HTTPResponseStatus, _ t: Localizer) -> String {
        switch status {
        case .notFound: return t("error.404.detail")
        case .methodNotAllowed: return t("error.405.detail")
        default:
            // Reasons we wrote ourselves are meant for people; the framework's default reason is the status phrase.
            return error.reason == status.reasonPhrase ? t("error.generic.detail") : error.reason
        }
    }
}

/// RFC 9457 problem details.
struct Problem: Codable, Sendable {
    var type: String
    var title: String
    var status: Int
    var detail: String
    var instance: String?
}

/// The site-styled error page.
enum ErrorPage {
    static func render(status: HTTPResponseStatus, detail: String, ctx: PageContext) -> String {
        let t = ctx.t
        let heading: String
        switch status.code {
        case 404: heading = t("error.404.title")
        case 400..<500: heading = t("error.4xx.title")
        default: heading = t("error.500.title")
        }
        return Page(title: heading, description: detail, canonical: nil, noindex: true, body: .div(.class("wrap narrow error-page"),
            .p(.class("error-code"), .plain("\(status.code)")),
            .h1(.plain(heading)),
            .p(.class("lead"), .plain(detail)),
            .ul(.class("error-links"),
                .li(.a(.to(SiteURL.home.path), .plain(t("error.links.home")))),
                .li(.a(.to(SiteURL.magazine.path), .plain(t("error.links.magazine")))),
                .li(.a(.to(SiteURL.providers.path), .plain(t("error.links.providers")))))
        )).render(ctx)
    }
}

/// Error descriptions for logs: the error's type and, for our own errors, their fixed reason; never a database
/// error's text (it can carry the values of a unique key or a query's bound values).
enum LogSafe {
    static func describe(_ error: any Error) -> String {
        switch error {
        case let abort as any AbortError where !(error is any DatabaseError): return "\(type(of: error)) \(abort.status.code)"
        case let db as any DatabaseError:
            return "\(type(of: error)) (constraint: \(db.isConstraintFailure), syntax: \(db.isSyntaxError), connection closed: \(db.isConnectionClosed))"
        default: return "\(type(of: error))"
        }
    }
}
