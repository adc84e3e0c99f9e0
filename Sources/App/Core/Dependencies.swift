import Foundation
import Vapor

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
