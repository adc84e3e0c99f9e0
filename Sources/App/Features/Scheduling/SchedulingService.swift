import Foundation
import Fluent
import SQLKit
import Vapor
import Domain

/// Who publishes availability: a practitioner's practice or a clinic, named `practitioner:ID` or `organization:ID`.
enum ProviderKey {
    static func practitioner(_ id: Int) -> String { practitionerPrefix + String(id) }
    static let practitionerPrefix = "practitioner:"
    static func organization(_ id: Int) -> String { "organization:\(id)" }

    /// The keys a case's availability may be published under: its practitioner's first, then its clinic's.
    static func candidates(for row: ConsultationCase) -> [String] {
        [row.$practitioner.id.map(practitioner), row.$organization.id.map(organization)].compactMap { $0 }
    }
}

enum AppointmentStatus: String, Sendable {
    case booked, cancelled
}

/// Why a booking, a cancellation or a reschedule was refused (409 with the reason).
enum BookingRefusal: Error, Equatable {
    /// Taken, in the past, inside the notice period, beyond the horizon, or not on the provider's grid.
    case slotUnavailable
    case alreadyBooked
    case caseClosed
    case noAvailability
    /// Inside the notice period before the start: changes are made by writing to the other side.
    case tooLateToChange
    case notBooked

    var key: String {
        switch self {
        case .slotUnavailable: return "book.refused.slot"
        case .alreadyBooked: return "book.refused.already"
        case .caseClosed: return "book.refused.closed"
        case .noAvailability: return "book.refused.noAvailability"
        case .tooLateToChange: return "book.refused.tooLate"
        case .notBooked: return "book.refused.notBooked"
        }
    }
}

enum SchedulingService {
    /// How long the video link stays visible after the end.
    static let linkGraceAfterEnd: TimeInterval = 30 * 60
    /// The link appears this long before the start.
    static let linkLead: TimeInterval = 15 * 60

    static func decode(_ row: ProviderAvailability) -> PublishedAvailability? {
        let decoder = JSONDecoder()
        guard let weekly = try? decoder.decode([WeeklyHours].self, from: Data(row.weeklyHours.utf8)),
              let exceptions = try? decoder.decode([AvailabilityException].self, from: Data(row.exceptions.utf8)) else { return nil }
        return PublishedAvailability(availability: Availability(timeZone: row.timeZone, weekly: weekly, exceptions: exceptions,
                                                                slotMinutes: row.slotMinutes, noticeMinutes: row.noticeMinutes),
                                     horizonDays: row.horizonDays, videoLinkTemplate: row.videoLinkTemplate)
    }

    static func published(key: String, on db: any Database) async throws -> PublishedAvailability? {
        try await ProviderAvailability.query(on: db).filter(\.$providerKey == key).first().flatMap(decode)
    }

    /// The availability that applies to a case, with the key it is published under.
    static func published(for row: ConsultationCase, on db: any Database) async throws -> (key: String, published: PublishedAvailability)? {
        for key in ProviderKey.candidates(for: row) {
            if let p = try await published(key: key, on: db) { return (key, p) }
        }
        return nil
    }

    /// Saves a practice's availability (one row per provider; an edit replaces it), audited.
    static func save(_ p: PublishedAvailability, key: String, practitionerID: Int?, organizationID: Int?, actor: SignedInUser, app: Application,
                     source: String, on db: any Database) async throws {
        let now = app.clock.now()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let weekly = String(decoding: try encoder.encode(p.availability.weekly), as: UTF8.self)
        let exceptions = String(decoding: try encoder.encode(p.availability.exceptions), as: UTF8.self)
        try await app.writes.transaction(on: db) { tx in
            let sql = tx as! any SQLDatabase
            try await sql.raw("""
                INSERT INTO provider_availability (provider_key, practitioner_id, organization_id, time_zone, weekly_hours, exceptions,
                  slot_minutes, notice_minutes, horizon_days, video_link_template, updated_by, updated_at)
                VALUES (\(bind: key), \(bind: practitionerID), \(bind: organizationID), \(bind: p.availability.timeZone), \(bind: weekly),
                  \(bind: exceptions), \(bind: p.availability.slotMinutes), \(bind: p.availability.noticeMinutes), \(bind: p.horizonDays),
                  \(bind: p.videoLinkTemplate), \(bind: actor.id), \(bind: now))
                ON CONFLICT (provider_key) DO UPDATE SET time_zone = excluded.time_zone, weekly_hours = excluded.weekly_hours,
                  exceptions = excluded.exceptions, slot_minutes = excluded.slot_minutes, notice_minutes = excluded.notice_minutes,
                  horizon_days = excluded.horizon_days, video_link_template = excluded.video_link_template,
                  updated_by = excluded.updated_by, updated_at = excluded.updated_at
                """).run()
            try await AuditLog.append(AuditEntry(actorUserID: actor.id, actorRole: actor.role.rawValue, action: "availability.save",
                                                 objectType: "provider", objectID: key, source: source), at: now, app: app, on: tx)
        }
    }

    /// Booked consultations of a provider that may touch a window, as intervals.
    static func booked(key: String, from: Date, to: Date, on db: any Database) async throws -> [Slot] {
        struct Row: Decodable { let starts_at: Date; let ends_at: Date }
        let rows = try await (db as! any SQLDatabase).select().column("starts_at").column("ends_at").from("appointments")
            .where("provider_key", .equal, SQLBind(key)).where("status", .equal, SQLBind(AppointmentStatus.booked.rawValue))
            .where("ends_at", .greaterThan, SQLBind(from)).where("starts_at", .lessThan, SQLBind(to.addingTimeInterval(86_400)))
            .orderBy("starts_at").all(decoding: Row.self)
        return rows.map { Slot(start: $0.starts_at, end: $0.ends_at) }
    }

    /// Free slots of a provider whose start lies in `from..<to`, within the booking horizon: none that overlaps a
    /// booked consultation.
    static func freeSlots(key: String, published p: PublishedAvailability, from: Date, to: Date, now: Date, on db: any Database) async throws -> [Slot] {
        let end = min(to, now.addingTimeInterval(TimeInterval(p.horizonDays) * 86_400))
        guard from < end else { return [] }
        let booked = try await booked(key: key, from: from, to: end, on: db)
        return p.availability.slots(from: from, to: end, now: now).filter { slot in
            !booked.contains { $0.start < slot.end && $0.end > slot.start }
        }
    }

    /// Whether `start` is a slot of the grid that can be booked now (ignoring other bookings: the unique
    /// constraint decides those).
    static func isBookable(_ start: Date, _ p: PublishedAvailability, now: Date) -> Slot? {
        guard start <= now.addingTimeInterval(TimeInterval(p.horizonDays) * 86_400) else { return nil }
        return p.availability.slots(from: start, to: start.addingTimeInterval(1), now: now).first { $0.start == start }
    }

    static func slotClaim(_ key: String, _ start: Date) -> String { "\(key)|\(Int(start.timeIntervalSince1970))" }
    static func caseClaim(_ caseID: Int) -> String { "case:\(caseID)" }

    static func isOpenForBooking(_ status: CaseStatus) -> Bool {
        status.visibleToProvider && status.isOpen && status != .treated && status != .aftercare
    }

    static let bookableStatuses = CaseStatus.allCases.filter(isOpenForBooking)

    /// Serializes bookings of one provider on PostgreSQL (a lock held until the transaction ends); SQLite's single
    /// writer already does.
    static func lockProvider(_ key: String, on tx: any Database) async throws {
        let sql = tx as! any SQLDatabase
        guard sql.dialect.name == "postgresql" else { return }
        try await sql.raw("SELECT pg_advisory_xact_lock(hashtext(\(bind: "booking|" + key)))").run()
    }

    /// Whether a booked consultation of the provider overlaps `start..<end` (other than `except`).
    static func overlaps(key: String, start: Date, end: Date, except: String?, on db: any Database) async throws -> Bool {
        var q = (db as! any SQLDatabase).select().column("id").from("appointments").where("provider_key", .equal, SQLBind(key))
            .where("status", .equal, SQLBind(AppointmentStatus.booked.rawValue))
            .where("starts_at", .lessThan, SQLBind(end)).where("ends_at", .greaterThan, SQLBind(start))
        if let except { q = q.where("id", .notEqual, SQLBind(except)) }
        return try await q.limit(1).all().count > 0
    }

    /// Books a slot for a case. A slot is free once: the unique constraint on `slot_claim` decides between two
    /// patients, and the one on `case_claim` between two bookings for one case. Both sides are sent the
    /// invitation (METHOD:REQUEST) and reminders are queued for 24 hours and 1 hour before.
    static func book(_ row: ConsultationCase, start: Date, patientZone: String, actor: SignedInUser, app: Application, source: String,
                     on db: any Database) async throws -> Result<Appointment, BookingRefusal> {
        let now = app.clock.now()
        guard let status = CaseStatus(rawValue: row.status), isOpenForBooking(status) else { return .failure(.caseClosed) }
        guard let (key, published) = try await published(for: row, on: db) else { return .failure(.noAvailability) }
        guard let slot = isBookable(start, published, now: now) else { return .failure(.slotUnavailable) }
        let caseID = try row.requireID()
        let id = UUID().uuidString.lowercased()
        do {
            let appointment = try await app.writes.transaction(on: db) { tx -> Appointment in
                let sql = tx as! any SQLDatabase
                // Still open for booking when the booking is written; the case row stays locked until commit.
                guard try await CaseService.touch(caseID: caseID, allowed: bookableStatuses, now: now, on: tx) else { throw BookingRefusal.caseClosed }
                // No booked consultation of this provider may overlap the new one (a change of slot length or hours
                // can leave bookings off the grid). Bookings of one provider are serialized: by the write gate on
                // SQLite, by a transaction-scoped advisory lock on PostgreSQL.
                try await lockProvider(key, on: tx)
                guard try await !overlaps(key: key, start: slot.start, end: slot.end, except: nil, on: tx) else { throw BookingRefusal.slotUnavailable }
                // A consultation that has ended no longer holds the case.
                try await sql.update("appointments").set("case_claim", to: SQLLiteral.null).where("case_id", .equal, SQLBind(caseID))
                    .where("ends_at", .lessThanOrEqual, SQLBind(now)).run()
                let a = Appointment()
                a.id = id
                a.caseID = caseID
                a.providerKey = key
                a.startsAt = slot.start
                a.endsAt = slot.end
                a.status = AppointmentStatus.booked.rawValue
                a.slotClaim = slotClaim(key, slot.start)
                a.caseClaim = caseClaim(caseID)
                a.sequence = 0
                a.providerZone = published.availability.timeZone
                a.patientZone = patientZone
                a.videoLink = published.videoLink(appointmentID: id)
                a.bookedBy = actor.id
                a.createdAt = now
                a.updatedAt = now
                try await a.create(on: tx)
                // Booked after a quote was accepted, the case moves on; before that, the timeline records the call.
                var caseStatus = status
                if let current = try await ConsultationCase.find(caseID, on: tx).flatMap({ CaseStatus(rawValue: $0.status) }),
                   let next = CaseAction.scheduleConsultation.apply(to: current),
                   try await CaseService.transition(caseID: caseID, from: current, to: next, now: now, on: tx) {
                    caseStatus = next
                } else if let current = try await ConsultationCase.find(caseID, on: tx).flatMap({ CaseStatus(rawValue: $0.status) }) {
                    caseStatus = current
                }
                let dataKey = try await app.vault.dataKey(id: row.dataKeyID, on: tx)
                try await CaseService.addEvent(caseID: caseID, kind: CaseAction.scheduleConsultation.rawValue, status: caseStatus, actor: actor.id,
                                               note: nil, reference: row.reference, key: dataKey, now: now, on: tx)
                try await AuditLog.append(AuditEntry(actorUserID: actor.id, actorRole: actor.role.rawValue, action: "appointment.book",
                                                     objectType: "appointment", objectID: id, source: source), at: now, app: app, on: tx)
                try await notify(a, row: row, method: .request, mail: "mail.appointmentBooked", app: app, now: now, on: tx)
                try await queueReminders(a, row: row, app: app, now: now, on: tx)
                return a
            }
            return .success(appointment)
        } catch let refusal as BookingRefusal {
            return .failure(refusal)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Which claim lost tells the patient what happened.
            let caseTaken = try await Appointment.query(on: db).filter(\.$caseClaim == caseClaim(caseID)).first() != nil
            return .failure(caseTaken ? .alreadyBooked : .slotUnavailable)
        }
    }

    /// Cancels a booked appointment (either side), up to the notice period before its start: one conditional
    /// write; both sides get METHOD:CANCEL with the next SEQUENCE; the reminders are withdrawn.
    static func cancel(_ a: Appointment, row: ConsultationCase, actor: SignedInUser, app: Application, source: String,
                       on db: any Database) async throws -> Result<Void, BookingRefusal> {
        let now = app.clock.now()
        guard a.status == AppointmentStatus.booked.rawValue else { return .failure(.notBooked) }
        let notice = try await noticeMinutes(a, on: db)
        guard now.addingTimeInterval(TimeInterval(notice * 60)) <= a.startsAt else { return .failure(.tooLateToChange) }
        let id = try a.requireID()
        return try await app.writes.transaction(on: db) { tx -> Result<Void, BookingRefusal> in
            guard try await release(a, by: actor.id, now: now, on: tx) else { return .failure(.notBooked) }
            let dataKey = try await app.vault.dataKey(id: row.dataKeyID, on: tx)
            let status = CaseStatus(rawValue: (try await ConsultationCase.find(row.requireID(), on: tx))?.status ?? "") ?? .submitted
            try await CaseService.addEvent(caseID: try row.requireID(), kind: "cancel-consultation", status: status, actor: actor.id, note: nil,
                                           reference: row.reference, key: dataKey, now: now, on: tx)
            try await AuditLog.append(AuditEntry(actorUserID: actor.id, actorRole: actor.role.rawValue, action: "appointment.cancel",
                                                 objectType: "appointment", objectID: id, source: source), at: now, app: app, on: tx)
            try await notify(a, row: row, method: .cancel, mail: "mail.appointmentCancelled", app: app, now: now, on: tx)
            return .success(())
        }
    }

    /// Cancels a booked appointment as it stands (one conditional write on its status and sequence), frees its slot
    /// and its case, and withdraws its reminders. False when it changed meanwhile.
    static func release(_ a: Appointment, by userID: Int?, now: Date, on tx: any Database) async throws -> Bool {
        let id = try a.requireID()
        struct Changed: Decodable { let sequence: Int }
        let changed = try await (tx as! any SQLDatabase).update("appointments").set("status", to: SQLBind(AppointmentStatus.cancelled.rawValue))
            .set("slot_claim", to: SQLLiteral.null).set("case_claim", to: SQLLiteral.null)
            .set("sequence", to: SQLRaw("sequence + 1")).set("cancelled_at", to: SQLBind(now)).set("cancelled_by", to: SQLBind(userID))
            .set("updated_at", to: SQLBind(now))
            .where("id", .equal, SQLBind(id)).where("status", .equal, SQLBind(AppointmentStatus.booked.rawValue))
            .where("sequence", .equal, SQLBind(a.sequence))
            .returning("sequence").all(decoding: Changed.self)
        guard let sequence = changed.first?.sequence else { return false }
        a.sequence = sequence
        a.status = AppointmentStatus.cancelled.rawValue
        try await Outbox.withdraw(idPrefix: "appt-\(id)-", on: tx)
        return true
    }

    /// Moves a booked appointment to another free slot (either side, up to the notice period before the old start):
    /// the same invitation with the next SEQUENCE; the new slot is claimed under the same unique constraint.
    static func reschedule(_ a: Appointment, to start: Date, row: ConsultationCase, actor: SignedInUser, app: Application, source: String,
                           on db: any Database) async throws -> Result<Void, BookingRefusal> {
        let now = app.clock.now()
        guard a.status == AppointmentStatus.booked.rawValue else { return .failure(.notBooked) }
        guard let published = try await published(key: a.providerKey, on: db) else { return .failure(.noAvailability) }
        guard now.addingTimeInterval(TimeInterval(published.availability.noticeMinutes * 60)) <= a.startsAt else { return .failure(.tooLateToChange) }
        guard let slot = isBookable(start, published, now: now), slot.start != a.startsAt else { return .failure(.slotUnavailable) }
        let id = try a.requireID()
        do {
            return try await app.writes.transaction(on: db) { tx -> Result<Void, BookingRefusal> in
                guard try await CaseService.touch(caseID: a.caseID, allowed: bookableStatuses, now: now, on: tx) else { return .failure(.caseClosed) }
                try await lockProvider(a.providerKey, on: tx)
                guard try await !overlaps(key: a.providerKey, start: slot.start, end: slot.end, except: id, on: tx) else { return .failure(.slotUnavailable) }
                struct Changed: Decodable { let sequence: Int }
                let changed = try await (tx as! any SQLDatabase).update("appointments")
                    .set("starts_at", to: SQLBind(slot.start)).set("ends_at", to: SQLBind(slot.end))
                    .set("slot_claim", to: SQLBind(slotClaim(a.providerKey, slot.start))).set("sequence", to: SQLRaw("sequence + 1"))
                    .set("updated_at", to: SQLBind(now))
                    .where("id", .equal, SQLBind(id)).where("status", .equal, SQLBind(AppointmentStatus.booked.rawValue))
                    .where("sequence", .equal, SQLBind(a.sequence))
                    .returning("sequence").all(decoding: Changed.self)
                guard let sequence = changed.first?.sequence else { return .failure(.notBooked) }
                a.sequence = sequence
                a.startsAt = slot.start
                a.endsAt = slot.end
                try await Outbox.withdraw(idPrefix: "appt-\(id)-", on: tx)
                let dataKey = try await app.vault.dataKey(id: row.dataKeyID, on: tx)
                let status = CaseStatus(rawValue: (try await ConsultationCase.find(row.requireID(), on: tx))?.status ?? "") ?? .submitted
                try await CaseService.addEvent(caseID: try row.requireID(), kind: "reschedule-consultation", status: status, actor: actor.id, note: nil,
                                               reference: row.reference, key: dataKey, now: now, on: tx)
                try await AuditLog.append(AuditEntry(actorUserID: actor.id, actorRole: actor.role.rawValue, action: "appointment.reschedule",
                                                     objectType: "appointment", objectID: id, source: source), at: now, app: app, on: tx)
                try await notify(a, row: row, method: .request, mail: "mail.appointmentMoved", app: app, now: now, on: tx)
                try await queueReminders(a, row: row, app: app, now: now, on: tx)
                return .success(())
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return .failure(.slotUnavailable)
        }
    }

    static func noticeMinutes(_ a: Appointment, on db: any Database) async throws -> Int {
        try await published(key: a.providerKey, on: db)?.availability.noticeMinutes ?? 0
    }

    // MARK: invitations and reminders

    static func providerName(_ row: ConsultationCase, on db: any Database) async throws -> String {
        try await QuoteController.providerName(row, on: db)
    }

    static func organizerEmail(_ app: Application) -> String {
        if case .smtp(let settings) = app.config.mail { return settings.from }
        let host = URL(string: app.config.baseURL)?.host ?? "careabroad.invalid"
        return "no-reply@\(host)"
    }

    /// The invitation for one recipient, organized by the platform. Names neither the provider (a surgeon's name
    /// says what the call is about) nor carries the video link: the appointment page shows both to the two parties.
    static func invite(_ a: Appointment, method: CalendarInvite.Method, reference: String, recipient: (name: String, email: String),
                       app: Application) -> CalendarInvite {
        let t = app.localizer
        return CalendarInvite(uid: "\(a.id ?? "")@careabroad", sequence: a.sequence, method: method, start: a.startsAt, end: a.endsAt,
                              timeZone: a.providerZone, summary: t("ics.summary", ["reference": reference]),
                              description: t("ics.description", ["reference": reference]),
                              url: app.config.baseURL + SiteURL.appointment(.value(a.id ?? "")).path,
                              organizer: ("CareAbroad", organizerEmail(app)), attendee: recipient)
    }

    /// Tells the patient and the team, each with the invitation attached.
    static func notify(_ a: Appointment, row: ConsultationCase, method: CalendarInvite.Method, mail: String, app: Application, now: Date,
                       on tx: any Database) async throws {
        let t = app.localizer
        let provider = try await providerName(row, on: tx)
        let link = app.config.baseURL + SiteURL.appointment(.value(a.id ?? "")).path
        var recipients: [(name: String, email: String, zone: String)] = []
        if let patient = try await User.find(row.$patient.id, on: tx) { recipients.append((patient.displayName, patient.email, a.patientZone)) }
        for email in try await CaseService.staffEmails(practitionerID: row.$practitioner.id, organizationID: row.$organization.id, on: tx) {
            recipients.append((provider, email, a.providerZone))
        }
        for r in recipients {
            let ics = invite(a, method: method, reference: row.reference, recipient: (r.name, r.email), app: app).render(stamp: now)
            let when = SlotLabel.text(Slot(start: a.startsAt, end: a.endsAt), patientZone: r.zone, providerZone: r.zone == a.providerZone ? a.patientZone : a.providerZone)
            try await Outbox.enqueue(app, kind: "appointment", to: r.email, subject: t("\(mail).subject", ["reference": row.reference]),
                                     body: t("\(mail).body", ["reference": row.reference, "date": when, "link": link, "provider": provider]), now: now,
                                     attachment: MailAttachment(name: "consultation.ics", mediaType: "text/calendar; method=\(method.rawValue); charset=utf-8",
                                                                content: ics), on: tx)
        }
    }

    /// Reminders 24 hours and 1 hour before, to both sides; named after the appointment and its sequence so a
    /// cancellation or reschedule withdraws them (`Outbox.withdraw`). A reminder whose time has passed is skipped.
    static func queueReminders(_ a: Appointment, row: ConsultationCase, app: Application, now: Date, on tx: any Database) async throws {
        let t = app.localizer
        let id = a.id ?? ""
        let link = app.config.baseURL + SiteURL.appointment(.value(id)).path
        var recipients: [(email: String, zone: String)] = []
        if let patient = try await User.find(row.$patient.id, on: tx) { recipients.append((patient.email, a.patientZone)) }
        for email in try await CaseService.staffEmails(practitionerID: row.$practitioner.id, organizationID: row.$organization.id, on: tx) {
            recipients.append((email, a.providerZone))
        }
        for (label, lead) in [("24h", TimeInterval(86_400)), ("1h", TimeInterval(3_600))] {
            let at = a.startsAt.addingTimeInterval(-lead)
            guard at > now else { continue }
            for (i, r) in recipients.enumerated() {
                let when = SlotLabel.text(Slot(start: a.startsAt, end: a.endsAt), patientZone: r.zone,
                                          providerZone: r.zone == a.providerZone ? a.patientZone : a.providerZone)
                try await Outbox.enqueue(app, kind: "appointment-reminder", to: r.email,
                                         subject: t("mail.appointmentReminder.\(label).subject", ["reference": row.reference]),
                                         body: t("mail.appointmentReminder.body", ["reference": row.reference, "date": when, "link": link]),
                                         now: now, notBefore: at, id: "appt-\(id)-\(a.sequence)-\(label)-\(i)", on: tx)
            }
        }
    }

    // MARK: access

    /// An appointment the signed-in user takes part in (the case's patient, or staff of its provider), with its case.
    static func forParticipant(id: String, user: SignedInUser, on db: any Database) async throws -> (Appointment, ConsultationCase)? {
        guard let a = try await Appointment.find(id, on: db), let row = try await ConsultationCase.find(a.caseID, on: db) else { return nil }
        switch user.role {
        case .patient:
            return row.$patient.id == user.id ? (a, row) : nil
        case .provider:
            return try await CaseService.forStaff(reference: row.reference, userID: user.id, on: db) != nil ? (a, row) : nil
        default:
            return nil
        }
    }

    /// Appointments of a case, soonest first.
    static func appointments(caseID: Int, on db: any Database) async throws -> [Appointment] {
        try await Appointment.query(on: db).filter(\.$caseID == caseID).sort(\.$startsAt).all()
    }

    /// Whether the video link may be shown now (15 minutes before the start until 30 minutes after the end).
    static func linkVisible(_ a: Appointment, now: Date) -> Bool {
        a.status == AppointmentStatus.booked.rawValue && now >= a.startsAt.addingTimeInterval(-linkLead) && now <= a.endsAt.addingTimeInterval(linkGraceAfterEnd)
    }
}
