import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import App
import Domain

@Suite("Security")
struct SecurityTests {
    @Test("Security headers on successful, missing, refused and redirected responses")
    func headers() async throws {
        try await withTestApp { app in
            let cases: [(String, Int)] = [
                ("/", 200), ("/magazine/natural-lip-rejuvenation-microfat-nanofat", 200), ("/api/v1/providers", 200), ("/styles.css", 200),
                ("/healthz", 200), ("/no-such-page", 404), ("/api/v1/providers/no-such", 404), ("/providers?page=0", 400),
                ("/api/v1/providers?currency=XXX", 400), ("/providers-platform-single?provider=patrick-tonnard-md-phd", 301),
            ]
            for (path, status) in cases {
                let res = try await send(app, .GET, path)
                #expect(Int(res.status.code) == status, "\(path)")
                let csp = try #require(res.headers.first(name: "Content-Security-Policy"), "\(path)")
                #expect(csp.contains("default-src 'self'"))
                #expect(csp.contains("script-src 'self'"))
                #expect(csp.contains("object-src 'none'"))
                #expect(csp.contains("frame-ancestors 'none'"))
                #expect(!csp.contains("unsafe-inline"))
                #expect(res.headers.first(name: "X-Content-Type-Options") == "nosniff", "\(path)")
                #expect(res.headers.first(name: "X-Frame-Options") == "DENY", "\(path)")
                #expect(res.headers.first(name: "Referrer-Policy") == "strict-origin-when-cross-origin", "\(path)")
                #expect(res.headers["Content-Security-Policy"].count == 1, "\(path)")
            }
        }
    }

    @Test("No Strict-Transport-Security without TLS")
    func noHSTSWithoutTLS() async throws {
        try await withTestApp { app in
            let res = try await send(app, .GET, "/")
            #expect(res.headers.first(name: "Strict-Transport-Security") == nil)
        }
    }

    // MARK: HTMLSanitizer

    static let hostileMarkdown: [String] = [
        "<script>alert(1)</script>",
        "Hello <script src=\"https://evil.example/x.js\"></script> world",
        "<img src=x onerror=alert(1)>",
        "<IMG SRC=x OnError=alert(1)>",
        "[x](javascript:alert(1))",
        "[x](JavaScript:alert(1))",
        "[x]( javascript:alert(1))",
        "[x](http://a\" onclick=\"b)",
        "[x](https://a.example/\"><script>alert(1)</script>)",
        "![y](javascript:alert(1))",
        "![y](x\" onerror=\"alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x](vbscript:msgbox(1))",
        "[x](//evil.example)",
        "[x](/\\evil.example)",
        "[x](&#106;avascript:alert(1))",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<svg onload=alert(1)>",
        "`<script>alert(1)</script>`",
        "```\n<script>alert(1)</script>\n```",
        "> <script>alert(1)</script>",
        "# <script>alert(1)</script>",
        "<<script>script>alert(1)<</script>/script>",
        "<style>body{display:none}</style>",
        "[x](http://a.example/\" style=\"x)",
        "<a href='javascript:alert(1)' onclick='alert(2)'>x</a>",
    ]

    @Test("Sanitised Markdown has no script, no event handler and no javascript: link", arguments: hostileMarkdown)
    func sanitizer(_ markdown: String) {
        let html = HTMLSanitizer.render(markdown: markdown).string
        for tag in startTags(in: html) {
            let name = tagName(tag)
            #expect(HTMLSanitizer.allowedTags.contains(name), "tag <\(tag)> from \(markdown)")
            let names = attributes(tag).map(\.name)
            #expect(!names.contains { $0.hasPrefix("on") || $0 == "style" || $0 == "src" }, "<\(tag)> from \(markdown)")
            // Only `a` keeps attributes: a checked href and rel.
            if name == "a" {
                #expect(Set(names).isSubset(of: ["href", "rel"]), "<\(tag)> from \(markdown)")
            } else {
                #expect(names.isEmpty, "<\(tag)> kept attributes")
            }
        }
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.lowercased().contains("<img"))
        #expect(!html.lowercased().contains("<iframe"))
        #expect(!html.lowercased().contains("<svg"))
        for href in hrefs(in: html) {
            let lower = href.lowercased().trimmingCharacters(in: .whitespaces)
            #expect(lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("mailto:") || (lower.hasPrefix("/") && !lower.hasPrefix("//")) || lower.hasPrefix("#"), "href \(href) from \(markdown)")
            #expect(!lower.contains("javascript"))
            #expect(!href.contains("\""))
        }
    }

    @Test("The tag checker itself sees attributes, including unquoted and single-quoted ones")
    func tagChecker() {
        let tags = startTags(in: #"text &lt;img onerror=x&gt; <a href="/x y" rel='a b' onclick=alert(1)>t</a><img src=x onerror=y/><br>"#)
        #expect(tags.map(tagName) == ["a", "img", "br"])
        #expect(attributes(tags[0]).map(\.name) == ["href", "rel", "onclick"])
        #expect(attributes(tags[0]).first?.value == "/x y")
        #expect(attributes(tags[1]).map(\.name) == ["src", "onerror"])
        #expect(hrefs(in: #"<p>href="javascript:x"</p><a href="/ok">"#) == ["/ok"])
    }

    @Test("Safe Markdown keeps its structure and links")
    func sanitizerKeepsSafeMarkup() {
        let html = HTMLSanitizer.render(markdown: "# Title\n\nSome **bold** and *em* text with [a link](https://example.org/a?b=1&c=2) and [a page](/magazine).\n\n- one\n- two\n").string
        #expect(html.contains("<h2>Title</h2>"))
        #expect(html.contains("<strong>bold</strong>"))
        #expect(html.contains("<em>em</em>"))
        #expect(html.contains("<a href=\"https://example.org/a?b=1&amp;c=2\" rel=\"nofollow noopener\">a link</a>"))
        #expect(html.contains("<a href=\"/magazine\">a page</a>"))
        #expect(html.contains("<li>one</li>"))
        #expect(!html.contains("<h1>"))
    }

    /// Stored HTML is checked again at every uncached view, and comes back as it is when already sanitised; a change
    /// anywhere in it (first tag, middle, last byte) still yields the whole sanitised text, the part before it included.
    @Test("Sanitising is idempotent, and raw HTML is cleaned wherever the first change falls")
    func sanitiseAgain() {
        for markdown in Self.hostileMarkdown + ["# T\n\nSome **bold** [a](https://example.org/?a=1&b=2) and [p](/magazine).\n\n- one\n- two\n"] {
            let once = HTMLSanitizer.render(markdown: markdown).string
            #expect(HTMLSanitizer.sanitise(once).string == once, "\(markdown)")
        }
        let cases: [(String, String)] = [
            ("<script>x</script><p>ok</p>", "&lt;script&gt;x&lt;/script&gt;<p>ok</p>"),
            ("<p>ok</p><p onclick=\"x()\">two</p><p>three</p>", "<p>ok</p><p>two</p><p>three</p>"),
            ("<p>a &amp; b</p> 2 > 1", "<p>a &amp; b</p> 2 &gt; 1"),
            ("<p>end</p><", "<p>end</p>&lt;"),
            ("<h1>Title</h1><p><a href=\"javascript:alert(1)\">x</a></p>", "<h2>Title</h2><p><a>x</a></p>"),
            ("<p><a href=\"https://example.org/\">x</a></p>", "<p><a href=\"https://example.org/\" rel=\"nofollow noopener\">x</a></p>"),
            ("<\u{0}p>x</p>", "&lt;\u{0}p&gt;x</p>"),
            ("<P>x</P><blockquote>q</blockquote><br/>", "<p>x</p><blockquote>q</blockquote><br>"),
        ]
        for (input, expected) in cases {
            #expect(HTMLSanitizer.sanitise(input).string == expected, "\(input)")
        }
    }

    @Test("Text that looks like HTML is shown, not run")
    func sanitizerEscapesText() {
        let html = HTMLSanitizer.render(markdown: "Use <b>care</b> & check 2 < 3").string
        #expect(html.contains("&lt;b&gt;care&lt;/b&gt;") || html.contains("&amp;lt;b&amp;gt;"))
        #expect(!html.contains("<b>"))
    }

    @Test("safeURL allows only web, mail and site-relative addresses", arguments: [
        ("https://example.org", true), ("HTTP://example.org", true), ("mailto:a@example.org", true), ("/providers", true), ("#top", true),
        ("javascript:alert(1)", false), ("  javascript:alert(1)", false), ("data:text/html,x", false), ("//evil.example", false),
        ("/\\evil.example", false), ("https://a\"b", false), ("https://a<b", false), ("java\u{09}script:alert(1)", false), ("ftp://x", false),
    ])
    func safeURL(_ url: String, _ allowed: Bool) {
        #expect((HTMLSanitizer.safeURL(url) != nil) == allowed, "\(url)")
    }

    @Test("Attribute escaping covers quotes, angle brackets and ampersands")
    func attributeEscaping() {
        #expect(HTMLEscaping.attribute(#"a"b'c<d>e&f"#) == "a&quot;b&#39;c&lt;d&gt;e&amp;f")
        #expect(HTMLEscaping.attribute("São Paulo") == "São Paulo")
        #expect(HTMLEscaping.text("<script>") == "&lt;script&gt;")
    }

    @Test("JSON in a script element cannot close it")
    func jsonInScript() throws {
        let block = JSONLD.script(["@type": "Thing", "name": "</script><script>alert(1)</script>", "x": "a & b < c"]).string
        #expect(block.hasPrefix("<script type=\"application/ld+json\">"))
        let inner = block.dropFirst("<script type=\"application/ld+json\">".count).dropLast("</script>".count)
        #expect(!inner.contains("<"))
        #expect(!inner.contains(">"))
        let parsed = try jsonLDBlocks(in: block)
        #expect(parsed.count == 1)
        #expect(parsed.first?["name"] as? String == "</script><script>alert(1)</script>")
        #expect(parsed.first?["x"] as? String == "a & b < c")
    }

    // MARK: Hostile data in the database

    static let hostileName = #"Dr. Hostile "><script>alert(1)</script>"#
    static let hostileBio = #"He said "hello" & 'bye' <img src=x onerror=alert(2)> </script><script>alert(3)</script>"#

    @Test("A practitioner with a hostile name and bio renders escaped everywhere")
    func hostilePractitioner() async throws {
        try await withTestApp { app in
            let p = try await insertPractitioner(app, slug: "dr-hostile", prefix: nil, given: "Hostile", family: "Person", displayName: Self.hostileName,
                                                 specialty: "Surgery \"><b>x</b>", bio: Self.hostileBio, procedures: ["nanofat-grafting"],
                                                 credentials: [("verified", "2020-01-01", "2030-01-01", "2026-10-01")])
            #expect(p.id != nil)
            app.renderCache.invalidate()

            for path in ["/providers/dr-hostile", "/providers?q=hostile", "/clinics/coupure-center-for-plastic-surgery", "/providers?procedure=nanofat-grafting"] {
                let res = try await send(app, .GET, path)
                #expect(res.status == .ok, "\(path)")
                let html = res.text
                #expect(html.contains("href=\"/providers/dr-hostile\"") || path == "/providers/dr-hostile", "\(path) does not list the inserted provider")
                #expect(!html.contains("<script>alert"), "\(path) has a live script from data")
                #expect(!html.contains("<img src=x"), "\(path)")
                #expect(!html.contains("\"><b>"), "\(path)")
                #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(path) does not show the name escaped")
                // Every tag on the page is one the templates write.
                for tag in startTags(in: html) {
                    #expect(tagName(tag) != "img", "\(path): <\(tag)>")
                    #expect(!attributes(tag).contains { $0.name.hasPrefix("on") }, "\(path): <\(tag)>")
                }
                // JSON-LD stays one parseable block with the name intact.
                for block in try jsonLDBlocks(in: html) {
                    if block["@type"] as? String == "IndividualPhysician" {
                        #expect(block["name"] as? String == Self.hostileName)
                        #expect(block["description"] as? String == Self.hostileBio)
                    }
                }
                let scripts = html.components(separatedBy: "<script").count - 1
                let ldBlocks = html.components(separatedBy: "<script type=\"application/ld+json\">").count - 1
                #expect(scripts == ldBlocks, "\(path) has a script element that is not JSON-LD")
            }

            let profile = try await send(app, .GET, "/providers/dr-hostile").text
            #expect(profile.contains("<h1>Dr. Hostile \"&gt;&lt;script&gt;alert(1)&lt;/script&gt;</h1>"))
            #expect(profile.contains("<meta name=\"description\" content=\"He said &quot;hello&quot; &amp; &#39;bye&#39;"))
            #expect(profile.contains("<meta property=\"og:title\" content=\"Dr. Hostile &quot;&gt;&lt;script&gt;"))
            #expect(!profile.contains("</script><script>alert(3)"))

            // The API returns the raw text as JSON data.
            let api = try jsonObject(try await send(app, .GET, "/api/v1/providers/dr-hostile"))
            #expect(api["name"] as? String == Self.hostileName)
            #expect(api["bio"] as? String == Self.hostileBio)
        }
    }

    @Test("Hostile article titles and markdown from the database render escaped")
    func hostileArticle() async throws {
        try await withTestApp { app in
            let article = try #require(try await Article.query(on: app.db).filter(\.$slug == "macs-lift-facelift-recovery").first())
            article.title = #"IVF "><script>alert(1)</script>"#
            article.bodyMarkdown = "Text [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
            article.bodyHTML = HTMLSanitizer.render(markdown: article.bodyMarkdown).string
            try await article.save(on: app.db)
            app.renderCache.invalidate()
            for path in ["/magazine/macs-lift-facelift-recovery", "/magazine", "/", "/magazine/category/plastic-surgery", "/magazine/natural-lip-rejuvenation-microfat-nanofat"] {
                let html = try await send(app, .GET, path).text
                #expect(!html.contains("<script>alert"), "\(path)")
                #expect(html.contains("IVF \"&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), "\(path)")
                for tag in startTags(in: html) {
                    #expect(tagName(tag) != "img" && !attributes(tag).contains { $0.name.hasPrefix("on") }, "\(path): <\(tag)>")
                }
                for href in hrefs(in: html) { #expect(!href.lowercased().hasPrefix("javascript"), "\(path): \(href)") }
            }
            let feed = try await send(app, .GET, "/feed.xml")
            #expect(!feed.text.contains("<script>"))
            #expect(feed.text.contains("IVF &quot;&gt;&lt;script&gt;"))
            let blocks = try jsonLDBlocks(in: try await send(app, .GET, "/magazine/macs-lift-facelift-recovery").text)
            #expect(blocks.first?["headline"] as? String == article.title)
        }
    }

    @Test("Raw HTML stored in an article body is sanitised again when shown")
    func storedHTMLIsResanitised() async throws {
        try await withTestApp { app in
            let article = try #require(try await Article.query(on: app.db).filter(\.$slug == "lasik-who-is-a-candidate").first())
            article.bodyHTML = "<p onclick=\"x()\">Hi</p><script>alert(1)</script><a href=\"javascript:alert(1)\">x</a>"
            try await article.save(on: app.db)
            let html = try await send(app, .GET, "/magazine/lasik-who-is-a-candidate").text
            #expect(html.contains("<p>Hi</p>"))
            #expect(!html.contains("<script>alert"))
            #expect(!html.contains("javascript:"))
            #expect(!html.contains("onclick"))
            let api = try jsonObject(try await send(app, .GET, "/api/v1/articles/lasik-who-is-a-candidate"))
            let body = try #require(api["bodyHTML"] as? String)
            #expect(!body.contains("<script") && !body.contains("javascript:") && !body.contains("onclick"))
        }
    }
}
