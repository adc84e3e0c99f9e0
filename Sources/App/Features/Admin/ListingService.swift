import Foundation
import Fluent
import SQLKit
import Vapor
import Domain

/// The request was decided already (by another administrator, or twice); answered 409.
struct ListingRequestDecided: Error {}

/// Claims of listings and applications of new practices, decided by administrators; suspension and restoration
/// of a listing. Every decision is one conditional update on the request's status, audited, and told to the person
/// by email. Approving invites the person as the listing's owner (their account then sets up its second factor);
/// a new practice's listing starts suspended until an administrator has verified a credential and restores it.
enum ListingService {
    struct Request: Sendable, Decodable {
        let id: Int
        let kind: String
        let practitioner_id: Int?
        let organization_id: Int?
        let practice_name: String?
        let practice_kind: String?
        let specialty: String?
        let city: String?
        let country_code: String?
        let website: String?
        let applicant_name: String
        let applicant_email: String
        let applicant_role: String
        let licence_number: String
        let register_url: String
        let message: String?
        let status: String
        let reason: String?
        let decided_at: Date?
        let created_at: Date
    }

    enum Status: String { case pending, approved, refused }

    /// Whether a practitioner's listing has anyone who can act for it (then it cannot be claimed).
    static func isManaged(practitionerID: Int, on db: any Database) async throws -> Bool {
        try await Membership.query(on: db).filter(\.$practitioner.$id == practitionerID).count() > 0
    }

    static func submit(_ f: ListingRequestForm, kind: ListingRequestForm.Kind, practitionerID: Int?, app: Application, source: String,
                       on db: any Database) async throws -> Int {
        let now = app.clock.now()
        return try await app.writes.transaction(on: db) { tx in
            struct Row: Decodable { let id: Int }
            let row = try await (tx as! any SQLDatabase).insert(into: "listing_requests")
                .columns("kind", "practitioner_id", "practice_name", "practice_kind", "specialty", "city", "country_code", "website", "applicant_name",
                         "applicant_email", "applicant_role", "licence_number", "register_url", "message", "status", "created_at")
                .values(SQLBind(kind.rawValue), SQLBind(practitionerID), SQLBind(f.practiceName), SQLBind(f.practiceKind?.rawValue), SQLBind(f.specialty),
                        SQLBind(f.city), SQLBind(f.country), SQLBind(f.website), SQLBind(f.applicantName), SQLBind(f.applicantEmail), SQLBind(f.applicantRole),
                        SQLBind(f.licenceNumber), SQLBind(f.registerURL), SQLBind(f.message), SQLBind(Status.pending.rawValue), SQLBind(now))
                .returning("id").first(decoding: Row.self)
            let id = row?.id ?? 0
            try await AuditLog.append(AuditEntry(actorUserID: nil, actorRole: "visitor", action: "listing.\(kind.rawValue)", objectType: "listing-request",
                                                 objectID: String(id), source: source), at: now, app: app, on: tx)
            let t = app.localizer
            try await Outbox.enqueue(app, kind: "listing-request", to: f.applicantEmail, subject: t("mail.listingReceived.subject"),
                                     body: t("mail.listingReceived.body", ["name": f.applicantName]), now: now, on: tx)
            let link = app.config.baseURL + SiteURL.adminApplications.path
            for admin in try await User.query(on: tx).filter(\.$role == Role.admin.rawValue).all() {
                try await Outbox.enqueue(app, kind: "listing-queue", to: admin.email, subject: t("mail.listingQueue.subject"),
                                         body: t("mail.listingQueue.body", ["link": link]), now: now, on: tx)
            }
            return id
        }
    }

    static func requests(status: Status?, on db: any Database, limit: Int = 200) async throws -> [Request] {
        var q = (db as! any SQLDatabase).select().column("*").from("listing_requests")
        if let status { q = q.where("status", .equal, SQLBind(status.rawValue)) }
        return try await q.orderBy("created_at", status == .pending ? .ascending : .descending).limit(limit).all(decoding: Request.self)
    }

    static func request(_ id: Int, on db: any Database) async throws -> Request? {
        try await (db as! any SQLDatabase).select().column("*").from("listing_requests").where("id", .equal, SQLBind(id)).first(decoding: Request.self)
    }

    /// Approves or refuses (with a reason) a pending request: one conditional update. Throws `ListingRequestDecided`.
    static func decide(_ id: Int, approve: Bool, reason: String?, admin: SignedInUser, app: Application, source: String, on db: any Database) async throws {
        let now = app.clock.now()
        let t = app.localizer
        try await app.writes.transaction(on: db) { tx in
            let sql = tx as! any SQLDatabase
            let rows = try await sql.update("listing_requests").set("status", to: SQLBind((approve ? Status.approved : Status.refused).rawValue))
                .set("reason", to: SQLBind(reason)).set("decided_by", to: SQLBind(admin.id)).set("decided_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(id)).where("status", .equal, SQLBind(Status.pending.rawValue)).returning("id").all()
            guard rows.count == 1, let r = try await request(id, on: tx) else { throw ListingRequestDecided() }
            try await AuditLog.append(AuditEntry(actorUserID: admin.id, actorRole: admin.role.rawValue, action: "listing.\(approve ? "approve" : "refuse")",
                                                 objectType: "listing-request", objectID: String(id), source: source), at: now, app: app, on: tx)
            guard approve else {
                try await Outbox.enqueue(app, kind: "listing-decision", to: r.applicant_email, subject: t("mail.listingRefused.subject"),
                                         body: t("mail.listingRefused.body", ["name": r.applicant_name, "reason": reason ?? ""]), now: now, on: tx)
                return
            }
            var practitionerID = r.practitioner_id
            var organizationID: Int?
            var name = ""
            if r.kind == ListingRequestForm.Kind.claim.rawValue {
                guard let pid = practitionerID, let p = try await Practitioner.find(pid, on: tx) else { throw Abort(.notFound) }
                guard try await !isManaged(practitionerID: pid, on: tx) else { throw ListingRequestDecided() }
                name = p.displayName
            } else {
                (practitionerID, organizationID, name) = try await createListing(r, now: now, app: app, on: tx)
                try await sql.update("listing_requests").set("practitioner_id", to: SQLBind(practitionerID)).set("organization_id", to: SQLBind(organizationID))
                    .where("id", .equal, SQLBind(id)).run()
            }
            try await TeamService.createInvitation(token: SecretToken.make(), email: r.applicant_email, role: .owner, practitionerID: practitionerID,
                                                   organizationID: practitionerID == nil ? organizationID : nil, workplaceName: name, inviter: nil,
                                                   app: app, now: now, on: tx)
        }
        app.renderCache.invalidate()
    }

    /// A new practice's listing from an application: the practitioner (with a practice of the same name) or the
    /// clinic, at one location; suspended until a credential is verified. Not sample data.
    static func createListing(_ r: Request, now: Date, app: Application, on tx: any Database) async throws -> (Int?, Int?, String) {
        let name = r.practice_name ?? r.applicant_name
        func uniqueSlug(_ base: String, table: String) async throws -> String {
            var slug = Slug.make(base).isEmpty ? "practice" : String(Slug.make(base).prefix(100))
            var n = 2
            while try await (tx as! any SQLDatabase).select().column("id").from(table).where("slug", .equal, SQLBind(slug)).first() != nil {
                slug = String(Slug.make(base).prefix(100)) + "-\(n)"
                n += 1
            }
            return slug
        }
        let org = Organization()
        org.slug = try await uniqueSlug(name, table: "organizations")
        org.name = name
        org.kind = "clinic"
        org.summary = r.message ?? ""
        org.website = r.website
        org.isSample = false
        try await org.create(on: tx)
        let location = Location()
        location.$organization.id = try org.requireID()
        location.key = "main"
        location.name = name
        location.city = r.city ?? ""
        location.citySlug = Slug.make(r.city ?? "")
        location.countryCode = r.country_code ?? ""
        try await location.create(on: tx)
        let reason = app.localizer("listing.suspended.new")
        if r.practice_kind == ListingRequestForm.PracticeKind.clinic.rawValue {
            try await (tx as! any SQLDatabase).update("organizations").set("suspended_at", to: SQLBind(now)).set("suspended_reason", to: SQLBind(reason))
                .where("id", .equal, SQLBind(org.id)).run()
            try await ContentGeneration.bump(on: tx)
            return (nil, org.id, name)
        }
        let parts = r.applicant_name.split(separator: " ")
        let p = Practitioner()
        p.slug = try await uniqueSlug(r.applicant_name, table: "practitioners")
        p.givenName = parts.dropLast().joined(separator: " ").isEmpty ? r.applicant_name : parts.dropLast().joined(separator: " ")
        p.familyName = parts.count > 1 ? String(parts.last!) : ""
        p.displayName = r.applicant_name
        p.specialty = r.specialty ?? ""
        p.bio = r.message ?? ""
        p.signatureTechniques = ""
        p.isSample = false
        p.searchText = ""
        p.profileScore = 0
        try await p.create(on: tx)
        let pid = try p.requireID()
        let role = PractitionerRole()
        role.$practitioner.id = pid
        role.$organization.id = try org.requireID()
        role.$location.id = try location.requireID()
        role.title = r.specialty ?? ""
        try await role.create(on: tx)
        try await (tx as! any SQLDatabase).update("practitioners").set("suspended_at", to: SQLBind(now)).set("suspended_reason", to: SQLBind(reason))
            .where("id", .equal, SQLBind(pid)).run()
        try await ProviderIndexer.reindex([pid], on: tx, t: app.localizer, now: now)
        try await ContentGeneration.bump(on: tx)
        return (pid, org.id, r.applicant_name)
    }

    // MARK: suspension

    /// Suspends (with a reason) or restores a listing: it leaves (or returns to) search, and its page says whether
    /// it takes requests. Audited; every node's index and pages follow.
    static func setSuspended(_ suspended: Bool, practitionerID: Int?, organizationID: Int?, reason: String?, admin: SignedInUser, app: Application,
                             source: String, on db: any Database) async throws {
        let now = app.clock.now()
        try await app.writes.transaction(on: db) { tx in
            let sql = tx as! any SQLDatabase
            let (table, id) = practitionerID.map { ("practitioners", $0) } ?? ("organizations", organizationID ?? 0)
            let rows = try await sql.update(table).set("suspended_at", to: suspended ? SQLBind(now) : SQLBind(Date?.none))
                .set("suspended_reason", to: SQLBind(suspended ? reason : nil))
                .where("id", .equal, SQLBind(id)).returning("id").all()
            guard rows.count == 1 else { throw Abort(.notFound) }
            let key = practitionerID.map(ProviderKey.practitioner) ?? ProviderKey.organization(id)
            try await AuditLog.append(AuditEntry(actorUserID: admin.id, actorRole: admin.role.rawValue, action: suspended ? "listing.suspend" : "listing.restore",
                                                 objectType: "provider", objectID: key, source: source), at: now, app: app, on: tx)
            try await ProviderIndexer.bumpGeneration(sql)
            try await ContentGeneration.bump(on: tx)
            try await CaseService.tellTeam(practitionerID: practitionerID, organizationID: organizationID, kind: "listing-status",
                                           mail: suspended ? "mail.listingSuspended" : "mail.listingRestored", values: ["reason": reason ?? ""],
                                           app: app, now: now, on: tx)
        }
        app.renderCache.invalidate()
    }
}
