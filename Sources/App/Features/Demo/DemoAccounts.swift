import Foundation
import Fluent
import SQLKit
import Vapor
import Domain

/// Demo accounts (sample data) so that a new user can try every role, and the sign-in details printed once when
/// they are created.
enum DemoAccounts {
    struct Account {
        let email: String
        let password: String
        let name: String
        let role: Role
        let practitionerSlug: String?
        let organizationSlug: String?
        let facilitatorSlug: String?
        /// The author an editorial account writes (or reviews) as.
        var authorSlug: String? = nil
    }

    static let featuredSurgeonSlug = "patrick-tonnard-md-phd"

    static let accounts: [Account] = [
        Account(email: "patient@demo.careabroad.test", password: "violet-harbour-lantern-42", name: "Alex Sample (sample patient)",
                role: .patient, practitionerSlug: nil, organizationSlug: nil, facilitatorSlug: nil),
        Account(email: "team.tonnard@demo.careabroad.test", password: "quiet-meadow-copper-17", name: "Tonnard team (sample staff)",
                role: .provider, practitionerSlug: featuredSurgeonSlug, organizationSlug: nil, facilitatorSlug: nil),
        // A second practice's team, to show that practices are kept apart (each inbox lists only its own requests).
        Account(email: "team.lale@demo.careabroad.test", password: "coral-bridge-saffron-24", name: "Lale Dental team (sample staff)",
                role: .provider, practitionerSlug: nil, organizationSlug: "lale-dental-atelier", facilitatorSlug: nil),
        // A second aesthetic clinic's team, so a patient can compare two providers' quotes for the same treatment.
        Account(email: "team.mediterrania@demo.careabroad.test", password: "olive-lantern-tide-31", name: "Mediterrània team (sample staff)",
                role: .provider, practitionerSlug: nil, organizationSlug: "clinica-mediterrania-estetica", facilitatorSlug: nil),
        Account(email: "facilitator@demo.careabroad.test", password: "amber-compass-river-58", name: "Sam Journey (sample facilitator)",
                role: .facilitator, practitionerSlug: nil, organizationSlug: nil, facilitatorSlug: "sample-care-journeys"),
        Account(email: "editor@demo.careabroad.test", password: "linen-gallery-orbit-63", name: "Eda Sample (sample editor)",
                role: .editor, practitionerSlug: nil, organizationSlug: nil, facilitatorSlug: nil, authorSlug: "maya-lindgren"),
        // A medical reviewer: an editorial account whose author record holds a clinical credential (sample data).
        Account(email: "reviewer@demo.careabroad.test", password: "maple-signal-quartz-55", name: "Helen Marsh (sample medical reviewer)",
                role: .editor, practitionerSlug: nil, organizationSlug: nil, facilitatorSlug: nil, authorSlug: "dr-helen-marsh"),
        Account(email: "admin@demo.careabroad.test", password: "granite-willow-signal-29", name: "Ari Sample (sample administrator)",
                role: .admin, practitionerSlug: nil, organizationSlug: nil, facilitatorSlug: nil),
    ]

    /// Sample availability for video consultations: the featured practice in Brussels and the sample clinic in
    /// Barcelona, with a placeholder meeting address (sample data).
    static func seedAvailability(now: Date, on tx: any Database) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        func hours(_ days: ClosedRange<Int>, _ windows: [(String, String)]) -> [WeeklyHours] {
            days.flatMap { d in windows.map { WeeklyHours(weekday: d, start: LocalTime($0.0)!, end: LocalTime($0.1)!) } }
        }
        var plans: [(key: String, practitionerID: Int?, organizationID: Int?, zone: String, weekly: [WeeklyHours], slot: Int, notice: Int)] = []
        if let p = try await Practitioner.query(on: tx).filter(\.$slug == featuredSurgeonSlug).first(), let id = p.id {
            plans.append((ProviderKey.practitioner(id), id, nil, "Europe/Brussels", hours(1...5, [("09:00", "12:00"), ("14:00", "17:00")]), 30, 24 * 60))
        }
        if let o = try await Organization.query(on: tx).filter(\.$slug == "clinica-mediterrania-estetica").first(), let id = o.id {
            plans.append((ProviderKey.organization(id), nil, id, "Europe/Madrid", hours(1...4, [("10:00", "13:00"), ("15:00", "18:00")]), 20, 12 * 60))
        }
        for plan in plans {
            let row = ProviderAvailability()
            row.providerKey = plan.key
            row.practitionerID = plan.practitionerID
            row.organizationID = plan.organizationID
            row.timeZone = plan.zone
            row.weeklyHours = String(decoding: try encoder.encode(plan.weekly), as: UTF8.self)
            row.exceptions = "[]"
            row.slotMinutes = plan.slot
            row.noticeMinutes = plan.notice
            row.horizonDays = 60
            row.videoLinkTemplate = "https://meet.example.org/careabroad-sample-{appointment}"
            row.updatedAt = now
            try await row.create(on: tx)
        }
    }

    /// Creates the accounts (once) and prints how to sign in with them.
    static func seed(app: Application, announce: Bool = true) async throws {
        guard app.environment != .production else { throw RefusedInProduction(what: "Creating the demo accounts") }
        let db = app.db
        let now = app.clock.now()
        guard try await User.query(on: db).filter(\.$isSample == true).count() == 0 else { return }
        let lines = try await app.writes.transaction(on: db) { tx -> [String] in
            var lines: [String] = []
            // The organisation comes with the demo content; an older database without it gets a bare one.
            let facilitator: Facilitator
            if let existing = try await Facilitator.query(on: tx).filter(\.$slug == "sample-care-journeys").first() {
                facilitator = existing
            } else {
                facilitator = Facilitator(slug: "sample-care-journeys", name: "Sample Care Journeys (sample facilitator)", countryCode: "GB", isSample: true)
                try await facilitator.create(on: tx)
            }
            for account in accounts {
                let hash: String = try app.password.sync.hash(Passwords.prepared(account.password))
                let user = User(email: account.email, passwordHash: hash, displayName: account.name, role: account.role, now: now, isSample: true)
                user.emailVerifiedAt = now
                try await user.create(on: tx)
                let id = try user.requireID()
                var line = "  \(account.role.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)) \(account.email)  password: \(account.password)"
                if account.role.needsSecondFactor {
                    let secret = SignInCode.newSecret()
                    user.totpSecret = try app.vault.sealWithMaster(secret, context: "totp:\(id)")
                    user.totpEnabledAt = now
                    try await user.update(on: tx)
                    line += "  authenticator key: \(SignInCode.base32(secret))"
                }
                lines.append(line)
                if let slug = account.practitionerSlug, let p = try await Practitioner.query(on: tx).filter(\.$slug == slug).first() {
                    try await Membership(userID: id, practitionerID: p.id, role: .owner).create(on: tx)
                }
                if let slug = account.organizationSlug, let o = try await Organization.query(on: tx).filter(\.$slug == slug).first() {
                    try await Membership(userID: id, organizationID: o.id, role: .owner).create(on: tx)
                }
                if let slug = account.authorSlug, let author = try await Author.query(on: tx).filter(\.$slug == slug).first(), let authorID = author.id {
                    try await (tx as! any SQLDatabase).insert(into: "staff_authors").columns("user_id", "author_id").values(SQLBind(id), SQLBind(authorID)).run()
                }
                if account.facilitatorSlug != nil {
                    try await Membership(userID: id, facilitatorID: facilitator.id, role: .owner).create(on: tx)
                }
            }
            try await seedAvailability(now: now, on: tx)
            return lines
        }
        let message = """

            Demo accounts (sample data, for trying the platform; never use them in production):
            \(lines.joined(separator: "\n"))
              Staff sign-in needs a one-time code: add the key to an authenticator app, or read the current code
              at \(app.config.baseURL)\(SiteURL.devMailbox.path) (development only), where sent messages also appear.

            """
        // Shown on the console (like a command's output), not logged: it is instructions for the person who started `serve`.
        if announce { app.console.output(message.consoleText()) }
    }
}
