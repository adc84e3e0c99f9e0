import Foundation
import Plot
import Domain

/// The travel plan of a request: the patient's view (`/cases/{reference}/travel`, with `travel.ics`) and the
/// facilitator's editor (`/pipeline/{reference}/travel`).
enum TravelPages {
    /// "Mon 1 Mar 2027, 14:05" in the line's own zone, with the zone named.
    static func when(_ local: LocalDateTime, zone: String, _ t: Localizer) -> String {
        let d = ISODate.parse(String(format: "%04d-%02d-%02d", local.year, local.month, local.day)).map { t.date($0) } ?? ""
        return "\(d), \(String(format: "%02d:%02d", local.hour, local.minute)) (\(zone))"
    }

    static func list(_ items: [ShownTravelItem], removable: (String) -> Node<HTML.BodyContext>?, _ t: Localizer) -> Node<HTML.BodyContext> {
        guard !items.isEmpty else { return .p(.class("muted"), .plain(t("travel.none"))) }
        return .ol(.class("travel-plan"), .forEach(items) { shown in
            let i = shown.item
            return .li(.class("travel-item travel-\(i.kind.rawValue)"),
                .p(.class("eyebrow"), .plain(t("travel.kind.\(i.kind.rawValue)"))),
                .h3(.plain(i.title)),
                .p(.element(named: "time", nodes: [.attr("datetime", ISODate.timestamp(i.startsAt)), .plain(when(i.start, zone: i.startZone, t))]),
                   .if(i.end != nil, .group(.plain(" → "),
                       .element(named: "time", nodes: [.attr("datetime", ISODate.timestamp(i.endsAt)),
                                                       .plain(i.end.map { when($0, zone: i.endZone ?? i.startZone, t) } ?? "")])))),
                .if(!i.location.isEmpty, .p(.plain(i.location))),
                .if(!i.details.isEmpty, .p(.class("prewrap"), .plain(i.details))),
                .if(!i.bookingReference.isEmpty, .p(.plain(t("travel.bookingReference", ["value": i.bookingReference])))),
                removable(shown.id) ?? .empty)
        })
    }

    static func patient(reference: String, items: [ShownTravelItem], facilitatorName: String?, _ ctx: PageContext) -> String {
        let t = ctx.t
        let title = t("travel.title")
        return Page(title: title, description: title, canonical: nil, noindex: true, body:
            .div(.class("wrap case-page"),
                .p(.class("eyebrow"), .a(.to(SiteURL.caseShow(.value(reference)).path), .plain(t("case.title", ["reference": reference])))),
                .h1(.plain(title)),
                .p(.class("lead"), .plain(facilitatorName.map { t("travel.lead.facilitator", ["name": $0]) } ?? t("travel.lead"))),
                .if(!items.isEmpty, .p(.a(.class("button"), .to(SiteURL.caseTravelCalendar(.value(reference)).path), .plain(t("travel.download"))),
                                       .span(.class("hint"), .plain(" " + t("travel.download.hint"))))),
                list(items, removable: { _ in nil }, t))
        ).render(ctx)
    }

    static func editor(reference: String, items: [ShownTravelItem], csrf: String, state: FormState, _ ctx: PageContext) -> String {
        let t = ctx.t
        let title = t("travel.editor.title", ["reference": reference])
        let labels = ["kind": t("travel.field.kind"), "title": t("travel.field.title"), "start": t("travel.field.start"),
                      "start_zone": t("travel.field.startZone"), "end": t("travel.field.end"), "end_zone": t("travel.field.endZone"),
                      "location": t("travel.field.location"), "details": t("travel.field.details"), "booking_reference": t("travel.field.booking")]
        return Page(title: title, description: title, canonical: nil, noindex: true, body:
            .div(.class("wrap case-page"),
                .p(.class("eyebrow"), .a(.to(SiteURL.pipelineCase(.value(reference)).path), .plain(t("pipeline.case.title", ["reference": reference])))),
                .h1(.plain(title)),
                .p(.class("lead"), .plain(t("travel.editor.lead"))),
                list(items, removable: { id in
                    Fields.form(action: SiteURL.pipelineTravel(.value(reference)).path, csrf: csrf, classes: "inline-form", [
                        Fields.hidden("action", "remove"), Fields.hidden("item", id),
                        .button(.type(.submit), .class("button secondary"), .plain(t("travel.remove")))])
                }, t),
                .section(.class("card"),
                    .h2(.plain(t("travel.add"))),
                    Fields.summary(state, labels: labels, t),
                    Fields.form(action: SiteURL.pipelineTravel(.value(reference)).path, csrf: csrf, [
                        Fields.hidden("action", "add"),
                        Fields.select("kind", label: labels["kind"] ?? "", options: TravelItemKind.allCases.map { ($0.rawValue, t("travel.kind.\($0.rawValue)")) },
                                      state: state, t, required: true),
                        Fields.input("title", label: labels["title"] ?? "", state: state, t, hint: t("travel.field.title.hint"), required: true,
                                     maxLength: TravelItem.maxTitle),
                        Fields.input("start", label: labels["start"] ?? "", type: "datetime-local", state: state, t, hint: t("travel.field.time.hint"), required: true),
                        Fields.input("start_zone", label: labels["start_zone"] ?? "", state: state, t, hint: t("travel.field.zone.hint"), required: true,
                                     maxLength: 64, extra: [.attr("list", "zones")]),
                        Fields.input("end", label: labels["end"] ?? "", type: "datetime-local", state: state, t),
                        Fields.input("end_zone", label: labels["end_zone"] ?? "", state: state, t, hint: t("travel.field.endZone.hint"), maxLength: 64,
                                     extra: [.attr("list", "zones")]),
                        .element(named: "datalist", nodes: [.id("zones"), .forEach(TimeZone.knownTimeZoneIdentifiers.sorted()) {
                            .element(named: "option", nodes: [.attr("value", $0)])
                        }]),
                        Fields.input("location", label: labels["location"] ?? "", state: state, t, maxLength: TravelItem.maxLocation),
                        Fields.textarea("details", label: labels["details"] ?? "", state: state, t, maxLength: TravelItem.maxDetails, rows: 3),
                        Fields.input("booking_reference", label: labels["booking_reference"] ?? "", state: state, t, maxLength: TravelItem.maxReference),
                        .button(.type(.submit), .class("button primary"), .plain(t("travel.add.submit")))]))
            )).render(ctx)
    }
}
