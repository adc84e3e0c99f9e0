import Foundation
import App
import Vapor
import Logging
import NIOCore
import NIOPosix

@main
enum Entrypoint {
    static func main() async throws {
        var env = try Environment.detect()
        // Vapor's console logging, with FluentKit's query dumps (which list stored values) removed.
        try LoggingSystem.bootstrap(from: &env) { level in
            let console = Terminal()
            return { label in RedactingLogHandler(wrapping: ConsoleLogger(label: label, console: console, level: level)) }
        }

        let config: AppConfig
        do {
            config = try AppConfig.fromEnvironment(isProduction: env == .production)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            exit(2)
        }

        let app = try await Application.make(env)
        // Let the NIO event loops run Swift concurrency: fewer thread hops on every database-backed page.
        let executorTakeoverSuccess = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        app.logger.debug("Tried to install SwiftNIO's EventLoopGroup as Swift's global concurrency executor", metadata: ["success": .stringConvertible(executorTakeoverSuccess)])

        do {
            try await configure(app, config: config)
            // Vapor reads the command (after `--env` and other options); only `serve` prepares serving.
            await app.asyncCommands.use(PreparingServeCommand(serve: app.servers.asyncCommand), as: "serve", isDefault: true)
            try await app.execute()
        } catch {
            // A clear line for the operator (a wrong setting, a missing key), not a crash report.
            FileHandle.standardError.write(Data("careabroad: \(error)\n".utf8))
            try? await app.asyncShutdown()
            exit(1)
        }
        try await app.asyncShutdown()
    }
}
