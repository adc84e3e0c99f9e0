import Foundation
import Vapor
import Fluent
import Domain

/// `careabroad seed demo` loads the demo content; `careabroad seed synthetic --providers N` builds a large
/// directory for benchmarks.
struct SeedCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "dataset", help: "demo (the demo content) or synthetic (a large generated directory)")
        var dataset: String

        @Option(name: "providers", short: "p", help: "synthetic: number of practitioners (default 100000)")
        var providers: Int?

        @Flag(name: "force", help: "demo: load even when the database already has content")
        var force: Bool
    }

    var help: String { "Loads data: 'demo' for the demo content, 'synthetic --providers N' for a benchmark-sized directory." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        switch signature.dataset {
        case "demo":
            let isEmpty = try await DemoSeeder.isEmpty(app.db)
            guard signature.force || isEmpty else {
                context.console.warning("The database already has content; nothing loaded (use --force to load anyway).")
                return
            }
            try await DemoSeeder.seed(on: app.db, t: app.localizer, now: app.clock.now())
            app.renderCache.invalidate()
            context.console.success("Demo data loaded.")
        case "synthetic":
            let count = signature.providers ?? 100_000
            guard (1...2_000_000).contains(count) else {
                context.console.error("--providers must be from 1 to 2,000,000")
                throw ExitCode(1)
            }
            try await SyntheticSeeder.run(providers: count, app: app, console: context.console)
        default:
            context.console.error("Unknown dataset '\(signature.dataset)': use 'demo' or 'synthetic'.")
            throw ExitCode(1)
        }
    }
}

struct ExitCode: Error, CustomStringConvertible {
    let code: Int32
    init(_ code: Int32) { self.code = code }
    var description: String { "exit \(code)" }
}
