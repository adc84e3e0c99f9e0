import Foundation
import Fluent
import Plot
import Vapor
import Domain

/// `/dev/mailbox`: the messages the development transport received, newest first, and the current sign-in codes
/// of the demo staff accounts. Not routed in production.
enum MailboxController {
    @Sendable static func show(req: Request) async throws -> Response {
        let messages = try await MailboxMessage.query(on: req.db).sort(\.$deliveredAt, .descending).sort(\.$id).limit(100).all()
        let now = req.application.clock.now()
        var codes: [(String, String)] = []
        for user in try await User.query(on: req.db).filter(\.$isSample == true).filter(\.$totpSecret != nil).sort(\.$email).all() {
            guard let sealed = user.totpSecret, let id = user.id,
                  let secret = try? req.application.vault.openWithMaster(sealed, context: "totp:\(id)") else { continue }
            codes.append((user.email, SignInCode.code(secret: secret, counter: SignInCode.counter(at: now))))
        }
        let t = req.application.localizer
        let ctx = req.pageContext
        let body: Node<HTML.BodyContext> = .div(.class("wrap mailbox"),
            .h1(.plain(t("mailbox.title"))),
            .p(.class("notice"), .plain(t("mailbox.devOnly"))),
            .if(!codes.isEmpty, .section(
                .h2(.plain(t("mailbox.codes"))),
                .table(.tbody(.forEach(codes) { email, code in .tr(.td(.plain(email)), .td(.code(.plain(code)))) })))),
            .h2(.plain(t("mailbox.messages"))),
            messages.isEmpty ? .p(.plain(t("mailbox.empty"))) :
                .ol(.class("messages"), .forEach(messages) { m in
                    .li(.article(.class("message"),
                        .h3(.plain(m.subject)),
                        .p(.class("meta"), .plain(t("mailbox.to", ["recipient": m.recipient])), .plain(" · "), .plain(t.date(m.deliveredAt))),
                        .pre(.plain(m.body)),
                        .if(m.attachmentName != nil, .details(.summary(.plain(t("mailbox.attachment", ["name": m.attachmentName ?? ""]))),
                                                              .pre(.plain(m.attachment ?? "")))),
                        .forEach(links(in: m.body, base: req.application.config.baseURL)) { link in
                            .p(.a(.to(link), .plain(t("mailbox.open", ["path": link]))))
                        }))
                }))
        return .html(Page(title: t("mailbox.title"), description: t("mailbox.title"), canonical: nil, noindex: true, body: body).render(ctx))
    }

    /// Site links in a message, made relative so they work on whatever address the developer uses.
    static func links(in body: String, base: String) -> [String] {
        body.split(whereSeparator: { $0.isWhitespace }).map(String.init)
            .filter { $0.hasPrefix(base + "/") }
            .map { String($0.dropFirst(base.count)) }
    }
}
