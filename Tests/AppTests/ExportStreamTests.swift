import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import App
import Domain

@Suite("Export")
struct ExportStreamTests {
    /// Every reference of the form `urn:uuid:…` found anywhere in a JSON value.
    static func references(in value: Any) -> [String] {
        if let dict = value as? [String: Any] {
            return dict.flatMap { key, v -> [String] in
                if key == "reference", let s = v as? String { return [s] }
                return references(in: v)
            }
        }
        if let list = value as? [Any] { return list.flatMap { references(in: $0) } }
        return []
    }

    @Test("The FHIR bundle names every resource with a real urn:uuid, and every reference points at an entry of the bundle")
    func fhirUUIDs() async throws {
        try await withTestApp { app in
            let (patient, _) = try await patientWithCase(app)
            let bundle = try jsonObject(try await patient.get("/account/export?format=fhir"))
            let entries = try #require(bundle["entry"] as? [[String: Any]])
            let fullURLs = entries.compactMap { $0["fullUrl"] as? String }
            #expect(fullURLs.count == entries.count)
            for url in fullURLs {
                #expect(url.hasPrefix("urn:uuid:") && UUID(uuidString: String(url.dropFirst(9))) != nil, "\(url)")
            }
            #expect(Set(fullURLs).count == fullURLs.count)
            let refs = Self.references(in: entries)
            #expect(!refs.isEmpty)
            for ref in refs { #expect(fullURLs.contains(ref), "\(ref) points at nothing in the bundle") }
            // The same account exported again names the same resources the same way.
            let again = try jsonObject(try await patient.get("/account/export?format=fhir"))
            #expect((again["entry"] as? [[String: Any]])?.compactMap { $0["fullUrl"] as? String } == fullURLs)
        }
    }

    @Test("The download streams: it is sent in pieces, one case at a time, and still parses whole")
    func streams() async throws {
        try await withTestApp(rateLimits: OnceTests.limits) { app in
            let (patient, _) = try await patientWithCase(app)
            for _ in 0..<3 { #expect(try await patient.sendConsultation().status == .seeOther) }
            let user = try #require(try await User.query(on: app.db).filter(\.$email == Demo.patient.email).first())
            let signed = SignedInUser(id: user.id!, email: user.email, displayName: user.displayName, role: .patient, emailVerified: true,
                                      sessionID: "x", secondFactorDone: true, totpEnabled: false)
            let head = try await AccountDataController.exportHead(signed, app: app, on: app.db)
            #expect(head.caseIDs.count == 4)
            let res = try await patient.get("/account/export")
            #expect(res.headers.first(name: .contentLength) == nil || res.headers.first(name: .transferEncoding) == "chunked")
            let object = try jsonObject(res)
            #expect((object["cases"] as? [[String: Any]])?.count == 4)
            #expect(object["exportedAt"] as? String != nil)
        }
    }
}
