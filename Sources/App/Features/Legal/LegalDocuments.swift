import Foundation
import Vapor
import Plot
import Fluent
import Domain

/// The terms of use and the privacy notice, shipped in `Resources/Legal` as Markdown with a `version:` and a
/// `title:` line, read and rendered once when the app is configured. The version a person accepts is stored with
/// each consent, so a later change of the text never rewrites what someone agreed to.
struct LegalDocument: Sendable {
    enum Kind: String, Sendable, CaseIterable { case terms, privacy }

    let kind: Kind
    let version: String
    let title: String
    let html: TrustedHTML

    struct Problem: Error, CustomStringConvertible { let description: String }

    static func parse(_ kind: Kind, text: String) throws -> LegalDocument {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count > 3, lines[0].hasPrefix("version: "), lines[1].hasPrefix("title: ") else {
            throw Problem(description: "Resources/Legal/\(kind.rawValue).md must start with 'version:' and 'title:' lines")
        }
        let version = String(lines[0].dropFirst("version: ".count)).trimmingCharacters(in: .whitespaces)
        let title = String(lines[1].dropFirst("title: ".count)).trimmingCharacters(in: .whitespaces)
        guard ISODate.parse(version) != nil, !title.isEmpty else {
            throw Problem(description: "Resources/Legal/\(kind.rawValue).md needs a version date (YYYY-MM-DD) and a title")
        }
        let body = lines.dropFirst(2).joined(separator: "\n")
        return LegalDocument(kind: kind, version: version, title: title, html: HTMLSanitizer.render(markdown: body))
    }
}

/// Both documents.
struct LegalDocuments: Sendable {
    let terms: LegalDocument
    let privacy: LegalDocument

    static func load() throws -> LegalDocuments {
        func read(_ kind: LegalDocument.Kind) throws -> LegalDocument {
            guard let url = Bundle.module.url(forResource: kind.rawValue, withExtension: "md", subdirectory: "Resources/Legal") else {
                throw LegalDocument.Problem(description: "Resources/Legal/\(kind.rawValue).md is missing")
            }
            return try LegalDocument.parse(kind, text: String(contentsOf: url, encoding: .utf8))
        }
        return LegalDocuments(terms: try read(.terms), privacy: try read(.privacy))
    }

    /// Records that `userID` accepted both documents (with a consultation request, or at sign-up), each by version.
    func recordAcceptance(userID: Int, caseID: Int?, now: Date, on tx: any Database) async throws {
        for doc in [terms, privacy] {
            let consent = Consent()
            consent.$user.id = userID
            consent.$consultation.id = caseID
            consent.kind = doc.kind == .terms ? "terms-of-use" : "privacy-notice"
            consent.version = doc.version
            consent.text = doc.title
            consent.givenAt = now
            try await consent.create(on: tx)
        }
    }
}

extension Application {
    private struct LegalKey: StorageKey { typealias Value = LegalDocuments }

    var legal: LegalDocuments {
        get { guard let v = storage[LegalKey.self] else { fatalError("configure has not loaded the legal documents") }; return v }
        set { storage[LegalKey.self] = newValue }
    }
}

/// `/terms` and `/privacy`.
enum LegalController {
    @Sendable static func terms(req: Request) async throws -> Response { page(req.application.legal.terms, req) }
    @Sendable static func privacy(req: Request) async throws -> Response { page(req.application.legal.privacy, req) }

    static func page(_ doc: LegalDocument, _ req: Request) -> Response {
        let ctx = req.pageContext
        let t = ctx.t
        let url: SiteURL = doc.kind == .terms ? .terms : .privacy
        let page = Page(title: doc.title, description: t("legal.\(doc.kind.rawValue).description"), canonical: url,
                        breadcrumbs: [(t("nav.home"), .home), (doc.title, nil)],
                        body: .article(.class("wrap narrow prose legal"),
                            .h1(.plain(doc.title)),
                            .p(.class("meta"), .plain(t("legal.version", ["version": ctx.t.date(ISODate.parse(doc.version) ?? Date())]))),
                            .trusted(doc.html)))
        return .html(page.render(ctx))
    }
}

extension Fields {
    /// The terms box, with links to both documents (opening in a new tab, so the form keeps what was typed).
    static func termsCheckbox(label: String, state: FormState, _ t: Localizer) -> Node<HTML.BodyContext> {
        .group(
            checkbox("terms", label: label, state: state, t),
            .p(.class("hint legal-links"),
               .a(.to(SiteURL.terms.path), .attr("target", "_blank"), .attr("rel", "noopener"), .plain(t("legal.read.terms"))),
               .plain(" · "),
               .a(.to(SiteURL.privacy.path), .attr("target", "_blank"), .attr("rel", "noopener"), .plain(t("legal.read.privacy")))))
    }
}
