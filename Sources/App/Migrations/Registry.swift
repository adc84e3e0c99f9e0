import Fluent

/// Every migration, in order, by numbered group. Append only: a change is a new migration in a new group.
enum MigrationRegistry {
    static var all: [any Migration] {
        Migrations.all // groups 001–004
            + [
                // 005: keyed audit chain with a signed head, sealed outgoing messages, expiring API tokens
                CreatePlatformKeys(),
                CreateAuditHeads(),
                UpdateOutboxSealedBody(),
                UpdateAPITokenExpiry(),
                // 006: euro reference rates by day (quotes are compared in the patient's currency)
                CreateExchangeRates(),
                // 007: quotes and their versions, the case conversation, availability and appointments
                CreateQuotes(),
                CreateCaseMessages(),
                CreateAppointments(),
                // 008: a calendar invitation attached to an outgoing message; one upcoming consultation per case
                UpdateOutboxAttachment(),
                UpdateMailboxAttachment(),
                UpdateAppointmentCaseClaim(),
                // 009: the generation of published content, checked by every node's render cache
                CreateContentState(),
                // 010: the editorial workspace: pages at work, their revisions and comments, editors' author records
                CreateEditorialItems(),
                CreateContentRevisions(),
                CreateStaffAuthors(),
                // 011: credentials submitted by practices, their sealed evidence, and administrators' checks
                UpdateCredentialSubmission(),
                CreateCredentialChecks(),
                CreateCredentialEvidence(),
                // 012: practices edit their own listing (versioned saves, "updated on" facts, opening hours), suspension
                UpdateProviderSelfService(),
                // 013: team invitations; listing claims and provider applications decided by administrators
                CreateStaffInvitations(),
                CreateListingRequests(),
                // 014: accounts closed by administrators; indexes for the audit viewer
                UpdateUserClosing(),
                CreateAuditIndexes(),
                // 015: profile views by week, for the practice's analytics
                CreateProfileViewCounts(),
                // 016: the media library (images with alt text, scaled variants) over the blob store
                CreateMedia(),
                // 017: social cards of articles and guides; a guide's sections stored as sanitised HTML
                UpdateSocialCardsAndGuideHTML(),
                // 018: a practitioner's card details (languages, offers) kept on its row
                UpdatePractitionerCardColumns(),
                // 019: facilitator organisations' public profiles and facets; their agreements with providers
                UpdateFacilitatorProfiles(),
                CreateFacilitatorAgreements(),
                // 020: facilitators' access to requests by the patient's consent; a request sent to several providers
                CreateCaseFacilitators(),
                // 021: a request sent to more providers, proposed by its facilitator or chosen by the patient
                CreateCaseReferrals(),
                // 022: a request's travel plan and its tasks (the visa invitation letter among them)
                CreateTravelPlansAndTasks(),
                // 023: the next task of each request on its pipeline row
                UpdateCaseFacilitatorsNextTask(),
                // 024: the pipeline's order as one indexed key
                UpdatePipelineSortKey(),
            ]
    }
}
