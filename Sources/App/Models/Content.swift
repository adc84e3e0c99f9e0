import Foundation
import Fluent

/// A magazine category (Plastic Surgery, Dental, …).
final class Category: Model, @unchecked Sendable {
    static let schema = "categories"
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "slug") var slug: String
    @Field(key: "name") var name: String
    @Field(key: "description") var summary: String
    @Field(key: "position") var position: Int

    init() {}
    init(slug: String, name: String, summary: String, position: Int) {
        self.slug = slug
        self.name = name
        self.summary = summary
        self.position = position
    }
}

/// A writer or a medical reviewer.
final class Author: Model, @unchecked Sendable {
    static let schema = "authors"
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "slug") var slug: String
    @Field(key: "name") var name: String
    @Field(key: "title") var title: String
    @Field(key: "bio") var bio: String
    @Field(key: "is_medical_reviewer") var isMedicalReviewer: Bool
    @Field(key: "is_sample") var isSample: Bool

    init() {}
    init(slug: String, name: String, title: String, bio: String, isMedicalReviewer: Bool, isSample: Bool) {
        self.slug = slug
        self.name = name
        self.title = title
        self.bio = bio
        self.isMedicalReviewer = isMedicalReviewer
        self.isSample = isSample
    }
}

/// A magazine article written in Markdown; `bodyHTML` is the sanitised rendering.
final class Article: Model, @unchecked Sendable {
    static let schema = "articles"
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "slug") var slug: String
    @Field(key: "title") var title: String
    @Field(key: "summary") var summary: String
    @Field(key: "body_markdown") var bodyMarkdown: String
    @Field(key: "body_html") var bodyHTML: String
    @Parent(key: "category_id") var category: Category
    @Parent(key: "author_id") var author: Author
    @OptionalParent(key: "reviewer_id") var reviewer: Author?
    @OptionalParent(key: "featured_practitioner_id") var featuredPractitioner: Practitioner?
    @Field(key: "is_clinical") var isClinical: Bool
    @Field(key: "reading_minutes") var readingMinutes: Int
    @Field(key: "published_at") var publishedAt: Date
    @OptionalField(key: "reviewed_at") var reviewedAt: Date?
    @Field(key: "search_text") var searchText: String
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}

/// Procedures an article is about (for related guides and providers).
final class ArticleProcedure: Model, @unchecked Sendable {
    static let schema = "article_procedures"
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Parent(key: "article_id") var article: Article
    @Parent(key: "procedure_id") var procedure: Procedure

    init() {}
    init(articleID: Int, procedureID: Int) {
        $article.id = articleID
        $procedure.id = procedureID
    }
}

/// A structured procedure guide.
final class Procedure: Model, @unchecked Sendable {
    static let schema = "procedures"
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "slug") var slug: String
    @Field(key: "name") var name: String
    @Parent(key: "category_id") var category: Category
    @Field(key: "procedure_type") var procedureType: String
    @Field(key: "body_location") var bodyLocation: String
    @Field(key: "summary") var summary: String
    @Field(key: "what_it_is") var whatItIs: String
    @Field(key: "suits") var suits: String
    @Field(key: "not_suits") var notSuits: String
    @Field(key: "preparation") var preparation: String
    @Field(key: "how_performed") var howPerformed: String
    @Field(key: "recovery") var recovery: String
    @Field(key: "results_onset") var resultsOnset: String
    @Field(key: "results_duration") var resultsDuration: String
    @Field(key: "risks") var risks: String
    @Field(key: "alternatives") var alternatives: String
    @Field(key: "followup") var followup: String
    @Field(key: "duration_minutes") var durationMinutes: Int
    @Field(key: "stay_days") var stayDays: Int
    @OptionalParent(key: "reviewer_id") var reviewer: Author?
    @OptionalField(key: "reviewed_at") var reviewedAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    /// The sections as sanitised HTML, JSON by section (`GuideHTML`), written when the guide is published.
    @OptionalField(key: "sections_html") var sectionsHTML: String?
    @OptionalField(key: "social_title") var socialTitle: String?
    @OptionalField(key: "social_description") var socialDescription: String?
    @OptionalField(key: "social_image") var socialImage: String?

    init() {}
}

/// A typical price range for a procedure in one country (sample data, labelled as such).
final class ProcedurePrice: Model, @unchecked Sendable {
    static let schema = "procedure_prices"
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Parent(key: "procedure_id") var procedure: Procedure
    @Field(key: "country_code") var countryCode: String
    /// Amounts in minor units of `currency` (cents), so they stay exact on both databases.
    @Field(key: "price_min_minor") var priceMinMinor: Int64
    @Field(key: "price_max_minor") var priceMaxMinor: Int64
    @Field(key: "currency") var currency: String
    @Field(key: "is_sample") var isSample: Bool

    init() {}
}
