import Foundation
import Fluent
import SQLKit
import Vapor
import Domain
import Plot

/// `/facilitator/profile`: the organisation's staff edit its public profile. Text goes live at once; every save is
/// one conditional update on the version the form showed, audited, and moves the content generation so every
/// node's cached directory and profile pages follow.
enum FacilitatorWorkspace {
    /// The organisation the signed-in facilitator works for (404 when none).
    static func organisation(_ req: Request, _ user: SignedInUser) async throws -> Facilitator {
        guard let id = try await FacilitatorAccess.organisations(userID: user.id, on: req.db).first,
              let org = try await Facilitator.find(id, on: req.db) else { throw Abort(.notFound) }
        return org
    }

    static func current(_ f: Facilitator, on db: any Database) async throws -> FacilitatorProfileForm {
        let facets = try await FacilitatorFacet.query(on: db).filter(\.$facilitatorID == (try f.requireID())).sort(\.$position).all()
        func codes(_ k: FacilitatorFacet.Kind) -> [String] { facets.filter { $0.facet == k.rawValue }.map(\.code) }
        return FacilitatorProfileForm(summary: f.summary, about: f.about, website: f.website, foundedYear: f.foundedYear, acceptingCases: f.acceptingCases,
                                      patientCountries: codes(.patientCountry), destinations: codes(.destination), languages: codes(.language))
    }

    @Sendable static func show(req: Request) async throws -> Response {
        let user = try req.requireUser(roles: [.facilitator])
        let org = try await organisation(req, user)
        return .html(page(org, state: FormState(try await current(org, on: req.db).formInput), saved: false, req))
    }

    @Sendable static func save(req: Request) async throws -> Response {
        let form = try await req.formBody()
        let user = try req.requireUser(roles: [.facilitator])
        let org = try await organisation(req, user)
        let t = req.application.localizer
        guard let version = form.input["version"].flatMap(Int.init) else { throw Abort(.badRequest) }
        let year = ISODate.civil(req.application.clock.now()).year
        switch FacilitatorProfileForm.read(form.input, knownCountries: Set(PracticeController.countryOptions(t).map(\.0)),
                                           knownLanguages: Set(PracticeController.languageOptions(t).map(\.0)), currentYear: year) {
        case .failure(let error):
            return .html(page(org, state: FormState(form.input, problems: error.problems), saved: false, req), status: .unprocessableEntity)
        case .success(let profile):
            let now = req.application.clock.now()
            let orgID = try org.requireID()
            let stored = try await req.application.writes.transaction(on: req.db) { tx -> Bool in
                let sql = tx as! any SQLDatabase
                let rows = try await sql.update(Facilitator.schema).set("summary", to: SQLBind(profile.summary)).set("about", to: SQLBind(profile.about))
                    .set("website", to: SQLBind(profile.website)).set("founded_year", to: SQLBind(profile.foundedYear))
                    .set("accepting_cases", to: SQLBind(profile.acceptingCases)).set("updated_at", to: SQLBind(now))
                    .set("profile_version", to: SQLRaw("profile_version + 1"))
                    .where("id", .equal, SQLBind(orgID)).where("profile_version", .equal, SQLBind(version)).returning("id").all()
                guard rows.count == 1 else { return false }
                try await FacilitatorFacet.query(on: tx).filter(\.$facilitatorID == orgID).delete()
                let lists: [(FacilitatorFacet.Kind, [String])] = [(.patientCountry, profile.patientCountries), (.destination, profile.destinations),
                                                                  (.language, profile.languages)]
                for (kind, codes) in lists {
                    for (i, code) in codes.enumerated() { try await FacilitatorFacet(facilitatorID: orgID, facet: kind, code: code, position: i).create(on: tx) }
                }
                try await AuditLog.append(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "facilitator.profile",
                                                     objectType: "facilitator", objectID: org.slug, source: req.auditSource), at: now, app: req.application, on: tx)
                try await ContentGeneration.bump(on: tx)
                return true
            }
            guard stored else {
                let fresh = try await Facilitator.find(orgID, on: req.db) ?? org
                return .html(page(fresh, state: FormState(try await current(fresh, on: req.db).formInput), saved: false,
                                  notice: t("facilitatorProfile.changed"), req), status: .conflict)
            }
            req.application.renderCache.invalidate()
            let fresh = try await Facilitator.find(orgID, on: req.db) ?? org
            return .html(page(fresh, state: FormState(try await current(fresh, on: req.db).formInput), saved: true, req))
        }
    }

    static func page(_ org: Facilitator, state: FormState, saved: Bool, notice: String? = nil, _ req: Request) -> String {
        let t = req.application.localizer
        let labels = ["summary": t("facilitatorProfile.summary"), "about": t("facilitatorProfile.about"), "website": t("facilitatorProfile.website"),
                      "founded_year": t("facilitatorProfile.founded"), "patient_countries": t("facilitators.patientsFrom"),
                      "destinations": t("facilitators.destinations"), "languages": t("facilitators.languages")]
        let countries = PracticeController.countryOptions(t)
        let title = t("facilitatorProfile.title")
        return Page(title: title, description: title, canonical: nil, noindex: true, body:
            .div(.class("wrap"),
                .p(.class("eyebrow"), .a(.to(SiteURL.pipeline.path), .plain(t("pipeline.title")))),
                .h1(.plain(title)),
                .p(.class("lead"), .plain(t("facilitatorProfile.lead")), .plain(" "),
                   .a(.to(SiteURL.facilitator(.value(org.slug)).path), .plain(t("facilitatorProfile.public")))),
                .if(saved, .div(.class("notice"), .attr("role", "status"), .p(.plain(t("facilitatorProfile.saved"))))),
                .if(notice != nil, .div(.class("notice warning"), .attr("role", "alert"), .p(.plain(notice ?? "")))),
                Fields.summary(state, labels: labels, t, anchors: ["patient_countries": "patient_countries-0", "destinations": "destinations-0",
                                                               "languages": "languages-0"]),
                Fields.form(action: SiteURL.facilitatorProfile.path, csrf: req.csrfToken, [
                    Fields.hidden("version", String(org.profileVersion)),
                    Fields.textarea("summary", label: labels["summary"] ?? "", state: state, t, hint: t("facilitatorProfile.summary.hint"), required: true,
                                    maxLength: FacilitatorProfileForm.maxSummary, rows: 3),
                    Fields.textarea("about", label: labels["about"] ?? "", state: state, t, hint: t("facilitatorProfile.about.hint"),
                                    maxLength: FacilitatorProfileForm.maxAbout, rows: 8),
                    Fields.input("website", label: labels["website"] ?? "", type: "url", state: state, t, maxLength: RegisterLink.maxLength),
                    Fields.input("founded_year", label: labels["founded_year"] ?? "", state: state, t, maxLength: 4, extra: [.attr("inputmode", "numeric")]),
                    Fields.checkbox("accepting", label: t("facilitatorProfile.accepting"), state: state, t),
                    Fields.choices("patient_countries", legend: labels["patient_countries"] ?? "", options: countries, multiple: true, state: state, t),
                    Fields.choices("destinations", legend: labels["destinations"] ?? "", options: countries, multiple: true, state: state, t),
                    Fields.choices("languages", legend: labels["languages"] ?? "", options: PracticeController.languageOptions(t), multiple: true,
                                   state: state, t, required: true),
                    .button(.type(.submit), .class("button primary"), .plain(t("facilitatorProfile.save")))]))
        ).render(req.pageContext)
    }
}
