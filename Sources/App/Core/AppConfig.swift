import Foundation
import Vapor
import Domain

/// Settings read once from the environment at start, validated, with one clear line per wrong value.
public struct AppConfig: Sendable {
    public enum Database: Sendable, Equatable {
        case sqlite(path: String)
        /// `schema`, when set, is the only schema on the search path (tests give each run its own).
        case postgres(url: String, schema: String? = nil)
    }

    public var database: Database
    /// Public origin used in feeds, sitemaps, canonical links and JSON-LD (no trailing slash).
    public var baseURL: String
    /// Load the demo data when `serve` starts on an empty database.
    public var seedDemoOnEmpty: Bool
    /// Keep rendered public pages in memory (invalidated on change) and answer `If-None-Match`.
    public var renderCacheEnabled: Bool
    /// Seconds a cached page may be served before it is rendered again.
    public var renderCacheTTL: Int
    /// Sent as `Strict-Transport-Security` when the site is served over TLS.
    public var tlsEnabled: Bool
    /// Size of the PostgreSQL connection pool per event loop (one event loop per core). Four: a request holds a
    /// connection only for a statement, and more backends than the database's cores can run only take turns. With
    /// the database on the same two cores, eight served an uncached guide about 5% slower (BENCHMARKS.md).
    public var databasePoolSize: Int
    /// `CAREABROAD_MASTER_KEY`: base64 master keys, newest first. Required in production.
    public var masterKey: String?
    /// Where a development master key is kept when `CAREABROAD_MASTER_KEY` is not set.
    public var masterKeyFile: String
    /// Bcrypt cost for passwords (12 in production; tests use less to run fast).
    public var bcryptCost: Int
    /// How messages leave the platform.
    public var mail: MailSettings
    /// Sign-in, sign-up, reset and submission limits.
    public var rateLimits: RateLimits
    /// `CAREABROAD_TRUSTED_PROXIES`: peers whose `X-Forwarded-For` names the client (load balancers).
    public var trustedProxies: [IPNetwork] = []
    /// `CAREABROAD_OUTBOX_RETENTION_DAYS`: delivered messages are deleted after this many days.
    public var outboxRetentionDays: Int = 7
    /// `CAREABROAD_RENDER_CACHE_CHECK_MS`: how often a node asks the database whether content changed (the
    /// longest another node's change can take to show here).
    public var renderCacheCheckMillis: Int = 250

    public enum MailSettings: Sendable, Equatable {
        /// Stored and readable at `/dev/mailbox` (development only).
        case mailbox
        /// Only the message id is logged.
        case log
        case smtp(SMTPSettings)
    }

    public struct SMTPSettings: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var username: String?
        public var password: String?
        /// `starttls` (port 587), `tls` (port 465) or `none` (a relay on a trusted network only).
        public var security: String
        public var from: String
    }

    public struct RateLimits: Sendable, Equatable {
        public var signInPerAddress: Int = 10
        public var signInPerAccount: Int = 5
        public var signUpPerAddress: Int = 10
        public var resetPerAddress: Int = 5
        public var submissionsPerAccount: Int = 10
        public var submissionsPerAddress: Int = 30
        /// Bodies over the default limit (photos) from one address, counted before they are read.
        public var largeBodiesPerAddress: Int = 60
        /// Seconds in each counting window.
        public var window: Int = 15 * 60
        public init() {}
    }

    public init(database: Database, baseURL: String = "http://127.0.0.1:8080", seedDemoOnEmpty: Bool = true,
                renderCacheEnabled: Bool = true, renderCacheTTL: Int = 300, tlsEnabled: Bool = false,
                databasePoolSize: Int = 4, masterKey: String? = nil, masterKeyFile: String = "var/master.key",
                bcryptCost: Int = 12, mail: MailSettings = .mailbox, rateLimits: RateLimits = RateLimits()) {
        self.database = database
        self.baseURL = baseURL
        self.seedDemoOnEmpty = seedDemoOnEmpty
        self.renderCacheEnabled = renderCacheEnabled
        self.renderCacheTTL = renderCacheTTL
        self.tlsEnabled = tlsEnabled
        self.databasePoolSize = databasePoolSize
        self.masterKey = masterKey
        self.masterKeyFile = masterKeyFile
        self.bcryptCost = bcryptCost
        self.mail = mail
        self.rateLimits = rateLimits
    }

    public struct Invalid: Error, CustomStringConvertible {
        public let problems: [String]
        public var description: String { "Configuration is not valid:\n" + problems.map { "  - \($0)" }.joined(separator: "\n") }
    }

    /// Reads `DATABASE_URL`, `CAREABROAD_DB_SCHEMA`, `CAREABROAD_SQLITE_PATH`, `CAREABROAD_BASE_URL`, `CAREABROAD_SEED_DEMO`,
    /// `CAREABROAD_RENDER_CACHE`, `CAREABROAD_RENDER_CACHE_TTL`, `CAREABROAD_TLS`, `CAREABROAD_DB_POOL`.
    /// In production (`isProduction`) the demo data and the development mailbox are refused.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment, isProduction: Bool = false) throws -> AppConfig {
        var problems: [String] = []
        func flag(_ name: String, default value: Bool) -> Bool {
            guard let raw = env[name], !raw.isEmpty else { return value }
            switch raw.lowercased() {
            case "1", "true", "yes", "on": return true
            case "0", "false", "no", "off": return false
            default:
                problems.append("\(name) must be true or false, got '\(raw)'")
                return value
            }
        }
        func integer(_ name: String, default value: Int, range: ClosedRange<Int>) -> Int {
            guard let raw = env[name], !raw.isEmpty else { return value }
            guard let number = Int(raw), range.contains(number) else {
                problems.append("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), got '\(raw)'")
                return value
            }
            return number
        }

        let database: Database
        if let url = env["DATABASE_URL"], !url.isEmpty {
            if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
                let schema = env["CAREABROAD_DB_SCHEMA"].flatMap { $0.isEmpty ? nil : $0 }
                if let schema, !schema.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
                    problems.append("CAREABROAD_DB_SCHEMA may hold only letters, digits and underscores")
                }
                database = .postgres(url: url, schema: schema)
            } else {
                problems.append("DATABASE_URL must start with postgres:// or postgresql://")
                database = .sqlite(path: "var/careabroad.sqlite")
            }
        } else {
            database = .sqlite(path: env["CAREABROAD_SQLITE_PATH"].flatMap { $0.isEmpty ? nil : $0 } ?? "var/careabroad.sqlite")
        }

        var baseURL = env["CAREABROAD_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://127.0.0.1:8080"
        while baseURL.hasSuffix("/") { baseURL.removeLast() }
        if URL(string: baseURL)?.scheme.map({ ["http", "https"].contains($0) }) != true {
            problems.append("CAREABROAD_BASE_URL must be an http or https address, got '\(baseURL)'")
        }

        let mail: MailSettings
        switch (env["CAREABROAD_MAIL"] ?? "").lowercased() {
        case "", "mailbox": mail = .mailbox
        case "log": mail = .log
        case "smtp":
            let host = env["CAREABROAD_SMTP_HOST"] ?? ""
            if host.isEmpty { problems.append("CAREABROAD_SMTP_HOST is required when CAREABROAD_MAIL=smtp") }
            let security = (env["CAREABROAD_SMTP_SECURITY"] ?? "starttls").lowercased()
            if !["starttls", "tls", "none"].contains(security) {
                problems.append("CAREABROAD_SMTP_SECURITY must be starttls, tls or none, got '\(security)'")
            }
            if security == "none", !(env["CAREABROAD_SMTP_USERNAME"] ?? "").isEmpty {
                problems.append("CAREABROAD_SMTP_USERNAME needs CAREABROAD_SMTP_SECURITY starttls or tls: credentials are never sent unencrypted")
            }
            let from = env["CAREABROAD_MAIL_FROM"] ?? ""
            if from.isEmpty || !from.contains("@") { problems.append("CAREABROAD_MAIL_FROM must be an email address when CAREABROAD_MAIL=smtp") }
            mail = .smtp(SMTPSettings(host: host, port: integer("CAREABROAD_SMTP_PORT", default: security == "tls" ? 465 : 587, range: 1...65_535),
                                      username: env["CAREABROAD_SMTP_USERNAME"].flatMap { $0.isEmpty ? nil : $0 },
                                      password: env["CAREABROAD_SMTP_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 },
                                      security: security, from: from))
        case let other:
            problems.append("CAREABROAD_MAIL must be mailbox, log or smtp, got '\(other)'")
            mail = .mailbox
        }

        let config = AppConfig(
            database: database,
            baseURL: baseURL,
            seedDemoOnEmpty: flag("CAREABROAD_SEED_DEMO", default: !isProduction),
            renderCacheEnabled: flag("CAREABROAD_RENDER_CACHE", default: true),
            renderCacheTTL: integer("CAREABROAD_RENDER_CACHE_TTL", default: 300, range: 1...86_400),
            tlsEnabled: flag("CAREABROAD_TLS", default: baseURL.hasPrefix("https://")),
            databasePoolSize: integer("CAREABROAD_DB_POOL", default: 4, range: 1...256),
            masterKey: env["CAREABROAD_MASTER_KEY"].flatMap { $0.isEmpty ? nil : $0 },
            masterKeyFile: env["CAREABROAD_MASTER_KEY_FILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "var/master.key",
            bcryptCost: integer("CAREABROAD_BCRYPT_COST", default: 12, range: 10...16),
            mail: mail,
            rateLimits: {
                var limits = RateLimits()
                limits.signInPerAddress = integer("CAREABROAD_LIMIT_SIGN_IN_PER_ADDRESS", default: limits.signInPerAddress, range: 1...1_000_000)
                limits.signInPerAccount = integer("CAREABROAD_LIMIT_SIGN_IN_PER_ACCOUNT", default: limits.signInPerAccount, range: 1...1_000_000)
                limits.submissionsPerAccount = integer("CAREABROAD_LIMIT_SUBMISSIONS_PER_ACCOUNT", default: limits.submissionsPerAccount, range: 1...10_000_000)
                limits.submissionsPerAddress = integer("CAREABROAD_LIMIT_SUBMISSIONS_PER_ADDRESS", default: limits.submissionsPerAddress, range: 1...10_000_000)
                limits.largeBodiesPerAddress = integer("CAREABROAD_LIMIT_UPLOADS_PER_ADDRESS", default: limits.largeBodiesPerAddress, range: 1...10_000_000)
                limits.window = integer("CAREABROAD_LIMIT_WINDOW", default: limits.window, range: 10...86_400)
                return limits
            }()
        )
        var result = config
        if isProduction {
            if result.seedDemoOnEmpty {
                problems.append("CAREABROAD_SEED_DEMO cannot be true in production: the demo accounts' passwords are published")
            }
            if result.mail == .mailbox {
                problems.append("CAREABROAD_MAIL must be smtp (or log) in production: the development mailbox is not served there")
            }
        }
        if let raw = env["CAREABROAD_TRUSTED_PROXIES"], !raw.isEmpty {
            for item in raw.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
                if let network = IPNetwork(item) { result.trustedProxies.append(network) }
                else { problems.append("CAREABROAD_TRUSTED_PROXIES must list addresses or CIDR networks separated by commas, got '\(item)'") }
            }
        }
        result.outboxRetentionDays = integer("CAREABROAD_OUTBOX_RETENTION_DAYS", default: 7, range: 1...3_650)
        result.renderCacheCheckMillis = integer("CAREABROAD_RENDER_CACHE_CHECK_MS", default: 250, range: 0...60_000)
        guard problems.isEmpty else { throw Invalid(problems: problems) }
        return result
    }
}

extension Application {
    private struct ConfigKey: StorageKey { typealias Value = AppConfig }

    /// The validated configuration this application was built with.
    public var config: AppConfig {
        get {
            guard let value = storage[ConfigKey.self] else { fatalError("configure(_:config:) has not run") }
            return value
        }
        set { storage[ConfigKey.self] = newValue }
    }
}
