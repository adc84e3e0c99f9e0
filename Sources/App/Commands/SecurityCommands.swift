import Foundation
import Vapor
import Fluent

/// `careabroad audit verify [--head ID:HASH]` checks the audit chain; `careabroad audit head` prints its signed head
/// for an operator to keep somewhere else.
struct AuditCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "verify | head")
        var action: String

        @Option(name: "head", help: "verify: a head printed earlier by 'audit head' (ID:HASH) that must still be in the chain")
        var head: String?
    }

    var help: String {
        "The audit trail: `verify` walks the keyed chain and its signed head and names the first break (a changed, removed "
            + "or inserted row, removed newest rows, a rewritten chain, a fork); `head` prints the head to keep elsewhere, "
            + "which `verify --head` later checks is still in the chain."
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        switch signature.action {
        case "verify":
            let result = try await AuditLog.verify(app: app, on: app.db, expectedHead: signature.head)
            if let broken = result.firstBrokenID {
                context.console.error("Audit chain broken at row \(broken): \(result.reason ?? ""). \(result.checked) rows before it are intact.")
                throw ExitCode(1)
            }
            context.console.info("Audit chain intact: \(result.checked) rows checked.")
        case "head":
            guard let head = try await AuditHead.find(AuditLog.headID, on: app.db) else {
                context.console.info("The audit chain has no head yet (no entry since it was keyed).")
                return
            }
            context.console.print("Audit head: \(AuditLog.printable(head)) (\(head.rowCount) rows, signed \(head.signature.prefix(16))…)")
            context.console.print("Keep the part before the parenthesis elsewhere; later run: careabroad audit verify --head \(AuditLog.printable(head))")
        default:
            context.console.error("Unknown action '\(signature.action)'. Use: careabroad audit verify | head")
            throw ExitCode(2)
        }
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
        Master keys. `generate` prints a new key for CAREABROAD_MASTER_KEY. `rotate` re-wraps everything sealed with an \
        older master key (patients' data keys, platform keys, staff sign-in code secrets) with the first (current) one; to rotate, put the new key first in CAREABROAD_MASTER_KEY (keys are \
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
            let done = try await app.vault.rotateAll(on: app.db, gate: app.writes, now: app.clock.now())
            try await AuditLog.record(AuditEntry(actorUserID: nil, actorRole: "operator", action: "keys.rotate", objectType: "keys",
                                                 objectID: "\(done.dataKeys)/\(done.platformKeys)/\(done.signInSecrets)", source: "command-line"), app: app)
            context.console.info("Re-wrapped \(done.dataKeys) data keys, \(done.platformKeys) platform keys and \(done.signInSecrets) sign-in code secrets with master key \(app.vault.keyring.current.id).")
        default:
            context.console.error("Unknown action '\(signature.action)'. Use: careabroad keys generate | rotate")
            throw ExitCode(2)
        }
    }
}
