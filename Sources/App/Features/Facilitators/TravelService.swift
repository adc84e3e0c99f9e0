import Foundation
import Crypto
import Fluent
import SQLKit
import Vapor
import Domain

/// What a travel line keeps sealed: the notes and the booking reference.
struct TravelItemSecrets: Codable, Sendable {
    var details: String
    var bookingReference: String
}

/// A travel line as people see it.
struct ShownTravelItem: Sendable {
    let id: String
    let item: TravelItem
    let sequence: Int
}

/// A request's travel plan: written by its facilitator, read by the patient and downloaded as one calendar file.
enum TravelService {
    static func context(_ id: String) -> String { "travel:\(id)" }

    static func items(root: ConsultationCase, app: Application, on db: any Database) async throws -> [ShownTravelItem] {
        let rows = try await TravelItemRow.query(on: db).filter(\.$rootCaseID == (try root.requireID())).sort(\.$startsAt).sort(\.$id).all()
        guard !rows.isEmpty else { return [] }
        let key = try await app.vault.dataKey(id: root.dataKeyID, on: db)
        return try rows.compactMap { r in
            guard let id = r.id, let kind = TravelItemKind(rawValue: r.kind), let start = LocalDateTime(r.startLocal) else { return nil }
            let secrets = try JSONDecoder().decode(TravelItemSecrets.self, from: try Vault.open(r.sealed, key: key, context: context(id)))
            let item = TravelItem(kind: kind, title: r.title, start: start, startZone: r.startZone, end: r.endLocal.flatMap(LocalDateTime.init),
                                  endZone: r.endZone, location: r.location, details: secrets.details, bookingReference: secrets.bookingReference)
            return ShownTravelItem(id: id, item: item, sequence: r.sequence)
        }
    }

    /// Adds a line (the request must still be open) and tells the patient that the plan changed, never what it says.
    static func add(_ item: TravelItem, root: ConsultationCase, user: SignedInUser, app: Application, source: String, on db: any Database) async throws -> String? {
        let now = app.clock.now()
        let rootID = try root.requireID()
        let key = try await app.vault.dataKey(id: root.dataKeyID, on: db)
        let id = UUID().uuidString.lowercased()
        return try await app.writes.transaction(on: db) { tx -> String? in
            let open = CaseStatus.allCases.filter { $0 != .withdrawn && $0 != .awaitingVerification }
            guard try await CaseService.touch(caseID: rootID, allowed: open, now: now, on: tx) else { return nil }
            let row = TravelItemRow()
            row.id = id
            row.rootCaseID = rootID
            row.kind = item.kind.rawValue
            row.title = item.title
            row.startLocal = item.start.description
            row.startZone = item.startZone
            row.endLocal = item.end?.description
            row.endZone = item.endZone
            row.startsAt = item.startsAt
            row.endsAt = item.endsAt
            row.location = item.location
            row.sealed = try Vault.seal(try JSONEncoder().encode(TravelItemSecrets(details: item.details, bookingReference: item.bookingReference)),
                                        key: key, context: context(id))
            row.sequence = 0
            row.createdBy = user.id
            row.createdAt = now
            row.updatedAt = now
            try await row.create(on: tx)
            try await AuditLog.append(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "travel.add", objectType: "case",
                                                 objectID: root.reference, source: source), at: now, app: app, on: tx)
            try await tellPatient(root, app: app, now: now, on: tx)
            return id
        }
    }

    static func remove(id: String, root: ConsultationCase, user: SignedInUser, app: Application, source: String, on db: any Database) async throws -> Bool {
        let now = app.clock.now()
        return try await app.writes.transaction(on: db) { tx in
            guard try await TravelItemRow.query(on: tx).filter(\.$id == id).filter(\.$rootCaseID == (try root.requireID())).count() == 1 else { return false }
            try await TravelItemRow.query(on: tx).filter(\.$id == id).delete()
            try await AuditLog.append(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "travel.remove", objectType: "case",
                                                 objectID: root.reference, source: source), at: now, app: app, on: tx)
            try await tellPatient(root, app: app, now: now, on: tx)
            return true
        }
    }

    static func tellPatient(_ root: ConsultationCase, app: Application, now: Date, on tx: any Database) async throws {
        guard let patient = try await User.find(root.$patient.id, on: tx) else { return }
        let link = app.config.baseURL + SiteURL.caseTravel(.value(root.reference)).path
        // One message per hour of changes at most: a facilitator entering a whole trip sends one.
        let id = "travel-\(root.reference)-\(Int(now.timeIntervalSince1970) / 3_600)"
        guard try await OutboxMessage.find(id, on: tx) == nil else { return }
        try await Outbox.enqueue(app, kind: "travel-updated", to: patient.email, subject: app.localizer("mail.travelUpdated.subject", ["reference": root.reference]),
                                 body: app.localizer("mail.travelUpdated.body", ["name": patient.displayName, "reference": root.reference, "link": link]),
                                 now: now, id: id, on: tx)
    }

    /// The whole plan as one calendar file.
    static func calendar(root: ConsultationCase, items: [ShownTravelItem], app: Application) -> String {
        TravelCalendar(name: app.localizer("travel.calendarName", ["reference": root.reference]),
                       events: items.map { .init(uid: "travel-\($0.id)@careabroad", item: $0.item, sequence: $0.sequence) },
                       url: app.config.baseURL + SiteURL.caseTravel(.value(root.reference)).path)
            .render(stamp: app.clock.now())
    }
}
