import Foundation
import Testing
import Vapor
import Fluent
@testable import App

/// The real executable, run as an operator would, with `--env` before the command.
@Suite("Commands")
struct CommandTests {
    /// The `careabroad` executable built next to the test bundle.
    static var executable: URL {
        let bundleDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let beside = bundleDir.appendingPathComponent("careabroad")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return repositoryRoot.appendingPathComponent(".build/debug/careabroad")
    }

    struct Run { let status: Int32; let output: String }

    /// Runs the executable with `arguments` on a fresh SQLite file of its own (never `DATABASE_URL`).
    static func run(_ arguments: [String], environment extra: [String: String] = [:], directory: URL) throws -> Run {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["DATABASE_URL"] = nil
        env["CAREABROAD_SQLITE_PATH"] = directory.appendingPathComponent("db.sqlite").path
        env["CAREABROAD_MASTER_KEY_FILE"] = directory.appendingPathComponent("master.key").path
        for (k, v) in extra { env[k] = v }
        process.environment = env
        process.currentDirectoryURL = directory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// A new master key, from `careabroad keys generate`.
    static func generatedKey(directory: URL) throws -> String {
        try run(["keys", "generate"], directory: directory).output
            .split(separator: "\n").map(String.init).first { $0.count >= 40 && !$0.contains(" ") } ?? ""
    }

    static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("careabroad-cmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("Each command, with --env first, runs only itself: no demo accounts, no worker, no server",
          arguments: [["--env", "development", "migrate", "--yes"], ["--env", "development", "audit", "verify"],
                      ["--env", "development", "keys", "generate"], ["--env", "development", "aids", "check"],
                      ["--env", "development", "keys", "rotate"], ["--env", "testing", "audit", "head"],
                      ["--env", "development", "rates", "import", "\(repositoryRoot.path)/Sources/App/Resources/Demo/reference-rates-sample.csv"]])
    func commandsAfterEnv(arguments: [String]) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable.path) else {
            Issue.record("the careabroad executable was not built at \(Self.executable.path)"); return
        }
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try Self.run(arguments, directory: dir)
        #expect(result.status == 0, "\(arguments.joined(separator: " ")): \(result.output.suffix(400))")
        #expect(!result.output.contains("Demo accounts"), "\(arguments.joined(separator: " ")) loaded the demo accounts")
        #expect(!result.output.contains("Empty database: loading the demo data"))
        #expect(!result.output.contains("Server started"))
    }

    @Test("Production refuses demo data and the development mailbox with one clear line each")
    func productionRefusals() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable.path) else {
            Issue.record("the careabroad executable was not built"); return
        }
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = try Self.generatedKey(directory: dir)
        #expect(!key.isEmpty)
        let prod = ["CAREABROAD_MASTER_KEY": key, "CAREABROAD_MAIL": "log"]
        let seed = try Self.run(["--env", "production", "seed", "demo"], environment: prod, directory: dir)
        #expect(seed.status != 0)
        #expect(seed.output.contains("seed is refused in production"))
        let asked = try Self.run(["--env", "production", "serve"], environment: prod.merging(["CAREABROAD_SEED_DEMO": "true"]) { $1 }, directory: dir)
        #expect(asked.status != 0)
        #expect(asked.output.contains("CAREABROAD_SEED_DEMO cannot be true in production"))
        let mailbox = try Self.run(["--env", "production", "serve"], environment: ["CAREABROAD_MASTER_KEY": key], directory: dir)
        #expect(mailbox.status != 0)
        #expect(mailbox.output.contains("CAREABROAD_MAIL must be smtp (or log) in production"))
        // Migrating a production database creates no account at all.
        #expect(try Self.run(["--env", "production", "migrate", "--yes"], environment: prod, directory: dir).status == 0)
        let check = try Self.run(["--env", "production", "audit", "verify"], environment: prod, directory: dir)
        #expect(check.status == 0, "\(check.output.suffix(300))")
    }

    @Test("serve --env production on an empty database creates no account and logs no secret")
    func productionServeLogsNoSecret() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable.path) else {
            Issue.record("the careabroad executable was not built"); return
        }
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = try Self.generatedKey(directory: dir)
        let process = Process()
        process.executableURL = Self.executable
        let port = Int.random(in: 30_000...40_000)
        process.arguments = ["--env", "production", "serve", "--hostname", "127.0.0.1", "--port", "\(port)"]
        var env = ProcessInfo.processInfo.environment
        env["DATABASE_URL"] = nil
        env["CAREABROAD_SQLITE_PATH"] = dir.appendingPathComponent("db.sqlite").path
        env["CAREABROAD_MASTER_KEY"] = key
        env["CAREABROAD_MAIL"] = "log"
        env["LOG_LEVEL"] = "trace"
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        // Wait until it serves (or gives up), then stop it.
        var started = false
        for _ in 0..<60 where !started {
            try await Task.sleep(for: .milliseconds(250))
            started = FileManager.default.fileExists(atPath: dir.appendingPathComponent("db.sqlite").path) && process.isRunning
        }
        try await Task.sleep(for: .seconds(2))
        process.terminate()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(started, "\(output.suffix(400))")
        for secret in ["password:", "authenticator key", "Demo accounts"] + DemoAccounts.accounts.map(\.password) {
            #expect(!output.contains(secret), "the production log holds '\(secret)'")
        }
        #expect(!output.contains(key))
        // No account of any kind was created, and no directory content either.
        let app = try await Application.make(.testing)
        try await configure(app, config: AppConfig(database: .sqlite(path: dir.appendingPathComponent("db.sqlite").path), masterKey: key, mail: .log))
        let users = try await User.query(on: app.db).count()
        let practitioners = try await Practitioner.query(on: app.db).count()
        try await app.asyncShutdown()
        #expect(users == 0 && practitioners == 0)
    }
}
