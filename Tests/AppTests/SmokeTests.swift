import Testing
import VaporTesting
@testable import App

@Suite("Smoke")
struct SmokeTests {
    @Test("The home page renders with the demo content")
    func home() async throws {
        try await withTestApp { app in
            try await app.testing().test(.GET, "/") { res in
                #expect(res.status == .ok)
                #expect(res.text.contains("Care abroad you can check for yourself"))
                #expect(res.headers.first(name: "Content-Security-Policy") != nil)
            }
        }
    }
}
