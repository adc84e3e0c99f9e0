import Foundation
import NIOConcurrencyHelpers
import Crypto
import Fluent
import SQLKit
import Vapor
import Domain

/// The master keys: the first one wraps new data keys; the others only unwrap what they wrapped earlier, until
/// `careabroad keys rotate` has re-wrapped everything with the first.
struct MasterKeyring: Sendable {
    struct Key: Sendable {
        let id: String
        let key: SymmetricKey
    }

    let keys: [Key]
    var current: Key { keys[0] }

    enum Problem: Error, CustomStringConvertible {
        case missingInProduction
        case invalid(String)

        var description: String {
            switch self {
            case .missingInProduction:
                return "CAREABROAD_MASTER_KEY is not set. In production the master key must come from the environment "
                    + "(generate one with `careabroad keys generate`). Refusing to start."
            case .invalid(let why): return "CAREABROAD_MASTER_KEY is not valid: \(why)"
            }
        }
    }

    init(keys: [SymmetricKey]) {
        precondition(!keys.isEmpty)
        self.keys = keys.map { Key(id: Self.id(of: $0), key: $0) }
    }

    /// A key's id: derived from the key itself, so it never has to be written down separately.
    static func id(of key: SymmetricKey) -> String {
        let digest = key.withUnsafeBytes { SHA256.hash(data: Data("careabroad-key-id".utf8) + Data($0)) }
        return "mk-" + digest.prefix(6).hex
    }

    func key(id: String) -> SymmetricKey? { keys.first { $0.id == id }?.key }

    /// Parses `base64,base64,…` (the first is current).
    static func parse(_ text: String) throws -> MasterKeyring {
        var keys: [SymmetricKey] = []
        let lines = text.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }
        for part in lines.flatMap({ $0.split(separator: ",") }) {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let data = Data(base64Encoded: trimmed), data.count == 32 else {
                throw Problem.invalid("each key must be 32 random bytes in base64 (got a value of another shape)")
            }
            keys.append(SymmetricKey(data: data))
        }
        guard !keys.isEmpty else { throw Problem.invalid("no key found") }
        return MasterKeyring(keys: keys)
    }

    static func generateEncoded() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
    }

    /// The keyring from `CAREABROAD_MASTER_KEY`; without it, outside production, from `file` (created with a new
    /// key and permissions 0600 on first start).
    static func load(environmentValue: String?, isProduction: Bool, file: String, logger: Logger) throws -> MasterKeyring {
        if let value = environmentValue, !value.isEmpty { return try parse(value) }
        guard !isProduction else { throw Problem.missingInProduction }
        let fm = FileManager.default
        if !fm.fileExists(atPath: file) {
            try fm.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let content = "# CareAbroad development master key(s), newest first. Never use this file in production.\n"
                + generateEncoded() + "\n"
            guard fm.createFile(atPath: file, contents: Data(content.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw Problem.invalid("could not write \(file)")
            }
            logger.notice("Generated a development master key in \(file) (permissions 0600)")
        }
        return try parse(String(contentsOfFile: file, encoding: .utf8))
    }
}

/// Envelope encryption of health data with AES-GCM: each patient has a data key, stored wrapped by the master
/// key; every sealed value is bound to what it belongs to (`context`), so a ciphertext moved to another row
/// does not open.
struct Vault: Sendable {
    let keyring: MasterKeyring
    /// Unwrapped platform keys, by purpose (see `platformKey`).
    let platformKeys = KeyCache()

    init(keyring: MasterKeyring) { self.keyring = keyring }

    /// A small lock-protected map: platform keys are read on every audit entry and outgoing message.
    final class KeyCache: Sendable {
        private let storage = NIOLockedValueBox<[String: SymmetricKey]>([:])
        func get(_ purpose: String) -> SymmetricKey? { storage.withLockedValue { $0[purpose] } }
        func set(_ purpose: String, _ key: SymmetricKey) { storage.withLockedValue { $0[purpose] = key } }
    }

    enum Failure: Error { case unknownMasterKey(String), corrupt }

    // MARK: sealing

    static func seal(_ plaintext: Data, key: SymmetricKey, context: String) throws -> Data {
        let box = try AES.GCM.seal(plaintext, using: key, authenticating: Data(context.utf8))
        guard let combined = box.combined else { throw Failure.corrupt }
        return combined
    }

    static func open(_ sealed: Data, key: SymmetricKey, context: String) throws -> Data {
        let box = try AES.GCM.SealedBox(combined: sealed)
        return try AES.GCM.open(box, using: key, authenticating: Data(context.utf8))
    }

    /// Seals a small secret (a TOTP seed) with the current master key; the key id travels with it.
    func sealWithMaster(_ plaintext: Data, context: String) throws -> Data {
        let current = keyring.current
        return Data(current.id.utf8) + Data([0]) + (try Self.seal(plaintext, key: current.key, context: context))
    }

    func openWithMaster(_ sealed: Data, context: String) throws -> Data {
        guard let zero = sealed.firstIndex(of: 0) else { throw Failure.corrupt }
        let id = String(decoding: sealed[sealed.startIndex..<zero], as: UTF8.self)
        guard let key = keyring.key(id: id) else { throw Failure.unknownMasterKey(id) }
        return try Self.open(Data(sealed[sealed.index(after: zero)...]), key: key, context: context)
    }

    // MARK: data keys

    /// The patient's data key, created on first use. Safe under concurrency: the table holds one key per user.
    func dataKey(forUser userID: Int, on db: any Database, gate: WriteGate, now: Date) async throws -> (id: Int, key: SymmetricKey) {
        if let row = try await DataKey.query(on: db).filter(\.$user.$id == userID).first() {
            return (try row.requireID(), try unwrap(row))
        }
        let fresh = SymmetricKey(size: .bits256)
        let row = DataKey()
        row.$user.id = userID
        row.masterKeyID = keyring.current.id
        row.wrappedKey = try wrap(fresh, userID: userID, with: keyring.current)
        row.createdAt = now
        do {
            try await gate.run(on: db) { try await row.create(on: $0) }
            return (try row.requireID(), fresh)
        } catch let error where (error as? any DatabaseError)?.isConstraintFailure == true {
            // Another request created it first: use that one.
            guard let existing = try await DataKey.query(on: db).filter(\.$user.$id == userID).first() else { throw error }
            return (try existing.requireID(), try unwrap(existing))
        }
    }

    func dataKey(id: Int, on db: any Database) async throws -> SymmetricKey {
        guard let row = try await DataKey.find(id, on: db) else { throw Failure.corrupt }
        return try unwrap(row)
    }

    func unwrap(_ row: DataKey) throws -> SymmetricKey {
        guard let master = keyring.key(id: row.masterKeyID) else { throw Failure.unknownMasterKey(row.masterKeyID) }
        return SymmetricKey(data: try Self.open(row.wrappedKey, key: master, context: "data-key:\(row.$user.id)"))
    }

    func wrap(_ key: SymmetricKey, userID: Int, with master: MasterKeyring.Key) throws -> Data {
        try key.withUnsafeBytes { try Self.seal(Data($0), key: master.key, context: "data-key:\(userID)") }
    }

    /// Re-wraps every data key not wrapped by the current master key. Returns how many were re-wrapped.
    func rotate(on db: any Database, gate: WriteGate, now: Date) async throws -> Int {
        let current = keyring.current
        var count = 0
        while true {
            let batch = try await DataKey.query(on: db).filter(\.$masterKeyID != current.id).limit(500).all()
            if batch.isEmpty { return count }
            try await gate.transaction(on: db) { tx in
                for row in batch {
                    let key = try self.unwrap(row)
                    row.wrappedKey = try self.wrap(key, userID: row.$user.id, with: current)
                    row.masterKeyID = current.id
                    row.rotatedAt = now
                    try await row.update(on: tx)
                }
            }
            count += batch.count
        }
    }

    // MARK: platform keys

    /// The key for a platform-wide purpose (`audit-chain`, `outbox`), created inside the caller's transaction when the
    /// platform has none yet, and stored wrapped by the current master key. The unwrapped key never changes
    /// (rotation re-wraps it), so once read back from the database it is kept in memory. Two nodes creating it at once:
    /// the primary key lets one win and the other's transaction fails.
    func platformKey(_ purpose: String, creatingIn tx: any Database, now: Date) async throws -> SymmetricKey {
        if let key = try await existingPlatformKey(purpose, on: tx) { return key }
        let fresh = SymmetricKey(size: .bits256)
        let row = PlatformKey()
        row.id = purpose
        row.masterKeyID = keyring.current.id
        row.wrappedKey = try fresh.withUnsafeBytes { try Self.seal(Data($0), key: keyring.current.key, context: "platform-key:\(purpose)") }
        row.createdAt = now
        try await row.create(on: tx)
        // Not cached here: the caller's transaction may still roll back. The next read caches it from the database.
        return fresh
    }

    /// The key for `purpose` when the platform has one; reads only.
    func existingPlatformKey(_ purpose: String, on db: any Database) async throws -> SymmetricKey? {
        if let cached = platformKeys.get(purpose) { return cached }
        guard let row = try await PlatformKey.find(purpose, on: db) else { return nil }
        let key = try unwrapPlatformKey(row)
        platformKeys.set(purpose, key)
        return key
    }

    private func unwrapPlatformKey(_ row: PlatformKey) throws -> SymmetricKey {
        guard let master = keyring.key(id: row.masterKeyID) else { throw Failure.unknownMasterKey(row.masterKeyID) }
        return SymmetricKey(data: try Self.open(row.wrappedKey, key: master, context: "platform-key:\(row.id ?? "")"))
    }

    /// What `keys rotate` moved to the current master key.
    struct Rotation: Sendable { var dataKeys = 0; var platformKeys = 0; var signInSecrets = 0 }

    /// Re-wraps everything sealed with an older master key: patients' data keys, platform keys and staff sign-in
    /// code secrets. After it, the older master keys can be removed.
    func rotateAll(on db: any Database, gate: WriteGate, now: Date) async throws -> Rotation {
        var result = Rotation()
        result.dataKeys = try await rotate(on: db, gate: gate, now: now)
        let current = keyring.current
        let stale = try await PlatformKey.query(on: db).filter(\.$masterKeyID != current.id).all()
        try await gate.transaction(on: db) { tx in
            for row in stale {
                let key = try self.unwrapPlatformKey(row)
                row.wrappedKey = try key.withUnsafeBytes { try Self.seal(Data($0), key: current.key, context: "platform-key:\(row.id ?? "")") }
                row.masterKeyID = current.id
                row.rotatedAt = now
                try await row.update(on: tx)
            }
        }
        result.platformKeys = stale.count
        let prefix = Data(current.id.utf8) + Data([0])
        let users = try await User.query(on: db).filter(\.$totpSecret != nil).all()
            .filter { user in user.totpSecret.map { !$0.starts(with: prefix) } ?? false }
        try await gate.transaction(on: db) { tx in
            for user in users {
                guard let sealed = user.totpSecret, let id = user.id else { continue }
                let secret = try self.openWithMaster(sealed, context: "totp:\(id)")
                user.totpSecret = try self.sealWithMaster(secret, context: "totp:\(id)")
                try await user.update(on: tx)
            }
        }
        result.signInSecrets = users.count
        return result
    }

    // MARK: derived secrets

    /// A secret for one purpose (CSRF tokens), derived from the current master key so every app node agrees.
    func derivedKey(purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: keyring.current.key, info: Data("careabroad:\(purpose)".utf8), outputByteCount: 32)
    }
}


/// Random tokens for cookies and links, and the digests under which they are stored.
enum SecretToken {
    /// 32 random bytes, base64url without padding.
    static func make() -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        var g = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &g) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// What the database keeps: the token's SHA-256.
    static func digest(_ token: String) -> String {
        Data(SHA256.hash(data: Data(token.utf8))).hex
    }

    /// Whether a string looks like one of our tokens (so junk never reaches a query).
    static func isWellFormed(_ token: String) -> Bool {
        token.count == 43 && token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}

extension PasswordPolicy {
    /// The policy with the bundled list of common passwords.
    static func bundled() throws -> PasswordPolicy {
        guard let url = Bundle.module.url(forResource: "common-passwords", withExtension: "txt", subdirectory: "Resources/Security") else {
            throw Abort(.internalServerError, reason: "The bundled list of common passwords is missing")
        }
        return PasswordPolicy(commonPasswords: PasswordPolicy.parseList(try String(contentsOf: url, encoding: .utf8)))
    }
}
