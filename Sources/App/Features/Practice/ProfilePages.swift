import Foundation
import Plot
import Domain

/// `/practice/profile`: the listing as its practice edits it — about, procedures and prices, locations with
/// their opening hours, a new location. One form per part; each answers at its field and row.
extension PracticePages {
    enum ProfileSection: String, Sendable { case about, offers, hours, location }

    struct ProfileState: Sendable {
        var section: ProfileSection?
        var state: FormState
        /// The location whose hours form the state belongs to.
        var location: Int?
        var extraRows = false
    }

    static func rowError(_ state: FormState, _ prefix: String, _ i: Int, _ field: String, _ t: Localizer) -> Node<HTML.BodyContext> {
        let found = state.problems.filter { $0.field == "\(prefix)[\(i)].\(field)" }
        return found.isEmpty ? .empty : .span(.class("field-error"), .id("\(prefix)-\(i)-\(field)-error"),
                                              .plain(found.map { t.message(for: $0) }.joined(separator: " ")))
    }

    static func cellSelect(_ name: String, id: String, label: String, options: [(String, String)], selected: String) -> Node<HTML.BodyContext> {
        .element(named: "select", nodes: [.attr("name", name), .attr("id", id), .attr("aria-label", label),
            .forEach(options) { v, text in .element(named: "option", nodes: [.attr("value", v), .flag("selected", v == selected), .plain(text)]) }])
    }

    static func cellInput(_ name: String, id: String, label: String, value: String, type: String = "text", extra: [Attribute<HTML.BodyContext>] = []) -> Node<HTML.BodyContext> {
        .selfClosedElement(named: "input", attributes: [Attribute<HTML.BodyContext>.attr("type", type), .attr("name", name), .attr("id", id),
                                                        .attr("value", value), .attr("aria-label", label)] + extra)
    }

    static func rowLabels(_ state: FormState, prefix: String, column: (String) -> String, _ t: Localizer) -> (labels: [String: String], anchors: [String: String]) {
        var labels: [String: String] = [:], anchors: [String: String] = [:]
        for p in state.problems where p.field.hasPrefix(prefix + "[") {
            let inside = p.field.dropFirst(prefix.count + 1)
            if let close = inside.firstIndex(of: "]"), let n = Int(inside[..<close]) {
                let field = String(inside[inside.index(after: close)...].dropFirst())
                labels[p.field] = t("availability.rowLabel", ["n": "\(n + 1)", "field": column(field)])
                anchors[p.field] = "\(prefix)-\(n)-\(field)"
            }
        }
        return (labels, anchors)
    }

    static func profile(current: SchedulePages.Workplace, workplaces: [SchedulePages.Workplace], snapshot s: ProfileService.Snapshot, edit: ProfileState,
                        saved: String?, csrf: String, languages: [(String, String)], countries: [(String, String)], _ ctx: PageContext) -> String {
        let t = ctx.t
        let action = SiteURL.practiceProfile.path(query: [("provider", current.key)])
        func state(_ section: ProfileSection, location: Int? = nil) -> FormState {
            if edit.section == section && edit.location == location { return edit.state }
            switch section {
            case .about: return FormState(s.about)
            case .offers: return FormState(OfferTable.formInput(s.offers))
            case .hours: return FormState(OpeningHours.formInput(s.locations.first { $0.id == location }?.hours ?? []))
            case .location: return FormState()
            }
        }
        let isPractitioner = current.practitionerID != nil

        // About
        let about = state(.about)
        let aboutLabels = isPractitioner
            ? ["bio": t("practice.profile.bio"), "languages": t("practice.profile.languages"), "practicing_since": t("practice.profile.since"),
               "accepting": t("practice.profile.accepting"), "techniques": t("practice.profile.techniques")]
            : ["description": t("practice.profile.description"), "website": t("practice.profile.website")]
        let aboutForm: Node<HTML.BodyContext> = .section(.id("about"),
            .h2(.plain(t("practice.profile.about"))),
            .p(.class("hint"), .plain(t("practice.profile.about.hint"))),
            .if(edit.section == .about, Fields.summary(about, labels: aboutLabels, t, anchors: ["languages": "languages-0", "accepting": "accepting-0"])),
            Fields.form(action: action + "#about", csrf: csrf, [
                Fields.hidden("section", "about"), Fields.hidden("version", "\(s.version)"),
                isPractitioner ? .group(
                    Fields.textarea("bio", label: aboutLabels["bio"]!, state: about, t, hint: t("practice.profile.bio.hint"), required: true,
                                    maxLength: PractitionerAbout.maxBio, rows: 8),
                    Fields.choices("languages", legend: aboutLabels["languages"]!, options: languages, multiple: true, state: about, t),
                    Fields.input("practicing_since", label: aboutLabels["practicing_since"]!, type: "number", state: about, t,
                                 hint: t("practice.profile.since.hint"), extra: [.attr("min", "1940"), .attr("max", "2100")]),
                    Fields.choices("accepting", legend: aboutLabels["accepting"]!, options: [("yes", t("practice.profile.accepting.yes")),
                                   ("no", t("practice.profile.accepting.no")), ("", t("practice.profile.accepting.unsaid"))], state: about, t),
                    Fields.textarea("techniques", label: aboutLabels["techniques"]!, state: about, t, hint: t("practice.profile.techniques.hint"),
                                    maxLength: PractitionerAbout.maxTechniques * (PractitionerAbout.maxTechnique + 1), rows: 4)
                ) : .group(
                    Fields.textarea("description", label: aboutLabels["description"]!, state: about, t, required: true, maxLength: PractitionerAbout.maxBio, rows: 8),
                    Fields.input("website", label: aboutLabels["website"]!, type: "url", state: about, t, maxLength: RegisterLink.maxLength)
                ),
                .button(.type(.submit), .class("button primary"), .plain(t("practice.profile.save"))),
            ]))

        // Procedures and prices
        let offers = state(.offers)
        func cell(_ name: String, _ i: Int) -> String { let v = offers.values(name); return i < v.count ? v[i] : "" }
        let rows = min(OfferTable.maxRows, offers.values("offer_procedure").count + (edit.section == .offers && edit.extraRows ? 3 : 1))
        let columns = ["procedure": t("table.procedure"), "location": t("practice.profile.location"), "practitioner": t("practice.profile.performedBy"),
                       "min": t("practice.profile.priceFrom"), "max": t("practice.profile.priceTo"), "currency": t("practice.profile.currency")]
        let offerErrors = rowLabels(offers, prefix: "offers", column: { columns[$0] ?? $0 }, t)
        let procedureOptions = [("", t("practice.profile.noProcedure"))] + s.procedures
        let locationOptions = s.locations.map { ("\($0.id)", $0.name) }
        let teamOptions = [("", t("practice.profile.wholeClinic"))] + s.team.map { ("\($0.id)", $0.name) }
        let currencyOptions = [("", "–")] + ExchangeRates.reference.perEuro.keys.map(\.code).sorted().map { ($0, $0) }
        let offersForm: Node<HTML.BodyContext> = .section(.id("offers"),
            .h2(.plain(t("practice.profile.offers"))),
            .p(.class("hint"), .plain(t("practice.profile.offers.hint"))),
            .if(edit.section == .offers, Fields.summary(offers, labels: offerErrors.labels.merging(["offers": t("practice.profile.offers")]) { $1 }, t,
                                                        anchors: offerErrors.anchors)),
            Fields.errors("offers", offers, t),
            Fields.form(action: action + "#offers", csrf: csrf, [
                Fields.hidden("section", "offers"), Fields.hidden("version", "\(s.version)"),
                .div(.class("table-scroll"), .table(.class("rows"),
                    .thead(.tr(.th(.plain(columns["procedure"]!)), .th(.plain(columns["location"]!)), .if(!isPractitioner, .th(.plain(columns["practitioner"]!))),
                               .th(.plain(columns["min"]!)), .th(.plain(columns["max"]!)), .th(.plain(columns["currency"]!)))),
                    .tbody(.forEach(Array(0..<rows)) { i in
                        func label(_ c: String) -> String { t("availability.rowLabel", ["n": "\(i + 1)", "field": columns[c] ?? c]) }
                        return .tr(
                            .td(cellSelect("offer_procedure", id: "offers-\(i)-procedure", label: label("procedure"), options: procedureOptions,
                                           selected: cell("offer_procedure", i)), rowError(offers, "offers", i, "procedure", t)),
                            .td(cellSelect("offer_location", id: "offers-\(i)-location", label: label("location"), options: locationOptions,
                                           selected: cell("offer_location", i)), rowError(offers, "offers", i, "location", t)),
                            .if(!isPractitioner, .td(cellSelect("offer_practitioner", id: "offers-\(i)-practitioner", label: label("practitioner"), options: teamOptions,
                                                               selected: cell("offer_practitioner", i)), rowError(offers, "offers", i, "practitioner", t))),
                            .td(cellInput("offer_min", id: "offers-\(i)-min", label: label("min"), value: cell("offer_min", i), extra: [.attr("inputmode", "decimal"), .attr("size", "9")]),
                                rowError(offers, "offers", i, "min", t)),
                            .td(cellInput("offer_max", id: "offers-\(i)-max", label: label("max"), value: cell("offer_max", i), extra: [.attr("inputmode", "decimal"), .attr("size", "9")]),
                                rowError(offers, "offers", i, "max", t)),
                            .td(cellSelect("offer_currency", id: "offers-\(i)-currency", label: label("currency"), options: currencyOptions, selected: cell("offer_currency", i)),
                                rowError(offers, "offers", i, "currency", t)))
                    }))),
                .div(.class("form-actions"),
                    .button(.type(.submit), .attr("name", "intent"), .attr("value", "add-rows"), .class("button"), .plain(t("availability.addRows"))),
                    .button(.type(.submit), .attr("name", "intent"), .attr("value", "save"), .class("button primary"), .plain(t("practice.profile.save")))),
            ]))

        // Locations and opening hours
        let hoursForms: Node<HTML.BodyContext> = .section(.id("locations"),
            .h2(.plain(t("practice.profile.locations"))),
            .p(.class("hint"), .plain(t("practice.profile.hours.hint"))),
            .forEach(s.locations) { l in
                let hs = state(.hours, location: l.id)
                func hcell(_ name: String, _ i: Int) -> String { let v = hs.values(name); return i < v.count ? v[i] : "" }
                let hrows = min(OpeningHours.maxRows, hs.values("hours_start").count + (edit.section == .hours && edit.location == l.id && edit.extraRows ? 3 : 1))
                let hcols = ["weekday": t("availability.col.weekday"), "start": t("practice.profile.opens"), "end": t("practice.profile.closes")]
                let herr = rowLabels(hs, prefix: "hours", column: { hcols[$0] ?? $0 }, t)
                return .div(.class("location-hours"), .id("location-\(l.id)"),
                    .h3(.plain(l.name)), .p(.class("muted"), .plain("\(l.address), \(t.country(l.country))")),
                    .if(edit.section == .hours && edit.location == l.id, Fields.summary(hs, labels: herr.labels, t, anchors: herr.anchors)),
                    Fields.form(action: action + "#location-\(l.id)", csrf: csrf, [
                        Fields.hidden("section", "hours"), Fields.hidden("version", "\(s.version)"), Fields.hidden("location", "\(l.id)"),
                        .div(.class("table-scroll"), .table(.class("rows"),
                            .caption(.plain(t("practice.profile.hours", ["name": l.name]))),
                            .thead(.tr(.th(.plain(hcols["weekday"]!)), .th(.plain(hcols["start"]!)), .th(.plain(hcols["end"]!)))),
                            .tbody(.forEach(Array(0..<hrows)) { i in
                                func label(_ c: String) -> String { t("availability.rowLabel", ["n": "\(i + 1)", "field": hcols[c] ?? c]) }
                                let day = hcell("hours_day", i).isEmpty ? "1" : hcell("hours_day", i)
                                return .tr(
                                    .td(cellSelect("hours_day", id: "hours-\(i)-weekday-\(l.id)", label: label("weekday"),
                                                   options: SchedulePages.weekdays.map { ("\($0)", t("weekday.\($0)")) }, selected: day),
                                        rowError(hs, "hours", i, "weekday", t)),
                                    .td(cellInput("hours_start", id: "hours-\(i)-start-\(l.id)", label: label("start"), value: hcell("hours_start", i), type: "time"),
                                        rowError(hs, "hours", i, "start", t)),
                                    .td(cellInput("hours_end", id: "hours-\(i)-end-\(l.id)", label: label("end"), value: hcell("hours_end", i), type: "time"),
                                        rowError(hs, "hours", i, "end", t)))
                            }))),
                        .div(.class("form-actions"),
                            .button(.type(.submit), .attr("name", "intent"), .attr("value", "add-rows"), .class("button"), .plain(t("availability.addRows"))),
                            .button(.type(.submit), .attr("name", "intent"), .attr("value", "save"), .class("button primary"), .plain(t("practice.profile.saveHours")))),
                    ]))
            })

        let newState = state(.location)
        let newLabels = ["location_name": t("practice.profile.newLocation.name"), "location_street": t("practice.profile.newLocation.street"),
                         "location_city": t("practice.profile.newLocation.city"), "location_postal_code": t("practice.profile.newLocation.postalCode"),
                         "location_country": t("practice.profile.newLocation.country")]
        let newForm: Node<HTML.BodyContext> = .section(.id("new-location"),
            .h2(.plain(t("practice.profile.newLocation"))),
            .p(.class("hint"), .plain(t("practice.profile.newLocation.hint"))),
            .if(edit.section == .location, Fields.summary(newState, labels: newLabels, t)),
            Fields.form(action: action + "#new-location", csrf: csrf, [
                Fields.hidden("section", "location"), Fields.hidden("version", "\(s.version)"),
                Fields.input("location_name", label: newLabels["location_name"]!, state: newState, t, required: true, maxLength: 160),
                Fields.input("location_street", label: newLabels["location_street"]!, state: newState, t, required: true, maxLength: 200),
                .div(.class("field-row"),
                    Fields.input("location_postal_code", label: newLabels["location_postal_code"]!, state: newState, t, maxLength: 20),
                    Fields.input("location_city", label: newLabels["location_city"]!, state: newState, t, required: true, maxLength: 120)),
                Fields.select("location_country", label: newLabels["location_country"]!, options: countries, state: newState, t, required: true,
                              placeholder: t("form.choose")),
                .button(.type(.submit), .class("button primary"), .plain(t("practice.profile.newLocation.add"))),
            ]))

        return Page(title: t("practice.profile"), description: t("practice.profile"), canonical: nil, noindex: true, body:
            .div(.class("wrap studio practice-profile"),
                nav(current, workplaces, ctx),
                .h1(.plain(t("practice.profile"))),
                .p(.class("lead"), .plain(t("practice.profile.lead"))),
                .if(saved != nil, .p(.class("notice success"), .attr("role", "status"), .plain(t("practice.profile.saved")))),
                .if(s.factsUpdatedAt != nil, .p(.class("hint"), .plain(t("practice.profile.factsUpdated", ["date": s.factsUpdatedAt.map { t.date($0) } ?? ""])))),
                .p(.a(.to(isPractitioner ? SiteURL.provider(.value(current.slug)).path : SiteURL.clinic(.value(current.slug)).path), .plain(t("practice.viewProfile")))),
                aboutForm, offersForm, hoursForms, newForm
            )).render(ctx)
    }
}
