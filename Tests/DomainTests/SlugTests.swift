import Testing
import Domain

@Suite("Slugs")
struct SlugTests {
    @Test("Valid slugs", arguments: ["a", "abc", "dental-implants", "patrick-tonnard-md-phd", "ivf", "a1-b2", "2026", String(repeating: "a", count: 120)])
    func valid(_ slug: String) {
        #expect(Slug.isValid(slug))
    }

    @Test("Invalid slugs", arguments: ["", "-a", "a-", "-", "A", "Dental-Implants", "a_b", "a b", "a/b", "a.b", "ä", "sao-paulo\u{0}",
                                       "<script>", "a%20b", String(repeating: "a", count: 121), "ｄｅｎｔａｌ"])
    func invalid(_ slug: String) {
        #expect(!Slug.isValid(slug))
    }

    @Test("Slugs made from names", arguments: [
        ("São Paulo", "sao-paulo"), ("Kraków", "krakow"), ("Escazú", "escazu"), ("Kuala Lumpur", "kuala-lumpur"),
        ("Medellín", "medellin"), ("Ghent", "ghent"), ("  Dr. Jin-ho  Park ", "dr-jin-ho-park"), ("MACS-lift", "macs-lift"),
    ])
    func make(_ text: String, _ expected: String) {
        let slug = Slug.make(text)
        #expect(slug == expected)
        #expect(Slug.isValid(slug))
    }

    @Test("A slug made from text that mixes scripts is still a valid slug", arguments: ["Tokyo 東京", "東京 Tokyo", "Bangkok กรุงเทพ", "Seoul 서울 Gangnam"])
    func makeMixedScripts(_ text: String) {
        let slug = Slug.make(text)
        #expect(Slug.isValid(slug), "Slug.make(\(text)) gave \(slug)")
        #expect(!slug.contains("--"), "Slug.make(\(text)) gave \(slug)")
    }
}
