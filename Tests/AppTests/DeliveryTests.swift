import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
import NIOCore
import NIOPosix
@testable import App
import Domain

@Suite("Notifications and delivery")
struct DeliveryTests {
    @Test("The outbox row is written with the change; a worker that died mid-send leaves the message to be sent again, once in the mailbox")
    func atLeastOnce() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock.appClock) { app in
            _ = try await Browser(app).submit("/account/sign-up", [("name", "A"), ("email", "al@example.org"), ("password", "violet-ferry-candle-88"), ("terms", "yes")])
            let message = try #require(try await OutboxMessage.query(on: app.db).filter(\.$recipient == "al@example.org").first())
            #expect(message.deliveredAt == nil)
            // A worker claims the message and dies before sending: nothing is delivered…
            try await OutboxMessage.query(on: app.db).filter(\.$id == message.id!).set(\.$claimedUntil, to: clock.now.addingTimeInterval(Outbox.claimSeconds)).update()
            #expect(try await Outbox.deliverDue(app: app) == 0)
            #expect(try await MailboxMessage.query(on: app.db).filter(\.$recipient == "al@example.org").count() == 0)
            // …until the claim runs out.
            clock.advance(Outbox.claimSeconds + 1)
            #expect(try await Outbox.deliverDue(app: app) >= 1)
            // Delivering the same message again (a worker that sent but died before recording it) is harmless.
            let mail = OutgoingMail(id: message.id!, recipient: message.recipient, subject: message.subject, body: message.body)
            try await MailboxTransport().deliver(mail, on: app.db, gate: app.writes, now: clock.now)
            #expect(try await MailboxMessage.query(on: app.db).filter(\.$recipient == "al@example.org").count() == 1)
            #expect(try await OutboxMessage.find(message.id, on: app.db)?.deliveredAt != nil)
        }
    }

    struct FailingTransport: MailTransport {
        func deliver(_ mail: OutgoingMail, on db: any Database, gate: WriteGate, now: Date) async throws { throw SMTPTransport.Failure(description: "down") }
    }

    @Test("A failing transport is retried with growing delays and given up after ten attempts")
    func retries() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock.appClock) { app in
            app.mailTransport = FailingTransport()
            _ = try await Browser(app).submit("/account/reset", [("email", Demo.patient.email)])
            let id = try #require(try await OutboxMessage.query(on: app.db).filter(\.$recipient == Demo.patient.email).first()?.id)
            var delays: [TimeInterval] = []
            for _ in 0..<Outbox.maxAttempts {
                _ = try await Outbox.deliverDue(app: app)
                let row = try #require(try await OutboxMessage.find(id, on: app.db))
                if row.failedAt != nil { break }
                delays.append(row.nextAttemptAt.timeIntervalSince(clock.now))
                clock.advance(row.nextAttemptAt.timeIntervalSince(clock.now) + 1)
            }
            let row = try #require(try await OutboxMessage.find(id, on: app.db))
            #expect(row.attempts == Outbox.maxAttempts)
            #expect(row.failedAt != nil)
            #expect(delays.first == 30)
            #expect(delays == delays.sorted())
            #expect(row.lastError?.contains("@") == false)
        }
    }

    @Test("SMTP: the message reaches a relay with its id as Message-ID, base64 body and dot-stuffing")
    func smtp() async throws {
        let server = try await FakeSMTPServer.start()
        defer { Task { try? await server.channel.close() } }
        let settings = AppConfig.SMTPSettings(host: "127.0.0.1", port: server.port, username: nil, password: nil, security: "none", from: "care@example.org")
        let transport = SMTPTransport(settings: settings, logger: Logger(label: "test"))
        let body = "Hello\n.leading dot line\nBye"
        try await transport.deliver(OutgoingMail(id: "m-1", recipient: "to@example.org", subject: "Über", body: body),
                                    on: DummyDatabase(), gate: WriteGate(serialises: false), now: testNow)
        let log = server.recorder.text
        #expect(log.contains("MAIL FROM:<care@example.org>"))
        #expect(log.contains("RCPT TO:<to@example.org>"))
        #expect(!log.contains("AUTH"))
        #expect(SMTPTransport.authPlain(username: "user", password: "pw") == Data("\u{0}user\u{0}pw".utf8).base64EncodedString())
        #expect(log.contains("Message-ID: <m-1@example.org>"))
        #expect(log.contains("Subject: =?UTF-8?B?"))
        #expect(log.contains(Data(body.utf8).base64EncodedString()))
        // A refusal is an error (the outbox retries it).
        await #expect(throws: SMTPTransport.Failure.self) {
            try await transport.deliver(OutgoingMail(id: "m-2", recipient: "reject@example.org", subject: "x", body: "y"),
                                        on: DummyDatabase(), gate: WriteGate(serialises: false), now: testNow)
        }
    }

    @Test("SMTP: credentials are never sent without TLS, and a reply slipped in before TLS is refused")
    func smtpNeverPlainCredentials() async throws {
        let server = try await FakeSMTPServer.start()
        defer { Task { try? await server.channel.close() } }
        let plain = SMTPTransport(settings: AppConfig.SMTPSettings(host: "127.0.0.1", port: server.port, username: "user", password: "pw",
                                                                  security: "none", from: "care@example.org"), logger: Logger(label: "test"))
        await #expect(throws: SMTPTransport.Failure.self) {
            try await plain.deliver(OutgoingMail(id: "m-3", recipient: "to@example.org", subject: "x", body: "y"),
                                    on: DummyDatabase(), gate: WriteGate(serialises: false), now: testNow)
        }
        #expect(!server.recorder.text.contains("AUTH"))
        #expect(!server.recorder.text.contains("MAIL FROM"))
        #expect(throws: AppConfig.Invalid.self) {
            try AppConfig.fromEnvironment(["CAREABROAD_MAIL": "smtp", "CAREABROAD_SMTP_HOST": "mail.example.org", "CAREABROAD_SMTP_SECURITY": "none",
                                           "CAREABROAD_SMTP_USERNAME": "user", "CAREABROAD_SMTP_PASSWORD": "pw", "CAREABROAD_MAIL_FROM": "a@example.org"])
        }

        let injecting = try await FakeSMTPServer.start(injectAfterStartTLS: true)
        defer { Task { try? await injecting.channel.close() } }
        let tls = SMTPTransport(settings: AppConfig.SMTPSettings(host: "127.0.0.1", port: injecting.port, username: "user", password: "pw",
                                                                security: "starttls", from: "care@example.org"), logger: Logger(label: "test"))
        await #expect(throws: SMTPTransport.Failure.self) {
            try await tls.deliver(OutgoingMail(id: "m-4", recipient: "to@example.org", subject: "x", body: "y"),
                                  on: DummyDatabase(), gate: WriteGate(serialises: false), now: testNow)
        }
        #expect(!injecting.recorder.text.contains("AUTH"))
    }

    @Test("Session cookies over TLS are Secure with the __Host- prefix, and HSTS is sent")
    func tlsCookies() async throws {
        try await withTestApp(tls: true) { app in
            let browser = Browser(app)
            let res = try await browser.submit("/account/sign-in", [("email", Demo.patient.email), ("password", Demo.patient.password)])
            #expect(res.status == .seeOther)
            let cookie = try #require(res.headers[.setCookie].first { $0.hasPrefix("__Host-careabroad_session=") })
            #expect(cookie.contains("Secure"))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("Path=/"))
            #expect(!cookie.lowercased().contains("domain="))
            #expect(res.headers.first(name: "Strict-Transport-Security") != nil)
        }
    }

    @Test("Housekeeping removes ended sessions, old email links and finished rate-limit windows, and nothing else")
    func housekeeping() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock.appClock) { app in
            let idle = Browser(app)
            _ = try await idle.signIn(Demo.patient.email, Demo.patient.password)
            _ = try await Browser(app).submit("/account/reset", [("email", Demo.patient.email)])
            clock.advance(2 * 86_400)
            let active = Browser(app)
            _ = try await active.signIn(Demo.patient.email, Demo.patient.password)
            let removed = try await Housekeeping.run(app: app)
            #expect(removed >= 3)
            #expect(try await UserSession.query(on: app.db).count() == 1)
            #expect(try await active.get("/cases").status == .ok)
            #expect(try await EmailToken.query(on: app.db).count() == 0)
            #expect(try await (app.db as! any SQLDatabase).raw("SELECT key FROM rate_limits").all().count >= 1)
        }
    }

    @Test("Broken forms never cause a server error")
    func brokenForms() async throws {
        try await withTestApp { app in
            let routes = ["/account/sign-in", "/account/sign-up", "/account/reset", "/account/verify", "/account/two-factor",
                          "/account/two-factor/setup", "/account/password", "/account/sign-out", "/account/api-tokens",
                          "/consult/patrick-tonnard-md-phd", "/cases/CA-0000-0000/reply", "/inbox/CA-0000-0000/actions"]
            let bodies: [(String, String)] = [
                ("application/x-www-form-urlencoded", "%ZZ=%E0%A4%A"), ("application/x-www-form-urlencoded", String(repeating: "a=1&", count: 5000)),
                ("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data\r\n\r\nbroken"), ("multipart/form-data", "no boundary"),
                ("application/json", "{\"csrf\": 1}"), ("text/plain", "\u{0}\u{1}\u{2}"), ("application/x-www-form-urlencoded", ""),
            ]
            for route in routes {
                for (type, body) in bodies {
                    let res = try await app.testing().sendRequest(.POST, route, headers: ["Content-Type": type], body: ByteBuffer(string: body))
                    #expect(res.status.code < 500, "\(route) with \(type) → \(res.status)")
                }
            }
            let api = try await app.testing().sendRequest(.POST, "/api/v1/consultations", headers: ["Content-Type": "application/json"], body: ByteBuffer(string: "[]"))
            #expect(api.status == .unauthorized)
        }
    }
}

/// Records what an SMTP client sends and answers like a small server (refusing one recipient).
final class SMTPRecorder: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private let lock = NSLock()
    private var received = ""
    private var pending = ""
    private var inData = false
    /// Answer STARTTLS with a 220 followed at once by a forged reply (the attack RFC 3207 §6 describes).
    let injectAfterStartTLS: Bool

    init(injectAfterStartTLS: Bool = false) { self.injectAfterStartTLS = injectAfterStartTLS }

    var text: String { lock.withLock { received } }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "220 fake ready\r\n")), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let chunk = buffer.readString(length: buffer.readableBytes) ?? ""
        lock.withLock { received += chunk }
        pending += chunk
        while let range = pending.range(of: "\r\n") {
            let line = String(pending[..<range.lowerBound])
            pending = String(pending[range.upperBound...])
            let reply: String?
            if inData {
                if line == "." { inData = false; reply = "250 queued" } else { reply = nil }
            } else if line.hasPrefix("EHLO") { reply = injectAfterStartTLS ? "250-fake\r\n250-STARTTLS\r\n250 AUTH PLAIN" : "250-fake\r\n250 AUTH PLAIN" }
            else if line == "STARTTLS" { reply = injectAfterStartTLS ? "220 go ahead\r\n250-injected\r\n250 AUTH PLAIN" : "454 no TLS here" }
            else if line.hasPrefix("AUTH") { reply = "235 ok" }
            else if line.hasPrefix("MAIL") { reply = "250 ok" }
            else if line.hasPrefix("RCPT") { reply = line.contains("reject@") ? "550 no such user" : "250 ok" }
            else if line == "DATA" { inData = true; reply = "354 go on" }
            else if line == "QUIT" { reply = "221 bye" }
            else { reply = "500 what" }
            if let reply { context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: reply + "\r\n")), promise: nil) }
        }
    }
}

struct FakeSMTPServer {
    let channel: any Channel
    let recorder: SMTPRecorder
    var port: Int { channel.localAddress?.port ?? 0 }

    static func start(injectAfterStartTLS: Bool = false) async throws -> FakeSMTPServer {
        let recorder = SMTPRecorder(injectAfterStartTLS: injectAfterStartTLS)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(recorder) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return FakeSMTPServer(channel: channel, recorder: recorder)
    }
}

/// SMTP delivery never touches the database; this stands in where the protocol asks for one.
struct DummyDatabase: Database {
    var context: DatabaseContext { fatalError("not used") }
    func execute(query: DatabaseQuery, onOutput: @escaping @Sendable (any DatabaseOutput) -> ()) -> EventLoopFuture<Void> { fatalError("not used") }
    func execute(schema: DatabaseSchema) -> EventLoopFuture<Void> { fatalError("not used") }
    func execute(enum: DatabaseEnum) -> EventLoopFuture<Void> { fatalError("not used") }
    var inTransaction: Bool { false }
    func transaction<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> { fatalError("not used") }
    func withConnection<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> { fatalError("not used") }
}
