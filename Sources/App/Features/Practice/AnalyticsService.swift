import Foundation
import Fluent
import SQLKit
import Vapor
import Domain

/// A practice's figures by week: profile views, consultation requests, requests answered, and the median time to
/// the first answer (the team's first step or message on the request).
enum AnalyticsService {
    static let weeks = 12

    struct Week: Sendable {
        let start: Date
        var views: Int = 0
        var requests: Int = 0
        var replied: Int = 0
        var medianReplyHours: Double?
    }

    static func weekly(_ w: SchedulePages.Workplace, now: Date, on db: any Database) async throws -> [Week] {
        let starts = Weeks.last(weeks, now: now)
        var result = starts.map { Week(start: $0) }
        let sql = db as! any SQLDatabase
        struct ViewRow: Decodable { let week: String; let views: Int64 }
        let views = try await sql.select().column("week").column("views").from("profile_view_counts")
            .where("provider_key", .equal, SQLBind(w.key)).where("week", .greaterThanOrEqual, SQLBind(ISODate.format(starts[0])))
            .all(decoding: ViewRow.self)
        for v in views {
            if let i = starts.firstIndex(where: { ISODate.format($0) == v.week }) { result[i].views = Int(v.views) }
        }
        let id = w.practitionerID ?? w.organizationID ?? 0
        let owner: SQLQueryString = w.practitionerID != nil ? "c.practitioner_id = \(bind: id)" : "c.organization_id = \(bind: id)"
        struct CaseRow: Decodable { let created_at: Date; let first_event: Date?; let first_message: Date? }
        let head: SQLQueryString = """
            SELECT c.created_at AS created_at,
              (SELECT MIN(e.at) FROM case_events e WHERE e.case_id = c.id AND e.actor_user_id IS NOT NULL AND e.actor_user_id <> c.patient_id) AS first_event,
              (SELECT MIN(m.created_at) FROM case_messages m WHERE m.case_id = c.id AND m.side = 'provider') AS first_message
            FROM cases c WHERE 
            """
        let tail: SQLQueryString = " AND c.created_at >= \(bind: starts[0]) AND c.status <> \(bind: CaseStatus.awaitingVerification.rawValue)"
        let cases = try await sql.raw(head + owner + tail).all(decoding: CaseRow.self)
        var hours: [[Double]] = Array(repeating: [], count: starts.count)
        for c in cases {
            guard let i = starts.lastIndex(where: { $0 <= c.created_at }) else { continue }
            result[i].requests += 1
            if let reply = [c.first_event, c.first_message].compactMap({ $0 }).min() {
                result[i].replied += 1
                hours[i].append(max(0, reply.timeIntervalSince(c.created_at)) / 3600)
            }
        }
        for i in result.indices { result[i].medianReplyHours = Median.of(hours[i]) }
        return result
    }
}
