import Plot

extension Node {
    /// An attribute whose value carries data: escaped here because Plot writes attribute values verbatim.
    static func attr(_ name: String, _ value: String) -> Node {
        .attribute(named: name, value: HTMLEscaping.attribute(value), ignoreIfValueIsEmpty: false)
    }

    /// `href`, escaped.
    static func to(_ href: String) -> Node { attr("href", href) }

    /// `class` from a constant or computed list of class names, escaped.
    static func classes(_ names: String...) -> Node { attr("class", names.filter { !$0.isEmpty }.joined(separator: " ")) }

    /// A boolean attribute such as `checked` or `selected`, present only when `on`.
    static func flag(_ name: String, _ on: Bool) -> Node {
        on ? .attribute(named: name, value: nil, ignoreIfValueIsEmpty: false) : .empty
    }

    /// Pre-rendered HTML that has been through `HTMLSanitizer` or `JSONLD`; the only way raw markup enters a page.
    static func trusted(_ html: TrustedHTML) -> Node { .raw(html.value) }
}

extension Attribute {
    /// An attribute whose value carries data, for elements that take attributes only (`meta`, `link`, `input`).
    static func attr(_ name: String, _ value: String) -> Attribute {
        Attribute(name: name, value: HTMLEscaping.attribute(value), ignoreIfValueIsEmpty: false)
    }

    /// `href`, escaped.
    static func to(_ href: String) -> Attribute { attr("href", href) }

    /// A boolean attribute present only when `on`.
    static func flag(_ name: String, _ on: Bool) -> Attribute {
        on ? Attribute(name: name, value: nil, ignoreIfValueIsEmpty: false) : .empty
    }
}

/// Markup that was produced by our own sanitiser or serialiser, never straight from input.
public struct TrustedHTML: Sendable, Hashable {
    let value: String
    fileprivate init(unchecked value: String) { self.value = value }

    /// Only `HTMLSanitizer` and `JSONLD` make these.
    static func make(sanitised value: String) -> TrustedHTML { TrustedHTML(unchecked: value) }

    public var string: String { value }
}

extension Node where Context == HTML.SelectContext {
    /// An `<option>` with a visible label (Plot's `option` takes attributes only).
    static func choice(_ value: String, _ label: String, selected: Bool) -> Node {
        .element(named: "option", nodes: [.attr("value", value), .flag("selected", selected), .plain(label)])
    }
}

extension Node {
    /// Text content, escaped by `HTMLEscaping.text` in one linear pass. Used instead of Plot's `.text`, whose
    /// escaper copies its pending buffer for every letter after an `&` (quadratic: a 1 MB answer took seconds).
    static func plain(_ text: String) -> Node { .raw(HTMLEscaping.text(text)) }
}
