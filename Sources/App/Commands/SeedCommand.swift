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

        @Option(name: "cases", help: "cases: number of consultation requests (default 1000000)")
        var cases: Int?

        @Option(name: "focus-share", help: "cases: share addressed to the featured surgeon's practice (default 0.02)")
        var focusShare: Double?

        @Option(name: "session-file", help: "cases: write a session token for the featured surgeon's demo staff here")
        var sessionFile: String?

        @Option(name: "token-file", help: "cases: write an API token for the demo patient here")
        var tokenFile: String?

        @Option(name: "reference", help: "conversation: the case whose conversation is filled")
        var reference: String?

        @Option(name: "messages", help: "conversation: number of messages (default 5000)")
        var messages: Int?
    }

    var help: String {
        "Loads data: 'demo' for the demo content, 'synthetic --providers N' for a benchmark-sized directory, "
            + "'cases --cases N' for a benchmark-sized store of consultation requests, "
            + "'pipeline --cases N' for a facilitator pipeline following N of those requests, "
            + "'conversation --reference CA-… --messages N' for a long conversation (sample data)."
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        // Every dataset here is sample data; none of it belongs in a production database.
        guard app.environment != .production else { throw RefusedInProduction(what: "careabroad seed") }
        try await app.autoMigrate()
        switch signature.dataset {
        case "demo":
            let isEmpty = try await DemoSeeder.isEmpty(app.db)
            guard signature.force || isEmpty else {
                context.console.warning("The database already has content; nothing loaded (use --force to load anyway).")
                return
            }
            try await DemoSeeder.seed(on: app.db, t: app.localizer, now: app.clock.now())
            // Running servers drop their rendered pages within a fraction of a second.
            try await ContentGeneration.bump(on: app.db)
            app.renderCache.invalidate()
            context.console.success("Demo data loaded.")
        case "synthetic":
            let count = signature.providers ?? 100_000
            guard (1...2_000_000).contains(count) else {
                context.console.error("--providers must be from 1 to 2,000,000")
                throw ExitCode(1)
            }
            try await SyntheticSeeder.run(providers: count, app: app, console: context.console)
        case "cases":
            let count = signature.cases ?? 1_000_000
            let share = signature.focusShare ?? 0.02
            guard (1...5_000_000).contains(count), (0...1).contains(share) else {
                context.console.error("--cases must be from 1 to 5,000,000 and --focus-share from 0 to 1")
                throw ExitCode(1)
            }
            try await SyntheticCases.run(cases: count, focusShare: share, sessionFile: signature.sessionFile, tokenFile: signature.tokenFile,
                                         app: app, console: context.console)
        case "pipeline":
            let count = signature.cases ?? 10_000
            guard (1...1_000_000).contains(count) else {
                context.console.error("--cases must be from 1 to 1,000,000")
                throw ExitCode(1)
            }
            try await SyntheticPipeline.run(count: count, sessionFile: signature.sessionFile, app: app, console: context.console)
        case "conversation":
            let count = signature.messages ?? 5_000
            guard (1...1_000_000).contains(count), let reference = signature.reference.flatMap(CaseReference.normalise) else {
                context.console.error("--reference must name a case and --messages be from 1 to 1,000,000")
                throw ExitCode(1)
            }
            try await SyntheticConversation.run(reference: reference, count: count, app: app, console: context.console)
        default:
            context.console.error("Unknown dataset '\(signature.dataset)': use 'demo', 'synthetic', 'cases', 'pipeline' or 'conversation'.")
            throw ExitCode(1)
        }
    }
}

struct ExitCode: Error, CustomStringConvertible {
    let code: Int32
    init(_ code: Int32) { self.code = code }
    var description: String { "exit \(code)" }
}

/// A command or step that would put sample data or development tools into production.
struct RefusedInProduction: Error, CustomStringConvertible {
    let what: String
    var description: String { "\(what) is refused in production: it creates sample data and demo accounts" }
}
