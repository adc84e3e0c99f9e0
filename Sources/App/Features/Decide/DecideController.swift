import Foundation
import Fluent
import Plot
import Vapor
import Domain

/// `/decide`: treatment decision aids. One question per step; answers travel in hidden POST fields so going back
/// keeps them; the result explains each option and leads to providers and a pre-filled consultation request.
enum DecideController {
    static func aid(_ req: Request) throws -> DecisionAid {
        guard let aid = req.application.decisionAids.aid(try req.slug()) else { throw Abort(.notFound) }
        return aid
    }

    /// Answers found in a form: the questions marked as answered (a multiple choice may be answered with nothing).
    static func answers(_ input: FormInput, _ aid: DecisionAid) -> DecisionAnswers {
        var answers = DecisionAnswers()
        let answered = Set(input.all("answered"))
        for q in aid.questions {
            let values = input.all(q.id).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard answered.contains(q.id) || !values.isEmpty else { continue }
            switch q.kind {
            case .scale: if let v = values.first.flatMap({ Int($0) }) { answers.scales[q.id] = v }
            case .single, .multiple: answers.choices[q.id] = values
            }
        }
        return answers
    }

    @Sendable static func index(req: Request) async throws -> Response {
        .html(DecidePages.index(req.application.decisionAids.aids, req.pageContext))
    }

    @Sendable static func show(req: Request) async throws -> Response {
        let aid = try aid(req)
        return .html(DecidePages.step(aid, index: 0, input: FormInput(), problems: [], csrf: req.csrfToken, req.pageContext))
    }

    @Sendable static func submit(req: Request) async throws -> Response {
        let aid = try aid(req)
        let form = try await req.formBody()
        var input = form.input
        let go = input["go"] ?? "next"
        input["go"] = nil
        let index = min(max(0, Int(input["step"] ?? "") ?? 0), aid.questions.count - 1)
        if go == "back" {
            return .html(DecidePages.step(aid, index: max(0, index - 1), input: input, problems: [], csrf: req.csrfToken, req.pageContext))
        }
        // Mark the question of this step as answered (an empty multiple choice means "none of these").
        if go == "next" || go == "result" {
            if !input.all("answered").contains(aid.questions[index].id) { input.set("answered", input.all("answered") + [aid.questions[index].id]) }
        }
        let answers = Self.answers(input, aid)
        let asked = Set(aid.questions.prefix(index + 1).map(\.id))
        let problems = aid.check(answers).filter { asked.contains($0.question) }
        if !problems.isEmpty {
            let first = aid.questions.firstIndex { q in problems.contains { $0.question == q.id } } ?? index
            return .html(DecidePages.step(aid, index: first, input: input, problems: problems, csrf: req.csrfToken, req.pageContext), status: .unprocessableEntity)
        }
        if index < aid.questions.count - 1 && go != "result" {
            return .html(DecidePages.step(aid, index: index + 1, input: input, problems: [], csrf: req.csrfToken, req.pageContext))
        }
        let all = aid.check(answers)
        guard all.isEmpty else {
            let first = aid.questions.firstIndex { q in all.contains { $0.question == q.id } } ?? 0
            return .html(DecidePages.step(aid, index: first, input: input, problems: all, csrf: req.csrfToken, req.pageContext), status: .unprocessableEntity)
        }
        let result = aid.evaluate(answers)
        var query = QueryParameters(values: [:])
        if let c = input.text("country"), c.count == 2 { query = QueryParameters(values: ["country": [c.uppercased()]]) }
        let country = try query.single("country")
        let language = input.text("language").flatMap { $0.count <= 3 ? $0.lowercased() : nil }
        let providers = try await matchingProviders(result, aid, country: country, language: language, req: req)
        let names = Dictionary(try await DirectoryQueries.procedureChoices(on: req.db), uniquingKeysWith: { a, _ in a })
        return .html(DecidePages.result(aid, result, input: input, providers: providers, country: country, language: language,
                                        procedureNames: names, csrf: req.csrfToken, req.pageContext))
    }

    /// Providers offering the procedures of the options that suit or may suit, for each such option (a few each).
    static func matchingProviders(_ result: DecisionResult, _ aid: DecisionAid, country: String?, language: String?,
                                  req: Request) async throws -> [(option: String, procedure: String, cards: [ProviderCard], total: Int)] {
        var out: [(String, String, [ProviderCard], Int)] = []
        for r in result.options where r.fit != .notAFit {
            guard let option = aid.option(r.option), let procedure = option.procedures.first else { continue }
            let q = ProviderSearchQuery(procedure: procedure, country: country, language: language, paging: Paging(page: 1, perPage: 4))
            let found = try await ProviderSearch.run(q, on: req.db, now: req.application.clock.now(), facets: false, index: req.application.providerFilterIndex)
            out.append((r.option, procedure, found.items, found.total))
        }
        return out
    }

    /// What goes into the consultation request when the patient continues from a result (plain text, editable).
    static func summary(_ aid: DecisionAid, _ result: DecisionResult, _ t: Localizer) -> String {
        var lines = ["\(aid.title) (\(aid.id) \(aid.version))"]
        for r in result.options {
            lines.append("\(t("decide.fit.\(r.fit.rawValue)")): \(aid.option(r.option)?.name ?? r.option)")
        }
        if !result.cautions.isEmpty { lines.append(t("decide.result.cautions") + ": " + result.cautions.map(\.text).joined(separator: " ")) }
        return String(lines.joined(separator: "\n").prefix(ConsultationLimits.longText))
    }

    // MARK: JSON API

    @Sendable static func apiDefinition(req: Request) async throws -> Response {
        let aid = try aid(req)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let response = Response(status: .ok, body: .init(data: try encoder.encode(aid)))
        response.headers.contentType = .json
        return response
    }

    struct EvaluateDTO: Decodable {
        var answers: [String: ConsultationAPI.Answer]
    }

    struct ProblemDTO: Content {
        var type = "about:blank"
        var title: String
        var status: Int
        var detail: String
        var errors: [ErrorDTO]
        struct ErrorDTO: Content { var question: String; var problem: String }
    }

    @Sendable static func apiEvaluate(req: Request) async throws -> Response {
        let aid = try aid(req)
        let dto: EvaluateDTO
        do { dto = try req.content.decode(EvaluateDTO.self) } catch { throw Abort(.badRequest, reason: req.application.localizer("api.badJSON")) }
        var answers = DecisionAnswers()
        for (id, answer) in dto.answers {
            if aid.question(id)?.kind == .scale, answer.values.count == 1, let v = Int(answer.values[0]) { answers.scales[id] = v }
            else { answers.choices[id] = answer.values }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let problems = aid.check(answers)
        guard problems.isEmpty else {
            let body = ProblemDTO(title: "Unprocessable Entity", status: 422, detail: req.application.localizer("decide.api.problems"),
                                  errors: problems.map { .init(question: $0.question, problem: $0.code.rawValue) })
            let response = Response(status: .unprocessableEntity, body: .init(data: try encoder.encode(body)))
            response.headers.contentType = HTTPMediaType(type: "application", subType: "problem+json", parameters: ["charset": "utf-8"])
            return response
        }
        let response = Response(status: .ok, body: .init(data: try encoder.encode(aid.evaluate(answers))))
        response.headers.contentType = .json
        return response
    }
}
