import Foundation
import Vapor
import Fluent

/// `careabroad audit verify`: walks the audit chain and reports the first broken link.
struct AuditCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "verify")
        var action: String
    }

    var help: String { "Checks the audit trail: `careabroad audit verify` reports the first broken link of the hash chain." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.action == "verify" else {
            context.console.error("Unknown action '\(signature.action)'. Use: careabroad audit verify")
            throw ExitCode(2)
        }
        let app = context.application
        try await app.autoMigrate()
        let result = try await AuditLog.verify(on: app.db)
        if let broken = result.firstBrokenID {
            context.console.error("Audit chain broken at row \(broken): \(result.reason ?? ""). \(result.checked) rows before it are intact.")
            throw ExitCode(1)
        }
        context.console.info("Audit chain intact: \(result.checked) rows checked.")
    }
}

/// `careabroad keys generate|rotate`.
struct KeysCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "generate | rotate")
        var action: String
    }

    var help: String {
        """
        Master keys. `generate` prints a new key for CAREABROAD_MASTER_KEY. `rotate` re-wraps every patient data key \
        with the first (current) master key; to rotate, put the new key first in CAREABROAD_MASTER_KEY (keys are \
        comma-separated), keep the old one after it, run `keys rotate`, then remove the old key. In development \
        without CAREABROAD_MASTER_KEY, `rotate` adds a new key to the key file first.
        """
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        switch signature.action {
        case "generate":
            context.console.print(MasterKeyring.generateEncoded())
        case "rotate":
            try await app.autoMigrate()
            if app.config.masterKey == nil {
                guard app.environment != .production else { throw MasterKeyring.Problem.missingInProduction }
                let file = app.config.masterKeyFile
                let existing = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
                let body = existing.split(separator: "\n").filter { !$0.hasPrefix("#") }.joined(separator: "\n")
                let content = "# CareAbroad development master key(s), newest first. Never use this file in production.\n"
                    + MasterKeyring.generateEncoded() + "\n" + body + "\n"
                try Data(content.utf8).write(to: URL(fileURLWithPath: file))
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
                app.vault = Vault(keyring: try MasterKeyring.parse(content))
                context.console.info("Added a new master key to \(file).")
            }
            let count = try await app.vault.rotate(on: app.db, gate: app.writes, now: app.clock.now())
            try await AuditLog.record(AuditEntry(actorUserID: nil, actorRole: "operator", action: "keys.rotate", objectType: "data-keys",
                                                 objectID: "\(count)", source: "command-line"), app: app)
            context.console.info("Re-wrapped \(count) data keys with master key \(app.vault.keyring.current.id).")
        default:
            context.console.error("Unknown action '\(signature.action)'. Use: careabroad keys generate | rotate")
            throw ExitCode(2)
        }
    }
}
