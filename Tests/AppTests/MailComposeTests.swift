import Foundation
import Testing
@testable import App

@Suite("Outgoing mail format")
struct MailComposeTests {
    static func decodeParts(_ message: String) -> [String] {
        // Every base64 block, decoded (the body and, when present, the file).
        message.components(separatedBy: "\r\n\r\n").dropFirst().compactMap { block in
            let lines = block.components(separatedBy: "\r\n").prefix { !$0.hasPrefix("--") && !$0.isEmpty }
            return Data(base64Encoded: lines.joined()).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    @Test("A plain message is one text part in base64")
    func plain() throws {
        let text = try SMTPTransport.compose(OutgoingMail(id: "1d2c", recipient: "a@example.org", subject: "Hello", body: "Line one\nLine two"),
                                             from: "team@example.org", date: Date(timeIntervalSince1970: 0))
        #expect(text.contains("Content-Type: text/plain; charset=utf-8"))
        #expect(!text.contains("multipart"))
        #expect(Self.decodeParts(text).contains("Line one\nLine two"))
    }

    @Test("A message with a calendar file is multipart/mixed: the text, then the file as an attachment")
    func withAttachment() throws {
        let ics = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
        var mail = OutgoingMail(id: "9f8e", recipient: "a@example.org", subject: "Booked", body: "See the invitation.")
        mail.attachment = MailAttachment(name: "consultation.ics", mediaType: "text/calendar; method=REQUEST; charset=utf-8", content: ics)
        let text = try SMTPTransport.compose(mail, from: "team@example.org", date: Date(timeIntervalSince1970: 0))
        #expect(text.contains("Content-Type: multipart/mixed; boundary=\"careabroad-9f8e\""))
        #expect(text.contains("Content-Type: text/calendar; method=REQUEST; charset=utf-8"))
        #expect(text.contains("Content-Disposition: attachment; filename=\"consultation.ics\""))
        #expect(text.hasSuffix("--careabroad-9f8e--\r\n"))
        let parts = Self.decodeParts(text)
        #expect(parts.contains("See the invitation."))
        #expect(parts.contains(ics))
        var bad = mail
        bad.attachment = MailAttachment(name: "x\r\nBcc: evil@example.org", mediaType: "text/plain", content: "")
        #expect(throws: SMTPTransport.Failure.self) { try SMTPTransport.compose(bad, from: "team@example.org", date: Date()) }
    }
}
