import Foundation
import Logging

/// Wraps the process's log handler and drops the records that carry stored values: FluentKit's "Running query"
/// and the SQL drivers' "Executing query" records, whose metadata lists every bound value (emails, names, sealed
/// data). Our own
/// log lines never carry personal data (paths without query strings, ids, types of errors); this keeps the
/// framework's from carrying it either, whatever `LOG_LEVEL` is set to.
public struct RedactingLogHandler: LogHandler {
    var wrapped: any LogHandler

    public init(wrapping handler: any LogHandler) { wrapped = handler }

    /// Messages that are dropped because their metadata holds query values.
    static let droppedMessages: Set<String> = ["Running query", "Executing query"]

    public var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }

    public var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    public func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        if Self.droppedMessages.contains(message.description) { return }
        wrapped.log(level: level, message: message, metadata: metadata, source: source, file: file, function: function, line: line)
    }
}
