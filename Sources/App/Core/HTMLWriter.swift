import Plot

/// HTML written straight into one string, for the pages that are read most and cached least (an article, a guide,
/// a provider's profile, and the pieces they share with other pages).
///
/// Written by hand because Plot, which every other page uses, renders each element into a buffer of its own and
/// copies it into its parent's, so every level of nesting copies everything below it again, and each node and
/// attribute is a closure and an allocation. On an uncached guide that was a third of the request's time. This
/// writer appends once, in document order. It keeps Plot's guarantees and output: every attribute value is escaped
/// by `HTMLEscaping.attribute` and every text by `HTMLEscaping.text`; markup enters only as `TrustedHTML` (made by
/// the sanitiser and the JSON-LD writer) or as a rendered Plot node; empty elements are written as Plot writes them
/// (`<img …/>`).
struct HTMLWriter {
    private(set) var html: String

    init(reserving capacity: Int = 8_192) {
        html = ""
        html.reserveCapacity(capacity)
    }

    /// The HTML that `build` writes.
    static func render(reserving capacity: Int = 8_192, _ build: (inout HTMLWriter) -> Void) -> String {
        var writer = HTMLWriter(reserving: capacity)
        build(&writer)
        return writer.html
    }

    /// One attribute; the value is escaped when written. A nil value writes nothing (an attribute that is absent).
    struct Attribute {
        let name: String
        let value: String?
        let boolean: Bool

        init(_ name: String, _ value: String?) { self.name = name; self.value = value; self.boolean = false }
        private init(flag name: String) { self.name = name; self.value = nil; self.boolean = true }

        static func cls(_ value: String) -> Attribute { Attribute("class", value) }
        static func id(_ value: String) -> Attribute { Attribute("id", value) }
        static func href(_ value: String) -> Attribute { Attribute("href", value) }
        static func attr(_ name: String, _ value: String) -> Attribute { Attribute(name, value) }
        /// The attribute only when `condition` holds.
        static func when(_ condition: Bool, _ attribute: Attribute) -> Attribute { condition ? attribute : Attribute(attribute.name, nil) }
        /// A boolean attribute (`checked`), present only when `on`.
        static func flag(_ name: String, _ on: Bool) -> Attribute { on ? Attribute(flag: name) : Attribute(name, nil) }
    }

    mutating func open(_ tag: String, _ attributes: [Attribute]) {
        html += "<"
        html += tag
        for a in attributes {
            if a.boolean {
                html += " "
                html += a.name
            } else if let value = a.value {
                html += " "
                html += a.name
                html += "=\""
                html += HTMLEscaping.attribute(value)
                html += "\""
            }
        }
        html += ">"
    }

    mutating func close(_ tag: String) {
        html += "</"
        html += tag
        html += ">"
    }

    /// `<tag …>` content `</tag>`.
    mutating func element(_ tag: String, _ attributes: Attribute..., content: (inout HTMLWriter) -> Void) {
        open(tag, attributes)
        content(&self)
        close(tag)
    }

    /// `<tag …>` escaped text `</tag>`.
    mutating func element(_ tag: String, _ attributes: Attribute..., text: String) {
        open(tag, attributes)
        html += HTMLEscaping.text(text)
        close(tag)
    }

    /// An element without content, written as Plot writes it: `<img …/>`.
    mutating func empty(_ tag: String, _ attributes: Attribute...) {
        open(tag, attributes)
        html.removeLast()
        html += "/>"
    }

    /// `<a href="…">text</a>`.
    mutating func link(_ href: String, _ text: String, _ attributes: Attribute...) {
        open("a", attributes + [.href(href)])
        html += HTMLEscaping.text(text)
        close("a")
    }

    /// A data table: `<table class="data">` with its caption, a header row of `columns` and the body `rows` writes.
    mutating func dataTable(caption: String, columns: [String], rows: (inout HTMLWriter) -> Void) {
        element("table", .cls("data")) { w in
            w.element("caption", text: caption)
            w.element("thead") { w in w.element("tr") { w in for column in columns { w.element("th", text: column) } } }
            w.element("tbody", content: rows)
        }
    }

    /// Escaped text.
    mutating func text(_ text: String) {
        html += HTMLEscaping.text(text)
    }

    /// Markup made by the sanitiser or the JSON-LD writer.
    mutating func trusted(_ markup: TrustedHTML) {
        html += markup.value
    }

    /// A Plot node, rendered (for pieces shared with Plot pages).
    mutating func node(_ node: Node<HTML.BodyContext>) {
        html += node.render()
    }

    /// Markup this writer made earlier (a piece rendered once and reused).
    mutating func written(_ markup: WrittenHTML) {
        html += markup.value
    }
}

/// HTML that an `HTMLWriter` produced, so that it can be kept and written again (or placed in a Plot page).
struct WrittenHTML: Sendable {
    let value: String

    init(_ build: (inout HTMLWriter) -> Void) { value = HTMLWriter.render(reserving: 1_024, build) }

    var node: Node<HTML.BodyContext> { .raw(value) }
}
