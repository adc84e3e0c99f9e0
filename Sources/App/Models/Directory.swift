import Foundation
import Fluent

/// A clinic or hospital.
final class Organization: Model, @unchecked Sendable {
    static let schema = "organizations"
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "slug") var slug: String
    @Field(key: "name") var name: String
    @Field(key: "kind") var kind: String
    @Field(key: "description") var summary: String
    @OptionalField(key: "website") var website: String?
    @OptionalParent(key: "parent_id") var parent: Organization?
    @Field(key: "is_sample") var isSample: Bool
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @OptionalField(key: "facts_updated_at") var factsUpdatedAt: Date?
    @OptionalField(key: "facts_changed") var factsChanged: String?
    @OptionalField(key: "suspended_at") var suspendedAt: Date?
    @OptionalField(key: "suspended_reason") var suspendedReason: String?

    init() {}
}

/// A place where care is given.
final class Location: Model, @unchecked Sendable {
    static let schema = "locations"
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Parent(key: "organization_id") var organization: Organization
    @Field(key: "key") var key: String
    @Field(key: "name") var name: String
    @OptionalField(key: "street") var street: String?
    @Field(key: "city") var city: String
    @Field(key: "city_slug") var citySlug: String
    @OptionalField(key: "region") var region: String?
    @OptionalField(key: "postal_code") var postalCode: String?
    @Field(key: "country_code") var countryCode: String
    @OptionalField(key: "latitude") var latitude: Double?
    @OptionalField(key: "longitude") var longitude: Double?
    /// Weekly opening hours as JSON (`[WeeklyHours]`), in the location's local time.
    @OptionalField(key: "opening_hours") var openingHours: String?

    init() {}
}

/// A surgeon, doctor or dentist.
final class Practitioner: Model, @unchecked Sendable {
    static let schema = "practitioners"
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "slug") var slug: String
    @OptionalField(key: "prefix") var prefix: String?
    @Field(key: "given_name") var givenName: String
    @Field(key: "family_name") var familyName: String
    @OptionalField(key: "suffix") var suffix: String?
    @Field(key: "display_name") var displayName: String
    @Field(key: "specialty") var specialty: String
    @Field(key: "bio") var bio: String
    @OptionalField(key: "practicing_since") var practicingSince: Int?
    /// `nil` when the practitioner has not said (never assumed).
    @OptionalField(key: "accepting_new_patients") var acceptingNewPatients: Bool?
    /// One technique per line.
    @Field(key: "signature_techniques") var signatureTechniques: String
    @Field(key: "is_sample") var isSample: Bool
    // Search index columns, written by `ProviderIndexer`.
    @Field(key: "search_text") var searchText: String
    @Field(key: "profile_score") var profileScore: Int
    @OptionalField(key: "primary_country") var primaryCountry: String?
    @OptionalField(key: "primary_city") var primaryCity: String?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @OptionalField(key: "facts_updated_at") var factsUpdatedAt: Date?
    @OptionalField(key: "facts_changed") var factsChanged: String?
    @OptionalField(key: "suspended_at") var suspendedAt: Date?
    @OptionalField(key: "suspended_reason") var suspendedReason: String?

    init() {}
}

final class PractitionerLanguage: Model, @unchecked Sendable {
    static let schema = "practitioner_languages"
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Parent(key: "practitioner_id") var practitioner: Practitioner
    @Field(key: "language_code") var languageCode: String

    init() {}
    init(practitionerID: Int, languageCode: String) {
        $practitioner.id = practitionerID
        self.languageCode = languageCode
    }
}

/// A practitioner working at an organisation's location (FHIR PractitionerRole).
final class PractitionerRole: Model, @unchecked Sendable {
    static let schema = "practitioner_roles"
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Parent(key: "practitioner_id") var practitioner: Practitioner
    @Parent(key: "organization_id") var organization: Organization
    @Parent(key: "location_id") var location: Location
    @Field(key: "title") var title: String

    init() {}
}

/// A procedure offered at a location, by a practitioner or by the clinic, with a price range.
final class Offer: Model, @unchecked Sendable {
    static let schema = "offers"
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @OptionalParent(key: "practitioner_id") var practitioner: Practitioner?
    @Parent(key: "organization_id") var organization: Organization
    @Parent(key: "location_id") var location: Location
    @Parent(key: "procedure_id") var procedure: Procedure
    @OptionalField(key: "price_min_minor") var priceMinMinor: Int64?
    @OptionalField(key: "price_max_minor") var priceMaxMinor: Int64?
    @OptionalField(key: "currency") var currency: String?
    /// The range in euro cents at the reference rates, for filtering and comparing across currencies.
    @OptionalField(key: "price_min_eur_minor") var priceMinEURMinor: Int64?
    @OptionalField(key: "price_max_eur_minor") var priceMaxEURMinor: Int64?

    init() {}
}

/// A licence, board certification, society membership or facility accreditation.
final class Credential: Model, @unchecked Sendable {
    static let schema = "credentials"
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @OptionalParent(key: "practitioner_id") var practitioner: Practitioner?
    @OptionalParent(key: "organization_id") var organization: Organization?
    @OptionalField(key: "facilitator_id") var facilitatorID: Int?
    @Field(key: "kind") var kind: String
    @Field(key: "title") var title: String
    @OptionalField(key: "issuer") var issuer: String?
    @OptionalField(key: "number") var number: String?
    @OptionalField(key: "valid_from") var validFrom: Date?
    @OptionalField(key: "valid_until") var validUntil: Date?
    @OptionalField(key: "last_verified_at") var lastVerifiedAt: Date?
    @Field(key: "status") var status: String
    @OptionalField(key: "register_url") var registerURL: String?
    @OptionalField(key: "note") var note: String?
    @OptionalField(key: "submitted_at") var submittedAt: Date?
    @OptionalField(key: "submitted_by") var submittedBy: Int?
    /// Moved by one on every change of status or evidence (conditional updates compare it).
    @Field(key: "version") var version: Int

    init() {}
}

/// Filter terms of a practitioner (`country:BE`, `city:ghent`, `lang:fr`, `proc:nanofat-grafting`).
final class PractitionerTerm: Model, @unchecked Sendable {
    static let schema = "practitioner_terms"
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "practitioner_id") var practitionerID: Int
    @Field(key: "term") var term: String

    init() {}
}
