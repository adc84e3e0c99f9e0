import Foundation

/// What a page at work in the studio stores in each revision: fields compared line by line, a set of them clinical
/// (a change to one after approval goes back to medical review), and the editor's form for them.
public protocol EditorialContent: Sendable, Equatable, Codable {
    var comparable: [String: String] { get }
    static var clinicalFields: Set<String> { get }
    var formInput: FormInput { get }
}

/// What an editor writes for a magazine article: one revision's fields, checked at the field.
public struct ArticleFields: EditorialContent {
    public var title: String
    public var slug: String
    public var summary: String
    public var bodyMarkdown: String
    public var category: String
    public var author: String
    /// A practitioner's slug, or empty.
    public var featuredProvider: String
    public var procedures: [String]
    public var isClinical: Bool
    public var socialTitle: String
    public var socialDescription: String
    /// A media library image id for the social card (nil: none). Optional, so revisions saved before it read.
    public var socialImage: String?

    public init(title: String, slug: String, summary: String, bodyMarkdown: String, category: String, author: String,
                featuredProvider: String = "", procedures: [String] = [], isClinical: Bool = true, socialTitle: String = "",
                socialDescription: String = "", socialImage: String? = nil) {
        self.title = title; self.slug = slug; self.summary = summary; self.bodyMarkdown = bodyMarkdown; self.category = category
        self.author = author; self.featuredProvider = featuredProvider; self.procedures = procedures; self.isClinical = isClinical
        self.socialTitle = socialTitle; self.socialDescription = socialDescription; self.socialImage = socialImage
    }

    public static let maxTitle = 160
    public static let maxSummary = 400
    public static let maxBody = 60_000
    public static let maxSocialTitle = 90
    public static let maxSocialDescription = 200
    public static let maxProcedures = 10

    /// The fields whose change is a clinical change (reviewed again after approval).
    public static let clinicalFields: Set<String> = ["body", "procedures"]

    /// The fields as text, for comparing revisions (`EditClassifier`, `TextDiff`).
    public var comparable: [String: String] {
        ["title": title, "slug": slug, "summary": summary, "body": bodyMarkdown, "category": category, "author": author,
         "featured_provider": featuredProvider, "procedures": procedures.sorted().joined(separator: "\n"),
         "clinical": isClinical ? "yes" : "no", "social_title": socialTitle, "social_description": socialDescription,
         "social_image": socialImage ?? ""]
    }

    /// Reads the editor's form. Choices (category, author, provider, procedures) are checked against what exists.
    public static func read(_ input: FormInput, categories: Set<String>, authors: Set<String>, providers: Set<String>,
                            procedureSlugs: Set<String>) -> Result<ArticleFields, FormError> {
        var r = FormReader(input)
        let title = r.text("title", max: maxTitle, required: true)
        let rawSlug = input.text("slug") ?? title.map(Slug.make) ?? ""
        if rawSlug.isEmpty { r.fail("slug", .required) } else if !Slug.isValid(rawSlug) { r.fail("slug", .unknownValue) }
        let summary = r.text("summary", max: maxSummary, required: true)
        let body = r.text("body", max: maxBody, required: true)
        func choice(_ name: String, in set: Set<String>, required: Bool) -> String {
            guard let value = input.text(name) else { if required { r.fail(name, .required) }; return "" }
            guard set.contains(value) else { r.fail(name, .unknownValue); return "" }
            return value
        }
        let category = choice("category", in: categories, required: true)
        let author = choice("author", in: authors, required: true)
        let featured = choice("featured_provider", in: providers, required: false)
        let procedures = Array(Set(input.all("procedures").filter { !$0.isEmpty })).sorted()
        if procedures.count > maxProcedures { r.fail("procedures", .tooMany(max: maxProcedures)) }
        else if procedures.contains(where: { !procedureSlugs.contains($0) }) { r.fail("procedures", .unknownValue) }
        let socialTitle = r.text("social_title", max: maxSocialTitle) ?? ""
        let socialDescription = r.text("social_description", max: maxSocialDescription) ?? ""
        let socialImage = input.text("social_image")
        if let id = socialImage, UUID(uuidString: id) == nil || id != id.lowercased() { r.fail("social_image", .unknownValue) }
        guard r.problems.isEmpty, let title, let summary, let body else { return .failure(FormError(r.problems)) }
        return .success(ArticleFields(title: title, slug: rawSlug, summary: summary, bodyMarkdown: body, category: category, author: author,
                                      featuredProvider: featured, procedures: procedures, isClinical: r.checked("clinical"),
                                      socialTitle: socialTitle, socialDescription: socialDescription, socialImage: socialImage))
    }

    /// The editor's form filled with these fields.
    public var formInput: FormInput {
        var input = FormInput()
        input["title"] = title; input["slug"] = slug; input["summary"] = summary; input["body"] = bodyMarkdown
        input["category"] = category; input["author"] = author; input["featured_provider"] = featuredProvider
        input.set("procedures", procedures)
        if isClinical { input["clinical"] = "yes" }
        input["social_title"] = socialTitle; input["social_description"] = socialDescription
        input["social_image"] = socialImage ?? ""
        return input
    }
}
