import Foundation
import Plot

/// A bar chart drawn on the server as SVG: no script, a title and description for assistive technology
/// (`role="img"`, `aria-labelledby`), and always shown with the table of its figures next to it.
enum BarChart {
    static let width = 640.0
    static let height = 220.0
    static let left = 44.0
    static let bottom = 28.0
    static let top = 12.0

    /// The top of the scale: the largest value rounded up to 2, 5 or 10 times a power of ten (at least 2), so the
    /// gridlines at half and full height fall on round figures.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 2 else { return 2 }
        let power = pow(10, floor(log10(value)))
        for step in [1.0, 2, 5, 10] where step * power >= value { return step * power }
        return 10 * power
    }

    /// `values[i]` is drawn over `labels[i]`; nil draws no bar (no data), which the table then says.
    static func svg(id: String, title: String, description: String, labels: [String], values: [Double?], format: (Double) -> String) -> Node<HTML.BodyContext> {
        let maxValue = niceCeiling(values.compactMap { $0 }.max() ?? 0)
        let plotWidth = width - left - 8
        let plotHeight = height - bottom - top
        let step = plotWidth / Double(max(labels.count, 1))
        let barWidth = max(4, step * 0.6)
        func y(_ v: Double) -> Double { top + plotHeight - plotHeight * v / maxValue }
        func f(_ d: Double) -> String { String(format: "%.1f", d) }
        var nodes: [Node<HTML.BodyContext>] = [
            .attr("viewBox", "0 0 \(Int(width)) \(Int(height))"), .attr("role", "img"), .attr("aria-labelledby", "\(id)-title \(id)-desc"),
            .attr("class", "chart"), .attr("preserveAspectRatio", "xMidYMid meet"),
            .element(named: "title", nodes: [.attr("id", "\(id)-title"), .plain(title)]),
            .element(named: "desc", nodes: [.attr("id", "\(id)-desc"), .plain(description)]),
        ]
        // Axis and gridlines at 0, half and the top.
        for fraction in [0.0, 0.5, 1.0] {
            let v = maxValue * fraction
            nodes.append(.selfClosedElement(named: "line", attributes: [.attr("x1", f(left)), .attr("x2", f(width - 8)), .attr("y1", f(y(v))), .attr("y2", f(y(v))),
                                                                        .attr("class", "chart-grid")]))
            nodes.append(.element(named: "text", nodes: [.attr("x", f(left - 6)), .attr("y", f(y(v) + 4)), .attr("text-anchor", "end"), .attr("class", "chart-label"),
                                                         .plain(format(v))]))
        }
        for (i, label) in labels.enumerated() {
            let x = left + step * Double(i) + (step - barWidth) / 2
            if let v = values[i] {
                nodes.append(.element(named: "rect", nodes: [.attr("x", f(x)), .attr("y", f(y(v))), .attr("width", f(barWidth)), .attr("height", f(max(0, top + plotHeight - y(v)))),
                                                             .attr("class", "chart-bar"), .element(named: "title", nodes: [.plain("\(label): \(format(v))")])]))
            }
            if labels.count <= 16 || i % 2 == 0 {
                nodes.append(.element(named: "text", nodes: [.attr("x", f(x + barWidth / 2)), .attr("y", f(height - 10)), .attr("text-anchor", "middle"),
                                                             .attr("class", "chart-label"), .plain(label)]))
            }
        }
        return .element(named: "svg", nodes: nodes)
    }
}
