import Foundation
import Fluent
import SQLKit
import Vapor
import Domain

/// Video consultations: booking (`/cases/{reference}/book`), the appointment page and its calendar file (both
/// sides), availability and calendar (staff). Others' appointments answer 404, audited.
enum ScheduleController {
    static let bookingDays = 7

    static func validZone(_ raw: String) -> Bool { raw.count <= 64 && TimeZone(identifier: raw) != nil }

    /// The zone the patient sees times in: `?zone=`, else the one given in the request, else UTC.
    static func patientZone(_ req: Request, _ row: ConsultationCase, fallback: String? = nil) async throws -> String {
        if let raw = try req.queryParameters().single("zone") {
            guard validZone(raw) else { throw ParameterError("zone", .unknownValue) }
            return raw
        }
        if let fallback, validZone(fallback) { return fallback }
        let zone = try await CaseService.detail(row, app: req.application, on: req.db).payload?.request.timeZone ?? "UTC"
        return validZone(zone) ? zone : "UTC"
    }

    // MARK: booking

    @Sendable static func bookForm(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.patient])
        let row = try await QuoteController.patientCase(req, user)
        return try await renderBooking(req, row, zone: try await patientZone(req, row), state: FormState(), status: .ok)
    }

    static func renderBooking(_ req: Request, _ row: ConsultationCase, zone: String, state: FormState, status: HTTPStatus) async throws -> Response {
        let now = req.application.clock.now()
        let providerName = try await QuoteController.providerName(row, on: req.db)
        guard let caseStatus = CaseStatus(rawValue: row.status), SchedulingService.isOpenForBooking(caseStatus) else {
            throw Abort(.conflict, reason: req.application.localizer(BookingRefusal.caseClosed.key))
        }
        var view: SchedulePages.BookingView?
        if let (key, published) = try await SchedulingService.published(for: row, on: req.db) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: zone) ?? TimeZone(identifier: "UTC")!
            let todayStart = calendar.startOfDay(for: now)
            var from = todayStart
            if let raw = try req.queryParameters().single("from") {
                guard let day = ISODate.parse(raw) else { throw ParameterError("from", .malformed) }
                let c = ISODate.utcCalendar.dateComponents([.year, .month, .day], from: day)
                from = max(todayStart, calendar.date(from: c) ?? todayStart)
            }
            let to = calendar.date(byAdding: .day, value: bookingDays, to: from) ?? from.addingTimeInterval(7 * 86_400)
            let slots = try await SchedulingService.freeSlots(key: key, published: published, from: from, to: to, now: now, on: req.db)
            let horizonEnd = now.addingTimeInterval(TimeInterval(published.horizonDays) * 86_400)
            view = SchedulePages.BookingView(reference: row.reference, providerName: providerName, zone: zone, providerZone: published.availability.timeZone,
                                             from: from, days: bookingDays, slots: slots, slotMinutes: published.availability.slotMinutes,
                                             noticeMinutes: published.availability.noticeMinutes, hasEarlier: from > todayStart, hasLater: to < horizonEnd)
        }
        return .html(SchedulePages.book(view, reference: row.reference, providerName: providerName, csrf: req.csrfToken, state: state, req.pageContext),
                     status: status)
    }

    @Sendable static func book(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser(roles: [.patient])
        let row = try await QuoteController.patientCase(req, user)
        let zoneText = form.input.text("zone") ?? ""
        let zone = validZone(zoneText) ? zoneText : try await patientZone(req, row)
        var reader = FormReader(form.input)
        guard let epoch = reader.integer("start", in: 0...4_102_444_800, required: true) else {
            return try await renderBooking(req, row, zone: zone, state: FormState(form.input, problems: reader.problems), status: .unprocessableEntity)
        }
        switch try await SchedulingService.book(row, start: Date(timeIntervalSince1970: TimeInterval(epoch)), patientZone: zone, actor: user,
                                                app: req.application, source: req.auditSource, on: req.db) {
        case .success(let a): return CaseController.redirect(SiteURL.appointment(.value(a.id ?? "")).path)
        case .failure(let refusal): throw Abort(.conflict, reason: req.application.localizer(refusal.key))
        }
    }

    // MARK: appointment

    static func participant(_ req: Request, _ user: SignedInUser, id: String) async throws -> (Appointment, ConsultationCase) {
        guard let found = try await SchedulingService.forParticipant(id: id, user: user, on: req.db) else {
            try await AuditLog.record(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "appointment.view", objectType: "appointment",
                                                 objectID: id, source: req.auditSource, outcome: .denied), app: req.application)
            throw Abort(.notFound)
        }
        return found
    }

    @Sendable static func show(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.patient, .provider])
        let (id, calendarFile) = try req.appointmentID()
        let (a, row) = try await participant(req, user, id: id)
        try await AuditLog.record(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: calendarFile ? "appointment.calendar" : "appointment.view",
                                             objectType: "appointment", objectID: id, source: req.auditSource), app: req.application)
        if calendarFile { return try await calendar(req, user, a, row) }
        return try await render(req, user, a, row, state: FormState(), status: .ok)
    }

    static func render(_ req: Request, _ user: SignedInUser, _ a: Appointment, _ row: ConsultationCase, state: FormState, status: HTTPStatus) async throws -> Response {
        let now = req.application.clock.now()
        let isPatient = user.role == .patient
        let notice = try await SchedulingService.noticeMinutes(a, on: req.db)
        let booked = a.status == AppointmentStatus.booked.rawValue
        let canChange = booked && now.addingTimeInterval(TimeInterval(notice * 60)) <= a.startsAt
        var free: [Slot] = []
        if canChange, let published = try await SchedulingService.published(key: a.providerKey, on: req.db) {
            free = Array(try await SchedulingService.freeSlots(key: a.providerKey, published: published, from: now, to: now.addingTimeInterval(14 * 86_400),
                                                               now: now, on: req.db).prefix(80))
        }
        let view = SchedulePages.AppointmentView(
            id: a.id ?? "", reference: row.reference, providerName: try await QuoteController.providerName(row, on: req.db), start: a.startsAt,
            end: a.endsAt, status: AppointmentStatus(rawValue: a.status) ?? .cancelled, sequence: a.sequence,
            viewerZone: isPatient ? a.patientZone : a.providerZone, otherZone: isPatient ? a.providerZone : a.patientZone,
            videoLink: SchedulingService.linkVisible(a, now: now) ? a.videoLink : nil, linkFrom: a.startsAt.addingTimeInterval(-SchedulingService.linkLead),
            canChange: canChange, freeSlots: free, isPatient: isPatient)
        return .html(SchedulePages.appointment(view, csrf: req.csrfToken, state: state, req.pageContext), status: status)
    }

    /// The `.ics` file for the viewer: the current invitation (REQUEST), or the cancellation.
    static func calendar(_ req: Request, _ user: SignedInUser, _ a: Appointment, _ row: ConsultationCase) async throws -> Response {
        let method: CalendarInvite.Method = a.status == AppointmentStatus.booked.rawValue ? .request : .cancel
        let invite = SchedulingService.invite(a, method: method, reference: row.reference, recipient: (user.displayName, user.email), app: req.application)
        let response = Response(status: .ok, body: .init(string: invite.render(stamp: req.application.clock.now())))
        response.headers.replaceOrAdd(name: .contentType, value: "text/calendar; method=\(method.rawValue); charset=utf-8")
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"consultation-\(row.reference).ics\"")
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    @Sendable static func cancel(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser(roles: [.patient, .provider])
        let (id, _) = try req.appointmentID()
        let (a, row) = try await participant(req, user, id: id)
        guard FormReader(form.input).checked("confirm") else {
            return try await render(req, user, a, row, state: FormState(form.input, problems: [FieldProblem("confirm", .consentMissing)]),
                                    status: .unprocessableEntity)
        }
        switch try await SchedulingService.cancel(a, row: row, actor: user, app: req.application, source: req.auditSource, on: req.db) {
        case .success: return CaseController.redirect(SiteURL.appointment(.value(id)).path)
        case .failure(let refusal): throw Abort(.conflict, reason: req.application.localizer(refusal.key))
        }
    }

    @Sendable static func reschedule(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser(roles: [.patient, .provider])
        let (id, _) = try req.appointmentID()
        let (a, row) = try await participant(req, user, id: id)
        var reader = FormReader(form.input)
        guard let epoch = reader.integer("start", in: 0...4_102_444_800, required: true) else {
            return try await render(req, user, a, row, state: FormState(form.input, problems: reader.problems), status: .unprocessableEntity)
        }
        switch try await SchedulingService.reschedule(a, to: Date(timeIntervalSince1970: TimeInterval(epoch)), row: row, actor: user,
                                                      app: req.application, source: req.auditSource, on: req.db) {
        case .success: return CaseController.redirect(SiteURL.appointment(.value(id)).path)
        case .failure(let refusal): throw Abort(.conflict, reason: req.application.localizer(refusal.key))
        }
    }

    // MARK: staff

    static func workplaces(_ req: Request, _ user: SignedInUser) async throws -> [SchedulePages.Workplace] {
        let places = try await CaseService.workplaces(userID: user.id, on: req.db)
        var list: [SchedulePages.Workplace] = []
        for id in places.practitioners {
            if let p = try await Practitioner.find(id, on: req.db) {
                list.append(.init(key: ProviderKey.practitioner(id), name: p.displayName, practitionerID: id, organizationID: nil, slug: p.slug))
            }
        }
        for id in places.organizations {
            if let o = try await Organization.find(id, on: req.db) {
                list.append(.init(key: ProviderKey.organization(id), name: o.name, practitionerID: nil, organizationID: id, slug: o.slug))
            }
        }
        return list
    }

    static func currentWorkplace(_ req: Request, _ list: [SchedulePages.Workplace]) throws -> SchedulePages.Workplace {
        guard !list.isEmpty else { throw Abort(.notFound) }
        guard let raw = try req.queryParameters().single("provider") else { return list[0] }
        guard let found = list.first(where: { $0.key == raw }) else { throw Abort(.notFound) }
        return found
    }

    @Sendable static func availabilityForm(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.provider])
        let list = try await workplaces(req, user)
        let current = try currentWorkplace(req, list)
        let published = try await SchedulingService.published(key: current.key, on: req.db)
        var input = published?.formInput ?? FormInput()
        if published == nil {
            input["slot_minutes"] = "30"; input["notice_hours"] = "24"; input["horizon_days"] = "60"; input["time_zone"] = "UTC"
        }
        let preview = try await preview(req, key: current.key, published)
        return .html(SchedulePages.availabilityEditor(workplaces: list, current: current, state: FormState(input), saved: (try? req.queryParameters().single("saved")) != nil,
                                                      preview: preview, csrf: req.csrfToken, req.pageContext))
    }

    static func preview(_ req: Request, key: String, _ published: PublishedAvailability?) async throws -> [Slot] {
        guard let published else { return [] }
        let now = req.application.clock.now()
        return try await SchedulingService.freeSlots(key: key, published: published, from: now, to: now.addingTimeInterval(14 * 86_400), now: now, on: req.db)
    }

    @Sendable static func availabilitySave(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser(roles: [.provider])
        let list = try await workplaces(req, user)
        let current = try currentWorkplace(req, list)
        if form.input.text("intent") == "add-rows" {
            return .html(SchedulePages.availabilityEditor(workplaces: list, current: current, state: FormState(form.input), saved: false, preview: [],
                                                          csrf: req.csrfToken, req.pageContext))
        }
        switch PublishedAvailability.read(form.input) {
        case .failure(let error):
            return .html(SchedulePages.availabilityEditor(workplaces: list, current: current, state: FormState(form.input, problems: error.problems),
                                                          saved: false, preview: [], csrf: req.csrfToken, req.pageContext), status: .unprocessableEntity)
        case .success(let published):
            try await SchedulingService.save(published, key: current.key, practitionerID: current.practitionerID, organizationID: current.organizationID,
                                             actor: user, app: req.application, source: req.auditSource, on: req.db)
            return CaseController.redirect(SiteURL.practiceAvailability.path(query: [("provider", current.key), ("saved", "1")]))
        }
    }

    static let calendarDays = 14

    @Sendable static func calendar(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.provider])
        let list = try await workplaces(req, user)
        let places = try await CaseService.workplaces(userID: user.id, on: req.db)
        let now = req.application.clock.now()
        var from = ISODate.parse(ISODate.format(now)) ?? now
        if let raw = try req.queryParameters().single("from") {
            guard let day = ISODate.parse(raw) else { throw ParameterError("from", .malformed) }
            from = day
        }
        let to = from.addingTimeInterval(TimeInterval(calendarDays) * 86_400)
        // The appointments of every case addressed to one of the staff member's workplaces.
        var entries: [SchedulePages.CalendarEntry] = []
        if !places.practitioners.isEmpty || !places.organizations.isEmpty {
            let appointments = try await Appointment.query(on: req.db).join(ConsultationCase.self, on: \Appointment.$caseID == \ConsultationCase.$id)
                .group(.or) { or in
                    if !places.practitioners.isEmpty { or.filter(ConsultationCase.self, \.$practitioner.$id ~~ places.practitioners) }
                    if !places.organizations.isEmpty { or.filter(ConsultationCase.self, \.$organization.$id ~~ places.organizations) }
                }
                .filter(\.$startsAt >= from).filter(\.$startsAt < to).sort(\.$startsAt).limit(500).all()
            for a in appointments {
                let row = try a.joined(ConsultationCase.self)
                entries.append(.init(appointment: a, reference: row.reference))
            }
        }
        _ = list
        return .html(SchedulePages.calendar(entries: entries, from: from, days: calendarDays, zone: "UTC", req.pageContext))
    }
}
