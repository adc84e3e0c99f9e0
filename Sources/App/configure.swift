import Foundation
import Vapor
import Fluent
import FluentSQLiteDriver
import FluentPostgresDriver
import SQLKit
import Domain

/// How long a request may wait for a database connection. A burst of submissions queues for the pool; the
/// framework's 10 s default answered part of a 300-request burst with 500.
let databasePoolWait: TimeAmount = .seconds(60)

/// Builds the application from its configuration: database, middleware, routes, commands.
public func configure(_ app: Application, config: AppConfig, clock: AppClock = .live) async throws {
    app.config = config
    app.clock = clock
    app.localizer = try Localizer.load(language: "en")
    app.profileViews = ProfileViewCounter()
    app.renderCache = RenderCache(enabled: config.renderCacheEnabled, ttl: TimeInterval(config.renderCacheTTL),
                                  checkInterval: TimeInterval(config.renderCacheCheckMillis) / 1_000)
    app.providerFilterIndex = ProviderFilterIndex(checkInterval: .milliseconds(config.renderCacheCheckMillis))
    app.largeBodiesInFlight = InFlightCounter()

    let keyring = try MasterKeyring.load(environmentValue: config.masterKey, isProduction: app.environment == .production,
                                         file: config.masterKeyFile, logger: app.logger)
    app.vault = Vault(keyring: keyring)
    app.csrf = CSRFProtection(key: app.vault.derivedKey(purpose: "csrf"))
    if case .sqlite = config.database { app.writes = WriteGate(serialises: true) } else { app.writes = WriteGate(serialises: false) }
    app.passwords.use(.bcrypt(cost: config.bcryptCost))
    app.passwordPolicy = try PasswordPolicy.bundled()
    app.decisionAids = try DecisionAidCatalogue.load()
    app.legal = try LegalDocuments.load()
    switch config.mail {
    case .mailbox: app.mailTransport = MailboxTransport()
    case .log: app.mailTransport = LogTransport(logger: app.logger)
    case .smtp(let settings): app.mailTransport = SMTPTransport(settings: settings, logger: app.logger)
    }

    switch config.database {
    case .sqlite(let path):
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        app.databases.use(.sqlite(.file(path), connectionPoolTimeout: databasePoolWait, sqlLogLevel: nil), as: .sqlite)
    case .postgres(let url, let schema):
        var postgres = try SQLPostgresConfiguration(url: url)
        if let schema { postgres.searchPath = [schema] }
        app.databases.use(.postgres(configuration: postgres, maxConnectionsPerEventLoop: config.databasePoolSize, connectionPoolTimeout: databasePoolWait,
                                    encodingContext: .default, decodingContext: .default, sqlLogLevel: .trace), as: .psql)
        if let schema, let sql = app.db as? any SQLDatabase {
            try await sql.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
        }
    }
    if case .sqlite = config.database, let sql = app.db as? any SQLDatabase {
        // WAL lets readers work while a writer commits; the setting is stored in the file itself.
        try await sql.raw("PRAGMA journal_mode=WAL").run()
        try await sql.raw("PRAGMA synchronous=NORMAL").run()
    }
    app.migrations.add(MigrationRegistry.all)

    // JSON keys in a fixed order: the same data gives the same bytes, so API ETags match between requests.
    ContentConfiguration.global.use(encoder: JSONEncoder.custom(dates: .iso8601, format: [.sortedKeys, .withoutEscapingSlashes]), for: .json)

    app.middleware = Middlewares()
    app.middleware.use(RequestLogMiddleware())
    app.middleware.use(SecurityHeadersMiddleware(tls: config.tlsEnabled))
    app.middleware.use(SiteErrorMiddleware())
    app.middleware.use(MultipartBoundaryGuard())
    app.middleware.use(SessionMiddleware())
    app.middleware.use(VisitorCookieMiddleware())
    app.routes.defaultMaxBodySize = "64kb"

    try routes(app)

    app.asyncCommands.use(SeedCommand(), as: "seed")
    app.asyncCommands.use(AuditCommand(), as: "audit")
    app.asyncCommands.use(KeysCommand(), as: "keys")
    app.asyncCommands.use(AidsCommand(), as: "aids")
    app.asyncCommands.use(RatesCommand(), as: "rates")
}

/// Migrates, and loads the demo data when the database is empty and the configuration asks for it (never in
/// production: the demo accounts' passwords are published). `startWorker` runs the notification outbox worker;
/// `announce` prints the demo accounts when they are created.
public func prepareForServing(_ app: Application, startWorker: Bool = true, announce: Bool = true) async throws {
    try await app.autoMigrate()
    if app.config.seedDemoOnEmpty, app.environment != .production, try await DemoSeeder.isEmpty(app.db) {
        app.logger.notice("Empty database: loading the demo data")
        try await DemoSeeder.seed(on: app.db, t: app.localizer, now: app.clock.now())
        try await DemoAccounts.seed(app: app, announce: announce)
        // Sample reference rates (our own figures, in the ECB's format), so quotes can be compared at once.
        try await RatesStore.importDays(try ReferenceRateFile.parse(try RatesStore.sampleFile()), app: app, on: app.db)
    }
    if startWorker {
        let worker = OutboxWorker()
        app.lifecycle.use(worker)
        worker.start(app)
    }
}
