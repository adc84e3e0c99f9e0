import Foundation
import Vapor
import Fluent
import FluentSQLiteDriver
import FluentPostgresDriver
import SQLKit
import Domain

/// Builds the application from its configuration: database, middleware, routes, commands.
public func configure(_ app: Application, config: AppConfig, clock: AppClock = .live) async throws {
    app.config = config
    app.clock = clock
    app.localizer = try Localizer.load(language: "en")
    app.renderCache = RenderCache(enabled: config.renderCacheEnabled, ttl: TimeInterval(config.renderCacheTTL))
    app.providerFilterIndex = ProviderFilterIndex()

    switch config.database {
    case .sqlite(let path):
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        app.databases.use(.sqlite(.file(path), sqlLogLevel: nil), as: .sqlite)
    case .postgres(let url, let schema):
        var postgres = try SQLPostgresConfiguration(url: url)
        if let schema { postgres.searchPath = [schema] }
        app.databases.use(.postgres(configuration: postgres, maxConnectionsPerEventLoop: config.databasePoolSize,
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
    app.migrations.add(Migrations.all)

    app.middleware = Middlewares()
    app.middleware.use(RequestLogMiddleware())
    app.middleware.use(SecurityHeadersMiddleware(tls: config.tlsEnabled))
    app.middleware.use(SiteErrorMiddleware())
    app.routes.defaultMaxBodySize = "64kb"

    try routes(app)

    app.asyncCommands.use(SeedCommand(), as: "seed")
}

/// Migrates, and loads the demo data when the database is empty and the configuration asks for it.
public func prepareForServing(_ app: Application) async throws {
    try await app.autoMigrate()
    if app.config.seedDemoOnEmpty, try await DemoSeeder.isEmpty(app.db) {
        app.logger.notice("Empty database: loading the demo data")
        try await DemoSeeder.seed(on: app.db, t: app.localizer, now: app.clock.now())
    }
}
