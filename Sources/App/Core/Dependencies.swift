import Foundation
import Vapor
import Domain

/// The time source; tests set a fixed one.
public struct AppClock: Sendable {
    public var now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) { self.now = now }

    public static let live = AppClock(now: { Date() })
    public static func fixed(_ date: Date) -> AppClock { AppClock(now: { date }) }
}

extension Application {
    private struct ClockKey: StorageKey { typealias Value = AppClock }
    private struct LocalizerKey: StorageKey { typealias Value = Localizer }

    public var clock: AppClock {
        get { storage[ClockKey.self] ?? .live }
        set { storage[ClockKey.self] = newValue }
    }

    public var localizer: Localizer {
        get {
            guard let value = storage[LocalizerKey.self] else { fatalError("configure has not loaded the catalogue") }
            return value
        }
        set { storage[LocalizerKey.self] = newValue }
    }
}

extension Application {
    private struct VaultKey: StorageKey { typealias Value = Vault }
    private struct CSRFKey: StorageKey { typealias Value = CSRFProtection }
    private struct WritesKey: StorageKey { typealias Value = WriteGate }
    private struct TransportKey: StorageKey { typealias Value = any MailTransport }
    private struct PasswordPolicyKey: StorageKey { typealias Value = PasswordPolicy }

    /// Encryption of health data.
    var vault: Vault {
        get { guard let v = storage[VaultKey.self] else { fatalError("configure has not loaded the master key") }; return v }
        set { storage[VaultKey.self] = newValue }
    }

    var csrf: CSRFProtection {
        get { guard let v = storage[CSRFKey.self] else { fatalError("configure has not set up CSRF protection") }; return v }
        set { storage[CSRFKey.self] = newValue }
    }

    /// Where every database write goes (one writer at a time on SQLite).
    var writes: WriteGate {
        get { guard let v = storage[WritesKey.self] else { fatalError("configure has not set up the write gate") }; return v }
        set { storage[WritesKey.self] = newValue }
    }

    var mailTransport: any MailTransport {
        get { storage[TransportKey.self] ?? MailboxTransport() }
        set { storage[TransportKey.self] = newValue }
    }

    var passwordPolicy: PasswordPolicy {
        get { guard let v = storage[PasswordPolicyKey.self] else { fatalError("configure has not loaded the password list") }; return v }
        set { storage[PasswordPolicyKey.self] = newValue }
    }
}
