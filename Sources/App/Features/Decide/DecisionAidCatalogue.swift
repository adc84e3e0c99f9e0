import Foundation
import Vapor
import Domain

/// The decision aids shipped in `Resources/DecisionAids`, decoded and validated when the app is configured: a
/// definition with a problem stops the start with one line per problem.
struct DecisionAidCatalogue: Sendable {
    let aids: [DecisionAid]

    func aid(_ id: String) -> DecisionAid? { aids.first { $0.id == id } }

    /// The aids with an option that one of these procedures (guide slugs) describes.
    func aids(covering procedures: [String]) -> [(id: String, title: String)] {
        let wanted = Set(procedures)
        return aids.filter { $0.options.contains { !wanted.isDisjoint(with: $0.procedures) } }.map { ($0.id, $0.title) }
    }

    struct Invalid: Error, CustomStringConvertible {
        let problems: [String]
        var description: String { "Decision aid definitions are not valid:\n" + problems.map { "  - \($0)" }.joined(separator: "\n") }
    }

    /// Reads every `*.json` file of `directory` (the bundled folder by default).
    static func load(from directory: URL? = nil) throws -> DecisionAidCatalogue {
        guard let folder = directory ?? Bundle.module.url(forResource: "DecisionAids", withExtension: nil, subdirectory: "Resources") else {
            throw Invalid(problems: ["the folder of decision aids is missing from the bundle"])
        }
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
        var aids: [DecisionAid] = []
        var problems: [String] = []
        for file in files {
            do {
                let aid = try JSONDecoder().decode(DecisionAid.self, from: Data(contentsOf: file))
                if aid.id + ".json" != file.lastPathComponent { problems.append("\(file.lastPathComponent): the id '\(aid.id)' must match the file name") }
                problems += aid.validate().map { "\(file.lastPathComponent): \($0.message)" }
                aids.append(aid)
            } catch let error as DecodingError {
                problems.append("\(file.lastPathComponent): \(Self.describe(error))")
            }
        }
        guard problems.isEmpty else { throw Invalid(problems: problems) }
        return DecisionAidCatalogue(aids: aids)
    }

    /// A decoding error as one readable line (the field path and what was wrong).
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String { keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined() }
        switch error {
        case .keyNotFound(let key, let c): return "missing '\(key.stringValue)' at \(path(c.codingPath).isEmpty ? "the top" : path(c.codingPath))"
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return "wrong kind of value at \(path(c.codingPath)): \(c.debugDescription)"
        case .dataCorrupted(let c): return "not valid JSON (\(c.debugDescription))"
        @unknown default: return "not readable"
        }
    }
}

extension Application {
    private struct CatalogueKey: StorageKey { typealias Value = DecisionAidCatalogue }

    var decisionAids: DecisionAidCatalogue {
        get { guard let v = storage[CatalogueKey.self] else { fatalError("configure has not loaded the decision aids") }; return v }
        set { storage[CatalogueKey.self] = newValue }
    }
}
