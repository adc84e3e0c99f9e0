import Foundation
import Vapor

/// A path parameter: `.key` when registering a route, `.value` when building a link.
public enum Parameter: Sendable, Equatable {
    case key
    case value(String)
}

/// Every address of the site. One enum registers the routes and builds the links, so no path is written twice.
public enum SiteURL: Sendable, Equatable {
    case home
    case magazine
    case article(Parameter)
    case category(Parameter)
    case procedures
    case procedure(Parameter)
    case providers
    case provider(Parameter)
    case clinic(Parameter)
    case consult(Parameter)
    case howWeRank
    case terms
    case privacy
    case feed
    case sitemap
    case robots
    case healthz
    case readyz
    case legacyProviderProfile
    case stylesheet
    case account
    case signUp
    case signIn
    case signOut
    case reset
    case verify
    case resendVerification
    case password
    case twoFactor
    case twoFactorSetup
    case apiTokens
    case cases
    case caseShow(Parameter)
    case caseReply(Parameter)
    case caseWithdraw(Parameter)
    case accountExport
    case accountDelete
    case casePhoto(case: Parameter, photo: Parameter)
    case consultReceived(Parameter)
    case inbox
    case inboxCase(Parameter)
    case inboxAction(Parameter)
    case inboxPhoto(case: Parameter, photo: Parameter)
    case devMailbox
    case caseQuotes(Parameter)
    case caseQuote(case: Parameter, quote: Parameter)
    case caseQuoteAccept(case: Parameter, quote: Parameter)
    case caseQuoteDecline(case: Parameter, quote: Parameter)
    case caseQuoteAgreement(case: Parameter, quote: Parameter)
    case inboxQuoteNew(Parameter)
    case inboxQuote(case: Parameter, quote: Parameter)
    case inboxQuoteAgreement(case: Parameter, quote: Parameter)
    case caseMessages(Parameter)
    case caseAttachment(case: Parameter, attachment: Parameter)
    case inboxMessages(Parameter)
    case inboxAttachment(case: Parameter, attachment: Parameter)
    case caseBook(Parameter)
    case appointment(Parameter)
    case appointmentCalendar(Parameter)
    case appointmentCancel(Parameter)
    case appointmentReschedule(Parameter)
    case practiceAvailability
    case practiceCalendar
    case practice
    case practiceProfile
    case practiceTeam
    case practicePhotos
    case practiceAnalytics
    case invitation
    case practiceCredentials
    case practiceCredential(Parameter)
    case practiceCredentialEvidence(credential: Parameter, attachment: Parameter)
    case admin
    case adminApplications
    case adminApplication(Parameter)
    case adminListings
    case adminUsers
    case adminUser(Parameter)
    case adminAudit
    case providerClaim(Parameter)
    case listYourPractice
    case adminCredentials
    case adminCredential(Parameter)
    case adminCredentialEvidence(credential: Parameter, attachment: Parameter)
    case studio
    case studioArticles
    case studioArticleNew
    case studioArticle(Parameter)
    case studioArticleActions(Parameter)
    case studioArticleRestore(Parameter)
    case studioReview
    case studioMedia
    case studioGuides
    case studioGuideNew
    case studioGuideImport
    case studioGuide(Parameter)
    case studioGuideActions(Parameter)
    case studioGuideRestore(Parameter)
    case media(id: Parameter, width: Parameter)
    case decide
    case decideAid(Parameter)
    case facilitators
    case facilitator(Parameter)
    case caseFacilitator(Parameter)
    case pipeline
    case pipelineCase(Parameter)
    case pipelinePhoto(case: Parameter, photo: Parameter)
    case pipelineMessages(Parameter)
    case pipelineProviders(Parameter)
    case caseProviders(Parameter)
    case caseTravel(Parameter)
    case caseTravelCalendar(Parameter)
    case pipelineTravel(Parameter)
    case pipelineTasks(Parameter)
    case pipelineStage(Parameter)
    case facilitatorProfile
    case inboxTasks(Parameter)
    case pipelineAttachment(case: Parameter, attachment: Parameter)
    case api(API)

    public enum API: Sendable, Equatable {
        case articles
        case article(Parameter)
        case procedures
        case procedure(Parameter)
        case providers
        case provider(Parameter)
        case consultations
        case caseQuotes(Parameter)
        case caseQuoteAccept(case: Parameter, quote: Parameter)
        case caseMessages(Parameter)
        case providerSlots(Parameter)
        case appointments
        case appointmentCancel(Parameter)
        case decisionAid(Parameter)
        case decisionAidEvaluate(Parameter)
    }

    enum Segment {
        case constant(String)
        case parameter(name: String, value: String?)
    }

    static let slugKey = "slug"
    static let referenceKey = "reference"
    static let photoKey = "photo"
    static let quoteKey = "quote"
    static let attachmentKey = "attachment"
    static let appointmentKey = "appointment"
    static let itemKey = "item"
    static let widthKey = "width"

    private static func param(_ name: String, _ p: Parameter) -> Segment {
        switch p {
        case .key: return .parameter(name: name, value: nil)
        case .value(let v): return .parameter(name: name, value: v)
        }
    }

    private static func slug(_ p: Parameter) -> Segment {
        switch p {
        case .key: return .parameter(name: slugKey, value: nil)
        case .value(let v): return .parameter(name: slugKey, value: v)
        }
    }

    var segments: [Segment] {
        switch self {
        case .home: return []
        case .magazine: return [.constant("magazine")]
        case .article(let p): return [.constant("magazine"), Self.slug(p)]
        case .category(let p): return [.constant("magazine"), .constant("category"), Self.slug(p)]
        case .procedures: return [.constant("procedures")]
        case .procedure(let p): return [.constant("procedures"), Self.slug(p)]
        case .providers: return [.constant("providers")]
        case .provider(let p): return [.constant("providers"), Self.slug(p)]
        case .clinic(let p): return [.constant("clinics"), Self.slug(p)]
        case .consult(let p): return [.constant("consult"), Self.slug(p)]
        case .howWeRank: return [.constant("how-we-rank")]
        case .terms: return [.constant("terms")]
        case .privacy: return [.constant("privacy")]
        case .feed: return [.constant("feed.xml")]
        case .sitemap: return [.constant("sitemap.xml")]
        case .robots: return [.constant("robots.txt")]
        case .healthz: return [.constant("healthz")]
        case .readyz: return [.constant("readyz")]
        case .legacyProviderProfile: return [.constant("providers-platform-single")]
        case .stylesheet: return [.constant("styles.css")]
        case .account: return [.constant("account")]
        case .signUp: return [.constant("account"), .constant("sign-up")]
        case .signIn: return [.constant("account"), .constant("sign-in")]
        case .signOut: return [.constant("account"), .constant("sign-out")]
        case .reset: return [.constant("account"), .constant("reset")]
        case .verify: return [.constant("account"), .constant("verify")]
        case .resendVerification: return [.constant("account"), .constant("verify"), .constant("resend")]
        case .password: return [.constant("account"), .constant("password")]
        case .twoFactor: return [.constant("account"), .constant("two-factor")]
        case .twoFactorSetup: return [.constant("account"), .constant("two-factor"), .constant("setup")]
        case .apiTokens: return [.constant("account"), .constant("api-tokens")]
        case .cases: return [.constant("cases")]
        case .caseShow(let r): return [.constant("cases"), Self.param(Self.referenceKey, r)]
        case .caseReply(let r): return [.constant("cases"), Self.param(Self.referenceKey, r), .constant("reply")]
        case .caseWithdraw(let r): return [.constant("cases"), Self.param(Self.referenceKey, r), .constant("withdraw")]
        case .accountExport: return [.constant("account"), .constant("export")]
        case .accountDelete: return [.constant("account"), .constant("delete")]
        case .casePhoto(let r, let p): return [.constant("cases"), Self.param(Self.referenceKey, r), .constant("photos"), Self.param(Self.photoKey, p)]
        case .consultReceived(let r): return [.constant("consult"), .constant("received"), Self.param(Self.referenceKey, r)]
        case .inbox: return [.constant("inbox")]
        case .inboxCase(let r): return [.constant("inbox"), Self.param(Self.referenceKey, r)]
        case .inboxAction(let r): return [.constant("inbox"), Self.param(Self.referenceKey, r), .constant("actions")]
        case .inboxPhoto(let r, let p): return [.constant("inbox"), Self.param(Self.referenceKey, r), .constant("photos"), Self.param(Self.photoKey, p)]
        case .devMailbox: return [.constant("dev"), .constant("mailbox")]
        case .caseQuotes(let r): return [.constant("cases"), Self.param(Self.referenceKey, r), .constant("quotes")]
        case .caseQuote(let r, let q): return [.constant("cases"), Self.param(Self.referenceKey, r), .constant("quotes"), Self.param(Self.quoteKey, q)]
        case .caseQuoteAccept(let r, let q):
            return [.constant("cases"), Self.param(Self.referenceKey, r), .constant("quotes"), Self.param(Self.quoteKey, q), .constant("accept")]
        case .caseQuoteDecline(let r, let q):
            return [.constant("cases"), Self.param(Self.referenceKey, r), .constant("quotes"), Self.param(Self.quoteKey, q), .constant("decline")]
        case .caseQuoteAgreement(let r, let q):
            return [.constant("cases"), Self.param(Self.referenceKey, r), .constant("quotes"), Self.param(Self.quoteKey, q), .constant("agreement")]
        case .inboxQuoteNew(let r): return [.constant("inbox"), Self.param(Self.referenceKey, r), .constant("quotes"), .constant("new")]
        case .inboxQuote(let r, let q): return [.constant("inbox"), Self.param(Self.referenceKey, r), .constant("quotes"), Self.param(Self.quoteKey, q)]
        case .inboxQuoteAgreement(let r, let q):
            return [.constant("inbox"), Self.param(Self.referenceKey, r), .constant("quotes"), Self.param(Self.quoteKey, q), .constant("agreement")]
        case .caseMessages(let r): return [.constant("cases"), Self.param(Self.referenceKey, r), .constant("messages")]
        case .caseAttachment(let r, let a):
            return [.constant("cases"), Self.param(Self.referenceKey, r), .constant("attachments"), Self.param(Self.attachmentKey, a)]
        case .inboxMessages(let r): return [.constant("inbox"), Self.param(Self.referenceKey, r), .constant("messages")]
        case .inboxAttachment(let r, let a):
            return [.constant("inbox"), Self.param(Self.referenceKey, r), .constant("attachments"), Self.param(Self.attachmentKey, a)]
        case .caseBook(let r): return [.constant("cases"), Self.param(Self.referenceKey, r), .constant("book")]
        case .appointment(let a): return [.constant("appointments"), Self.param(Self.appointmentKey, a)]
        case .appointmentCalendar(let a):
            // `/appointments/{id}.ics`: the router matches whole segments, so this is the appointment route with a suffix.
            switch a {
            case .key: return [.constant("appointments"), Self.param(Self.appointmentKey, .key)]
            case .value(let v): return [.constant("appointments"), Self.param(Self.appointmentKey, .value(v + ".ics"))]
            }
        case .appointmentCancel(let a): return [.constant("appointments"), Self.param(Self.appointmentKey, a), .constant("cancel")]
        case .appointmentReschedule(let a): return [.constant("appointments"), Self.param(Self.appointmentKey, a), .constant("reschedule")]
        case .practiceAvailability: return [.constant("practice"), .constant("availability")]
        case .practiceCalendar: return [.constant("practice"), .constant("calendar")]
        case .practice: return [.constant("practice")]
        case .practiceProfile: return [.constant("practice"), .constant("profile")]
        case .practiceTeam: return [.constant("practice"), .constant("team")]
        case .practicePhotos: return [.constant("practice"), .constant("photos")]
        case .practiceAnalytics: return [.constant("practice"), .constant("analytics")]
        case .invitation: return [.constant("invitations")]
        case .practiceCredentials: return [.constant("practice"), .constant("credentials")]
        case .practiceCredential(let i): return [.constant("practice"), .constant("credentials"), Self.param(Self.itemKey, i)]
        case .practiceCredentialEvidence(let i, let a):
            return [.constant("practice"), .constant("credentials"), Self.param(Self.itemKey, i), .constant("evidence"), Self.param(Self.attachmentKey, a)]
        case .admin: return [.constant("admin")]
        case .adminApplications: return [.constant("admin"), .constant("applications")]
        case .adminApplication(let i): return [.constant("admin"), .constant("applications"), Self.param(Self.itemKey, i)]
        case .adminListings: return [.constant("admin"), .constant("listings")]
        case .adminUsers: return [.constant("admin"), .constant("users")]
        case .adminUser(let i): return [.constant("admin"), .constant("users"), Self.param(Self.itemKey, i)]
        case .adminAudit: return [.constant("admin"), .constant("audit")]
        case .providerClaim(let p): return [.constant("providers"), Self.slug(p), .constant("claim")]
        case .listYourPractice: return [.constant("list-your-practice")]
        case .adminCredentials: return [.constant("admin"), .constant("credentials")]
        case .adminCredential(let i): return [.constant("admin"), .constant("credentials"), Self.param(Self.itemKey, i)]
        case .adminCredentialEvidence(let i, let a):
            return [.constant("admin"), .constant("credentials"), Self.param(Self.itemKey, i), .constant("evidence"), Self.param(Self.attachmentKey, a)]
        case .studio: return [.constant("studio")]
        case .studioArticles: return [.constant("studio"), .constant("articles")]
        case .studioArticleNew: return [.constant("studio"), .constant("articles"), .constant("new")]
        case .studioArticle(let i): return [.constant("studio"), .constant("articles"), Self.param(Self.itemKey, i)]
        case .studioArticleActions(let i): return [.constant("studio"), .constant("articles"), Self.param(Self.itemKey, i), .constant("actions")]
        case .studioArticleRestore(let i): return [.constant("studio"), .constant("articles"), Self.param(Self.itemKey, i), .constant("restore")]
        case .studioReview: return [.constant("studio"), .constant("review")]
        case .studioMedia: return [.constant("studio"), .constant("media")]
        case .studioGuides: return [.constant("studio"), .constant("guides")]
        case .studioGuideNew: return [.constant("studio"), .constant("guides"), .constant("new")]
        case .studioGuideImport: return [.constant("studio"), .constant("guides"), .constant("import")]
        case .studioGuide(let i): return [.constant("studio"), .constant("guides"), Self.param(Self.itemKey, i)]
        case .studioGuideActions(let i): return [.constant("studio"), .constant("guides"), Self.param(Self.itemKey, i), .constant("actions")]
        case .studioGuideRestore(let i): return [.constant("studio"), .constant("guides"), Self.param(Self.itemKey, i), .constant("restore")]
        case .media(let id, let w): return [.constant("media"), Self.param(Self.attachmentKey, id), Self.param(Self.widthKey, w)]
        case .decide: return [.constant("decide")]
        case .decideAid(let p): return [.constant("decide"), Self.slug(p)]
        case .facilitators: return [.constant("facilitators")]
        case .facilitator(let p): return [.constant("facilitators"), Self.slug(p)]
        case .caseFacilitator(let r): return [.constant("cases"), Self.param(Self.referenceKey, r), .constant("facilitator")]
        case .pipeline: return [.constant("pipeline")]
        case .pipelineCase(let r): return [.constant("pipeline"), Self.param(Self.referenceKey, r)]
        case .pipelinePhoto(let r, let p): return [.constant("pipeline"), Self.param(Self.referenceKey, r), .constant("photos"), Self.param(Self.photoKey, p)]
        case .pipelineMessages(let r): return [.constant("pipeline"), Self.param(Self.referenceKey, r), .constant("messages")]
        case .pipelineProviders(let r): return [.constant("pipeline"), Self.param(Self.referenceKey, r), .constant("providers")]
        case .caseProviders(let r): return [.constant("cases"), Self.param(Self.referenceKey, r), .constant("providers")]
        case .caseTravel(let r): return [.constant("cases"), Self.param(Self.referenceKey, r), .constant("travel")]
        case .caseTravelCalendar(let r): return [.constant("cases"), Self.param(Self.referenceKey, r), .constant("travel.ics")]
        case .pipelineTravel(let r): return [.constant("pipeline"), Self.param(Self.referenceKey, r), .constant("travel")]
        case .pipelineTasks(let r): return [.constant("pipeline"), Self.param(Self.referenceKey, r), .constant("tasks")]
        case .pipelineStage(let r): return [.constant("pipeline"), Self.param(Self.referenceKey, r), .constant("stage")]
        case .facilitatorProfile: return [.constant("facilitator"), .constant("profile")]
        case .inboxTasks(let r): return [.constant("inbox"), Self.param(Self.referenceKey, r), .constant("tasks")]
        case .pipelineAttachment(let r, let a): return [.constant("pipeline"), Self.param(Self.referenceKey, r), .constant("attachments"), Self.param(Self.attachmentKey, a)]
        case .api(let api):
            let base: [Segment] = [.constant("api"), .constant("v1")]
            switch api {
            case .articles: return base + [.constant("articles")]
            case .article(let p): return base + [.constant("articles"), Self.slug(p)]
            case .procedures: return base + [.constant("procedures")]
            case .procedure(let p): return base + [.constant("procedures"), Self.slug(p)]
            case .providers: return base + [.constant("providers")]
            case .provider(let p): return base + [.constant("providers"), Self.slug(p)]
            case .consultations: return base + [.constant("consultations")]
            case .caseQuotes(let r): return base + [.constant("cases"), Self.param(Self.referenceKey, r), .constant("quotes")]
            case .caseQuoteAccept(let r, let q):
                return base + [.constant("cases"), Self.param(Self.referenceKey, r), .constant("quotes"), Self.param(Self.quoteKey, q), .constant("accept")]
            case .caseMessages(let r): return base + [.constant("cases"), Self.param(Self.referenceKey, r), .constant("messages")]
            case .providerSlots(let p): return base + [.constant("providers"), Self.slug(p), .constant("slots")]
            case .appointments: return base + [.constant("appointments")]
            case .appointmentCancel(let a): return base + [.constant("appointments"), Self.param(Self.appointmentKey, a), .constant("cancel")]
            case .decisionAid(let p): return base + [.constant("decision-aids"), Self.slug(p)]
            case .decisionAidEvaluate(let p): return base + [.constant("decision-aids"), Self.slug(p), .constant("evaluate")]
            }
        }
    }

    /// Components for route registration.
    public var pathComponents: [PathComponent] {
        segments.map {
            switch $0 {
            case .constant(let c): return .constant(c)
            case .parameter(let name, _): return .parameter(name)
            }
        }
    }

    /// The site-relative path, with parameter values percent-encoded.
    private static let segmentAllowed = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))

    public var path: String {
        var out = ""
        for segment in segments {
            out += "/"
            switch segment {
            case .constant(let c): out += c
            case .parameter(_, let value):
                let v = value ?? ""
                // Slugs, ids and references are plain ASCII: no encoding to do (the common case, checked cheaply).
                if v.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 46 || $0 == 95 }) {
                    out += v
                } else {
                    out += v.addingPercentEncoding(withAllowedCharacters: Self.segmentAllowed) ?? ""
                }
            }
        }
        return out.isEmpty ? "/" : out
    }

    /// The path with a query string built from `parameters` (values percent-encoded).
    public func path(query parameters: [(String, String)]) -> String {
        guard !parameters.isEmpty else { return path }
        return path + "?" + Self.queryString(parameters)
    }

    public static func queryString(_ parameters: [(String, String)]) -> String {
        // Names and values made only of unreserved ASCII (slugs, numbers, codes) are their own encoding: skipping
        // Foundation's percent-encoding for them saves a few percent of a guide page, which links every card this way.
        func encoded(_ text: String) -> String {
            text.utf8.allSatisfy(Self.isUnreserved) ? text : text.addingPercentEncoding(withAllowedCharacters: queryAllowed) ?? ""
        }
        return parameters.map { name, value in encoded(name) + "=" + encoded(value) }.joined(separator: "&")
    }

    /// What a query name or value keeps unencoded (made once: building it copied Unicode's letter tables at every call).
    private static let queryAllowed: CharacterSet = {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return allowed
    }()

    @inline(__always)
    static func isUnreserved(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E
    }

    /// The absolute address on the configured public origin.
    public func absolute(_ baseURL: String) -> String { baseURL + path }

    public var isAPI: Bool {
        if case .api = self { return true }
        return false
    }
}

extension Request {
    /// The validated slug path parameter.
    func slug() throws -> String {
        guard let value = parameters.get(SiteURL.slugKey), Slug.isValid(value) else {
            throw Abort(.notFound)
        }
        return value
    }

    /// The validated case reference path parameter (404 when it cannot be one).
    func caseReference() throws -> String {
        guard let raw = parameters.get(SiteURL.referenceKey), let value = CaseReference.normalise(raw), value == raw else {
            throw Abort(.notFound)
        }
        return value
    }

    /// The validated quote id path parameter (a positive integer; 404 otherwise).
    func quoteID() throws -> Int {
        guard let raw = parameters.get(SiteURL.quoteKey), raw.count <= 9, raw.first != "0", let value = Int(raw), value > 0 else { throw Abort(.notFound) }
        return value
    }

    /// The validated editorial item id path parameter (a positive integer; 404 otherwise).
    func itemID() throws -> Int {
        guard let raw = parameters.get(SiteURL.itemKey), raw.count <= 9, raw.first != "0", let value = Int(raw), value > 0 else { throw Abort(.notFound) }
        return value
    }

    /// The validated attachment id path parameter.
    func attachmentID() throws -> String {
        guard let raw = parameters.get(SiteURL.attachmentKey), UUID(uuidString: raw) != nil, raw == raw.lowercased() else { throw Abort(.notFound) }
        return raw
    }

    /// The validated appointment id path parameter, and whether the calendar file (`{id}.ics`) was asked for.
    func appointmentID() throws -> (id: String, calendar: Bool) {
        guard var raw = parameters.get(SiteURL.appointmentKey) else { throw Abort(.notFound) }
        let calendar = raw.hasSuffix(".ics")
        if calendar { raw.removeLast(4) }
        guard UUID(uuidString: raw) != nil, raw == raw.lowercased() else { throw Abort(.notFound) }
        return (raw, calendar)
    }

    /// The validated photo id path parameter.
    func photoID() throws -> String {
        guard let raw = parameters.get(SiteURL.photoKey), UUID(uuidString: raw) != nil, raw == raw.lowercased() else { throw Abort(.notFound) }
        return raw
    }
}

import Domain
