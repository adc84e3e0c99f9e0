import Foundation
import Testing
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

    static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("careabroad-cmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("Each command, with --env first, runs only itself: no demo accounts, no worker, no server",
          arguments: [["--env", "development", "migrate", "--yes"], ["--env", "development", "audit", "verify"],
                      ["--env", "development", "keys", "generate"], ["--env", "development", "aids", "check"],
                      ["--env", "development", "keys", "rotate"], ["--env", "testing", "audit", "head"]])
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
        let key = try Self.run(["keys", "generate"], directory: dir).output
            .split(separator: "\n").map(String.init).first { $0.count >= 40 && !$0.contains(" ") } ?? ""
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
}
