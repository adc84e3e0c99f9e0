import Foundation
import Plot
import Domain

/// Booking (patient), the appointment page (both sides), availability editor and calendar (staff).
enum SchedulePages {
    /// Zones offered as suggestions; any IANA zone may be typed.
    static let commonZones = ["UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Brussels", "Europe/Amsterdam",
                              "Europe/Berlin", "Europe/Madrid", "Europe/Rome", "Europe/Warsaw", "Europe/Prague", "Europe/Budapest",
                              "Europe/Zagreb", "Europe/Athens", "Europe/Istanbul", "Europe/Moscow", "Asia/Dubai", "Asia/Kolkata", "Asia/Bangkok",
                              "Asia/Kuala_Lumpur", "Asia/Singapore", "Asia/Seoul", "Asia/Tokyo", "Australia/Perth", "Australia/Sydney",
                              "Pacific/Auckland", "America/Sao_Paulo", "America/Bogota", "America/Mexico_City", "America/Costa_Rica",
                              "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Toronto", "Africa/Lagos",
                              "Africa/Johannesburg", "Africa/Cairo"]

    static func zoneDatalist() -> Node<HTML.BodyContext> {
        .element(named: "datalist", nodes: [.id("zones"), .forEach(commonZones) { .element(named: "option", nodes: [.attr("value", $0)]) }])
    }

    /// "Tue 1 Dec 2026, 10:00 (Europe/London)" and, beside it, the other side's local time.
    static func when(_ start: Date, zone: String, otherZone: String, _ t: Localizer) -> Node<HTML.BodyContext> {
        let mine = SlotLabel.local(start, zone)
        let other = SlotLabel.local(start, otherZone)
        return .group(.strong(.plain("\(mine.date), \(mine.time)")), .plain(" (\(zone))"),
                      .if(zone != otherZone, .span(.class("hint"), .plain(" · " + t("book.otherSide", [
                          "time": mine.date == other.date ? other.time : "\(other.date), \(other.time)", "zone": otherZone])))))
    }

    // MARK: booking

    struct BookingView: Sendable {
        let reference: String
        let providerName: String
        let zone: String
        let providerZone: String
        let from: Date
        let days: Int
        let slots: [Slot]
        let slotMinutes: Int
        let noticeMinutes: Int
        let hasEarlier: Bool
        let hasLater: Bool
    }

    static func book(_ v: BookingView?, reference: String, providerName: String, csrf: String, state: FormState, _ ctx: PageContext) -> String {
        let t = ctx.t
        return Page(title: t("book.title", ["reference": reference]), description: t("book.title", ["reference": reference]), canonical: nil,
                    noindex: true, body:
            .div(.class("wrap booking-page"),
                .p(.class("eyebrow"), .a(.to(SiteURL.caseShow(.value(reference)).path), .plain(t("case.title", ["reference": reference])))),
                .h1(.plain(t("book.title", ["reference": reference]))),
                .p(.class("lead"), .plain(t("book.lead", ["provider": providerName]))),
                v.map { view(v: $0, csrf: csrf, state: state, t) } ?? .p(.class("notice"), .plain(t("book.noAvailability", ["provider": providerName]))),
                Fragments.disclaimer(t)
            )).render(ctx)
    }

    static func view(v: BookingView, csrf: String, state: FormState, _ t: Localizer) -> Node<HTML.BodyContext> {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: v.zone) ?? TimeZone(identifier: "UTC")!
        let byDay = Dictionary(grouping: v.slots) { SlotLabel.local($0.start, v.zone).date }
        let days = v.slots.map { SlotLabel.local($0.start, v.zone).date }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let base = SiteURL.caseBook(.value(v.reference))
        let fromText = ISODate.format(v.from)
        func shifted(_ d: Int) -> String { ISODate.format(v.from.addingTimeInterval(TimeInterval(d * 86_400))) }
        return .group(
            .element(named: "form", nodes: [.class("filters"), .attr("method", "get"), .attr("action", base.path),
                .div(.class("field"), .label(.attr("for", "zone"), .plain(t("book.zone"))),
                    .selfClosedElement(named: "input", attributes: [Attribute<HTML.BodyContext>.attr("type", "text"), .attr("id", "zone"), .attr("name", "zone"),
                                                                    .attr("list", "zones"), .attr("value", v.zone), .attr("autocomplete", "off")]),
                    zoneDatalist()),
                Fields.hidden("from", fromText),
                .button(.type(.submit), .class("button"), .plain(t("book.showZone")))]),
            .p(.plain(t("book.explain", ["zone": v.zone, "providerZone": v.providerZone, "minutes": "\(v.slotMinutes)",
                                         "hours": "\(v.noticeMinutes / 60)"]))),
            .nav(.class("pagination"), .attr("aria-label", t("book.weeks")),
                .if(v.hasEarlier, .a(.to(base.path(query: [("zone", v.zone), ("from", shifted(-v.days))])), .plain(t("book.earlier")))),
                .if(v.hasLater, .a(.to(base.path(query: [("zone", v.zone), ("from", shifted(v.days))])), .plain(t("book.later"))))),
            v.slots.isEmpty ? .p(.class("notice"), .plain(t("book.noSlots"))) :
            .group(
                Fields.summary(state, labels: ["start": t("book.slot")], t),
                Fields.form(action: base.path, csrf: csrf, classes: "booking-form", [
                    Fields.hidden("zone", v.zone),
                    .element(named: "fieldset", nodes: [.class("slots"),
                        .element(named: "legend", nodes: [.plain(t("book.slot"))]),
                        Fields.errors("start", state, t),
                        .forEach(days) { day in
                            .div(.class("slot-day"), .h3(.plain(day)), .div(.class("slot-grid"), .forEach(byDay[day] ?? []) { slot in
                                let id = "slot-\(Int(slot.start.timeIntervalSince1970))"
                                let other = SlotLabel.local(slot.start, v.providerZone)
                                let mine = SlotLabel.local(slot.start, v.zone)
                                return .div(.class("slot"),
                                    .selfClosedElement(named: "input", attributes: [Attribute<HTML.BodyContext>.attr("type", "radio"), .attr("name", "start"),
                                        .attr("id", id), .attr("value", "\(Int(slot.start.timeIntervalSince1970))"),
                                        .flag("checked", state.value("start") == "\(Int(slot.start.timeIntervalSince1970))")]),
                                    .label(.attr("for", id), .strong(.plain(mine.time)),
                                           .if(v.zone != v.providerZone, .span(.class("hint"), .plain(" · " + t("book.otherSide", [
                                               "time": mine.date == other.date ? other.time : "\(other.date), \(other.time)", "zone": v.providerZone]))))))
                            }))
                        },
                    ]),
                    .button(.type(.submit), .class("button primary"), .plain(t("book.submit")))])))
    }

    // MARK: appointment

    struct AppointmentView: Sendable {
        let id: String
        let reference: String
        let providerName: String
        let start: Date
        let end: Date
        let status: AppointmentStatus
        let sequence: Int
        let viewerZone: String
        let otherZone: String
        let videoLink: String?
        let linkFrom: Date
        let canChange: Bool
        let freeSlots: [Slot]
        let isPatient: Bool
    }

    static func appointment(_ v: AppointmentView, csrf: String, state: FormState, _ ctx: PageContext) -> String {
        let t = ctx.t
        let caseLink = v.isPatient ? SiteURL.caseShow(.value(v.reference)) : SiteURL.inboxCase(.value(v.reference))
        let linkFrom = SlotLabel.local(v.linkFrom, v.viewerZone)
        return Page(title: t("appointment.title", ["reference": v.reference]), description: t("appointment.title", ["reference": v.reference]),
                    canonical: nil, noindex: true, body:
            .div(.class("wrap appointment-page"),
                .p(.class("eyebrow"), .a(.to(caseLink.path), .plain(t("case.title", ["reference": v.reference])))),
                .h1(.plain(t("appointment.title", ["reference": v.reference]))),
                .p(.class("lead"), when(v.start, zone: v.viewerZone, otherZone: v.otherZone, t), .plain(" "),
                   .span(.classes("badge", "appointment-\(v.status.rawValue)"), .plain(t("appointment.status.\(v.status.rawValue)")))),
                .p(.plain(t("appointment.with", ["provider": v.providerName, "minutes": "\(Int(v.end.timeIntervalSince(v.start) / 60))"]))),
                .if(v.status == .booked, .section(.class("video-link"),
                    .h2(.plain(t("appointment.video"))),
                    v.videoLink.map { link in .p(.a(.class("button primary"), .attr("href", link), .attr("rel", "noopener noreferrer"),
                                                    .attr("target", "_blank"), .plain(t("appointment.join")))) }
                        ?? .p(.plain(t("appointment.linkLater", ["time": "\(linkFrom.date), \(linkFrom.time)", "zone": v.viewerZone]))))),
                .p(.a(.class("button"), .to(SiteURL.appointmentCalendar(.value(v.id)).path), .attribute(named: "download", value: "consultation.ics"),
                      .plain(t("appointment.download")))),
                .if(v.status == .booked && v.canChange, .section(.class("appointment-change"),
                    .h2(.plain(t("appointment.change"))),
                    Fields.summary(state, labels: ["start": t("appointment.newTime"), "confirm": t("appointment.cancel.confirm")], t),
                    .if(!v.freeSlots.isEmpty, Fields.form(action: SiteURL.appointmentReschedule(.value(v.id)).path, csrf: csrf, classes: "action-form", [
                        Fields.select("start", label: t("appointment.newTime"), options: v.freeSlots.map { slot in
                            let l = SlotLabel.local(slot.start, v.viewerZone)
                            return ("\(Int(slot.start.timeIntervalSince1970))", "\(l.date), \(l.time) (\(v.viewerZone))")
                        }, state: state, t, required: true),
                        .button(.type(.submit), .class("button"), .plain(t("appointment.reschedule")))])),
                    Fields.form(action: SiteURL.appointmentCancel(.value(v.id)).path, csrf: csrf, classes: "action-form", [
                        Fields.checkbox("confirm", label: t("appointment.cancel.confirm"), state: state, t),
                        .button(.type(.submit), .class("button danger"), .plain(t("appointment.cancel")))]))),
                .if(v.status == .booked && !v.canChange, .p(.class("hint"), .plain(t("appointment.tooLate")))),
                Fragments.disclaimer(t)
            )).render(ctx)
    }

    /// The consultations of a case on its page.
    static func caseSection(reference: String, appointments: [Appointment], viewerZone: (Appointment) -> String, otherZone: (Appointment) -> String,
                            canBook: Bool, viewer: CasePages.Viewer, _ t: Localizer) -> Node<HTML.BodyContext> {
        .section(.class("case-appointments"),
            .h2(.plain(t("appointments.section"))),
            appointments.isEmpty ? .p(.class("hint"), .plain(CasePages.word("appointments.none", viewer, t))) :
                .ul(.forEach(appointments) { a in
                    .li(.element(named: "a", nodes: [.attr("href", SiteURL.appointment(.value(a.id ?? "")).path),
                                                      when(a.startsAt, zone: viewerZone(a), otherZone: otherZone(a), t)]),
                        .plain(" "), .span(.classes("badge", "appointment-\(a.status)"), .plain(t("appointment.status.\(a.status)"))))
                }),
            .if(canBook && viewer == .patient, .p(.a(.class("button primary"), .to(SiteURL.caseBook(.value(reference)).path), .plain(t("book.link"))))))
    }

    // MARK: staff

    struct Workplace: Sendable {
        let key: String
        let name: String
        let practitionerID: Int?
        let organizationID: Int?
        /// The public profile's slug (practitioner or clinic).
        var slug: String = ""
    }

    static let spareWeeklyRows = 3
    static let spareExceptionRows = 2
    static let weekdays = [1, 2, 3, 4, 5, 6, 7]

    static func availabilityEditor(workplaces: [Workplace], current: Workplace, state: FormState, saved: Bool, preview: [Slot], csrf: String,
                                   _ ctx: PageContext) -> String {
        let t = ctx.t
        func cell(_ name: String, _ i: Int) -> String { let v = state.values(name); return i < v.count ? v[i] : "" }
        let extra = state.input.text("intent") == "add-rows"
        let weeklyRows = min(70, max(state.values("weekly_start").count, state.values("weekly_day").count) + (extra ? spareWeeklyRows : 0) + 1)
        let exceptionRows = min(200, state.values("exception_date").count + (extra ? spareExceptionRows : 0) + 1)
        func rowError(_ prefix: String, _ i: Int, _ field: String) -> Node<HTML.BodyContext> {
            let found = state.problems.filter { $0.field == "\(prefix)[\(i)].\(field)" }
            return found.isEmpty ? .empty : .span(.class("field-error"), .id("\(prefix)-\(i)-\(field)-error"),
                                                  .plain(found.map { t.message(for: $0) }.joined(separator: " ")))
        }
        var labels: [String: String] = ["time_zone": t("availability.zone"), "slot_minutes": t("availability.slot"), "notice_hours": t("availability.notice"),
                                        "horizon_days": t("availability.horizon"), "video_link": t("availability.link"), "weekly": t("availability.weekly"),
                                        "exceptions": t("availability.exceptions")]
        var anchors: [String: String] = ["weekly": "weekly-hours", "exceptions": "exceptions"]
        for p in state.problems {
            for prefix in ["weekly", "exceptions"] where p.field.hasPrefix(prefix + "[") {
                let inside = p.field.dropFirst(prefix.count + 1)
                if let close = inside.firstIndex(of: "]"), let n = Int(inside[..<close]) {
                    let field = String(inside[inside.index(after: close)...].dropFirst())
                    labels[p.field] = t("availability.rowLabel", ["n": "\(n + 1)", "field": t("availability.col.\(field)")])
                    anchors[p.field] = "\(prefix)-\(n)-\(field == "weekday" || field == "kind" ? field : field)"
                }
            }
        }
        func timeInput(_ name: String, _ id: String, _ value: String, _ label: String) -> Node<HTML.BodyContext> {
            .selfClosedElement(named: "input", attributes: [Attribute<HTML.BodyContext>.attr("type", "time"), .attr("name", name), .attr("id", id),
                                                            .attr("value", value), .attr("aria-label", label), .attr("step", "300")])
        }
        return Page(title: t("availability.title"), description: t("availability.title"), canonical: nil, noindex: true, body:
            .div(.class("wrap availability-page"),
                .h1(.plain(t("availability.title"))),
                .p(.class("lead"), .plain(t("availability.lead", ["provider": current.name]))),
                .if(workplaces.count > 1, .nav(.class("workplaces"), .ul(.forEach(workplaces) { w in
                    .li(w.key == current.key ? .strong(.plain(w.name)) : .a(.to(SiteURL.practiceAvailability.path(query: [("provider", w.key)])), .plain(w.name)))
                }))),
                .if(saved, .p(.class("notice success"), .attr("role", "status"), .plain(t("availability.saved")))),
                .p(.a(.to(SiteURL.practiceCalendar.path), .plain(t("calendar.title")))),
                Fields.summary(state, labels: labels, t, anchors: anchors),
                Fields.form(action: SiteURL.practiceAvailability.path(query: [("provider", current.key)]), csrf: csrf, classes: "availability-form", [
                    .div(.class("field-row"),
                        .div(.group(Fields.input("time_zone", label: t("availability.zone"), state: state, t, hint: t("availability.zone.hint"), required: true,
                                                 extra: [.attr("list", "zones"), .attr("autocomplete", "off")]), zoneDatalist())),
                        Fields.select("slot_minutes", label: t("availability.slot"), options: [15, 20, 30, 45, 60, 90].map { ("\($0)", t("availability.minutes", ["minutes": "\($0)"])) },
                                      state: state, t, required: true)),
                    .div(.class("field-row"),
                        Fields.input("notice_hours", label: t("availability.notice"), type: "number", state: state, t, hint: t("availability.notice.hint"),
                                     required: true, extra: [.attr("min", "0"), .attr("max", "720")]),
                        Fields.input("horizon_days", label: t("availability.horizon"), type: "number", state: state, t, hint: t("availability.horizon.hint"),
                                     required: true, extra: [.attr("min", "1"), .attr("max", "180")])),
                    Fields.input("video_link", label: t("availability.link"), type: "url", state: state, t, hint: t("availability.link.hint"), required: true,
                                 maxLength: PublishedAvailability.maxLinkLength),
                    .element(named: "fieldset", nodes: [.class("rows"), .id("weekly-hours"),
                        .element(named: "legend", nodes: [.plain(t("availability.weekly"))]),
                        .p(.class("hint"), .plain(t("availability.weekly.hint"))),
                        Fields.errors("weekly", state, t),
                        .div(.class("table-scroll"), .table(
                            .thead(.tr(.th(.plain(t("availability.col.weekday"))), .th(.plain(t("availability.col.start"))), .th(.plain(t("availability.col.end"))))),
                            .tbody(.forEach(Array(0..<weeklyRows)) { i in
                                let day = cell("weekly_day", i).isEmpty ? "1" : cell("weekly_day", i)
                                return .tr(
                                    .td(.element(named: "select", nodes: [.attr("name", "weekly_day"), .attr("id", "weekly-\(i)-weekday"),
                                                                          .attr("aria-label", t("availability.rowLabel", ["n": "\(i + 1)", "field": t("availability.col.weekday")])),
                                        .forEach(weekdays) { d in .element(named: "option", nodes: [.attr("value", "\(d)"), .flag("selected", "\(d)" == day), .plain(t("weekday.\(d)"))]) }]),
                                        rowError("weekly", i, "weekday")),
                                    .td(timeInput("weekly_start", "weekly-\(i)-start", cell("weekly_start", i), t("availability.rowLabel", ["n": "\(i + 1)", "field": t("availability.col.start")])),
                                        rowError("weekly", i, "start")),
                                    .td(timeInput("weekly_end", "weekly-\(i)-end", cell("weekly_end", i), t("availability.rowLabel", ["n": "\(i + 1)", "field": t("availability.col.end")])),
                                        rowError("weekly", i, "end")))
                            })))]),
                    .element(named: "fieldset", nodes: [.class("rows"), .id("exceptions"),
                        .element(named: "legend", nodes: [.plain(t("availability.exceptions"))]),
                        .p(.class("hint"), .plain(t("availability.exceptions.hint"))),
                        .div(.class("table-scroll"), .table(
                            .thead(.tr(.th(.plain(t("availability.col.date"))), .th(.plain(t("availability.col.kind"))),
                                       .th(.plain(t("availability.col.start"))), .th(.plain(t("availability.col.end"))))),
                            .tbody(.forEach(Array(0..<exceptionRows)) { i in
                                let kind = cell("exception_kind", i).isEmpty ? "closed" : cell("exception_kind", i)
                                return .tr(
                                    .td(.selfClosedElement(named: "input", attributes: [Attribute<HTML.BodyContext>.attr("type", "date"), .attr("name", "exception_date"),
                                        .attr("id", "exceptions-\(i)-date"), .attr("value", cell("exception_date", i)),
                                        .attr("aria-label", t("availability.rowLabel", ["n": "\(i + 1)", "field": t("availability.col.date")]))]),
                                        rowError("exceptions", i, "date")),
                                    .td(.element(named: "select", nodes: [.attr("name", "exception_kind"), .attr("id", "exceptions-\(i)-kind"),
                                                                          .attr("aria-label", t("availability.rowLabel", ["n": "\(i + 1)", "field": t("availability.col.kind")])),
                                        .forEach(["closed", "extra"]) { k in .element(named: "option", nodes: [.attr("value", k), .flag("selected", k == kind), .plain(t("availability.kind.\(k)"))]) }])),
                                    .td(timeInput("exception_start", "exceptions-\(i)-start", cell("exception_start", i),
                                                  t("availability.rowLabel", ["n": "\(i + 1)", "field": t("availability.col.start")])), rowError("exceptions", i, "start")),
                                    .td(timeInput("exception_end", "exceptions-\(i)-end", cell("exception_end", i),
                                                  t("availability.rowLabel", ["n": "\(i + 1)", "field": t("availability.col.end")])), rowError("exceptions", i, "end")))
                            })))]),
                    .div(.class("form-actions"),
                        .button(.type(.submit), .attr("name", "intent"), .attr("value", "add-rows"), .class("button"), .plain(t("availability.addRows"))),
                        .button(.type(.submit), .attr("name", "intent"), .attr("value", "save"), .class("button primary"), .plain(t("availability.save")))),
                ]),
                .if(!preview.isEmpty, .section(.class("availability-preview"),
                    .h2(.plain(t("availability.preview"))),
                    .ul(.class("compact"), .forEach(preview.prefix(12)) { slot in
                        let l = SlotLabel.local(slot.start, state.value("time_zone"))
                        return .li(.plain("\(l.date), \(l.time)"))
                    })))
            )).render(ctx)
    }

    struct CalendarEntry: Sendable {
        let appointment: Appointment
        let reference: String
    }

    static func calendar(entries: [CalendarEntry], from: Date, days: Int, zone: String, _ ctx: PageContext) -> String {
        let t = ctx.t
        func shifted(_ d: Int) -> String { ISODate.format(from.addingTimeInterval(TimeInterval(d * 86_400))) }
        return Page(title: t("calendar.title"), description: t("calendar.title"), canonical: nil, noindex: true, body:
            .div(.class("wrap calendar-page"),
                .h1(.plain(t("calendar.title"))),
                .p(.class("lead"), .plain(t("calendar.lead", ["from": t.date(from), "days": "\(days)"]))),
                .p(.a(.to(SiteURL.practiceAvailability.path), .plain(t("availability.title")))),
                .nav(.class("pagination"), .a(.to(SiteURL.practiceCalendar.path(query: [("from", shifted(-days))])), .plain(t("book.earlier"))),
                     .a(.to(SiteURL.practiceCalendar.path(query: [("from", shifted(days))])), .plain(t("book.later")))),
                entries.isEmpty ? .p(.class("hint"), .plain(t("calendar.empty"))) :
                .table(.class("cases"),
                    .thead(.tr(.th(.plain(t("calendar.col.when"))), .th(.plain(t("cases.col.reference"))), .th(.plain(t("cases.col.status"))),
                               .th(.plain(t("calendar.col.open"))))),
                    .tbody(.forEach(entries) { e in
                        .tr(.td(when(e.appointment.startsAt, zone: e.appointment.providerZone, otherZone: e.appointment.patientZone, t)),
                            .td(.a(.to(SiteURL.inboxCase(.value(e.reference)).path), .plain(e.reference))),
                            .td(.span(.classes("badge", "appointment-\(e.appointment.status)"), .plain(t("appointment.status.\(e.appointment.status)")))),
                            .td(.a(.to(SiteURL.appointment(.value(e.appointment.id ?? "")).path), .plain(t("calendar.open")))))
                    }))
            )).render(ctx)
    }
}
