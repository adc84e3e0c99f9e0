import Foundation
import Plot
import Domain

/// The quote editor (staff), the comparison, one quote with its versions, and the printable agreement.
enum QuotePages {
    /// A quote shown in a comparison or on its own page: where it comes from, its figures and (for the latest
    /// version) its content.
    struct Shown: Sendable {
        let summary: QuoteSummary
        let reference: String
        let providerName: String
        let version: Int
        let quote: Quote
        /// The total in the patient's chosen currency, with the rate and its date (nil when no rate is known).
        let converted: ConvertedMoney?
    }

    static func statusLabel(_ s: QuoteSummary, today: Date, _ t: Localizer) -> Node<HTML.BodyContext> {
        let key = s.isExpired(today: today) ? "expired" : s.status.rawValue
        return .span(.classes("badge", "quote-\(key)"), .plain(t("quote.status.\(key)")))
    }

    static func bindingLabel(_ q: Quote, _ t: Localizer) -> Node<HTML.BodyContext> {
        q.isBinding
            ? .span(.classes("badge", "binding"), .plain(t("quote.binding")))
            : .span(.classes("badge", "not-binding"), .plain(t("quote.notBinding")))
    }

    static func capText(_ q: Quote, _ t: Localizer) -> String {
        switch q.scopeChange.cap {
        case .amount(let a)?: return t("quote.cap.amount", ["amount": Money(a, q.currency).formatted])
        case .percent(let p)?: return t("quote.cap.percent", ["percent": "\(p)"])
        case nil: return t("quote.cap.none")
        }
    }

    static func kindName(_ k: QuoteLine.Kind, _ t: Localizer) -> String { t("quote.kind.\(k.rawValue)") }

    static func amount(_ d: Decimal, _ c: CurrencyCode) -> String { Money(d, c).formatted }

    /// The figures of a quote as a definition list: total, what a change of scope may add, deposit, validity.
    static func keyFigures(_ q: Quote, converted: ConvertedMoney?, _ t: Localizer) -> Node<HTML.BodyContext> {
        .element(named: "dl", nodes: [.class("quote-figures"),
            .div(.element(named: "dt", nodes: [.plain(t("quote.total"))]), .element(named: "dd", nodes: [.strong(.plain(q.total.formatted)),
                .if(converted != nil, .span(.class("converted"), .plain(" " + t("quote.converted", [
                    "amount": converted?.converted.formatted ?? "", "rate": "\(converted?.rate.rounded(6) ?? 0)",
                    "from": q.currency.code, "to": converted?.converted.currency.code ?? "", "date": converted?.rateDate ?? ""]))))])),
            .div(.element(named: "dt", nodes: [.plain(t("quote.scope"))]), .element(named: "dd", nodes: [bindingLabel(q, t), .plain(" " + capText(q, t)),
                .if(q.ceiling != nil, .p(.class("hint"), .plain(t("quote.ceiling", ["amount": q.ceiling?.formatted ?? ""]))))])),
            .div(.element(named: "dt", nodes: [.plain(t("quote.deposit"))]), .element(named: "dd", nodes: [
                .plain(q.depositAmount > 0 ? t("quote.depositText", ["amount": amount(q.depositAmount, q.currency), "days": "\(q.depositDueDays)"])
                                           : t("quote.noDeposit"))])),
            .div(.element(named: "dt", nodes: [.plain(t("quote.validUntil"))]), .element(named: "dd", nodes: [.plain(t.date(q.validUntil))])),
        ])
    }

    /// Every line of a quote, with the quantity, unit amount, line total and what it includes and excludes.
    static func lines(_ q: Quote, changes: [QuoteLineChange]? = nil, _ t: Localizer) -> Node<HTML.BodyContext> {
        let rows: [(QuoteLine, String, QuoteLine?)] = changes.map { list in
            list.map { change in
                switch change {
                case .unchanged(let l): return (l, "unchanged", nil)
                case .changed(let old, let new): return (new, "changed", old)
                case .added(let l): return (l, "added", nil)
                case .removed(let l): return (l, "removed", nil)
                }
            }
        } ?? q.lines.map { ($0, "", nil) }
        return .div(.class("table-scroll"), .table(.class("quote-lines"),
            .element(named: "caption", nodes: [.plain(t("quote.lines"))]),
            .thead(.tr(.th(.plain(t("quote.col.item"))), .th(.plain(t("quote.col.quantity"))), .th(.plain(t("quote.col.unit"))),
                       .th(.plain(t("quote.col.lineTotal"))), .th(.plain(t("quote.col.included"))), .th(.plain(t("quote.col.excluded"))))),
            .tbody(.forEach(rows) { line, change, old in
                .tr(.class(change.isEmpty ? "" : "line-\(change)"),
                    .td(.strong(.plain(kindName(line.kind, t))), .br(), .plain(line.description),
                        .if(!change.isEmpty && change != "unchanged", .span(.class("change-note"), .plain(" " + t("quote.change.\(change)"))))),
                    .td(.plain("\(line.quantity)"), .if(old != nil && old?.quantity != line.quantity, .del(.plain(" \(old?.quantity ?? 0)")))),
                    .td(.plain(amount(line.unitAmount, q.currency)),
                        .if(old != nil && old?.unitAmount != line.unitAmount, .del(.plain(" " + amount(old?.unitAmount ?? 0, q.currency))))),
                    .td(.plain(change == "removed" ? "–" : amount(line.exactTotal, q.currency))),
                    .td(.plain(line.included)), .td(.plain(line.excluded)))
            }),
            .tfoot(.tr(.th(.attr("colspan", "3"), .plain(t("quote.total"))), .td(.strong(.plain(q.total.formatted))), .td(), .td()))))
    }

    static func terms(_ q: Quote, _ t: Localizer) -> Node<HTML.BodyContext> {
        .section(.class("quote-terms"),
            .h3(.plain(t("quote.cancellation"))), .p(.class("prewrap"), .plain(q.cancellation)),
            .h3(.plain(t("quote.scopeTitle"))),
            .p(bindingLabel(q, t), .plain(" " + capText(q, t))),
            .if(!q.scopeChange.findings.isEmpty, .p(.class("prewrap"), .plain(q.scopeChange.findings))),
            .if(!q.isBinding, .p(.class("notice"), .plain(t("quote.notBinding.explain")))))
    }

    // MARK: comparison

    /// Every quote of a case (and of the patient's related requests) side by side.
    static func comparison(reference: String, shown: [Shown], currency: CurrencyCode, currencies: [CurrencyCode], today: Date,
                           _ ctx: PageContext) -> String {
        let t = ctx.t
        let kinds = QuoteLine.Kind.allCases.filter { k in shown.contains { $0.quote.lines.contains { $0.kind == k } } }
        func cell(_ nodes: Node<HTML.BodyContext>...) -> Node<HTML.TableRowContext> { .td(.group(nodes)) }
        return Page(title: t("quotes.compare.title", ["reference": reference]), description: t("quotes.compare.title", ["reference": reference]),
                    canonical: nil, noindex: true, body:
            .div(.class("wrap quotes-page"),
                .p(.class("eyebrow"), .a(.to(SiteURL.caseShow(.value(reference)).path), .plain(t("case.title", ["reference": reference])))),
                .h1(.plain(t("quotes.compare.title", ["reference": reference]))),
                .p(.class("lead"), .plain(t("quotes.compare.lead"))),
                .form(.class("filters"), .method(.get), .action(SiteURL.caseQuotes(.value(reference)).path),
                    .div(.class("field"), .label(.attr("for", "currency"), .plain(t("quotes.compare.currency"))),
                        .select(.id("currency"), .attr("name", "currency"),
                            .forEach(currencies) { .choice($0.code, $0.code, selected: $0 == currency) })),
                    .button(.type(.submit), .class("button"), .plain(t("quotes.compare.show")))),
                shown.isEmpty ? .p(.class("notice"), .plain(t("quotes.none"))) :
                .div(.class("table-scroll"), .table(.class("quote-compare"),
                    .element(named: "caption", nodes: [.plain(t("quotes.compare.caption", ["currency": currency.code]))]),
                    .thead(.tr(.th(.attr("scope", "col"), .plain(t("quotes.compare.item"))), .forEach(shown) { s in
                        .th(.attr("scope", "col"), .a(.to(SiteURL.caseQuote(case: .value(s.reference), quote: .value("\(s.summary.id)")).path),
                                                      .plain(s.providerName)),
                            .br(), .span(.class("hint"), .plain(t("quotes.compare.version", ["reference": s.reference, "version": "\(s.version)"]))))
                    })),
                    .tbody(
                        .tr(.th(.attr("scope", "row"), .plain(t("quote.status"))), .forEach(shown) { cell(statusLabel($0.summary, today: today, t)) }),
                        .tr(.class("total-row"), .th(.attr("scope", "row"), .plain(t("quotes.compare.inCurrency", ["currency": currency.code]))), .forEach(shown) { s in
                            cell(s.converted.map { c in .group(.strong(.plain(c.converted.formatted)), .br(),
                                .span(.class("hint"), .plain(t("quotes.compare.rate", ["rate": "\(c.rate.rounded(6))", "from": s.quote.currency.code,
                                                                                      "to": c.converted.currency.code, "date": c.rateDate]))))
                            } ?? .span(.class("hint"), .plain(t("quotes.compare.noRate", ["currency": s.quote.currency.code]))))
                        }),
                        .tr(.th(.attr("scope", "row"), .plain(t("quotes.compare.ownCurrency"))), .forEach(shown) { cell(.plain($0.quote.total.formatted)) }),
                        .tr(.th(.attr("scope", "row"), .plain(t("quote.scope"))), .forEach(shown) { s in
                            cell(bindingLabel(s.quote, t), .br(), .plain(capText(s.quote, t)),
                                 .if(s.quote.ceiling != nil, .group(.br(), .span(.class("hint"), .plain(t("quote.ceiling", ["amount": s.quote.ceiling?.formatted ?? ""]))))))
                        }),
                        .forEach(kinds) { kind in
                            .tr(.th(.attr("scope", "row"), .plain(kindName(kind, t))), .forEach(shown) { s in
                                let matching = s.quote.lines.filter { $0.kind == kind }
                                return matching.isEmpty ? cell(.span(.class("hint"), .plain(t("quotes.compare.notListed"))))
                                    : cell(.plain(Money(matching.reduce(Decimal(0)) { $0 + $1.exactTotal }, s.quote.currency).formatted),
                                           .ul(.class("compact"), .forEach(matching) { .li(.plain($0.description)) }))
                            })
                        },
                        .tr(.th(.attr("scope", "row"), .plain(t("quote.deposit"))), .forEach(shown) { s in
                            cell(.plain(s.quote.depositAmount > 0 ? t("quote.depositText", ["amount": amount(s.quote.depositAmount, s.quote.currency),
                                                                                           "days": "\(s.quote.depositDueDays)"]) : t("quote.noDeposit")))
                        }),
                        .tr(.th(.attr("scope", "row"), .plain(t("quote.validUntil"))), .forEach(shown) { cell(.plain(t.date($0.quote.validUntil))) }),
                        .tr(.th(.attr("scope", "row"), .plain(t("quotes.compare.details"))), .forEach(shown) { s in
                            cell(.a(.class("button"), .to(SiteURL.caseQuote(case: .value(s.reference), quote: .value("\(s.summary.id)")).path),
                                    .plain(t("quotes.compare.open"))))
                        })))),
                .p(.class("hint"), .plain(t("quotes.compare.rounding"))),
                Fragments.disclaimer(t)
            )).render(ctx)
    }

    // MARK: one quote

    static func show(_ s: Shown, previous: Quote?, viewer: CasePages.Viewer, csrf: String, state: FormState, decision: String?,
                     related: [(reference: String, provider: String)] = [], today: Date, _ ctx: PageContext) -> String {
        let t = ctx.t
        let ref = s.reference
        let id = "\(s.summary.id)"
        let isLatest = s.version == s.summary.latestVersion
        let acceptable = viewer == .patient && isLatest && s.summary.status == .open && !s.summary.isExpired(today: today)
        let versionLink: (Int) -> String = { v in
            (viewer == .patient ? SiteURL.caseQuote(case: .value(ref), quote: .value(id)) : SiteURL.inboxQuote(case: .value(ref), quote: .value(id)))
                .path(query: [("version", "\(v)")])
        }
        let back = viewer == .patient ? SiteURL.caseQuotes(.value(ref)) : SiteURL.inboxCase(.value(ref))
        let agreed = s.summary.status == .accepted
        return Page(title: t("quote.title", ["provider": s.providerName]), description: t("quote.title", ["provider": s.providerName]),
                    canonical: nil, noindex: true, body:
            .div(.class("wrap quotes-page"),
                .p(.class("eyebrow"), .a(.to(back.path), .plain(viewer == .patient ? t("quotes.compare.title", ["reference": ref])
                                                                                 : t("inbox.case.title", ["reference": ref])))),
                .h1(.plain(t("quote.title", ["provider": s.providerName]))),
                .p(.class("lead"), .plain(t("quote.versionOf", ["version": "\(s.version)", "latest": "\(s.summary.latestVersion)", "reference": ref])),
                   .plain(" "), statusLabel(s.summary, today: today, t)),
                .if(!isLatest, .p(.class("notice"), .plain(t("quote.olderVersion")), .plain(" "),
                                  .a(.to(versionLink(s.summary.latestVersion)), .plain(t("quote.seeLatest"))))),
                .if(agreed, .p(.class("notice success"), .plain(t("quote.acceptedOn", ["version": "\(s.summary.acceptedVersion ?? 0)",
                                                                                       "date": s.summary.decidedAt.map(t.date) ?? ""])), .plain(" "),
                    .a(.to((viewer == .patient ? SiteURL.caseQuoteAgreement(case: .value(ref), quote: .value(id))
                                               : SiteURL.inboxQuoteAgreement(case: .value(ref), quote: .value(id))).path), .plain(t("quote.agreement.open"))))),
                .if(decision != nil, .section(.class("decision"), .h2(.plain(t("quote.declinedReason"))), .blockquote(.class("note"), .p(.plain(decision ?? ""))))),
                keyFigures(s.quote, converted: s.converted, t),
                .if(previous != nil, .p(.class("hint"), .plain(t("quote.diffExplain", ["previous": "\(s.version - 1)"])))),
                lines(s.quote, changes: previous.map { QuoteLineChange.diff(old: $0.lines, new: s.quote.lines) }, t),
                .if(previous != nil && previous?.total != s.quote.total, .p(.class("change-note"),
                    .plain(t("quote.totalChanged", ["old": previous?.total.formatted ?? "", "new": s.quote.total.formatted])))),
                terms(s.quote, t),
                .if(s.summary.versions.count > 1, .section(.class("versions"),
                    .h2(.plain(t("quote.versions"))),
                    .ol(.forEach(s.summary.versions.sorted { $0.version < $1.version }) { v in
                        .li(v.version == s.version ? .strong(.plain(t("quote.versionLine", ["version": "\(v.version)", "total": v.total.formatted,
                                                                                          "date": t.date(v.createdAt)])))
                            : .a(.to(versionLink(v.version)), .plain(t("quote.versionLine", ["version": "\(v.version)", "total": v.total.formatted,
                                                                                            "date": t.date(v.createdAt)]))))
                    }))),
                .if(acceptable, .section(.class("quote-decide"),
                    .h2(.plain(t("quote.decide.title"))),
                    Fields.summary(state, labels: ["confirm": t("quote.accept.confirm"), "reason": t("quote.decline.reason")], t),
                    .div(.class("decide-grid"),
                        Fields.form(action: SiteURL.caseQuoteAccept(case: .value(ref), quote: .value(id)).path, csrf: csrf, classes: "action-form", [
                            Fields.hidden("version", "\(s.version)"),
                            .p(.plain(t("quote.accept.explain", ["total": s.quote.total.formatted]))),
                            Fields.checkbox("confirm", label: t("quote.accept.confirm"), state: state, t),
                            .if(!related.isEmpty, .element(named: "fieldset", nodes: [.class("field choices"),
                                .element(named: "legend", nodes: [.plain(t("quote.accept.related"))]),
                                .forEach(Array(related.enumerated())) { i, r in
                                    .div(.class("choice"),
                                        .selfClosedElement(named: "input", attributes: [Attribute<HTML.BodyContext>.attr("type", "checkbox"), .attr("name", "close_related"),
                                            .attr("id", "close-related-\(i)"), .attr("value", r.reference),
                                            .flag("checked", state.input.all("close_related").contains(r.reference) || state.input.all("confirm").isEmpty)]),
                                        .label(.attr("for", "close-related-\(i)"), .plain(t("quote.accept.relatedItem", ["provider": r.provider, "reference": r.reference]))))
                                }])),
                            .button(.type(.submit), .class("button primary"), .plain(t("quote.accept.submit")))]),
                        Fields.form(action: SiteURL.caseQuoteDecline(case: .value(ref), quote: .value(id)).path, csrf: csrf, classes: "action-form", [
                            Fields.textarea("reason", label: t("quote.decline.reason"), state: state, t, hint: t("quote.decline.hint"), required: true,
                                            maxLength: QuoteLimits.maxText, rows: 3),
                            .button(.type(.submit), .class("button danger"), .plain(t("quote.decline.submit")))])))),
                .if(viewer == .staff && s.summary.status == .open, .p(.a(.class("button"),
                    .to(SiteURL.inboxQuoteNew(.value(ref)).path(query: [("revise", id)])), .plain(t("quote.revise"))))),
                Fragments.disclaimer(t)
            )).render(ctx)
    }

    // MARK: agreement

    /// What was agreed, on one printable page (the print stylesheet hides the site's navigation).
    static func agreement(_ s: Shown, patientName: String, acceptedAt: Date, _ ctx: PageContext) -> String {
        let t = ctx.t
        return Page(title: t("quote.agreement.title", ["reference": s.reference]), description: t("quote.agreement.title", ["reference": s.reference]),
                    canonical: nil, noindex: true, body:
            .div(.class("wrap agreement"),
                .h1(.plain(t("quote.agreement.title", ["reference": s.reference]))),
                .element(named: "dl", nodes: [.class("quote-figures"),
                    .div(.element(named: "dt", nodes: [.plain(t("quote.agreement.patient"))]), .element(named: "dd", nodes: [.plain(patientName)])),
                    .div(.element(named: "dt", nodes: [.plain(t("quote.agreement.provider"))]), .element(named: "dd", nodes: [.plain(s.providerName)])),
                    .div(.element(named: "dt", nodes: [.plain(t("quote.agreement.version"))]),
                         .element(named: "dd", nodes: [.plain(t("quote.agreement.versionText", ["quote": "\(s.summary.id)", "version": "\(s.version)"]))])),
                    .div(.element(named: "dt", nodes: [.plain(t("quote.agreement.acceptedAt"))]),
                         .element(named: "dd", nodes: [.plain(t.date(acceptedAt) + " · " + ISODate.timestamp(acceptedAt))])),
                ]),
                keyFigures(s.quote, converted: nil, t),
                lines(s.quote, t),
                terms(s.quote, t),
                .p(.class("hint"), .plain(t("quote.agreement.keep"))),
                .p(.class("no-print hint"), .plain(t("quote.agreement.print"))),
                Fragments.disclaimer(t)
            )).render(ctx)
    }

    // MARK: editor

    static let spareRows = 3

    /// The quote editor: works without JavaScript. "Recalculate" sends the form back with the totals worked out on
    /// the server (and three more empty rows); "Send" stores the quote. Problems are shown at their field and row.
    static func editor(_ d: CaseDetail, revising: (id: Int, version: Int)?, state: FormState, preview: Quote?, _ ctx: PageContext,
                       csrf: String) -> String {
        let t = ctx.t
        let ref = d.reference
        let typedRows = max(state.values("line_kind").count, state.values("line_description").count)
        let rowCount = min(QuoteLimits.maxLines, max(5, typedRows + (state.input.text("intent") == "add-rows" ? spareRows : 0)))
        let currencies = CurrencyCode.known.sorted()
        var capInput = state.input
        if state.value("scope_cap_kind").isEmpty { capInput["scope_cap_kind"] = "none" }
        let capState = FormState(capInput, problems: state.problems)
        func cell(_ name: String, _ i: Int) -> String { let v = state.values(name); return i < v.count ? v[i] : "" }
        func lineError(_ i: Int, _ field: String) -> Node<HTML.BodyContext> {
            let found = state.problems.filter { $0.field == "lines[\(i)].\(field)" }
            return found.isEmpty ? .empty : .span(.class("field-error"), .id("line-\(i)-\(field)-error"),
                                                   .plain(found.map { t.message(for: $0) }.joined(separator: " ")))
        }
        var labels: [String: String] = ["currency": t("quote.field.currency"), "valid_until": t("quote.field.valid_until"),
                                         "deposit_amount": t("quote.field.deposit_amount"), "deposit_due_days": t("quote.field.deposit_due_days"),
                                         "cancellation": t("quote.field.cancellation"), "scope_findings": t("quote.field.scope_findings"),
                                         "scope_cap_kind": t("quote.field.scope_cap_kind"), "scope_cap": t("quote.field.scope_cap"),
                                         "lines": t("quote.lines")]
        var anchors: [String: String] = ["lines": "quote-lines"]
        for p in state.problems where p.field.hasPrefix("lines[") {
            // "lines[2].unit_amount" → "Line 3, unit amount", linked to that cell.
            let inside = p.field.dropFirst(6)
            if let close = inside.firstIndex(of: "]"), let n = Int(inside[..<close]) {
                let field = String(inside[inside.index(after: close)...].dropFirst())
                labels[p.field] = t("quote.lineLabel", ["n": "\(n + 1)", "field": t("quote.col.\(field)")])
                anchors[p.field] = "line-\(n)-\(field)"
            }
        }
        return Page(title: t("quote.editor.title", ["reference": ref]), description: ref, canonical: nil, noindex: true, body:
            .div(.class("wrap quote-editor"),
                .p(.class("eyebrow"), .a(.to(SiteURL.inboxCase(.value(ref)).path), .plain(t("inbox.case.title", ["reference": ref])))),
                .h1(.plain(revising == nil ? t("quote.editor.title", ["reference": ref])
                                           : t("quote.editor.revise", ["reference": ref, "version": "\((revising?.version ?? 0) + 1)"]))),
                .p(.class("lead"), .plain(t("quote.editor.lead"))),
                .p(.plain(t("quote.editor.for", ["procedures": d.procedures.map(\.name).joined(separator: ", ")]))),
                Fields.summary(state, labels: labels, t, anchors: anchors),
                Fields.form(action: SiteURL.inboxQuoteNew(.value(ref)).path, csrf: csrf, classes: "quote-form", [
                    revising.map { Fields.hidden("revise", "\($0.id)") } ?? .empty,
                    revising.map { Fields.hidden("expected_version", "\($0.version)") } ?? .empty,
                    .div(.class("field-row"),
                        Fields.select("currency", label: t("quote.field.currency"), options: currencies.map { ($0, $0) }, state: state, t, required: true),
                        Fields.input("valid_until", label: t("quote.field.valid_until"), type: "date", state: state, t, hint: t("quote.field.valid_until.hint"),
                                     required: true)),
                    .element(named: "fieldset", nodes: [.class("quote-lines-edit"), .id("quote-lines"),
                        .element(named: "legend", nodes: [.plain(t("quote.lines"))]),
                        .p(.class("hint"), .plain(t("quote.editor.linesHint"))),
                        Fields.errors("lines", state, t),
                        .div(.class("table-scroll"), .table(
                            .thead(.tr(.th(.plain(t("quote.col.kind"))), .th(.plain(t("quote.col.description"))), .th(.plain(t("quote.col.quantity"))),
                                       .th(.plain(t("quote.col.unit_amount"))), .th(.plain(t("quote.col.included"))), .th(.plain(t("quote.col.excluded"))))),
                            .tbody(.forEach(Array(0..<rowCount)) { i in
                                let kind = cell("line_kind", i).isEmpty ? QuoteLine.Kind.procedure.rawValue : cell("line_kind", i)
                                return .tr(
                                    .td(.element(named: "select", nodes: [.attr("name", "line_kind"), .attr("id", "line-\(i)-kind"),
                                                                          .attr("aria-label", t("quote.lineLabel", ["n": "\(i + 1)", "field": t("quote.col.kind")])),
                                        .forEach(QuoteLine.Kind.allCases) { k in
                                            .element(named: "option", nodes: [.attr("value", k.rawValue), .flag("selected", k.rawValue == kind), .plain(kindName(k, t))])
                                        }]), lineError(i, "kind")),
                                    .td(lineInput("line_description", i, "description", cell("line_description", i), t, maxLength: QuoteLimits.maxText), lineError(i, "description")),
                                    .td(lineInput("line_quantity", i, "quantity", cell("line_quantity", i), t, mode: "decimal", size: 4), lineError(i, "quantity")),
                                    .td(lineInput("line_unit_amount", i, "unit_amount", cell("line_unit_amount", i), t, mode: "decimal", size: 8), lineError(i, "unit_amount")),
                                    .td(lineInput("line_included", i, "included", cell("line_included", i), t, maxLength: QuoteLimits.maxText)),
                                    .td(lineInput("line_excluded", i, "excluded", cell("line_excluded", i), t, maxLength: QuoteLimits.maxText)))
                            }))),
                        .button(.type(.submit), .attr("name", "intent"), .attr("value", "add-rows"), .class("button"), .plain(t("quote.editor.addRows"))),
                    ]),
                    preview.map { q in .section(.class("quote-preview"), .attr("aria-live", "polite"),
                        .h2(.plain(t("quote.editor.preview"))), keyFigures(q, converted: nil, t), lines(q, t)) } ?? .empty,
                    .div(.class("field-row"),
                        Fields.input("deposit_amount", label: t("quote.field.deposit_amount"), state: state, t, hint: t("quote.field.deposit_amount.hint"),
                                     extra: [.attr("inputmode", "decimal")]),
                        Fields.input("deposit_due_days", label: t("quote.field.deposit_due_days"), type: "number", state: state, t,
                                     extra: [.attr("min", "0"), .attr("max", "\(QuoteLimits.maxDepositDays)")])),
                    Fields.textarea("cancellation", label: t("quote.field.cancellation"), state: state, t, hint: t("quote.field.cancellation.hint"),
                                    required: true, maxLength: QuoteLimits.maxText, rows: 4),
                    .element(named: "fieldset", nodes: [.class("scope-policy"),
                        .element(named: "legend", nodes: [.plain(t("quote.scopeTitle"))]),
                        .p(.class("hint"), .plain(t("quote.editor.scopeHint"))),
                        Fields.textarea("scope_findings", label: t("quote.field.scope_findings"), state: state, t, maxLength: QuoteLimits.maxText, rows: 3),
                        Fields.choices("scope_cap_kind", legend: t("quote.field.scope_cap_kind"),
                                       options: [("none", t("quote.capKind.none")), ("amount", t("quote.capKind.amount")), ("percent", t("quote.capKind.percent"))],
                                       state: capState, t, required: true),
                        Fields.input("scope_cap", label: t("quote.field.scope_cap"), state: state, t, hint: t("quote.field.scope_cap.hint"),
                                     extra: [.attr("inputmode", "decimal")]),
                    ]),
                    .div(.class("form-actions"),
                        .button(.type(.submit), .attr("name", "intent"), .attr("value", "preview"), .class("button"), .plain(t("quote.editor.recalculate"))),
                        .button(.type(.submit), .attr("name", "intent"), .attr("value", "send"), .class("button primary"), .plain(t("quote.editor.send")))),
                ]),
                Fragments.disclaimer(t)
            )).render(ctx)
    }

    static func lineInput(_ name: String, _ i: Int, _ field: String, _ value: String, _ t: Localizer, mode: String? = nil, size: Int? = nil,
                          maxLength: Int? = nil) -> Node<HTML.BodyContext> {
        .selfClosedElement(named: "input", attributes: [
            Attribute<HTML.BodyContext>.attr("type", "text"), .attr("name", name), .attr("id", "line-\(i)-\(field)"), .attr("value", value),
            .attr("aria-label", t("quote.lineLabel", ["n": "\(i + 1)", "field": t("quote.col.\(field)")])),
            mode.map { .attr("inputmode", $0) } ?? .empty, size.map { .attr("size", "\($0)") } ?? .empty,
            maxLength.map { .attr("maxlength", "\($0)") } ?? .empty,
        ])
    }

    // MARK: on the case page

    /// The quotes of a case, listed on the case page (patient) or the inbox case page (staff).
    static func caseSection(reference: String, quotes: [QuoteSummary], viewer: CasePages.Viewer, canQuote: Bool, waitingSince: Date?,
                            today: Date, _ t: Localizer) -> Node<HTML.BodyContext> {
        .section(.class("case-quotes"),
            .h2(.plain(t("quotes.section"))),
            .if(viewer == .staff && waitingSince != nil && quotes.isEmpty, .p(.class("notice"),
                .plain(t("quotes.waiting", ["since": waitingSince.map(t.date) ?? ""])))),
            quotes.isEmpty ? .p(.class("hint"), .plain(CasePages.word("quotes.noneYet", viewer, t))) :
                .ul(.class("quote-list"), .forEach(quotes) { q in
                    let link = viewer == .patient ? SiteURL.caseQuote(case: .value(reference), quote: .value("\(q.id)"))
                                                  : SiteURL.inboxQuote(case: .value(reference), quote: .value("\(q.id)"))
                    return .li(.a(.to(link.path), .plain(t("quotes.item", ["n": "\(q.id)", "version": "\(q.latestVersion)",
                                                                           "total": q.latest?.total.formatted ?? ""]))),
                               .plain(" "), statusLabel(q, today: today, t),
                               .if(q.latest?.binding == false, .group(.plain(" "), .span(.classes("badge", "not-binding"), .plain(t("quote.notBinding"))))))
                }),
            .if(viewer == .patient && !quotes.isEmpty, .p(.a(.class("button primary"), .to(SiteURL.caseQuotes(.value(reference)).path),
                                                          .plain(t("quotes.compare.link"))))),
            .if(viewer == .staff && canQuote, .p(.a(.class("button primary"), .to(SiteURL.inboxQuoteNew(.value(reference)).path),
                                                  .plain(t("quotes.write"))))))
    }
}
