import Vapor

/// `serve`, and only `serve`, prepares the application for serving (migrations, demo data on an empty
/// development database, the outbox worker) before Vapor's own serve command starts the server. Other commands
/// (`migrate`, `seed`, `keys`, …) are picked by Vapor's command parser, after `--env` and other options.
public struct PreparingServeCommand: AnyAsyncCommand {
    let serve: ServeCommand

    public init(serve: ServeCommand) { self.serve = serve }

    public var help: String { serve.help }

    public func run(using context: inout CommandContext) async throws {
        // The options are checked before anything is changed: a wrong flag migrates nothing.
        var input = context.input
        _ = try ServeCommand.Signature(from: &input)
        guard input.arguments.isEmpty else { throw CommandError.unknownInput(input.arguments.joined(separator: " ")) }
        try await prepareForServing(context.application)
        try await serve.run(using: &context)
    }

    public func outputAutoComplete(using context: inout CommandContext) throws { try serve.outputAutoComplete(using: &context) }
    public func outputHelp(using context: inout CommandContext) throws { try serve.outputHelp(using: &context) }
    public func renderCompletionFunctions(using context: CommandContext, shell: Shell) -> String {
        serve.renderCompletionFunctions(using: context, shell: shell)
    }
}
