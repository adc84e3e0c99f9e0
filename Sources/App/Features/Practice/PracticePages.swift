import Foundation
import Plot
import Domain

/// The practice workspace (`/practice`): its home, credentials, and (later sections) profile, team and analytics.
/// Works without JavaScript; every form answers at the field.
enum PracticePages {
    static func nav(_ current: SchedulePages.Workplace, _ workplaces: [SchedulePages.Workplace], _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let t = ctx.t
        let items: [(String, SiteURL)] = [
            (t("practice.title"), .practice), (t("practice.profile"), .practiceProfile), (t("practice.photos"), .practicePhotos), (t("practice.team"), .practiceTeam),
            (t("practice.credentials"), .practiceCredentials), (t("practice.analytics"), .practiceAnalytics),
            (t("availability.title"), .practiceAvailability), (t("calendar.title"), .practiceCalendar), (t("account.home.inbox"), .inbox),
        ]
        return .group(
            .nav(.class("studio-nav"), .attr("aria-label", t("practice.title")), .ul(.forEach(items) { label, url in
                .li(.a(.to(url.path(query: [("provider", current.key)])), .if(ctx.path == url.path, .attr("aria-current", "page")), .plain(label)))
            })),
            .if(workplaces.count > 1, .nav(.class("workplaces"), .attr("aria-label", t("practice.workplaces")), .ul(.forEach(workplaces) { w in
                .li(w.key == current.key ? .strong(.plain(w.name)) : .a(.to(ctx.path + "?provider=" + w.key), .plain(w.name)))
            }))))
    }

    static func home(current: SchedulePages.Workplace, workplaces: [SchedulePages.Workplace], credentials: [CredentialRecord], now: Date,
                     _ ctx: PageContext) -> String {
        let t = ctx.t
        let waiting = credentials.filter { $0.effectiveStatus(at: now) == .pending }.count
        let needsEvidence = credentials.filter { $0.status == .needsEvidence }.count
        let expiring = credentials.filter { CredentialRecheck.isDue(status: $0.status, validUntil: $0.validUntil, now: now) }.count
        return Page(title: t("practice.title"), description: t("practice.title"), canonical: nil, noindex: true, body:
            .div(.class("wrap studio"),
                nav(current, workplaces, ctx),
                .h1(.plain(current.name)),
                .p(.class("lead"), .plain(t("practice.lead"))),
                .ul(.class("plain-links"),
                    .li(.a(.to(SiteURL.practiceProfile.path(query: [("provider", current.key)])), .plain(t("practice.profile.edit")))),
                    .li(.a(.to(current.practitionerID != nil ? SiteURL.provider(.value(current.slug)).path : SiteURL.clinic(.value(current.slug)).path),
                           .plain(t("practice.viewProfile")))),
                    .li(.a(.to(SiteURL.practiceCredentials.path(query: [("provider", current.key)])),
                           .plain(t("practice.credentials.summary", ["waiting": "\(waiting)", "evidence": "\(needsEvidence)", "expiring": "\(expiring)"]))))),
                .if(needsEvidence > 0, .p(.class("notice"), .attr("role", "status"), .plain(t("practice.credentials.evidenceWanted"))))
            )).render(ctx)
    }

    static func statusBadge(_ status: VerificationStatus, _ t: Localizer) -> Node<HTML.BodyContext> {
        .span(.classes("status", "status-\(status.rawValue)"), .plain(t("credential.status.\(status.rawValue)")))
    }

    static func kinds(_ t: Localizer) -> [(String, String)] {
        CredentialKind.allCases.map { ($0.rawValue, t("credential.kind.\($0.rawValue)")) }
    }

    static func fileInput(_ name: String, label: String, hint: String, state: FormState, _ t: Localizer) -> Node<HTML.BodyContext> {
        .div(.classes("field", state.hasError(name) ? "has-error" : ""),
            .label(.attr("for", name), .plain(label)),
            .p(.class("hint"), .id("\(name)-hint"), .plain(hint)),
            Fields.errors(name, state, t),
            .selfClosedElement(named: "input", attributes: [
                Attribute<HTML.BodyContext>.attr("type", "file"), .attr("id", name), .attr("name", name), .flag("multiple", true),
                .attr("accept", "image/jpeg,image/png,image/heic,application/pdf"),
                .attr("aria-describedby", state.hasError(name) ? "\(name)-hint \(name)-error" : "\(name)-hint"),
            ]))
    }

    static func credentials(current: SchedulePages.Workplace, workplaces: [SchedulePages.Workplace], list: [CredentialRecord], state: FormState,
                            submitted: Bool, csrf: String, now: Date, _ ctx: PageContext) -> String {
        let t = ctx.t
        let labels = ["kind": t("credential.field.kind"), "title": t("credential.field.title"), "issuer": t("credential.issuer"),
                      "number": t("credential.number"), "valid_from": t("credential.field.validFrom"), "valid_until": t("credential.field.validUntil"),
                      "register_url": t("credential.field.register"), "evidence": t("credential.field.evidence")]
        return Page(title: t("practice.credentials"), description: t("practice.credentials"), canonical: nil, noindex: true, body:
            .div(.class("wrap studio"),
                nav(current, workplaces, ctx),
                .h1(.plain(t("practice.credentials"))),
                .p(.class("lead"), .plain(t("practice.credentials.lead"))),
                .if(submitted, .p(.class("notice success"), .attr("role", "status"), .plain(t("practice.credentials.submitted")))),
                list.isEmpty ? .p(.class("hint"), .plain(t("credential.none"))) :
                .table(.class("cases"),
                    .caption(.plain(t("practice.credentials.caption", ["provider": current.name]))),
                    .thead(.tr(.th(.plain(t("credential.field.title"))), .th(.plain(t("credential.field.kind"))), .th(.plain(t("studio.col.status"))),
                               .th(.plain(t("credential.valid"))), .th(.plain(t("credential.lastVerified"))))),
                    .tbody(.forEach(list) { c in
                        .tr(.td(.a(.to(SiteURL.practiceCredential(.value("\(c.id)")).path(query: [("provider", current.key)])), .plain(c.title))),
                            .td(.plain(t("credential.kind.\(c.kind)"))),
                            .td(statusBadge(c.effectiveStatus(at: now), t),
                                .if(CredentialRecheck.isDue(status: c.status, validUntil: c.validUntil, now: now),
                                    .span(.class("muted block"), .plain(t("practice.credentials.expiresSoon"))))),
                            .td(.plain(c.validUntil.map { t("credential.validUntil", ["until": t.date($0)]) } ?? t("credential.notStated"))),
                            .td(.plain(c.lastVerified.map { t.date($0) } ?? t("credential.neverVerified"))))
                    })),
                .h2(.id("submit"), .plain(t("practice.credentials.new"))),
                .p(.class("hint"), .plain(t("practice.credentials.new.hint"))),
                Fields.summary(state, labels: labels, t),
                Fields.form(action: SiteURL.practiceCredentials.path(query: [("provider", current.key)]), csrf: csrf, multipart: true, [
                    Fields.select("kind", label: labels["kind"]!, options: kinds(t), state: state, t, required: true, placeholder: t("form.choose")),
                    Fields.input("title", label: labels["title"]!, state: state, t, hint: t("credential.field.title.hint"), required: true,
                                 maxLength: CredentialSubmission.maxTitle),
                    .div(.class("field-row"),
                        Fields.input("issuer", label: labels["issuer"]!, state: state, t, required: true, maxLength: CredentialSubmission.maxIssuer),
                        Fields.input("number", label: labels["number"]!, state: state, t, required: true, maxLength: CredentialSubmission.maxNumber)),
                    .div(.class("field-row"),
                        Fields.input("valid_from", label: labels["valid_from"]!, type: "date", state: state, t),
                        Fields.input("valid_until", label: labels["valid_until"]!, type: "date", state: state, t, hint: t("credential.field.validUntil.hint"))),
                    Fields.input("register_url", label: labels["register_url"]!, type: "url", state: state, t, hint: t("credential.field.register.hint"),
                                 required: true, maxLength: RegisterLink.maxLength),
                    fileInput("evidence", label: labels["evidence"]!, hint: t("credential.field.evidence.hint"), state: state, t),
                    .button(.type(.submit), .class("button primary"), .plain(t("practice.credentials.send"))),
                ])
            )).render(ctx)
    }

    /// Facts of one credential, its evidence and its checks, shared by the practice's and the administrator's page.
    static func facts(_ c: CredentialRecord, evidenceLink: (String) -> String, now: Date, _ t: Localizer) -> Node<HTML.BodyContext> {
        .group(
            .p(statusBadge(c.effectiveStatus(at: now), t), .plain(" · "), .plain(t("credential.kind.\(c.kind)"))),
            .dl(.class("facts"),
                .dt(.plain(t("credential.holder"))), .dd(.plain(c.holderName)),
                .dt(.plain(t("credential.issuer"))), .dd(.plain(c.issuer ?? t("credential.notStated"))),
                .dt(.plain(t("credential.number"))), .dd(.plain(c.number ?? t("credential.notStated"))),
                .dt(.plain(t("credential.field.validFrom"))), .dd(.plain(c.validFrom.map { t.date($0) } ?? t("credential.notStated"))),
                .dt(.plain(t("credential.field.validUntil"))), .dd(.plain(c.validUntil.map { t.date($0) } ?? t("credential.notStated"))),
                .dt(.plain(t("credential.field.register"))),
                .dd(c.registerURL.map { url in .a(.to(url), .attr("rel", "nofollow noopener noreferrer"), .plain(url)) } ?? .plain(t("credential.notStated"))),
                .dt(.plain(t("credential.submittedAt"))), .dd(.plain(c.submittedAt.map { t.dateTime($0) } ?? "–")),
                .dt(.plain(t("credential.lastVerified"))), .dd(.plain(c.lastVerified.map { t.date($0) } ?? t("credential.neverVerified")))),
            .h2(.plain(t("credential.field.evidence"))),
            c.evidence.isEmpty ? .p(.class("hint"), .plain(t("credential.evidence.none"))) :
            .ul(.forEach(c.evidence) { e in
                .li(.a(.to(evidenceLink(e.id)), .plain(e.name)), .span(.class("muted"), .plain(" · \(e.kind.fileExtension.uppercased()), \(Self.size(e.bytes))")))
            }),
            .h2(.plain(t("credential.checks"))),
            c.checks.isEmpty ? .p(.class("hint"), .plain(t("credential.checks.none"))) :
            .ol(.class("timeline"), .forEach(c.checks) { k in
                .li(.p(.strong(.plain(t("credential.status.\(k.outcome.status.rawValue)"))), .plain(" · "),
                       .plain(t("credential.checkedBy", ["name": k.checkedBy, "date": t.dateTime(k.checkedAt)]))),
                    .p(.plain(t("credential.check.what")), .plain(": "), .plain(k.whatChecked)),
                    .p(.plain(t("credential.check.where")), .plain(": "), .plain(k.registerURL)),
                    .if(k.expires != nil, .p(.plain(t("credential.check.expires", ["date": k.expires.map { t.date($0) } ?? ""])))),
                    .if(k.reason != nil, .p(.plain(t("credential.check.reason")), .plain(": "), .plain(k.reason ?? ""))))
            }))
    }

    static func size(_ bytes: Int) -> String {
        bytes >= 1_048_576 ? String(format: "%.1f MB", Double(bytes) / 1_048_576) : "\(max(1, bytes / 1024)) KB"
    }

    static func credential(current: SchedulePages.Workplace, workplaces: [SchedulePages.Workplace], _ c: CredentialRecord, state: FormState, csrf: String,
                           now: Date, _ ctx: PageContext) -> String {
        let t = ctx.t
        let canAdd = c.status == .pending || c.status == .needsEvidence
        let base = SiteURL.practiceCredential(.value("\(c.id)"))
        return Page(title: c.title, description: t("practice.credentials"), canonical: nil, noindex: true, body:
            .div(.class("wrap studio"),
                nav(current, workplaces, ctx),
                .h1(.plain(c.title)),
                facts(c, evidenceLink: { SiteURL.practiceCredentialEvidence(credential: .value("\(c.id)"), attachment: .value($0)).path(query: [("provider", current.key)]) },
                      now: now, t),
                .if(canAdd, .group(
                    .h2(.id("more"), .plain(t("credential.evidence.add"))),
                    .p(.class("hint"), .plain(c.status == .needsEvidence ? t("credential.evidence.add.wanted") : t("credential.evidence.add.hint"))),
                    Fields.summary(state, labels: ["evidence": t("credential.field.evidence")], t),
                    Fields.form(action: base.path(query: [("provider", current.key)]), csrf: csrf, multipart: true, [
                        Fields.hidden("version", "\(c.version)"),
                        fileInput("evidence", label: t("credential.field.evidence"), hint: t("credential.field.evidence.hint"), state: state, t),
                        .button(.type(.submit), .class("button primary"), .plain(t("credential.evidence.send"))),
                    ]))),
                .p(.a(.to(SiteURL.practiceCredentials.path(query: [("provider", current.key)])), .plain(t("practice.credentials.back"))))
            )).render(ctx)
    }
}

// MARK: analytics

extension PracticePages {
    static func analytics(current: SchedulePages.Workplace, workplaces: [SchedulePages.Workplace], weeks: [AnalyticsService.Week], _ ctx: PageContext) -> String {
        let t = ctx.t
        let labels = weeks.map { w -> String in
            let c = ISODate.utcCalendar.dateComponents([.month, .day], from: w.start)
            return "\(c.day ?? 1)/\(c.month ?? 1)"
        }
        func count(_ v: Double) -> String { Localizer.grouped(Int(v.rounded())) }
        func hours(_ v: Double) -> String { v < 48 ? t("practice.analytics.hours", ["hours": String(format: "%.1f", v)]) : t("practice.analytics.days", ["days": String(format: "%.1f", v / 24)]) }
        let totalViews = weeks.reduce(0) { $0 + $1.views }, totalRequests = weeks.reduce(0) { $0 + $1.requests }, totalReplied = weeks.reduce(0) { $0 + $1.replied }
        return Page(title: t("practice.analytics"), description: t("practice.analytics"), canonical: nil, noindex: true, body:
            .div(.class("wrap studio analytics"),
                nav(current, workplaces, ctx),
                .h1(.plain(t("practice.analytics"))),
                .p(.class("lead"), .plain(t("practice.analytics.lead", ["weeks": "\(weeks.count)"]))),
                .ul(.class("stat-row"),
                    .li(.strong(.plain(Localizer.grouped(totalViews))), .span(.plain(t("practice.analytics.views")))),
                    .li(.strong(.plain(Localizer.grouped(totalRequests))), .span(.plain(t("practice.analytics.requests")))),
                    .li(.strong(.plain(Localizer.grouped(totalReplied))), .span(.plain(t("practice.analytics.replied"))))),
                .h2(.plain(t("practice.analytics.views"))),
                BarChart.svg(id: "views", title: t("practice.analytics.views"), description: t("practice.analytics.views.desc"), labels: labels,
                             values: weeks.map { Double($0.views) }, format: count),
                .h2(.plain(t("practice.analytics.requests"))),
                BarChart.svg(id: "requests", title: t("practice.analytics.requests"), description: t("practice.analytics.requests.desc"), labels: labels,
                             values: weeks.map { Double($0.requests) }, format: count),
                .h2(.plain(t("practice.analytics.reply"))),
                BarChart.svg(id: "reply", title: t("practice.analytics.reply"), description: t("practice.analytics.reply.desc"), labels: labels,
                             values: weeks.map(\.medianReplyHours), format: hours),
                .h2(.id("data"), .plain(t("practice.analytics.table"))),
                .div(.class("table-scroll"), .table(.class("data"),
                    .caption(.plain(t("practice.analytics.table.caption"))),
                    .thead(.tr(.th(.attr("scope", "col"), .plain(t("practice.analytics.week"))), .th(.attr("scope", "col"), .plain(t("practice.analytics.views"))),
                               .th(.attr("scope", "col"), .plain(t("practice.analytics.requests"))), .th(.attr("scope", "col"), .plain(t("practice.analytics.replied"))),
                               .th(.attr("scope", "col"), .plain(t("practice.analytics.reply"))))),
                    .tbody(.forEach(weeks) { w in
                        .tr(.th(.attr("scope", "row"), .plain(t.date(w.start))), .td(.plain(Localizer.grouped(w.views))), .td(.plain(Localizer.grouped(w.requests))),
                            .td(.plain(Localizer.grouped(w.replied))), .td(.plain(w.medianReplyHours.map(hours) ?? "–")))
                    }))),
                .p(.class("fineprint"), .plain(t("practice.analytics.method")))
            )).render(ctx)
    }
}

// MARK: photos

extension PracticePages {
    static func photos(current: SchedulePages.Workplace, workplaces: [SchedulePages.Workplace], assets: [MediaAsset], state: FormState, done: String?,
                       csrf: String, _ ctx: PageContext) -> String {
        let t = ctx.t
        let action = SiteURL.practicePhotos.path(query: [("provider", current.key)])
        return Page(title: t("practice.photos"), description: t("practice.photos"), canonical: nil, noindex: true, body:
            .div(.class("wrap studio"),
                nav(current, workplaces, ctx),
                .h1(.plain(t("practice.photos"))),
                .p(.class("lead"), .plain(t("practice.photos.lead", ["max": "\(PracticeController.maxPhotos)"]))),
                .if(done != nil, .p(.class("notice success"), .attr("role", "status"), .plain(t("practice.photos.done")))),
                Fields.summary(state, labels: ["image": t("media.field.image"), "alt": t("media.field.alt")], t),
                Fields.form(action: action, csrf: csrf, multipart: true, [
                    Fields.hidden("action", "add"),
                    .div(.classes("field", state.hasError("image") ? "has-error" : ""),
                        .label(.attr("for", "image"), .plain(t("media.field.image"))),
                        .p(.class("hint"), .id("image-hint"), .plain(t("media.field.image.hint"))),
                        Fields.errors("image", state, t),
                        .selfClosedElement(named: "input", attributes: [Attribute<HTML.BodyContext>.attr("type", "file"), .attr("id", "image"), .attr("name", "image"),
                                                                        .attr("accept", "image/jpeg,image/png"), .attr("aria-describedby", "image-hint")])),
                    Fields.input("alt", label: t("media.field.alt"), state: state, t, hint: t("practice.photos.alt.hint"), required: true, maxLength: MediaService.maxAlt),
                    .button(.type(.submit), .class("button primary"), .plain(t("media.upload.submit"))),
                ]),
                assets.isEmpty ? .p(.class("hint"), .plain(t("media.none"))) :
                .ul(.class("media-grid"), .forEach(assets) { a in
                    .li(.class("media-item"),
                        .img(.src(SiteURL.media(id: .value(a.id), width: .value("320")).path), .attr("alt", a.alt), .attr("loading", "lazy")),
                        .p(.plain(a.alt)),
                        Fields.form(action: action, csrf: csrf, classes: "inline", [
                            Fields.hidden("action", "remove"), Fields.hidden("photo", a.id),
                            .button(.type(.submit), .class("button small"), .attr("aria-label", t("practice.photos.remove.label", ["alt": a.alt])),
                                    .plain(t("practice.team.remove")))]))
                })
            )).render(ctx)
    }
}
