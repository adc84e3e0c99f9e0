import Foundation
import Fluent
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import NIOConcurrencyHelpers

/// Sends mail through an SMTP server (submission with STARTTLS on 587, implicit TLS on 465, or plain to a
/// trusted relay). Written on SwiftNIO and NIOSSL because none of the packages available to this project
/// provide an SMTP client; it speaks only the small part of RFC 5321 that sending one message needs.
struct SMTPTransport: MailTransport {
    let settings: AppConfig.SMTPSettings
    let logger: Logger
    var timeout: TimeAmount = .seconds(30)

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func deliver(_ mail: OutgoingMail, on db: any Database, gate: WriteGate, now: Date) async throws {
        let message = try Self.compose(mail, from: settings.from, date: now)
        try await send(from: settings.from, to: mail.recipient, data: message)
    }

    /// The message in RFC 5322 form: headers, then the body in base64 (no line-length or encoding surprises).
    static func compose(_ mail: OutgoingMail, from: String, date: Date) throws -> String {
        for value in [mail.recipient, mail.subject, from] where value.contains("\r") || value.contains("\n") {
            throw Failure(description: "header value with a line break refused")
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        let subject = mail.subject.allSatisfy(\.isASCII) ? mail.subject : "=?UTF-8?B?\(Data(mail.subject.utf8).base64EncodedString())?="
        let domain = from.split(separator: "@").last.map(String.init) ?? "careabroad.invalid"
        func base64(_ text: String) -> String {
            Data(text.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        }
        let headers = ["From: \(from)", "To: \(mail.recipient)", "Subject: \(subject)", "Date: \(formatter.string(from: date))",
                       "Message-ID: <\(mail.id)@\(domain)>", "MIME-Version: 1.0"]
        guard let attachment = mail.attachment else {
            return (headers + ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", "", base64(mail.body)])
                .joined(separator: "\r\n")
        }
        // A text part and the file (RFC 2046 multipart/mixed). The boundary is made from the message id, which is
        // a UUID: base64 lines never contain "--" followed by it.
        for value in [attachment.name, attachment.mediaType] where value.contains("\r") || value.contains("\n") || value.contains("\"") {
            throw Failure(description: "attachment header value refused")
        }
        let boundary = "careabroad-\(mail.id)"
        return (headers + [
            "Content-Type: multipart/mixed; boundary=\"\(boundary)\"", "",
            "--\(boundary)", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", "", base64(mail.body),
            "--\(boundary)", "Content-Type: \(attachment.mediaType)", "Content-Transfer-Encoding: base64",
            "Content-Disposition: attachment; filename=\"\(attachment.name)\"", "", base64(attachment.content),
            "--\(boundary)--", "",
        ]).joined(separator: "\r\n")
    }

    /// The AUTH PLAIN argument: base64 of NUL, user name, NUL, password (RFC 4616).
    static func authPlain(username: String, password: String) -> String {
        Data(("\u{0}" + username + "\u{0}" + password).utf8).base64EncodedString()
    }

    private func send(from: String, to: String, data: String) async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let lines = AsyncStream<String>.makeStream()
        let reader = LineReader(continuation: lines.continuation)
        let implicitTLS = settings.security == "tls"
        let tlsContext = try NIOSSLContext(configuration: .makeClientConfiguration())
        let host = settings.host
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if implicitTLS {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tlsContext, serverHostname: host))
                    }
                    try channel.pipeline.syncOperations.addHandler(reader)
                }
            }
            .connect(host: settings.host, port: settings.port).get()
        var iterator = lines.stream.makeAsyncIterator()
        // One deadline for the whole conversation: closing the channel ends the line stream, and the reply
        // being awaited fails.
        let deadline = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        defer { deadline.cancel() }

        var consumed = 0
        func reply() async throws -> (Int, [String]) {
            var collected: [String] = []
            while true {
                guard let line = await iterator.next() else {
                    throw Failure(description: "the SMTP server closed the connection")
                }
                consumed += 1
                collected.append(line)
                let chars = Array(line)
                if chars.count < 3 { continue }
                if chars.count == 3 || chars[3] == " " {
                    return (Int(String(chars[0..<3])) ?? 0, collected)
                }
            }
        }
        func command(_ text: String, expect: Set<Int>) async throws -> [String] {
            try await channel.writeAndFlush(ByteBuffer(string: text + "\r\n"))
            let (code, lines) = try await reply()
            guard expect.contains(code) else {
                // The command is named, never its arguments (they may hold an address).
                throw Failure(description: "SMTP server answered \(code) to \(text.split(separator: " ").first ?? "")")
            }
            return lines
        }

        do {
            let (greeting, _) = try await reply()
            guard greeting == 220 else { throw Failure(description: "SMTP greeting \(greeting)") }
            var capabilities = try await command("EHLO careabroad", expect: [250])
            if settings.security == "starttls" {
                guard capabilities.contains(where: { $0.uppercased().contains("STARTTLS") }) else {
                    throw Failure(description: "the SMTP server does not offer STARTTLS")
                }
                _ = try await command("STARTTLS", expect: [220])
                // Anything the server sent after its 220 arrived before encryption and could be an injected
                // reply (RFC 3207 §6): refuse the connection rather than read it as if it came over TLS.
                guard reader.isDrained(consumed: consumed) else { throw Failure(description: "the SMTP server sent data before TLS started") }
                try await channel.pipeline.addHandler(try NIOSSLClientHandler(context: tlsContext, serverHostname: host), position: .first).get()
                guard reader.isDrained(consumed: consumed) else { throw Failure(description: "the SMTP server sent data before TLS started") }
                capabilities = try await command("EHLO careabroad", expect: [250])
            }
            if let username = settings.username, let password = settings.password {
                // Credentials never travel unencrypted.
                guard settings.security != "none" else { throw Failure(description: "SMTP AUTH refused without TLS") }
                _ = try await command("AUTH PLAIN \(Self.authPlain(username: username, password: password))", expect: [235])
            }
            _ = capabilities
            _ = try await command("MAIL FROM:<\(from)>", expect: [250])
            _ = try await command("RCPT TO:<\(to)>", expect: [250, 251])
            _ = try await command("DATA", expect: [354])
            // Dot-stuffing: a line that starts with "." gets another one (RFC 5321 §4.5.2).
            let stuffed = data.components(separatedBy: "\r\n").map { $0.hasPrefix(".") ? "." + $0 : $0 }.joined(separator: "\r\n")
            _ = try await command(stuffed + "\r\n.", expect: [250])
            _ = try? await command("QUIT", expect: [221])
        } catch {
            try? await channel.close()
            throw error
        }
        try? await channel.close()
    }
}

/// Splits what the server sends into lines.
private final class LineReader: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let continuation: AsyncStream<String>.Continuation
    /// Lines handed on and bytes held back (an unfinished line), shared with the task that reads the replies.
    private let state = NIOLockedValueBox((yielded: 0, pending: ""))

    init(continuation: AsyncStream<String>.Continuation) { self.continuation = continuation }

    /// True when every line received has been read (`consumed`) and no partial line waits.
    func isDrained(consumed: Int) -> Bool {
        state.withLockedValue { $0.yielded == consumed && $0.pending.isEmpty }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let text = buffer.readString(length: buffer.readableBytes) ?? ""
        let lines: [String] = state.withLockedValue { s in
            s.pending += text
            var out: [String] = []
            while let range = s.pending.range(of: "\r\n") {
                out.append(String(s.pending[..<range.lowerBound]))
                s.pending = String(s.pending[range.upperBound...])
            }
            s.yielded += out.count
            return out
        }
        for line in lines { continuation.yield(line) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        continuation.finish()
        context.close(promise: nil)
    }
}
