import Foundation
import Testing
@testable import Domain

@Suite("Editorial workflow")
struct EditorialWorkflowTests {
    /// The workflow as the product describes it, written independently of the implementation.
    private struct Rule { let action: EditorialAction; let from: [EditorialStatus]; let to: EditorialStatus?; let actors: Set<EditorialActor> }
    private static let rules: [Rule] = [
        Rule(action: .submitForReview, from: [.draft, .returned], to: .inReview, actors: [.editor]),
        Rule(action: .returnWithComments, from: [.inReview], to: .returned, actors: [.medicalReviewer]),
        Rule(action: .approve, from: [.inReview], to: .approved, actors: [.medicalReviewer]),
        Rule(action: .schedule, from: [.approved], to: .scheduled, actors: [.editor]),
        Rule(action: .unschedule, from: [.scheduled], to: .approved, actors: [.editor]),
        Rule(action: .publish, from: [.approved, .scheduled], to: .published, actors: [.editor, .system]),
        Rule(action: .minorEdit, from: [.published, .updated], to: .updated, actors: [.editor]),
        Rule(action: .substantiveEdit, from: [.approved, .scheduled, .published, .updated], to: .inReview, actors: [.editor]),
    ]

    /// Edits while a revision is not yet approved keep its status.
    private static func expected(_ action: EditorialAction, _ status: EditorialStatus, _ actor: EditorialActor) -> EditorialStatus? {
        if (action == .minorEdit || action == .substantiveEdit), [.draft, .returned].contains(status) {
            return actor == .editor ? status : nil
        }
        if action == .minorEdit, [.approved, .scheduled].contains(status) { return actor == .editor ? status : nil }
        return rules.first { $0.action == action && $0.from.contains(status) && $0.actors.contains(actor) }?.to
    }

    @Test("Every action, from every status, by every actor, leads where the rules say (or is refused)")
    func exhaustive() {
        for action in EditorialAction.allCases {
            for status in EditorialStatus.allCases {
                for actor in EditorialActor.allCases {
                    #expect(action.apply(to: status, by: actor) == Self.expected(action, status, actor), "\(action) from \(status) by \(actor)")
                }
            }
        }
    }

    @Test("Nothing reaches readers without a medical reviewer's approval")
    func approvalBeforeLive() {
        // Walk every sequence of up to five actions from a draft: whenever the page goes live, an approval came
        // after the last substantive change.
        func walk(_ status: EditorialStatus, approved: Bool, depth: Int) {
            if status.isLive { #expect(approved, "live without approval") }
            guard depth > 0 else { return }
            for action in EditorialAction.allCases {
                for actor in EditorialActor.allCases {
                    guard let next = action.apply(to: status, by: actor) else { continue }
                    let stillApproved: Bool = switch action {
                    case .approve: true
                    case .substantiveEdit, .submitForReview, .returnWithComments: false
                    default: approved
                    }
                    walk(next, approved: stillApproved, depth: depth - 1)
                }
            }
        }
        walk(.draft, approved: false, depth: 6)
    }

    @Test("The system publishes only a scheduled page whose time has come")
    func scheduled() {
        let now = ISODate.parse("2026-12-01")!
        #expect(EditorialAction.publish.isDue(.scheduled, scheduledAt: now.addingTimeInterval(-1), now: now))
        #expect(!EditorialAction.publish.isDue(.scheduled, scheduledAt: now.addingTimeInterval(60), now: now))
        #expect(!EditorialAction.publish.isDue(.approved, scheduledAt: now, now: now))
        #expect(!EditorialAction.publish.isDue(.scheduled, scheduledAt: nil, now: now))
    }

    @Test("Review is due twelve months after the last review, by calendar month")
    func reviewDue() {
        let reviewed = ISODate.parse("2025-11-30")!
        #expect(ReviewSchedule.due(after: reviewed) == ISODate.parse("2026-11-30")!)
        #expect(ReviewSchedule.isDue(reviewedAt: reviewed, today: ISODate.parse("2026-11-30")!))
        #expect(!ReviewSchedule.isDue(reviewedAt: reviewed, today: ISODate.parse("2026-11-29")!))
        #expect(ReviewSchedule.isDue(reviewedAt: reviewed, today: ISODate.parse("2026-11-01")!, warningDays: 30))
        #expect(ReviewSchedule.due(after: ISODate.parse("2026-01-31")!, months: 1) == ISODate.parse("2026-02-28")!)
    }

    @Test("An edit is substantive when clinical words or numbers change, not when only punctuation, spacing or case does")
    func substantive() {
        let clinical: Set<String> = ["body", "risks"]
        let old = ["title": "Lip lift", "body": "Swelling settles in **two weeks**.", "risks": "Bruising; rarely, infection (under 1%)."]
        func changed(_ field: String, _ text: String) -> Bool {
            var new = old
            new[field] = text
            return EditClassifier.isSubstantive(old: old, new: new, clinicalFields: clinical)
        }
        #expect(!changed("body", "Swelling  settles in two weeks"))
        #expect(!changed("risks", "bruising, rarely infection (under 1 %)."))
        #expect(!changed("title", "Lip lift: what to expect"))
        #expect(changed("body", "Swelling settles in three weeks."))
        #expect(changed("risks", "Bruising; rarely, infection (under 2%)."))
        #expect(changed("risks", "Bruising; rarely, infection (under 1%); scarring."))
        #expect(changed("body", ""))
        #expect(EditClassifier.normalized("A 1.5 mm cut, then 12.") == ["a", "1.5", "mm", "cut", "then", "12"])
    }

    @Test("A diff between two revisions rebuilds both of them, and marks only what changed", arguments: 0..<40)
    func diffProperty(seed: Int) {
        var g = SplitMix64(seed: UInt64(seed) &* 0x9E37 &+ 7)
        let words = ["Swelling", "settles", "Bruising", "Results", "Recovery", "", "## Risks", "- one", "- two", "Price"]
        let a = (0..<Int.random(in: 0...40, using: &g)).map { _ in words.randomElement(using: &g)! }
        var b = a
        for _ in 0..<Int.random(in: 0...8, using: &g) {
            switch Int.random(in: 0..<3, using: &g) {
            case 0 where !b.isEmpty: b.remove(at: Int.random(in: 0..<b.count, using: &g))
            case 1: b.insert(words.randomElement(using: &g)!, at: Int.random(in: 0...b.count, using: &g))
            default: if !b.isEmpty { b[Int.random(in: 0..<b.count, using: &g)] = words.randomElement(using: &g)! }
            }
        }
        let lines = TextDiff.diff(a, b)
        let old = lines.compactMap { line -> String? in if case .added = line { return nil }; if case .same(let s) = line { return s }; if case .removed(let s) = line { return s }; return nil }
        let new = lines.compactMap { line -> String? in if case .removed = line { return nil }; if case .same(let s) = line { return s }; if case .added(let s) = line { return s }; return nil }
        #expect(old == a)
        #expect(new == b)
        if a == b { #expect(lines.allSatisfy { if case .same = $0 { return true } else { return false } }) }
    }

    @Test("A one-line change in a long text shows as one line removed and one added")
    func smallEdit() {
        let old = (1...500).map { "Line \($0)" }.joined(separator: "\n")
        let new = old.replacingOccurrences(of: "Line 250\n", with: "Line 250 (revised)\n")
        #expect(TextDiff.lines(old: old, new: new).filter { if case .same = $0 { return false } else { return true } }
                == [.removed("Line 250"), .added("Line 250 (revised)")])
        #expect(TextDiff.lines(old: "", new: "a\nb") == [.added("a"), .added("b")])
    }
}

@Suite("Article fields")
struct ArticleFieldsTests {
    static let input = FormInput(["title": ["Natural lip rejuvenation"], "summary": ["What fat grafting can do"], "body": ["## Why\n\nText."],
                                  "category": ["aesthetics"], "author": ["eda-sample"], "procedures": ["microfat-lip-grafting"], "clinical": ["yes"]])
    static func read(_ input: FormInput) -> Result<ArticleFields, FormError> {
        ArticleFields.read(input, categories: ["aesthetics"], authors: ["eda-sample"], providers: ["patrick-tonnard-md-phd"],
                           procedureSlugs: ["microfat-lip-grafting", "nanofat-grafting"])
    }

    @Test("A complete form gives the fields, with a slug made from the title when none is typed, and back again")
    func complete() throws {
        let fields = try Self.read(Self.input).get()
        #expect(fields.slug == "natural-lip-rejuvenation")
        #expect(fields.isClinical && fields.procedures == ["microfat-lip-grafting"])
        #expect(try Self.read(fields.formInput).get() == fields)
    }

    @Test("Every problem is named at its field: missing, too long (in bytes too), unknown choices, a bad slug")
    func problems() {
        var input = Self.input
        input["title"] = nil
        input["slug"] = "Not A Slug"
        input["summary"] = String(repeating: "e\u{301}", count: 401)
        input["category"] = "nope"
        input["featured_provider"] = "someone-else"
        input.set("procedures", ["microfat-lip-grafting", "unknown"])
        guard case .failure(let e) = Self.read(input) else { Issue.record("accepted"); return }
        #expect(e.fields == ["title", "slug", "summary", "category", "featured_provider", "procedures"])
    }
}
